//! The push sender: the background task that sends the queued Web Push
//! messages, and the presence task that tells other replicas which users
//! have a live connection here.
//!
//! A notifying transaction queues one push per (notification, browser)
//! in the store's outbox, in the same transaction (see `store::push`);
//! this task wakes when one of this process commits (and every
//! `POLL_EVERY`, for what other replicas queued and for retries), claims
//! a batch, and sends it with bounded concurrency, under a rate per push
//! service. With `--push-when offline` (the default) a push whose user
//! has a live `notifications` or `inbox` subscription on any replica is
//! not sent: the open tab shows the notification already. A push service
//! that says the subscription is gone (404, 410) has it deleted; one that
//! fails (5xx, 429, a timeout) is tried again after a backoff, up to
//! `--push-max-attempts`.

use std::{
    collections::HashSet,
    num::NonZeroUsize,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use futures_util::{StreamExt, stream};
use tokio_util::sync::CancellationToken;

use crate::{
    broker::{LocalRouter, Topic},
    config::{Config, PushWhen},
    model::Id,
    push::{
        Contact, EndpointRules, MessageBuilder, MessageOptions, OriginThrottle, PushOutcome,
        PushSender, PushTarget, VapidKeys, backoff_delay,
    },
    store::{OutboxOutcome, PushJob, Store, now_micros},
};

/// How often the sender looks for pushes nobody woke it for: queued by
/// another replica, or due for a retry.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// Pushes claimed per batch: a few round trips' worth of sending.
const CLAIM_BATCH: i64 = 100;

/// How long a claim holds: a sender that dies leaves its batch to the
/// others after this. Far above a batch's sending time (each send times
/// out after 10 s, `--push-concurrency` at a time).
const CLAIM_LEASE: Duration = Duration::from_secs(120);

/// How often a replica renews its presence rows, and how old a row may be
/// and still count: three missed renewals mean the replica is gone.
const PRESENCE_RENEW_EVERY: Duration = Duration::from_secs(10);
const PRESENCE_STALE_AFTER: Duration = Duration::from_secs(30);

/// How often a replica compares its live users with what it last wrote.
const PRESENCE_CHECK_EVERY: Duration = Duration::from_millis(250);

/// Push services tracked by the rate limiter at once; the least recently
/// used is forgotten first.
const THROTTLED_ORIGINS: usize = 1024;

/// What the API needs of Web Push: the public key browsers subscribe with
/// and the rules endpoints must meet.
pub struct PushSetup {
    pub keys: Arc<VapidKeys>,
    pub contact: Contact,
    pub rules: EndpointRules,
    pub max_per_user: i64,
}

impl PushSetup {
    /// Loads (or generates into the data directory) the VAPID key and
    /// reads the push settings.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        if config.push.vapid_private_key_file.is_none() && config.broker != "memory" {
            // Each replica would sign with a key of its own, and browsers
            // accept only the key they subscribed with.
            tracing::warn!(
                "several replicas need one VAPID key: set --vapid-private-key-file \
                 to the same key on every replica"
            );
        }
        let keys = VapidKeys::load_or_generate(
            config.push.vapid_private_key_file.as_deref(),
            &config.data_dir,
        )?;
        let contact = Contact::parse(&config.push.vapid_subject)
            .map_err(|reason| anyhow::anyhow!("--vapid-subject {reason}"))?;
        let rules = if config.push.push_http_hosts.is_empty() {
            EndpointRules::https_only()
        } else {
            EndpointRules::allowing_http_on(config.push.push_http_hosts.iter().cloned())
        };
        Ok(PushSetup {
            keys: Arc::new(keys),
            contact,
            rules,
            max_per_user: i64::try_from(config.push.max_push_subscriptions_per_user)
                .unwrap_or(i64::MAX),
        })
    }
}

/// What the sender needs beside the store.
pub struct Sender {
    store: Arc<Store>,
    router: Arc<LocalRouter>,
    messages: MessageBuilder,
    rules: EndpointRules,
    client: PushSender,
    throttle: OriginThrottle,
    when: PushWhen,
    concurrency: usize,
    max_attempts: i64,
    /// Pushes that failed for good since the last warning: a push service
    /// that refuses everything makes one line a minute, not one per push.
    problems: std::sync::Mutex<Problems>,
}

/// Failed pushes counted for the next warning.
struct Problems {
    last_logged: Option<Instant>,
    count: u64,
    example: String,
}

/// At most one warning about failed pushes per this long.
const PROBLEM_LOG_EVERY: Duration = Duration::from_secs(60);

