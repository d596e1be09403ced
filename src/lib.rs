//! Herald: a real-time notification server.
//!
//! The delivery path, in the order a notification travels:
//! a GraphQL mutation (`graphql/`) checks the caller (`auth/`) and writes
//! the change and one notification row per recipient (`notify/` decides
//! who, `store/` writes) in one transaction; after `commit` the rows are
//! published to the broker (`broker/`), which routes each one to the
//! subscriptions of its recipient only; each subscription is a gap-free
//! stream (`delivery/`) that the transports (`http/`) carry to clients
//! over websockets or HTTP.

pub mod app;
pub mod auth;
pub mod broker;
pub mod config;
pub mod delivery;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod graphql;
pub mod http;
pub mod media;
pub mod model;
pub mod notify;
pub mod push;
pub mod services;
pub mod store;
pub mod telemetry;

use std::{future::Future, sync::Arc};

use anyhow::Context as _;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::{
    sync::{CancellationToken, DropGuard},
    task::TaskTracker,
};

use crate::{
    app::retention,
    auth::{AuthThrottle, Authenticator, ExternalTokens, Passwords, Sessions, TokenKeys, now_secs},
    broker::{
        Broker, Delivery, Event, MemoryBroker, PostgresBroker, RedisBroker, RowsInRange,
        Subscription, Topic,
    },
    config::Config,
    graphql::{HeraldSchema, Services},
    http::AppState,
    store::{Dialect, Store, StoreOptions, redact_url},
};

/// A built server: its router and the services behind it.
#[derive(Clone)]
pub struct Herald {
    pub router: Router,
    pub services: Services,
    pub schema: HeraldSchema,
    background: Background,
}

impl Herald {
    /// Background tasks of this server still running (the retention
    /// sweep, when a policy is set).
    pub fn background_tasks(&self) -> usize {
        self.background.tasks.len()
    }
}

/// The work `build` starts beside the requests (the retention sweep).
/// It stops when `serve_on` returns, or, for a `Herald` that is never
/// served, when its last clone is dropped.
#[derive(Clone)]
struct Background {
    stop: CancellationToken,
    tasks: TaskTracker,
    _stop_on_drop: Arc<DropGuard>,
}

impl Background {
    fn new() -> Self {
        let stop = CancellationToken::new();
        Background {
            _stop_on_drop: Arc::new(stop.clone().drop_guard()),
            stop,
            tasks: TaskTracker::new(),
        }
    }

    /// Stops every task and waits until they have returned.
    async fn stop(&self) {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}

/// Opens the store (migrating it), the broker and the keys, and builds the
/// router. Used by `main` and by the tests.
pub async fn build(config: Config) -> anyhow::Result<Herald> {
    let store = open_store(&config).await?;
    let keys = TokenKeys::load(
        config.jwt_secret.as_deref(),
        &config.data_dir,
        config.token_ttl_secs,
    )?;
    let external = ExternalTokens::from_config(&config)?;
    let broker = open_broker(&config, &store).await?;
    let sessions = Arc::new(Sessions::default());
    // Subscribed before the state is read, so that a revocation committed
    // in between is not missed.
    let control = broker.subscribe(Topic::Control).await?;
    load_revocations(&store, &sessions)
        .await
        .context("reading revoked sessions")?;
    tokio::spawn(follow_revocations(
        control,
        Arc::clone(&store),
        Arc::clone(&sessions),
    ));
    let auth = Authenticator::new(keys, external, sessions, Arc::clone(&store));
    let passwords = Passwords::new(config.limits.password_hashes())?;
    let throttle = AuthThrottle::new(
        config.limits.auth_limit_per_minute,
        config.limits.login_failures_per_account,
    );
    let push = app::push::PushSetup::from_config(&config)?;
    let services = Services {
        store,
        broker,
        auth: Arc::new(auth),
        passwords: Arc::new(passwords),
        throttle: Arc::new(throttle),
        push: Arc::new(push),
        config: Arc::new(config),
    };
    let (schema, executor) = graphql::build(services.clone());
    let router = http::router(AppState::new(services.clone(), executor));
    let background = Background::new();
    let policy = retention::Policy::from_config(&services.config);
    if policy.is_set() {
        background.tasks.spawn(retention::sweep_every(
            Arc::clone(&services.store),
            Arc::clone(&services.broker),
            policy,
            services.config.retention_sweep_every,
            background.stop.clone(),
        ));
    }
    start_push(&services, &background)?;
    Ok(Herald {
        router,
        services,
        schema,
        background,
    })
}

/// Opens the store `config` names (creating the data directory, private
/// to this user) and migrates it. `build` and the commands that work on
/// the store alone (`migrate`, `api-key`) start here.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<Store>> {
    create_private_dir(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    std::fs::create_dir_all(config.uploads_dir())?;
    error::set_error_log_budget(config.limits.max_error_logs_per_minute);
    let options = StoreOptions {
        max_connections: config.database_max_connections,
        acquire_timeout: config.store_timeout(),
    };
    let store = Store::connect_with(&config.database_url(), options)
        .await
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!(
                "opening the database {}",
                redact_url(&config.database_url())
            )
        })?;
    store
        .migrate()
        .await
        .map_err(anyhow::Error::from)
        .context("migrating the database")?;
    if config.database_url.is_none() {
        make_private(&config.data_dir.join("herald.db"))?;
    }
    Ok(store)
}

