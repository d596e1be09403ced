//! The Redis broker: replicas share committed events through Redis pub/sub.
//!
//! Each topic has a Redis channel (`<prefix>:user:<id>`, `<prefix>:room:<id>`,
//! named from the topic's serde form, so new topics need no code here). A
//! replica SUBSCRIBEs to a topic's channel when the topic gets its first
//! local subscriber and UNSUBSCRIBEs after its last (`LocalRouter`'s
//! `Interest`), so it receives only what its own clients need. Every event
//! is PUBLISHed, as JSON, on its topic's channel.
//!
//! One multiplexed RESP3 connection per replica carries both: RESP3 lets a
//! connection that subscribes also publish, and its pushes (messages,
//! disconnection) arrive on a channel that the connection task reads. The
//! connection is named `<prefix>:<pid>:<n>` (`CLIENT SETNAME`), so an
//! operator, or a test, can find and kill it. A `rediss://` URL speaks TLS
//! (rustls), trusting `--redis-ca-file` or else the public web roots.
//!
//! Publishing never blocks a mutation: `publish` queues the events for an
//! ordered background publisher that pipelines them (a fan-out to
//! thousands of recipients is one round trip) and retries with backoff
//! while Redis is down, so an event committed during an outage still
//! reaches the replicas that stayed connected. The queue is bounded
//! (`--redis-outbox-max` events): past it, new events are dropped and, once
//! Redis takes events again, a message on `<prefix>:resync` makes every
//! replica's subscriptions re-read the store, where the dropped events
//! are. Nothing is lost; memory stays bounded whatever the outage. When this replica's own
//! connection drops, the connection task reconnects with backoff,
//! re-subscribes to every local topic, and then makes every local
//! subscription re-read the store from its last delivered cursor
//! (`LocalRouter::resync_all`): what was published while it was away is in
//! the store, and arrives once, in order.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use ::redis::{
    AsyncConnectionConfig, Client, ConnectionAddr, IntoConnectionInfo, ProtocolVersion, PushInfo,
    PushKind, TlsCertificates, Value, aio::MultiplexedConnection,
};
use anyhow::Context as _;
use async_trait::async_trait;
use rustls::pki_types::{CertificateDer, pem::PemObject};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use super::{Broker, Event, Interest, LocalRouter, Subscription, Topic};
use crate::{store::redact_url, telemetry::metrics};

/// The label of this broker in metrics.
const KIND: &str = "redis";

/// Most events sent in one pipeline. Large enough that a fan-out to a few
/// thousand recipients is one round trip, small enough that one pipeline
/// never holds the connection for long.
const MAX_PIPELINE: usize = 10_000;

/// Channels per SUBSCRIBE when re-subscribing after a reconnect.
const SUBSCRIBE_CHUNK: usize = 1_000;

/// How long `subscribe` waits for Redis to confirm the SUBSCRIBE. Only a
/// broken Redis takes this long; the subscription then still works, and
/// the resync after the reconnect covers what it missed.
const SUBSCRIBE_WAIT: Duration = Duration::from_secs(10);

/// How often an idle connection is checked with PING, so that a silently
/// dead connection (no FIN) is noticed.
const PING_EVERY: Duration = Duration::from_secs(5);

/// A reply to a request slower than this counts as a failure. Generous,
/// because a pipeline of `MAX_PIPELINE` PUBLISHes is one request.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

/// First and longest wait between reconnection attempts.
const BACKOFF_MIN: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Distinguishes the connections of several brokers in one process.
static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);

/// The channel, after the prefix, on which a replica that had to drop
/// events asks every replica to re-read the store.
const RESYNC_CHANNEL: &str = "resync";

/// How many events wait for Redis, and whether some were dropped.
#[derive(Default)]
struct OutboxState {
    /// Events queued and not yet taken by Redis.
    pending: AtomicUsize,
    /// Events were dropped since the last resync request went out.
    overflowed: AtomicBool,
}

/// Replicas sharing events through Redis pub/sub.
pub struct RedisBroker {
    router: Arc<LocalRouter>,
    /// Events waiting for the publisher task, in the order of `publish`.
    outbox: mpsc::UnboundedSender<Vec<Event>>,
    outbox_state: Arc<OutboxState>,
    /// Most events `outbox` may hold.
    outbox_max: usize,
    /// Asks the connection task to answer once every SUBSCRIBE requested
    /// so far is confirmed by Redis.
    confirm: mpsc::UnboundedSender<oneshot::Sender<()>>,
    /// The live connection, `None` while reconnecting.
    connection: watch::Receiver<Option<MultiplexedConnection>>,
    client_name: String,
    /// Stops the background tasks when the broker is dropped.
    shutdown: CancellationToken,
}

