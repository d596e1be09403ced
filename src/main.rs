//! The `herald` command line: parse arguments, then serve, print the
//! schema, or migrate.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use herald::config::Config;
use mimalloc::MiMalloc;

/// mimalloc instead of the system allocator: a server holding 100,000
/// subscriptions keeps millions of small allocations alive, and glibc's
/// per-thread arenas and chunk headers cost both memory and time there
/// (see BENCHMARKS.md for the figures).
#[global_allocator]
static ALLOCATOR: MiMalloc = MiMalloc;

#[derive(Parser)]
#[command(
    name = "herald",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("HERALD_GIT_COMMIT"), ")"),
    about = "Real-time notification server (GraphQL)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Print the GraphQL schema (SDL), as checked in at schema.graphql.
    Schema,
    /// Apply database migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    herald::telemetry::logs::init(&cli.config.log, cli.config.log_format)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => herald::serve(cli.config).await,
        Command::Schema => {
            print!("{}", herald::graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let url = cli.config.database_url();
            let store = herald::store::Store::connect(&url)
                .await
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!("opening the database {}", herald::store::redact_url(&url))
                })?;
            store.migrate().await.map_err(anyhow::Error::from)?;
            tracing::info!("migrations applied");
            Ok(())
        }
    }
}
