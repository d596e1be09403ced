//! The inbox: one row per recipient per event, read state, and the reads
//! that let a subscriber catch up from a cursor.

use sqlx::Row;

use super::{Dialect, Store, StoreResult, WriteTx, json_id_list, now_micros};
use crate::{
    model::{Audience, CHANNEL_IN_APP, Id, NewNotification, Notification},
    telemetry::metrics,
};

pub(super) const COLUMNS: &str = "id, recipient_id, prev_id, prev_change, kind, message, \
                                  actor_id, card_id, comment_id, post_id, chat_message_id, \
                                  created_at, read_at, group_key, custom_type, link, data";

/// How many rows one catch-up read returns at most.
pub const CATCH_UP_PAGE: i64 = 500;

/// The PostgreSQL advisory lock (one-key space) that serialises the
/// transactions writing notifications and inbox changes, so that ids are
/// handed out in commit order on every replica. An arbitrary number,
/// written once here; chat rooms use the two-key space
/// (`chat::ROOM_LOCK_CLASS`).
pub(super) const NOTIFICATIONS_LOCK: i64 = 7_151_208_001;

impl WriteTx {
    /// Inserts `new` once for each member of `audience`, in one statement
    /// whatever its size, and returns the rows in id order.
    ///
    /// The audience is `notify`'s decision, translated here into the
    /// query that selects it: a list of ids, or a group the insert selects
    /// itself, always without the member `notify` names as the exception.
    /// The same statement leaves out whoever turned this kind off or muted
    /// the board (of the card) or the room (of the chat message) it is
    /// about: a muted notification is never written.
    /// Only the columns that differ per row come back (id, recipient,
    /// previous id, previous change); the rest is the same for every row
    /// and is copied from `new`, which keeps a fan-out to thousands from
    /// decoding thousands of full rows.
    pub async fn insert_notifications(
        &mut self,
        audience: &Audience,
        new: &NewNotification,
    ) -> StoreResult<Vec<Notification>> {
        if audience.is_empty() {
            return Ok(Vec::new());
        }
        self.lock_inbox_sequence().await?;
        // The values every row shares are $1..$12; each audience is a query
        // with one column `rid` over its own parameters, $13 and on.
        let recipients = match audience {
            Audience::Users(_) => format!(
                "SELECT CAST(value AS BIGINT) AS rid FROM {}",
                self.dialect.json_ids(13)
            ),
            Audience::CardAssignees { .. } => {
                "SELECT user_id AS rid FROM card_assignees WHERE card_id = $13 AND user_id <> $14"
                    .to_owned()
            }
            Audience::Followers { .. } => "SELECT follower_id AS rid FROM follows \
                 WHERE followee_id = $13 AND follower_id <> $14"
                .to_owned(),
            // UNION: a user named and also in a topic, or in two topics,
            // is told once.
            Audience::Published { .. } => format!(
                "SELECT u.rid FROM (\
                   SELECT CAST(value AS BIGINT) AS rid FROM {} \
                   UNION SELECT m.user_id AS rid FROM topic_members m \
                     JOIN topics t ON t.id = m.topic_id \
                     WHERE t.name IN (SELECT value FROM {})) u \
                 WHERE u.rid <> $15",
                self.dialect.json_ids(13),
                self.dialect.json_ids(14)
            ),
        };
        // SQLite hands a statement's rows over one message at a time (its
        // connection runs on a thread of its own): for an audience that
        // can run to thousands, the rows come back packed in one.
        let packed = self.dialect == Dialect::Sqlite && audience.may_be_large();
        let returning = if packed {
            ""
        } else {
            " RETURNING id, recipient_id, prev_id, prev_change"
        };
        // Mutes, by what the notification is about: one probe per
        // recipient, into tables that are empty for most of them.
        let mut muted = String::new();
        if new.card_id.is_some() {
            muted.push_str(
                " AND NOT EXISTS (SELECT 1 FROM board_mutes m \
                  JOIN cards c ON c.board_id = m.board_id WHERE c.id = $4 AND m.user_id = r.rid)",
            );
        }
        if new.chat_message_id.is_some() {
            muted.push_str(
                " AND NOT EXISTS (SELECT 1 FROM room_mutes m \
                  JOIN chat_messages c ON c.room_id = m.room_id WHERE c.id = $7 AND m.user_id = r.rid)",
            );
        }
        // A kind turned off, or (for CUSTOM) the app's type turned off.
        let sql = format!(
            "INSERT INTO notifications \
               (recipient_id, prev_id, prev_change, kind, message, actor_id, card_id, comment_id, \
                post_id, chat_message_id, created_at, group_key, custom_type, link, data) \
             SELECT r.rid, \
                    COALESCE((SELECT MAX(n.id) FROM notifications n WHERE n.recipient_id = r.rid), 0), \
                    COALESCE((SELECT MAX(c.id) FROM inbox_changes c WHERE c.user_id = r.rid), 0), \
                    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 \
             FROM ({recipients}) r \
             WHERE NOT EXISTS (SELECT 1 FROM disabled_kinds d WHERE d.user_id = r.rid \
                               AND d.kind IN ($1, $10) AND d.channel = '{CHANNEL_IN_APP}')\
             {muted}{returning}"
        );
        let created_at = now_micros();
        let query = sqlx::query(&sql)
            .bind(new.kind)
            .bind(&new.message)
            .bind(new.actor_id)
            .bind(new.card_id)
            .bind(new.comment_id)
            .bind(new.post_id)
            .bind(new.chat_message_id)
            .bind(created_at)
            .bind(&new.group_key)
            .bind(new.custom_type.as_deref())
            .bind(new.link.as_deref())
            .bind(new.data.as_deref());
        let query = match audience {
            Audience::Users(ids) => query.bind(json_id_list(ids)),
            Audience::CardAssignees { card, except } => query.bind(*card).bind(*except),
            Audience::Followers { followee, except } => query.bind(*followee).bind(*except),
            Audience::Published {
                users,
                topics,
                except,
            } => query
                .bind(json_id_list(users))
                .bind(serde_json::to_string(topics).map_err(|e| sqlx::Error::Encode(e.into()))?)
                .bind(except.unwrap_or(0)),
        };
        let mut rows = if packed {
            let done = query.execute(&mut *self.tx).await?;
            self.inserted_rows(done.rows_affected()).await?
        } else {
            query
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get(0)?,
                        row.try_get(1)?,
                        row.try_get(2)?,
                        row.try_get(3)?,
                    ))
                })
                .collect::<Result<Vec<(Id, Id, Id, Id)>, sqlx::Error>>()?
        };
        rows.sort_unstable();
        if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
            self.queue_pushes(first.0, last.0).await?;
        }
        Ok(rows
            .into_iter()
            .map(|(id, recipient_id, prev_id, prev_change)| Notification {
                id,
                recipient_id,
                prev_id,
                prev_change,
                kind: new.kind.to_owned(),
                message: new.message.clone(),
                actor_id: new.actor_id,
                card_id: new.card_id,
                comment_id: new.comment_id,
                post_id: new.post_id,
                chat_message_id: new.chat_message_id,
                created_at,
                read_at: None,
                group_key: new.group_key.clone(),
                custom_type: new.custom_type.clone(),
                link: new.link.clone(),
                data: new.data.clone(),
            })
            .collect())
    }

    /// `(id, recipient, previous id, previous change)` of the `count` rows the SQLite
    /// insert just before wrote, in one row. The writer holds SQLite's
    /// write lock, and SQLite gives each row of a statement the next id,
    /// so the rows are the `count` ids up to the connection's
    /// `last_insert_rowid()` (which sqlx's `Any` driver does not pass on).
    async fn inserted_rows(&mut self, count: u64) -> StoreResult<Vec<(Id, Id, Id, Id)>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let (packed,): (String,) = sqlx::query_as(
            "SELECT COALESCE(group_concat(id || ',' || recipient_id || ',' || prev_id || ',' || prev_change, ';'), '') \
             FROM notifications \
             WHERE id > last_insert_rowid() - $1 AND id <= last_insert_rowid()",
        )
        .bind(count as i64)
        .fetch_one(&mut *self.tx)
        .await?;
        let rows = unpack_rows(&packed);
        if rows.len() as u64 != count {
            return Err(sqlx::Error::Protocol(format!(
                "the insert wrote {count} notifications, {} read back",
                rows.len()
            ))
            .into());
        }
        Ok(rows)
    }
}

