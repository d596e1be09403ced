//! `p2p`: point-to-point delivery under a steady mutation rate.
//!
//! U subscribers each get one card on a shared board, assigned to them,
//! and K subscriptions to their notifications. An actor then updates
//! random cards at the target rate; each update notifies exactly the one
//! assignee, on each of their K subscriptions. The new title carries a
//! sequence number (`#L<seq>#`), which the notification's message repeats,
//! so every delivery is matched to the mutation that caused it: its
//! latency is the time from just before the HTTP request was sent to the
//! moment the frame was read, and each (update, subscription) pair must
//! arrive exactly once, on the right user's socket, naming the right card.
//!
//! A warm-up round first updates every card once and waits for all those
//! deliveries: it proves every subscription is live before the clock runs,
//! and its deliveries are checked but not timed.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;
use clap::Args;
use rand::Rng;
use serde_json::json;
use tokio::{sync::Semaphore, time::Instant};

use super::{DEFAULT_FIELDS, client_fields, concurrently, maybe_plot, notifications_query};
use crate::{
    Common, Outcome, accounts,
    api::{Account, Api},
    progress, stats,
    ws::{self, Connector},
};

#[derive(Args, Debug)]
pub struct P2pArgs {
    /// Subscribers, each with one card assigned to them.
    #[arg(long, default_value_t = 10_000)]
    pub users: usize,
    /// Subscriptions per subscriber, multiplexed on one websocket.
    #[arg(long, default_value_t = 1)]
    pub subs_per_user: usize,
    /// Target rate of `updateCard` mutations per second.
    #[arg(long, default_value_t = 2000.0)]
    pub rate: f64,
    /// Seconds the measured phase lasts.
    #[arg(long, default_value_t = 30.0)]
    pub duration: f64,
    /// Mutations in flight at once; when all are in flight the sender
    /// waits, and the achieved rate falls below the target.
    #[arg(long, default_value_t = 256)]
    pub max_in_flight: usize,
    /// Seconds to wait, after the last mutation, for late deliveries.
    #[arg(long, default_value_t = 10.0)]
    pub drain_secs: f64,
    /// Fields selected by the subscription.
    #[arg(long, default_value = DEFAULT_FIELDS)]
    pub fields: String,
    /// The server's process id, to report the CPU it used.
    #[arg(long)]
    pub pid: Option<u32>,
}

/// The frame key before a delivered card's id.
const CARD_KEY: &str = r#""card":{"id":""#;
/// The frame key before the subscription index (ids are `s0`, `s1`, …).
const SUB_KEY: &str = r#""id":"s"#;

/// Everything the readers and the sender share, indexed by sequence.
struct Ledger {
    t0: Instant,
    subs: usize,
    /// Nanoseconds after `t0` at which update `seq` was sent.
    sent_at: Vec<AtomicU64>,
    /// The user (and card) index update `seq` went to.
    target: Vec<AtomicU32>,
    /// One flag per (seq, subscription): delivered yet?
    seen: Vec<AtomicU8>,
    /// Updates below this are the warm-up: checked, not timed.
    warmup: u64,
    latencies: Mutex<Vec<u64>>,
    delivered: AtomicU64,
    duplicated: AtomicU64,
    misrouted: AtomicU64,
    unexpected: AtomicU64,
    errors: AtomicU64,
}

