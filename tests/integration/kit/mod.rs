//! The test kit: a real Herald on an ephemeral port with a fresh SQLite
//! file (`spawn_app`), with a method per operation the tests use, an HTTP
//! client for queries and mutations, a real graphql-transport-ws client
//! for subscriptions, subscriptions driven through the schema alone
//! (`DirectStream`), the SSE client (`sse`), the databases, replicas
//! and Redis users of the scale-out tests (`stores`), the real binary
//! in a process of its own (`process`), and a Web Push service with
//! browsers of its own (`push_service`).

pub mod process;
pub mod push_service;
pub mod sse;
pub mod stores;

use std::{net::SocketAddr, time::Duration};

use futures_util::{SinkExt, StreamExt};
use herald::{
    config::Config,
    graphql::{HeraldSchema, Services},
};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::{net::TcpStream, sync::oneshot};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{
        Message, client::IntoClientRequest, handshake::client::Request, http::HeaderValue,
    },
};

/// Long enough for any real delivery on a loaded CI machine; only reached
/// when something is broken.
pub const WAIT: Duration = Duration::from_secs(10);
/// How long a test listens to conclude that nothing more arrives.
pub const QUIET: Duration = Duration::from_millis(300);

pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub services: Services,
    pub schema: HeraldSchema,
    pub data_dir: TempDir,
    _shutdown: oneshot::Sender<()>,
}

/// The usual start of a story: Alice owns a board that Bob is a member
/// of, with a card "Ship v1" on it. Returns the server, Alice, Bob, the
/// board and the card.
pub async fn shared_card() -> (TestApp, TestUser, TestUser, String, String) {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let board = app.board_with(&alice, &[&bob]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    (app, alice, bob, board, card)
}

/// The usual start of a chat story: Alice's room "Launch party", and Bob,
/// signed up but not a member yet. Returns the server, Alice, Bob and the
/// room.
pub async fn shared_room() -> (TestApp, TestUser, TestUser, String) {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let room = app.create_room(&alice, "Launch party").await;
    (app, alice, bob, room)
}

#[derive(Clone)]
pub struct TestUser {
    pub id: String,
    pub token: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// With `TEST_LOG` set, the servers' logs go to the test's output (which
/// the test runner shows for failing tests), filtered by `HERALD_LOG`
/// (default `info`), as zero-to-production's harness does.
fn init_test_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let filter = tracing_subscriber::EnvFilter::try_from_env("HERALD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
    });
}

