//! Every setting of the server in one struct, read from flags and the
//! matching `HERALD_*` environment variables (flags win). Every flag is
//! global: it may come before or after the subcommand
//! (`herald --listen … serve` and `herald serve --listen …` are the same).
//!
//! The defaults are written once, in the `#[arg]` attributes below;
//! `Config::for_data_dir` asks clap for them rather than repeating them.
//! The limits section is the operator's view of what a client can make
//! Herald spend; the README's "Security and limits" table lists the same
//! flags with the `extensions.code` each refusal carries.

use std::{ffi::OsString, net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Command, FromArgMatches};

use crate::telemetry::logs::LogFormat;

/// Server settings. `Config::for_data_dir` builds one with the defaults,
/// which is what the tests and embedders use.
#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "HERALD_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Directory for the SQLite database, uploaded files and the generated
    /// token secret.
    #[arg(
        long,
        env = "HERALD_DATA_DIR",
        default_value = "./herald-data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://…` or `postgres://…`. Defaults to a SQLite
    /// file `herald.db` inside the data directory.
    #[arg(long, env = "HERALD_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Connections in the database pool (default: 8 for SQLite, 16 for
    /// PostgreSQL).
    #[arg(long, env = "HERALD_DATABASE_MAX_CONNECTIONS", global = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub database_max_connections: Option<u32>,

    /// Seconds a request waits for a database connection before it is
    /// answered SERVICE_UNAVAILABLE. Short, so that an outage is reported
    /// at once instead of piling up requests.
    #[arg(long, env = "HERALD_STORE_TIMEOUT_SECS", default_value_t = 2, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub store_timeout_secs: u64,

    /// Comma-separated origins allowed to call the API from a browser on
    /// another origin. `*` allows any origin, without credentials.
    #[arg(
        long,
        env = "HERALD_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<String>,

    /// Secret for signing tokens (HS256), at least 32 bytes. When unset, a
    /// random secret is generated once and kept in the data directory.
    #[arg(long, env = "HERALD_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// Lifetime of issued tokens, in seconds. Clients refresh them with
    /// the `refreshToken` mutation before they expire.
    #[arg(long, env = "HERALD_TOKEN_TTL_SECS", default_value_t = 3600, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub token_ttl_secs: u64,

    /// A JWKS URL of the app's identity provider: its RS256/ES256 tokens
    /// are accepted besides Herald's own.
    #[arg(long, env = "HERALD_JWT_JWKS_URL", global = true)]
    pub jwt_jwks_url: Option<String>,

    /// A PEM file with the public key of the app's identity provider
    /// (instead of --jwt-jwks-url).
    #[arg(long, env = "HERALD_JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<PathBuf>,

    /// The `iss` the identity provider's tokens must carry.
    #[arg(long, env = "HERALD_JWT_ISSUER", global = true)]
    pub jwt_issuer: Option<String>,

    /// The `aud` the identity provider's tokens must carry.
    #[arg(long, env = "HERALD_JWT_AUDIENCE", global = true)]
    pub jwt_audience: Option<String>,

    /// The claim of the identity provider's tokens that names the user.
    #[arg(
        long,
        env = "HERALD_JWT_USER_CLAIM",
        default_value = "sub",
        global = true
    )]
    pub jwt_user_claim: String,

    /// The claim a new user's name is taken from.
    #[arg(
        long,
        env = "HERALD_JWT_NAME_CLAIM",
        default_value = "name",
        global = true
    )]
    pub jwt_name_claim: String,

    /// The claim a new user's e-mail is taken from.
    #[arg(
        long,
        env = "HERALD_JWT_EMAIL_CLAIM",
        default_value = "email",
        global = true
    )]
    pub jwt_email_claim: String,

    /// How long a websocket may stay open without sending `connection_init`.
    #[arg(
        long,
        env = "HERALD_WS_INIT_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub ws_init_timeout_secs: u64,

    /// Seconds between `: keep-alive` comments on an idle SSE stream, so
    /// that proxies and load balancers do not close it as dead.
    #[arg(long, env = "HERALD_SSE_KEEPALIVE_SECS", default_value_t = 15, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub sse_keepalive_secs: u64,

    /// How committed events reach the subscribers of every replica:
    /// `memory` (one process), `redis://…` or `rediss://…` (TLS) (a Redis
    /// server shared by the replicas), or `postgres` (LISTEN/NOTIFY on the PostgreSQL database).
    #[arg(long, env = "HERALD_BROKER", default_value = "memory", global = true)]
    pub broker: String,

    /// Prefix of the Redis channel names (`<prefix>:user:<id>`). Two
    /// deployments that share one Redis server need different prefixes.
    #[arg(
        long,
        env = "HERALD_BROKER_PREFIX",
        default_value = "herald",
        global = true
    )]
    pub broker_prefix: String,

    /// A PEM file with the root certificate(s) a `rediss://` broker's
    /// certificate must chain to. Without it, the public web roots.
    #[arg(long, env = "HERALD_REDIS_CA_FILE", global = true)]
    pub redis_ca_file: Option<PathBuf>,

    /// Events a replica keeps for Redis while Redis is unreachable. Past
    /// this, the queued events are dropped and every replica's
    /// subscribers re-read the store once Redis is back: nothing is lost.
    #[arg(long, env = "HERALD_REDIS_OUTBOX_MAX", default_value_t = 100_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub redis_outbox_max: u64,

    /// Days a notification is kept; older ones are deleted by a sweep
    /// every minute. Unset: notifications are kept for ever.
    #[arg(long, env = "HERALD_RETENTION_DAYS", global = true,
          value_parser = clap::value_parser!(u64).range(1..=MAX_RETENTION_DAYS))]
    pub retention_days: Option<u64>,

    /// Days a chat message is kept; older ones are deleted by the same
    /// sweep, except those a kept notification still names (a mention).
    /// Unset: chat messages are kept for ever.
    #[arg(long, env = "HERALD_CHAT_RETENTION_DAYS", global = true,
          value_parser = clap::value_parser!(u64).range(1..=MAX_RETENTION_DAYS))]
    pub chat_retention_days: Option<u64>,

    /// How often the retention sweep runs. Not a flag: a minute is short
    /// enough for any policy counted in days; tests shorten it to see the
    /// background sweep at work.
    #[arg(skip = RETENTION_SWEEP_EVERY)]
    #[doc(hidden)]
    pub retention_sweep_every: Duration,

    /// What is logged: `tracing` `EnvFilter` directives, e.g.
    /// `info,herald=debug`.
    #[arg(long, env = "HERALD_LOG", default_value = "info", global = true)]
    pub log: String,

    /// How log lines are written: `text` for people, `json` (one object
    /// per line) for log pipelines.
    #[arg(
        long,
        env = "HERALD_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,

    /// Whether Prometheus metrics are kept and served at `/metrics`
    /// (`--metrics false` turns them off).
    #[arg(
        long,
        env = "HERALD_METRICS",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub metrics: bool,

    /// Whether `notifications` and `chatMessages` subscriptions run on
    /// the subscription engine (one plan per operation, one render per event); `false`
    /// runs every subscription through async-graphql's own execution,
    /// with the same results at a higher cost per subscriber.
    #[arg(
        long,
        env = "HERALD_SUBSCRIPTION_ENGINE",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub subscription_engine: bool,

    /// Serve `/metrics` on this address only, instead of on `--listen`:
    /// keeps the metrics off the public port.
    #[arg(long, env = "HERALD_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<SocketAddr>,

    #[command(flatten)]
    pub push: PushConfig,

    #[command(flatten)]
    pub limits: Limits,
}