impl Ledger {
    fn on_frame(&self, user: usize, card_id: u64, frame: &str, at: Instant) {
        if !ws::is_next(frame) {
            self.errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let Some(seq) = ws::marker(frame).filter(|&s| (s as usize) < self.sent_at.len()) else {
            self.unexpected.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let k = ws::number_after(frame, SUB_KEY).unwrap_or(0) as usize;
        let wrong_card = ws::number_after(frame, CARD_KEY).is_some_and(|id| id != card_id);
        if k >= self.subs
            || self.target[seq as usize].load(Ordering::Relaxed) as usize != user
            || wrong_card
        {
            self.misrouted.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if self.seen[seq as usize * self.subs + k].swap(1, Ordering::Relaxed) == 1 {
            self.duplicated.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.delivered.fetch_add(1, Ordering::Relaxed);
        if seq >= self.warmup {
            let sent = Duration::from_nanos(self.sent_at[seq as usize].load(Ordering::Relaxed));
            let latency = at.saturating_duration_since(self.t0 + sent);
            self.latencies
                .lock()
                .expect("latency list poisoned")
                .push(latency.as_micros() as u64);
        }
    }
}

/// What the sender achieved over a range of updates.
#[derive(Default)]
struct Sent {
    ok: u64,
    failed: u64,
    http_micros: Vec<u64>,
    secs: f64,
    first_error: Option<String>,
}

pub async fn run(common: &Common, args: P2pArgs) -> anyhow::Result<Outcome> {
    let load_before = stats::load_average();
    let api = Api::new(&common.url)?;
    let users = args.users.max(1);
    let subs = args.subs_per_user.max(1);
    let (accounts, accounts_report) = accounts::ensure(&api, common, users + 1).await?;
    let actor = Arc::new(accounts[0].clone());
    let subscribers: Vec<Account> = accounts[1..].to_vec();

    // A board with everyone, one card per subscriber, assigned to them.
    let setup_started = Instant::now();
    let board = api.create_board(&actor, "herald-load p2p").await?;
    concurrently(
        common,
        "members",
        subscribers.clone(),
        common.setup_concurrency,
        |user| {
            let (api, actor, board) = (api.clone(), actor.clone(), board.clone());
            async move { api.add_member(&actor, &board, &user.id).await }
        },
    )
    .await
    .context("adding board members")?;
    let cards: Vec<String> = concurrently(
        common,
        "cards",
        (0..users).collect(),
        common.setup_concurrency,
        |i| {
            let (api, actor, board) = (api.clone(), actor.clone(), board.clone());
            async move { api.create_card(&actor, &board, &format!("card {i}")).await }
        },
    )
    .await
    .context("creating cards")?;
    let pairs: Vec<(String, String)> = cards
        .iter()
        .cloned()
        .zip(subscribers.iter().map(|u| u.id.clone()))
        .collect();
    concurrently(
        common,
        "assign",
        pairs,
        common.setup_concurrency,
        |(card, user)| {
            let (api, actor) = (api.clone(), actor.clone());
            async move { api.assign(&actor, &card, &user).await }
        },
    )
    .await
    .context("assigning cards")?;
    let card_ids: Vec<u64> = cards
        .iter()
        .map(|c| c.parse().context("card ids are numbers"))
        .collect::<anyhow::Result<_>>()?;
    let setup_secs = setup_started.elapsed().as_secs_f64();

    // The ledger covers the warm-up (one update per card) and the
    // measured phase, with room for a sender that runs a little long.
    let measured = (args.rate * args.duration).ceil() as usize;
    let capacity = users + measured;
    let ledger = Arc::new(Ledger {
        t0: Instant::now(),
        subs,
        sent_at: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
        target: (0..capacity).map(|_| AtomicU32::new(u32::MAX)).collect(),
        seen: (0..capacity * subs).map(|_| AtomicU8::new(0)).collect(),
        warmup: users as u64,
        latencies: Mutex::new(Vec::with_capacity(measured * subs)),
        delivered: AtomicU64::new(0),
        duplicated: AtomicU64::new(0),
        misrouted: AtomicU64::new(0),
        unexpected: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });

    // Subscribe: one websocket per subscriber, `subs` subscriptions on it.
    let connector = Arc::new(Connector::new(&common.url, common.source_addrs)?);
    let query = Arc::new(notifications_query(&args.fields));
    let indexed: Vec<(usize, Account)> = subscribers.into_iter().enumerate().collect();
    let readers = concurrently(
        common,
        "subscribe",
        indexed,
        common.setup_concurrency,
        |(i, user)| {
            let (connector, query, ledger) = (connector.clone(), query.clone(), ledger.clone());
            let card_id = card_ids[i];
            async move {
                let mut socket = connector.open(&user.token).await?;
                for k in 0..subs {
                    ws::subscribe(&mut socket, &format!("s{k}"), &query, json!({"u": user.id}))
                        .await?;
                }
                Ok(ws::spawn_reader(socket, move |frame, at| {
                    ledger.on_frame(i, card_id, frame, at)
                }))
            }
        },
    )
    .await
    .context("opening subscriptions")?;

    // Warm-up: every card once, then wait until every subscription has it.
    let warmup = send(
        common,
        &api,
        &actor,
        &card_ids,
        &ledger,
        0..users as u64,
        args.rate,
        args.max_in_flight,
        |seq| seq as usize,
    )
    .await;
    let warm_expected = warmup.ok * subs as u64;
    wait_for(
        common,
        &ledger,
        warm_expected,
        Duration::from_secs(60),
        "warm-up",
    )
    .await;
    if ledger.delivered.load(Ordering::Relaxed) < warm_expected {
        eprintln!(
            "herald-load: warm-up incomplete: some subscriptions never received their update"
        );
    }

    // The measured phase.
    let server_cpu_before = args.pid.and_then(stats::cpu_secs_of);
    let client_cpu_before = stats::own_cpu_secs();
    let range = users as u64..capacity as u64;
    let run = send(
        common,
        &api,
        &actor,
        &card_ids,
        &ledger,
        range,
        args.rate,
        args.max_in_flight,
        |_| rand::thread_rng().gen_range(0..users),
    )
    .await;
    let expected = (warmup.ok + run.ok) * subs as u64;
    wait_for(
        common,
        &ledger,
        expected,
        Duration::from_secs_f64(args.drain_secs),
        "drain",
    )
    .await;
    let server_cpu = match (server_cpu_before, args.pid.and_then(stats::cpu_secs_of)) {
        (Some(before), Some(after)) => Some(stats::round3(after - before)),
        _ => None,
    };
    let client_cpu_run = stats::round3(stats::own_cpu_secs() - client_cpu_before);
    for reader in readers {
        reader.abort();
    }

    let delivered = ledger.delivered.load(Ordering::Relaxed);
    let duplicated = ledger.duplicated.load(Ordering::Relaxed);
    let misrouted = ledger.misrouted.load(Ordering::Relaxed);
    let lost = expected.saturating_sub(delivered);
    let mut latencies =
        std::mem::take(&mut *ledger.latencies.lock().expect("latency list poisoned"));
    maybe_plot(common, "p2p mutation→delivery", &latencies);
    let mut http = run.http_micros;
    let mut summary = json!({
        "scenario": "p2p",
        "users": users,
        "subs_per_user": subs,
        "subscriptions": users * subs,
        "target_rate": args.rate,
        "achieved_rate": stats::round3(run.ok as f64 / run.secs.max(f64::EPSILON)),
        "send_s": stats::round3(run.secs),
        "updates": run.ok,
        "http_errors": warmup.failed + run.failed,
        "first_http_error": run.first_error.or(warmup.first_error),
        "expected": expected,
        "delivered": delivered,
        "lost": lost,
        "duplicated": duplicated,
        "misrouted": misrouted,
        "unexpected_frames": ledger.unexpected.load(Ordering::Relaxed),
        "error_frames": ledger.errors.load(Ordering::Relaxed),
        "latency_ms": stats::summary_ms(&mut latencies),
        "http_ms": stats::summary_ms(&mut http),
        "setup_s": stats::round3(setup_secs),
        "accounts": {"reused": accounts_report.reused, "signed_up": accounts_report.signed_up, "signup_s": stats::round3(accounts_report.signup_secs)},
        "server_cpu_s": server_cpu,
        "client_cpu_run_s": client_cpu_run,
    });
    client_fields(&mut summary, load_before);
    Ok(Outcome {
        json: summary,
        faults: lost + duplicated + misrouted,
    })
}

/// Sends one `updateCard` per sequence number in `seqs`, paced at `rate`
/// per second (open loop: each is due at a fixed time, whatever the
/// previous ones took), to the card `pick(seq)`.
#[allow(clippy::too_many_arguments)]
async fn send(
    common: &Common,
    api: &Api,
    actor: &Arc<Account>,
    card_ids: &[u64],
    ledger: &Arc<Ledger>,
    seqs: std::ops::Range<u64>,
    rate: f64,
    max_in_flight: usize,
    pick: impl Fn(u64) -> usize,
) -> Sent {
    let what = if seqs.start == 0 {
        "warm-up"
    } else {
        "updates"
    };
    let bar = progress::bar(common.quiet, seqs.end - seqs.start, what);
    let in_flight = Arc::new(Semaphore::new(max_in_flight.max(1)));
    let outcome = Arc::new(Mutex::new(Sent::default()));
    let started = Instant::now();
    for (i, seq) in seqs.enumerate() {
        tokio::time::sleep_until(started + Duration::from_secs_f64(i as f64 / rate)).await;
        let permit = in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore never closed");
        let user = pick(seq);
        ledger.target[seq as usize].store(user as u32, Ordering::Relaxed);
        let (api, actor, ledger, outcome, bar) = (
            api.clone(),
            actor.clone(),
            ledger.clone(),
            outcome.clone(),
            bar.clone(),
        );
        let card = card_ids[user].to_string();
        tokio::spawn(async move {
            let sent = Instant::now();
            let since_t0 = sent.saturating_duration_since(ledger.t0).as_nanos() as u64;
            ledger.sent_at[seq as usize].store(since_t0, Ordering::Relaxed);
            let result = api.update_title(&actor, &card, &format!("#L{seq}#")).await;
            let took = sent.elapsed().as_micros() as u64;
            let mut outcome = outcome.lock().expect("outcome poisoned");
            match result {
                Ok(()) => {
                    outcome.ok += 1;
                    outcome.http_micros.push(took);
                }
                Err(err) => {
                    outcome.failed += 1;
                    outcome
                        .first_error
                        .get_or_insert_with(|| format!("{err:#}"));
                }
            }
            bar.inc(1);
            drop(permit);
        });
    }
    // Every permit back means every request has finished.
    let _all = in_flight.acquire_many(max_in_flight.max(1) as u32).await;
    bar.finish();
    let mut sent = std::mem::take(&mut *outcome.lock().expect("outcome poisoned"));
    sent.secs = started.elapsed().as_secs_f64();
    sent
}

/// Waits until `expected` deliveries have arrived, or `limit` has passed.
async fn wait_for(common: &Common, ledger: &Ledger, expected: u64, limit: Duration, what: &str) {
    let bar = progress::bar(common.quiet, expected, what);
    let deadline = Instant::now() + limit;
    loop {
        let delivered = ledger.delivered.load(Ordering::Relaxed);
        bar.set_position(delivered);
        if delivered >= expected || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bar.finish();
}
