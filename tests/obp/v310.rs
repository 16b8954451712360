//! `/obp/v3.1.0` serves OBP v3.0.0's `getUsers` and `getUserByUserId`: the v2.0.0 user shape.

use reqwest::Method;
use serde_json::Value;

use super::*;
use crate::support::spawn_app;

fn keys(user: &Value) -> Vec<&str> {
    user.as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

const V200_KEYS: [&str; 6] = [
    "user_id",
    "email",
    "provider_id",
    "provider",
    "username",
    "entitlements",
];

#[tokio::test]
async fn v310_get_users_lists_users_in_the_v200_shape() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let (status, body) = get(&app, "/obp/v3.1.0/users?limit=3&offset=0", &admin).await;
    let v4 = get(&app, "/obp/v4.0.0/users?limit=3&offset=0", &admin).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), ["users"]);
    let users = body["users"].as_array().unwrap();
    assert_eq!(users.len(), 3);
    for (old, new) in users.iter().zip(v4.1["users"].as_array().unwrap()) {
        assert_eq!(keys(old), V200_KEYS);
        assert_eq!(old["user_id"], new["user_id"]);
        assert_eq!(old["username"], new["username"]);
    }
    let page = get(&app, "/obp/v3.1.0/users?limit=2&offset=1", &admin).await;
    assert_eq!(page.1["users"][0]["user_id"], users[1]["user_id"]);
}

#[tokio::test]
async fn v310_get_users_checks_login_role_and_query_parameters() {
    let app = spawn_app().await;
    let felix = login(&app, FELIX).await;
    let admin = login(&app, ADMIN).await;
    let anonymous = call(&app, Method::GET, "/obp/v3.1.0/users", None, None).await;
    let without_role = get(&app, "/obp/v3.1.0/users", &felix).await;
    let bad_limit = get(&app, "/obp/v3.1.0/users?limit=0", &admin).await;
    let bad_offset = get(&app, "/obp/v3.1.0/users?offset=-1", &admin).await;

    assert_obp_error(&anonymous, 401, "OBP-20001");
    assert_obp_error(&without_role, 403, "OBP-20006");
    assert_eq!(
        without_role.1["message"],
        "OBP-20006: User is missing one or more roles: CanGetAnyUser"
    );
    assert_obp_error(&bad_limit, 400, "OBP-10016");
    assert!(
        bad_limit.1["message"]
            .as_str()
            .unwrap()
            .contains("OBP-10025")
    );
    assert_obp_error(&bad_offset, 400, "OBP-10016");
}

#[tokio::test]
async fn v310_get_user_by_user_id_answers_the_v200_shape_without_agreements() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let ada = login(&app, ADA).await;
    let felix = login(&app, FELIX).await;
    let path = format!("/obp/v3.1.0/users/user_id/{FELIX_ID}");

    let (status, body) = get(&app, &path, &ada).await;
    let v4 = get(
        &app,
        &format!("/obp/v4.0.0/users/user_id/{FELIX_ID}"),
        &admin,
    )
    .await;
    let unknown = get(&app, "/obp/v3.1.0/users/user_id/nobody", &admin).await;
    let without_role = get(&app, &path, &felix).await;
    let anonymous = call(&app, Method::GET, &path, None, None).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), V200_KEYS);
    assert_eq!(body["username"], "felixsmith");
    assert_eq!(body["entitlements"], v4.1["entitlements"]);
    assert!(v4.1.get("agreements").is_some() && body.get("agreements").is_none());
    assert_obp_error(&unknown, 400, "OBP-20057");
    assert_eq!(
        unknown.1["message"],
        "OBP-20057: User not found by userId. Current UserId(nobody)"
    );
    assert_obp_error(&without_role, 403, "OBP-20006");
    assert_obp_error(&anonymous, 401, "OBP-20001");
}
