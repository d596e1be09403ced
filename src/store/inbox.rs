//! The inbox as a versioned sequence per user: read state changes, the
//! unread count at a version, and the reads that let an `inbox`
//! subscriber catch up.
//!
//! Notifications and inbox changes take their ids from one sequence, in
//! commit order (SQLite has one writer; PostgreSQL writers take
//! `NOTIFICATIONS_LOCK`), so a user's notifications and changes together
//! are strictly increasing versions of their inbox.

use std::sync::Arc;

use sqlx::{FromRow, Row, any::AnyRow};

use super::{
    Dialect, PairValue, Store, StoreResult, WriteTx, json_id_list,
    notifications::{COLUMNS, NOTIFICATIONS_LOCK},
    now_micros,
};
use crate::{
    model::{Id, InboxChange, InboxChangeKind, InboxItem, Notification, Notified},
    store::CATCH_UP_PAGE,
};

const CHANGE_COLUMNS: &str =
    "id, user_id, prev_version, kind, read_ids, read_up_to, marked, created_at";

/// A user's inbox at one version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InboxState {
    pub version: Id,
    pub unread: i64,
}

impl WriteTx {
    /// On PostgreSQL, takes the lock that orders every transaction writing
    /// notifications or inbox changes, for the rest of this one. SQLite's
    /// single writer already does.
    pub(super) async fn lock_inbox_sequence(&mut self) -> StoreResult<()> {
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(NOTIFICATIONS_LOCK)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// The next id of the notifications' sequence, for an inbox change.
    async fn next_inbox_version(&mut self) -> StoreResult<Id> {
        let sql = match self.dialect {
            // AUTOINCREMENT gives the next notification an id above both
            // its largest rowid and this counter.
            Dialect::Sqlite => {
                "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'notifications' RETURNING seq"
            }
            Dialect::Postgres => "SELECT nextval(pg_get_serial_sequence('notifications', 'id'))",
        };
        let (id,): (Id,) = sqlx::query_as(sql).fetch_one(&mut *self.tx).await?;
        Ok(id)
    }

    /// Records that `user`'s inbox changed and returns the change, with
    /// its version. Takes the sequence's lock if the transaction does not
    /// hold it yet.
    pub async fn insert_inbox_change(
        &mut self,
        user: Id,
        kind: InboxChangeKind,
        read_ids: &[Id],
        read_up_to: Option<Id>,
        marked: i64,
    ) -> StoreResult<InboxChange> {
        self.lock_inbox_sequence().await?;
        let id = self.next_inbox_version().await?;
        let (prev_version,): (Id,) = sqlx::query_as(
            "SELECT CASE WHEN n > c THEN n ELSE c END FROM ( \
               SELECT COALESCE((SELECT MAX(id) FROM notifications WHERE recipient_id = $1), 0) AS n, \
                      COALESCE((SELECT MAX(id) FROM inbox_changes WHERE user_id = $1), 0) AS c \
             ) latest",
        )
        .bind(user)
        .fetch_one(&mut *self.tx)
        .await?;
        let change = InboxChange {
            id,
            user_id: user,
            prev_version,
            kind,
            read_ids: read_ids.to_vec(),
            read_up_to,
            marked,
            created_at: now_micros(),
        };
        sqlx::query(&format!(
            "INSERT INTO inbox_changes ({CHANGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(change.id)
        .bind(change.user_id)
        .bind(change.prev_version)
        .bind(change.kind.as_str())
        .bind(json_id_list(&change.read_ids))
        .bind(change.read_up_to)
        .bind(change.marked)
        .bind(change.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(change)
    }

    /// Marks one of `recipient`'s notifications read, keeping the first
    /// read time. `None` if it is not theirs; else the row, and the inbox
    /// change if it was unread until now.
    pub async fn mark_notification_read(
        &mut self,
        recipient: Id,
        id: Id,
    ) -> StoreResult<Option<(Notification, Option<InboxChange>)>> {
        // Locked before the update, so that the change's version follows
        // every notification committed before it.
        self.lock_inbox_sequence().await?;
        let newly_read = sqlx::query_as::<_, Notification>(&format!(
            "UPDATE notifications SET read_at = $3 \
             WHERE id = $1 AND recipient_id = $2 AND read_at IS NULL RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(recipient)
        .bind(now_micros())
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(row) = newly_read {
            let change = self
                .insert_inbox_change(recipient, InboxChangeKind::Read, &[id], None, 1)
                .await?;
            return Ok(Some((row, Some(change))));
        }
        let row = sqlx::query_as::<_, Notification>(&format!(
            "SELECT {COLUMNS} FROM notifications WHERE id = $1 AND recipient_id = $2"
        ))
        .bind(id)
        .bind(recipient)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(|row| (row, None)))
    }

    /// Marks every unread notification of `recipient` read; returns how
    /// many, and the inbox change when there was at least one.
    pub async fn mark_all_notifications_read(
        &mut self,
        recipient: Id,
    ) -> StoreResult<(u64, Option<InboxChange>)> {
        self.lock_inbox_sequence().await?;
        let (newest,): (Id,) = sqlx::query_as(
            "SELECT COALESCE(MAX(id), 0) FROM notifications WHERE recipient_id = $1",
        )
        .bind(recipient)
        .fetch_one(&mut *self.tx)
        .await?;
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $2 \
             WHERE recipient_id = $1 AND read_at IS NULL AND id <= $3",
        )
        .bind(recipient)
        .bind(now_micros())
        .bind(newest)
        .execute(&mut *self.tx)
        .await?;
        let marked = done.rows_affected();
        if marked == 0 {
            return Ok((0, None));
        }
        let change = self
            .insert_inbox_change(
                recipient,
                InboxChangeKind::AllRead,
                &[],
                Some(newest),
                marked as i64,
            )
            .await?;
        Ok((marked, Some(change)))
    }
}

impl Store {
    /// `user`'s inbox now (`at: None`: its newest version), or at the
    /// version `at`. See `inbox_states`.
    pub async fn inbox_state(&self, user: Id, at: Option<Id>) -> StoreResult<InboxState> {
        let states = self.inbox_states(&[(user, at)]).await?;
        Ok(states[0])
    }

    /// The inbox of each `(user, at)`, in order: now (`at: None`: its
    /// newest version), or at the version `at`, all read in one statement.
    /// The unread count at `at` is today's less what came after it: each
    /// notification since added one, each change since took off what it
    /// marked.
    pub async fn inbox_states(&self, keys: &[(Id, Option<Id>)]) -> StoreResult<Vec<InboxState>> {
        // `at: None` reads as "after the newest", where nothing comes after.
        let pairs = serde_json::to_string(
            &keys
                .iter()
                .map(|&(user, at)| [user, at.unwrap_or(Id::MAX)])
                .collect::<Vec<_>>(),
        )
        .expect("ids serialise");
        let pairs_table = self.dialect.json_pairs(1, PairValue::Id);
        let rows = sqlx::query(&format!(
            "SELECT \
               (SELECT COALESCE(MAX(id), 0) FROM notifications WHERE recipient_id = p.a), \
               (SELECT COALESCE(MAX(id), 0) FROM inbox_changes WHERE user_id = p.a), \
               (SELECT COUNT(*) FROM notifications WHERE recipient_id = p.a AND read_at IS NULL), \
               (SELECT COUNT(*) FROM notifications WHERE recipient_id = p.a AND id > p.b), \
               (SELECT CAST(COALESCE(SUM(marked), 0) AS BIGINT) FROM inbox_changes \
                  WHERE user_id = p.a AND id > p.b) \
             FROM ({pairs_table}) p ORDER BY p.k"
        ))
        .bind(pairs)
        .fetch_all(&self.pool)
        .await?;
        if rows.len() != keys.len() {
            return Err(super::StoreError(sqlx::Error::Protocol(format!(
                "{} inbox states asked for, {} read",
                keys.len(),
                rows.len()
            ))));
        }
        keys.iter()
            .zip(rows)
            .map(|(&(_, at), row)| {
                let newest_notification: Id = row.try_get(0)?;
                let newest_change: Id = row.try_get(1)?;
                let unread_now: i64 = row.try_get(2)?;
                let added_since: i64 = row.try_get(3)?;
                let marked_since: i64 = row.try_get(4)?;
                Ok(InboxState {
                    version: at.unwrap_or(newest_notification.max(newest_change)),
                    unread: unread_now - added_since + marked_since,
                })
            })
            .collect()
    }

    /// `user`'s inbox items (notifications and changes) with a version
    /// above `after`, oldest first, at most `CATCH_UP_PAGE` of them.
    ///
    /// One statement, so one snapshot: read in two, a notification
    /// committed between the reads would be missing from a page that holds
    /// a later change, and the subscriber, past it, would never see it.
    pub async fn inbox_after(&self, user: Id, after: Id) -> StoreResult<Vec<InboxItem>> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM ( \
               SELECT {COLUMNS}, NULL AS read_ids, NULL AS read_up_to, \
                      CAST(0 AS BIGINT) AS marked, CAST(0 AS BIGINT) AS is_change \
               FROM notifications WHERE recipient_id = $1 AND id > $2 \
               UNION ALL \
               SELECT id, user_id, prev_version, CAST(0 AS BIGINT), kind, '', NULL, NULL, NULL, NULL, NULL, \
                      created_at, NULL, '', NULL, NULL, NULL, \
                      read_ids, read_up_to, marked, CAST(1 AS BIGINT) \
               FROM inbox_changes WHERE user_id = $1 AND id > $2 \
             ) items ORDER BY id LIMIT $3"
        ))
        .bind(user)
        .bind(after)
        .bind(CATCH_UP_PAGE)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let is_change: i64 = row.try_get("is_change")?;
                Ok(if is_change == 1 {
                    InboxItem::Change(Arc::new(change_from_union(row)?))
                } else {
                    let row = Notification::from_row(row)?;
                    InboxItem::Notification(Arc::new(Notified::stored(row)))
                })
            })
            .collect()
    }

    /// True when resuming `user`'s inbox after version `after` needs rows
    /// that the retention policy deleted (see `resume_needs_deleted_rows`):
    /// the user's first item above the horizon must follow `after`
    /// directly.
    pub async fn inbox_resume_needs_deleted_rows(&self, user: Id, after: Id) -> StoreResult<bool> {
        let horizon = self
            .retention_horizon(super::Retained::Notifications)
            .await?;
        if after >= horizon {
            return Ok(false);
        }
        let first_notification: Option<(Id, Id, Id)> = sqlx::query_as(
            "SELECT id, prev_id, prev_change FROM notifications \
             WHERE recipient_id = $1 AND id > $2 ORDER BY id LIMIT 1",
        )
        .bind(user)
        .bind(horizon)
        .fetch_optional(&self.pool)
        .await?;
        let first_change: Option<(Id, Id)> = sqlx::query_as(
            "SELECT id, prev_version FROM inbox_changes \
             WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT 1",
        )
        .bind(user)
        .bind(horizon)
        .fetch_optional(&self.pool)
        .await?;
        let first = match (first_notification, first_change) {
            (Some((n, prev, change)), Some((c, prev_version))) => Some(if n < c {
                prev.max(change)
            } else {
                prev_version
            }),
            (Some((_, prev, change)), None) => Some(prev.max(change)),
            (None, Some((_, prev_version))) => Some(prev_version),
            (None, None) => None,
        };
        Ok(!matches!(first, Some(prev) if prev > 0 && prev <= after))
    }
}

/// An inbox change from a row of `inbox_after`'s union: the notification
/// columns (id, user, previous version, …, kind at 4, created_at at 11,
/// group key at 13), then the change's own (read ids, read up to, marked).
fn change_from_union(row: &AnyRow) -> StoreResult<InboxChange> {
    let kind: String = row.try_get(4)?;
    let read_ids: String = row.try_get("read_ids")?;
    let bad = |what: String| super::StoreError(sqlx::Error::Decode(what.into()));
    Ok(InboxChange {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        prev_version: row.try_get(2)?,
        kind: InboxChangeKind::parse(&kind)
            .ok_or_else(|| bad(format!("unknown inbox change kind {kind}")))?,
        read_ids: serde_json::from_str(&read_ids)
            .map_err(|err| bad(format!("inbox change read ids: {err}")))?,
        read_up_to: row.try_get("read_up_to")?,
        marked: row.try_get("marked")?,
        created_at: row.try_get(11)?,
    })
}