impl RedisBroker {
    /// Starts the connection and publisher tasks for the Redis server at
    /// `url`. Does not wait for Redis: until it answers, `ready` is false
    /// and published events wait in order, up to `outbox_max` of them.
    /// `ca_file` is the PEM root certificate to trust for a `rediss://`
    /// URL (see `client`).
    pub fn start(
        url: &str,
        ca_file: Option<&Path>,
        prefix: &str,
        outbox_max: usize,
    ) -> anyhow::Result<Self> {
        let client = client(url, ca_file)?;
        let client_name = format!(
            "{prefix}:{}:{}",
            std::process::id(),
            NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed)
        );
        let (interest_tx, interest_rx) = mpsc::unbounded_channel();
        let router = LocalRouter::new(Some(interest_tx));
        let (outbox, outbox_rx) = mpsc::unbounded_channel();
        let (confirm, confirm_rx) = mpsc::unbounded_channel();
        let (connection_tx, connection) = watch::channel(None);
        let shutdown = CancellationToken::new();
        tokio::spawn(
            ConnectionTask {
                client,
                client_name: client_name.clone(),
                prefix: prefix.to_owned(),
                router: Arc::clone(&router),
                interest: interest_rx,
                confirm: confirm_rx,
                connection: connection_tx,
                shutdown: shutdown.clone(),
            }
            .run(),
        );
        let outbox_state = Arc::new(OutboxState::default());
        tokio::spawn(publish_in_order(
            outbox_rx,
            connection.clone(),
            prefix.to_owned(),
            Arc::clone(&outbox_state),
            shutdown.clone(),
        ));
        Ok(RedisBroker {
            router,
            outbox,
            outbox_state,
            outbox_max,
            confirm,
            connection,
            client_name,
            shutdown,
        })
    }

    /// The name this replica's connection has in Redis (`CLIENT LIST`).
    pub fn client_name(&self) -> &str {
        &self.client_name
    }
}

impl Drop for RedisBroker {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

#[async_trait]
impl Broker for RedisBroker {
    async fn publish(&self, events: Vec<Event>) {
        let n = events.len();
        let queued = self.outbox_state.pending.fetch_add(n, Ordering::AcqRel);
        if queued + n > self.outbox_max {
            self.outbox_state.pending.fetch_sub(n, Ordering::AcqRel);
            metrics::outbox_depth(queued);
            if !self.outbox_state.overflowed.swap(true, Ordering::AcqRel) {
                tracing::warn!(
                    queued,
                    "the Redis outbox is full: dropping events until Redis is back, \
                     then every replica re-reads the store"
                );
            }
            return;
        }
        // Fails only once the publisher task has stopped, at shutdown.
        if self.outbox.send(events).is_err() {
            self.outbox_state.pending.fetch_sub(n, Ordering::AcqRel);
        } else {
            metrics::outbox_depth(queued + n);
        }
    }

    async fn flush(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.outbox_state.pending.load(Ordering::Acquire) > 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn subscribe(&self, topic: Topic) -> anyhow::Result<Subscription> {
        let subscription = self.router.subscribe(topic);
        // Return only once Redis has confirmed the SUBSCRIBE: the caller
        // reads the store next, and anything committed after that read
        // must reach this subscription through Redis.
        let (reply, confirmed) = oneshot::channel();
        if self.confirm.send(reply).is_ok()
            && tokio::time::timeout(SUBSCRIBE_WAIT, confirmed)
                .await
                .is_err()
        {
            tracing::warn!(?topic, "Redis did not confirm a subscription in time");
        }
        Ok(subscription)
    }

    fn router(&self) -> &Arc<LocalRouter> {
        &self.router
    }

    /// Redis drops what is published on a channel before this process's
    /// SUBSCRIBE to it is confirmed, so the router's epoch proves nothing.
    fn epoch(&self) -> Option<u64> {
        None
    }

    fn kind(&self) -> &'static str {
        KIND
    }

