//! Live chat rooms over real sockets: members receive each other's
//! messages live and in order, non-members are refused everywhere, history
//! pages backwards, leaving ends the subscription, and a mention notifies
//! exactly the member it names.

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::helpers::{
    QUIET, TestApp, TestUser, WAIT, WsClient, error_code, refused_code, signed_in, spawn_app,
    wait_for_subscriptions,
};

pub const ROOM_SUBSCRIPTION: &str = "subscription($r: ID!, $after: ID) { \
     chatMessages(roomId: $r, after: $after) { id body author { name } room { id name } } }";

const SEND: &str = "mutation($r: ID!, $b: String!) { \
     sendChatMessage(roomId: $r, body: $b) { id body createdAt author { name } room { name } } }";

const HISTORY: &str = "query($r: ID!, $last: Int, $before: String) { \
     chatMessages(roomId: $r, last: $last, before: $before) { id body } }";

async fn create_room(app: &TestApp, user: &TestUser, name: &str) -> String {
    let data = app
        .ok(
            Some(&user.token),
            "mutation($n: String!) { createChatRoom(name: $n) { id name members { id } } }",
            json!({"n": name}),
        )
        .await;
    let room = &data["createChatRoom"];
    assert_eq!(room["name"], name);
    assert_eq!(
        room["members"],
        json!([{"id": user.id}]),
        "the creator is a member"
    );
    room["id"].as_str().unwrap().to_owned()
}

/// Joins `room`; returns the member ids, in the order they joined.
async fn join(app: &TestApp, user: &TestUser, room: &str) -> Vec<String> {
    let data = app
        .ok(
            Some(&user.token),
            "mutation($r: ID!) { joinChatRoom(roomId: $r) { members { id } } }",
            json!({"r": room}),
        )
        .await;
    member_ids(&data["joinChatRoom"])
}

async fn leave(app: &TestApp, user: &TestUser, room: &str) -> Vec<String> {
    let data = app
        .ok(
            Some(&user.token),
            "mutation($r: ID!) { leaveChatRoom(roomId: $r) { members { id } } }",
            json!({"r": room}),
        )
        .await;
    member_ids(&data["leaveChatRoom"])
}

