//! The HTTP transport: one router for GraphQL over HTTP and websockets,
//! uploads, health checks, the playground and `/metrics`, and the accept
//! loop that serves it (`serve`).
//!
//! Every request passes, outermost first, through: the request id (a
//! usable client `x-request-id` kept, any other replaced by a UUID), the
//! trace span that carries it (method, path, request id; one line when
//! the response goes out), the echo of the id in the response, CORS, and
//! the request counter (status and operation).

mod gate;
mod graphql;
mod health;
mod playground;
mod rest;
pub mod serve;
pub mod sse;
pub mod uploads;
pub mod ws;

use std::sync::Arc;

use axum::{
    Router,
    extract::MatchedPath,
    http::{HeaderName, HeaderValue, Method, Request, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::{
    cors::{AllowOrigin, Any, CorsLayer},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::{
    graphql::{HeraldExecutor, Services},
    telemetry::{
        self, REQUEST_ID,
        metrics::{self, OperationLabel},
    },
};

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
        .merge(rest::routes())
        .layer(RequestBodyLimitLayer::new(body_limit));
    let mut router = Router::new()
        .merge(api)
        .merge(playground::routes())
        .merge(health::routes())
        .with_state(state.clone())
        .merge(uploads::routes(&config.uploads_dir()));
    if config.metrics && config.metrics_listen.is_none() {
        router = router.merge(metrics_routes());
    }
    // Added to the router itself, so that it sees the matched route.
    router = router.layer(middleware::from_fn(count_request));
    if let Some(cors) = cors_layer(&config.cors_origins) {
        router = router.layer(cors);
    }
    router.layer(
        ServiceBuilder::new()
            .map_request(|mut request: Request<axum::body::Body>| {
                telemetry::drop_unusable_request_id(request.headers_mut());
                request
            })
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
    )
}

/// The span of one request: its method, path and id. Never the query
/// string (it may hold an access token) nor any header.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "http",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = id,
    )
}

/// `GET /metrics`: the Prometheus exposition of every family, or 404 when
/// this process keeps no metrics.
pub fn metrics_routes() -> Router {
    Router::new().route(
        "/metrics",
        get(|| async {
            match metrics::render() {
                Some(text) => {
                    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
                }
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }),
    )
}

/// Counts the request by status and operation: the GraphQL operation the
/// handler names (`OperationLabel`), else the route it matched.
async fn count_request(request: Request<axum::body::Body>, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let operation = match (response.extensions().get::<OperationLabel>(), &route) {
        (Some(OperationLabel(name)), _) => name.as_str(),
        (None, Some(route)) => route_label(route.as_str()),
        (None, None) => "unmatched",
    };
    metrics::http_request(response.status().as_u16(), operation);
    response
}

/// A route as a label: its path up to its first parameter
/// (`/assets/{*path}` → `/assets/`), so that one route is one label.
fn route_label(route: &str) -> &str {
    route.find('{').map_or(route, |at| &route[..at])
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
