//! Web Push: the browsers' push subscriptions, the outbox of pushes still
//! to send, and (PostgreSQL) which users have a live connection on which
//! replica.
//!
//! The outbox is written by the transaction that writes the notifications
//! (`queue_pushes`, one statement), so a push exists exactly when its
//! notification does. Senders claim rows for a lease (`claim_pushes`;
//! on PostgreSQL with `SKIP LOCKED`, so that each row goes to one
//! replica), then report every outcome in one transaction
//! (`finish_pushes`). A sender that dies mid-lease leaves its rows to be
//! claimed again when the lease ends: a push is sent at least once, and
//! the payload names its notification so that the service worker shows
//! it once.

use std::collections::{HashMap, HashSet};

use sqlx::FromRow;

use super::{Dialect, PairValue, Store, StoreResult, WriteTx, json_id_list, now_micros};
use crate::model::{CHANNEL_PUSH, Id, Notification};

const SUBSCRIPTION_COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, created_at";

/// A browser's push subscription, as `PushManager.subscribe()` gave it.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct StoredPushSubscription {
    pub id: Id,
    pub user_id: Id,
    /// The push service's URL for this browser.
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's authentication secret, base64url.
    pub auth: String,
    pub created_at: i64,
}

/// One push to send: a notification, to one of its recipient's browsers.
#[derive(Clone, Debug)]
pub struct PushJob {
    pub outbox_id: Id,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub notification: Notification,
    pub subscription: StoredPushSubscription,
}

/// What became of a claimed push.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxOutcome {
    /// Sent, or no longer to be sent (the user was online, the push
    /// service refused it for good, or it ran out of attempts).
    Done,
    /// To be tried again at `due_at` (microseconds).
    Retry { due_at: i64 },
    /// The push service says the subscription is gone: it is deleted.
    Gone,
}

impl WriteTx {
    /// Registers the browser subscription at `endpoint` for `user`: a new
    /// one, or the same browser's again (its keys updated, and moved to
    /// `user` if another user of that browser had it). `None` when `user`
    /// already has `max` others.
    pub async fn register_push_subscription(
        &mut self,
        user: Id,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        max: i64,
    ) -> StoreResult<Option<StoredPushSubscription>> {
        let (others,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM push_subscriptions WHERE user_id = $1 AND endpoint <> $2",
        )
        .bind(user)
        .bind(endpoint)
        .fetch_one(&mut *self.tx)
        .await?;
        if others >= max {
            return Ok(None);
        }
        // Pushes queued for the browser's previous user are not this
        // user's to receive.
        sqlx::query(
            "DELETE FROM push_outbox WHERE user_id <> $1 AND subscription_id IN \
             (SELECT id FROM push_subscriptions WHERE endpoint = $2)",
        )
        .bind(user)
        .bind(endpoint)
        .execute(&mut *self.tx)
        .await?;
        let row = sqlx::query_as::<_, StoredPushSubscription>(&format!(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
               p256dh = excluded.p256dh, auth = excluded.auth \
             RETURNING {SUBSCRIPTION_COLUMNS}"
        ))
        .bind(user)
        .bind(endpoint)
        .bind(p256dh)
        .bind(auth)
        .bind(now_micros())
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(Some(row))
    }