fn member_ids(room: &Value) -> Vec<String> {
    room["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Sends a message that must be accepted; returns it.
async fn send(app: &TestApp, user: &TestUser, room: &str, body: &str) -> Value {
    app.ok(Some(&user.token), SEND, json!({"r": room, "b": body}))
        .await["sendChatMessage"]
        .clone()
}

/// The whole history of `room` as `user` reads it: (id, body), oldest first.
async fn history(
    app: &TestApp,
    user: &TestUser,
    room: &str,
    last: Option<i32>,
    before: Option<&str>,
) -> Vec<(String, String)> {
    app.ok(
        Some(&user.token),
        HISTORY,
        json!({"r": room, "last": last, "before": before}),
    )
    .await["chatMessages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                m["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Subscribes to `room` on `ws` and waits until the server registered it.
async fn subscribe_room(app: &TestApp, ws: &mut WsClient, id: &str, room: &str) {
    let before = app.services.broker.stats().subscriptions;
    ws.subscribe(id, ROOM_SUBSCRIPTION, json!({"r": room}))
        .await;
    wait_for_subscriptions(app, before + 1).await;
}

/// The next chat message delivered on subscription `id`.
async fn next_message(ws: &mut WsClient, id: &str) -> Value {
    let payload = ws.next_payload(id).await;
    assert!(payload.get("errors").is_none(), "{payload}");
    payload["data"]["chatMessages"].clone()
}

#[tokio::test]
async fn two_members_receive_each_others_messages_live_and_in_send_order() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let room = create_room(&app, &alice, "Launch party").await;
    assert_eq!(
        join(&app, &bob, &room).await,
        [alice.id.clone(), bob.id.clone()]
    );

    let mut alice_ws = app.ws(&alice.token).await;
    subscribe_room(&app, &mut alice_ws, "a", &room).await;
    let mut bob_ws = app.ws(&bob.token).await;
    subscribe_room(&app, &mut bob_ws, "b", &room).await;
    // Both subscriptions listen on the room's one topic.
    assert_eq!(app.services.broker.stats().topics, 1);

    let mut sent = Vec::new();
    for i in 0..10 {
        let (author, name) = if i % 2 == 0 {
            (&alice, "Alice")
        } else {
            (&bob, "Bob")
        };
        let message = send(&app, author, &room, &format!("message {i}")).await;
        assert_eq!(message["author"]["name"], name);
        assert_eq!(message["room"]["name"], "Launch party");
        sent.push((message["id"].as_str().unwrap().to_owned(), name));
    }
    for (ws, id) in [(&mut alice_ws, "a"), (&mut bob_ws, "b")] {
        for (i, (message_id, author)) in sent.iter().enumerate() {
            let got = next_message(ws, id).await;
            assert_eq!(got["id"], *message_id);
            assert_eq!(got["body"], format!("message {i}"));
            assert_eq!(got["author"]["name"], *author);
            assert_eq!(got["room"]["id"], room);
        }
        ws.assert_quiet().await;
    }
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_carries_room_messages() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let room = create_room(&app, &alice, "Launch party").await;
    join(&app, &bob, &room).await;

    let mut ws = app.ws_raw("graphql-ws").await;
    ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", bob.token)}}))
        .await;
    assert_eq!(ws.recv().await["type"], "connection_ack");
    ws.send(json!({"id": "1", "type": "start", "payload": {"query": ROOM_SUBSCRIPTION, "variables": {"r": room}}}))
        .await;
    wait_for_subscriptions(&app, 1).await;
    send(&app, &alice, &room, "hello Bob").await;
    let data = ws.recv().await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["id"], "1");
    assert_eq!(data["payload"]["data"]["chatMessages"]["body"], "hello Bob");

    // Leaving completes the subscription in this protocol too.
    leave(&app, &bob, &room).await;
    let done = ws.recv().await;
    assert_eq!(done["type"], "complete", "{done}");
    assert_eq!(done["id"], "1");
}

#[tokio::test]
async fn a_non_member_is_refused_everywhere() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let carol = app.sign_up("Carol").await;
    let room = create_room(&app, &alice, "Launch party").await;
    send(&app, &alice, &room, "members only").await;

    let body = app
        .gql(
            Some(&carol.token),
            SEND,
            json!({"r": room, "b": "let me in"}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app
        .gql(Some(&carol.token), HISTORY, json!({"r": room}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert!(body["data"].is_null(), "no history leaks: {body}");

    let mut ws = app.ws(&carol.token).await;
    ws.subscribe("c", ROOM_SUBSCRIPTION, json!({"r": room}))
        .await;
    assert_eq!(refused_code(&mut ws, "c").await, "FORBIDDEN");
    assert_eq!(app.services.broker.stats().subscriptions, 0);

    // Nor may anyone without a token.
    let body = app.gql(None, SEND, json!({"r": room, "b": "hi"})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let body = app.gql(None, HISTORY, json!({"r": room})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");

    // Carol's attempt was not stored.
    let stored: Vec<String> = history(&app, &alice, &room, None, None)
        .await
        .into_iter()
        .map(|(_, body)| body)
        .collect();
    assert_eq!(stored, ["members only"]);

    // A former member is a non-member too.
    join(&app, &carol, &room).await;
    leave(&app, &carol, &room).await;
    let body = app
        .gql(Some(&carol.token), SEND, json!({"r": room, "b": "back?"}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app
        .gql(Some(&carol.token), HISTORY, json!({"r": room}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    ws.subscribe("d", ROOM_SUBSCRIPTION, json!({"r": room}))
        .await;
    assert_eq!(refused_code(&mut ws, "d").await, "FORBIDDEN");
}

#[tokio::test]
async fn history_pages_backwards_oldest_first_within_a_page() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let room = create_room(&app, &alice, "Launch party").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let message = send(&app, &alice, &room, &format!("m{i}")).await;
        ids.push(message["id"].as_str().unwrap().to_owned());
    }
    let bodies = |page: Vec<(String, String)>| -> Vec<String> {
        page.into_iter().map(|(_, body)| body).collect()
    };

    let all = history(&app, &alice, &room, None, None).await;
    assert_eq!(all.iter().map(|m| m.0.clone()).collect::<Vec<_>>(), ids);

    let page = history(&app, &alice, &room, Some(3), None).await;
    assert_eq!(bodies(page.clone()), ["m4", "m5", "m6"]);
    let page = history(&app, &alice, &room, Some(3), Some(&page[0].0)).await;
    assert_eq!(bodies(page.clone()), ["m1", "m2", "m3"]);
    let page = history(&app, &alice, &room, Some(3), Some(&page[0].0)).await;
    assert_eq!(bodies(page.clone()), ["m0"]);
    let page = history(&app, &alice, &room, Some(3), Some(&page[0].0)).await;
    assert!(page.is_empty());
    assert!(history(&app, &alice, &room, Some(0), None).await.is_empty());

    // Another room's messages never show up.
    let other = create_room(&app, &alice, "Elsewhere").await;
    send(&app, &alice, &other, "elsewhere").await;
    assert_eq!(history(&app, &alice, &room, None, None).await.len(), 7);
}

#[tokio::test]
async fn history_serves_50_by_default_and_at_most_200() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let room = create_room(&app, &alice, "Launch party").await;
    for i in 0..60 {
        send(&app, &alice, &room, &format!("m{i}")).await;
    }
    let page = history(&app, &alice, &room, None, None).await;
    assert_eq!(page.len(), 50);
    assert_eq!(page[0].1, "m10");
    assert_eq!(page[49].1, "m59");
    assert_eq!(
        history(&app, &alice, &room, Some(200), None).await.len(),
        60
    );
    for (last, before) in [
        (json!(201), json!(null)),
        (json!(-1), json!(null)),
        (json!(5), json!("abc")),
    ] {
        let body = app
            .gql(
                Some(&alice.token),
                HISTORY,
                json!({"r": room, "last": last, "before": before}),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{last} {before}");
    }
}

#[tokio::test]
async fn leaving_ends_the_members_room_subscriptions_and_join_and_leave_are_idempotent() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let room = create_room(&app, &alice, "Launch party").await;
    assert_eq!(
        join(&app, &bob, &room).await,
        [alice.id.clone(), bob.id.clone()]
    );
    assert_eq!(
        join(&app, &bob, &room).await,
        [alice.id.clone(), bob.id.clone()]
    );

    let mut alice_ws = app.ws(&alice.token).await;
    subscribe_room(&app, &mut alice_ws, "a", &room).await;
    let mut bob_ws = app.ws(&bob.token).await;
    subscribe_room(&app, &mut bob_ws, "one", &room).await;
    subscribe_room(&app, &mut bob_ws, "two", &room).await;
    send(&app, &alice, &room, "before").await;
    assert_eq!(next_message(&mut alice_ws, "a").await["body"], "before");
    let mut got = [bob_ws.recv().await, bob_ws.recv().await];
    got.sort_by_key(|m| m["id"].as_str().unwrap().to_owned());
    for (message, id) in got.iter().zip(["one", "two"]) {
        assert_eq!(message["id"], id);
        assert_eq!(message["payload"]["data"]["chatMessages"]["body"], "before");
    }

    assert_eq!(leave(&app, &bob, &room).await, [alice.id.as_str()]);
    let mut completed = Vec::new();
    for _ in 0..2 {
        let message = bob_ws.recv().await;
        assert_eq!(message["type"], "complete", "{message}");
        completed.push(message["id"].as_str().unwrap().to_owned());
    }
    completed.sort();
    assert_eq!(completed, ["one", "two"]);
    wait_for_subscriptions(&app, 1).await;

    send(&app, &alice, &room, "after").await;
    assert_eq!(next_message(&mut alice_ws, "a").await["body"], "after");
    bob_ws.assert_quiet().await;
    alice_ws.assert_quiet().await;

    // Leaving again changes nothing and ends nothing else.
    assert_eq!(leave(&app, &bob, &room).await, [alice.id.as_str()]);
    alice_ws.assert_quiet().await;
    assert_eq!(app.services.broker.stats().subscriptions, 1);
}

#[tokio::test]
async fn a_mention_notifies_the_mentioned_member_once_and_never_the_author() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let carol = app.sign_up("Carol").await;
    let dave = app.sign_up("Dave").await;
    let room = create_room(&app, &alice, "Launch party").await;
    join(&app, &bob, &room).await;
    join(&app, &dave, &room).await;
    // Carol is not a member.

    let mut bob_ws = app.ws(&bob.token).await;
    bob_ws.subscribe_notifications(&app, "n", &bob, None).await;
    let mut alice_ws = app.ws(&alice.token).await;
    alice_ws
        .subscribe_notifications(&app, "n", &alice, None)
        .await;

    let message = send(
        &app,
        &alice,
        &room,
        "@Bob at 8? @bob, bring @Carol's cake, says @Alice (alice@example.com)",
    )
    .await;
    let n = bob_ws.next_notification("n").await;
    assert_eq!(n["kind"], "CHAT_MENTION");
    assert_eq!(
        n["message"],
        "Alice mentioned you in “Launch party”: @Bob at 8? @bob, bring @Carol's cake, says @Alice (alice@example.com)"
    );
    assert_eq!(n["actor"]["name"], "Alice");
    bob_ws.assert_quiet().await;
    alice_ws.assert_quiet().await;

    // Exactly one, pointing at the message, in Bob's inbox only.
    let inbox = app
        .ok(
            Some(&bob.token),
            "{ notifications { edges { node { kind chatMessage { id body room { name } author { name } } } } } }",
            json!({}),
        )
        .await;
    let edges = inbox["notifications"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{inbox}");
    let chat_message = &edges[0]["node"]["chatMessage"];
    assert_eq!(chat_message["id"], message["id"]);
    assert_eq!(chat_message["room"]["name"], "Launch party");
    assert_eq!(chat_message["author"]["name"], "Alice");
    for user in [&alice, &carol, &dave] {
        assert!(app.inbox(user).await.is_empty());
    }

    // A message without a mention, or mentioning only its author, notifies
    // nobody; other notifications have no chat message.
    send(&app, &bob, &room, "no mention here").await;
    send(&app, &bob, &room, "note to @Bob: buy candles").await;
    bob_ws.assert_quiet().await;
    alice_ws.assert_quiet().await;
    assert_eq!(app.inbox(&bob).await.len(), 1);
    assert!(app.inbox(&alice).await.is_empty());
}

#[tokio::test]
async fn bad_input_and_unknown_rooms_are_refused() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let room = create_room(&app, &alice, "Launch party").await;

    for body in ["", "   \n ", &"x".repeat(2_001)] {
        let response = app
            .gql(Some(&alice.token), SEND, json!({"r": room, "b": body}))
            .await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        assert_eq!(response["errors"][0]["extensions"]["field"], "body");
    }
    let longest = "é".repeat(2_000);
    assert_eq!(send(&app, &alice, &room, &longest).await["body"], longest);
    let stored = history(&app, &alice, &room, None, None).await;
    assert_eq!(stored.len(), 1, "only the valid message was stored");

    let body = app
        .gql(
            Some(&alice.token),
            "mutation { createChatRoom(name: \"  \") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");

    let unknown = "999999";
    for (query, variables) in [
        (SEND, json!({"r": unknown, "b": "hi"})),
        (HISTORY, json!({"r": unknown})),
        (
            "mutation($r: ID!) { joinChatRoom(roomId: $r) { id } }",
            json!({"r": unknown}),
        ),
        (
            "mutation($r: ID!) { leaveChatRoom(roomId: $r) { id } }",
            json!({"r": unknown}),
        ),
    ] {
        let body = app.gql(Some(&alice.token), query, variables.clone()).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{query}");
        let mut garbage = variables;
        garbage["r"] = json!("not-an-id");
        let body = app.gql(Some(&alice.token), query, garbage).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{query}");
    }
    let mut ws = app.ws(&alice.token).await;
    ws.subscribe("u", ROOM_SUBSCRIPTION, json!({"r": unknown}))
        .await;
    assert_eq!(refused_code(&mut ws, "u").await, "NOT_FOUND");
    ws.subscribe("g", ROOM_SUBSCRIPTION, json!({"r": "nope"}))
        .await;
    assert_eq!(refused_code(&mut ws, "g").await, "BAD_USER_INPUT");
}

#[tokio::test]
async fn resuming_after_a_message_id_replays_what_was_missed_then_goes_live() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let room = create_room(&app, &alice, "Launch party").await;
    join(&app, &bob, &room).await;
    let first = send(&app, &alice, &room, "m0").await;
    for i in 1..4 {
        send(&app, &alice, &room, &format!("m{i}")).await;
    }
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe(
        "r",
        ROOM_SUBSCRIPTION,
        json!({"r": room, "after": first["id"]}),
    )
    .await;
    for i in 1..4 {
        assert_eq!(next_message(&mut ws, "r").await["body"], format!("m{i}"));
    }
    send(&app, &alice, &room, "m4").await;
    assert_eq!(next_message(&mut ws, "r").await["body"], "m4");
    ws.assert_quiet().await;
}

/// Drives a room subscription for `user` directly through the schema, so
/// that a test can stop reading it and make its buffer overflow.
fn room_stream(
    app: &TestApp,
    user: &TestUser,
    room: &str,
) -> impl futures_util::Stream<Item = async_graphql::Response> + Unpin + use<> {
    let request = async_graphql::Request::new(ROOM_SUBSCRIPTION)
        .variables(async_graphql::Variables::from_json(json!({"r": room})))
        .data(signed_in(user));
    Box::pin(app.schema.execute_stream(request))
}

#[tokio::test]
async fn a_room_subscriber_that_falls_behind_catches_up_from_the_store() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let room = create_room(&app, &alice, "Launch party").await;
    join(&app, &bob, &room).await;
    let mut stream = room_stream(&app, &bob, &room);
    assert!(
        tokio::time::timeout(QUIET, stream.next()).await.is_err(),
        "nothing to deliver yet"
    );
    assert_eq!(app.services.broker.stats().subscriptions, 1);

    let burst = herald::broker::SUBSCRIBER_BUFFER * 3;
    for i in 0..burst {
        send(&app, &alice, &room, &format!("m{i}")).await;
    }
    let mut received = Vec::new();
    for _ in 0..burst {
        let response = tokio::time::timeout(WAIT, stream.next())
            .await
            .unwrap()
            .unwrap();
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().unwrap();
        received.push(data["chatMessages"]["id"].as_str().unwrap().to_owned());
    }
    assert!(
        tokio::time::timeout(QUIET, stream.next()).await.is_err(),
        "no duplicates after the catch-up"
    );
    let stored: Vec<String> = history(&app, &alice, &room, Some(200), None)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(received, stored);
}

#[tokio::test]
async fn a_lagging_subscription_ends_if_its_member_left_and_rejoined_meanwhile() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let room = create_room(&app, &alice, "Launch party").await;
    join(&app, &bob, &room).await;
    let mut stream = room_stream(&app, &bob, &room);
    assert!(tokio::time::timeout(QUIET, stream.next()).await.is_err());
    assert_eq!(app.services.broker.stats().subscriptions, 1);

    // Bob leaves and joins again while his subscription is not read, and
    // enough messages follow that the leave event itself is overflowed.
    let burst = herald::broker::SUBSCRIBER_BUFFER * 2;
    leave(&app, &bob, &room).await;
    join(&app, &bob, &room).await;
    for i in 0..burst {
        send(&app, &alice, &room, &format!("m{i}")).await;
    }
    // The re-read of the store sees that the membership the subscription
    // was opened under has ended: the stream ends without a message.
    let next = tokio::time::timeout(WAIT, stream.next())
        .await
        .expect("the stream should end");
    assert!(next.is_none(), "got {next:?}");
    wait_for_subscriptions(&app, 0).await;
}

#[test]
fn the_schema_has_the_chat_contract() {
    let sdl = herald::graphql::sdl();
    for needle in [
        "type ChatRoom {",
        "type ChatMessage {",
        "members(first: Int): [User!]!",
        "room: ChatRoom!",
        "author: User!",
        "chatMessages(roomId: ID!, last: Int, before: String): [ChatMessage!]!",
        "createChatRoom(name: String!): ChatRoom!",
        "joinChatRoom(roomId: ID!): ChatRoom!",
        "leaveChatRoom(roomId: ID!): ChatRoom!",
        "sendChatMessage(roomId: ID!, body: String!): ChatMessage!",
        "chatMessages(roomId: ID!, after: ID): ChatMessage!",
        "CHAT_MENTION",
        "chatMessage: ChatMessage",
    ] {
        assert!(sdl.contains(needle), "missing from the schema: {needle}");
    }
}

/// A broker that counts what is published through it, around the real one.
struct CountingBroker {
    inner: std::sync::Arc<dyn herald::broker::Broker>,
    published: std::sync::Mutex<Vec<herald::broker::Event>>,
}

#[async_trait::async_trait]
impl herald::broker::Broker for CountingBroker {
    async fn publish(&self, events: Vec<herald::broker::Event>) {
        self.published
            .lock()
            .unwrap()
            .extend(events.iter().cloned());
        self.inner.publish(events).await;
    }
    async fn subscribe(
        &self,
        topic: herald::broker::Topic,
    ) -> anyhow::Result<herald::broker::Subscription> {
        self.inner.subscribe(topic).await
    }
    fn stats(&self) -> herald::broker::BrokerStats {
        self.inner.stats()
    }
    async fn ready(&self) -> bool {
        self.inner.ready().await
    }
}

#[tokio::test]
async fn a_message_is_published_once_however_many_members_listen() {
    use herald::broker::Event;
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let room = create_room(&app, &alice, "Launch party").await;
    let mut members = Vec::new();
    for name in ["Bob", "Carol", "Dave"] {
        let user = app.sign_up(name).await;
        join(&app, &user, &room).await;
        members.push(user);
    }
    let counting = std::sync::Arc::new(CountingBroker {
        inner: app.services.broker.clone(),
        published: Default::default(),
    });
    let mut services = app.services.clone();
    services.broker = counting.clone();
    let schema = herald::graphql::build_schema(services);
    let mut streams = Vec::new();
    for user in members.iter().chain([&alice]) {
        let request = async_graphql::Request::new(ROOM_SUBSCRIPTION)
            .variables(async_graphql::Variables::from_json(json!({"r": room})))
            .data(signed_in(user));
        let mut stream = Box::pin(schema.execute_stream(request));
        assert!(tokio::time::timeout(QUIET, stream.next()).await.is_err());
        streams.push(stream);
    }
    assert_eq!(app.services.broker.stats().subscriptions, 4);

    let response = schema
        .execute(
            async_graphql::Request::new(SEND)
                .variables(async_graphql::Variables::from_json(
                    json!({"r": room, "b": "hello @Bob and @carol"}),
                ))
                .data(signed_in(&alice)),
        )
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    for stream in &mut streams {
        let delivered = tokio::time::timeout(WAIT, stream.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            delivered.data.into_json().unwrap()["chatMessages"]["body"],
            "hello @Bob and @carol"
        );
    }
    let published = counting.published.lock().unwrap();
    let messages = published
        .iter()
        .filter(|e| matches!(e, Event::ChatMessage(_)))
        .count();
    let mentions = published
        .iter()
        .filter(|e| matches!(e, Event::Notification(_)))
        .count();
    assert_eq!(messages, 1, "one event for the room, not one per member");
    assert_eq!(mentions, 2, "one notification per mentioned member");
}

/// A minimal reader of the SSE transport (`/graphql/stream`): the frames
/// of one streaming response, as (event, data, id).
struct SseStream {
    body: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>,
    >,
    buffer: String,
}

#[derive(Debug, PartialEq)]
enum SseRead {
    Event {
        event: String,
        data: Value,
        id: Option<String>,
    },
    Ended,
}

impl SseStream {
    async fn open(request: reqwest::RequestBuilder) -> SseStream {
        let response = request
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        SseStream {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        }
    }

    /// The next event (frames without an event, such as keep-alive
    /// comments, are skipped), or the end of the response.
    async fn next(&mut self) -> SseRead {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut event, mut data, mut id) = (None, String::new(), None);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_owned());
                    }
                }
                if let Some(event) = event {
                    let data = if data.is_empty() {
                        Value::Null
                    } else {
                        serde_json::from_str(&data).unwrap()
                    };
                    return SseRead::Event { event, data, id };
                }
                continue;
            }
            match tokio::time::timeout_at(deadline, self.body.next())
                .await
                .expect("the stream went silent")
            {
                None => return SseRead::Ended,
                Some(chunk) => {
                    let chunk = chunk.unwrap();
                    let text = std::str::from_utf8(&chunk).unwrap().replace("\r\n", "\n");
                    self.buffer.push_str(&text);
                }
            }
        }
    }

    /// The next chat message and its event id.
    async fn next_message(&mut self) -> (Value, String) {
        match self.next().await {
            SseRead::Event {
                event,
                data,
                id: Some(id),
            } if event == "next" => {
                assert!(data.get("errors").is_none(), "{data}");
                (data["data"]["chatMessages"].clone(), id)
            }
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

fn room_stream_request(app: &TestApp, user: &TestUser, room: &str) -> reqwest::RequestBuilder {
    app.http
        .post(app.url("/graphql/stream"))
        .bearer_auth(&user.token)
        .json(&json!({"query": ROOM_SUBSCRIPTION, "variables": {"r": room}}))
}

#[tokio::test]
async fn the_sse_transport_carries_room_messages_resumes_and_completes_on_leave() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let carol = app.sign_up("Carol").await;
    let room = create_room(&app, &alice, "Launch party").await;
    join(&app, &bob, &room).await;

    let mut sse = SseStream::open(room_stream_request(&app, &bob, &room)).await;
    wait_for_subscriptions(&app, 1).await;
    let first = send(&app, &alice, &room, "first").await;
    let (message, id) = sse.next_message().await;
    assert_eq!(message["body"], "first");
    assert_eq!(
        id,
        first["id"].as_str().unwrap(),
        "the event id is the message id"
    );

    // The connection drops; two messages are sent meanwhile; the client
    // reconnects with the last id it saw and gets exactly those, then live.
    drop(sse);
    wait_for_subscriptions(&app, 0).await;
    send(&app, &alice, &room, "second").await;
    send(&app, &alice, &room, "third").await;
    let mut sse =
        SseStream::open(room_stream_request(&app, &bob, &room).header("Last-Event-ID", &id)).await;
    assert_eq!(sse.next_message().await.0["body"], "second");
    assert_eq!(sse.next_message().await.0["body"], "third");
    wait_for_subscriptions(&app, 1).await;
    send(&app, &alice, &room, "fourth").await;
    assert_eq!(sse.next_message().await.0["body"], "fourth");

    // Leaving completes the stream.
    leave(&app, &bob, &room).await;
    match sse.next().await {
        SseRead::Event { event, .. } => assert_eq!(event, "complete"),
        other => panic!("expected complete, got {other:?}"),
    }
    assert_eq!(sse.next().await, SseRead::Ended);

    // A non-member's stream is one error, then the end.
    let mut refused = SseStream::open(room_stream_request(&app, &carol, &room)).await;
    match refused.next().await {
        SseRead::Event { event, data, .. } => {
            assert_eq!(event, "next");
            assert_eq!(error_code(&data), "FORBIDDEN");
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(app.services.broker.stats().subscriptions, 0);
}

/// A PostgreSQL database of this test's own, created from
/// `HERALD_TEST_DATABASE_URL` and dropped when this is dropped.
#[cfg(herald_pg)]
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

#[cfg(herald_pg)]
impl PgDatabase {
    async fn create() -> PgDatabase {
        use sqlx::Connection;
        let admin_url = std::env::var("HERALD_TEST_DATABASE_URL")
            .expect("HERALD_TEST_DATABASE_URL must be set to run PostgreSQL tests");
        let name = format!("herald_chat_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to HERALD_TEST_DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let (base, query) = admin_url.split_once('?').unwrap_or((&admin_url, ""));
        let scheme_end = base.find("://").expect("a URL with a scheme") + 3;
        let authority_end = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        let mut url = format!("{}/{name}", &base[..authority_end]);
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        PgDatabase {
            admin_url,
            name,
            url,
        }
    }
}

#[cfg(herald_pg)]
impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // The test's runtime cannot block on a future inside `drop`.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(async move {
                    use sqlx::Connection;
                    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await?;
                    admin.close().await
                })
        })
        .join();
    }
}

