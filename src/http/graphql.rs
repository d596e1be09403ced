//! GraphQL over HTTP: `POST /graphql` (JSON or multipart uploads) and
//! `GET /graphql` (queries in the query string, or a websocket upgrade).

use async_graphql::{
    BatchRequest, Executor, ParseRequestError,
    http::{MultipartOptions, receive_batch_body},
    parser::types::OperationType,
};
use async_graphql_axum::{GraphQLProtocol, GraphQLResponse};
use axum::{
    Json,
    extract::{FromRequestParts, Request, State, WebSocketUpgrade},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use futures_util::TryStreamExt;
use tokio_util::compat::TokioAsyncReadCompatExt;

use super::{AppState, ws};
use crate::auth::Auth;

/// Most files one multipart request may carry.
const MAX_FILES_PER_REQUEST: usize = 4;

/// The caller named by the request's `Authorization` header.
pub fn auth_from_headers(state: &AppState, headers: &HeaderMap) -> Auth {
    Auth::from_authorization(
        &state.services.keys,
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A GraphQL-shaped error body with a status code, for requests that fail
/// before execution.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({
            "errors": [{ "message": message, "extensions": { "code": code } }]
        })),
    )
        .into_response()
}

pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let auth = auth_from_headers(&state, request.headers());
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = request
        .into_body()
        .into_data_stream()
        .map_err(std::io::Error::other);
    let reader = tokio_util::io::StreamReader::new(body).compat();
    let max = state.services.config.max_upload_bytes;
    let options = MultipartOptions::default()
        .max_file_size(usize::try_from(max).unwrap_or(usize::MAX))
        .max_num_files(MAX_FILES_PER_REQUEST);
    let batch = match receive_batch_body(content_type, reader, options).await {
        Ok(batch) => batch,
        Err(ParseRequestError::PayloadTooLarge) => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BAD_USER_INPUT",
                &format!("file: must be at most {max} bytes"),
            );
        }
        Err(err) => {
            return error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", &err.to_string());
        }
    };
    execute(&state, batch.data(auth)).await
}

/// `GET /graphql`: a websocket upgrade, or a query in the query string.
/// Mutations are refused over GET, so that a link cannot change anything.
pub async fn get_or_upgrade(State(state): State<AppState>, request: Request) -> Response {
    let auth = auth_from_headers(&state, request.headers());
    let is_upgrade = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if is_upgrade {
        let (mut parts, _) = request.into_parts();
        let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &state).await {
            Ok(protocol) => protocol,
            Err(rejection) => return rejection.into_response(),
        };
        // async-graphql picks the first protocol it knows in the client's
        // list; "graphql-ws" is the legacy one.
        let legacy = parts
            .headers
            .get(header::SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok())
            .and_then(|list| {
                list.split(',')
                    .map(str::trim)
                    .find(|p| *p == "graphql-ws" || *p == "graphql-transport-ws")
            })
            == Some("graphql-ws");
        return match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(upgrade) => ws::upgrade(state, upgrade, protocol, legacy, auth),
            Err(rejection) => rejection.into_response(),
        };
    }
    let query = request.uri().query().unwrap_or_default();
    let mut single = match async_graphql::http::parse_query_string(query) {
        Ok(request) => request,
        Err(err) => {
            return error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", &err.to_string());
        }
    };
    if let Ok(document) = single.parsed_query() {
        let changes = document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty != OperationType::Query);
        if changes {
            return error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "BAD_REQUEST",
                "only queries may be sent with GET; use POST for mutations and a websocket or SSE for subscriptions",
            );
        }
    }
    execute(&state, BatchRequest::Single(single).data(auth)).await
}

async fn execute(state: &AppState, batch: BatchRequest) -> Response {
    GraphQLResponse::from(state.schema.execute_batch(batch).await).into_response()
}
