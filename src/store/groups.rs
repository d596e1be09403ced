//! Unread notifications grouped by what they are about: a card's comments,
//! a card's updates, one person's uploads, the mentions in one room.
//!
//! A notification's group is its `group_key` column, written by the
//! fan-out insert from what `notify` decided. Only unread notifications
//! are grouped, and reading a group takes it off the list. A group is
//! read from its recipient's unread rows: there is no index by group,
//! whose upkeep would cost every fan-out insert a write per row (see the
//! `groups` migration), so a read costs the recipient's unread count.

use std::collections::HashMap;

use sqlx::Row;

use super::{Dialect, PairValue, Store, StoreResult, WriteTx, json_id_list, now_micros};
use crate::model::{Id, InboxChange, InboxChangeKind};

/// How many of a group's people are named, newest first. A sentence names
/// two; a client showing avatars wants a few more.
pub const GROUP_ACTORS: usize = 3;

/// One group of a user's unread notifications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredGroup {
    pub user_id: Id,
    pub key: String,
    /// The kind every member shares (it is the key's first part).
    pub kind: String,
    /// How many unread notifications it holds.
    pub count: i64,
    /// How many distinct people caused them.
    pub actor_count: i64,
    /// Its newest member: where it sorts, and what it shows.
    pub newest_id: Id,
    /// When its newest member was created.
    pub latest_at: i64,
    /// Up to `GROUP_ACTORS` of those people, the most recent first.
    pub actor_ids: Vec<Id>,
}

impl Dialect {
    /// Makes SQLite read a recipient's unread rows through the partial
    /// index of unread notifications: with no statistics its planner
    /// would take the index of all their notifications, read ones too.
    /// PostgreSQL's planner has statistics.
    fn unread_rows(self) -> &'static str {
        match self {
            Dialect::Sqlite => " INDEXED BY notifications_unread",
            Dialect::Postgres => "",
        }
    }
}