/// When a notification is also sent as a Web Push message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PushWhen {
    /// Only while its user has no live connection on any replica: an open
    /// tab shows it already.
    Offline,
    /// Always, open tab or not.
    Always,
}

/// Web Push: keys, when and how pushes are sent.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Web Push")]
pub struct PushConfig {
    /// The VAPID private key (P-256) that signs pushes: a PEM file, or
    /// the raw key in base64url as `web-push generate-vapid-keys` prints
    /// it. Unset: one is generated into the data directory and kept.
    #[arg(long, env = "HERALD_VAPID_PRIVATE_KEY_FILE", global = true)]
    pub vapid_private_key_file: Option<PathBuf>,

    /// The contact that push services see in every push (`mailto:` or
    /// `https:`); set it to an address that reads mail.
    #[arg(
        long,
        env = "HERALD_VAPID_SUBJECT",
        default_value = "mailto:push@herald.invalid",
        global = true
    )]
    pub vapid_subject: String,

    /// When a notification is also pushed: `offline` (only while its user
    /// has no live connection on any replica) or `always`.
    #[arg(long, env = "HERALD_PUSH_WHEN", value_enum, default_value_t = PushWhen::Offline, global = true)]
    pub push_when: PushWhen,

    /// Whether this replica sends the queued pushes (`--push-sender
    /// false` leaves them to the others; they stay queued, not lost).
    #[arg(
        long,
        env = "HERALD_PUSH_SENDER",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub push_sender: bool,

    /// Hosts whose push endpoints may be plain `http://` or internal
    /// addresses (a push service on loopback, in tests); every other
    /// endpoint must be `https://` on a public host.
    #[arg(
        long,
        env = "HERALD_PUSH_HTTP_HOSTS",
        value_delimiter = ',',
        global = true
    )]
    pub push_http_hosts: Vec<String>,

    /// Push subscriptions one user may register (PUSH_SUBSCRIPTION_LIMIT).
    #[arg(long, env = "HERALD_MAX_PUSH_SUBSCRIPTIONS_PER_USER", default_value_t = 10, global = true,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub max_push_subscriptions_per_user: u64,

    /// Pushes in flight at once from this replica.
    #[arg(long, env = "HERALD_PUSH_CONCURRENCY", default_value_t = 16, global = true,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub push_concurrency: u64,

    /// Attempts at one push before it is dropped (with a warning).
    #[arg(long, env = "HERALD_PUSH_MAX_ATTEMPTS", default_value_t = 10, global = true,
          value_parser = clap::value_parser!(u64).range(1..=100))]
    pub push_max_attempts: u64,

    /// Pushes per second to one push service (one origin, e.g.
    /// `https://fcm.googleapis.com`); more wait their turn.
    #[arg(long, env = "HERALD_PUSH_RATE_PER_ORIGIN", default_value_t = 200, global = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub push_rate_per_origin: u32,
}

