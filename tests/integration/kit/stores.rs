//! Databases and Redis connections of one test.

use herald::{config::Config, store::Store};
use rand::Rng;
use sqlx::{Connection, postgres::PgConnection};
use std::sync::Arc;
use tempfile::TempDir;

use super::{TestApp, spawn_app_with};

/// Declares each test once per backend: `sqlite::name` always runs,
/// `postgres::name` when PostgreSQL is configured (ignored otherwise).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(crate::kit::stores::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
                async fn $name() {
                    super::$name(crate::kit::stores::Backend::Postgres).await
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database for one test: a SQLite file in a temporary directory,
/// or a PostgreSQL database created on the server of
/// `HERALD_TEST_DATABASE_URL` and dropped when this is dropped.
pub struct TestDb {
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: Option<TempDir>,
}

fn random_suffix() -> String {
    format!("{:016x}", rand::thread_rng().r#gen::<u64>())
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                TestDb {
                    url: format!("sqlite://{}", dir.path().join("herald.db").display()),
                    postgres: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin_url = std::env::var("HERALD_TEST_DATABASE_URL")
                    .expect("HERALD_TEST_DATABASE_URL must be set to run PostgreSQL tests");
                let name = format!("herald_t_{}", random_suffix());
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to HERALD_TEST_DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create a test database");
                admin.close().await.ok();
                TestDb {
                    url: with_database(&admin_url, &name),
                    postgres: Some((admin_url, name)),
                    _dir: None,
                }
            }
        }
    }

    /// A migrated store on this database, as a replica opens it.
    pub async fn store(&self) -> Arc<Store> {
        let store = Store::connect(&self.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base
        .find("://")
        .map(|scheme| {
            base[scheme + 3..]
                .find('/')
                .map_or(base.len(), |i| scheme + 3 + i)
        })
        .expect("a URL with a scheme");
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        let dropped = run_detached(async move {
            let mut admin = PgConnection::connect(&admin_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
            admin.close().await
        });
        if let Some(Err(err)) = dropped {
            eprintln!("could not drop a test database: {err}");
        }
    }
}

/// Runs `work` on a runtime of its own in another thread and waits for
/// it: `Drop` runs inside the test's runtime, which cannot block on a
/// future. None if the work panicked.
fn run_detached<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> Option<T> {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(work)
    })
    .join()
    .ok()
}

/// Ends the LISTEN connections whose `column` in `pg_stat_activity` is
/// `value`; returns how many were ended.
async fn terminate_listeners(admin: &mut PgConnection, column: &str, value: &str) -> i64 {
    let (killed,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE {column} = $1 AND query LIKE 'LISTEN%') AS killed"
    ))
    .bind(value)
    .fetch_one(admin)
    .await
    .expect("terminate listeners");
    killed
}

/// The Redis server of `HERALD_TEST_REDIS_URL`.
pub fn redis_url() -> String {
    std::env::var("HERALD_TEST_REDIS_URL")
        .expect("HERALD_TEST_REDIS_URL must be set to run Redis tests")
}

/// A Redis channel prefix no other test uses.
pub fn unique_prefix() -> String {
    format!("herald-t-{}", random_suffix())
}

/// Which broker the replicas of a test share.
#[derive(Clone, Debug)]
pub enum SharedBroker {
    /// Redis, with channel names under this prefix.
    Redis {
        prefix: String,
    },
    Postgres,
}

/// A replica: a full Herald on its own port, on the shared database and
/// broker (each with its own data directory).
pub async fn replica(db: &TestDb, broker: &SharedBroker) -> TestApp {
    replica_as(db.url.clone(), broker, redis_url()).await
}

/// A replica reaching the database at `database_url` and Redis (if that
/// is the broker) at `redis`: the same servers as the others, maybe under
/// another login.
pub async fn replica_as(database_url: String, broker: &SharedBroker, redis: String) -> TestApp {
    replica_with(database_url, broker, redis, |_| {}).await
}

/// `replica_as`, with its configuration changed by `configure`.
pub async fn replica_with(
    database_url: String,
    broker: &SharedBroker,
    redis: String,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    let broker = broker.clone();
    spawn_app_with(move |config: &mut Config| {
        configure(config);
        config.database_url = Some(database_url);
        match broker {
            SharedBroker::Redis { prefix } => {
                config.broker = redis;
                config.broker_prefix = prefix;
            }
            SharedBroker::Postgres => config.broker = "postgres".into(),
        }
    })
    .await
}

