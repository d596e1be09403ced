//! Photo posts.

use sqlx::FromRow;

use super::{Id, Store, StoreResult, WriteTx, now_micros};

/// A post; `image_file` is the stored file's name in the uploads directory.
#[derive(Clone, Debug, FromRow)]
pub struct Post {
    pub id: Id,
    pub author_id: Id,
    pub caption: Option<String>,
    pub image_file: String,
    pub created_at: i64,
}

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

    /// Ids of everyone following `user`, as of this transaction.
    pub async fn follower_ids(&mut self, user: Id) -> StoreResult<Vec<Id>> {
        let rows: Vec<(Id,)> =
            sqlx::query_as("SELECT follower_id FROM follows WHERE followee_id = $1")
                .bind(user)
                .fetch_all(&mut *self.tx)
                .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}

impl Store {
    pub async fn posts_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Post>> {
        self.rows_by_ids("posts", POST_COLUMNS, ids).await
    }
}
