//! What each user wants to be told: kinds turned off per channel, and the
//! boards and chat rooms they muted. The fan-out insert reads these
//! tables (`insert_notifications`); here they are read and changed.

use super::{Store, StoreResult, WriteTx};
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

impl Store {
    /// The (kind, channel) pairs `user` turned off.
    pub async fn disabled_kinds(&self, user: Id) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT kind, channel FROM disabled_kinds WHERE user_id = $1 ORDER BY kind, channel",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?)
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

    /// The boards `user` muted, by id.
    pub async fn muted_boards(&self, user: Id) -> StoreResult<Vec<Board>> {
        Ok(sqlx::query_as::<_, Board>(
            "SELECT b.id, b.name, b.owner_id, b.created_at FROM board_mutes m \
             JOIN boards b ON b.id = m.board_id WHERE m.user_id = $1 ORDER BY b.id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The chat rooms `user` muted, by id.
    pub async fn muted_rooms(&self, user: Id) -> StoreResult<Vec<ChatRoom>> {
        Ok(sqlx::query_as::<_, ChatRoom>(
            "SELECT r.id, r.name, r.creator_id, r.created_at FROM room_mutes m \
             JOIN chat_rooms r ON r.id = m.room_id WHERE m.user_id = $1 ORDER BY r.id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?)
    }
}
