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
//!
//! The run is five steps: `set_up` the audience, open the subscriptions
//! (`Subscribers`), then `Rounds::warm_up`, `Rounds::measure`, and
//! `summarise`; the shared `Ledger` counts who heard which round.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use indicatif::ProgressBar;
use serde::Serialize;
use tokio::time::Instant;

use super::{
    AccountsUsed, ClientFields, DEFAULT_FIELDS, Start, board, concurrently,
    ledger::{Ledger, Tally},
    maybe_plot,
    subscribers::Subscribers,
};
use crate::{
    Common, Outcome,
    api::{Account, Api},
    progress,
    stats::{self, CpuMeter, Percentiles},
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

/// The summary line of `fanout`.
#[derive(Serialize)]
struct FanoutSummary {
    scenario: &'static str,
    via: String,
    followers: usize,
    rounds: usize,
    incomplete_rounds: usize,
    warm_ups_sent: u64,
    last_delivery_ms: Percentiles,
    last_delivery_ms_per_round: Vec<f64>,
    persisted_ms: Percentiles,
    delivery_ms: Percentiles,
    #[serde(flatten)]
    deliveries: Tally,
    setup_s: f64,
    accounts: AccountsUsed,
    server_cpu_s: Option<f64>,
    #[serde(flatten)]
    client: ClientFields,
}

/// Runs `fanout`: set up, subscribe, warm up, measure, summarise.
pub async fn run(common: &Common, args: FanoutArgs) -> anyhow::Result<Outcome> {
    let followers = args.followers.max(1);
    let start = Start::new(common, followers + 1).await?;
    let audience = set_up(common, &start.api, args.via, &start.accounts).await?;
    // Round 0 is the warm-up: checked, not timed.
    let ledger = Arc::new(Ledger::new(args.rounds + 1, followers, 1));
    let subscribers =
        Subscribers::open(common, &args.fields, &audience.followers, 1, ledger.clone()).await?;
    // The server's CPU over all rounds, the warm-up included.
    let server_cpu = CpuMeter::start(args.pid);
    let rounds = Rounds {
        api: &start.api,
        audience: &audience,
        ledger: &ledger,
        args: &args,
        bar: progress::bar(common.quiet, args.rounds as u64 + 1, "rounds"),
    };
    let warm_up = rounds.warm_up().await?;
    let measured = rounds.measure(&server_cpu).await?;
    subscribers.stop();
    summarise(common, &args, &start, &audience, &ledger, warm_up, measured)
}

/// Who hears each round, and what the source does to reach them.
struct Audience {
    /// The uploader, or the owner of the card.
    source: Arc<Account>,
    followers: Vec<Account>,
    /// The card every follower is assigned to (`--via card`); without
    /// one, the source uploads posts.
    card: Option<String>,
    setup_secs: f64,
}

impl Audience {
    /// The source's event of one round, with `marker` in its caption or
    /// title.
    async fn send_event(&self, api: &Api, marker: &str) -> anyhow::Result<()> {
        match &self.card {
            None => api.upload_post(&self.source, marker).await,
            Some(card) => api.update_title(&self.source, card, marker).await,
        }
    }
}

/// Sets the audience up: the first account is the source, the others
/// follow it or are assigned its card.
async fn set_up(
    common: &Common,
    api: &Api,
    via: Via,
    accounts: &[Account],
) -> anyhow::Result<Audience> {
    let source = Arc::new(accounts[0].clone());
    let followers: Vec<Account> = accounts[1..].to_vec();
    let started = Instant::now();
    let card = match via {
        Via::Post => {
            follow(common, api, &source, &followers)
                .await
                .context("following the uploader")?;
            None
        }
        Via::Card => Some(assign_one_card(common, api, &source, &followers).await?),
    };
    Ok(Audience {
        source,
        followers,
        card,
        setup_secs: started.elapsed().as_secs_f64(),
    })
}

/// Makes every one of `followers` follow `source`.
async fn follow(
    common: &Common,
    api: &Api,
    source: &Arc<Account>,
    followers: &[Account],
) -> anyhow::Result<()> {
    concurrently(
        common,
        "follow",
        followers.to_vec(),
        common.setup_concurrency,
        |user| {
            let (api, source) = (api.clone(), source.clone());
            async move { api.follow(&user, &source.id).await }
        },
    )
    .await?;
    Ok(())
}

/// Creates one card on a new board of `source`'s, assigned to every one
/// of `followers`.
async fn assign_one_card(
    common: &Common,
    api: &Api,
    source: &Arc<Account>,
    followers: &[Account],
) -> anyhow::Result<String> {
    let board_id = api.create_board(source, "herald-load fanout").await?;
    let card = api.create_card(source, &board_id, "fan-out").await?;
    board::add_members(common, api, source, &board_id, followers)
        .await
        .context("adding board members")?;
    let pairs = followers
        .iter()
        .map(|user| (card.clone(), user.id.clone()))
        .collect();
    board::assign(common, api, source, pairs)
        .await
        .context("assigning the card")?;
    Ok(card)
}

/// Sends the rounds one at a time, each after the previous one's pause,
/// and waits for each to reach every follower.
struct Rounds<'a> {
    api: &'a Api,
    audience: &'a Audience,
    ledger: &'a Ledger,
    args: &'a FanoutArgs,
    /// Counts the warm-up and the measured rounds.
    bar: ProgressBar,
}