/// Starts the push sender (unless `--push-sender false`) and, where
/// other replicas may need to know who is online here (a PostgreSQL
/// store, `--push-when offline`), the presence task.
fn start_push(services: &Services, background: &Background) -> anyhow::Result<()> {
    let config = &services.config;
    let router = Arc::clone(services.broker.router());
    if config.push.push_sender {
        let sender = app::push::Sender::new(
            Arc::clone(&services.store),
            Arc::clone(&router),
            &services.push,
            config,
        )?;
        background.tasks.spawn(sender.run(background.stop.clone()));
    }
    if services.store.dialect() == Dialect::Postgres
        && config.push.push_when == config::PushWhen::Offline
    {
        let replica = format!("{:016x}", rand::random::<u64>());
        background.tasks.spawn(app::push::share_presence(
            Arc::clone(&services.store),
            router,
            replica,
            background.stop.clone(),
        ));
    }
    Ok(())
}

/// Creates `dir` (and its parents) readable by this user only: it holds
/// the database, uploads and the token secret.
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir)?;
        // A directory from an older version, or made by hand, keeps its
        // mode through `create`: tighten it too.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

/// Makes a file readable and writable by this user only.
fn make_private(path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("restricting {}", path.display()))?;
        }
    }
    Ok(())
}

/// Reads what the store says is revoked into `sessions`.
async fn load_revocations(store: &Store, sessions: &Sessions) -> anyhow::Result<()> {
    let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
    let revoked = store
        .revoked_sessions(now)
        .await
        .map_err(anyhow::Error::from)?;
    let everywhere = store
        .token_generations()
        .await
        .map_err(anyhow::Error::from)?;
    sessions.load(revoked, everywhere, now);
    Ok(())
}

/// How often revocations that no token can outlive are forgotten.
const REVOCATION_PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Applies the revocations other replicas (and this one) publish; reads
/// the whole state again when the broker may have lost one; forgets old
/// ones now and then.
async fn follow_revocations(mut control: Subscription, store: Arc<Store>, sessions: Arc<Sessions>) {
    use futures_util::StreamExt;
    let mut prune = tokio::time::interval(REVOCATION_PRUNE_EVERY);
    prune.tick().await;
    loop {
        tokio::select! {
            delivery = control.next() => match delivery {
                Some(Delivery::Event(Event::Revoked(revocation))) => {
                    let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
                    sessions.apply(&revocation, now);
                }
                Some(Delivery::Event(_)) => {}
                Some(Delivery::Resync) => {
                    if let Err(err) = load_revocations(&store, &sessions).await {
                        tracing::warn!(error = format!("{err:#}"), "cannot read revoked sessions");
                    }
                }
                None => return,
            },
            _ = prune.tick() => {
                let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
                sessions.prune(now);
                if let Err(err) = store.forget_revocations_before(now).await {
                    tracing::warn!(error = ?err.0, "cannot forget old revocations");
                }
            }
        }
    }
}

