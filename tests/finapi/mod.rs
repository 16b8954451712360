//! finAPI over HTTP: OAuth, the Users API, the Mandator Administration API and finAPI's error
//! contract (`ErrorMessage` envelope, OAuth 401 bodies, `X-Request-Id`).

mod documented_errors;
mod errors;
mod fuzz_findings;
mod headers;
mod mandator_admin;
mod oauth;
mod users;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::support::{TestApp, status_and_json};

pub type Credentials = (&'static str, &'static str);

/// The ordinary fixture client: new users start unverified.
pub const CLIENT: Credentials = ("sandbox-client", "sandbox-client-secret");
/// The fixture client whose new users are verified at once.
pub const AUTOVERIFY: Credentials = (
    "sandbox-autoverify-client",
    "sandbox-autoverify-client-secret",
);
/// The mandator admin client.
pub const ADMIN: Credentials = ("sandbox-admin", "sandbox-admin-secret");

pub const FELIX: Credentials = ("felixsmith", "Felix-Sandbox-2026!");
pub const ADA: Credentials = ("ada.lovelace", "Ada-Sandbox-2026!");
/// Verified, with a bank connection being updated: cannot be deleted.
pub const MAX: Credentials = ("max.mustermann", "Max-Sandbox-2026!");
/// Not verified.
pub const ERIKA: Credentials = ("erika.musterfrau", "Erika-Sandbox-2026!");
/// Verified but locked.
pub const JAN: Credentials = ("jan.novak", "Jan-Sandbox-2026!");
pub const GRACE: Credentials = ("grace.hopper", "Grace-Sandbox-2026!");

/// `POST /oauth/token` exactly as the Python client sends it: the parameters in the query string,
/// `Content-Type: application/json` and an empty body.
pub async fn token_request(app: &TestApp, params: &[(&str, &str)]) -> Response {
    let query = serde_urlencoded::to_string(params).expect("encodable parameters");
    app.post(&format!("/oauth/token?{query}"))
        .header(CONTENT_TYPE, "application/json")
        .send()
        .await
        .expect("the token request is sent")
}

/// `POST /oauth/token` with a form body, as curl, Go and Java clients send it.
pub async fn form_request(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    params: &[(&str, &str)],
) -> Response {
    let mut request = app
        .post(path)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(params).expect("encodable parameters"));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    request.send().await.expect("the form request is sent")
}

/// The full `AccessToken` body of a successful grant.
pub async fn grant(app: &TestApp, params: &[(&str, &str)]) -> Value {
    let (status, body) = status_and_json(token_request(app, params).await).await;
    assert_eq!(status, 200, "{params:?}: {body}");
    body
}

