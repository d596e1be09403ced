//! Prometheus metrics: every family Herald exports, the recorder that
//! keeps them, and the small helpers the rest of the code calls.
//!
//! The code records through the `metrics` facade, whose macros do nothing
//! until a recorder is installed. `install` installs one (the serve path
//! does, once per process, and only with `--metrics true`); `build`, which
//! the tests call many times, never does, so in-process tests record into
//! nothing. `/metrics` renders what the recorder holds.
//!
//! `FAMILIES` is the one list of what is exported, with each family's
//! kind and meaning; the README's table is checked against it. The names
//! are constants used by the helpers below and nowhere else, so that a
//! family cannot be recorded under a name the list does not know.

use std::{
    collections::HashSet,
    future::Future,
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

use metrics::{Counter, Gauge, Histogram, counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const CONNECTIONS: &str = "herald_connections";
pub const SUBSCRIPTIONS: &str = "herald_subscriptions";
pub const NOTIFICATIONS_WRITTEN: &str = "herald_notifications_written_total";
pub const DELIVERIES: &str = "herald_deliveries_total";
pub const DELIVERY_LATENCY: &str = "herald_delivery_latency_seconds";
pub const CATCHUP_READS: &str = "herald_catchup_reads_total";
pub const CATCHUP_ROWS: &str = "herald_catchup_rows";
pub const RESYNCS: &str = "herald_resyncs_total";
pub const BROKER_PUBLISHED: &str = "herald_broker_published_total";
pub const BROKER_RECEIVED: &str = "herald_broker_received_total";
pub const BROKER_RECONNECTS: &str = "herald_broker_reconnects_total";
pub const BROKER_OUTBOX_DEPTH: &str = "herald_broker_outbox_depth";
pub const STORE_TRANSACTION: &str = "herald_store_transaction_seconds";
pub const STORE_QUERY: &str = "herald_store_query_seconds";
pub const HTTP_REQUESTS: &str = "herald_http_requests_total";
pub const REFUSALS: &str = "herald_refusals_total";
pub const RETENTION_DELETED: &str = "herald_retention_deleted_total";
pub const PUSHES: &str = "herald_pushes_total";
pub const ENGINE: &str = "herald_subscription_engine_total";

/// Every family Herald exports: name, kind (`counter`, `gauge` or
/// `histogram`, as Prometheus types it), labels and meaning. README's
/// "Metrics" table lists exactly these.
pub const FAMILIES: &[(&str, &str, &str)] = &[
    (
        CONNECTIONS,
        "gauge",
        "open websocket and SSE connections (label transport: websocket, sse)",
    ),
    (
        SUBSCRIPTIONS,
        "gauge",
        "live subscriptions (label field: notifications, chatMessages)",
    ),
    (
        NOTIFICATIONS_WRITTEN,
        "counter",
        "notification rows committed (one per recipient)",
    ),
    (
        DELIVERIES,
        "counter",
        "items handed to subscribers (label path: live from the broker, store when read back)",
    ),
    (
        DELIVERY_LATENCY,
        "histogram",
        "seconds from an item's commit to its hand-off to the connection (label path)",
    ),
    (
        CATCHUP_READS,
        "counter",
        "store reads of subscriptions catching up (start, resume, gap, resync)",
    ),
    (
        CATCHUP_ROWS,
        "histogram",
        "rows each catch-up read returned",
    ),
    (
        RESYNCS,
        "counter",
        "subscriptions told to re-read the store (label reason: overflow, broker, gap)",
    ),
    (
        BROKER_PUBLISHED,
        "counter",
        "events this replica published (label broker: memory, redis, postgres)",
    ),
    (
        BROKER_RECEIVED,
        "counter",
        "events this replica received from its broker (label broker)",
    ),
    (
        BROKER_RECONNECTS,
        "counter",
        "broker connections lost and made again (label broker)",
    ),
    (
        BROKER_OUTBOX_DEPTH,
        "gauge",
        "events waiting for Redis to take them (0 with other brokers)",
    ),
    (
        STORE_TRANSACTION,
        "histogram",
        "seconds of write transactions, from asking to begin (waiting for the writer included) to commit",
    ),
    (
        STORE_QUERY,
        "histogram",
        "seconds of the main reads (label query: by_ids, page, catch_up)",
    ),
    (
        HTTP_REQUESTS,
        "counter",
        "HTTP requests answered (labels status, operation: the GraphQL operation name or the route)",
    ),
    (
        REFUSALS,
        "counter",
        "requests refused with a code (label code: RATE_LIMITED, QUERY_TOO_DEEP, OVERLOADED, ...)",
    ),
    (
        RETENTION_DELETED,
        "counter",
        "rows the retention sweep deleted (label kind: notifications, chat_messages)",
    ),
    (
        PUSHES,
        "counter",
        "Web Push attempts by outcome (label outcome: delivered, online, retry, throttled, gone, rejected, dropped)",
    ),
    (
        ENGINE,
        "counter",
        "the subscription engine's work (label event: rendered, shared, handed_over)",
    ),
];

/// Delivery latency, in seconds: a millisecond to a minute (a catch-up
/// after a long disconnection lands in the last bucket).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Store timings, in seconds: half a millisecond (an indexed read on
/// SQLite) to the 5 s SQLite busy timeout.
const STORE_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Rows per catch-up read, up to its page of 500 (`CATCH_UP_PAGE`).
const ROWS_BUCKETS: &[f64] = &[0.0, 1.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0];

/// How often histograms are drained into their buckets (the exporter
/// leaves it to the caller when it runs no listener of its own).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the first)
/// and gives every family its help text and, for the labels known in
/// advance, a zero sample, so that a scrape shows a family before it
/// first moves. The serve path calls it before it builds the server, so
/// that nothing the server does at start (the first retention sweep, the
/// broker's first connection) is counted before there is a recorder.
pub fn install() -> anyhow::Result<()> {
    if HANDLE.get().is_some() {
        return Ok(());
    }
    let mut builder = PrometheusBuilder::new();
    for (name, buckets) in [
        (DELIVERY_LATENCY, LATENCY_BUCKETS),
        (STORE_TRANSACTION, STORE_BUCKETS),
        (STORE_QUERY, STORE_BUCKETS),
        (CATCHUP_ROWS, ROWS_BUCKETS),
    ] {
        builder = builder.set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)?;
    }
    let handle = builder.install_recorder()?;
    let handle = HANDLE.get_or_init(|| handle);
    describe_families();
    register_zeroes();
    let _ = DELIVERY.set(delivery_handles());
    let _ = ENGINE_COUNTERS.set(
        [Engine::Rendered, Engine::Shared, Engine::HandedOver]
            .map(|event| counter!(ENGINE, "event" => event.label())),
    );
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(UPKEEP_EVERY);
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(())
}

/// The exposition text of every family, or `None` when no recorder is
/// installed (metrics are off, or this is not the serve path).
pub fn render() -> Option<String> {
    HANDLE.get().map(PrometheusHandle::render)
}

fn describe_families() {
    for &(name, kind, help) in FAMILIES {
        match kind {
            "counter" => metrics::describe_counter!(name, help),
            "gauge" => metrics::describe_gauge!(name, help),
            _ => metrics::describe_histogram!(name, help),
        }
    }
}

fn register_zeroes() {
    for transport in ["websocket", "sse"] {
        gauge!(CONNECTIONS, "transport" => transport).set(0.0);
    }
    for field in ["notifications", "chatMessages"] {
        gauge!(SUBSCRIPTIONS, "field" => field).set(0.0);
    }
    counter!(NOTIFICATIONS_WRITTEN).increment(0);
    for path in [Path::Live, Path::Store] {
        counter!(DELIVERIES, "path" => path.label()).increment(0);
    }
    counter!(CATCHUP_READS).increment(0);
    for reason in ["overflow", "broker", "gap"] {
        counter!(RESYNCS, "reason" => reason).increment(0);
    }
    gauge!(BROKER_OUTBOX_DEPTH).set(0.0);
    for kind in ["notifications", "chat_messages"] {
        counter!(RETENTION_DELETED, "kind" => kind).increment(0);
    }
    for outcome in PUSH_OUTCOMES {
        counter!(PUSHES, "outcome" => *outcome).increment(0);
    }
    for event in [Engine::Rendered, Engine::Shared, Engine::HandedOver] {
        counter!(ENGINE, "event" => event.label()).increment(0);
    }
}

/// Gives the broker's families a zero sample labelled with `broker`, the
/// kind this process opened; a count already made is kept.
pub fn register_broker(broker: &'static str) {
    for name in [BROKER_PUBLISHED, BROKER_RECEIVED, BROKER_RECONNECTS] {
        counter!(name, "broker" => broker).increment(0);
    }
}

/// One unit of a gauge, held while this value lives: incremented when it
/// is made, decremented when it is dropped, so that a gauge of open
/// things cannot drift whichever way each one ends.
pub struct Held(Gauge);

impl Held {
    fn new(gauge: Gauge) -> Self {
        gauge.increment(1.0);
        Held(gauge)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// An open connection of `transport` (`websocket`, `sse`).
pub fn connection(transport: &'static str) -> Held {
    Held::new(gauge!(CONNECTIONS, "transport" => transport))
}

/// A live subscription to the GraphQL subscription field `field`.
pub fn subscription(field: &'static str) -> Held {
    Held::new(gauge!(SUBSCRIPTIONS, "field" => field))
}

pub fn notifications_written(n: usize) {
    counter!(NOTIFICATIONS_WRITTEN).increment(n as u64);
}

/// Where a delivered item came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// From the broker, as it was committed.
    Live,
    /// Read back from the store (a catch-up, a gap, a resync).
    Store,
}

impl Path {
    fn label(self) -> &'static str {
        match self {
            Path::Live => "live",
            Path::Store => "store",
        }
    }
}

/// The delivery counter and latency histogram of each path, looked up
/// once at `install`: a fan-out records them once per recipient, and the
/// macros would look each one up by name and labels every time.
struct DeliveryHandles {
    live: (Counter, Histogram),
    store: (Counter, Histogram),
}

static DELIVERY: OnceLock<DeliveryHandles> = OnceLock::new();

fn delivery_handles() -> DeliveryHandles {
    let of = |path: Path| {
        (
            counter!(DELIVERIES, "path" => path.label()),
            histogram!(DELIVERY_LATENCY, "path" => path.label()),
        )
    };
    DeliveryHandles {
        live: of(Path::Live),
        store: of(Path::Store),
    }
}

/// What the subscription engine did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Rendered a payload through async-graphql.
    Rendered,
    /// Delivered a payload another recipient's render made.
    Shared,
    /// Handed a subscription to async-graphql.
    HandedOver,
}

