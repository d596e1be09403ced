//! Metrics as Prometheus scrapes them from the real binary: every family
//! after a real flow, where `/metrics` is served, and the Redis broker's
//! counters.

use herald::telemetry::metrics::FAMILIES;
use serde_json::json;
use sqlx::Connection;

use crate::kit::{TestUser, WsClient, error_code, process::HeraldProcess, refused_code, stores};

/// The families the flow below cannot move: on one process with the
/// in-memory broker nothing reconnects, no subscriber lags and there is no
/// outbox (the Redis test moves the first two), and nothing is old enough
/// for retention (its own test moves it). They must still be exported, at 0.
const NOT_MOVED_BY_THE_FLOW: &[&str] = &[
    "herald_broker_reconnects_total",
    "herald_resyncs_total",
    "herald_broker_outbox_depth",
    "herald_retention_deleted_total",
    "herald_pushes_total",
];

/// A cursor before any notification: `after` it, a subscription replays
/// everything from the store.
const FROM_THE_START: &str = "bjow";

/// Bob's graphql-transport-ws connection, subscribed to his notifications
/// as operation "1", once the server counts the subscription.
async fn listening(herald: &HeraldProcess, bob: &TestUser) -> WsClient {
    let mut ws = WsClient::connect(herald.addr, "graphql-transport-ws").await;
    ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", bob.token)}}))
        .await;
    assert_eq!(ws.recv().await["type"], "connection_ack");
    ws.subscribe(
        "1",
        crate::kit::NOTIFICATIONS_SUBSCRIPTION,
        json!({"u": bob.id}),
    )
    .await;
    herald
        .wait_for_metric("herald_subscriptions", &[("field", "notifications")], 1.0)
        .await;
    ws
}

#[tokio::test]
async fn every_family_moves_through_a_real_flow() {
    let herald = HeraldProcess::start(&["--max-subscriptions-per-connection", "1"]).await;
    let alice = herald.sign_up("Alice").await;
    let bob = herald.sign_up("Bob").await;
    let card = herald.shared_card(&alice, &bob).await;

    let mut ws = listening(&herald, &bob).await;
    herald.assign(&alice, &card, &bob).await;
    let live = ws.next_notification("1").await;
    assert_eq!(live["kind"], "CARD_ASSIGNED");
    let mut stream = herald
        .event_source(&bob, json!({"after": FROM_THE_START}))
        .await;
    let (replayed, _) = stream.next_notification().await;
    assert_eq!(replayed["id"], live["id"]);
    let inbox = herald
        .ok(
            Some(&bob.token),
            "query Inbox { notifications(first: 5) { edges { node { actor { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        inbox["notifications"]["edges"][0]["node"]["actor"]["name"],
        "Alice"
    );
    let deep = format!("{{ me {}{} }}", "{".repeat(70), "}".repeat(70));
    let refused = herald.gql(Some(&bob.token), &deep, json!({})).await;
    assert_eq!(error_code(&refused), "QUERY_TOO_DEEP");
    ws.subscribe(
        "2",
        crate::kit::NOTIFICATIONS_SUBSCRIPTION,
        json!({"u": bob.id}),
    )
    .await;
    assert_eq!(refused_code(&mut ws, "2").await, "TOO_MANY_SUBSCRIPTIONS");

    let scrape = herald.scrape().await;
    for &(family, kind, _) in FAMILIES {
        assert_eq!(scrape.types.get(family).map(String::as_str), Some(kind));
        if NOT_MOVED_BY_THE_FLOW.contains(&family) {
            assert_eq!(scrape.movement(family), 0.0, "{family}");
        } else {
            assert!(scrape.movement(family) > 0.0, "{family} did not move");
        }
    }
    let value = |name, labels: &[(&str, &str)]| scrape.value(name, labels);
    assert!(value("herald_connections", &[("transport", "websocket")]) >= 1.0);
    assert!(value("herald_connections", &[("transport", "sse")]) >= 1.0);
    assert_eq!(value("herald_notifications_written_total", &[]), 1.0);
    assert!(value("herald_deliveries_total", &[("path", "live")]) >= 1.0);
    assert!(value("herald_deliveries_total", &[("path", "store")]) >= 1.0);
    assert!(value("herald_broker_published_total", &[("broker", "memory")]) >= 1.0);
    // The live notification and its replay over SSE, each rendered once.
    assert!(value("herald_subscription_engine_total", &[("event", "rendered")]) >= 2.0);
    for query in ["by_ids", "page", "catch_up"] {
        assert!(
            value("herald_store_query_seconds_count", &[("query", query)]) >= 1.0,
            "{query}"
        );
    }
    for code in ["QUERY_TOO_DEEP", "TOO_MANY_SUBSCRIPTIONS"] {
        assert_eq!(
            value("herald_refusals_total", &[("code", code)]),
            1.0,
            "{code}"
        );
    }
    // The stream and the deep query are anonymous; a scrape is counted
    // by its route.
    for operation in ["SignUp", "Assign", "Inbox", "anonymous", "/metrics"] {
        assert!(
            value("herald_http_requests_total", &[("operation", operation)]) >= 1.0,
            "{operation}"
        );
    }
}

