//! `fanout`: one event to many recipients, round after round.
//!
//! F subscribers follow one uploader (`--via post`, the default) or are
//! all assigned to one card (`--via card`). Each round the uploader posts
//! a photo (or updates the card) whose caption (title) carries the round
//! number; the round's figure is the time from just before the request to
//! the moment the last of the F deliveries was read. Rounds run one at a
//! time, with a pause between them; round 0 is a warm-up that proves all
//! subscriptions are live and is not timed.
//!
//! graphql-transport-ws does not acknowledge a subscription, and one
//! without a cursor starts at whatever the server has committed when it
//! sets the subscription up, so a warm-up sent right after the subscribe
//! messages can be committed before some of them start. The warm-up is
//! therefore sent again (with the same marker) until every follower has
//! had it, up to `WARM_UP_ATTEMPTS` times; a follower that hears it twice
//! is not a duplicate. Measured rounds are sent once and checked strictly.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU8, AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use serde_json::json;
use tokio::time::Instant;

use super::{DEFAULT_FIELDS, client_fields, concurrently, maybe_plot, notifications_query};
use crate::{
    Common, Outcome, accounts,
    api::{Account, Api},
    progress, stats,
    ws::{self, Connector},
};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Via {
    /// `uploadPost` notifies every follower.
    Post,
    /// `updateCard` notifies every assignee.
    Card,
}

#[derive(Args, Debug)]
pub struct FanoutArgs {
    /// Recipients of every event.
    #[arg(long, default_value_t = 10_000)]
    pub followers: usize,
    /// Measured rounds (after one warm-up round).
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    /// Which mutation fans out.
    #[arg(long, value_enum, default_value = "post")]
    pub via: Via,
    /// Pause between rounds, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub pause_ms: u64,
    /// Longest wait for one round's deliveries, in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub round_timeout_secs: f64,
    /// Fields selected by the subscription.
    #[arg(long, default_value = DEFAULT_FIELDS)]
    pub fields: String,
    /// The server's process id, to report the CPU it used.
    #[arg(long)]
    pub pid: Option<u32>,
}

/// How often the warm-up is sent at most before the run counts followers
/// who never heard it as lost.
const WARM_UP_ATTEMPTS: u64 = 5;

struct Ledger {
    t0: Instant,
    /// How many times the warm-up (round 0) has been sent.
    warm_ups_sent: AtomicU64,
    followers: usize,
    /// Nanoseconds after `t0` at which round r's mutation was sent.
    sent_at: Vec<AtomicU64>,
    /// Deliveries of round r so far, and when the latest was read.
    count: Vec<AtomicU64>,
    last_at: Vec<AtomicU64>,
    /// One flag per (round, follower).
    seen: Vec<AtomicU8>,
    latencies: Mutex<Vec<u64>>,
    duplicated: AtomicU64,
    unexpected: AtomicU64,
    errors: AtomicU64,
}

