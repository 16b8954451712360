//! User auth contexts and the OTP flow of auth context update requests, through the outbox.

use insta::assert_json_snapshot;
use reqwest::Method;
use serde_json::{Value, json};

use super::*;
use crate::support::{spawn_app, spawn_app_with, status_and_json};

const UPDATES: &str = "/obp/v4.0.0/banks/gh.29.uk/users/current/auth-context-updates";

fn customer_number(value: &str) -> Value {
    json!({ "key": "CUSTOMER_NUMBER", "value": value })
}

#[tokio::test]
async fn the_otp_from_the_outbox_accepts_the_update_and_adds_the_auth_context() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let grace = login(&app, GRACE).await;

    let requested = post(
        &app,
        &format!("{UPDATES}/EMAIL"),
        &grace,
        customer_number("78987433"),
    )
    .await;
    let message = newest_message(&app).await;
    let id = requested.1["user_auth_context_update_id"]
        .as_str()
        .unwrap()
        .to_string();
    let otp = message["body"].as_str().unwrap().to_string();
    let answered = post(
        &app,
        &format!("{UPDATES}/{id}/challenge"),
        &grace,
        json!({ "answer": otp }),
    )
    .await;
    let again = post(
        &app,
        &format!("{UPDATES}/{id}/challenge"),
        &grace,
        json!({ "answer": "0" }),
    )
    .await;
    let user_id = requested.1["user_id"].as_str().unwrap();
    let contexts = get(
        &app,
        &format!("/obp/v4.0.0/users/{user_id}/auth-context"),
        &admin,
    )
    .await;

    assert_json_snapshot!("requested", answer(requested));
    assert_json_snapshot!("email", message);
    assert_json_snapshot!("accepted", answer(answered.clone()));
    assert_eq!(
        again, answered,
        "one attempt: later answers return the request unchanged"
    );
    assert_json_snapshot!("contexts", answer(contexts));
}

#[tokio::test]
async fn a_wrong_answer_rejects_the_update_for_good() {
    let app = spawn_app().await;
    let felix = login(&app, FELIX).await;
    let requested = post(
        &app,
        &format!("{UPDATES}/SMS"),
        &felix,
        customer_number("78987432"),
    )
    .await;
    let message = newest_message(&app).await;
    let id = requested.1["user_auth_context_update_id"].as_str().unwrap();
    let otp = message["body"].as_str().unwrap();
    let wrong = if otp == "1" { "2" } else { "1" };

    let rejected = post(
        &app,
        &format!("{UPDATES}/{id}/challenge"),
        &felix,
        json!({ "answer": wrong }),
    )
    .await;
    let right_too_late = post(
        &app,
        &format!("{UPDATES}/{id}/challenge"),
        &felix,
        json!({ "answer": otp }),
    )
    .await;

    assert_eq!(message["channel"], "SMS");
    assert_eq!(message["to"], "+44 7700 900123");
    assert_eq!(rejected.0, 200);
    assert_eq!(rejected.1["status"], "REJECTED");
    assert_eq!(right_too_late.1["status"], "REJECTED");
}

#[tokio::test]
async fn an_expired_otp_cannot_be_answered() {
    let fixtures = fixtures_with(|config| config["challengeTtlSeconds"] = json!(-1));
    let app = spawn_app_with(|s| s.fixtures = Some(fixtures)).await;
    let felix = login(&app, FELIX).await;
    let requested = post(
        &app,
        &format!("{UPDATES}/EMAIL"),
        &felix,
        customer_number("78987432"),
    )
    .await;
    let id = requested.1["user_auth_context_update_id"].as_str().unwrap();
    let otp = newest_message(&app).await["body"]
        .as_str()
        .unwrap()
        .to_string();

    let answer = post(
        &app,
        &format!("{UPDATES}/{id}/challenge"),
        &felix,
        json!({ "answer": otp }),
    )
    .await;

    assert_obp_error(&answer, 400, "OBP-50200");
    assert_eq!(
        answer.1["message"],
        "OBP-50200: Connector cannot return the data we requested. <- OBP-20211: The One Time Password (OTP) has expired.  Current expiration time is -1 seconds"
    );
}

#[tokio::test]
async fn update_requests_and_answers_get_obps_errors() {
    let app = spawn_app().await;
    let felix = login(&app, FELIX).await;
    let cases = [
        (
            "anonymous",
            call(
                &app,
                Method::POST,
                &format!("{UPDATES}/EMAIL"),
                None,
                Some(customer_number("78987432")),
            )
            .await,
            401,
            "OBP-20001",
        ),
        (
            "unknown_bank",
            post(
                &app,
                "/obp/v4.0.0/banks/nobank/users/current/auth-context-updates/EMAIL",
                &felix,
                customer_number("78987432"),
            )
            .await,
            404,
            "OBP-30001",
        ),
        (
            "unknown_sca_method",
            post(
                &app,
                &format!("{UPDATES}/PIGEON"),
                &felix,
                customer_number("78987432"),
            )
            .await,
            400,
            "OBP-35034",
        ),
        (
            "missing_value",
            post(
                &app,
                &format!("{UPDATES}/EMAIL"),
                &felix,
                json!({ "key": "CUSTOMER_NUMBER" }),
            )
            .await,
            400,
            "OBP-10001",
        ),
        (
            "other_key",
            post(
                &app,
                &format!("{UPDATES}/EMAIL"),
                &felix,
                json!({ "key": "TOKEN", "value": "1" }),
            )
            .await,
            400,
            "OBP-30088",
        ),
        (
            "unknown_customer",
            post(
                &app,
                &format!("{UPDATES}/EMAIL"),
                &felix,
                customer_number("11111111"),
            )
            .await,
            404,
            "OBP-30002",
        ),
        (
            "too_long_value",
            post(
                &app,
                &format!("{UPDATES}/EMAIL"),
                &felix,
                customer_number(&"7".repeat(51)),
            )
            .await,
            400,
            "OBP-20010",
        ),
        (
            "answer_anonymous",
            call(
                &app,
                Method::POST,
                &format!("{UPDATES}/x/challenge"),
                None,
                Some(json!({ "answer": "1" })),
            )
            .await,
            401,
            "OBP-20001",
        ),
        (
            "answer_missing",
            post(&app, &format!("{UPDATES}/x/challenge"), &felix, json!({})).await,
            400,
            "OBP-10001",
        ),
        (
            "answer_unknown_request",
            post(
                &app,
                &format!("{UPDATES}/x/challenge"),
                &felix,
                json!({ "answer": "1" }),
            )
            .await,
            400,
            "OBP-50200",
        ),
    ];
    let mut snapshot = serde_json::Map::new();
    for (name, answer, status, code) in cases {
        assert_obp_error(&answer, status, code);
        snapshot.insert(name.into(), answer.1);
    }
    let (status, outbox) = status_and_json(app.get("/__admin/outbox").send().await.unwrap()).await;
    assert_eq!(
        (status, outbox),
        (200, json!({ "messages": [] })),
        "failed requests send nothing"
    );
    assert_json_snapshot!(Value::Object(snapshot));
}

