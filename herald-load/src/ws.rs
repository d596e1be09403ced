//! graphql-transport-ws client connections, opened from a chosen source
//! address so that one client can hold more sockets than one address has
//! ephemeral ports.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs},
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use anyhow::{Context as _, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::{net::TcpSocket, task::JoinHandle, time::Instant};
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{
        Message, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig,
    },
};

pub type Ws = WebSocketStream<tokio::net::TcpStream>;

/// Opens websockets to one server, round-robin over the source addresses.
pub struct Connector {
    server: SocketAddr,
    url: String,
    sources: Vec<IpAddr>,
    next_source: AtomicUsize,
}

/// Read buffer of each client socket: deliveries are small, and the
/// default (128 KiB) times thousands of sockets is wasted memory.
const CLIENT_READ_BUFFER: usize = 8 * 1024;

impl Connector {
    /// `base_url` is the server's HTTP base URL; `source_addrs` how many
    /// addresses from 127.0.0.2 up to bind client sockets to (0 lets the
    /// kernel choose).
    pub fn new(base_url: &str, source_addrs: u8) -> anyhow::Result<Self> {
        let url = reqwest::Url::parse(base_url).context("parsing --url")?;
        let host = url.host_str().ok_or_else(|| anyhow!("--url has no host"))?;
        let port = url.port_or_known_default().unwrap_or(80);
        let server = (host, port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| anyhow!("cannot resolve {host}"))?;
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        let ws_url = format!("{scheme}://{host}:{port}/graphql");
        // Source addresses other than the default only exist on loopback.
        let sources = if server.ip().is_loopback() && server.is_ipv4() {
            (0..source_addrs)
                .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i)))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Connector {
            server,
            url: ws_url,
            sources,
            next_source: AtomicUsize::new(0),
        })
    }

    /// A connection initialised with `token` and acknowledged.
    pub async fn open(&self, token: &str) -> anyhow::Result<Ws> {
        let socket = match self.server {
            SocketAddr::V4(_) => TcpSocket::new_v4()?,
            SocketAddr::V6(_) => TcpSocket::new_v6()?,
        };
        if !self.sources.is_empty() {
            let i = self.next_source.fetch_add(1, Ordering::Relaxed) % self.sources.len();
            socket
                .bind(SocketAddr::new(self.sources[i], 0))
                .with_context(|| format!("binding to {}", self.sources[i]))?;
        }
        let stream = socket
            .connect(self.server)
            .await
            .with_context(|| format!("connecting to {}", self.server))?;
        stream.set_nodelay(true)?;
        let mut request = self.url.as_str().into_client_request()?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let config = WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER);
        let (mut ws, _response) =
            tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
        send(
            &mut ws,
            json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}),
        )
        .await?;
        let ack = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .context("no connection_ack within 30 s")?;
        match ack {
            Some(Ok(Message::Text(text))) if text.contains("connection_ack") => Ok(ws),
            other => bail!("expected connection_ack, got {other:?}"),
        }
    }
}

pub async fn send(ws: &mut Ws, message: Value) -> anyhow::Result<()> {
    ws.send(Message::Text(message.to_string().into())).await?;
    Ok(())
}

/// Starts subscription `id` on `ws` (no answer comes until an event).
pub async fn subscribe(ws: &mut Ws, id: &str, query: &str, variables: Value) -> anyhow::Result<()> {
    send(
        ws,
        json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}),
    )
    .await
}

/// Starts `count` subscriptions to `user`'s notifications on `ws`, with ids
/// `s0`, `s1`, …, which the readers use to tell them apart.
pub async fn subscribe_notifications(
    ws: &mut Ws,
    query: &str,
    user: &str,
    count: usize,
) -> anyhow::Result<()> {
    for k in 0..count {
        subscribe(ws, &format!("s{k}"), query, json!({"u": user})).await?;
    }
    Ok(())
}

/// Reads `ws` until it closes, answering protocol pings, and hands every
/// other text frame with the instant it was read to `on_frame`. The
/// instant is taken before any parsing, so the client's own work does not
/// inflate the measured latency of this frame.
pub fn spawn_reader<F>(mut ws: Ws, mut on_frame: F) -> JoinHandle<()>
where
    F: FnMut(&str, Instant) + Send + 'static,
{
    tokio::spawn(async move {
        while let Some(message) = ws.next().await {
            let at = Instant::now();
            match message {
                Ok(Message::Text(text)) => {
                    if text.starts_with(r#"{"type":"ping""#) {
                        let _ = send(&mut ws, json!({"type": "pong"})).await;
                    } else {
                        on_frame(&text, at);
                    }
                }
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
}

/// The value of the marker `#L<n>#` that the scenarios put in titles and
/// captions, found in a delivery's message without parsing the JSON.
pub fn marker(frame: &str) -> Option<u64> {
    let start = frame.find("#L")? + 2;
    let digits: &str = &frame[start..];
    let end = digits.find('#')?;
    digits[..end].parse().ok()
}

/// The number after `key` in a frame, e.g. `"id":"s` → the subscription
/// index, `"card":{"id":"` → the card id.
pub fn number_after(frame: &str, key: &str) -> Option<u64> {
    let start = frame.find(key)? + key.len();
    let rest = &frame[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// What kind of frame a subscription frame is, by its `type`.
pub fn is_next(frame: &str) -> bool {
    frame.contains(r#""type":"next""#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_ids_are_found_in_frames() {
        let frame = r#"{"id":"s3","type":"next","payload":{"data":{"notifications":{"id":"77","message":"Load 0 updated the card “#L12345#”","card":{"id":"42","title":"x"}}}}}"#;
        assert!(is_next(frame));
        assert_eq!(marker(frame), Some(12345));
        assert_eq!(number_after(frame, r#""id":"s"#), Some(3));
        assert_eq!(number_after(frame, r#""card":{"id":""#), Some(42));
        assert_eq!(marker("no marker"), None);
        assert!(!is_next(r#"{"id":"s0","type":"error","payload":[]}"#));
    }
}