    /// Deletes `user`'s subscription at `endpoint`, with its queued
    /// pushes; false if they have none there.
    pub async fn unregister_push_subscription(
        &mut self,
        user: Id,
        endpoint: &str,
    ) -> StoreResult<bool> {
        sqlx::query(
            "DELETE FROM push_outbox WHERE subscription_id IN \
             (SELECT id FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2)",
        )
        .bind(user)
        .bind(endpoint)
        .execute(&mut *self.tx)
        .await?;
        let done =
            sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2")
                .bind(user)
                .bind(endpoint)
                .execute(&mut *self.tx)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Queues a push of each notification this transaction wrote with an
    /// id in `first..=last` to each of its recipient's browsers, unless
    /// the recipient turned pushes of its kind off. The transaction holds
    /// the notifications' sequence (SQLite's writer, PostgreSQL's advisory
    /// lock), so the range holds only its own rows. One statement, one
    /// index probe per recipient into the (mostly empty) subscriptions.
    pub(super) async fn queue_pushes(&mut self, first: Id, last: Id) -> StoreResult<()> {
        let queued = sqlx::query(&format!(
            "INSERT INTO push_outbox (notification_id, subscription_id, user_id, due_at) \
             SELECT n.id, s.id, n.recipient_id, $3 \
             FROM notifications n JOIN push_subscriptions s ON s.user_id = n.recipient_id \
             WHERE n.id >= $1 AND n.id <= $2 \
               AND NOT EXISTS (SELECT 1 FROM disabled_kinds d WHERE d.user_id = n.recipient_id \
                               AND d.kind IN (n.kind, n.custom_type) AND d.channel = '{CHANNEL_PUSH}')"
        ))
        .bind(first)
        .bind(last)
        .bind(now_micros())
        .execute(&mut *self.tx)
        .await?;
        if queued.rows_affected() > 0 {
            self.pushes_queued = Some(std::sync::Arc::clone(&self.push_wake));
        }
        Ok(())
    }
}

impl Store {
    /// `user`'s push subscriptions, oldest first.
    pub async fn push_subscriptions_of(
        &self,
        user: Id,
    ) -> StoreResult<Vec<StoredPushSubscription>> {
        Ok(sqlx::query_as::<_, StoredPushSubscription>(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE user_id = $1 ORDER BY id"
        ))
        .bind(user)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Waits until a transaction of this process queues pushes (or
    /// returns at once if one did since the last wait).
    pub async fn pushes_queued(&self) {
        self.pushes_queued.notified().await;
    }

    /// Claims up to `limit` pushes that are due at `now` and not claimed,
    /// until `now + lease` (microseconds), counting an attempt for each.
    /// Their notifications and subscriptions come with them; a push whose
    /// notification the retention policy deleted comes without, and is
    /// finished at once.
    pub async fn claim_pushes(
        &self,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> StoreResult<Vec<PushJob>> {
        // Most polls find nothing due: a read says so without taking the
        // writer (SQLite) or a row lock (PostgreSQL).
        let due: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM push_outbox WHERE due_at <= $1 AND claimed_until < $1 LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let skip_locked = match self.dialect {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query_as::<_, (Id, Id, Id, i64)>(&format!(
            "UPDATE push_outbox SET claimed_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM push_outbox WHERE due_at <= $2 AND claimed_until < $2 \
                          ORDER BY due_at, id LIMIT $3{skip_locked}) \
             RETURNING id, notification_id, subscription_id, attempts"
        ))
        .bind(now.saturating_add(lease))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let notification_ids: Vec<Id> = claimed.iter().map(|c| c.1).collect();
        let subscription_ids: Vec<Id> = claimed.iter().map(|c| c.2).collect();
        let notifications: HashMap<Id, Notification> = self
            .notifications_by_ids(&notification_ids)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
        let subscriptions: HashMap<Id, StoredPushSubscription> = self
            .rows_by_ids::<StoredPushSubscription>(
                "push_subscriptions",
                SUBSCRIPTION_COLUMNS,
                &subscription_ids,
            )
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut jobs = Vec::with_capacity(claimed.len());
        let mut orphans = Vec::new();
        for (outbox_id, notification, subscription, attempts) in claimed {
            match (
                notifications.get(&notification),
                subscriptions.get(&subscription),
            ) {
                (Some(n), Some(s)) => jobs.push(PushJob {
                    outbox_id,
                    attempts,
                    notification: n.clone(),
                    subscription: s.clone(),
                }),
                _ => orphans.push((outbox_id, subscription, OutboxOutcome::Done)),
            }
        }
        if !orphans.is_empty() {
            self.finish_pushes(&orphans).await?;
        }
        Ok(jobs)
    }

    /// Records what became of claimed pushes, `(outbox id, subscription
    /// id, outcome)`, in one transaction.
    pub async fn finish_pushes(&self, outcomes: &[(Id, Id, OutboxOutcome)]) -> StoreResult<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let mut done = Vec::new();
        let mut gone = HashSet::new();
        let mut retries = Vec::new();
        for &(outbox, subscription, outcome) in outcomes {
            match outcome {
                OutboxOutcome::Done => done.push(outbox),
                OutboxOutcome::Gone => {
                    gone.insert(subscription);
                }
                OutboxOutcome::Retry { due_at } => retries.push((outbox, due_at)),
            }
        }
        let gone: Vec<Id> = gone.into_iter().collect();
        let mut tx = self.begin_write().await?;
        let ids = self.dialect.json_ids(1);
        if !done.is_empty() {
            sqlx::query(&format!(
                "DELETE FROM push_outbox WHERE id IN (SELECT CAST(value AS BIGINT) FROM {ids})"
            ))
            .bind(json_id_list(&done))
            .execute(&mut *tx.tx)
            .await?;
        }
        if !gone.is_empty() {
            for table_and_column in [
                ("push_outbox", "subscription_id"),
                ("push_subscriptions", "id"),
            ] {
                let (table, column) = table_and_column;
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE {column} IN (SELECT CAST(value AS BIGINT) FROM {ids})"
                ))
                .bind(json_id_list(&gone))
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        if !retries.is_empty() {
            // Each push at its own time, in one statement.
            let pairs = serde_json::to_string(&retries).expect("ids serialise");
            sqlx::query(&format!(
                "UPDATE push_outbox SET claimed_until = 0, \
                   due_at = (SELECT r.b FROM ({}) r WHERE r.a = push_outbox.id) \
                 WHERE id IN (SELECT r.a FROM ({}) r)",
                self.dialect.json_pairs(1, PairValue::Id),
                self.dialect.json_pairs(1, PairValue::Id)
            ))
            .bind(pairs)
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.commit().await
    }

    /// Pushes queued and not yet finished.
    pub async fn pending_pushes(&self) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM push_outbox")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Records that `added` users now have a live connection on `replica`
    /// and `removed` ones no longer do (PostgreSQL; a SQLite store has
    /// one process, which knows its own connections).
    pub async fn update_presence(
        &self,
        replica: &str,
        added: &[Id],
        removed: &[Id],
    ) -> StoreResult<()> {
        if self.dialect != Dialect::Postgres {
            return Ok(());
        }
        let ids = self.dialect.json_ids(1);
        if !added.is_empty() {
            sqlx::query(&format!(
                "INSERT INTO push_presence (user_id, replica, seen_at) \
                 SELECT CAST(value AS BIGINT), $2, $3 FROM {ids} \
                 ON CONFLICT (user_id, replica) DO UPDATE SET seen_at = excluded.seen_at"
            ))
            .bind(json_id_list(added))
            .bind(replica)
            .bind(now_micros())
            .execute(&self.pool)
            .await?;
        }
        if !removed.is_empty() {
            sqlx::query(&format!(
                "DELETE FROM push_presence WHERE replica = $2 \
                 AND user_id IN (SELECT CAST(value AS BIGINT) FROM {ids})"
            ))
            .bind(json_id_list(removed))
            .bind(replica)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Renews every presence row of `replica`; with `clear`, deletes them
    /// instead (the replica is stopping).
    pub async fn renew_presence(&self, replica: &str, clear: bool) -> StoreResult<()> {
        if self.dialect != Dialect::Postgres {
            return Ok(());
        }
        let query = if clear {
            sqlx::query("DELETE FROM push_presence WHERE replica = $1").bind(replica)
        } else {
            sqlx::query("UPDATE push_presence SET seen_at = $2 WHERE replica = $1")
                .bind(replica)
                .bind(now_micros())
        };
        query.execute(&self.pool).await?;
        Ok(())
    }

    /// Those of `users` with a live connection on some replica renewed
    /// since `since` (microseconds). Empty on SQLite.
    pub async fn present_users(&self, users: &[Id], since: i64) -> StoreResult<HashSet<Id>> {
        if self.dialect != Dialect::Postgres || users.is_empty() {
            return Ok(HashSet::new());
        }
        let rows = sqlx::query_as::<_, (Id,)>(&format!(
            "SELECT DISTINCT user_id FROM push_presence WHERE seen_at >= $2 \
             AND user_id IN (SELECT CAST(value AS BIGINT) FROM {})",
            self.dialect.json_ids(1)
        ))
        .bind(json_id_list(users))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
