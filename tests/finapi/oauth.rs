//! `POST /oauth/token` (three grants, query string or form body) and `POST /oauth/revoke`.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use user_sandbox::store::clock::ClockMode;

use super::{
    ADMIN, AUTOVERIFY, CLIENT, ERIKA, FELIX, GRACE, JAN, access_token, assert_error, call,
    call_json, client_token, failed_login, fixtures_with_token_validity, form_request, grant,
    password_grant, token_request, user_token,
};
use crate::support::{redactions, spawn_app, spawn_app_with, status_and_json};

fn client_params((id, secret): (&'static str, &'static str)) -> [(&'static str, &'static str); 3] {
    [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ]
}

#[tokio::test]
async fn client_credentials_in_the_query_string_with_an_empty_json_body_get_a_client_token() {
    let app = spawn_app().await;
    let response = token_request(&app, &client_params(CLIENT)).await;
    assert!(
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("selfgen-")
    );
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200);
    // No refresh token for client tokens: the key is absent.
    assert!(body.get("refresh_token").is_none(), "{body}");
    insta::assert_json_snapshot!(body, { ".access_token" => redactions::token(128) });
}

#[tokio::test]
async fn client_credentials_in_a_form_body_get_the_same_token_while_it_is_valid() {
    let app = spawn_app().await;
    let from_query = client_token(&app, CLIENT).await;
    let (status, body) =
        status_and_json(form_request(&app, "/oauth/token", None, &client_params(CLIENT)).await)
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(access_token(&body), from_query);
    assert_eq!(body["expires_in"], 3600);
    // Another client gets another token.
    assert_ne!(client_token(&app, AUTOVERIFY).await, from_query);
}

#[tokio::test]
async fn the_password_grant_gets_a_user_token_with_a_refresh_token() {
    let app = spawn_app().await;
    let body = password_grant(&app, CLIENT, FELIX).await;
    insta::assert_json_snapshot!(body, {
        ".access_token" => redactions::token(128),
        ".refresh_token" => redactions::token(128),
    });
    let (status, user) = call_json(
        &app,
        Method::GET,
        "/api/v1/users",
        &access_token(&body),
        None,
    )
    .await;
    assert_eq!((status, user["id"].as_str()), (200, Some("felixsmith")));
}

#[tokio::test]
async fn the_password_grant_in_a_form_body_matches_the_username_case_insensitively() {
    let app = spawn_app().await;
    let first = password_grant(&app, CLIENT, FELIX).await;
    let params = [
        ("grant_type", "password"),
        ("client_id", CLIENT.0),
        ("client_secret", CLIENT.1),
        ("username", "FelixSmith"),
        ("password", FELIX.1),
    ];
    let (status, body) =
        status_and_json(form_request(&app, "/oauth/token", None, &params).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["access_token"], first["access_token"]);
    assert_eq!(body["refresh_token"], first["refresh_token"]);
}

#[tokio::test]
async fn a_user_logging_in_through_two_clients_gets_two_tokens() {
    let app = spawn_app().await;
    let one = password_grant(&app, CLIENT, FELIX).await;
    let two = password_grant(&app, AUTOVERIFY, FELIX).await;
    assert_ne!(one["access_token"], two["access_token"]);
    for token in [one, two] {
        let (status, _) = call_json(
            &app,
            Method::GET,
            "/api/v1/users",
            &access_token(&token),
            None,
        )
        .await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn expires_in_counts_down_while_the_same_token_is_returned() {
    let app = spawn_app_with(|s| s.clock = ClockMode::System).await;
    let first = grant(&app, &client_params(CLIENT)).await;
    assert_eq!(first["expires_in"], 3600);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = grant(&app, &client_params(CLIENT)).await;
    assert_eq!(second["access_token"], first["access_token"]);
    let left = second["expires_in"].as_i64().unwrap();
    assert!(
        (3590..3600).contains(&left),
        "expires_in did not count down: {left}"
    );
}

#[tokio::test]
async fn tokens_expire_by_the_sandbox_clock() {
    let fixtures = fixtures_with_token_validity(1);
    let app = spawn_app_with(|s| {
        s.clock = ClockMode::System;
        s.fixtures = Some(fixtures);
    })
    .await;
    let client = client_token(&app, CLIENT).await;
    let user = password_grant(&app, CLIENT, FELIX).await;
    assert_eq!(user["expires_in"], 1);
    tokio::time::sleep(Duration::from_millis(1300)).await;

    let (status, body) = call_json(
        &app,
        Method::GET,
        "/api/v1/users",
        &access_token(&user),
        None,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"error": "invalid_token", "error_description": format!("Access token expired: {}", access_token(&user))})
    );
    let path = "/api/v1/users/verificationStatus?userId=felixsmith";
    assert_eq!(
        call(&app, Method::GET, path, &client, None).await.status(),
        401
    );
    // An expired refresh token is refused; a new login and a new client token work.
    let refresh = user["refresh_token"].as_str().unwrap();
    let refreshed = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT.0),
            ("client_secret", CLIENT.1),
            ("refresh_token", refresh),
        ],
    )
    .await;
    assert_eq!(refreshed.status(), 400);
    let fresh = client_token(&app, CLIENT).await;
    assert_ne!(fresh, client);
    assert_eq!(
        call(&app, Method::GET, path, &fresh, None).await.status(),
        200
    );
    let again = password_grant(&app, CLIENT, FELIX).await;
    assert_ne!(again["access_token"], user["access_token"]);
}

