//! Live chat rooms over real sockets: members receive each other's
//! messages live and in order, non-members are refused everywhere, history
//! pages backwards, leaving ends the subscription, and a mention notifies
//! exactly the member it names.

use reqwest::StatusCode;
use serde_json::json;

use crate::kit::{
    DirectStream, HISTORY, ROOM_SUBSCRIPTION, SEND_MESSAGE, TestApp, TestUser, error_code,
    refused_code, shared_room, signed_in, spawn_app, sse::SseClient, wait_for_subscriptions,
};

/// Bob joins Alice's room; asserts that both are members, Alice first.
async fn bob_joins(app: &TestApp, alice: &TestUser, bob: &TestUser, room: &str) {
    assert_eq!(
        app.join_room(bob, room).await,
        [alice.id.clone(), bob.id.clone()]
    );
}

#[tokio::test]
async fn two_members_receive_each_others_messages_live_and_in_send_order() {
    let (app, alice, bob, room) = shared_room().await;
    bob_joins(&app, &alice, &bob, &room).await;

    let mut alice_ws = app.room_ws(&alice, "a", &room).await;
    let mut bob_ws = app.room_ws(&bob, "b", &room).await;
    // Both subscriptions listen on the room's one topic.
    assert_eq!(app.services.broker.stats().topics, 1);

    let mut sent = Vec::new();
    for i in 0..10 {
        let (author, name) = if i % 2 == 0 {
            (&alice, "Alice")
        } else {
            (&bob, "Bob")
        };
        let message = app
            .send_message(author, &room, &format!("message {i}"))
            .await;
        assert_eq!(message["author"]["name"], name);
        assert_eq!(message["room"]["name"], "Launch party");
        sent.push((message["id"].as_str().unwrap().to_owned(), name));
    }
    for (ws, id) in [(&mut alice_ws, "a"), (&mut bob_ws, "b")] {
        for (i, (message_id, author)) in sent.iter().enumerate() {
            let got = ws.next_message(id).await;
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
    let (app, alice, bob, room) = shared_room().await;
    app.join_room(&bob, &room).await;

    let mut ws = app.ws_raw("graphql-ws").await;
    ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", bob.token)}}))
        .await;
    assert_eq!(ws.recv().await["type"], "connection_ack");
    ws.send(json!({"id": "1", "type": "start", "payload": {"query": ROOM_SUBSCRIPTION, "variables": {"r": room}}}))
        .await;
    wait_for_subscriptions(&app, 1).await;
    app.send_message(&alice, &room, "hello Bob").await;
    let data = ws.recv().await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["id"], "1");
    assert_eq!(data["payload"]["data"]["chatMessages"]["body"], "hello Bob");

    // Leaving completes the subscription in this protocol too.
    app.leave_room(&bob, &room).await;
    let done = ws.recv().await;
    assert_eq!(done["type"], "complete", "{done}");
    assert_eq!(done["id"], "1");
}

#[tokio::test]
async fn a_non_member_is_refused_everywhere() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let carol = app.sign_up("Carol").await;
    let room = app.create_room(&alice, "Launch party").await;
    app.send_message(&alice, &room, "members only").await;

    assert_eq!(
        app.code_of(
            Some(&carol.token),
            SEND_MESSAGE,
            json!({"r": room, "b": "let me in"})
        )
        .await,
        "FORBIDDEN"
    );
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
    assert_eq!(
        app.code_of(None, SEND_MESSAGE, json!({"r": room, "b": "hi"}))
            .await,
        "UNAUTHENTICATED"
    );
    let body = app.gql(None, HISTORY, json!({"r": room})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");

    // Carol's attempt was not stored.
    let stored: Vec<String> = app
        .history(&alice, &room, None, None)
        .await
        .into_iter()
        .map(|(_, body)| body)
        .collect();
    assert_eq!(stored, ["members only"]);

    // A former member is a non-member too.
    app.join_room(&carol, &room).await;
    app.leave_room(&carol, &room).await;
    assert_eq!(
        app.code_of(
            Some(&carol.token),
            SEND_MESSAGE,
            json!({"r": room, "b": "back?"})
        )
        .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.code_of(Some(&carol.token), HISTORY, json!({"r": room}))
            .await,
        "FORBIDDEN"
    );
    ws.subscribe("d", ROOM_SUBSCRIPTION, json!({"r": room}))
        .await;
    assert_eq!(refused_code(&mut ws, "d").await, "FORBIDDEN");
}

#[tokio::test]
async fn history_pages_backwards_oldest_first_within_a_page() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let room = app.create_room(&alice, "Launch party").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let message = app.send_message(&alice, &room, &format!("m{i}")).await;
        ids.push(message["id"].as_str().unwrap().to_owned());
    }
    let bodies = |page: Vec<(String, String)>| -> Vec<String> {
        page.into_iter().map(|(_, body)| body).collect()
    };

    let all = app.history(&alice, &room, None, None).await;
    assert_eq!(all.iter().map(|m| m.0.clone()).collect::<Vec<_>>(), ids);

    let page = app.history(&alice, &room, Some(3), None).await;
    assert_eq!(bodies(page.clone()), ["m4", "m5", "m6"]);
    let page = app.history(&alice, &room, Some(3), Some(&page[0].0)).await;
    assert_eq!(bodies(page.clone()), ["m1", "m2", "m3"]);
    let page = app.history(&alice, &room, Some(3), Some(&page[0].0)).await;
    assert_eq!(bodies(page.clone()), ["m0"]);
    let page = app.history(&alice, &room, Some(3), Some(&page[0].0)).await;
    assert!(page.is_empty());
    assert!(app.history(&alice, &room, Some(0), None).await.is_empty());

    // Another room's messages never show up.
    let other = app.create_room(&alice, "Elsewhere").await;
    app.send_message(&alice, &other, "elsewhere").await;
    assert_eq!(app.history(&alice, &room, None, None).await.len(), 7);
}

