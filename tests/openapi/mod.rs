//! The committed `openapi/*.json` must equal what the code emits.
//! Rewrite them with `make openapi` (`UPDATE_OPENAPI=1 cargo test --test api openapi`).

use crate::support::spawn_app;

#[test]
fn committed_openapi_documents_match_the_code() {
    let update = std::env::var_os("UPDATE_OPENAPI").is_some();
    for name in user_sandbox::docs::names() {
        let emitted = user_sandbox::docs::document(name).expect("every listed document renders");
        let path = format!("{}/openapi/{name}.json", env!("CARGO_MANIFEST_DIR"));
        if update {
            std::fs::write(&path, format!("{emitted}\n")).expect("openapi/ is writable");
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed.trim_end() != emitted {
            let line = committed
                .lines()
                .zip(emitted.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(emitted.lines().count()));
            panic!(
                "openapi/{name}.json is stale from line {} on (`{}`): run `make openapi`",
                line + 1,
                emitted.lines().nth(line).unwrap_or("<end>").trim()
            );
        }
    }
}

#[tokio::test]
async fn every_document_is_served_and_listed_in_swagger_ui() {
    let app = spawn_app().await;
    for name in user_sandbox::docs::names() {
        let response = app
            .get(&format!("/openapi/{name}.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let served: serde_json::Value = response.json().await.unwrap();
        let emitted: serde_json::Value =
            serde_json::from_str(&user_sandbox::docs::document(name).unwrap()).unwrap();
        assert_eq!(served, emitted, "{name}");
    }
    let initializer = app
        .get("/swagger-ui/swagger-initializer.js")
        .send()
        .await
        .unwrap();
    assert_eq!(initializer.status(), 200);
    let initializer = initializer.text().await.unwrap();
    for name in user_sandbox::docs::names() {
        let url = format!("\"url\": \"/openapi/{name}.json\"");
        assert!(
            initializer.contains(&url),
            "{name} missing in Swagger UI's selector"
        );
    }
    let page = app.get("/swagger-ui/").send().await.unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn the_landing_page_shows_links_and_every_vendors_credentials() {
    let app = spawn_app().await;
    let response = app.get("/").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // `/` is the inspector: links to the docs, and the credentials embedded for the page to show.
    let page = response.text().await.unwrap();
    assert!(page.contains("href=\"/swagger-ui/\""));
    let boot = crate::inspector::boot_data(&page);
    let documents: Vec<&str> = boot["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(documents, user_sandbox::docs::names());
    for credential in [
        "sandbox-client-secret",
        "sandbox-admin-secret",
        "felixsmith",
        "Felix-Sandbox-2026!",
    ] {
        assert!(
            boot["credentials"].to_string().contains(credential),
            "{credential} missing"
        );
    }
    let (status, credentials) =
        crate::support::status_and_json(app.get("/__admin/credentials").send().await.unwrap())
            .await;
    assert_eq!(status, 200);
    assert_eq!(credentials["finapi"]["baseUrl"], app.address);
    assert_eq!(
        credentials["finapi"]["clients"][2]["clientId"],
        "sandbox-client"
    );
    let (_, named) = crate::support::status_and_json(
        app.get("/__admin/credentials?sandbox=ci")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        named["finapi"]["baseUrl"],
        format!("{}/sandboxes/ci", app.address)
    );
}

#[test]
fn the_cli_prints_documents_and_explains_every_flag() {
    let binary = env!("CARGO_BIN_EXE_user-sandbox");
    let output = std::process::Command::new(binary)
        .args(["openapi", "finapi"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        printed.trim_end(),
        user_sandbox::docs::document("finapi").unwrap()
    );

    let unknown = std::process::Command::new(binary)
        .args(["openapi", "nobody"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown document `nobody`"));

    let help = std::process::Command::new(binary)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--host",
        "--port",
        "--seed",
        "--users",
        "--fixtures",
        "--clock",
        "--state-file",
        "--faults",
        "--admin-token",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[test]
fn a_non_loopback_bind_without_an_admin_token_gets_a_warning() {
    use user_sandbox::startup::control_plane_warning;
    assert!(
        control_plane_warning("0.0.0.0", false)
            .is_some_and(|w| w.contains("without --admin-token"))
    );
    assert!(control_plane_warning("192.168.1.20", false).is_some());
    assert_eq!(control_plane_warning("0.0.0.0", true), None);
    assert_eq!(control_plane_warning("127.0.0.1", false), None);
    assert_eq!(control_plane_warning("::1", false), None);
    assert_eq!(control_plane_warning("localhost", false), None);
}
