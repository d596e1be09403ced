//! The ledger of who received what, shared by the delivery scenarios.
//!
//! A scenario numbers the events it causes (`p2p`'s updates, `fanout`'s
//! rounds) and writes the number into the event as the marker `#L<n>#`;
//! each event should reach a fixed number of receiving slots (`p2p`: the
//! assignee's K subscriptions; `fanout`: the F followers). The sender notes
//! when each event left; the socket readers hand every frame here, and the
//! ledger counts each (event, slot) pair once, times it against its send,
//! and counts everything else: duplicates, frames that are not ours, error
//! frames, and the misrouted ones a scenario's own check finds. The first
//! `warm_up` events prove the subscriptions live: they are checked but not
//! timed.
//!
//! Everything is atomic, so thousands of reader tasks record at once
//! without a lock; only the latency list takes one.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering},
};

use serde::Serialize;
use tokio::time::Instant;

use super::subscribers::Recorder;
use crate::ws;

pub struct Ledger {
    /// The instant all send and delivery times are counted from, so that
    /// they fit in atomics.
    t0: Instant,
    /// Receiving slots per event: each must receive the event once.
    slots: usize,
    /// Events below this number are the warm-up: checked, not timed.
    warm_up: usize,
    /// Set when the warm-up is sent again: its receivers then hear it
    /// twice, and that is not the server repeating itself.
    warm_up_resent: AtomicBool,
    /// Nanoseconds after `t0` at which each event was sent.
    sent_at: Vec<AtomicU64>,
    /// Deliveries of each event so far …
    count: Vec<AtomicU64>,
    /// … and nanoseconds after `t0` at which the latest was read.
    last_at: Vec<AtomicU64>,
    /// One flag per (event, slot): delivered yet?
    seen: Vec<AtomicU8>,
    /// Send-to-read time of every timed delivery, in microseconds.
    latencies: Mutex<Vec<u64>>,
    delivered: AtomicU64,
    duplicated: AtomicU64,
    misrouted: AtomicU64,
    unexpected: AtomicU64,
    errors: AtomicU64,
}

/// What the ledger counted, as the summaries print it.
#[derive(Debug, Serialize)]
pub struct Tally {
    pub expected: u64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub unexpected_frames: u64,
    pub error_frames: u64,
    /// The first events (at most `SHOWN_INCOMPLETE`) that reached fewer
    /// than all their slots, as `[event, deliveries]`: where to look when
    /// something was lost.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<(usize, u64)>,
}

/// How many incomplete events a tally names.
const SHOWN_INCOMPLETE: usize = 20;

impl Tally {
    /// Deliveries that went wrong: lost or duplicated.
    pub fn faults(&self) -> u64 {
        self.lost + self.duplicated
    }
}