impl Ledger {
    fn on_frame(&self, follower: usize, frame: &str, at: Instant) {
        if !ws::is_next(frame) {
            self.errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let Some(round) = ws::marker(frame)
            .map(|r| r as usize)
            .filter(|&r| r < self.count.len())
        else {
            self.unexpected.fetch_add(1, Ordering::Relaxed);
            return;
        };
        if self.seen[round * self.followers + follower].swap(1, Ordering::Relaxed) == 1 {
            // A re-sent warm-up reaches the followers who had the first one
            // again: that is not the server repeating itself.
            if !(round == 0 && self.warm_ups_sent.load(Ordering::Relaxed) > 1) {
                self.duplicated.fetch_add(1, Ordering::Relaxed);
            }
            return;
        }
        let since_t0 = at.saturating_duration_since(self.t0).as_nanos() as u64;
        self.last_at[round].fetch_max(since_t0, Ordering::Relaxed);
        self.count[round].fetch_add(1, Ordering::Relaxed);
        if round > 0 {
            let sent = self.sent_at[round].load(Ordering::Relaxed);
            self.latencies
                .lock()
                .expect("latency list poisoned")
                .push(since_t0.saturating_sub(sent) / 1000);
        }
    }
}

pub async fn run(common: &Common, args: FanoutArgs) -> anyhow::Result<Outcome> {
    let load_before = stats::load_average();
    let api = Api::new(&common.url)?;
    let followers = args.followers.max(1);
    let (accounts, accounts_report) = accounts::ensure(&api, common, followers + 1).await?;
    let source = Arc::new(accounts[0].clone());
    let recipients: Vec<Account> = accounts[1..].to_vec();

    let setup_started = Instant::now();
    let card = match args.via {
        Via::Post => {
            concurrently(
                common,
                "follow",
                recipients.clone(),
                common.setup_concurrency,
                |user| {
                    let (api, source) = (api.clone(), source.clone());
                    async move { api.follow(&user, &source.id).await }
                },
            )
            .await
            .context("following the uploader")?;
            None
        }
        Via::Card => {
            let board = api.create_board(&source, "herald-load fanout").await?;
            let card = api.create_card(&source, &board, "fan-out").await?;
            concurrently(
                common,
                "members",
                recipients.clone(),
                common.setup_concurrency,
                |user| {
                    let (api, source, board) = (api.clone(), source.clone(), board.clone());
                    async move { api.add_member(&source, &board, &user.id).await }
                },
            )
            .await
            .context("adding board members")?;
            concurrently(
                common,
                "assign",
                recipients.clone(),
                common.setup_concurrency,
                |user| {
                    let (api, source, card) = (api.clone(), source.clone(), card.clone());
                    async move { api.assign(&source, &card, &user.id).await }
                },
            )
            .await
            .context("assigning the card")?;
            Some(card)
        }
    };
    let setup_secs = setup_started.elapsed().as_secs_f64();

    let rounds = args.rounds + 1;
    let ledger = Arc::new(Ledger {
        t0: Instant::now(),
        warm_ups_sent: AtomicU64::new(0),
        followers,
        sent_at: (0..rounds).map(|_| AtomicU64::new(0)).collect(),
        count: (0..rounds).map(|_| AtomicU64::new(0)).collect(),
        last_at: (0..rounds).map(|_| AtomicU64::new(0)).collect(),
        seen: (0..rounds * followers).map(|_| AtomicU8::new(0)).collect(),
        latencies: Mutex::new(Vec::with_capacity(args.rounds * followers)),
        duplicated: AtomicU64::new(0),
        unexpected: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });

    let connector = Arc::new(Connector::new(&common.url, common.source_addrs)?);
    let query = Arc::new(notifications_query(&args.fields));
    let indexed: Vec<(usize, Account)> = recipients.into_iter().enumerate().collect();
    let readers = concurrently(
        common,
        "subscribe",
        indexed,
        common.setup_concurrency,
        |(i, user)| {
            let (connector, query, ledger) = (connector.clone(), query.clone(), ledger.clone());
            async move {
                let mut socket = connector.open(&user.token).await?;
                ws::subscribe(&mut socket, "s0", &query, json!({"u": user.id})).await?;
                Ok(ws::spawn_reader(socket, move |frame, at| {
                    ledger.on_frame(i, frame, at)
                }))
            }
        },
    )
    .await
    .context("opening subscriptions")?;

    let server_cpu_before = args.pid.and_then(stats::cpu_secs_of);
    let bar = progress::bar(common.quiet, rounds as u64, "rounds");
    let mut last_ms = Vec::new();
    let mut http_ms = Vec::new();
    let mut incomplete_rounds = 0;
    for round in 0..rounds {
        let marker = format!("#L{round}#");
        let (mut sent, mut persisted, mut complete);
        loop {
            if round == 0 {
                ledger.warm_ups_sent.fetch_add(1, Ordering::Relaxed);
            }
            sent = Instant::now();
            ledger.sent_at[round].store(
                sent.saturating_duration_since(ledger.t0).as_nanos() as u64,
                Ordering::Relaxed,
            );
            match &card {
                None => api.upload_post(&source, &marker).await,
                Some(card) => api.update_title(&source, card, &marker).await,
            }
            .with_context(|| format!("round {round}"))?;
            persisted = sent.elapsed();
            // A warm-up that has not reached everyone within a second is
            // sent again; a measured round gets the whole timeout.
            let wait = if round == 0 {
                args.round_timeout_secs.min(1.0)
            } else {
                args.round_timeout_secs
            };
            let deadline = sent + Duration::from_secs_f64(wait);
            while ledger.count[round].load(Ordering::Relaxed) < followers as u64
                && Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            complete = ledger.count[round].load(Ordering::Relaxed) == followers as u64;
            if complete
                || round > 0
                || ledger.warm_ups_sent.load(Ordering::Relaxed) >= WARM_UP_ATTEMPTS
            {
                break;
            }
        }
        if !complete {
            incomplete_rounds += 1;
        }
        if round > 0 && complete {
            let sent_ns = ledger.sent_at[round].load(Ordering::Relaxed);
            let last_ns = ledger.last_at[round].load(Ordering::Relaxed);
            last_ms.push(last_ns.saturating_sub(sent_ns) / 1000);
            http_ms.push(persisted.as_micros() as u64);
        }
        bar.inc(1);
        tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
    }
    bar.finish();
    let server_cpu = match (server_cpu_before, args.pid.and_then(stats::cpu_secs_of)) {
        (Some(before), Some(after)) => Some(stats::round3(after - before)),
        _ => None,
    };
    for reader in readers {
        reader.abort();
    }

    let expected = (rounds * followers) as u64;
    let delivered: u64 = ledger.count.iter().map(|c| c.load(Ordering::Relaxed)).sum();
    let lost = expected.saturating_sub(delivered);
    let duplicated = ledger.duplicated.load(Ordering::Relaxed);
    let mut latencies =
        std::mem::take(&mut *ledger.latencies.lock().expect("latency list poisoned"));
    maybe_plot(common, "fan-out delivery", &latencies);
    let per_round: Vec<f64> = last_ms
        .iter()
        .map(|&us| stats::round3(us as f64 / 1000.0))
        .collect();
    let mut summary = json!({
        "scenario": "fanout",
        "via": format!("{:?}", args.via).to_lowercase(),
        "followers": followers,
        "rounds": args.rounds,
        "incomplete_rounds": incomplete_rounds,
        "warm_ups_sent": ledger.warm_ups_sent.load(Ordering::Relaxed),
        "last_delivery_ms": stats::summary_ms(&mut last_ms),
        "last_delivery_ms_per_round": per_round,
        "persisted_ms": stats::summary_ms(&mut http_ms),
        "delivery_ms": stats::summary_ms(&mut latencies),
        "expected": expected,
        "delivered": delivered,
        "lost": lost,
        "duplicated": duplicated,
        "unexpected_frames": ledger.unexpected.load(Ordering::Relaxed),
        "error_frames": ledger.errors.load(Ordering::Relaxed),
        "setup_s": stats::round3(setup_secs),
        "accounts": {"reused": accounts_report.reused, "signed_up": accounts_report.signed_up, "signup_s": stats::round3(accounts_report.signup_secs)},
        "server_cpu_s": server_cpu,
    });
    client_fields(&mut summary, load_before);
    Ok(Outcome {
        json: summary,
        faults: lost + duplicated,
    })
}
