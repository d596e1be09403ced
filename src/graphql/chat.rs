//! Live chat rooms: create, join and leave a room, send messages, page
//! back through its history, and the live `chatMessages` subscription.
//!
//! Any signed-in user may join a room; only members send, read the
//! history and subscribe. A message is committed (with the CHAT_MENTION
//! notifications it causes, in the same transaction), then published once
//! on the room's topic, however many members listen. A room subscription
//! is gap-free like the notification one (messages carry `prev_id`), and
//! it ends when its subscriber leaves the room.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    Context, ID, Object, Subscription,
    dataloader::{DataLoader, Loader},
};
use futures_util::{Stream, StreamExt};

use super::{
    ContextExt, acting_user, datetime, list_cost, list_limit, loaders::load_existing, parse_id,
    validate,
};
use crate::{
    broker::{Event, Topic},
    delivery::{Picked, gap_free_until},
    error::{AppError, AppResult},
    http::sse::{EventIds, LastEventId},
    notify::{self, commit_then_publish_events, mentioned_members, recipients_of},
    store::{ChatMessage, ChatRoom, Id, Store, StoreError, User},
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
        load_row(&chat_loaders(ctx).rooms, self.0.room_id).await
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

/// Loads chat rooms and messages by id for nested fields
/// (`chatMessage.room`, `notification.chatMessage`), batching a page's
/// worth into one query.
pub struct ChatLoaders {
    rooms: DataLoader<RoomsById>,
    messages: DataLoader<MessagesById>,
}

impl ChatLoaders {
    pub fn new(store: Arc<Store>) -> Self {
        ChatLoaders {
            rooms: DataLoader::new(RoomsById(store.clone()), tokio::spawn),
            messages: DataLoader::new(MessagesById(store), tokio::spawn),
        }
    }
}

pub struct RoomsById(Arc<Store>);
pub struct MessagesById(Arc<Store>);

impl Loader<Id> for RoomsById {
    type Value = ChatRoom;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Id]) -> Result<HashMap<Id, ChatRoom>, Self::Error> {
        let rows = self.0.chat_rooms_by_ids(keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

impl Loader<Id> for MessagesById {
    type Value = ChatMessage;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Id]) -> Result<HashMap<Id, ChatMessage>, Self::Error> {
        let rows = self.0.chat_messages_by_ids(keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

fn chat_loaders<'a>(ctx: &'a Context<'_>) -> &'a ChatLoaders {
    // `build_schema` always registers them.
    ctx.data_unchecked::<ChatLoaders>()
}

/// Loads a row that a foreign key guarantees exists.
async fn load_row<L>(loader: &DataLoader<L>, id: Id) -> AppResult<L::Value>
where
    L: Loader<Id, Error = Arc<StoreError>>,
{
    loader
        .load_one(id)
        .await?
        .ok_or_else(|| AppError::internal(format!("chat row {id} referenced but missing")))
}

/// The chat message `id`, for `Notification.chatMessage`.
pub(super) async fn chat_message(ctx: &Context<'_>, id: Id) -> AppResult<ChatMessageNode> {
    load_row(&chat_loaders(ctx).messages, id)
        .await
        .map(|m| ChatMessageNode(Arc::new(m)))
}

/// The room `id`, or NOT_FOUND.
async fn existing_room(store: &Store, id: Id) -> AppResult<ChatRoom> {
    store
        .chat_room(id)
        .await?
        .ok_or_else(|| AppError::not_found("chat room"))
}

/// What a history page costs in the complexity limit: its size times its
/// selection.
fn history_cost(last: Option<i32>, per_item: usize) -> usize {
    let size = last.unwrap_or(DEFAULT_HISTORY).clamp(0, MAX_HISTORY) as usize;
    size.saturating_mul(per_item).saturating_add(1)
}

fn members_only() -> AppError {
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
        let room = existing_room(store, room_id).await?;
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
        let store = &ctx.services().store;
        let room = existing_room(store, room_id).await?;
        let mut tx = store.begin_write().await?;
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
        let room = existing_room(&services.store, room_id).await?;
        let mut tx = services.store.begin_write().await?;
        let left = tx.delete_chat_member(room.id, me).await?;
        let events = if left {
            vec![Event::ChatMemberLeft {
                room_id: room.id,
                user_id: me,
            }]
        } else {
            Vec::new()
        };
        commit_then_publish_events(tx, &services.broker, events).await?;
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
        let store = &services.store;
        let room = existing_room(store, room_id).await?;
        let mut tx = store.begin_write().await?;
        let author = acting_user(&mut tx, me).await?;
        // Checked inside the transaction, so that a message is never
        // written after its author's leave committed.
        if !tx.is_chat_member(room.id, me).await? {
            return Err(members_only());
        }
        let message = tx.insert_chat_message(room.id, me, &body).await?;
        let mentioned = if body.contains('@') {
            let members = tx.chat_member_names(room.id).await?;
            let candidates =
                mentioned_members(&body, members.iter().map(|(id, name)| (*id, name.as_str())));
            recipients_of(me, candidates)
        } else {
            Vec::new()
        };
        let notifications = tx
            .insert_notifications(&mentioned, &notify::chat_mention(&author, &room, &message))
            .await?;
        let message = Arc::new(message);
        let events = std::iter::once(Event::ChatMessage(message.clone()))
            .chain(
                notifications
                    .into_iter()
                    .map(|n| Event::Notification(Arc::new(n))),
            )
            .collect();
        commit_then_publish_events(tx, &services.broker, events).await?;
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
    ) -> Result<impl Stream<Item = AppResult<ChatMessageNode>> + use<>, AppError> {
        let me = ctx.caller()?;
        let room_id = parse_id("roomId", &room_id)?;
        // Over SSE, a reconnecting browser's `Last-Event-ID` (the id of
        // the last message it received) resumes the stream; an explicit
        // `after` wins.
        let after = match (after, ctx.data_opt::<LastEventId>()) {
            (Some(after), _) => Some(parse_id("after", &after)?),
            (None, Some(LastEventId(id))) => Some(parse_id("Last-Event-ID", &ID(id.clone()))?),
            (None, None) => None,
        };
        let services = ctx.services().clone();
        let room = existing_room(&services.store, room_id).await?.id;
        // The membership this subscription belongs to: if it ends (even
        // if the user joins again), so does the subscription.
        let since = services
            .store
            .chat_member_since(room, me)
            .await?
            .ok_or_else(members_only)?;
        let after = match after {
            Some(after) => after,
            None => services.store.latest_chat_message_id(room).await?,
        };
        // Subscribe before the first store read, so that nothing committed
        // in between is missed; that read also re-checks the membership,
        // so a leave committed before the subscription existed ends it.
        let subscription = services.broker.subscribe(Topic::Room(room)).await?;
        tracing::debug!(
            user.id = me,
            room.id = room,
            after,
            "chat subscription started"
        );
        let store = services.store.clone();
        let pick = move |event: Event| match event {
            Event::ChatMessage(m) if m.room_id == room => Picked::Item(m),
            Event::ChatMemberLeft { room_id, user_id } if room_id == room && user_id == me => {
                Picked::End
            }
            _ => Picked::Skip,
        };
        let stream = gap_free_until(subscription, after, pick, move |after| {
            let store = store.clone();
            async move {
                if store.chat_member_since(room, me).await? != Some(since) {
                    return Ok(None);
                }
                store.chat_messages_after(room, after).await.map(Some)
            }
        });
        // Over SSE each event carries its message id as `id:`.
        let event_ids = ctx.data_opt::<EventIds>().cloned();
        let field = ctx.item.node.response_key().node.to_string();
        Ok(stream.map(move |item| {
            if let (Some(ids), Ok(m)) = (&event_ids, &item) {
                ids.record(&field, m.id.to_string());
            }
            item.map(ChatMessageNode).map_err(AppError::from)
        }))
    }
}
