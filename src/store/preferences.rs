//! What each user wants to be told: kinds turned off per channel, and the
//! boards and chat rooms they muted. The fan-out insert reads these
//! tables (`insert_notifications`); here they are read and changed.

use std::collections::HashMap;

use sqlx::{FromRow, Row};

use super::{Store, StoreResult, WriteTx, json_id_list};
use crate::model::{Board, ChatRoom, Id};

/// A table of (user, thing) pairs a user turns on and off.
#[derive(Clone, Copy)]
pub enum Muted {
    Board,
    Room,
}

impl Muted {
    fn table(self) -> &'static str {
        match self {
            Muted::Board => "board_mutes",
            Muted::Room => "room_mutes",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Muted::Board => "board_id",
            Muted::Room => "room_id",
        }
    }
}

impl WriteTx {
    /// Turns `kind` on or off on `channel` for `user`; true when that
    /// changed anything.
    pub async fn set_kind_enabled(
        &mut self,
        user: Id,
        kind: &str,
        channel: &str,
        enabled: bool,
    ) -> StoreResult<bool> {
        let sql = if enabled {
            "DELETE FROM disabled_kinds WHERE user_id = $1 AND kind = $2 AND channel = $3"
        } else {
            "INSERT INTO disabled_kinds (user_id, kind, channel) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING"
        };
        let done = sqlx::query(sql)
            .bind(user)
            .bind(kind)
            .bind(channel)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// How many of an app's types (not built-in kinds) `user` turned off,
    /// on any channel.
    pub async fn disabled_type_count(&mut self, user: Id) -> StoreResult<i64> {
        let built_in: Vec<String> = crate::model::NotificationKind::ALL
            .iter()
            .map(|kind| format!("'{}'", kind.as_str()))
            .collect();
        let (n,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM disabled_kinds WHERE user_id = $1 AND kind NOT IN ({})",
            built_in.join(", ")
        ))
        .bind(user)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(n)
    }

    /// Mutes or unmutes a board or room for `user`; true when that changed
    /// anything.
    pub async fn set_muted(
        &mut self,
        what: Muted,
        user: Id,
        id: Id,
        muted: bool,
    ) -> StoreResult<bool> {
        let (table, column) = (what.table(), what.column());
        let sql = if muted {
            format!(
                "INSERT INTO {table} (user_id, {column}) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            )
        } else {
            format!("DELETE FROM {table} WHERE user_id = $1 AND {column} = $2")
        };
        let done = sqlx::query(&sql)
            .bind(user)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// What one user wants to be told, as stored.
#[derive(Clone, Debug, Default)]
pub struct StoredPreferences {
    /// The (kind, channel) pairs turned off.
    pub disabled: Vec<(String, String)>,
    /// The boards muted, by id.
    pub muted_boards: Vec<Board>,
    /// The chat rooms muted, by id.
    pub muted_rooms: Vec<ChatRoom>,
}

impl Store {
    /// The preferences of each of `users`, in three reads whatever their
    /// number. A user with nothing turned off or muted is left out.
    pub async fn preferences_of(
        &self,
        users: &[Id],
    ) -> StoreResult<HashMap<Id, StoredPreferences>> {
        let mut out: HashMap<Id, StoredPreferences> = HashMap::new();
        let ids = self.dialect.json_ids(1);
        let list = json_id_list(users);
        let disabled: Vec<(Id, String, String)> = sqlx::query_as(&format!(
            "SELECT user_id, kind, channel FROM disabled_kinds \
             WHERE user_id IN (SELECT CAST(value AS BIGINT) FROM {ids}) ORDER BY kind, channel"
        ))
        .bind(&list)
        .fetch_all(&self.pool)
        .await?;
        for (user, kind, channel) in disabled {
            out.entry(user).or_default().disabled.push((kind, channel));
        }
        let boards = sqlx::query(&format!(
            "SELECT m.user_id, b.id, b.name, b.owner_id, b.created_at FROM board_mutes m \
             JOIN boards b ON b.id = m.board_id \
             WHERE m.user_id IN (SELECT CAST(value AS BIGINT) FROM {ids}) ORDER BY b.id"
        ))
        .bind(&list)
        .fetch_all(&self.pool)
        .await?;
        for row in &boards {
            let user: Id = row.try_get("user_id")?;
            out.entry(user)
                .or_default()
                .muted_boards
                .push(Board::from_row(row)?);
        }
        let rooms = sqlx::query(&format!(
            "SELECT m.user_id, r.id, r.name, r.creator_id, r.created_at FROM room_mutes m \
             JOIN chat_rooms r ON r.id = m.room_id \
             WHERE m.user_id IN (SELECT CAST(value AS BIGINT) FROM {ids}) ORDER BY r.id"
        ))
        .bind(&list)
        .fetch_all(&self.pool)
        .await?;
        for row in &rooms {
            let user: Id = row.try_get("user_id")?;
            out.entry(user)
                .or_default()
                .muted_rooms
                .push(ChatRoom::from_row(row)?);
        }
        Ok(out)
    }

    /// True when `user` muted that board or room.
    pub async fn is_muted(&self, what: Muted, user: Id, id: Id) -> StoreResult<bool> {
        let found: Option<(i64,)> = sqlx::query_as(&format!(
            "SELECT 1 FROM {} WHERE user_id = $1 AND {} = $2",
            what.table(),
            what.column()
        ))
        .bind(user)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }
}
