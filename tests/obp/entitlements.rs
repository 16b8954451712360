//! Entitlements: granting and listing roles, roles gating endpoints, and spaces.

use insta::assert_json_snapshot;
use reqwest::Method;
use serde_json::{Value, json};

use super::*;
use crate::support::spawn_app;

async fn user_id(app: &crate::support::TestApp, admin: &str, username: &str) -> String {
    get(
        app,
        &format!("/obp/v4.0.0/users/username/{username}"),
        admin,
    )
    .await
    .1["user_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_granted_role_opens_the_endpoint_it_gates() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let ada = login(&app, ADA).await;
    let ada_id = user_id(&app, &admin, "ada.lovelace").await;
    let before = call(
        &app,
        Method::POST,
        "/obp/v4.0.0/users/grace.hopper/locks",
        Some(&ada),
        None,
    )
    .await;

    let granted = post(
        &app,
        &format!("/obp/v4.0.0/users/{ada_id}/entitlements"),
        &admin,
        json!({ "bank_id": "", "role_name": "CanLockUser" }),
    )
    .await;
    let after = call(
        &app,
        Method::POST,
        "/obp/v4.0.0/users/grace.hopper/locks",
        Some(&ada),
        None,
    )
    .await;
    let listed = get(
        &app,
        &format!("/obp/v4.0.0/users/{ada_id}/entitlements"),
        &admin,
    )
    .await;
    let mine = get(&app, "/obp/v4.0.0/my/entitlements", &ada).await;

    assert_eq!(
        before.1["message"],
        "OBP-20006: User is missing one or more roles: CanLockUser"
    );
    assert_json_snapshot!("granted", answer(granted));
    assert_eq!(after.0, 200, "{}", after.1);
    assert_json_snapshot!("listed", answer(listed));
    assert_json_snapshot!("mine", answer(mine));
}

#[tokio::test]
async fn a_super_admins_entitlements_show_the_super_admin_pseudo_role() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let admin_id = get(&app, "/obp/v4.0.0/users/current/user_id", &admin)
        .await
        .1["user_id"]
        .as_str()
        .unwrap()
        .to_string();

    let listed = get(
        &app,
        &format!("/obp/v4.0.0/users/{admin_id}/entitlements"),
        &admin,
    )
    .await;

    let list = listed.1["list"].as_array().unwrap();
    assert_eq!(
        list.last().unwrap(),
        &json!({ "entitlement_id": "", "role_name": "SuperAdmin", "bank_id": "" })
    );
}

#[tokio::test]
async fn granting_roles_gets_obps_errors() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;
    let path = format!("/obp/v4.0.0/users/{FELIX_ID}/entitlements");
    let grant = |role: &str, bank: &str| json!({ "bank_id": bank, "role_name": role });
    post(&app, &path, &admin, grant("CanGetAnyUser", "")).await;
    let cases = [
        (
            "anonymous",
            call(
                &app,
                Method::POST,
                &path,
                None,
                Some(grant("CanGetAnyUser", "")),
            )
            .await,
            401,
            "OBP-20001",
        ),
        (
            "unknown_user",
            post(
                &app,
                "/obp/v4.0.0/users/nobody/entitlements",
                &admin,
                grant("CanGetAnyUser", ""),
            )
            .await,
            404,
            "OBP-20005",
        ),
        (
            "bad_body",
            post(&app, &path, &admin, json!({ "role_name": "CanGetAnyUser" })).await,
            400,
            "OBP-10001",
        ),
        (
            "unknown_role",
            post(&app, &path, &admin, grant("CanDoAnything", "")).await,
            400,
            "OBP-10007",
        ),
        (
            "system_role_at_a_bank",
            post(&app, &path, &admin, grant("CanGetAnyUser", "gh.29.uk")).await,
            400,
            "OBP-30206",
        ),
        (
            "bank_role_without_bank",
            post(
                &app,
                &path,
                &admin,
                grant("CanReadDynamicResourceDocsAtOneBank", ""),
            )
            .await,
            400,
            "OBP-30205",
        ),
        (
            "not_allowed",
            post(&app, &path, &felix, grant("CanDeleteUser", "")).await,
            403,
            "OBP-20050",
        ),
        (
            "unknown_bank",
            post(
                &app,
                &path,
                &admin,
                grant("CanReadDynamicResourceDocsAtOneBank", "nobank"),
            )
            .await,
            400,
            "OBP-30001",
        ),
        (
            "duplicate",
            post(&app, &path, &admin, grant("CanGetAnyUser", "")).await,
            400,
            "OBP-30216",
        ),
        (
            "list_without_role",
            get(&app, &path, &felix).await,
            403,
            "OBP-20006",
        ),
        (
            "list_unknown_user",
            get(&app, "/obp/v4.0.0/users/nobody/entitlements", &admin).await,
            404,
            "OBP-20005",
        ),
        (
            "mine_anonymous",
            call(&app, Method::GET, "/obp/v4.0.0/my/entitlements", None, None).await,
            401,
            "OBP-20001",
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
async fn spaces_are_the_banks_of_the_dynamic_resource_docs_role() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;
    let grace = login(&app, GRACE).await;
    let grace_id = user_id(&app, &admin, "grace.hopper").await;

    let felix_spaces = get(&app, "/obp/v4.0.0/my/spaces", &felix).await;
    let grace_before = get(&app, "/obp/v4.0.0/my/spaces", &grace).await;
    post(
        &app,
        &format!("/obp/v4.0.0/users/{grace_id}/entitlements"),
        &admin,
        json!({ "bank_id": "gh.29.de", "role_name": "CanReadDynamicResourceDocsAtOneBank" }),
    )
    .await;
    let grace_after = get(&app, "/obp/v4.0.0/my/spaces", &grace).await;
    let anonymous = call(&app, Method::GET, "/obp/v4.0.0/my/spaces", None, None).await;

    assert_eq!(felix_spaces, (200, json!({ "bank_ids": ["gh.29.uk"] })));
    assert_eq!(grace_before, (200, json!({ "bank_ids": [] })));
    assert_eq!(grace_after, (200, json!({ "bank_ids": ["gh.29.de"] })));
    assert_obp_error(&anonymous, 401, "OBP-20001");
}
