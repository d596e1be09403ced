//! The scenarios, and what they share: running setup steps concurrently
//! behind a progress bar, and the summary fields every run reports.

pub mod fanout;
pub mod idle;
pub mod p2p;

use std::future::Future;

use clap::Args;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

use crate::{Common, Outcome, accounts, api::Api, progress, stats};

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

/// `accounts`: signs up (or checks) the accounts of `--accounts`.
pub async fn accounts(common: &Common, args: AccountsArgs) -> anyhow::Result<Outcome> {
    if common.accounts.is_none() {
        anyhow::bail!("the accounts scenario needs --accounts FILE");
    }
    let api = Api::new(&common.url)?;
    let (_, report) = accounts::ensure(&api, common, args.users).await?;
    Ok(Outcome {
        json: json!({
            "scenario": "accounts",
            "users": args.users,
            "reused": report.reused,
            "signed_up": report.signed_up,
            "signup_s": stats::round3(report.signup_secs),
            "signups_per_s": if report.signed_up > 0 { stats::round3(report.signed_up as f64 / report.signup_secs) } else { 0.0 },
            "load_average": stats::load_average(),
        }),
        faults: 0,
    })
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

/// Fields every summary carries: the machine's load and what the client
/// itself used.
pub fn client_fields(summary: &mut Value, load_before: String) {
    summary["load_average_before"] = json!(load_before);
    summary["load_average_after"] = json!(stats::load_average());
    summary["client_cpu_s"] = json!(stats::own_cpu_secs());
    summary["client_cpus"] = json!(stats::own_cpus());
}

/// Draws the plot if one was asked for; a failure is reported, not fatal.
pub fn maybe_plot(common: &Common, title: &str, micros: &[u64]) {
    if let Some(path) = &common.plot
        && let Err(err) = crate::plot::histogram(path, title, micros)
    {
        eprintln!("herald-load: no plot: {err:#}");
    }
}
