//! The command line beyond `serve`: `--print-credentials`, `openapi all --out DIR`, `health`,
//! and the seeding progress and time. Each runs the real binary.

use std::path::PathBuf;
use std::process::Stdio;

use user_sandbox::settings::Settings;
use user_sandbox::startup::Application;

use crate::support::{TEST_NOW, spawn_app, spawn_app_with};

const BINARY: &str = env!("CARGO_BIN_EXE_user-sandbox");

async fn run(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(BINARY)
        .args(args)
        .env_remove("USER_SANDBOX_ADMIN_TOKEN")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("the binary runs")
}

/// The fixture people plus `users` generated ones.
fn people_with(users: usize) -> usize {
    user_sandbox::seed::Fixtures::embedded(&user_sandbox::vendors::kinds())
        .unwrap()
        .people
        .len()
        + users
}

fn fresh_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "user-sandbox-{label}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn print_credentials_prints_what_the_control_plane_serves_and_exits() {
    let clock = format!("fixed:{TEST_NOW}");
    let output = run(&[
        "--print-credentials",
        "--users",
        "20",
        "--port",
        "8080",
        "--clock",
        &clock,
    ])
    .await;
    assert!(output.status.success(), "{output:?}");
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["finapi"]["baseUrl"], "http://127.0.0.1:8080");

    // The same settings as a running server (seed 42, 20 people, same clock), same answer.
    let app = spawn_app().await;
    let served = app
        .get("/__admin/credentials")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .replace(&app.address, "http://127.0.0.1:8080");
    let served: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert_eq!(printed, served);

    // Flags apply: another seed signs with other Authress keys.
    let other = run(&["--print-credentials", "--seed", "7", "--clock", &clock]).await;
    let other: serde_json::Value = serde_json::from_slice(&other.stdout).unwrap();
    assert_ne!(
        other["authress"]["serviceClients"],
        printed["authress"]["serviceClients"]
    );
}

#[tokio::test]
async fn openapi_all_writes_the_four_committed_documents_into_a_folder() {
    let dir = fresh_dir("openapi");
    let out = dir.join("nested");
    let output = run(&["openapi", "all", "--out", out.to_str().unwrap()]).await;
    assert!(output.status.success(), "{output:?}");
    for name in user_sandbox::docs::names() {
        let written = std::fs::read_to_string(out.join(format!("{name}.json"))).unwrap();
        let committed = std::fs::read_to_string(format!(
            "{}/openapi/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert_eq!(written, committed, "{name}");
    }
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 4);

    let one = dir.join("one");
    let output = run(&["openapi", "obp", "--out", one.to_str().unwrap()]).await;
    assert!(output.status.success());
    let files: Vec<_> = std::fs::read_dir(&one)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, ["obp.json"]);

    let without_out = run(&["openapi", "all"]).await;
    assert!(!without_out.status.success());
    assert!(String::from_utf8_lossy(&without_out.stderr).contains("--out DIR"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn health_exits_zero_only_when_the_sandbox_answers_up() {
    let app = spawn_app().await;
    let up = run(&["health", "--url", &app.address]).await;
    assert!(up.status.success(), "{up:?}");
    assert!(String::from_utf8_lossy(&up.stdout).contains("\"UP\""));

    let guarded = spawn_app_with(|s| s.admin_token = Some("probe-token".into())).await;
    let refused = run(&["health", "--url", &guarded.address]).await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("401"));
    let allowed = run(&[
        "health",
        "--url",
        &guarded.address,
        "--admin-token",
        "probe-token",
    ])
    .await;
    assert!(allowed.status.success(), "{allowed:?}");

    // A port nobody listens on: bind one, note it, free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = run(&["health", "--url", &format!("http://127.0.0.1:{port}")]).await;
    assert!(!down.status.success());
    assert!(String::from_utf8_lossy(&down.stderr).contains("cannot reach"));
    let bad = run(&["health", "--url", "ftp://x"]).await;
    assert!(!bad.status.success());
}

#[test]
fn the_banner_says_how_long_seeding_took() {
    let people = people_with(20);
    let app = Application::build(Settings {
        port: 0,
        users: 20,
        ..Settings::default()
    })
    .unwrap();
    let banner = app.banner();
    let line = banner
        .lines()
        .find(|l| l.starts_with("seeded "))
        .unwrap_or_else(|| panic!("no seeding line in\n{banner}"));
    assert!(
        line.starts_with(&format!("seeded {people} people in ")) && line.ends_with(" ms"),
        "{line}"
    );
}

#[tokio::test]
async fn seeding_a_large_population_logs_a_line_when_stderr_is_not_a_terminal() {
    let users = user_sandbox::seed::progress::REPORT_FROM;
    let people = people_with(users);
    let output = run(&["--print-credentials", "--users", &users.to_string()]).await;
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("seeding {people} people…")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("seeded {people} people in ")),
        "{stderr}"
    );
    // No bar drawing (carriage returns, cursor moves) into a log.
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );

    let small = run(&["--print-credentials", "--users", "10"]).await;
    assert!(String::from_utf8_lossy(&small.stderr).is_empty());
}

#[tokio::test]
async fn seeding_a_large_population_draws_a_bar_on_a_terminal() {
    // `script` (util-linux) runs the binary on a pseudo-terminal and records what it drew.
    let users = user_sandbox::seed::progress::REPORT_FROM;
    let people = people_with(users);
    let command = format!("{BINARY} --print-credentials --users {users} >/dev/null");
    let output = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .await
        .expect("script(1) from util-linux runs");
    assert!(output.status.success(), "{output:?}");
    let drawn = String::from_utf8_lossy(&output.stdout);
    assert!(drawn.contains("people ["), "no bar drawn: {drawn:?}");
    assert!(drawn.contains(&format!("/{people} people")), "{drawn:?}");
    assert!(
        drawn.contains(&format!("seeded {people} people in ")),
        "{drawn:?}"
    );
    assert!(
        !drawn.contains(&format!("seeding {people} people…")),
        "log line instead of a bar"
    );
}
