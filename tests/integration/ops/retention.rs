//! Retention on SQLite and PostgreSQL: a sweep deletes notifications and
//! chat messages older than the policy and records the horizon; live
//! subscribers do not notice; a client resuming from a cursor into
//! deleted rows is told CURSOR_EXPIRED (websocket and SSE), while one
//! whose replay needs no deleted row resumes as usual; a chat message a
//! kept mention names stays until the mention goes; and `build` runs the
//! sweep in the background, until the server stops.
//!
//! Rows are made old by sweeping at a `now` one policy after a mark taken
//! between the old rows and the new ones, or, for the background task,
//! by moving their `created_at` back in the store.

use std::time::{Duration, SystemTime};

use herald::{
    app::retention::{Policy, Swept, sweep},
    config::Config,
    store::Retained,
};
use serde_json::json;

use crate::kit::{
    NOTIFICATIONS_SUBSCRIPTION, ROOM_SUBSCRIPTION, TestApp, TestUser, WAIT, alice_updated,
    error_code, refused_code, spawn_app_with,
    sse::SseClient,
    stores::{Backend, TestDb},
    wait_for_subscriptions,
};

crate::kit::stores::on_both_backends!(
    a_sweep_deletes_expired_notifications_keeps_newer_ones_and_records_the_horizon,
    a_live_subscriber_receives_every_notification_once_across_a_sweep,
    a_cursor_into_deleted_notifications_is_expired_and_one_needing_none_resumes,
    chat_retention_keeps_a_mentioned_message_until_its_notification_goes,
    the_background_sweep_runs_when_a_policy_is_set_and_stops_with_the_server,
    expired_unread_notifications_leave_the_inbox_count,
);

const DAY: Duration = Duration::from_secs(86_400);

const KEEP_NOTIFICATIONS: Policy = Policy {
    notifications: Some(DAY),
    chat_messages: None,
};

const KEEP_CHAT: Policy = Policy {
    notifications: None,
    chat_messages: Some(DAY),
};

/// A server on `backend` with its configuration changed by `configure`:
/// a SQLite file of its own, or a fresh PostgreSQL database (returned, so
/// that it lives as long as the test).
async fn server(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> (TestApp, Option<TestDb>) {
    match backend {
        Backend::Sqlite => (spawn_app_with(configure).await, None),
        Backend::Postgres => {
            let db = TestDb::new(backend).await;
            let url = db.url.clone();
            let app = spawn_app_with(move |config| {
                configure(config);
                config.database_url = Some(url);
            })
            .await;
            (app, Some(db))
        }
    }
}

/// The `now` at which everything created before this call is one day
/// old, and everything created after it is younger.
fn one_day_after_now() -> SystemTime {
    SystemTime::now() + DAY
}

/// Alice's board with `members`, and a card on it assigned to each of
/// them; returns the cards.
async fn a_card_each(app: &TestApp, alice: &TestUser, members: &[&TestUser]) -> Vec<String> {
    let board = app.board_with(alice, members).await;
    let mut cards = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let card = app.card(alice, &board, &format!("Card {i}")).await;
        app.assign(alice, &card, member).await;
        cards.push(card);
    }
    cards
}

/// One notification of an inbox.
struct Entry {
    id: i64,
    cursor: String,
    message: String,
}

/// `user`'s inbox, newest first.
async fn inbox(app: &TestApp, user: &TestUser) -> Vec<Entry> {
    let data = app
        .ok(
            Some(&user.token),
            "{ notifications(first: 100) { edges { cursor node { id message } } } }",
            json!({}),
        )
        .await;
    data["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| Entry {
            id: edge["node"]["id"].as_str().unwrap().parse().unwrap(),
            cursor: edge["cursor"].as_str().unwrap().to_owned(),
            message: edge["node"]["message"].as_str().unwrap().to_owned(),
        })
        .collect()
}

fn messages(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(|e| e.message.clone()).collect()
}

async fn sweep_at(app: &TestApp, policy: Policy, now: SystemTime) -> Swept {
    sweep(&app.services.store, &app.services.broker, &policy, now)
        .await
        .expect("sweep")
}

async fn horizon(app: &TestApp, kind: Retained) -> i64 {
    app.services
        .store
        .retention_horizon(kind)
        .await
        .expect("horizon")
}

