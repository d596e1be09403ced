//! Password hashing with Argon2id (the crate's default parameters:
//! 19 MiB, 2 passes).
//!
//! Each hash is CPU-bound for tens of milliseconds and holds its 19 MiB
//! while it runs, so hashes run on the blocking thread pool, and at most
//! `--password-hash-concurrency` of them at once (a semaphore sized to the
//! CPUs by default): a burst of log-ins waits its turn instead of growing
//! the process by 19 MiB per request. A request waiting for its turn is
//! still bounded by the execution deadline.
//!
//! A log-in for an e-mail that has no account verifies the password
//! against a dummy hash with the same parameters, so that an unknown
//! e-mail takes as long to refuse as a wrong password and accounts cannot
//! be found by timing the answer.

use std::sync::{
    Arc,
    atomic::{AtomicU64, AtomicUsize, Ordering},
};

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use tokio::sync::Semaphore;

/// Hashes and verifies passwords, a bounded number at a time.
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// A hash of a random password, for log-ins with an unknown e-mail.
    dummy: String,
    counters: Arc<Counters>,
}

/// What the hashing has done, for tests and operators.
#[derive(Default)]
struct Counters {
    computed: AtomicU64,
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// A snapshot of `Passwords`' counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashStats {
    /// Hashes computed (or verified) since start.
    pub computed: u64,
    /// The most that ever ran at once.
    pub peak_concurrent: usize,
}

impl Passwords {
    /// At most `concurrency` hashes at once.
    pub fn new(concurrency: usize) -> anyhow::Result<Self> {
        let mut random = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
        let dummy = hash_now(&random)?;
        Ok(Passwords {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy,
            counters: Arc::default(),
        })
    }

    pub fn stats(&self) -> HashStats {
        HashStats {
            computed: self.counters.computed.load(Ordering::Relaxed),
            peak_concurrent: self.counters.peak.load(Ordering::Relaxed),
        }
    }

    /// A PHC-format hash of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.run(move || hash_now(password.as_bytes())).await?
    }

    /// True when `password` matches the stored `hash`.
    pub async fn verify(&self, password: String, hash: String) -> anyhow::Result<bool> {
        self.run(move || verify_now(&password, &hash)).await?
    }

    /// Spends the time a wrong password would, and says no: for a log-in
    /// whose e-mail has no account.
    pub async fn verify_unknown(&self, password: String) -> anyhow::Result<bool> {
        let dummy = self.dummy.clone();
        self.run(move || verify_now(&password, &dummy)).await??;
        Ok(false)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        // The permit travels into the blocking task: if the request is
        // cancelled while the hash runs, the place is freed only when the
        // hash (and its memory) is done.
        let permit = Arc::clone(&self.permits).acquire_owned().await?;
        let counters = Arc::clone(&self.counters);
        Ok(tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let now = counters.running.fetch_add(1, Ordering::SeqCst) + 1;
            counters.peak.fetch_max(now, Ordering::SeqCst);
            let out = work();
            counters.running.fetch_sub(1, Ordering::SeqCst);
            counters.computed.fetch_add(1, Ordering::Relaxed);
            out
        })
        .await?)
    }
}

fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password, &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

fn verify_now(password: &str, hash: &str) -> anyhow::Result<bool> {
    let parsed =
        PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let passwords = Passwords::new(2).unwrap();
        let hash = passwords.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            passwords
                .verify("correct horse".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(!passwords.verify("wrong horse".into(), hash).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_is_verified_against_a_real_hash() {
        let passwords = Passwords::new(1).unwrap();
        // The dummy is a real Argon2id hash with the default parameters,
        // so refusing an unknown e-mail costs what refusing a wrong
        // password costs.
        assert!(
            passwords
                .dummy
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );
        assert!(!passwords.verify_unknown("anything".into()).await.unwrap());
    }

    #[tokio::test]
    async fn no_more_hashes_run_at_once_than_allowed() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        let passwords = Arc::new(Passwords::new(2).unwrap());
        let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (passwords, running, peak) = (passwords.clone(), running.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                passwords
                    .run(move || {
                        peak.fetch_max(running.fetch_add(1, SeqCst) + 1, SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        running.fetch_sub(1, SeqCst);
                    })
                    .await
                    .unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(peak.load(SeqCst), 2, "8 hashes ran 2 at a time");
    }
}
