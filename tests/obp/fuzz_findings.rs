//! What the OBP document states and the server enforces alike (contract fuzzer findings of
//! tests/fuzz/baseline/obp.json, fixed).

use reqwest::Method;
use serde_json::json;

use super::*;
use crate::support::{spawn_app, status_and_json};

#[tokio::test]
async fn limit_and_offset_above_a_scala_int_are_obps_filter_errors() {
    let app = spawn_app().await;
    let ada = login(&app, ADA).await;
    for version in ["v4.0.0", "v3.1.0"] {
        for (query, code) in [
            ("offset=2147483648", "OBP-10024"),
            ("limit=2147483648", "OBP-10025"),
            ("offset=18446744073709551616", "OBP-10024"),
        ] {
            let answer = get(&app, &format!("/obp/{version}/users?{query}"), &ada).await;
            assert_obp_error(&answer, 400, "OBP-10016");
            assert!(
                answer.1["message"].as_str().unwrap().contains(code),
                "{query}"
            );
        }
        let (status, _) = get(
            &app,
            &format!("/obp/{version}/users?offset=2147483647&limit=2147483647&sort_direction=dEsC"),
            &ada,
        )
        .await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn bodies_the_operation_ignores_may_be_any_json_but_must_be_json() {
    // The document says "any JSON value" for them; OBP's dispatch refuses what does not parse
    // (400 OBP-10001) and a POST/PUT without a JSON content type (404 OBP-10404), as documented
    // on every POST and PUT.
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    for (method, path) in [
        (
            Method::POST,
            format!("/obp/v4.0.0/users/{FELIX_ID}/refresh"),
        ),
        (
            Method::POST,
            "/obp/v4.0.0/users/felixsmith/locks".to_string(),
        ),
        (
            Method::PUT,
            "/obp/v4.0.0/users/felixsmith/lock-status".to_string(),
        ),
    ] {
        let (status, body) = call(
            &app,
            method.clone(),
            &path,
            Some(&admin),
            Some(json!([null, null])),
        )
        .await;
        assert!(status < 300, "{method} {path}: {status} {body}");
        let malformed = app
            .request(method.clone(), &path)
            .header("DirectLogin", format!("token={admin}"))
            .header("content-type", "application/json")
            .body("\u{5}")
            .send()
            .await
            .unwrap();
        assert_obp_error(&status_and_json(malformed).await, 400, "OBP-10001");
        let plain = app
            .request(method.clone(), &path)
            .header("DirectLogin", format!("token={admin}"))
            .send()
            .await
            .unwrap();
        assert_obp_error(&status_and_json(plain).await, 404, "OBP-10404");
    }
}

#[tokio::test]
async fn the_documents_examples_of_the_field_rules_are_accepted() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    // Both forms of the password rule; a username that is an email.
    for (username, password) in [
        ("strong.form", "Passw0rd!1"),
        ("long@example.com", "a long enough password"),
    ] {
        let (status, body) = post(
            &app,
            "/obp/v4.0.0/users",
            &admin,
            json!({"email": "x@example.com", "username": username, "password": password,
                "first_name": " Tom", "last_name": "\u{3000}S"}),
        )
        .await;
        assert_eq!(status, 201, "{username}: {body}");
    }
    // A bank role needs a bank id, a system role none.
    let (status, body) = post(
        &app,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/entitlements"),
        &admin,
        json!({"bank_id": "gh.29.uk", "role_name": "CanCreateEntitlementAtOneBank"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let answer = post(
        &app,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/entitlements"),
        &admin,
        json!({"bank_id": "", "role_name": "CanCreateEntitlementAtOneBank"}),
    )
    .await;
    assert_eq!(answer.0, 400, "{}", answer.1);
    // Auth context keys and values are trimmed before the control-character check.
    let (status, body) = post(
        &app,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/auth-context"),
        &admin,
        json!({"key": "\tCUSTOMER_NUMBER\n", "value": " 1 "}),
    )
    .await;
    assert_eq!(
        (status, body["key"].as_str()),
        (201, Some("CUSTOMER_NUMBER")),
        "{body}"
    );
    let answer = post(
        &app,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/auth-context"),
        &admin,
        json!({"key": "A\tB", "value": "1"}),
    )
    .await;
    assert_eq!(answer.0, 400);
}
