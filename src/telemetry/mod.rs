//! What Herald tells the people who run it: logs (`logs`), Prometheus
//! metrics (`metrics`), and what ties a log line to where it came from —
//! the request id of every HTTP request and one span per websocket or SSE
//! connection.
//!
//! Request ids: a client (or a proxy in front) may send `x-request-id`;
//! it is kept when it is short printable ASCII, and replaced by a fresh
//! UUID otherwise (or when there is none), so that nothing a client sends
//! can forge or flood a log line. The id is echoed in the response and
//! recorded in the request's span.

pub mod logs;
pub mod metrics;

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use axum::http::{HeaderMap, HeaderName};
use futures_util::Stream;

pub use self::metrics::Held;

/// The header that carries a request's id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest client-supplied request id kept.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// True when `id` may be kept as a request id: 1 to `MAX_REQUEST_ID_LEN`
/// printable ASCII characters.
pub fn is_usable_request_id(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN && id.iter().all(|b| (0x20..0x7f).contains(b))
}

/// Removes the client's `x-request-id` unless it is one usable value, so
/// that a fresh one is made for the request instead.
pub fn drop_unusable_request_id(headers: &mut HeaderMap) {
    let mut values = headers.get_all(&REQUEST_ID).iter();
    let keep = match (values.next(), values.next()) {
        (Some(only), None) => is_usable_request_id(only.as_bytes()),
        _ => false,
    };
    if !keep {
        headers.remove(&REQUEST_ID);
    }
}

/// A stream polled inside `span`: every line logged while it produces an
/// item carries the span's fields, as `Instrument` does for a future.
/// Dropping it drops the stream inside the span too, so that what the
/// stream logs as it ends is in the span as well.
pub struct InSpan<S> {
    /// `None` only while being dropped.
    stream: Option<Pin<Box<S>>>,
    span: tracing::Span,
}

impl<S: Stream> InSpan<S> {
    pub fn new(stream: S, span: tracing::Span) -> Self {
        InSpan {
            stream: Some(Box::pin(stream)),
            span,
        }
    }
}

impl<S: Stream> Stream for InSpan<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = &mut *self;
        let _entered = this.span.enter();
        match &mut this.stream {
            Some(stream) => stream.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

impl<S> Drop for InSpan<S> {
    fn drop(&mut self) {
        let _entered = self.span.enter();
        self.stream.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_kept_only_when_short_and_printable() {
        assert!(is_usable_request_id(b"req-42"));
        assert!(is_usable_request_id("a".repeat(64).as_bytes()));
        assert!(!is_usable_request_id("a".repeat(65).as_bytes()));
        assert!(!is_usable_request_id(b""));
        assert!(!is_usable_request_id(b"line\nbreak"));
        assert!(!is_usable_request_id("caf\u{e9}".as_bytes()));
    }

    #[test]
    fn a_repeated_request_id_is_dropped() {
        let mut headers = HeaderMap::new();
        headers.append(REQUEST_ID, "a".parse().unwrap());
        headers.append(REQUEST_ID, "b".parse().unwrap());
        drop_unusable_request_id(&mut headers);
        assert!(headers.get(REQUEST_ID).is_none());
        headers.insert(REQUEST_ID, "ok".parse().unwrap());
        drop_unusable_request_id(&mut headers);
        assert_eq!(headers.get(REQUEST_ID).unwrap(), "ok");
    }
}