/// Starts Herald with the default configuration changed by `configure`.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    init_test_log();
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_data_dir(data_dir.path());
    config.jwt_secret = Some("test-secret-for-herald-integration-tests".into());
    // Every test signs its users up from 127.0.0.1; the throttle has its
    // own tests, which turn it back on.
    config.limits.auth_limit_per_minute = 0;
    configure(&mut config);
    let herald = herald::build(config).await.expect("build herald");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let (services, schema) = (herald.services.clone(), herald.schema.clone());
    tokio::spawn(herald::serve_on(listener, herald, async move {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        http: reqwest::Client::new(),
        services,
        schema,
        data_dir,
        _shutdown: tx,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Runs a GraphQL operation over `POST /graphql`; returns the whole
    /// response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// The `extensions.code` of an operation that must be refused.
    pub async fn code_of(&self, token: Option<&str>, query: &str, variables: Value) -> String {
        let body = self.gql(token, query, variables).await;
        error_code(&body).to_owned()
    }

    /// Logs in as `email` (whose password is the kit's); returns the token.
    pub async fn log_in(&self, email: &str) -> String {
        let data = self
            .ok(
                None,
                "mutation($e: String!) { logIn(email: $e, password: \"correct horse\") { token } }",
                json!({"e": email}),
            )
            .await;
        data["logIn"]["token"].as_str().unwrap().to_owned()
    }

    /// A token of `user`'s that expired long ago (in 1970).
    pub fn expired_token(&self, user: &TestUser) -> String {
        let keys = self.services.auth.keys();
        let id = user.id.parse().unwrap();
        keys.issue_with_expiry(id, "s", 0, 1_000_000).unwrap().token
    }

    /// A fresh token in the session of `token`.
    pub async fn refresh(&self, token: &str) -> String {
        let data = self
            .ok(
                Some(token),
                "mutation { refreshToken { token } }",
                json!({}),
            )
            .await;
        data["refreshToken"]["token"].as_str().unwrap().to_owned()
    }

    /// Runs an operation that must succeed; returns `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    pub async fn sign_up(&self, name: &str) -> TestUser {
        let email = format!("{}@example.com", name.to_lowercase());
        let data = self
            .ok(
                None,
                "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }",
                json!({"input": {"name": name, "email": email, "password": "correct horse"}}),
            )
            .await;
        TestUser {
            id: data["signUp"]["user"]["id"].as_str().unwrap().to_owned(),
            token: data["signUp"]["token"].as_str().unwrap().to_owned(),
        }
    }

    /// A board owned by `owner` with `members` added; returns its id.
    pub async fn board_with(&self, owner: &TestUser, members: &[&TestUser]) -> String {
        let data = self
            .ok(
                Some(&owner.token),
                "mutation { createBoard(name: \"Launch\") { id } }",
                json!({}),
            )
            .await;
        let board = data["createBoard"]["id"].as_str().unwrap().to_owned();
        for member in members {
            self.ok(
                Some(&owner.token),
                "mutation($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }",
                json!({"b": board, "u": member.id}),
            )
            .await;
        }
        board
    }

    pub async fn card(&self, creator: &TestUser, board: &str, title: &str) -> String {
        let data = self
            .ok(
                Some(&creator.token),
                "mutation($b: ID!, $t: String!) { createCard(boardId: $b, title: $t) { id } }",
                json!({"b": board, "t": title}),
            )
            .await;
        data["createCard"]["id"].as_str().unwrap().to_owned()
    }

    pub async fn assign(&self, actor: &TestUser, card: &str, user: &TestUser) {
        self.ok(
            Some(&actor.token),
            "mutation($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }",
            json!({"c": card, "u": user.id}),
        )
        .await;
    }

    pub async fn update_title(&self, actor: &TestUser, card: &str, title: &str) {
        self.ok(
            Some(&actor.token),
            UPDATE_TITLE,
            json!({"c": card, "t": title}),
        )
        .await;
    }

    /// Spawns a task that runs `query` over HTTP as `user`, once for each
    /// of `variables` in turn, asserting that every run succeeds.
    pub fn spawn_writer(
        &self,
        user: &TestUser,
        query: &'static str,
        variables: Vec<Value>,
    ) -> tokio::task::JoinHandle<()> {
        let http = self.http.clone();
        let url = self.url("/graphql");
        let token = user.token.clone();
        tokio::spawn(async move {
            for variables in variables {
                let body = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"query": query, "variables": variables}))
                    .json_value()
                    .await;
                assert!(body["errors"].is_null(), "{body}");
            }
        })
    }

    /// The cursors of the `n` newest notifications in `user`'s inbox,
    /// oldest first (the order a replay delivers them in).
    pub async fn newest_cursors(&self, user: &TestUser, n: usize) -> Vec<String> {
        let inbox = self.inbox(user).await;
        inbox[..n].iter().rev().map(|e| e.0.clone()).collect()
    }

    /// `user`'s inbox, newest first: (cursor, kind, message) per edge.
    pub async fn inbox(&self, user: &TestUser) -> Vec<(String, String, String)> {
        let data = self
            .ok(
                Some(&user.token),
                "{ notifications(first: 100) { edges { cursor node { kind message } } } }",
                json!({}),
            )
            .await;
        data["notifications"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["cursor"].as_str().unwrap().to_owned(),
                    e["node"]["kind"].as_str().unwrap().to_owned(),
                    e["node"]["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// A websocket on `/graphql` speaking `protocol`, not yet initialised.
    pub async fn ws_raw(&self, protocol: &str) -> WsClient {
        WsClient::connect(self.addr, protocol).await
    }

    /// A graphql-transport-ws connection initialised with `token`.
    pub async fn ws(&self, token: &str) -> WsClient {
        let mut ws = self.ws_raw("graphql-transport-ws").await;
        ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}))
            .await;
        let ack = ws.recv().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ws
    }

    /// A graphql-transport-ws connection of `user`, subscribed to `room`
    /// as operation `id`.
    pub async fn room_ws(&self, user: &TestUser, id: &str, room: &str) -> WsClient {
        let mut ws = self.ws(&user.token).await;
        ws.subscribe_room(self, id, room).await;
        ws
    }

    /// Starts `query` for `user` directly on this server's schema; see
    /// `DirectStream::start`.
    pub async fn direct_stream(
        &self,
        user: &TestUser,
        query: &str,
        variables: Value,
    ) -> DirectStream {
        DirectStream::start(self, &self.schema, user, query, variables).await
    }
}