impl Store {
    /// The keys of `user`'s groups, the one with the newest member first,
    /// each with that member's id; only groups whose newest member is
    /// below `before` when given. At most `limit` of them.
    pub async fn group_page(
        &self,
        user: Id,
        before: Option<Id>,
        limit: i64,
    ) -> StoreResult<Vec<(String, Id)>> {
        Ok(sqlx::query_as::<_, (String, Id)>(&format!(
            "SELECT group_key, MAX(id) AS newest FROM notifications{} \
             WHERE recipient_id = $1 AND read_at IS NULL \
             GROUP BY group_key HAVING MAX(id) < $2 \
             ORDER BY newest DESC LIMIT $3",
            self.dialect.unread_rows()
        ))
        .bind(user)
        .bind(before.unwrap_or(Id::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The groups named by `(user, key)` pairs, in two statements whatever
    /// their number: their counts, then their newest people. A pair whose
    /// group has no unread member is absent from the answer.
    pub async fn notification_groups(
        &self,
        pairs: &[(Id, String)],
    ) -> StoreResult<HashMap<(Id, String), StoredGroup>> {
        if pairs.is_empty() {
            return Ok(HashMap::new());
        }
        let json = serde_json::to_string(
            &pairs
                .iter()
                .map(|(user, key)| (user, key.as_str()))
                .collect::<Vec<_>>(),
        )
        .expect("ids and strings serialise");
        let pairs_table = format!(
            "SELECT DISTINCT a AS u, b AS g FROM ({}) pairs",
            self.dialect.json_pairs(1, PairValue::Text)
        );
        // SQLite's planner loops over the pairs and probes the unread
        // index for each. PostgreSQL's guesses a hundred pairs from the JSON
        // array and would hash-join them with every unread row of every
        // user, so there each pair's rows are read by a LATERAL subquery
        // of its own.
        let (counts, actors) = match self.dialect {
            Dialect::Sqlite => {
                let members = "JOIN notifications n INDEXED BY notifications_unread \
                               ON n.recipient_id = p.u AND n.group_key = p.g AND n.read_at IS NULL";
                (
                    format!(
                        "SELECT n.recipient_id, n.group_key, MIN(n.kind), COUNT(*), \
                                COUNT(DISTINCT n.actor_id), MAX(n.id), MAX(n.created_at) \
                         FROM ({pairs_table}) p {members} \
                         GROUP BY n.recipient_id, n.group_key"
                    ),
                    // Each person once, ranked by their newest notification
                    // in the group; only the first few leave the database.
                    format!(
                        "SELECT u, g, actor_id, pos FROM ( \
                           SELECT n.recipient_id AS u, n.group_key AS g, n.actor_id, \
                                  ROW_NUMBER() OVER (PARTITION BY n.recipient_id, n.group_key \
                                                     ORDER BY MAX(n.id) DESC) AS pos \
                           FROM ({pairs_table}) p {members} AND n.actor_id IS NOT NULL \
                           GROUP BY n.recipient_id, n.group_key, n.actor_id \
                         ) ranked WHERE pos <= {GROUP_ACTORS} ORDER BY u, g, pos"
                    ),
                )
            }
            Dialect::Postgres => {
                let members = "FROM notifications n \
                               WHERE n.recipient_id = p.u AND n.group_key = p.g AND n.read_at IS NULL";
                (
                    format!(
                        "SELECT p.u, p.g, c.kind, c.n, c.actors, c.newest, c.latest_at \
                         FROM ({pairs_table}) p CROSS JOIN LATERAL ( \
                           SELECT MIN(n.kind) AS kind, COUNT(*) AS n, \
                                  COUNT(DISTINCT n.actor_id) AS actors, MAX(n.id) AS newest, \
                                  MAX(n.created_at) AS latest_at {members} \
                         ) c WHERE c.n > 0"
                    ),
                    format!(
                        "SELECT p.u, p.g, a.actor_id, a.last \
                         FROM ({pairs_table}) p CROSS JOIN LATERAL ( \
                           SELECT n.actor_id, MAX(n.id) AS last {members} \
                             AND n.actor_id IS NOT NULL \
                           GROUP BY n.actor_id ORDER BY last DESC LIMIT {GROUP_ACTORS} \
                         ) a ORDER BY p.u, p.g, a.last DESC"
                    ),
                )
            }
        };
        let rows = sqlx::query(&counts)
            .bind(&json)
            .fetch_all(&self.pool)
            .await?;
        let mut groups = HashMap::with_capacity(rows.len());
        for row in rows {
            let group = StoredGroup {
                user_id: row.try_get(0)?,
                key: row.try_get(1)?,
                kind: row.try_get(2)?,
                count: row.try_get(3)?,
                actor_count: row.try_get(4)?,
                newest_id: row.try_get(5)?,
                latest_at: row.try_get(6)?,
                actor_ids: Vec::new(),
            };
            groups.insert((group.user_id, group.key.clone()), group);
        }
        let actors = sqlx::query_as::<_, (Id, String, Id, Id)>(&actors)
            .bind(&json)
            .fetch_all(&self.pool)
            .await?;
        for (user, key, actor, _rank) in actors {
            if let Some(group) = groups.get_mut(&(user, key)) {
                group.actor_ids.push(actor);
            }
        }
        Ok(groups)
    }

    /// The keys of the groups that `user`'s notifications `ids` belong to,
    /// each once.
    pub async fn group_keys_of(&self, user: Id, ids: &[Id]) -> StoreResult<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query_as::<_, (String,)>(&format!(
            "SELECT DISTINCT group_key FROM notifications WHERE recipient_id = $2 \
             AND id IN (SELECT CAST(value AS BIGINT) FROM {}) ORDER BY group_key",
            self.dialect.json_ids(1)
        ))
        .bind(json_id_list(ids))
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(key,)| key).collect())
    }
}

impl WriteTx {
    /// Marks read every unread notification of `user`'s group `key` up to
    /// the id `up_to`: `None` when the user has no notification in that
    /// group at all; else the ids it marked, in order, and the inbox
    /// change when there was at least one.
    pub async fn mark_group_read(
        &mut self,
        user: Id,
        key: &str,
        up_to: Id,
    ) -> StoreResult<Option<(Vec<Id>, Option<InboxChange>)>> {
        // Locked before the update, as for one notification: the change's
        // version follows every notification committed before it.
        self.lock_inbox_sequence().await?;
        let mut marked = sqlx::query_as::<_, (Id,)>(&format!(
            "UPDATE notifications{} SET read_at = $4 \
             WHERE recipient_id = $1 AND group_key = $2 AND read_at IS NULL AND id <= $3 \
             RETURNING id",
            self.dialect.unread_rows()
        ))
        .bind(user)
        .bind(key)
        .bind(up_to)
        .bind(now_micros())
        .fetch_all(&mut *self.tx)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect::<Vec<Id>>();
        if marked.is_empty() {
            let known: Option<(i64,)> = sqlx::query_as(
                "SELECT 1 FROM notifications WHERE recipient_id = $1 AND group_key = $2 LIMIT 1",
            )
            .bind(user)
            .bind(key)
            .fetch_optional(&mut *self.tx)
            .await?;
            return Ok(known.map(|_| (Vec::new(), None)));
        }
        marked.sort_unstable();
        let change = self
            .insert_inbox_change(
                user,
                InboxChangeKind::Read,
                &marked,
                None,
                marked.len() as i64,
            )
            .await?;
        Ok(Some((marked, Some(change))))
    }
}
