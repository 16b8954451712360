//! Users: create, current user, lookups, listing, delete, refresh, logout link, reset URL.

use insta::assert_json_snapshot;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use super::*;
use crate::support::{spawn_app, spawn_app_with, status_and_json};

fn new_user() -> Value {
    json!({
        "email": "tom.smith@example.com",
        "username": "tom.smith",
        "password": "Tom-Sandbox-2026!",
        "first_name": "Tom",
        "last_name": "Smith",
    })
}

#[tokio::test]
async fn creating_a_user_needs_no_login_and_the_user_can_log_in() {
    let app = spawn_app().await;

    let created = call(
        &app,
        Method::POST,
        "/obp/v4.0.0/users",
        None,
        Some(new_user()),
    )
    .await;
    let token = login(&app, ("tom.smith", "Tom-Sandbox-2026!")).await;
    let current = get(&app, "/obp/v4.0.0/users/current", &token).await;

    assert_json_snapshot!("created", answer(created.clone()));
    assert_eq!(current.1["user_id"], created.1["user_id"]);
}

#[tokio::test]
async fn creating_a_user_with_a_taken_username_returns_409() {
    let app = spawn_app().await;
    let mut body = new_user();
    body["username"] = json!("felixsmith");

    let answer = call(&app, Method::POST, "/obp/v4.0.0/users", None, Some(body)).await;

    assert_eq!(
        answer,
        (
            409,
            json!({"code": 409, "message": "OBP-50005: An unspecified or internal error occurred."})
        )
    );
}

#[tokio::test]
async fn bad_new_users_get_obps_errors_and_are_not_created() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let with = |field: &str, value: Value| {
        let mut body = new_user();
        body[field] = value;
        body
    };
    let mut missing = new_user();
    missing.as_object_mut().unwrap().remove("last_name");
    let cases = [
        ("weak_password", with("password", json!("Passw0rd!"))),
        (
            "password_with_bracket",
            with("password", json!("Passw0rd[1")),
        ),
        ("missing_field", missing),
        ("number_for_a_string", with("first_name", json!(42))),
        ("invalid_email", with("email", json!("not-an-email"))),
        (
            "too_long_email",
            with("email", json!(format!("{}@example.com", "t".repeat(40)))),
        ),
        ("invalid_username", with("username", json!("tom"))),
        (
            "username_with_spaces",
            with("username", json!("tom  smith")),
        ),
        ("empty_first_name", with("first_name", json!("  "))),
        (
            "control_character_in_name",
            with("last_name", json!("Smi\u{0}th")),
        ),
    ];
    let mut answers = serde_json::Map::new();
    for (name, body) in cases {
        let answer = call(&app, Method::POST, "/obp/v4.0.0/users", None, Some(body)).await;
        assert_eq!(answer.0, 400, "{name}: {}", answer.1);
        answers.insert(name.into(), answer.1);
    }
    let malformed = status_and_json(
        app.post("/obp/v4.0.0/users")
            .header(CONTENT_TYPE, "application/json")
            .body("{\"email\":")
            .send()
            .await
            .unwrap(),
    )
    .await;
    answers.insert("malformed_json".into(), answer(malformed));
    let form = status_and_json(
        app.post("/obp/v4.0.0/users")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("username=tom.smith")
            .send()
            .await
            .unwrap(),
    )
    .await;
    answers.insert("form_body".into(), answer(form));

    let lookup = get(&app, "/obp/v4.0.0/users/username/tom.smith", &admin).await;

    assert_obp_error(&lookup, 404, "OBP-20027");
    assert_json_snapshot!(Value::Object(answers));
}

#[tokio::test]
async fn the_current_user_shows_entitlements_and_views() {
    let app = spawn_app().await;
    let token = login(&app, FELIX).await;

    let current = get(&app, "/obp/v4.0.0/users/current", &token).await;
    let user_id = get(&app, "/obp/v4.0.0/users/current/user_id", &token).await;
    let logout = get(&app, "/obp/v4.0.0/users/current/logout-link", &token).await;

    assert_json_snapshot!("current", answer(current));
    assert_eq!(user_id, (200, json!({ "user_id": FELIX_ID })));
    assert_eq!(
        logout,
        (
            200,
            json!({ "link": "http://127.0.0.1:8080/user_mgt/logout" })
        )
    );
}

#[tokio::test]
async fn current_user_endpoints_need_a_login() {
    let app = spawn_app().await;
    for path in [
        "/users/current",
        "/users/current/user_id",
        "/users/current/logout-link",
    ] {
        let answer = call(&app, Method::GET, &format!("/obp/v4.0.0{path}"), None, None).await;
        assert_obp_error(&answer, 401, "OBP-20001");
    }
}

