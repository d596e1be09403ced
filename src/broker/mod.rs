//! The broker: hands committed events to the subscriptions that want them.
//!
//! Events are routed by `Topic` (a recipient, or a chat room): publishing
//! touches only that topic's subscribers, never every connection. Within a
//! process, `LocalRouter` keeps one bounded broadcast channel per topic
//! that has local subscribers. The `Broker` implementations decide how an
//! event reaches the `LocalRouter` of every process: directly (the
//! in-process broker), or through Redis or PostgreSQL in a deployment of
//! several replicas.
//!
//! Delivery through a broker is a fast path, not the record: the store is.
//! When a subscription falls behind (its buffer overflowed) or the broker
//! lost messages (a reconnect), the subscription receives
//! `Delivery::Resync` and re-reads the store from its last cursor.

mod memory;
mod postgres;
mod redis;
mod router;

use std::sync::Arc;

use async_trait::async_trait;

pub use crate::model::{Event, Topic};

pub use memory::MemoryBroker;
pub use postgres::{PostgresBroker, RowsInRange};
pub use redis::{RedisBroker, client as redis_client};
pub use router::{Interest, LocalRouter, SUBSCRIBER_BUFFER, Subscription};

/// What a subscription receives.
#[derive(Clone, Debug)]
pub enum Delivery {
    Event(Event),
    /// Events may have been lost on the way: re-read the store.
    Resync,
}

/// Counters a test or an operator can read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BrokerStats {
    /// Live subscriptions of clients in this process.
    pub subscriptions: usize,
    /// Topics with at least one live client subscription in this process.
    pub topics: usize,
}

/// Publishes committed events and opens subscriptions.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Hands events to their subscribers. Call only after the transaction
    /// that wrote them has committed. Never waits on a subscriber.
    async fn publish(&self, events: Vec<Event>);

    /// This process's router, where subscriptions are opened and events
    /// are handed to them.
    fn router(&self) -> &Arc<LocalRouter>;

    /// Which broker this is (`memory`, `redis`, `postgres`), as the
    /// metrics label it.
    fn kind(&self) -> &'static str;

    /// Starts receiving the events of `topic`.
    async fn subscribe(&self, topic: Topic) -> anyhow::Result<Subscription> {
        Ok(self.router().subscribe(topic))
    }

    /// A mark taken before a store read, for `Subscription::quiet_since`;
    /// `None` when this broker cannot vouch that every event published
    /// after the mark reaches the router (it subscribes upstream per
    /// topic, so events before that subscription is confirmed never do).
    fn epoch(&self) -> Option<u64> {
        Some(self.router().epoch())
    }

    /// Live subscription counters of this process.
    fn stats(&self) -> BrokerStats {
        self.router().stats()
    }

    /// True when the broker can deliver (its connection, if any, is up).
    async fn ready(&self) -> bool;

    /// Waits, at most `within`, until what was published has left this
    /// process (a shutdown calls it last). Immediate for brokers that hold
    /// nothing back.
    async fn flush(&self, _within: std::time::Duration) {}

    /// A notice to send from inside the transaction that writes `events`,
    /// as `(channel, payload)`, for a broker whose delivery is part of the
    /// transaction (PostgreSQL LISTEN/NOTIFY: the notice goes out on
    /// commit, and only then). `None` for brokers that are handed the
    /// events by `publish` after the commit.
    fn notice_in_transaction(&self, _events: &[Event]) -> Option<(String, String)> {
        None
    }
}
