//! Web Push with two replicas on one PostgreSQL database: each queued
//! push is sent by exactly one of them, and a live connection on either
//! one keeps both from pushing.

use std::time::Duration;

use serde_json::{Value, json};

use super::replicas::wait_until_ready;
use crate::kit::{
    TestApp, TestUser, WAIT,
    push_service::{Browser, PushService},
    stores::{Backend, SharedBroker, TestDb, redis_url, replica_with, unique_prefix},
};

/// How long the test listens for a push that must not come: longer than
/// a sender's poll.
const QUIET: Duration = Duration::from_millis(2500);

/// Two replicas sharing the database, `broker` and one VAPID key (as every
/// deployment of several replicas must: see the README), both sending.
async fn push_replicas(
    db: &TestDb,
    broker: &SharedBroker,
    key_dir: &std::path::Path,
) -> [TestApp; 2] {
    let key_file = key_dir.join(herald::push::VAPID_KEY_FILE);
    herald::push::VapidKeys::load_or_generate(None, key_dir).unwrap();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let key_file = key_file.clone();
        let app = replica_with(db.url.clone(), broker, redis_url(), move |config| {
            config.push.vapid_private_key_file = Some(key_file);
            config.push.push_http_hosts = vec!["127.0.0.1".into()];
        })
        .await;
        wait_until_ready(&app).await;
        replicas.push(app);
    }
    replicas.try_into().ok().unwrap()
}

async fn register(app: &TestApp, user: &TestUser, browser: &Browser) {
    app.ok(
        Some(&user.token),
        "mutation($e: String!, $p: String!, $a: String!) { \
         registerPushSubscription(endpoint: $e, p256dh: $p, auth: $a) { id } }",
        json!({"e": browser.endpoint, "p": browser.p256dh, "a": browser.auth}),
    )
    .await;
}

async fn until_present(app: &TestApp, user: &TestUser, present: bool) {
    let id: i64 = user.id.parse().unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let found = app.services.store.present_users(&[id], 0).await.unwrap();
        if found.contains(&id) == present {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "presence never became {present}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn each_push_is_sent_by_one_replica(broker: SharedBroker) {
    let db = TestDb::new(Backend::Postgres).await;
    let key_dir = tempfile::tempdir().unwrap();
    let [a, b] = push_replicas(&db, &broker, key_dir.path()).await;
    let public_key = a.ok(None, "{ webPushPublicKey }", json!({})).await["webPushPublicKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let service = PushService::start(&public_key).await;
    let alice = a.sign_up("Alice").await;
    let bob = b.sign_up("Bob").await;
    let board = a.board_with(&alice, &[&bob]).await;
    let card = a.card(&alice, &board, "Ship v1").await;
    register(&b, &bob, &service.subscribe()).await;
    a.assign(&alice, &card, &bob).await;

    // Forty edits, half through each replica: forty pushes, each once.
    for n in 0..40 {
        let via = if n % 2 == 0 { &a } else { &b };
        via.update_title(&alice, &card, &format!("Ship v{}", n + 2))
            .await;
    }
    let mut ids = Vec::new();
    for _ in 0..41 {
        let received = service.next_received().await;
        assert_eq!(received.status, 201);
        let body: Value = serde_json::from_slice(received.payload.as_ref().unwrap()).unwrap();
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    assert!(
        service.received_within(QUIET).await.is_none(),
        "no push twice"
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 41, "41 distinct notifications");

    // Bob opens a tab on replica B: neither replica pushes, whichever
    // claims the push.
    let mut tab = b.ws(&bob.token).await;
    tab.subscribe_notifications(&b, "n", &bob, None).await;
    until_present(&a, &bob, true).await;
    for n in 0..4 {
        let via = if n % 2 == 0 { &a } else { &b };
        via.update_title(&alice, &card, &format!("Live {n}")).await;
        tab.next_notification("n").await;
    }
    assert!(
        service.received_within(QUIET).await.is_none(),
        "the tab showed them"
    );

    // The tab closes: pushes again.
    drop(tab);
    until_present(&a, &bob, false).await;
    a.update_title(&alice, &card, "Closed").await;
    let received = service.next_received().await;
    let body: Value = serde_json::from_slice(received.payload.as_ref().unwrap()).unwrap();
    assert_eq!(body["message"], "Alice updated the card “Closed”");
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_each_push_is_sent_once_and_not_while_a_tab_is_open() {
    each_push_is_sent_by_one_replica(SharedBroker::Redis {
        prefix: unique_prefix(),
    })
    .await;
}

#[tokio::test]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn listen_notify_each_push_is_sent_once_and_not_while_a_tab_is_open() {
    each_push_is_sent_by_one_replica(SharedBroker::Postgres).await;
}