#[tokio::test]
async fn users_are_found_by_id_username_and_email() {
    let app = spawn_app().await;
    let ada = login(&app, ADA).await;

    let by_id = get(&app, &format!("/obp/v4.0.0/users/user_id/{FELIX_ID}"), &ada).await;
    let by_name = get(&app, "/obp/v4.0.0/users/username/felixsmith", &ada).await;
    let by_email = get(
        &app,
        "/obp/v4.0.0/users/email/felixsmith%40example.com/terminator",
        &ada,
    )
    .await;
    let unknown_email = get(
        &app,
        "/obp/v4.0.0/users/email/nobody@example.com/terminator",
        &ada,
    )
    .await;

    assert_json_snapshot!("by_id", answer(by_id));
    assert_json_snapshot!("by_username", answer(by_name));
    assert_json_snapshot!("by_email", answer(by_email));
    assert_eq!(unknown_email, (200, json!({ "users": [] })));
}

#[tokio::test]
async fn user_lookups_check_login_role_and_user() {
    let app = spawn_app().await;
    let ada = login(&app, ADA).await;
    let felix = login(&app, FELIX).await;
    let cases = [
        (
            "by_id_anonymous",
            call(&app, Method::GET, "/obp/v4.0.0/users/user_id/x", None, None).await,
            401,
            "OBP-20001",
        ),
        (
            "by_id_without_role",
            get(&app, "/obp/v4.0.0/users/user_id/x", &felix).await,
            403,
            "OBP-20006",
        ),
        (
            "by_id_unknown",
            get(&app, "/obp/v4.0.0/users/user_id/nobody", &ada).await,
            400,
            "OBP-20057",
        ),
        (
            "by_username_anonymous",
            call(
                &app,
                Method::GET,
                "/obp/v4.0.0/users/username/x",
                None,
                None,
            )
            .await,
            401,
            "OBP-20001",
        ),
        (
            "by_username_without_role",
            get(&app, "/obp/v4.0.0/users/username/x", &felix).await,
            403,
            "OBP-20006",
        ),
        (
            "by_username_unknown",
            get(&app, "/obp/v4.0.0/users/username/nobody", &ada).await,
            404,
            "OBP-20027",
        ),
        (
            "by_email_anonymous",
            call(
                &app,
                Method::GET,
                "/obp/v4.0.0/users/email/a@b.c/terminator",
                None,
                None,
            )
            .await,
            401,
            "OBP-20001",
        ),
        (
            "by_email_without_role",
            get(&app, "/obp/v4.0.0/users/email/a@b.c/terminator", &felix).await,
            403,
            "OBP-20006",
        ),
        (
            "list_anonymous",
            call(&app, Method::GET, "/obp/v4.0.0/users", None, None).await,
            401,
            "OBP-20001",
        ),
        (
            "list_without_role",
            get(&app, "/obp/v4.0.0/users", &felix).await,
            403,
            "OBP-20006",
        ),
    ];
    let mut snapshot = serde_json::Map::new();
    for (name, answer, status, code) in cases {
        assert_obp_error(&answer, status, code);
        snapshot.insert(name.into(), answer.1);
    }
    assert_json_snapshot!(Value::Object(snapshot));
}

#[tokio::test]
async fn users_are_listed_in_creation_order_with_limit_and_offset() {
    let app = spawn_app().await;
    let ada = login(&app, ADA).await;

    let response = app
        .get("/obp/v4.0.0/users?limit=2&offset=1&sort_direction=asc")
        .header("DirectLogin", format!("token={ada}"))
        .send()
        .await
        .unwrap();
    let range = response
        .headers()
        .get("range")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let page = status_and_json(response).await;
    let all = get(&app, "/obp/v4.0.0/users?obp_limit=500", &ada).await;
    let default = get(&app, "/obp/v4.0.0/users", &ada).await;

    assert_eq!(range, "items=1-2");
    assert_json_snapshot!("page", answer(page));
    // 1 admin + 6 fixture people + 20 fake people; the default page holds 50.
    assert_eq!(all.1["users"].as_array().unwrap().len(), 27);
    assert_eq!(default.1["users"].as_array().unwrap().len(), 27);
}

#[tokio::test]
async fn bad_list_parameters_get_obp_10016() {
    let app = spawn_app().await;
    let ada = login(&app, ADA).await;
    let mut answers = serde_json::Map::new();
    for (name, query) in [
        ("limit_zero", "limit=0"),
        ("limit_text", "limit=ten"),
        ("offset_negative", "offset=-1"),
        ("sort_direction", "sort_direction=UP"),
        ("is_deleted", "is_deleted=maybe"),
    ] {
        let answer = get(&app, &format!("/obp/v4.0.0/users?{query}"), &ada).await;
        assert_obp_error(&answer, 400, "OBP-10016");
        answers.insert(name.into(), answer.1);
    }
    assert_json_snapshot!(Value::Object(answers));
}

