//! The documented errors `docs/finapi-errors.md` lists as reachable that no other suite covers:
//! 422 `ILLEGAL_ENTITY_STATE` on create and edit, 500 `UNEXPECTED_ERROR` on every operation, and
//! `GET /api/v1/users`' `Accept-Language` and `X-Request-Id` behaviour.

use std::path::PathBuf;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

use super::{
    ADMIN, CLIENT, FELIX, assert_error, call_json, client_token, create_user, fixtures_with,
    user_token, verification_status,
};
use crate::support::{TestApp, spawn_app, spawn_app_with, status_and_json};

/// A copy of the fixture folder in which the ordinary client has automatic batch updates off.
fn fixtures_without_batch_updates() -> PathBuf {
    fixtures_with(|fixtures| {
        for client in fixtures["clients"].as_array_mut().unwrap() {
            if client["clientId"] == CLIENT.0 {
                client["isAutomaticBatchUpdateEnabled"] = json!(false);
            }
        }
    })
}

#[tokio::test]
async fn enabling_the_automatic_update_on_a_client_without_it_returns_422_and_writes_nothing() {
    let app = spawn_app_with(|s| s.fixtures = Some(fixtures_without_batch_updates())).await;
    let client = client_token(&app, CLIENT).await;

    let (status, error) = call_json(
        &app,
        Method::POST,
        "/api/v1/users",
        &client,
        Some(json!({"id": "auto.updater", "password": "secret1", "isAutoUpdateEnabled": true})),
    )
    .await;
    let off = create_user(
        &app,
        &client,
        json!({"id": "manual.updater", "isAutoUpdateEnabled": false}),
    )
    .await;

    assert_eq!(status, 422, "{error}");
    assert_error(&error, "ILLEGAL_ENTITY_STATE", "POST /api/v1/users");
    assert_eq!(
        verification_status(&app, &client, "auto.updater").await,
        Err(404)
    );
    assert_eq!(off["isAutoUpdateEnabled"], false);
}

#[tokio::test]
async fn editing_in_the_automatic_update_on_a_client_without_it_returns_422_and_changes_nothing() {
    let app = spawn_app_with(|s| s.fixtures = Some(fixtures_without_batch_updates())).await;
    let user = user_token(&app, FELIX).await;
    let (_, before) = call_json(&app, Method::GET, "/api/v1/users", &user, None).await;

    let (status, error) = call_json(
        &app,
        Method::PATCH,
        "/api/v1/users",
        &user,
        Some(json!({"email": "changed@example.com", "isAutoUpdateEnabled": true})),
    )
    .await;
    let (_, after) = call_json(&app, Method::GET, "/api/v1/users", &user, None).await;
    let (off, turned_off) = call_json(
        &app,
        Method::PATCH,
        "/api/v1/users",
        &user,
        Some(json!({"isAutoUpdateEnabled": false})),
    )
    .await;

    assert_eq!(status, 422, "{error}");
    assert_error(&error, "ILLEGAL_ENTITY_STATE", "PATCH /api/v1/users");
    assert_eq!(after, before);
    assert_eq!(
        (off, &turned_off["isAutoUpdateEnabled"]),
        (200, &json!(false))
    );
}

/// Every finAPI operation, with the token role it needs and a body it would accept: OAuth's
/// two and those of the Users and Mandator Administration APIs.
pub(super) fn every_operation() -> Vec<(&'static str, Method, &'static str, Option<Value>)> {
    let mut operations = vec![
        (
            "none",
            Method::POST,
            "/oauth/token?grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-client-secret",
            None,
        ),
        ("client", Method::POST, "/oauth/revoke?token=x", None),
    ];
    operations.extend(super::errors::operations());
    operations
}

#[tokio::test]
async fn every_operation_answers_a_server_fault_with_500_unexpected_error_and_writes_nothing() {
    let app = spawn_app().await;
    let tokens = [
        ("none", String::new()),
        ("client", client_token(&app, CLIENT).await),
        ("user", user_token(&app, FELIX).await),
        ("admin", client_token(&app, ADMIN).await),
    ];
    let rules = json!({"rules": [{"vendor": "finapi", "errorRate": 100}]});
    let set = app
        .put("/__admin/faults")
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);

    for (role, method, path, body) in every_operation() {
        let token = &tokens.iter().find(|(r, _)| *r == role).unwrap().1;
        let mut request = app
            .request(method.clone(), path)
            .header(CONTENT_TYPE, "application/json")
            .header("X-Request-Id", format!("fault-{role}"));
        if !token.is_empty() {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.headers()["x-request-id"],
            format!("fault-{role}").as_str(),
            "{method} {path}"
        );
        let (status, error) = status_and_json(response).await;
        assert_eq!(status, 500, "{method} {path}: {error}");
        let endpoint = format!("{method} {}", path.split('?').next().unwrap());
        assert_error(&error, "UNEXPECTED_ERROR", &endpoint);
        assert_eq!(error["requestId"], format!("fault-{role}").as_str());
    }

    app.delete("/__admin/faults").send().await.unwrap();
    // None of the refused writes happened.
    let client = client_token(&app, CLIENT).await;
    assert_eq!(
        verification_status(&app, &client, "new.user").await,
        Err(404)
    );
    assert_eq!(
        verification_status(&app, &client, "erika.musterfrau").await,
        Ok(false)
    );
    let user = user_token(&app, FELIX).await;
    let (status, me) = call_json(&app, Method::GET, "/api/v1/users", &user, None).await;
    assert_eq!((status, &me["phone"]), (200, &json!("+44 7700 900123")));
}

