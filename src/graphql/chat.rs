//! Live chat rooms: create, join and leave a room, send messages, page
//! back through its history, and the live `chatMessages` subscription.
//!
//! Any signed-in user may join a room; only members send, read the
//! history and subscribe. A message is committed (with the CHAT_MENTION
//! notifications it causes, in the same transaction), then published once
//! on the room's topic, however many members listen. A room subscription
//! is gap-free like the notification one (messages carry `prev_id`), and
//! it ends when its subscriber leaves the room.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Subscription};
use futures_util::{FutureExt, StreamExt, future::BoxFuture, stream::BoxStream};

use super::{
    ContextExt, Services, acting_user, datetime, engine, list_cost, list_limit,
    loaders::load_existing,
    parse_id,
    subscriptions::{ResumedIn, Source, resumable, resume_point},
    validate,
};
use crate::{
    app::{commit_then_publish, notify},
    delivery::Picked,
    error::{AppError, AppResult},
    model::{ChatMessage, ChatRoom, Event, Id, Topic, User},
    notify::{self as rules, mentioned_members},
    store::{Muted, Retained, StoreError, WriteTx},
};

/// The longest message accepted, in characters. Chat lines are short;
/// anything longer is a document and belongs in a card or a post.
pub const MAX_MESSAGE_CHARS: usize = 2_000;

/// History page size when `last` is omitted, and the largest page served:
/// a screenful of chat, and a bound on what one request may read.
pub const DEFAULT_HISTORY: i32 = 50;
pub const MAX_HISTORY: i32 = 200;

#[Object]
impl ChatRoom {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.name
    }

    /// The first `first` members (at most and by default 100), in the
    /// order they joined.
    #[graphql(complexity = "list_cost(first, child_complexity)")]
    async fn members(&self, ctx: &Context<'_>, first: Option<i32>) -> AppResult<Vec<User>> {
        let limit = list_limit(first)?;
        Ok(ctx
            .services()
            .store
            .chat_room_members(self.id, limit)
            .await?)
    }

    /// True when you muted this room: its mentions do not notify you.
    async fn muted(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let me = ctx.caller()?;
        Ok(ctx
            .services()
            .store
            .is_muted(Muted::Room, me, self.id)
            .await?)
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        datetime(self.created_at)
    }
}

/// A chat message as the client sees it. Wraps the shared row that the
/// broker hands to every subscriber of the room, so delivering it copies
/// nothing.
pub struct ChatMessageNode(pub Arc<ChatMessage>);

#[Object(name = "ChatMessage")]
impl ChatMessageNode {
    /// Pass as `before` to page further back, or as the subscription's
    /// `after` to resume right after this message.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn room(&self, ctx: &Context<'_>) -> AppResult<ChatRoom> {
        load_existing(&ctx.loaders().rooms, self.0.room_id).await
    }

    async fn author(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_existing(&ctx.loaders().users, self.0.author_id).await
    }

    async fn body(&self) -> &str {
        &self.0.body
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        datetime(self.0.created_at)
    }
}

/// The room `id`, or NOT_FOUND, read inside the write transaction that
/// depends on it.
pub(super) async fn existing_room(tx: &mut WriteTx, id: Id) -> AppResult<ChatRoom> {
    tx.chat_room(id)
        .await?
        .ok_or_else(|| AppError::not_found("chat room"))
}

/// What a history page costs in the complexity limit: its size times its
/// selection.
fn history_cost(last: Option<i32>, per_item: usize) -> usize {
    let size = last.unwrap_or(DEFAULT_HISTORY).clamp(0, MAX_HISTORY) as usize;
    size.saturating_mul(per_item).saturating_add(1)
}

pub(super) fn members_only() -> AppError {
    AppError::forbidden("only members of this chat room may do that")
}

#[derive(Default)]
pub struct ChatQuery;