/// The longest retention accepted, about 1,000 years: enough for any
/// policy, and small enough that "now minus the policy" never overflows.
const MAX_RETENTION_DAYS: u64 = 365_000;

/// How often the retention sweep runs by default.
pub const RETENTION_SWEEP_EVERY: Duration = Duration::from_secs(60);

/// What one client, request or connection may make Herald spend.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Limits")]
pub struct Limits {
    /// Longest GraphQL query text, in bytes (QUERY_TOO_LARGE).
    #[arg(long, env = "HERALD_MAX_QUERY_BYTES", default_value_t = 32 * 1024, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_query_bytes: u64,

    /// Deepest nesting of brackets, braces and parentheses in a query's
    /// text, checked before it is parsed (QUERY_TOO_DEEP).
    #[arg(long, env = "HERALD_MAX_QUERY_NESTING", default_value_t = 64, global = true,
          value_parser = clap::value_parser!(u64).range(1..=512))]
    pub max_query_nesting: u64,

    /// Deepest selection set of an operation, fragments expanded
    /// (QUERY_TOO_DEEP).
    #[arg(long, env = "HERALD_MAX_QUERY_DEPTH", default_value_t = 16, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_query_depth: u64,

    /// Largest cost of an operation: one per field, a list field costs
    /// its page size (or its cap) times its selection (QUERY_TOO_COMPLEX).
    /// The default lets a board's cards with their assignees and comments
    /// (two levels of lists, at their caps) through, and refuses three.
    #[arg(long, env = "HERALD_MAX_QUERY_COMPLEXITY", default_value_t = 100_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_query_complexity: u64,

    /// Most fields a document may select once its fragments are expanded,
    /// aliases included; counted before validation (QUERY_TOO_COMPLEX).
    #[arg(long, env = "HERALD_MAX_QUERY_FIELDS", default_value_t = 2_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_query_fields: u64,

    /// Most root fields (aliases included) in one operation
    /// (QUERY_TOO_COMPLEX).
    #[arg(long, env = "HERALD_MAX_ROOT_FIELDS", default_value_t = 32, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_root_fields: u64,

    /// Most directives on one field (QUERY_TOO_COMPLEX).
    #[arg(long, env = "HERALD_MAX_DIRECTIVES", default_value_t = 8, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_directives: u64,

    /// Most operations in one batched HTTP request (BATCH_TOO_LARGE).
    #[arg(long, env = "HERALD_MAX_BATCH", default_value_t = 10, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_batch: u64,

    /// Largest JSON request body, in bytes (413, BODY_TOO_LARGE). Uploads
    /// are bounded by --max-upload-bytes instead.
    #[arg(long, env = "HERALD_MAX_BODY_BYTES", default_value_t = 256 * 1024, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_body_bytes: u64,

    /// Largest accepted upload, in bytes.
    #[arg(long, env = "HERALD_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024, global = true)]
    pub max_upload_bytes: u64,

    /// Seconds an operation may run before it is cancelled (TIMEOUT).
    #[arg(long, env = "HERALD_REQUEST_TIMEOUT_SECS", default_value_t = 10, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// Queries and mutations executed at once; more are answered 503
    /// (OVERLOADED). Websockets and SSE streams are bounded by the
    /// connection limits instead.
    #[arg(long, env = "HERALD_MAX_CONCURRENT_REQUESTS", default_value_t = 256, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_concurrent_requests: u64,

    /// Sign-ups and failed log-ins per client IP per minute (RATE_LIMITED);
    /// 0 turns the per-IP limit off.
    #[arg(
        long,
        env = "HERALD_AUTH_LIMIT_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub auth_limit_per_minute: u32,

    /// Failed log-ins per account per 15 minutes (RATE_LIMITED); 0 turns
    /// the per-account limit off.
    #[arg(
        long,
        env = "HERALD_LOGIN_FAILURES_PER_ACCOUNT",
        default_value_t = 10,
        global = true
    )]
    pub login_failures_per_account: u32,

    /// Password hashes computed at once (default: the number of CPUs).
    /// Each takes ~19 MiB while it runs; the rest wait their turn.
    #[arg(long, env = "HERALD_PASSWORD_HASH_CONCURRENCY", global = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub password_hash_concurrency: Option<u32>,

    /// Open connections (HTTP, websocket, SSE) in this process; more are
    /// answered 503 (TOO_MANY_CONNECTIONS). Default: the open-file limit
    /// minus 512 for the database, logs and uploads.
    #[arg(long, env = "HERALD_MAX_CONNECTIONS", global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,

    /// Open connections from one client IP (TOO_MANY_CONNECTIONS).
    /// Default: a quarter of --max-connections.
    #[arg(long, env = "HERALD_MAX_CONNECTIONS_PER_IP", global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections_per_ip: Option<u64>,

    /// Live operations on one websocket (TOO_MANY_SUBSCRIPTIONS).
    #[arg(long, env = "HERALD_MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = 100, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_subscriptions_per_connection: u64,

    /// Seconds between the server's pings on a websocket; a peer that has
    /// sent nothing for two intervals is disconnected.
    #[arg(long, env = "HERALD_WS_KEEPALIVE_SECS", default_value_t = 15, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_keepalive_secs: u64,

    /// Seconds a client has to send a request's head; also how long an
    /// idle keep-alive connection stays open.
    #[arg(long, env = "HERALD_HEADER_READ_TIMEOUT_SECS", default_value_t = 10, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,

    /// Seconds a shutdown waits for open connections before exiting.
    #[arg(
        long,
        env = "HERALD_SHUTDOWN_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub shutdown_timeout_secs: u64,

    /// External ids one publish (or one topic change) may name
    /// (BAD_USER_INPUT). A topic's members are not counted: publish to a
    /// topic to reach more.
    #[arg(long, env = "HERALD_MAX_PUBLISH_RECIPIENTS", default_value_t = 1_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_publish_recipients: u64,

    /// Topics one publish may name (BAD_USER_INPUT).
    #[arg(long, env = "HERALD_MAX_PUBLISH_TOPICS", default_value_t = 20, global = true,
          value_parser = clap::value_parser!(u64).range(1..=1_000))]
    pub max_publish_topics: u64,

    /// Largest `data` document a published notification may carry, in
    /// bytes of JSON (BAD_USER_INPUT).
    #[arg(long, env = "HERALD_MAX_PUBLISH_DATA_BYTES", default_value_t = 4_096, global = true,
          value_parser = clap::value_parser!(u64).range(2..=65_536))]
    pub max_publish_data_bytes: u64,

    /// Seconds a publish's idempotency key is remembered: a retry within
    /// it returns the first result and notifies nobody twice.
    #[arg(long, env = "HERALD_IDEMPOTENCY_WINDOW_SECS", default_value_t = 86_400, global = true,
          value_parser = clap::value_parser!(u64).range(60..=2_592_000))]
    pub idempotency_window_secs: u64,

    /// Error lines logged per minute; the rest are counted and reported
    /// in the next line that is logged.
    #[arg(long, env = "HERALD_MAX_ERROR_LOGS_PER_MINUTE", default_value_t = 120, global = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_error_logs_per_minute: u32,
}

