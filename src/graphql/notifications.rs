//! The inbox (pages, read state, unread count) and the live
//! `notifications` subscription.

use std::sync::Arc;

use async_graphql::{
    Context, Enum, ID, Json, Object, SimpleObject, Subscription, dataloader::DataLoader,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use futures_util::{FutureExt, StreamExt, future::BoxFuture, stream::BoxStream};

use super::{
    ContextExt, Loaders, Services,
    chat::ChatMessageNode,
    datetime, engine,
    loaders::{ById, LoadById, load_existing, load_one},
    parse_id,
    subscriptions::{ResumedIn, Source, resumable, resume_point},
};
use crate::{
    app::commit_then_publish,
    delivery::Picked,
    error::{AppError, AppResult},
    model::{self, Card, Comment, Event, Id, Notified, Post, Subjects, Topic, User},
    store::{Retained, StoreError},
};

/// What happened, as the client sees it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "model::NotificationKind")]
pub enum NotificationKind {
    /// A card you are assigned to was edited.
    CardUpdated,
    /// You were assigned to a card.
    CardAssigned,
    /// Someone commented on a card you created or are assigned to.
    CommentAdded,
    /// Someone you follow posted a photo.
    PostUploaded,
    /// Someone mentioned you (`@your name`) in a chat room you are in.
    ChatMention,
    /// An app's own type (`type` names it, e.g. `invoice.paid`), published
    /// by its backend with `publishNotification`.
    Custom,
}

/// An opaque, URL-safe cursor naming a position in a recipient's
/// notifications. Cursors of one recipient increase strictly with time.
pub struct NotificationCursor(pub Id);

impl NotificationCursor {
    const PREFIX: &'static str = "n:";

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}{}", Self::PREFIX, self.0))
    }

    pub fn decode(field: &'static str, cursor: &str) -> AppResult<Id> {
        let bad = || AppError::bad_input(field, "is not a notification cursor");
        let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| bad())?;
        text.strip_prefix(Self::PREFIX)
            .and_then(|n| n.parse::<Id>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(bad)
    }
}

/// Page size when `first` is omitted, and the largest page served.
pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

/// A notification as the client sees it. Wraps the shared value that the
/// broker hands to every subscriber, so delivering it copies nothing.
pub struct NotificationNode(pub Arc<Notified>);

#[Object(name = "Notification")]
impl NotificationNode {
    async fn id(&self, ctx: &Context<'_>) -> ID {
        match ctx.data_opt::<Arc<engine::RenderMarks>>() {
            Some(marks) => ID(marks.id.to_string()),
            None => ID(self.0.row.id.to_string()),
        }
    }

    /// Pass as `after` to resume right after this notification.
    async fn cursor(&self, ctx: &Context<'_>) -> String {
        match ctx.data_opt::<Arc<engine::RenderMarks>>() {
            Some(marks) => marks.cursor.to_string(),
            None => NotificationCursor(self.0.row.id).encode(),
        }
    }

    async fn kind(&self) -> AppResult<NotificationKind> {
        model::NotificationKind::parse(&self.0.row.kind)
            .map(NotificationKind::from)
            .ok_or_else(|| {
                AppError::internal(format!("unknown notification kind {}", self.0.row.kind))
            })
    }

    /// The app's type for CUSTOM (e.g. `invoice.paid`); the kind's own
    /// name (e.g. `CARD_UPDATED`) otherwise. Preferences turn types off
    /// by this name.
    async fn r#type(&self) -> &str {
        self.0.row.type_name()
    }

    /// A sentence naming who did what, ready to show.
    async fn message(&self) -> &str {
        &self.0.row.message
    }

    /// Where a click on it should go, as the app published it: an
    /// http(s) URL or a path on the app's origin.
    async fn link(&self) -> Option<&str> {
        self.0.row.link.as_deref()
    }

    /// What the app attached, as JSON.
    async fn data(&self) -> Option<Json<serde_json::Value>> {
        let text = self.0.row.data.as_deref()?;
        serde_json::from_str(text).ok().map(Json)
    }

    /// Who caused it.
    async fn actor(&self, ctx: &Context<'_>) -> AppResult<Option<Arc<User>>> {
        let known = self.subjects().and_then(|s| s.actor.clone());
        subject(known, self.0.row.actor_id, &ctx.loaders().users).await
    }

    // Live, the card as the change that caused the notification left it;
    // read back later, the card as it is now.
    async fn card(&self, ctx: &Context<'_>) -> AppResult<Option<Arc<Card>>> {
        let known = self.subjects().and_then(|s| s.card.clone());
        subject(known, self.0.row.card_id, &ctx.loaders().cards).await
    }

    async fn comment(&self, ctx: &Context<'_>) -> AppResult<Option<Arc<Comment>>> {
        let known = self.subjects().and_then(|s| s.comment.clone());
        subject(known, self.0.row.comment_id, &ctx.loaders().comments).await
    }

    async fn post(&self, ctx: &Context<'_>) -> AppResult<Option<Arc<Post>>> {
        let known = self.subjects().and_then(|s| s.post.clone());
        subject(known, self.0.row.post_id, &ctx.loaders().posts).await
    }

    /// The message that mentioned you, for CHAT_MENTION.
    async fn chat_message(&self, ctx: &Context<'_>) -> AppResult<Option<ChatMessageNode>> {
        match self.0.row.chat_message_id {
            Some(id) => Ok(Some(ChatMessageNode(Arc::new(
                load_existing(&ctx.loaders().messages, id).await?,
            )))),
            None => Ok(None),
        }
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        datetime(self.0.row.created_at)
    }

    /// When it was first marked read; null while unread.
    async fn read_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.row.read_at.map(datetime)
    }

    /// The group it is shown in while unread (`notificationGroups`): its
    /// kind and what it is about, e.g. a card's comments.
    async fn group_key(&self) -> &str {
        &self.0.row.group_key
    }
}