impl Sender {
    pub fn new(
        store: Arc<Store>,
        router: Arc<LocalRouter>,
        setup: &PushSetup,
        config: &Config,
    ) -> anyhow::Result<Self> {
        let throttle = OriginThrottle::new(
            f64::from(config.push.push_rate_per_origin),
            config.push.push_rate_per_origin,
            NonZeroUsize::new(THROTTLED_ORIGINS).expect("a constant above zero"),
        );
        Ok(Sender {
            store,
            router,
            messages: MessageBuilder::new(Arc::clone(&setup.keys), setup.contact.clone()),
            rules: setup.rules.clone(),
            client: PushSender::new(crate::push::DEFAULT_SEND_TIMEOUT)
                .context("building the push client")?,
            throttle,
            when: config.push.push_when,
            concurrency: usize::try_from(config.push.push_concurrency).unwrap_or(16),
            max_attempts: i64::try_from(config.push.push_max_attempts).unwrap_or(10),
            problems: std::sync::Mutex::new(Problems {
                last_logged: None,
                count: 0,
                example: String::new(),
            }),
        })
    }

    /// Sends queued pushes until `stop`.
    pub async fn run(self, stop: CancellationToken) {
        // Logged when the store starts failing and when it recovers, not
        // at every poll of an outage.
        let mut failing = false;
        loop {
            loop {
                let sent = tokio::select! {
                    () = stop.cancelled() => return,
                    sent = self.send_batch() => sent,
                };
                match sent {
                    Ok(claimed) => {
                        if failing {
                            failing = false;
                            tracing::info!("sending pushes again");
                        }
                        if claimed == 0 {
                            break;
                        }
                    }
                    Err(err) => {
                        if !failing {
                            failing = true;
                            tracing::warn!(error = %err, "sending pushes failed; retrying");
                        }
                        break;
                    }
                }
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = self.store.pushes_queued() => {}
                () = tokio::time::sleep(POLL_EVERY) => {}
            }
        }
    }

    /// Claims one batch and sends it; returns how many were claimed.
    async fn send_batch(&self) -> anyhow::Result<usize> {
        let now = now_micros();
        let jobs = self
            .store
            .claim_pushes(now, micros(CLAIM_LEASE), CLAIM_BATCH)
            .await?;
        if jobs.is_empty() {
            return Ok(0);
        }
        let online = self.online(&jobs).await?;
        // Named futures, not a closure's: a spawned task needs them to
        // hold for any lifetime of the borrowed jobs.
        let handled: Vec<_> = jobs.iter().map(|job| self.handle(job, &online)).collect();
        let outcomes: Vec<(Id, Id, OutboxOutcome)> = stream::iter(handled)
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        self.store.finish_pushes(&outcomes).await?;
        Ok(jobs.len())
    }

    /// The recipients among `jobs` with a live connection on this replica
    /// or (PostgreSQL) any other; none with `--push-when always`.
    async fn online(&self, jobs: &[PushJob]) -> anyhow::Result<HashSet<Id>> {
        if self.when == PushWhen::Always {
            return Ok(HashSet::new());
        }
        let users: HashSet<Id> = jobs.iter().map(|j| j.notification.recipient_id).collect();
        let (mut online, elsewhere): (HashSet<Id>, HashSet<Id>) = users
            .into_iter()
            .partition(|u| self.router.has_subscribers(&Topic::User(*u)));
        let elsewhere: Vec<Id> = elsewhere.into_iter().collect();
        let since = now_micros() - micros(PRESENCE_STALE_AFTER);
        online.extend(self.store.present_users(&elsewhere, since).await?);
        Ok(online)
    }

    async fn handle(&self, job: &PushJob, online: &HashSet<Id>) -> (Id, Id, OutboxOutcome) {
        let outcome = if online.contains(&job.notification.recipient_id) {
            crate::telemetry::metrics::push_sent("online");
            OutboxOutcome::Done
        } else {
            self.send_one(job).await
        };
        (job.outbox_id, job.subscription.id, outcome)
    }

