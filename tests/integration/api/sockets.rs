//! Connections and sockets: caps per socket and per address, the
//! protocol's close codes, keep-alive pings, slow request heads, and a
//! shutdown that ends every kind of connection.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::{
    kit::sse::{Read, SseClient},
    kit::{
        NOTIFICATIONS_SUBSCRIPTION, WAIT, WsClient, refused_code, sign_up_at, spawn_app,
        spawn_app_with, wait_for_subscriptions, ws_request,
    },
};

#[tokio::test]
async fn a_socket_runs_at_most_its_operation_cap() {
    let app = spawn_app_with(|c| c.limits.max_subscriptions_per_connection = 3).await;
    let alice = app.sign_up("Alice").await;
    let mut ws = app.ws(&alice.token).await;
    for id in ["1", "2", "3"] {
        ws.subscribe_notifications(&app, id, &alice, None).await;
    }
    ws.subscribe("4", NOTIFICATIONS_SUBSCRIPTION, json!({"u": alice.id}))
        .await;
    assert_eq!(refused_code(&mut ws, "4").await, "TOO_MANY_SUBSCRIPTIONS");
    // The refused one never subscribed to anything.
    assert_eq!(app.services.broker.stats().subscriptions, 3);

    // Completing one frees its place.
    ws.send(json!({"id": "1", "type": "complete"})).await;
    wait_for_subscriptions(&app, 2).await;
    ws.subscribe_notifications(&app, "5", &alice, None).await;
    assert_eq!(app.services.broker.stats().subscriptions, 3);
}

#[tokio::test]
async fn an_operation_id_in_use_closes_the_socket_with_4409() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let mut ws = app.ws(&alice.token).await;
    ws.subscribe_notifications(&app, "same", &alice, None).await;
    ws.subscribe("same", NOTIFICATIONS_SUBSCRIPTION, json!({"u": alice.id}))
        .await;
    assert_eq!(ws.close_code().await, Some(4409));
    wait_for_subscriptions(&app, 0).await;
}

#[tokio::test]
async fn the_legacy_protocol_refuses_an_id_in_use_and_keeps_the_first() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let mut ws = app.ws_raw("graphql-ws").await;
    ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", alice.token)}}))
        .await;
    assert_eq!(ws.recv().await["type"], "connection_ack");
    let start = json!({"id": "a", "type": "start", "payload": {"query": NOTIFICATIONS_SUBSCRIPTION, "variables": {"u": alice.id}}});
    ws.send(start.clone()).await;
    wait_for_subscriptions(&app, 1).await;
    ws.send(start).await;
    let refused = ws.recv().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "DUPLICATE_OPERATION_ID"
    );
    assert_eq!(app.services.broker.stats().subscriptions, 1);
}

#[tokio::test]
async fn a_malformed_first_message_closes_with_4400() {
    let app = spawn_app().await;
    for first in [
        Message::Binary(vec![0xff, 0xfe, 0x00].into()),
        Message::Text("not json".into()),
        Message::Text(json!({"type": "nonsense"}).to_string().into()),
    ] {
        let mut ws = app.ws_raw("graphql-transport-ws").await;
        ws.send_frame(first.clone()).await;
        assert_eq!(
            ws.close_code_after_messages().await,
            Some(4400),
            "{first:?}"
        );
    }
}

#[tokio::test]
async fn a_later_malformed_message_closes_with_4400_too() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let mut ws = app.ws(&alice.token).await;
    ws.send(json!({"type": "subscribe", "id": "1"})).await;
    assert_eq!(ws.close_code().await, Some(4400));
}

#[tokio::test]
async fn the_server_pings_and_drops_a_peer_that_stops_answering() {
    let app = spawn_app_with(|c| c.limits.ws_keepalive_secs = 1).await;
    let alice = app.sign_up("Alice").await;

    // A peer that never answers: pinged, then closed with 3008.
    let mut silent = app.ws(&alice.token).await;
    silent.answers_pings = false;
    silent
        .subscribe_notifications(&app, "1", &alice, None)
        .await;
    let ping = silent.recv().await;
    assert_eq!(ping, json!({"type": "ping"}));
    // Pinged at each interval until two have passed unanswered (a second
    // ping when the first tick came just after the subscribe), then closed.
    let deadline = tokio::time::Instant::now() + WAIT;
    let closed = loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "pinged, never closed"
        );
        match silent.next_event(WAIT).await {
            Some(crate::kit::WsEvent::Json(message)) => {
                assert_eq!(message, json!({"type": "ping"}))
            }
            Some(crate::kit::WsEvent::Closed(code)) => break code,
            None => panic!("neither a ping nor a close"),
        }
    };
    assert_eq!(closed, Some(3008));
    wait_for_subscriptions(&app, 0).await;

    // A peer that answers stays, well past two intervals.
    let mut alive = app.ws(&alice.token).await;
    alive.subscribe_notifications(&app, "1", &alice, None).await;
    if let Some(event) = alive.next_event(Duration::from_millis(3_500)).await {
        panic!("an answering peer got {event:?}");
    }
    assert_eq!(app.services.broker.stats().subscriptions, 1);
}