#[Object]
impl ChatQuery {
    /// A room's history, members only: the newest `last` messages (50 by
    /// default, at most 200) before the message whose id is `before` (the
    /// newest when omitted), oldest first within the page. To page back,
    /// pass the id of the first message of the page you have.
    #[graphql(complexity = "history_cost(last, child_complexity)")]
    async fn chat_messages(
        &self,
        ctx: &Context<'_>,
        room_id: ID,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<Vec<ChatMessageNode>> {
        let me = ctx.caller()?;
        let room_id = parse_id("roomId", &room_id)?;
        let last = last.unwrap_or(DEFAULT_HISTORY);
        if !(0..=MAX_HISTORY).contains(&last) {
            return Err(AppError::bad_input(
                "last",
                format!("must be between 0 and {MAX_HISTORY}"),
            ));
        }
        let before = before.map(|b| parse_id("before", &ID(b))).transpose()?;
        let store = &ctx.services().store;
        let room = store
            .chat_room(room_id)
            .await?
            .ok_or_else(|| AppError::not_found("chat room"))?;
        if store.chat_member_since(room.id, me).await?.is_none() {
            return Err(members_only());
        }
        let rows = store
            .chat_messages_page(room.id, before, i64::from(last))
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ChatMessageNode(Arc::new(m)))
            .collect())
    }
}

#[derive(Default)]
pub struct ChatMutation;

#[Object]
impl ChatMutation {
    /// Creates a room; you are its first member.
    async fn create_chat_room(&self, ctx: &Context<'_>, name: String) -> AppResult<ChatRoom> {
        let me = ctx.caller()?;
        let name = validate::line("name", &name, validate::MAX_NAME_CHARS)?;
        let mut tx = ctx.services().store.begin_write().await?;
        let room = tx.insert_chat_room(me, &name).await?;
        tx.commit().await?;
        Ok(room)
    }

    /// Joins a room (any signed-in user may). Joining a room you are in
    /// changes nothing.
    async fn join_chat_room(&self, ctx: &Context<'_>, room_id: ID) -> AppResult<ChatRoom> {
        let me = ctx.caller()?;
        let room_id = parse_id("roomId", &room_id)?;
        let mut tx = ctx.services().store.begin_write().await?;
        let room = existing_room(&mut tx, room_id).await?;
        tx.insert_chat_member(room.id, me).await?;
        tx.commit().await?;
        Ok(room)
    }

    /// Leaves a room; your live subscriptions to it end. Leaving a room
    /// you are not in changes nothing.
    async fn leave_chat_room(&self, ctx: &Context<'_>, room_id: ID) -> AppResult<ChatRoom> {
        let me = ctx.caller()?;
        let room_id = parse_id("roomId", &room_id)?;
        let services = ctx.services();
        let mut tx = services.store.begin_write().await?;
        let room = existing_room(&mut tx, room_id).await?;
        let left = tx.delete_chat_member(room.id, me).await?;
        let events = if left {
            vec![Event::ChatMemberLeft {
                room_id: room.id,
                user_id: me,
            }]
        } else {
            Vec::new()
        };
        commit_then_publish(tx, &services.broker, events).await?;
        Ok(room)
    }

    /// Sends a message to a room you are a member of (1 to 2,000
    /// characters after trimming). Each member it mentions as `@Their Name`
    /// (any case; when several names fit, the longest) gets one
    /// CHAT_MENTION notification; you never do.
    async fn send_chat_message(
        &self,
        ctx: &Context<'_>,
        room_id: ID,
        body: String,
    ) -> AppResult<ChatMessageNode> {
        let me = ctx.caller()?;
        let room_id = parse_id("roomId", &room_id)?;
        let body = validate::text("body", &body, MAX_MESSAGE_CHARS)?;
        let services = ctx.services();
        let mut tx = services.store.begin_write().await?;
        let room = existing_room(&mut tx, room_id).await?;
        let author = acting_user(&mut tx, me).await?;
        // Checked inside the transaction, so that a message is never
        // written after its author's leave committed.
        if !tx.is_chat_member(room.id, me).await? {
            return Err(members_only());
        }
        let message = tx.insert_chat_message(room.id, me, &body).await?;
        let mentioned = if body.contains('@') {
            let members = tx.chat_member_names(room.id).await?;
            mentioned_members(&body, members.iter().map(|(id, name)| (*id, name.as_str())))
        } else {
            Vec::new()
        };
        let mentions = notify(
            &mut tx,
            &rules::chat_mention_audience(me, mentioned),
            &rules::chat_mention(&author, &room, &message),
        )
        .await?;
        let message = Arc::new(message);
        let events = std::iter::once(Event::ChatMessage(message.clone()))
            .chain(mentions)
            .collect();
        commit_then_publish(tx, &services.broker, events).await?;
        Ok(ChatMessageNode(message))
    }
}

