//! GraphiQL at `/`, wired to `/graphql` for queries, mutations and
//! subscriptions (graphql-transport-ws).

use async_graphql::http::GraphiQLSource;
use axum::{Router, response::Html, routing::get};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(graphiql))
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql")
            .title("Herald")
            .finish(),
    )
}
