//! The subscription engine against async-graphql's own execution: for
//! every `notifications` document clients send (the README's, the
//! playground's, the tests') and variations of their shapes (aliases,
//! fragments, `__typename`, variables, `@include`/`@skip`, fields that
//! read who is asking, field errors), the engine's payloads are byte for
//! byte those async-graphql writes for the same events, live and resumed.

use std::{sync::Arc, time::Duration};

use async_graphql::Executor;
use futures_util::StreamExt;
use herald::graphql::{HeraldExecutor, Loaders, engine::Delivery};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::kit::{
    ROOM_SUBSCRIPTION, TestApp, TestUser, WAIT, shared_card, shared_room, signed_in,
    wait_for_subscriptions,
};

const FIELDS: &str = "id cursor kind type message link data createdAt readAt groupKey";

/// The corpus: (operation name, document, variables besides `$u`).
fn corpus(me: &str) -> Vec<(Option<&'static str>, String, Value)> {
    let literal = |selection: &str| {
        format!("subscription {{ notifications(userId: \"{me}\") {{ {selection} }} }}")
    };
    let with_u = |selection: &str| {
        format!("subscription($u: ID!) {{ notifications(userId: $u) {{ {selection} }} }}")
    };
    let none = json!({});
    vec![
        // The README's.
        (None, literal("id cursor kind message actor { name } card { title } createdAt"), none.clone()),
        (
            None,
            "subscription($u: ID!, $after: String) { notifications(userId: $u, after: $after) { cursor message } }".into(),
            none.clone(),
        ),
        (None, with_u("id kind message createdAt"), none.clone()),
        // The playground's GraphiQL tab and the inbox's fragment.
        (
            Some("Notifications"),
            "subscription Notifications($userId: ID!, $after: String) {\n  notifications(userId: $userId, after: $after) {\n    id\n    cursor\n    kind\n    message\n    actor { name }\n    createdAt\n  }\n}".into(),
            none.clone(),
        ),
        (
            None,
            "subscription($u: ID!) { notifications(userId: $u) { ...NotificationFields } } \
             fragment NotificationFields on Notification { id cursor kind message createdAt readAt \
             actor { id name } card { id title board { id name } } post { id imageUrl caption } }".into(),
            none.clone(),
        ),
        // The tests' and herald-load's.
        (None, with_u("id cursor kind message actor { name } card { title }"), none.clone()),
        (None, with_u("message"), none.clone()),
        (None, with_u(FIELDS), none.clone()),
        // Shapes: aliases, __typename, inline fragments, nesting.
        (
            None,
            format!("subscription($u: ID!) {{ feed: notifications(userId: $u) {{ __typename a: id b: id c: cursor ... on Notification {{ kind t: __typename }} {FIELDS} }} }}"),
            none.clone(),
        ),
        (
            None,
            with_u("id comment { id body author { name } card { title } } card { id title assignees { name } board { name owner { name } } }"),
            none.clone(),
        ),
        // Variables the selection uses, both ways.
        (
            None,
            "subscription($u: ID!, $full: Boolean!) { notifications(userId: $u) { id message actor @include(if: $full) { name } card @skip(if: $full) { title } } }".into(),
            json!({"full": true}),
        ),
        (
            None,
            "subscription($u: ID!, $full: Boolean!) { notifications(userId: $u) { id message actor @include(if: $full) { name } card @skip(if: $full) { title } } }".into(),
            json!({"full": false}),
        ),
        (
            None,
            "subscription($u: ID!, $n: Int) { notifications(userId: $u) { id actor { followers(first: $n) { name } } } }".into(),
            json!({"n": 2}),
        ),
        // Fields whose value depends on who asks.
        (None, with_u("id actor { name email } card { board { name muted } }"), none.clone()),
        // A field error in every payload.
        (None, with_u("id actor { followers(first: 1000) { name } }"), none.clone()),
        // Several operations, one picked by name.
        (
            Some("Mine"),
            format!("query Other {{ me {{ id }} }} subscription Mine($u: ID!) {{ notifications(userId: $u) {{ {FIELDS} }} }}"),
            none,
        ),
    ]
}