#[derive(Default)]
pub struct ChatSubscription;

#[Subscription]
impl ChatSubscription {
    /// A room's messages as they are sent, members only, in send order.
    /// With `after` (a message id), first every message of the room since
    /// that one, then live ones: no gap and no duplicate. Over SSE each
    /// event's id is its message id, and `Last-Event-ID` works as `after`.
    /// The subscription completes when you leave the room.
    async fn chat_messages(
        &self,
        ctx: &Context<'_>,
        room_id: ID,
        after: Option<ID>,
    ) -> Result<BoxStream<'static, AppResult<ChatMessageNode>>, AppError> {
        // The subscription engine renders one item through this resolver
        // (or checks the operation without running it).
        if let Some(rendered) = engine::rendering(ctx, ChatMessageNode) {
            return Ok(rendered);
        }
        let me = ctx.caller()?;
        let room_id = parse_id("roomId", &room_id)?;
        let decode = |field, id: &str| parse_id(field, &ID(id.to_owned()));
        let after = resume_point(ctx, after.as_ref().map(|a| a.as_str()), decode)?;
        let source = room_source(ctx.services(), me, room_id, after).await?;
        Ok(resumable(
            ctx,
            source,
            |m: &ChatMessage| m.id.to_string(),
            ChatMessageNode,
        )
        .await?
        .boxed())
    }
}

/// Where `me`'s subscription to `room_id` resumes: after `after`, else
/// after the room's newest message; NOT_FOUND for no such room,
/// FORBIDDEN unless `me` is a member.
pub(super) async fn room_source(
    services: &Services,
    me: Id,
    room_id: Id,
    after: Option<Id>,
) -> AppResult<
    Source<
        impl Fn(Event) -> Picked<ChatMessage> + use<>,
        impl Fn(Id) -> BoxFuture<'static, Result<Option<Vec<ChatMessage>>, StoreError>> + use<>,
    >,
> {
    let store = services.store.clone();
    let room = store
        .chat_room(room_id)
        .await?
        .ok_or_else(|| AppError::not_found("chat room"))?
        .id;
    // The membership this subscription belongs to: if it ends (even if the
    // user joins again), so does the subscription.
    let since = store
        .chat_member_since(room, me)
        .await?
        .ok_or_else(members_only)?;
    let resumed_in = after.map(|_| ResumedIn::Sequence(Retained::ChatMessages, room));
    let after = match after {
        Some(after) => after,
        None => store.latest_chat_message_id(room).await?,
    };
    let pick = move |event: Event| match event {
        Event::ChatMessage(m) if m.room_id == room => Picked::Item(m),
        Event::ChatMemberLeft { room_id, user_id } if room_id == room && user_id == me => {
            Picked::End
        }
        _ => Picked::Skip,
    };
    // Every store read re-checks the membership, so that a leave
    // committed before the subscription existed (or lost in an overflow)
    // still ends it.
    let fetch_after = move |after| {
        let store = store.clone();
        async move {
            if store.chat_member_since(room, me).await? != Some(since) {
                return Ok(None);
            }
            store.chat_messages_after(room, after).await.map(Some)
        }
        .boxed()
    };
    Ok(Source {
        topic: Topic::Room(room),
        after,
        resumed_in,
        pick,
        fetch_after,
        // The first read also checks membership: always take it.
        newest_read_at: None,
    })
}
