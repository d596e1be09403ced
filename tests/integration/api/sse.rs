//! GraphQL over SSE at `/graphql/stream`, read by a real streaming HTTP
//! client: live delivery, resume with `Last-Event-ID`, `access_token`
//! authentication, refusals, keep-alive comments and the release of the
//! broker subscription when a client disconnects.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    kit::sse::{Read, SseClient},
    kit::{
        TestApp, TestUser, WAIT, alice_updated, shared_room, sign_up_at, spawn_app, spawn_app_with,
        wait_for_subscriptions,
    },
};

/// What a browser page would subscribe to; `cursor` is deliberately not
/// selected: the event id carries it anyway.
const NOTIFICATIONS: &str = "subscription($u: ID!, $after: String) { \
     notifications(userId: $u, after: $after) { id kind message } }";

/// The URL a browser `EventSource` would open for `user`'s notifications.
fn event_source_url(app: &TestApp, user: &TestUser, variables: Value, token: &str) -> String {
    let mut url = reqwest::Url::parse(&app.url("/graphql/stream")).unwrap();
    url.query_pairs_mut()
        .append_pair("query", NOTIFICATIONS)
        .append_pair(
            "variables",
            &merge(json!({"u": user.id}), variables).to_string(),
        )
        .append_pair("access_token", token);
    url.into()
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// Opens `user`'s notification stream over `POST` with a bearer token and
/// waits until its broker subscription exists.
async fn subscribe_over_post(app: &TestApp, user: &TestUser, variables: Value) -> SseClient {
    let before = app.services.broker.stats().subscriptions;
    let client = SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&user.token)
            .json(&json!({"query": NOTIFICATIONS, "variables": merge(json!({"u": user.id}), variables)})),
    )
    .await;
    assert_eq!(client.status, StatusCode::OK);
    wait_for_subscriptions(app, before + 1).await;
    client
}

