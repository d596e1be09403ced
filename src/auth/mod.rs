//! Authentication: password hashes, tokens, sessions, and who is calling.
//!
//! A request carries a token in `Authorization: Bearer …` (HTTP), in the
//! websocket `connection_init` payload, or (for `EventSource`, which cannot
//! set headers) in an `access_token` query parameter. Whatever the
//! transport, `Authenticator::authenticate` turns it into an `Auth` value
//! in the GraphQL context, and resolvers ask it for the caller with
//! `Auth::require`.
//!
//! A token is Herald's own (HS256, `token.rs`) or, when configured, the
//! app's identity provider's (`external.rs`). Either way it must be
//! signed, unexpired, not revoked (`sessions.rs`: a memory lookup, no
//! store read) and name a user that exists: Herald's users are looked up
//! once per process and then remembered; a provider's user is created the
//! first time it is seen.
//!
//! An app's backend signs with an API key instead (`api_keys.rs`): it
//! becomes `Auth::App`, which may publish and manage topics and nothing
//! a user does.

mod api_keys;
mod external;
mod password;
mod sessions;
mod throttle;
mod token;

use std::{net::IpAddr, num::NonZeroUsize, sync::Arc};

use lru::LruCache;

pub use crate::model::Revocation;
pub use api_keys::{API_KEY_PREFIX, AppKey, NewApiKey, hash_of as api_key_hash};
pub use external::{ExternalIdentity, ExternalTokens};
pub use password::{HashStats, Passwords};
pub use sessions::{SessionKey, SessionWatch, Sessions};
pub use throttle::AuthThrottle;
pub use token::{
    Claims, Issued, MIN_SECRET_BYTES, OwnToken, TokenKeys, new_session, now_secs, write_private,
};

use crate::{
    error::AppError,
    model::Id,
    store::{Store, StoreError},
};

/// The address a request came from, in the GraphQL context of every
/// operation, for the limits that count per client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// A signed-in caller: whose token, which session, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user: Id,
    pub session: SessionKey,
    /// When the token expires, in seconds since the epoch.
    pub expires_at: u64,
    /// True for Herald's own tokens, which it can refresh.
    pub refreshable: bool,
}

impl Principal {
    /// True once the token has expired.
    pub fn expired(&self) -> bool {
        time_left(self.expires_at).is_zero()
    }
}

/// How long until `expires_at` (seconds since the epoch), to the
/// millisecond: a connection must stop at its token's expiry, not up to a
/// second after it.
pub fn time_left(expires_at: u64) -> std::time::Duration {
    let expiry = std::time::UNIX_EPOCH + std::time::Duration::from_secs(expires_at);
    expiry
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default()
}

/// Who is calling, as established by the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// No token was presented.
    Anonymous,
    /// A valid token.
    User(Principal),
    /// A live API key: an app's backend, never a user.
    App(AppKey),
    /// A token was presented but is malformed, badly signed, expired,
    /// revoked, or names nobody.
    Invalid(&'static str),
    /// The token could not be checked because the store could not be
    /// read: the client should try again, not sign in again.
    Unavailable,
}

impl Auth {
    /// The caller's id, or UNAUTHENTICATED. A token that expired since the
    /// connection opened counts as no token.
    pub fn require(&self) -> Result<Id, AppError> {
        self.principal().map(|p| p.user)
    }

    /// The caller, or UNAUTHENTICATED.
    pub fn principal(&self) -> Result<&Principal, AppError> {
        match self {
            Auth::User(principal) if principal.expired() => Err(AppError::Unauthenticated(
                "invalid token: token expired".into(),
            )),
            Auth::User(principal) => Ok(principal),
            Auth::App(_) => Err(AppError::forbidden(
                "an API key cannot act as a user: send a user's token",
            )),
            Auth::Anonymous => Err(AppError::Unauthenticated(
                "sign in first: send Authorization: Bearer <token>".into(),
            )),
            Auth::Invalid(reason) => Err(AppError::Unauthenticated(format!(
                "invalid token: {reason}"
            ))),
            Auth::Unavailable => Err(AppError::Unavailable(
                "the token cannot be checked right now; try again shortly".into(),
            )),
        }
    }

    /// The app calling with an API key; FORBIDDEN for a user's token,
    /// UNAUTHENTICATED without a valid key.
    pub fn app(&self) -> Result<&AppKey, AppError> {
        match self {
            Auth::App(app) => Ok(app),
            Auth::User(_) => Err(AppError::forbidden(
                "only an app's API key may do this (Authorization: Bearer hk_…), not a user's token",
            )),
            Auth::Anonymous => Err(AppError::Unauthenticated(
                "send an API key: Authorization: Bearer hk_…".into(),
            )),
            // Refused as they are where a user is expected.
            Auth::Invalid(_) | Auth::Unavailable => match self.principal() {
                Err(refused) => Err(refused),
                Ok(_) => unreachable!("an invalid or unchecked token is no principal"),
            },
        }
    }
}

/// Users remembered per process, so that checking that a token's user
/// exists costs a store read once, not per request.
const KNOWN_USERS: usize = 100_000;

/// Checks tokens and issues Herald's own.
pub struct Authenticator {
    keys: TokenKeys,
    external: Option<ExternalTokens>,
    sessions: Arc<Sessions>,
    store: Arc<Store>,
    /// Herald user ids known to exist.
    known: std::sync::Mutex<LruCache<Id, ()>>,
    /// The provider's user ids, and Herald's for them.
    external_users: std::sync::Mutex<LruCache<String, Id>>,
}