struct Streams {
    reference: mpsc::UnboundedReceiver<String>,
    engine: mpsc::UnboundedReceiver<(bool, String)>,
    tasks: [tokio::task::JoinHandle<()>; 2],
}

impl Drop for Streams {
    /// Unsubscribes both.
    fn drop(&mut self) {
        self.tasks.iter().for_each(|task| task.abort());
    }
}

/// Runs one document for `user` through both executors; their payloads
/// arrive on the returned channels as JSON text.
fn run_both(
    reference: &HeraldExecutor,
    engine: &HeraldExecutor,
    user: &TestUser,
    (operation, query, variables): &(Option<&'static str>, String, Value),
    after: Option<&str>,
) -> Streams {
    let mut variables = variables.clone();
    variables["u"] = json!(user.id);
    variables["userId"] = json!(user.id);
    if let Some(after) = after {
        variables["after"] = json!(after);
    }
    let request = || {
        let mut request = async_graphql::Request::new(query.clone())
            .variables(async_graphql::Variables::from_json(variables.clone()))
            .data(signed_in(user));
        if let Some(operation) = operation {
            request = request.operation_name(*operation);
        }
        request
    };
    let (reference_tx, reference_rx) = mpsc::unbounded_channel();
    let mut results = reference.execute_stream(request(), None);
    let reference_task = tokio::spawn(async move {
        while let Some(response) = results.next().await {
            if reference_tx
                .send(serde_json::to_string(&response).unwrap())
                .is_err()
            {
                break;
            }
        }
    });
    let (engine_tx, engine_rx) = mpsc::unbounded_channel();
    let mut deliveries = engine.subscribe(request(), None);
    let engine_task = tokio::spawn(async move {
        while let Some(delivery) = deliveries.next().await {
            let sent = match delivery {
                Delivery::Rendered(rendered) => (true, rendered.payload()),
                Delivery::Response(response) => (false, serde_json::to_string(&response).unwrap()),
            };
            if engine_tx.send(sent).is_err() {
                break;
            }
        }
    });
    Streams {
        reference: reference_rx,
        engine: engine_rx,
        tasks: [reference_task, engine_task],
    }
}

fn executors(app: &TestApp) -> (HeraldExecutor, HeraldExecutor) {
    let limits = &app.services.config.limits;
    let reference = HeraldExecutor::new(app.schema.clone(), limits);
    let engine = HeraldExecutor::new(app.schema.clone(), limits).with_engine(
        app.services.clone(),
        Arc::new(Loaders::new(app.services.store.clone())),
    );
    (reference, engine)
}

/// async-graphql orders an object's fields by which resolver finished
/// first (`FuturesUnordered` in its `do_resolve_container`), not by the
/// selection: two of its own runs of a selection whose fields wait on the
/// store can differ in key order. Payloads are the same bytes, or the
/// same JSON apart from that order; the counts say how many were which.
#[derive(Debug, Default)]
struct Compared {
    same_bytes: usize,
    same_json: usize,
}

impl Compared {
    fn check(&mut self, got: &str, expected: &str, label: &str) {
        if got == expected {
            self.same_bytes += 1;
            return;
        }
        let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap();
        assert_eq!(parse(got), parse(expected), "{label}");
        self.same_json += 1;
    }
}

/// Waits until the engine runs no subscription: none leaked.
async fn engine_idle(engine: &HeraldExecutor) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while engine.engine_stats().unwrap().live != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "subscriptions leaked"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>, label: &str) -> T {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .unwrap_or_else(|_| panic!("no payload in time: {label}"))
        .unwrap_or_else(|| panic!("the stream ended: {label}"))
}

