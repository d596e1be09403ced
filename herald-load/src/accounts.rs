//! The users a scenario needs: reused from the accounts file when the
//! server still accepts their tokens, otherwise signed up (concurrently,
//! since every sign-up costs the server one Argon2id hash).

use std::{path::Path, time::Instant};

use anyhow::Context as _;
use futures_util::{StreamExt, TryStreamExt, stream};

use crate::{
    Common,
    api::{Account, Api},
    progress,
};

/// How accounts were obtained, for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct AccountsReport {
    pub reused: usize,
    pub signed_up: usize,
    pub signup_secs: f64,
}

/// At least `n` accounts: the first `n` of the accounts file that the
/// server still accepts, completed by new sign-ups (then saved back).
pub async fn ensure(
    api: &Api,
    common: &Common,
    n: usize,
) -> anyhow::Result<(Vec<Account>, AccountsReport)> {
    let mut accounts = match &common.accounts {
        Some(path) => load(path)?,
        None => Vec::new(),
    };
    // One check stands for the file: a fresh data directory (another
    // secret, no users) rejects every token alike.
    if let Some(first) = accounts.first()
        && !api.token_works(&first.token).await
    {
        eprintln!("herald-load: the server rejects the saved accounts; signing up new ones");
        accounts.clear();
    }
    let reused = accounts.len().min(n);
    let missing = n.saturating_sub(accounts.len());
    let started = Instant::now();
    if missing > 0 {
        let run: u32 = rand::random();
        let bar = progress::bar(common.quiet, missing as u64, "sign up");
        let new: Vec<Account> = stream::iter(0..missing)
            .map(|i| {
                let api = api.clone();
                let bar = bar.clone();
                async move {
                    let email = format!("load-{run:08x}-{i}@example.com");
                    let account = api
                        .sign_up(&format!("Load {i}"), &email)
                        .await
                        .with_context(|| format!("signing up {email}"))?;
                    bar.inc(1);
                    anyhow::Ok(account)
                }
            })
            .buffered(common.signup_concurrency.max(1))
            .try_collect()
            .await?;
        bar.finish();
        accounts.extend(new);
        if let Some(path) = &common.accounts {
            save(path, &accounts)?;
        }
    }
    let report = AccountsReport {
        reused,
        signed_up: missing,
        signup_secs: started.elapsed().as_secs_f64(),
    };
    accounts.truncate(n);
    Ok((accounts, report))
}

fn load(path: &Path) -> anyhow::Result<Vec<Account>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .with_context(|| format!("reading accounts from {}", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
    }
}

fn save(path: &Path, accounts: &[Account]) -> anyhow::Result<()> {
    std::fs::write(path, serde_json::to_vec(accounts)?)
        .with_context(|| format!("writing accounts to {}", path.display()))
}
