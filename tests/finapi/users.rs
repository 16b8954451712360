//! The Users API: `/api/v1/users...`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    ADMIN, AUTOVERIFY, CLIENT, ERIKA, FELIX, JAN, MAX, all_users, assert_error, call, call_json,
    client_token, create_user, failed_login, password_grant, user_ids, user_token,
    verification_status,
};
use crate::support::{TestApp, redactions, spawn_app, status_and_json};

// ---- createUser ---------------------------------------------------------------------------------

#[tokio::test]
async fn creating_a_user_returns_201_with_the_plain_password() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let response = call(
        &app,
        Method::POST,
        "/api/v1/users",
        &client,
        Some(json!({"id": "Alice", "password": "secret1", "email": "alice@example.com", "phone": "+49 99 999999-999"})),
    )
    .await;
    assert_eq!(response.headers()["content-type"], "application/json");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201);
    insta::assert_json_snapshot!(body);
    // New users of an ordinary client are unverified, under the id as created.
    assert_eq!(verification_status(&app, &client, "alice").await, Ok(false));
}

#[tokio::test]
async fn creating_a_user_without_id_or_password_generates_both() {
    let app = spawn_app().await;
    let client = client_token(&app, AUTOVERIFY).await;
    // What the Python client sends for `UserCreateParams()`.
    let created = create_user(&app, &client, json!({"isAutoUpdateEnabled": false})).await;
    let id = created["id"].as_str().unwrap();
    let password = created["password"].as_str().unwrap();
    assert_eq!(id.len(), 36, "{created}");
    assert!(
        id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        "{created}"
    );
    assert!((6..=128).contains(&password.len()), "{created}");
    assert_eq!(
        (&created["email"], &created["phone"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(created["isAutoUpdateEnabled"], false);
    // The generated credentials work.
    let token = user_token(&app, (id, password)).await;
    let (status, me) = call_json(&app, Method::GET, "/api/v1/users", &token, None).await;
    assert_eq!((status, me["id"].as_str()), (200, Some(id)));
    // A second user gets another id.
    let other = create_user(&app, &client, json!({})).await;
    assert_ne!(other["id"], created["id"]);
}

#[tokio::test]
async fn a_client_with_auto_verification_creates_verified_users_who_can_log_in() {
    let app = spawn_app().await;
    let client = client_token(&app, AUTOVERIFY).await;
    create_user(
        &app,
        &client,
        json!({"id": "bob", "password": "bob-secret", "isAutoUpdateEnabled": true}),
    )
    .await;
    assert_eq!(verification_status(&app, &client, "bob").await, Ok(true));
    let token = user_token(&app, ("bob", "bob-secret")).await;
    let (_, me) = call_json(&app, Method::GET, "/api/v1/users", &token, None).await;
    assert_eq!(me["isAutoUpdateEnabled"], true);
}

#[tokio::test]
async fn creating_an_existing_id_in_another_case_returns_422_entity_exists() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    create_user(&app, &client, json!({"id": "alice"})).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users",
        &client,
        Some(json!({"id": "ALICE"})),
    )
    .await;
    assert_eq!(status, 422);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users",
        &client,
        Some(json!({"id": "FelixSmith"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_error(&body, "ENTITY_EXISTS", "POST /api/v1/users");
    // The fixture user is untouched.
    user_token(&app, FELIX).await;
}

// ---- getAuthorizedUser ----------------------------------------------------------------------------

#[tokio::test]
async fn getting_the_authorized_user_distorts_the_password_one_x_per_character() {
    let app = spawn_app().await;
    let token = user_token(&app, FELIX).await;
    let (status, body) = call_json(&app, Method::GET, "/api/v1/users", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["password"].as_str().unwrap().len(), FELIX.1.len());
    insta::assert_json_snapshot!(body);
}

// ---- editAuthorizedUser ---------------------------------------------------------------------------

#[tokio::test]
async fn editing_the_user_sets_fields_and_an_empty_string_clears_them() {
    let app = spawn_app().await;
    let token = user_token(&app, FELIX).await;
    let (status, body) = call_json(
        &app,
        Method::PATCH,
        "/api/v1/users",
        &token,
        Some(json!({"email": "", "phone": "+49 30 1234567", "isAutoUpdateEnabled": true})),
    )
    .await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!(body);
    let (_, read) = call_json(&app, Method::GET, "/api/v1/users", &token, None).await;
    assert_eq!(read, body);
    // A field left out (or null) stays as it is.
    let (_, body) = call_json(
        &app,
        Method::PATCH,
        "/api/v1/users",
        &token,
        Some(json!({"email": "f@example.com", "phone": null})),
    )
    .await;
    assert_eq!(
        (body["email"].as_str(), body["phone"].as_str()),
        (Some("f@example.com"), Some("+49 30 1234567"))
    );
}

#[tokio::test]
async fn editing_with_no_non_null_field_returns_400() {
    let app = spawn_app().await;
    let token = user_token(&app, FELIX).await;
    for body in [
        json!({}),
        json!({"email": null, "phone": null, "isAutoUpdateEnabled": null}),
    ] {
        let (status, error) =
            call_json(&app, Method::PATCH, "/api/v1/users", &token, Some(body)).await;
        assert_eq!(status, 400);
        assert_error(&error, "BAD_REQUEST", "PATCH /api/v1/users");
    }
    let (_, error) = call_json(
        &app,
        Method::PATCH,
        "/api/v1/users",
        &token,
        Some(json!({})),
    )
    .await;
    insta::assert_json_snapshot!(error, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn editing_with_wrong_types_or_bad_values_returns_400_and_changes_nothing() {
    let app = spawn_app().await;
    let token = user_token(&app, FELIX).await;
    let (_, before) = call_json(&app, Method::GET, "/api/v1/users", &token, None).await;
    let bad = [
        json!({"email": 42}),
        json!({"isAutoUpdateEnabled": "true"}),
        json!({"email": "new@example.com", "phone": "x".repeat(51)}),
        json!({"email": format!("{}@example.com", "a".repeat(309))}),
        json!({"email": "new@example.com", "phone": "<script>"}),
        json!(["email"]),
    ];
    for body in bad {
        let (status, error) = call_json(
            &app,
            Method::PATCH,
            "/api/v1/users",
            &token,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_error(&error, "BAD_REQUEST", "PATCH /api/v1/users");
    }
    let (_, after) = call_json(&app, Method::GET, "/api/v1/users", &token, None).await;
    assert_eq!(after, before);
}

#[tokio::test]
async fn a_post_with_x_http_method_override_patch_edits_the_user() {
    let app = spawn_app().await;
    let token = user_token(&app, FELIX).await;
    let response = app
        .post("/api/v1/users")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("x-http-method-override", "PATCH")
        .body(json!({"phone": ""}).to_string())
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!((status, &body["phone"]), (200, &Value::Null), "{body}");
    assert_eq!(body["id"], "felixsmith");
}

// ---- deleteAuthorizedUser -------------------------------------------------------------------------

#[tokio::test]
async fn deleting_the_authorized_user_returns_200_with_an_empty_body_and_revokes_their_tokens() {
    let app = spawn_app().await;
    let token = user_token(&app, FELIX).await;
    let response = call(&app, Method::DELETE, "/api/v1/users", &token, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "");
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &token, None)
            .await
            .status(),
        401
    );
    assert_eq!(failed_login(&app, FELIX).await.0, 400);
    let client = client_token(&app, CLIENT).await;
    assert_eq!(
        verification_status(&app, &client, "felixsmith").await,
        Err(404)
    );
    let admin = client_token(&app, ADMIN).await;
    let deleted = all_users(&app, &admin, "isDeleted=true").await;
    let felix = deleted
        .iter()
        .find(|u| u["userId"] == "fXXXXXXXXh")
        .expect("listed distorted");
    assert_eq!(felix["deletionDate"], "2026-01-15");
    assert!(!user_ids(&all_users(&app, &admin, "").await).contains(&"felixsmith".to_string()));
}

#[tokio::test]
async fn a_post_with_x_http_method_override_delete_deletes_the_user() {
    let app = spawn_app().await;
    let token = user_token(&app, FELIX).await;
    let response = app
        .post("/api/v1/users")
        .header("authorization", format!("Bearer {token}"))
        .header("x-http-method-override", "delete")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &token, None)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn deleting_a_user_whose_bank_connection_is_busy_returns_423() {
    let app = spawn_app().await;
    let token = user_token(&app, MAX).await;
    let (status, body) = call_json(&app, Method::DELETE, "/api/v1/users", &token, None).await;
    assert_eq!(status, 423);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    let (status, _) = call_json(&app, Method::GET, "/api/v1/users", &token, None).await;
    assert_eq!(status, 200);
}

// ---- deleteUnverifiedUser -------------------------------------------------------------------------

#[tokio::test]
async fn deleting_an_unverified_user_returns_200_and_forgets_the_id() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let response = call(
        &app,
        Method::DELETE,
        "/api/v1/users/Erika.MusterFrau",
        &client,
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "");
    assert_eq!(verification_status(&app, &client, ERIKA.0).await, Err(404));
    // The id is free again.
    create_user(&app, &client, json!({"id": ERIKA.0})).await;
}

#[tokio::test]
async fn deleting_a_verified_user_as_unverified_returns_422() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = call_json(
        &app,
        Method::DELETE,
        "/api/v1/users/felixsmith",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 422);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    assert_eq!(
        verification_status(&app, &client, "felixsmith").await,
        Ok(true)
    );
}

#[tokio::test]
async fn deleting_an_unknown_user_returns_404() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) =
        call_json(&app, Method::DELETE, "/api/v1/users/nobody", &client, None).await;
    assert_eq!(status, 404);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn percent_encoded_user_ids_in_the_path_are_decoded() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    create_user(&app, &client, json!({"id": "al.ice@x+y"})).await;
    // The Python client encodes every reserved character of a path parameter.
    let response = call(
        &app,
        Method::POST,
        "/api/v1/users/verify/AL.ICE%40X%2BY",
        &client,
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        verification_status(&app, &client, "al.ice%40x%2By").await,
        Ok(true)
    );
    create_user(&app, &client, json!({"id": "carol+1@example"})).await;
    let response = call(
        &app,
        Method::DELETE,
        "/api/v1/users/carol%2B1%40example",
        &client,
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        verification_status(&app, &client, "carol%2B1%40example").await,
        Err(404)
    );
    // `al ice@x+y` decodes to an id with a space, which finAPI's alphabet does not allow.
    let (status, body) = call_json(
        &app,
        Method::DELETE,
        "/api/v1/users/al%20ice%40x%2By",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_error(
        &body,
        "BAD_REQUEST",
        "DELETE /api/v1/users/al%20ice%40x%2By",
    );
}

// ---- getVerificationStatus / verifyUser -------------------------------------------------------------

#[tokio::test]
async fn the_verification_status_is_found_case_insensitively_under_the_stored_id() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = call_json(
        &app,
        Method::GET,
        "/api/v1/users/verificationStatus?userId=ERIKA.MUSTERFRAU",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!(body);
}

#[tokio::test]
async fn the_verification_status_of_an_unknown_or_missing_user_is_an_error() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = call_json(
        &app,
        Method::GET,
        "/api/v1/users/verificationStatus?userId=nobody",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_error(
        &body,
        "UNKNOWN_ENTITY",
        "GET /api/v1/users/verificationStatus",
    );
    let (status, body) = call_json(
        &app,
        Method::GET,
        "/api/v1/users/verificationStatus",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn verifying_a_user_lets_them_log_in_and_verifying_twice_returns_422() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    assert_eq!(failed_login(&app, ERIKA).await.0, 403);
    let response = call(
        &app,
        Method::POST,
        "/api/v1/users/verify/ERIKA.musterfrau",
        &client,
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "");
    user_token(&app, ERIKA).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/verify/erika.musterfrau",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 422);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn verifying_an_unknown_user_returns_404() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/verify/nobody",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_error(&body, "UNKNOWN_ENTITY", "POST /api/v1/users/verify/nobody");
}

// ---- requestPasswordChange / executePasswordChange --------------------------------------------------

async fn request_change(app: &TestApp, client: &str, user_id: &str) -> Value {
    let (status, body) = call_json(
        app,
        Method::POST,
        "/api/v1/users/requestPasswordChange",
        client,
        Some(json!({"userId": user_id})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn execute_change(app: &TestApp, client: &str, body: Value) -> (u16, Value) {
    call_json(
        app,
        Method::POST,
        "/api/v1/users/executePasswordChange",
        client,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn requesting_a_password_change_returns_a_token_for_execute() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let body = request_change(&app, &client, "FelixSmith").await;
    let token = body["passwordChangeToken"].as_str().unwrap();
    // A lower-case UUID: what executePasswordChange's `[0-9a-f-]` pattern accepts.
    assert!(
        token.len() == 36
            && token
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase() || c == '-')
    );
    insta::assert_json_snapshot!(body, { ".passwordChangeToken" => "[token]" });
}

#[tokio::test]
async fn executing_a_password_change_sets_the_password_and_revokes_every_token_of_the_user() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let old = user_token(&app, FELIX).await;
    let other_client = password_grant(&app, AUTOVERIFY, FELIX).await;
    let change = request_change(&app, &client, "felixsmith").await;
    let (status, body) = execute_change(
        &app,
        &client,
        json!({"userId": "FELIXSMITH", "password": "Brand-New-1", "passwordChangeToken": change["passwordChangeToken"]}),
    )
    .await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &old, None)
            .await
            .status(),
        401
    );
    let other = super::access_token(&other_client);
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &other, None)
            .await
            .status(),
        401
    );
    assert_eq!(failed_login(&app, FELIX).await.0, 400);
    let new = user_token(&app, (FELIX.0, "Brand-New-1")).await;
    assert_ne!(new, old);
    // Client tokens are not affected.
    assert_eq!(
        verification_status(&app, &client, "felixsmith").await,
        Ok(true)
    );
}

#[tokio::test]
async fn a_password_change_unlocks_a_locked_user() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    assert_eq!(failed_login(&app, JAN).await.0, 423);
    let change = request_change(&app, &client, JAN.0).await;
    assert_eq!(change["userEmail"], "jan.novak@example.com");
    let (status, _) = execute_change(
        &app,
        &client,
        json!({"userId": JAN.0, "password": "Jan-Unlocked-1", "passwordChangeToken": change["passwordChangeToken"]}),
    )
    .await;
    assert_eq!(status, 200);
    user_token(&app, (JAN.0, "Jan-Unlocked-1")).await;
    let admin = client_token(&app, ADMIN).await;
    assert_eq!(
        all_users(&app, &admin, "userId=jan.novak").await[0]["isLocked"],
        false
    );
}