impl Ledger {
    /// A ledger for `events` events of `slots` receivers each, the first
    /// `warm_up` of them untimed; the clock starts now.
    pub fn new(events: usize, slots: usize, warm_up: usize) -> Self {
        let atomics = |n: usize| (0..n).map(|_| AtomicU64::new(0)).collect();
        Ledger {
            t0: Instant::now(),
            slots,
            warm_up,
            warm_up_resent: AtomicBool::new(false),
            sent_at: atomics(events),
            count: atomics(events),
            last_at: atomics(events),
            seen: (0..events * slots).map(|_| AtomicU8::new(0)).collect(),
            latencies: Mutex::new(Vec::with_capacity(events.saturating_sub(warm_up) * slots)),
            delivered: AtomicU64::new(0),
            duplicated: AtomicU64::new(0),
            misrouted: AtomicU64::new(0),
            unexpected: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }

    /// How many events the ledger has room for.
    pub fn events(&self) -> usize {
        self.sent_at.len()
    }

    /// Notes that `event` is being sent now, and returns the instant.
    pub fn mark_sent(&self, event: usize) -> Instant {
        let now = Instant::now();
        self.sent_at[event].store(self.nanos_since_t0(now), Ordering::Relaxed);
        now
    }

    /// The warm-up is about to be sent again (see `warm_up_resent`).
    pub fn note_warm_up_resent(&self) {
        self.warm_up_resent.store(true, Ordering::Relaxed);
    }

    /// The event a delivery frame reports. An error frame, or one without
    /// a marker this ledger knows, is counted and gives `None`.
    pub fn event_of(&self, frame: &str) -> Option<usize> {
        if !ws::is_next(frame) {
            self.errors.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let event = ws::marker(frame)
            .map(|n| n as usize)
            .filter(|&n| n < self.events());
        if event.is_none() {
            self.unexpected.fetch_add(1, Ordering::Relaxed);
        }
        event
    }

    /// Counts a frame that reached the wrong user, card or subscription.
    pub fn misrouted(&self) {
        self.misrouted.fetch_add(1, Ordering::Relaxed);
    }

    /// Records that `slot` received `event`, read at `at`: once is a
    /// delivery (timed unless it is the warm-up), again a duplicate.
    pub fn record(&self, event: usize, slot: usize, at: Instant) {
        if self.seen[event * self.slots + slot].swap(1, Ordering::Relaxed) == 1 {
            if !(event < self.warm_up && self.warm_up_resent.load(Ordering::Relaxed)) {
                self.duplicated.fetch_add(1, Ordering::Relaxed);
            }
            return;
        }
        let read = self.nanos_since_t0(at);
        // The latest read before the count: whoever sees the count
        // complete finds the time of the last delivery already there.
        self.last_at[event].fetch_max(read, Ordering::Relaxed);
        self.count[event].fetch_add(1, Ordering::Relaxed);
        self.delivered.fetch_add(1, Ordering::Relaxed);
        if event >= self.warm_up {
            let sent = self.sent_at[event].load(Ordering::Relaxed);
            self.latencies
                .lock()
                .expect("latency list poisoned")
                .push(read.saturating_sub(sent) / 1000);
        }
    }

    /// Deliveries so far, of all events.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Deliveries of `event` so far.
    pub fn delivered_of(&self, event: usize) -> u64 {
        self.count[event].load(Ordering::Relaxed)
    }

    /// Microseconds from `event`'s send to its latest delivery.
    pub fn last_delivery_micros(&self, event: usize) -> u64 {
        let sent = self.sent_at[event].load(Ordering::Relaxed);
        let last = self.last_at[event].load(Ordering::Relaxed);
        last.saturating_sub(sent) / 1000
    }

    /// Frames that reached the wrong place, so far.
    pub fn misrouted_count(&self) -> u64 {
        self.misrouted.load(Ordering::Relaxed)
    }

    /// The latencies of the timed deliveries, in microseconds, taken out.
    pub fn take_latencies(&self) -> Vec<u64> {
        std::mem::take(&mut *self.latencies.lock().expect("latency list poisoned"))
    }

    /// The counts, against the `expected` number of deliveries.
    pub fn tally(&self, expected: u64) -> Tally {
        let delivered = self.delivered();
        Tally {
            expected,
            delivered,
            lost: expected.saturating_sub(delivered),
            duplicated: self.duplicated.load(Ordering::Relaxed),
            unexpected_frames: self.unexpected.load(Ordering::Relaxed),
            error_frames: self.errors.load(Ordering::Relaxed),
            incomplete: self.incomplete(),
        }
    }

    /// Events sent but not delivered to every slot (the first few).
    fn incomplete(&self) -> Vec<(usize, u64)> {
        (0..self.events())
            .filter(|&event| self.sent_at[event].load(Ordering::Relaxed) > 0)
            .map(|event| (event, self.delivered_of(event)))
            .filter(|&(_, delivered)| delivered < self.slots as u64)
            .take(SHOWN_INCOMPLETE)
            .collect()
    }

    fn nanos_since_t0(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.t0).as_nanos() as u64
    }
}

/// For a scenario whose frames need no check beyond their marker, and
/// whose slots are the subscribers themselves (one subscription each).
impl Recorder for Ledger {
    fn on_frame(&self, subscriber: usize, frame: &str, at: Instant) {
        if let Some(event) = self.event_of(frame) {
            self.record(event, subscriber, at);
        }
    }
}
