//! The store: every row Herald keeps, in SQLite (the embedded default) or
//! PostgreSQL, behind one `Store` type.
//!
//! Both backends run the same SQL through sqlx's `Any` driver; where the
//! dialects differ (turning a JSON array of ids into rows, serialising the
//! writers of notifications) the difference is spelled out in `Dialect`.
//! Write operations that notify someone run the change and the
//! notification rows in one transaction and return the inserted rows, so
//! that the caller can publish them once `commit` has returned.
//!
//! No GraphQL types live here: rows are the plain structs of `model`.

mod boards;
mod cards;
mod chat;
mod comments;
mod groups;
mod inbox;
mod notifications;
mod posts;
mod preferences;
mod publish;
mod push;
mod retention;
mod users;

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    Any, AnyConnection, AnyPool, Connection as _, Transaction,
    any::{AnyConnectOptions, AnyPoolOptions},
};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use groups::{GROUP_ACTORS, StoredGroup};
pub use inbox::InboxState;
pub use notifications::CATCH_UP_PAGE;
pub use preferences::{Muted, StoredPreferences};
pub use publish::{Claim, StoredApiKey};
pub use push::{OutboxOutcome, PushJob, StoredPushSubscription};
pub use retention::Retained;
pub use users::NewUser;

use crate::{model::Id, telemetry::metrics};

/// A failure of the database. Shown to clients only as an internal error
/// or SERVICE_UNAVAILABLE (see `error.rs`): its message says no more than
/// "database error", and the cause stays in its source chain, for logs.
#[derive(Debug, thiserror::Error)]
#[error("database error")]
pub struct StoreError(#[source] pub sqlx::Error);

impl StoreError {
    /// True when the statement broke a unique constraint (e.g. an email
    /// already taken), which callers turn into CONFLICT.
    pub fn is_unique_violation(&self) -> bool {
        matches!(&self.0, sqlx::Error::Database(e) if e.is_unique_violation())
    }

    /// True when the database could not be reached (no connection within
    /// the acquire timeout, a refused or broken connection, a server that
    /// is shutting down), as opposed to a statement that failed: the
    /// client is told SERVICE_UNAVAILABLE and may try again.
    pub fn is_unavailable(&self) -> bool {
        match &self.0 {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
            sqlx::Error::Database(e) => e.code().is_some_and(|code| {
                // SQLSTATE class 08 (connection exception), 57P01–57P03
                // (shutting down, cannot connect now).
                code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
            }),
            _ => false,
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError(err)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        StoreError(err.into())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which database is behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// A table expression over the JSON array of pairs `[[id, x], …]`
    /// bound as parameter `$param`: columns `a` (the id), `b` (the second
    /// element, an id or a string as `second` says) and `k` (the pair's
    /// position, to keep the caller's order).
    fn json_pairs(self, param: usize, second: PairValue) -> String {
        match (self, second) {
            (Dialect::Sqlite, _) => {
                let b = match second {
                    PairValue::Id => "CAST(json_extract(value, '$[1]') AS BIGINT)",
                    PairValue::Text => "json_extract(value, '$[1]')",
                };
                format!(
                    "SELECT CAST(json_extract(value, '$[0]') AS BIGINT) AS a, {b} AS b, key AS k \
                     FROM json_each(${param})"
                )
            }
            (Dialect::Postgres, _) => {
                let b = match second {
                    PairValue::Id => "CAST(e->>1 AS BIGINT)",
                    PairValue::Text => "e->>1",
                };
                format!(
                    "SELECT CAST(e->>0 AS BIGINT) AS a, {b} AS b, i AS k \
                     FROM jsonb_array_elements(CAST(${param} AS jsonb)) WITH ORDINALITY AS p(e, i)"
                )
            }
        }
    }

    /// A table expression with one column `value`: the elements of the JSON
    /// array of ids bound as parameter `$param`. This is how one statement
    /// reads or writes a row for each of thousands of ids.
    fn json_ids(self, param: usize) -> String {
        match self {
            Dialect::Sqlite => format!("json_each(${param})"),
            Dialect::Postgres => format!("jsonb_array_elements_text(CAST(${param} AS jsonb))"),
        }
    }
}

/// What the second element of each pair in `Dialect::json_pairs` is.
#[derive(Clone, Copy, Debug)]
enum PairValue {
    Id,
    Text,
}

/// The database, shared by every request.
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    /// SQLite has a single writer, so every write transaction of this
    /// process runs on one connection of its own, taken by locking it:
    /// writers queue here instead of failing with SQLITE_BUSY, ids are
    /// given in commit order, and a write costs no pool checkout (sqlx
    /// pings a pooled connection's worker thread each time it is returned:
    /// a round trip per transaction). Reads keep the pool. PostgreSQL
    /// writes use the pool and a transaction-scoped advisory lock. Owned
    /// guards, so that a transaction can outlive the request that began
    /// it (`WriteTx` is `'static`).
    sqlite_writer: Arc<Mutex<SqliteWriter>>,
    /// How to open the SQLite writer connection (`None` on PostgreSQL,
    /// whose writes use the pool), and how long to wait for it (the
    /// pool's acquire timeout).
    writer_options: Option<AnyConnectOptions>,
    acquire_timeout: Duration,
    /// Woken when a transaction that queued pushes commits, so that this
    /// process's push sender starts on them at once (see `push`).
    pushes_queued: Arc<tokio::sync::Notify>,
}

/// The SQLite writer connection, opened at the first write.
#[derive(Default)]
struct SqliteWriter {
    conn: Option<AnyConnection>,
    /// A transaction was begun and neither committed nor rolled back (its
    /// `WriteTx` was dropped where no task could roll it back, or `BEGIN`
    /// itself was cancelled): the next writer rolls it back first.
    in_transaction: bool,
    /// `Store::close` was called: no more writes.
    closed: bool,
}

impl SqliteWriter {
    /// Opens the connection (with Herald's pragmas) if it is not, and
    /// rolls back any transaction left behind.
    async fn ready(&mut self, options: &AnyConnectOptions) -> StoreResult<()> {
        if self.closed {
            return Err(StoreError(sqlx::Error::PoolClosed));
        }
        if self.in_transaction {
            self.in_transaction = false;
            if let Some(conn) = &mut self.conn
                && sqlx::Executor::execute(&mut *conn, "ROLLBACK")
                    .await
                    .is_err()
            {
                // A connection that cannot roll back is not trusted.
                self.conn = None;
            }
        }
        if self.conn.is_none() {
            let mut conn = AnyConnection::connect_with(options).await?;
            for pragma in SQLITE_PRAGMAS {
                sqlx::Executor::execute(&mut conn, *pragma).await?;
            }
            self.conn = Some(conn);
        }
        Ok(())
    }
}

/// How the pool behaves; `Default` is what `connect` uses.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Connections in the pool: `None` for 8 on SQLite, 16 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// How long a statement waits for a connection before failing with
    /// an error that `StoreError::is_unavailable` recognises.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: None,
            acquire_timeout: Duration::from_secs(2),
        }
    }
}

