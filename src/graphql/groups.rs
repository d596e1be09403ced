//! Unread notifications grouped by what they are about: the
//! `notificationGroups` list, `markNotificationGroupRead`, and the groups
//! that `inbox` updates show.
//!
//! A group is every unread notification of one kind about one subject (a
//! card, a poster, a room), shown as one entry with a sentence ("Alice and
//! 3 others commented on the card “Ship v1”"). Groups are read from the
//! store when asked for, so they are never out of step with read state.

use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};

use super::{
    ContextExt,
    loaders::{load_existing, load_one},
    notifications::{
        NotificationCursor, NotificationKind, NotificationNode, PageInfo, page_cost, page_request,
    },
};
use crate::{
    app::commit_then_publish,
    error::{AppError, AppResult},
    model::{self, Event, Id, Notified, User},
    notify::{GroupSummary, group_message, published_group_message},
    store::StoredGroup,
};

/// The longest group key accepted: the longest Herald writes is a
/// published notification's, `CUSTOM:` and a type (64) and a subject
/// (255).
pub const MAX_GROUP_KEY_LEN: usize = 400;

/// One group of your unread notifications.
pub struct NotificationGroup(pub Arc<StoredGroup>);

#[Object]
impl NotificationGroup {
    /// Names the group (each notification's `groupKey`): pass it to
    /// `markNotificationGroupRead`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// Pass as `after` for the groups after this one.
    async fn cursor(&self) -> String {
        NotificationCursor(self.0.newest_id).encode()
    }

    async fn kind(&self) -> AppResult<NotificationKind> {
        model::NotificationKind::parse(&self.0.kind)
            .map(NotificationKind::from)
            .ok_or_else(|| AppError::internal(format!("unknown notification kind {}", self.0.kind)))
    }

    /// How many unread notifications it holds.
    async fn count(&self) -> i32 {
        i32::try_from(self.0.count).unwrap_or(i32::MAX)
    }

    /// How many different people caused them.
    async fn actor_count(&self) -> i32 {
        i32::try_from(self.0.actor_count).unwrap_or(i32::MAX)
    }

    /// The most recent of those people (up to three), newest first.
    async fn actors(&self, ctx: &Context<'_>) -> AppResult<Vec<Arc<User>>> {
        Ok(self
            .people(ctx, self.0.actor_ids.len())
            .await?
            .into_iter()
            .map(Arc::new)
            .collect())
    }

    /// Its newest notification.
    async fn latest(&self, ctx: &Context<'_>) -> AppResult<NotificationNode> {
        self.latest_row(ctx).await
    }

    /// When its newest notification was created.
    async fn latest_at(&self) -> chrono::DateTime<chrono::Utc> {
        super::datetime(self.0.latest_at)
    }

    /// The group as one sentence, ready to show: "Alice and 3 others
    /// commented on the card “Ship v1”". A group of one shows its
    /// notification's own message.
    async fn message(&self, ctx: &Context<'_>) -> AppResult<String> {
        if self.0.count == 1 {
            return Ok(self.latest_row(ctx).await?.0.row.message.clone());
        }
        let kind = model::NotificationKind::parse(&self.0.kind).ok_or_else(|| {
            AppError::internal(format!("unknown notification kind {}", self.0.kind))
        })?;
        if kind == model::NotificationKind::Custom {
            let newest = self.latest_row(ctx).await?;
            return Ok(published_group_message(&newest.0.row.message, self.0.count));
        }
        let loaders = ctx.loaders();
        let names: Vec<String> = self
            .people(ctx, 2)
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect();
        let subject = match subject_of(&self.0.key) {
            Some(("card", id)) => load_one(&loaders.cards, id).await?.map(|card| card.title),
            Some(("room", id)) => load_one(&loaders.rooms, id).await?.map(|room| room.name),
            _ => None,
        };
        let actors: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(group_message(&GroupSummary {
            kind,
            count: self.0.count,
            actor_count: self.0.actor_count,
            actors: &actors,
            subject: subject.as_deref(),
        }))
    }
}