    async fn ready(&self) -> bool {
        let connection = self.connection.borrow().clone();
        let Some(mut connection) = connection else {
            return false;
        };
        let ping = ::redis::cmd("PING");
        let ping = ping.query_async::<String>(&mut connection);
        matches!(
            tokio::time::timeout(Duration::from_secs(2), ping).await,
            Ok(Ok(_))
        )
    }
}

/// A RESP3 client for the Redis server at `url`. A `rediss://` URL is
/// TLS: the server's certificate must chain to `ca_file` (PEM) when given,
/// else to the public web roots. A CA file with a plain `redis://` URL is
/// refused rather than ignored, so that a missing `s` does not quietly
/// turn TLS off.
pub fn client(url: &str, ca_file: Option<&Path>) -> anyhow::Result<Client> {
    let invalid = || format!("invalid Redis URL {}", redact_url(url));
    let info = url.into_connection_info().with_context(invalid)?;
    let tls = matches!(info.addr(), ConnectionAddr::TcpTls { .. });
    let settings = info
        .redis_settings()
        .clone()
        .set_protocol(ProtocolVersion::RESP3);
    let info = info.set_redis_settings(settings);
    if !tls {
        anyhow::ensure!(
            ca_file.is_none(),
            "--redis-ca-file needs a rediss:// broker URL, not {}",
            redact_url(url)
        );
        return Client::open(info).with_context(invalid);
    }
    // The redis crate builds its rustls configuration with the process's
    // default provider; make it the ring one that sqlx and reqwest use.
    // An `Err` only says a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root_cert = ca_file.map(read_root_certificates).transpose()?;
    let certificates = TlsCertificates {
        client_tls: None,
        root_cert,
    };
    Client::build_with_tls(info, certificates).with_context(invalid)
}

/// The PEM file at `path`, checked to hold at least one well-formed
/// certificate: the redis crate would take an empty or unrelated file as
/// "trust nothing" and fail only at the first connection.
fn read_root_certificates(path: &Path) -> anyhow::Result<Vec<u8>> {
    let context = || format!("reading the Redis CA file {}", path.display());
    let pem = std::fs::read(path).with_context(context)?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .with_context(context)?;
    anyhow::ensure!(
        !certificates.is_empty(),
        "the Redis CA file {} holds no PEM certificate",
        path.display()
    );
    Ok(pem)
}

/// The Redis channel of a topic: `<prefix>:<variant>:<value>` from the
/// topic's serde form (`User(5)` → `herald:user:5`).
pub fn channel_of(prefix: &str, topic: &Topic) -> String {
    match serde_json::to_value(topic) {
        Ok(serde_json::Value::Object(fields)) if fields.len() == 1 => {
            let (variant, value) = fields.iter().next().expect("one field");
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{prefix}:{}:{value}", variant.to_lowercase())
        }
        Ok(serde_json::Value::String(variant)) => format!("{prefix}:{}", variant.to_lowercase()),
        Ok(other) => format!("{prefix}:{other}"),
        // A topic is plain data; serialising it cannot fail.
        Err(err) => unreachable!("topic does not serialise: {err}"),
    }
}

/// Doubling waits between attempts, from `BACKOFF_MIN` to `BACKOFF_MAX`.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Self {
        Backoff(BACKOFF_MIN)
    }

    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(BACKOFF_MAX);
        wait
    }
}

/// Owns the connection: connects, subscribes to what the local router
/// needs, routes incoming messages, and starts over when it drops.
struct ConnectionTask {
    client: Client,
    client_name: String,
    prefix: String,
    router: Arc<LocalRouter>,
    interest: mpsc::UnboundedReceiver<Interest>,
    confirm: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
    connection: watch::Sender<Option<MultiplexedConnection>>,
    shutdown: CancellationToken,
}

/// Why a connection stopped being served.
enum Stop {
    Lost,
    Shutdown,
}