/// A write transaction; dropping it without `commit` rolls back. It
/// borrows nothing, so that its commit can run to the end in a task of its
/// own even when the request that began it is cancelled.
pub struct WriteTx {
    tx: TxConnection,
    dialect: Dialect,
    /// When it began, for the transaction-time metric.
    began: std::time::Instant,
    /// Woken at commit when this transaction queued pushes.
    pushes_queued: Option<Arc<tokio::sync::Notify>>,
    push_wake: Arc<tokio::sync::Notify>,
}

/// The connection a write transaction runs on: a pooled one in a sqlx
/// transaction (PostgreSQL), or the locked SQLite writer, in a
/// transaction begun by hand (`None` once committed or handed to the task
/// that rolls it back).
enum TxConnection {
    Pooled(Option<Transaction<'static, Any>>),
    Writer(Option<OwnedMutexGuard<SqliteWriter>>),
}

impl std::ops::Deref for TxConnection {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            TxConnection::Pooled(tx) => tx.as_deref().expect("a live transaction"),
            TxConnection::Writer(writer) => writer
                .as_ref()
                .and_then(|w| w.conn.as_ref())
                .expect("a live transaction has its connection"),
        }
    }
}

impl std::ops::DerefMut for TxConnection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            TxConnection::Pooled(tx) => tx.as_deref_mut().expect("a live transaction"),
            TxConnection::Writer(writer) => writer
                .as_mut()
                .and_then(|w| w.conn.as_mut())
                .expect("a live transaction has its connection"),
        }
    }
}

