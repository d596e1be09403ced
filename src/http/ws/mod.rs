//! GraphQL over websockets: `graphql-transport-ws` and the legacy
//! `graphql-ws` (subscriptions-transport-ws) subprotocols.
//!
//! Herald runs both protocols itself, one task per socket, and executes
//! each operation through `HeraldExecutor` like every other transport. It
//! does so to enforce what the protocols and a public server require, and
//! what a general-purpose implementation leaves to the application:
//!
//! - `connection_init` within `--ws-init-timeout-secs` (else 4408), and
//!   first (a `subscribe` before it: 4401); a bad or expired token in it
//!   closes with 4403; a malformed message with 4400; a second
//!   `connection_init` with 4429;
//! - at most `--max-subscriptions-per-connection` live operations per
//!   socket: the excess is refused with an `error` message for its id
//!   (`TOO_MANY_SUBSCRIPTIONS`); a `subscribe` whose id is in use closes
//!   the socket with 4409, as graphql-transport-ws says, instead of
//!   silently replacing the first;
//! - a `ping` (legacy: `ka` and a websocket ping frame) every
//!   `--ws-keepalive-secs`; a peer that sends nothing, not even a pong,
//!   for two intervals is disconnected (close 3008), and so is one that
//!   stops reading what the server writes;
//! - at shutdown, every socket closes with 1001 ("going away"), so that
//!   clients reconnect to another replica and resume by cursor.
//!
//! A slow socket never slows anybody else: while this task waits on the
//! socket, its operations' broker buffers fill, overflow, and those
//! operations catch up from the store once the socket drains.
//!
//! A socket's task wakes mostly for results. The rest (shutdown, the
//! token's expiry, a logout, the keep-alive timer, the client's messages)
//! sits behind a `Gate`, polled only after one of them woke the task.
//! A delivery thus neither locks the shutdown token, which every socket
//! of the process waits on, nor polls the socket's read half, nor arms a
//! write timer unless the write has to wait. Results that are ready
//! together (several operations of the socket reached by one event) are
//! written in one batch and flushed once.

use std::{collections::HashMap, net::IpAddr, sync::Arc, task::Poll, time::Duration};

use async_graphql::{Data, Request, http::WebSocketProtocols};
use axum::{
    extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    http::{HeaderMap, header, request::Parts},
    response::Response,
};
use futures_util::{
    FutureExt, SinkExt, Stream, StreamExt,
    stream::{self, AbortHandle, Abortable, BoxStream, SelectAll, SplitSink},
};
use serde_json::{Value, json};
use tokio::time::{Instant, MissedTickBehavior};
use tower_http::request_id::RequestId;
use tracing::Instrument;

use super::{AppState, gate::Gate, serve::ConnectionPermit, serve::Lifecycle};
use crate::{
    auth::{Auth, ClientIp, Principal, time_left},
    error::{AppError, UNSERIALISABLE_RESULT},
    graphql::engine::{Delivery, Rendered},
    telemetry::metrics,
};

/// Read buffer per connection. tungstenite's default (128 KiB) is sized
/// for throughput; Herald's sockets are mostly idle and receive small
/// messages (a `subscribe` is a few hundred bytes), and this buffer is
/// allocated, and zero-filled, for every open socket. A larger message is
/// read in several calls; a larger frame grows the buffer.
pub const WS_READ_BUFFER: usize = 1024;

/// Results ready at once are written together up to about this many
/// bytes, then flushed: one system call for an event that reaches several
/// operations of a socket. tungstenite keeps its write buffer's capacity,
/// so this also bounds what a socket holds after a burst.
const WRITE_BATCH: usize = 4 * 1024;

pub mod protocol;

pub use protocol::close;
use protocol::{ClientMessage, token_in};

/// What a socket may do, from the configuration.
#[derive(Clone, Copy, Debug)]
struct SocketLimits {
    init_timeout: Duration,
    keepalive: Duration,
    max_operations: usize,
}