impl ConnectionTask {
    async fn run(mut self) {
        let mut backoff = Backoff::new();
        let mut ever_connected = false;
        let shutdown = self.shutdown.clone();
        loop {
            let (push_tx, push_rx) = mpsc::unbounded_channel();
            let connected = tokio::select! {
                _ = shutdown.cancelled() => return,
                connected = self.connect(push_tx) => connected,
            };
            let stop = match connected {
                Ok(connection) => {
                    backoff = Backoff::new();
                    if ever_connected {
                        tracing::info!(client = %self.client_name, "reconnected to Redis");
                        metrics::broker_reconnected(KIND);
                    } else {
                        tracing::info!(client = %self.client_name, "connected to Redis");
                    }
                    ever_connected = true;
                    self.connection.send_replace(Some(connection.clone()));
                    // Whatever was published while this replica was not
                    // subscribed is in the store: every local subscription
                    // reads it from its last delivered cursor.
                    self.router.resync_all();
                    let stop = self.serve(connection, push_rx).await;
                    self.connection.send_replace(None);
                    stop
                }
                Err(err) => {
                    tracing::warn!(error = %err, client = %self.client_name, "cannot reach Redis");
                    Stop::Lost
                }
            };
            if let Stop::Shutdown = stop {
                return;
            }
            // While waiting, subscriptions opened now are told at once:
            // the resync after the reconnect covers them.
            let sleep = tokio::time::sleep(backoff.next());
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    _ = self.shutdown.cancelled() => return,
                    _ = &mut sleep => break,
                    reply = self.confirm.recv() => match reply {
                        Some(reply) => { let _ = reply.send(()); }
                        None => return,
                    },
                }
            }
        }
    }

    /// A named connection subscribed to every topic the router has now.
    async fn connect(
        &mut self,
        pushes: mpsc::UnboundedSender<PushInfo>,
    ) -> ::redis::RedisResult<MultiplexedConnection> {
        let config = AsyncConnectionConfig::new()
            .set_push_sender(pushes)
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        let mut connection = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        ::redis::cmd("CLIENT")
            .arg("SETNAME")
            .arg(&self.client_name)
            .exec_async(&mut connection)
            .await?;
        // Interest reported before now is superseded by the router's
        // current topics; what is reported from here on is applied after.
        while self.interest.try_recv().is_ok() {}
        let channels: Vec<String> = std::iter::once(format!("{}:{RESYNC_CHANNEL}", self.prefix))
            .chain(
                self.router
                    .topics()
                    .iter()
                    .map(|topic| channel_of(&self.prefix, topic)),
            )
            .collect();
        for chunk in channels.chunks(SUBSCRIBE_CHUNK) {
            connection.subscribe(chunk).await?;
        }
        Ok(connection)
    }

    /// Routes messages and applies interest changes until the connection
    /// is lost or the broker shuts down.
    async fn serve(
        &mut self,
        mut connection: MultiplexedConnection,
        mut pushes: mpsc::UnboundedReceiver<PushInfo>,
    ) -> Stop {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            tokio::select! {
                _ = self.shutdown.cancelled() => return Stop::Shutdown,
                push = pushes.recv() => {
                    let Some(push) = push else { return Stop::Lost };
                    if push.kind == PushKind::Disconnection {
                        tracing::warn!(client = %self.client_name, "lost the Redis connection");
                        return Stop::Lost;
                    }
                    let mut events = Vec::new();
                    let mut resync = self.collect_event(push, &mut events);
                    // Route what has already arrived in one pass.
                    let mut lost = false;
                    while let Ok(push) = pushes.try_recv() {
                        if push.kind == PushKind::Disconnection {
                            lost = true;
                            break;
                        }
                        resync |= self.collect_event(push, &mut events);
                    }
                    metrics::broker_received(KIND, events.len());
                    self.router.deliver(events);
                    if resync {
                        tracing::info!("a replica dropped events: re-reading the store");
                        self.router.resync_all();
                    }
                    if lost {
                        tracing::warn!(client = %self.client_name, "lost the Redis connection");
                        return Stop::Lost;
                    }
                }
                interest = self.interest.recv() => {
                    // The router lives as long as this task: never None.
                    let Some(interest) = interest else { return Stop::Shutdown };
                    if let Err(err) = self.apply(&mut connection, interest).await {
                        tracing::warn!(error = %err, "Redis (un)subscribe failed");
                        return Stop::Lost;
                    }
                }
                reply = self.confirm.recv() => {
                    let Some(reply) = reply else { return Stop::Shutdown };
                    // The interest that made the caller wait was sent
                    // before its request: it is in the queue now.
                    while let Ok(interest) = self.interest.try_recv() {
                        if let Err(err) = self.apply(&mut connection, interest).await {
                            tracing::warn!(error = %err, "Redis subscribe failed");
                            return Stop::Lost;
                        }
                    }
                    let _ = reply.send(());
                }
                _ = ping.tick() => {
                    let answered = tokio::time::timeout(
                        RESPONSE_TIMEOUT,
                        ::redis::cmd("PING").query_async::<String>(&mut connection),
                    )
                    .await;
                    if !matches!(answered, Ok(Ok(_))) {
                        tracing::warn!(client = %self.client_name, "Redis stopped answering");
                        return Stop::Lost;
                    }
                }
            }
        }
    }

    async fn apply(
        &self,
        connection: &mut MultiplexedConnection,
        interest: Interest,
    ) -> ::redis::RedisResult<()> {
        match interest {
            Interest::Opened(topic) => connection.subscribe(channel_of(&self.prefix, &topic)).await,
            Interest::Closed(topic) => {
                connection
                    .unsubscribe(channel_of(&self.prefix, &topic))
                    .await
            }
        }
    }
}

