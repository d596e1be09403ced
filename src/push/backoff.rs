//! How long to wait before trying a push message again: exponential
//! (1 s, 2 s, 4 s, …) so that a struggling push service is not hammered,
//! capped so that a message is not parked for ever, and jittered so that
//! the messages that failed together do not all come back together.

use std::time::Duration;

/// The first wait: a push service that answered 503 once usually answers
/// the next request a second later.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// The longest wait: after nine doublings (1 s → 256 s) the next would
/// pass five minutes, and a notification later than that loses most of
/// its point; the delivery worker gives up on a message after its own
/// number of attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// The wait before retry number `attempt` (0 for the first retry), with
/// `jitter` in `[0, 1]`: between half and all of `1 s × 2^attempt`, at
/// most `MAX_BACKOFF`. Pure, so that its bounds can be tested.
pub fn backoff_with_jitter(attempt: u32, jitter: f64) -> Duration {
    let ceiling = FIRST_BACKOFF
        .checked_mul(2u32.saturating_pow(attempt))
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF);
    // "Equal jitter": half of the wait is kept, so that retries never come
    // back sooner than half the schedule; the other half is spread.
    let half = ceiling / 2;
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    half + half.mul_f64(jitter)
}

/// The wait before retry number `attempt`, with random jitter.
pub fn backoff_delay(attempt: u32) -> Duration {
    backoff_with_jitter(attempt, rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_within_half_and_all_of_the_schedule() {
        for attempt in 0..9 {
            let ceiling = Duration::from_secs(1 << attempt);
            assert_eq!(backoff_with_jitter(attempt, 0.0), ceiling / 2);
            assert_eq!(backoff_with_jitter(attempt, 1.0), ceiling);
            let random = backoff_delay(attempt);
            assert!(random >= ceiling / 2 && random <= ceiling, "{random:?}");
        }
    }

    #[test]
    fn waits_stop_growing_at_the_cap() {
        for attempt in [9, 10, 31, 32, 1000, u32::MAX] {
            assert_eq!(backoff_with_jitter(attempt, 1.0), MAX_BACKOFF);
            assert_eq!(backoff_with_jitter(attempt, 0.0), MAX_BACKOFF / 2);
            assert!(backoff_delay(attempt) <= MAX_BACKOFF);
        }
        // Out-of-range jitter is clamped, never stretching past the cap.
        assert_eq!(backoff_with_jitter(20, 7.0), MAX_BACKOFF);
        assert_eq!(backoff_with_jitter(0, -1.0), FIRST_BACKOFF / 2);
        assert_eq!(backoff_with_jitter(0, f64::NAN), FIRST_BACKOFF / 2);
    }
}
