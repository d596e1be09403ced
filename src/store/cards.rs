//! Cards and their assignees.

use sqlx::{Any, FromRow};

use super::{Store, StoreResult, WriteTx, now_micros};
use crate::model::{Card, CardChange, Id, User};

const CARD_COLUMNS: &str = "id, board_id, title, description, creator_id, created_at, updated_at";

/// A card with the caller's membership of its board.
#[derive(FromRow)]
struct CardAndMember {
    #[sqlx(flatten)]
    card: Card,
    member_id: Option<Id>,
}

/// The card `id` and whether `user` is a member of its board, on the pool
/// or inside a transaction.
async fn card_and_membership<'e>(
    on: impl sqlx::Executor<'e, Database = Any>,
    id: Id,
    user: Id,
) -> StoreResult<Option<(Card, bool)>> {
    let row = sqlx::query_as::<_, CardAndMember>(
        "SELECT c.id, c.board_id, c.title, c.description, c.creator_id, c.created_at, \
                c.updated_at, m.user_id AS member_id \
         FROM cards c LEFT JOIN board_members m ON m.board_id = c.board_id AND m.user_id = $2 \
         WHERE c.id = $1",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(on)
    .await?;
    Ok(row.map(|r| (r.card, r.member_id.is_some())))
}

impl WriteTx {
    pub async fn insert_card(
        &mut self,
        board: Id,
        creator: Id,
        title: &str,
        description: Option<&str>,
    ) -> StoreResult<Card> {
        let now = now_micros();
        Ok(sqlx::query_as::<_, Card>(&format!(
            "INSERT INTO cards (board_id, title, description, creator_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING {CARD_COLUMNS}"
        ))
        .bind(board)
        .bind(title)
        .bind(description)
        .bind(creator)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    /// Applies `change` and returns the card as it now is.
    pub async fn update_card(&mut self, id: Id, change: &CardChange) -> StoreResult<Option<Card>> {
        let (set_description, description) = match &change.description {
            Some(d) => (true, d.as_deref()),
            None => (false, None),
        };
        Ok(sqlx::query_as::<_, Card>(&format!(
            "UPDATE cards SET title = COALESCE($2, title), \
                description = CASE WHEN $3 = 1 THEN $4 ELSE description END, \
                updated_at = $5 \
             WHERE id = $1 RETURNING {CARD_COLUMNS}"
        ))
        .bind(id)
        .bind(change.title.as_deref())
        .bind(i64::from(set_description))
        .bind(description)
        .bind(now_micros())
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    /// `Store::card_and_membership`, read inside this transaction, so that
    /// the check and the change it allows are one atomic step.
    pub async fn card_and_membership(
        &mut self,
        id: Id,
        user: Id,
    ) -> StoreResult<Option<(Card, bool)>> {
        card_and_membership(&mut *self.tx, id, user).await
    }

    /// Assigns `user`; returns false if they already were assigned.
    pub async fn insert_assignee(&mut self, card: Id, user: Id) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO card_assignees (card_id, user_id, assigned_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(card)
        .bind(user)
        .bind(now_micros())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_assignee(&mut self, card: Id, user: Id) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM card_assignees WHERE card_id = $1 AND user_id = $2")
            .bind(card)
            .bind(user)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ids of the card's assignees, as of this transaction.
    pub async fn card_assignee_ids(&mut self, card: Id) -> StoreResult<Vec<Id>> {
        let rows: Vec<(Id,)> = sqlx::query_as(
            "SELECT user_id FROM card_assignees WHERE card_id = $1 ORDER BY assigned_at, user_id",
        )
        .bind(card)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}

impl Store {
    /// The card `id`, and whether `user` is a member of its board: the
    /// check every card mutation starts with, in one read.
    pub async fn card_and_membership(&self, id: Id, user: Id) -> StoreResult<Option<(Card, bool)>> {
        card_and_membership(&self.pool, id, user).await
    }

    pub async fn cards_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Card>> {
        self.rows_by_ids("cards", CARD_COLUMNS, ids).await
    }

    /// Up to `limit` cards of a board with an id above `after`, oldest
    /// first.
    pub async fn board_cards(&self, board: Id, after: Id, limit: i64) -> StoreResult<Vec<Card>> {
        Ok(sqlx::query_as::<_, Card>(&format!(
            "SELECT {CARD_COLUMNS} FROM cards WHERE board_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        ))
        .bind(board)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The first `limit` assignees of a card, in the order they were
    /// assigned.
    pub async fn card_assignees(&self, card: Id, limit: i64) -> StoreResult<Vec<User>> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT u.id, u.name, u.email, u.created_at FROM card_assignees a \
             JOIN users u ON u.id = a.user_id WHERE a.card_id = $1 \
             ORDER BY a.assigned_at, u.id LIMIT $2",
        )
        .bind(card)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
