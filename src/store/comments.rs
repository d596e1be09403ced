//! Comments on cards.

use super::{Store, StoreResult, WriteTx, now_micros};
use crate::model::{Comment, Id};

const COMMENT_COLUMNS: &str = "id, card_id, author_id, body, created_at";

impl WriteTx {
    pub async fn insert_comment(
        &mut self,
        card: Id,
        author: Id,
        body: &str,
    ) -> StoreResult<Comment> {
        Ok(sqlx::query_as::<_, Comment>(&format!(
            "INSERT INTO comments (card_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING {COMMENT_COLUMNS}"
        ))
        .bind(card)
        .bind(author)
        .bind(body)
        .bind(now_micros())
        .fetch_one(&mut *self.tx)
        .await?)
    }
}

impl Store {
    /// Comments of a card, oldest first.
    /// Up to `limit` comments of a card with an id above `after`, oldest
    /// first.
    pub async fn card_comments(
        &self,
        card: Id,
        after: Id,
        limit: i64,
    ) -> StoreResult<Vec<Comment>> {
        Ok(sqlx::query_as::<_, Comment>(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments WHERE card_id = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        ))
        .bind(card)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn comments_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Comment>> {
        self.rows_by_ids("comments", COMMENT_COLUMNS, ids).await
    }
}