/// On PostgreSQL, members sending at the same time are delivered to every
/// subscriber exactly once, in the order the history holds (ids follow
/// commit order per room), and mentions and leaving work as on SQLite.
#[cfg_attr(not(herald_pg), ignore = "needs HERALD_TEST_DATABASE_URL")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_senders_on_postgresql_are_delivered_once_and_in_order() {
    #[cfg(herald_pg)]
    {
        let db = PgDatabase::create().await;
        let url = db.url.clone();
        let app = crate::helpers::spawn_app_with(|c| c.database_url = Some(url)).await;
        let alice = app.sign_up("Alice").await;
        let bob = app.sign_up("Bob").await;
        let room = create_room(&app, &alice, "Launch party").await;
        join(&app, &bob, &room).await;
        let mut alice_ws = app.ws(&alice.token).await;
        subscribe_room(&app, &mut alice_ws, "a", &room).await;
        let mut bob_ws = app.ws(&bob.token).await;
        subscribe_room(&app, &mut bob_ws, "b", &room).await;

        let per_sender = 40;
        let senders: Vec<_> = [(&alice, "alice"), (&bob, "bob")]
            .into_iter()
            .map(|(user, name)| {
                let http = app.http.clone();
                let url = app.url("/graphql");
                let token = user.token.clone();
                let room = room.clone();
                tokio::spawn(async move {
                    for i in 0..per_sender {
                        let body: Value = http
                            .post(&url)
                            .bearer_auth(&token)
                            .json(&json!({"query": SEND, "variables": {"r": room, "b": format!("{name} {i}")}}))
                            .send()
                            .await
                            .unwrap()
                            .json()
                            .await
                            .unwrap();
                        assert!(body["errors"].is_null(), "{body}");
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.await.unwrap();
        }
        let stored: Vec<String> = history(&app, &alice, &room, Some(200), None)
            .await
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(stored.len(), 2 * per_sender);
        for (ws, id) in [(&mut alice_ws, "a"), (&mut bob_ws, "b")] {
            let mut received = Vec::new();
            for _ in 0..stored.len() {
                received.push(
                    next_message(ws, id).await["id"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
            assert_eq!(received, stored);
            ws.assert_quiet().await;
        }

        send(&app, &alice, &room, "@bob the cake").await;
        let inbox = app.inbox(&bob).await;
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].1, "CHAT_MENTION");
        assert!(app.inbox(&alice).await.is_empty());
        let _ = next_message(&mut bob_ws, "b").await;
        leave(&app, &bob, &room).await;
        let done = bob_ws.recv().await;
        assert_eq!(done, json!({"id": "b", "type": "complete"}));
    }
}
