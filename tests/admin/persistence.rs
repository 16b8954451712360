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
    // OBP creates and Authress deletes run alongside the finAPI creates.
    let obp_writes = (0..30).map(|i| async move {
        // The server may be gone before a request is sent: only a 201 counts.
        let response = app
            .post("/obp/v4.0.0/users")
            .json(&serde_json::json!({
                "email": format!("term{i}@example.com"),
                "username": format!("term.user{i}"),
                "password": "Term-Sandbox-2026!",
                "first_name": "Term",
                "last_name": "Inated",
            }))
            .send()
            .await;
        matches!(response, Ok(r) if r.status() == 201).then(|| format!("term.user{i}"))
    });
    let authress_token = crate::authress::token(app, crate::authress::FULL).await;
    let mut authress_victims = authress_user_ids(app, &authress_token).await;
    // One acknowledged write per vendor before the race, so every vendor has one to check.
    let first_victim = authress_victims.remove(0);
    let deleted_first = app
        .delete(&format!(
            "/v1/users/{}",
            percent_encoding::utf8_percent_encode(
                &first_victim,
                percent_encoding::NON_ALPHANUMERIC
            )
        ))
        .bearer_auth(&authress_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted_first.status(), 202);
    let created_first = app
        .post("/obp/v4.0.0/users")
        .json(&serde_json::json!({
            "email": "term.first@example.com",
            "username": "term.first",
            "password": "Term-Sandbox-2026!",
            "first_name": "Term",
            "last_name": "First",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created_first.status(), 201);
    let authress_writes = authress_victims.iter().map(|id| {
        let token = authress_token.clone();
        async move {
            let path = format!(
                "/v1/users/{}",
                percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC)
            );
            let response = app.delete(&path).bearer_auth(&token).send().await;
            matches!(response, Ok(r) if r.status() == 202).then(|| id.clone())
        }
    });
    let pid = server.child.id().to_string();
    let killer = async {
        tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    };
    let (acknowledged, obp_acknowledged, authress_acknowledged, ()) = tokio::join!(
        futures_util::future::join_all(writes),
        futures_util::future::join_all(obp_writes),
        futures_util::future::join_all(authress_writes),
        killer
    );
    let acknowledged: Vec<String> = acknowledged.into_iter().flatten().collect();
    let mut obp_acknowledged: Vec<String> = obp_acknowledged.into_iter().flatten().collect();
    obp_acknowledged.push("term.first".into());
    let mut deleted: Vec<String> = authress_acknowledged.into_iter().flatten().collect();
    deleted.push(first_victim);
    let Server { mut child, .. } = server;
    assert!(child.wait().unwrap().success());

    let server = start(&path, &[]);
    for id in &acknowledged {
        assert!(
            user_exists(&server.app, "", &token, id).await,
            "{id} was acknowledged but is gone"
        );
    }
    let admin = crate::obp::login(&server.app, crate::obp::ADMIN).await;
    for username in &obp_acknowledged {
        let (status, body) = crate::obp::get(
            &server.app,
            &format!("/obp/v4.0.0/users/username/{username}"),
            &admin,
        )
        .await;
        assert_eq!(
            status, 200,
            "OBP {username} was acknowledged but is gone: {body}"
        );
    }
    // Authress tokens are signed by the SDK: the same one is valid after the restart.
    let remaining = authress_user_ids(&server.app, &authress_token).await;
    for id in &deleted {
        assert!(
            !remaining.contains(id),
            "Authress delete of {id} was acknowledged but undone"
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

#[tokio::test]
async fn startup_removes_only_this_state_files_stale_temporary_files() {
    let path = state_file("stale");
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    // A process that has exited: its id names a save that was killed mid-write.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let sibling = |file: String| path.with_file_name(file);
    let stale = sibling(format!("{name}.tmp-{dead}"));
    let running = sibling(format!("{name}.tmp-{}", std::process::id()));
    let not_a_pid = sibling(format!("{name}.tmp-backup"));
    let others = sibling(format!("other-{name}.tmp-{dead}"));
    for file in [&stale, &running, &not_a_pid, &others] {
        std::fs::write(file, "{half a sta").unwrap();
    }

    let server = start(&path, &[]);
    // The server serves (and so handles SIGTERM) once it answers.
    client_token(&server.app, "").await;

    assert!(!stale.exists(), "the stale temporary file is still there");
    // A running process's save, another state file's, and a file that is no save are left.
    for kept in [&running, &not_a_pid, &others] {
        assert_eq!(
            std::fs::read_to_string(kept).unwrap(),
            "{half a sta",
            "{kept:?}"
        );
    }
    let own = sibling(format!("{name}.tmp-{}", server.child.id()));
    terminate(server);
    // The graceful shutdown saved the state through its own temporary file, then renamed it.
    assert!(read_complete(&path).is_some());
    assert!(!own.exists());
    for file in [&running, &not_a_pid, &others, &path] {
        std::fs::remove_file(file).unwrap();
    }
}

/// Every Authress user id (the fixture worlds have fewer than 100).
async fn authress_user_ids(app: &TestApp, token: &str) -> Vec<String> {
    let body: serde_json::Value = app
        .get("/v1/users?limit=100")
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["users"]
        .as_array()
        .expect("a user list")
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_string())
        .collect()
}

/// The state file, if it is there: it must always be one complete state.
fn read_complete(path: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("a torn state file ({e}), {} bytes", text.len()));
    assert!(value["format"].is_string(), "not a state file");
    Some(value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_during_writes_leaves_the_previous_or_the_new_complete_state() {
    let path = state_file("kill9");
    let mut ever_seen = 0usize;
    for round in 0..3 {
        let server = start(&path, &["--state-save-interval", "1"]);
        let token = client_token(&server.app, "").await;
        let app = &server.app;
        // Writes keep coming while the saver rewrites the file every second.
        let writes = async {
            for i in 0..400 {
                let _ = app
                    .post("/api/v1/users")
                    .bearer_auth(&token)
                    .json(&serde_json::json!({ "id": format!("k{round}-{i}"), "password": "secret12" }))
                    .send()
                    .await;
            }
        };
        let watch_path = path.clone();
        let watcher = tokio::task::spawn_blocking(move || {
            let mut reads = 0;
            let until = std::time::Instant::now() + std::time::Duration::from_millis(3200);
            while std::time::Instant::now() < until {
                if read_complete(&watch_path).is_some() {
                    reads += 1;
                }
            }
            reads
        });
        let pid = server.child.id().to_string();
        let killer = async {
            tokio::time::sleep(std::time::Duration::from_millis(2500 + 150 * round)).await;
            Command::new("kill").args(["-KILL", &pid]).status().unwrap();
        };
        let ((), ()) = tokio::join!(
            async {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), writes).await;
            },
            killer
        );
        ever_seen += watcher.await.unwrap();
        let Server { mut child, .. } = server;
        child.wait().unwrap();

        // Whatever moment the kill hit, the file is one whole state and the binary loads it.
        let state = read_complete(&path).expect("a save happened before the kill");
        let server = start(&path, &[]);
        let text = state.to_string();
        let saved: Vec<String> = (0..400)
            .map(|i| format!("k{round}-{i}"))
            .filter(|id| text.contains(&format!("\"{id}\"")))
            .collect();
        // Every user in the file is there after the restart (the file is what was loaded).
        for id in saved.iter().take(20) {
            assert!(user_exists(&server.app, "", &token, id).await, "{id}");
        }
        terminate(server);
    }
    assert!(ever_seen > 0, "the watcher never saw a state file");
    std::fs::remove_file(&path).unwrap();
    // A killed save may leave its temporary file; it is never the state file itself.
    if let Some(dir) = path.parent() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with(&format!(
                "user-sandbox-kill9-{}.json.tmp-",
                std::process::id()
            )) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}
