//! Routing by topic inside one process.
//!
//! One `tokio::sync::broadcast` channel per topic that has at least one
//! local subscription, in a map behind a `std::sync::Mutex` (as in
//! mini-redis's `Db`): the critical sections are a hash lookup and a
//! non-blocking send, so a blocking mutex is cheaper than an async one and
//! is never held across an `.await`. A broadcast channel never blocks the
//! sender: a subscriber that falls more than `SUBSCRIBER_BUFFER` events
//! behind gets `Lagged`, which we turn into `Delivery::Resync`.

use std::{
    collections::HashMap,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    task::{Context, Poll},
};

use futures_util::Stream;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::{BroadcastStream, errors::BroadcastStreamRecvError};

use super::{BrokerStats, Delivery, Event, Topic};
use crate::telemetry::metrics::{self, Held, Resync};

/// Events a subscription may fall behind by before it must resync from
/// the store. Bursts to one recipient are rare (a user is the target of a
/// handful of events a second at most), and a resync costs one indexed
/// read, so a small buffer keeps idle memory per topic low: every topic
/// with a subscriber holds this many slots of ~50 bytes (64 slots were
/// 3.5 KiB per topic, as much as a third of an idle subscription).
pub const SUBSCRIBER_BUFFER: usize = 16;

/// A change in which topics have local subscribers, for brokers that must
/// subscribe upstream (Redis) only to what this process needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interest {
    Opened(Topic),
    Closed(Topic),
}

/// The per-process map from topic to its subscribers.
pub struct LocalRouter {
    topics: Mutex<HashMap<Topic, broadcast::Sender<Delivery>>>,
    subscriptions: AtomicUsize,
    /// Bumped, under the `topics` lock, by every delivery and resync: a
    /// subscription registered at the same value as an earlier `epoch()`
    /// knows that nothing reached this router in between.
    epoch: AtomicU64,
    /// Told when a topic gets its first or loses its last subscriber.
    interest: Option<mpsc::UnboundedSender<Interest>>,
}

impl LocalRouter {
    pub fn new(interest: Option<mpsc::UnboundedSender<Interest>>) -> Arc<Self> {
        Arc::new(LocalRouter {
            topics: Mutex::new(HashMap::new()),
            subscriptions: AtomicUsize::new(0),
            epoch: AtomicU64::new(0),
            interest,
        })
    }

    /// Delivers each event to the local subscribers of its topic.
    pub fn deliver(&self, events: impl IntoIterator<Item = Event>) {
        let topics = self.topics.lock().expect("router lock poisoned");
        self.epoch.fetch_add(1, Ordering::SeqCst);
        for event in events {
            if let Some(sender) = topics.get(&event.topic()) {
                // An error only means nobody is listening any more.
                let _ = sender.send(Delivery::Event(event));
            }
        }
    }

    /// Tells every local subscription to re-read the store, e.g. after the
    /// upstream broker connection was lost and restored.
    pub fn resync_all(&self) {
        let topics = self.topics.lock().expect("router lock poisoned");
        self.epoch.fetch_add(1, Ordering::SeqCst);
        for sender in topics.values() {
            let _ = sender.send(Delivery::Resync);
        }
    }

    /// True when `topic` has a subscriber in this process.
    pub fn has_subscribers(&self, topic: &Topic) -> bool {
        let topics = self.topics.lock().expect("router lock poisoned");
        topics.contains_key(topic)
    }

    /// Topics that currently have local subscribers.
    pub fn topics(&self) -> Vec<Topic> {
        let topics = self.topics.lock().expect("router lock poisoned");
        topics.keys().copied().collect()
    }

    /// A mark to compare with `Subscription::quiet_since`: read it before
    /// the store read that a subscription will start from.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    pub fn subscribe(self: &Arc<Self>, topic: Topic) -> Subscription {
        let (receiver, epoch) = {
            let mut topics = self.topics.lock().expect("router lock poisoned");
            let epoch = self.epoch.load(Ordering::SeqCst);
            let receiver = match topics.get(&topic) {
                Some(sender) => sender.subscribe(),
                None => {
                    let (sender, receiver) = broadcast::channel(SUBSCRIBER_BUFFER);
                    topics.insert(topic, sender);
                    if let Some(interest) = &self.interest {
                        let _ = interest.send(Interest::Opened(topic));
                    }
                    receiver
                }
            };
            (receiver, epoch)
        };
        if topic.counts() {
            self.subscriptions.fetch_add(1, Ordering::Relaxed);
        }
        Subscription {
            receiver: BroadcastStream::new(receiver),
            epoch,
            _guard: SubscriptionGuard {
                router: Arc::clone(self),
                topic,
                _held: field_of(topic).map(metrics::subscription),
            },
        }
    }

    pub fn stats(&self) -> BrokerStats {
        let topics = self
            .topics
            .lock()
            .expect("router lock poisoned")
            .keys()
            .filter(|topic| topic.counts())
            .count();
        BrokerStats {
            subscriptions: self.subscriptions.load(Ordering::Relaxed),
            topics,
        }
    }
}

