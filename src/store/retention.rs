//! Retention: deleting notifications and chat messages older than a
//! policy, a short batch at a time, and the horizon that tells a client
//! resuming from an old cursor that rows it would need are gone.
//!
//! Each kind keeps a horizon (`retention_horizons`): the highest id
//! deleted so far. Rows go oldest first by id, never skipping an expired
//! row for a newer one, so every notification at or below the horizon is
//! gone, and every chat message too except those a kept notification
//! still names. Ids above the horizon are all still there. That is what
//! `resume_needs_deleted_rows` relies on, together with the `prev_id`
//! chain each recipient's notifications and each room's messages carry.
//!
//! A chat message named by a notification (a CHAT_MENTION) is kept until
//! that notification is deleted, and is then deleted with it. The other
//! way round, deleting the mention with its message, would apply the chat
//! policy to the inbox, which has its own, and would punch a hole in the
//! recipient's notifications above their horizon: a client resuming
//! across it would never learn that it missed one. Keeping the message
//! costs a row per mention and keeps `Notification.chatMessage` readable
//! for as long as the notification is.

use super::{Dialect, Store, StoreResult, WriteTx, json_id_list};
use crate::model::{Id, InboxChange, InboxChangeKind};

/// What a retention policy deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retained {
    Notifications,
    ChatMessages,
}

impl Retained {
    /// Its row in `retention_horizons`, and its table.
    fn table(self) -> &'static str {
        match self {
            Retained::Notifications => "notifications",
            Retained::ChatMessages => "chat_messages",
        }
    }

    /// The column that names the sequence a row belongs to (a recipient's
    /// notifications, a room's messages), which `prev_id` chains.
    fn sequence_column(self) -> &'static str {
        match self {
            Retained::Notifications => "recipient_id",
            Retained::ChatMessages => "room_id",
        }
    }

    /// The PostgreSQL advisory lock (one-key space) held by the replica
    /// that deletes a batch of this kind; other replicas skip their turn
    /// instead of deleting the same rows. Arbitrary, next to
    /// `NOTIFICATIONS_LOCK`.
    fn sweep_lock(self) -> i64 {
        match self {
            Retained::Notifications => 7_151_208_101,
            Retained::ChatMessages => 7_151_208_102,
        }
    }
}

/// The highest id of `kind` deleted so far, on the pool or inside a
/// transaction.
async fn horizon<'e>(
    on: impl sqlx::Executor<'e, Database = sqlx::Any>,
    kind: Retained,
) -> StoreResult<Id> {
    let (horizon,): (Id,) =
        sqlx::query_as("SELECT horizon FROM retention_horizons WHERE kind = $1")
            .bind(kind.table())
            .fetch_one(on)
            .await?;
    Ok(horizon)
}

impl WriteTx {
    /// Deletes at most `batch` rows of `kind` created before `older_than`
    /// (microseconds since the Unix epoch), oldest first, in this
    /// transaction, which should do nothing else, and raises the horizon.
    /// Returns how many, and the inbox changes of the users whose unread
    /// notifications went (for the caller to publish once it committed).
    ///
    /// On SQLite the transaction begins IMMEDIATE like every write; on
    /// PostgreSQL it locks only the rows it deletes, and when another
    /// replica is deleting the same kind it deletes nothing (returns 0).
    pub async fn delete_expired(
        &mut self,
        kind: Retained,
        older_than: i64,
        batch: i64,
    ) -> StoreResult<(u64, Vec<InboxChange>)> {
        if !self.take_sweep_lock(kind).await? {
            return Ok((0, Vec::new()));
        }
        let horizon = horizon(&mut *self.tx, kind).await?;
        let Some(bound) = self
            .expired_run_end(kind, horizon, older_than, batch)
            .await?
        else {
            return Ok((0, Vec::new()));
        };
        let (deleted, changes) = match kind {
            Retained::Notifications => self.delete_notifications(horizon, bound).await?,
            Retained::ChatMessages => {
                (self.delete_chat_messages(horizon, bound).await?, Vec::new())
            }
        };
        self.raise_horizon(kind, bound).await?;
        Ok((deleted, changes))
    }
}

impl Store {
    /// The highest id of `kind` deleted so far (0 before any).
    pub async fn retention_horizon(&self, kind: Retained) -> StoreResult<Id> {
        horizon(&self.pool, kind).await
    }

    /// True when resuming the sequence `key` of `kind` (a recipient's
    /// notifications, a room's messages) after the row `after` may need
    /// rows that were deleted, so that a replay would have a hole.
    ///
    /// Nothing above the horizon is ever deleted, so a cursor at or above
    /// it needs nothing deleted. Below it, the first row of the sequence
    /// above the horizon names the row before it (`prev_id`): if that is
    /// at or below the cursor, the sequence had no row between the cursor
    /// and the horizon, and nothing it needs was deleted. A `prev_id` of 0
    /// proves nothing (the sequence may have been emptied before that row
    /// was written), and neither does a sequence with no row above the
    /// horizon: both count as expired.
    pub async fn resume_needs_deleted_rows(
        &self,
        kind: Retained,
        key: Id,
        after: Id,
    ) -> StoreResult<bool> {
        let horizon = self.retention_horizon(kind).await?;
        if after >= horizon {
            return Ok(false);
        }
        let next: Option<(Id,)> = sqlx::query_as(&format!(
            "SELECT prev_id FROM {} WHERE {} = $1 AND id > $2 ORDER BY id LIMIT 1",
            kind.table(),
            kind.sequence_column()
        ))
        .bind(key)
        .bind(horizon)
        .fetch_optional(&self.pool)
        .await?;
        Ok(!matches!(next, Some((prev,)) if prev > 0 && prev <= after))
    }
}

