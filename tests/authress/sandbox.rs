//! The sandbox's Authress helpers: `POST /__admin/authress/service-clients` and
//! `POST /__admin/authress/user-tokens`, exact resources that win over the control plane's scope.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use super::{AccessKey, credentials};
use crate::support::get_status as get;
use crate::support::{TestApp, redactions, spawn_app, status_and_json};

async fn post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    status_and_json(app.post(path).json(body).send().await.unwrap()).await
}

#[tokio::test]
async fn the_credentials_list_an_access_key_per_fixture_client() {
    let app = spawn_app().await;

    let credentials = credentials(&app).await;

    assert_json_snapshot!(credentials, {
        ".baseUrl" => super::href(&app),
        ".mintServiceClient" => "[mint url]",
        ".mintUserToken" => "[mint url]",
        ".serviceClients[].accessKey" => insta::dynamic_redaction(|value, _| {
            let key = AccessKey::parse(value.as_str().unwrap());
            assert_eq!(key.account_id, "acc_sandbox01");
            "[access key]"
        }),
    });
}

#[tokio::test]
async fn a_minted_service_client_works_with_its_access_key_and_its_token() {
    let app = spawn_app().await;

    let (status, minted) = post(
        &app,
        "/__admin/authress/service-clients",
        &json!({ "name": "Billing" }),
    )
    .await;

    assert_eq!(status, 201);
    let key = AccessKey::parse(minted["accessKey"].as_str().unwrap());
    assert_eq!(key.client_id, minted["clientId"].as_str().unwrap());
    assert_eq!(get(&app, "/v1/users?limit=1", &key.token(&app)).await, 200);
    assert_eq!(
        get(
            &app,
            "/v1/users?limit=1",
            minted["accessToken"].as_str().unwrap()
        )
        .await,
        200
    );
    assert_json_snapshot!(minted, {
        ".clientId" => "[client id]",
        ".keyId" => "[key id]",
        ".accessKey" => "[access key]",
        ".accessToken" => "[token]",
    });
}

#[tokio::test]
async fn a_minted_client_gets_only_the_access_it_was_given() {
    let app = spawn_app().await;

    let (_, minted) = post(
        &app,
        "/__admin/authress/service-clients",
        &json!({ "access": ["users:read"] }),
    )
    .await;
    let token = minted["accessToken"].as_str().unwrap();

    assert_eq!(get(&app, "/v1/users/github%7C4711042", token).await, 200);
    assert_eq!(get(&app, "/v1/tenants", token).await, 403);
    let delete = app
        .delete("/v1/users/github%7C4711042")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 403);
}

