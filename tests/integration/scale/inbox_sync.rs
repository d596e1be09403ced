//! The inbox's unread count never drifts: two replicas on PostgreSQL and
//! one broker, new notifications and reads racing from both, and every
//! count either replica pushes equals the store's count at the same
//! version.

use std::sync::Arc;

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

use super::replicas::wait_until_ready;
use crate::api::inbox_live::{inbox_ws, next_update};
use crate::kit::stores::{Backend, SharedBroker, TestDb, replica, unique_prefix};
use crate::kit::{TestApp, TestUser};

fn version_id(update: &Value) -> i64 {
    i64::from_str_radix(update["version"].as_str().unwrap(), 16).unwrap()
}

/// Marks `n` of `user`'s unread notifications read, one at a time, on
/// alternating replicas, with a "mark all read" now and then.
async fn reader(replicas: [Arc<TestApp>; 2], user: TestUser, n: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for i in 0..n {
        let app = &replicas[i % 2];
        if rng.gen_ratio(1, 8) {
            app.ok(
                Some(&user.token),
                "mutation { markAllNotificationsRead }",
                json!({}),
            )
            .await;
            continue;
        }
        let unread = app
            .ok(
                Some(&user.token),
                "{ notifications(first: 10, unreadOnly: true) { edges { node { id } } } }",
                json!({}),
            )
            .await;
        let edges = unread["notifications"]["edges"].as_array().unwrap().clone();
        if edges.is_empty() {
            tokio::task::yield_now().await;
            continue;
        }
        let pick = &edges[rng.gen_range(0..edges.len())]["node"]["id"];
        app.ok(
            Some(&user.token),
            "mutation($id: ID!) { markNotificationRead(id: $id) { id } }",
            json!({"id": pick}),
        )
        .await;
    }
}

async fn counts_never_drift(broker: SharedBroker) {
    let db = TestDb::new(Backend::Postgres).await;
    let a = Arc::new(replica(&db, &broker).await);
    let b = Arc::new(replica(&db, &broker).await);
    wait_until_ready(&a).await;
    wait_until_ready(&b).await;
    let alice = a.sign_up("Alice").await;
    let bob = b.sign_up("Bob").await;
    let board = a.board_with(&alice, &[&bob]).await;
    let card = a.card(&alice, &board, "Card").await;
    a.assign(&alice, &card, &bob).await;
    let (mut on_a, state_a) = inbox_ws(&a, &bob, "a", None).await;
    let (mut on_b, state_b) = inbox_ws(&b, &bob, "b", None).await;
    assert_eq!(state_a, state_b);

    let seed = rand::random::<u64>();
    eprintln!("inbox drift test seed {seed}");
    let writes = {
        let (a, b, alice, card) = (a.clone(), b.clone(), alice.clone(), card.clone());
        tokio::spawn(async move {
            for i in 0..40 {
                let app = if i % 2 == 0 { &a } else { &b };
                app.update_title(&alice, &card, &format!("Card {i}")).await;
            }
        })
    };
    let reads = tokio::spawn(reader([b.clone(), a.clone()], bob.clone(), 40, seed));
    writes.await.unwrap();
    reads.await.unwrap();

    let store = db.store().await;
    let bob_id: i64 = bob.id.parse().unwrap();
    let end = store.inbox_state(bob_id, None).await.unwrap();
    let mut seen = Vec::new();
    for (ws, id) in [(&mut on_a, "a"), (&mut on_b, "b")] {
        let mut updates = Vec::new();
        let mut last = version_id(&state_a);
        while last < end.version {
            let update = next_update(ws, id).await;
            let version = version_id(&update);
            assert!(version > last, "versions increase: {update}");
            let at = store.inbox_state(bob_id, Some(version)).await.unwrap();
            if update["unreadCount"].as_i64().unwrap() != at.unread {
                for u in &updates {
                    eprintln!("{id} earlier: {u}");
                }
                eprintln!("{id} state: {state_a}");
            }
            assert_eq!(
                update["unreadCount"].as_i64().unwrap(),
                at.unread,
                "seed {seed}: the count pushed at {version} is the store's: {update}"
            );
            last = version;
            updates.push(update);
        }
        ws.assert_quiet().await;
        seen.push(updates);
    }
    assert_eq!(seen[0], seen[1], "both replicas push the same sequence");
    let kinds: Vec<&str> = seen[0]
        .iter()
        .map(|u| u["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "NOTIFICATION").count(), 40);
    assert!(
        kinds.iter().any(|k| *k == "READ" || *k == "ALL_READ"),
        "{kinds:?}"
    );
    let count = a
        .ok(Some(&bob.token), "{ unreadNotificationCount }", json!({}))
        .await["unreadNotificationCount"]
        .as_i64()
        .unwrap();
    assert_eq!(
        seen[0].last().unwrap()["unreadCount"].as_i64().unwrap(),
        count
    );
    assert_eq!(count, end.unread);
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_two_replicas_push_the_stores_count_at_every_version() {
    counts_never_drift(SharedBroker::Redis {
        prefix: unique_prefix(),
    })
    .await;
}

#[tokio::test]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn listen_notify_two_replicas_push_the_stores_count_at_every_version() {
    counts_never_drift(SharedBroker::Postgres).await;
}