#[tokio::test]
async fn a_separate_metrics_listener_is_the_only_place_metrics_are_served() {
    let herald = HeraldProcess::start(&["--metrics-listen", "127.0.0.1:0"]).await;
    let metrics_addr = herald.metrics_addr.expect("a metrics address");
    assert_ne!(metrics_addr, herald.addr);
    assert_eq!(herald.get_metrics(herald.addr).await.0, 404);
    let (status, text) = herald.get_metrics(metrics_addr).await;
    assert_eq!(status, 200);
    assert!(text.contains("# TYPE herald_connections gauge"), "{text}");
}

#[tokio::test]
async fn metrics_turned_off_are_not_served() {
    let herald = HeraldProcess::start(&["--metrics", "false"]).await;
    herald.sign_up("Alice").await;
    assert_eq!(herald.get_metrics(herald.addr).await.0, 404);
}

#[tokio::test]
#[cfg_attr(not(herald_redis), ignore = "set HERALD_TEST_REDIS_URL")]
async fn the_redis_broker_counts_what_it_publishes_receives_and_reconnects() {
    let prefix = stores::unique_prefix();
    let broker = stores::redis_url();
    let herald = HeraldProcess::start(&["--broker", &broker, "--broker-prefix", &prefix]).await;
    let alice = herald.sign_up("Alice").await;
    let bob = herald.sign_up("Bob").await;
    let card = herald.shared_card(&alice, &bob).await;
    let mut ws = listening(&herald, &bob).await;
    herald.assign(&alice, &card, &bob).await;
    ws.next_notification("1").await;
    let redis = [("broker", "redis")];
    let scrape = herald
        .wait_for_metric("herald_broker_published_total", &redis, 1.0)
        .await;
    assert!(scrape.value("herald_broker_received_total", &redis) >= 1.0);
    assert_eq!(scrape.value("herald_broker_outbox_depth", &[]), 0.0);

    assert_eq!(stores::kill_redis_clients(&prefix).await, 1);
    herald
        .wait_for_metric("herald_broker_reconnects_total", &redis, 1.0)
        .await;
    herald
        .wait_for_metric("herald_resyncs_total", &[("reason", "broker")], 1.0)
        .await;
}

#[tokio::test]
async fn retention_counts_the_rows_it_deletes() {
    let mut first = HeraldProcess::start(&[]).await;
    let alice = first.sign_up("Alice").await;
    let bob = first.sign_up("Bob").await;
    let card = first.shared_card(&alice, &bob).await;
    first.assign(&alice, &card, &bob).await;
    first.stop().await;
    let data_dir = first.data_dir();
    drop(first);

    // Every notification the first run wrote, made older than a day.
    let url = format!("sqlite://{}", data_dir.path().join("herald.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let aged = sqlx::query("UPDATE notifications SET created_at = 0")
        .execute(&mut db)
        .await
        .unwrap()
        .rows_affected();
    assert!(aged >= 1);
    drop(db);

    let herald = HeraldProcess::start_in(data_dir, &["--retention-days", "1"]).await;
    let scrape = herald
        .wait_for_metric(
            "herald_retention_deleted_total",
            &[("kind", "notifications")],
            aged as f64,
        )
        .await;
    assert_eq!(
        scrape.value(
            "herald_retention_deleted_total",
            &[("kind", "notifications")]
        ),
        aged as f64
    );
    assert_eq!(
        scrape.value(
            "herald_retention_deleted_total",
            &[("kind", "chat_messages")]
        ),
        0.0
    );
}