impl Engine {
    fn label(self) -> &'static str {
        match self {
            Engine::Rendered => "rendered",
            Engine::Shared => "shared",
            Engine::HandedOver => "handed_over",
        }
    }
}

/// The engine's counters, looked up once at `install`: a fan-out counts
/// once per recipient.
static ENGINE_COUNTERS: OnceLock<[Counter; 3]> = OnceLock::new();

/// Counts one `event` of the subscription engine. Records nothing before
/// `install`.
pub fn engine(event: Engine) {
    if let Some(counters) = ENGINE_COUNTERS.get() {
        counters[event as usize].increment(1);
    }
}

/// An item committed at `created_at_micros` (Unix microseconds) handed to
/// a subscriber now. Records nothing before `install`.
pub fn delivered(path: Path, created_at_micros: i64) {
    let Some(handles) = DELIVERY.get() else {
        return;
    };
    let (count, latency) = match path {
        Path::Live => &handles.live,
        Path::Store => &handles.store,
    };
    count.increment(1);
    let age = chrono::Utc::now().timestamp_micros() - created_at_micros;
    // Replicas' clocks may differ slightly: never a negative latency.
    latency.record(age.max(0) as f64 / 1e6);
}

/// A subscription read `rows` rows from the store to catch up.
pub fn catch_up_read(rows: usize) {
    counter!(CATCHUP_READS).increment(1);
    histogram!(CATCHUP_ROWS).record(rows as f64);
}

