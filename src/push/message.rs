//! One Web Push message, ready to post: a JSON payload encrypted for one
//! browser (RFC 8291, `Content-Encoding: aes128gcm`), with the headers a
//! push service reads (RFC 8030 `TTL` and `Urgency`) and Herald's VAPID
//! authorization (RFC 8292).
//!
//! The encryption is `web-push-native`'s; the VAPID token is signed here,
//! because the token's audience must be the endpoint's full origin,
//! port included, and that crate's leaves the port out.

use std::{sync::Arc, time::Duration};

use serde::Serialize;
use url::Url;

use super::{
    subscription::ValidTarget,
    vapid::{Contact, VapidKeys},
};

/// The largest encrypted body a push service must accept (RFC 8030 §7.2:
/// 4096 bytes of payload; larger ones may be refused with 413).
pub const MAX_RECORD_BYTES: usize = 4096;

/// The `aes128gcm` header in front of the record: salt (16) + record size
/// (4) + key id length (1) + Herald's ephemeral public key (65).
const CONTENT_HEADER_BYTES: usize = 16 + 4 + 1 + 65;

/// The padding delimiter of the one and last record (RFC 8188 §2).
const PADDING_DELIMITER_BYTES: usize = 1;

/// The AES-GCM authentication tag closing the record.
const TAG_BYTES: usize = 16;

/// The longest plaintext payload, in bytes, whose encrypted body stays
/// within `MAX_RECORD_BYTES`: 4096 − 86 − 1 − 16 = 3993.
pub const MAX_PAYLOAD_BYTES: usize =
    MAX_RECORD_BYTES - CONTENT_HEADER_BYTES - PADDING_DELIMITER_BYTES - TAG_BYTES;

/// How long a push service keeps a message for a browser that is offline,
/// unless told otherwise: a day, after which a notification is old news
/// that the inbox shows anyway.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How urgent a message is (RFC 8030 §5.3): a push service may hold back
/// `very-low` and `low` ones to spare a device's battery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    VeryLow,
    Low,
    Normal,
    High,
}

impl Urgency {
    /// The value of the `Urgency` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

/// What a push service is told about a message besides its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageOptions {
    /// How long the push service keeps the message for an offline browser
    /// (sent in whole seconds; zero means deliver now or never).
    pub ttl: Duration,
    /// Sent as `Urgency` when set; push services assume `normal`.
    pub urgency: Option<Urgency>,
}

impl Default for MessageOptions {
    fn default() -> Self {
        MessageOptions {
            ttl: DEFAULT_TTL,
            urgency: None,
        }
    }
}

/// A message refused before anything was sent.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("the payload is {len} bytes; Web Push carries at most {MAX_PAYLOAD_BYTES}")]
    PayloadTooLarge { len: usize },
    #[error("the payload cannot be written as JSON: {0}")]
    Unserialisable(#[from] serde_json::Error),
    #[error("encrypting the payload failed: {0}")]
    Encryption(String),
    #[error("signing the VAPID token failed: {0}")]
    Signing(#[from] jsonwebtoken::errors::Error),
}

/// An encrypted message for one subscription, ready for `PushSender`.
#[derive(Clone, Debug)]
pub struct PushRequest {
    /// Where to post.
    pub endpoint: Url,
    /// The push service's origin, for per-service rate limits.
    pub origin: String,
    /// The `TTL` header, in seconds.
    pub ttl_secs: u64,
    pub urgency: Option<Urgency>,
    /// The `Authorization` header: `vapid t=…, k=…`.
    pub authorization: String,
    /// The `aes128gcm` body.
    pub body: Vec<u8>,
}

impl PushRequest {
    /// Every header the request carries besides `Content-Length`.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("content-encoding", "aes128gcm".to_owned()),
            ("content-type", "application/octet-stream".to_owned()),
            ("ttl", self.ttl_secs.to_string()),
            ("authorization", self.authorization.clone()),
        ];
        if let Some(urgency) = self.urgency {
            headers.push(("urgency", urgency.as_str().to_owned()));
        }
        headers
    }
}

/// Builds messages signed with Herald's VAPID keys.
#[derive(Clone, Debug)]
pub struct MessageBuilder {
    keys: Arc<VapidKeys>,
    /// The token's `sub`: whom the push service's operator can contact.
    contact: Contact,
}

impl MessageBuilder {
    pub fn new(keys: Arc<VapidKeys>, contact: Contact) -> Self {
        MessageBuilder { keys, contact }
    }

