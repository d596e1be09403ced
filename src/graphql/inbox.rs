//! The live `inbox` subscription: a user's inbox state (versions, unread
//! count), then every change to it, from any device, on any replica.
//!
//! A user's notifications and inbox changes (reads, preferences) form one
//! sequence of versions (see `model::InboxChange`), delivered like
//! `notifications`: gap-free, resumable after a version, caught up from
//! the store after an overflow. The unread count is the count at the
//! starting version, read in one statement, plus what each item since
//! did to it: no update is counted twice or missed, so it never drifts
//! from the store.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Subscription};
use futures_util::{Stream, StreamExt, stream};

use super::{
    ContextExt,
    groups::{NotificationGroup, current_groups},
    notifications::{NotificationCursor, NotificationNode},
    parse_id,
    preferences::NotificationPreferences,
    subscriptions::{ResumedIn, Source, resumable, resume_point},
};
use crate::{
    delivery::{EventIds, Picked},
    error::{AppError, AppResult},
    model::{Event, Id, InboxChangeKind, InboxItem, Topic},
};

/// A version of a user's inbox, as clients see it: 16 hexadecimal digits,
/// so that the versions of one user compare as strings.
pub struct InboxVersion(pub Id);

impl InboxVersion {
    pub fn encode(&self) -> String {
        format!("{:016x}", self.0)
    }

    pub fn decode(field: &'static str, version: &str) -> AppResult<Id> {
        let version = version.trim();
        if version.len() != 16 {
            return Err(AppError::bad_input(field, "is not an inbox version"));
        }
        Id::from_str_radix(version, 16)
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| AppError::bad_input(field, "is not an inbox version"))
    }
}

/// What an `InboxUpdate` says.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxUpdateKind {
    /// The first update of a subscription: the inbox as it stands.
    State,
    /// A new notification (`notification`).
    Notification,
    /// Notifications were marked read (`readIds`).
    Read,
    /// Every notification up to `allReadUpTo` was marked read.
    AllRead,
    /// Your preferences or mutes changed (`preferences`).
    Preferences,
    /// The retention policy deleted every notification up to
    /// `expiredUpTo`; the unread ones among them are off the count.
    Expired,
}

/// One version of your inbox: what changed, and the unread count after it.
pub struct InboxUpdate {
    user: Id,
    version: Id,
    unread: i64,
    /// `None` for the first update, the state.
    item: Option<Arc<InboxItem>>,
    /// The keys of the groups it changed, read once for both fields that
    /// show them.
    group_keys: tokio::sync::OnceCell<Vec<String>>,
}

#[Object]
impl InboxUpdate {
    /// Strictly increasing per user: apply an update only when its
    /// version is above the last one applied (versions compare as
    /// strings). Pass the last one as `after` to resume.
    async fn version(&self) -> String {
        InboxVersion(self.version).encode()
    }

    async fn kind(&self) -> InboxUpdateKind {
        match self.item.as_deref() {
            None => InboxUpdateKind::State,
            Some(InboxItem::Notification(_)) => InboxUpdateKind::Notification,
            Some(InboxItem::Change(c)) => match c.kind {
                InboxChangeKind::Read => InboxUpdateKind::Read,
                InboxChangeKind::AllRead => InboxUpdateKind::AllRead,
                InboxChangeKind::Preferences => InboxUpdateKind::Preferences,
                InboxChangeKind::Expired => InboxUpdateKind::Expired,
            },
        }
    }

    /// Your unread notifications at this version.
    async fn unread_count(&self) -> i32 {
        i32::try_from(self.unread).unwrap_or(i32::MAX)
    }

    /// The new notification (NOTIFICATION).
    async fn notification(&self) -> Option<NotificationNode> {
        match self.item.as_deref() {
            Some(InboxItem::Notification(n)) => Some(NotificationNode(n.clone())),
            _ => None,
        }
    }

    /// The notifications just marked read (READ); empty otherwise.
    async fn read_ids(&self) -> Vec<ID> {
        match self.item.as_deref() {
            Some(InboxItem::Change(c)) => c.read_ids.iter().map(|id| ID(id.to_string())).collect(),
            _ => Vec::new(),
        }
    }

    /// ALL_READ: the cursor of the newest notification marked read; it and
    /// every older one are read.
    async fn all_read_up_to(&self) -> Option<String> {
        self.up_to(InboxChangeKind::AllRead)
    }

    /// EXPIRED: the cursor of the newest notification the retention policy
    /// deleted; it and every older one are gone.
    async fn expired_up_to(&self) -> Option<String> {
        self.up_to(InboxChangeKind::Expired)
    }

    /// Your preferences as they are now (STATE and PREFERENCES).
    async fn preferences(&self, ctx: &Context<'_>) -> AppResult<Option<NotificationPreferences>> {
        let shows = match self.item.as_deref() {
            None => true,
            Some(InboxItem::Change(c)) => c.kind == InboxChangeKind::Preferences,
            Some(InboxItem::Notification(_)) => false,
        };
        if !shows {
            return Ok(None);
        }
        NotificationPreferences::of(ctx, self.user).await.map(Some)
    }