impl Authenticator {
    pub fn new(
        keys: TokenKeys,
        external: Option<ExternalTokens>,
        sessions: Arc<Sessions>,
        store: Arc<Store>,
    ) -> Self {
        let size = NonZeroUsize::new(KNOWN_USERS).expect("a non-zero constant");
        Authenticator {
            keys,
            external,
            sessions,
            store,
            known: std::sync::Mutex::new(LruCache::new(size)),
            external_users: std::sync::Mutex::new(LruCache::new(size)),
        }
    }

    pub fn keys(&self) -> &TokenKeys {
        &self.keys
    }

    pub fn sessions(&self) -> &Arc<Sessions> {
        &self.sessions
    }

    /// Checks an `Authorization` value (`Bearer <token>`; the scheme is
    /// case-insensitive and may be omitted).
    pub async fn authenticate(&self, value: Option<&str>) -> Auth {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Auth::Anonymous;
        };
        let token = match value.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            Some(_) => return Auth::Invalid("unsupported authorization scheme"),
            None => value,
        };
        if api_keys::looks_like_api_key(token) {
            return self.api_key(token).await;
        }
        let principal = match &self.external {
            Some(external) if ExternalTokens::claims(token) => self.external(external, token).await,
            _ => self.own(token).await,
        };
        match principal {
            Ok(principal)
                if self
                    .sessions
                    .is_revoked(&principal.session, now_secs() as i64) =>
            {
                Auth::Invalid("token revoked")
            }
            Ok(principal) => Auth::User(principal),
            Err(Refused::Invalid(reason)) => Auth::Invalid(reason),
            Err(Refused::Unavailable) => Auth::Unavailable,
        }
    }

    /// The app a key belongs to. Read from the store each time, so that a
    /// revocation (by `herald api-key revoke`, from any process) holds at
    /// once on every replica.
    async fn api_key(&self, secret: &str) -> Auth {
        match self.store.live_api_key(&api_keys::hash_of(secret)).await {
            Ok(Some(key)) => Auth::App(AppKey {
                id: key.id,
                name: key.name,
            }),
            Ok(None) => Auth::Invalid("unknown or revoked API key"),
            Err(err) => {
                unavailable(&err);
                Auth::Unavailable
            }
        }
    }

    async fn own(&self, token: &str) -> Result<Principal, Refused> {
        let verified = self.keys.verify(token).map_err(Refused::Invalid)?;
        if !self.exists(verified.user).await? {
            return Err(Refused::Invalid("the token's user does not exist"));
        }
        Ok(Principal {
            user: verified.user,
            session: SessionKey {
                user: verified.user,
                session: verified.session,
                generation: Some(verified.generation),
                issued_at: None,
            },
            expires_at: verified.expires_at,
            refreshable: true,
        })
    }

    async fn external(&self, external: &ExternalTokens, token: &str) -> Result<Principal, Refused> {
        let identity = external.verify(token).await.map_err(Refused::Invalid)?;
        let user = self.external_user(&identity).await?;
        let session = match (&identity.token_id, identity.issued_at) {
            (Some(jti), _) => format!("jti:{jti}"),
            (None, issued_at) => format!("iat:{}:{}", issued_at.unwrap_or(0), identity.expires_at),
        };
        Ok(Principal {
            user,
            session: SessionKey {
                user,
                session: session.into(),
                generation: None,
                issued_at: identity.issued_at,
            },
            expires_at: identity.expires_at,
            refreshable: false,
        })
    }

    /// True when Herald user `id` exists; read from the store once.
    async fn exists(&self, id: Id) -> Result<bool, Refused> {
        if self.lock_known().get(&id).is_some() {
            return Ok(true);
        }
        match self.store.user(id).await {
            Ok(Some(_)) => {
                self.lock_known().put(id, ());
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(err) => Err(unavailable(&err)),
        }
    }

    /// Herald's user for a provider identity, created on first sight.
    async fn external_user(&self, identity: &ExternalIdentity) -> Result<Id, Refused> {
        if let Some(id) = self.lock_external().get(&identity.external_id) {
            return Ok(*id);
        }
        let name = identity
            .name
            .clone()
            .unwrap_or_else(|| identity.external_id.clone());
        let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
        let user = self
            .store
            .external_user(&identity.external_id, &name, identity.email.as_deref())
            .await
            .map_err(|err| unavailable(&err))?;
        self.lock_external()
            .put(identity.external_id.clone(), user.id);
        Ok(user.id)
    }

    /// A token for `user` in a new session (sign-up, log-in).
    pub fn issue(&self, user: Id) -> anyhow::Result<Issued> {
        self.lock_known().put(user, ());
        let generation = self.sessions.generation_of(user);
        self.keys.issue(user, &new_session(), generation)
    }

    /// A fresh token in the caller's session, for a caller whose token is
    /// still valid.
    pub fn refresh(&self, principal: &Principal) -> anyhow::Result<Issued> {
        let generation = principal
            .session
            .generation
            .unwrap_or_else(|| self.sessions.generation_of(principal.user));
        self.keys
            .issue(principal.user, &principal.session.session, generation)
    }

    fn lock_known(&self) -> std::sync::MutexGuard<'_, LruCache<Id, ()>> {
        self.known
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_external(&self) -> std::sync::MutexGuard<'_, LruCache<String, Id>> {
        self.external_users
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Why a token was not accepted.
enum Refused {
    Invalid(&'static str),
    Unavailable,
}

/// A store failure while checking a token.
fn unavailable(err: &StoreError) -> Refused {
    tracing::warn!(error = ?err.0, "cannot check a token's user");
    Refused::Unavailable
}