/// Alice owns a board with Bob on it and a card; returns the card.
async fn alice_and_bob(app: &TestApp) -> (TestUser, TestUser, String) {
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let board = app.board_with(&alice, &[&bob]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    (alice, bob, card)
}

#[tokio::test]
async fn live_notifications_arrive_as_next_events_whose_id_is_the_cursor() {
    let app = spawn_app().await;
    let (alice, bob, card) = alice_and_bob(&app).await;
    let mut sse = subscribe_over_post(&app, &bob, json!({})).await;
    assert!(
        sse.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert_eq!(sse.headers["cache-control"], "no-cache");
    assert_eq!(sse.headers["x-accel-buffering"], "no");
    // The stream opens with a reconnection hint for browsers.
    match sse.read(WAIT).await {
        Read::Frame(frame) => {
            assert!(frame.retry.is_some_and(|ms| ms > 0), "{frame:?}");
            assert!(frame.event.is_none() && frame.data.is_none(), "{frame:?}");
        }
        other => panic!("expected the opening frame, got {other:?}"),
    }

    app.assign(&alice, &card, &bob).await;
    let (assigned, id) = sse.next_notification().await;
    assert_eq!(assigned["kind"], "CARD_ASSIGNED");
    assert_eq!(
        assigned["message"],
        "Alice assigned you to the card “Ship v1”"
    );
    app.update_title(&alice, &card, "Ship v2").await;
    let (updated, id2) = sse.next_notification().await;
    assert_eq!(updated["kind"], "CARD_UPDATED");

    // The ids are the inbox cursors, though the query did not ask for them.
    let inbox = app.inbox(&bob).await; // newest first
    assert_eq!([id2, id], [inbox[0].0.clone(), inbox[1].0.clone()]);
    // Alice is not told of her own actions, and Bob's stream carries
    // nothing else.
    sse.assert_no_event().await;
}

#[tokio::test]
async fn an_event_source_resumes_with_last_event_id_exactly_where_it_left_off() {
    let app = spawn_app().await;
    let (alice, bob, card) = alice_and_bob(&app).await;
    // An EventSource: GET, token in the query string, no headers of ours.
    let url = event_source_url(&app, &bob, json!({}), &bob.token);
    let mut sse = SseClient::open(app.http.get(&url)).await;
    assert_eq!(sse.status, StatusCode::OK);
    wait_for_subscriptions(&app, 1).await;
    app.assign(&alice, &card, &bob).await;
    let (first, last_id) = sse.next_notification().await;
    assert_eq!(first["kind"], "CARD_ASSIGNED");

    // The network drops; three notifications are committed meanwhile.
    drop(sse);
    wait_for_subscriptions(&app, 0).await;
    for title in ["v1", "v2", "v3"] {
        app.update_title(&alice, &card, title).await;
    }

    // The browser reconnects to the same URL with the last id it saw.
    let mut sse = SseClient::open(app.http.get(&url).header("Last-Event-ID", &last_id)).await;
    assert_eq!(sse.status, StatusCode::OK);
    let mut missed = Vec::new();
    for _ in 0..3 {
        missed.push(sse.next_notification().await);
    }
    let messages: Vec<&str> = missed
        .iter()
        .map(|(n, _)| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, alice_updated(&["v1", "v2", "v3"]));
    let ids: Vec<String> = missed.into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids, app.newest_cursors(&bob, 3).await);

    // Then live, with no duplicate of anything replayed.
    app.update_title(&alice, &card, "v4").await;
    let (live, _) = sse.next_notification().await;
    assert_eq!(live["message"], "Alice updated the card “v4”");
    sse.assert_no_event().await;
}

#[tokio::test]
async fn an_explicit_after_argument_wins_over_last_event_id() {
    let app = spawn_app().await;
    let (alice, bob, card) = alice_and_bob(&app).await;
    app.assign(&alice, &card, &bob).await;
    for title in ["v1", "v2"] {
        app.update_title(&alice, &card, title).await;
    }
    let inbox = app.inbox(&bob).await; // newest first: v2, v1, assigned
    let (newest, assigned) = (&inbox[0].0, &inbox[2].0);

    let url = event_source_url(&app, &bob, json!({"after": assigned}), &bob.token);
    let mut sse = SseClient::open(app.http.get(&url).header("Last-Event-ID", newest)).await;
    let (first, _) = sse.next_notification().await;
    let (second, _) = sse.next_notification().await;
    assert_eq!(first["message"], "Alice updated the card “v1”");
    assert_eq!(second["message"], "Alice updated the card “v2”");
    sse.assert_no_event().await;

    // Without `after`, the header alone decides: nothing is newer.
    let url = event_source_url(&app, &bob, json!({}), &bob.token);
    let mut sse = SseClient::open(app.http.get(&url).header("Last-Event-ID", newest)).await;
    wait_for_subscriptions(&app, 2).await;
    sse.assert_no_event().await;

    // A Last-Event-ID that is not a cursor is reported, not ignored.
    let mut sse = SseClient::open(app.http.get(&url).header("Last-Event-ID", "garbage")).await;
    let (result, _) = sse.next_result().await;
    assert_eq!(
        result["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{result}"
    );
    sse.expect_complete_then_end().await;
}

#[tokio::test]
async fn access_token_authenticates_and_bad_tokens_get_401_with_a_json_error() {
    let app = spawn_app().await;
    let (alice, bob, card) = alice_and_bob(&app).await;

    // The query-string token works where no header can be sent.
    let mut sse =
        SseClient::open(
            app.http
                .get(event_source_url(&app, &bob, json!({}), &bob.token)),
        )
        .await;
    wait_for_subscriptions(&app, 1).await;
    app.assign(&alice, &card, &bob).await;
    assert_eq!(sse.next_notification().await.0["kind"], "CARD_ASSIGNED");
    drop(sse);

    let expired = app.expired_token(&bob);
    let refusals = [
        app.http
            .get(event_source_url(&app, &bob, json!({}), "garbage")),
        app.http
            .get(event_source_url(&app, &bob, json!({}), &expired)),
        app.http
            .post(app.url("/graphql/stream"))
            .header("Authorization", "Bearer garbage")
            .json(&json!({"query": NOTIFICATIONS, "variables": {"u": bob.id}})),
    ];
    for request in refusals {
        let response = request
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{body}"
        );
    }

    // No token at all: the stream is accepted and says why it ends.
    let mut anonymous = SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .json(&json!({"query": NOTIFICATIONS, "variables": {"u": bob.id}})),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::OK);
    let (result, _) = anonymous.next_result().await;
    assert_eq!(result["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    anonymous.expect_complete_then_end().await;
    wait_for_subscriptions(&app, 0).await;
}

#[tokio::test]
async fn another_users_stream_is_forbidden() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    // Alice's token, Bob's stream.
    let mut sse =
        SseClient::open(
            app.http
                .get(event_source_url(&app, &bob, json!({}), &alice.token)),
        )
        .await;
    assert_eq!(sse.status, StatusCode::OK);
    let (result, id) = sse.next_result().await;
    assert_eq!(
        result["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{result}"
    );
    assert!(result["data"].is_null(), "{result}");
    assert_eq!(id, None);
    sse.expect_complete_then_end().await;
    assert_eq!(app.services.broker.stats().subscriptions, 0);
}

#[tokio::test]
async fn idle_streams_get_keep_alive_comments_at_the_configured_interval() {
    let app = spawn_app_with(|c| c.sse_keepalive_secs = 1).await;
    let bob = app.sign_up("Bob").await;
    let mut sse = subscribe_over_post(&app, &bob, json!({})).await;
    let mut keep_alives = 0;
    while keep_alives < 2 {
        match sse.read(WAIT).await {
            Read::Frame(frame) => {
                assert!(frame.event.is_none(), "no event expected: {frame:?}");
                if frame.comments.iter().any(|c| c == "keep-alive") {
                    keep_alives += 1;
                }
            }
            other => panic!("expected keep-alive comments, got {other:?}"),
        }
    }
    // Still the same live subscription.
    assert_eq!(app.services.broker.stats().subscriptions, 1);
}

#[tokio::test]
async fn a_query_is_one_next_then_complete_and_get_refuses_mutations() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let mut sse = SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&alice.token)
            .json(&json!({"query": "{ me { name } }"})),
    )
    .await;
    let (result, id) = sse.next_result().await;
    assert_eq!(result, json!({"data": {"me": {"name": "Alice"}}}));
    assert_eq!(id, None);
    sse.expect_complete_then_end().await;

    // GET, with the operation picked by `operationName`.
    let mut url = reqwest::Url::parse(&app.url("/graphql/stream")).unwrap();
    url.query_pairs_mut()
        .append_pair("query", "query A { me { id } } query B { me { name } }")
        .append_pair("operationName", "B")
        .append_pair("access_token", &alice.token);
    let mut sse = SseClient::open(app.http.get(url)).await;
    let (result, _) = sse.next_result().await;
    assert_eq!(result, json!({"data": {"me": {"name": "Alice"}}}));
    sse.expect_complete_then_end().await;

    // A mutation works over POST…
    let mut sse = SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&alice.token)
            .json(&json!({"query": "mutation { createBoard(name: \"Launch\") { name } }"})),
    )
    .await;
    let (result, _) = sse.next_result().await;
    assert_eq!(result["data"]["createBoard"]["name"], "Launch");
    sse.expect_complete_then_end().await;

    // …but never over GET, where a link could trigger it.
    let mut url = reqwest::Url::parse(&app.url("/graphql/stream")).unwrap();
    url.query_pairs_mut()
        .append_pair("query", "mutation { createBoard(name: \"Sneaky\") { id } }")
        .append_pair("access_token", &alice.token);
    let response = app.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");

    // A malformed query is reported inside the stream, as the protocol asks.
    let mut sse = SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&alice.token)
            .json(&json!({"query": "subscription { nope }"})),
    )
    .await;
    assert_eq!(sse.status, StatusCode::OK);
    let (result, _) = sse.next_result().await;
    assert!(result["errors"][0]["message"].is_string(), "{result}");
    sse.expect_complete_then_end().await;
}

