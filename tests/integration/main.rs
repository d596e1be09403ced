//! Herald's integration tests, one crate (it links once and runs fast):
//! real servers on real sockets, driven over HTTP, both websocket
//! subprotocols and SSE, on real SQLite files, PostgreSQL and Redis.
//!
//! - `api`: one server per test on an ephemeral port with a fresh SQLite
//!   file: every operation, every transport, every limit.
//! - `scale`: the store suite on both backends, and several replicas
//!   sharing PostgreSQL and a broker (Redis or LISTEN/NOTIFY), including
//!   broker and database outages.
//! - `ops`: what operators turn on and watch: retention of notifications
//!   and chat messages on both backends, and the real `herald` binary in
//!   a process of its own, as an operator runs it: its JSON logs and its
//!   metrics.
//! - `tls`: replicas on a PostgreSQL and a Redis of the test's own that
//!   speak only TLS, with certificates from a CA made for the test; and
//!   what TLS refuses.
//! - `kit`: what the tests share: `TestApp` with a method per operation,
//!   the websocket and SSE clients, databases, replicas and Redis users,
//!   and a Web Push service that verifies and decrypts what it receives.
//!
//! Tests that need PostgreSQL or Redis run when `HERALD_TEST_DATABASE_URL`
//! and `HERALD_TEST_REDIS_URL` are set at build time (see `build.rs`);
//! otherwise they are reported as ignored. So are the `tls` tests, unless
//! `initdb`, `pg_ctl` and a TLS-capable `redis-server` are installed. Run with `TEST_LOG=1` to see the
//! servers' logs of a failing test.

mod kit;

mod api {
    mod auth;
    mod bad_input;
    mod boards;
    mod chat;
    mod engine;
    mod groups;
    mod inbox;
    pub(crate) mod inbox_live;
    mod limits;
    mod notifications;
    mod preferences;
    mod publish;
    mod push_delivery;
    mod push_messages;
    mod schema;
    mod sockets;
    mod sse;
    mod subscriptions;
    pub(crate) mod tokens;
    mod transport;
    pub(crate) mod uploads;
}

mod ops {
    mod logs;
    mod metrics;
    mod push_crash;
    mod retention;
}

mod scale {
    mod chat;
    mod faults;
    mod inbox_sync;
    mod outages;
    mod push;
    pub(crate) mod replicas;
    mod revocation;
    mod store;
}

mod tls {
    mod refusals;
    mod replicas;
    mod servers;
}