impl ConnectionTask {
    /// Adds the event a pub/sub message carries to `events`; other pushes
    /// (subscription confirmations) carry none. True when the message is a
    /// request to re-read the store.
    fn collect_event(&self, push: PushInfo, events: &mut Vec<Event>) -> bool {
        if push.kind != PushKind::Message {
            return false;
        }
        // A message push is [channel, payload].
        let (Some(Value::BulkString(channel)), Some(Value::BulkString(payload))) =
            (push.data.first(), push.data.get(1))
        else {
            return false;
        };
        if channel.strip_prefix(self.prefix.as_bytes())
            == Some(format!(":{RESYNC_CHANNEL}").as_bytes())
        {
            return true;
        }
        match serde_json::from_slice::<Event>(payload) {
            Ok(event) => events.push(event),
            // From a newer replica with an event kind this one does not
            // know; its subscribers are not of that kind either.
            Err(err) => tracing::warn!(error = %err, "ignoring an undecodable Redis message"),
        }
        false
    }
}

/// Publishes queued events in order, pipelined, retrying each batch until
/// Redis takes it.
async fn publish_in_order(
    mut outbox: mpsc::UnboundedReceiver<Vec<Event>>,
    mut connection: watch::Receiver<Option<MultiplexedConnection>>,
    prefix: String,
    state: Arc<OutboxState>,
    shutdown: CancellationToken,
) {
    loop {
        let first = tokio::select! {
            _ = shutdown.cancelled() => return,
            first = outbox.recv() => match first {
                Some(first) => first,
                None => return,
            },
        };
        let mut batch = first;
        while batch.len() < MAX_PIPELINE {
            match outbox.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        let mut pipe = ::redis::pipe();
        // Events were dropped while the outbox was full: they are in the
        // store, and every replica's subscriptions re-read it. Sent after
        // what was queued before the drop, whose order it must not break.
        let resync = state.overflowed.swap(false, Ordering::AcqRel);
        for event in &batch {
            match serde_json::to_string(event) {
                Ok(payload) => {
                    pipe.publish(channel_of(&prefix, &event.topic()), payload)
                        .ignore();
                }
                Err(err) => tracing::error!(error = %err, "cannot serialise an event"),
            }
        }
        if resync {
            pipe.publish(format!("{prefix}:{RESYNC_CHANNEL}"), "")
                .ignore();
        }
        let mut backoff = Backoff::new();
        loop {
            let current = tokio::select! {
                _ = shutdown.cancelled() => return,
                current = connection.wait_for(Option::is_some) => match current {
                    Ok(current) => current.clone(),
                    Err(_) => return,
                },
            };
            let Some(mut current) = current else { continue };
            match pipe.exec_async(&mut current).await {
                Ok(()) => {
                    let left = state.pending.fetch_sub(batch.len(), Ordering::AcqRel);
                    metrics::outbox_depth(left.saturating_sub(batch.len()));
                    metrics::broker_published(KIND, batch.len());
                    break;
                }
                Err(err) => {
                    tracing::warn!(error = %err, events = batch.len(), "publishing to Redis failed; retrying");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(backoff.next()) => {}
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_named_after_the_topic() {
        assert_eq!(channel_of("herald", &Topic::User(5)), "herald:user:5");
        assert_eq!(channel_of("blue", &Topic::User(12)), "blue:user:12");
    }

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let mut backoff = Backoff::new();
        assert_eq!(backoff.next(), BACKOFF_MIN);
        assert_eq!(backoff.next(), BACKOFF_MIN * 2);
        for _ in 0..20 {
            backoff.next();
        }
        assert_eq!(backoff.next(), BACKOFF_MAX);
    }

    #[test]
    fn a_ca_file_is_refused_with_a_plain_redis_url() {
        let ca = Path::new("/etc/ssl/ca.pem");
        let err = client("redis://:secret@cache:6379", Some(ca)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--redis-ca-file needs a rediss:// broker URL, not redis://:***@cache:6379"
        );
    }

    #[test]
    fn rediss_urls_trust_the_web_roots_without_a_ca_file() {
        let client = client("rediss://cache:6380", None).unwrap();
        assert!(matches!(
            client.get_connection_info().addr(),
            ConnectionAddr::TcpTls { .. }
        ));
    }
}