pub const UPDATE_TITLE: &str =
    "mutation($c: ID!, $t: String) { updateCard(id: $c, input: {title: $t}) { id } }";

/// The messages of Alice's updates of a card to each of `titles`, in order.
pub fn alice_updated(titles: &[&str]) -> Vec<String> {
    titles
        .iter()
        .map(|title| format!("Alice updated the card “{title}”"))
        .collect()
}

pub const ROOM_SUBSCRIPTION: &str = "subscription($r: ID!, $after: ID) { \
     chatMessages(roomId: $r, after: $after) { id body author { name } room { id name } } }";

pub const SEND_MESSAGE: &str = "mutation($r: ID!, $b: String!) { \
     sendChatMessage(roomId: $r, body: $b) { id body createdAt author { name } room { name } } }";

pub const HISTORY: &str = "query($r: ID!, $last: Int, $before: String) { \
     chatMessages(roomId: $r, last: $last, before: $before) { id body } }";

/// Chat rooms, as a client uses them.
impl TestApp {
    /// A room created by `user` (its first member); returns its id.
    pub async fn create_room(&self, user: &TestUser, name: &str) -> String {
        let data = self
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
    pub async fn join_room(&self, user: &TestUser, room: &str) -> Vec<String> {
        let data = self
            .ok(
                Some(&user.token),
                "mutation($r: ID!) { joinChatRoom(roomId: $r) { members { id } } }",
                json!({"r": room}),
            )
            .await;
        member_ids(&data["joinChatRoom"])
    }

    /// Leaves `room`; returns the member ids left.
    pub async fn leave_room(&self, user: &TestUser, room: &str) -> Vec<String> {
        let data = self
            .ok(
                Some(&user.token),
                "mutation($r: ID!) { leaveChatRoom(roomId: $r) { members { id } } }",
                json!({"r": room}),
            )
            .await;
        member_ids(&data["leaveChatRoom"])
    }

    /// Sends a message that must be accepted; returns it.
    pub async fn send_message(&self, user: &TestUser, room: &str, body: &str) -> Value {
        self.ok(
            Some(&user.token),
            SEND_MESSAGE,
            json!({"r": room, "b": body}),
        )
        .await["sendChatMessage"]
            .clone()
    }

    /// The history of `room` as `user` reads it: (id, body), oldest first.
    pub async fn history(
        &self,
        user: &TestUser,
        room: &str,
        last: Option<i32>,
        before: Option<&str>,
    ) -> Vec<(String, String)> {
        self.ok(
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

    /// The ids of the last 200 messages of `room` as `user` reads them,
    /// oldest first.
    pub async fn history_ids(&self, user: &TestUser, room: &str) -> Vec<String> {
        let page = self.history(user, room, Some(200), None).await;
        page.into_iter().map(|(id, _)| id).collect()
    }
}

fn member_ids(room: &Value) -> Vec<String> {
    room["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

pub const NOTIFICATIONS_SUBSCRIPTION: &str = "subscription($u: ID!, $after: String) { \
     notifications(userId: $u, after: $after) { id cursor kind message actor { name } card { title } } }";

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Whether `next_event` answers the server's pings (a client that
    /// does not is disconnected after two keep-alive intervals).
    pub answers_pings: bool,
}

/// What a websocket read returned.
#[derive(Debug)]
pub enum WsEvent {
    Json(Value),
    Closed(Option<u16>),
}

/// The handshake request for a websocket on `/graphql` at `addr` that
/// offers `protocol`.
pub fn ws_request(addr: SocketAddr, protocol: &str) -> Request {
    let mut request = format!("ws://{addr}/graphql")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(protocol).unwrap(),
    );
    request
}

impl WsClient {
    /// A websocket on `/graphql` at `addr` speaking `protocol`, not yet
    /// initialised.
    pub async fn connect(addr: SocketAddr, protocol: &str) -> WsClient {
        let (socket, response) = tokio_tungstenite::connect_async(ws_request(addr, protocol))
            .await
            .unwrap();
        assert_eq!(
            response.headers().get("sec-websocket-protocol").unwrap(),
            protocol
        );
        WsClient {
            socket,
            answers_pings: true,
        }
    }

    pub async fn send(&mut self, message: Value) {
        self.send_frame(Message::Text(message.to_string().into()))
            .await;
    }

    /// Sends `frame` as it is, well-formed or not.
    pub async fn send_frame(&mut self, frame: Message) {
        self.socket.send(frame).await.unwrap();
    }

    /// The next event, or None if nothing arrives within `wait`.
    pub async fn next_event(&mut self, wait: std::time::Duration) -> Option<WsEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?;
            match message {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    // Keep-alives are not events: the legacy protocol's
                    // `ka` is ignored, a `ping` answered as graphql-ws
                    // clients do.
                    if value["type"] == "ka" {
                        continue;
                    }
                    if value["type"] == "ping" && self.answers_pings {
                        self.send(json!({"type": "pong"})).await;
                        continue;
                    }
                    return Some(WsEvent::Json(value));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Some(WsEvent::Closed(frame.map(|f| f.code.into())));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(WsEvent::Closed(None)),
            }
        }
    }

    /// The next JSON message; panics on close or silence.
    pub async fn recv(&mut self) -> Value {
        match self.next_event(WAIT).await {
            Some(WsEvent::Json(v)) => v,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The close code the server closes with.
    pub async fn close_code(&mut self) -> Option<u16> {
        match self.next_event(WAIT).await {
            Some(WsEvent::Closed(code)) => code,
            other => panic!("expected the socket to close, got {other:?}"),
        }
    }

    /// The close code the server closes with, after any messages it sends
    /// before closing.
    pub async fn close_code_after_messages(&mut self) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_event(left).await {
                Some(WsEvent::Closed(code)) => return code,
                Some(WsEvent::Json(_)) => continue,
                None => panic!("expected the socket to close"),
            }
        }
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}))
            .await;
    }

    /// Subscribes to `user`'s notifications (optionally after a cursor)
    /// and waits until the server has registered the subscription.
    pub async fn subscribe_notifications(
        &mut self,
        app: &TestApp,
        id: &str,
        user: &TestUser,
        after: Option<&str>,
    ) {
        let before = app.services.broker.stats().subscriptions;
        self.subscribe(
            id,
            NOTIFICATIONS_SUBSCRIPTION,
            json!({"u": user.id, "after": after}),
        )
        .await;
        let deadline = tokio::time::Instant::now() + WAIT;
        while app.services.broker.stats().subscriptions <= before {
            assert!(
                tokio::time::Instant::now() < deadline,
                "subscription never started"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// The payload of the next `next` message for subscription `id`.
    pub async fn next_payload(&mut self, id: &str) -> Value {
        let message = self.recv().await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], id, "{message}");
        message["payload"].clone()
    }

    /// Subscribes to `room` and waits until the server registered it.
    pub async fn subscribe_room(&mut self, app: &TestApp, id: &str, room: &str) {
        let before = app.services.broker.stats().subscriptions;
        self.subscribe(id, ROOM_SUBSCRIPTION, json!({"r": room}))
            .await;
        wait_for_subscriptions(app, before + 1).await;
    }

    /// The next chat message delivered on subscription `id`.
    pub async fn next_message(&mut self, id: &str) -> Value {
        let payload = self.next_payload(id).await;
        assert!(payload.get("errors").is_none(), "{payload}");
        payload["data"]["chatMessages"].clone()
    }

    /// The next notification delivered on subscription `id`.
    pub async fn next_notification(&mut self, id: &str) -> Value {
        let payload = self.next_payload(id).await;
        assert!(payload.get("errors").is_none(), "{payload}");
        payload["data"]["notifications"].clone()
    }

    /// Asserts that nothing arrives for a short while.
    pub async fn assert_quiet(&mut self) {
        if let Some(event) = self.next_event(QUIET).await {
            panic!("expected nothing, got {event:?}");
        }
    }
}

