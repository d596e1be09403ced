//! GraphQL over websockets: `graphql-transport-ws` and the legacy
//! `graphql-ws` (subscriptions-transport-ws) subprotocols.
//!
//! Herald reads the first message itself before handing the socket to
//! async-graphql, to enforce the protocol's authentication rules, which
//! the library leaves to the application: a bad or expired token in
//! `connection_init` closes with 4403, a `subscribe` before the
//! acknowledgement closes with 4401, and no `connection_init` within the
//! configured time closes with 4408.

use std::time::Duration;

use async_graphql::{Data, http::ALL_WEBSOCKET_PROTOCOLS};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    response::Response,
};
use futures_util::{SinkExt, StreamExt, stream};
use serde_json::Value;

use super::AppState;
use crate::auth::Auth;

/// Read buffer per connection. tungstenite's default (128 KiB) is sized
/// for throughput; Herald's sockets are mostly idle and receive small
/// frames, and this buffer is allocated for every open socket.
pub const WS_READ_BUFFER: usize = 4 * 1024;
/// Largest message a client may send (subscribe payloads are small).
pub const WS_MAX_MESSAGE: usize = 256 * 1024;

pub mod close {
    //! graphql-transport-ws close codes used here.
    pub const BAD_REQUEST: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
}

/// Accepts the upgrade with buffers sized for many idle sockets. `legacy`
/// is true for the subscriptions-transport-ws protocol (`graphql-ws`).
/// `header_auth` is the caller named by the upgrade request's own
/// `Authorization` header, used when `connection_init` carries no token.
pub fn upgrade(
    state: AppState,
    upgrade: WebSocketUpgrade,
    protocol: GraphQLProtocol,
    legacy: bool,
    header_auth: Auth,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .read_buffer_size(WS_READ_BUFFER)
        // Write each frame as soon as it is produced: notifications are
        // small and latency matters more than batching.
        .write_buffer_size(0)
        .max_message_size(WS_MAX_MESSAGE)
        .max_frame_size(WS_MAX_MESSAGE)
        .on_upgrade(move |socket| serve(state, socket, protocol, legacy, header_auth))
}

async fn serve(
    state: AppState,
    socket: WebSocket,
    protocol: GraphQLProtocol,
    legacy: bool,
    header_auth: Auth,
) {
    let (mut sink, mut incoming) = socket.split();
    let init_timeout = state.services.config.ws_init_timeout();
    let first = match first_text(&mut incoming, init_timeout).await {
        FirstMessage::Text(text) => text,
        FirstMessage::Closed => return,
        FirstMessage::TimedOut => {
            let _ = sink
                .send(close_frame(
                    close::INIT_TIMEOUT,
                    "Connection initialisation timeout",
                ))
                .await;
            return;
        }
    };
    let message: Value = match serde_json::from_str(&first) {
        Ok(message) => message,
        Err(_) => {
            let _ = sink
                .send(close_frame(close::BAD_REQUEST, "Invalid message received"))
                .await;
            return;
        }
    };
    match message.get("type").and_then(Value::as_str) {
        Some("connection_init") => {}
        Some("subscribe" | "start") => {
            let _ = sink
                .send(close_frame(close::UNAUTHORIZED, "Unauthorized"))
                .await;
            return;
        }
        _ => {
            let _ = sink
                .send(close_frame(
                    close::BAD_REQUEST,
                    "Expected connection_init first",
                ))
                .await;
            return;
        }
    }
    let auth = match token_in(message.get("payload")) {
        Some(token) => Auth::from_authorization(&state.services.keys, Some(token)),
        None => header_auth,
    };
    if let Auth::Invalid(reason) = auth {
        if legacy {
            let error =
                serde_json::json!({"type": "connection_error", "payload": {"message": reason}});
            let _ = sink.send(Message::Text(error.to_string().into())).await;
        }
        let _ = sink.send(close_frame(close::FORBIDDEN, "Forbidden")).await;
        return;
    }
    if let Auth::User(user) = auth {
        tracing::debug!(user.id = user, "websocket connection initialised");
    }
    // Put the init message back in front, so that async-graphql runs the
    // rest of the protocol (ack, subscribe, ping, complete) as usual.
    let replayed = stream::once(async move { Ok(Message::Text(first.into())) }).chain(incoming);
    GraphQLWebSocket::new_with_pair(sink, replayed, state.schema.clone(), protocol)
        .on_connection_init(move |_| async move {
            let mut data = Data::default();
            data.insert(auth);
            Ok(data)
        })
        .serve()
        .await;
}

enum FirstMessage {
    Text(String),
    Closed,
    TimedOut,
}

async fn first_text<S>(incoming: &mut S, timeout: Duration) -> FirstMessage
where
    S: futures_util::Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let wait = async {
        while let Some(message) = incoming.next().await {
            match message {
                Ok(Message::Text(text)) => return FirstMessage::Text(text.to_string()),
                Ok(Message::Binary(bytes)) => match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => return FirstMessage::Text(text),
                    Err(_) => return FirstMessage::Closed,
                },
                Ok(Message::Close(_)) | Err(_) => return FirstMessage::Closed,
                Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            }
        }
        FirstMessage::Closed
    };
    tokio::time::timeout(timeout, wait)
        .await
        .unwrap_or(FirstMessage::TimedOut)
}

/// The token in a `connection_init` payload: `authorization` or
/// `Authorization` (with or without `Bearer `), as Apollo Client and
/// graphql-ws users commonly send it.
fn token_in(payload: Option<&Value>) -> Option<&str> {
    let payload = payload?;
    ["authorization", "Authorization"]
        .iter()
        .find_map(|key| payload.get(*key).and_then(Value::as_str))
        .or_else(|| {
            payload
                .get("headers")
                .and_then(|h| h.get("authorization").or_else(|| h.get("Authorization")))
                .and_then(Value::as_str)
        })
}

fn close_frame(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_where_clients_put_them() {
        let v = serde_json::json!({"authorization": "Bearer a"});
        assert_eq!(token_in(Some(&v)), Some("Bearer a"));
        let v = serde_json::json!({"Authorization": "Bearer b"});
        assert_eq!(token_in(Some(&v)), Some("Bearer b"));
        let v = serde_json::json!({"headers": {"Authorization": "Bearer c"}});
        assert_eq!(token_in(Some(&v)), Some("Bearer c"));
        assert_eq!(token_in(Some(&serde_json::json!({}))), None);
        assert_eq!(token_in(None), None);
    }
}
