//! Herald's own tokens: HS256 JSON Web Tokens naming the user (`sub`),
//! their session (`sid`: every token refreshed from one log-in shares it,
//! so that logging out ends them all), the user's token generation when
//! it was issued (`gen`: logging out everywhere raises it) and the expiry
//! (`exp`).
//!
//! The signing secret is at least 32 bytes, from the configuration or
//! generated once into `<data-dir>/jwt-secret` (written atomically, mode
//! 0600): a short or empty secret would let anyone forge tokens.

use std::{
    io::Write,
    path::Path,
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use anyhow::Context as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::model::Id;

/// The shortest secret accepted, in bytes: HS256's own key size.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519 says `sub` is a string).
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// The session: the same for every token refreshed from one log-in.
    /// Absent from tokens issued before sessions existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The user's token generation when the token was issued.
    #[serde(default)]
    pub r#gen: i64,
    /// This token's own id: no two tokens are alike, even two refreshed
    /// in the same second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// A token and when it expires.
#[derive(Clone, Debug)]
pub struct Issued {
    pub token: String,
    /// Seconds since the epoch.
    pub expires_at: u64,
}

/// What a valid token of Herald's says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnToken {
    pub user: Id,
    pub session: Arc<str>,
    pub generation: i64,
    pub expires_at: u64,
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
    /// Keys for `secret`, which must be at least `MIN_SECRET_BYTES` long.
    pub fn new(secret: &[u8], ttl_secs: u64) -> anyhow::Result<Self> {
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_BYTES,
            "the token secret must be at least {MIN_SECRET_BYTES} bytes (it has {})",
            secret.len()
        );
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        })
    }

    /// Keys from the configured secret or, when none is configured, from a
    /// secret generated on first run and kept in `data_dir`.
    pub fn load(configured: Option<&str>, data_dir: &Path, ttl_secs: u64) -> anyhow::Result<Self> {
        if let Some(secret) = configured {
            return Self::new(secret.trim().as_bytes(), ttl_secs)
                .context("HERALD_JWT_SECRET is too short");
        }
        let path = data_dir.join(SECRET_FILE);
        let secret = match std::fs::read_to_string(&path) {
            Ok(existing) => existing.trim().to_owned(),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut bytes);
                let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                write_private(&path, &secret)
                    .with_context(|| format!("writing {}", path.display()))?;
                secret
            }
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        tracing::warn!(
            path = %path.display(),
            "HERALD_JWT_SECRET is not set: using the secret kept in the data directory; \
             set HERALD_JWT_SECRET when running more than one replica"
        );
        Self::new(secret.as_bytes(), ttl_secs)
            .with_context(|| format!("the secret in {} is too short", path.display()))
    }

    /// How long issued tokens last, in seconds.
    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// A token for `user` in `session`, valid for the configured lifetime.
    pub fn issue(&self, user: Id, session: &str, generation: i64) -> anyhow::Result<Issued> {
        self.issue_with_expiry(user, session, generation, now_secs() + self.ttl_secs)
    }

    /// A token with an explicit expiry (seconds since the epoch).
    pub fn issue_with_expiry(
        &self,
        user: Id,
        session: &str,
        generation: i64,
        exp: u64,
    ) -> anyhow::Result<Issued> {
        let claims = Claims {
            sub: user.to_string(),
            exp,
            iat: now_secs(),
            sid: Some(session.to_owned()),
            r#gen: generation,
            jti: Some(new_session()),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(Issued {
            token,
            expires_at: exp,
        })
    }

    /// What a valid token says, or why it is not valid.
    pub fn verify(&self, token: &str) -> Result<OwnToken, &'static str> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => "token expired",
                ErrorKind::InvalidSignature => "bad signature",
                _ => "malformed token",
            })?;
        let claims = data.claims;
        let user = claims.sub.parse().map_err(|_| "malformed token")?;
        // Tokens from before sessions existed are each a session of their
        // own, named by when they were issued.
        let session = claims.sid.unwrap_or_else(|| format!("iat:{}", claims.iat));
        Ok(OwnToken {
            user,
            session: session.into(),
            generation: claims.r#gen,
            expires_at: claims.exp,
        })
    }
}

/// A fresh random session id.
pub fn new_session() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Writes `contents` to `path` so that no reader ever sees a partial file
/// and nobody else can read it: a temporary file with mode 0600 beside it,
/// synced, then renamed into place.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("secret"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary)?;
    let written = file
        .write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_name_their_user_session_and_generation() {
        let keys = TokenKeys::new(SECRET, 60).unwrap();
        let issued = keys.issue(3, "s1", 2).unwrap();
        let token = keys.verify(&issued.token).unwrap();
        assert_eq!(
            token,
            OwnToken {
                user: 3,
                session: "s1".into(),
                generation: 2,
                expires_at: issued.expires_at
            }
        );
    }

    #[test]
    fn expired_tokens_are_refused() {
        let keys = TokenKeys::new(SECRET, 60).unwrap();
        let old = keys.issue_with_expiry(3, "s", 0, now_secs() - 10).unwrap();
        assert_eq!(keys.verify(&old.token), Err("token expired"));
    }

    #[test]
    fn short_and_empty_secrets_are_refused() {
        assert!(TokenKeys::new(b"", 60).is_err());
        assert!(TokenKeys::new(&SECRET[..31], 60).is_err());
        assert!(TokenKeys::load(Some("too short"), Path::new("/nonexistent"), 60).is_err());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SECRET_FILE), "").unwrap();
        assert!(TokenKeys::load(None, dir.path(), 60).is_err());
    }

    #[test]
    fn a_generated_secret_is_private_and_kept_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let first = TokenKeys::load(None, dir.path(), 60).unwrap();
        let issued = first.issue(9, "s", 0).unwrap();
        let second = TokenKeys::load(None, dir.path(), 60).unwrap();
        assert_eq!(second.verify(&issued.token).unwrap().user, 9);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