/// An uncommitted SQLite transaction rolls back as it is dropped: in a
/// task that keeps the writer locked until the `ROLLBACK` has run, or,
/// where no task can run (the runtime is gone), by the next writer.
impl Drop for TxConnection {
    fn drop(&mut self) {
        let TxConnection::Writer(writer) = self else {
            return;
        };
        let Some(mut writer) = writer.take() else {
            return;
        };
        writer.in_transaction = true;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Some(conn) = &mut writer.conn {
                    match sqlx::Executor::execute(&mut *conn, "ROLLBACK").await {
                        Ok(_) => writer.in_transaction = false,
                        Err(_) => writer.conn = None,
                    }
                }
            });
        }
    }
}

impl WriteTx {
    /// Runs an `INSERT … RETURNING` whose parameters are a parent row, an
    /// author, a body and the time: a comment on a card, a message in a
    /// room.
    async fn insert_authored<T>(
        &mut self,
        sql: &str,
        parent: Id,
        author: Id,
        body: &str,
    ) -> StoreResult<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        Ok(sqlx::query_as::<_, T>(sql)
            .bind(parent)
            .bind(author)
            .bind(body)
            .bind(now_micros())
            .fetch_one(&mut *self.tx)
            .await?)
    }

    pub async fn commit(mut self) -> StoreResult<()> {
        match &mut self.tx {
            TxConnection::Pooled(tx) => {
                tx.take().expect("a live transaction").commit().await?;
            }
            TxConnection::Writer(writer) => {
                let guard = writer.as_mut().expect("a live transaction has its writer");
                let conn = guard
                    .conn
                    .as_mut()
                    .expect("a live transaction has its connection");
                // Failed: the transaction is still open, and rolls back as
                // `self` is dropped.
                sqlx::Executor::execute(&mut *conn, "COMMIT").await?;
                // Committed: release the writer as it is.
                guard.in_transaction = false;
                writer.take();
            }
        }
        metrics::transaction_committed(self.began);
        if let Some(wake) = self.pushes_queued.take() {
            wake.notify_one();
        }
        Ok(())
    }

    /// Sends a PostgreSQL `NOTIFY` on `channel` that listeners receive if,
    /// and when, this transaction commits. Not available on SQLite.
    pub async fn notify(&mut self, channel: &str, payload: &str) -> StoreResult<()> {
        if self.dialect != Dialect::Postgres {
            return Err(StoreError(sqlx::Error::Configuration(
                "NOTIFY needs PostgreSQL".into(),
            )));
        }
        // `pg_notify` returns void, which the Any driver cannot decode:
        // run it as a statement and ignore its one row.
        sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
            .bind(channel)
            .bind(payload)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

/// Set on every SQLite connection. WAL lets readers run while the writer
/// commits; `synchronous = NORMAL` in WAL mode survives a process crash
/// (an OS crash may lose the last transactions), the usual server setting.
const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    // No checkpoint inside COMMIT: SQLite's automatic checkpoint runs in
    // the committing connection, while Herald's writer lock is held, and
    // its fsync (milliseconds, at times hundreds, on this kind of disk)
    // stalled every queued write. `checkpoint_in_background` does it.
    "PRAGMA wal_autocheckpoint = 0",
];

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database at `url` (creating a SQLite file if needed) with
    /// the default options. Does not migrate; call `migrate`.
    pub async fn connect(url: &str) -> StoreResult<Arc<Store>> {
        Self::connect_with(url, StoreOptions::default()).await
    }

    /// Opens the database at `url` with `options`. Does not migrate.
    pub async fn connect_with(url: &str, options: StoreOptions) -> StoreResult<Arc<Store>> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            return Err(StoreError(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL (expected sqlite:// or postgres://): {}",
                    redact_url(url)
                )
                .into(),
            )));
        };
        let StoreOptions {
            max_connections,
            acquire_timeout,
        } = options;
        let (pool, writer_options) = match dialect {
            Dialect::Sqlite => {
                let options = AnyConnectOptions::from_str(&sqlite_url(url))?;
                let writer_options = options.clone();
                let pool = AnyPoolOptions::new()
                    .max_connections(max_connections.unwrap_or(8))
                    .acquire_timeout(acquire_timeout)
                    // A connection to a local file does not go stale; the
                    // default ping on every checkout is a round trip to the
                    // connection's worker thread before every statement.
                    .test_before_acquire(false)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            for pragma in SQLITE_PRAGMAS {
                                sqlx::Executor::execute(&mut *conn, *pragma).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?;
                checkpoint_in_background(pool.clone());
                (pool, Some(writer_options))
            }
            Dialect::Postgres => {
                let options = AnyConnectOptions::from_str(url)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(max_connections.unwrap_or(16))
                    .acquire_timeout(acquire_timeout)
                    .connect_with(options)
                    .await?;
                (pool, None)
            }
        };
        Ok(Arc::new(Store {
            pool,
            dialect,
            sqlite_writer: Arc::new(Mutex::new(SqliteWriter::default())),
            writer_options,
            acquire_timeout,
            pushes_queued: Arc::new(tokio::sync::Notify::new()),
        }))
    }

    /// Applies the migrations of this backend that are not applied yet.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self.dialect {
            Dialect::Sqlite => {
                // Rebuilding a table (SQLite's way of changing a column)
                // drops it, which foreign keys forbid; the switch only
                // works outside a transaction, so it is flipped around the
                // migrator, on its connection, and every reference is
                // checked afterwards.
                let mut conn = self.pool.acquire().await?;
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *conn)
                    .await?;
                let migrated = SQLITE_MIGRATIONS.run(&mut *conn).await;
                sqlx::query("PRAGMA foreign_keys = ON")
                    .execute(&mut *conn)
                    .await?;
                migrated?;
                let dangling = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_optional(&mut *conn)
                    .await?;
                if dangling.is_some() {
                    return Err(StoreError(sqlx::Error::Protocol(
                        "a migration left a reference to a missing row".into(),
                    )));
                }
            }
            Dialect::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// True when the database answers a trivial query within `within`.
    pub async fn ping(&self, within: Duration) -> bool {
        let ping = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(tokio::time::timeout(within, ping).await, Ok(Ok(_)))
    }

    /// Starts a write transaction. On SQLite it begins `IMMEDIATE`, taking
    /// the database's write lock at once: a deferred `BEGIN` that reads
    /// before it writes fails with SQLITE_BUSY, without waiting
    /// `busy_timeout`, when another process wrote in between.
    pub async fn begin_write(&self) -> StoreResult<WriteTx> {
        let began = std::time::Instant::now();
        let tx = match &self.writer_options {
            Some(options) => {
                // Bounded like a pool checkout: a writer that waits longer
                // is told SERVICE_UNAVAILABLE.
                let locked = Arc::clone(&self.sqlite_writer).lock_owned();
                let mut writer = tokio::time::timeout(self.acquire_timeout, locked)
                    .await
                    .map_err(|_| StoreError(sqlx::Error::PoolTimedOut))?;
                writer.ready(options).await?;
                // Set before `BEGIN` is sent: if this future is dropped
                // while the statement waits (for another process's lock),
                // the connection still runs it, and the next writer must
                // roll back what it began.
                writer.in_transaction = true;
                let conn = writer.conn.as_mut().expect("opened by ready");
                if let Err(err) = sqlx::Executor::execute(&mut *conn, "BEGIN IMMEDIATE").await {
                    // Not trusted any more: the next writer opens another.
                    writer.conn = None;
                    writer.in_transaction = false;
                    return Err(err.into());
                }
                TxConnection::Writer(Some(writer))
            }
            None => TxConnection::Pooled(Some(self.pool.begin().await?)),
        };
        Ok(WriteTx {
            tx,
            dialect: self.dialect,
            began,
            pushes_queued: None,
            push_wake: Arc::clone(&self.pushes_queued),
        })
    }

    /// The rows of `table` whose id is in `ids`, in no particular order;
    /// unknown ids are left out. One query whatever the number of ids: the
    /// list travels as one JSON array (see `Dialect::json_ids`). Backs the
    /// DataLoaders.
    async fn rows_by_ids<T>(&self, table: &str, columns: &str, ids: &[Id]) -> StoreResult<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE id IN (SELECT CAST(value AS BIGINT) FROM {})",
            self.dialect.json_ids(1)
        );
        let read = sqlx::query_as::<_, T>(&sql)
            .bind(json_id_list(ids))
            .fetch_all(&self.pool);
        Ok(metrics::timed_query("by_ids", read).await?)
    }

    /// Up to `limit` rows of `table` whose `parent` column is `key` and
    /// whose id is above `after`, oldest first: one page of a list that is
    /// read forwards by id (a card's comments, a room's messages).
    async fn rows_after<T>(
        &self,
        table: &str,
        columns: &str,
        parent: &str,
        key: Id,
        after: Id,
        limit: i64,
    ) -> StoreResult<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        Ok(sqlx::query_as::<_, T>(&format!(
            "SELECT {columns} FROM {table} WHERE {parent} = $1 AND id > $2 ORDER BY id LIMIT $3"
        ))
        .bind(key)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn close(&self) {
        {
            let mut writer = self.sqlite_writer.lock().await;
            writer.closed = true;
            if let Some(conn) = writer.conn.take() {
                let _ = conn.close().await;
            }
        }
        self.pool.close().await;
    }
}