/// Files kept free for everything that is not a client connection: the
/// database and its WAL, Redis, the logs, uploads being written.
const RESERVED_FILES: u64 = 512;

impl Config {
    /// The defaults, with everything kept under `data_dir` and an
    /// ephemeral port on loopback. Environment variables are ignored, so
    /// that an embedder or a test gets the same configuration everywhere.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        let command = Config::augment_args(Command::new("herald")).mut_args(|arg| arg.env(None));
        let args: [OsString; 5] = [
            "herald".into(),
            "--data-dir".into(),
            data_dir.into().into_os_string(),
            "--listen".into(),
            "127.0.0.1:0".into(),
        ];
        let matches = command
            .try_get_matches_from(args)
            .expect("the defaults parse");
        Config::from_arg_matches(&matches).expect("the defaults parse")
    }

    /// The database URL in force: the flag, or the SQLite file in the data
    /// directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("herald.db").display()),
        }
    }

    pub fn uploads_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    pub fn ws_init_timeout(&self) -> Duration {
        Duration::from_secs(self.ws_init_timeout_secs)
    }

    /// At least a second: a zero interval would flood idle streams.
    pub fn sse_keepalive(&self) -> Duration {
        Duration::from_secs(self.sse_keepalive_secs.max(1))
    }

    pub fn store_timeout(&self) -> Duration {
        Duration::from_secs(self.store_timeout_secs)
    }

    /// How long notifications are kept; `None`: for ever.
    pub fn notification_retention(&self) -> Option<Duration> {
        self.retention_days.map(days)
    }

    /// How long chat messages are kept; `None`: for ever.
    pub fn chat_retention(&self) -> Option<Duration> {
        self.chat_retention_days.map(days)
    }
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n * 24 * 60 * 60)
}

