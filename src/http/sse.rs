//! GraphQL over Server-Sent Events at `/graphql/stream`, in the
//! *distinct connections* mode of the `graphql-sse` protocol: one HTTP
//! request carries one operation, and its response is an event stream.
//!
//! `POST` takes the usual JSON body; `GET` takes `query`, `variables` and
//! `operationName` in the query string, which is what a browser
//! `EventSource` can send. Every execution result is a `next` event whose
//! data is the result as JSON; a `complete` event ends the stream. Any
//! operation of the schema works: a subscription streams until the client
//! goes away, a query or mutation (mutations only over `POST`) is one
//! `next` then `complete`. Errors found while executing (FORBIDDEN,
//! UNAUTHENTICATED, a malformed query) arrive as a `next` carrying
//! `errors`, as the protocol asks, because a browser hides the body of a
//! failed response; only a token that is presented and invalid is
//! refused before streaming, with 401 and a JSON body.
//!
//! Resuming: an `EventSource` cannot set headers, so the token may also
//! come as an `access_token` query parameter (never logged: the router's
//! spans hold the path only). Each event of a resumable subscription
//! carries `id:` = the cursor of its item (`EventIds`); on its automatic
//! reconnect the browser sends that back as `Last-Event-ID`, which the
//! subscription takes as its `after` cursor (`LastEventId`) unless the
//! operation gives `after` itself. Gap-free delivery then replays exactly
//! what was missed before going live.
//!
//! Liveness: a `retry:` hint opens the stream, a `: keep-alive` comment
//! goes out whenever the stream has been idle for the configured interval,
//! and `X-Accel-Buffering: no` keeps nginx from holding events back. When
//! the client disconnects, hyper drops the response body, which drops the
//! execution stream and with it the broker subscription. When the server
//! shuts down, open streams end without `complete` (`StreamsShutdown`), so
//! that browsers reconnect, to another replica, with their `Last-Event-ID`.

use std::{convert::Infallible, net::SocketAddr, time::Duration};

use async_graphql::{Request, parser::types::OperationType};
use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequestParts, State},
    http::{HeaderMap, HeaderName, HeaderValue, header, request::Parts},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures_util::{StreamExt, stream};
use serde::Deserialize;

use super::{
    AppState,
    gate::Gate,
    graphql::{
        auth_from_headers, is_json, labelled, read_body, refuse_changes_over_get,
        unsupported_media_type,
    },
    serve::Lifecycle,
};
use crate::{
    auth::{Auth, ClientIp},
    delivery::{EventIds, LastEventId},
    error::{AppError, UNSERIALISABLE_RESULT},
    graphql::engine::Delivery,
    telemetry::{self, Held, InSpan, metrics::OperationLabel},
};

/// How long a browser should wait before reconnecting a dropped stream.
/// Short, because resuming is cheap (one indexed read) and a user expects
/// notifications to come back quickly after the network does.
pub const RETRY_AFTER_DISCONNECT: Duration = Duration::from_secs(3);

/// The query-string parameters read here besides those of the GraphQL
/// request itself.
#[derive(Deserialize, Default)]
struct StreamParams {
    /// The token, for clients that cannot send `Authorization`.
    access_token: Option<String>,
    /// async-graphql's `parse_query_string` reads `operation_name`; the
    /// GraphQL over HTTP spelling is `operationName`.
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
}

impl StreamParams {
    fn from_query(query: &str) -> Self {
        // Unparsable parameters are reported by `parse_query_string` for
        // GET; for POST the query string is optional.
        axum::extract::Query::<StreamParams>::try_from_uri(
            &format!("/?{query}").parse().unwrap_or_default(),
        )
        .map(|q| q.0)
        .unwrap_or_default()
    }
}

/// What a stream request carries besides its GraphQL operation: the
/// caller's address and headers, the parameters of its query string, and
/// the server's lifecycle (which ends streams on shutdown).
pub struct StreamCall {
    lifecycle: Lifecycle,
    remote: SocketAddr,
    headers: HeaderMap,
    query: String,
    params: StreamParams,
}

impl<S: Send + Sync> FromRequestParts<S> for StreamCall {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let ConnectInfo(remote) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let query = parts.uri.query().unwrap_or_default().to_owned();
        Ok(Self {
            lifecycle: parts
                .extensions
                .get::<Lifecycle>()
                .cloned()
                .unwrap_or_default(),
            remote,
            headers: parts.headers.clone(),
            params: StreamParams::from_query(&query),
            query,
        })
    }
}

