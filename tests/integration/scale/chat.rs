//! Chat rooms across replicas: room messages, the mentions they cause and
//! a member leaving travel through each broker like notifications do,
//! including a message too large to ride in a NOTIFY payload.

use serde_json::{Value, json};

use crate::kit::{
    SEND_MESSAGE, spawn_app_with,
    stores::{Backend, SharedBroker, TestDb, replica, unique_prefix},
};

/// The id of a sent message.
fn id_of(message: &Value) -> String {
    message["id"].as_str().unwrap().to_owned()
}

async fn chat_across_replicas(broker: SharedBroker) {
    let db = TestDb::new(Backend::Postgres).await;
    let a = replica(&db, &broker).await;
    let b = replica(&db, &broker).await;
    let alice = a.sign_up("Alice").await;
    let bob = a.sign_up("Bob").await;
    let room = a.create_room(&alice, "Launch party").await;
    b.join_room(&bob, &room).await;

    let mut alice_a = a.room_ws(&alice, "room", &room).await;
    let mut bob_b = b.room_ws(&bob, "room", &room).await;
    bob_b.subscribe_notifications(&b, "inbox", &bob, None).await;

    let first = id_of(&a.send_message(&alice, &room, "@Bob at 8?").await);
    let second = id_of(&b.send_message(&bob, &room, "yes").await);
    // 8,000 bytes: larger than a NOTIFY payload may be.
    let long = "🎂".repeat(2_000);
    let third = id_of(&a.send_message(&alice, &room, &long).await);
    let expected = vec![
        (first, "@Bob at 8?".to_owned()),
        (second, "yes".to_owned()),
        (third, long),
    ];
    for ws in [&mut alice_a, &mut bob_b] {
        let mut got = Vec::new();
        while got.len() < expected.len() {
            let message = ws.recv().await;
            if message["id"] == "room" {
                let body = &message["payload"]["data"]["chatMessages"];
                got.push((
                    body["id"].as_str().unwrap().to_owned(),
                    body["body"].as_str().unwrap().to_owned(),
                ));
            } else {
                // Bob's mention, on his other subscription.
                assert_eq!(message["id"], "inbox", "{message}");
                assert_eq!(
                    message["payload"]["data"]["notifications"]["kind"],
                    "CHAT_MENTION"
                );
            }
        }
        assert_eq!(got, expected);
    }

    // Bob leaves through replica A: his room stream on B completes.
    a.leave_room(&bob, &room).await;
    let done = loop {
        let message = bob_b.recv().await;
        if message["id"] == "room" {
            break message;
        }
        assert_eq!(
            message["payload"]["data"]["notifications"]["kind"],
            "CHAT_MENTION"
        );
    };
    assert_eq!(done, json!({"id": "room", "type": "complete"}));
    a.send_message(&alice, &room, "bye").await;
    assert_eq!(alice_a.next_message("room").await["body"], "bye");
    alice_a.assert_quiet().await;
    bob_b.assert_quiet().await;
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_chat_rooms_span_replicas() {
    chat_across_replicas(SharedBroker::Redis {
        prefix: unique_prefix(),
    })
    .await;
}

#[tokio::test]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn listen_notify_chat_rooms_span_replicas() {
    chat_across_replicas(SharedBroker::Postgres).await;
}

/// On PostgreSQL, members sending at the same time are delivered to every
/// subscriber exactly once, in the order the history holds (ids follow
/// commit order per room), and mentions and leaving work as on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn concurrent_senders_on_postgresql_are_delivered_once_and_in_order() {
    {
        let db = TestDb::new(Backend::Postgres).await;
        let url = db.url.clone();
        let app = spawn_app_with(|c| c.database_url = Some(url)).await;
        let alice = app.sign_up("Alice").await;
        let bob = app.sign_up("Bob").await;
        let room = app.create_room(&alice, "Launch party").await;
        app.join_room(&bob, &room).await;
        let mut alice_ws = app.room_ws(&alice, "a", &room).await;
        let mut bob_ws = app.room_ws(&bob, "b", &room).await;

        let per_sender = 40;
        let senders: Vec<_> = [(&alice, "alice"), (&bob, "bob")]
            .into_iter()
            .map(|(user, name)| {
                let messages = (0..per_sender)
                    .map(|i| json!({"r": room, "b": format!("{name} {i}")}))
                    .collect();
                app.spawn_writer(user, SEND_MESSAGE, messages)
            })
            .collect();
        for sender in senders {
            sender.await.unwrap();
        }
        let stored = app.history_ids(&alice, &room).await;
        assert_eq!(stored.len(), 2 * per_sender);
        for (ws, id) in [(&mut alice_ws, "a"), (&mut bob_ws, "b")] {
            let mut received = Vec::new();
            for _ in 0..stored.len() {
                received.push(ws.next_message(id).await["id"].as_str().unwrap().to_owned());
            }
            assert_eq!(received, stored);
            ws.assert_quiet().await;
        }

        app.send_message(&alice, &room, "@bob the cake").await;
        let inbox = app.inbox(&bob).await;
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].1, "CHAT_MENTION");
        assert!(app.inbox(&alice).await.is_empty());
        let _ = bob_ws.next_message("b").await;
        app.leave_room(&bob, &room).await;
        let done = bob_ws.recv().await;
        assert_eq!(done, json!({"id": "b", "type": "complete"}));
    }
}
