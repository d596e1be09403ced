//! `idle`: how many subscriptions one server holds, and what each costs.
//!
//! U users each open C websockets carrying S subscriptions each. The
//! server's resident memory is read three times — before, with the
//! connections open and initialised but nothing subscribed, and with every
//! subscription started — so the cost of a connection and the cost of a
//! subscription are reported apart. Every websocket is a file descriptor
//! on both sides, so large subscription counts multiplex several
//! subscriptions per socket, and `--source-addrs` spreads client sockets
//! over several loopback addresses.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;
use tokio::time::Instant;

use super::{AccountsUsed, ClientFields, DEFAULT_FIELDS, Start, concurrently, notifications_query};
use crate::{
    Common, Outcome,
    api::Account,
    stats,
    ws::{self, Connector, Ws},
};

#[derive(Args, Debug)]
pub struct IdleArgs {
    /// Users whose notifications are subscribed to.
    #[arg(long, default_value_t = 10_000)]
    pub users: usize,
    /// Websockets per user.
    #[arg(long, default_value_t = 1)]
    pub connections_per_user: usize,
    /// Subscriptions multiplexed on each websocket.
    #[arg(long, default_value_t = 10)]
    pub subs_per_connection: usize,
    /// The server's process id, whose memory is read.
    #[arg(long)]
    pub pid: Option<u32>,
    /// Seconds to let the server settle before each memory reading.
    #[arg(long, default_value_t = 3.0)]
    pub settle_secs: f64,
    /// Seconds to hold everything open after the last reading.
    #[arg(long, default_value_t = 0.0)]
    pub hold_secs: f64,
    /// Fields selected by the subscriptions.
    #[arg(long, default_value = DEFAULT_FIELDS)]
    pub fields: String,
    /// A whole subscription document to hold instead of `notifications`
    /// with `--fields`; `$u: ID!` is the user's id. For example the inbox:
    /// `subscription($u: ID!) { inbox(userId: $u) { version unreadCount } }`.
    #[arg(long)]
    pub query: Option<String>,
}

/// The summary line of `idle`.
#[derive(Serialize)]
struct IdleSummary {
    scenario: &'static str,
    users: usize,
    connections: usize,
    subscriptions: usize,
    connections_closed_by_server: usize,
    error_frames: u64,
    /// The first frame that was not a result, to tell why.
    first_error_frame: Option<String>,
    frames: u64,
    server_rss_bytes: ServerRss,
    bytes_per_connection: Option<f64>,
    bytes_per_subscription: Option<f64>,
    bytes_per_subscription_all_in: Option<f64>,
    kib_per_subscription_all_in: Option<f64>,
    connect_s: f64,
    subscribe_s: f64,
    accounts: AccountsUsed,
    client_open_file_limit: u64,
    #[serde(flatten)]
    client: ClientFields,
}

/// The server's resident memory at the three readings, in bytes.
#[derive(Serialize)]
struct ServerRss {
    before: Option<u64>,
    connected: Option<u64>,
    subscribed: Option<u64>,
}

pub async fn run(common: &Common, args: IdleArgs) -> anyhow::Result<Outcome> {
    let users = args.users.max(1);
    let per_user = args.connections_per_user.max(1);
    let per_connection = args.subs_per_connection;
    let start = Start::new(common, users).await?;
    let rss = |pid: Option<u32>| pid.map(stats::rss_bytes).transpose();
    let settle = Duration::from_secs_f64(args.settle_secs);

    let rss_before = rss(args.pid)?;
    let connector = Arc::new(Connector::new(&common.url, common.source_addrs)?);
    let slots: Vec<Account> = start
        .accounts
        .iter()
        .flat_map(|a| std::iter::repeat_n(a.clone(), per_user))
        .collect();
    let opened = Instant::now();
    let sockets: Vec<(Account, Ws)> =
        concurrently(common, "connect", slots, common.setup_concurrency, |user| {
            let connector = connector.clone();
            async move {
                let socket = connector.open(&user.token).await?;
                Ok((user, socket))
            }
        })
        .await
        .context("opening websockets (is the open-file limit of client or server reached?)")?;
    let connect_secs = opened.elapsed().as_secs_f64();
    let connections = sockets.len();
    tokio::time::sleep(settle).await;
    let rss_connected = rss(args.pid)?;

    let query = Arc::new(
        args.query
            .clone()
            .unwrap_or_else(|| notifications_query(&args.fields)),
    );
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::OnceLock::<String>::new());
    let frames = Arc::new(AtomicU64::new(0));
    let subscribed = Instant::now();
    let readers = concurrently(
        common,
        "subscribe",
        sockets,
        common.setup_concurrency,
        |(user, mut socket)| {
            let (query, errors, frames) = (query.clone(), errors.clone(), frames.clone());
            let first_error = first_error.clone();
            async move {
                ws::subscribe_notifications(&mut socket, &query, &user.id, per_connection).await?;
                Ok(ws::spawn_reader(socket, move |frame, _| {
                    frames.fetch_add(1, Ordering::Relaxed);
                    // A refusal, or a result that carries errors (a
                    // subscription's first result may: the inbox's state).
                    if !ws::is_next(frame) || frame.contains(r#""errors""#) {
                        errors.fetch_add(1, Ordering::Relaxed);
                        let _ = first_error.set(frame.chars().take(500).collect());
                    }
                }))
            }
        },
    )
    .await
    .context("subscribing")?;
    let subscribe_secs = subscribed.elapsed().as_secs_f64();
    let subscriptions = connections * per_connection;
    tokio::time::sleep(settle).await;
    let rss_subscribed = rss(args.pid)?;
    tokio::time::sleep(Duration::from_secs_f64(args.hold_secs)).await;
    let closed = readers.iter().filter(|r| r.is_finished()).count();
    for reader in readers {
        reader.abort();
    }

    let per = |delta: Option<(u64, u64)>, n: usize| {
        delta.and_then(|(before, after)| (n > 0).then(|| (after as f64 - before as f64) / n as f64))
    };
    let per_connection_bytes = per(rss_before.zip(rss_connected), connections);
    let per_subscription_bytes = per(rss_connected.zip(rss_subscribed), subscriptions);
    let total_per_subscription_bytes = per(rss_before.zip(rss_subscribed), subscriptions);
    let error_frames = errors.load(Ordering::Relaxed);
    let summary = IdleSummary {
        scenario: "idle",
        users,
        connections,
        subscriptions,
        connections_closed_by_server: closed,
        error_frames,
        first_error_frame: first_error.get().cloned(),
        frames: frames.load(Ordering::Relaxed),
        server_rss_bytes: ServerRss {
            before: rss_before,
            connected: rss_connected,
            subscribed: rss_subscribed,
        },
        bytes_per_connection: per_connection_bytes.map(|b| b.round()),
        bytes_per_subscription: per_subscription_bytes.map(|b| b.round()),
        bytes_per_subscription_all_in: total_per_subscription_bytes.map(|b| b.round()),
        kib_per_subscription_all_in: total_per_subscription_bytes
            .map(|b| stats::round3(b / 1024.0)),
        connect_s: stats::round3(connect_secs),
        subscribe_s: stats::round3(subscribe_secs),
        accounts: start.accounts_used,
        client_open_file_limit: crate::open_file_limit(),
        client: start.client_fields(),
    };
    // A subscription the server refused or a socket it closed is a fault.
    Outcome::new(&summary, error_frames + closed as u64)
}
