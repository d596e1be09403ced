//! The PostgreSQL LISTEN/NOTIFY broker, for deployments with no Redis.
//!
//! A transaction that writes events also sends one `NOTIFY` (see
//! `Broker::notice_in_transaction` and `notify::commit_then_publish`), so
//! the notice goes out if and only if the transaction commits, in commit
//! order. The notice carries ids, not bodies: the id range of the
//! notification rows the transaction wrote, which keeps it a few dozen
//! bytes whatever the number of recipients, far below PostgreSQL's 8,000
//! byte limit. Other events (chat) that are small ride along as JSON; when
//! they would not fit, the notice asks every listener to resync instead.
//!
//! Each replica LISTENs on one channel with a dedicated connection. On a
//! notice it loads, in one query, the rows of that range whose recipients
//! have subscribers in this process, and hands them to the local router.
//! When the listening connection drops, it reconnects with backoff,
//! LISTENs again, then makes every local subscription re-read the store
//! from its last delivered cursor: a notice sent while it was away is lost,
//! but its rows are in the store.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;
use async_trait::async_trait;
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio_util::sync::CancellationToken;

use super::{Broker, Event, LocalRouter, Topic};
use crate::{
    model::{Id, Notification, Notified},
    telemetry::metrics,
};

/// The label of this broker in metrics.
const KIND: &str = "postgres";

/// Reads the notifications with ids in `from..=to` whose recipients are
/// among those given: how a replica turns a notice into rows for its own
/// subscribers. Handed in by whoever builds the broker (the store's
/// `notifications_in_range`), so that the broker itself reads nothing.
pub type RowsInRange = Arc<
    dyn Fn(Id, Id, Vec<Id>) -> BoxFuture<'static, anyhow::Result<Vec<Notification>>> + Send + Sync,
>;

/// The channel every replica LISTENs on.
pub const CHANNEL: &str = "herald_events";

/// Bytes of inline events a notice may carry. PostgreSQL refuses payloads
/// of 8,000 bytes or more; this leaves room for the rest of the notice.
const INLINE_BUDGET: usize = 6_000;

/// First and longest wait between reconnection attempts.
const BACKOFF_MIN: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// The payload of one `NOTIFY`: what one transaction committed.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Notice {
    /// First and last id of the notification rows written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<(Id, Id)>,
    /// Other events, small enough to carry whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    e: Vec<Event>,
    /// Events too large to carry were committed: every subscription
    /// re-reads the store.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    resync: bool,
}

impl Notice {
    fn of(events: &[Event]) -> Option<Notice> {
        let mut notice = Notice::default();
        let mut inline_bytes = 0;
        for event in events {
            match event {
                Event::Notification(n) => {
                    let id = n.row.id;
                    notice.n = Some(match notice.n {
                        Some((from, to)) => (from.min(id), to.max(id)),
                        None => (id, id),
                    });
                }
                other => match serde_json::to_string(other) {
                    Ok(json) if inline_bytes + json.len() <= INLINE_BUDGET => {
                        inline_bytes += json.len();
                        notice.e.push(other.clone());
                    }
                    _ => notice.resync = true,
                },
            }
        }
        (notice.n.is_some() || !notice.e.is_empty() || notice.resync).then_some(notice)
    }
}

/// Replicas sharing events through PostgreSQL LISTEN/NOTIFY.
pub struct PostgresBroker {
    router: Arc<LocalRouter>,
    /// True while the listening connection is up.
    listening: Arc<AtomicBool>,
    /// Stops the listener task when the broker is dropped.
    shutdown: CancellationToken,
}

impl PostgresBroker {
    /// LISTENs on the database at `database_url` and starts routing
    /// notices to local subscribers, reading the rows a notice names with
    /// `rows_in_range`.
    pub async fn start(rows_in_range: RowsInRange, database_url: &str) -> anyhow::Result<Self> {
        let listener = listen(database_url)
            .await
            .context("LISTEN on the PostgreSQL database")?;
        let router = LocalRouter::new(None);
        let listening = Arc::new(AtomicBool::new(true));
        let shutdown = CancellationToken::new();
        tokio::spawn(
            ListenerTask {
                database_url: database_url.to_owned(),
                rows_in_range,
                router: Arc::clone(&router),
                listening: Arc::clone(&listening),
                shutdown: shutdown.clone(),
            }
            .run(listener),
        );
        Ok(PostgresBroker {
            router,
            listening,
            shutdown,
        })
    }
}

impl Drop for PostgresBroker {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

#[async_trait]
impl Broker for PostgresBroker {
    /// The notice already went out with the commit; handing the events to
    /// this process's subscribers as well spares them the round trip (the
    /// copy that comes back through the notice is skipped as a duplicate).
    async fn publish(&self, events: Vec<Event>) {
        metrics::broker_published(KIND, events.len());
        self.router.deliver(events);
    }