/// Why a subscription re-reads the store.
#[derive(Clone, Copy, Debug)]
pub enum Resync {
    /// Its buffer overflowed.
    Overflow,
    /// The broker may have lost events (a reconnect, a replica that
    /// dropped some).
    Broker,
    /// A live item showed that an earlier one had not arrived.
    Gap,
}

pub fn resync(reason: Resync) {
    let reason = match reason {
        Resync::Overflow => "overflow",
        Resync::Broker => "broker",
        Resync::Gap => "gap",
    };
    counter!(RESYNCS, "reason" => reason).increment(1);
}

pub fn broker_published(broker: &'static str, events: usize) {
    counter!(BROKER_PUBLISHED, "broker" => broker).increment(events as u64);
}

pub fn broker_received(broker: &'static str, events: usize) {
    counter!(BROKER_RECEIVED, "broker" => broker).increment(events as u64);
}

pub fn broker_reconnected(broker: &'static str) {
    counter!(BROKER_RECONNECTS, "broker" => broker).increment(1);
}

pub fn outbox_depth(events: usize) {
    gauge!(BROKER_OUTBOX_DEPTH).set(events as f64);
}

/// A write transaction that began at `began` committed now.
pub fn transaction_committed(began: Instant) {
    histogram!(STORE_TRANSACTION).record(began.elapsed().as_secs_f64());
}