/// The broker `config.broker` names: `memory` (one process), `redis://…`
/// or `rediss://…` (TLS), or `postgres` (LISTEN/NOTIFY on the store's PostgreSQL database).
async fn open_broker(config: &Config, store: &Arc<Store>) -> anyhow::Result<Arc<dyn Broker>> {
    let broker = config.broker.trim();
    anyhow::ensure!(
        config.redis_ca_file.is_none() || broker.starts_with("redis"),
        "--redis-ca-file needs a rediss:// broker URL, not {:?}",
        redact_url(broker)
    );
    Ok(match broker {
        "memory" => Arc::new(MemoryBroker::new()),
        "postgres" | "postgresql" => {
            anyhow::ensure!(
                store.dialect() == Dialect::Postgres,
                "the postgres broker needs a postgres:// database URL"
            );
            let store = Arc::clone(store);
            let rows_in_range: RowsInRange = Arc::new(move |from, to, recipients| {
                let store = Arc::clone(&store);
                Box::pin(
                    async move { Ok(store.notifications_in_range(from, to, &recipients).await?) },
                )
            });
            Arc::new(PostgresBroker::start(rows_in_range, &config.database_url()).await?)
        }
        url if ["redis://", "rediss://", "redis+unix://"]
            .iter()
            .any(|scheme| url.starts_with(scheme)) =>
        {
            let outbox = usize::try_from(config.redis_outbox_max).unwrap_or(usize::MAX);
            let ca_file = config.redis_ca_file.as_deref();
            Arc::new(RedisBroker::start(
                url,
                ca_file,
                &config.broker_prefix,
                outbox,
            )?)
        }
        other => anyhow::bail!(
            "unknown broker {:?}: expected memory, redis://…, rediss://… or postgres",
            redact_url(other)
        ),
    })
}

/// Binds the configured address and serves until Ctrl-C / SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let files = config::raise_open_file_limit();
    tracing::debug!(open_file_limit = files, "file limit");
    let listen = config.listen;
    if config.metrics {
        telemetry::metrics::install().context("installing the metrics recorder")?;
    }
    let herald = build(config).await?;
    let config = Arc::clone(&herald.services.config);
    if config.metrics {
        telemetry::metrics::register_broker(herald.services.broker.kind());
        if let Some(address) = config.metrics_listen {
            serve_metrics(address, &herald.services).await?;
        }
    }
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "Herald is listening");
    let store = herald.services.store.clone();
    serve_on(listener, herald, shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

/// Serves `/metrics` alone on `address`, apart from the API, until the
/// process exits, through the same accept loop as the API (request-head
/// timeout, connection caps per process and per address), so that the
/// metrics port bounds what a client can hold open as the API port does.
async fn serve_metrics(address: std::net::SocketAddr, services: &Services) -> anyhow::Result<()> {
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address} for metrics"))?;
    tracing::info!(address = %listener.local_addr()?, "serving metrics");
    let config = Arc::clone(&services.config);
    let broker = services.broker.clone();
    tokio::spawn(async move {
        let served = http::serve::serve(
            listener,
            http::metrics_routes(),
            &config.limits,
            broker,
            std::future::pending(),
        )
        .await;
        if let Err(err) = served {
            tracing::warn!(error = %err, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// Serves `herald` on an already bound listener until `shutdown`
/// resolves, then shuts down gracefully within the configured deadline
/// (see `http::serve`) and stops the background tasks.
pub async fn serve_on(
    listener: TcpListener,
    herald: Herald,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Herald {
        router,
        services,
        background,
        ..
    } = herald;
    let served = http::serve::serve(
        listener,
        router,
        &services.config.limits,
        services.broker.clone(),
        shutdown,
    )
    .await;
    background.stop().await;
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