    fn router(&self) -> &Arc<LocalRouter> {
        &self.router
    }

    fn kind(&self) -> &'static str {
        KIND
    }

    async fn ready(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    fn notice_in_transaction(&self, events: &[Event]) -> Option<(String, String)> {
        let notice = Notice::of(events)?;
        match serde_json::to_string(&notice) {
            Ok(payload) => Some((CHANNEL.to_owned(), payload)),
            Err(err) => {
                tracing::error!(error = %err, "cannot serialise a notice");
                None
            }
        }
    }
}

async fn listen(database_url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(database_url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

struct ListenerTask {
    database_url: String,
    rows_in_range: RowsInRange,
    router: Arc<LocalRouter>,
    listening: Arc<AtomicBool>,
    shutdown: CancellationToken,
}

impl ListenerTask {
    async fn run(self, mut listener: PgListener) {
        loop {
            let received = tokio::select! {
                _ = self.shutdown.cancelled() => return,
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(notification)) => self.route(notification.payload()).await,
                // The connection dropped and `PgListener` has already
                // reconnected and LISTENed again (its eager reconnect).
                Ok(None) => {
                    tracing::warn!("LISTEN connection was lost and is back");
                    metrics::broker_reconnected(KIND);
                    self.router.resync_all();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "LISTEN connection lost");
                    self.listening.store(false, Ordering::Relaxed);
                    let Some(again) = self.reconnect().await else {
                        return;
                    };
                    listener = again;
                    self.listening.store(true, Ordering::Relaxed);
                    tracing::info!("LISTEN connection restored");
                    metrics::broker_reconnected(KIND);
                    self.router.resync_all();
                }
            }
        }
    }

    /// A new listening connection, after as many attempts as it takes;
    /// `None` at shutdown.
    async fn reconnect(&self) -> Option<PgListener> {
        let mut wait = BACKOFF_MIN;
        loop {
            tokio::select! {
                _ = self.shutdown.cancelled() => return None,
                _ = tokio::time::sleep(wait) => {}
            }
            match listen(&self.database_url).await {
                Ok(listener) => return Some(listener),
                Err(err) => tracing::warn!(error = %err, "cannot LISTEN yet"),
            }
            wait = (wait * 2).min(BACKOFF_MAX);
        }
    }

    /// Hands what a notice names to the local subscribers that want it.
    async fn route(&self, payload: &str) {
        let notice: Notice = match serde_json::from_str(payload) {
            Ok(notice) => notice,
            Err(err) => {
                // From a newer replica: the store still has the rows.
                tracing::warn!(error = %err, "undecodable notice; resyncing");
                self.router.resync_all();
                return;
            }
        };
        if let Some((from, to)) = notice.n {
            let recipients = local_recipients(&self.router.topics());
            if !recipients.is_empty() {
                match (self.rows_in_range)(from, to, recipients).await {
                    Ok(rows) => {
                        metrics::broker_received(KIND, rows.len());
                        self.router.deliver(
                            rows.into_iter()
                                .map(|n| Event::Notification(Arc::new(Notified::stored(n)))),
                        );
                    }
                    Err(err) => {
                        tracing::warn!(
                            error = format!("{err:#}"),
                            "cannot load notified rows; resyncing"
                        );
                        self.router.resync_all();
                    }
                }
            }
        }
        if !notice.e.is_empty() {
            metrics::broker_received(KIND, notice.e.len());
            self.router.deliver(notice.e);
        }
        if notice.resync {
            self.router.resync_all();
        }
    }
}

/// The recipients among `topics`.
fn local_recipients(topics: &[Topic]) -> Vec<Id> {
    topics
        .iter()
        .filter_map(|topic| match topic {
            Topic::User(id) => Some(*id),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: Id) -> Event {
        let row: Notification = serde_json::from_value(serde_json::json!({
            "id": id, "recipient_id": id * 10, "prev_id": 0, "kind": "CARD_UPDATED",
            "message": "m".repeat(500), "actor_id": null, "card_id": null,
            "comment_id": null, "post_id": null, "created_at": 0, "read_at": null,
        }))
        .unwrap();
        Event::Notification(Arc::new(Notified::stored(row)))
    }

    #[test]
    fn a_notice_names_the_id_range_whatever_the_fan_out() {
        let events: Vec<Event> = (1_000..11_000).map(note).collect();
        let notice = Notice::of(&events).unwrap();
        assert_eq!(notice.n, Some((1_000, 10_999)));
        let payload = serde_json::to_string(&notice).unwrap();
        assert!(payload.len() < 100, "{payload}");
        let back: Notice = serde_json::from_str(&payload).unwrap();
        assert_eq!(back.n, notice.n);
        assert!(back.e.is_empty() && !back.resync);
        assert!(Notice::of(&[]).is_none());
    }
}
