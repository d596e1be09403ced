//! The inbox's own changes: what a user did to their notifications (read
//! one, read all) or to what they want to be told (preferences, mutes).
//!
//! Together with the user's notifications they form the user's inbox
//! sequence. Both take their ids from one sequence, so an id is a version
//! of the user's inbox: every change (a new notification, a read, a
//! preference) has a higher one than the change before it and names that
//! one (a change as `prev_version`; a notification as the newer of its
//! `prev_id` and `prev_change`), which is how a live subscriber sees that
//! it missed one, as `prev_id` does for notifications alone.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Id, Notified};

/// What an inbox change did; stored in the `kind` column (`as_str`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InboxChangeKind {
    /// Notifications were marked read: `read_ids`.
    Read,
    /// Every notification up to `read_up_to` was marked read.
    AllRead,
    /// The user's preferences or mutes changed.
    Preferences,
    /// The retention policy deleted every notification up to
    /// `read_up_to`, `marked` of them unread.
    Expired,
}

impl InboxChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxChangeKind::Read => "READ",
            InboxChangeKind::AllRead => "ALL_READ",
            InboxChangeKind::Preferences => "PREFERENCES",
            InboxChangeKind::Expired => "EXPIRED",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        [Self::Read, Self::AllRead, Self::Preferences, Self::Expired]
            .into_iter()
            .find(|k| k.as_str() == stored)
    }
}

/// One stored inbox change.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct InboxChange {
    pub id: Id,
    pub user_id: Id,
    /// The user's inbox version before this change (their previous
    /// notification or change; 0 for none).
    pub prev_version: Id,
    pub kind: InboxChangeKind,
    /// The notifications this change marked read (READ).
    pub read_ids: Vec<Id>,
    /// The newest notification that ALL_READ marked read, with every
    /// older one; for EXPIRED, the newest one deleted, with every older
    /// one.
    pub read_up_to: Option<Id>,
    /// How many unread notifications this change made read (or deleted,
    /// EXPIRED): what it takes off the unread count.
    pub marked: i64,
    pub created_at: i64,
}

/// One step of a user's inbox sequence.
#[derive(Clone, Debug)]
pub enum InboxItem {
    Notification(Arc<Notified>),
    Change(Arc<InboxChange>),
}

impl InboxItem {
    /// Its version: its id.
    pub fn version(&self) -> Id {
        match self {
            InboxItem::Notification(n) => n.row.id,
            InboxItem::Change(c) => c.id,
        }
    }

    /// The version before it.
    pub fn prev_version(&self) -> Id {
        match self {
            InboxItem::Notification(n) => n.row.prev_id.max(n.row.prev_change),
            InboxItem::Change(c) => c.prev_version,
        }
    }

    /// What it does to the unread count: a new notification is unread, a
    /// read takes off what it marked.
    pub fn unread_delta(&self) -> i64 {
        match self {
            InboxItem::Notification(_) => 1,
            InboxItem::Change(c) => -c.marked,
        }
    }

    pub fn created_at(&self) -> i64 {
        match self {
            InboxItem::Notification(n) => n.row.created_at,
            InboxItem::Change(c) => c.created_at,
        }
    }
}

/// The channel of notifications shown in the inbox (and delivered live),
/// as preferences name it.
pub const CHANNEL_IN_APP: &str = "IN_APP";

/// The channel of notifications sent as Web Push messages to the browsers
/// a user registered.
pub const CHANNEL_PUSH: &str = "PUSH";
