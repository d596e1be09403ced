//! Boards and their members.

use sqlx::{Any, FromRow};

use super::{Id, Store, StoreResult, User, WriteTx, now_micros};

#[derive(Clone, Debug, FromRow)]
pub struct Board {
    pub id: Id,
    pub name: String,
    pub owner_id: Id,
    pub created_at: i64,
}

const BOARD_COLUMNS: &str = "id, name, owner_id, created_at";

/// Whether `user` is a member of `board`, on the pool or inside a
/// transaction.
async fn is_board_member<'e>(
    on: impl sqlx::Executor<'e, Database = Any>,
    board: Id,
    user: Id,
) -> StoreResult<bool> {
    // BIGINT: a bare `1` is an INT4 on PostgreSQL, which does not decode
    // as i64.
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) FROM board_members WHERE board_id = $1 AND user_id = $2",
    )
    .bind(board)
    .bind(user)
    .fetch_optional(on)
    .await?;
    Ok(row.is_some())
}

/// A board with the caller's membership.
#[derive(FromRow)]
struct BoardAndMember {
    #[sqlx(flatten)]
    board: Board,
    member_id: Option<Id>,
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

    /// `Store::is_board_member`, inside this transaction.
    pub async fn is_board_member(&mut self, board: Id, user: Id) -> StoreResult<bool> {
        is_board_member(&mut *self.tx, board, user).await
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
    pub async fn board(&self, id: Id) -> StoreResult<Option<Board>> {
        Ok(
            sqlx::query_as::<_, Board>(&format!(
                "SELECT {BOARD_COLUMNS} FROM boards WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    /// The board `id`, and whether `user` is one of its members, in one
    /// read.
    pub async fn board_and_membership(
        &self,
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
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.board, r.member_id.is_some())))
    }

    pub async fn boards_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Board>> {
        self.rows_by_ids("boards", BOARD_COLUMNS, ids).await
    }

    pub async fn is_board_member(&self, board: Id, user: Id) -> StoreResult<bool> {
        is_board_member(&self.pool, board, user).await
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