/// Alice's changes that notify both Bob and Carol (one fan-out each),
/// and Bob alone.
async fn notify(app: &TestApp, alice: &TestUser, card: &str) {
    app.update_title(alice, card, "Ship v2").await;
    app.ok(
        Some(&alice.token),
        "mutation($c: ID!) { addComment(cardId: $c, body: \"Looks good, @Bob\") { id } }",
        json!({"c": card}),
    )
    .await;
    app.update_title(alice, card, "Ship \"v3\" <now>").await;
}

const EVENTS: usize = 3;

#[tokio::test]
async fn engine_payloads_are_async_graphqls_byte_for_byte() {
    let (app, alice, bob, board, card) = shared_card().await;
    let carol = app.sign_up("Carol").await;
    app.ok(
        Some(&alice.token),
        "mutation($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }",
        json!({"b": board, "u": carol.id}),
    )
    .await;
    app.assign(&alice, &card, &bob).await;
    app.assign(&alice, &card, &carol).await;
    app.ok(
        Some(&carol.token),
        "mutation($u: ID!) { follow(userId: $u) { id } }",
        json!({"u": alice.id}),
    )
    .await;
    let (reference, engine) = executors(&app);

    let mut streams = Vec::new();
    for user in [&bob, &carol] {
        for document in corpus(&user.id) {
            let label = format!("{} {}", user.id, document.1);
            streams.push((label, run_both(&reference, &engine, user, &document, None)));
        }
    }
    wait_for_subscriptions(&app, streams.len() * 2).await;
    notify(&app, &alice, &card).await;

    let mut rendered = 0;
    let mut compared = Compared::default();
    let mut bobs_first = None;
    for (label, streams) in &mut streams {
        for _ in 0..EVENTS {
            let expected = next(&mut streams.reference, &format!("reference {label}")).await;
            let (by_engine, got) = next(&mut streams.engine, &format!("engine {label}")).await;
            compared.check(&got, &expected, label);
            rendered += usize::from(by_engine);
            if bobs_first.is_none() {
                // The first document, for Bob, selects the cursor.
                let payload: Value = serde_json::from_str(&got).unwrap();
                bobs_first = payload["data"]["notifications"]["cursor"]
                    .as_str()
                    .map(str::to_owned);
            }
        }
    }
    // Every document of the corpus fits a plan.
    assert_eq!(rendered, streams.len() * EVENTS);
    let stats = engine.engine_stats().unwrap();
    assert_eq!(stats.live, streams.len());
    assert!(
        stats.shared > 0 && stats.renders < (streams.len() * EVENTS) as u64,
        "a fan-out's recipients share renders: {stats:?}"
    );

    // Resumed from the store (rows without the writer's subjects), from
    // the first of the three.
    let first_cursor = bobs_first.expect("Bob's first notification's cursor");
    let mut resumed = Vec::new();
    for document in corpus(&bob.id)
        .into_iter()
        .filter(|d| d.1.contains("$after"))
    {
        resumed.push((
            document.1.clone(),
            run_both(&reference, &engine, &bob, &document, Some(&first_cursor)),
        ));
    }
    assert!(!resumed.is_empty());
    for (label, streams) in &mut resumed {
        for _ in 1..EVENTS {
            let expected = next(&mut streams.reference, &format!("reference {label}")).await;
            let (by_engine, got) = next(&mut streams.engine, &format!("engine {label}")).await;
            compared.check(&got, &expected, label);
            assert!(by_engine);
        }
    }
    eprintln!("payloads compared: {compared:?}");
    assert!(compared.same_bytes > compared.same_json, "{compared:?}");
    drop(streams);
    drop(resumed);
    wait_for_subscriptions(&app, 0).await;
    engine_idle(&engine).await;
}

