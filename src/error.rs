//! The one error type of the API, from a store failure to what the client
//! reads: a GraphQL error with `extensions.code`, or, for a request
//! refused before it runs, an HTTP response with a status and the same
//! JSON shape.
//!
//! Every variant but `Internal` is an outcome the client caused, or can
//! act on; `Internal` is shown to the client only as
//! `INTERNAL_SERVER_ERROR`, and its cause (with its chain) travels with
//! the GraphQL error (as its `source`) to the executor, which logs it once
//! per request (`log_internal`), within a budget of lines per minute.
//! `AppError` deliberately does not implement `Display`: async-graphql
//! converts anything displayable into an error with no extensions, and
//! this way the compiler routes every `?` through the conversion below,
//! which attaches the code.

use std::{
    sync::{Arc, Mutex, OnceLock},
    time::{Duration, Instant},
};

use async_graphql::ErrorExtensions;

use crate::{store::StoreError, telemetry::metrics};

/// A failed request, as the client will see it.
#[derive(Clone, Debug)]
pub enum AppError {
    /// No valid token came with the request.
    Unauthenticated(String),
    /// The caller is known but may not do this.
    Forbidden(String),
    /// The named thing does not exist (or the caller may not know it does).
    NotFound(String),
    /// An argument failed validation; `field` names the argument.
    BadUserInput { field: &'static str, reason: String },
    /// The request contradicts what is stored, e.g. an email already taken.
    Conflict(String),
    /// A resume or page cursor reaches back into rows the retention
    /// policy deleted: replaying from it would leave a hole, so the client
    /// must reload instead.
    CursorExpired,
    /// The caller did this too often; they may try again after
    /// `retry_after_secs`.
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// A dependency (the database) cannot be reached right now; trying
    /// again later may work.
    Unavailable(String),
    /// The request is over one of the limits on what a client may make
    /// Herald spend; `limit` names the flag that sets it.
    Limit {
        code: &'static str,
        limit: &'static str,
        message: String,
    },
    /// The request is not one Herald takes, before any operation runs: a
    /// body that is no GraphQL request, a media type other than JSON or
    /// multipart, a mutation over GET, too many open connections.
    Refused {
        status: u16,
        code: &'static str,
        message: String,
    },
    /// Anything else: a bug or an unexpected failure of a dependency.
    Internal(Arc<anyhow::Error>),
}

/// The cause of an internal error, carried as the GraphQL error's
/// `source` so that the executor can log it once per request.
#[derive(Debug)]
pub struct InternalCause(pub Arc<anyhow::Error>);

impl AppError {
    pub fn bad_input(field: &'static str, reason: impl Into<String>) -> Self {
        AppError::BadUserInput {
            field,
            reason: reason.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }

    pub fn forbidden(reason: impl Into<String>) -> Self {
        AppError::Forbidden(reason.into())
    }

    /// A request over the limit `limit` (a flag's name).
    pub fn limit(code: &'static str, limit: &'static str, message: impl Into<String>) -> Self {
        AppError::Limit {
            code,
            limit,
            message: message.into(),
        }
    }

    /// A request refused as a whole with `status`.
    pub fn refused(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        AppError::Refused {
            status,
            code,
            message: message.into(),
        }
    }

    /// A request that is not a GraphQL request Herald takes.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::refused(400, "BAD_REQUEST", message)
    }

    /// An internal error with this description.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        AppError::Internal(Arc::new(anyhow::anyhow!("{message}")))
    }

    /// The value of `extensions.code` for this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadUserInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::CursorExpired => "CURSOR_EXPIRED",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::Unavailable(_) => "SERVICE_UNAVAILABLE",
            AppError::Limit { code, .. } | AppError::Refused { code, .. } => code,
            AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status of a request refused as a whole with this error
    /// (an error inside a GraphQL response leaves the status at 200).
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Refused { status, .. } => *status,
            other => status_of_code(other.code()),
        }
    }

    /// Seconds after which trying again may work, when that is known.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            AppError::Refused { status: 503, .. } | AppError::Unavailable(_) => Some(1),
            _ => None,
        }
    }

    /// True for a request refused for going over a limit or a rate, or for
    /// not being a request Herald takes: what the refusal counter counts.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            AppError::RateLimited { .. } | AppError::Limit { .. } | AppError::Refused { .. }
        )
    }

    /// The human-readable message shown to the client.
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::Unavailable(m)
            | AppError::RateLimited { message: m, .. }
            | AppError::Limit { message: m, .. }
            | AppError::Refused { message: m, .. } => m.clone(),
            AppError::BadUserInput { field, reason } => format!("{field}: {reason}"),
            AppError::CursorExpired => "this cursor is older than what Herald keeps: items \
                after it were deleted by the retention policy; reload the inbox (or the \
                room's history) and subscribe again without a cursor"
                .to_owned(),
            AppError::Internal(_) => "internal server error".to_owned(),
        }
    }
}

/// The HTTP status that stands for `extensions.code`: a request refused
/// as a whole answers with it, and so does the REST API (`http/rest.rs`)
/// for the error of its one operation. Limit codes not named here are a
/// bad request.
pub fn status_of_code(code: &str) -> u16 {
    match code {
        "UNAUTHENTICATED" => 401,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "CONFLICT" => 409,
        "CURSOR_EXPIRED" => 410,
        "BODY_TOO_LARGE" => 413,
        "RATE_LIMITED" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "SERVICE_UNAVAILABLE" | "OVERLOADED" | "TOO_MANY_CONNECTIONS" => 503,
        "TIMEOUT" => 504,
        _ => 400,
    }
}

