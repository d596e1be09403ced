//! Users, their credentials, revoked sessions, and who follows whom.

use sqlx::{Any, FromRow};

use super::{Store, StoreError, StoreResult, WriteTx, now_micros};
use crate::model::{Id, RevokedSession, User};

/// What sign-up stores. `email` is already normalised (lower case).
pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
}

#[derive(FromRow)]
struct Credentials {
    #[sqlx(flatten)]
    user: User,
    password_hash: Option<String>,
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

    /// Revokes one session of `user` until `until` (seconds).
    pub async fn revoke_session(&mut self, user: Id, session: &str, until: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO revoked_sessions (user_id, session, until) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, session) DO UPDATE SET until = excluded.until",
        )
        .bind(user)
        .bind(session)
        .bind(until)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Raises `user`'s token generation, invalidating every token issued
    /// so far (at `now`, in seconds); returns the new generation.
    pub async fn raise_token_generation(&mut self, user: Id, now: i64) -> StoreResult<i64> {
        let (generation,): (i64,) = sqlx::query_as(
            "UPDATE users SET token_generation = token_generation + 1, tokens_revoked_at = $2 \
             WHERE id = $1 RETURNING token_generation",
        )
        .bind(user)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(generation)
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

    /// The user with this (normalised) email and their password hash
    /// (`None` for an account that signs in through an identity provider).
    pub async fn credentials_by_email(
        &self,
        email: &str,
    ) -> StoreResult<Option<(User, Option<String>)>> {
        let row = sqlx::query_as::<_, Credentials>(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|c| (c.user, c.password_hash)))
    }

    /// The user an identity provider calls `external_id`, created from
    /// `name` and `email` the first time it is seen. An e-mail that
    /// another account already has is left out rather than refused: the
    /// provider vouches for the person, not for the address here.
    pub async fn external_user(
        &self,
        external_id: &str,
        name: &str,
        email: Option<&str>,
    ) -> StoreResult<User> {
        let select = format!("SELECT {USER_COLUMNS} FROM users WHERE external_id = $1");
        if let Some(mut user) = sqlx::query_as::<_, User>(&select)
            .bind(external_id)
            .fetch_optional(&self.pool)
            .await?
        {
            // Created by a publish, which knew only the app's id: the
            // provider's first token gives the person's name.
            if user.name == external_id && name != external_id {
                sqlx::query("UPDATE users SET name = $1 WHERE id = $2 AND name = external_id")
                    .bind(name)
                    .bind(user.id)
                    .execute(&self.pool)
                    .await?;
                user.name = name.to_owned();
            }
            return Ok(user);
        }
        let mut tx = self.begin_write().await?;
        for email in [email, None] {
            let inserted = sqlx::query(
                "INSERT INTO users (name, email, external_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(name)
            .bind(email)
            .bind(external_id)
            .bind(now_micros())
            .execute(&mut *tx.tx)
            .await?;
            // Nothing inserted: the id is there already (a concurrent first
            // request), or the e-mail is taken and the next try leaves it out.
            let user = sqlx::query_as::<_, User>(&select)
                .bind(external_id)
                .fetch_optional(&mut *tx.tx)
                .await?;
            if let Some(user) = user {
                tx.commit().await?;
                return Ok(user);
            }
            if inserted.rows_affected() == 1 {
                break;
            }
        }
        Err(StoreError(sqlx::Error::RowNotFound))
    }

    /// Every user who ever logged out everywhere: their token generation
    /// (tokens Herald issued under an older one are no longer valid) and
    /// when (seconds; other issuers' tokens from before are not either).
    pub async fn token_generations(&self) -> StoreResult<Vec<(Id, i64, i64)>> {
        Ok(sqlx::query_as::<_, (Id, i64, i64)>(
            "SELECT id, token_generation, tokens_revoked_at FROM users WHERE token_generation > 0",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sessions revoked and not yet past `now` (seconds).
    pub async fn revoked_sessions(&self, now: i64) -> StoreResult<Vec<RevokedSession>> {
        Ok(sqlx::query_as::<_, RevokedSession>(
            "SELECT user_id, session, until FROM revoked_sessions WHERE until > $1",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Forgets revocations that no token can outlive any more.
    pub async fn forget_revocations_before(&self, now: i64) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM revoked_sessions WHERE until <= $1")
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
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