/// `id,recipient,prev,change;…` back into rows; a malformed item is
/// skipped (and then the count check fails).
fn unpack_rows(packed: &str) -> Vec<(Id, Id, Id, Id)> {
    packed
        .split(';')
        .filter_map(|row| {
            let mut fields = row.split(',').map(str::parse::<Id>);
            match (
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
            ) {
                (Some(Ok(id)), Some(Ok(recipient)), Some(Ok(prev)), Some(Ok(change)), None) => {
                    Some((id, recipient, prev, change))
                }
                _ => None,
            }
        })
        .collect()
}

impl Store {
    /// A page of `recipient`'s inbox, newest first, starting below
    /// `before_id` when given. Returns up to `limit` rows.
    pub async fn notifications_page(
        &self,
        recipient: Id,
        before_id: Option<Id>,
        limit: i64,
        unread_only: bool,
    ) -> StoreResult<Vec<Notification>> {
        let unread = if unread_only {
            " AND read_at IS NULL"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM notifications WHERE recipient_id = $1 AND id < $2{unread} \
             ORDER BY id DESC LIMIT $3"
        );
        let read = sqlx::query_as::<_, Notification>(&sql)
            .bind(recipient)
            .bind(before_id.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.pool);
        Ok(metrics::timed_query("page", read).await?)
    }

