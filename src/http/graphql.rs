//! GraphQL over HTTP: `POST /graphql` (JSON or multipart uploads) and
//! `GET /graphql` (queries in the query string, or a websocket upgrade).
//!
//! What a request may be is decided here, before anything is parsed:
//! JSON bodies up to `--max-body-bytes` (413 `BODY_TOO_LARGE`, from the
//! `Content-Length` when there is one), multipart bodies for uploads (their
//! files bounded by `--max-upload-bytes`), nothing else (415, so that a
//! cross-site form or a `text/plain` POST never executes), at most
//! `--max-batch` operations per request (400 `BATCH_TOO_LARGE`), and at
//! most `--max-concurrent-requests` executing at once (503 `OVERLOADED`).
//! Each operation of a batch then meets every other limit on its own.

use std::net::SocketAddr;

use async_graphql::{
    BatchRequest, BatchResponse, Executor, ParseRequestError,
    http::{MultipartOptions, receive_batch_body},
    parser::types::OperationType,
};
use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequestParts, Request, State, WebSocketUpgrade},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use futures_util::TryStreamExt;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio_util::compat::TokioAsyncReadCompatExt;

use super::{AppState, ws};
use crate::{
    auth::{Auth, ClientIp},
    error::AppError,
    telemetry::metrics::OperationLabel,
};

/// Most files one multipart request may carry.
const MAX_FILES_PER_REQUEST: usize = 4;

/// The caller named by the request's `Authorization` header.
pub async fn auth_from_headers(state: &AppState, headers: &HeaderMap) -> Auth {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state.services.auth.authenticate(value).await
}

/// What a POST body is, from its `Content-Type`.
#[derive(Debug, PartialEq, Eq)]
enum BodyKind {
    Json,
    Multipart,
    Unsupported,
}

fn body_kind(headers: &HeaderMap) -> BodyKind {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return BodyKind::Unsupported;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "application/graphql-response+json" => BodyKind::Json,
        "multipart/form-data" => BodyKind::Multipart,
        _ => BodyKind::Unsupported,
    }
}

/// The media type to answer with: `application/json` unless the client
/// prefers `application/graphql-response+json` (the GraphQL over HTTP
/// spec: a client that accepts `application/json` MUST get it).
fn response_media_type(headers: &HeaderMap) -> &'static str {
    const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    for entry in accept.split(',') {
        let media = entry.split(';').next().unwrap_or_default().trim();
        if media.eq_ignore_ascii_case(GRAPHQL_RESPONSE) {
            return GRAPHQL_RESPONSE;
        }
        if media.eq_ignore_ascii_case("application/json") {
            return "application/json";
        }
    }
    "application/json"
}

pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let Ok(_executing) = state.requests.clone().try_acquire_owned() else {
        return overloaded();
    };
    let headers = request.headers().clone();
    let limits = &state.services.config.limits;
    let batch = match body_kind(&headers) {
        BodyKind::Unsupported => {
            return unsupported_media_type(
                "send the request as application/json (or multipart/form-data for uploads)",
            );
        }
        BodyKind::Json => {
            match read_json_batch(request.into_body(), limits.max_body_bytes, &headers).await {
                Ok(batch) => batch,
                Err(response) => return response,
            }
        }
        BodyKind::Multipart => {
            match read_multipart_batch(&state, &headers, request.into_body()).await {
                Ok(batch) => batch,
                Err(response) => return response,
            }
        }
    };
    let label = match &batch {
        BatchRequest::Single(request) => OperationLabel::of(request),
        BatchRequest::Batch(_) => OperationLabel::batch(),
    };
    labelled(execute_post(&state, remote, &headers, batch).await, label)
}

/// Runs a batch read from a POST body, once it is known to fit.
async fn execute_post(
    state: &AppState,
    remote: SocketAddr,
    headers: &HeaderMap,
    batch: BatchRequest,
) -> Response {
    let limits = &state.services.config.limits;
    let operations = match &batch {
        BatchRequest::Single(_) => 1,
        BatchRequest::Batch(requests) => requests.len(),
    };
    if operations == 0 || operations as u64 > limits.max_batch {
        return AppError::limit(
            "BATCH_TOO_LARGE",
            "max-batch",
            format!(
                "a batch must hold between 1 and {} operations",
                limits.max_batch
            ),
        )
        .into_response();
    }
    let auth = auth_from_headers(state, headers).await;
    let batch = batch.data(auth).data(ClientIp(remote.ip()));
    let response = state.schema.execute_batch(batch).await;
    graphql_response(response, headers)
}

