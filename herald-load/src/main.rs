//! `herald-load`: a load generator for Herald.
//!
//! It speaks only Herald's public contract — GraphQL over HTTP for
//! mutations, `graphql-transport-ws` for subscriptions — over real
//! sockets, so it can point at any deployment. Three scenarios:
//!
//! - `p2p`: many subscribers, each assigned one card; an actor updates
//!   random cards at a target rate; every delivery's mutation→delivery
//!   latency is recorded and lost or duplicated deliveries are counted.
//! - `fanout`: many followers of one uploader; each round one upload, and
//!   the time until the last follower has it.
//! - `idle`: many open subscriptions, and the server's resident memory per
//!   connection and per subscription (read from `/proc/<pid>/status`).
//!
//! Progress goes to stderr, a one-line JSON summary to stdout; the exit
//! status is non-zero when a delivery was lost or duplicated.

mod accounts;
mod api;
mod plot;
mod progress;
mod scenarios;
mod stats;
mod ws;

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "herald-load",
    version,
    about = "Load generator for Herald (delivery latency, fan-out, idle memory)"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    scenario: Scenario,
}

/// Settings every scenario shares.
#[derive(Args, Clone, Debug)]
pub struct Common {
    /// Base URL of the server (`/graphql` is appended).
    #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
    pub url: String,

    /// Keep the users this tool signs up (ids and tokens) in this file and
    /// reuse them on later runs whose tokens are still accepted. Sign-up
    /// is deliberately expensive (Argon2id), so reusing a prepared data
    /// directory and its accounts file saves minutes per run.
    #[arg(long, global = true)]
    pub accounts: Option<PathBuf>,

    /// Sign-ups in flight at once (the server hashes on its blocking pool).
    #[arg(long, global = true, default_value_t = 8)]
    pub signup_concurrency: usize,

    /// Setup mutations and websocket handshakes in flight at once.
    #[arg(long, global = true, default_value_t = 64)]
    pub setup_concurrency: usize,

    /// Spread websocket client sockets over this many source addresses,
    /// 127.0.0.2, 127.0.0.3, …, so that the number of connections can
    /// exceed one address's ephemeral port range.
    #[arg(long, global = true, default_value_t = 1)]
    pub source_addrs: u8,

    /// Draw the latency distribution into this PNG file.
    #[arg(long, global = true)]
    pub plot: Option<PathBuf>,

    /// No progress bars.
    #[arg(long, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand)]
enum Scenario {
    /// Point to point: updates of random cards, one assignee each.
    P2p(scenarios::p2p::P2pArgs),
    /// One event to many recipients, round after round.
    Fanout(scenarios::fanout::FanoutArgs),
    /// Many idle subscriptions; server memory per connection and per
    /// subscription.
    Idle(scenarios::idle::IdleArgs),
    /// Only sign up (or check) the accounts of `--accounts`, for reuse.
    Accounts(scenarios::AccountsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    raise_open_file_limit();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("herald-load: cannot start the runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.scenario {
            Scenario::P2p(args) => scenarios::p2p::run(&cli.common, args).await,
            Scenario::Fanout(args) => scenarios::fanout::run(&cli.common, args).await,
            Scenario::Idle(args) => scenarios::idle::run(&cli.common, args).await,
            Scenario::Accounts(args) => scenarios::accounts(&cli.common, args).await,
        }
    });
    match outcome {
        Ok(summary) => {
            println!("{}", summary.json);
            if summary.faults > 0 {
                eprintln!(
                    "herald-load: {} deliveries lost, duplicated or misrouted",
                    summary.faults
                );
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(err) => {
            eprintln!("herald-load: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// What a scenario hands back: the summary line, and how many deliveries
/// were wrong (lost, duplicated, misrouted), which decides the exit code.
pub struct Outcome {
    pub json: serde_json::Value,
    pub faults: u64,
}

impl Outcome {
    /// The outcome of a run that reports `summary`. The summary is printed
    /// from a JSON value, whose keys come out in alphabetical order, as
    /// they always have, whatever the order of the struct's fields.
    pub fn new(summary: &impl serde::Serialize, faults: u64) -> anyhow::Result<Self> {
        Ok(Outcome {
            json: serde_json::to_value(summary)?,
            faults,
        })
    }
}

/// Raises the soft open-file limit to the hard one: every websocket is a
/// file descriptor, and the usual soft limit (1,024) is far too low.
fn raise_open_file_limit() {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                eprintln!("herald-load: could not raise the open-file limit");
            }
        }
    }
}

/// The open-file limit in force, for the summary.
pub fn open_file_limit() -> u64 {
    // SAFETY: as above.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur
        } else {
            0
        }
    }
}
