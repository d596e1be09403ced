//! The playground: a page about Herald at `/`, GraphiQL at `/graphiql` and
//! the live inbox demo at `/inbox`, with their assets under `/assets/`.
//!
//! The pages are built from `playground/` by Vite into `playground/dist/`
//! (committed) and embedded with rust-embed, so serving them needs neither
//! Node nor a network: every script, style and font comes from here. In
//! debug builds rust-embed reads the same folder from disk instead, so a
//! new `npm run build` shows up without recompiling the server.

use axum::{
    Router,
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use rust_embed::RustEmbed;

use super::AppState;

/// Vite's output: one `index.html` per page, and content-hashed files
/// under `assets/`.
#[derive(RustEmbed)]
#[folder = "playground/dist/"]
struct Dist;

/// Hashed assets never change under the same name: cache them for a year.
const ASSET_CACHE: &str = "public, max-age=31536000, immutable";
/// Pages name the current build's assets: check them on every load.
const PAGE_CACHE: &str = "no-cache";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| page("index.html")))
        .route("/graphiql", get(|| page("graphiql/index.html")))
        .route("/inbox", get(|| page("inbox/index.html")))
        // The inbox's service worker, which shows Web Push messages: at
        // the root, so that its scope covers every page, and never cached
        // for long, so that browsers see a new version at the next visit.
        .route("/push-worker.js", get(|| page("push-worker.js")))
        .route("/assets/{*path}", get(asset))
}

async fn page(file: &'static str) -> Response {
    embedded(file, PAGE_CACHE)
}

async fn asset(Path(path): Path<String>) -> Response {
    // Embedded names are plain relative paths; anything that could step
    // out of the assets folder names no asset.
    if path
        .split(['/', '\\'])
        .any(|segment| segment.is_empty() || segment == "..")
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    embedded(&format!("assets/{path}"), ASSET_CACHE)
}

fn embedded(name: &str, cache_control: &'static str) -> Response {
    let Some(file) = Dist::get(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = content_type(file.metadata.mimetype());
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        file.data,
    )
        .into_response()
}

/// The `Content-Type` for a guessed MIME type; text is always UTF-8 here.
fn content_type(mime: &str) -> HeaderValue {
    let is_text = mime.starts_with("text/") || mime == "application/javascript";
    let value = if is_text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of(response: &Response, name: header::HeaderName) -> &str {
        response.headers()[name].to_str().unwrap()
    }

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// Every `/assets/…` URL a page refers to.
    fn asset_urls(html: &str) -> Vec<String> {
        html.split("\"/assets/")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn each_page_and_every_asset_it_names_is_served_with_its_type() {
        for file in ["index.html", "graphiql/index.html", "inbox/index.html"] {
            let response = page(file).await;
            assert_eq!(response.status(), StatusCode::OK, "{file}");
            assert_eq!(
                header_of(&response, header::CONTENT_TYPE),
                "text/html; charset=utf-8"
            );
            assert_eq!(header_of(&response, header::CACHE_CONTROL), PAGE_CACHE);
            let html = body_of(response).await;
            let assets = asset_urls(&html);
            assert!(!assets.is_empty(), "{file} loads no assets");
            for path in assets {
                let response = asset(Path(path.clone())).await;
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                let expected = if path.ends_with(".js") {
                    "text/javascript; charset=utf-8"
                } else {
                    "text/css; charset=utf-8"
                };
                assert_eq!(header_of(&response, header::CONTENT_TYPE), expected);
                assert_eq!(header_of(&response, header::CACHE_CONTROL), ASSET_CACHE);
            }
        }
    }

    #[tokio::test]
    async fn unknown_assets_and_escapes_are_not_found() {
        for path in [
            "missing.js",
            "../index.html",
            "a/../../Cargo.toml",
            "",
            "a//b",
        ] {
            let response = asset(Path(path.to_owned())).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path:?}");
        }
    }
}