#[tokio::test]
async fn tokens_expire_when_the_control_plane_advances_the_clock() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let user = user_token(&app, FELIX).await;
    let advanced = app
        .post("/__admin/clock/advance")
        .json(&json!({"seconds": 3599}))
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), 200);
    let again = grant(&app, &client_params(CLIENT)).await;
    assert_eq!(
        (access_token(&again), again["expires_in"].as_i64()),
        (client.clone(), Some(1))
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &user, None)
            .await
            .status(),
        200
    );

    let advanced = app
        .post("/__admin/clock/advance")
        .json(&json!({"seconds": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), 200);
    let (status, body) = call_json(&app, Method::GET, "/api/v1/users", &user, None).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["error_description"],
        format!("Access token expired: {user}")
    );
    assert_ne!(client_token(&app, CLIENT).await, client);
}

#[tokio::test]
async fn bad_client_credentials_get_401_invalid_client() {
    let app = spawn_app().await;
    let cases: [&[(&str, &str)]; 4] = [
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox-client"),
            ("client_secret", "wrong"),
        ],
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "sandbox-client-secret"),
        ],
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox-client"),
        ],
        &[
            ("grant_type", "password"),
            ("client_id", "sandbox-client"),
            ("client_secret", "wrong"),
            ("username", FELIX.0),
            ("password", FELIX.1),
        ],
    ];
    for params in cases {
        let (status, body) = status_and_json(token_request(&app, params).await).await;
        assert_eq!(status, 401, "{params:?}");
        assert_eq!(
            body,
            json!({"error": "invalid_client", "error_description": "Bad client credentials"})
        );
    }
}

