use clap::Parser;
use user_sandbox::settings::{Cli, Command};
use user_sandbox::startup::Application;

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
        Command::Openapi { vendor } => user_sandbox::docs::document(&vendor)
            .map(|doc| println!("{doc}"))
            .ok_or_else(|| {
                format!(
                    "unknown document `{vendor}`; try one of {}",
                    user_sandbox::docs::names().join(", ")
                )
            }),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
