//! What each user wants to be told: every kind of notification on or off
//! per channel, and boards and chat rooms muted. Everything is on until
//! its user turns it off. What is off is never written: the fan-out insert
//! leaves those recipients out. Every change is an inbox change, pushed to
//! the user's other devices through `inbox`.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};

use super::{
    ContextExt,
    boards::board_for_member_in,
    chat::{existing_room, members_only},
    notifications::NotificationKind,
    parse_id, validate,
};
use crate::{
    app::commit_then_publish,
    error::{AppError, AppResult},
    model::{self, Board, CHANNEL_IN_APP, CHANNEL_PUSH, ChatRoom, Event, Id, InboxChangeKind},
    store::{Muted, StoredPreferences, WriteTx},
};

/// Where a notification reaches its user.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationChannel {
    /// The inbox, and the live `notifications` and `inbox` subscriptions.
    InApp,
    /// Web Push messages to the browsers you registered
    /// (`registerPushSubscription`); by default only while no tab of
    /// yours is connected.
    Push,
}

impl NotificationChannel {
    const ALL: [NotificationChannel; 2] = [NotificationChannel::InApp, NotificationChannel::Push];

    fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == stored)
    }

    fn as_str(self) -> &'static str {
        match self {
            NotificationChannel::InApp => CHANNEL_IN_APP,
            NotificationChannel::Push => CHANNEL_PUSH,
        }
    }
}

/// Whether one kind of notification reaches you on one channel.
#[derive(SimpleObject)]
pub struct KindPreference {
    kind: NotificationKind,
    channel: NotificationChannel,
    enabled: bool,
}

/// Whether an app's type of notification (CUSTOM, e.g. `invoice.paid`)
/// reaches you on one channel.
#[derive(SimpleObject)]
pub struct TypePreference {
    r#type: String,
    channel: NotificationChannel,
    enabled: bool,
}

/// An app's types one user may turn off: each is a row, and the types
/// are the app's to invent, so their number is bounded here.
pub const MAX_TYPES_OFF: i64 = 200;

/// Your notification preferences, read once for all their fields.
pub struct NotificationPreferences(Arc<StoredPreferences>);

impl NotificationPreferences {
    /// `user`'s preferences, read with those of every other user asked
    /// for meanwhile (a burst of inbox subscriptions shows them all).
    pub async fn of(ctx: &Context<'_>, user: Id) -> AppResult<Self> {
        Ok(NotificationPreferences(
            ctx.loaders().preferences.load_one(user).await?,
        ))
    }
}

#[Object]
impl NotificationPreferences {
    /// Every kind on every channel, on unless you turned it off.
    async fn kinds(&self) -> Vec<KindPreference> {
        let disabled = &self.0.disabled;
        let mut out = Vec::new();
        for kind in model::NotificationKind::ALL {
            for channel in NotificationChannel::ALL {
                let off = disabled
                    .iter()
                    .any(|(k, c)| k == kind.as_str() && c == channel.as_str());
                out.push(KindPreference {
                    kind: kind.into(),
                    channel,
                    enabled: !off,
                });
            }
        }
        out
    }

    /// The app's types (kind CUSTOM) you turned off, per channel. Every
    /// other type is on (unless CUSTOM itself is off).
    async fn types(&self) -> Vec<TypePreference> {
        self.0
            .disabled
            .iter()
            .filter(|(kind, _)| model::NotificationKind::parse(kind).is_none())
            .filter_map(|(kind, channel)| {
                Some(TypePreference {
                    r#type: kind.clone(),
                    channel: NotificationChannel::parse(channel)?,
                    enabled: false,
                })
            })
            .collect()
    }

    /// The boards you muted.
    async fn muted_boards(&self) -> &[Board] {
        &self.0.muted_boards
    }

    /// The chat rooms you muted.
    async fn muted_chat_rooms(&self) -> &[ChatRoom] {
        &self.0.muted_rooms
    }
}

#[derive(Default)]
pub struct PreferenceQuery;

#[Object]
impl PreferenceQuery {
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<NotificationPreferences> {
        NotificationPreferences::of(ctx, ctx.caller()?).await
    }
}