#[tokio::test]
async fn a_wrong_password_gets_400() {
    let app = spawn_app().await;
    let (status, body) = failed_login(&app, (FELIX.0, "not-the-password")).await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn an_unknown_user_or_a_missing_password_gets_400() {
    let app = spawn_app().await;
    let (status, body) = failed_login(&app, ("nobody", "whatever1")).await;
    assert_eq!(status, 400);
    assert_error(&body, "BAD_REQUEST", "POST /oauth/token");
    let params = [
        ("grant_type", "password"),
        ("client_id", CLIENT.0),
        ("client_secret", CLIENT.1),
        ("username", FELIX.0),
    ];
    let (status, body) = status_and_json(token_request(&app, &params).await).await;
    assert_eq!(status, 400);
    assert_error(&body, "BAD_REQUEST", "POST /oauth/token");
}

#[tokio::test]
async fn an_unverified_user_gets_403() {
    let app = spawn_app().await;
    let (status, body) = failed_login(&app, ERIKA).await;
    assert_eq!(status, 403);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn a_locked_user_gets_423_even_with_the_right_password() {
    let app = spawn_app().await;
    let (status, body) = failed_login(&app, JAN).await;
    assert_eq!(status, 423);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn three_wrong_passwords_lock_the_user_and_revoke_their_tokens() {
    let app = spawn_app().await;
    let token = user_token(&app, GRACE).await;
    for _ in 0..3 {
        assert_eq!(failed_login(&app, (GRACE.0, "wrong-password")).await.0, 400);
    }
    let (status, body) = failed_login(&app, GRACE).await;
    assert_eq!(status, 423);
    assert_error(&body, "LOCKED", "POST /oauth/token");
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &token, None)
            .await
            .status(),
        401
    );
    let admin = client_token(&app, ADMIN).await;
    let listed = super::all_users(&app, &admin, "userId=grace.hopper").await;
    assert_eq!(listed[0]["isLocked"], true);
}

#[tokio::test]
async fn a_successful_login_resets_the_failed_login_counter() {
    let app = spawn_app().await;
    for _ in 0..2 {
        assert_eq!(failed_login(&app, (GRACE.0, "wrong-password")).await.0, 400);
    }
    user_token(&app, GRACE).await;
    for _ in 0..2 {
        assert_eq!(failed_login(&app, (GRACE.0, "wrong-password")).await.0, 400);
    }
    user_token(&app, GRACE).await;
}

#[tokio::test]
async fn an_unknown_or_missing_grant_type_gets_400() {
    let app = spawn_app().await;
    let (status, body) = status_and_json(
        token_request(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT.0),
                ("client_secret", CLIENT.1),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    let (status, body) = status_and_json(
        token_request(
            &app,
            &[("client_id", CLIENT.0), ("client_secret", CLIENT.1)],
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_error(&body, "BAD_REQUEST", "POST /oauth/token");
}

#[tokio::test]
async fn a_malformed_form_body_gets_400() {
    let app = spawn_app().await;
    let response = app
        .post("/oauth/token")
        .header("content-type", "application/json")
        .body("{\"grant_type\":")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 400);
    assert_error(&body, "BAD_REQUEST", "POST /oauth/token");
}

fn refresh_params(refresh: &str) -> [(&str, &str); 4] {
    [
        ("grant_type", "refresh_token"),
        ("client_id", CLIENT.0),
        ("client_secret", CLIENT.1),
        ("refresh_token", refresh),
    ]
}

#[tokio::test]
async fn the_refresh_token_grant_replaces_the_access_token() {
    let app = spawn_app().await;
    let login = password_grant(&app, CLIENT, FELIX).await;
    let refresh = login["refresh_token"].as_str().unwrap();
    let refreshed = grant(&app, &refresh_params(refresh)).await;
    insta::assert_json_snapshot!(refreshed, {
        ".access_token" => redactions::token(128),
        ".refresh_token" => redactions::token(128),
    });
    assert_ne!(refreshed["access_token"], login["access_token"]);
    assert_eq!(refreshed["refresh_token"], login["refresh_token"]);
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/users",
            &access_token(&login),
            None
        )
        .await
        .status(),
        401
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/users",
            &access_token(&refreshed),
            None
        )
        .await
        .status(),
        200
    );
    // The refresh token stays usable.
    grant(&app, &refresh_params(refresh)).await;
}

