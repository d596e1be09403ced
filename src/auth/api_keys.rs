//! API keys: the credentials of an app's backend. A key publishes
//! notifications and manages topics (`publishNotification`,
//! `POST /v1/notifications`); it never acts as a user.
//!
//! A key is `hk_` and 32 random bytes in base64url. It is shown once,
//! when `herald api-key create` makes it; the store keeps its SHA-256
//! only (the secret is random, so a slow password hash would add
//! nothing) and its first characters, to recognise it in a list.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::model::Id;

/// What every API key starts with; tokens never do (a JWT starts `ey`).
pub const API_KEY_PREFIX: &str = "hk_";

/// Characters of a key kept to recognise it: the prefix and six more.
const SHOWN_CHARS: usize = API_KEY_PREFIX.len() + 6;

/// The app behind a request signed with an API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppKey {
    pub id: Id,
    pub name: String,
}

/// A key just made: the secret (shown once), what the store keeps.
pub struct NewApiKey {
    pub secret: String,
    pub secret_hash: String,
    pub prefix: String,
}

impl NewApiKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let secret = format!("{API_KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        NewApiKey {
            secret_hash: hash_of(&secret),
            prefix: secret[..SHOWN_CHARS].to_owned(),
            secret,
        }
    }
}

/// True when `token` is shaped like an API key rather than a JWT.
pub fn looks_like_api_key(token: &str) -> bool {
    token.starts_with(API_KEY_PREFIX)
}

/// What the store keeps of a key: its SHA-256, in base64url.
pub fn hash_of(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_kept_only_as_a_hash() {
        let a = NewApiKey::generate();
        let b = NewApiKey::generate();
        assert_ne!(a.secret, b.secret);
        assert!(looks_like_api_key(&a.secret));
        assert_eq!(a.secret.len(), API_KEY_PREFIX.len() + 43);
        assert!(a.secret.starts_with(&a.prefix));
        assert_eq!(a.prefix.len(), SHOWN_CHARS);
        assert_eq!(a.secret_hash, hash_of(&a.secret));
        assert!(!a.secret_hash.contains(&a.secret[SHOWN_CHARS..]));
        assert!(!looks_like_api_key("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
