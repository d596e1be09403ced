//! Tokens signed by the app's own identity provider ("bring your own
//! tokens"), for apps that already have accounts.
//!
//! Herald checks them with public keys only: from a JWKS document
//! (`--jwt-jwks-url`, fetched over HTTP(S), cached, and fetched again when
//! a token names a key id it does not know, within a small budget of
//! fetches (`FETCH_BURST`, then one per `FETCH_EVERY`) so that made-up key
//! ids cannot turn Herald into a request amplifier), or from a PEM file
//! (`--jwt-public-key-file`). Only
//! asymmetric algorithms (RS*, PS*, ES*) are accepted, so that a public
//! key can never be used as an HMAC secret. `--jwt-issuer` and
//! `--jwt-audience`, when set, must match; `exp` is required.
//!
//! The user is named by `--jwt-user-claim` (default `sub`); the name and
//! e-mail of a user seen for the first time come from `--jwt-name-claim`
//! and `--jwt-email-claim`.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use jsonwebtoken::{
    Algorithm, DecodingKey, Validation, decode_header,
    jwk::{AlgorithmParameters, Jwk},
};
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use crate::config::Config;

/// How long fetched keys are used before they are fetched again.
const KEYS_FRESH_FOR: Duration = Duration::from_secs(600);

/// Fetches of the key set allowed in a burst (a rotation, then a client
/// with an old token), and how often one more is allowed after that,
/// whatever the tokens presented.
const FETCH_BURST: f64 = 3.0;
const FETCH_EVERY: Duration = Duration::from_secs(10);

/// How long a key set fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// What a valid token of the identity provider says about its user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The provider's id for the user (`--jwt-user-claim`).
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `jti`, when the token has one.
    pub token_id: Option<String>,
    /// Seconds since the epoch.
    pub issued_at: Option<i64>,
    pub expires_at: u64,
}

/// Where the provider's public keys come from.
enum Keys {
    /// One key from a PEM file, of an RSA or EC family.
    Pem { key: DecodingKey, family: Family },
    /// A JWKS document, fetched when needed.
    Jwks {
        url: String,
        client: reqwest::Client,
        cache: RwLock<KeyCache>,
        /// Fetches left, and when that was counted.
        fetch_budget: Mutex<(f64, Instant)>,
    },
}

#[derive(Default)]
struct KeyCache {
    by_id: HashMap<String, CachedKey>,
    /// Keys without an id, tried when a token names none.
    unnamed: Vec<CachedKey>,
    fetched_at: Option<Instant>,
}

#[derive(Clone)]
struct CachedKey {
    key: DecodingKey,
    family: Family,
    /// The key's own `alg`, when its JWK gives one.
    algorithm: Option<Algorithm>,
}

/// Which signature algorithms a key can verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Rsa,
    EllipticCurve,
}

impl Family {
    fn allows(self, algorithm: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            Family::Rsa => matches!(algorithm, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            Family::EllipticCurve => matches!(algorithm, ES256 | ES384),
        }
    }
}

/// The identity provider's tokens, as configured.
pub struct ExternalTokens {
    keys: Keys,
    issuer: Option<String>,
    audience: Option<String>,
    user_claim: String,
    name_claim: String,
    email_claim: String,
}