/// The one place an `AppError` becomes what the client reads (a GraphQL
/// error, or through it a refused HTTP response), and so where refusals
/// are counted.
impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        let code = err.code();
        if err.is_refusal() {
            metrics::refusal(code);
        }
        let mut out =
            async_graphql::Error::new(err.message()).extend_with(|_, e| e.set("code", code));
        match &err {
            AppError::BadUserInput { field, .. } => {
                out = out.extend_with(|_, e| e.set("field", *field));
            }
            AppError::RateLimited {
                retry_after_secs, ..
            } => {
                let secs = *retry_after_secs;
                out = out.extend_with(|_, e| e.set("retryAfter", secs));
            }
            AppError::Limit { limit, .. } => {
                let limit = *limit;
                out = out.extend_with(|_, e| e.set("limit", limit));
            }
            AppError::Internal(cause) => {
                out.source = Some(Arc::new(InternalCause(cause.clone())));
            }
            _ => {}
        }
        out
    }
}

impl AppError {
    /// This error as it appears in a GraphQL response's `errors`.
    pub fn into_server_error(self) -> async_graphql::ServerError {
        async_graphql::Error::from(self).into_server_error(async_graphql::Pos::default())
    }
}

/// A request refused as a whole: the status, `Retry-After` when known,
/// and `{"errors": [{"message", "extensions": {"code", …}}]}`.
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.http_status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after();
        // A request error has no `data` entry at all (GraphQL over HTTP).
        let body = serde_json::json!({ "errors": [self.into_server_error()] });
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        if err.is_unavailable() {
            AppError::Unavailable("the database cannot be reached; try again shortly".into())
        } else {
            AppError::Internal(Arc::new(err.into()))
        }
    }
}

/// A store failure shared by every waiter of a DataLoader batch; its
/// cause chain is kept for the log.
impl From<Arc<StoreError>> for AppError {
    fn from(err: Arc<StoreError>) -> Self {
        if err.is_unavailable() {
            AppError::Unavailable("the database cannot be reached; try again shortly".into())
        } else {
            AppError::Internal(Arc::new(anyhow::Error::new(err)))
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        AppError::Internal(Arc::new(err))
    }
}

impl From<std::io::Error> for AppError {
    fn from(err: std::io::Error) -> Self {
        AppError::Internal(Arc::new(err.into()))
    }
}

/// The result to send when a result could not be serialised (which only a
/// bug can cause): an internal error, written out by hand.
pub const UNSERIALISABLE_RESULT: &str = r#"{"errors":[{"message":"internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#;

/// Shorthand for resolver results.
pub type AppResult<T> = Result<T, AppError>;

/// How many error lines may be written per window, and how many were held
/// back. An attack that makes every request fail must not fill the disk.
struct LogBudget {
    per_window: u32,
    state: Mutex<BudgetState>,
}

struct BudgetState {
    window_start: Instant,
    used: u32,
    suppressed: u64,
}

const LOG_WINDOW: Duration = Duration::from_secs(60);

static ERROR_LOG: OnceLock<LogBudget> = OnceLock::new();

/// Sets how many error lines `log_internal` writes per minute. Called once
/// at start-up; later calls keep the first value.
pub fn set_error_log_budget(per_minute: u32) {
    let _ = ERROR_LOG.set(LogBudget {
        per_window: per_minute.max(1),
        state: Mutex::new(BudgetState {
            window_start: Instant::now(),
            used: 0,
            suppressed: 0,
        }),
    });
}

/// Logs the cause of a failed request, once per request (`others` is how
/// many more internal errors the same request had), with its cause chain
/// and without a backtrace, unless this minute's budget is spent.
pub fn log_internal(cause: &anyhow::Error, others: usize) {
    let budget = ERROR_LOG.get_or_init(|| LogBudget {
        per_window: 120,
        state: Mutex::new(BudgetState {
            window_start: Instant::now(),
            used: 0,
            suppressed: 0,
        }),
    });
    let suppressed = {
        let mut state = budget
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.window_start.elapsed() >= LOG_WINDOW {
            state.window_start = Instant::now();
            state.used = 0;
        }
        if state.used >= budget.per_window {
            state.suppressed += 1;
            return;
        }
        state.used += 1;
        std::mem::take(&mut state.suppressed)
    };
    tracing::error!(
        error = format!("{cause:#}"),
        more_errors_in_request = others,
        suppressed_since_last = suppressed,
        "request failed"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_carry_retry_after() {
        let err: async_graphql::Error = AppError::RateLimited {
            message: "slow down".into(),
            retry_after_secs: 7,
        }
        .into();
        let extensions = err.extensions.unwrap();
        assert_eq!(
            extensions.get("code"),
            Some(&async_graphql::Value::from("RATE_LIMITED"))
        );
        assert_eq!(
            extensions.get("retryAfter"),
            Some(&async_graphql::Value::from(7u64))
        );
    }

    #[test]
    fn internal_errors_keep_their_cause_for_the_log_only() {
        let err: async_graphql::Error = AppError::internal("disk on fire").into();
        assert_eq!(err.message, "internal server error");
        let server = err.into_server_error(async_graphql::Pos::default());
        let cause = server.source::<InternalCause>().unwrap();
        assert_eq!(cause.0.to_string(), "disk on fire");
    }
}
