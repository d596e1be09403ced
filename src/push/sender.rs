//! Posting a message to a push service and reading its answer as what
//! the delivery worker must do next (RFC 8030 §5, RFC 8292 §4):
//!
//! - 2xx: delivered (or queued for an offline browser);
//! - 404 / 410: the subscription is gone (unsubscribed, expired): forget it;
//! - 408, 429, 5xx, a timeout or a broken connection: try again later,
//!   after `Retry-After` when the push service gave one;
//! - any other answer (400 bad request, 401/403 VAPID refused, 413 too
//!   large, a redirect): refused; the same message would be refused again.

use std::time::{Duration, SystemTime};

use reqwest::{StatusCode, header::RETRY_AFTER, redirect};

use super::message::PushRequest;

/// How long one post may take, connection included, before it counts as
/// a failure to retry. Push services answer in well under a second; ten
/// seconds allows for a slow one without letting a hung connection hold
/// a worker for long.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest `Retry-After` honoured: a day, the default TTL of a
/// message; a longer (or absurd) value would park a message past the
/// point where it is worth sending.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// How much of a refusal's body is kept as its reason. Push services
/// explain a refusal in a line or two of text or JSON.
const REASON_BYTES: usize = 512;

/// What the delivery worker does after one post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// The push service took the message.
    Delivered,
    /// The subscription no longer exists (404 or 410): remove it.
    Gone,
    /// Try again later: after `after` when the push service said when,
    /// otherwise on the worker's backoff schedule.
    Retry { after: Option<Duration> },
    /// The push service refused this message for good; `status` is `None`
    /// when no request could even be built.
    Rejected { status: Option<u16>, reason: String },
}

/// Posts messages to push services.
#[derive(Clone, Debug)]
pub struct PushSender {
    client: reqwest::Client,
}

impl PushSender {
    /// A sender whose posts give up after `timeout`.
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A push service answers, it does not redirect; following one
            // would hand the message and its token to another host.
            .redirect(redirect::Policy::none())
            .build()?;
        Ok(PushSender { client })
    }

    /// Posts `request` and sorts the answer.
    pub async fn send(&self, request: &PushRequest) -> PushOutcome {
        let mut post = self
            .client
            .post(request.endpoint.clone())
            .body(request.body.clone());
        for (name, value) in request.headers() {
            post = post.header(name, value);
        }
        let response = match post.send().await {
            Ok(response) => response,
            Err(err) if err.is_builder() => {
                return PushOutcome::Rejected {
                    status: None,
                    reason: err.to_string(),
                };
            }
            Err(err) => {
                // The origin only: an endpoint's path identifies a browser.
                tracing::debug!(
                    origin = %request.origin,
                    timeout = err.is_timeout(),
                    error = %err,
                    "push service unreachable"
                );
                return PushOutcome::Retry { after: None };
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let body = if status.is_success() {
            String::new()
        } else {
            reason_of(response).await
        };
        classify(status.as_u16(), retry_after, &body)
    }
}

/// What an answer with `status` means for the message; `retry_after` is
/// the parsed `Retry-After`, `body` the start of the answer's body.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &str) -> PushOutcome {
    match status {
        200..=299 => PushOutcome::Delivered,
        404 | 410 => PushOutcome::Gone,
        408 | 429 | 500..=599 => PushOutcome::Retry { after: retry_after },
        _ => {
            let name = StatusCode::from_u16(status)
                .ok()
                .and_then(|code| code.canonical_reason())
                .unwrap_or("unexpected status");
            let body = body.trim();
            let reason = if body.is_empty() {
                format!("{status} {name}")
            } else {
                format!("{status} {name}: {body}")
            };
            PushOutcome::Rejected {
                status: Some(status),
                reason,
            }
        }
    }
}

/// A `Retry-After` value (seconds, or an HTTP date) as a wait from `now`,
/// at most `MAX_RETRY_AFTER`; `None` when it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(now)
            .unwrap_or(Duration::ZERO),
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// The first `REASON_BYTES` of a refusal's body, as text.
async fn reason_of(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < REASON_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    bytes.truncate(REASON_BYTES);
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_sort_into_what_to_do_next() {
        assert_eq!(classify(201, None, ""), PushOutcome::Delivered);
        assert_eq!(classify(202, None, ""), PushOutcome::Delivered);
        assert_eq!(classify(404, None, ""), PushOutcome::Gone);
        assert_eq!(classify(410, None, "expired"), PushOutcome::Gone);
        let later = Some(Duration::from_secs(30));
        assert_eq!(
            classify(429, later, ""),
            PushOutcome::Retry { after: later }
        );
        assert_eq!(classify(503, None, ""), PushOutcome::Retry { after: None });
        assert_eq!(classify(408, None, ""), PushOutcome::Retry { after: None });
        assert_eq!(
            classify(413, None, ""),
            PushOutcome::Rejected {
                status: Some(413),
                reason: "413 Payload Too Large".to_owned()
            }
        );
        assert_eq!(
            classify(400, None, " bad TTL\n"),
            PushOutcome::Rejected {
                status: Some(400),
                reason: "400 Bad Request: bad TTL".to_owned()
            }
        );
        assert!(matches!(
            classify(301, None, ""),
            PushOutcome::Rejected {
                status: Some(301),
                ..
            }
        ));
    }

    #[test]
    fn retry_after_is_seconds_or_a_date_and_capped() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
            Some(Duration::from_secs(60))
        );
        // A date in the past means now.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("99999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
