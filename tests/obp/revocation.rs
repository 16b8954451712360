//! Revoking entitlements (`DELETE /users/USER_ID/entitlement/ENTITLEMENT_ID`) and the admin
//! read of every entitlement (`GET /entitlements`).

use reqwest::Method;
use serde_json::{Value, json};

use super::*;
use crate::support::{TestApp, spawn_app};

const ADA_ID_PATH: &str = "/obp/v4.0.0/users/username/ada.lovelace";

async fn ada_id(app: &TestApp, admin: &str) -> String {
    get(app, ADA_ID_PATH, admin).await.1["user_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn grant(app: &TestApp, admin: &str, user_id: &str, role: &str) -> String {
    let (status, body) = post(
        app,
        &format!("/obp/v4.0.0/users/{user_id}/entitlements"),
        admin,
        json!({ "bank_id": "", "role_name": role }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["entitlement_id"].as_str().unwrap().to_string()
}

/// A DELETE as OBP clients send it; 204 has no body, so the raw text is returned.
async fn delete(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String) {
    let mut request = app.request(Method::DELETE, path);
    if let Some(token) = token {
        request = request.header("DirectLogin", format!("token={token}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn parsed((status, text): (u16, String)) -> (u16, Value) {
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn revoking_a_granted_role_answers_204_and_closes_the_endpoint_again() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let ada = login(&app, ADA).await;
    let ada_id = ada_id(&app, &admin).await;
    let entitlement_id = grant(&app, &admin, &ada_id, "CanLockUser").await;
    let lock = "/obp/v4.0.0/users/grace.hopper/locks";
    let before = call(&app, Method::POST, lock, Some(&ada), None).await;

    let revoked = delete(
        &app,
        &format!("/obp/v4.0.0/users/{ada_id}/entitlement/{entitlement_id}"),
        Some(&admin),
    )
    .await;

    let after = call(&app, Method::POST, lock, Some(&ada), None).await;
    let listed = get(
        &app,
        &format!("/obp/v4.0.0/users/{ada_id}/entitlements"),
        &admin,
    )
    .await;
    assert_eq!(before.0, 200, "{}", before.1);
    assert_eq!(revoked, (204, String::new()));
    assert_obp_error(&after, 403, "OBP-20006");
    let roles: Vec<&str> = listed.1["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["role_name"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["CanGetAnyUser"]);
    // The same role can be granted again, with a new id.
    let again = grant(&app, &admin, &ada_id, "CanLockUser").await;
    assert_ne!(again, entitlement_id);
}

#[tokio::test]
async fn revocation_is_served_under_every_version_prefix() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let ada_id = ada_id(&app, &admin).await;
    for prefix in ["/obp/v3.1.0", "/obp/v4.0.0", "/obp/v5.0.0", "/obp/v5.1.0"] {
        let id = grant(&app, &admin, &ada_id, "CanRefreshUser").await;
        let revoked = delete(
            &app,
            &format!("{prefix}/users/{ada_id}/entitlement/{id}"),
            Some(&admin),
        )
        .await;
        assert_eq!(revoked, (204, String::new()), "{prefix}");
    }
}

#[tokio::test]
async fn revocation_checks_login_then_role_then_entitlement_then_holder() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let ada = login(&app, ADA).await;
    let ada_id = ada_id(&app, &admin).await;
    let id = grant(&app, &admin, &ada_id, "CanDeleteUser").await;
    let path = |user: &str, entitlement: &str| {
        format!("/obp/v4.0.0/users/{user}/entitlement/{entitlement}")
    };

    // No login, even for an unknown entitlement: 401 first.
    let anonymous = parsed(delete(&app, &path(&ada_id, "nope"), None).await);
    // Ada lacks CanDeleteEntitlementAtAnyBank, even for her own entitlement: 403 before lookup.
    let without_role = parsed(delete(&app, &path(&ada_id, &id), Some(&ada)).await);
    let unknown = parsed(delete(&app, &path(&ada_id, "nope"), Some(&admin)).await);
    // Felix does not hold Ada's entitlement; an unknown user id is not looked up either.
    let not_holder = parsed(delete(&app, &path(FELIX_ID, &id), Some(&admin)).await);
    let unknown_user = parsed(delete(&app, &path("nobody", &id), Some(&admin)).await);
    let still_there = get(
        &app,
        &format!("/obp/v4.0.0/users/{ada_id}/entitlements"),
        &admin,
    )
    .await;
    let revoked = delete(&app, &path(&ada_id, &id), Some(&admin)).await;
    let twice = parsed(delete(&app, &path(&ada_id, &id), Some(&admin)).await);

    assert_obp_error(&anonymous, 401, "OBP-20001");
    assert_obp_error(&without_role, 403, "OBP-20006");
    assert_eq!(
        without_role.1["message"],
        "OBP-20006: User is missing one or more roles: CanDeleteEntitlementAtAnyBank"
    );
    assert_obp_error(&unknown, 404, "OBP-30212");
    assert_eq!(unknown.1["message"], "OBP-30212: EntitlementId not found");
    assert_obp_error(&not_holder, 400, "OBP-30213");
    assert_eq!(
        not_holder.1["message"],
        "OBP-30213: USER_ID does not have the ENTITLEMENT_ID."
    );
    assert_obp_error(&unknown_user, 400, "OBP-30213");
    assert!(
        still_there.1["list"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entitlement_id"] == id.as_str()),
        "failed revocations remove nothing: {}",
        still_there.1
    );
    assert_eq!(revoked.0, 204);
    assert_obp_error(&twice, 404, "OBP-30212");
}

#[tokio::test]
async fn a_super_admin_without_the_delete_role_cannot_revoke() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let admin_id = get(&app, "/obp/v4.0.0/users/current/user_id", &admin)
        .await
        .1["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    // The admin revokes their own CanDeleteEntitlementAtAnyBank; super admin status stays.
    let own = get(
        &app,
        &format!("/obp/v4.0.0/users/{admin_id}/entitlements"),
        &admin,
    )
    .await;
    let delete_role = own.1["list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["role_name"] == "CanDeleteEntitlementAtAnyBank")
        .unwrap()["entitlement_id"]
        .as_str()
        .unwrap()
        .to_string();
    let ada_id = ada_id(&app, &admin).await;
    let id = grant(&app, &admin, &ada_id, "CanRefreshUser").await;

    let dropped = delete(
        &app,
        &format!("/obp/v4.0.0/users/{admin_id}/entitlement/{delete_role}"),
        Some(&admin),
    )
    .await;
    let refused = parsed(
        delete(
            &app,
            &format!("/obp/v4.0.0/users/{ada_id}/entitlement/{id}"),
            Some(&admin),
        )
        .await,
    );

    assert_eq!(dropped.0, 204);
    assert_obp_error(&refused, 403, "OBP-20006");
}

#[tokio::test]
async fn all_entitlements_lists_every_users_roles_for_holders_of_the_read_role() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let ada = login(&app, ADA).await;
    let ada_id = ada_id(&app, &admin).await;
    let granted = grant(&app, &admin, &ada_id, "CanRefreshUser").await;

    let all = get(&app, "/obp/v4.0.0/entitlements", &admin).await;
    let without_role = get(&app, "/obp/v4.0.0/entitlements", &ada).await;
    let anonymous = call(&app, Method::GET, "/obp/v4.0.0/entitlements", None, None).await;

    assert_eq!(all.0, 200, "{}", all.1);
    let list = all.1["list"].as_array().unwrap();
    let has = |id: &str, role: &str| {
        list.iter()
            .any(|e| e["entitlement_id"] == id && e["role_name"] == role && e["bank_id"] == "")
    };
    assert!(has(
        "6fb17583-1e49-4435-bb74-a14fe0996723",
        "CanQueryOtherUser"
    ));
    assert!(has(
        "a2c3d4e5-0003-4000-8000-000000000003",
        "CanDeleteEntitlementAtAnyBank"
    ));
    assert!(has(&granted, "CanRefreshUser"));
    for e in list {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["entitlement_id", "role_name", "bank_id"]);
    }
    // No pseudo SuperAdmin entry here: only stored entitlements.
    assert!(list.iter().all(|e| e["role_name"] != "SuperAdmin"));
    // Stable order: the same list twice.
    assert_eq!(get(&app, "/obp/v4.0.0/entitlements", &admin).await, all);
    assert_obp_error(&without_role, 403, "OBP-20006");
    assert_eq!(
        without_role.1["message"],
        "OBP-20006: User is missing one or more roles: CanGetEntitlementsForAnyUserAtAnyBank"
    );
    assert_obp_error(&anonymous, 401, "OBP-20001");
}
