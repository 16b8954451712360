//! OBP's response headers on the User and Role operations (reference §2.1, §2.2): every answer
//! has `Correlation-Id`; a 401 has `WWW-Authenticate: OAuth realm=..., Bearer realm=...,
//! DirectLogin realm=...`; successful answers with a body have an `ETag`; `GET /users` has
//! `Range: items=<offset>-<limit>`; JSON bodies are `application/json`.

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, Response};

use super::*;
use crate::support::{TestApp, spawn_app};

async fn send(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> Response {
    let mut request = app.request(method.clone(), path);
    if let Some(token) = token {
        request = request.header("DirectLogin", format!("token={token}"));
    }
    if method == Method::POST || method == Method::PUT {
        request = request.header(CONTENT_TYPE, "application/json");
    }
    request.send().await.unwrap()
}

#[track_caller]
fn assert_etag(headers: &HeaderMap) -> String {
    let tag = headers["etag"].to_str().unwrap().to_string();
    let hex = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or_else(|| panic!("not a quoted tag: {tag}"));
    assert_eq!(hex.len(), 16, "{tag}");
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{tag}");
    tag
}

#[tokio::test]
async fn successful_answers_carry_correlation_id_etag_and_a_json_content_type() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    for path in [
        "/obp/v4.0.0/users/current",
        "/obp/v4.0.0/users?limit=2",
        "/obp/v3.1.0/users?limit=2",
        &format!("/obp/v3.1.0/users/user_id/{FELIX_ID}"),
        "/obp/v4.0.0/entitlements",
        &format!("/obp/v4.0.0/users/{FELIX_ID}/entitlements"),
        "/obp/v4.0.0/root",
        "/obp/v4.0.0/resource-docs/v4.0.0/obp",
    ] {
        let first = send(&app, Method::GET, path, Some(&admin)).await;
        assert_eq!(first.status(), 200, "{path}");
        let headers = first.headers().clone();
        assert_eq!(headers[CONTENT_TYPE], "application/json", "{path}");
        assert!(!headers["correlation-id"].is_empty(), "{path}");
        assert!(headers.get("www-authenticate").is_none(), "{path}");
        let tag = assert_etag(&headers);
        let body = first.text().await.unwrap();
        // The same body has the same tag; the correlation id is new on every answer.
        let again = send(&app, Method::GET, path, Some(&admin)).await;
        assert_eq!(again.headers()["etag"].to_str().unwrap(), tag, "{path}");
        assert_ne!(again.headers()["correlation-id"], headers["correlation-id"]);
        assert_eq!(again.text().await.unwrap(), body, "{path}");
    }
    let one = send(&app, Method::GET, "/obp/v4.0.0/users?limit=1", Some(&admin)).await;
    let two = send(&app, Method::GET, "/obp/v4.0.0/users?limit=2", Some(&admin)).await;
    assert_ne!(one.headers()["etag"], two.headers()["etag"]);
}

#[tokio::test]
async fn get_users_has_range_in_v4_and_not_in_v310() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let v4 = send(
        &app,
        Method::GET,
        "/obp/v4.0.0/users?limit=3&offset=2",
        Some(&admin),
    )
    .await;
    let default = send(&app, Method::GET, "/obp/v4.0.0/users", Some(&admin)).await;
    let v3 = send(
        &app,
        Method::GET,
        "/obp/v3.1.0/users?limit=3&offset=2",
        Some(&admin),
    )
    .await;

    assert_eq!(v4.headers()["range"], "items=2-3");
    assert_eq!(default.headers()["range"], "items=0-50");
    assert!(v3.headers().get("range").is_none());
}

#[tokio::test]
async fn a_401_carries_obps_www_authenticate_and_no_etag() {
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_string();
    for (method, path) in [
        (Method::GET, "/obp/v4.0.0/users"),
        (Method::GET, "/obp/v3.1.0/users"),
        (Method::GET, "/obp/v4.0.0/entitlements"),
        (Method::DELETE, "/obp/v4.0.0/users/x/entitlement/y"),
    ] {
        let response = send(&app, method.clone(), path, None).await;
        assert_eq!(response.status(), 401, "{method} {path}");
        let headers = response.headers();
        assert_eq!(
            headers["www-authenticate"],
            format!(
                "OAuth realm=\"{host}\", Bearer realm=\"{host}\", DirectLogin realm=\"{host}\""
            )
            .as_str()
        );
        assert_eq!(headers[CONTENT_TYPE], "application/json");
        assert!(headers.contains_key("correlation-id"));
        assert!(headers.get("etag").is_none());
    }
}

#[tokio::test]
async fn errors_and_204_have_a_correlation_id_but_no_etag_or_www_authenticate() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;
    let granted = post(
        &app,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/entitlements"),
        &admin,
        serde_json::json!({ "bank_id": "", "role_name": "CanRefreshUser" }),
    )
    .await;
    let id = granted.1["entitlement_id"].as_str().unwrap();

    let forbidden = send(&app, Method::GET, "/obp/v4.0.0/entitlements", Some(&felix)).await;
    let not_found = send(
        &app,
        Method::DELETE,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/entitlement/nope"),
        Some(&admin),
    )
    .await;
    let bad_version = send(&app, Method::GET, "/obp/v4.0.0/resource-docs/v1/obp", None).await;
    let revoked = send(
        &app,
        Method::DELETE,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/entitlement/{id}"),
        Some(&admin),
    )
    .await;

    for (response, status) in [(forbidden, 403), (not_found, 404), (bad_version, 400)] {
        assert_eq!(response.status(), status);
        let headers = response.headers();
        assert_eq!(headers[CONTENT_TYPE], "application/json", "{status}");
        assert!(headers.contains_key("correlation-id"), "{status}");
        assert!(headers.get("etag").is_none(), "{status}");
        assert!(headers.get("www-authenticate").is_none(), "{status}");
    }
    assert_eq!(revoked.status(), 204);
    assert!(revoked.headers().contains_key("correlation-id"));
    assert!(revoked.headers().get("etag").is_none());
    assert!(revoked.headers().get(CONTENT_TYPE).is_none());
    assert_eq!(revoked.text().await.unwrap(), "");
}
