//! Events: what a committed change tells subscribers, and the topics that
//! route them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{ChatMessage, Id, InboxChange, Notified};

/// What a subscription listens to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Topic {
    /// Notifications and inbox changes of one user.
    User(Id),
    /// Messages and membership changes of one chat room.
    Room(Id),
    /// What every replica must hear whoever its subscribers are: session
    /// revocations.
    Control,
}

impl Topic {
    /// True for the topics of clients' subscriptions, which the counters
    /// count; false for the replica's own control topic.
    pub fn counts(&self) -> bool {
        !matches!(self, Topic::Control)
    }
}

/// A committed change that subscribers may want.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Event {
    Notification(Arc<Notified>),
    /// A user read notifications or changed their preferences.
    InboxChanged(Arc<InboxChange>),
    /// A message committed in a chat room: one event for the whole room.
    ChatMessage(Arc<ChatMessage>),
    /// `user_id` left `room_id`; their live room subscriptions end.
    ChatMemberLeft {
        room_id: Id,
        user_id: Id,
    },
    /// Tokens were revoked: every replica refuses them from now on and
    /// closes the connections that use them.
    Revoked(Revocation),
}

impl Event {
    /// The topic this event is published on.
    pub fn topic(&self) -> Topic {
        match self {
            Event::Notification(n) => Topic::User(n.row.recipient_id),
            Event::InboxChanged(c) => Topic::User(c.user_id),
            Event::ChatMessage(m) => Topic::Room(m.room_id),
            Event::ChatMemberLeft { room_id, .. } => Topic::Room(*room_id),
            Event::Revoked(_) => Topic::Control,
        }
    }
}

/// A revocation, as the store records it and the broker carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Revocation {
    /// Every token of one session (log out), until `until` (seconds).
    Session {
        user_id: Id,
        session: String,
        until: i64,
    },
    /// Every token of the user issued before now (log out everywhere):
    /// Herald's own below `generation`, other issuers' issued at or before
    /// `at` (seconds).
    AllSessions {
        user_id: Id,
        generation: i64,
        at: i64,
    },
}