#[tokio::test]
async fn deleting_a_user_scrambles_and_hides_them() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let path = format!("/obp/v4.0.0/users/{FELIX_ID}");

    let deleted = call(&app, Method::DELETE, &path, Some(&admin), None).await;
    let again = call(&app, Method::DELETE, &path, Some(&admin), None).await;
    let by_id = get(
        &app,
        &format!("/obp/v4.0.0/users/user_id/{FELIX_ID}"),
        &admin,
    )
    .await;
    let by_name = get(&app, "/obp/v4.0.0/users/username/felixsmith", &admin).await;
    let live = get(&app, "/obp/v4.0.0/users?limit=500", &admin).await;
    let gone = get(&app, "/obp/v4.0.0/users?is_deleted=true", &admin).await;

    assert_eq!(deleted, (200, json!(true)));
    assert_eq!(again, (200, json!(true)));
    assert_json_snapshot!("deleted_user", answer(by_id));
    assert_obp_error(&by_name, 404, "OBP-20027");
    assert!(
        !live.1["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["user_id"] == FELIX_ID)
    );
    let gone: Vec<&Value> = gone.1["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["user_id"])
        .collect();
    assert_eq!(gone, [FELIX_ID]);
}

#[tokio::test]
async fn deleting_and_refreshing_check_role_and_user() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;
    let cases = [
        (
            "delete_anonymous",
            call(&app, Method::DELETE, "/obp/v4.0.0/users/x", None, None).await,
            401,
            "OBP-20001",
        ),
        (
            "delete_without_role",
            call(
                &app,
                Method::DELETE,
                "/obp/v4.0.0/users/x",
                Some(&felix),
                None,
            )
            .await,
            403,
            "OBP-20006",
        ),
        (
            "delete_unknown",
            call(
                &app,
                Method::DELETE,
                "/obp/v4.0.0/users/nobody",
                Some(&admin),
                None,
            )
            .await,
            404,
            "OBP-20005",
        ),
        (
            "refresh_anonymous",
            call(
                &app,
                Method::POST,
                "/obp/v4.0.0/users/x/refresh",
                None,
                None,
            )
            .await,
            401,
            "OBP-20001",
        ),
        (
            "refresh_without_role",
            call(
                &app,
                Method::POST,
                "/obp/v4.0.0/users/x/refresh",
                Some(&felix),
                None,
            )
            .await,
            403,
            "OBP-20006",
        ),
        (
            "refresh_unknown",
            call(
                &app,
                Method::POST,
                "/obp/v4.0.0/users/nobody/refresh",
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
    assert_json_snapshot!(Value::Object(snapshot));
}

#[tokio::test]
async fn refreshing_a_user_returns_201_with_a_duration() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;

    let answer = call(
        &app,
        Method::POST,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/refresh"),
        Some(&admin),
        None,
    )
    .await;

    assert_eq!(answer, (201, json!({ "duration_time": " 0 ms" })));
}

#[tokio::test]
async fn a_reset_password_url_is_created_for_a_matching_user_and_sent_to_them() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let body =
        json!({ "username": "felixsmith", "email": "felixsmith@example.com", "user_id": FELIX_ID });

    let created = post(
        &app,
        "/obp/v4.0.0/management/user/reset-password-url",
        &admin,
        body,
    )
    .await;
    let message = newest_message(&app).await;
    let mismatch = post(
        &app,
        "/obp/v4.0.0/management/user/reset-password-url",
        &admin,
        json!({ "username": "felixsmith", "email": "ada@example.com", "user_id": FELIX_ID }),
    )
    .await;

    assert_json_snapshot!("reset_url", answer(created.clone()));
    assert_eq!(message["body"], created.1["reset_password_url"]);
    assert_eq!(message["to"], "felixsmith@example.com");
    assert_eq!(mismatch, (201, json!({ "reset_password_url": "" })));
}

#[tokio::test]
async fn reset_password_url_errors_follow_obps_order() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;
    let path = "/obp/v4.0.0/management/user/reset-password-url";
    let good =
        json!({ "username": "felixsmith", "email": "felixsmith@example.com", "user_id": FELIX_ID });
    let cases = [
        (
            "anonymous",
            call(&app, Method::POST, path, None, Some(good.clone())).await,
            401,
            "OBP-20001",
        ),
        // OBP checks id-like body fields before the roles.
        (
            "bad_user_id_without_role",
            post(&app, path, &felix, json!({ "user_id": "a b" })).await,
            400,
            "OBP-10001",
        ),
        (
            "without_role",
            post(&app, path, &felix, good.clone()).await,
            403,
            "OBP-20006",
        ),
        (
            "missing_field",
            post(&app, path, &admin, json!({ "username": "felixsmith" })).await,
            400,
            "OBP-10001",
        ),
    ];
    let mut snapshot = serde_json::Map::new();
    for (name, answer, status, code) in cases {
        assert_obp_error(&answer, status, code);
        snapshot.insert(name.into(), answer.1);
    }
    assert_json_snapshot!(Value::Object(snapshot));

    let fixtures = fixtures_with(|config| config["resetPasswordUrlEnabled"] = json!(false));
    let disabled = spawn_app_with(|s| s.fixtures = Some(fixtures)).await;
    let admin = login(&disabled, ADMIN).await;
    assert_obp_error(&post(&disabled, path, &admin, good).await, 400, "OBP-50017");
}