impl WriteTx {
    /// On PostgreSQL, takes this kind's sweep lock for the rest of the
    /// transaction if no other replica holds it; false if one does.
    async fn take_sweep_lock(&mut self, kind: Retained) -> StoreResult<bool> {
        if self.dialect != Dialect::Postgres {
            return Ok(true);
        }
        let (taken,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_xact_lock($1)")
            .bind(kind.sweep_lock())
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(taken)
    }

    /// The id of the last row of the oldest run of at most `batch` rows
    /// above `horizon` that are all older than `older_than`; `None` when
    /// the oldest row is not expired. Walks the primary key from the
    /// horizon, so it reads at most `batch` rows and needs no index on
    /// `created_at`. Chat messages that a notification names are passed
    /// over: they are not deleted now, and must not stop the run.
    async fn expired_run_end(
        &mut self,
        kind: Retained,
        horizon: Id,
        older_than: i64,
        batch: i64,
    ) -> StoreResult<Option<Id>> {
        let named = match kind {
            Retained::Notifications => "",
            Retained::ChatMessages => {
                " AND NOT EXISTS \
                 (SELECT 1 FROM notifications n WHERE n.chat_message_id = t.id)"
            }
        };
        let head: Vec<(Id, i64)> = sqlx::query_as(&format!(
            "SELECT t.id, t.created_at FROM {} t WHERE t.id > $1{named} ORDER BY t.id LIMIT $2",
            kind.table()
        ))
        .bind(horizon)
        .bind(batch)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(head
            .into_iter()
            .take_while(|&(_, created_at)| created_at < older_than)
            .last()
            .map(|(id, _)| id))
    }

    /// Deletes the notifications in `(horizon, bound]`, with the inbox
    /// changes of the same versions and the expired chat messages that only
    /// they still named. A user whose unread notifications go gets an
    /// EXPIRED inbox change that takes them off their count: a badge
    /// follows the store even when the retention policy is what changed
    /// it.
    async fn delete_notifications(
        &mut self,
        horizon: Id,
        bound: Id,
    ) -> StoreResult<(u64, Vec<InboxChange>)> {
        let unread: Vec<(Id, i64)> = sqlx::query_as(
            "SELECT recipient_id, COUNT(*) FROM notifications \
             WHERE id > $1 AND id <= $2 AND read_at IS NULL GROUP BY recipient_id",
        )
        .bind(horizon)
        .bind(bound)
        .fetch_all(&mut *self.tx)
        .await?;
        let named: Vec<(Id,)> = sqlx::query_as(
            "SELECT DISTINCT chat_message_id FROM notifications \
             WHERE id > $1 AND id <= $2 AND chat_message_id IS NOT NULL",
        )
        .bind(horizon)
        .bind(bound)
        .fetch_all(&mut *self.tx)
        .await?;
        let deleted = sqlx::query("DELETE FROM notifications WHERE id > $1 AND id <= $2")
            .bind(horizon)
            .bind(bound)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        if !named.is_empty() {
            let named: Vec<Id> = named.into_iter().map(|(id,)| id).collect();
            self.delete_released_messages(&named).await?;
        }
        sqlx::query("DELETE FROM inbox_changes WHERE id > $1 AND id <= $2")
            .bind(horizon)
            .bind(bound)
            .execute(&mut *self.tx)
            .await?;
        let mut changes = Vec::with_capacity(unread.len());
        for (user, marked) in unread {
            changes.push(
                self.insert_inbox_change(user, InboxChangeKind::Expired, &[], Some(bound), marked)
                    .await?,
            );
        }
        Ok((deleted, changes))
    }

    /// Deletes those of the chat messages `ids` that are at or below the
    /// chat horizon (expired, and kept only because a notification named
    /// them) and that no notification names any more.
    async fn delete_released_messages(&mut self, ids: &[Id]) -> StoreResult<()> {
        sqlx::query(&format!(
            "DELETE FROM chat_messages \
             WHERE id IN (SELECT CAST(value AS BIGINT) FROM {}) \
               AND id <= (SELECT horizon FROM retention_horizons WHERE kind = 'chat_messages') \
               AND NOT EXISTS \
                   (SELECT 1 FROM notifications n WHERE n.chat_message_id = chat_messages.id)",
            self.dialect.json_ids(1)
        ))
        .bind(json_id_list(ids))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Deletes the chat messages in `(horizon, bound]` that no
    /// notification names. A mention is only ever written with its own
    /// new message, so no notification can come to name one of these
    /// while this runs.
    async fn delete_chat_messages(&mut self, horizon: Id, bound: Id) -> StoreResult<u64> {
        Ok(sqlx::query(
            "DELETE FROM chat_messages WHERE id > $1 AND id <= $2 AND NOT EXISTS \
             (SELECT 1 FROM notifications n WHERE n.chat_message_id = chat_messages.id)",
        )
        .bind(horizon)
        .bind(bound)
        .execute(&mut *self.tx)
        .await?
        .rows_affected())
    }

    /// Records `bound` as the highest id of `kind` deleted; never lowers
    /// the horizon.
    async fn raise_horizon(&mut self, kind: Retained, bound: Id) -> StoreResult<()> {
        sqlx::query("UPDATE retention_horizons SET horizon = $2 WHERE kind = $1 AND horizon < $2")
            .bind(kind.table())
            .bind(bound)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
