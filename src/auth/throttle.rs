//! Throttling sign-ups and failed log-ins, so that nobody can use them to
//! guess passwords or to burn the server's CPU and memory on hashes.
//!
//! Two sets of token buckets: one per client address (sign-ups and failed
//! log-ins share it; IPv6 addresses count per /64, what one host usually
//! holds) and one per account (failed log-ins only). An operation is
//! checked *before* any hash is computed: when a bucket is empty, it is
//! refused at once with RATE_LIMITED and the seconds until it may be tried
//! again. A log-in spends from the buckets only when it fails, so signing
//! in correctly is never throttled.
//!
//! The buckets live in memory, per process: with several replicas each
//! allows its own share, which bounds what a client gains to a small
//! factor. A full bucket is the same as no bucket, so full ones are
//! dropped when the map grows, and the map is bounded whatever the number
//! of addresses an attacker rotates through.

use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::error::AppError;

/// Keys a bucket map holds before full buckets are dropped, and, if that
/// is not enough, before the least recently touched are.
const MAX_KEYS: usize = 100_000;

/// Token buckets by key: `capacity` tokens, refilled continuously over
/// `period`.
struct Buckets<K> {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    fn new(capacity: u32, period: Duration) -> Self {
        Buckets {
            capacity: f64::from(capacity),
            per_second: f64::from(capacity) / period.as_secs_f64(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> Bucket {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        Bucket {
            tokens: (bucket.tokens + elapsed * self.per_second).min(self.capacity),
            updated: now,
        }
    }

    /// `Err(wait)` when `key` has no token left: how long until it has one.
    fn check(&self, key: &K) -> Result<(), Duration> {
        let now = Instant::now();
        let buckets = self.lock();
        let Some(bucket) = buckets.get(key) else {
            return Ok(());
        };
        let bucket = self.refilled(*bucket, now);
        if bucket.tokens >= 1.0 {
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
    }

    /// Takes a token from `key`'s bucket (down to zero).
    fn spend(&self, key: K) {
        let now = Instant::now();
        let mut buckets = self.lock();
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(&key) {
            self.make_room(&mut buckets, now);
        }
        let bucket = buckets.get(&key).copied().unwrap_or(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let mut bucket = self.refilled(bucket, now);
        bucket.tokens = (bucket.tokens - 1.0).max(0.0);
        buckets.insert(key, bucket);
    }

    /// Drops the buckets that are full again; if that frees too little,
    /// the least recently touched half.
    fn make_room(&self, buckets: &mut HashMap<K, Bucket>, now: Instant) {
        buckets.retain(|_, bucket| self.refilled(*bucket, now).tokens < self.capacity);
        if buckets.len() >= MAX_KEYS {
            let mut ages: Vec<Instant> = buckets.values().map(|b| b.updated).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            buckets.retain(|_, bucket| bucket.updated > cutoff);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Bucket>> {
        // Each critical section is a lookup and an insert: a panic cannot
        // leave a bucket half written.
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The key of a client address: IPv4 addresses as they are, IPv6 ones by
/// their /64 network.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            octets[8..].fill(0);
            IpAddr::V6(octets.into())
        }
    }
}

/// How many failed log-ins an account may see per window.
const ACCOUNT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The throttles of sign-up and log-in; `None` where turned off (0).
pub struct AuthThrottle {
    per_client: Option<Buckets<IpAddr>>,
    per_account: Option<Buckets<String>>,
}

impl AuthThrottle {
    /// `per_minute` sign-ups and failed log-ins per client address;
    /// `failures_per_account` failed log-ins per account per 15 minutes.
    pub fn new(per_minute: u32, failures_per_account: u32) -> Self {
        AuthThrottle {
            per_client: (per_minute > 0).then(|| Buckets::new(per_minute, Duration::from_secs(60))),
            per_account: (failures_per_account > 0)
                .then(|| Buckets::new(failures_per_account, ACCOUNT_WINDOW)),
        }
    }

    /// Before a sign-up: refused when the client has no token left;
    /// otherwise one is spent.
    pub fn sign_up(&self, client: Option<IpAddr>) -> Result<(), AppError> {
        let (Some(buckets), Some(ip)) = (&self.per_client, client) else {
            return Ok(());
        };
        let key = client_key(ip);
        buckets
            .check(&key)
            .map_err(|wait| throttled("too many sign-ups from your address", wait))?;
        buckets.spend(key);
        Ok(())
    }

    /// Before a log-in: refused when the client or the account has no
    /// token left. Nothing is spent until the log-in fails.
    pub fn log_in(&self, client: Option<IpAddr>, email: &str) -> Result<(), AppError> {
        if let (Some(buckets), Some(ip)) = (&self.per_client, client) {
            buckets
                .check(&client_key(ip))
                .map_err(|wait| throttled("too many failed log-ins from your address", wait))?;
        }
        if let Some(buckets) = &self.per_account {
            buckets
                .check(&email.to_owned())
                .map_err(|wait| throttled("too many failed log-ins for this account", wait))?;
        }
        Ok(())
    }

    /// After a failed log-in: spends from both buckets.
    pub fn log_in_failed(&self, client: Option<IpAddr>, email: &str) {
        if let (Some(buckets), Some(ip)) = (&self.per_client, client) {
            buckets.spend(client_key(ip));
        }
        if let Some(buckets) = &self.per_account {
            buckets.spend(email.to_owned());
        }
    }
}

fn throttled(message: &str, wait: Duration) -> AppError {
    AppError::RateLimited {
        message: format!("{message}; try again later"),
        // Whole seconds, rounded up: a client that waits this long is let in.
        retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "alice@example.com";

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn sign_ups_are_limited_per_address_with_a_retry_time() {
        let throttle = AuthThrottle::new(3, 10);
        for _ in 0..3 {
            throttle.sign_up(ip("10.0.0.1")).unwrap();
        }
        match throttle.sign_up(ip("10.0.0.1")) {
            Err(AppError::RateLimited {
                retry_after_secs, ..
            }) => assert!((1..=20).contains(&retry_after_secs), "{retry_after_secs}"),
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
        throttle.sign_up(ip("10.0.0.2")).unwrap();
    }

    #[test]
    fn only_failed_log_ins_spend() {
        let throttle = AuthThrottle::new(2, 10);
        for _ in 0..10 {
            throttle.log_in(ip("10.0.0.1"), ALICE).unwrap();
        }
        throttle.log_in_failed(ip("10.0.0.1"), ALICE);
        throttle.log_in_failed(ip("10.0.0.1"), ALICE);
        assert!(matches!(
            throttle.log_in(ip("10.0.0.1"), ALICE),
            Err(AppError::RateLimited { .. })
        ));
    }

    #[test]
    fn an_account_is_protected_whatever_the_address() {
        let throttle = AuthThrottle::new(0, 3);
        for n in 0..3 {
            let from = ip(&format!("10.0.0.{n}"));
            throttle.log_in(from, ALICE).unwrap();
            throttle.log_in_failed(from, ALICE);
        }
        assert!(throttle.log_in(ip("10.9.9.9"), ALICE).is_err());
        assert!(throttle.log_in(ip("10.9.9.9"), "bob@example.com").is_ok());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let throttle = AuthThrottle::new(0, 0);
        for _ in 0..1_000 {
            throttle.sign_up(ip("10.0.0.1")).unwrap();
            throttle.log_in_failed(ip("10.0.0.1"), ALICE);
        }
        assert!(throttle.log_in(ip("10.0.0.1"), ALICE).is_ok());
    }

    #[test]
    fn ipv6_addresses_share_their_network_bucket() {
        let throttle = AuthThrottle::new(1, 10);
        throttle.sign_up(ip("2001:db8::1")).unwrap();
        assert!(throttle.sign_up(ip("2001:db8::ffff")).is_err());
        assert!(throttle.sign_up(ip("2001:db8:0:1::1")).is_ok());
    }

    #[test]
    fn the_map_stays_bounded() {
        let buckets: Buckets<u32> = Buckets::new(1, Duration::from_secs(3600));
        for key in 0..(MAX_KEYS as u32 + 10) {
            buckets.spend(key);
        }
        assert!(buckets.lock().len() <= MAX_KEYS);
    }
}
