//! Serving uploaded images back (`/uploads/<name>`, the `imageUrl` of a
//! post), from the directory `media` stores them in.

use std::path::Path;

use axum::{
    Router,
    http::{HeaderValue, header},
};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

use crate::media::UPLOADS_PATH;

/// Serves the uploads directory. The content type follows the extension,
/// which `store_image` chose from the file's bytes; `nosniff` stops
/// browsers from second-guessing it.
pub fn routes(dir: &Path) -> Router {
    Router::new().nest_service(
        UPLOADS_PATH,
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .service(ServeDir::new(dir)),
    )
}
