//! Comments on cards.

use super::{Store, StoreResult, WriteTx};
use crate::model::{Comment, Id};

const COMMENT_COLUMNS: &str = "id, card_id, author_id, body, created_at";

impl WriteTx {
    pub async fn insert_comment(
        &mut self,
        card: Id,
        author: Id,
        body: &str,
    ) -> StoreResult<Comment> {
        let sql = format!(
            "INSERT INTO comments (card_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING {COMMENT_COLUMNS}"
        );
        self.insert_authored(&sql, card, author, body).await
    }
}

impl Store {
    /// Up to `limit` comments of a card with an id above `after`, oldest
    /// first.
    pub async fn card_comments(
        &self,
        card: Id,
        after: Id,
        limit: i64,
    ) -> StoreResult<Vec<Comment>> {
        self.rows_after("comments", COMMENT_COLUMNS, "card_id", card, after, limit)
            .await
    }

    pub async fn comments_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Comment>> {
        self.rows_by_ids("comments", COMMENT_COLUMNS, ids).await
    }
}
