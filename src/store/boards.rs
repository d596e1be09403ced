//! Boards and their members.

use sqlx::{Any, FromRow};

use super::{Store, StoreResult, WriteTx, now_micros};
use crate::model::{Board, Id, User};

const BOARD_COLUMNS: &str = "id, name, owner_id, created_at";

/// A board with the caller's membership.
#[derive(FromRow)]
struct BoardAndMember {
    #[sqlx(flatten)]
    board: Board,
    member_id: Option<Id>,
}

/// The board `id` and whether `user` is a member, on the pool or inside a
/// transaction.
async fn board_and_membership<'e>(
    on: impl sqlx::Executor<'e, Database = Any>,
    id: Id,
    user: Id,
) -> StoreResult<Option<(Board, bool)>> {
    let row = sqlx::query_as::<_, BoardAndMember>(
        "SELECT b.id, b.name, b.owner_id, b.created_at, m.user_id AS member_id \
         FROM boards b LEFT JOIN board_members m ON m.board_id = b.id AND m.user_id = $2 \
         WHERE b.id = $1",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(on)
    .await?;
    Ok(row.map(|r| (r.board, r.member_id.is_some())))
}

impl WriteTx {
    /// Creates a board with its owner as first member.
    pub async fn insert_board(&mut self, owner: Id, name: &str) -> StoreResult<Board> {
        let board = sqlx::query_as::<_, Board>(&format!(
            "INSERT INTO boards (name, owner_id, created_at) VALUES ($1, $2, $3) \
             RETURNING {BOARD_COLUMNS}"
        ))
        .bind(name)
        .bind(owner)
        .bind(now_micros())
        .fetch_one(&mut *self.tx)
        .await?;
        self.insert_board_member(board.id, owner).await?;
        Ok(board)
    }

    /// Whether `user` is a member of `board`, as of this transaction.
    pub async fn is_board_member(&mut self, board: Id, user: Id) -> StoreResult<bool> {
        // BIGINT: a bare `1` is an INT4 on PostgreSQL, which does not
        // decode as i64.
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT CAST(1 AS BIGINT) FROM board_members WHERE board_id = $1 AND user_id = $2",
        )
        .bind(board)
        .bind(user)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.is_some())
    }

    /// `Store::board_and_membership`, read inside this transaction, so
    /// that the check and the change it allows are one atomic step.
    pub async fn board_and_membership(
        &mut self,
        id: Id,
        user: Id,
    ) -> StoreResult<Option<(Board, bool)>> {
        board_and_membership(&mut *self.tx, id, user).await
    }

    /// Adds a member; returns false if they already were one.
    pub async fn insert_board_member(&mut self, board: Id, user: Id) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO board_members (board_id, user_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(board)
        .bind(user)
        .bind(now_micros())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// The board `id`, and whether `user` is one of its members, in one
    /// read.
    pub async fn board_and_membership(
        &self,
        id: Id,
        user: Id,
    ) -> StoreResult<Option<(Board, bool)>> {
        board_and_membership(&self.pool, id, user).await
    }

    pub async fn boards_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Board>> {
        self.rows_by_ids("boards", BOARD_COLUMNS, ids).await
    }

    /// The first `limit` members of a board, in the order they joined.
    pub async fn board_members(&self, board: Id, limit: i64) -> StoreResult<Vec<User>> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT u.id, u.name, u.email, u.created_at FROM board_members m \
             JOIN users u ON u.id = m.user_id WHERE m.board_id = $1 \
             ORDER BY m.joined_at, u.id LIMIT $2",
        )
        .bind(board)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