/// Runs the read `query` (`by_ids`, `page`, `catch_up`) and records how
/// long it took, whether it succeeded or not.
pub async fn timed_query<T>(query: &'static str, read: impl Future<Output = T>) -> T {
    let began = Instant::now();
    let out = read.await;
    histogram!(STORE_QUERY, "query" => query).record(began.elapsed().as_secs_f64());
    out
}

/// An HTTP request answered with `status`; `operation` is its
/// `OperationLabel` or route.
pub fn http_request(status: u16, operation: &str) {
    counter!(HTTP_REQUESTS, "status" => status.to_string(), "operation" => operation.to_owned())
        .increment(1);
}

/// A request refused with the `extensions.code` `code`.
/// Rows of `kind` (`notifications`, `chat_messages`) a retention sweep
/// deleted.
pub fn retention_deleted(kind: &'static str, rows: u64) {
    counter!(RETENTION_DELETED, "kind" => kind).increment(rows);
}

/// What can become of a push (the `outcome` label of `PUSHES`).
pub const PUSH_OUTCOMES: &[&str] = &[
    "delivered",
    "online",
    "retry",
    "throttled",
    "gone",
    "rejected",
    "dropped",
];

/// One push handled by the push sender, by what became of it (one of
/// `PUSH_OUTCOMES`).
pub fn push_sent(outcome: &'static str) {
    counter!(PUSHES, "outcome" => outcome).increment(1);
}

pub fn refusal(code: &'static str) {
    counter!(REFUSALS, "code" => code).increment(1);
}

/// Distinct operation names a process labels its request counts with;
/// later names count as `other`. Each name is a time series in every
/// scrape, and a client choosing names must not be able to grow that
/// without bound; a deployment's clients use a few dozen.
pub const MAX_OPERATION_NAMES: usize = 200;

/// The longest operation name taken as a label.
const MAX_OPERATION_NAME_LEN: usize = 100;

/// The `operation` label of a GraphQL request, put in the response's
/// extensions by the handler for the request counter to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationLabel(pub String);

impl OperationLabel {
    /// The label of `request`: its `operationName`, else the name its
    /// text gives its (first) operation, else `anonymous`; `other` for a
    /// name that is not a GraphQL name or past the first
    /// `MAX_OPERATION_NAMES`.
    pub fn of(request: &async_graphql::Request) -> Self {
        let name = request
            .operation_name
            .as_deref()
            .or_else(|| named_in(&request.query));
        OperationLabel(match name {
            None => "anonymous".to_owned(),
            Some(name) => bounded(name),
        })
    }

