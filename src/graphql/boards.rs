//! Boards and cards: membership, editing and assignment.
//!
//! Only members see a board and its cards, and only members edit, assign
//! and comment. Only the owner adds members. An assignee must be a member.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::{
    ContextExt, acting_user, after_id, datetime, list_cost, list_limit, loaders::load_existing,
    parse_id, validate,
};
use crate::{
    app::{commit_then_publish, notify},
    error::{AppError, AppResult},
    model::{Board, Card, CardChange, Comment, Id, User},
    notify::{self as rules},
    store::{Muted, Store, WriteTx},
};

#[Object]
impl Board {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.name
    }

    async fn owner(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_existing(&ctx.loaders().users, self.owner_id).await
    }

    /// The first `first` members (at most and by default 100), in the
    /// order they joined; the owner is the first.
    #[graphql(complexity = "list_cost(first, child_complexity)")]
    async fn members(&self, ctx: &Context<'_>, first: Option<i32>) -> AppResult<Vec<User>> {
        let limit = list_limit(first)?;
        Ok(ctx.services().store.board_members(self.id, limit).await?)
    }

    /// True when you muted this board: nothing on it notifies you.
    async fn muted(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let me = ctx.caller()?;
        Ok(ctx
            .services()
            .store
            .is_muted(Muted::Board, me, self.id)
            .await?)
    }

    /// Cards, oldest first: `first` of them (at most and by default 100)
    /// after the card whose id is `after`.
    #[graphql(complexity = "list_cost(first, child_complexity)")]
    async fn cards(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<ID>,
    ) -> AppResult<Vec<Card>> {
        let limit = list_limit(first)?;
        let after = after_id(after.as_ref())?;
        Ok(ctx
            .services()
            .store
            .board_cards(self.id, after, limit)
            .await?)
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        datetime(self.created_at)
    }
}

#[Object]
impl Card {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }

    async fn board(&self, ctx: &Context<'_>) -> AppResult<Board> {
        load_existing(&ctx.loaders().boards, self.board_id).await
    }

    async fn title(&self) -> &str {
        &self.title
    }

    async fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    async fn creator(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_existing(&ctx.loaders().users, self.creator_id).await
    }

    /// The first `first` assignees (at most and by default 100), in the
    /// order they were assigned.
    #[graphql(complexity = "list_cost(first, child_complexity)")]
    async fn assignees(&self, ctx: &Context<'_>, first: Option<i32>) -> AppResult<Vec<User>> {
        let limit = list_limit(first)?;
        Ok(ctx.services().store.card_assignees(self.id, limit).await?)
    }

    /// Comments, oldest first: `first` of them (at most and by default
    /// 100) after the comment whose id is `after`.
    #[graphql(complexity = "list_cost(first, child_complexity)")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<ID>,
    ) -> AppResult<Vec<Comment>> {
        let limit = list_limit(first)?;
        let after = after_id(after.as_ref())?;
        Ok(ctx
            .services()
            .store
            .card_comments(self.id, after, limit)
            .await?)
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        datetime(self.created_at)
    }

    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        datetime(self.updated_at)
    }
}

/// A partial update: omitted fields are left alone; a `null` description
/// clears it.
#[derive(InputObject)]
pub struct UpdateCardInput {
    title: Option<String>,
    description: MaybeUndefined<String>,
}

/// The row `found` (with the caller's membership of its board) if the
/// caller is a member: NOT_FOUND if there is no such row, FORBIDDEN if
/// they are not a member.
fn members_only<T>(found: Option<(T, bool)>, what: &str, forbidden: &str) -> AppResult<T> {
    match found {
        None => Err(AppError::not_found(what)),
        Some((_, false)) => Err(AppError::forbidden(forbidden)),
        Some((row, true)) => Ok(row),
    }
}

const NOT_A_BOARD_MEMBER: &str = "only members of this board may do that";
const NOT_A_CARD_MEMBER: &str = "only members of this card's board may do that";

/// The board `id` if `user` is a member.
pub(super) async fn board_for_member(store: &Store, id: Id, user: Id) -> AppResult<Board> {
    let found = store.board_and_membership(id, user).await?;
    members_only(found, "board", NOT_A_BOARD_MEMBER)
}

/// `board_for_member` inside a write transaction: the check and the
/// change it allows are one atomic step, on one connection.
pub(super) async fn board_for_member_in(tx: &mut WriteTx, id: Id, user: Id) -> AppResult<Board> {
    let found = tx.board_and_membership(id, user).await?;
    members_only(found, "board", NOT_A_BOARD_MEMBER)
}

/// The card `id` if `user` is a member of its board.
pub(super) async fn card_for_member(store: &Store, id: Id, user: Id) -> AppResult<Card> {
    let found = store.card_and_membership(id, user).await?;
    members_only(found, "card", NOT_A_CARD_MEMBER)
}

/// `card_for_member` inside a write transaction: the check and the change
/// it allows are one atomic step, on one connection.
pub(super) async fn card_for_member_in(tx: &mut WriteTx, id: Id, user: Id) -> AppResult<Card> {
    let found = tx.card_and_membership(id, user).await?;
    members_only(found, "card", NOT_A_CARD_MEMBER)
}

#[derive(Default)]
pub struct BoardQuery;