#[tokio::test]
async fn disconnecting_releases_the_broker_subscription_every_time() {
    let app = spawn_app().await;
    let bob = app.sign_up("Bob").await;
    for _ in 0..50 {
        let sse = subscribe_over_post(&app, &bob, json!({})).await;
        assert_eq!(app.services.broker.stats().subscriptions, 1);
        drop(sse);
        wait_for_subscriptions(&app, 0).await;
    }
    // Many at once, closed together.
    let mut open = Vec::new();
    for _ in 0..20 {
        let url = event_source_url(&app, &bob, json!({}), &bob.token);
        open.push(SseClient::open(app.http.get(url)).await);
    }
    wait_for_subscriptions(&app, 20).await;
    drop(open);
    wait_for_subscriptions(&app, 0).await;
    assert_eq!(app.services.broker.stats().topics, 0);
}

#[tokio::test]
async fn shutting_down_ends_open_streams_without_complete_so_browsers_reconnect() {
    // A server of our own, to shut it down while a stream is open.
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = herald::config::Config::for_data_dir(data_dir.path());
    config.jwt_secret = Some("test-secret-for-herald-sse-shutdown".into());
    let herald = herald::build(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(herald::serve_on(listener, herald.clone(), async move {
        let _ = stopped.await;
    }));
    let (token, user) = sign_up_at(&format!("http://{addr}"), "Ann").await;
    let mut sse = SseClient::open(
        reqwest::Client::new()
            .post(format!("http://{addr}/graphql/stream"))
            .bearer_auth(&token)
            .json(&json!({"query": NOTIFICATIONS, "variables": {"u": user.to_string()}})),
    )
    .await;
    assert_eq!(sse.status, StatusCode::OK);
    let deadline = tokio::time::Instant::now() + WAIT;
    while herald.services.broker.stats().subscriptions != 1 {
        assert!(tokio::time::Instant::now() < deadline, "never subscribed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    stop.send(()).unwrap();
    loop {
        match sse.read(WAIT).await {
            Read::Ended => break,
            Read::Frame(frame) => assert!(
                frame.event.is_none() && frame.data.is_none(),
                "no event, and no `complete`, on shutdown: {frame:?}"
            ),
            Read::Silent => panic!("the stream stayed open after shutdown began"),
        }
    }
    tokio::time::timeout(WAIT, server)
        .await
        .expect("the server finished shutting down")
        .unwrap()
        .unwrap();
    assert_eq!(herald.services.broker.stats().subscriptions, 0);
}

#[tokio::test]
async fn chat_rooms_stream_over_sse_too_and_resume_by_message_id() {
    const ROOM: &str =
        "subscription($r: ID!) { chatMessages(roomId: $r) { body author { name } } }";
    let (app, alice, bob, room) = shared_room().await;
    app.join_room(&bob, &room).await;
    let send = |body: &'static str| {
        let (app, alice, room) = (&app, &alice, &room);
        async move {
            app.send_message(alice, room, body).await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let mut url = reqwest::Url::parse(&app.url("/graphql/stream")).unwrap();
    url.query_pairs_mut()
        .append_pair("query", ROOM)
        .append_pair("variables", &json!({"r": room}).to_string())
        .append_pair("access_token", &bob.token);

    let mut sse = SseClient::open(app.http.get(url.clone())).await;
    wait_for_subscriptions(&app, 1).await;
    let hello = send("hello").await;
    let (result, id) = sse.next_result().await;
    assert_eq!(result["data"]["chatMessages"]["body"], "hello", "{result}");
    assert_eq!(id.as_deref(), Some(hello.as_str()));

    drop(sse);
    wait_for_subscriptions(&app, 0).await;
    let missed = [send("one").await, send("two").await];
    let mut sse = SseClient::open(app.http.get(url).header("Last-Event-ID", &hello)).await;
    for (expected_id, body) in missed.iter().zip(["one", "two"]) {
        let (result, id) = sse.next_result().await;
        assert_eq!(result["data"]["chatMessages"]["body"], body, "{result}");
        assert_eq!(id.as_deref(), Some(expected_id.as_str()));
    }
    sse.assert_no_event().await;

    // Leaving the room completes the stream.
    app.leave_room(&bob, &room).await;
    sse.expect_complete_then_end().await;
    wait_for_subscriptions(&app, 0).await;
}