/// Waits until the replica's `/readyz` answers `ready`: its database
/// and broker both answer.
pub async fn until_ready(app: &TestApp) {
    let deadline = tokio::time::Instant::now() + super::WAIT;
    loop {
        let response = app.http.get(app.url("/readyz")).send().await.unwrap();
        let status = response.status();
        if status == 200 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz stayed {status}: {}",
            response.text().await.unwrap_or_default()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// `url` (scheme://[user@]host…) with the user `user`.
fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{user}@{host}{path}")
}

/// A Redis ACL user of one test, so that the test can lock one replica
/// out of Redis (and let it back in) while the others stay connected.
pub struct RedisUser {
    pub name: String,
}

impl RedisUser {
    pub async fn new() -> RedisUser {
        let name = format!("herald_t_{}", random_suffix());
        let _: () = redis::cmd("ACL")
            .arg(&["SETUSER", &name, "on", "nopass", "~*", "&*", "+@all"][..])
            .query_async(&mut redis_admin().await)
            .await
            .expect("ACL SETUSER");
        RedisUser { name }
    }

    /// The test Redis URL, logged in as this user (any password works).
    pub fn url(&self) -> String {
        with_user(&redis_url(), &format!("{}:x", self.name))
    }

    /// Disables the user and kills its connections: its replica cannot
    /// reach Redis until `let_in`.
    pub async fn lock_out(&self) -> i64 {
        let mut admin = redis_admin().await;
        let _: () = redis::cmd("ACL")
            .arg(&["SETUSER", &self.name, "off"][..])
            .query_async(&mut admin)
            .await
            .expect("ACL SETUSER off");
        redis::cmd("CLIENT")
            .arg(&["KILL", "USER", &self.name][..])
            .query_async(&mut admin)
            .await
            .expect("CLIENT KILL USER")
    }

    pub async fn let_in(&self) {
        let _: () = redis::cmd("ACL")
            .arg(&["SETUSER", &self.name, "on"][..])
            .query_async(&mut redis_admin().await)
            .await
            .expect("ACL SETUSER on");
    }
}

impl Drop for RedisUser {
    fn drop(&mut self) {
        if let Ok(mut admin) = redis::Client::open(redis_url()).and_then(|c| c.get_connection()) {
            let _: redis::RedisResult<i64> = redis::cmd("ACL")
                .arg(&["DELUSER", &self.name][..])
                .query(&mut admin);
        }
    }
}

/// A PostgreSQL login role of one test, so that the test can lock one
/// replica's broker connection out of the database and let it back in.
pub struct PgRole {
    pub name: String,
    admin_url: String,
}

impl PgRole {
    pub async fn new(db: &TestDb) -> PgRole {
        let (admin_url, _) = db.postgres.clone().expect("a PostgreSQL test database");
        let name = format!("herald_t_{}", random_suffix());
        let mut admin = PgConnection::connect(&admin_url).await.expect("connect");
        sqlx::query(&format!("CREATE ROLE {name} SUPERUSER LOGIN"))
            .execute(&mut admin)
            .await
            .expect("create a test role");
        admin.close().await.ok();
        PgRole { name, admin_url }
    }

    /// The URL of `db` as this role.
    pub fn url(&self, db: &TestDb) -> String {
        with_user(&db.url, &self.name)
    }

    /// Forbids new logins of this role and ends its LISTEN connections;
    /// returns how many were ended.
    pub async fn lock_out_listeners(&self) -> i64 {
        let mut admin = self.set_login("NOLOGIN").await;
        let killed = terminate_listeners(&mut admin, "usename", &self.name).await;
        admin.close().await.ok();
        killed
    }

    pub async fn let_in(&self) {
        self.set_login("LOGIN").await.close().await.ok();
    }

    /// Gives this role `option` (`LOGIN` or `NOLOGIN`); returns the admin
    /// connection that did it.
    async fn set_login(&self, option: &str) -> PgConnection {
        let mut admin = PgConnection::connect(&self.admin_url)
            .await
            .expect("connect");
        sqlx::query(&format!("ALTER ROLE {} {option}", self.name))
            .execute(&mut admin)
            .await
            .expect(option);
        admin
    }
}

impl Drop for PgRole {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = run_detached(async move {
            let mut admin = PgConnection::connect(&admin_url).await?;
            sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
            )
            .bind(&name)
            .execute(&mut admin)
            .await?;
            sqlx::query(&format!("DROP ROLE IF EXISTS {name}"))
                .execute(&mut admin)
                .await?;
            admin.close().await
        });
    }
}

