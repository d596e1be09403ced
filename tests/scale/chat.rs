//! Chat rooms across replicas: room messages, the mentions they cause and
//! a member leaving travel through each broker like notifications do,
//! including a message too large to ride in a NOTIFY payload.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, WsClient};
use crate::support::{Backend, SharedBroker, TestDb, replica, unique_prefix};

const ROOM_SUBSCRIPTION: &str =
    "subscription($r: ID!) { chatMessages(roomId: $r) { id body author { name } } }";

async fn send(app: &TestApp, user: &TestUser, room: &str, body: &str) -> String {
    app.ok(
        Some(&user.token),
        "mutation($r: ID!, $b: String!) { sendChatMessage(roomId: $r, body: $b) { id } }",
        json!({"r": room, "b": body}),
    )
    .await["sendChatMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn subscribe_room(app: &TestApp, ws: &mut WsClient, id: &str, room: &str) {
    let before = app.services.broker.stats().subscriptions;
    ws.subscribe(id, ROOM_SUBSCRIPTION, json!({"r": room}))
        .await;
    let deadline = tokio::time::Instant::now() + crate::helpers::WAIT;
    while app.services.broker.stats().subscriptions <= before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "room subscription never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// The next room message on subscription `id`: (id, body).
async fn next_message(ws: &mut WsClient, id: &str) -> (String, String) {
    let payload = ws.next_payload(id).await;
    assert!(payload.get("errors").is_none(), "{payload}");
    let message: &Value = &payload["data"]["chatMessages"];
    (
        message["id"].as_str().unwrap().to_owned(),
        message["body"].as_str().unwrap().to_owned(),
    )
}

async fn chat_across_replicas(broker: SharedBroker) {
    let db = TestDb::new(Backend::Postgres).await;
    let a = replica(&db, &broker).await;
    let b = replica(&db, &broker).await;
    let alice = a.sign_up("Alice").await;
    let bob = a.sign_up("Bob").await;
    let room = a
        .ok(
            Some(&alice.token),
            "mutation { createChatRoom(name: \"Launch party\") { id } }",
            json!({}),
        )
        .await["createChatRoom"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.ok(
        Some(&bob.token),
        "mutation($r: ID!) { joinChatRoom(roomId: $r) { id } }",
        json!({"r": room}),
    )
    .await;

    let mut alice_a = a.ws(&alice.token).await;
    subscribe_room(&a, &mut alice_a, "room", &room).await;
    let mut bob_b = b.ws(&bob.token).await;
    subscribe_room(&b, &mut bob_b, "room", &room).await;
    bob_b.subscribe_notifications(&b, "inbox", &bob, None).await;

    let first = send(&a, &alice, &room, "@Bob at 8?").await;
    let second = send(&b, &bob, &room, "yes").await;
    // 8,000 bytes: larger than a NOTIFY payload may be.
    let long = "🎂".repeat(2_000);
    let third = send(&a, &alice, &room, &long).await;
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
    a.ok(
        Some(&bob.token),
        "mutation($r: ID!) { leaveChatRoom(roomId: $r) { id } }",
        json!({"r": room}),
    )
    .await;
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
    send(&a, &alice, &room, "bye").await;
    assert_eq!(next_message(&mut alice_a, "room").await.1, "bye");
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
