//! A rate per push service: a token bucket for each endpoint origin, so
//! that a burst of notifications (a busy board, a large chat room) is
//! spread out instead of earning Herald a 429 from the push service that
//! all of a browser vendor's users share.
//!
//! The buckets live in memory, per process, in a map of bounded size: the
//! push services in use are a handful (one per browser vendor), and an
//! origin pushed out of the map only comes back with a full bucket, which
//! is what an idle origin has anyway.

use std::{
    num::NonZeroUsize,
    sync::Mutex,
    time::{Duration, Instant},
};

use lru::LruCache;

/// Token buckets keyed by push-service origin.
pub struct OriginThrottle {
    /// Tokens a bucket holds when full: the burst one origin may take.
    capacity: f64,
    /// Tokens added back each second: the sustained rate per origin.
    per_second: f64,
    /// A std mutex: it is held for a few arithmetic operations and never
    /// across an `.await`.
    buckets: Mutex<LruCache<String, Bucket>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl OriginThrottle {
    /// `per_second` messages a second to each origin, in bursts of up to
    /// `burst`, remembering at most `max_origins` origins.
    pub fn new(per_second: f64, burst: u32, max_origins: NonZeroUsize) -> Self {
        OriginThrottle {
            capacity: f64::from(burst.max(1)),
            // A rate of zero (or less, or NaN) would never refill.
            per_second: if per_second > 0.0 {
                per_second
            } else {
                f64::MIN_POSITIVE
            },
            buckets: Mutex::new(LruCache::new(max_origins)),
        }
    }

    /// Takes one token from `origin`'s bucket at `now`, or, when it is
    /// empty, says how long until it has one (nothing is taken then).
    pub fn acquire(&self, origin: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let bucket = match buckets.get(origin) {
            Some(bucket) => {
                let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
                Bucket {
                    tokens: (bucket.tokens + elapsed * self.per_second).min(self.capacity),
                    updated: now,
                }
            }
            None => Bucket {
                tokens: self.capacity,
                updated: now,
            },
        };
        if bucket.tokens >= 1.0 {
            buckets.put(
                origin.to_owned(),
                Bucket {
                    tokens: bucket.tokens - 1.0,
                    ..bucket
                },
            );
            Ok(())
        } else {
            buckets.put(origin.to_owned(), bucket);
            Err(Duration::from_secs_f64(
                ((1.0 - bucket.tokens) / self.per_second).min(Duration::MAX.as_secs_f64() / 2.0),
            ))
        }
    }

    /// How many origins have a bucket.
    pub fn origins(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FCM: &str = "https://fcm.googleapis.com";
    const MOZILLA: &str = "https://updates.push.services.mozilla.com";

    fn throttle(per_second: f64, burst: u32, max_origins: usize) -> OriginThrottle {
        OriginThrottle::new(per_second, burst, NonZeroUsize::new(max_origins).unwrap())
    }

    #[test]
    fn a_burst_passes_then_the_rate_holds() {
        let throttle = throttle(10.0, 3, 8);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(throttle.acquire(FCM, start), Ok(()));
        }
        let wait = throttle.acquire(FCM, start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
        // Another origin has its own bucket.
        assert_eq!(throttle.acquire(MOZILLA, start), Ok(()));
        // A tenth of a second later one more token is there, and only one.
        let later = start + Duration::from_millis(100);
        assert_eq!(throttle.acquire(FCM, later), Ok(()));
        assert!(throttle.acquire(FCM, later).is_err());
        // After a long pause the bucket is full again, not fuller.
        let much_later = start + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(throttle.acquire(FCM, much_later), Ok(()));
        }
        assert!(throttle.acquire(FCM, much_later).is_err());
    }

    #[test]
    fn the_map_of_origins_is_bounded() {
        let throttle = throttle(1.0, 1, 2);
        let now = Instant::now();
        for n in 0..10 {
            assert_eq!(
                throttle.acquire(&format!("https://push{n}.example"), now),
                Ok(())
            );
        }
        assert_eq!(throttle.origins(), 2);
    }

    #[test]
    fn a_zero_rate_still_answers_with_a_finite_wait() {
        let throttle = throttle(0.0, 1, 2);
        let now = Instant::now();
        assert_eq!(throttle.acquire(FCM, now), Ok(()));
        assert!(throttle.acquire(FCM, now).unwrap_err() > Duration::from_secs(3600));
    }
}
