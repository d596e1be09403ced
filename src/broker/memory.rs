//! The in-process broker: the default for a single server process.

use std::sync::Arc;

use async_trait::async_trait;

use super::{Broker, BrokerStats, Event, LocalRouter, Subscription, Topic};

/// Publishing goes straight to the local router.
pub struct MemoryBroker {
    router: Arc<LocalRouter>,
}

impl MemoryBroker {
    pub fn new() -> Self {
        MemoryBroker {
            router: LocalRouter::new(None),
        }
    }
}

impl Default for MemoryBroker {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Broker for MemoryBroker {
    async fn publish(&self, events: Vec<Event>) {
        self.router.deliver(events);
    }

    async fn subscribe(&self, topic: Topic) -> anyhow::Result<Subscription> {
        Ok(self.router.subscribe(topic))
    }

    fn stats(&self) -> BrokerStats {
        self.router.stats()
    }

    async fn ready(&self) -> bool {
        true
    }
}
