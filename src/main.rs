use std::path::Path;
use std::time::Duration;

use clap::Parser;
use user_sandbox::settings::{Cli, Command};
use user_sandbox::startup::Application;

/// mimalloc, not glibc's malloc: measured in BENCHMARKS.md (fewer instructions per request and
/// less startup CPU in most runs at 1M people; about the same memory per person, 30 MiB more for
/// the empty server).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let cli = Cli::parse();
    let result = match cli.into_command() {
        Command::Serve(settings) => match Application::build(settings) {
            Ok(app) => {
                println!("{}", app.banner());
                app.run_until_stopped().await.map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        },
        Command::PrintCredentials(settings) => user_sandbox::startup::credentials(&settings)
            .map(|credentials| println!("{credentials:#}"))
            .map_err(|e| e.to_string()),
        Command::Openapi { vendor, out } => openapi(&vendor, out.as_deref()),
        Command::Health {
            url,
            admin_token,
            timeout,
        } => user_sandbox::probe::check(
            &url,
            admin_token.as_deref(),
            Duration::from_secs(timeout.max(1)),
        )
        .map(|body| println!("{body}"))
        .map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `openapi NAME` prints a document; `openapi NAME|all --out DIR` writes `DIR/<name>.json`, the
/// bytes committed under `openapi/`.
fn openapi(vendor: &str, out: Option<&Path>) -> Result<(), String> {
    use user_sandbox::docs::{document, names};
    let names: Vec<&str> = match vendor {
        "all" => names(),
        name if names().contains(&name) => vec![name],
        _ => {
            return Err(format!(
                "unknown document `{vendor}`; try one of {}, or all (with --out)",
                names().join(", ")
            ));
        }
    };
    let Some(dir) = out else {
        return match names.as_slice() {
            [name] => document(name)
                .map(|doc| println!("{doc}"))
                .ok_or_else(|| format!("document `{name}` does not render")),
            _ => Err("`openapi all` writes several files: give a folder with --out DIR".into()),
        };
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for name in names {
        let doc = document(name).ok_or_else(|| format!("document `{name}` does not render"))?;
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, format!("{doc}\n"))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}