async fn a_sweep_deletes_expired_notifications_keeps_newer_ones_and_records_the_horizon(
    backend: Backend,
) {
    let (app, _db) = server(backend, |_| {}).await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let card = &a_card_each(&app, &alice, &[&bob]).await[0];
    app.update_title(&alice, card, "v1").await;
    let now = one_day_after_now();
    for title in ["v2", "v3"] {
        app.update_title(&alice, card, title).await;
    }
    let before = inbox(&app, &bob).await;
    assert_eq!(before.len(), 4);
    assert_eq!(horizon(&app, Retained::Notifications).await, 0);

    // A chat policy alone leaves the inbox alone.
    assert_eq!(sweep_at(&app, KEEP_CHAT, now).await, Swept::default());
    let swept = sweep_at(&app, KEEP_NOTIFICATIONS, now).await;
    assert_eq!(
        swept,
        Swept {
            notifications: 2,
            chat_messages: 0
        }
    );
    let after = inbox(&app, &bob).await;
    assert_eq!(messages(&after), alice_updated(&["v3", "v2"]));
    // The horizon is the newest notification deleted: "v1".
    assert_eq!(horizon(&app, Retained::Notifications).await, before[2].id);
    assert_eq!(horizon(&app, Retained::ChatMessages).await, 0);
    let unread = app
        .ok(Some(&bob.token), "{ unreadNotificationCount }", json!({}))
        .await;
    assert_eq!(unread["unreadNotificationCount"], 2);

    // Sweeping again finds nothing more.
    assert_eq!(
        sweep_at(&app, KEEP_NOTIFICATIONS, now).await,
        Swept::default()
    );
}

async fn a_live_subscriber_receives_every_notification_once_across_a_sweep(backend: Backend) {
    let (app, _db) = server(backend, |_| {}).await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let card = a_card_each(&app, &alice, &[&bob]).await.remove(0);
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe_notifications(&app, "live", &bob, None).await;
    let old: Vec<String> = (0..5).map(|i| format!("old {i}")).collect();
    for title in &old {
        app.update_title(&alice, &card, title).await;
    }
    let now = one_day_after_now();

    // Alice keeps editing while the sweep deletes what came before.
    let new: Vec<String> = (0..20).map(|i| format!("new {i}")).collect();
    let writer = app.spawn_writer(
        &alice,
        crate::kit::UPDATE_TITLE,
        new.iter().map(|t| json!({"c": card, "t": t})).collect(),
    );
    let swept = sweep_at(&app, KEEP_NOTIFICATIONS, now).await;
    writer.await.unwrap();
    assert_eq!(swept.notifications, 6, "the assignment and the old edits");

    let mut received = Vec::new();
    for _ in 0..old.len() + new.len() {
        let notification = ws.next_notification("live").await;
        received.push(notification["message"].as_str().unwrap().to_owned());
    }
    let titles: Vec<&str> = old.iter().chain(&new).map(String::as_str).collect();
    assert_eq!(received, alice_updated(&titles));
    ws.assert_quiet().await;
}

/// A notification subscription of `user`'s resuming after `cursor` over a
/// websocket.
async fn resume_over_ws(app: &TestApp, user: &TestUser, cursor: &str) -> crate::kit::WsClient {
    let mut ws = app.ws(&user.token).await;
    ws.subscribe(
        "resume",
        NOTIFICATIONS_SUBSCRIPTION,
        json!({"u": user.id, "after": cursor}),
    )
    .await;
    ws
}

/// A notification stream of `user`'s over SSE, reconnecting with
/// `Last-Event-ID: cursor` as a browser does.
async fn resume_over_sse(app: &TestApp, user: &TestUser, cursor: &str) -> SseClient {
    SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&user.token)
            .header("Last-Event-ID", cursor)
            .json(&json!({
                "query": "subscription($u: ID!) { notifications(userId: $u) { message } }",
                "variables": {"u": user.id},
            })),
    )
    .await
}

