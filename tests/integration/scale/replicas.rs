//! Two replicas on one PostgreSQL database and one broker: what a mutation
//! on one replica commits reaches the subscribers on the other, and a
//! replica subscribes upstream only to what its own clients need.

use std::time::Duration;

use crate::kit::stores::{
    Backend, SharedBroker, TestDb, redis_subscribers, replica, unique_prefix,
};
use crate::kit::{TestApp, TestUser, WAIT, WsClient, spawn_app_with};

/// Receives `n` notifications on subscription `id`; returns their cursors
/// and messages.
async fn receive(ws: &mut WsClient, id: &str, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let note = ws.next_notification(id).await;
        out.push((
            note["cursor"].as_str().unwrap().to_owned(),
            note["message"].as_str().unwrap().to_owned(),
        ));
    }
    out
}

/// `user`'s inbox as (cursor, message), oldest first.
async fn inbox_oldest_first(app: &TestApp, user: &TestUser) -> Vec<(String, String)> {
    let mut inbox: Vec<(String, String)> = app
        .inbox(user)
        .await
        .into_iter()
        .map(|(cursor, _, message)| (cursor, message))
        .collect();
    inbox.reverse();
    inbox
}

pub(crate) async fn wait_until_ready(app: &TestApp) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let response = app.http.get(app.url("/readyz")).send().await.unwrap();
        if response.status() == 200 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "replica never became ready"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn across_replicas(broker: SharedBroker) {
    let db = TestDb::new(Backend::Postgres).await;
    let a = replica(&db, &broker).await;
    let b = replica(&db, &broker).await;
    wait_until_ready(&a).await;
    wait_until_ready(&b).await;
    // Accounts made on one replica sign in on the other: one database.
    let alice = b.sign_up("Alice").await;
    let bob = b.sign_up("Bob").await;
    let carol = a.sign_up("Carol").await;

    let mut bob_on_a = a.ws(&bob.token).await;
    bob_on_a
        .subscribe_notifications(&a, "bob", &bob, None)
        .await;
    let mut carol_on_b = b.ws(&carol.token).await;
    carol_on_b
        .subscribe_notifications(&b, "carol", &carol, None)
        .await;

    let board = b.board_with(&alice, &[&bob, &carol]).await;
    let card = b.card(&alice, &board, "Ship v1").await;
    b.assign(&alice, &card, &bob).await;
    a.update_title(&alice, &card, "Ship v1.0").await;
    b.update_title(&alice, &card, "Ship v1.1").await;

    let got = receive(&mut bob_on_a, "bob", 3).await;
    let messages: Vec<&str> = got.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Alice assigned you to the card “Ship v1”",
            "Alice updated the card “Ship v1.0”",
            "Alice updated the card “Ship v1.1”",
        ]
    );
    assert_eq!(got, inbox_oldest_first(&a, &bob).await);
    bob_on_a.assert_quiet().await;
    // Carol is a member but not an assignee: nothing for her, on either replica.
    carol_on_b.assert_quiet().await;

    // A later subscriber on the other replica resumes from a cursor.
    let mut bob_on_b = b.ws(&bob.token).await;
    bob_on_b
        .subscribe_notifications(&b, "again", &bob, Some(&got[0].0))
        .await;
    assert_eq!(receive(&mut bob_on_b, "again", 2).await, got[1..].to_vec());
    a.update_title(&alice, &card, "Ship v1.2").await;
    let last = receive(&mut bob_on_b, "again", 1).await;
    assert_eq!(receive(&mut bob_on_a, "bob", 1).await, last);
    assert_eq!(last[0].1, "Alice updated the card “Ship v1.2”");
    bob_on_a.assert_quiet().await;
    bob_on_b.assert_quiet().await;
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_a_subscriber_on_one_replica_receives_what_another_committed() {
    across_replicas(SharedBroker::Redis {
        prefix: unique_prefix(),
    })
    .await;
}

#[tokio::test]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn listen_notify_a_subscriber_on_one_replica_receives_what_another_committed() {
    across_replicas(SharedBroker::Postgres).await;
}

/// Waits until `channel` has `n` subscribers in Redis.
async fn until_subscribers(channel: &str, n: i64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now = redis_subscribers(channel).await;
        if now == n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{channel} has {now} subscribers, expected {n}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_channels_follow_the_first_and_last_local_subscriber() {
    let prefix = unique_prefix();
    let broker = SharedBroker::Redis {
        prefix: prefix.clone(),
    };
    let db = TestDb::new(Backend::Postgres).await;
    let a = replica(&db, &broker).await;
    let b = replica(&db, &broker).await;
    let bob = a.sign_up("Bob").await;
    let channel = format!("{prefix}:user:{}", bob.id);
    assert_eq!(redis_subscribers(&channel).await, 0);

    // Two subscriptions on A: one Redis subscription, A's; none from B.
    let mut first = a.ws(&bob.token).await;
    first.subscribe_notifications(&a, "1", &bob, None).await;
    assert_eq!(
        redis_subscribers(&channel).await,
        1,
        "confirmed before the subscription starts"
    );
    let mut second = a.ws(&bob.token).await;
    second.subscribe_notifications(&a, "2", &bob, None).await;
    assert_eq!(redis_subscribers(&channel).await, 1);
    let mut on_b = b.ws(&bob.token).await;
    on_b.subscribe_notifications(&b, "3", &bob, None).await;
    assert_eq!(redis_subscribers(&channel).await, 2);

    // The channel is kept until A's last subscription ends.
    drop(first);
    tokio::time::sleep(crate::kit::QUIET).await;
    assert_eq!(redis_subscribers(&channel).await, 2);
    second
        .send(serde_json::json!({"id": "2", "type": "complete"}))
        .await;
    until_subscribers(&channel, 1).await;
    drop(on_b);
    until_subscribers(&channel, 0).await;
}

#[tokio::test]
async fn readyz_reports_an_unreachable_broker_and_healthz_the_process() {
    // Nothing listens on port 1: the broker never connects.
    let app = spawn_app_with(|config| config.broker = "redis://127.0.0.1:1".into()).await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.text().await.unwrap(), "broker unreachable");
}

#[tokio::test]
async fn a_broker_that_cannot_work_with_the_store_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = herald::config::Config::for_data_dir(dir.path());
    config.broker = "postgres".into();
    let err = herald::build(config)
        .await
        .err()
        .expect("SQLite has no LISTEN/NOTIFY");
    assert!(err.to_string().contains("postgres://"), "{err}");
    let mut config = herald::config::Config::for_data_dir(dir.path());
    config.broker = "kafka://x".into();
    assert!(herald::build(config).await.is_err());
}
