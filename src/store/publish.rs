//! What the publish API keeps: the app's API keys, its topics and their
//! members, users known by the app's ids, and the idempotency keys of
//! recent publishes.

use sqlx::Row;

use super::{Store, StoreResult, WriteTx, json_id_list, now_micros};
use crate::model::Id;

/// An API key as stored: never its secret, only the secret's hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredApiKey {
    pub id: Id,
    pub name: String,
    /// The key's first characters, to recognise it.
    pub prefix: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

const API_KEY_COLUMNS: &str = "id, name, prefix, created_at, revoked_at";

fn api_key_of(row: &sqlx::any::AnyRow) -> Result<StoredApiKey, sqlx::Error> {
    Ok(StoredApiKey {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        prefix: row.try_get(2)?,
        created_at: row.try_get(3)?,
        revoked_at: row.try_get(4)?,
    })
}

impl Store {
    /// Stores a new key; a taken name breaks the unique constraint
    /// (`StoreError::is_unique_violation`).
    pub async fn create_api_key(
        &self,
        name: &str,
        secret_hash: &str,
        prefix: &str,
    ) -> StoreResult<StoredApiKey> {
        let row = sqlx::query(&format!(
            "INSERT INTO api_keys (name, secret_hash, prefix, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING {API_KEY_COLUMNS}"
        ))
        .bind(name)
        .bind(secret_hash)
        .bind(prefix)
        .bind(now_micros())
        .fetch_one(&self.pool)
        .await?;
        Ok(api_key_of(&row)?)
    }

    /// Every key, revoked ones included, oldest first.
    pub async fn api_keys(&self) -> StoreResult<Vec<StoredApiKey>> {
        let rows = sqlx::query(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(api_key_of)
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// Revokes the key named `name` (or whose id it is); `None` when there
    /// is no such key. Revoking a revoked key keeps its first revocation.
    pub async fn revoke_api_key(&self, name: &str) -> StoreResult<Option<StoredApiKey>> {
        let id = name.parse::<Id>().unwrap_or(0);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE api_keys SET revoked_at = $3 \
             WHERE (name = $1 OR id = $2) AND revoked_at IS NULL",
        )
        .bind(name)
        .bind(id)
        .bind(now_micros())
        .execute(&mut *tx.tx)
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE name = $1 OR id = $2 \
             ORDER BY (name = $1) DESC LIMIT 1"
        ))
        .bind(name)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(row.as_ref().map(api_key_of).transpose()?)
    }

    /// The live (unrevoked) key whose secret hashes to `secret_hash`.
    pub async fn live_api_key(&self, secret_hash: &str) -> StoreResult<Option<StoredApiKey>> {
        let row = sqlx::query(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL"
        ))
        .bind(secret_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(api_key_of).transpose()?)
    }

    /// How many users are members of `topic` (0 for a topic nobody joined).
    pub async fn topic_member_count(&self, topic: &str) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM topic_members m JOIN topics t ON t.id = m.topic_id \
             WHERE t.name = $1",
        )
        .bind(topic)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }
}

/// What a publish with an idempotency key found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: this publish goes ahead, and records its result
    /// with `WriteTx::settle_publish_key`.
    New,
    /// A publish with this key committed before: its request's hash and
    /// how many it notified.
    Seen { request_hash: String, notified: i64 },
}

