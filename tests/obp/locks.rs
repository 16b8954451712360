//! Bad-login locking, admin locks, lock status and unlocking, at v4.0.0's and v5.1.0's paths.

use insta::assert_json_snapshot;
use reqwest::Method;
use serde_json::{Value, json};

use super::*;
use crate::support::{spawn_app, status_and_json};

async fn bad_login(app: &crate::support::TestApp, username: &str, password: &str) -> (u16, Value) {
    let header = format!("username={username}, password={password}, consumer_key={CONSUMER_KEY}");
    status_and_json(direct_login(app, &header).await).await
}

#[tokio::test]
async fn more_than_five_bad_logins_lock_the_user_until_an_admin_unlocks_them() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let old_token = login(&app, GRACE).await;

    let mut codes = Vec::new();
    for _ in 0..7 {
        let answer = bad_login(&app, "grace.hopper", "Wrong-Passw0rd!").await;
        codes.push(answer.1["message"].as_str().unwrap()[..9].to_string());
    }
    let right_password = bad_login(&app, GRACE.0, GRACE.1).await;
    let with_old_token = get(&app, "/obp/v4.0.0/users/current", &old_token).await;
    let status = get(&app, "/obp/v4.0.0/users/grace.hopper/lock-status", &admin).await;
    let user = get(&app, "/obp/v4.0.0/users/username/grace.hopper", &admin).await;
    let locked = get(
        &app,
        "/obp/v4.0.0/users?locked_status=locked&limit=100",
        &admin,
    )
    .await;

    assert_eq!(
        codes,
        [
            "OBP-20004",
            "OBP-20004",
            "OBP-20004",
            "OBP-20004",
            "OBP-20004",
            "OBP-20004",
            "OBP-20013"
        ]
    );
    assert_obp_error(&right_password, 401, "OBP-20013");
    assert_obp_error(&with_old_token, 401, "OBP-20013");
    assert_eq!(status.1["bad_attempts_since_last_success_or_reset"], 8);
    assert_eq!(user.1["is_locked"], true);
    let names: Vec<&str> = locked.1["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["max.mustermann", "grace.hopper"]);

    let unlocked = call(
        &app,
        Method::PUT,
        "/obp/v4.0.0/users/grace.hopper/lock-status",
        Some(&admin),
        None,
    )
    .await;

    assert_json_snapshot!("unlocked", answer(unlocked));
    assert_eq!(
        get(&app, "/obp/v4.0.0/users/current", &old_token).await.0,
        200
    );
    login(&app, GRACE).await;
}

#[tokio::test]
async fn a_successful_login_resets_the_bad_login_counter() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    for _ in 0..3 {
        bad_login(&app, "felixsmith", "nope").await;
    }
    assert_eq!(
        get(&app, "/obp/v4.0.0/users/felixsmith/lock-status", &admin)
            .await
            .1["bad_attempts_since_last_success_or_reset"],
        3
    );

    login(&app, FELIX).await;

    let status = get(&app, "/obp/v4.0.0/users/felixsmith/lock-status", &admin).await;
    assert_json_snapshot!(answer(status));
}

#[tokio::test]
async fn an_admin_lock_blocks_logins_and_tokens_and_shows_in_is_locked() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;

    let locked = call(
        &app,
        Method::POST,
        "/obp/v4.0.0/users/felixsmith/locks",
        Some(&admin),
        None,
    )
    .await;
    let with_token = get(&app, "/obp/v4.0.0/users/current", &felix).await;
    let relogin = bad_login(&app, FELIX.0, FELIX.1).await;
    let user = get(
        &app,
        "/obp/v4.0.0/users/user_id/9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1",
        &admin,
    )
    .await;
    // The lock-status endpoint reports the bad-login counter only, as in OBP.
    let status = get(&app, "/obp/v4.0.0/users/felixsmith/lock-status", &admin).await;

    assert_json_snapshot!("locked", answer(locked));
    assert_obp_error(&with_token, 401, "OBP-20013");
    assert_obp_error(&relogin, 401, "OBP-20013");
    assert_eq!(user.1["is_locked"], true);
    assert_eq!(status.1["bad_attempts_since_last_success_or_reset"], 1);

    let unlocked = call(
        &app,
        Method::PUT,
        "/obp/v4.0.0/users/felixsmith/lock-status",
        Some(&admin),
        Some(json!({})),
    )
    .await;
    assert_eq!(unlocked.0, 200);
    assert_eq!(
        get(&app, "/obp/v4.0.0/users/current/user_id", &felix)
            .await
            .0,
        200
    );
    assert_eq!(
        get(&app, "/obp/v4.0.0/users/username/felixsmith", &admin)
            .await
            .1["is_locked"],
        false
    );
}

