//! A Web Push service played by the test, on 127.0.0.1 and an ephemeral
//! port: it hands out "browser" subscriptions, each with its own P-256
//! key pair and auth secret (the test is the browser and holds the
//! private halves), and for every message posted to one it checks what a
//! real push service checks and what only the browser can:
//!
//! - `Authorization: vapid t=…, k=…`: `k` is the VAPID public key the
//!   service was told to expect (403 otherwise, as for a subscription made
//!   with another `applicationServerKey`), and `t` is an ES256 JWT signed
//!   by that key, for this service's origin, expiring in the next 24 hours,
//!   with a contact (401 otherwise). The signature is checked with
//!   RustCrypto's ECDSA, not with the library Herald signs with.
//! - `Content-Encoding: aes128gcm`, and a body that decrypts with the
//!   browser's private key and auth secret (400 otherwise).
//!
//! Then it answers with the status scripted for that browser (201 by
//! default), and records what it received, decrypted, or why it refused
//! it, for the test to await.

use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use herald::push::PushTarget;
use p256::{
    ecdsa::{Signature, VerifyingKey, signature::Verifier as _},
    elliptic_curve::sec1::ToEncodedPoint,
};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::WAIT;

/// The longest a VAPID token may live (RFC 8292 §2).
const MAX_TOKEN_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// What the service answers one message with.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
}

impl Answer {
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, value: &str) -> Answer {
        self.retry_after = Some(value.to_owned());
        self
    }
}

/// A subscription as the browser's `PushSubscription.toJSON()` gives it.
#[derive(Clone, Debug)]
pub struct Browser {
    pub id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl Browser {
    /// The subscription as Herald takes it.
    pub fn target(&self) -> PushTarget {
        PushTarget {
            endpoint: self.endpoint.clone(),
            p256dh: self.p256dh.clone(),
            auth: self.auth.clone(),
        }
    }
}

/// One message the service received.
#[derive(Debug)]
pub struct Received {
    /// The browser it was for.
    pub browser: String,
    /// The status the service answered.
    pub status: u16,
    /// The decrypted payload, or why the message was refused.
    pub payload: Result<Vec<u8>, String>,
    /// The verified token's claims (when the token verified).
    pub claims: Option<Value>,
    pub ttl: Option<String>,
    pub urgency: Option<String>,
}

/// The browser's half of a subscription, and what to answer it with.
struct BrowserKeys {
    secret: p256::SecretKey,
    auth: [u8; 16],
    script: VecDeque<Answer>,
    /// The answer once the script is spent.
    then: Answer,
}

struct Inner {
    origin: String,
    /// The uncompressed VAPID public key messages must be signed with.
    expected_key: Vec<u8>,
    browsers: HashMap<String, BrowserKeys>,
    next_id: u64,
    requests: usize,
}

type Shared = (Arc<Mutex<Inner>>, mpsc::UnboundedSender<Received>);

pub struct PushService {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    received: tokio::sync::Mutex<mpsc::UnboundedReceiver<Received>>,
    _shutdown: oneshot::Sender<()>,
}

impl PushService {
    /// Starts a service that accepts messages signed with the VAPID key
    /// whose public half is `expected_key` (base64url, as Herald gives it).
    pub async fn start(expected_key: &str) -> PushService {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Mutex::new(Inner {
            origin: format!("http://{addr}"),
            expected_key: URL_SAFE_NO_PAD.decode(expected_key).unwrap(),
            browsers: HashMap::new(),
            next_id: 0,
            requests: 0,
        }));
        let (log, received) = mpsc::unbounded_channel();
        let router = Router::new()
            .route("/push/{id}", post(receive))
            .with_state((Arc::clone(&inner), log));
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        PushService {
            addr,
            inner,
            received: tokio::sync::Mutex::new(received),
            _shutdown: shutdown,
        }
    }

