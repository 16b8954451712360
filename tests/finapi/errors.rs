//! finAPI's error contract on every route: the OAuth 401 body, 403 for the wrong role, the
//! `ErrorMessage` envelope for bad input, unknown paths and methods, and `X-Request-Id`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    ADMIN, CLIENT, FELIX, all_users, assert_error, call, call_json, client_token, user_token,
    verification_status,
};
use crate::support::{TestApp, redactions, spawn_app, spawn_app_with, status_and_json};

// ---- 401 ----------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_request_without_a_token_gets_401_unauthorized() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/users").send().await.unwrap();
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 401);
    insta::assert_json_snapshot!(body);
}

#[tokio::test]
async fn bearer_with_nothing_after_it_gets_401() {
    // The Python client sends `Authorization: Bearer ` when no access token is configured.
    let app = spawn_app().await;
    let response = app
        .get("/api/v1/users")
        .header("authorization", "Bearer ")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"error": "unauthorized", "error_description": "Full authentication is required to access this resource"})
    );
    let response = app
        .get("/api/v1/users")
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn an_unknown_token_gets_401_invalid_token() {
    let app = spawn_app().await;
    let (status, body) = call_json(&app, Method::GET, "/api/v1/users", "no-such-token", None).await;
    assert_eq!(status, 401);
    insta::assert_json_snapshot!(body);
    for (method, path) in [
        (Method::POST, "/api/v1/users"),
        (Method::GET, "/api/v1/mandatorAdmin/getUserList"),
        (Method::POST, "/oauth/revoke?token=x"),
        (Method::DELETE, "/api/v1/users/felixsmith"),
    ] {
        let (status, body) =
            call_json(&app, method.clone(), path, "no-such-token", Some(json!({}))).await;
        assert_eq!(status, 401, "{method} {path}");
        assert_eq!(body["error"], "invalid_token");
    }
}