/// The GraphQL subscription field that listens to `topic`, as the
/// subscription gauge labels it; `None` for the replica's own topics.
fn field_of(topic: Topic) -> Option<&'static str> {
    match topic {
        Topic::User(_) => Some("notifications"),
        Topic::Room(_) => Some("chatMessages"),
        Topic::Control => None,
    }
}

/// A live subscription to one topic. Dropping it unsubscribes.
pub struct Subscription {
    // Declared before the guard so that the receiver is gone by the time
    // the guard checks whether the topic still has receivers.
    receiver: BroadcastStream<Delivery>,
    /// The router's epoch when this subscription was registered.
    epoch: u64,
    _guard: SubscriptionGuard,
}

impl Subscription {
    /// True when nothing was delivered or resynced through this router
    /// between `mark` (an earlier `LocalRouter::epoch`) and this
    /// subscription's registration: a store read taken after `mark` then
    /// already holds everything the subscription could have missed.
    pub fn quiet_since(&self, mark: u64) -> bool {
        self.epoch == mark
    }
}

impl Stream for Subscription {
    type Item = Delivery;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Delivery>> {
        let counts = self._guard.topic.counts();
        Pin::new(&mut self.receiver).poll_next(cx).map(|item| {
            item.map(|result| match result {
                Ok(Delivery::Resync) => {
                    if counts {
                        metrics::resync(Resync::Broker);
                    }
                    Delivery::Resync
                }
                Ok(delivery) => delivery,
                Err(BroadcastStreamRecvError::Lagged(_)) => {
                    if counts {
                        metrics::resync(Resync::Overflow);
                    }
                    Delivery::Resync
                }
            })
        })
    }
}

struct SubscriptionGuard {
    router: Arc<LocalRouter>,
    topic: Topic,
    /// This subscription's place in the subscription gauge.
    _held: Option<Held>,
}

impl Drop for SubscriptionGuard {
    fn drop(&mut self) {
        if self.topic.counts() {
            self.router.subscriptions.fetch_sub(1, Ordering::Relaxed);
        }
        let mut topics = self.router.topics.lock().expect("router lock poisoned");
        if topics
            .get(&self.topic)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            topics.remove(&self.topic);
            if let Some(interest) = &self.router.interest {
                let _ = interest.send(Interest::Closed(self.topic));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Notification, Notified};
    use futures_util::StreamExt;

    fn note(id: i64, recipient: i64) -> Event {
        let row = Notification::bare(id, recipient, id - 1);
        Event::Notification(Arc::new(Notified::stored(row)))
    }

    fn id_of(delivery: Delivery) -> i64 {
        match delivery {
            Delivery::Event(Event::Notification(n)) => n.row.id,
            Delivery::Event(_) => -2,
            Delivery::Resync => -1,
        }
    }

    #[tokio::test]
    async fn events_reach_only_their_topic() {
        let router = LocalRouter::new(None);
        let mut one = router.subscribe(Topic::User(1));
        let mut two = router.subscribe(Topic::User(2));
        router.deliver([note(10, 1), note(11, 2), note(12, 1)]);
        assert_eq!(id_of(one.next().await.unwrap()), 10);
        assert_eq!(id_of(one.next().await.unwrap()), 12);
        assert_eq!(id_of(two.next().await.unwrap()), 11);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(20), two.next())
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn overflow_becomes_resync_and_never_blocks() {
        let router = LocalRouter::new(None);
        let mut slow = router.subscribe(Topic::User(1));
        router.deliver((1..=(SUBSCRIBER_BUFFER as i64 + 10)).map(|id| note(id, 1)));
        assert!(matches!(slow.next().await, Some(Delivery::Resync)));
    }

    #[tokio::test]
    async fn last_unsubscribe_removes_the_topic_and_reports_interest() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let router = LocalRouter::new(Some(tx));
        let a = router.subscribe(Topic::User(7));
        let b = router.subscribe(Topic::User(7));
        assert_eq!(
            router.stats(),
            BrokerStats {
                subscriptions: 2,
                topics: 1
            }
        );
        drop(a);
        assert_eq!(
            router.stats(),
            BrokerStats {
                subscriptions: 1,
                topics: 1
            }
        );
        drop(b);
        assert_eq!(router.stats(), BrokerStats::default());
        assert_eq!(rx.recv().await, Some(Interest::Opened(Topic::User(7))));
        assert_eq!(rx.recv().await, Some(Interest::Closed(Topic::User(7))));
    }

    #[test]
    fn a_subscription_is_quiet_only_when_nothing_passed_since_the_mark() {
        let router = LocalRouter::new(None);
        let mark = router.epoch();
        assert!(router.subscribe(Topic::User(1)).quiet_since(mark));

        // An event for any topic, even one nobody here listens to, may
        // have been committed after a store read that began at `mark`.
        router.deliver([note(5, 2)]);
        assert!(!router.subscribe(Topic::User(1)).quiet_since(mark));

        let mark = router.epoch();
        router.resync_all();
        assert!(!router.subscribe(Topic::User(1)).quiet_since(mark));
    }
}
