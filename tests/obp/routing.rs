//! OBP's routing contract: version prefixes, unknown URLs and methods, content types, OPTIONS,
//! response headers, the outbox route, named sandboxes, credentials and the OpenAPI document.

use insta::assert_json_snapshot;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use super::*;
use crate::support::{spawn_app, status_and_json};

#[tokio::test]
async fn the_user_endpoints_answer_under_every_served_version() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    for prefix in ["/obp/v3.1.0", "/obp/v4.0.0", "/obp/v5.0.0", "/obp/v5.1.0"] {
        let current = get(&app, &format!("{prefix}/users/current"), &admin).await;
        assert_eq!(current.0, 200, "{prefix}: {}", current.1);
        let contexts = get(
            &app,
            &format!("{prefix}/users/{FELIX_ID}/auth-context"),
            &admin,
        )
        .await;
        assert_eq!(contexts.0, 200, "{prefix}: {}", contexts.1);
    }
    for prefix in ["/obp/v4.0.0", "/obp/v5.0.0", "/obp/v5.1.0"] {
        let users = get(&app, &format!("{prefix}/users?limit=1"), &admin).await;
        assert_eq!(users.0, 200, "{prefix}: {}", users.1);
        let spaces = get(&app, &format!("{prefix}/my/spaces"), &admin).await;
        assert_eq!(spaces.0, 200, "{prefix}: {}", spaces.1);
    }
    // v3.1.0 has no v4.0.0-only endpoints.
    assert_obp_error(
        &get(&app, "/obp/v3.1.0/my/spaces", &admin).await,
        404,
        "OBP-10404",
    );
    assert_obp_error(
        &get(&app, "/obp/v4.0.0/users/x/x/lock-status", &admin).await,
        404,
        "OBP-10404",
    );
}

#[tokio::test]
async fn unknown_urls_methods_and_non_json_bodies_get_obp_10404() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let unknown = get(&app, "/obp/v4.0.0/no/such/endpoint", &admin).await;
    let method = call(&app, Method::PATCH, "/obp/v4.0.0/users", Some(&admin), None).await;
    let unknown_version = get(&app, "/obp/v9.9.9/users", &admin).await;
    let text = status_and_json(
        app.put("/obp/v4.0.0/users/felixsmith/lock-status")
            .header("DirectLogin", format!("token={admin}"))
            .header(CONTENT_TYPE, "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let malformed = status_and_json(
        app.post("/obp/v4.0.0/my/user/attributes")
            .header(CONTENT_TYPE, "application/json")
            .body("[1,")
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_obp_error(&unknown, 404, "OBP-10404");
    assert_obp_error(&method, 404, "OBP-10404");
    assert_obp_error(&text, 404, "OBP-10404");
    // A body that is not JSON is refused before authentication, as OBP does.
    assert_obp_error(&malformed, 400, "OBP-10001");
    assert_eq!(unknown_version.0, 404);
    assert_json_snapshot!(json!({
        "unknown": unknown.1, "method": method.1, "text_plain": text.1, "malformed": malformed.1,
    }));
}

#[tokio::test]
async fn options_answers_204_with_obps_cors_headers() {
    let app = spawn_app().await;

    let response = app
        .request(Method::OPTIONS, "/obp/v4.0.0/users")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 204);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(header("access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(
        header("access-control-allow-methods").as_deref(),
        Some("GET, POST, OPTIONS, PUT, PATCH, DELETE")
    );
    assert_eq!(header("access-control-allow-headers").as_deref(), Some("*"));
}

#[tokio::test]
async fn every_answer_carries_a_correlation_id() {
    let app = spawn_app().await;

    let response = app
        .get("/obp/v4.0.0/users/current")
        .header("x-request-id", "req-1")
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers().get("correlation-id").unwrap(), "req-1");
}

#[tokio::test]
async fn the_outbox_route_is_reached_and_starts_empty() {
    let app = spawn_app().await;

    let answer = status_and_json(app.get("/__admin/outbox").send().await.unwrap()).await;

    assert_eq!(answer, (200, json!({ "messages": [] })));
}