#[tokio::test]
async fn an_unknown_refresh_token_or_one_of_another_client_gets_400() {
    let app = spawn_app().await;
    let (status, body) =
        status_and_json(token_request(&app, &refresh_params("no-such-refresh-token")).await).await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });

    let other = password_grant(&app, AUTOVERIFY, FELIX).await;
    let (status, _) = status_and_json(
        token_request(
            &app,
            &refresh_params(other["refresh_token"].as_str().unwrap()),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    // Client tokens have no refresh token; their access token is not one.
    let client = client_token(&app, CLIENT).await;
    assert_eq!(
        token_request(&app, &refresh_params(&client)).await.status(),
        400
    );
    let missing = [
        ("grant_type", "refresh_token"),
        ("client_id", CLIENT.0),
        ("client_secret", CLIENT.1),
    ];
    assert_eq!(token_request(&app, &missing).await.status(), 400);
}

async fn revoke(app: &crate::support::TestApp, client: &str, query: &str) -> u16 {
    let response = app
        .post(&format!("/oauth/revoke?{query}"))
        .header("authorization", format!("Bearer {client}"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        assert_eq!(
            response.text().await.unwrap(),
            "",
            "revoke answers with an empty body"
        );
    }
    status
}

#[tokio::test]
async fn revoking_with_the_access_token_hint_revokes_only_that_access_token() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let login = password_grant(&app, CLIENT, FELIX).await;
    let access = access_token(&login);
    assert_eq!(
        revoke(
            &app,
            &client,
            &format!("token={access}&token_type_hint=access_token")
        )
        .await,
        200
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &access, None)
            .await
            .status(),
        401
    );
    let refreshed = grant(
        &app,
        &refresh_params(login["refresh_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/users",
            &access_token(&refreshed),
            None
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn revoking_with_the_refresh_token_hint_revokes_the_whole_grant() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let login = password_grant(&app, CLIENT, FELIX).await;
    let refresh = login["refresh_token"].as_str().unwrap();
    assert_eq!(
        revoke(
            &app,
            &client,
            &format!("token={refresh}&token_type_hint=refresh_token")
        )
        .await,
        200
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/users",
            &access_token(&login),
            None
        )
        .await
        .status(),
        401
    );
    assert_eq!(
        token_request(&app, &refresh_params(refresh)).await.status(),
        400
    );
    // A new login gets a new token.
    let again = password_grant(&app, CLIENT, FELIX).await;
    assert_ne!(again["access_token"], login["access_token"]);
}

#[tokio::test]
async fn revoking_an_access_token_without_a_hint_revokes_the_whole_grant() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let login = password_grant(&app, CLIENT, FELIX).await;
    assert_eq!(
        revoke(&app, &client, &format!("token={}", access_token(&login))).await,
        200
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/users",
            &access_token(&login),
            None
        )
        .await
        .status(),
        401
    );
    assert_eq!(
        token_request(
            &app,
            &refresh_params(login["refresh_token"].as_str().unwrap())
        )
        .await
        .status(),
        400
    );
}

#[tokio::test]
async fn revoke_reads_a_form_body_and_revokes_client_tokens_too() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let response = form_request(&app, "/oauth/revoke", Some(&client), &[("token", &client)]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/users/verificationStatus?userId=felixsmith",
            &client,
            None
        )
        .await
        .status(),
        401
    );
    assert_ne!(client_token(&app, CLIENT).await, client);
}

#[tokio::test]
async fn revoking_an_unknown_token_or_another_clients_token_answers_200_and_changes_nothing() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    assert_eq!(revoke(&app, &client, "token=no-such-token").await, 200);
    let other = password_grant(&app, AUTOVERIFY, FELIX).await;
    assert_eq!(
        revoke(&app, &client, &format!("token={}", access_token(&other))).await,
        200
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/users",
            &access_token(&other),
            None
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn revoke_with_an_unsupported_hint_or_without_a_token_gets_400() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/oauth/revoke?token=abc&token_type_hint=id_token",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("unsupported_hint", body, { ".requestId" => redactions::request_id() });
    let (status, body) = call_json(&app, Method::POST, "/oauth/revoke", &client, None).await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("missing_token", body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn revoke_needs_a_client_token() {
    let app = spawn_app().await;
    let user = user_token(&app, FELIX).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        &format!("/oauth/revoke?token={user}"),
        &user,
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert_error(&body, "UNAUTHORIZED_ACCESS", "POST /oauth/revoke");
    let anonymous = app.post("/oauth/revoke?token=abc").send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    // The user token survived the refused revocation; the mandator admin may revoke its own.
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &user, None)
            .await
            .status(),
        200
    );
    let admin = client_token(&app, ADMIN).await;
    assert_eq!(revoke(&app, &admin, &format!("token={admin}")).await, 200);
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/mandatorAdmin/getUserList",
            &admin,
            None
        )
        .await
        .status(),
        401
    );
}

#[tokio::test]
async fn client_credentials_in_an_http_basic_header_get_a_client_token() {
    // Swagger UI's Authorize dialog authenticates the client this way.
    let app = spawn_app().await;
    let from_query = client_token(&app, CLIENT).await;
    let response = app
        .post("/oauth/token")
        .basic_auth(CLIENT.0, Some(CLIENT.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(access_token(&body), from_query);
    let response = app
        .post("/oauth/token")
        .basic_auth(CLIENT.0, Some("wrong"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