/// The subprotocol to speak: the first one the client lists that Herald
/// knows.
pub fn protocol_of(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok())
}

/// Accepts the upgrade with buffers sized for many idle sockets.
/// `header_auth` is the caller named by the upgrade request's own
/// `Authorization` header, used when `connection_init` carries no token.
pub fn upgrade(
    state: AppState,
    upgrade: WebSocketUpgrade,
    protocol: WebSocketProtocols,
    parts: &Parts,
    header_auth: Auth,
    client: IpAddr,
) -> Response {
    let lifecycle = parts
        .extensions
        .get::<Lifecycle>()
        .cloned()
        .unwrap_or_default();
    // Held by the socket's task: the connection counts until the socket
    // closes, not only until the upgrade.
    let permit = parts.extensions.get::<Arc<ConnectionPermit>>().cloned();
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let config = &state.services.config;
    let limits = SocketLimits {
        init_timeout: config.ws_init_timeout(),
        keepalive: config.limits.ws_keepalive(),
        max_operations: usize::try_from(config.limits.max_subscriptions_per_connection)
            .unwrap_or(usize::MAX),
    };
    let max_message = usize::try_from(config.limits.max_body_bytes).unwrap_or(usize::MAX);
    upgrade
        .protocols([protocol.sec_websocket_protocol()])
        .read_buffer_size(WS_READ_BUFFER)
        // Frames are written at each flush, which follows every batch of
        // results ready together (`WRITE_BATCH`): a lone notification
        // goes out at once.
        .write_buffer_size(WRITE_BATCH)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| {
            // The socket outlives the upgrade request and its span: its
            // own span carries the request id on.
            let span = tracing::info_span!(
                "connection",
                transport = "websocket",
                protocol = protocol.sec_websocket_protocol(),
                client = %client,
                request_id,
                user_id = tracing::field::Empty,
            );
            let tracker = lifecycle.clone();
            let served = async move {
                let _permit = permit;
                let _open = metrics::connection("websocket");
                Socket::new(state, protocol, limits, client, lifecycle)
                    .serve(socket, header_auth)
                    .await;
            };
            // Tracked, so that a shutdown waits for the socket to close.
            tracker.track(served.instrument(span))
        })
}

/// An outgoing item of one operation.
enum Output {
    /// A result, already written as the protocol's message.
    Next(String),
    /// The operation ended.
    Done(Arc<str>),
}

type Operation = Abortable<BoxStream<'static, Output>>;

/// One websocket, from `connection_init` to close.
struct Socket {
    state: AppState,
    protocol: WebSocketProtocols,
    limits: SocketLimits,
    client: IpAddr,
    lifecycle: Lifecycle,
    /// The live operations by id, to stop one on `complete`.
    active: HashMap<Arc<str>, AbortHandle>,
    /// Their results, merged.
    outputs: SelectAll<Operation>,
    /// The signed-in caller, once initialised.
    principal: Option<Principal>,
}

/// What wakes an acknowledged socket, besides its operations' results.
enum Signal {
    Shutdown,
    Expired,
    Revoked,
    KeepAlive,
    /// A client message; `None` once the peer's stream has ended.
    Incoming(Option<Result<Message, axum::Error>>),
}

/// How the session ended, and what to tell the peer.
enum Ending {
    /// Close with this code and reason.
    Close(u16, &'static str),
    /// The peer is gone, or stopped reading: nothing to send.
    Gone,
}

impl Socket {
    fn new(
        state: AppState,
        protocol: WebSocketProtocols,
        limits: SocketLimits,
        client: IpAddr,
        lifecycle: Lifecycle,
    ) -> Self {
        Socket {
            state,
            protocol,
            limits,
            client,
            lifecycle,
            active: HashMap::new(),
            outputs: SelectAll::new(),
            principal: None,
        }
    }

    fn legacy(&self) -> bool {
        self.protocol == WebSocketProtocols::SubscriptionsTransportWS
    }

