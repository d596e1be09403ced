//! The plain types every layer shares: the rows Herald keeps, what a
//! notification is made of, and the events that travel from a committed
//! change to its subscribers.
//!
//! Nothing here knows how rows are stored, served or delivered; this module
//! imports nothing else of Herald, and every other module may import it.
//! Rows derive `sqlx::FromRow` so that the store can read them directly,
//! and the events derive serde so that brokers can carry them between
//! replicas.

mod chat;
mod events;
mod inbox;
mod notifications;
mod rows;

pub use chat::{ChatMessage, ChatRoom};
pub use events::{Event, Revocation, Topic};
pub use inbox::{CHANNEL_IN_APP, CHANNEL_PUSH, InboxChange, InboxChangeKind, InboxItem};
pub use notifications::{
    Audience, NewNotification, Notification, NotificationKind, Notified, Subjects,
};
pub use rows::{Board, Card, CardChange, Comment, Post, RevokedSession, User};

/// Row ids. Every table uses 64-bit integer keys.
pub type Id = i64;
