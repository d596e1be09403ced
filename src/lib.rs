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

pub mod auth;
pub mod broker;
pub mod config;
pub mod delivery;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod graphql;
pub mod http;
pub mod notify;
pub mod store;

use std::{future::Future, sync::Arc};

use anyhow::Context as _;
use axum::Router;
use tokio::net::TcpListener;

use crate::{
    auth::{AuthThrottle, Passwords, TokenKeys},
    broker::{Broker, MemoryBroker, PostgresBroker, RedisBroker},
    config::Config,
    graphql::{HeraldExecutor, HeraldSchema, Services, build_schema},
    http::AppState,
    store::{Dialect, Store, StoreOptions, redact_url},
};

/// A built server: its router and the services behind it.
#[derive(Clone)]
pub struct Herald {
    pub router: Router,
    pub services: Services,
    pub schema: HeraldSchema,
}

/// Opens the store (migrating it), the broker and the keys, and builds the
/// router. Used by `main` and by the tests.
pub async fn build(config: Config) -> anyhow::Result<Herald> {
    std::fs::create_dir_all(&config.data_dir)
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
    let keys = TokenKeys::load(
        config.jwt_secret.as_deref(),
        &config.data_dir,
        config.token_ttl_secs,
    )?;
    let broker = open_broker(&config, &store).await?;
    let passwords = Passwords::new(config.limits.password_hashes())?;
    let throttle = AuthThrottle::new(
        config.limits.auth_limit_per_minute,
        config.limits.login_failures_per_account,
    );
    let services = Services {
        store,
        broker,
        keys: Arc::new(keys),
        passwords: Arc::new(passwords),
        throttle: Arc::new(throttle),
        config: Arc::new(config),
    };
    let schema = build_schema(services.clone());
    let executor = HeraldExecutor::new(schema.clone(), &services.config.limits);
    let router = http::router(AppState::new(services.clone(), executor));
    Ok(Herald {
        router,
        services,
        schema,
    })
}

/// The broker `config.broker` names: `memory` (one process), `redis://…`,
/// or `postgres` (LISTEN/NOTIFY on the store's PostgreSQL database).
async fn open_broker(config: &Config, store: &Arc<Store>) -> anyhow::Result<Arc<dyn Broker>> {
    let broker = config.broker.trim();
    Ok(match broker {
        "memory" => Arc::new(MemoryBroker::new()),
        "postgres" | "postgresql" => {
            anyhow::ensure!(
                store.dialect() == Dialect::Postgres,
                "the postgres broker needs a postgres:// database URL"
            );
            Arc::new(PostgresBroker::start(Arc::clone(store), &config.database_url()).await?)
        }
        url if url.starts_with("redis://") || url.starts_with("redis+unix://") => {
            let outbox = usize::try_from(config.redis_outbox_max).unwrap_or(usize::MAX);
            Arc::new(RedisBroker::start(url, &config.broker_prefix, outbox)?)
        }
        other => anyhow::bail!(
            "unknown broker {:?}: expected memory, redis://… or postgres",
            redact_url(other)
        ),
    })
}

/// Binds the configured address and serves until Ctrl-C / SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let files = config::raise_open_file_limit();
    tracing::debug!(open_file_limit = files, "file limit");
    let listen = config.listen;
    let herald = build(config).await?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "Herald is listening");
    let store = herald.services.store.clone();
    serve_on(listener, herald, shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

/// Serves `herald` on an already bound listener until `shutdown`
/// resolves, then shuts down gracefully within the configured deadline
/// (see `http::serve`).
pub async fn serve_on(
    listener: TcpListener,
    herald: Herald,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Herald {
        router, services, ..
    } = herald;
    http::serve::serve(
        listener,
        router,
        &services.config.limits,
        services.broker.clone(),
        shutdown,
    )
    .await
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