/// `GET /graphql/stream?query=…&variables=…&access_token=…`: what a
/// browser `EventSource` sends. Mutations are refused, so that a link
/// cannot change anything.
pub async fn get(State(state): State<AppState>, call: StreamCall) -> Response {
    let mut request = match async_graphql::http::parse_query_string(&call.query) {
        Ok(request) => request,
        Err(err) => {
            return AppError::bad_request(err.to_string()).into_response();
        }
    };
    if request.operation_name.is_none() {
        request.operation_name = call.params.operation_name.clone();
    }
    // Checked (and parsed) here, so that a refused text is never parsed
    // to find out whether it is a mutation.
    if let Err(refused) = state.schema.prepare(&mut request) {
        let label = OperationLabel::of(&request);
        return labelled(refused_before_streaming(*refused), label);
    }
    if let Some(response) =
        refuse_changes_over_get(&state, &mut request, OperationType::Subscription)
    {
        return response;
    }
    let label = OperationLabel::of(&request);
    labelled(stream_operation(&state, call, request).await, label)
}

/// `POST /graphql/stream` with a JSON GraphQL request body.
pub async fn post(State(state): State<AppState>, call: StreamCall, body: Body) -> Response {
    if !is_json(&call.headers) {
        return unsupported_media_type("send the request as application/json");
    }
    let max = state.services.config.limits.max_body_bytes;
    let body = match read_body(body, max, &call.headers).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let request: Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) => {
            return AppError::bad_request(format!(
                "the body must be a JSON GraphQL request: {err}"
            ))
            .into_response();
        }
    };
    let label = OperationLabel::of(&request);
    labelled(stream_operation(&state, call, request).await, label)
}

/// A request refused before it ran: a stream of one `next` carrying the
/// errors, then `complete`, as for any other error found while executing.
fn refused_before_streaming(refused: async_graphql::Response) -> Response {
    let events = [next_event(&EventIds::default(), &refused), complete_event()];
    Sse::new(stream::iter(events).map(Ok::<_, Infallible>)).into_response()
}

/// The caller: the `Authorization` header, or else the `access_token`
/// query parameter.
async fn caller(state: &AppState, headers: &HeaderMap, access_token: Option<&str>) -> Auth {
    if headers.contains_key(header::AUTHORIZATION) {
        auth_from_headers(state, headers).await
    } else {
        state.services.auth.authenticate(access_token).await
    }
}

