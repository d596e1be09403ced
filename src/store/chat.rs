//! Chat rooms, their members and their messages.
//!
//! A message row carries `prev_id`, the id of the room's previous message,
//! so that a live room subscription detects a gap exactly as a
//! notification subscription does (see `delivery`). For that to hold, ids
//! must be handed out in commit order within a room: SQLite's single
//! writer gives that for free, PostgreSQL gets a per-room advisory lock.

use super::{CATCH_UP_PAGE, Dialect, Store, StoreResult, WriteTx, now_micros};
use crate::model::{ChatMessage, ChatRoom, Id, User};
use crate::telemetry::metrics;

const ROOM_COLUMNS: &str = "id, name, creator_id, created_at";
const MESSAGE_COLUMNS: &str = "id, room_id, prev_id, author_id, body, created_at";

/// The first key of PostgreSQL's two-key advisory locks taken per room
/// while a message is inserted (the second is the room id). The two-key
/// space is separate from the one-key lock `insert_notifications` takes.
const ROOM_LOCK_CLASS: i32 = 7151;

/// The room `id`, on the pool or inside a transaction.
async fn chat_room<'e>(
    on: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: Id,
) -> StoreResult<Option<ChatRoom>> {
    Ok(sqlx::query_as::<_, ChatRoom>(&format!(
        "SELECT {ROOM_COLUMNS} FROM chat_rooms WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(on)
    .await?)
}

impl WriteTx {
    /// The room `id`, read inside this transaction.
    pub async fn chat_room(&mut self, id: Id) -> StoreResult<Option<ChatRoom>> {
        chat_room(&mut *self.tx, id).await
    }

    /// Creates a room with its creator as first member.
    pub async fn insert_chat_room(&mut self, creator: Id, name: &str) -> StoreResult<ChatRoom> {
        let room = sqlx::query_as::<_, ChatRoom>(&format!(
            "INSERT INTO chat_rooms (name, creator_id, created_at) VALUES ($1, $2, $3) \
             RETURNING {ROOM_COLUMNS}"
        ))
        .bind(name)
        .bind(creator)
        .bind(now_micros())
        .fetch_one(&mut *self.tx)
        .await?;
        self.insert_chat_member(room.id, creator).await?;
        Ok(room)
    }

    /// Adds a member; returns false if they already were one.
    pub async fn insert_chat_member(&mut self, room: Id, user: Id) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO chat_members (room_id, user_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(room)
        .bind(user)
        .bind(now_micros())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a member; returns false if they were not one.
    pub async fn delete_chat_member(&mut self, room: Id, user: Id) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM chat_members WHERE room_id = $1 AND user_id = $2")
            .bind(room)
            .bind(user)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// True when `user` is a member of `room`, as this transaction sees it.
    pub async fn is_chat_member(&mut self, room: Id, user: Id) -> StoreResult<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM chat_members WHERE room_id = $1 AND user_id = $2")
                .bind(room)
                .bind(user)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(row.is_some())
    }

    /// Every member of `room` with their name, for matching mentions.
    pub async fn chat_member_names(&mut self, room: Id) -> StoreResult<Vec<(Id, String)>> {
        Ok(sqlx::query_as::<_, (Id, String)>(
            "SELECT u.id, u.name FROM chat_members m JOIN users u ON u.id = m.user_id \
             WHERE m.room_id = $1 ORDER BY u.id",
        )
        .bind(room)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Appends a message to `room`, linking it to the room's previous one.
    pub async fn insert_chat_message(
        &mut self,
        room: Id,
        author: Id,
        body: &str,
    ) -> StoreResult<ChatMessage> {
        if self.dialect == Dialect::Postgres {
            // Serialises the writers of one room until they commit, so that
            // `prev_id` is the previous *committed* message and ids follow
            // commit order. Rooms do not wait on each other.
            sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind(ROOM_LOCK_CLASS)
                .bind(room.rem_euclid(i64::from(i32::MAX)) as i32)
                .execute(&mut *self.tx)
                .await?;
        }
        let sql = format!(
            "INSERT INTO chat_messages (room_id, prev_id, author_id, body, created_at) \
             SELECT $1, COALESCE((SELECT MAX(m.id) FROM chat_messages m WHERE m.room_id = $1), 0), \
                    $2, $3, $4 \
             RETURNING {MESSAGE_COLUMNS}"
        );
        self.insert_authored(&sql, room, author, body).await
    }
}

impl Store {
    pub async fn chat_room(&self, id: Id) -> StoreResult<Option<ChatRoom>> {
        chat_room(&self.pool, id).await
    }

    pub async fn chat_rooms_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<ChatRoom>> {
        self.rows_by_ids("chat_rooms", ROOM_COLUMNS, ids).await
    }

    /// When `user` (last) joined `room`, or `None` if they are not a
    /// member. A membership that ended and began again has a new time.
    pub async fn chat_member_since(&self, room: Id, user: Id) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT joined_at FROM chat_members WHERE room_id = $1 AND user_id = $2",
        )
        .bind(room)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(t,)| t))
    }

    /// The first `limit` members of a room, in the order they joined.
    pub async fn chat_room_members(&self, room: Id, limit: i64) -> StoreResult<Vec<User>> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT u.id, u.name, u.email, u.created_at FROM chat_members m \
             JOIN users u ON u.id = m.user_id WHERE m.room_id = $1 \
             ORDER BY m.joined_at, u.id LIMIT $2",
        )
        .bind(room)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The newest `limit` messages of `room` below `before_id` (all when
    /// `None`), returned oldest first.
    pub async fn chat_messages_page(
        &self,
        room: Id,
        before_id: Option<Id>,
        limit: i64,
    ) -> StoreResult<Vec<ChatMessage>> {
        let mut rows = sqlx::query_as::<_, ChatMessage>(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE room_id = $1 AND id < $2 \
             ORDER BY id DESC LIMIT $3"
        ))
        .bind(room)
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.reverse();
        Ok(rows)
    }

    /// Messages of `room` with an id above `after_id`, oldest first, at
    /// most `CATCH_UP_PAGE` of them.
    pub async fn chat_messages_after(
        &self,
        room: Id,
        after_id: Id,
    ) -> StoreResult<Vec<ChatMessage>> {
        let read = self.rows_after(
            "chat_messages",
            MESSAGE_COLUMNS,
            "room_id",
            room,
            after_id,
            CATCH_UP_PAGE,
        );
        metrics::timed_query("catch_up", read).await
    }

    /// The id of the newest message in `room`, 0 when there is none.
    pub async fn latest_chat_message_id(&self, room: Id) -> StoreResult<Id> {
        let (id,): (Option<Id>,) =
            sqlx::query_as("SELECT MAX(id) FROM chat_messages WHERE room_id = $1")
                .bind(room)
                .fetch_one(&self.pool)
                .await?;
        Ok(id.unwrap_or(0))
    }

    pub async fn chat_messages_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<ChatMessage>> {
        self.rows_by_ids("chat_messages", MESSAGE_COLUMNS, ids)
            .await
    }
}
