//! Health checks for load balancers: `/healthz` says the process is up,
//! `/readyz` that its store and broker answer.

use axum::{Router, extract::State, http::StatusCode, routing::get};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
}

async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let store = state.services.store.ping().await;
    let broker = state.services.broker.ready().await;
    match (store, broker) {
        (true, true) => (StatusCode::OK, "ready"),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "store unreachable"),
        (_, false) => (StatusCode::SERVICE_UNAVAILABLE, "broker unreachable"),
    }
}
