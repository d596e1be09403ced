//! Integration tests: a real server on a real socket, driven over HTTP and
//! graphql-transport-ws, with a fresh SQLite file per test.

mod helpers;

mod auth;
mod bad_input;
mod boards;
mod chat;
mod inbox;
mod notifications;
mod schema;
mod sse;
mod subscriptions;
mod transport;
mod uploads;
