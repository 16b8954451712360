//! `GET /v1/tenants`, `GET /v1/tenants/{tenantId}`, `PATCH /v1/tenants/{tenantId}/users`.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use super::{FULL, NO_ACCESS, READ_ONLY, token};
use crate::support::{TestApp, redactions, spawn_app, status_and_json};

async fn link(app: &TestApp, tenant_id: &str, token: &str, body: &Value) -> (u16, Value) {
    let response = app
        .patch(&format!("/v1/tenants/{tenant_id}/users"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

async fn tenant_members(app: &TestApp, tenant_id: &str, token: &str) -> Vec<String> {
    let response = app
        .get(&format!("/v1/users?tenantId={tenant_id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let (status, page) = status_and_json(response).await;
    assert_eq!(status, 200);
    page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn listing_tenants_returns_the_fixture_tenants() {
    let app = spawn_app().await;
    let token = token(&app, READ_ONLY).await;

    let response = app
        .get("/v1/tenants")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["content-type"], "application/links+json");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200);
    assert_json_snapshot!(body);
}

#[tokio::test]
async fn getting_a_tenant_returns_it_and_an_unknown_one_404() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let none = super::token(&app, NO_ACCESS).await;

    let (status, tenant) = status_and_json(
        app.get("/v1/tenants/ten_globex")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (missing, missing_body) = status_and_json(
        app.get("/v1/tenants/ten_nobody")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (forbidden, _) = status_and_json(
        app.get("/v1/tenants/ten_globex")
            .bearer_auth(&none)
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!((status, missing, forbidden), (200, 404, 403));
    assert_json_snapshot!("tenant", tenant);
    assert_json_snapshot!("unknown_tenant", missing_body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn linking_a_user_returns_204_and_lists_it_under_the_tenant() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    let (status, body) = link(
        &app,
        "ten_initech",
        &token,
        &json!({ "userId": "github|4711042" }),
    )
    .await;

    assert_eq!(status, 204);
    assert_eq!(body, Value::Null);
    assert_eq!(
        tenant_members(&app, "ten_initech", &token).await,
        ["github|4711042"]
    );
}

#[tokio::test]
async fn linking_moves_a_user_out_of_its_previous_tenant() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    let (status, _) = link(
        &app,
        "ten_globex",
        &token,
        &json!({ "userId": "auth0|64f1c2a9e4b0a7d3c1e2f3a4" }),
    )
    .await;

    assert_eq!(status, 204);
    assert_eq!(
        tenant_members(&app, "ten_acme", &token).await,
        ["samlp|acme-sso|max.mustermann@example.com"]
    );
    assert_eq!(
        tenant_members(&app, "ten_globex", &token).await,
        [
            "auth0|64f1c2a9e4b0a7d3c1e2f3a4",
            "oidc|globex|erika.musterfrau"
        ]
    );
}

#[tokio::test]
async fn linking_to_an_unknown_tenant_or_user_returns_404() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    let (tenant, tenant_body) = link(
        &app,
        "ten_nobody",
        &token,
        &json!({ "userId": "github|4711042" }),
    )
    .await;
    let (user, user_body) = link(&app, "ten_acme", &token, &json!({ "userId": "github|0" })).await;

    assert_eq!((tenant, user), (404, 404));
    assert_eq!(user_body["errorCode"], "UserNotFound");
    assert_json_snapshot!(tenant_body, { ".errorId" => redactions::request_id() });
    assert_eq!(tenant_members(&app, "ten_acme", &token).await.len(), 2);
}

#[tokio::test]
async fn bad_link_bodies_return_400_and_change_nothing() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let send = |body: &'static str, content_type: Option<&'static str>| {
        let mut request = app
            .patch("/v1/tenants/ten_initech/users")
            .bearer_auth(&token)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        async move { status_and_json(request.send().await.unwrap()).await }
    };

    for (body, content_type) in [
        ("{\"userId\": ", Some("application/json")),
        ("", Some("application/json")),
        ("{}", Some("application/json")),
        ("{\"userId\": 42}", Some("application/json")),
        (
            "{\"userId\": \"github|4711042#\"}",
            Some("application/json"),
        ),
        ("{\"userId\": \"\"}", Some("application/json")),
        ("[\"github|4711042\"]", Some("application/json")),
        ("{\"userId\": \"github|4711042\"}", None),
        ("{\"userId\": \"github|4711042\"}", Some("text/plain")),
    ] {
        let (status, body_json) = send(body, content_type).await;
        assert_eq!(status, 400, "{body} as {content_type:?}: {body_json}");
        assert!(
            body_json["errorCode"]
                .as_str()
                .unwrap()
                .starts_with("Invalid"),
            "{body_json}"
        );
    }
    let (_, malformed) = send("{\"userId\": ", Some("application/json")).await;
    let (_, missing) = send("{}", Some("application/json")).await;
    assert_json_snapshot!("malformed_json", malformed, { ".errorId" => redactions::request_id() });
    assert_json_snapshot!("missing_user_id", missing, { ".errorId" => redactions::request_id() });
    assert!(tenant_members(&app, "ten_initech", &token).await.is_empty());
}

#[tokio::test]
async fn a_read_only_client_cannot_link_users() {
    let app = spawn_app().await;
    let token = token(&app, READ_ONLY).await;

    let (status, body) = link(
        &app,
        "ten_initech",
        &token,
        &json!({ "userId": "github|4711042" }),
    )
    .await;

    assert_eq!(status, 403);
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
    assert!(tenant_members(&app, "ten_initech", &token).await.is_empty());
}