async fn a_cursor_into_deleted_notifications_is_expired_and_one_needing_none_resumes(
    backend: Backend,
) {
    let (app, _db) = server(backend, |_| {}).await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let carol = app.sign_up("Carol").await;
    let cards = a_card_each(&app, &alice, &[&bob, &carol]).await;
    app.update_title(&alice, &cards[0], "b1").await;
    app.update_title(&alice, &cards[1], "c1").await;
    let now = one_day_after_now();
    for title in ["b2", "b3"] {
        app.update_title(&alice, &cards[0], title).await;
    }
    let bob_before = inbox(&app, &bob).await; // b3, b2, b1, assigned
    let carol_before = inbox(&app, &carol).await; // c1, assigned
    let swept = sweep_at(&app, KEEP_NOTIFICATIONS, now).await;
    assert_eq!(swept.notifications, 4);
    // Carol's "c1" came after Bob's "b1": it is the horizon.
    assert_eq!(
        horizon(&app, Retained::Notifications).await,
        carol_before[0].id
    );
    let (assigned, b1) = (&bob_before[3].cursor, &bob_before[2].cursor);

    // Resuming after Bob's assignment needs "b1", which is gone.
    let mut ws = resume_over_ws(&app, &bob, assigned).await;
    assert_eq!(refused_code(&mut ws, "resume").await, "CURSOR_EXPIRED");
    let mut sse = resume_over_sse(&app, &bob, assigned).await;
    let (result, _) = sse.next_result().await;
    assert_eq!(error_code(&result), "CURSOR_EXPIRED");
    assert!(
        result["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("reload"),
        "{result}"
    );
    sse.expect_complete_then_end().await;

    // Bob's newest cursor before the sweep, "b1", is below the horizon,
    // but nothing of his after it was deleted: both transports replay.
    let mut ws = resume_over_ws(&app, &bob, b1).await;
    let mut sse = resume_over_sse(&app, &bob, b1).await;
    for title in ["b2", "b3"] {
        let message = alice_updated(&[title]).remove(0);
        assert_eq!(ws.next_notification("resume").await["message"], message);
        let (result, _) = sse.next_result().await;
        assert_eq!(result["data"]["notifications"]["message"], message);
    }
    wait_for_subscriptions(&app, 2).await;
    app.update_title(&alice, &cards[0], "b4").await;
    assert_eq!(
        ws.next_notification("resume").await["message"],
        alice_updated(&["b4"])[0]
    );
    ws.assert_quiet().await;

    // Carol's "c1" is exactly at the horizon: nothing she needs is gone.
    let mut ws = resume_over_ws(&app, &carol, &carol_before[0].cursor).await;
    wait_for_subscriptions(&app, 3).await;
    app.update_title(&alice, &cards[1], "c2").await;
    assert_eq!(
        ws.next_notification("resume").await["message"],
        alice_updated(&["c2"])[0]
    );
    ws.assert_quiet().await;

    // The inbox pages on from a kept notification, not from a deleted one.
    let page = "query($a: String) { notifications(first: 10, after: $a) { edges { cursor } } }";
    let kept = &bob_before[0].cursor;
    let older = app.ok(Some(&bob.token), page, json!({"a": kept})).await;
    assert_eq!(older["notifications"]["edges"].as_array().unwrap().len(), 1);
    let code = app.code_of(Some(&bob.token), page, json!({"a": b1})).await;
    assert_eq!(code, "CURSOR_EXPIRED");
}

/// Sends `body` to `room` as `user`; returns the message id.
async fn send(app: &TestApp, user: &TestUser, room: &str, body: &str) -> String {
    app.send_message(user, room, body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn chat_retention_keeps_a_mentioned_message_until_its_notification_goes(backend: Backend) {
    let (app, _db) = server(backend, |_| {}).await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let carol = app.sign_up("Carol").await;
    let room = app.create_room(&alice, "Launch party").await;
    app.join_room(&bob, &room).await;
    let hello = send(&app, &alice, &room, "hello").await;
    let mention = send(&app, &alice, &room, "@Bob the cake is in the fridge").await;
    let later = send(&app, &alice, &room, "anyone?").await;
    let now = one_day_after_now();
    let fresh = send(&app, &alice, &room, "fresh news").await;

    let swept = sweep_at(&app, KEEP_CHAT, now).await;
    assert_eq!(
        swept,
        Swept {
            notifications: 0,
            chat_messages: 2
        }
    );
    // The mention stays while Bob's notification names it.
    assert_eq!(
        app.history_ids(&bob, &room).await,
        [mention.clone(), fresh.clone()]
    );
    let named = app
        .ok(
            Some(&bob.token),
            "{ notifications(first: 10) { edges { node { chatMessage { id body } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        named["notifications"]["edges"][0]["node"]["chatMessage"],
        json!({"id": mention, "body": "@Bob the cake is in the fridge"})
    );
    assert_eq!(
        horizon(&app, Retained::ChatMessages).await.to_string(),
        later
    );

    // Resuming the room after "hello" needs "anyone?", which is gone; a
    // non-member learns nothing about that.
    let resume = |after: &str| json!({"r": room, "after": after});
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe("old", ROOM_SUBSCRIPTION, resume(&hello)).await;
    assert_eq!(refused_code(&mut ws, "old").await, "CURSOR_EXPIRED");
    let mut outsider = app.ws(&carol.token).await;
    outsider
        .subscribe("old", ROOM_SUBSCRIPTION, resume(&hello))
        .await;
    assert_eq!(refused_code(&mut outsider, "old").await, "FORBIDDEN");
    // After "anyone?", the horizon, nothing needed is gone.
    ws.subscribe("edge", ROOM_SUBSCRIPTION, resume(&later))
        .await;
    assert_eq!(ws.next_message("edge").await["id"], fresh);
    ws.assert_quiet().await;

    // Once the inbox policy deletes the mention, its message goes too.
    let both = Policy {
        notifications: Some(DAY),
        chat_messages: Some(DAY),
    };
    let swept = sweep_at(&app, both, now).await;
    assert_eq!(swept.notifications, 1);
    assert_eq!(app.history_ids(&bob, &room).await, [fresh]);
    assert!(inbox(&app, &bob).await.is_empty());
}

/// Moves every notification's `created_at` two days back, in the store
/// itself.
async fn age_notifications(app: &TestApp) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.services.config.database_url())
        .await
        .expect("connect to the store");
    let two_days = 2 * DAY.as_micros() as i64;
    sqlx::query("UPDATE notifications SET created_at = created_at - $1")
        .bind(two_days)
        .execute(&pool)
        .await
        .expect("age notifications");
    pool.close().await;
}

async fn the_background_sweep_runs_when_a_policy_is_set_and_stops_with_the_server(
    backend: Backend,
) {
    let with_policy = |config: &mut Config| {
        config.retention_days = Some(1);
        config.retention_sweep_every = Duration::from_millis(50);
    };
    let (app, _db) = server(backend, with_policy).await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let card = a_card_each(&app, &alice, &[&bob]).await.remove(0);
    app.update_title(&alice, &card, "v1").await;
    age_notifications(&app).await;
    app.update_title(&alice, &card, "v2").await;

    // Nobody calls `sweep`: the server's own task deletes the aged rows.
    let deadline = tokio::time::Instant::now() + WAIT;
    while horizon(&app, Retained::Notifications).await == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the background sweep never ran"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(messages(&inbox(&app, &bob).await), alice_updated(&["v2"]));

    // `build` starts the task only with a policy, and `serve_on` stops it.
    let mut config = app.services.config.as_ref().clone();
    let plain = herald::build(Config {
        retention_days: None,
        ..config.clone()
    })
    .await
    .unwrap();
    // Every server runs the push sender (and, on PostgreSQL, shares who
    // is online): the sweep is one task more.
    let without_sweep = plain.background_tasks();
    let data_dir = tempfile::tempdir().unwrap();
    config.data_dir = data_dir.path().to_owned();
    let herald = herald::build(config).await.unwrap();
    assert_eq!(herald.background_tasks(), without_sweep + 1);
    let probe = herald.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    herald::serve_on(listener, herald, async {}).await.unwrap();
    assert_eq!(
        probe.background_tasks(),
        0,
        "the sweep and the sender stopped"
    );
}

async fn expired_unread_notifications_leave_the_inbox_count(backend: Backend) {
    let (app, _db) = server(backend, |_| {}).await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let card = a_card_each(&app, &alice, &[&bob]).await.remove(0);
    for title in ["old 1", "old 2"] {
        app.update_title(&alice, &card, title).await;
    }
    // Bob reads one of the three old ones.
    let oldest = inbox(&app, &bob).await.pop().unwrap();
    app.ok(
        Some(&bob.token),
        "mutation($id: ID!) { markNotificationRead(id: $id) { id } }",
        json!({"id": oldest.id.to_string()}),
    )
    .await;
    let now = one_day_after_now();
    app.update_title(&alice, &card, "new").await;
    let (mut ws, state) = crate::api::inbox_live::inbox_ws(&app, &bob, "in", None).await;
    assert_eq!(state["unreadCount"], 3);

    let swept = sweep_at(&app, KEEP_NOTIFICATIONS, now).await;
    assert_eq!(swept.notifications, 3);
    let expired = crate::api::inbox_live::next_update(&mut ws, "in").await;
    assert_eq!(expired["kind"], "EXPIRED", "{expired}");
    assert_eq!(expired["unreadCount"], 1, "two unread ones expired");
    assert!(expired["expiredUpTo"].is_string());
    assert_eq!(
        app.ok(Some(&bob.token), "{ unreadNotificationCount }", json!({}))
            .await["unreadNotificationCount"],
        1
    );
    // Alice had nothing unread: nothing for her. A fresh subscriber
    // starts from the same count.
    let (_, fresh) = crate::api::inbox_live::inbox_ws(&app, &bob, "again", None).await;
    assert_eq!(fresh["unreadCount"], 1);
    assert_eq!(fresh["version"], expired["version"]);
    ws.assert_quiet().await;
}
