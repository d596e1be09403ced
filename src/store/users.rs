//! Users, their credentials, and who follows whom.

use sqlx::{Any, FromRow};

use super::{Id, Store, StoreResult, WriteTx, now_micros};

/// A registered user, without credentials.
#[derive(Clone, Debug, FromRow)]
pub struct User {
    pub id: Id,
    pub name: String,
    pub email: String,
    pub created_at: i64,
}

/// What sign-up stores. `email` is already normalised (lower case).
pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
}

#[derive(FromRow)]
struct Credentials {
    id: Id,
    name: String,
    email: String,
    created_at: i64,
    password_hash: String,
}

const USER_COLUMNS: &str = "id, name, email, created_at";

/// The user `id`, on the pool or inside a transaction.
async fn user_by_id<'e>(
    on: impl sqlx::Executor<'e, Database = Any>,
    id: Id,
) -> StoreResult<Option<User>> {
    Ok(
        sqlx::query_as::<_, User>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(on)
            .await?,
    )
}

impl WriteTx {
    /// The user `id`, read inside this transaction (a mutation's actor).
    pub async fn user(&mut self, id: Id) -> StoreResult<Option<User>> {
        user_by_id(&mut *self.tx, id).await
    }
}

impl Store {
    /// Inserts a user. A taken email fails with a unique violation
    /// (`StoreError::is_unique_violation`), never with a racy pre-check.
    pub async fn create_user(&self, new: NewUser<'_>) -> StoreResult<User> {
        let mut tx = self.begin_write().await?;
        let user = sqlx::query_as::<_, User>(&format!(
            "INSERT INTO users (name, email, password_hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING {USER_COLUMNS}"
        ))
        .bind(new.name)
        .bind(new.email)
        .bind(new.password_hash)
        .bind(now_micros())
        .fetch_one(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The user with this (normalised) email and their password hash.
    pub async fn credentials_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let row = sqlx::query_as::<_, Credentials>(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|c| {
            (
                User {
                    id: c.id,
                    name: c.name,
                    email: c.email,
                    created_at: c.created_at,
                },
                c.password_hash,
            )
        }))
    }

    pub async fn user(&self, id: Id) -> StoreResult<Option<User>> {
        user_by_id(&self.pool, id).await
    }

    /// The users with these ids, in no particular order; unknown ids are
    /// left out. Backs the user DataLoader.
    pub async fn users_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<User>> {
        self.rows_by_ids("users", USER_COLUMNS, ids).await
    }

    /// The first `limit` users following `user_id`, oldest follow first.
    pub async fn followers(&self, user_id: Id, limit: i64) -> StoreResult<Vec<User>> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT u.id, u.name, u.email, u.created_at FROM follows f \
             JOIN users u ON u.id = f.follower_id WHERE f.followee_id = $1 \
             ORDER BY f.created_at, u.id LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The first `limit` users that `user_id` follows, oldest follow first.
    pub async fn following(&self, user_id: Id, limit: i64) -> StoreResult<Vec<User>> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT u.id, u.name, u.email, u.created_at FROM follows f \
             JOIN users u ON u.id = f.followee_id WHERE f.follower_id = $1 \
             ORDER BY f.created_at, u.id LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Makes `follower` follow `followee`; following twice is a no-op.
    pub async fn follow(&self, follower: Id, followee: Id) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(follower)
        .bind(followee)
        .bind(now_micros())
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await
    }

    pub async fn unfollow(&self, follower: Id, followee: Id) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2")
            .bind(follower)
            .bind(followee)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await
    }
}