#[tokio::test]
async fn admins_create_list_and_delete_auth_contexts() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let path = format!("/obp/v4.0.0/users/{FELIX_ID}/auth-context");

    let created = post(
        &app,
        &path,
        &admin,
        json!({ "key": " TOKEN ", "value": " abc " }),
    )
    .await;
    let listed = get(&app, &path, &admin).await;
    let id = created.1["user_auth_context_id"].as_str().unwrap();
    let deleted = call(
        &app,
        Method::DELETE,
        &format!("{path}/{id}"),
        Some(&admin),
        None,
    )
    .await;
    let deleted_again = call(
        &app,
        Method::DELETE,
        &format!("{path}/{id}"),
        Some(&admin),
        None,
    )
    .await;
    let cleared = call(&app, Method::DELETE, &path, Some(&admin), None).await;
    let empty = get(&app, &path, &admin).await;

    assert_json_snapshot!("created", answer(created));
    assert_json_snapshot!("listed", answer(listed));
    assert_eq!(deleted, (200, json!(true)));
    assert_obp_error(&deleted_again, 400, "OBP-50200");
    assert_eq!(cleared, (200, json!(true)));
    assert_eq!(empty, (200, json!({ "user_auth_contexts": [] })));
}

#[tokio::test]
async fn auth_context_endpoints_check_login_role_body_and_user() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;
    let path = format!("/obp/v4.0.0/users/{FELIX_ID}/auth-context");
    let body = json!({ "key": "CUSTOMER_NUMBER", "value": "78987432" });
    let cases = [
        (
            "create_anonymous",
            call(&app, Method::POST, &path, None, Some(body.clone())).await,
            401,
            "OBP-20001",
        ),
        (
            "create_without_role",
            post(&app, &path, &felix, body.clone()).await,
            403,
            "OBP-20006",
        ),
        (
            "create_bad_body",
            post(&app, &path, &admin, json!({ "key": 1 })).await,
            400,
            "OBP-10001",
        ),
        (
            "create_unknown_user",
            post(
                &app,
                "/obp/v4.0.0/users/nobody/auth-context",
                &admin,
                body.clone(),
            )
            .await,
            404,
            "OBP-20005",
        ),
        (
            "create_too_long",
            post(
                &app,
                &path,
                &admin,
                json!({ "key": "K", "value": "v".repeat(4001) }),
            )
            .await,
            400,
            "OBP-20010",
        ),
        (
            "get_anonymous",
            call(&app, Method::GET, &path, None, None).await,
            401,
            "OBP-20001",
        ),
        (
            "get_without_role",
            get(&app, &path, &felix).await,
            403,
            "OBP-20006",
        ),
        (
            "get_unknown_user",
            get(&app, "/obp/v4.0.0/users/nobody/auth-context", &admin).await,
            404,
            "OBP-20005",
        ),
        (
            "delete_all_anonymous",
            call(&app, Method::DELETE, &path, None, None).await,
            401,
            "OBP-20001",
        ),
        (
            "delete_one_anonymous",
            call(&app, Method::DELETE, &format!("{path}/x"), None, None).await,
            401,
            "OBP-20001",
        ),
        (
            "delete_all_without_role",
            call(&app, Method::DELETE, &path, Some(&felix), None).await,
            403,
            "OBP-20006",
        ),
        (
            "delete_all_unknown_user",
            call(
                &app,
                Method::DELETE,
                "/obp/v4.0.0/users/nobody/auth-context",
                Some(&admin),
                None,
            )
            .await,
            404,
            "OBP-20005",
        ),
        (
            "delete_one_without_role",
            call(
                &app,
                Method::DELETE,
                &format!("{path}/x"),
                Some(&felix),
                None,
            )
            .await,
            403,
            "OBP-20006",
        ),
        (
            "delete_one_unknown_user",
            call(
                &app,
                Method::DELETE,
                "/obp/v4.0.0/users/nobody/auth-context/x",
                Some(&admin),
                None,
            )
            .await,
            404,
            "OBP-20005",
        ),
    ];
    let mut snapshot = serde_json::Map::new();
    for (name, answer, status, code) in cases {
        assert_obp_error(&answer, status, code);
        snapshot.insert(name.into(), answer.1);
    }
    assert_eq!(
        get(&app, &path, &admin).await.1["user_auth_contexts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_json_snapshot!(Value::Object(snapshot));
}
