//! Service-client JWTs, verified for real: signature against the registered key, `kid`,
//! `iss`/`sub`/`aud` and expiry by the sandbox clock.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use super::{AccessKey, FULL, fixture_key, fixture_key_in, now, random_key, sign};
use crate::support::{TestApp, redactions, spawn_app, status_and_json};

async fn list_users(app: &TestApp, authorization: Option<&str>) -> (u16, Value) {
    let mut request = app.get("/v1/users?limit=1");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    status_and_json(request.send().await.unwrap()).await
}

async fn with_claims(
    app: &TestApp,
    key: &AccessKey,
    change: impl FnOnce(&mut Value),
) -> (u16, Value) {
    let mut claims = key.claims(&app.address);
    change(&mut claims);
    list_users(app, Some(&format!("Bearer {}", key.sign(&claims)))).await
}

#[tokio::test]
async fn a_token_signed_as_the_sdk_does_is_accepted() {
    let app = spawn_app().await;
    let key = fixture_key(&app, FULL).await;

    let (status, _) = list_users(&app, Some(&format!("Bearer {}", key.token(&app)))).await;

    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_missing_or_malformed_token_returns_401() {
    let app = spawn_app().await;
    let key = fixture_key(&app, FULL).await;
    let hs256 = {
        let token = key.token(&app);
        let header =
            base64_url(&json!({ "alg": "HS256", "kid": key.key_id, "typ": "JWT" }).to_string());
        format!("{header}.{}", token.split_once('.').unwrap().1)
    };

    for authorization in [
        None,
        Some("Bearer".to_string()),
        Some("Basic dXNlcjpwYXNz".to_string()),
        Some("Bearer not-a-jwt".to_string()),
        Some("Bearer a.b.c".to_string()),
        Some(format!("Bearer {hs256}")),
        Some(format!("Bearer {}.extra", key.token(&app))),
    ] {
        let (status, body) = list_users(&app, authorization.as_deref()).await;
        assert_eq!(status, 401, "{authorization:?}");
        assert_eq!(body["errorCode"], "Unauthorized");
    }
    let (_, body) = list_users(&app, None).await;
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn a_token_signed_with_another_key_returns_401() {
    let app = spawn_app().await;
    let key = AccessKey {
        key: random_key(),
        ..fixture_key(&app, FULL).await
    };

    let (status, body) = list_users(&app, Some(&format!("Bearer {}", key.token(&app)))).await;

    assert_eq!(status, 401);
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn an_expired_token_returns_401_by_the_sandbox_clock() {
    let app = spawn_app().await;
    let key = fixture_key(&app, FULL).await;

    let (expired, body) = with_claims(&app, &key, |c| {
        c["iat"] = json!(now() - 2 * 86_400);
        c["exp"] = json!(now() - 1);
    })
    .await;
    // Long past in real time, but a second ahead of the sandbox's fixed clock.
    let (valid, _) = with_claims(&app, &key, |c| c["exp"] = json!(now() + 1)).await;

    assert_eq!((expired, valid), (401, 200));
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn a_token_for_another_audience_returns_401() {
    let app = spawn_app().await;
    let key = fixture_key(&app, FULL).await;

    let (status, body) = with_claims(&app, &key, |c| {
        c["aud"] = json!("acc_someone_else.accounts.authress.io")
    })
    .await;
    let (listed, _) = with_claims(&app, &key, |c| {
        c["aud"] = json!([
            "https://api.example.com",
            "acc_sandbox01.accounts.authress.io"
        ])
    })
    .await;

    assert_eq!((status, listed), (401, 200));
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn issuer_subject_and_key_id_must_name_a_registered_key() {
    let app = spawn_app().await;
    let key = fixture_key(&app, FULL).await;
    let other = fixture_key(&app, super::READ_ONLY).await;

    let claims = key.claims(&app.address);
    let mut sub_differs = claims.clone();
    sub_differs["sub"] = json!("sc_reporting");
    let mut unknown_client = claims.clone();
    unknown_client["iss"] = json!(format!("{}/v1/clients/sc_nobody", app.address));
    unknown_client["sub"] = json!("sc_nobody");
    let mut no_exp = claims.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut not_yet_valid = claims.clone();
    not_yet_valid["nbf"] = json!(now() + 600);

    for (case, claims) in [
        ("sub differs from iss", sub_differs),
        ("unknown client", unknown_client),
        ("no exp", no_exp),
        ("not yet valid", not_yet_valid),
    ] {
        let (status, _) = list_users(&app, Some(&format!("Bearer {}", key.sign(&claims)))).await;
        assert_eq!(status, 401, "{case}");
    }
    // A key id of another client.
    let claims = key.claims(&app.address);
    let (status, _) = list_users(
        &app,
        Some(&format!(
            "Bearer {}",
            sign(&other.key_id, &claims, &key.key)
        )),
    )
    .await;
    assert_eq!(status, 401, "kid of another client");
}

#[tokio::test]
async fn tokens_work_in_a_named_sandbox_with_its_prefixed_issuer() {
    let app = spawn_app().await;
    let key = fixture_key_in(&app, "team-a", FULL).await;
    let base = format!("{}/sandboxes/team-a", app.address);

    let response = app
        .get("/sandboxes/team-a/v1/users?limit=1")
        .bearer_auth(key.sign(&key.claims(&base)))
        .send()
        .await
        .unwrap();

    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200);
    assert!(
        body["links"]["self"]["href"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{base}/v1/users"))
    );
}

#[tokio::test]
async fn a_verified_token_expires_when_the_sandbox_clock_passes_its_exp() {
    let app = spawn_app().await;
    let token = fixture_key(&app, FULL).await.token(&app);
    let authorization = format!("Bearer {token}");
    assert_eq!(list_users(&app, Some(&authorization)).await.0, 200);

    let advanced = app
        .post("/__admin/clock/advance")
        .json(&json!({ "seconds": 86_400 }))
        .send()
        .await
        .unwrap();

    assert_eq!(advanced.status(), 200);
    let (status, body) = list_users(&app, Some(&authorization)).await;
    assert_eq!(status, 401);
    assert_eq!(body["title"], "Unauthorized. The token has expired.");
}

#[tokio::test]
async fn the_journal_names_the_authenticated_service_client_and_operation() {
    let app = spawn_app().await;
    let key = fixture_key(&app, FULL).await;
    let (status, _) = list_users(&app, Some(&format!("Bearer {}", key.token(&app)))).await;
    assert_eq!(status, 200);

    let journal: Value = app
        .get("/__admin/requests")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let entry = &journal["requests"][0];
    assert_eq!(entry["path"], "/v1/users");
    assert_eq!(entry["vendor"], "authress");
    assert_eq!(entry["operationId"], "getUsers");
    assert_eq!(entry["principal"], "authress service client sc_key_001");
}

#[tokio::test]
async fn a_fixture_key_of_one_sandbox_is_refused_in_another() {
    // Same seed, same fixture client: each sandbox derives its own key pair, so a token signed
    // with the default sandbox's access key is refused in a named one and the other way round;
    // a reset keeps a sandbox's keys.
    let app = spawn_app().await;
    let default = fixture_key(&app, FULL).await;
    let named = fixture_key_in(&app, "team-b", FULL).await;
    assert_eq!(default.key_id, named.key_id);
    let base = format!("{}/sandboxes/team-b", app.address);
    let get = |path: &'static str, token: String| {
        let app = &app;
        async move { crate::support::get_status(app, path, &token).await }
    };
    let in_named = "/sandboxes/team-b/v1/users?limit=1";
    assert_eq!(get(in_named, named.sign(&named.claims(&base))).await, 200);
    assert_eq!(
        get(in_named, default.sign(&default.claims(&base))).await,
        401
    );
    assert_eq!(
        get("/v1/users?limit=1", named.sign(&named.claims(&app.address))).await,
        401
    );
    let reset = app
        .post("/__admin/reset?sandbox=team-b")
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(get(in_named, named.sign(&named.claims(&base))).await, 200);
}