#[tokio::test]
async fn a_named_sandbox_has_its_own_users_and_outbox() {
    let app = spawn_app().await;
    let body = json!({
        "email": "tom.smith@example.com", "username": "tom.smith", "password": "Tom-Sandbox-2026!",
        "first_name": "Tom", "last_name": "Smith",
    });

    let created = call(
        &app,
        Method::POST,
        "/sandboxes/team-a/obp/v4.0.0/users",
        None,
        Some(body),
    )
    .await;
    let header =
        format!("username=tom.smith, password=Tom-Sandbox-2026!, consumer_key={CONSUMER_KEY}");
    let in_default = status_and_json(direct_login(&app, &header).await).await;
    let outbox = status_and_json(
        app.get("/sandboxes/team-a/__admin/outbox")
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(created.0, 201, "{}", created.1);
    assert_obp_error(&in_default, 401, "OBP-20004");
    assert_eq!(outbox, (200, json!({ "messages": [] })));
}

#[tokio::test]
async fn the_credentials_list_the_consumer_and_the_fixture_accounts() {
    let app = spawn_app().await;

    let (status, body) =
        status_and_json(app.get("/__admin/credentials").send().await.unwrap()).await;

    assert_eq!(status, 200);
    let obp = &body["obp"];
    assert_eq!(obp["consumers"][0]["consumerKey"], CONSUMER_KEY);
    let users = obp["users"].as_array().unwrap();
    assert_eq!(users[0]["username"], ADMIN.0);
    assert_eq!(users[0]["password"], ADMIN.1);
    assert!(
        users
            .iter()
            .any(|u| u["username"] == FELIX.0 && u["userId"] == FELIX_ID)
    );
    // Every documented account logs in as documented (or is documented as unable to).
    for user in users {
        let header = format!(
            "username={}, password={}, consumer_key={CONSUMER_KEY}",
            user["username"].as_str().unwrap(),
            user["password"].as_str().unwrap()
        );
        let status = direct_login(&app, &header).await.status();
        let note = user["note"].as_str().unwrap();
        let expected = if note.contains("locked") || note.contains("not validated") {
            401
        } else {
            201
        };
        assert_eq!(status, expected, "{user}");
    }
}

#[test]
fn the_openapi_document_has_obps_operation_ids_and_a_direct_login_scheme() {
    let doc: serde_json::Value =
        serde_json::from_str(&user_sandbox::docs::document("obp").unwrap()).unwrap();

    let scheme = &doc["components"]["securitySchemes"]["directLogin"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], "DirectLogin");
    let mut ids: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    for seed_operation in [
        "OBPv3.1.0-answerUserAuthContextUpdateChallenge",
        "OBPv4.0.0-createMyPersonalUserAttribute",
        "OBPv2.0.0-createUser",
        "OBPv3.1.0-createUserAuthContext",
        "OBPv3.1.0-createUserAuthContextUpdateRequest",
        "OBPv4.0.0-resetPasswordUrl",
        "OBPv3.1.0-deleteUserAuthContextById",
        "OBPv3.1.0-deleteUserAuthContexts",
        "OBPv4.0.0-deleteUser",
        "OBPv4.0.0-getLogoutLink",
        "OBPv4.0.0-getMyPersonalUserAttributes",
        "OBPv4.0.0-getMySpaces",
        "OBPv3.0.0-getCurrentUser",
        "OBPv3.1.0-getUserAuthContexts",
        "OBPv4.0.0-getCurrentUserId",
        "OBPv3.1.0-getBadLoginStatus",
        "OBPv4.0.0-getUserByUsername",
        "OBPv4.0.0-getUserByUserId",
        "OBPv4.0.0-getUserWithAttributes",
        "OBPv4.0.0-getUsersByEmail",
        "OBPv4.0.0-getUsers",
        "OBPv4.0.0-lockUser",
        "OBPv3.1.0-refreshUser",
        "OBPv3.1.0-unlockUser",
        "OBPv4.0.0-updateMyPersonalUserAttribute",
    ] {
        assert!(
            ids.iter().any(|id| id == seed_operation),
            "{seed_operation} missing"
        );
    }
}