/// A subscription driven directly through a schema, without a transport,
/// so that a test can stop reading it and make its buffer overflow.
pub struct DirectStream(futures_util::stream::BoxStream<'static, async_graphql::Response>);

impl DirectStream {
    /// Starts `query` with `variables` on `schema` (one of `app`'s) as
    /// `user`; asserts that nothing is delivered yet and that `app`'s
    /// broker has registered one more subscription.
    pub async fn start(
        app: &TestApp,
        schema: &HeraldSchema,
        user: &TestUser,
        query: &str,
        variables: Value,
    ) -> Self {
        let before = app.services.broker.stats().subscriptions;
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables))
            .data(signed_in(user));
        let mut stream = DirectStream(schema.execute_stream(request));
        stream.assert_quiet().await;
        assert_eq!(app.services.broker.stats().subscriptions, before + 1);
        stream
    }

    /// The data of the next result, which must have no errors.
    pub async fn next_data(&mut self) -> Value {
        let response = tokio::time::timeout(WAIT, self.0.next())
            .await
            .expect("a result in time")
            .expect("a result before the end");
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        response.data.into_json().unwrap()
    }

    /// The ids of `field` in the next `n` results, in order.
    pub async fn next_ids(&mut self, field: &str, n: usize) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            let data = self.next_data().await;
            ids.push(data[field]["id"].as_str().unwrap().to_owned());
        }
        ids
    }

    /// Asserts that nothing arrives for a short while.
    pub async fn assert_quiet(&mut self) {
        if let Ok(next) = tokio::time::timeout(QUIET, self.0.next()).await {
            panic!("expected nothing, got {next:?}");
        }
    }

    /// Asserts that the stream ends without another result.
    pub async fn assert_ends(&mut self) {
        let next = tokio::time::timeout(WAIT, self.0.next())
            .await
            .expect("the stream should end");
        assert!(next.is_none(), "got {next:?}");
    }
}