#[tokio::test]
async fn a_password_change_token_is_single_use() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let change = request_change(&app, &client, FELIX.0).await;
    let body = json!({"userId": FELIX.0, "password": "Brand-New-1", "passwordChangeToken": change["passwordChangeToken"]});
    assert_eq!(execute_change(&app, &client, body.clone()).await.0, 200);
    let mut again = body;
    again["password"] = json!("Brand-New-2");
    let (status, error) = execute_change(&app, &client, again).await;
    assert_eq!(status, 403);
    assert_error(
        &error,
        "INVALID_TOKEN",
        "POST /api/v1/users/executePasswordChange",
    );
    user_token(&app, (FELIX.0, "Brand-New-1")).await;
}

#[tokio::test]
async fn a_wrong_password_change_token_returns_403_and_changes_nothing() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = execute_change(
        &app,
        &client,
        json!({"userId": FELIX.0, "password": "Brand-New-1", "passwordChangeToken": "45a611d8-8a19-4a02-8726-a24b6a691ce9"}),
    )
    .await;
    assert_eq!(status, 403);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    // Another user's token does not fit either.
    let ada = request_change(&app, &client, super::ADA.0).await;
    let (status, _) = execute_change(
        &app,
        &client,
        json!({"userId": FELIX.0, "password": "Brand-New-1", "passwordChangeToken": ada["passwordChangeToken"]}),
    )
    .await;
    assert_eq!(status, 403);
    user_token(&app, FELIX).await;
}

