//! Chat rooms and their messages.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::Id;

#[derive(Clone, Debug, FromRow)]
pub struct ChatRoom {
    pub id: Id,
    pub name: String,
    pub creator_id: Id,
    pub created_at: i64,
}

/// A stored chat message. `id` grows in commit order within a room;
/// `prev_id` is the room's previous message id (0 for the first), the same
/// gap detection as a notification's.
#[derive(Clone, Debug, FromRow, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChatMessage {
    pub id: Id,
    pub room_id: Id,
    pub prev_id: Id,
    pub author_id: Id,
    pub body: String,
    pub created_at: i64,
}
