//! Users, boards, cards, comments and posts, as stored.

use sqlx::FromRow;

use super::Id;

/// A registered user, without credentials. `email` is `None` for a user
/// created from an identity provider's token that carried none.
#[derive(Clone, Debug, FromRow)]
pub struct User {
    pub id: Id,
    pub name: String,
    pub email: Option<String>,
    pub created_at: i64,
}

/// What a session revocation keeps: whose, which, and until when a token
/// of it could still be valid (seconds since the epoch).
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct RevokedSession {
    pub user_id: Id,
    pub session: String,
    pub until: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct Board {
    pub id: Id,
    pub name: String,
    pub owner_id: Id,
    pub created_at: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct Card {
    pub id: Id,
    pub board_id: Id,
    pub title: String,
    pub description: Option<String>,
    pub creator_id: Id,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A partial update: `None` leaves the field as it is; for the
/// description, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct CardChange {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
}

#[derive(Clone, Debug, FromRow)]
pub struct Comment {
    pub id: Id,
    pub card_id: Id,
    pub author_id: Id,
    pub body: String,
    pub created_at: i64,
}

/// A post; `image_file` is the stored file's name in the uploads directory.
#[derive(Clone, Debug, FromRow)]
pub struct Post {
    pub id: Id,
    pub author_id: Id,
    pub caption: Option<String>,
    pub image_file: String,
    pub created_at: i64,
}
