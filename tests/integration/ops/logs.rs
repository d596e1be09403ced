//! Logs as an operator reads them: the real binary writing JSON lines,
//! each request's lines carrying its id, each connection's its transport
//! and user, and no credential anywhere.

use serde_json::{Value, json};

use crate::kit::{WsClient, process::HeraldProcess};

/// A password that must never show in a log line.
const PASSWORD: &str = "never-logged-Pa55word";

/// The span named `name` that `line` was logged in, if any.
fn span<'a>(line: &'a Value, name: &str) -> Option<&'a Value> {
    line["spans"]
        .as_array()?
        .iter()
        .find(|span| span["name"] == name)
}

/// The `x-request-id` Herald answered a query sent with `request_id`.
async fn answered_id(herald: &HeraldProcess, request_id: &str) -> String {
    let response = herald
        .http
        .post(herald.url("/graphql"))
        .header("x-request-id", request_id)
        .json(&json!({"query": "query Health { __typename }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn json_logs_carry_request_ids_and_never_a_credential() {
    let mut herald = HeraldProcess::start(&["--log", "info,herald=debug"]).await;
    let alice = herald.sign_up_with("Alice", PASSWORD).await;
    let logged_in = herald
        .ok(
            None,
            "mutation LogIn($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }",
            json!({"e": "alice@example.com", "p": PASSWORD}),
        )
        .await;
    let token = logged_in["logIn"]["token"].as_str().unwrap().to_owned();
    herald
        .ok(Some(&token), "query Me { me { id } }", json!({}))
        .await;

    assert_eq!(
        answered_id(&herald, "client-chosen-id-42").await,
        "client-chosen-id-42"
    );
    let too_long = "x".repeat(65);
    let replaced = answered_id(&herald, &too_long).await;
    assert_ne!(replaced, too_long);
    assert_eq!(replaced.len(), 36, "a UUID: {replaced}");

    herald.stop().await;
    let lines = herald.log_lines();
    let request_ids: Vec<&str> = lines
        .iter()
        .filter_map(|line| span(line, "http"))
        .map(|http| http["request_id"].as_str().unwrap_or_default())
        .collect();
    assert!(request_ids.len() >= 5, "a line per request: {lines:#?}");
    assert!(request_ids.iter().all(|id| !id.is_empty()), "{lines:#?}");
    assert!(request_ids.contains(&"client-chosen-id-42"));
    assert!(request_ids.contains(&replaced.as_str()));
    for raw in herald.lines() {
        for secret in [PASSWORD, &token, &alice.token, &too_long] {
            assert!(!raw.contains(secret), "a secret in the log: {raw}");
        }
    }
}

#[tokio::test]
async fn each_connection_logs_in_a_span_with_its_transport_and_user() {
    let mut herald = HeraldProcess::start(&["--log", "info,herald=debug"]).await;
    let bob = herald.sign_up("Bob").await;
    let mut ws = WsClient::connect(herald.addr, "graphql-transport-ws").await;
    ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", bob.token)}}))
        .await;
    assert_eq!(ws.recv().await["type"], "connection_ack");
    let stream = herald.event_source(&bob, json!({})).await;
    herald
        .wait_for_metric("herald_connections", &[("transport", "sse")], 1.0)
        .await;
    drop(stream);
    drop(ws);

    herald.stop().await;
    let lines = herald.log_lines();
    let connections: Vec<&Value> = lines
        .iter()
        .filter_map(|line| span(line, "connection"))
        .collect();
    for transport in ["websocket", "sse"] {
        let theirs: Vec<&&Value> = connections
            .iter()
            .filter(|span| span["transport"] == transport)
            .collect();
        assert!(!theirs.is_empty(), "no {transport} lines: {lines:#?}");
        assert!(
            theirs.iter().any(
                |span| span["user_id"].as_i64().map(|id| id.to_string()).as_ref() == Some(&bob.id)
            ),
            "{transport} lines without Bob's id: {theirs:#?}"
        );
    }
    for raw in herald.lines() {
        assert!(!raw.contains(&bob.token), "a token in the log: {raw}");
    }
}
