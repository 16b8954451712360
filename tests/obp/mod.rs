//! Open Bank Project over HTTP: DirectLogin, the User endpoints, entitlements, locking, the
//! auth-context OTP flow through the outbox, OBP's error bodies and the version prefixes.

mod attributes;
mod auth_context;
mod discovery;
mod entitlements;
mod fuzz_findings;
mod headers;
mod locks;
mod login;
mod revocation;
mod routing;
mod users;
mod v310;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use insta::internals::{Content, Redaction};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, Response};
use serde_json::Value;

use crate::support::{TestApp, status_and_json};

pub type Credentials = (&'static str, &'static str);

pub const CONSUMER_KEY: &str = "sandbox-consumer-key";
/// The super admin: every user-management role.
pub const ADMIN: Credentials = ("sandbox.admin", "Admin-Sandbox-2026!");
/// The seed docs' example user; holds CanQueryOtherUser only (no user-management role).
pub const FELIX: Credentials = ("felixsmith", "Felix-Sandbox-2026!");
pub const FELIX_ID: &str = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1";
/// Holds CanGetAnyUser only.
pub const ADA: Credentials = ("ada.lovelace", "Ada-Sandbox-2026!");
/// Locked by 6 bad logins.
pub const MAX: Credentials = ("max.mustermann", "Max-Sandbox-2026!");
/// Locked by an administrator.
pub const ERIKA: Credentials = ("erika.musterfrau", "Erika-Sandbox-2026!");
/// Not validated.
pub const JAN: Credentials = ("jan.novak", "Jan-Sandbox-2026!");
pub const GRACE: Credentials = ("grace.hopper", "Grace-Sandbox-2026!");

/// `POST /my/logins/direct` with a `DirectLogin` header value.
pub async fn direct_login(app: &TestApp, header: &str) -> Response {
    app.post("/my/logins/direct")
        .header(CONTENT_TYPE, "application/json")
        .header("DirectLogin", header)
        .send()
        .await
        .expect("the login is sent")
}

/// A DirectLogin token of a fixture user.
pub async fn login(app: &TestApp, (username, password): Credentials) -> String {
    let header = format!("username={username}, password={password}, consumer_key={CONSUMER_KEY}");
    let (status, body) = status_and_json(direct_login(app, &header).await).await;
    assert_eq!(status, 201, "{username}: {body}");
    body["token"].as_str().expect("a token").to_string()
}

/// A call as OBP clients make it: `DirectLogin: token=...`, and for POST and PUT a JSON content
/// type (with the body, or empty).
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let is_write = method == Method::POST || method == Method::PUT;
    let mut request = app.request(method, path);
    if let Some(token) = token {
        request = request.header("DirectLogin", format!("token={token}"));
    }
    if is_write {
        request = request.header(CONTENT_TYPE, "application/json");
    }
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    status_and_json(request.send().await.expect("the request is sent")).await
}

pub async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    call(app, Method::GET, path, Some(token), None).await
}

pub async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    call(app, Method::POST, path, Some(token), Some(body)).await
}

/// Status and body in one value, for snapshots of error answers.
pub fn answer((status, body): (u16, Value)) -> Value {
    serde_json::json!({ "status": status, "body": body })
}

/// Asserts an OBP error body: `code` equals the status, `message` starts with the OBP code.
#[track_caller]
pub fn assert_obp_error((status, body): &(u16, Value), expected_status: u16, code: &str) {
    assert_eq!(*status, expected_status, "{body}");
    assert_eq!(body["code"], expected_status, "{body}");
    let message = body["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message: {body}"));
    assert!(message.starts_with(&format!("{code}: ")), "{body}");
    let keys: Vec<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["code", "message"], "{body}");
}

/// A DirectLogin token: OBP's fixed JWT header and payload, then 43 URL-safe characters.
pub fn token() -> Redaction {
    insta::dynamic_redaction(|value, _path| {
        let token = value.as_str().expect("a string token");
        let signature = token
            .strip_prefix("eyJhbGciOiJIUzI1NiJ9.eyIiOiIifQ.")
            .unwrap_or_else(|| panic!("not a DirectLogin JWT: {token}"));
        assert_eq!(signature.len(), 43, "{token}");
        Content::from("[token]")
    })
}

/// The newest message of the outbox.
pub async fn newest_message(app: &TestApp) -> Value {
    let (status, body) = status_and_json(app.get("/__admin/outbox").send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    body["messages"][0].clone()
}

/// A copy of the fixture folder with `obp.json`'s config changed by `edit`.
pub fn fixtures_with(edit: impl FnOnce(&mut Value)) -> PathBuf {
    static COPIES: AtomicUsize = AtomicUsize::new(0);
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let n = COPIES.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("user-sandbox-obp-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary fixture folder");
    for entry in std::fs::read_dir(&source).expect("the fixture folder") {
        let path = entry.expect("a fixture file").path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, dir.join(path.file_name().expect("a file name"))).expect("copied");
        }
    }
    let obp = dir.join("obp.json");
    let mut fixtures: Value =
        serde_json::from_str(&std::fs::read_to_string(&obp).expect("obp.json"))
            .expect("valid obp.json");
    edit(&mut fixtures["config"]);
    std::fs::write(&obp, fixtures.to_string()).expect("obp.json written");
    dir
}
