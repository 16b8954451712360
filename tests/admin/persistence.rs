//! `--state-file` across real restarts of the binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{client_token, create_user, user_exists};
use crate::support::TestApp;

struct Server {
    child: Child,
    app: TestApp,
}

fn state_file(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("user-sandbox-{name}-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn start(state: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_user-sandbox"))
        .args([
            "--port",
            "0",
            "--users",
            "5",
            "--clock",
            "fixed:2026-01-15T10:00:00Z",
            "--state-file",
        ])
        .arg(state)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines.next().expect("a banner").expect("readable output");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.trim().to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let port = address.rsplit(':').next().unwrap().parse().unwrap();
    Server {
        child,
        app: TestApp {
            address,
            port,
            client: reqwest::Client::new(),
        },
    }
}

fn terminate(mut server: Server) {
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "the server exited with {exit}");
}

#[tokio::test]
async fn the_state_survives_a_graceful_restart() {
    let path = state_file("restart");
    let server = start(&path, &[]);
    let token = client_token(&server.app, "").await;
    assert_eq!(create_user(&server.app, "", &token, "survivor").await, 201);
    assert_eq!(
        create_user(
            &server.app,
            "/sandboxes/named",
            &client_token(&server.app, "/sandboxes/named").await,
            "named-survivor"
        )
        .await,
        201
    );
    terminate(server);

    let server = start(&path, &[]);
    // Tokens are part of the state too.
    assert!(user_exists(&server.app, "", &token, "survivor").await);
    let named = client_token(&server.app, "/sandboxes/named").await;
    assert!(user_exists(&server.app, "/sandboxes/named", &named, "named-survivor").await);
    terminate(server);
    std::fs::remove_file(path).unwrap();
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_sigterm_during_writes() {
    let path = state_file("sigterm");
    let server = start(&path, &[]);
    let token = client_token(&server.app, "").await;
    let app = &server.app;
    let writes = (0..60).map(|i| {
        let token = token.clone();
        async move {
            let response = app
                .post("/api/v1/users")
                .bearer_auth(&token)
                .json(&serde_json::json!({ "id": format!("w{i}"), "password": "secret12" }))
                .send()
                .await;
            matches!(response, Ok(r) if r.status() == 201).then(|| format!("w{i}"))
        }
    });
    let pid = server.child.id().to_string();
    let killer = async {
        tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    };
    let (acknowledged, ()) = tokio::join!(futures_util::future::join_all(writes), killer);
    let acknowledged: Vec<String> = acknowledged.into_iter().flatten().collect();
    let Server { mut child, .. } = server;
    assert!(child.wait().unwrap().success());

    let server = start(&path, &[]);
    for id in &acknowledged {
        assert!(
            user_exists(&server.app, "", &token, id).await,
            "{id} was acknowledged but is gone"
        );
    }
    terminate(server);
    std::fs::remove_file(path).unwrap();
}

#[tokio::test]
async fn the_state_is_saved_periodically_so_a_kill_loses_little() {
    let path = state_file("periodic");
    let mut server = start(&path, &["--state-save-interval", "1"]);
    let token = client_token(&server.app, "").await;
    assert_eq!(
        create_user(&server.app, "", &token, "saved-by-timer").await,
        201
    );
    let mut saved = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if std::fs::read_to_string(&path).is_ok_and(|s| s.contains("saved-by-timer")) {
            saved = true;
            break;
        }
    }
    assert!(saved, "the periodic save never happened");
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let server = start(&path, &[]);
    assert!(user_exists(&server.app, "", &token, "saved-by-timer").await);
    terminate(server);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_corrupt_state_file_stops_the_server_with_a_clear_error() {
    let path = state_file("corrupt");
    for content in [
        "{not json",
        r#"{"format": "user-sandbox-state/0", "sandboxes": {}}"#,
    ] {
        std::fs::write(&path, content).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_user-sandbox"))
            .args(["--port", "0", "--state-file"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is corrupt or from an incompatible version"),
            "{stderr}"
        );
        // The file is left as it was, for the user to inspect.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }
    std::fs::remove_file(path).unwrap();
}
