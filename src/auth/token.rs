//! HS256 JSON Web Tokens carrying the user id (`sub`) and expiry (`exp`).

use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::store::Id;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519 says `sub` is a string).
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
}

/// Signing and verification keys, plus how long issued tokens last.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: u64,
}

/// Name of the file that keeps a generated secret in the data directory.
const SECRET_FILE: &str = "jwt-secret";

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    /// Keys from the configured secret or, when none is configured, from a
    /// secret generated on first run and kept in `data_dir`.
    pub fn load(configured: Option<&str>, data_dir: &Path, ttl_secs: u64) -> anyhow::Result<Self> {
        if let Some(secret) = configured {
            anyhow::ensure!(
                secret.len() >= 16,
                "HERALD_JWT_SECRET must be at least 16 bytes"
            );
            return Ok(Self::new(secret.as_bytes(), ttl_secs));
        }
        let path = data_dir.join(SECRET_FILE);
        let secret = match std::fs::read_to_string(&path) {
            Ok(existing) => existing.trim().to_owned(),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut bytes);
                let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                write_private(&path, &secret)?;
                secret
            }
            Err(err) => return Err(err.into()),
        };
        tracing::warn!(
            path = %path.display(),
            "HERALD_JWT_SECRET is not set: using the secret kept in the data directory; \
             set HERALD_JWT_SECRET when running more than one replica"
        );
        Ok(Self::new(secret.as_bytes(), ttl_secs))
    }

    /// A token for `user` valid for the configured lifetime.
    pub fn issue(&self, user: Id) -> anyhow::Result<String> {
        self.issue_with_expiry(user, now_secs() + self.ttl_secs)
    }

    /// A token with an explicit expiry (seconds since the epoch).
    pub fn issue_with_expiry(&self, user: Id, exp: u64) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user.to_string(),
            exp,
            iat: now_secs(),
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The user id in a valid token, or why it is not valid.
    pub fn verify(&self, token: &str) -> Result<Id, &'static str> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => "token expired",
                ErrorKind::InvalidSignature => "bad signature",
                _ => "malformed token",
            })?;
        data.claims.sub.parse().map_err(|_| "malformed token")
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_tokens_are_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let old = keys.issue_with_expiry(3, now_secs() - 10).unwrap();
        assert_eq!(keys.verify(&old), Err("token expired"));
        assert_eq!(keys.verify(&keys.issue(3).unwrap()), Ok(3));
    }

    #[test]
    fn a_generated_secret_is_kept_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let first = TokenKeys::load(None, dir.path(), 60).unwrap();
        let token = first.issue(9).unwrap();
        let second = TokenKeys::load(None, dir.path(), 60).unwrap();
        assert_eq!(second.verify(&token), Ok(9));
    }
}