impl ExternalTokens {
    /// The configured provider, or `None` when neither a JWKS URL nor a
    /// public key file is set.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let keys = match (&config.jwt_jwks_url, &config.jwt_public_key_file) {
            (None, None) => return Ok(None),
            (Some(_), Some(_)) => {
                anyhow::bail!("set --jwt-jwks-url or --jwt-public-key-file, not both")
            }
            (Some(url), None) => Keys::Jwks {
                url: url.clone(),
                client: reqwest::Client::builder()
                    .timeout(FETCH_TIMEOUT)
                    .build()
                    .context("building the JWKS client")?,
                cache: RwLock::default(),
                fetch_budget: Mutex::new((FETCH_BURST, Instant::now())),
            },
            (None, Some(path)) => {
                let pem =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                let (key, family) = match DecodingKey::from_rsa_pem(&pem) {
                    Ok(key) => (key, Family::Rsa),
                    Err(_) => (
                        DecodingKey::from_ec_pem(&pem).with_context(|| {
                            format!("{} holds no RSA or EC public key", path.display())
                        })?,
                        Family::EllipticCurve,
                    ),
                };
                Keys::Pem { key, family }
            }
        };
        Ok(Some(ExternalTokens {
            keys,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            user_claim: config.jwt_user_claim.clone(),
            name_claim: config.jwt_name_claim.clone(),
            email_claim: config.jwt_email_claim.clone(),
        }))
    }

    /// True when `token` is signed with an algorithm only the provider
    /// uses (Herald's own are HS256).
    pub fn claims(token: &str) -> bool {
        decode_header(token).is_ok_and(|header| header.alg != Algorithm::HS256)
    }

    /// The identity a valid provider token names, or why it is refused.
    pub async fn verify(&self, token: &str) -> Result<ExternalIdentity, &'static str> {
        let header = decode_header(token).map_err(|_| "malformed token")?;
        let key = self.key_for(header.kid.as_deref(), header.alg).await?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        match &self.issuer {
            Some(issuer) => validation.set_issuer(&[issuer]),
            None => validation.iss = None,
        }
        match &self.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        let data = jsonwebtoken::decode::<serde_json::Map<String, Value>>(token, &key, &validation)
            .map_err(|err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => "token expired",
                jsonwebtoken::errors::ErrorKind::InvalidSignature => "bad signature",
                jsonwebtoken::errors::ErrorKind::InvalidIssuer => "wrong issuer",
                jsonwebtoken::errors::ErrorKind::InvalidAudience => "wrong audience",
                _ => "malformed token",
            })?;
        let claims = data.claims;
        let text = |name: &str| -> Option<String> {
            match claims.get(name)? {
                Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let external_id = text(&self.user_claim).ok_or("the token names no user")?;
        let expires_at = claims
            .get("exp")
            .and_then(Value::as_u64)
            .ok_or("malformed token")?;
        Ok(ExternalIdentity {
            name: text(&self.name_claim),
            email: text(&self.email_claim)
                .filter(|e| e.contains('@'))
                .map(|e| e.to_lowercase()),
            token_id: text("jti"),
            issued_at: claims.get("iat").and_then(Value::as_i64),
            external_id,
            expires_at,
        })
    }

    async fn key_for(
        &self,
        kid: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<DecodingKey, &'static str> {
        match &self.keys {
            Keys::Pem { key, family } => {
                if family.allows(algorithm) {
                    Ok(key.clone())
                } else {
                    Err("unexpected algorithm")
                }
            }
            Keys::Jwks {
                url,
                client,
                cache,
                fetch_budget,
            } => {
                let fresh = {
                    let cache = cache.read().await;
                    let fresh = cache
                        .fetched_at
                        .is_some_and(|at| at.elapsed() < KEYS_FRESH_FOR);
                    if fresh && let Some(key) = pick(&cache, kid, algorithm)? {
                        return Ok(key);
                    }
                    fresh
                };
                // Unknown key id, or stale keys: fetch, if the budget
                // allows (stale keys are always fetched again).
                {
                    let mut budget = fetch_budget.lock().await;
                    let (left, counted) = *budget;
                    let left = (left + counted.elapsed().as_secs_f64() / FETCH_EVERY.as_secs_f64())
                        .min(FETCH_BURST);
                    *budget = (left, Instant::now());
                    if left >= 1.0 || !fresh {
                        budget.0 = (left - 1.0).max(0.0);
                        match fetch(client, url).await {
                            Ok(fetched) => *cache.write().await = fetched,
                            Err(err) => {
                                tracing::warn!(error = format!("{err:#}"), "cannot fetch the JWKS")
                            }
                        }
                    }
                }
                pick(&*cache.read().await, kid, algorithm)?.ok_or("unknown signing key")
            }
        }
    }
}

/// The key a token with `kid` and `algorithm` must be checked with, if
/// the cache has it; an error when it has it but for another algorithm.
fn pick(
    cache: &KeyCache,
    kid: Option<&str>,
    algorithm: Algorithm,
) -> Result<Option<DecodingKey>, &'static str> {
    let candidate = match kid {
        Some(kid) => cache.by_id.get(kid),
        None if cache.unnamed.len() + cache.by_id.len() == 1 => cache
            .unnamed
            .first()
            .or_else(|| cache.by_id.values().next()),
        None => None,
    };
    let Some(candidate) = candidate else {
        return Ok(None);
    };
    let allowed = candidate.family.allows(algorithm)
        && candidate.algorithm.is_none_or(|own| own == algorithm);
    if allowed {
        Ok(Some(candidate.key.clone()))
    } else {
        Err("unexpected algorithm")
    }
}

/// Fetches and reads a JWKS document; keys of kinds Herald does not use
/// (symmetric, encryption-only, unknown) are skipped, not fatal.
async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<KeyCache> {
    let document: Value = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?
        .error_for_status()?
        .json()
        .await
        .context("the JWKS is not JSON")?;
    let keys = document
        .get("keys")
        .and_then(Value::as_array)
        .context("the JWKS has no `keys`")?;
    let mut cache = KeyCache {
        fetched_at: Some(Instant::now()),
        ..KeyCache::default()
    };
    for value in keys {
        let Ok(jwk) = serde_json::from_value::<Jwk>(value.clone()) else {
            continue;
        };
        let family = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Family::Rsa,
            AlgorithmParameters::EllipticCurve(_) => Family::EllipticCurve,
            _ => continue,
        };
        let Ok(key) = DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        let algorithm = jwk
            .common
            .key_algorithm
            .and_then(|a| a.to_string().parse::<Algorithm>().ok());
        let cached = CachedKey {
            key,
            family,
            algorithm,
        };
        match jwk.common.key_id {
            Some(kid) => {
                cache.by_id.insert(kid, cached);
            }
            None => cache.unnamed.push(cached),
        }
    }
    Ok(cache)
}
