//! The REST face of the publish API, for an app's backend without a
//! GraphQL client:
//!
//! - `POST /v1/notifications`: the body is `publishNotification`'s input;
//!   an `Idempotency-Key` header may name its `idempotencyKey`;
//! - `POST /v1/topics/{topic}/members` and `DELETE …` with
//!   `{"users": [...]}`: `subscribeToTopic` and `unsubscribeFromTopic`.
//!
//! Each runs its GraphQL mutation through the same executor as
//! `/graphql`, so it meets the same checks and limits. The answer is plain
//! JSON: the mutation's result with 200, or `{"errors": [...]}` (each with
//! `extensions.code`) with the status that code stands for.

use std::net::SocketAddr;

use async_graphql::{Executor, Request as GraphqlRequest, Variables};
use axum::{
    Json, Router,
    extract::{ConnectInfo, Path, Request, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

use super::{
    AppState,
    graphql::{
        auth_from_headers, is_json, labelled, overloaded, read_body, unsupported_media_type,
    },
};
use crate::{
    auth::ClientIp,
    error::{AppError, status_of_code},
    telemetry::metrics::OperationLabel,
};

const PUBLISH: &str = "mutation Publish($input: PublishNotificationInput!) { \
    publishNotification(input: $input) { notified replayed } }";
const JOIN: &str = "mutation JoinTopic($topic: String!, $users: [String!]!) { \
    subscribeToTopic(topic: $topic, users: $users) { name memberCount } }";
const LEAVE: &str = "mutation LeaveTopic($topic: String!, $users: [String!]!) { \
    unsubscribeFromTopic(topic: $topic, users: $users) { name memberCount } }";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/notifications", post(publish))
        .route("/v1/topics/{topic}/members", post(join).delete(leave))
}

async fn publish(
    State(state): State<AppState>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let mut input = match json_object(&state, &headers, request).await {
        Ok(input) => input,
        Err(response) => return response,
    };
    if let Some(key) = headers.get("idempotency-key") {
        let Ok(key) = key.to_str() else {
            return AppError::bad_input("Idempotency-Key", "must be ASCII").into_response();
        };
        match input.get("idempotencyKey") {
            None | Some(Value::Null) => {
                input.insert("idempotencyKey".into(), Value::String(key.to_owned()));
            }
            Some(Value::String(same)) if same == key => {}
            Some(_) => {
                return AppError::bad_input(
                    "idempotencyKey",
                    "differs from the Idempotency-Key header: send one of them",
                )
                .into_response();
            }
        }
    }
    let variables = json!({ "input": input });
    run(
        &state,
        remote,
        &headers,
        PUBLISH,
        variables,
        "publishNotification",
    )
    .await
}

async fn join(
    state: State<AppState>,
    remote: ConnectInfo<SocketAddr>,
    Path(topic): Path<String>,
    request: Request,
) -> Response {
    change_topic(state, remote, topic, request, JOIN, "subscribeToTopic").await
}

async fn leave(
    state: State<AppState>,
    remote: ConnectInfo<SocketAddr>,
    Path(topic): Path<String>,
    request: Request,
) -> Response {
    change_topic(state, remote, topic, request, LEAVE, "unsubscribeFromTopic").await
}

async fn change_topic(
    State(state): State<AppState>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    topic: String,
    request: Request,
    mutation: &'static str,
    field: &'static str,
) -> Response {
    let headers = request.headers().clone();
    let body = match json_object(&state, &headers, request).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let users = body.get("users").cloned().unwrap_or(Value::Null);
    let variables = json!({ "topic": topic, "users": users });
    run(&state, remote, &headers, mutation, variables, field).await
}

/// The body as a JSON object, or the response refusing it.
async fn json_object(
    state: &AppState,
    headers: &HeaderMap,
    request: Request,
) -> Result<serde_json::Map<String, Value>, Response> {
    if !is_json(headers) {
        return Err(unsupported_media_type("send the body as application/json"));
    }
    let max = state.services.config.limits.max_body_bytes;
    let bytes = read_body(request.into_body(), max, headers).await?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(AppError::bad_request("the body must be a JSON object").into_response()),
        Err(err) => {
            Err(AppError::bad_request(format!("the body is not JSON: {err}")).into_response())
        }
    }
}

/// Runs `mutation` with `variables` as the request's caller and answers
/// with its `field`, or its errors.
async fn run(
    state: &AppState,
    remote: SocketAddr,
    headers: &HeaderMap,
    mutation: &'static str,
    variables: Value,
    field: &'static str,
) -> Response {
    let Ok(_executing) = state.requests.clone().try_acquire_owned() else {
        return overloaded();
    };
    let auth = auth_from_headers(state, headers).await;
    let request = GraphqlRequest::new(mutation)
        .variables(Variables::from_json(variables))
        .data(auth)
        .data(ClientIp(remote.ip()));
    let label = OperationLabel::of(&request);
    let response = state.schema.execute(request).await;
    let answer = if let Some(error) = response.errors.first() {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| match e.get("code") {
                Some(async_graphql::Value::String(code)) => Some(code.clone()),
                _ => None,
            })
            // async-graphql's own variable errors name no code: the input
            // did not fit the mutation's types.
            .unwrap_or_else(|| "BAD_USER_INPUT".to_owned());
        let status = StatusCode::from_u16(status_of_code(&code)).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(json!({ "errors": response.errors }))).into_response()
    } else {
        let data = response.data.into_json().unwrap_or(Value::Null);
        let result = data.get(field).cloned().unwrap_or(Value::Null);
        (StatusCode::OK, Json(result)).into_response()
    };
    labelled(answer, label)
}
