//! The `herald` command line: parse arguments, then serve, print the
//! schema, or migrate.

use clap::{Parser, Subcommand};
use herald::{auth::NewApiKey, config::Config};
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
    /// Create, list or revoke the API keys an app's backend publishes
    /// with (`Authorization: Bearer hk_…`).
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create a key and print it, once: only its hash is kept.
    Create {
        /// What the key is for, e.g. the app's name: unique.
        #[arg(long)]
        name: String,
    },
    /// List the keys: id, name, first characters, created, revoked.
    List,
    /// Revoke a key by name or id: it is refused at once, on every replica.
    Revoke {
        /// The key's name or id.
        key: String,
    },
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
            herald::open_store(&cli.config).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::ApiKey(command) => api_key(&cli.config, command).await,
    }
}

async fn api_key(config: &Config, command: ApiKeyCommand) -> anyhow::Result<()> {
    let store = herald::open_store(config).await?;
    match command {
        ApiKeyCommand::Create { name } => {
            let name = name.trim();
            anyhow::ensure!(
                !name.is_empty()
                    && name.chars().count() <= 100
                    && !name.chars().any(char::is_control),
                "--name must be 1 to 100 characters on one line"
            );
            let key = NewApiKey::generate();
            let stored = match store
                .create_api_key(name, &key.secret_hash, &key.prefix)
                .await
            {
                Err(err) if err.is_unique_violation() => {
                    anyhow::bail!("an API key named {name:?} exists already: pick another name")
                }
                other => other.map_err(anyhow::Error::from)?,
            };
            eprintln!(
                "API key {:?} (id {}) created. It is shown once, here: keep it secret.",
                stored.name, stored.id
            );
            println!("{}", key.secret);
        }
        ApiKeyCommand::List => {
            println!(
                "{:<6} {:<24} {:<12} {:<20} REVOKED",
                "ID", "NAME", "KEY", "CREATED"
            );
            for key in store.api_keys().await.map_err(anyhow::Error::from)? {
                println!(
                    "{:<6} {:<24} {:<12} {:<20} {}",
                    key.id,
                    key.name,
                    format!("{}…", key.prefix),
                    time(key.created_at),
                    key.revoked_at.map_or_else(|| "-".to_owned(), time),
                );
            }
        }
        ApiKeyCommand::Revoke { key } => {
            match store
                .revoke_api_key(&key)
                .await
                .map_err(anyhow::Error::from)?
            {
                Some(stored) => eprintln!(
                    "API key {:?} (id {}) revoked: it is refused from now on.",
                    stored.name, stored.id
                ),
                None => anyhow::bail!("no API key is named {key:?} or has that id"),
            }
        }
    }
    store.close().await;
    Ok(())
}

/// A stored time (microseconds since the epoch) for people.
fn time(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}