impl NotificationNode {
    fn subjects(&self) -> Option<&Subjects> {
        self.0.subjects.as_deref()
    }

    /// A row read from the store.
    fn stored(row: model::Notification) -> Self {
        NotificationNode(Arc::new(Notified::stored(row)))
    }
}

/// A row a notification names: the one its writer handed along when there
/// is one (a live delivery from this process), else loaded by id.
async fn subject<T: LoadById>(
    known: Option<Arc<T>>,
    id: Option<Id>,
    loader: &DataLoader<ById<T>>,
) -> AppResult<Option<Arc<T>>> {
    match (known, id) {
        (Some(row), _) => Ok(Some(row)),
        (None, Some(id)) => Ok(load_one(loader, id).await?.map(Arc::new)),
        (None, None) => Ok(None),
    }
}

/// What an inbox page (of notifications or of groups) costs in the
/// complexity limit: its size times its selection (which counts the edge,
/// its cursor and its node).
pub(super) fn page_cost(first: Option<i32>, per_item: usize) -> usize {
    let size = first.unwrap_or(DEFAULT_PAGE).clamp(0, MAX_PAGE) as usize;
    size.saturating_mul(per_item).saturating_add(1)
}

/// A page request of the inbox (notifications or groups): its size, 20
/// when omitted and at most 100, and the id below which it starts.
pub(super) fn page_request(
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<(i32, Option<Id>)> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(0..=MAX_PAGE).contains(&first) {
        return Err(AppError::bad_input(
            "first",
            format!("must be between 0 and {MAX_PAGE}"),
        ));
    }
    let before = after
        .map(|c| NotificationCursor::decode("after", c))
        .transpose()?;
    Ok((first, before))
}

#[derive(SimpleObject)]
pub struct NotificationEdge {
    cursor: String,
    node: NotificationNode,
}

