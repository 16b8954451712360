//! What the finAPI document states and the server enforces alike (contract fuzzer findings of
//! tests/fuzz/baseline/finapi.json, fixed).

use reqwest::Method;
use serde_json::json;

use super::{ADMIN, AUTOVERIFY, FELIX, call_json, client_token, create_user, user_token};
use crate::support::spawn_app;

#[tokio::test]
async fn a_null_field_is_an_absent_one_as_jackson_reads_it() {
    let app = spawn_app().await;
    let client = client_token(&app, AUTOVERIFY).await;
    let created = create_user(
        &app,
        &client,
        json!({"id": "nully", "password": "secret1", "email": null, "phone": null, "isAutoUpdateEnabled": null}),
    )
    .await;
    assert_eq!(
        (
            &created["email"],
            &created["phone"],
            &created["isAutoUpdateEnabled"]
        ),
        (&json!(null), &json!(null), &json!(false))
    );
    let token = user_token(&app, FELIX).await;
    let (status, user) = call_json(
        &app,
        Method::PATCH,
        "/api/v1/users",
        &token,
        Some(json!({"email": "new@example.com", "phone": null})),
    )
    .await;
    assert_eq!(status, 200, "{user}");
    // `null` leaves the phone as it was; only `""` clears it.
    assert_eq!(user["email"], "new@example.com");
    assert!(user["phone"].is_string(), "{user}");
    // Every field null: none has a non-null value.
    let (status, _) = call_json(
        &app,
        Method::PATCH,
        "/api/v1/users",
        &token,
        Some(json!({"email": null, "phone": null, "isAutoUpdateEnabled": null})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn every_order_must_be_valid_and_the_first_applies() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let list = |query: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            call_json(
                app,
                Method::GET,
                &format!("/api/v1/mandatorAdmin/getUserList?{query}"),
                admin,
                None,
            )
            .await
        }
    };
    let (status, desc) = list("order=userId,DeSc&order=userId,asc").await;
    assert_eq!(status, 200, "{desc}");
    let (_, asc) = list("order=userId").await;
    let ids = |page: &serde_json::Value| -> Vec<String> {
        page["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["userId"].as_str().unwrap().to_lowercase())
            .collect()
    };
    assert!(ids(&desc) > ids(&asc), "the first order (desc) applies");
    for bad in [
        "order=userId&order=",
        "order=userId,asc&order=email",
        "order=",
        "page=2147483648",
        "minRegistrationDate=2026-02-30",
        "monthlyStatsStartDate=2026-13",
    ] {
        let (status, body) = list(bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, _) =
        list("page=2147483647&monthlyStatsStartDate=0001-01&minRegistrationDate=0001-01-01").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn password_change_tokens_are_finapis_lower_case_hex_and_dashes() {
    let app = spawn_app().await;
    let client = client_token(&app, AUTOVERIFY).await;
    let (status, change) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        Some(json!({"userId": "felixsmith"})),
    )
    .await;
    assert_eq!(status, 200, "{change}");
    let token = change["passwordChangeToken"].as_str().unwrap().to_string();
    for (userid, password, token, expected) in [
        ("felixsmith", "Felix-2027!", token.to_uppercase(), 400),
        ("felixsmith", "Felix-2027!", String::new(), 400),
        ("felixsmith", "short", token.clone(), 400),
        ("", "Felix-2027!", token.clone(), 400),
        ("felixsmith", "Felix-2027!", token.clone(), 200),
    ] {
        let (status, body) = call_json(
            &app,
            Method::POST,
            "/api/v1/users/executePasswordChange",
            &client,
            Some(json!({"userId": userid, "password": password, "passwordChangeToken": token})),
        )
        .await;
        assert_eq!(status, expected, "{userid} {password} {token}: {body}");
    }
    let (status, _) = call_json(
        &app,
        Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        Some(json!({"userId": ""})),
    )
    .await;
    assert_eq!(status, 400);
}
