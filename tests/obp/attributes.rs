//! Personal user attributes and a user with all attributes.

use insta::assert_json_snapshot;
use reqwest::Method;
use serde_json::{Value, json};

use super::*;
use crate::support::spawn_app;

const MINE: &str = "/obp/v4.0.0/my/user/attributes";

#[tokio::test]
async fn personal_attributes_are_created_listed_newest_first_and_updated() {
    let app = spawn_app().await;
    let felix = login(&app, FELIX).await;

    let before = get(&app, MINE, &felix).await;
    let created = post(
        &app,
        MINE,
        &felix,
        json!({ "name": "SHOE_SIZE", "type": "INTEGER", "value": "44" }),
    )
    .await;
    let listed = get(&app, MINE, &felix).await;
    let updated = call(
        &app,
        Method::PUT,
        &format!("{MINE}/7uy8a7e4-6d02-40e3-a129-0b2bf89de8uh"),
        Some(&felix),
        Some(json!({ "name": "BATTERY_LEVEL", "type": "INTEGER", "value": "85" })),
    )
    .await;

    assert_json_snapshot!("before", answer(before));
    assert_json_snapshot!("created", answer(created));
    assert_json_snapshot!("listed", answer(listed));
    assert_json_snapshot!("updated", answer(updated));
}

#[tokio::test]
async fn bad_attribute_requests_get_obps_errors() {
    let app = spawn_app().await;
    let felix = login(&app, FELIX).await;
    let good = json!({ "name": "N", "type": "STRING", "value": "v" });
    let ada_attribute = {
        let admin = login(&app, ADMIN).await;
        let ada_id = get(&app, "/obp/v4.0.0/users/username/ada.lovelace", &admin)
            .await
            .1["user_id"]
            .as_str()
            .unwrap()
            .to_string();
        get(
            &app,
            &format!("/obp/v4.0.0/users/{ada_id}/attributes"),
            &admin,
        )
        .await
        .1["user_attributes"][0]["user_attribute_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let cases = [
        (
            "create_anonymous",
            call(&app, Method::POST, MINE, None, Some(good.clone())).await,
            401,
            "OBP-20001",
        ),
        (
            "list_anonymous",
            call(&app, Method::GET, MINE, None, None).await,
            401,
            "OBP-20001",
        ),
        (
            "create_bad_type",
            post(
                &app,
                MINE,
                &felix,
                json!({ "name": "N", "type": "BOOLEAN", "value": "v" }),
            )
            .await,
            400,
            "OBP-10001",
        ),
        (
            "create_missing_value",
            post(&app, MINE, &felix, json!({ "name": "N", "type": "STRING" })).await,
            400,
            "OBP-10001",
        ),
        (
            "create_too_long",
            post(
                &app,
                MINE,
                &felix,
                json!({ "name": "N", "type": "STRING", "value": "v".repeat(256) }),
            )
            .await,
            400,
            "OBP-20010",
        ),
        (
            "create_control_character",
            post(
                &app,
                MINE,
                &felix,
                json!({ "name": "N\n", "type": "STRING", "value": "v" }),
            )
            .await,
            400,
            "OBP-20011",
        ),
        (
            "update_anonymous",
            call(
                &app,
                Method::PUT,
                &format!("{MINE}/x"),
                None,
                Some(good.clone()),
            )
            .await,
            401,
            "OBP-20001",
        ),
        (
            "update_unknown",
            call(
                &app,
                Method::PUT,
                &format!("{MINE}/x"),
                Some(&felix),
                Some(good.clone()),
            )
            .await,
            400,
            "OBP-50200",
        ),
        (
            "update_another_users",
            call(
                &app,
                Method::PUT,
                &format!("{MINE}/{ada_attribute}"),
                Some(&felix),
                Some(good.clone()),
            )
            .await,
            400,
            "OBP-50200",
        ),
        (
            "update_bad_type",
            call(
                &app,
                Method::PUT,
                &format!("{MINE}/x"),
                Some(&felix),
                Some(json!({ "name": "N", "type": "string", "value": "v" })),
            )
            .await,
            400,
            "OBP-10001",
        ),
    ];
    let mut snapshot = serde_json::Map::new();
    for (name, answer, status, code) in cases {
        assert_obp_error(&answer, status, code);
        snapshot.insert(name.into(), answer.1);
    }
    assert_eq!(
        get(&app, MINE, &felix).await.1["user_attributes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_json_snapshot!(Value::Object(snapshot));
}

#[tokio::test]
async fn a_user_with_attributes_shows_personal_and_other_attributes() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;
    post(
        &app,
        MINE,
        &felix,
        json!({ "name": "SHOE_SIZE", "type": "INTEGER", "value": "44" }),
    )
    .await;
    let ada_id = get(&app, "/obp/v4.0.0/users/username/ada.lovelace", &admin)
        .await
        .1["user_id"]
        .as_str()
        .unwrap()
        .to_string();

    let with_felix = get(
        &app,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/attributes"),
        &admin,
    )
    .await;
    let with_ada = get(
        &app,
        &format!("/obp/v4.0.0/users/{ada_id}/attributes"),
        &admin,
    )
    .await;
    let without_role = get(
        &app,
        &format!("/obp/v4.0.0/users/{FELIX_ID}/attributes"),
        &felix,
    )
    .await;
    let unknown = get(&app, "/obp/v4.0.0/users/nobody/attributes", &admin).await;
    let anonymous = call(
        &app,
        Method::GET,
        "/obp/v4.0.0/users/nobody/attributes",
        None,
        None,
    )
    .await;

    assert_json_snapshot!("felix", answer(with_felix));
    assert_json_snapshot!("ada", answer(with_ada));
    assert_obp_error(&without_role, 403, "OBP-20006");
    assert_obp_error(&unknown, 400, "OBP-20057");
    assert_obp_error(&anonymous, 401, "OBP-20001");
    assert_json_snapshot!(
        "errors",
        json!({ "without_role": without_role.1, "unknown": unknown.1 })
    );
}
