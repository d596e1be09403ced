//! Logs: one line per event on standard output, as text for a person or
//! as JSON (one object per line) for a log pipeline, filtered by an
//! `EnvFilter` directive (`--log`, e.g. `info,herald=debug`).
//!
//! A JSON line carries the event's fields at the top level and the spans
//! it happened in (`spans`, outermost first): the `http` span of a request
//! with its `request_id`, the `connection` span of a websocket or SSE
//! stream with its `transport` and `user_id`. What Herald never puts in a
//! span or an event: tokens, passwords, query strings, GraphQL variables
//! and request headers.

use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Starts logging with the `filter` directives in `format`. Fails on a
/// filter that does not parse, before anything is logged.
pub fn init(filter: &str, format: LogFormat) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(filter)
        .with_context(|| format!("--log {filter:?} is not a valid log filter"))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
    };
    installed.map_err(|err| anyhow::anyhow!("cannot start logging: {err}"))
}
