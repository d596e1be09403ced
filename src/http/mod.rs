//! The HTTP transport: one router for GraphQL over HTTP and websockets,
//! uploads, health checks and the playground, and the accept loop that
//! serves it (`serve`).

mod graphql;
mod health;
mod playground;
pub mod serve;
pub mod sse;
pub mod uploads;
pub mod ws;

use std::sync::Arc;

use axum::{
    Router,
    http::{HeaderName, HeaderValue, Method, Request, header},
    routing::get,
};
use tokio::sync::Semaphore;
use tower_http::{
    cors::{AllowOrigin, Any, CorsLayer},
    limit::RequestBodyLimitLayer,
    trace::TraceLayer,
};

use crate::graphql::{HeraldExecutor, Services};

/// What every handler gets: the shared services and the schema.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    /// The schema, through which every transport executes operations.
    pub schema: HeraldExecutor,
    /// Places for queries and mutations executing at once
    /// (`--max-concurrent-requests`).
    pub requests: Arc<Semaphore>,
}

impl AppState {
    pub fn new(services: Services, schema: HeraldExecutor) -> Self {
        let permits = usize::try_from(services.config.limits.max_concurrent_requests)
            .unwrap_or(usize::MAX)
            .min(Semaphore::MAX_PERMITS);
        AppState {
            services,
            schema,
            requests: Arc::new(Semaphore::new(permits)),
        }
    }
}

/// Room on top of the largest upload for the rest of a multipart request.
const REQUEST_OVERHEAD_BYTES: u64 = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let config = &state.services.config;
    // A backstop for every body; JSON bodies meet the smaller
    // `--max-body-bytes` in the GraphQL handlers.
    let body_limit = usize::try_from(config.limits.max_upload_bytes + REQUEST_OVERHEAD_BYTES)
        .unwrap_or(usize::MAX);
    let api = Router::new()
        .route("/graphql", get(graphql::get_or_upgrade).post(graphql::post))
        .route("/graphql/stream", get(sse::get).post(sse::post))
        .layer(RequestBodyLimitLayer::new(body_limit));
    let mut router = Router::new()
        .merge(api)
        .merge(playground::routes())
        .merge(health::routes())
        .with_state(state.clone())
        .merge(uploads::routes(&config.uploads_dir()));
    if let Some(cors) = cors_layer(&config.cors_origins) {
        router = router.layer(cors);
    }
    router.layer(
        // Spans carry the method and path only: query strings may hold an
        // access token and are never logged.
        TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
        }),
    )
}

/// CORS for the configured origins. `*` allows any origin but never with
/// credentials; a list of origins allows credentials.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let base = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("last-event-id"),
            HeaderName::from_static("apollo-require-preflight"),
        ]);
    if origins.contains(&"*") {
        return Some(base.allow_origin(Any));
    }
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| match HeaderValue::from_str(o) {
            Ok(v) => Some(v),
            Err(_) => {
                tracing::warn!(origin = o, "ignoring an invalid CORS origin");
                None
            }
        })
        .collect();
    Some(
        base.allow_origin(AllowOrigin::list(list))
            .allow_credentials(true),
    )
}
