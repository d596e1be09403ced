//! The one error type of the API and its GraphQL `extensions.code`.
//!
//! Every variant but `Internal` is an outcome the client caused and can act
//! on; `Internal` is logged with its cause and shown to the client only as
//! `INTERNAL_SERVER_ERROR`. `AppError` deliberately does not implement
//! `Display`: async-graphql converts anything displayable into an error
//! with no extensions, and this way the compiler routes every `?` through
//! the conversion below, which attaches the code.

use std::sync::Arc;

use async_graphql::ErrorExtensions;

use crate::store::StoreError;

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
    /// Anything else: a bug or an unavailable dependency.
    Internal(Arc<anyhow::Error>),
}

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

    /// The value of `extensions.code` for this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadUserInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The human-readable message shown to the client.
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m) => m.clone(),
            AppError::BadUserInput { field, reason } => format!("{field}: {reason}"),
            AppError::Internal(_) => "internal server error".to_owned(),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(cause) = &err {
            tracing::error!(error = ?cause, "request failed");
        }
        let code = err.code();
        let mut out =
            async_graphql::Error::new(err.message()).extend_with(|_, e| e.set("code", code));
        if let AppError::BadUserInput { field, .. } = &err {
            out = out.extend_with(|_, e| e.set("field", *field));
        }
        out
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        AppError::Internal(Arc::new(err.into()))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        AppError::Internal(Arc::new(err))
    }
}

impl AppError {
    /// An internal error with this description.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        AppError::Internal(Arc::new(anyhow::anyhow!("{message}")))
    }
}

impl From<std::io::Error> for AppError {
    fn from(err: std::io::Error) -> Self {
        AppError::Internal(Arc::new(err.into()))
    }
}

/// Shorthand for resolver results.
pub type AppResult<T> = Result<T, AppError>;
