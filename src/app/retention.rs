//! Retention: the sweep that deletes notifications and chat messages once
//! they are older than the operator's policy, and the background task
//! that runs it every minute.
//!
//! A deletion is news only to the inbox counts: live subscribers never
//! need a deleted row (it is older than anything they are waiting for),
//! but a user whose unread notifications expire gets an inbox change
//! (EXPIRED) that takes them off the badge, committed with the deletion
//! and then published like any mutation's. A client that comes back with
//! a cursor into deleted rows is told CURSOR_EXPIRED when it resumes (see
//! `graphql::subscriptions`).
//!
//! The work is cut into short transactions of `BATCH` rows with a pause
//! between them, so that a backlog (the first sweep after the policy is
//! turned on) never holds SQLite's single writer, or PostgreSQL row
//! locks, for long: writers slip in between batches.

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use tokio_util::sync::CancellationToken;

use crate::{
    app::commit_then_publish,
    broker::Broker,
    config::Config,
    model::Event,
    store::{Retained, Store, StoreResult},
    telemetry::metrics,
};

/// Rows deleted per transaction: a few milliseconds of work on either
/// backend, short enough that a writer queued behind it barely notices.
pub const BATCH: i64 = 1_000;

/// Pause between two batches of one sweep, so that queued writers run.
pub const PAUSE: Duration = Duration::from_millis(20);

/// How long each kind is kept; `None` keeps it for ever.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    pub notifications: Option<Duration>,
    pub chat_messages: Option<Duration>,
}

impl Policy {
    pub fn from_config(config: &Config) -> Self {
        Policy {
            notifications: config.notification_retention(),
            chat_messages: config.chat_retention(),
        }
    }

    /// True when something is ever deleted.
    pub fn is_set(&self) -> bool {
        self.notifications.is_some() || self.chat_messages.is_some()
    }
}

/// What one sweep deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub notifications: u64,
    pub chat_messages: u64,
}

/// Deletes every notification and chat message that `policy` says is
/// expired at `now`, batch by batch. Notifications go first, so that the
/// chat messages only their mentions kept go in the same sweep.
pub async fn sweep(
    store: &Store,
    broker: &Arc<dyn Broker>,
    policy: &Policy,
    now: SystemTime,
) -> StoreResult<Swept> {
    let mut swept = Swept::default();
    if let Some(keep) = policy.notifications {
        let older_than = cutoff(now, keep);
        swept.notifications =
            sweep_kind(store, broker, Retained::Notifications, older_than).await?;
    }
    if let Some(keep) = policy.chat_messages {
        let older_than = cutoff(now, keep);
        swept.chat_messages = sweep_kind(store, broker, Retained::ChatMessages, older_than).await?;
    }
    Ok(swept)
}

/// Deletes batches of `kind` created before `older_than` until a batch
/// comes back short; each batch is a transaction of its own.
async fn sweep_kind(
    store: &Store,
    broker: &Arc<dyn Broker>,
    kind: Retained,
    older_than: i64,
) -> StoreResult<u64> {
    let mut total = 0;
    loop {
        let mut tx = store.begin_write().await?;
        let (deleted, changes) = tx.delete_expired(kind, older_than, BATCH).await?;
        let events = changes
            .into_iter()
            .map(|change| Event::InboxChanged(Arc::new(change)))
            .collect();
        commit_then_publish(tx, broker, events).await?;
        metrics::retention_deleted(kind_label(kind), deleted);
        total += deleted;
        if deleted < BATCH as u64 {
            return Ok(total);
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// `kind` as the metrics label it.
fn kind_label(kind: Retained) -> &'static str {
    match kind {
        Retained::Notifications => "notifications",
        Retained::ChatMessages => "chat_messages",
    }
}

/// `now` minus `keep`, in the store's microseconds since the Unix epoch.
fn cutoff(now: SystemTime, keep: Duration) -> i64 {
    let since_epoch = now
        .checked_sub(keep)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .unwrap_or_default();
    i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX)
}

/// Sweeps at once, then every `every`, until `stop` is cancelled (the
/// server shuts down). A failed sweep is logged and tried again at the
/// next turn; a sweep cut short by `stop` loses nothing, since every
/// batch commits on its own.
pub async fn sweep_every(
    store: Arc<Store>,
    broker: Arc<dyn Broker>,
    policy: Policy,
    every: Duration,
    stop: CancellationToken,
) {
    tracing::info!(
        notification_days = policy.notifications.map(|d| d.as_secs() / 86_400),
        chat_message_days = policy.chat_messages.map(|d| d.as_secs() / 86_400),
        "retention sweep enabled"
    );
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let swept = tokio::select! {
            () = stop.cancelled() => return,
            swept = sweep(&store, &broker, &policy, SystemTime::now()) => swept,
        };
        match swept {
            Ok(Swept {
                notifications: 0,
                chat_messages: 0,
            }) => {}
            Ok(swept) => tracing::info!(
                notifications = swept.notifications,
                chat_messages = swept.chat_messages,
                "retention sweep deleted expired rows"
            ),
            Err(err) => tracing::warn!(error = ?err.0, "retention sweep failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_now_minus_the_policy_in_microseconds() {
        let now = UNIX_EPOCH + Duration::from_secs(10 * 86_400);
        assert_eq!(
            cutoff(now, Duration::from_secs(86_400)),
            9 * 86_400 * 1_000_000
        );
        assert_eq!(cutoff(now, Duration::from_secs(20 * 86_400)), 0);
    }

    #[test]
    fn a_policy_is_set_when_either_kind_expires() {
        assert!(!Policy::default().is_set());
        let chat_only = Policy {
            chat_messages: Some(Duration::from_secs(1)),
            ..Policy::default()
        };
        assert!(chat_only.is_set());
    }
}
