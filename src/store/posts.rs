//! Photo posts.

use super::{Store, StoreResult, WriteTx, now_micros};
use crate::model::{Id, Post};

const POST_COLUMNS: &str = "id, author_id, caption, image_file, created_at";

impl WriteTx {
    pub async fn insert_post(
        &mut self,
        author: Id,
        caption: Option<&str>,
        image_file: &str,
    ) -> StoreResult<Post> {
        Ok(sqlx::query_as::<_, Post>(&format!(
            "INSERT INTO posts (author_id, caption, image_file, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING {POST_COLUMNS}"
        ))
        .bind(author)
        .bind(caption)
        .bind(image_file)
        .bind(now_micros())
        .fetch_one(&mut *self.tx)
        .await?)
    }
}

impl Store {
    pub async fn posts_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Post>> {
        self.rows_by_ids("posts", POST_COLUMNS, ids).await
    }
}