#[tokio::test]
async fn the_fixture_locked_users_are_unlocked_by_an_admin() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    for user in [MAX, ERIKA] {
        assert_obp_error(&bad_login(&app, user.0, user.1).await, 401, "OBP-20013");
        let path = format!("/obp/v4.0.0/users/{}/lock-status", user.0);
        assert_eq!(
            call(&app, Method::PUT, &path, Some(&admin), None).await.0,
            200
        );
        login(&app, user).await;
    }
}

#[tokio::test]
async fn lock_endpoints_check_login_role_and_user_in_obps_order() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let felix = login(&app, FELIX).await;
    let cases = [
        (
            "lock_anonymous",
            call(
                &app,
                Method::POST,
                "/obp/v4.0.0/users/felixsmith/locks",
                None,
                None,
            )
            .await,
        ),
        (
            "lock_without_role",
            call(
                &app,
                Method::POST,
                "/obp/v4.0.0/users/felixsmith/locks",
                Some(&felix),
                None,
            )
            .await,
        ),
        (
            "lock_unknown_user",
            call(
                &app,
                Method::POST,
                "/obp/v4.0.0/users/nobody/locks",
                Some(&admin),
                None,
            )
            .await,
        ),
        (
            "status_anonymous",
            call(
                &app,
                Method::GET,
                "/obp/v4.0.0/users/felixsmith/lock-status",
                None,
                None,
            )
            .await,
        ),
        (
            "status_without_role",
            get(&app, "/obp/v4.0.0/users/nobody/lock-status", &felix).await,
        ),
        (
            "status_unknown_user",
            get(&app, "/obp/v4.0.0/users/nobody/lock-status", &admin).await,
        ),
        // unlockUser looks the user up before the role: 404 beats 403.
        (
            "unlock_unknown_user_without_role",
            call(
                &app,
                Method::PUT,
                "/obp/v4.0.0/users/nobody/lock-status",
                Some(&felix),
                None,
            )
            .await,
        ),
        (
            "unlock_without_role",
            call(
                &app,
                Method::PUT,
                "/obp/v4.0.0/users/felixsmith/lock-status",
                Some(&felix),
                None,
            )
            .await,
        ),
        (
            "unlock_anonymous",
            call(
                &app,
                Method::PUT,
                "/obp/v4.0.0/users/felixsmith/lock-status",
                None,
                None,
            )
            .await,
        ),
    ];
    let expected = [
        (401, "OBP-20001"),
        (403, "OBP-20006"),
        (404, "OBP-20027"),
        (401, "OBP-20001"),
        (403, "OBP-20006"),
        (404, "OBP-20027"),
        (404, "OBP-20027"),
        (403, "OBP-20006"),
        (401, "OBP-20001"),
    ];
    for ((name, answer), (status, code)) in cases.iter().zip(expected) {
        assert_eq!(answer.0, status, "{name}: {}", answer.1);
        assert_obp_error(answer, status, code);
    }
    let snapshot: serde_json::Map<String, Value> = cases
        .into_iter()
        .map(|(name, a)| (name.to_string(), a.1))
        .collect();
    assert_json_snapshot!(Value::Object(snapshot));
}

#[tokio::test]
async fn v5_1_0_serves_the_lock_endpoints_by_provider_and_username() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let base = "/obp/v5.1.0/users/http%3A%2F%2F127.0.0.1%3A8080/felixsmith";

    let status = get(&app, &format!("{base}/lock-status"), &admin).await;
    let locked = call(
        &app,
        Method::POST,
        &format!("{base}/locks"),
        Some(&admin),
        None,
    )
    .await;
    let relogin = bad_login(&app, FELIX.0, FELIX.1).await;
    let unlocked = call(
        &app,
        Method::PUT,
        &format!("{base}/lock-status"),
        Some(&admin),
        None,
    )
    .await;
    let other_provider = get(
        &app,
        "/obp/v5.1.0/users/google/felixsmith/lock-status",
        &admin,
    )
    .await;

    assert_eq!(status.0, 200, "{}", status.1);
    assert_eq!(locked.0, 200, "{}", locked.1);
    assert_obp_error(&relogin, 401, "OBP-20013");
    assert_eq!(unlocked.0, 200, "{}", unlocked.1);
    assert_obp_error(&other_provider, 404, "OBP-20027");
    login(&app, FELIX).await;
    assert_json_snapshot!(
        json!({ "status": status.1, "locked": locked.1, "unlocked": unlocked.1 })
    );
}