    async fn serve(mut self, socket: WebSocket, header_auth: Auth) {
        let (mut sink, mut incoming) = socket.split();
        let shutdown = self.lifecycle.shutting_down();
        let session = tokio::select! {
            // Boxed, like every rare step below: an async fn's state is
            // sized for its largest step, and this one (a token check that
            // may read the store) would otherwise set the size of every
            // socket's task for its whole life.
            session = Box::pin(self.initialise(&mut sink, &mut incoming, header_auth)) => session,
            () = shutdown => Err(Ending::Close(close::GOING_AWAY, "Server shutting down")),
        };
        let ending = match session {
            Ok((session, principal)) => {
                self.run(&mut sink, &mut incoming, session, principal).await
            }
            Err(ending) => ending,
        };
        // Stop every operation (and its broker subscription) before the
        // goodbye, which may wait on a slow peer.
        self.outputs = SelectAll::new();
        self.active.clear();
        if let Ending::Close(code, reason) = ending {
            let _ =
                tokio::time::timeout(self.limits.keepalive, sink.send(close_frame(code, reason)))
                    .await;
        }
    }

    /// Waits for `connection_init`, checks its token and acknowledges it;
    /// returns the session data every operation of the socket shares, and
    /// the signed-in caller, if any.
    async fn initialise<S>(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        incoming: &mut S,
        header_auth: Auth,
    ) -> Result<(Arc<Data>, Option<Principal>), Ending>
    where
        S: Stream<Item = Result<Message, axum::Error>> + Unpin,
    {
        let first = match tokio::time::timeout(self.limits.init_timeout, next_text(incoming)).await
        {
            Err(_) => {
                return Err(Ending::Close(
                    close::INIT_TIMEOUT,
                    "Connection initialisation timeout",
                ));
            }
            Ok(Incoming::Gone) => return Err(Ending::Gone),
            Ok(Incoming::Malformed) => {
                return Err(Ending::Close(
                    close::BAD_REQUEST,
                    "Invalid message received",
                ));
            }
            Ok(Incoming::Text(text)) => text,
        };
        let payload = match protocol::parse(&first, self.legacy()) {
            Ok(ClientMessage::ConnectionInit { payload }) => payload,
            Ok(ClientMessage::Subscribe { .. }) => {
                return Err(Ending::Close(close::UNAUTHORIZED, "Unauthorized"));
            }
            Ok(_) | Err(_) => {
                return Err(Ending::Close(
                    close::BAD_REQUEST,
                    "Expected connection_init first",
                ));
            }
        };
        let auth = match token_in(payload.as_ref()) {
            Some(token) => self.state.services.auth.authenticate(Some(token)).await,
            None => header_auth,
        };
        let refusal = match &auth {
            Auth::Invalid(reason) => Some((*reason, close::FORBIDDEN, "Forbidden")),
            // A key publishes; it has no notifications to subscribe to.
            Auth::App(_) => Some((
                "an API key cannot subscribe: send a user's token",
                close::FORBIDDEN,
                "Forbidden",
            )),
            Auth::Unavailable => Some((
                "the token cannot be checked right now",
                close::TRY_AGAIN_LATER,
                "Try again later",
            )),
            Auth::Anonymous | Auth::User(_) => None,
        };
        if let Some((message, code, reason)) = refusal {
            if self.legacy() {
                let error = json!({"type": "connection_error", "payload": {"message": message}});
                let _ = self.send(sink, error).await;
            }
            return Err(Ending::Close(code, reason));
        }
        let principal = match &auth {
            Auth::User(principal) => {
                tracing::Span::current().record("user_id", principal.user);
                tracing::debug!("websocket connection initialised");
                Some(principal.clone())
            }
            _ => None,
        };
        self.send(sink, json!({"type": "connection_ack"})).await?;
        let mut data = Data::default();
        data.insert(auth);
        data.insert(ClientIp(self.client));
        Ok((Arc::new(data), principal))
    }