#[Object]
impl BoardQuery {
    /// A board you are a member of.
    async fn board(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Board>> {
        let me = ctx.caller()?;
        let id = parse_id("id", &id)?;
        board_for_member(&ctx.services().store, id, me)
            .await
            .map(Some)
    }

    /// A card on a board you are a member of.
    async fn card(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Card>> {
        let me = ctx.caller()?;
        let id = parse_id("id", &id)?;
        card_for_member(&ctx.services().store, id, me)
            .await
            .map(Some)
    }
}

#[derive(Default)]
pub struct BoardMutation;

#[Object]
impl BoardMutation {
    /// Creates a board owned by you, with you as its first member.
    async fn create_board(&self, ctx: &Context<'_>, name: String) -> AppResult<Board> {
        let me = ctx.caller()?;
        let name = validate::line("name", &name, validate::MAX_NAME_CHARS)?;
        let store = &ctx.services().store;
        let mut tx = store.begin_write().await?;
        let board = tx.insert_board(me, &name).await?;
        tx.commit().await?;
        Ok(board)
    }

    /// Adds a member (idempotent). Only the owner may.
    async fn add_board_member(
        &self,
        ctx: &Context<'_>,
        board_id: ID,
        user_id: ID,
    ) -> AppResult<Board> {
        let me = ctx.caller()?;
        let board_id = parse_id("boardId", &board_id)?;
        let user_id = parse_id("userId", &user_id)?;
        let mut tx = ctx.services().store.begin_write().await?;
        let board = board_for_member_in(&mut tx, board_id, me).await?;
        if board.owner_id != me {
            return Err(AppError::forbidden(
                "only the board's owner may add members",
            ));
        }
        tx.user(user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        tx.insert_board_member(board.id, user_id).await?;
        tx.commit().await?;
        Ok(board)
    }

    async fn create_card(
        &self,
        ctx: &Context<'_>,
        board_id: ID,
        title: String,
        description: Option<String>,
    ) -> AppResult<Card> {
        let me = ctx.caller()?;
        let board_id = parse_id("boardId", &board_id)?;
        let title = validate::line("title", &title, validate::MAX_TITLE_CHARS)?;
        let description = validate::optional_text(
            "description",
            description.as_deref(),
            validate::MAX_BODY_CHARS,
        )?;
        let mut tx = ctx.services().store.begin_write().await?;
        let board = board_for_member_in(&mut tx, board_id, me).await?;
        let card = tx
            .insert_card(board.id, me, &title, description.as_deref())
            .await?;
        tx.commit().await?;
        Ok(card)
    }

    /// Edits a card. Notifies every assignee but you (CARD_UPDATED).
    async fn update_card(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateCardInput,
    ) -> AppResult<Card> {
        let me = ctx.caller()?;
        let id = parse_id("id", &id)?;
        let change = CardChange {
            title: input
                .title
                .as_deref()
                .map(|t| validate::line("title", t, validate::MAX_TITLE_CHARS))
                .transpose()?,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(validate::optional_text(
                    "description",
                    Some(&d),
                    validate::MAX_BODY_CHARS,
                )?),
            },
        };
        if change.title.is_none() && change.description.is_none() {
            return Err(AppError::bad_input(
                "input",
                "give a title or a description to change",
            ));
        }
        let services = ctx.services();
        let store = &services.store;
        let mut tx = store.begin_write().await?;
        card_for_member_in(&mut tx, id, me).await?;
        let actor = acting_user(&mut tx, me).await?;
        let card = tx
            .update_card(id, &change)
            .await?
            .ok_or_else(|| AppError::not_found("card"))?;
        let events = notify(
            &mut tx,
            &rules::card_updated_audience(me, &card),
            &rules::card_updated(&actor, &card),
        )
        .await?;
        commit_then_publish(tx, &services.broker, events).await?;
        Ok(card)
    }

    /// Assigns a board member to a card. Notifies the assignee unless it
    /// is you (CARD_ASSIGNED). Assigning someone already assigned changes
    /// nothing and notifies nobody.
    async fn assign_card(&self, ctx: &Context<'_>, card_id: ID, user_id: ID) -> AppResult<Card> {
        let me = ctx.caller()?;
        let card_id = parse_id("cardId", &card_id)?;
        let assignee = parse_id("userId", &user_id)?;
        let services = ctx.services();
        let store = &services.store;
        let mut tx = store.begin_write().await?;
        let card = card_for_member_in(&mut tx, card_id, me).await?;
        if !tx.is_board_member(card.board_id, assignee).await? {
            // Someone who does not exist is not found; someone who does
            // and is not a member cannot be assigned.
            if tx.user(assignee).await?.is_none() {
                return Err(AppError::not_found("user"));
            }
            return Err(AppError::bad_input(
                "userId",
                "an assignee must be a member of the board",
            ));
        }
        let actor = acting_user(&mut tx, me).await?;
        let events = if tx.insert_assignee(card.id, assignee).await? {
            notify(
                &mut tx,
                &rules::card_assigned_audience(me, assignee),
                &rules::card_assigned(&actor, &card),
            )
            .await?
        } else {
            Vec::new()
        };
        commit_then_publish(tx, &services.broker, events).await?;
        Ok(card)
    }

    /// Removes an assignee (idempotent).
    async fn unassign_card(&self, ctx: &Context<'_>, card_id: ID, user_id: ID) -> AppResult<Card> {
        let me = ctx.caller()?;
        let card_id = parse_id("cardId", &card_id)?;
        let assignee = parse_id("userId", &user_id)?;
        let mut tx = ctx.services().store.begin_write().await?;
        let card = card_for_member_in(&mut tx, card_id, me).await?;
        tx.delete_assignee(card.id, assignee).await?;
        tx.commit().await?;
        Ok(card)
    }
}