/// `response` with the operation it answered, for the request counter.
pub fn labelled(mut response: Response, label: OperationLabel) -> Response {
    response.extensions_mut().insert(label);
    response
}

/// True when the request says its body is JSON.
pub fn is_json(headers: &HeaderMap) -> bool {
    body_kind(headers) == BodyKind::Json
}

/// A JSON body of at most `max` bytes, parsed as one operation or a batch.
async fn read_json_batch(
    body: Body,
    max: u64,
    headers: &HeaderMap,
) -> Result<BatchRequest, Response> {
    let bytes = read_body(body, max, headers).await?;
    serde_json::from_slice::<BatchRequest>(&bytes).map_err(|err| {
        AppError::bad_request(format!("the body is not a GraphQL request: {err}")).into_response()
    })
}

/// A body of at most `max` bytes: 413 as soon as `Content-Length` says it
/// is longer, or once more than `max` bytes have arrived.
pub async fn read_body(
    body: Body,
    max: u64,
    headers: &HeaderMap,
) -> Result<axum::body::Bytes, Response> {
    let too_large = || {
        AppError::limit(
            "BODY_TOO_LARGE",
            "max-body-bytes",
            format!("the request body must be at most {max} bytes"),
        )
        .into_response()
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let limited = Limited::new(body, usize::try_from(max).unwrap_or(usize::MAX));
    match limited.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(AppError::bad_request("the request body could not be read").into_response()),
    }
}

/// A multipart upload request (the GraphQL multipart request spec).
async fn read_multipart_batch(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<BatchRequest, Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = TryStreamExt::map_err(body.into_data_stream(), std::io::Error::other);
    let reader = tokio_util::io::StreamReader::new(body).compat();
    let max = state.services.config.limits.max_upload_bytes;
    let options = MultipartOptions::default()
        .max_file_size(usize::try_from(max).unwrap_or(usize::MAX))
        .max_num_files(MAX_FILES_PER_REQUEST);
    receive_batch_body(content_type, reader, options)
        .await
        .map_err(|err| match err {
            ParseRequestError::PayloadTooLarge => {
                // 413, with the code an over-large file gets from the API.
                let too_large = AppError::bad_input("file", format!("must be at most {max} bytes"));
                let mut response = too_large.into_response();
                *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
                response
            }
            err => AppError::bad_request(err.to_string()).into_response(),
        })
}

/// `GET /graphql`: a websocket upgrade, or a query in the query string.
/// Mutations are refused over GET, so that a link cannot change anything.
pub async fn get_or_upgrade(
    State(state): State<AppState>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let auth = auth_from_headers(&state, request.headers()).await;
    let is_upgrade = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if is_upgrade {
        let (mut parts, _) = request.into_parts();
        let Some(protocol) = ws::protocol_of(&parts.headers) else {
            return AppError::bad_request(
                "ask for the graphql-transport-ws (or legacy graphql-ws) subprotocol",
            )
            .into_response();
        };
        return match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(upgrade) => ws::upgrade(state, upgrade, protocol, &parts, auth, remote.ip()),
            Err(rejection) => rejection.into_response(),
        };
    }
    let Ok(_executing) = state.requests.clone().try_acquire_owned() else {
        return overloaded();
    };
    let headers = request.headers().clone();
    let query = request.uri().query().unwrap_or_default();
    let single = match async_graphql::http::parse_query_string(query) {
        Ok(request) => request,
        Err(err) => {
            return AppError::bad_request(err.to_string()).into_response();
        }
    };
    let label = OperationLabel::of(&single);
    labelled(
        execute_get(&state, remote, auth, &headers, single).await,
        label,
    )
}

/// Runs a query sent with GET, unless it would change something.
async fn execute_get(
    state: &AppState,
    remote: SocketAddr,
    auth: Auth,
    headers: &HeaderMap,
    mut single: async_graphql::Request,
) -> Response {
    if let Err(refused) = state.schema.prepare(&mut single) {
        return graphql_response(BatchResponse::Single(*refused), headers);
    }
    if let Some(response) = refuse_changes_over_get(state, &mut single, OperationType::Query) {
        return response;
    }
    let batch = BatchRequest::Single(single)
        .data(auth)
        .data(ClientIp(remote.ip()));
    graphql_response(state.schema.execute_batch(batch).await, headers)
}

