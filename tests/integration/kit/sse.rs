//! A streaming client for GraphQL over SSE, reading the event stream
//! frame by frame as a browser's `EventSource` would.

use std::{pin::Pin, time::Duration};

use futures_util::{Stream, StreamExt};
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::Value;

use super::{QUIET, WAIT};

/// One frame of an event stream, as the HTML living standard's
/// event-stream interpretation reads it.
#[derive(Debug, Default, Clone)]
pub struct Frame {
    pub event: Option<String>,
    pub data: Option<String>,
    pub id: Option<String>,
    pub retry: Option<u64>,
    pub comments: Vec<String>,
}

impl Frame {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.data.as_deref().expect("a data field")).expect("JSON data")
    }
}

/// What reading the stream gave.
#[derive(Debug)]
pub enum Read {
    Frame(Frame),
    /// The server ended the response.
    Ended,
    /// Nothing arrived in time.
    Silent,
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>>;

/// A streaming response being read frame by frame.
pub struct SseClient {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: ByteStream,
    buffer: String,
}

impl SseClient {
    pub async fn open(request: reqwest::RequestBuilder) -> SseClient {
        let response = request
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        SseClient {
            status: response.status(),
            headers: response.headers().clone(),
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        }
    }

    pub async fn read(&mut self, wait: Duration) -> Read {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return Read::Frame(parse_frame(&block));
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Err(_) => return Read::Silent,
                Ok(None) => return Read::Ended,
                Ok(Some(Err(err))) => panic!("reading the stream failed: {err}"),
                Ok(Some(Ok(bytes))) => {
                    // Normalise line endings as the standard allows any.
                    let text = std::str::from_utf8(&bytes).expect("UTF-8 stream");
                    self.buffer.push_str(&text.replace("\r\n", "\n"));
                }
            }
        }
    }

    /// The next frame that is an event (skipping comment-only frames such
    /// as keep-alives and the opening `retry:` hint).
    pub async fn next_event(&mut self) -> Frame {
        loop {
            match self.read(WAIT).await {
                Read::Frame(frame) if frame.event.is_some() || frame.data.is_some() => {
                    return frame;
                }
                Read::Frame(_) => continue,
                other => panic!("expected an event, got {other:?}"),
            }
        }
    }

    /// The data of the next `next` event, with its id.
    pub async fn next_result(&mut self) -> (Value, Option<String>) {
        let frame = self.next_event().await;
        assert_eq!(frame.event.as_deref(), Some("next"), "{frame:?}");
        (frame.json(), frame.id)
    }

    /// The next notification and its event id.
    pub async fn next_notification(&mut self) -> (Value, String) {
        self.next_item("notifications").await
    }

    /// The next chat message and its event id.
    pub async fn next_message(&mut self) -> (Value, String) {
        self.next_item("chatMessages").await
    }

    /// The `field` of the next result, which must have no errors, and the
    /// event id it must carry.
    async fn next_item(&mut self, field: &str) -> (Value, String) {
        let (result, id) = self.next_result().await;
        assert!(result.get("errors").is_none(), "{result}");
        let id = id.unwrap_or_else(|| panic!("a {field} event carries an id"));
        (result["data"][field].clone(), id)
    }

    pub async fn expect_complete_then_end(&mut self) {
        let frame = self.next_event().await;
        assert_eq!(frame.event.as_deref(), Some("complete"), "{frame:?}");
        // A browser dispatches only events with data.
        assert!(frame.data.is_some(), "{frame:?}");
        loop {
            match self.read(WAIT).await {
                Read::Ended => return,
                Read::Frame(frame) if frame.event.is_none() && frame.data.is_none() => continue,
                other => panic!("expected the stream to end, got {other:?}"),
            }
        }
    }

    /// Asserts that no event arrives for a short while (comments may).
    pub async fn assert_no_event(&mut self) {
        let deadline = tokio::time::Instant::now() + QUIET;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.read(left).await {
                Read::Silent => return,
                Read::Frame(frame) if frame.event.is_none() && frame.data.is_none() => continue,
                other => panic!("expected nothing, got {other:?}"),
            }
        }
    }
}

fn parse_frame(block: &str) -> Frame {
    let mut frame = Frame::default();
    for line in block.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix(':') {
            frame.comments.push(comment.trim_start().to_owned());
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => frame.event = Some(value.to_owned()),
            "data" => {
                frame.data = Some(match frame.data.take() {
                    Some(before) => format!("{before}\n{value}"),
                    None => value.to_owned(),
                })
            }
            "id" => frame.id = Some(value.to_owned()),
            "retry" => frame.retry = value.parse().ok(),
            _ => {}
        }
    }
    frame
}
