//! Every setting of the server in one struct, read from flags and the
//! matching `HERALD_*` environment variables (flags win).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::Args;

/// Server settings. `Config::for_data_dir` builds one with defaults, which
/// is what the tests and embedders use.
#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "HERALD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for the SQLite database, uploaded files and the generated
    /// token secret.
    #[arg(long, env = "HERALD_DATA_DIR", default_value = "./herald-data")]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://…` or `postgres://…`. Defaults to a SQLite
    /// file `herald.db` inside the data directory.
    #[arg(long, env = "HERALD_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Largest accepted upload, in bytes.
    #[arg(long, env = "HERALD_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// Comma-separated origins allowed to call the API from a browser on
    /// another origin. `*` allows any origin, without credentials.
    #[arg(long, env = "HERALD_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Secret for signing tokens (HS256). When unset, a random secret is
    /// generated once and kept in the data directory.
    #[arg(long, env = "HERALD_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Lifetime of issued tokens, in seconds.
    #[arg(long, env = "HERALD_TOKEN_TTL_SECS", default_value_t = 7 * 24 * 3600)]
    pub token_ttl_secs: u64,

    /// How long a websocket may stay open without sending `connection_init`.
    #[arg(long, env = "HERALD_WS_INIT_TIMEOUT_SECS", default_value_t = 10)]
    pub ws_init_timeout_secs: u64,

    /// Seconds between `: keep-alive` comments on an idle SSE stream, so
    /// that proxies and load balancers do not close it as dead.
    #[arg(long, env = "HERALD_SSE_KEEPALIVE_SECS", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub sse_keepalive_secs: u64,

    /// How committed events reach the subscribers of every replica:
    /// `memory` (one process), `redis://…` (a Redis server shared by the
    /// replicas), or `postgres` (LISTEN/NOTIFY on the PostgreSQL database).
    #[arg(long, env = "HERALD_BROKER", default_value = "memory")]
    pub broker: String,

    /// Prefix of the Redis channel names (`<prefix>:user:<id>`). Two
    /// deployments that share one Redis server need different prefixes.
    #[arg(long, env = "HERALD_BROKER_PREFIX", default_value = "herald")]
    pub broker_prefix: String,
}

impl Config {
    /// Defaults, with everything kept under `data_dir` and an ephemeral
    /// port on loopback.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            listen: "127.0.0.1:0".parse().expect("literal address"),
            data_dir: data_dir.into(),
            database_url: None,
            max_upload_bytes: 10 * 1024 * 1024,
            cors_origins: Vec::new(),
            jwt_secret: None,
            token_ttl_secs: 7 * 24 * 3600,
            ws_init_timeout_secs: 10,
            sse_keepalive_secs: 15,
            broker: "memory".into(),
            broker_prefix: "herald".into(),
        }
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
}