pub async fn client_token(app: &TestApp, (id, secret): Credentials) -> String {
    let body = grant(
        app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    access_token(&body)
}

/// The `password` grant's whole body (access and refresh token).
pub async fn password_grant(
    app: &TestApp,
    (id, secret): Credentials,
    (user, password): (&str, &str),
) -> Value {
    grant(
        app,
        &[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", secret),
            ("username", user),
            ("password", password),
        ],
    )
    .await
}

pub async fn user_token(app: &TestApp, user: (&str, &str)) -> String {
    access_token(&password_grant(app, CLIENT, user).await)
}

/// A `password` grant that is expected to fail: its status and body.
pub async fn failed_login(app: &TestApp, (user, password): (&str, &str)) -> (u16, Value) {
    let (id, secret) = CLIENT;
    status_and_json(
        token_request(
            app,
            &[
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
                ("username", user),
                ("password", password),
            ],
        )
        .await,
    )
    .await
}

pub fn access_token(body: &Value) -> String {
    body["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}

/// A finAPI call with a bearer token and an optional JSON body (sent with the Python client's
/// `Content-Type: application/json` either way).
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut request = app
        .request(method, path)
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(CONTENT_TYPE, "application/json");
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    request.send().await.expect("the request is sent")
}

pub async fn call_json(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    status_and_json(call(app, method, path, token, body).await).await
}

/// Creates a user with the client token and returns the 201 body.
pub async fn create_user(app: &TestApp, client_token: &str, body: Value) -> Value {
    let (status, created) =
        call_json(app, Method::POST, "/api/v1/users", client_token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created
}

/// `isUserVerified` of a user, or the status when the lookup fails.
pub async fn verification_status(
    app: &TestApp,
    client_token: &str,
    user_id: &str,
) -> Result<bool, u16> {
    let path = format!("/api/v1/users/verificationStatus?userId={user_id}");
    let (status, body) = call_json(app, Method::GET, &path, client_token, None).await;
    match status {
        200 => Ok(body["isUserVerified"].as_bool().expect("a boolean")),
        other => Err(other),
    }
}

/// Every user of the mandator (active and deleted) in one page.
pub async fn all_users(app: &TestApp, admin_token: &str, query: &str) -> Vec<Value> {
    let path = format!("/api/v1/mandatorAdmin/getUserList?perPage=500&{query}");
    let (status, body) = call_json(app, Method::GET, &path, admin_token, None).await;
    assert_eq!(status, 200, "{body}");
    body["users"].as_array().expect("a users array").clone()
}

pub fn user_ids(users: &[Value]) -> Vec<String> {
    users
        .iter()
        .map(|u| u["userId"].as_str().expect("a userId").to_string())
        .collect()
}

/// Checks finAPI's `ErrorMessage` envelope: one error with `code`, `endpoint` = `METHOD /path`, a
/// `date` in finAPI's format and the fixed clock, a request id, an auth context and `bank: null`.
#[track_caller]
pub fn assert_error(body: &Value, code: &str, endpoint: &str) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("not an ErrorMessage: {body}"));
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["code"], code, "{body}");
    assert_eq!(errors[0]["type"], "TECHNICAL", "{body}");
    assert!(
        errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(errors[0]["multiStepAuthentication"], Value::Null, "{body}");
    assert_eq!(body["endpoint"], endpoint, "{body}");
    assert_eq!(body["date"], "2026-01-15 10:00:00.000", "{body}");
    assert!(
        body["requestId"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    assert!(body["authContext"].is_string(), "{body}");
    assert_eq!(body["bank"], Value::Null, "{body}");
    let keys: Vec<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "errors",
            "date",
            "requestId",
            "endpoint",
            "authContext",
            "bank"
        ],
        "{body}"
    );
}

/// A copy of the fixture folder with `finapi.json` changed by `edit`.
pub fn fixtures_with(edit: impl FnOnce(&mut Value)) -> PathBuf {
    static COPIES: AtomicUsize = AtomicUsize::new(0);
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let n = COPIES.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("user-sandbox-finapi-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary fixture folder");
    for entry in std::fs::read_dir(&source).expect("the fixture folder") {
        let path = entry.expect("a fixture file").path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, dir.join(path.file_name().expect("a file name"))).expect("copied");
        }
    }
    let finapi = dir.join("finapi.json");
    let mut fixtures: Value =
        serde_json::from_str(&std::fs::read_to_string(&finapi).expect("finapi.json"))
            .expect("valid finapi.json");
    edit(&mut fixtures);
    std::fs::write(&finapi, fixtures.to_string()).expect("finapi.json written");
    dir
}

/// A copy of the fixture folder in which every finAPI client's tokens live `seconds` seconds,
/// for expiry tests on the system clock.
pub fn fixtures_with_token_validity(seconds: i64) -> PathBuf {
    fixtures_with(|fixtures| {
        for client in fixtures["clients"].as_array_mut().expect("clients") {
            client["clientAccessTokensValidityPeriod"] = json!(seconds);
            client["userAccessTokensValidityPeriod"] = json!(seconds);
            client["refreshTokensValidityPeriod"] = json!(seconds);
        }
    })
}