#[tokio::test]
async fn what_the_engine_cannot_run_async_graphql_runs_and_refuses_alike() {
    let (app, alice, bob, _board, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    let (reference, engine) = executors(&app);
    let documents: Vec<(Option<&'static str>, String, Value)> = vec![
        // Refusals: another user's stream, a bad cursor, a bad variable,
        // a field that does not exist.
        (None, format!("subscription {{ notifications(userId: \"{}\") {{ id }} }}", alice.id), json!({})),
        (None, "subscription($u: ID!) { notifications(userId: $u, after: \"nope\") { id } }".into(), json!({})),
        (None, "subscription($u: ID!, $n: Int) { notifications(userId: $u) { id } }".into(), json!({"n": "two"})),
        (None, "subscription($u: ID!) { notifications(userId: $u) { id nope } }".into(), json!({})),
        // Shapes the engine leaves to async-graphql.
        (
            None,
            format!("subscription {{ notifications(userId: {}) {{ id message }} }}", bob.id),
            json!({}),
        ),
        (None, "subscription($u: ID! = \"0\") { notifications(userId: $u) @skip(if: false) { id message } }".into(), json!({})),
    ];
    let mut streams = Vec::new();
    for document in &documents {
        streams.push((
            document.1.clone(),
            run_both(&reference, &engine, &bob, document, None),
        ));
    }
    // The refusals answer at once, and identically.
    for (label, streams) in streams.iter_mut().take(4) {
        let expected = next(&mut streams.reference, &format!("reference {label}")).await;
        let (by_engine, got) = next(&mut streams.engine, &format!("engine {label}")).await;
        assert!(!by_engine, "{label}");
        assert_eq!(got, expected, "{label}");
        assert!(expected.contains("\"errors\""), "{expected}");
    }
    wait_for_subscriptions(&app, 4).await;
    app.update_title(&alice, &card, "Ship v2").await;
    for (label, streams) in streams.iter_mut().skip(4) {
        let expected = next(&mut streams.reference, &format!("reference {label}")).await;
        let (by_engine, got) = next(&mut streams.engine, &format!("engine {label}")).await;
        assert!(!by_engine, "{label}");
        assert_eq!(got, expected, "{label}");
    }
    let stats = engine.engine_stats().unwrap();
    assert_eq!(stats.handed_over, documents.len() as u64, "{stats:?}");
}

#[tokio::test]
async fn subscriptions_that_come_and_go_leave_nothing_behind() {
    let (app, alice, bob, _board, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    let (_, engine) = executors(&app);
    const ROUNDS: u64 = 5;
    const SUBSCRIBERS: usize = 100;
    for round in 0..ROUNDS {
        let mut streams: Vec<_> = (0..SUBSCRIBERS)
            .map(|_| {
                let request = async_graphql::Request::new(
                    "subscription($u: ID!) { notifications(userId: $u) { id message } }",
                )
                .variables(async_graphql::Variables::from_json(json!({"u": bob.id})))
                .data(signed_in(&bob));
                let (tx, rx) = mpsc::unbounded_channel();
                let mut deliveries = engine.subscribe(request, None);
                let task = tokio::spawn(async move {
                    while let Some(delivery) = deliveries.next().await {
                        let Delivery::Rendered(rendered) = delivery else {
                            panic!("handed over");
                        };
                        if tx.send(rendered.payload()).is_err() {
                            break;
                        }
                    }
                });
                (rx, task)
            })
            .collect();
        wait_for_subscriptions(&app, SUBSCRIBERS).await;
        assert_eq!(engine.engine_stats().unwrap().live, SUBSCRIBERS);
        let title = format!("Round {round}");
        app.update_title(&alice, &card, &title).await;
        for (rx, _) in &mut streams {
            let payload: Value = serde_json::from_str(&next(rx, "a subscriber").await).unwrap();
            assert_eq!(
                payload["data"]["notifications"]["message"],
                format!("Alice updated the card “{title}”")
            );
        }
        for (_, task) in &streams {
            task.abort();
        }
        drop(streams);
        wait_for_subscriptions(&app, 0).await;
    }
    engine_idle(&engine).await;
    let stats = engine.engine_stats().unwrap();
    // One plan for the one operation; one render per event, which every
    // other subscriber of the round reused.
    assert_eq!(stats.plans, 1, "{stats:?}");
    assert_eq!(stats.renders, ROUNDS, "{stats:?}");
    assert_eq!(stats.shared, ROUNDS * (SUBSCRIBERS as u64 - 1), "{stats:?}");
    assert_eq!(stats.handed_over, 0, "{stats:?}");
}

#[tokio::test]
async fn chat_payloads_are_async_graphqls_byte_for_byte() {
    let (app, alice, bob, room) = shared_room().await;
    let carol = app.sign_up("Carol").await;
    let dave = app.sign_up("Dave").await;
    app.join_room(&bob, &room).await;
    app.join_room(&carol, &room).await;
    let (reference, engine) = executors(&app);
    // The tests' and the README's, then variations.
    let documents: Vec<(Option<&'static str>, String, Value)> = vec![
        (None, ROOM_SUBSCRIPTION.to_owned(), json!({"r": room})),
        (
            None,
            format!(
                "subscription {{ chatMessages(roomId: \"{room}\") {{ id body author {{ name }} createdAt }} }}"
            ),
            json!({}),
        ),
        (
            None,
            "subscription($r: ID!) { m: chatMessages(roomId: $r) { __typename id body createdAt \
             ...A } } fragment A on ChatMessage { author { id name email } }"
                .into(),
            json!({"r": room}),
        ),
        (
            None,
            "subscription($r: ID!, $full: Boolean!) { chatMessages(roomId: $r) { id body \
             room @include(if: $full) { name muted members { name } } } }"
                .into(),
            json!({"r": room, "full": true}),
        ),
        (
            None,
            format!("subscription {{ chatMessages(roomId: \"{room}\") {{ id body }} }}"),
            json!({}),
        ),
    ];
    let mut streams = Vec::new();
    for user in [&bob, &carol] {
        for document in &documents {
            let label = format!("{} {}", user.id, document.1);
            streams.push((label, run_both(&reference, &engine, user, document, None)));
        }
    }
    wait_for_subscriptions(&app, streams.len() * 2).await;
    let mut ids = Vec::new();
    for body in ["Hello", "Quotes \" and \\ and\nlines", "Ünïcödé ✓"] {
        ids.push(app.send_message(&alice, &room, body).await["id"].clone());
    }
    let mut compared = Compared::default();
    for (label, streams) in &mut streams {
        for _ in &ids {
            let expected = next(&mut streams.reference, &format!("reference {label}")).await;
            let (by_engine, got) = next(&mut streams.engine, &format!("engine {label}")).await;
            assert!(by_engine, "{label}");
            compared.check(&got, &expected, label);
        }
    }
    let stats = engine.engine_stats().unwrap();
    assert!(
        stats.shared > 0,
        "a room's members share renders: {stats:?}"
    );

    // Resumed after the first message: the other two, from the store.
    let first = ids[0].as_str().unwrap();
    let mut resumed = run_both(&reference, &engine, &bob, &documents[0], Some(first));
    for _ in 1..ids.len() {
        let expected = next(&mut resumed.reference, "reference resumed").await;
        let (by_engine, got) = next(&mut resumed.engine, "engine resumed").await;
        assert!(by_engine);
        compared.check(&got, &expected, "resumed");
    }
    eprintln!("chat payloads compared: {compared:?}");

    // Someone outside the room is refused alike, by async-graphql.
    let mut outsider = run_both(&reference, &engine, &dave, &documents[0], None);
    let expected = next(&mut outsider.reference, "reference outsider").await;
    let (by_engine, got) = next(&mut outsider.engine, "engine outsider").await;
    assert!(!by_engine);
    assert_eq!(got, expected);
    assert!(expected.contains("FORBIDDEN"), "{expected}");
}