    async fn send_one(&self, job: &PushJob) -> OutboxOutcome {
        let target = PushTarget {
            endpoint: job.subscription.endpoint.clone(),
            p256dh: job.subscription.p256dh.clone(),
            auth: job.subscription.auth.clone(),
        };
        // Checked when it was registered; a rule tightened since (an
        // allow-list flag removed) makes it unusable now.
        let target = match target.validate(&self.rules) {
            Ok(target) => target,
            Err(invalid) => {
                self.problem(format!(
                    "subscription {} no longer valid ({} {}); removed",
                    job.subscription.id, invalid.field, invalid.reason
                ));
                return OutboxOutcome::Gone;
            }
        };
        if let Err(wait) = self.throttle.acquire(target.origin(), Instant::now()) {
            crate::telemetry::metrics::push_sent("throttled");
            return OutboxOutcome::Retry {
                due_at: now_micros() + micros(wait),
            };
        }
        let payload = payload_of(job);
        let request = match self
            .messages
            .build(&target, &payload, &MessageOptions::default())
        {
            Ok(request) => request,
            Err(err) => {
                self.problem(format!(
                    "notification {}: message not built ({err}); dropped",
                    job.notification.id
                ));
                return OutboxOutcome::Done;
            }
        };
        match self.client.send(&request).await {
            PushOutcome::Delivered => {
                crate::telemetry::metrics::push_sent("delivered");
                OutboxOutcome::Done
            }
            PushOutcome::Gone => {
                crate::telemetry::metrics::push_sent("gone");
                OutboxOutcome::Gone
            }
            PushOutcome::Retry { after } if job.attempts < self.max_attempts => {
                crate::telemetry::metrics::push_sent("retry");
                let attempt = u32::try_from(job.attempts).unwrap_or(u32::MAX);
                let wait = after.unwrap_or_default().max(backoff_delay(attempt));
                OutboxOutcome::Retry {
                    due_at: now_micros() + micros(wait),
                }
            }
            PushOutcome::Retry { .. } => {
                crate::telemetry::metrics::push_sent("dropped");
                self.problem(format!(
                    "notification {}: failed on all {} attempts; dropped",
                    job.notification.id, job.attempts
                ));
                OutboxOutcome::Done
            }
            PushOutcome::Rejected { status, reason } => {
                crate::telemetry::metrics::push_sent("rejected");
                self.problem(format!(
                    "notification {}: refused ({status:?}: {reason}); dropped",
                    job.notification.id
                ));
                OutboxOutcome::Done
            }
        }
    }
}

impl Sender {
    /// Counts a push that failed for good, and logs the count (with this
    /// one as the example) unless a line went out less than a minute ago.
    fn problem(&self, example: String) {
        let mut problems = self
            .problems
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        problems.count += 1;
        problems.example = example;
        let due = problems
            .last_logged
            .is_none_or(|at| at.elapsed() >= PROBLEM_LOG_EVERY);
        if due {
            tracing::warn!(
                failed = problems.count,
                example = %problems.example,
                "pushes failed for good since the last report"
            );
            problems.count = 0;
            problems.last_logged = Some(Instant::now());
        }
    }
}

/// What the service worker receives: enough to show the notification and
/// to recognise it (`id`) if it is pushed twice.
fn payload_of(job: &PushJob) -> serde_json::Value {
    let n = &job.notification;
    serde_json::json!({
        "id": n.id.to_string(),
        "kind": n.kind,
        "type": n.type_name(),
        "message": n.message,
        "link": n.link,
        "groupKey": n.group_key,
        "createdAt": chrono::DateTime::from_timestamp_micros(n.created_at)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    })
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

/// Keeps this replica's presence rows (the users with a live connection
/// here) in step with its router, until `stop`, then deletes them. Only
/// a PostgreSQL store keeps them: on SQLite the one process knows.
pub async fn share_presence(
    store: Arc<Store>,
    router: Arc<LocalRouter>,
    replica: String,
    stop: CancellationToken,
) {
    let mut written: HashSet<Id> = HashSet::new();
    let mut renewed = Instant::now();
    // Logged when sharing starts failing and when it recovers, not at
    // every attempt of an outage.
    let mut failing = false;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(PRESENCE_CHECK_EVERY) => {}
        }
        let live: HashSet<Id> = router
            .topics()
            .into_iter()
            .filter_map(|topic| match topic {
                Topic::User(id) => Some(id),
                _ => None,
            })
            .collect();
        let added: Vec<Id> = live.difference(&written).copied().collect();
        let removed: Vec<Id> = written.difference(&live).copied().collect();
        let mut shared = Ok(());
        if !added.is_empty() || !removed.is_empty() {
            shared = store.update_presence(&replica, &added, &removed).await;
            if shared.is_ok() {
                written = live;
            }
        }
        if shared.is_ok() && renewed.elapsed() >= PRESENCE_RENEW_EVERY {
            renewed = Instant::now();
            shared = store.renew_presence(&replica, false).await;
        }
        match shared {
            Err(err) if !failing => {
                failing = true;
                tracing::warn!(error = %err, "sharing who is online failed; retrying");
            }
            Ok(()) if failing => {
                failing = false;
                tracing::info!("sharing who is online again");
            }
            _ => {}
        }
    }
    if let Err(err) = store.renew_presence(&replica, true).await {
        tracing::warn!(error = %err, "clearing presence failed");
    }
}
