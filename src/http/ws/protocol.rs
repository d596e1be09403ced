//! The messages of both websocket subprotocols, parsed into one type, and
//! the close codes Herald uses. Pure functions of the text a client sent:
//! the socket task (`super`) decides what to do with them, and the fuzz
//! targets feed them arbitrary bytes.
//!
//! graphql-transport-ws spells its messages `connection_init`,
//! `subscribe`, `complete`, `ping`, `pong`; the legacy graphql-ws
//! (subscriptions-transport-ws) spells them `connection_init`, `start`,
//! `stop`, `connection_terminate`. A message that is not JSON, names no
//! known type, or lacks what its type needs is invalid (close 4400).

use async_graphql::Request;
use serde_json::Value;

/// Longest id a client may give an operation. Ids are counters or UUIDs;
/// a longer one is a client bug or an attempt to grow the server's maps.
pub const MAX_OPERATION_ID: usize = 128;

pub mod close {
    //! Close codes used here: graphql-transport-ws's, plus 1000 (normal),
    //! 1001 (going away, at shutdown), 1013 (try again later) and 3008
    //! (keep-alive timeout).
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    /// The token could not be checked (the store is unreachable).
    pub const TRY_AGAIN_LATER: u16 = 1013;
    pub const KEEPALIVE_TIMEOUT: u16 = 3008;
    pub const BAD_REQUEST: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const DUPLICATE_ID: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;
}

/// A message from the client.
#[derive(Debug)]
pub enum ClientMessage {
    /// `connection_init`, with the token somewhere in its payload.
    ConnectionInit { payload: Option<Value> },
    /// `subscribe` (`start`): run `request` as operation `id`.
    Subscribe { id: String, request: Box<Request> },
    /// `complete` (`stop`): stop operation `id`.
    Complete { id: String },
    /// `ping` (graphql-transport-ws), to be answered with this payload.
    Ping { payload: Option<Value> },
    /// `pong` (graphql-transport-ws): the answer to the server's ping.
    Pong,
    /// `connection_terminate` (legacy): the client is leaving.
    Terminate,
}

/// Why a message is not one of the protocol's.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid;

/// Parses one client message of the legacy protocol (`legacy`) or of
/// graphql-transport-ws.
pub fn parse(text: &str, legacy: bool) -> Result<ClientMessage, Invalid> {
    let mut message: Value = serde_json::from_str(text).map_err(|_| Invalid)?;
    let id = |message: &Value| -> Result<String, Invalid> {
        match message.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() && id.len() <= MAX_OPERATION_ID => Ok(id.to_owned()),
            _ => Err(Invalid),
        }
    };
    let payload = message.get_mut("payload").map(Value::take);
    let payload = payload.filter(|p| !p.is_null());
    match message.get("type").and_then(Value::as_str) {
        Some("connection_init") => Ok(ClientMessage::ConnectionInit { payload }),
        Some(kind @ ("subscribe" | "start")) if (kind == "start") == legacy => {
            let id = id(&message)?;
            let request: Request =
                serde_json::from_value(payload.ok_or(Invalid)?).map_err(|_| Invalid)?;
            Ok(ClientMessage::Subscribe {
                id,
                request: Box::new(request),
            })
        }
        Some(kind @ ("complete" | "stop")) if (kind == "stop") == legacy => {
            Ok(ClientMessage::Complete { id: id(&message)? })
        }
        Some("ping") if !legacy => Ok(ClientMessage::Ping { payload }),
        Some("pong") if !legacy => Ok(ClientMessage::Pong),
        Some("connection_terminate") if legacy => Ok(ClientMessage::Terminate),
        _ => Err(Invalid),
    }
}

/// The token in a `connection_init` payload: `authorization` or
/// `Authorization` (with or without `Bearer `), at the top or under
/// `headers`, as Apollo Client and graphql-ws users commonly send it.
pub fn token_in(payload: Option<&Value>) -> Option<&str> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tokens_are_found_where_clients_put_them() {
        let v = json!({"authorization": "Bearer a"});
        assert_eq!(token_in(Some(&v)), Some("Bearer a"));
        let v = json!({"Authorization": "Bearer b"});
        assert_eq!(token_in(Some(&v)), Some("Bearer b"));
        let v = json!({"headers": {"Authorization": "Bearer c"}});
        assert_eq!(token_in(Some(&v)), Some("Bearer c"));
        assert_eq!(token_in(Some(&json!({}))), None);
        assert_eq!(token_in(None), None);
    }

    #[test]
    fn each_protocol_has_its_own_words() {
        let subscribe =
            json!({"type": "subscribe", "id": "1", "payload": {"query": "{ me { id } }"}})
                .to_string();
        assert!(matches!(
            parse(&subscribe, false),
            Ok(ClientMessage::Subscribe { .. })
        ));
        assert_eq!(parse(&subscribe, true).err(), Some(Invalid));
        let start =
            json!({"type": "start", "id": "1", "payload": {"query": "{ me { id } }"}}).to_string();
        assert!(matches!(
            parse(&start, true),
            Ok(ClientMessage::Subscribe { .. })
        ));
        assert!(matches!(
            parse(r#"{"type":"stop","id":"1"}"#, true),
            Ok(ClientMessage::Complete { .. })
        ));
        assert!(matches!(
            parse(r#"{"type":"ping","payload":{"x":1}}"#, false),
            Ok(ClientMessage::Ping { payload: Some(_) })
        ));
        assert!(matches!(
            parse(r#"{"type":"connection_terminate"}"#, true),
            Ok(ClientMessage::Terminate)
        ));
    }

    #[test]
    fn malformed_messages_are_invalid() {
        for text in [
            "",
            "not json",
            "[]",
            r#"{"type": 3}"#,
            r#"{"type":"subscribe","payload":{"query":"{a}"}}"#,
            r#"{"type":"subscribe","id":"","payload":{"query":"{a}"}}"#,
            r#"{"type":"subscribe","id":"1"}"#,
            r#"{"type":"subscribe","id":"1","payload":{"query":7}}"#,
            r#"{"type":"complete"}"#,
            r#"{"type":"nonsense"}"#,
        ] {
            assert_eq!(parse(text, false).err(), Some(Invalid), "{text}");
        }
        let long_id = json!({"type": "complete", "id": "x".repeat(MAX_OPERATION_ID + 1)});
        assert_eq!(parse(&long_id.to_string(), false).err(), Some(Invalid));
    }
}
