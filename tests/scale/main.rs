//! Scale-out tests: the store suite on both backends, and several
//! replicas sharing PostgreSQL and a broker (Redis or LISTEN/NOTIFY),
//! including broker connections killed while notifications are produced.
//!
//! Tests that need PostgreSQL or Redis run when `HERALD_TEST_DATABASE_URL`
//! and `HERALD_TEST_REDIS_URL` are set at build time (see `build.rs`);
//! otherwise they are reported as ignored. Each test works in a database
//! of its own, created from the given URL and dropped at the end, and
//! under Redis channel names of its own.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
mod support;

mod chat;
mod faults;
mod outages;
mod replicas;
mod revocation;
mod store;
