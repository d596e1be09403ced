//! Integration tests: a real server on a real socket, driven over HTTP and
//! graphql-transport-ws, with a fresh SQLite file per test.

mod helpers;
mod sse_client;

mod auth;
mod bad_input;
mod boards;
mod chat;
mod inbox;
mod limits;
mod notifications;
mod schema;
mod sockets;
mod sse;
mod subscriptions;
mod tokens;
mod transport;
mod uploads;
