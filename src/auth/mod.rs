//! Authentication: password hashes, signed tokens, and who is calling.
//!
//! A request carries a token in `Authorization: Bearer …` (HTTP), in the
//! websocket `connection_init` payload, or (for `EventSource`, which cannot
//! set headers) in an `access_token` query parameter. Whatever the
//! transport, the result is an `Auth` value in the GraphQL context, and
//! resolvers ask it for the caller with `Auth::require`.

mod password;
mod throttle;
mod token;

pub use password::{HashStats, Passwords};
pub use throttle::AuthThrottle;
pub use token::{Claims, TokenKeys};

use std::net::IpAddr;

use crate::{error::AppError, store::Id};

/// The address a request came from, in the GraphQL context of every
/// operation, for the limits that count per client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Who is calling, as established by the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// No token was presented.
    Anonymous,
    /// A valid token for this user.
    User(Id),
    /// A token was presented but is malformed, badly signed or expired.
    Invalid(&'static str),
}

impl Auth {
    /// Checks an `Authorization` value (`Bearer <token>`; the scheme is
    /// case-insensitive and may be omitted).
    pub fn from_authorization(keys: &TokenKeys, value: Option<&str>) -> Auth {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Auth::Anonymous;
        };
        let token = match value.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            Some(_) => return Auth::Invalid("unsupported authorization scheme"),
            None => value,
        };
        match keys.verify(token) {
            Ok(user) => Auth::User(user),
            Err(reason) => Auth::Invalid(reason),
        }
    }

    /// The caller's id, or UNAUTHENTICATED.
    pub fn require(&self) -> Result<Id, AppError> {
        match self {
            Auth::User(id) => Ok(*id),
            Auth::Anonymous => Err(AppError::Unauthenticated(
                "sign in first: send Authorization: Bearer <token>".into(),
            )),
            Auth::Invalid(reason) => Err(AppError::Unauthenticated(format!(
                "invalid token: {reason}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_checked() {
        let keys = TokenKeys::new(b"test-secret-test-secret-test-secret", 3600);
        let token = keys.issue(42).unwrap();
        assert_eq!(
            Auth::from_authorization(&keys, Some(&format!("Bearer {token}"))),
            Auth::User(42)
        );
        assert_eq!(
            Auth::from_authorization(&keys, Some(&format!("bearer {token}"))),
            Auth::User(42)
        );
        assert_eq!(
            Auth::from_authorization(&keys, Some(&token)),
            Auth::User(42)
        );
        assert_eq!(Auth::from_authorization(&keys, None), Auth::Anonymous);
        assert!(matches!(
            Auth::from_authorization(&keys, Some("Bearer nope")),
            Auth::Invalid(_)
        ));
        assert!(matches!(
            Auth::from_authorization(&keys, Some(&format!("Basic {token}"))),
            Auth::Invalid(_)
        ));
        let other = TokenKeys::new(b"another-secret-another-secret-xx", 3600);
        assert!(matches!(
            Auth::from_authorization(&other, Some(&token)),
            Auth::Invalid(_)
        ));
    }
}
