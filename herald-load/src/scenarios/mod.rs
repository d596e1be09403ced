//! The scenarios, and what they share: the accounts and client a run
//! starts with, running setup steps concurrently behind a progress bar,
//! and the summary fields every run reports. The delivery scenarios
//! (`p2p`, `fanout`) also share their setup on a board (`board`), their
//! subscribe step (`subscribers`) and their ledger of who received what
//! (`ledger`).

mod board;
pub mod fanout;
pub mod idle;
mod ledger;
pub mod p2p;
mod subscribers;

use std::future::Future;

use clap::Args;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::Serialize;

use crate::{
    Common, Outcome, accounts,
    api::{Account, Api},
    progress, stats,
};

/// The subscription every scenario opens. The selection is what a typical
/// inbox client asks for (the README's example), nested fields included,
/// so that their cost is part of what is measured.
pub const DEFAULT_FIELDS: &str =
    "id cursor kind message createdAt actor { name } card { id title }";

pub fn notifications_query(fields: &str) -> String {
    format!("subscription($u: ID!) {{ notifications(userId: $u) {{ {fields} }} }}")
}

#[derive(Args, Debug)]
pub struct AccountsArgs {
    /// How many accounts the file should hold.
    #[arg(long, default_value_t = 10_001)]
    pub users: usize,
}

/// The summary of `accounts`.
#[derive(Serialize)]
struct AccountsSummary {
    scenario: &'static str,
    users: usize,
    #[serde(flatten)]
    accounts: AccountsUsed,
    signups_per_s: f64,
    load_average: String,
}

/// `accounts`: signs up (or checks) the accounts of `--accounts`.
pub async fn accounts(common: &Common, args: AccountsArgs) -> anyhow::Result<Outcome> {
    if common.accounts.is_none() {
        anyhow::bail!("the accounts scenario needs --accounts FILE");
    }
    let api = Api::new(&common.url)?;
    let (_, report) = accounts::ensure(&api, common, args.users).await?;
    let summary = AccountsSummary {
        scenario: "accounts",
        users: args.users,
        accounts: AccountsUsed::from(report),
        signups_per_s: if report.signed_up > 0 {
            stats::round3(report.signed_up as f64 / report.signup_secs)
        } else {
            0.0
        },
        load_average: stats::load_average(),
    };
    Outcome::new(&summary, 0)
}

/// What every scenario begins with: the machine's load before it ran, a
/// client for the server, and the accounts it acts as.
pub struct Start {
    load_before: String,
    pub api: Api,
    pub accounts: Vec<Account>,
    pub accounts_used: AccountsUsed,
}

impl Start {
    /// Reads the load, then makes sure `users` accounts exist.
    pub async fn new(common: &Common, users: usize) -> anyhow::Result<Self> {
        let load_before = stats::load_average();
        let api = Api::new(&common.url)?;
        let (accounts, report) = accounts::ensure(&api, common, users).await?;
        Ok(Start {
            load_before,
            api,
            accounts,
            accounts_used: AccountsUsed::from(report),
        })
    }

    /// The fields about the client, read now: call it last.
    pub fn client_fields(&self) -> ClientFields {
        ClientFields {
            load_average_before: self.load_before.clone(),
            load_average_after: stats::load_average(),
            client_cpu_s: stats::own_cpu_secs(),
            client_cpus: stats::own_cpus(),
        }
    }
}

/// How the run's accounts were obtained (`"accounts"` in the summaries).
#[derive(Clone, Copy, Serialize)]
pub struct AccountsUsed {
    reused: usize,
    signed_up: usize,
    signup_s: f64,
}

impl From<accounts::AccountsReport> for AccountsUsed {
    fn from(report: accounts::AccountsReport) -> Self {
        AccountsUsed {
            reused: report.reused,
            signed_up: report.signed_up,
            signup_s: stats::round3(report.signup_secs),
        }
    }
}

/// Fields every summary carries: the machine's load and what the client
/// itself used.
#[derive(Serialize)]
pub struct ClientFields {
    load_average_before: String,
    load_average_after: String,
    client_cpu_s: f64,
    client_cpus: usize,
}

/// Runs `step` for every item, `concurrency` at a time, in order, behind a
/// progress bar; the first failure stops the run.
pub async fn concurrently<I, T, F, Fut>(
    common: &Common,
    what: &str,
    items: Vec<I>,
    concurrency: usize,
    step: F,
) -> anyhow::Result<Vec<T>>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let bar = progress::bar(common.quiet, items.len() as u64, what);
    let out = stream::iter(items)
        .map(|item| {
            let bar = bar.clone();
            let fut = step(item);
            async move {
                let value = fut.await?;
                bar.inc(1);
                anyhow::Ok(value)
            }
        })
        .buffered(concurrency.max(1))
        .try_collect()
        .await;
    bar.finish();
    out
}

/// Draws the plot if one was asked for; a failure is reported, not fatal.
pub fn maybe_plot(common: &Common, title: &str, micros: &[u64]) {
    if let Some(path) = &common.plot
        && let Err(err) = crate::plot::histogram(path, title, micros)
    {
        eprintln!("herald-load: no plot: {err:#}");
    }
}
