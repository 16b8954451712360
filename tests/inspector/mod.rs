//! The inspector page at `/`: served by the server, self-contained, reading only `/__admin`.
//! What it shows in a browser is tested headless in `tests/inspector/test_*.py`.

use serde_json::Value;

use crate::support::{spawn_app, spawn_app_with};

/// The JSON the page starts from (`<script type="application/json" id="boot">`).
pub fn boot_data(page: &str) -> Value {
    let start = page
        .find("<script type=\"application/json\" id=\"boot\">")
        .expect("the page carries its boot data");
    let rest = &page[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</script>").unwrap();
    serde_json::from_str(&rest[open..close]).expect("boot data is JSON")
}

#[tokio::test]
async fn the_inspector_is_one_self_contained_page_that_reads_the_control_plane() {
    let app = spawn_app().await;
    let response = app.get("/").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    // No external scripts, styles or fonts: everything is inline.
    for external in [
        "<script src",
        "rel=\"stylesheet\"",
        "src=\"http",
        "href=\"http",
        "@import",
    ] {
        assert!(!page.contains(external), "{external} in the page");
    }
    for slot in ["INSPECTOR_STYLE", "INSPECTOR_SCRIPT", "INSPECTOR_BOOT"] {
        assert!(!page.contains(slot), "{slot} was not filled in");
    }
    for endpoint in [
        "/__admin/sandboxes",
        "/__admin/credentials",
        "/__admin/state",
        "/__admin/requests?",
        "/__admin/outbox",
        "/__admin/clock",
        "/__admin/clock/advance",
        "/__admin/faults",
    ] {
        assert!(page.contains(endpoint), "the page never asks {endpoint}");
    }
    let boot = boot_data(&page);
    assert_eq!(boot["adminToken"], false);
    assert_eq!(boot["sandbox"], Value::Null);
    assert_eq!(boot["credentials"]["finapi"]["baseUrl"], app.address);
    // The page itself is not a vendor request: the journal stays empty.
    let (_, journal) =
        crate::support::status_and_json(app.get("/__admin/requests").send().await.unwrap()).await;
    assert_eq!(journal["total"], 0);
}

#[tokio::test]
async fn a_named_sandboxs_root_opens_the_inspector_on_that_sandbox() {
    let app = spawn_app().await;
    let page = app
        .get("/sandboxes/team-a/")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let boot = boot_data(&page);
    assert_eq!(boot["sandbox"], "team-a");
    assert_eq!(
        boot["credentials"]["obp"]["baseUrl"],
        format!("{}/sandboxes/team-a", app.address)
    );
}

#[tokio::test]
async fn with_an_admin_token_the_page_holds_no_credentials_and_asks_for_the_token() {
    let app = spawn_app_with(|s| s.admin_token = Some("inspector-test-token".into())).await;
    let response = app.get("/").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    let boot = boot_data(&page);
    assert_eq!(boot["adminToken"], true);
    assert_eq!(boot["credentials"], Value::Null);
    for secret in [
        "sandbox-client-secret",
        "Felix-Sandbox-2026!",
        "inspector-test-token",
    ] {
        assert!(!page.contains(secret), "{secret} leaked into the page");
    }
    assert!(page.contains("id=\"token-form\""));
    let refused = app.get("/__admin/credentials").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let allowed = app
        .get("/__admin/credentials")
        .bearer_auth("inspector-test-token")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
}