/// 405 for a prepared request that holds an operation other than those
/// `allowed` over GET, which must never change anything.
pub fn refuse_changes_over_get(
    state: &AppState,
    request: &mut async_graphql::Request,
    allowed: OperationType,
) -> Option<Response> {
    let refused = state
        .schema
        .operation_types(request)
        .into_iter()
        .any(|ty| ty != allowed && ty != OperationType::Query);
    refused.then(|| {
        AppError::refused(
            405,
            "BAD_REQUEST",
            "mutations cannot be sent with GET; use POST (and a websocket or SSE for subscriptions)",
        )
        .into_response()
    })
}

pub fn overloaded() -> Response {
    AppError::refused(
        503,
        "OVERLOADED",
        "too many requests are being executed; try again shortly",
    )
    .into_response()
}

/// 415: only JSON (and multipart, where uploads are taken) is executed, so
/// that a cross-site form or a `text/plain` POST never runs.
pub fn unsupported_media_type(message: &str) -> Response {
    AppError::refused(415, "UNSUPPORTED_MEDIA_TYPE", message).into_response()
}

/// The response to an executed request: its JSON with the media type the
/// client accepts, and 429 with `Retry-After` when every operation was
/// refused for going too fast.
fn graphql_response(response: BatchResponse, headers: &HeaderMap) -> Response {
    let retry_after = throttled_for(&response);
    let body = match serde_json::to_vec(&response) {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "could not serialise a response");
            return AppError::internal("could not serialise a response").into_response();
        }
    };
    let status = if retry_after.is_some() {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::OK
    };
    let mut out = (status, body).into_response();
    let out_headers = out.headers_mut();
    out_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(response_media_type(headers)),
    );
    if let Some(secs) = retry_after {
        out_headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    out
}

/// When every operation of `response` was refused with RATE_LIMITED, the
/// longest `retryAfter` among them.
fn throttled_for(response: &BatchResponse) -> Option<u64> {
    let responses: Vec<&async_graphql::Response> = match response {
        BatchResponse::Single(r) => vec![r],
        BatchResponse::Batch(rs) => rs.iter().collect(),
    };
    let mut longest = None;
    for r in responses {
        let throttled = r.errors.iter().find_map(|e| {
            let extensions = e.extensions.as_ref()?;
            (extensions.get("code") == Some(&async_graphql::Value::from("RATE_LIMITED"))).then(
                || match extensions.get("retryAfter") {
                    Some(async_graphql::Value::Number(n)) => n.as_u64().unwrap_or(1),
                    _ => 1,
                },
            )
        });
        match throttled {
            Some(secs) if r.data == async_graphql::Value::Null || is_all_null(&r.data) => {
                longest = Some(longest.map_or(secs, |l: u64| l.max(secs)));
            }
            _ => return None,
        }
    }
    longest
}

/// True for `null` and for an object whose every field is null (a
/// mutation whose one field failed).
fn is_all_null(value: &async_graphql::Value) -> bool {
    match value {
        async_graphql::Value::Null => true,
        async_graphql::Value::Object(fields) => fields.values().all(is_all_null),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_json_and_multipart_bodies_are_accepted() {
        let kind = |ct: &str| body_kind(&headers(&[(header::CONTENT_TYPE, ct)]));
        assert_eq!(kind("application/json"), BodyKind::Json);
        assert_eq!(kind("Application/JSON; charset=utf-8"), BodyKind::Json);
        assert_eq!(kind("multipart/form-data; boundary=x"), BodyKind::Multipart);
        assert_eq!(kind("text/plain"), BodyKind::Unsupported);
        assert_eq!(
            kind("application/x-www-form-urlencoded"),
            BodyKind::Unsupported
        );
        assert_eq!(body_kind(&HeaderMap::new()), BodyKind::Unsupported);
    }

    #[test]
    fn the_response_type_follows_accept() {
        let media = |accept: &str| response_media_type(&headers(&[(header::ACCEPT, accept)]));
        assert_eq!(media("application/json"), "application/json");
        assert_eq!(
            media("application/graphql-response+json, application/json;q=0.9"),
            "application/graphql-response+json"
        );
        assert_eq!(media("*/*"), "application/json");
        assert_eq!(response_media_type(&HeaderMap::new()), "application/json");
    }
}