    /// Several operations in one request.
    pub fn batch() -> Self {
        OperationLabel("batch".to_owned())
    }
}

/// The operation names seen so far, up to `max`.
struct OperationNames {
    seen: Mutex<HashSet<String>>,
    max: usize,
}

impl OperationNames {
    fn new(max: usize) -> Self {
        OperationNames {
            seen: Mutex::new(HashSet::new()),
            max,
        }
    }

    /// `name` as a label: itself while there is room, else `other`.
    fn label(&self, name: &str) -> String {
        if !is_graphql_name(name) || name.len() > MAX_OPERATION_NAME_LEN {
            return "other".to_owned();
        }
        // One set lookup per request; never held across anything else.
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !seen.contains(name) {
            if seen.len() >= self.max {
                return "other".to_owned();
            }
            seen.insert(name.to_owned());
        }
        name.to_owned()
    }
}

fn bounded(name: &str) -> String {
    static NAMES: OnceLock<OperationNames> = OnceLock::new();
    NAMES
        .get_or_init(|| OperationNames::new(MAX_OPERATION_NAMES))
        .label(name)
}

fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// The name of the operation a document's text starts with
/// (`query Inbox { … }` → `Inbox`), without parsing it: skips what
/// GraphQL ignores (white space, commas, comments), then reads the
/// operation keyword and the name after it.
fn named_in(query: &str) -> Option<&str> {
    let rest = skip_ignored(query);
    let keyword_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if !matches!(&rest[..keyword_end], "query" | "mutation" | "subscription") {
        return None;
    }
    let rest = skip_ignored(&rest[keyword_end..]);
    let name_end = rest
        .find(|c: char| c != '_' && !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_end];
    is_graphql_name(name).then_some(name)
}

fn skip_ignored(mut text: &str) -> &str {
    loop {
        text = text.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == '\u{feff}');
        match text.strip_prefix('#') {
            Some(comment) => text = comment.find('\n').map_or("", |end| &comment[end..]),
            None => return text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_come_from_the_request_or_its_text() {
        let label = |query: &str, name: Option<&str>| {
            let mut request = async_graphql::Request::new(query);
            request.operation_name = name.map(str::to_owned);
            OperationLabel::of(&request).0
        };
        assert_eq!(label("{ me { id } }", None), "anonymous");
        assert_eq!(label("query Inbox { me { id } }", None), "Inbox");
        assert_eq!(
            label("# hi\n, mutation   SignUp($a: Int) { x }", None),
            "SignUp"
        );
        assert_eq!(label("subscription{ x }", None), "anonymous");
        assert_eq!(label("query A { x } query B { y }", Some("B")), "B");
        assert_eq!(label("{ x }", Some("not a name!")), "other");
        assert_eq!(label("{ x }", Some(&"N".repeat(500))), "other");
    }

    #[test]
    fn operation_names_past_the_bound_count_as_other() {
        let names = OperationNames::new(3);
        for name in ["A", "B", "C"] {
            assert_eq!(names.label(name), name);
        }
        assert_eq!(names.label("D"), "other");
        assert_eq!(names.label("A"), "A", "a name seen before keeps its label");
    }

    #[test]
    fn the_readme_lists_exactly_the_exported_families() {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("### Metrics")
            .nth(1)
            .expect("README has a Metrics section");
        let table: Vec<(&str, &str)> = section
            .lines()
            .skip_while(|line| !line.starts_with('|'))
            .take_while(|line| line.starts_with('|'))
            .skip(2)
            .map(|row| {
                let cells: Vec<&str> = row.split('|').map(str::trim).collect();
                (cells[1].trim_matches('`'), cells[2])
            })
            .collect();
        let families: Vec<(&str, &str)> = FAMILIES
            .iter()
            .map(|&(name, kind, _)| (name, kind))
            .collect();
        assert_eq!(table, families);
    }
}