impl Limits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn ws_keepalive(&self) -> Duration {
        Duration::from_secs(self.ws_keepalive_secs)
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }

    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout_secs)
    }

    /// Open connections allowed in this process: the flag, or what the
    /// open-file limit leaves once `RESERVED_FILES` are set aside.
    pub fn connections(&self) -> usize {
        let derived = || open_file_limit().saturating_sub(RESERVED_FILES).max(64);
        usize::try_from(self.max_connections.unwrap_or_else(derived)).unwrap_or(usize::MAX)
    }

    /// Open connections allowed from one client address.
    pub fn connections_per_ip(&self) -> usize {
        match self.max_connections_per_ip {
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => (self.connections() / 4).max(16),
        }
    }

    /// Password hashes computed at once.
    pub fn password_hashes(&self) -> usize {
        match self.password_hash_concurrency {
            Some(n) => n as usize,
            None => std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// This process's soft limit on open files (raised to the hard limit at
/// start-up by `raise_open_file_limit`).
pub fn open_file_limit() -> u64 {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct it is given and reads
        // nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            // `rlim_t` is u64 on Linux but not on every Unix.
            #[allow(clippy::unnecessary_cast)]
            return limit.rlim_cur as u64;
        }
    }
    1024
}

/// Raises the soft open-file limit to the hard one, as servers do: the
/// soft default (often 1,024) would cap connections far below what the
/// box allows. Returns the limit in force.
pub fn raise_open_file_limit() -> u64 {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above; setrlimit only reads the struct.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0
                && limit.rlim_cur < limit.rlim_max
            {
                limit.rlim_cur = limit.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
    open_file_limit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_flag_definitions() {
        let config = Config::for_data_dir("/tmp/x");
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(config.listen.port(), 0);
        assert_eq!(config.limits.max_query_bytes, 32 * 1024);
        assert_eq!(config.limits.max_batch, 10);
        assert_eq!(config.limits.auth_limit_per_minute, 30);
        assert_eq!(config.broker, "memory");
        assert_eq!(config.token_ttl_secs, 3600);
        assert_eq!(config.jwt_user_claim, "sub");
        assert_eq!(config.notification_retention(), None);
        assert_eq!(config.chat_retention(), None);
        assert_eq!(config.retention_sweep_every, RETENTION_SWEEP_EVERY);
        assert!(config.metrics);
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn retention_is_counted_in_whole_days_of_at_least_one() {
        let parse = |args: &[&str]| {
            let command = Config::augment_args(Command::new("herald")).mut_args(|a| a.env(None));
            let args = std::iter::once("herald").chain(args.iter().copied());
            command
                .try_get_matches_from(args)
                .and_then(|m| Config::from_arg_matches(&m))
        };
        let config = parse(&["--retention-days", "30", "--chat-retention-days", "7"]).unwrap();
        assert_eq!(
            config.notification_retention(),
            Some(Duration::from_secs(30 * 86_400))
        );
        assert_eq!(
            config.chat_retention(),
            Some(Duration::from_secs(7 * 86_400))
        );
        for bad in ["0", "-1", "1.5", "forever"] {
            assert!(parse(&["--retention-days", bad]).is_err(), "{bad}");
            assert!(parse(&["--chat-retention-days", bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn metrics_can_be_turned_off_with_a_value() {
        let command = Config::augment_args(Command::new("herald")).mut_args(|arg| arg.env(None));
        let matches = command
            .try_get_matches_from(["herald", "--metrics", "false", "--log-format", "json"])
            .unwrap();
        let config = Config::from_arg_matches(&matches).unwrap();
        assert!(!config.metrics);
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn derived_connection_limits_leave_room_for_files() {
        let mut limits = Config::for_data_dir("/tmp/x").limits;
        limits.max_connections = Some(1000);
        assert_eq!(limits.connections(), 1000);
        assert_eq!(limits.connections_per_ip(), 250);
        limits.max_connections = None;
        assert!(limits.connections() >= 64);
    }
}
