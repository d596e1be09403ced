//! Accepting connections: the bounds on them, and how they end.
//!
//! Herald runs its own accept loop (over hyper-util) rather than
//! `axum::serve`, because a public server needs what that one does not
//! configure:
//!
//! - a **timeout for reading a request head**, which is also how long an
//!   idle keep-alive connection stays open: a client that sends half a
//!   request head (slowloris) is disconnected instead of holding a socket
//!   and a task forever;
//! - **caps on open connections**, in the process and per client address,
//!   counted from accept until the connection (or the websocket it became)
//!   closes. A connection over a cap is still accepted and answered 503
//!   with `TOO_MANY_CONNECTIONS`, so a client sees why, instead of the
//!   process failing at `accept` once its file descriptors run out;
//! - a **graceful shutdown with a deadline**: stop accepting, tell
//!   websockets (close 1001, "going away", so that clients reconnect to
//!   another replica and resume by cursor) and SSE streams to end, let
//!   in-flight requests finish, flush the broker, and exit when the
//!   deadline passes even if a client misbehaves.

use std::{
    collections::HashMap,
    convert::Infallible,
    future::Future,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, Request},
    http::header,
    response::IntoResponse,
};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::{
    sync::CancellationToken,
    task::{TaskTracker, task_tracker::TrackedFuture},
};
use tower::ServiceExt;

use crate::{broker::Broker, config::Limits, error::AppError};

/// What every handler can reach of the server's lifecycle: the signal
/// that it is shutting down, and the long-lived tasks (websockets) that
/// the shutdown must wait for. Put in the request extensions by the
/// accept loop.
#[derive(Clone, Default)]
pub struct Lifecycle {
    shutdown: CancellationToken,
    sockets: TaskTracker,
}

impl Lifecycle {
    /// Resolves when the server starts shutting down.
    pub fn shutting_down(&self) -> tokio_util::sync::WaitForCancellationFutureOwned {
        self.shutdown.clone().cancelled_owned()
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.is_cancelled()
    }

    /// A websocket's task, tracked so that the shutdown waits for it.
    pub fn track<F: Future<Output = ()>>(&self, task: F) -> TrackedFuture<F> {
        self.sockets.track_future(task)
    }
}

/// Open connections, in total and per client address.
pub struct ConnectionLimits {
    max_total: usize,
    max_per_ip: usize,
    open: Mutex<OpenConnections>,
}

#[derive(Default)]
struct OpenConnections {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

impl ConnectionLimits {
    pub fn new(max_total: usize, max_per_ip: usize) -> Arc<Self> {
        Arc::new(ConnectionLimits {
            max_total,
            max_per_ip,
            open: Mutex::new(OpenConnections::default()),
        })
    }

    /// A permit for one more connection from `ip`, or `None` when a cap
    /// is reached.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionPermit> {
        let mut open = self.lock();
        let from_ip = open.by_ip.get(&ip).copied().unwrap_or(0);
        if open.total >= self.max_total || from_ip >= self.max_per_ip {
            return None;
        }
        open.total += 1;
        open.by_ip.insert(ip, from_ip + 1);
        Some(ConnectionPermit {
            limits: Arc::clone(self),
            ip,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.lock().total
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OpenConnections> {
        // Every critical section is a few integer updates: a panic cannot
        // leave the counts half written.
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One admitted connection; dropping it frees its place. Shared (in an
/// `Arc`) between the HTTP connection and the websocket it may become, so
/// that the place is held until the last of them closes.
pub struct ConnectionPermit {
    limits: Arc<ConnectionLimits>,
    ip: IpAddr,
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut open = self.limits.lock();
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.by_ip.remove(&self.ip);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then shuts
/// down within `limits.shutdown_timeout()` and flushes `broker`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    broker: Arc<dyn Broker>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let lifecycle = Lifecycle::default();
    let connections = ConnectionLimits::new(limits.connections(), limits.connections_per_ip());
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout())
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.ws_keepalive())
        .max_concurrent_streams(256)
        // Websockets over HTTP/2 (RFC 8441).
        .enable_connect_protocol();
    tracing::info!(
        max_connections = limits.connections(),
        max_connections_per_ip = limits.connections_per_ip(),
        "accepting connections"
    );
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, or a connection reset
                    // before it was accepted: wait a moment rather than
                    // spin, as axum::serve does.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        if let Err(err) = stream.set_nodelay(true) {
            // Notifications are small frames that must not wait for
            // Nagle's algorithm.
            tracing::warn!(error = %err, "could not set TCP_NODELAY");
        }
        match connections.admit(remote.ip()) {
            Some(permit) => {
                // Every request of the connection carries the client's
                // address, the connection's permit and the lifecycle.
                let permit = Arc::new(permit);
                let (router, lifecycle) = (router.clone(), lifecycle.clone());
                let service = tower::service_fn(move |request: Request<Incoming>| {
                    let mut request = request.map(Body::new);
                    let extensions = request.extensions_mut();
                    extensions.insert(ConnectInfo(remote));
                    extensions.insert(Arc::clone(&permit));
                    extensions.insert(lifecycle.clone());
                    router.clone().oneshot(request)
                });
                let service = TowerToHyperService::new(service);
                let connection =
                    builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                let connection = graceful.watch(connection.into_owned());
                tokio::spawn(async move {
                    if let Err(err) = connection.await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                });
            }
            None => {
                tracing::debug!(client = %remote.ip(), "connection refused: too many open");
                refuse(stream, limits.header_read_timeout());
            }
        }
    }
    drop(listener);
    tracing::info!("shutting down: no longer accepting connections");
    // Websockets close with 1001 and SSE streams end; idle keep-alive
    // connections close and in-flight requests finish.
    lifecycle.shutdown.cancel();
    lifecycle.sockets.close();
    let drained = async {
        graceful.shutdown().await;
        lifecycle.sockets.wait().await;
    };
    let deadline = limits.shutdown_timeout();
    if tokio::time::timeout(deadline, drained).await.is_err() {
        tracing::warn!(
            open = connections.open(),
            "connections still open after {} s; exiting anyway",
            deadline.as_secs()
        );
    }
    // What was committed must reach the other replicas before this one
    // goes: give the broker a moment to send what it holds.
    broker.flush(Duration::from_secs(2)).await;
    Ok(())
}

/// Answers every request on a connection over a cap with 503, then closes
/// it.
fn refuse(stream: TcpStream, header_read_timeout: Duration) {
    let service = hyper::service::service_fn(|_request: Request<Incoming>| async {
        let mut response = AppError::refused(
            503,
            "TOO_MANY_CONNECTIONS",
            "too many open connections; try again later",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, "close".parse().expect("a valid header"));
        Ok::<_, Infallible>(response)
    });
    tokio::spawn(async move {
        let mut http1 = hyper::server::conn::http1::Builder::new();
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .keep_alive(false);
        let _ = http1.serve_connection(TokioIo::new(stream), service).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permits_count_in_total_and_per_address() {
        let limits = ConnectionLimits::new(3, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = limits.admit(a).unwrap();
        let _a2 = limits.admit(a).unwrap();
        assert!(limits.admit(a).is_none(), "per-address cap");
        let _b1 = limits.admit(b).unwrap();
        assert!(limits.admit(b).is_none(), "total cap");
        drop(a1);
        assert_eq!(limits.open(), 2);
        assert!(limits.admit(b).is_some(), "a freed place is reused");
    }
}
