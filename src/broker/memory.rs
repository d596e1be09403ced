//! The in-process broker: the default for a single server process.

use std::sync::Arc;

use async_trait::async_trait;

use super::{Broker, Event, LocalRouter};
use crate::telemetry::metrics;

/// The label of this broker in metrics.
const KIND: &str = "memory";

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
        // Published and received are one step here.
        metrics::broker_published(KIND, events.len());
        metrics::broker_received(KIND, events.len());
        self.router.deliver(events);
    }

    fn router(&self) -> &Arc<LocalRouter> {
        &self.router
    }

    fn kind(&self) -> &'static str {
        KIND
    }

    async fn ready(&self) -> bool {
        true
    }
}