#[tokio::test]
async fn history_serves_50_by_default_and_at_most_200() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let room = app.create_room(&alice, "Launch party").await;
    for i in 0..60 {
        app.send_message(&alice, &room, &format!("m{i}")).await;
    }
    let page = app.history(&alice, &room, None, None).await;
    assert_eq!(page.len(), 50);
    assert_eq!(page[0].1, "m10");
    assert_eq!(page[49].1, "m59");
    assert_eq!(app.history(&alice, &room, Some(200), None).await.len(), 60);
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
    let (app, alice, bob, room) = shared_room().await;
    bob_joins(&app, &alice, &bob, &room).await;
    // Joining again changes nothing.
    bob_joins(&app, &alice, &bob, &room).await;

    let mut alice_ws = app.room_ws(&alice, "a", &room).await;
    let mut bob_ws = app.room_ws(&bob, "one", &room).await;
    bob_ws.subscribe_room(&app, "two", &room).await;
    app.send_message(&alice, &room, "before").await;
    assert_eq!(alice_ws.next_message("a").await["body"], "before");
    let mut got = [bob_ws.recv().await, bob_ws.recv().await];
    got.sort_by_key(|m| m["id"].as_str().unwrap().to_owned());
    for (message, id) in got.iter().zip(["one", "two"]) {
        assert_eq!(message["id"], id);
        assert_eq!(message["payload"]["data"]["chatMessages"]["body"], "before");
    }

    assert_eq!(app.leave_room(&bob, &room).await, [alice.id.as_str()]);
    let mut completed = Vec::new();
    for _ in 0..2 {
        let message = bob_ws.recv().await;
        assert_eq!(message["type"], "complete", "{message}");
        completed.push(message["id"].as_str().unwrap().to_owned());
    }
    completed.sort();
    assert_eq!(completed, ["one", "two"]);
    wait_for_subscriptions(&app, 1).await;

    app.send_message(&alice, &room, "after").await;
    assert_eq!(alice_ws.next_message("a").await["body"], "after");
    bob_ws.assert_quiet().await;
    alice_ws.assert_quiet().await;

    // Leaving again changes nothing and ends nothing else.
    assert_eq!(app.leave_room(&bob, &room).await, [alice.id.as_str()]);
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
    let room = app.create_room(&alice, "Launch party").await;
    app.join_room(&bob, &room).await;
    app.join_room(&dave, &room).await;
    // Carol is not a member.

    let mut bob_ws = app.ws(&bob.token).await;
    bob_ws.subscribe_notifications(&app, "n", &bob, None).await;
    let mut alice_ws = app.ws(&alice.token).await;
    alice_ws
        .subscribe_notifications(&app, "n", &alice, None)
        .await;

    let message = app
        .send_message(
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
    app.send_message(&bob, &room, "no mention here").await;
    app.send_message(&bob, &room, "note to @Bob: buy candles")
        .await;
    bob_ws.assert_quiet().await;
    alice_ws.assert_quiet().await;
    assert_eq!(app.inbox(&bob).await.len(), 1);
    assert!(app.inbox(&alice).await.is_empty());
}

#[tokio::test]
async fn bad_input_and_unknown_rooms_are_refused() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let room = app.create_room(&alice, "Launch party").await;

    for body in ["", "   \n ", &"x".repeat(2_001)] {
        let response = app
            .gql(
                Some(&alice.token),
                SEND_MESSAGE,
                json!({"r": room, "b": body}),
            )
            .await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        assert_eq!(response["errors"][0]["extensions"]["field"], "body");
    }
    let longest = "é".repeat(2_000);
    assert_eq!(
        app.send_message(&alice, &room, &longest).await["body"],
        longest
    );
    let stored = app.history(&alice, &room, None, None).await;
    assert_eq!(stored.len(), 1, "only the valid message was stored");

    assert_eq!(
        app.code_of(
            Some(&alice.token),
            "mutation { createChatRoom(name: \" \") { id } }",
            json!({})
        )
        .await,
        "BAD_USER_INPUT"
    );

    let unknown = "999999";
    for (query, variables) in [
        (SEND_MESSAGE, json!({"r": unknown, "b": "hi"})),
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
    let (app, alice, bob, room) = shared_room().await;
    app.join_room(&bob, &room).await;
    let first = app.send_message(&alice, &room, "m0").await;
    for i in 1..4 {
        app.send_message(&alice, &room, &format!("m{i}")).await;
    }
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe(
        "r",
        ROOM_SUBSCRIPTION,
        json!({"r": room, "after": first["id"]}),
    )
    .await;
    for i in 1..4 {
        assert_eq!(ws.next_message("r").await["body"], format!("m{i}"));
    }
    app.send_message(&alice, &room, "m4").await;
    assert_eq!(ws.next_message("r").await["body"], "m4");
    ws.assert_quiet().await;
}