impl NotificationGroup {
    /// The first `n` of its people, newest first, in one load.
    async fn people(&self, ctx: &Context<'_>, n: usize) -> AppResult<Vec<User>> {
        let ids = &self.0.actor_ids[..n.min(self.0.actor_ids.len())];
        let mut found = ctx.loaders().users.load_many(ids.iter().copied()).await?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    async fn latest_row(&self, ctx: &Context<'_>) -> AppResult<NotificationNode> {
        let row = load_existing(&ctx.loaders().notifications, self.0.newest_id).await?;
        Ok(NotificationNode(Arc::new(Notified::stored(row))))
    }
}

/// What a group key says it is about: `("card", 7)` of
/// `COMMENT_ADDED:card:7`.
fn subject_of(key: &str) -> Option<(&str, Id)> {
    let mut parts = key.rsplitn(3, ':');
    let id = parts.next()?.parse().ok()?;
    let what = parts.next()?;
    parts.next()?;
    Some((what, id))
}

/// The groups `user` has unread among `keys`, as they stand now, in the
/// order of `keys`; a key with nothing unread left is skipped.
pub async fn current_groups(
    ctx: &Context<'_>,
    user: Id,
    keys: &[String],
) -> AppResult<Vec<NotificationGroup>> {
    let asks = keys.iter().map(|key| (user, key.clone()));
    let found = ctx.loaders().groups.load_many(asks).await?;
    Ok(keys
        .iter()
        .filter_map(|key| found.get(&(user, key.clone())).cloned())
        .map(NotificationGroup)
        .collect())
}

#[derive(SimpleObject)]
pub struct NotificationGroupEdge {
    cursor: String,
    node: NotificationGroup,
}

#[derive(SimpleObject)]
pub struct NotificationGroupConnection {
    edges: Vec<NotificationGroupEdge>,
    page_info: PageInfo,
}

#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    /// Your unread notifications, grouped by what they are about, the
    /// group with the newest notification first. `first` defaults to 20
    /// (at most 100); pass the previous page's `endCursor` as `after` for
    /// the next. A group that gets a new notification moves to the top:
    /// the `inbox` subscription says so.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn notification_groups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<NotificationGroupConnection> {
        let me = ctx.caller()?;
        let (first, before) = page_request(first, after.as_deref())?;
        let store = &ctx.services().store;
        let mut page = store.group_page(me, before, i64::from(first) + 1).await?;
        let has_next_page = page.len() > first as usize;
        page.truncate(first as usize);
        let pairs: Vec<(Id, String)> = page.iter().map(|(key, _)| (me, key.clone())).collect();
        let mut groups = store.notification_groups(&pairs).await?;
        let end_cursor = page
            .last()
            .map(|&(_, newest)| NotificationCursor(newest).encode());
        // A group read between the two statements is left out.
        let edges = pairs
            .into_iter()
            .filter_map(|pair| groups.remove(&pair))
            .map(|group| NotificationGroupEdge {
                cursor: NotificationCursor(group.newest_id).encode(),
                node: NotificationGroup(Arc::new(group)),
            })
            .collect();
        Ok(NotificationGroupConnection {
            edges,
            page_info: PageInfo {
                has_next_page,
                end_cursor,
            },
        })
    }
}

#[derive(Default)]
pub struct GroupMutation;

#[Object]
impl GroupMutation {
    /// Marks read every unread notification of one of your groups (up to
    /// the notification whose cursor is `upTo`, when given: what the
    /// client showed, so that one that arrived meanwhile stays unread).
    /// Returns how many were unread. Your other devices see it through
    /// `inbox` as READ.
    async fn mark_notification_group_read(
        &self,
        ctx: &Context<'_>,
        key: String,
        up_to: Option<String>,
    ) -> AppResult<i32> {
        let me = ctx.caller()?;
        if key.is_empty() || key.len() > MAX_GROUP_KEY_LEN {
            return Err(AppError::bad_input(
                "key",
                format!("must be a group key of 1 to {MAX_GROUP_KEY_LEN} bytes"),
            ));
        }
        let up_to = up_to
            .as_deref()
            .map(|c| NotificationCursor::decode("upTo", c))
            .transpose()?
            .unwrap_or(Id::MAX);
        let services = ctx.services();
        let mut tx = services.store.begin_write().await?;
        let (marked, change) = tx
            .mark_group_read(me, &key, up_to)
            .await?
            .ok_or_else(|| AppError::not_found("notification group"))?;
        let events = change
            .map(|c| Event::InboxChanged(Arc::new(c)))
            .into_iter()
            .collect();
        commit_then_publish(tx, &services.broker, events).await?;
        Ok(i32::try_from(marked.len()).unwrap_or(i32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_its_subject() {
        assert_eq!(subject_of("COMMENT_ADDED:card:7"), Some(("card", 7)));
        assert_eq!(subject_of("CHAT_MENTION:room:12"), Some(("room", 12)));
        assert_eq!(subject_of("POST_UPLOADED:user:3"), Some(("user", 3)));
        for bad in [
            "",
            "7",
            "card:7",
            "COMMENT_ADDED:card:x",
            "COMMENT_ADDED:card:",
        ] {
            assert_eq!(subject_of(bad), None, "{bad}");
        }
    }
}