/// A SQLite URL that creates the file when it does not exist, unless it
/// says otherwise.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// How often the SQLite write-ahead log is copied back into the database.
/// Short enough that the log stays small under a sustained write load
/// (a few thousand pages a second), long enough that each checkpoint
/// amortises its fsync over many commits.
const SQLITE_CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// Checkpoints the SQLite log off the write path, until the pool closes.
/// A PASSIVE checkpoint never blocks writers or readers: commits keep
/// appending to the log while it copies and syncs.
fn checkpoint_in_background(pool: AnyPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SQLITE_CHECKPOINT_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %err, "SQLite checkpoint failed");
            }
        }
    });
}

/// `url` with its password, if any, replaced by `***`, for logs and
/// error messages.
pub fn redact_url(url: &str) -> String {
    let url = redact_password_parameter(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    // The authority ends at the first `/`, `?` or `#`; its user info at
    // the last `@` within it.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some(at) = authority.rfind('@') else {
        return url;
    };
    let (user_info, host) = authority.split_at(at);
    match user_info.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{host}{tail}"),
        None => url,
    }
}

/// `url` with the value of a `password=` query parameter replaced.
fn redact_password_parameter(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// Now, as stored: microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// A list of ids as the JSON array that `Dialect::json_ids` unpacks.
fn json_id_list(ids: &[Id]) -> String {
    let mut out = String::with_capacity(ids.len() * 8 + 2);
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn probe_rows(store: &Store) -> Vec<i64> {
        sqlx::query_scalar("SELECT x FROM probe ORDER BY x")
            .fetch_all(&store.pool)
            .await
            .unwrap()
    }

    async fn insert_probe(tx: &mut WriteTx, x: i64) {
        sqlx::query("INSERT INTO probe (x) VALUES ($1)")
            .bind(x)
            .execute(&mut *tx.tx)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_sqlite_writer_rolls_back_what_was_dropped_or_cancelled() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let store = Store::connect(&url).await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        sqlx::query("CREATE TABLE probe (x BIGINT)")
            .execute(&mut *tx.tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Dropped without commit: rolled back, and the writer is free.
        let mut dropped = store.begin_write().await.unwrap();
        insert_probe(&mut dropped, 1).await;
        drop(dropped);
        let mut tx = store.begin_write().await.unwrap();
        insert_probe(&mut tx, 2).await;
        tx.commit().await.unwrap();
        assert_eq!(probe_rows(&store).await, vec![2]);

        // Another connection holds the write lock: a `begin_write` given
        // up while its BEGIN waits leaves nothing behind once it is free.
        let mut other = store.pool.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *other)
            .await
            .unwrap();
        let waited = tokio::time::timeout(Duration::from_millis(200), store.begin_write()).await;
        assert!(waited.is_err(), "the write lock is held elsewhere");
        sqlx::query("ROLLBACK").execute(&mut *other).await.unwrap();
        drop(other);
        let mut tx = store.begin_write().await.unwrap();
        insert_probe(&mut tx, 3).await;
        tx.commit().await.unwrap();
        assert_eq!(probe_rows(&store).await, vec![2, 3]);

        // Closed: no more writes.
        store.close().await;
        let refused = store.begin_write().await.err().expect("closed");
        assert!(refused.is_unavailable());
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://herald:s3cret@db:5432/herald"),
            "postgres://herald:***@db:5432/herald"
        );
        assert_eq!(
            redact_url("redis://:p%40ss@cache:6379/0"),
            "redis://:***@cache:6379/0"
        );
        assert_eq!(redact_url("redis://cache:6379"), "redis://cache:6379");
        assert_eq!(redact_url("sqlite://./a@b.db"), "sqlite://./a@b.db");
        assert_eq!(
            redact_url("postgres://u:p@h/db?password=x"),
            "postgres://u:***@h/db?password=***"
        );
        assert_eq!(
            redact_url("postgres://u:p@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem"),
            "postgres://u:***@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem"
        );
        assert_eq!(
            redact_url("rediss://:p@cache:6380"),
            "rediss://:***@cache:6380"
        );
    }

    #[test]
    fn id_lists_are_json_arrays() {
        assert_eq!(json_id_list(&[]), "[]");
        assert_eq!(json_id_list(&[1, 22, 333]), "[1,22,333]");
    }
}
