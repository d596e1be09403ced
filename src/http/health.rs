//! Health checks for load balancers: `/healthz` says the process is up,
//! `/readyz` that its store and broker answer.

use std::time::Duration;

use axum::{Router, extract::State, http::StatusCode, routing::get};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
}

/// How long a readiness check waits for each dependency: a load balancer
/// must hear "not ready" well within its own timeout.
const READY_WAIT: Duration = Duration::from_millis(1500);

async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let (store, broker) = tokio::join!(
        state.services.store.ping(READY_WAIT),
        tokio::time::timeout(READY_WAIT, state.services.broker.ready()),
    );
    let broker = broker.unwrap_or(false);
    match (store, broker) {
        (true, true) => (StatusCode::OK, "ready"),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "store unreachable"),
        (_, false) => (StatusCode::SERVICE_UNAVAILABLE, "broker unreachable"),
    }
}