    /// The acknowledged session: client messages, operation results,
    /// keep-alives, the shutdown signal, and the caller's credential (its
    /// expiry, a revocation of its session), until one of them ends it.
    async fn run<S>(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        incoming: &mut S,
        session: Arc<Data>,
        principal: Option<Principal>,
    ) -> Ending
    where
        S: Stream<Item = Result<Message, axum::Error>> + Unpin + Send,
    {
        let mut keepalive = tokio::time::interval_at(
            Instant::now() + self.limits.keepalive,
            self.limits.keepalive,
        );
        keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        self.principal = principal.clone();
        let shutdown = self.lifecycle.shutting_down();
        tokio::pin!(shutdown);
        // Nothing is delivered once the token has expired or its session
        // was logged out: the socket closes with 4403, as at init.
        let watch = principal
            .as_ref()
            .map(|p| self.state.services.auth.sessions().watch(p.session.clone()));
        let revoked = async {
            match &watch {
                Some(watch) => watch.ended().await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(revoked);
        let expiry = Instant::now().checked_add(
            principal
                .as_ref()
                .map_or(Duration::MAX, |p| time_left(p.expires_at)),
        );
        let expired = async {
            match expiry {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(expired);
        // Everything but the results, polled only when it woke the task.
        let gate = Gate::new();
        let mut signal = std::future::poll_fn(|cx| {
            gate.poll(cx, |cx| {
                if shutdown.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Signal::Shutdown);
                }
                if expired.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Signal::Expired);
                }
                if revoked.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Signal::Revoked);
                }
                if keepalive.poll_tick(cx).is_ready() {
                    return Poll::Ready(Signal::KeepAlive);
                }
                incoming.poll_next_unpin(cx).map(Signal::Incoming)
            })
        });
        loop {
            let step = tokio::select! {
                biased;
                signal = &mut signal => {
                    // Boxed: rare, and large (it starts operations).
                    Box::pin(self.on_signal(sink, signal, &session, &mut last_heard)).await
                }
                Some(output) = self.outputs.next(), if !self.outputs.is_empty() => {
                    self.on_outputs(sink, output).await
                }
            };
            if let Err(ending) = step {
                return ending;
            }
        }
    }

    async fn on_signal(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        signal: Signal,
        session: &Arc<Data>,
        last_heard: &mut Instant,
    ) -> Result<(), Ending> {
        match signal {
            Signal::Shutdown => Err(Ending::Close(close::GOING_AWAY, "Server shutting down")),
            Signal::Expired => {
                tracing::debug!("token expired");
                Err(Ending::Close(
                    close::FORBIDDEN,
                    "Forbidden: the token expired",
                ))
            }
            Signal::Revoked => {
                tracing::debug!("session revoked");
                Err(Ending::Close(
                    close::FORBIDDEN,
                    "Forbidden: the session was logged out",
                ))
            }
            Signal::KeepAlive => {
                if last_heard.elapsed() >= self.limits.keepalive * 2 {
                    tracing::debug!("peer stopped answering pings");
                    return Err(Ending::Close(
                        close::KEEPALIVE_TIMEOUT,
                        "Keep-alive timeout",
                    ));
                }
                self.keep_alive(sink).await
            }
            Signal::Incoming(message) => {
                *last_heard = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        self.on_message(sink, text.as_str(), session).await
                    }
                    Some(Ok(Message::Binary(bytes))) => match std::str::from_utf8(&bytes) {
                        Ok(text) => self.on_message(sink, text, session).await,
                        Err(_) => Err(Ending::Close(
                            close::BAD_REQUEST,
                            "Invalid message received",
                        )),
                    },
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Err(Ending::Gone),
                }
            }
        }
    }

    async fn keep_alive(&mut self, sink: &mut SplitSink<WebSocket, Message>) -> Result<(), Ending> {
        if self.legacy() {
            // The legacy protocol's keep-alive, which its clients expect,
            // and a websocket ping, which browsers answer by themselves.
            self.send(sink, json!({"type": "ka"})).await?;
            self.send_frame(sink, Message::Ping(Default::default()))
                .await
        } else {
            self.send(sink, json!({"type": "ping"})).await
        }
    }

    async fn on_message(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        text: &str,
        session: &Arc<Data>,
    ) -> Result<(), Ending> {
        let Ok(message) = protocol::parse(text, self.legacy()) else {
            return Err(Ending::Close(
                close::BAD_REQUEST,
                "Invalid message received",
            ));
        };
        match message {
            ClientMessage::Subscribe { .. }
                if self.principal.as_ref().is_some_and(Principal::expired) =>
            {
                Err(Ending::Close(
                    close::FORBIDDEN,
                    "Forbidden: the token expired",
                ))
            }
            ClientMessage::Subscribe { id, request } => {
                self.start(sink, id.into(), *request, session).await
            }
            ClientMessage::Complete { id } => {
                if let Some(operation) = self.active.remove(id.as_str()) {
                    operation.abort();
                    if self.legacy() {
                        return self.send(sink, json!({"type": "complete", "id": id})).await;
                    }
                }
                Ok(())
            }
            ClientMessage::Ping { payload } => {
                let mut pong = json!({"type": "pong"});
                if let Some(payload) = payload {
                    pong["payload"] = payload;
                }
                self.send(sink, pong).await
            }
            ClientMessage::Pong => Ok(()),
            ClientMessage::ConnectionInit { .. } => Err(Ending::Close(
                close::TOO_MANY_INITS,
                "Too many initialisation requests",
            )),
            ClientMessage::Terminate => Err(Ending::Close(close::NORMAL, "Connection terminated")),
        }
    }

    /// Starts operation `id`, unless its id is taken (4409) or the socket
    /// has as many live operations as it may.
    async fn start(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        id: Arc<str>,
        request: Request,
        session: &Arc<Data>,
    ) -> Result<(), Ending> {
        if self.active.contains_key(&id) {
            if self.legacy() {
                let duplicate = AppError::refused(
                    400,
                    "DUPLICATE_OPERATION_ID",
                    "an operation with this id is already running",
                );
                return self.refuse(sink, &id, duplicate).await;
            }
            return Err(Ending::Close(
                close::DUPLICATE_ID,
                "Subscriber for this id already exists",
            ));
        }
        if self.active.len() >= self.limits.max_operations {
            let message = format!(
                "a connection may run at most {} operations at once",
                self.limits.max_operations
            );
            let refusal = AppError::limit(
                "TOO_MANY_SUBSCRIPTIONS",
                "max-subscriptions-per-connection",
                message,
            );
            return self.refuse(sink, &id, refusal).await;
        }
        let results = self
            .state
            .schema
            .subscribe(request, Some(Arc::clone(session)));
        let (next_id, done_id) = (Arc::clone(&id), Arc::clone(&id));
        let kind = if self.legacy() { "data" } else { "next" };
        let outputs = results
            .map(move |delivery| {
                Output::Next(match delivery {
                    Delivery::Response(response) => result_message(kind, &next_id, &response),
                    Delivery::Rendered(rendered) => rendered_message(kind, &next_id, &rendered),
                })
            })
            .chain(stream::once(async move { Output::Done(done_id) }))
            .boxed();
        let (handle, registration) = AbortHandle::new_pair();
        self.outputs.push(Abortable::new(outputs, registration));
        self.active.insert(id, handle);
        Ok(())
    }

    /// An `error` message for operation `id`, which is not started.
    async fn refuse(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        id: &str,
        refusal: AppError,
    ) -> Result<(), Ending> {
        let error = json!({
            "type": "error",
            "id": id,
            "payload": [refusal.into_server_error()],
        });
        self.send(sink, error).await
    }

    /// Writes `first` and the results that are ready with it, up to
    /// `WRITE_BATCH` bytes, then flushes them in one write.
    async fn on_outputs(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        first: Output,
    ) -> Result<(), Ending> {
        let mut batched = 0;
        let mut next = Some(first);
        while let Some(output) = next.take() {
            let frame = match output {
                Output::Next(message) => message,
                Output::Done(id) => {
                    self.active.remove(&id);
                    json!({"type": "complete", "id": &*id}).to_string()
                }
            };
            batched += frame.len();
            write(self.limits, sink.feed(Message::Text(frame.into()))).await?;
            if batched < WRITE_BATCH && !self.outputs.is_empty() {
                next = self.outputs.next().now_or_never().flatten();
            }
        }
        write(self.limits, sink.flush()).await
    }

    async fn send(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        message: Value,
    ) -> Result<(), Ending> {
        self.send_frame(sink, Message::Text(message.to_string().into()))
            .await
    }

    async fn send_frame(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        frame: Message,
    ) -> Result<(), Ending> {
        write(self.limits, sink.send(frame)).await
    }
}