/// Bob, a member of the room, with a room subscription driven directly
/// through the schema, so that the test can stop reading it.
async fn bob_streams_the_room() -> (TestApp, TestUser, TestUser, String, DirectStream) {
    let (app, alice, bob, room) = shared_room().await;
    app.join_room(&bob, &room).await;
    let stream = app
        .direct_stream(&bob, ROOM_SUBSCRIPTION, json!({"r": room}))
        .await;
    (app, alice, bob, room, stream)
}

#[tokio::test]
async fn a_room_subscriber_that_falls_behind_catches_up_from_the_store() {
    let (app, alice, _, room, mut stream) = bob_streams_the_room().await;
    let burst = herald::broker::SUBSCRIBER_BUFFER * 3;
    for i in 0..burst {
        app.send_message(&alice, &room, &format!("m{i}")).await;
    }
    let received = stream.next_ids("chatMessages", burst).await;
    // No duplicates after the catch-up.
    stream.assert_quiet().await;
    assert_eq!(received, app.history_ids(&alice, &room).await);
}

#[tokio::test]
async fn a_lagging_subscription_ends_if_its_member_left_and_rejoined_meanwhile() {
    let (app, alice, bob, room, mut stream) = bob_streams_the_room().await;

    // Bob leaves and joins again while his subscription is not read, and
    // enough messages follow that the leave event itself is overflowed.
    let burst = herald::broker::SUBSCRIBER_BUFFER * 2;
    app.leave_room(&bob, &room).await;
    app.join_room(&bob, &room).await;
    for i in 0..burst {
        app.send_message(&alice, &room, &format!("m{i}")).await;
    }
    // The re-read of the store sees that the membership the subscription
    // was opened under has ended: the stream ends without a message.
    stream.assert_ends().await;
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
    fn router(&self) -> &std::sync::Arc<herald::broker::LocalRouter> {
        self.inner.router()
    }
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    async fn subscribe(
        &self,
        topic: herald::broker::Topic,
    ) -> anyhow::Result<herald::broker::Subscription> {
        self.inner.subscribe(topic).await
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
    let room = app.create_room(&alice, "Launch party").await;
    let mut members = Vec::new();
    for name in ["Bob", "Carol", "Dave"] {
        let user = app.sign_up(name).await;
        app.join_room(&user, &room).await;
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
        let variables = json!({"r": room});
        let stream = DirectStream::start(&app, &schema, user, ROOM_SUBSCRIPTION, variables);
        streams.push(stream.await);
    }
    assert_eq!(app.services.broker.stats().subscriptions, 4);

    let response = schema
        .execute(
            async_graphql::Request::new(SEND_MESSAGE)
                .variables(async_graphql::Variables::from_json(
                    json!({"r": room, "b": "hello @Bob and @carol"}),
                ))
                .data(signed_in(&alice)),
        )
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    for stream in &mut streams {
        assert_eq!(
            stream.next_data().await["chatMessages"]["body"],
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
    let room = app.create_room(&alice, "Launch party").await;
    app.join_room(&bob, &room).await;

    let mut sse = SseClient::open(room_stream_request(&app, &bob, &room)).await;
    assert_eq!(sse.status, StatusCode::OK);
    wait_for_subscriptions(&app, 1).await;
    let first = app.send_message(&alice, &room, "first").await;
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
    app.send_message(&alice, &room, "second").await;
    app.send_message(&alice, &room, "third").await;
    let mut sse =
        SseClient::open(room_stream_request(&app, &bob, &room).header("Last-Event-ID", &id)).await;
    assert_eq!(sse.status, StatusCode::OK);
    assert_eq!(sse.next_message().await.0["body"], "second");
    assert_eq!(sse.next_message().await.0["body"], "third");
    wait_for_subscriptions(&app, 1).await;
    app.send_message(&alice, &room, "fourth").await;
    assert_eq!(sse.next_message().await.0["body"], "fourth");

    // Leaving completes the stream.
    app.leave_room(&bob, &room).await;
    sse.expect_complete_then_end().await;

    // A non-member's stream is one error, then the end.
    let mut refused = SseClient::open(room_stream_request(&app, &carol, &room)).await;
    assert_eq!(refused.status, StatusCode::OK);
    let (result, _) = refused.next_result().await;
    assert_eq!(error_code(&result), "FORBIDDEN");
    refused.expect_complete_then_end().await;
    assert_eq!(app.services.broker.stats().subscriptions, 0);
}
