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
//! and its deliveries are checked but not timed. graphql-transport-ws
//! does not acknowledge a `subscribe`, so an update committed before the
//! server registered a subscription is, rightly, not delivered to it (a
//! subscription without a cursor starts at "now"): a warm-up update that
//! has not reached all its subscriptions within `WARM_UP_WAIT` is sent
//! again, up to `WARM_UP_ATTEMPTS` times.
//!
//! The run is five steps: `set_up` the board, open the subscriptions
//! (`Subscribers`), `warm_up`, `measure`, `summarise`. The `Routes` say
//! where each update should arrive; the shared `Ledger` counts what did.

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;
use clap::Args;
use indicatif::ProgressBar;
use rand::Rng;
use serde::Serialize;
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    time::Instant,
};

use super::{
    AccountsUsed, ClientFields, DEFAULT_FIELDS, Start, board, concurrently,
    ledger::{Ledger, Tally},
    maybe_plot,
    subscribers::{Recorder, Subscribers},
};
use crate::{
    Common, Outcome,
    api::{Account, Api},
    progress,
    stats::{self, CpuMeter, Percentiles},
    ws,
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

/// The summary line of `p2p`.
#[derive(Serialize)]
struct P2pSummary {
    scenario: &'static str,
    users: usize,
    subs_per_user: usize,
    subscriptions: usize,
    target_rate: f64,
    achieved_rate: f64,
    send_s: f64,
    updates: u64,
    http_errors: u64,
    first_http_error: Option<String>,
    #[serde(flatten)]
    deliveries: Tally,
    misrouted: u64,
    latency_ms: Percentiles,
    http_ms: Percentiles,
    setup_s: f64,
    accounts: AccountsUsed,
    server_cpu_s: Option<f64>,
    client_cpu_run_s: f64,
    #[serde(flatten)]
    client: ClientFields,
}

/// Runs `p2p`: set up, subscribe, warm up, measure, summarise.
pub async fn run(common: &Common, args: P2pArgs) -> anyhow::Result<Outcome> {
    let users = args.users.max(1);
    let subs = args.subs_per_user.max(1);
    let start = Start::new(common, users + 1).await?;
    let board = set_up(common, &start.api, &start.accounts).await?;
    // The ledger covers the warm-up (one update per card) and the
    // measured phase (rate × duration updates).
    let measured = (args.rate * args.duration).ceil() as usize;
    let routes = Arc::new(Routes::new(board.card_ids.clone(), subs, measured));
    let subscribers = Subscribers::open(
        common,
        &args.fields,
        &board.subscribers,
        subs,
        routes.clone(),
    )
    .await?;
    let sender = Sender::new(common, &start.api, &board, &routes, &args);
    let warm_up = warm_up(common, &sender).await;
    let measured = measure(common, &args, &sender, &warm_up).await;
    subscribers.stop();
    summarise(common, &args, &start, &board, &routes, warm_up, measured)
}

/// The shared board: the actor owns it, every subscriber is a member with
/// one card assigned to them.
struct Board {
    actor: Arc<Account>,
    subscribers: Vec<Account>,
    /// `card_ids[i]` is the card assigned to `subscribers[i]`.
    card_ids: Vec<u64>,
    setup_secs: f64,
}

/// Sets the board up: the first account acts, the others subscribe.
async fn set_up(common: &Common, api: &Api, accounts: &[Account]) -> anyhow::Result<Board> {
    let actor = Arc::new(accounts[0].clone());
    let subscribers: Vec<Account> = accounts[1..].to_vec();
    let started = Instant::now();
    let board_id = api.create_board(&actor, "herald-load p2p").await?;
    board::add_members(common, api, &actor, &board_id, &subscribers)
        .await
        .context("adding board members")?;
    let cards = create_cards(common, api, &actor, &board_id, subscribers.len())
        .await
        .context("creating cards")?;
    let pairs = cards
        .iter()
        .cloned()
        .zip(subscribers.iter().map(|u| u.id.clone()))
        .collect();
    board::assign(common, api, &actor, pairs)
        .await
        .context("assigning cards")?;
    let card_ids = cards
        .iter()
        .map(|c| c.parse().context("card ids are numbers"))
        .collect::<anyhow::Result<_>>()?;
    Ok(Board {
        actor,
        subscribers,
        card_ids,
        setup_secs: started.elapsed().as_secs_f64(),
    })
}

/// Creates `n` cards on `board`, titled `card 0`, `card 1`, …
async fn create_cards(
    common: &Common,
    api: &Api,
    actor: &Arc<Account>,
    board: &str,
    n: usize,
) -> anyhow::Result<Vec<String>> {
    let board = Arc::new(board.to_owned());
    concurrently(
        common,
        "cards",
        (0..n).collect(),
        common.setup_concurrency,
        |i| {
            let (api, actor, board) = (api.clone(), actor.clone(), board.clone());
            async move { api.create_card(&actor, &board, &format!("card {i}")).await }
        },
    )
    .await
}

/// What the readers and the sender share: the ledger, and where each
/// update should arrive.
struct Routes {
    /// Events are updates by sequence number; slots the K subscriptions
    /// of the update's assignee.
    ledger: Ledger,
    /// Subscriptions per user (K).
    subs: usize,
    /// The card assigned to each user (by index).
    card_ids: Vec<u64>,
    /// The user (and card) index update `seq` went to.
    target: Vec<AtomicU32>,
}

impl Routes {
    /// Room for the warm-up (one update per card) and `measured` updates.
    fn new(card_ids: Vec<u64>, subs: usize, measured: usize) -> Self {
        let users = card_ids.len();
        let updates = users + measured;
        Routes {
            ledger: Ledger::new(updates, subs, users),
            subs,
            card_ids,
            target: (0..updates).map(|_| AtomicU32::new(u32::MAX)).collect(),
        }
    }

    fn users(&self) -> usize {
        self.card_ids.len()
    }

    /// True when update `seq` arrived on a subscription `k` that does not
    /// exist, at a user it was not sent to, or naming another card.
    fn is_misrouted(&self, seq: usize, user: usize, k: usize, frame: &str) -> bool {
        let wrong_card =
            ws::number_after(frame, CARD_KEY).is_some_and(|id| id != self.card_ids[user]);
        k >= self.subs || self.target[seq].load(Ordering::Relaxed) as usize != user || wrong_card
    }
}

impl Recorder for Routes {
    /// Records a frame read on `user`'s socket.
    fn on_frame(&self, user: usize, frame: &str, at: Instant) {
        let Some(seq) = self.ledger.event_of(frame) else {
            return;
        };
        let k = ws::number_after(frame, SUB_KEY).unwrap_or(0) as usize;
        if self.is_misrouted(seq, user, k, frame) {
            self.ledger.misrouted();
            return;
        }
        self.ledger.record(seq, k, at);
    }
}

/// Sends the actor's `updateCard`s, open loop, and notes each in the
/// routes and the ledger.
struct Sender {
    api: Api,
    actor: Arc<Account>,
    routes: Arc<Routes>,
    /// Target updates per second.
    rate: f64,
    /// Requests in flight at most (at least one).
    max_in_flight: usize,
    /// No progress bars.
    quiet: bool,
}

/// Sends of each warm-up update at most …
const WARM_UP_ATTEMPTS: usize = 5;
/// … each given this long to reach its subscriptions before it is sent
/// again; the last attempt is given `WARM_UP_LAST_WAIT`.
const WARM_UP_WAIT: Duration = Duration::from_secs(2);
const WARM_UP_LAST_WAIT: Duration = Duration::from_secs(60);

/// What the sender achieved over a list of updates.
#[derive(Default)]
struct Sent {
    /// The sequence numbers of the updates that succeeded (a warm-up
    /// update sent again may appear twice).
    ok_seqs: Vec<u64>,
    failed: u64,
    http_micros: Vec<u64>,
    secs: f64,
    first_error: Option<String>,
}

impl Sent {
    /// The updates that succeeded at least once.
    fn ok(&self) -> u64 {
        self.ok_seqs.iter().collect::<HashSet<_>>().len() as u64
    }

    fn record(&mut self, seq: u64, result: anyhow::Result<()>, took: Duration) {
        match result {
            Ok(()) => {
                self.ok_seqs.push(seq);
                self.http_micros.push(took.as_micros() as u64);
            }
            Err(err) => {
                self.failed += 1;
                self.first_error.get_or_insert_with(|| format!("{err:#}"));
            }
        }
    }
}

impl Sender {
    fn new(
        common: &Common,
        api: &Api,
        board: &Board,
        routes: &Arc<Routes>,
        args: &P2pArgs,
    ) -> Self {
        Sender {
            api: api.clone(),
            actor: board.actor.clone(),
            routes: routes.clone(),
            rate: args.rate,
            max_in_flight: args.max_in_flight.max(1),
            quiet: common.quiet,
        }
    }

    /// Sends one update per sequence number in `seqs`, paced at `rate`
    /// per second (open loop: each is due at a fixed time, whatever the
    /// previous ones took), to the card of user `pick(seq)`.
    async fn send(&self, what: &str, seqs: Vec<u64>, pick: impl Fn(u64) -> usize) -> Sent {
        let bar = progress::bar(self.quiet, seqs.len() as u64, what);
        let in_flight = Arc::new(Semaphore::new(self.max_in_flight));
        let outcome = Arc::new(Mutex::new(Sent::default()));
        let started = Instant::now();
        for (i, seq) in seqs.into_iter().enumerate() {
            tokio::time::sleep_until(started + Duration::from_secs_f64(i as f64 / self.rate)).await;
            let permit = in_flight
                .clone()
                .acquire_owned()
                .await
                .expect("semaphore never closed");
            let user = pick(seq);
            self.routes.target[seq as usize].store(user as u32, Ordering::Relaxed);
            self.spawn_update(seq, user, outcome.clone(), bar.clone(), permit);
        }
        // Every permit back means every request has finished.
        let _all = in_flight.acquire_many(self.max_in_flight as u32).await;
        bar.finish();
        let mut sent = std::mem::take(&mut *outcome.lock().expect("outcome poisoned"));
        sent.secs = started.elapsed().as_secs_f64();
        sent
    }

    /// Retitles `user`'s card with update `seq`'s marker, noting the send
    /// time in the ledger just before the request goes.
    fn spawn_update(
        &self,
        seq: u64,
        user: usize,
        outcome: Arc<Mutex<Sent>>,
        bar: ProgressBar,
        permit: OwnedSemaphorePermit,
    ) {
        let (api, actor, routes) = (self.api.clone(), self.actor.clone(), self.routes.clone());
        let card = routes.card_ids[user].to_string();
        tokio::spawn(async move {
            let sent = routes.ledger.mark_sent(seq as usize);
            let result = api.update_title(&actor, &card, &format!("#L{seq}#")).await;
            let took = sent.elapsed();
            outcome
                .lock()
                .expect("outcome poisoned")
                .record(seq, result, took);
            bar.inc(1);
            drop(permit);
        });
    }
}

/// Updates every card once, then waits until every subscription has its
/// update: proof that all are live before the clock runs. An update that
/// some subscription still lacks after `WARM_UP_WAIT` is sent again (its
/// subscription may have been registered after it was committed).
async fn warm_up(common: &Common, sender: &Sender) -> Sent {
    let routes = &sender.routes;
    let ledger = &routes.ledger;
    let subs = routes.subs as u64;
    let mut pending: Vec<u64> = (0..routes.users() as u64).collect();
    let mut warm_up = Sent::default();
    for attempt in 1..=WARM_UP_ATTEMPTS {
        if attempt > 1 {
            ledger.note_warm_up_resent();
        }
        let sent = sender
            .send("warm-up", pending.clone(), |seq| seq as usize)
            .await;
        warm_up.failed += sent.failed;
        warm_up.first_error = warm_up.first_error.or(sent.first_error);
        warm_up.ok_seqs.extend(sent.ok_seqs);
        let wait = if attempt == WARM_UP_ATTEMPTS {
            WARM_UP_LAST_WAIT
        } else {
            WARM_UP_WAIT
        };
        let expected = routes.users() as u64 * subs;
        wait_for(common, ledger, expected, wait, "warm-up").await;
        pending.retain(|&seq| ledger.delivered_of(seq as usize) < subs);
        if pending.is_empty() {
            break;
        }
    }
    if !pending.is_empty() {
        eprintln!(
            "herald-load: warm-up incomplete: some subscriptions never received their update"
        );
    }
    warm_up
}

/// What the measured phase achieved.
struct Measured {
    sent: Sent,
    /// Deliveries expected over the whole run, warm-up included.
    expected: u64,
    server_cpu_s: Option<f64>,
    client_cpu_run_s: f64,
}

/// The measured phase: random cards at the target rate, then a drain for
/// late deliveries; the CPU both sides used meanwhile.
async fn measure(common: &Common, args: &P2pArgs, sender: &Sender, warm_up: &Sent) -> Measured {
    let server_cpu = CpuMeter::start(args.pid);
    let client_cpu_before = stats::own_cpu_secs();
    let routes = &sender.routes;
    let users = routes.users();
    let seqs = (users as u64..routes.ledger.events() as u64).collect();
    let sent = sender
        .send("updates", seqs, |_| rand::thread_rng().gen_range(0..users))
        .await;
    let expected = (warm_up.ok() + sent.ok()) * routes.subs as u64;
    let drain = Duration::from_secs_f64(args.drain_secs);
    wait_for(common, &routes.ledger, expected, drain, "drain").await;
    Measured {
        sent,
        expected,
        server_cpu_s: server_cpu.used(),
        client_cpu_run_s: stats::round3(stats::own_cpu_secs() - client_cpu_before),
    }
}

/// Waits until `expected` deliveries have arrived, or `limit` has passed.
async fn wait_for(common: &Common, ledger: &Ledger, expected: u64, limit: Duration, what: &str) {
    let bar = progress::bar(common.quiet, expected, what);
    let deadline = Instant::now() + limit;
    loop {
        let delivered = ledger.delivered();
        bar.set_position(delivered);
        if delivered >= expected || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bar.finish();
}

/// The summary line (and the plot); faults are lost, duplicated and
/// misrouted deliveries.
fn summarise(
    common: &Common,
    args: &P2pArgs,
    start: &Start,
    board: &Board,
    routes: &Routes,
    warm_up: Sent,
    measured: Measured,
) -> anyhow::Result<Outcome> {
    let ledger = &routes.ledger;
    let deliveries = ledger.tally(measured.expected);
    let misrouted = ledger.misrouted_count();
    let mut latencies = ledger.take_latencies();
    maybe_plot(common, "p2p mutation→delivery", &latencies);
    let mut run = measured.sent;
    let summary = P2pSummary {
        scenario: "p2p",
        users: routes.users(),
        subs_per_user: routes.subs,
        subscriptions: routes.users() * routes.subs,
        target_rate: args.rate,
        achieved_rate: stats::round3(run.ok() as f64 / run.secs.max(f64::EPSILON)),
        send_s: stats::round3(run.secs),
        updates: run.ok(),
        http_errors: warm_up.failed + run.failed,
        first_http_error: run.first_error.take().or(warm_up.first_error),
        latency_ms: stats::summary_ms(&mut latencies),
        http_ms: stats::summary_ms(&mut run.http_micros),
        setup_s: stats::round3(board.setup_secs),
        accounts: start.accounts_used,
        server_cpu_s: measured.server_cpu_s,
        client_cpu_run_s: measured.client_cpu_run_s,
        deliveries,
        misrouted,
        client: start.client_fields(),
    };
    let faults = summary.deliveries.faults() + summary.misrouted;
    Outcome::new(&summary, faults)
}
