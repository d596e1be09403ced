//! What a notification is: its kind, the row kept per recipient, what is
//! the same for every recipient of one event, who receives it, and the
//! rows it names.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::{Card, Comment, Id, Post, User};

/// What happened; stored in the `kind` column (`as_str`) and shown to
/// clients as the GraphQL enum of the same name, whose documentation says
/// what each kind means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    CardUpdated,
    CardAssigned,
    CommentAdded,
    PostUploaded,
    ChatMention,
    /// An app's own type of notification, published through the API
    /// (`publishNotification`); its `custom_type` names it.
    Custom,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 6] = [
        NotificationKind::CardUpdated,
        NotificationKind::CardAssigned,
        NotificationKind::CommentAdded,
        NotificationKind::PostUploaded,
        NotificationKind::ChatMention,
        NotificationKind::Custom,
    ];

    /// The value stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::CardUpdated => "CARD_UPDATED",
            NotificationKind::CardAssigned => "CARD_ASSIGNED",
            NotificationKind::CommentAdded => "COMMENT_ADDED",
            NotificationKind::PostUploaded => "POST_UPLOADED",
            NotificationKind::ChatMention => "CHAT_MENTION",
            NotificationKind::Custom => "CUSTOM",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == stored)
    }
}

/// A stored notification, one per recipient. `id` is the cursor: ids grow
/// in commit order, so they are strictly increasing per recipient.
/// `prev_id` is the recipient's previous notification id (0 for the
/// first), which lets a live subscriber detect that it missed one.
#[derive(Clone, Debug, FromRow, Serialize, Deserialize, PartialEq, Eq)]
pub struct Notification {
    pub id: Id,
    pub recipient_id: Id,
    pub prev_id: Id,
    /// The recipient's newest inbox change (see `InboxChange`) before
    /// this notification, 0 for none: the newer of it and `prev_id` is the
    /// recipient's inbox version before this notification. Absent from
    /// events serialised before the inbox had versions.
    #[serde(default)]
    pub prev_change: Id,
    pub kind: String,
    pub message: String,
    pub actor_id: Option<Id>,
    pub card_id: Option<Id>,
    pub comment_id: Option<Id>,
    pub post_id: Option<Id>,
    /// The chat message of a CHAT_MENTION. Absent from events serialised
    /// before chat existed, hence the default.
    #[serde(default)]
    pub chat_message_id: Option<Id>,
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// The group it is shown in: its kind and what it is about (see
    /// `NewNotification::group_key`). Absent from events serialised before
    /// notifications were grouped.
    #[serde(default)]
    pub group_key: String,
    /// For a CUSTOM notification, the app's type (e.g. `invoice.paid`).
    #[serde(default)]
    pub custom_type: Option<String>,
    /// Where the app wants a click on it to go.
    #[serde(default)]
    pub link: Option<String>,
    /// A JSON document the app attached, as text.
    #[serde(default)]
    pub data: Option<String>,
}

impl Notification {
    /// The type a client sees: the app's for a CUSTOM notification, the
    /// kind's own name otherwise. Preferences are kept by this name.
    pub fn type_name(&self) -> &str {
        self.custom_type.as_deref().unwrap_or(&self.kind)
    }

    /// A row of `recipient` with the given ids and nothing else, for the
    /// unit tests of the modules that route and sequence notifications.
    #[cfg(test)]
    pub(crate) fn bare(id: Id, recipient_id: Id, prev_id: Id) -> Notification {
        Notification {
            id,
            recipient_id,
            prev_id,
            prev_change: 0,
            kind: "CARD_UPDATED".into(),
            message: String::new(),
            actor_id: None,
            card_id: None,
            comment_id: None,
            post_id: None,
            chat_message_id: None,
            created_at: 0,
            read_at: None,
            group_key: String::new(),
            custom_type: None,
            link: None,
            data: None,
        }
    }
}

/// A notification on its way to a subscriber: the stored row and, when the
/// process that wrote it delivers it, the rows it names. Across replicas
/// (and on rows read back from the store) only the row travels; readers
/// then load what it names by id.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Notified {
    pub row: Notification,
    #[serde(skip)]
    pub subjects: Option<Arc<Subjects>>,
}

impl Notified {
    /// A row read back from the store.
    pub fn stored(row: Notification) -> Self {
        Notified {
            row,
            subjects: None,
        }
    }
}

/// The rows a notification points at, as the transaction that wrote it
/// saw them. One value is shared by every recipient of a fan-out, so that
/// a live delivery resolves `actor`, `card`, … without reading them back
/// from the store once per subscriber.
#[derive(Debug, Default)]
pub struct Subjects {
    pub actor: Option<Arc<User>>,
    pub card: Option<Arc<Card>>,
    pub comment: Option<Arc<Comment>>,
    pub post: Option<Arc<Post>>,
}

/// The part of a notification that is the same for every recipient.
#[derive(Clone, Debug, Default)]
pub struct NewNotification {
    pub kind: &'static str,
    pub message: String,
    pub actor_id: Option<Id>,
    pub card_id: Option<Id>,
    pub comment_id: Option<Id>,
    pub post_id: Option<Id>,
    pub chat_message_id: Option<Id>,
    /// Its kind and what it is about, e.g. `COMMENT_ADDED:card:7`: the
    /// unread notifications of a recipient with one key are shown as one
    /// group. `notify` writes it (`notify::group_key`).
    pub group_key: String,
    /// For a CUSTOM notification, the app's type.
    pub custom_type: Option<String>,
    /// Where a click should go (published notifications).
    pub link: Option<String>,
    /// A JSON document, as text (published notifications).
    pub data: Option<String>,
}

/// Who receives a notification, as `notify` decided it: these users, or a
/// group that the store selects in the insert itself (so that a fan-out to
/// thousands never carries their ids to the server and back), always
/// without the actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// These users, distinct, the actor already left out.
    Users(Vec<Id>),
    /// Everyone assigned to `card`, except `except`.
    CardAssignees { card: Id, except: Id },
    /// Everyone following `followee`, except `except`.
    Followers { followee: Id, except: Id },
    /// These users and every member of these topics, each once, except
    /// `except` (a published notification's actor).
    Published {
        users: Vec<Id>,
        topics: Vec<String>,
        except: Option<Id>,
    },
}

impl Audience {
    /// True when it certainly holds nobody.
    pub fn is_empty(&self) -> bool {
        match self {
            Audience::Users(ids) => ids.is_empty(),
            Audience::Published { users, topics, .. } => users.is_empty() && topics.is_empty(),
            _ => false,
        }
    }

    /// True when it may hold thousands: a user's followers, or a long
    /// list. A card's assignees are a handful.
    pub fn may_be_large(&self) -> bool {
        match self {
            Audience::Users(ids) => ids.len() > 32,
            Audience::CardAssignees { .. } => false,
            Audience::Followers { .. } => true,
            Audience::Published { users, topics, .. } => users.len() > 32 || !topics.is_empty(),
        }
    }
}