/// A plain (RESP2) connection for inspecting and disturbing Redis.
pub async fn redis_admin() -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis_url())
        .expect("a Redis URL")
        .get_multiplexed_async_connection()
        .await
        .expect("connect to HERALD_TEST_REDIS_URL")
}

/// Kills every Redis connection whose name starts with `prefix` (the
/// connections of this test's replicas); returns how many.
pub async fn kill_redis_clients(prefix: &str) -> usize {
    let mut admin = redis_admin().await;
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut admin)
        .await
        .expect("CLIENT LIST");
    let ids: Vec<String> = list
        .lines()
        .filter(|line| {
            line.split(' ')
                .any(|field| field.starts_with(&format!("name={prefix}:")))
        })
        .filter_map(|line| {
            line.split(' ')
                .find_map(|field| field.strip_prefix("id="))
                .map(str::to_owned)
        })
        .collect();
    for id in &ids {
        let _: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query_async(&mut admin)
            .await
            .expect("CLIENT KILL");
    }
    ids.len()
}

/// How many connections subscribe to `channel` (`PUBSUB NUMSUB`).
pub async fn redis_subscribers(channel: &str) -> i64 {
    let mut admin = redis_admin().await;
    let (_, n): (String, i64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(channel)
        .query_async(&mut admin)
        .await
        .expect("PUBSUB NUMSUB");
    n
}

/// Ends the LISTEN connections on the database of `db` (the broker
/// connections of this test's replicas); returns how many.
pub async fn kill_listeners(db: &TestDb) -> i64 {
    let (admin_url, name) = db.postgres.as_ref().expect("a PostgreSQL test database");
    let mut admin = PgConnection::connect(admin_url).await.expect("connect");
    let killed = terminate_listeners(&mut admin, "datname", name).await;
    admin.close().await.ok();
    killed
}

#[test]
fn users_are_replaced_in_urls() {
    assert_eq!(
        with_user("redis://127.0.0.1:6379", "u:x"),
        "redis://u:x@127.0.0.1:6379"
    );
    assert_eq!(
        with_user("postgres://postgres@127.0.0.1:5432/db?x=1", "r"),
        "postgres://r@127.0.0.1:5432/db?x=1"
    );
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/test?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
}

/// A TCP proxy on a free local port to `target`, which the test can take
/// away: the port stops listening and every proxied connection is cut, as
/// when a database server goes down.
pub struct TcpProxy {
    pub port: u16,
    tasks: tokio_util::task::TaskTracker,
    stop: tokio_util::sync::CancellationToken,
}

impl TcpProxy {
    pub async fn start(target: std::net::SocketAddr) -> TcpProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tasks = tokio_util::task::TaskTracker::new();
        let stop = tokio_util::sync::CancellationToken::new();
        let (accepting, cancelled) = (tasks.clone(), stop.clone());
        tasks.spawn(async move {
            loop {
                let (mut client, _) = tokio::select! {
                    _ = cancelled.cancelled() => return,
                    accepted = listener.accept() => accepted.unwrap(),
                };
                let cancelled = cancelled.clone();
                accepting.spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = cancelled.cancelled() => {}
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    }
                });
            }
        });
        TcpProxy { port, tasks, stop }
    }

    /// Closes the port and cuts every connection through it.
    pub async fn take_away(&self) {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}

/// `url` with its host and port replaced by 127.0.0.1:`port`.
pub fn with_port(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let user = authority
        .rsplit_once('@')
        .map(|(user, _)| format!("{user}@"));
    format!(
        "{scheme}://{}127.0.0.1:{port}{path}",
        user.unwrap_or_default()
    )
}

/// The address of the host and port in `url`.
pub async fn address_of(url: &str) -> std::net::SocketAddr {
    let rest = url.split_once("://").expect("a URL with a scheme").1;
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    tokio::net::lookup_host(host)
        .await
        .unwrap()
        .next()
        .expect("the URL's host resolves")
}
