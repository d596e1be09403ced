//! The `notifications` subscription: authorization, the websocket
//! protocol rules, and gap-free resume from a cursor.

use serde_json::{Value, json};

use crate::kit::{
    NOTIFICATIONS_SUBSCRIPTION, TestApp, TestUser, UPDATE_TITLE, alice_updated, refused_code,
    shared_card, spawn_app, spawn_app_with, wait_for_subscriptions,
};

#[tokio::test]
async fn a_user_may_subscribe_only_to_their_own_notifications() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let mut ws = app.ws(&alice.token).await;
    ws.subscribe("x", NOTIFICATIONS_SUBSCRIPTION, json!({"u": bob.id}))
        .await;
    assert_eq!(refused_code(&mut ws, "x").await, "FORBIDDEN");
    assert_eq!(app.services.broker.stats().subscriptions, 0);

    // Anonymous connections are accepted but cannot subscribe.
    let mut anon = app.ws_raw("graphql-transport-ws").await;
    anon.send(json!({"type": "connection_init"})).await;
    assert_eq!(anon.recv().await["type"], "connection_ack");
    anon.subscribe("y", NOTIFICATIONS_SUBSCRIPTION, json!({"u": alice.id}))
        .await;
    assert_eq!(refused_code(&mut anon, "y").await, "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_bad_or_expired_token_at_connection_init_closes_with_4403() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let expired = app.expired_token(&alice);
    for token in ["Bearer garbage".to_owned(), format!("Bearer {expired}")] {
        for key in ["authorization", "Authorization"] {
            let mut ws = app.ws_raw("graphql-transport-ws").await;
            ws.send(json!({"type": "connection_init", "payload": {key: token}}))
                .await;
            assert_eq!(ws.close_code().await, Some(4403), "{key}: {token}");
        }
    }
}

#[tokio::test]
async fn subscribing_before_connection_init_closes_with_4401() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    ws.subscribe("1", NOTIFICATIONS_SUBSCRIPTION, json!({"u": alice.id}))
        .await;
    assert_eq!(ws.close_code().await, Some(4401));
}

