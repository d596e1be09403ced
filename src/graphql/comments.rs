//! Comments on cards.

use async_graphql::{Context, ID, Object};

use super::{
    ContextExt, acting_user, boards::card_for_member_in, datetime, loaders::load_existing,
    parse_id, validate,
};
use crate::{
    app::{commit_then_publish, notify},
    error::AppResult,
    model::{Card, Comment, User},
    notify::{self as rules},
};

#[Object]
impl Comment {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }

    async fn card(&self, ctx: &Context<'_>) -> AppResult<Card> {
        load_existing(&ctx.loaders().cards, self.card_id).await
    }

    async fn author(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_existing(&ctx.loaders().users, self.author_id).await
    }

    async fn body(&self) -> &str {
        &self.body
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        datetime(self.created_at)
    }
}

#[derive(Default)]
pub struct CommentMutation;

#[Object]
impl CommentMutation {
    /// Comments on a card. Notifies its creator and assignees, except you
    /// (COMMENT_ADDED).
    async fn add_comment(
        &self,
        ctx: &Context<'_>,
        card_id: ID,
        body: String,
    ) -> AppResult<Comment> {
        let me = ctx.caller()?;
        let card_id = parse_id("cardId", &card_id)?;
        let body = validate::text("body", &body, validate::MAX_BODY_CHARS)?;
        let services = ctx.services();
        let store = &services.store;
        let mut tx = store.begin_write().await?;
        let card = card_for_member_in(&mut tx, card_id, me).await?;
        let actor = acting_user(&mut tx, me).await?;
        let comment = tx.insert_comment(card.id, me, &body).await?;
        let assignees = tx.card_assignee_ids(card.id).await?;
        let events = notify(
            &mut tx,
            &rules::comment_added_audience(me, &card, &assignees),
            &rules::comment_added(&actor, &card, &comment),
        )
        .await?;
        commit_then_publish(tx, &services.broker, events).await?;
        Ok(comment)
    }
}
