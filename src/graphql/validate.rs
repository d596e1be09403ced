//! Input validation shared by the resolvers. Each function returns the
//! cleaned value (trimmed, normalised) or BAD_USER_INPUT naming the field.

use crate::error::{AppError, AppResult};

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Long enough for any passphrase, short enough that hashing it is cheap.
pub const MAX_PASSWORD_CHARS: usize = 1024;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 10_000;
pub const MAX_CAPTION_CHARS: usize = 2_000;
/// A published notification's sentence.
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// An app's notification type, e.g. `invoice.paid`.
pub const MAX_TYPE_CHARS: usize = 64;
/// An app's id for a user, a topic's name, an idempotency key, a subject.
pub const MAX_KEY_CHARS: usize = 255;
pub const MAX_LINK_CHARS: usize = 2_048;

/// A required single-line text: trimmed, non-empty, at most `max` chars,
/// no control characters.
pub fn line(field: &'static str, value: &str, max: usize) -> AppResult<String> {
    let value = text(field, value, max)?;
    if value.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// A required multi-line text: trimmed, non-empty, at most `max` chars.
pub fn text(field: &'static str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// An optional multi-line text: empty after trimming means none.
pub fn optional_text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v, max).map(Some),
    }
}

/// An email address, lower-cased. Deliberately permissive: one `@`, a
/// non-empty local part, a dotted domain, no spaces.
pub fn email(value: &str) -> AppResult<String> {
    let value = value.trim().to_lowercase();
    let bad = || AppError::bad_input("email", "is not a valid email address");
    if value.chars().count() > MAX_EMAIL_CHARS
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    let (local, domain) = value.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(bad());
    }
    Ok(value)
}

pub fn password(value: &str) -> AppResult<()> {
    let n = value.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::bad_input(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AppError::bad_input(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// An app's notification type: letters, digits and `.`, `_`, `-`, `:`,
/// e.g. `invoice.paid`; not the name of a built-in kind (preferences keep
/// both by name).
pub fn notification_type(field: &'static str, value: &str) -> AppResult<String> {
    let value = line(field, value, MAX_TYPE_CHARS)?;
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'))
    {
        return Err(AppError::bad_input(
            field,
            "may hold only letters, digits and . _ - :",
        ));
    }
    if crate::model::NotificationKind::parse(&value).is_some() {
        return Err(AppError::bad_input(
            field,
            format!("“{value}” is a built-in kind: name your own type, e.g. invoice.paid"),
        ));
    }
    Ok(value)
}

/// A name an app chose (a user's external id, a topic, an idempotency
/// key, a subject): one line of at most `MAX_KEY_CHARS`, kept as sent
/// apart from surrounding spaces.
pub fn key(field: &'static str, value: &str) -> AppResult<String> {
    line(field, value, MAX_KEY_CHARS)
}

/// Where a click on a notification goes: an `https://` or `http://` URL,
/// or a path on the app's own origin (`/invoices/42`). Anything else
/// (`javascript:`, `data:`, `//host`) is refused, so that a client that
/// renders it as a link runs nothing.
pub fn link(value: &str) -> AppResult<String> {
    let value = line("link", value, MAX_LINK_CHARS)?;
    let path = value.starts_with('/') && !value.starts_with("//") && !value.starts_with("/\\");
    let web = url::Url::parse(&value)
        .is_ok_and(|url| matches!(url.scheme(), "https" | "http") && url.has_host());
    if !(path || web) {
        return Err(AppError::bad_input(
            "link",
            "must be an http(s) URL or a path starting with /",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("  Alice@Example.COM ").unwrap(), "alice@example.com");
        for bad in [
            "",
            "alice",
            "@example.com",
            "a@b",
            "a@@b.c",
            "a b@c.d",
            "a@.c",
            "a@c.",
            "a@b..c",
        ] {
            assert!(email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn lines_and_texts() {
        assert_eq!(line("title", "  Ship v1 ", 200).unwrap(), "Ship v1");
        assert!(line("title", "   ", 200).is_err());
        assert!(line("title", &"x".repeat(201), 200).is_err());
        assert!(line("title", &"é".repeat(200), 200).is_ok());
        assert!(line("title", "a\nb", 200).is_err());
        assert_eq!(text("body", " a\nb ", 10).unwrap(), "a\nb");
        assert_eq!(optional_text("caption", Some("  "), 10).unwrap(), None);
        assert!(optional_text("caption", Some("x".repeat(11).as_str()), 10).is_err());
    }

    #[test]
    fn passwords() {
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
        assert!(password(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }

    #[test]
    fn errors_name_their_field() {
        let err = line("title", "", 10).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(err.message().starts_with("title:"));
    }
}
