//! The live `inbox` subscription: every device of a user sees the same
//! unread count and read state, whoever changed it and wherever.

use serde_json::{Value, json};

use crate::kit::{
    TestApp, TestUser, WsClient, error_code, refused_code, shared_card, sse::SseClient,
};

pub const INBOX: &str = "subscription($u: ID!, $after: String) { inbox(userId: $u, after: $after) { \
     version kind unreadCount readIds allReadUpTo expiredUpTo notification { id cursor message } \
     preferences { kinds { kind channel enabled } mutedBoards { id } mutedChatRooms { id } } } }";

/// A connection of `user` subscribed to their inbox as `id`; returns it
/// with the first update (the state), which also says the subscription
/// is registered.
pub async fn inbox_ws(
    app: &TestApp,
    user: &TestUser,
    id: &str,
    after: Option<&str>,
) -> (WsClient, Value) {
    let mut ws = app.ws(&user.token).await;
    ws.subscribe(id, INBOX, json!({"u": user.id, "after": after}))
        .await;
    let state = next_update(&mut ws, id).await;
    assert_eq!(state["kind"], "STATE", "{state}");
    (ws, state)
}

pub async fn next_update(ws: &mut WsClient, id: &str) -> Value {
    let payload = ws.next_payload(id).await;
    assert!(payload.get("errors").is_none(), "{payload}");
    payload["data"]["inbox"].clone()
}

async fn mark_read(app: &TestApp, user: &TestUser, id: &str) {
    app.ok(
        Some(&user.token),
        "mutation($id: ID!) { markNotificationRead(id: $id) { id } }",
        json!({"id": id}),
    )
    .await;
}