/// Why a stream stops before its operation ends.
enum Stop {
    /// The server is shutting down: end without `complete`, so that the
    /// browser reconnects (to another replica) and resumes.
    Shutdown,
    /// The token expired or its session was revoked: say so, then
    /// `complete`, so that the client opens a new stream with a new token.
    Credential(&'static str),
}

async fn stream_operation(state: &AppState, call: StreamCall, request: Request) -> Response {
    let StreamCall {
        lifecycle,
        remote,
        headers,
        params,
        ..
    } = call;
    let request = request.data(ClientIp(remote.ip()));
    let auth = caller(state, &headers, params.access_token.as_deref()).await;
    // A token that is sent and refused ends the request before any stream
    // opens: 401 (503 when it cannot be checked), which also stops a
    // browser's EventSource from reconnecting with it.
    if let (Auth::Invalid(_) | Auth::Unavailable, Err(refused)) = (&auth, auth.principal()) {
        return refused.into_response();
    }
    // Watched while the stream lasts: its expiry and a revocation of its
    // session end the stream.
    let credential = match &auth {
        Auth::User(principal) => Some((
            state
                .services
                .auth
                .sessions()
                .watch(principal.session.clone()),
            crate::auth::time_left(principal.expires_at),
        )),
        _ => None,
    };
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| LastEventId(v.to_owned()));
    let ids = EventIds::default();
    let mut request = request.data(ids.clone());
    if let Some(last_event_id) = last_event_id {
        request = request.data(last_event_id);
    }
    let user = match &auth {
        Auth::User(principal) => Some(principal.user),
        _ => None,
    };
    // The connection's span, a child of the request's (and so carrying
    // its request id): every line the stream logs carries both.
    let span = tracing::info_span!(
        "connection",
        transport = "sse",
        user_id = user,
        operation = request.operation_name.as_deref(),
    );
    let stream_log = StreamLog {
        _open: telemetry::metrics::connection("sse"),
    };
    span.in_scope(|| tracing::debug!("SSE stream opened"));
    let mut results = state.schema.subscribe(request.data(auth), None);
    let opening = Event::default()
        .comment("stream open")
        .retry(RETRY_AFTER_DISCONNECT);
    let events = async_stream::stream! {
        // Dropped with the stream, i.e. when the client goes away.
        let _log = stream_log;
        let shutdown = lifecycle.shutting_down();
        let (watch, time_left) = match credential {
            Some((watch, left)) => (Some(watch), left),
            None => (None, std::time::Duration::MAX),
        };
        let stop = async {
            let revoked = async {
                match &watch {
                    Some(watch) => watch.ended().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = shutdown => Stop::Shutdown,
                () = revoked => Stop::Credential("the session was logged out"),
                () = sleep_for(time_left) => Stop::Credential("the token expired"),
            }
        };
        tokio::pin!(stop);
        // Polled only when it woke the stream, not at every result.
        let gate = Gate::new();
        let mut stopped = std::future::poll_fn(|cx| gate.poll(cx, |cx| stop.as_mut().poll(cx)));
        yield opening;
        loop {
            tokio::select! {
                biased;
                stopped = &mut stopped => {
                    if let Stop::Credential(reason) = stopped {
                        yield credential_ended(reason);
                        yield complete_event();
                    }
                    break;
                }
                response = results.next() => match response {
                    Some(delivery) => yield delivery_event(&ids, delivery),
                    None => {
                        yield complete_event();
                        break;
                    }
                },
            }
        }
    }
    .map(Ok::<_, Infallible>);
    let events = InSpan::new(events, span);
    let keep_alive = KeepAlive::new()
        .interval(state.services.config.sse_keepalive())
        .text("keep-alive");
    let mut response = Sse::new(events).keep_alive(keep_alive).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    response
}

/// A `next` event carrying what a subscription delivered.
fn delivery_event(ids: &EventIds, delivery: Delivery) -> Event {
    match delivery {
        Delivery::Response(response) => next_event(ids, &response),
        Delivery::Rendered(rendered) => {
            let event = Event::default().event("next").data(rendered.payload());
            match rendered.event_id() {
                Some(id) => event.id(id),
                None => event,
            }
        }
    }
}

/// A `next` event carrying one execution result, with the id of its item
/// when the resolver recorded one.
fn next_event(ids: &EventIds, response: &async_graphql::Response) -> Event {
    let id = ids.take_for(response);
    let event = match Event::default().event("next").json_data(response) {
        Ok(event) => event,
        Err(err) => {
            tracing::error!(error = %err, "could not serialise an execution result");
            Event::default().event("next").data(UNSERIALISABLE_RESULT)
        }
    };
    match id {
        Some(id) => event.id(id),
        None => event,
    }
}

/// The `next` event that ends a stream whose credential ended.
fn credential_ended(reason: &str) -> Event {
    let refused = AppError::Unauthenticated(reason.to_owned()).into_server_error();
    next_event(
        &EventIds::default(),
        &async_graphql::Response::from_errors(vec![refused]),
    )
}

/// Sleeps `duration`, or forever when it is too long to be a deadline.
async fn sleep_for(duration: std::time::Duration) {
    match tokio::time::Instant::now().checked_add(duration) {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// The `complete` event. Its data is `null` rather than empty: a browser
/// does not dispatch an event without data, and the page must see
/// `complete` to close its `EventSource` instead of reconnecting.
fn complete_event() -> Event {
    Event::default().event("complete").data("null")
}

/// An open stream: counted in the connection gauge while it lives, and
/// logged when it ends (dropped inside the connection's span).
struct StreamLog {
    _open: Held,
}

impl Drop for StreamLog {
    fn drop(&mut self) {
        tracing::debug!("SSE stream closed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_and_operation_name_are_read_from_the_query_string() {
        let params = StreamParams::from_query("query=%7Bme%7D&access_token=abc&operationName=Op");
        assert_eq!(params.access_token.as_deref(), Some("abc"));
        assert_eq!(params.operation_name.as_deref(), Some("Op"));
        let params = StreamParams::from_query("");
        assert!(params.access_token.is_none());
    }

    #[test]
    fn complete_has_data_so_that_browsers_dispatch_it() {
        let bytes = format!("{:?}", complete_event());
        assert!(bytes.contains("data: null"), "{bytes}");
    }
}
