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
pub mod graphql;
pub mod http;
pub mod notify;
pub mod store;

use std::{future::Future, net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use axum::Router;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::{
    auth::TokenKeys,
    broker::{Broker, MemoryBroker, PostgresBroker, RedisBroker},
    config::Config,
    graphql::{HeraldExecutor, HeraldSchema, Services, build_schema},
    http::AppState,
    store::{Dialect, Store},
};

/// A built server: its router and the services behind it.
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
    let store = Store::connect(&config.database_url())
        .await
        .map_err(anyhow::Error::from)
        .context("opening the database")?;
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
    let services = Services {
        store,
        broker,
        keys: Arc::new(keys),
        config: Arc::new(config),
    };
    let schema = build_schema(services.clone());
    let router = http::router(AppState {
        services: services.clone(),
        schema: HeraldExecutor::new(schema.clone()),
    });
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
            Arc::new(RedisBroker::start(url, &config.broker_prefix)?)
        }
        other => anyhow::bail!("unknown broker {other:?}: expected memory, redis://… or postgres"),
    })
}

/// Binds the configured address and serves until Ctrl-C / SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listen = config.listen;
    let herald = build(config).await?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "Herald is listening");
    serve_on(listener, herald.router, shutdown_signal()).await?;
    herald.services.store.close().await;
    Ok(())
}

/// Serves `router` on an already bound listener until `shutdown` resolves.
/// Accepted sockets get `TCP_NODELAY`: notifications are small frames that
/// must not wait for Nagle's algorithm.
pub async fn serve_on(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Open SSE responses never finish by themselves: end them when the
    // shutdown begins, or the graceful shutdown would wait for them.
    let streams = http::sse::StreamsShutdown::default();
    let router = router.layer(axum::Extension(streams.clone()));
    let shutdown = async move {
        shutdown.await;
        streams.end_all_streams();
    };
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
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