fn version(update: &Value) -> String {
    update["version"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn two_devices_see_every_read_and_the_same_count() {
    let (app, alice, bob, _board, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    app.update_title(&alice, &card, "Ship v1.1").await;
    let (mut phone, state) = inbox_ws(&app, &bob, "in", None).await;
    let (mut laptop, same) = inbox_ws(&app, &bob, "in", None).await;
    assert_eq!(state, same);
    assert_eq!(state["unreadCount"], 2);
    assert_eq!(state["readIds"], json!([]));
    assert!(state["notification"].is_null());
    let kinds = state["preferences"]["kinds"].as_array().unwrap();
    assert!(kinds.iter().all(|k| k["enabled"] == true), "{state}");

    // Read on the web: both devices hear it, with the new count.
    let newest_id = app
        .ok(
            Some(&bob.token),
            "{ notifications(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await["notifications"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    mark_read(&app, &bob, &newest_id).await;
    let mut last = version(&state);
    for ws in [&mut phone, &mut laptop] {
        let read = next_update(ws, "in").await;
        assert_eq!(read["kind"], "READ");
        assert_eq!(read["readIds"], json!([newest_id]));
        assert_eq!(read["unreadCount"], 1);
        assert!(version(&read) > last, "{read}");
        assert!(read["preferences"].is_null());
    }
    last = version(
        &next_update_after_notification(&app, &alice, &card, &mut phone, &mut laptop).await,
    );

    // Marking it again changes nothing, and nothing is pushed.
    mark_read(&app, &bob, &newest_id).await;
    let all = app
        .ok(
            Some(&bob.token),
            "mutation { markAllNotificationsRead }",
            json!({}),
        )
        .await;
    assert_eq!(all["markAllNotificationsRead"], 2);
    let newest_cursor = app.inbox(&bob).await[0].0.clone();
    for ws in [&mut phone, &mut laptop] {
        let read = next_update(ws, "in").await;
        assert_eq!(read["kind"], "ALL_READ", "{read}");
        assert_eq!(read["allReadUpTo"], newest_cursor.as_str());
        assert_eq!(read["unreadCount"], 0);
        assert!(version(&read) > last);
    }
    assert_eq!(
        app.ok(Some(&bob.token), "{ unreadNotificationCount }", json!({}))
            .await["unreadNotificationCount"],
        0
    );
    phone.assert_quiet().await;
}

/// Alice edits the card: both of Bob's devices get the notification with
/// the count up by one. Returns the update.
async fn next_update_after_notification(
    app: &TestApp,
    alice: &TestUser,
    card: &str,
    phone: &mut WsClient,
    laptop: &mut WsClient,
) -> Value {
    app.update_title(alice, card, "Ship v1.2").await;
    let on_phone = next_update(phone, "in").await;
    let on_laptop = next_update(laptop, "in").await;
    assert_eq!(on_phone, on_laptop);
    assert_eq!(on_phone["kind"], "NOTIFICATION");
    assert_eq!(on_phone["unreadCount"], 2);
    assert_eq!(
        on_phone["notification"]["message"],
        "Alice updated the card “Ship v1.2”"
    );
    on_phone
}

#[tokio::test]
async fn a_client_resumes_after_its_last_version_with_nothing_missed() {
    let (app, alice, bob, _board, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    let (mut ws, state) = inbox_ws(&app, &bob, "in", None).await;
    assert_eq!(state["unreadCount"], 1);
    drop(ws);

    // While Bob is away: a read, a new notification, a preference.
    let first = app
        .ok(
            Some(&bob.token),
            "{ notifications { edges { node { id } } } }",
            json!({}),
        )
        .await["notifications"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    mark_read(&app, &bob, &first).await;
    app.update_title(&alice, &card, "Ship v2").await;
    app.ok(
        Some(&bob.token),
        "mutation { setNotificationPreference(kind: COMMENT_ADDED, enabled: false) { kinds { kind } } }",
        json!({}),
    )
    .await;

    let (resumed, at) = inbox_ws(&app, &bob, "in", Some(&version(&state))).await;
    ws = resumed;
    assert_eq!(at["version"], state["version"]);
    assert_eq!(
        at["unreadCount"], 1,
        "the count at the version resumed from"
    );
    let read = next_update(&mut ws, "in").await;
    assert_eq!(
        (read["kind"].clone(), read["unreadCount"].clone()),
        (json!("READ"), json!(0))
    );
    let new = next_update(&mut ws, "in").await;
    assert_eq!(
        (new["kind"].clone(), new["unreadCount"].clone()),
        (json!("NOTIFICATION"), json!(1))
    );
    let preferences = next_update(&mut ws, "in").await;
    assert_eq!(preferences["kind"], "PREFERENCES");
    assert_eq!(preferences["unreadCount"], 1);
    let comment = preferences["preferences"]["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "COMMENT_ADDED")
        .unwrap()
        .clone();
    assert_eq!(comment["enabled"], false);
    assert!(version(&state) < version(&read));
    assert!(version(&read) < version(&new) && version(&new) < version(&preferences));
    ws.assert_quiet().await;

    // From the newest version: the state, then quiet.
    let (mut again, now) = inbox_ws(&app, &bob, "in", Some(&version(&preferences))).await;
    assert_eq!(now["unreadCount"], 1);
    again.assert_quiet().await;
    let (_, fresh) = inbox_ws(&app, &bob, "in", None).await;
    assert_eq!(
        (fresh["version"].clone(), fresh["unreadCount"].clone()),
        (preferences["version"].clone(), json!(1))
    );
}

#[tokio::test]
async fn only_your_own_inbox_and_only_real_versions() {
    let (app, alice, bob, _board, _card) = shared_card().await;
    let mut ws = app.ws(&alice.token).await;
    ws.subscribe("x", INBOX, json!({"u": bob.id})).await;
    assert_eq!(refused_code(&mut ws, "x").await, "FORBIDDEN");
    ws.subscribe("y", INBOX, json!({"u": alice.id, "after": "not-a-version"}))
        .await;
    assert_eq!(refused_code(&mut ws, "y").await, "BAD_USER_INPUT");

    // Over SSE too.
    let mut url = reqwest::Url::parse(&app.url("/graphql/stream")).unwrap();
    url.query_pairs_mut()
        .append_pair("query", INBOX)
        .append_pair("variables", &json!({"u": bob.id}).to_string())
        .append_pair("access_token", &alice.token);
    let mut sse = SseClient::open(app.http.get(url.as_str())).await;
    let (result, _) = sse.next_result().await;
    assert_eq!(error_code(&result), "FORBIDDEN", "{result}");
}

#[tokio::test]
async fn over_sse_each_update_carries_its_version_as_the_event_id() {
    let (app, alice, bob, _board, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    let url = || {
        let mut url = reqwest::Url::parse(&app.url("/graphql/stream")).unwrap();
        url.query_pairs_mut()
            .append_pair("query", INBOX)
            .append_pair("variables", &json!({"u": bob.id}).to_string())
            .append_pair("access_token", &bob.token);
        url.to_string()
    };
    let mut sse = SseClient::open(app.http.get(url())).await;
    let (state, id) = sse.next_result().await;
    let state = &state["data"]["inbox"];
    assert_eq!(state["kind"], "STATE");
    assert_eq!(id.as_deref(), state["version"].as_str());
    app.update_title(&alice, &card, "Ship v2").await;
    let (new, id) = sse.next_result().await;
    let new = &new["data"]["inbox"];
    assert_eq!(
        (new["kind"].clone(), new["unreadCount"].clone()),
        (json!("NOTIFICATION"), json!(2))
    );
    assert_eq!(id.as_deref(), new["version"].as_str());
    drop(sse);

    // A browser reconnecting sends the last id: it gets what it missed.
    app.update_title(&alice, &card, "Ship v3").await;
    let mut sse = SseClient::open(
        app.http
            .get(url())
            .header("Last-Event-ID", new["version"].as_str().unwrap()),
    )
    .await;
    let (at, _) = sse.next_result().await;
    assert_eq!(at["data"]["inbox"]["unreadCount"], 2);
    let (missed, _) = sse.next_result().await;
    assert_eq!(missed["data"]["inbox"]["unreadCount"], 3);
    assert_eq!(
        missed["data"]["inbox"]["notification"]["message"],
        "Alice updated the card “Ship v3”"
    );
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_carries_the_inbox_too() {
    let (app, alice, bob, _board, card) = shared_card().await;
    let mut ws = app.ws_raw("graphql-ws").await;
    ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", bob.token)}}))
        .await;
    assert_eq!(ws.recv().await["type"], "connection_ack");
    ws.send(json!({"id": "1", "type": "start", "payload": {"query": INBOX, "variables": {"u": bob.id}}}))
        .await;
    let state = ws.recv().await;
    assert_eq!(state["type"], "data", "{state}");
    assert_eq!(state["payload"]["data"]["inbox"]["kind"], "STATE");
    app.assign(&alice, &card, &bob).await;
    let new = ws.recv().await;
    assert_eq!(new["payload"]["data"]["inbox"]["kind"], "NOTIFICATION");
    assert_eq!(new["payload"]["data"]["inbox"]["unreadCount"], 1);

    // Someone else's inbox: refused with FORBIDDEN.
    ws.send(json!({"id": "2", "type": "start", "payload": {"query": INBOX, "variables": {"u": alice.id}}}))
        .await;
    let refused = ws.recv().await;
    assert_eq!(refused["id"], "2", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
}