#[tokio::test]
async fn a_connection_that_never_initialises_is_closed_with_4408() {
    let app = spawn_app_with(|c| c.ws_init_timeout_secs = 1).await;
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    assert_eq!(ws.close_code().await, Some(4408));
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_delivers_too() {
    let (app, alice, bob, _, card) = shared_card().await;

    let mut ws = app.ws_raw("graphql-ws").await;
    ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", bob.token)}}))
        .await;
    assert_eq!(ws.recv().await["type"], "connection_ack");
    let before = app.services.broker.stats().subscriptions;
    ws.send(json!({"id": "1", "type": "start", "payload": {"query": NOTIFICATIONS_SUBSCRIPTION, "variables": {"u": bob.id}}}))
        .await;
    wait_for_subscriptions(&app, before + 1).await;
    app.assign(&alice, &card, &bob).await;
    let data = ws.recv().await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(
        data["payload"]["data"]["notifications"]["kind"],
        "CARD_ASSIGNED"
    );

    let mut bad = app.ws_raw("graphql-ws").await;
    bad.send(json!({"type": "connection_init", "payload": {"authorization": "Bearer nope"}}))
        .await;
    assert_eq!(bad.recv().await["type"], "connection_error");
    assert_eq!(bad.close_code().await, Some(4403));
}

#[tokio::test]
async fn several_subscriptions_share_one_connection() {
    let (app, alice, bob, _, card) = shared_card().await;
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe_notifications(&app, "one", &bob, None).await;
    ws.subscribe_notifications(&app, "two", &bob, None).await;
    app.assign(&alice, &card, &bob).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let message = ws.recv().await;
        assert_eq!(
            message["payload"]["data"]["notifications"]["kind"],
            "CARD_ASSIGNED"
        );
        ids.push(message["id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["one", "two"]);

    ws.send(json!({"id": "one", "type": "complete"})).await;
    wait_for_subscriptions(&app, 1).await;
    app.update_title(&alice, &card, "Ship v2").await;
    let mut message = ws.recv().await;
    if message["type"] == "complete" {
        // The server may confirm the client's `complete`.
        assert_eq!(message["id"], "one");
        message = ws.recv().await;
    }
    assert_eq!(message["type"], "next");
    assert_eq!(message["id"], "two");
    ws.assert_quiet().await;
}

#[tokio::test]
async fn resuming_after_a_cursor_replays_what_was_missed_then_goes_live() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let board = app.board_with(&alice, &[&bob]).await;
    let card = app.card(&alice, &board, "v0").await;
    app.assign(&alice, &card, &bob).await;
    for i in 1..=3 {
        app.update_title(&alice, &card, &format!("v{i}")).await;
    }
    let oldest_cursor = app.inbox(&bob).await.last().unwrap().0.clone();

    let mut ws = app.ws(&bob.token).await;
    ws.subscribe_notifications(&app, "r", &bob, Some(&oldest_cursor))
        .await;
    let replayed: Vec<Value> = vec![
        ws.next_notification("r").await,
        ws.next_notification("r").await,
        ws.next_notification("r").await,
    ];
    let titles: Vec<&str> = replayed
        .iter()
        .map(|n| n["card"]["title"].as_str().unwrap())
        .collect();
    // Oldest first; the card's title is its current one, the messages
    // keep the title at the time.
    let messages: Vec<&str> = replayed
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, alice_updated(&["v1", "v2", "v3"]));
    assert_eq!(titles, ["v3", "v3", "v3"]);
    let cursors: Vec<String> = replayed
        .iter()
        .map(|n| n["cursor"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(cursors, app.newest_cursors(&bob, 3).await);

    app.update_title(&alice, &card, "v4").await;
    assert_eq!(
        ws.next_notification("r").await["message"],
        "Alice updated the card “v4”"
    );
    ws.assert_quiet().await;
}

/// Ids of all of `user`'s notifications, oldest first, read from the store.
async fn stored_ids(app: &TestApp, user: &TestUser) -> Vec<i64> {
    let user = user.id.parse().unwrap();
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = app
            .services
            .store
            .notifications_after(user, after)
            .await
            .unwrap();
        if page.is_empty() {
            return out;
        }
        after = page.last().unwrap().id;
        out.extend(page.iter().map(|n| n.id));
    }
}

/// Asserts that `received` (notification ids, in delivery order) is every
/// notification of Bob's after the first (his assignment), exactly once
/// and in order.
async fn assert_all_after_the_assignment(app: &TestApp, bob: &TestUser, received: &[String]) {
    let received: Vec<i64> = received.iter().map(|id| id.parse().unwrap()).collect();
    assert_eq!(received, stored_ids(app, bob).await[1..]);
}

#[tokio::test]
async fn notifications_committed_during_the_replay_arrive_once_and_in_order() {
    let (app, alice, bob, _, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    // A backlog longer than one catch-up page.
    let backlog = herald::store::CATCH_UP_PAGE as usize + 100;
    for i in 0..backlog {
        app.update_title(&alice, &card, &format!("t{i}")).await;
    }
    let first_id = stored_ids(&app, &bob).await[0];
    let first_cursor = herald::graphql::NotificationCursor(first_id).encode();

    let mut ws = app.ws(&bob.token).await;
    ws.subscribe(
        "r",
        NOTIFICATIONS_SUBSCRIPTION,
        json!({"u": bob.id, "after": first_cursor}),
    )
    .await;
    // More notifications are committed while the backlog is being sent.
    let live = 100;
    let updates = (0..live)
        .map(|i| json!({"c": card, "t": format!("live{i}")}))
        .collect();
    let writer = app.spawn_writer(&alice, UPDATE_TITLE, updates);
    let mut received = Vec::new();
    for _ in 0..backlog + live {
        let n = ws.next_notification("r").await;
        received.push(n["id"].as_str().unwrap().to_owned());
    }
    writer.await.unwrap();
    ws.assert_quiet().await;
    assert_all_after_the_assignment(&app, &bob, &received).await;
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_catches_up_from_the_store() {
    let (app, alice, bob, _, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;

    // Drive the subscription directly and stop reading it, so that its
    // buffer overflows deterministically while the publisher goes on.
    let variables = json!({"u": bob.id});
    let mut stream = app
        .direct_stream(&bob, NOTIFICATIONS_SUBSCRIPTION, variables)
        .await;
    let burst = herald::broker::SUBSCRIBER_BUFFER * 3;
    for i in 0..burst {
        app.update_title(&alice, &card, &format!("t{i}")).await;
    }
    let received = stream.next_ids("notifications", burst).await;
    // No duplicates after the catch-up.
    stream.assert_quiet().await;
    assert_all_after_the_assignment(&app, &bob, &received).await;
}

#[tokio::test]
async fn closing_the_socket_releases_its_subscriptions() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    for _ in 0..20 {
        let mut ws = app.ws(&alice.token).await;
        ws.subscribe_notifications(&app, "1", &alice, None).await;
        ws.subscribe_notifications(&app, "2", &alice, None).await;
        drop(ws);
    }
    wait_for_subscriptions(&app, 0).await;
    assert_eq!(app.services.broker.stats().topics, 0);
}