impl WriteTx {
    /// Herald's ids of the users the app calls `external_ids`, in that
    /// order. With `create`, each new one is created (named by its
    /// external id) first: two statements whatever their number. A
    /// concurrent first use of the same id inserts it once (the unique
    /// `external_id`), and ids are inserted in sorted order, so that two
    /// transactions creating the same users never wait on each other in
    /// a cycle. Without `create`, unknown ids are left out.
    pub async fn users_by_external_ids(
        &mut self,
        external_ids: &[String],
        create: bool,
    ) -> StoreResult<Vec<Id>> {
        if external_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list =
            serde_json::to_string(external_ids).map_err(|e| sqlx::Error::Encode(e.into()))?;
        let ids = self.dialect.json_ids(1);
        if create {
            sqlx::query(&format!(
                "INSERT INTO users (name, external_id, created_at) \
                 SELECT value, value, $2 FROM {ids} WHERE true ORDER BY value \
                 ON CONFLICT DO NOTHING"
            ))
            .bind(&list)
            .bind(now_micros())
            .execute(&mut *self.tx)
            .await?;
        }
        let found: Vec<(Id, String)> = sqlx::query_as(&format!(
            "SELECT id, external_id FROM users WHERE external_id IN (SELECT value FROM {ids})"
        ))
        .bind(&list)
        .fetch_all(&mut *self.tx)
        .await?;
        let by_external: std::collections::HashMap<&str, Id> =
            found.iter().map(|(id, ext)| (ext.as_str(), *id)).collect();
        let out: Vec<Id> = external_ids
            .iter()
            .filter_map(|ext| by_external.get(ext.as_str()).copied())
            .collect();
        if create && out.len() != external_ids.len() {
            return Err(
                sqlx::Error::Protocol("a user named by the app was not created".into()).into(),
            );
        }
        Ok(out)
    }

    /// Claims idempotency key `key` of API key `api_key` for a publish
    /// whose request hashes to `request_hash`, first forgetting every key
    /// created before `forget_before`. Concurrent claims of one key are
    /// serialised by its primary key: the second waits for the first to
    /// commit, then sees it (`Claim::Seen`), or claims it if the first
    /// rolled back.
    pub async fn claim_publish_key(
        &mut self,
        api_key: Id,
        key: &str,
        request_hash: &str,
        forget_before: i64,
    ) -> StoreResult<Claim> {
        sqlx::query("DELETE FROM publish_keys WHERE created_at < $1")
            .bind(forget_before)
            .execute(&mut *self.tx)
            .await?;
        let claimed = sqlx::query(
            "INSERT INTO publish_keys (api_key_id, idem_key, request_hash, notified, created_at) \
             VALUES ($1, $2, $3, 0, $4) ON CONFLICT DO NOTHING",
        )
        .bind(api_key)
        .bind(key)
        .bind(request_hash)
        .bind(now_micros())
        .execute(&mut *self.tx)
        .await?;
        if claimed.rows_affected() == 1 {
            return Ok(Claim::New);
        }
        let (request_hash, notified): (String, i64) = sqlx::query_as(
            "SELECT request_hash, notified FROM publish_keys WHERE api_key_id = $1 AND idem_key = $2",
        )
        .bind(api_key)
        .bind(key)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(Claim::Seen {
            request_hash,
            notified,
        })
    }

    /// Records how many the publish that claimed `key` notified.
    pub async fn settle_publish_key(
        &mut self,
        api_key: Id,
        key: &str,
        notified: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE publish_keys SET notified = $3 WHERE api_key_id = $1 AND idem_key = $2",
        )
        .bind(api_key)
        .bind(key)
        .bind(notified)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Adds `users` to `topic` (created on first use); returns how many
    /// were not members yet.
    pub async fn join_topic(&mut self, topic: &str, users: &[Id]) -> StoreResult<u64> {
        sqlx::query("INSERT INTO topics (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(topic)
            .bind(now_micros())
            .execute(&mut *self.tx)
            .await?;
        let done = sqlx::query(&format!(
            "INSERT INTO topic_members (topic_id, user_id, created_at) \
             SELECT t.id, CAST(u.value AS BIGINT), $3 FROM topics t, {} u WHERE t.name = $1 \
             ON CONFLICT DO NOTHING",
            self.dialect.json_ids(2)
        ))
        .bind(topic)
        .bind(json_id_list(users))
        .bind(now_micros())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }

    /// Removes `users` from `topic`; returns how many were members.
    pub async fn leave_topic(&mut self, topic: &str, users: &[Id]) -> StoreResult<u64> {
        let done = sqlx::query(&format!(
            "DELETE FROM topic_members \
             WHERE topic_id IN (SELECT id FROM topics WHERE name = $1) \
               AND user_id IN (SELECT CAST(value AS BIGINT) FROM {})",
            self.dialect.json_ids(2)
        ))
        .bind(topic)
        .bind(json_id_list(users))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }
}