#[tokio::test]
async fn the_deprecated_access_token_query_parameter_is_accepted() {
    let app = spawn_app().await;
    let token = user_token(&app, FELIX).await;
    let response = app
        .get(&format!("/api/v1/users?access_token={token}"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!((status, body["id"].as_str()), (200, Some("felixsmith")));
}

// ---- 403 ----------------------------------------------------------------------------------------------

/// One operation of each family, with a body it would accept.
pub(super) fn operations() -> Vec<(&'static str, Method, &'static str, Option<Value>)> {
    vec![
        (
            "client",
            Method::POST,
            "/api/v1/users",
            Some(json!({"id": "new.user"})),
        ),
        (
            "client",
            Method::DELETE,
            "/api/v1/users/erika.musterfrau",
            None,
        ),
        (
            "client",
            Method::GET,
            "/api/v1/users/verificationStatus?userId=felixsmith",
            None,
        ),
        (
            "client",
            Method::POST,
            "/api/v1/users/requestPasswordChange",
            Some(json!({"userId": "felixsmith"})),
        ),
        (
            "client",
            Method::POST,
            "/api/v1/users/executePasswordChange",
            Some(
                json!({"userId": "felixsmith", "password": "Brand-New-1", "passwordChangeToken": "45a611d8"}),
            ),
        ),
        (
            "client",
            Method::POST,
            "/api/v1/users/verify/erika.musterfrau",
            None,
        ),
        ("user", Method::GET, "/api/v1/users", None),
        (
            "user",
            Method::PATCH,
            "/api/v1/users",
            Some(json!({"phone": ""})),
        ),
        ("user", Method::DELETE, "/api/v1/users", None),
        (
            "admin",
            Method::GET,
            "/api/v1/mandatorAdmin/getUserList",
            None,
        ),
        (
            "admin",
            Method::POST,
            "/api/v1/mandatorAdmin/deleteUsers",
            Some(json!({"userIds": ["felixsmith"]})),
        ),
        (
            "admin",
            Method::POST,
            "/api/v1/mandatorAdmin/changeClientCredentials",
            Some(
                json!({"clientId": "sandbox-client", "oldClientSecret": "sandbox-client-secret",
                "newClientSecret": "0123abcd-89ab-cdef-0123-456789abcdef"}),
            ),
        ),
    ]
}

#[tokio::test]
async fn every_operation_refuses_the_wrong_token_role_with_403() {
    let app = spawn_app().await;
    let tokens = [
        ("client", client_token(&app, CLIENT).await),
        ("user", user_token(&app, FELIX).await),
        ("admin", client_token(&app, ADMIN).await),
    ];
    for (role, method, path, body) in operations() {
        for (other, token) in tokens.iter().filter(|(r, _)| *r != role) {
            let (status, error) = call_json(&app, method.clone(), path, token, body.clone()).await;
            assert_eq!(status, 403, "{other} token on {method} {path}: {error}");
            let endpoint = format!("{method} {}", path.split('?').next().unwrap());
            assert_error(&error, "UNAUTHORIZED_ACCESS", &endpoint);
        }
    }
    // Nothing was written by the refused requests.
    let client = &tokens[0].1;
    assert_eq!(
        verification_status(&app, client, "new.user").await,
        Err(404)
    );
    assert_eq!(
        verification_status(&app, client, "erika.musterfrau").await,
        Ok(false)
    );
    assert_eq!(
        verification_status(&app, client, "felixsmith").await,
        Ok(true)
    );
    client_token(&app, CLIENT).await;
    let (_, me) = call_json(&app, Method::GET, "/api/v1/users", &tokens[1].1, None).await;
    assert_eq!(me["phone"], "+44 7700 900123");
}

#[tokio::test]
async fn the_403_body_names_the_caller_in_the_auth_context() {
    let app = spawn_app().await;
    let user = user_token(&app, FELIX).await;
    let (status, body) = call_json(
        &app,
        Method::GET,
        "/api/v1/mandatorAdmin/getUserList",
        &user,
        None,
    )
    .await;
    assert_eq!(status, 403);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

// ---- bad input ------------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_gets_400_on_every_body_taking_operation() {
    let app = spawn_app().await;
    let tokens = [
        ("client", client_token(&app, CLIENT).await),
        ("user", user_token(&app, FELIX).await),
        ("admin", client_token(&app, ADMIN).await),
    ];
    for (role, method, path, body) in operations() {
        if body.is_none() {
            continue;
        }
        let token = &tokens.iter().find(|(r, _)| *r == role).unwrap().1;
        for raw in [
            "{\"id\": ",
            "not json",
            "{\"userId\": \"felixsmith\",}",
            "\u{0}",
        ] {
            let response = app
                .request(method.clone(), path)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            let (status, error) = status_and_json(response).await;
            assert_eq!(status, 400, "{method} {path} with {raw:?}: {error}");
            assert_error(&error, "BAD_REQUEST", &format!("{method} {path}"));
        }
    }
    let response = call(&app, Method::POST, "/api/v1/users", &tokens[0].1, None).await;
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("missing_body", body, { ".requestId" => redactions::request_id() });
    let (_, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users",
        &tokens[0].1,
        Some(json!({"id": 5})),
    )
    .await;
    insta::assert_json_snapshot!("wrong_type", body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_415() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let response = app
        .post("/api/v1/users")
        .header("authorization", format!("Bearer {client}"))
        .header("content-type", "text/plain")
        .body("{\"id\":\"plain\"}")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 415);
    assert_error(&body, "UNSUPPORTED_MEDIA_TYPE", "POST /api/v1/users");
    assert_eq!(verification_status(&app, &client, "plain").await, Err(404));
}

#[tokio::test]
async fn user_creation_rejects_bad_fields_and_writes_nothing() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let cases = [
        json!({"id": "x".repeat(37)}),
        json!({"id": "bad id"}),
        json!({"id": "bad/id"}),
        json!({"id": "bäd"}),
        json!({"id": ""}),
        json!({"id": "ok.id", "password": "short"}),
        json!({"id": "ok.id", "password": "x".repeat(129)}),
        json!({"id": "ok.id", "password": "tab\tpassword"}),
        json!({"id": "ok.id", "email": "smile😀@example.com"}),
        json!({"id": "ok.id", "email": format!("{}@example.com", "a".repeat(309))}),
        json!({"id": "ok.id", "email": "a\u{0007}b@example.com"}),
        json!({"id": "ok.id", "phone": "1".repeat(51)}),
        json!({"id": "ok.id", "phone": "+49\n30"}),
        json!({"id": "ok.id", "isAutoUpdateEnabled": "false"}),
        json!({"id": ["ok.id"]}),
        json!("ok.id"),
    ];
    for body in cases {
        let (status, error) = call_json(
            &app,
            Method::POST,
            "/api/v1/users",
            &client,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}: {error}");
        assert_error(&error, "BAD_REQUEST", "POST /api/v1/users");
    }
    assert_eq!(verification_status(&app, &client, "ok.id").await, Err(404));
    let admin = client_token(&app, ADMIN).await;
    assert_eq!(all_users(&app, &admin, "").await.len(), 28);
    // The limits themselves are allowed: 36 id characters, 6 and 128 password characters.
    for body in [
        json!({"id": "a".repeat(36), "password": "123456"}),
        json!({"id": "long.password", "password": "p".repeat(128), "email": "jan.novák@example.com"}),
    ] {
        let (status, created) =
            call_json(&app, Method::POST, "/api/v1/users", &client, Some(body)).await;
        assert_eq!(status, 201, "{created}");
    }
    let (_, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users",
        &client,
        Some(json!({"id": "x".repeat(37)})),
    )
    .await;
    insta::assert_json_snapshot!("id_too_long", body, { ".requestId" => redactions::request_id() });
    let (_, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users",
        &client,
        Some(json!({"email": "smile😀@example.com"})),
    )
    .await;
    insta::assert_json_snapshot!("emoji_in_email", body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn bad_ids_in_paths_and_queries_get_400() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let long = "x".repeat(37);
    for (method, path) in [
        (Method::POST, format!("/api/v1/users/verify/{long}")),
        (Method::DELETE, format!("/api/v1/users/{long}")),
        (
            Method::GET,
            format!("/api/v1/users/verificationStatus?userId={long}"),
        ),
        (
            Method::GET,
            "/api/v1/users/verificationStatus?userId=".to_string(),
        ),
        (
            Method::GET,
            "/api/v1/users/verificationStatus?userId=a%00b".to_string(),
        ),
        (Method::POST, "/api/v1/users/verify/a%0Ab".to_string()),
    ] {
        let (status, body) = call_json(&app, method.clone(), &path, &client, None).await;
        assert_eq!(status, 400, "{method} {path}: {body}");
        assert_eq!(body["errors"][0]["code"], "BAD_REQUEST");
    }
    let (status, body) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        Some(json!({"userId": "felix smith"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_error(
        &body,
        "BAD_REQUEST",
        "POST /api/v1/users/requestPasswordChange",
    );
}

// ---- X-Request-Id -----------------------------------------------------------------------------------------

#[tokio::test]
async fn a_sent_request_id_is_echoed_in_the_header_and_the_error_body() {
    let app = spawn_app().await;
    let response = app
        .get("/api/v1/users/verificationStatus?userId=felixsmith")
        .header("x-request-id", "my-trace-1")
        .header("authorization", "Bearer nope")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "my-trace-1");
    let client = client_token(&app, CLIENT).await;
    let response = app
        .get("/api/v1/users/verificationStatus?userId=nobody")
        .header("authorization", format!("Bearer {client}"))
        .header("x-request-id", "my-trace-2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "my-trace-2");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 404);
    insta::assert_json_snapshot!(body);
    // Successes echo it too, at any length up to 255.
    let id = "r".repeat(255);
    let response = app
        .get("/api/v1/users/verificationStatus?userId=felixsmith")
        .header("authorization", format!("Bearer {client}"))
        .header("x-request-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], id.as_str());
}

#[tokio::test]
async fn without_a_request_id_one_is_generated_and_used_in_the_body() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let response = call(
        &app,
        Method::GET,
        "/api/v1/users/verificationStatus?userId=nobody",
        &client,
        None,
    )
    .await;
    let header = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let (_, body) = status_and_json(response).await;
    assert_eq!(body["requestId"], header.as_str());
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn a_request_id_longer_than_255_characters_gets_400() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let id = "r".repeat(256);
    let response = app
        .post("/api/v1/users")
        .header("authorization", format!("Bearer {client}"))
        .header("content-type", "application/json")
        .header("x-request-id", &id)
        .body(json!({"id": "traced"}).to_string())
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 400);
    assert_error(&body, "BAD_REQUEST", "POST /api/v1/users");
    assert_eq!(body["requestId"], id.as_str());
    insta::assert_json_snapshot!(body, { ".requestId" => "[256 characters]" });
    assert_eq!(verification_status(&app, &client, "traced").await, Err(404));
}

// ---- routing ------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_paths_under_the_finapi_prefixes_get_the_404_envelope() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let (status, body) = call_json(&app, Method::GET, "/api/v1/accounts", &client, None).await;
    assert_eq!(status, 404);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    for (method, path) in [
        (Method::POST, "/api/v1/users/verify/a/b"),
        (Method::POST, "/api/v1/mandatorAdmin/nothing"),
        (Method::POST, "/oauth/authorize"),
        (Method::GET, "/api/v1"),
    ] {
        let response = app.request(method.clone(), path).send().await.unwrap();
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, 404, "{method} {path}");
        assert_error(&body, "UNKNOWN_ENTITY", &format!("{method} {path}"));
    }
}

#[tokio::test]
async fn a_wrong_method_on_a_known_path_gets_the_405_envelope() {
    let app = spawn_app().await;
    let response = app.put("/api/v1/users").send().await.unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 405);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    for (method, path) in [
        (Method::GET, "/oauth/token"),
        (Method::GET, "/api/v1/mandatorAdmin/deleteUsers"),
        (Method::POST, "/api/v1/mandatorAdmin/getUserList"),
        (Method::GET, "/api/v1/users/verify/felixsmith"),
        (Method::GET, "/api/v1/users/felixsmith"),
        (Method::DELETE, "/oauth/revoke"),
    ] {
        let response = app.request(method.clone(), path).send().await.unwrap();
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, 405, "{method} {path}");
        assert_error(&body, "METHOD_NOT_ALLOWED", &format!("{method} {path}"));
    }
}

