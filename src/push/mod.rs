//! Web Push: the pieces Herald needs to tell a user's browser of a
//! notification while no tab of Herald's is open.
//!
//! A browser that subscribes hands out a push endpoint (a URL at its
//! vendor's push service) and two keys (`subscription.rs` checks them).
//! To send, Herald encrypts a JSON payload for that browser alone
//! (RFC 8291 `aes128gcm`) and signs a short-lived token that identifies
//! Herald to the push service (RFC 8292 VAPID, with the key pair of
//! `vapid.rs`); `message.rs` builds that request and `sender.rs` posts it
//! and sorts the push service's answer into delivered, gone (forget the
//! subscription), try again later, or refused. `backoff.rs` spaces the
//! retries and `throttle.rs` keeps Herald under a rate per push service.
//!
//! Nothing here reads or writes the store: the delivery worker decides
//! what to send, to whom, and what to do with each outcome.

mod backoff;
mod message;
mod sender;
mod subscription;
mod throttle;
mod vapid;

pub use backoff::{MAX_BACKOFF, backoff_delay, backoff_with_jitter};
pub use message::{
    DEFAULT_TTL, MAX_PAYLOAD_BYTES, MAX_RECORD_BYTES, MessageBuilder, MessageError, MessageOptions,
    PushRequest, Urgency,
};
pub use sender::{
    DEFAULT_SEND_TIMEOUT, MAX_RETRY_AFTER, PushOutcome, PushSender, classify, parse_retry_after,
};
pub use subscription::{
    AUTH_SECRET_BYTES, EndpointRules, InvalidTarget, MAX_ENDPOINT_BYTES, PushTarget, ValidTarget,
    decode_auth, decode_p256dh, parse_endpoint,
};
pub use throttle::OriginThrottle;
pub use vapid::{Contact, VAPID_KEY_FILE, VAPID_TOKEN_LIFETIME, VapidKeys};