#[tokio::test]
async fn requesting_a_password_change_for_an_unverified_user_returns_422() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        Some(json!({"userId": ERIKA.0})),
    )
    .await;
    assert_eq!(status, 422);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn a_password_change_for_an_unknown_user_returns_404() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        Some(json!({"userId": "nobody"})),
    )
    .await;
    assert_eq!(status, 404);
    assert_error(
        &body,
        "UNKNOWN_ENTITY",
        "POST /api/v1/users/requestPasswordChange",
    );
    let (status, body) = execute_change(
        &app,
        &client,
        json!({"userId": "nobody", "password": "Brand-New-1", "passwordChangeToken": "45a611d8-8a19-4a02-8726-a24b6a691ce9"}),
    )
    .await;
    assert_eq!(status, 404);
    assert_error(
        &body,
        "UNKNOWN_ENTITY",
        "POST /api/v1/users/executePasswordChange",
    );
}

#[tokio::test]
async fn password_change_input_is_validated_before_the_token_is_spent() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let change = request_change(&app, &client, FELIX.0).await;
    let token = change["passwordChangeToken"].clone();
    let cases = [
        (
            json!({"password": "Brand-New-1", "passwordChangeToken": token}),
            "MISSING_FIELD",
        ),
        (
            json!({"userId": FELIX.0, "passwordChangeToken": token}),
            "MISSING_FIELD",
        ),
        (
            json!({"userId": FELIX.0, "password": "Brand-New-1"}),
            "MISSING_FIELD",
        ),
        (
            json!({"userId": FELIX.0, "password": "short", "passwordChangeToken": token}),
            "BAD_REQUEST",
        ),
        (
            json!({"userId": FELIX.0, "password": "x".repeat(129), "passwordChangeToken": token}),
            "BAD_REQUEST",
        ),
        (
            json!({"userId": FELIX.0, "password": "Brand-New-1", "passwordChangeToken": "NOT-HEX!"}),
            "BAD_REQUEST",
        ),
        (
            json!({"userId": FELIX.0, "password": 123456, "passwordChangeToken": token}),
            "BAD_REQUEST",
        ),
    ];
    for (body, code) in cases {
        let (status, error) = execute_change(&app, &client, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_error(&error, code, "POST /api/v1/users/executePasswordChange");
    }
    // The token is still good and the password unchanged until a valid execute.
    user_token(&app, FELIX).await;
    let body = json!({"userId": FELIX.0, "password": "Brand-New-1", "passwordChangeToken": token});
    assert_eq!(execute_change(&app, &client, body).await.0, 200);
}