#[tokio::test]
async fn a_405_names_the_paths_methods_in_allow() {
    // Found by the contract fuzzer (RFC 9110: a 405 carries `Allow`).
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/users", "DELETE, GET, PATCH, POST"),
        (Method::GET, "/oauth/token", "POST"),
        (Method::TRACE, "/api/v1/users/verify/felixsmith", "POST"),
    ] {
        let response = app.request(method.clone(), path).send().await.unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        let mut methods: Vec<String> = response.headers()["allow"]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_string())
            .collect();
        methods.sort();
        assert_eq!(methods.join(", "), allow, "{method} {path}");
    }
}

#[tokio::test]
async fn finapi_answers_inside_a_named_sandbox_with_its_own_state() {
    let app = spawn_app().await;
    let response = super::token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT.0),
            ("client_secret", CLIENT.1),
        ],
    )
    .await;
    let default_client = super::access_token(&status_and_json(response).await.1);
    let response = app
        .post("/sandboxes/team-a/oauth/token?grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-client-secret")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200);
    let sandboxed = super::access_token(&body);
    let (status, _) = call_json(
        &app,
        Method::POST,
        "/sandboxes/team-a/api/v1/users",
        &sandboxed,
        Some(json!({"id": "only.here"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        verification_status(&app, &default_client, "only.here").await,
        Err(404)
    );
    let (status, body) = call_json(
        &app,
        Method::GET,
        "/sandboxes/team-a/api/v1/nothing",
        &sandboxed,
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["errors"][0]["code"], "UNKNOWN_ENTITY");
}

// ---- determinism and CORS -----------------------------------------------------------------------------------

async fn user_list_text(app: &TestApp) -> String {
    let admin = client_token(app, ADMIN).await;
    call(
        app,
        Method::GET,
        "/api/v1/mandatorAdmin/getUserList?perPage=500&includeMonthlyStats=true",
        &admin,
        None,
    )
    .await
    .text()
    .await
    .unwrap()
}

#[tokio::test]
async fn two_apps_with_the_same_seed_list_byte_identical_users() {
    let (one, two) = (spawn_app().await, spawn_app().await);
    let first = user_list_text(&one).await;
    assert_eq!(first, user_list_text(&two).await);
    // Generated ids and passwords follow the seed too.
    let created = |app: TestApp| async move {
        let client = client_token(&app, CLIENT).await;
        super::create_user(&app, &client, json!({})).await
    };
    assert_eq!(created(one).await, created(two).await);
    let other = spawn_app_with(|s| s.seed = 7).await;
    assert_ne!(user_list_text(&other).await, first);
}

#[tokio::test]
async fn a_cors_preflight_from_a_dev_server_is_answered_and_the_request_id_is_exposed() {
    let app = spawn_app().await;
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/users")
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization,content-type,x-request-id",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("PATCH")
    );
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("x-request-id"),
        "{allowed}"
    );

    let token = user_token(&app, FELIX).await;
    let response = app
        .get("/api/v1/users")
        .header("origin", "http://localhost:3000")
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let exposed = headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
}

#[tokio::test]
async fn an_oversized_or_undecodable_request_gets_the_envelope_not_plain_text() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let huge = json!({"id": "huge", "email": "e".repeat(100_000)});
    let (status, body) = call_json(&app, Method::POST, "/api/v1/users", &client, Some(huge)).await;
    assert_eq!(status, 400);
    assert_error(&body, "BAD_REQUEST", "POST /api/v1/users");
    assert_eq!(verification_status(&app, &client, "huge").await, Err(404));

    let admin = client_token(&app, ADMIN).await;
    let path = "/api/v1/mandatorAdmin/getUserList?page=%ZZ&perPage=%FF";
    let (status, body) = call_json(&app, Method::GET, path, &admin, None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["code"], "BAD_REQUEST");
    let invalid_utf8 = app
        .post("/api/v1/users")
        .header("authorization", format!("Bearer {client}"))
        .header("content-type", "application/json")
        .body(vec![
            b'{', b'"', b'i', b'd', b'"', b':', b'"', 0xff, 0xfe, b'"', b'}',
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(invalid_utf8).await;
    assert_eq!(status, 400);
    assert_error(&body, "BAD_REQUEST", "POST /api/v1/users");
}