/// How the warm-up went.
struct WarmUp {
    /// How many times it was sent.
    sent: u64,
    /// Whether every follower had it in the end.
    complete: bool,
}

/// What one send of a round achieved.
struct Round {
    /// The time the mutation's request took.
    persisted: Duration,
    /// Whether every follower had it before the deadline.
    complete: bool,
}

/// What the measured rounds achieved.
#[derive(Default)]
struct Measured {
    /// Per complete round, from just before the request to the last
    /// delivery, in microseconds …
    last_delivery_micros: Vec<u64>,
    /// … and the request itself.
    persisted_micros: Vec<u64>,
    incomplete: usize,
    server_cpu_s: Option<f64>,
}

impl Rounds<'_> {
    /// Round 0, sent again until every follower has had it, at most
    /// `WARM_UP_ATTEMPTS` times.
    async fn warm_up(&self) -> anyhow::Result<WarmUp> {
        // A warm-up that has not reached everyone within a second is sent
        // again; a measured round gets the whole timeout.
        let wait = Duration::from_secs_f64(self.args.round_timeout_secs.min(1.0));
        let mut sent = 0;
        let complete = loop {
            sent += 1;
            if sent > 1 {
                self.ledger.note_warm_up_resent();
            }
            let round = self.send(0, wait).await?;
            if round.complete || sent >= WARM_UP_ATTEMPTS {
                break round.complete;
            }
        };
        self.pause().await;
        Ok(WarmUp { sent, complete })
    }

    /// Rounds 1 to `--rounds`, each sent once and checked strictly; then
    /// the CPU the server used since `server_cpu` started.
    async fn measure(&self, server_cpu: &CpuMeter) -> anyhow::Result<Measured> {
        let wait = Duration::from_secs_f64(self.args.round_timeout_secs);
        let mut measured = Measured::default();
        for round in 1..=self.args.rounds {
            let sent = self.send(round, wait).await?;
            if sent.complete {
                let last = self.ledger.last_delivery_micros(round);
                measured.last_delivery_micros.push(last);
                measured
                    .persisted_micros
                    .push(sent.persisted.as_micros() as u64);
            } else {
                measured.incomplete += 1;
            }
            self.pause().await;
        }
        self.bar.finish();
        measured.server_cpu_s = server_cpu.used();
        Ok(measured)
    }

    /// Sends round `round`'s event and waits up to `wait` for every
    /// follower to have it.
    async fn send(&self, round: usize, wait: Duration) -> anyhow::Result<Round> {
        let marker = format!("#L{round}#");
        let sent = self.ledger.mark_sent(round);
        self.audience
            .send_event(self.api, &marker)
            .await
            .with_context(|| format!("round {round}"))?;
        let persisted = sent.elapsed();
        let deadline = sent + wait;
        let followers = self.audience.followers.len() as u64;
        while self.ledger.delivered_of(round) < followers && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok(Round {
            persisted,
            complete: self.ledger.delivered_of(round) == followers,
        })
    }

    /// Counts a round done, and pauses before the next.
    async fn pause(&self) {
        self.bar.inc(1);
        tokio::time::sleep(Duration::from_millis(self.args.pause_ms)).await;
    }
}

/// The summary line (and the plot); faults are lost and duplicated
/// deliveries.
fn summarise(
    common: &Common,
    args: &FanoutArgs,
    start: &Start,
    audience: &Audience,
    ledger: &Ledger,
    warm_up: WarmUp,
    measured: Measured,
) -> anyhow::Result<Outcome> {
    let followers = audience.followers.len();
    let deliveries = ledger.tally(((args.rounds + 1) * followers) as u64);
    let mut latencies = ledger.take_latencies();
    maybe_plot(common, "fan-out delivery", &latencies);
    let Measured {
        mut last_delivery_micros,
        mut persisted_micros,
        incomplete,
        server_cpu_s,
    } = measured;
    // In round order: the percentiles below sort the list.
    let per_round = last_delivery_micros
        .iter()
        .map(|&us| stats::round3(us as f64 / 1000.0))
        .collect();
    let summary = FanoutSummary {
        scenario: "fanout",
        via: format!("{:?}", args.via).to_lowercase(),
        followers,
        rounds: args.rounds,
        incomplete_rounds: usize::from(!warm_up.complete) + incomplete,
        warm_ups_sent: warm_up.sent,
        last_delivery_ms: stats::summary_ms(&mut last_delivery_micros),
        last_delivery_ms_per_round: per_round,
        persisted_ms: stats::summary_ms(&mut persisted_micros),
        delivery_ms: stats::summary_ms(&mut latencies),
        deliveries,
        setup_s: stats::round3(audience.setup_secs),
        accounts: start.accounts_used,
        server_cpu_s,
        client: start.client_fields(),
    };
    let faults = summary.deliveries.faults();
    Outcome::new(&summary, faults)
}