    /// `http://127.0.0.1:<port>`: the audience its tokens must name.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A new browser subscription, answered with 201 until scripted
    /// otherwise.
    pub fn subscribe(&self) -> Browser {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let mut auth = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut auth);
        let mut inner = self.inner.lock().unwrap();
        inner.next_id += 1;
        let id = format!("b{}", inner.next_id);
        let browser = Browser {
            endpoint: format!("{}/push/{id}", inner.origin),
            p256dh: URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false)),
            auth: URL_SAFE_NO_PAD.encode(auth),
            id: id.clone(),
        };
        inner.browsers.insert(
            id,
            BrowserKeys {
                secret,
                auth,
                script: VecDeque::new(),
                then: Answer::status(201),
            },
        );
        browser
    }

    /// Answers `browser`'s next messages with `script`, in order, then
    /// every later one with `then`.
    pub fn script(&self, browser: &Browser, script: &[Answer], then: Answer) {
        let mut inner = self.inner.lock().unwrap();
        let keys = inner.browsers.get_mut(&browser.id).unwrap();
        keys.script = script.iter().cloned().collect();
        keys.then = then;
    }

    /// Expects messages signed with another VAPID key from now on.
    pub fn expect_key(&self, expected_key: &str) {
        self.inner.lock().unwrap().expected_key = URL_SAFE_NO_PAD.decode(expected_key).unwrap();
    }

    /// How many requests reached the service.
    pub fn requests(&self) -> usize {
        self.inner.lock().unwrap().requests
    }

    /// The next message received within `window`, if one is.
    pub async fn received_within(&self, window: std::time::Duration) -> Option<Received> {
        let mut received = self.received.lock().await;
        tokio::time::timeout(window, received.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next message received, in arrival order; panics after `WAIT`.
    pub async fn next_received(&self) -> Received {
        let mut received = self.received.lock().await;
        tokio::time::timeout(WAIT, received.recv())
            .await
            .expect("a push message within WAIT")
            .expect("the push service is running")
    }
}

async fn receive(
    State((inner, log)): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let mut record = Received {
        browser: id.clone(),
        status: 0,
        payload: Err(String::new()),
        claims: None,
        ttl: text(header::HeaderName::from_static("ttl")),
        urgency: text(header::HeaderName::from_static("urgency")),
    };
    let answer = {
        let mut inner = inner.lock().unwrap();
        inner.requests += 1;
        let checked = check(&inner, &id, &headers, &body);
        match checked {
            Ok((payload, claims)) => {
                let keys = inner.browsers.get_mut(&id).unwrap();
                let answer = keys.script.pop_front().unwrap_or_else(|| keys.then.clone());
                record.payload = Ok(payload);
                record.claims = Some(claims);
                answer
            }
            Err((status, reason)) => {
                record.payload = Err(reason);
                Answer::status(status)
            }
        }
    };
    record.status = answer.status;
    let reason = record.payload.as_ref().err().cloned().unwrap_or_default();
    let _ = log.send(record);
    let mut response = (StatusCode::from_u16(answer.status).unwrap(), reason).into_response();
    if let Some(retry_after) = answer.retry_after {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&retry_after).unwrap(),
        );
    }
    response
}

/// What a push service and the browser check, in that order: the
/// decrypted payload and the token's claims, or the status to refuse with
/// and why.
fn check(
    inner: &Inner,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Vec<u8>, Value), (u16, String)> {
    let Some(keys) = inner.browsers.get(id) else {
        return Err((404, "no such subscription".into()));
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or((401, "no Authorization header".to_owned()))?;
    let claims = verify_vapid(authorization, &inner.expected_key, &inner.origin)?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok());
    if encoding != Some("aes128gcm") {
        return Err((
            400,
            format!("Content-Encoding is {encoding:?}, not aes128gcm"),
        ));
    }
    let payload = web_push_native::decrypt(
        body.to_vec(),
        &keys.secret,
        &web_push_native::Auth::from(keys.auth),
    )
    .map_err(|err| (400, format!("cannot decrypt: {err}")))?;
    Ok((payload, claims))
}

/// Checks `vapid t=<JWT>, k=<key>` as RFC 8292 says, returning the
/// token's claims.
fn verify_vapid(
    authorization: &str,
    expected_key: &[u8],
    origin: &str,
) -> Result<Value, (u16, String)> {
    let unauthorized = |reason: &str| (401, reason.to_owned());
    let params = authorization
        .strip_prefix("vapid ")
        .ok_or_else(|| unauthorized("not a vapid authorization"))?;
    let (mut token, mut key) = (None, None);
    for param in params.split(',') {
        match param.trim().split_once('=') {
            Some(("t", value)) => token = Some(value),
            Some(("k", value)) => key = Some(value),
            _ => return Err(unauthorized("unknown vapid parameter")),
        }
    }
    let token = token.ok_or_else(|| unauthorized("no t= in vapid authorization"))?;
    let key = key.ok_or_else(|| unauthorized("no k= in vapid authorization"))?;
    if URL_SAFE_NO_PAD.decode(key).ok().as_deref() != Some(expected_key) {
        return Err((
            403,
            "k is not the key this subscription was made with".into(),
        ));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(unauthorized("the token is not a JWS"));
    };
    let decode_json = |part: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    let header = decode_json(header).ok_or_else(|| unauthorized("unreadable token header"))?;
    if header["alg"] != "ES256" {
        return Err(unauthorized("the token is not ES256"));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or_else(|| unauthorized("unreadable token signature"))?;
    let verifying_key = VerifyingKey::from_sec1_bytes(expected_key)
        .map_err(|_| unauthorized("the expected key is no P-256 key"))?;
    let signed = &token[..token.rfind('.').unwrap_or(0)];
    verifying_key
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| unauthorized("bad token signature"))?;
    let claims = decode_json(claims).ok_or_else(|| unauthorized("unreadable token claims"))?;
    if claims["aud"] != origin {
        return Err(unauthorized(&format!(
            "aud is {}, not {origin}",
            claims["aud"]
        )));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = claims["exp"]
        .as_u64()
        .ok_or_else(|| unauthorized("no exp"))?;
    if exp <= now {
        return Err(unauthorized("the token has expired"));
    }
    if exp > now + MAX_TOKEN_LIFETIME_SECS {
        return Err(unauthorized("exp is more than 24 hours ahead"));
    }
    let sub = claims["sub"].as_str().unwrap_or_default();
    if !(sub.starts_with("mailto:") || sub.starts_with("https:")) {
        return Err(unauthorized("sub is no mailto: or https: contact"));
    }
    Ok(claims)
}