#[tokio::test]
async fn minting_with_a_bad_body_returns_400_and_other_methods_405() {
    let app = spawn_app().await;

    let (status, body) = status_and_json(
        app.post("/__admin/authress/service-clients")
            .header("content-type", "application/json")
            .body("{\"access\": [\"everything\"]}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (method, method_body) = status_and_json(
        app.get("/__admin/authress/service-clients")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (empty, _) = status_and_json(
        app.post("/__admin/authress/service-clients")
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!((status, method, empty), (400, 405, 201));
    assert_eq!(body["status"], 400);
    assert_json_snapshot!(method_body);
}

#[tokio::test]
async fn a_null_service_client_body_is_no_body_and_an_array_is_refused() {
    // Fuzzer findings: the document's optional (nullable) body, and serde reading a struct from
    // an array.
    let app = spawn_app().await;
    let (status, body) = post(&app, "/__admin/authress/service-clients", &Value::Null).await;
    assert_eq!(
        (status, body["name"].as_str()),
        (201, Some("Sandbox service client"))
    );
    for refused in [
        json!([null, null]),
        json!(["a name"]),
        json!("a name"),
        json!(7),
    ] {
        let (status, body) = post(&app, "/__admin/authress/service-clients", &refused).await;
        assert_eq!(
            (status, body["status"].as_u64()),
            (400, Some(400)),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn a_user_token_lifetime_written_as_a_float_is_an_integer() {
    let app = spawn_app().await;
    let user_id = "google-oauth2|108915727483261245613";
    let (status, body) = post(
        &app,
        "/__admin/authress/user-tokens",
        &json!({"userId": user_id, "expiresIn": 2079.0}),
    )
    .await;
    assert_eq!(
        (status, body["expiresIn"].as_i64()),
        (201, Some(2079)),
        "{body}"
    );
    let (status, _) = post(
        &app,
        "/__admin/authress/user-tokens",
        &json!({"userId": user_id, "expiresIn": 2079.5}),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_minted_user_token_reads_only_its_own_user() {
    let app = spawn_app().await;

    let (status, minted) = post(
        &app,
        "/__admin/authress/user-tokens",
        &json!({ "userId": "google-oauth2|108915727483261245613" }),
    )
    .await;

    assert_eq!(status, 201);
    let token = minted["accessToken"].as_str().unwrap();
    assert_eq!(
        get(
            &app,
            "/v1/users/google-oauth2%7C108915727483261245613",
            token
        )
        .await,
        200
    );
    assert_eq!(get(&app, "/v1/users/github%7C4711042", token).await, 403);
    assert_eq!(get(&app, "/v1/users", token).await, 403);
    assert_json_snapshot!(minted, {
        ".accessToken" => "[token]",
        ".issuer" => super::href(&app),
    });
}

#[tokio::test]
async fn a_user_token_expires_by_the_sandbox_clock() {
    let app = spawn_app().await;

    let (_, minted) = post(
        &app,
        "/__admin/authress/user-tokens",
        &json!({ "userId": "github|4711042", "expiresIn": 60 }),
    )
    .await;
    let token = minted["accessToken"].as_str().unwrap();
    let claims = token.split('.').nth(1).unwrap();
    let claims: Value = {
        use base64::Engine;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(claims)
                .unwrap(),
        )
        .unwrap()
    };

    assert_eq!(claims["exp"], super::now() + 60);
    assert_eq!(claims["sub"], "github|4711042");
}

#[tokio::test]
async fn minting_a_user_token_for_nobody_fails() {
    let app = spawn_app().await;

    let (unknown, unknown_body) = post(
        &app,
        "/__admin/authress/user-tokens",
        &json!({ "userId": "auth0|nobody" }),
    )
    .await;
    let (missing, _) = post(&app, "/__admin/authress/user-tokens", &json!({})).await;
    let (lifetime, _) = post(
        &app,
        "/__admin/authress/user-tokens",
        &json!({ "userId": "github|4711042", "expiresIn": 0 }),
    )
    .await;
    let (malformed, _) = status_and_json(
        app.post("/__admin/authress/user-tokens")
            .body("{\"userId\"")
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(
        (unknown, missing, lifetime, malformed),
        (404, 400, 400, 400)
    );
    assert_json_snapshot!(unknown_body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn the_control_planes_state_round_trip_keeps_users_links_and_minted_clients() {
    let app = spawn_app().await;
    let (_, minted) = post(&app, "/__admin/authress/service-clients", &json!({})).await;
    let token = minted["accessToken"].as_str().unwrap().to_string();
    let delete = app
        .delete("/v1/users/github%7C4711042")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 202);
    let link = app
        .patch("/v1/tenants/ten_initech/users")
        .bearer_auth(&token)
        .json(&json!({ "userId": "google-oauth2|108915727483261245613" }))
        .send()
        .await
        .unwrap();
    assert_eq!(link.status(), 204);
    let state: Value = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let reset = app.post("/__admin/reset").send().await.unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(get(&app, "/v1/users?limit=1", &token).await, 401);
    let put = app.put("/__admin/state").json(&state).send().await.unwrap();

    assert_eq!(put.status(), 200);
    assert_eq!(get(&app, "/v1/users/github%7C4711042", &token).await, 404);
    let (_, initech) = status_and_json(
        app.get("/v1/users?tenantId=ten_initech")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        initech["users"][0]["userId"],
        "google-oauth2|108915727483261245613"
    );
}