/// `user` as the GraphQL context knows a signed-in caller, for tests that
/// run operations through the schema directly.
pub fn signed_in(user: &TestUser) -> herald::auth::Auth {
    let id: i64 = user.id.parse().unwrap();
    herald::auth::Auth::User(herald::auth::Principal {
        user: id,
        session: herald::auth::SessionKey {
            user: id,
            session: "test".into(),
            generation: Some(0),
            issued_at: None,
        },
        expires_at: u64::MAX / 2,
        refreshable: true,
    })
}

/// Sending a request and reading its JSON body, where a test only cares
/// about the body.
pub trait JsonRequest {
    async fn json_value(self) -> Value;
}

impl JsonRequest for reqwest::RequestBuilder {
    async fn json_value(self) -> Value {
        self.send().await.unwrap().json().await.unwrap()
    }
}

/// Signs a user up on a server of the test's own at `base` (an
/// `http://host:port` URL); returns their token and id.
pub async fn sign_up_at(base: &str, name: &str) -> (String, String) {
    let email = format!("{}@example.com", name.to_lowercase());
    let body = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({
            "query": "mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }",
            "variables": {"i": {"name": name, "email": email, "password": "correct horse"}},
        }))
        .json_value()
        .await;
    let signed_up = &body["data"]["signUp"];
    (
        signed_up["token"].as_str().expect("a token").to_owned(),
        signed_up["user"]["id"].as_str().expect("an id").to_owned(),
    )
}

/// The `extensions.code` of the first error in a response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code, got {body}"))
}

/// Waits until the broker holds exactly `n` live subscriptions.
pub async fn wait_for_subscriptions(app: &TestApp, n: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while app.services.broker.stats().subscriptions != n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {n} subscriptions, have {}",
            app.services.broker.stats().subscriptions
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The error code of a refused subscription, whichever way the protocol
/// reports it (`error` message, or `next` with errors followed by
/// `complete`).
pub async fn refused_code(ws: &mut WsClient, id: &str) -> String {
    let message = ws.recv().await;
    assert_eq!(message["id"], id, "{message}");
    let errors = match message["type"].as_str() {
        Some("error") => message["payload"].clone(),
        Some("next") => {
            // An error result is followed by the end of the operation.
            let done = ws.recv().await;
            assert_eq!(done, json!({"id": id, "type": "complete"}));
            message["payload"]["errors"].clone()
        }
        _ => panic!("expected an error, got {message}"),
    };
    errors[0]["extensions"]["code"].as_str().unwrap().to_owned()
}