#[derive(SimpleObject)]
pub struct PageInfo {
    pub(super) has_next_page: bool,
    pub(super) end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct NotificationConnection {
    edges: Vec<NotificationEdge>,
    page_info: PageInfo,
}

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// Your notifications, newest first. `first` defaults to 20 (at most
    /// 100); pass the previous page's `endCursor` as `after` for the next.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        unread_only: Option<bool>,
    ) -> AppResult<NotificationConnection> {
        let me = ctx.caller()?;
        let (first, before) = page_request(first, after.as_deref())?;
        let store = &ctx.services().store;
        // A cursor at or below the horizon names a deleted notification,
        // and every one older than it is deleted too: the client's list
        // is out of date, and the page it asks for is gone.
        if let Some(before) = before
            && before <= store.retention_horizon(Retained::Notifications).await?
        {
            return Err(AppError::CursorExpired);
        }
        let mut rows = store
            .notifications_page(
                me,
                before,
                i64::from(first) + 1,
                unread_only.unwrap_or(false),
            )
            .await?;
        let has_next_page = rows.len() > first as usize;
        rows.truncate(first as usize);
        let end_cursor = rows.last().map(|n| NotificationCursor(n.id).encode());
        Ok(NotificationConnection {
            edges: rows
                .into_iter()
                .map(|n| NotificationEdge {
                    cursor: NotificationCursor(n.id).encode(),
                    node: NotificationNode::stored(n),
                })
                .collect(),
            page_info: PageInfo {
                has_next_page,
                end_cursor,
            },
        })
    }

    async fn unread_notification_count(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let me = ctx.caller()?;
        let n = ctx.services().store.unread_notification_count(me).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks one of your notifications read (idempotent: the first read
    /// time is kept). Your other devices see it through `inbox`.
    async fn mark_notification_read(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> AppResult<NotificationNode> {
        let me = ctx.caller()?;
        let id = parse_id("id", &id)?;
        let services = ctx.services();
        let mut tx = services.store.begin_write().await?;
        let (row, change) = tx
            .mark_notification_read(me, id)
            .await?
            .ok_or_else(|| AppError::not_found("notification"))?;
        let events = change
            .map(|c| Event::InboxChanged(Arc::new(c)))
            .into_iter()
            .collect();
        commit_then_publish(tx, &services.broker, events).await?;
        Ok(NotificationNode::stored(row))
    }

    /// Marks all your notifications read; returns how many were unread.
    /// Your other devices see it through `inbox`.
    async fn mark_all_notifications_read(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let me = ctx.caller()?;
        let services = ctx.services();
        let mut tx = services.store.begin_write().await?;
        let (n, change) = tx.mark_all_notifications_read(me).await?;
        let events = change
            .map(|c| Event::InboxChanged(Arc::new(c)))
            .into_iter()
            .collect();
        commit_then_publish(tx, &services.broker, events).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
}

#[derive(Default)]
pub struct NotificationSubscription;

fn pick_notification(event: Event) -> Picked<Notified> {
    match event {
        Event::Notification(n) => Picked::Item(n),
        _ => Picked::Skip,
    }
}

#[Subscription]
impl NotificationSubscription {
    /// Your notifications as they happen. With `after` (a cursor), first
    /// every notification since that cursor, oldest first, then live ones:
    /// no gap and no duplicate. Only your own `userId` is allowed.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        after: Option<String>,
    ) -> Result<BoxStream<'static, AppResult<NotificationNode>>, AppError> {
        // The subscription engine renders one item through this resolver
        // (or checks the operation without running it).
        if let Some(rendered) = engine::rendering(ctx, NotificationNode) {
            return Ok(rendered);
        }
        let me = ctx.caller()?;
        let user_id = parse_id("userId", &user_id)?;
        if user_id != me {
            return Err(AppError::forbidden(
                "you may only subscribe to your own notifications",
            ));
        }
        let resumed = resume_point(ctx, after.as_deref(), NotificationCursor::decode)?;
        let source = notification_source(ctx.services(), ctx.loaders(), me, resumed).await?;
        Ok(resumable(
            ctx,
            source,
            |n: &Notified| NotificationCursor(n.row.id).encode(),
            NotificationNode,
        )
        .await?
        .boxed())
    }
}

/// Where `me`'s notifications resume: after `resumed`, else after the
/// newest one committed before the subscription is registered.
pub(super) async fn notification_source(
    services: &Services,
    loaders: &Loaders,
    me: Id,
    resumed: Option<Id>,
) -> AppResult<
    Source<
        fn(Event) -> Picked<Notified>,
        impl Fn(Id) -> BoxFuture<'static, Result<Option<Vec<Notified>>, StoreError>> + use<>,
    >,
> {
    let (after, newest_read_at) = match resumed {
        Some(after) => (after, None),
        // Without a cursor the stream starts at the newest notification
        // committed before the subscription is registered. The broker's
        // epoch, taken before that read, tells `resumable` whether
        // anything was published between the read and the registration
        // (then it reads the store once more). Reading the newest id after
        // registering instead would drop what is committed between the
        // two, although the subscription already counts as live.
        None => {
            let mark = services.broker.epoch();
            let newest = loaders.latest_notification_ids.load_one(me).await?;
            (newest, mark)
        }
    };
    let store = services.store.clone();
    Ok(Source {
        topic: Topic::User(me),
        after,
        resumed_in: resumed.map(|_| ResumedIn::Sequence(Retained::Notifications, me)),
        pick: pick_notification as fn(Event) -> Picked<Notified>,
        fetch_after: move |after| {
            let store = store.clone();
            async move {
                let rows = store.notifications_after(me, after).await?;
                Ok(Some(rows.into_iter().map(Notified::stored).collect()))
            }
            .boxed()
        },
        newest_read_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = NotificationCursor(12345).encode();
        assert!(!cursor.contains("12345"), "cursors are opaque");
        assert_eq!(NotificationCursor::decode("after", &cursor).unwrap(), 12345);
        for bad in [
            "",
            "abc",
            "!!!",
            &URL_SAFE_NO_PAD.encode("n:-4"),
            &URL_SAFE_NO_PAD.encode("x:4"),
        ] {
            assert!(NotificationCursor::decode("after", bad).is_err(), "{bad}");
        }
    }
}