#[tokio::test]
async fn requesting_a_password_change_without_a_body_or_user_id_returns_400() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    // `users.request_password_change()` sends no body at all.
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("no_body", body, { ".requestId" => redactions::request_id() });
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("no_user_id", body, { ".requestId" => redactions::request_id() });
}

// ---- case-insensitive ids ---------------------------------------------------------------------------

#[tokio::test]
async fn user_ids_are_case_insensitive_everywhere_and_keep_their_created_casing() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    create_user(
        &app,
        &client,
        json!({"id": "MixedCase.User", "password": "mixed-secret"}),
    )
    .await;
    assert_eq!(
        verification_status(&app, &client, "mixedcase.user").await,
        Ok(false)
    );
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/users/verify/MIXEDCASE.USER",
            &client,
            None
        )
        .await
        .status(),
        200
    );
    let token = user_token(&app, ("mixedCASE.user", "mixed-secret")).await;
    let (_, me) = call_json(&app, Method::GET, "/api/v1/users", &token, None).await;
    assert_eq!(me["id"], "MixedCase.User");
    let change = request_change(&app, &client, "MIXEDCASE.user").await;
    assert_eq!(change["userId"], "MixedCase.User");
    let (status, _) = execute_change(
        &app,
        &client,
        json!({"userId": "mixedcase.USER", "password": "mixed-secret-2", "passwordChangeToken": change["passwordChangeToken"]}),
    )
    .await;
    assert_eq!(status, 200);
    user_token(&app, ("MIXEDCASE.USER", "mixed-secret-2")).await;
    let admin = client_token(&app, ADMIN).await;
    let listed = all_users(&app, &admin, "userId=MIXEDCASE.USER").await;
    assert_eq!(user_ids(&listed), ["MixedCase.User"]);
}