/// Runs one write to the socket. A peer that has not taken it after two
/// keep-alive intervals has stopped reading, and is dropped. The timer is
/// armed only when the write has to wait: most writes finish at their
/// first poll.
async fn write<F>(limits: SocketLimits, write: F) -> Result<(), Ending>
where
    F: Future<Output = Result<(), axum::Error>>,
{
    let mut write = std::pin::pin!(write);
    let written = match futures_util::poll!(write.as_mut()) {
        Poll::Ready(written) => written,
        Poll::Pending => match tokio::time::timeout(limits.keepalive * 2, write).await {
            Ok(written) => written,
            Err(_) => {
                tracing::debug!("peer stopped reading");
                return Err(Ending::Gone);
            }
        },
    };
    written.map_err(|_| Ending::Gone)
}

/// A `next` (legacy: `data`) message carrying one result, written
/// straight from the response: no intermediate JSON value per delivery.
fn result_message(kind: &'static str, id: &str, payload: &async_graphql::Response) -> String {
    #[derive(serde::Serialize)]
    struct Message<'a> {
        r#type: &'static str,
        id: &'a str,
        payload: &'a async_graphql::Response,
    }
    serde_json::to_string(&Message {
        r#type: kind,
        id,
        payload,
    })
    .unwrap_or_else(|err| {
        tracing::error!(error = %err, "could not serialise a result");
        let payload: serde_json::Value =
            serde_json::from_str(UNSERIALISABLE_RESULT).expect("a constant");
        json!({"type": kind, "id": id, "payload": payload}).to_string()
    })
}

/// The same message for a payload the subscription engine rendered: the
/// bytes `result_message` writes for async-graphql's response.
fn rendered_message(kind: &'static str, id: &str, rendered: &Rendered) -> String {
    let mut message = String::with_capacity(64 + id.len());
    message.push_str("{\"type\":\"");
    message.push_str(kind);
    message.push_str("\",\"id\":");
    message.push_str(&serde_json::to_string(id).unwrap_or_else(|_| "null".into()));
    message.push_str(",\"payload\":");
    rendered.payload_into(&mut message);
    message.push('}');
    message
}

enum Incoming {
    Text(String),
    Malformed,
    Gone,
}

/// The next text message (control frames skipped).
async fn next_text<S>(incoming: &mut S) -> Incoming
where
    S: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    while let Some(message) = incoming.next().await {
        match message {
            Ok(Message::Text(text)) => return Incoming::Text(text.to_string()),
            Ok(Message::Binary(bytes)) => {
                return match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => Incoming::Text(text),
                    Err(_) => Incoming::Malformed,
                };
            }
            Ok(Message::Close(_)) | Err(_) => return Incoming::Gone,
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
        }
    }
    Incoming::Gone
}

fn close_frame(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