#[tokio::test]
async fn legacy_sockets_get_keep_alives_and_websocket_pings() {
    let app = spawn_app_with(|c| c.limits.ws_keepalive_secs = 1).await;
    let request = ws_request(app.addr, "graphql-ws");
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    futures_util::SinkExt::send(
        &mut socket,
        Message::Text(json!({"type": "connection_init"}).to_string().into()),
    )
    .await
    .unwrap();
    let (mut ka, mut ping) = (false, false);
    let deadline = tokio::time::Instant::now() + WAIT;
    while !(ka && ping) {
        let message = tokio::time::timeout_at(deadline, futures_util::StreamExt::next(&mut socket))
            .await
            .expect("keep-alives arrive")
            .expect("the socket stays open")
            .unwrap();
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                ka |= value["type"] == "ka";
            }
            Message::Ping(_) => ping = true,
            _ => {}
        }
    }
}

#[tokio::test]
async fn connections_over_the_per_address_cap_are_answered_503() {
    let app = spawn_app_with(|c| c.limits.max_connections_per_ip = Some(4)).await;
    let alice = app.sign_up("Alice").await;
    let mut open = Vec::new();
    let refusal = loop {
        assert!(open.len() <= 4, "more than the cap were accepted");
        let request = ws_request(app.addr, "graphql-transport-ws");
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => open.push(socket),
            Err(tungstenite::Error::Http(response)) => break response,
            Err(other) => panic!("unexpected failure: {other}"),
        }
    };
    assert_eq!(refusal.status(), 503);
    let body: Value = serde_json::from_slice(refusal.body().as_deref().unwrap()).unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "TOO_MANY_CONNECTIONS"
    );

    // A closed socket frees its place.
    drop(open.pop());
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let response = app
            .http
            .get(app.url("/healthz"))
            .header("Connection", "close")
            .send()
            .await;
        if matches!(&response, Ok(r) if r.status() == 200) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place was never freed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!alice.token.is_empty());
}

#[tokio::test]
async fn a_half_sent_request_head_is_closed() {
    let app = spawn_app_with(|c| c.limits.header_read_timeout_secs = 1).await;
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: herald\r\nX-Slow: ")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(WAIT, slow.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the half-sent head was held open");
    assert!(
        !String::from_utf8_lossy(&buffer).contains("200 OK"),
        "{buffer:?}"
    );
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

/// The `herald` binary on a free port, with a data directory of its own.
struct Process {
    child: tokio::process::Child,
    addr: std::net::SocketAddr,
    _data: tempfile::TempDir,
}

impl Process {
    async fn start(extra: &[&str]) -> Process {
        let data = tempfile::tempdir().unwrap();
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["serve", "--listen", &addr.to_string()])
            .arg("--data-dir")
            .arg(data.path())
            .args(["--jwt-secret", "test-secret-for-the-herald-binary-0123"])
            .args(extra)
            .env("HERALD_LOG", "warn")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let deadline = tokio::time::Instant::now() + WAIT;
        while reqwest::get(format!("http://{addr}/readyz")).await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "herald never started"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Process {
            child,
            addr,
            _data: data,
        }
    }

    fn terminate(&self) {
        let pid = self.child.id().expect("running") as i32;
        // SAFETY: sends a signal to our own child process.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
}

#[tokio::test]
async fn sigterm_ends_every_connection_and_the_process() {
    let server = Process::start(&[
        "--shutdown-timeout-secs",
        "5",
        "--header-read-timeout-secs",
        "60",
    ])
    .await;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    let (token, user) = sign_up_at(&base, "Alice").await;

    // A websocket with a live subscription, read as it comes (pings are
    // not answered).
    let mut ws = WsClient::connect(server.addr, "graphql-transport-ws").await;
    ws.answers_pings = false;
    ws.send(
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}),
    )
    .await;
    ws.subscribe("1", NOTIFICATIONS_SUBSCRIPTION, json!({"u": user}))
        .await;
    // An SSE stream.
    let mut sse = SseClient::open(
        http.post(format!("{base}/graphql/stream"))
            .bearer_auth(&token)
            .json(&json!({"query": NOTIFICATIONS_SUBSCRIPTION, "variables": {"u": user}})),
    )
    .await;
    assert_eq!(sse.status, 200);
    // A connection that sent half a request head.
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"POST /graphql HTTP/1.1\r\nHost: herald\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.terminate();

    // The websocket is told to go away (1001) ...
    assert_eq!(ws.close_code_after_messages().await, Some(1001));
    // ... the SSE stream ends without `complete` ...
    loop {
        match sse.read(WAIT).await {
            Read::Ended => break,
            Read::Frame(frame) => assert_ne!(frame.event.as_deref(), Some("complete")),
            Read::Silent => panic!("the SSE stream stayed open"),
        }
    }
    // ... and the process exits, half-sent head or not.
    let mut child = server.child;
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("the process exits")
        .unwrap();
    assert!(status.success(), "{status}");
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(WAIT, slow.read_to_end(&mut rest)).await;
}

#[tokio::test]
async fn flags_work_after_the_subcommand_and_as_environment_variables() {
    // `serve --listen …` (after the subcommand) is what `Process` uses;
    // here the environment sets the same flag, before any subcommand.
    let data = tempfile::tempdir().unwrap();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .env("HERALD_LISTEN", format!("127.0.0.1:{port}"))
        .env("HERALD_DATA_DIR", data.path())
        .env(
            "HERALD_JWT_SECRET",
            "test-secret-for-the-herald-binary-0123",
        )
        .env("HERALD_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await {
            assert_eq!(r.status(), 200);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "herald never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().await.unwrap();
}