/// Commits a preference change, recording it in the inbox (and pushing
/// it to the user's devices) when it changed anything.
async fn commit_preference(
    ctx: &Context<'_>,
    mut tx: WriteTx,
    user: Id,
    changed: bool,
) -> AppResult<()> {
    let mut events = Vec::new();
    if changed {
        let change = tx
            .insert_inbox_change(user, InboxChangeKind::Preferences, &[], None, 0)
            .await?;
        events.push(Event::InboxChanged(Arc::new(change)));
    }
    commit_then_publish(tx, &ctx.services().broker, events).await?;
    Ok(())
}

#[derive(Default)]
pub struct PreferenceMutation;

#[Object]
impl PreferenceMutation {
    /// Turns one kind of notification on or off on a channel (the inbox
    /// by default). Off: no notification of that kind is created for you.
    async fn set_notification_preference(
        &self,
        ctx: &Context<'_>,
        kind: NotificationKind,
        #[graphql(default_with = "NotificationChannel::InApp")] channel: NotificationChannel,
        enabled: bool,
    ) -> AppResult<NotificationPreferences> {
        let me = ctx.caller()?;
        let kind = model::NotificationKind::from(kind);
        let mut tx = ctx.services().store.begin_write().await?;
        let changed = tx
            .set_kind_enabled(me, kind.as_str(), channel.as_str(), enabled)
            .await?;
        commit_preference(ctx, tx, me, changed).await?;
        NotificationPreferences::of(ctx, me).await
    }

    /// Turns one of an app's types of notification (kind CUSTOM, e.g.
    /// `invoice.paid`) on or off on a channel. Off: the app's
    /// notifications of that type are not created for you. At most 200
    /// types may be off.
    async fn set_notification_type_preference(
        &self,
        ctx: &Context<'_>,
        r#type: String,
        #[graphql(default_with = "NotificationChannel::InApp")] channel: NotificationChannel,
        enabled: bool,
    ) -> AppResult<NotificationPreferences> {
        let me = ctx.caller()?;
        let custom_type = validate::notification_type("type", &r#type)?;
        let mut tx = ctx.services().store.begin_write().await?;
        if !enabled && tx.disabled_type_count(me).await? >= MAX_TYPES_OFF {
            return Err(AppError::bad_input(
                "type",
                format!("at most {MAX_TYPES_OFF} types can be turned off; turn one on first"),
            ));
        }
        let changed = tx
            .set_kind_enabled(me, &custom_type, channel.as_str(), enabled)
            .await?;
        commit_preference(ctx, tx, me, changed).await?;
        NotificationPreferences::of(ctx, me).await
    }

    /// Mutes a board you are a member of: nothing on it notifies you.
    async fn mute_board(&self, ctx: &Context<'_>, board_id: ID) -> AppResult<Board> {
        set_board_muted(ctx, &board_id, true).await
    }

    async fn unmute_board(&self, ctx: &Context<'_>, board_id: ID) -> AppResult<Board> {
        set_board_muted(ctx, &board_id, false).await
    }

    /// Mutes a chat room you are a member of: its mentions do not notify
    /// you.
    async fn mute_chat_room(&self, ctx: &Context<'_>, room_id: ID) -> AppResult<ChatRoom> {
        set_room_muted(ctx, &room_id, true).await
    }

    async fn unmute_chat_room(&self, ctx: &Context<'_>, room_id: ID) -> AppResult<ChatRoom> {
        set_room_muted(ctx, &room_id, false).await
    }
}

async fn set_board_muted(ctx: &Context<'_>, board_id: &ID, muted: bool) -> AppResult<Board> {
    let me = ctx.caller()?;
    let board_id = parse_id("boardId", board_id)?;
    let mut tx = ctx.services().store.begin_write().await?;
    let board = board_for_member_in(&mut tx, board_id, me).await?;
    let changed = tx.set_muted(Muted::Board, me, board.id, muted).await?;
    commit_preference(ctx, tx, me, changed).await?;
    Ok(board)
}

async fn set_room_muted(ctx: &Context<'_>, room_id: &ID, muted: bool) -> AppResult<ChatRoom> {
    let me = ctx.caller()?;
    let room_id = parse_id("roomId", room_id)?;
    let mut tx = ctx.services().store.begin_write().await?;
    let room = existing_room(&mut tx, room_id).await?;
    if !tx.is_chat_member(room.id, me).await? {
        return Err(members_only());
    }
    let changed = tx.set_muted(Muted::Room, me, room.id, muted).await?;
    commit_preference(ctx, tx, me, changed).await?;
    Ok(room)
}