async fn get_user(
    app: &TestApp,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.get("/api/v1/users");
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_authorized_user_is_the_same_in_every_accept_language() {
    // finAPI reads `de` (the default), `en`, `cs` and `sk` and ignores subtags; it changes only
    // BUSINESS messages, and getAuthorizedUser has none: the answer never depends on it.
    let app = spawn_app().await;
    let user = user_token(&app, FELIX).await;
    let plain = get_user(&app, Some(&user), &[]).await;
    assert_eq!(plain.status(), 200);
    let expected = plain.text().await.unwrap();
    for language in [
        "de",
        "en",
        "cs",
        "sk",
        "de-DE",
        "en-GB,en;q=0.9",
        "fr",
        "*",
        "x",
    ] {
        let response = get_user(&app, Some(&user), &[("Accept-Language", language)]).await;
        assert_eq!(response.status(), 200, "{language}");
        assert_eq!(response.text().await.unwrap(), expected, "{language}");
    }
    // Errors are TECHNICAL and English whatever the language.
    let client = client_token(&app, CLIENT).await;
    for language in ["de", "en", "cs"] {
        let (status, error) =
            status_and_json(get_user(&app, Some(&client), &[("Accept-Language", language)]).await)
                .await;
        assert_eq!(status, 403);
        assert_eq!(error["errors"][0]["type"], "TECHNICAL");
        assert_eq!(error["errors"][0]["message"], "Access is denied");
    }
}

#[tokio::test]
async fn the_authorized_user_echoes_the_request_id_on_every_answer() {
    let app = spawn_app().await;
    let user = user_token(&app, FELIX).await;
    let client = client_token(&app, CLIENT).await;
    let id = "r".repeat(255);
    let cases = [
        (Some(user.as_str()), 200),
        (None, 401),
        (Some("no-such-token"), 401),
        (Some(client.as_str()), 403),
    ];
    for (token, status) in cases {
        let response = get_user(&app, token, &[("X-Request-Id", &id)]).await;
        assert_eq!(response.status(), status);
        assert_eq!(response.headers()["x-request-id"], id.as_str(), "{status}");
    }
    // Generated ids are `selfgen-<uuid>` and differ per request.
    let first = get_user(&app, Some(&user), &[]).await;
    let second = get_user(&app, Some(&user), &[]).await;
    let first = first.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let second = second.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        first.starts_with("selfgen-") && first.len() == 44,
        "{first}"
    );
    assert_ne!(first, second);
    // 256 characters is an error, in the envelope, with nothing read.
    let long = "r".repeat(256);
    let (status, error) =
        status_and_json(get_user(&app, Some(&user), &[("X-Request-Id", &long)]).await).await;
    assert_eq!(status, 400, "{error}");
    assert_error(&error, "BAD_REQUEST", "GET /api/v1/users");
}

#[tokio::test]
async fn deleting_more_than_1000_users_at_once_returns_400_and_deletes_nobody() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let mut ids: Vec<String> = (0..1000).map(|n| format!("nobody.{n}")).collect();
    ids.insert(0, "felixsmith".into());

    let (status, error) = call_json(
        &app,
        Method::POST,
        "/api/v1/mandatorAdmin/deleteUsers",
        &admin,
        Some(json!({ "userIds": ids })),
    )
    .await;
    ids.pop();
    let (exactly, listed) = call_json(
        &app,
        Method::POST,
        "/api/v1/mandatorAdmin/deleteUsers",
        &admin,
        Some(json!({ "userIds": ids[1..] })),
    )
    .await;

    assert_eq!(status, 400, "{error}");
    assert_error(
        &error,
        "BAD_REQUEST",
        "POST /api/v1/mandatorAdmin/deleteUsers",
    );
    // felixsmith survived the refused call and 999 unknown ids are simply ignored.
    assert!(!user_token(&app, FELIX).await.is_empty());
    assert_eq!(
        (exactly, listed),
        (200, json!({"deletedUsers": [], "nonDeletedUsers": []}))
    );
}