    /// The keys messages are signed with (their public half is what
    /// browsers subscribe with).
    pub fn keys(&self) -> &VapidKeys {
        &self.keys
    }

    /// `payload` as JSON, encrypted for `target`, with its headers; refused
    /// when the JSON is over `MAX_PAYLOAD_BYTES`.
    pub fn build<T: Serialize + ?Sized>(
        &self,
        target: &ValidTarget,
        payload: &T,
        options: &MessageOptions,
    ) -> Result<PushRequest, MessageError> {
        let plaintext = serde_json::to_vec(payload)?;
        if plaintext.len() > MAX_PAYLOAD_BYTES {
            return Err(MessageError::PayloadTooLarge {
                len: plaintext.len(),
            });
        }
        let auth = web_push_native::Auth::from(*target.auth());
        let body = web_push_native::encrypt(plaintext, target.public_key(), &auth)
            .map_err(|err| MessageError::Encryption(err.to_string()))?;
        let authorization = self.keys.authorization(target.origin(), &self.contact)?;
        Ok(PushRequest {
            endpoint: target.endpoint().clone(),
            origin: target.origin().to_owned(),
            ttl_secs: options.ttl.as_secs(),
            urgency: options.urgency,
            authorization,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use p256::elliptic_curve::sec1::ToEncodedPoint;

    use super::*;
    use crate::push::{EndpointRules, PushTarget, vapid::BASE64URL_LENIENT};

    struct Browser {
        secret: p256::SecretKey,
        auth: [u8; 16],
        target: ValidTarget,
    }

    fn browser(endpoint: &str) -> Browser {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let auth = [5u8; 16];
        let target = PushTarget {
            endpoint: endpoint.to_owned(),
            p256dh: BASE64URL_LENIENT.encode(secret.public_key().to_encoded_point(false)),
            auth: BASE64URL_LENIENT.encode(auth),
        }
        .validate(&EndpointRules::https_only())
        .unwrap();
        Browser {
            secret,
            auth,
            target,
        }
    }

    fn builder() -> MessageBuilder {
        MessageBuilder::new(
            Arc::new(VapidKeys::generate().unwrap()),
            Contact::parse("mailto:ops@example.com").unwrap(),
        )
    }

    #[test]
    fn the_limit_is_what_fits_in_4096_encrypted_bytes() {
        assert_eq!(MAX_PAYLOAD_BYTES, 3993);
        let browser = browser("https://push.example.net/s/1");
        // A JSON string of n characters is n + 2 bytes with its quotes.
        let largest = "x".repeat(MAX_PAYLOAD_BYTES - 2);
        let request = builder()
            .build(&browser.target, &largest, &MessageOptions::default())
            .unwrap();
        assert_eq!(request.body.len(), MAX_RECORD_BYTES);
        let decrypted = web_push_native::decrypt(
            request.body,
            &browser.secret,
            &web_push_native::Auth::from(browser.auth),
        )
        .unwrap();
        assert_eq!(decrypted, serde_json::to_vec(&largest).unwrap());

        let too_large = "x".repeat(MAX_PAYLOAD_BYTES - 1);
        match builder().build(&browser.target, &too_large, &MessageOptions::default()) {
            Err(MessageError::PayloadTooLarge { len }) => assert_eq!(len, MAX_PAYLOAD_BYTES + 1),
            other => panic!("expected PayloadTooLarge, got {other:?}"),
        }
    }

    #[test]
    fn headers_say_how_to_read_and_keep_the_message() {
        let browser = browser("https://push.example.net:8443/s/1");
        let options = MessageOptions {
            ttl: Duration::from_secs(600),
            urgency: Some(Urgency::High),
        };
        let request = builder()
            .build(&browser.target, &serde_json::json!({"n": 1}), &options)
            .unwrap();
        assert_eq!(request.origin, "https://push.example.net:8443");
        let headers = request.headers();
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("content-encoding"), Some("aes128gcm"));
        assert_eq!(get("ttl"), Some("600"));
        assert_eq!(get("urgency"), Some("high"));
        assert!(get("authorization").unwrap().starts_with("vapid t="));
        let without = builder()
            .build(&browser.target, &1, &MessageOptions::default())
            .unwrap();
        assert!(!without.headers().iter().any(|(n, _)| *n == "urgency"));
        assert_eq!(without.ttl_secs, DEFAULT_TTL.as_secs());
    }
}