#[tokio::test]
async fn a_post_with_x_http_method_override_delete_deletes_an_unverified_user() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let response = app
        .post("/api/v1/users/erika.musterfrau")
        .header("authorization", format!("Bearer {client}"))
        .header("x-http-method-override", "DELETE")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(verification_status(&app, &client, ERIKA.0).await, Err(404));
}

#[tokio::test]
async fn a_deleted_users_password_change_token_dies_with_them() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let change = request_change(&app, &client, super::GRACE.0).await;
    let admin = client_token(&app, ADMIN).await;
    let (status, _) = call_json(
        &app,
        Method::POST,
        "/api/v1/mandatorAdmin/deleteUsers",
        &admin,
        Some(json!({"userIds": [super::GRACE.0]})),
    )
    .await;
    assert_eq!(status, 200);
    // Someone new takes the id; the old token does not change their password.
    let autoverify = client_token(&app, AUTOVERIFY).await;
    create_user(
        &app,
        &autoverify,
        json!({"id": super::GRACE.0, "password": "new-grace-1"}),
    )
    .await;
    let (status, _) = execute_change(
        &app,
        &client,
        json!({"userId": super::GRACE.0, "password": "hijacked-1", "passwordChangeToken": change["passwordChangeToken"]}),
    )
    .await;
    assert_eq!(status, 403);
    user_token(&app, (super::GRACE.0, "new-grace-1")).await;
}
