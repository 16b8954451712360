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
    /// Print every vendor's fixture credentials (as `GET /__admin/credentials` answers, for
    /// the seed, fixtures and state file given) as JSON and exit, without starting the server.
    #[arg(long)]
    pub print_credentials: bool,
}

impl Cli {
    /// The command to run; no subcommand means `serve` with the top-level flags.
    pub fn into_command(self) -> Command {
        match self.command {
            Some(command) => command,
            None if self.print_credentials => Command::PrintCredentials(self.serve),
            None => Command::Serve(self.serve),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox server (the default).
    Serve(Settings),
    /// Print an OpenAPI document (finapi, obp, authress or admin), or write documents to a
    /// folder with `--out`: `user-sandbox openapi all --out DIR` writes all four.
    Openapi {
        /// finapi, obp, authress, admin, or `all` (with `--out`).
        vendor: String,
        /// Write `<name>.json` into this folder (created if missing) instead of printing.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Ask a running sandbox's `/__admin/health` and exit 0 when it is up (a container
    /// HEALTHCHECK without curl).
    Health {
        /// The sandbox's base URL.
        #[arg(
            long,
            env = "USER_SANDBOX_HEALTH_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        url: String,
        /// The sandbox's `--admin-token`, if it has one.
        #[arg(long, env = "USER_SANDBOX_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
    /// `--print-credentials`.
    #[command(skip)]
    PrintCredentials(Settings),
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
    #[arg(long, env = "USER_SANDBOX_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// How many named sandboxes may be live at once.
    #[arg(long, env = "USER_SANDBOX_MAX_SANDBOXES", default_value_t = 64)]
    pub max_sandboxes: usize,
    /// How many requests the journal keeps (0 turns it off).
    #[arg(long, env = "USER_SANDBOX_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,
    /// Largest request body a vendor path accepts, in bytes or with a `KiB`/`MiB` suffix; larger
    /// ones get the vendor's "too large" error before any handler runs.
    #[arg(long, env = "USER_SANDBOX_MAX_BODY", default_value = "1MiB", value_parser = parse_size)]
    pub max_body: usize,
    /// Largest state `PUT /__admin/state` accepts, in bytes or with a `KiB`/`MiB` suffix; the
    /// other control-plane bodies stay under 64 MiB. An export of a million people is about
    /// 900 MiB.
    #[arg(long, env = "USER_SANDBOX_MAX_STATE_BODY", default_value = "4096MiB", value_parser = parse_size)]
    pub max_state_body: usize,
    /// Only these origins (comma-separated, e.g. `http://localhost:3000`) get CORS headers, each
    /// echoed back; by default every vendor answers browsers as the real one does.
    #[arg(long, env = "USER_SANDBOX_CORS_ORIGINS", value_delimiter = ',', value_parser = crate::cors::parse_origin)]
    pub cors_origins: Vec<String>,
}

/// A byte count: `1048576`, `64KiB`, `1MiB` (also `K`/`KB`/`M`/`MB`, all binary).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let factor: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        other => {
            return Err(format!(
                "unknown size unit '{other}'; use bytes, KiB or MiB"
            ));
        }
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("'{text}' is not a positive size"))
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
            max_body: 1024 * 1024,
            max_state_body: 4096 * 1024 * 1024,
            cors_origins: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_accept_bytes_and_binary_suffixes() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("2 MB"), Ok(2 << 20));
        assert!(parse_size("0").is_err());
        assert!(parse_size("1GiB").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999999999999999").is_err());
    }
}