    /// The keys of the groups (`notificationGroups`) this update changed:
    /// the new notification's group (NOTIFICATION), the groups of the
    /// notifications marked read (READ); empty otherwise. ALL_READ empties
    /// every group; after EXPIRED, read `notificationGroups` again.
    async fn group_keys(&self, ctx: &Context<'_>) -> AppResult<Vec<String>> {
        Ok(self.changed_groups(ctx).await?.clone())
    }

    /// Those of the groups in `groupKeys` that still hold unread
    /// notifications, as they stand now; a key absent here names a group
    /// that is now empty.
    async fn groups(&self, ctx: &Context<'_>) -> AppResult<Vec<NotificationGroup>> {
        let keys = self.changed_groups(ctx).await?;
        current_groups(ctx, self.user, keys).await
    }
}

impl InboxUpdate {
    fn new(user: Id, version: Id, unread: i64, item: Option<Arc<InboxItem>>) -> Self {
        InboxUpdate {
            user,
            version,
            unread,
            item,
            group_keys: tokio::sync::OnceCell::new(),
        }
    }

    async fn changed_groups(&self, ctx: &Context<'_>) -> AppResult<&Vec<String>> {
        self.group_keys
            .get_or_try_init(|| async {
                Ok(match self.item.as_deref() {
                    Some(InboxItem::Notification(n)) => vec![n.row.group_key.clone()],
                    Some(InboxItem::Change(c)) if c.kind == InboxChangeKind::Read => {
                        ctx.services()
                            .store
                            .group_keys_of(self.user, &c.read_ids)
                            .await?
                    }
                    _ => Vec::new(),
                })
            })
            .await
    }

    /// The `read_up_to` cursor of a change of `kind`.
    fn up_to(&self, kind: InboxChangeKind) -> Option<String> {
        match self.item.as_deref() {
            Some(InboxItem::Change(c)) if c.kind == kind => {
                c.read_up_to.map(|id| NotificationCursor(id).encode())
            }
            _ => None,
        }
    }
}

fn pick_inbox(event: Event) -> Picked<InboxItem> {
    match event {
        Event::Notification(n) => Picked::Item(Arc::new(InboxItem::Notification(n))),
        Event::InboxChanged(c) => Picked::Item(Arc::new(InboxItem::Change(c))),
        _ => Picked::Skip,
    }
}

fn version_of(item: &InboxItem) -> String {
    InboxVersion(item.version()).encode()
}

#[derive(Default)]
pub struct InboxSubscription;

#[Subscription]
impl InboxSubscription {
    /// Your inbox, live: first its state (STATE: version, unread count,
    /// preferences), then every change to it from any device: new
    /// notifications, reads, preference changes. With `after` (a
    /// version), the state at that version, then every change since, with
    /// no gap and no duplicate. Only your own `userId` is allowed.
    async fn inbox(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        after: Option<String>,
    ) -> Result<impl Stream<Item = AppResult<InboxUpdate>> + use<>, AppError> {
        let me = ctx.caller()?;
        let user_id = parse_id("userId", &user_id)?;
        if user_id != me {
            return Err(AppError::forbidden(
                "you may only subscribe to your own inbox",
            ));
        }
        let resumed = resume_point(ctx, after.as_deref(), InboxVersion::decode)?;
        let services = ctx.services();
        // As for `notifications`: the broker's epoch before the read tells
        // whether anything was published between it and the registration.
        let mark = services.broker.epoch();
        // Single-flight, like the newest ids of `notifications`: a burst
        // of (re)connecting clients shares a few reads.
        let state = ctx.loaders().inbox_states.load_one((me, resumed)).await?;
        let store = services.store.clone();
        let source = Source {
            topic: Topic::User(me),
            after: state.version,
            resumed_in: resumed.map(|_| ResumedIn::Inbox(me)),
            pick: pick_inbox,
            fetch_after: move |after| {
                let store = store.clone();
                async move { Ok(Some(store.inbox_after(me, after).await?)) }
            },
            newest_read_at: if resumed.is_none() { mark } else { None },
        };
        let items = resumable(ctx, source, version_of, |item| item).await?;
        let ids = ctx.data_opt::<EventIds>().cloned();
        let field = ctx.item.node.response_key().node.to_string();
        let first = InboxUpdate::new(me, state.version, state.unread, None);
        let head = stream::once(async move {
            if let Some(ids) = ids {
                ids.record(&field, InboxVersion(first.version).encode());
            }
            Ok(first)
        });
        let mut unread = state.unread;
        Ok(head.chain(items.map(move |item| {
            item.map(|item| {
                unread += item.unread_delta();
                InboxUpdate::new(me, item.version(), unread, Some(item))
            })
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_round_trip_and_sort_as_strings() {
        let (low, high) = (InboxVersion(9).encode(), InboxVersion(10).encode());
        assert!(low < high, "{low} < {high}");
        assert_eq!(InboxVersion::decode("after", &high).unwrap(), 10);
        for bad in [
            "",
            "10",
            "zzzzzzzzzzzzzzzz",
            "-000000000000001",
            "00000000000000010",
        ] {
            assert!(InboxVersion::decode("after", bad).is_err(), "{bad}");
        }
    }
}
