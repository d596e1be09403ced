//! Broker trouble while notifications are produced: the broker
//! connections of both replicas are killed mid-stream, and afterwards
//! every subscriber has every notification exactly once, in order — the
//! same sequence as the store.

use crate::kit::stores::{
    Backend, PgRole, RedisUser, SharedBroker, TestDb, kill_listeners, kill_redis_clients, replica,
    replica_as, unique_prefix,
};
use crate::kit::{TestApp, TestUser, WsClient};

/// Updates made in all; the broker connections are killed after the
/// updates numbered in `KILL_AFTER`.
const UPDATES: usize = 40;
const KILL_AFTER: [usize; 2] = [10, 25];

async fn inbox_cursors(app: &TestApp, user: &TestUser) -> Vec<String> {
    let mut cursors: Vec<String> = app
        .inbox(user)
        .await
        .into_iter()
        .map(|(c, _, _)| c)
        .collect();
    cursors.reverse();
    cursors
}

async fn received_cursors(ws: &mut WsClient, id: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            ws.next_notification(id).await["cursor"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    out
}

async fn nothing_lost_when_broker_connections_die<F, Fut>(
    broker: SharedBroker,
    db: &TestDb,
    kill: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let a = replica(db, &broker).await;
    let b = replica(db, &broker).await;
    let alice = a.sign_up("Alice").await;
    let bob = a.sign_up("Bob").await;
    let carol = a.sign_up("Carol").await;
    let dave = a.sign_up("Dave").await;
    let board = a.board_with(&alice, &[&bob, &carol, &dave]).await;
    let card = a.card(&alice, &board, "Ship v1").await;

    // Bob listens on A, Carol on B, Dave on both.
    let mut bob_a = a.ws(&bob.token).await;
    bob_a.subscribe_notifications(&a, "b", &bob, None).await;
    let mut carol_b = b.ws(&carol.token).await;
    carol_b.subscribe_notifications(&b, "c", &carol, None).await;
    let mut dave_a = a.ws(&dave.token).await;
    dave_a.subscribe_notifications(&a, "d", &dave, None).await;
    let mut dave_b = b.ws(&dave.token).await;
    dave_b.subscribe_notifications(&b, "d", &dave, None).await;

    for user in [&bob, &carol, &dave] {
        a.assign(&alice, &card, user).await;
    }
    for i in 1..=UPDATES {
        let on = if i % 2 == 0 { &a } else { &b };
        on.update_title(&alice, &card, &format!("Ship v1.{i}"))
            .await;
        if KILL_AFTER.contains(&i) {
            // Each replica must be back on the broker before its
            // connection is killed again: how long reconnecting takes is
            // not what this test is about.
            until_ready(&a, true).await;
            until_ready(&b, true).await;
            let killed = kill().await;
            assert!(
                killed >= 2,
                "killed {killed} broker connections, expected one per replica"
            );
        }
    }

    let expected = UPDATES + 1;
    for (ws, id, user) in [
        (&mut bob_a, "b", &bob),
        (&mut carol_b, "c", &carol),
        (&mut dave_a, "d", &dave),
        (&mut dave_b, "d", &dave),
    ] {
        let stored = inbox_cursors(&a, user).await;
        assert_eq!(stored.len(), expected);
        assert_eq!(received_cursors(ws, id, expected).await, stored);
        ws.assert_quiet().await;
    }
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_connections_killed_mid_stream_lose_nothing() {
    let prefix = unique_prefix();
    let db = TestDb::new(Backend::Postgres).await;
    let broker = SharedBroker::Redis {
        prefix: prefix.clone(),
    };
    nothing_lost_when_broker_connections_die(broker, &db, || kill_redis_clients(&prefix)).await;
}

#[tokio::test]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn listen_connections_killed_mid_stream_lose_nothing() {
    let db = TestDb::new(Backend::Postgres).await;
    let on = &db;
    nothing_lost_when_broker_connections_die(SharedBroker::Postgres, &db, move || async move {
        usize::try_from(kill_listeners(on).await).unwrap()
    })
    .await;
}

/// Events that only a resync or a late publish can deliver: while A is cut
/// off from the broker, B commits notifications for Bob (subscribed on A),
/// and Bob, on A, commits one for Carol (subscribed on B). Nothing happens
/// afterwards that could reveal a gap, so Bob gets his only if A re-reads
/// the store when it is back, and Carol gets hers only if A publishes what
/// it committed while cut off.
async fn a_replica_cut_off_catches_up<Cut, CutFut, Back, BackFut>(
    a: &TestApp,
    b: &TestApp,
    cut_off: Cut,
    let_back: Back,
) where
    Cut: FnOnce() -> CutFut,
    CutFut: std::future::Future<Output = ()>,
    Back: FnOnce() -> BackFut,
    BackFut: std::future::Future<Output = ()>,
{
    let alice = b.sign_up("Alice").await;
    let bob = b.sign_up("Bob").await;
    let carol = b.sign_up("Carol").await;
    let board = b.board_with(&alice, &[&bob, &carol]).await;
    let card = b.card(&alice, &board, "Ship v1").await;
    let mut bob_a = a.ws(&bob.token).await;
    bob_a.subscribe_notifications(a, "b", &bob, None).await;
    let mut carol_b = b.ws(&carol.token).await;
    carol_b.subscribe_notifications(b, "c", &carol, None).await;
    b.assign(&alice, &card, &bob).await;
    b.assign(&alice, &card, &carol).await;
    let before = received_cursors(&mut bob_a, "b", 1).await;
    received_cursors(&mut carol_b, "c", 1).await;

    cut_off().await;
    until_ready(a, false).await;
    for i in 1..=3 {
        b.update_title(&alice, &card, &format!("Ship v1.{i}")).await;
    }
    // Carol hears Alice's updates through B, which is still connected.
    received_cursors(&mut carol_b, "c", 3).await;
    a.update_title(&bob, &card, "Ship v2").await;
    let_back().await;
    until_ready(a, true).await;

    let bob_stored = inbox_cursors(b, &bob).await;
    assert_eq!(bob_stored.len(), 4);
    assert_eq!(bob_stored[..1], before[..]);
    assert_eq!(received_cursors(&mut bob_a, "b", 3).await, bob_stored[1..]);
    let carol_stored = inbox_cursors(b, &carol).await;
    assert_eq!(carol_stored.len(), 5);
    let last = carol_b.next_notification("c").await;
    assert_eq!(last["cursor"], carol_stored[4].as_str());
    assert_eq!(last["message"], "Bob updated the card “Ship v2”");
    bob_a.assert_quiet().await;
    carol_b.assert_quiet().await;
}

/// Waits until the replica's `/readyz` says `ready`.
async fn until_ready(app: &TestApp, ready: bool) {
    let deadline = tokio::time::Instant::now() + crate::kit::WAIT;
    loop {
        let status = app
            .http
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status();
        if (status == 200) == ready {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz stayed {status}, expected ready = {ready}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_a_replica_locked_out_of_redis_catches_up_when_back() {
    let db = TestDb::new(Backend::Postgres).await;
    let broker = SharedBroker::Redis {
        prefix: unique_prefix(),
    };
    let user = RedisUser::new().await;
    let b = replica(&db, &broker).await;
    let a = replica_as(db.url.clone(), &broker, user.url()).await;
    until_ready(&a, true).await;
    a_replica_cut_off_catches_up(
        &a,
        &b,
        || async {
            assert!(
                user.lock_out().await >= 1,
                "A had no Redis connection to kill"
            );
        },
        || user.let_in(),
    )
    .await;
}

#[tokio::test]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn listen_notify_a_replica_locked_out_of_listen_catches_up_when_back() {
    let db = TestDb::new(Backend::Postgres).await;
    let role = PgRole::new(&db).await;
    // B first: it migrates, so the tables belong to the test's owner.
    let b = replica(&db, &SharedBroker::Postgres).await;
    let a = replica_as(role.url(&db), &SharedBroker::Postgres, String::new()).await;
    a_replica_cut_off_catches_up(
        &a,
        &b,
        || async {
            assert_eq!(role.lock_out_listeners().await, 1, "A's LISTEN connection");
        },
        || role.let_in(),
    )
    .await;
}

/// A Redis server of this test's own, on a free port, that the test can
/// stop and start again.
struct OwnRedis {
    port: u16,
    server: Option<std::process::Child>,
}

impl OwnRedis {
    async fn start() -> OwnRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut redis = OwnRedis { port, server: None };
        redis.restart().await;
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn restart(&mut self) {
        let server = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        self.server = Some(server);
        let client = redis::Client::open(self.url()).unwrap();
        let deadline = tokio::time::Instant::now() + crate::kit::WAIT;
        while client.get_multiplexed_async_connection().await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "redis-server did not start"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Redis itself goes away (all its subscriptions with it) while both
/// replicas keep committing, then comes back empty: every subscriber still
/// gets every notification once, in order.
#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_restarted_while_replicas_commit_loses_nothing() {
    let mut own = OwnRedis::start().await;
    let db = TestDb::new(Backend::Postgres).await;
    let broker = SharedBroker::Redis {
        prefix: unique_prefix(),
    };
    let a = replica_as(db.url.clone(), &broker, own.url()).await;
    let b = replica_as(db.url.clone(), &broker, own.url()).await;
    until_ready(&a, true).await;
    until_ready(&b, true).await;
    let alice = a.sign_up("Alice").await;
    let bob = a.sign_up("Bob").await;
    let carol = a.sign_up("Carol").await;
    let board = a.board_with(&alice, &[&bob, &carol]).await;
    let card = a.card(&alice, &board, "Ship v1").await;
    let mut bob_a = a.ws(&bob.token).await;
    bob_a.subscribe_notifications(&a, "b", &bob, None).await;
    let mut carol_b = b.ws(&carol.token).await;
    carol_b.subscribe_notifications(&b, "c", &carol, None).await;
    a.assign(&alice, &card, &bob).await;
    b.assign(&alice, &card, &carol).await;

    own.stop();
    until_ready(&a, false).await;
    until_ready(&b, false).await;
    for i in 1..=4 {
        let on = if i % 2 == 0 { &a } else { &b };
        on.update_title(&alice, &card, &format!("Ship v1.{i}"))
            .await;
    }
    own.restart().await;
    until_ready(&a, true).await;
    until_ready(&b, true).await;
    b.update_title(&alice, &card, "Ship v2").await;

    for (ws, id, user) in [(&mut bob_a, "b", &bob), (&mut carol_b, "c", &carol)] {
        let stored = inbox_cursors(&a, user).await;
        assert_eq!(stored.len(), 6);
        assert_eq!(received_cursors(ws, id, 6).await, stored);
        ws.assert_quiet().await;
    }
}