    /// `recipient`'s notifications with an id above `after_id`, oldest
    /// first, at most `CATCH_UP_PAGE` of them.
    pub async fn notifications_after(
        &self,
        recipient: Id,
        after_id: Id,
    ) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notifications WHERE recipient_id = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        );
        let read = sqlx::query_as::<_, Notification>(&sql)
            .bind(recipient)
            .bind(after_id)
            .bind(CATCH_UP_PAGE)
            .fetch_all(&self.pool);
        Ok(metrics::timed_query("catch_up", read).await?)
    }

    /// The id of each recipient's newest notification (0 for none), in
    /// one read whatever the number of recipients, each found by one
    /// index probe. Backs the DataLoader that starts subscriptions.
    pub async fn latest_notification_ids(&self, recipients: &[Id]) -> StoreResult<Vec<(Id, Id)>> {
        Ok(sqlx::query_as::<_, (Id, Id)>(&format!(
            "SELECT r.rid, \
                    COALESCE((SELECT MAX(n.id) FROM notifications n WHERE n.recipient_id = r.rid), 0) \
             FROM (SELECT CAST(value AS BIGINT) AS rid FROM {}) r",
            self.dialect.json_ids(1)
        ))
        .bind(json_id_list(recipients))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Notifications by id, whoever their recipient: callers pass only ids
    /// they read from the caller's own rows (a group's newest member).
    pub async fn notifications_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Notification>> {
        self.rows_by_ids("notifications", COLUMNS, ids).await
    }

    pub async fn unread_notification_count(&self, recipient: Id) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notifications WHERE recipient_id = $1 AND read_at IS NULL",
        )
        .bind(recipient)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }
}

impl Store {
    /// The notifications with ids in `from..=to` whose recipient is one of
    /// `recipients`, in id order: what a LISTEN/NOTIFY listener loads for
    /// the subscribers of its own process.
    pub async fn notifications_in_range(
        &self,
        from: Id,
        to: Id,
        recipients: &[Id],
    ) -> StoreResult<Vec<Notification>> {
        Ok(sqlx::query_as::<_, Notification>(&format!(
            "SELECT {COLUMNS} FROM notifications WHERE id >= $2 AND id <= $3 \
             AND recipient_id IN (SELECT CAST(value AS BIGINT) FROM {}) ORDER BY id",
            // The id list is `$1`: that is where `json_ids` reads it.
            self.dialect.json_ids(1)
        ))
        .bind(json_id_list(recipients))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }
}
