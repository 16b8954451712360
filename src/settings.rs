//! Command line and environment: every flag has a `USER_SANDBOX_*` environment equivalent.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::store::clock::ClockMode;

/// A stateful sandbox of the finAPI, Open Bank Project and Authress user-management APIs.
///
/// Every vendor is served at its real paths on one port: point an SDK's base URL at
/// `http://<host>:<port>` (or `.../sandboxes/<name>` for an isolated copy).
#[derive(Debug, Parser)]
#[command(name = "user-sandbox", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: Settings,
}

impl Cli {
    /// The command to run; no subcommand means `serve` with the top-level flags.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox server (the default).
    Serve(Settings),
    /// Print an OpenAPI document: finapi, obp, authress or admin.
    Openapi { vendor: String },
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to bind. Anything but a loopback address exposes the sandbox to your network.
    #[arg(long, env = "USER_SANDBOX_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free port (the banner says which).
    #[arg(long, env = "USER_SANDBOX_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Seed for every generated value: fake people, ids, tokens, secrets.
    #[arg(long, env = "USER_SANDBOX_SEED", default_value_t = 42)]
    pub seed: u64,
    /// How many fake people to add after the fixture people.
    #[arg(long, env = "USER_SANDBOX_USERS", default_value_t = 100)]
    pub users: usize,
    /// A folder of fixture JSON files to use instead of the embedded `fixtures/`.
    #[arg(long, env = "USER_SANDBOX_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// `system`, or `fixed:<RFC3339>` for a clock that only moves when told to.
    #[arg(long, env = "USER_SANDBOX_CLOCK", default_value = "system")]
    pub clock: ClockMode,
    /// Keep every sandbox's state in this file: loaded at start, saved atomically every
    /// `--state-save-interval` seconds and on shutdown (SIGINT/SIGTERM).
    #[arg(long, env = "USER_SANDBOX_STATE_FILE")]
    pub state_file: Option<PathBuf>,
    /// Seconds between periodic saves of `--state-file`.
    #[arg(long, env = "USER_SANDBOX_STATE_SAVE_INTERVAL", default_value_t = 5)]
    pub state_save_interval: u64,
    /// Fault rules (`{"rules": [...]}`, as for `PUT /__admin/faults`) for the default sandbox.
    #[arg(long, env = "USER_SANDBOX_FAULTS")]
    pub faults: Option<PathBuf>,
    /// Require `Authorization: Bearer <TOKEN>` on `/__admin/*`.
    #[arg(long, env = "USER_SANDBOX_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// How many named sandboxes may be live at once.
    #[arg(long, env = "USER_SANDBOX_MAX_SANDBOXES", default_value_t = 64)]
    pub max_sandboxes: usize,
    /// How many requests the journal keeps (0 turns it off).
    #[arg(long, env = "USER_SANDBOX_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,
    /// Only these origins (comma-separated, e.g. `http://localhost:3000`) get CORS headers, each
    /// echoed back; by default every vendor answers browsers as the real one does.
    #[arg(long, env = "USER_SANDBOX_CORS_ORIGINS", value_delimiter = ',', value_parser = crate::cors::parse_origin)]
    pub cors_origins: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            seed: 42,
            users: 100,
            fixtures: None,
            clock: ClockMode::System,
            state_file: None,
            state_save_interval: 5,
            faults: None,
            admin_token: None,
            max_sandboxes: 64,
            journal_size: 1000,
            cors_origins: Vec::new(),
        }
    }
}
