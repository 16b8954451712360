//! DirectLogin: tokens, both header forms, and every login error.

use insta::assert_json_snapshot;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

use super::*;
use crate::support::{spawn_app, spawn_app_with, status_and_json};

#[tokio::test]
async fn logging_in_returns_201_and_a_token() {
    let app = spawn_app().await;
    let header =
        format!("username=felixsmith, password=Felix-Sandbox-2026!, consumer_key={CONSUMER_KEY}");

    let (status, body) = status_and_json(direct_login(&app, &header).await).await;

    assert_eq!(status, 201);
    assert_json_snapshot!(body, { ".token" => token() });
}

#[tokio::test]
async fn the_authorization_header_form_logs_in_and_authenticates_too() {
    let app = spawn_app().await;
    let response = app
        .post("/my/logins/direct")
        .header(CONTENT_TYPE, "application/json")
        .header(
            AUTHORIZATION,
            format!("DirectLogin username=\"felixsmith\", password=\"Felix-Sandbox-2026!\", consumer_key=\"{CONSUMER_KEY}\""),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap();

    let response = app
        .get("/obp/v4.0.0/users/current/user_id")
        .header(AUTHORIZATION, format!("DirectLogin token=\"{token}\""))
        .send()
        .await
        .unwrap();

    assert_eq!(
        status_and_json(response).await,
        (200, json!({ "user_id": FELIX_ID }))
    );
}

#[tokio::test]
async fn older_tokens_stay_valid_when_a_new_one_is_issued() {
    let app = spawn_app().await;
    let first = login(&app, FELIX).await;
    let second = login(&app, FELIX).await;
    assert_ne!(first, second);
    for token in [first, second] {
        assert_eq!(
            get(&app, "/obp/v4.0.0/users/current/user_id", &token)
                .await
                .0,
            200
        );
    }
}

#[tokio::test]
async fn login_errors_follow_obp() {
    let app = spawn_app().await;
    let mut answers = serde_json::Map::new();
    let cases: &[(&str, &str)] = &[
        ("missing_parameters", "username=felixsmith"),
        (
            "invalid_characters",
            &format!("username=felix<smith>, password=x, consumer_key={CONSUMER_KEY}"),
        ),
        (
            "unknown_consumer",
            "username=felixsmith, password=Felix-Sandbox-2026!, consumer_key=nope",
        ),
        (
            "disabled_consumer",
            "username=felixsmith, password=Felix-Sandbox-2026!, consumer_key=disabled-consumer-key",
        ),
        (
            "wrong_password",
            &format!("username=felixsmith, password=wrong, consumer_key={CONSUMER_KEY}"),
        ),
        (
            "unknown_user",
            &format!("username=nobody, password=Felix-Sandbox-2026!, consumer_key={CONSUMER_KEY}"),
        ),
        (
            "not_validated",
            &format!(
                "username={}, password={}, consumer_key={CONSUMER_KEY}",
                JAN.0, JAN.1
            ),
        ),
        (
            "locked_by_bad_logins",
            &format!(
                "username=max.mustermann, password=Max-Sandbox-2026!, consumer_key={CONSUMER_KEY}"
            ),
        ),
        (
            "locked_by_an_admin",
            &format!(
                "username=erika.musterfrau, password=Erika-Sandbox-2026!, consumer_key={CONSUMER_KEY}"
            ),
        ),
    ];
    for (name, header) in cases {
        let answer = status_and_json(direct_login(&app, header).await).await;
        answers.insert(name.to_string(), super::answer(answer));
    }
    let long = format!(
        "username={}, password=x, consumer_key={CONSUMER_KEY}",
        "a".repeat(513)
    );
    answers.insert(
        "too_long".into(),
        super::answer(status_and_json(direct_login(&app, &long).await).await),
    );
    let no_header = app
        .post("/my/logins/direct")
        .header(CONTENT_TYPE, "application/json")
        .send()
        .await
        .unwrap();
    answers.insert(
        "no_header".into(),
        super::answer(status_and_json(no_header).await),
    );
    let basic = app
        .post("/my/logins/direct")
        .header(CONTENT_TYPE, "application/json")
        .header(AUTHORIZATION, "Basic ZmVsaXg6cGFzcw==")
        .send()
        .await
        .unwrap();
    answers.insert(
        "basic_authorization".into(),
        super::answer(status_and_json(basic).await),
    );
    let no_json = app
        .post("/my/logins/direct")
        .header(
            "DirectLogin",
            format!(
                "username=felixsmith, password=Felix-Sandbox-2026!, consumer_key={CONSUMER_KEY}"
            ),
        )
        .send()
        .await
        .unwrap();
    answers.insert(
        "without_json_content_type".into(),
        super::answer(status_and_json(no_json).await),
    );

    for (name, answer) in &answers {
        let status = answer["status"].as_u64().unwrap() as u16;
        assert_eq!(answer["body"]["code"], status, "{name}");
    }
    assert_json_snapshot!(Value::Object(answers));
}

#[tokio::test]
async fn calls_without_valid_credentials_get_obps_auth_errors() {
    let app = spawn_app().await;
    let path = "/obp/v4.0.0/users/current";

    let anonymous = app.get(path).send().await.unwrap();
    let challenge = anonymous.headers().get("www-authenticate").cloned();
    let anonymous = status_and_json(anonymous).await;
    let unknown = call(
        &app,
        Method::GET,
        path,
        Some("eyJhbGciOiJIUzI1NiJ9.eyIiOiIifQ.nope"),
        None,
    )
    .await;
    let bearer = status_and_json(
        app.get(path)
            .header(AUTHORIZATION, "Bearer abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let no_token = status_and_json(
        app.get(path)
            .header("DirectLogin", "username=felixsmith")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let bad_token = call(&app, Method::GET, path, Some("abc<def>"), None).await;

    assert_obp_error(&anonymous, 401, "OBP-20001");
    let challenge = challenge.expect("a WWW-Authenticate header on 401");
    assert!(
        challenge.to_str().unwrap().contains("DirectLogin realm="),
        "{challenge:?}"
    );
    assert_obp_error(&unknown, 400, "OBP-20003");
    assert_obp_error(&bearer, 401, "OBP-20080");
    assert_obp_error(&no_token, 400, "OBP-20002");
    assert_obp_error(&bad_token, 400, "OBP-20011");
    assert_json_snapshot!(json!({
        "anonymous": anonymous.1, "unknown_token": unknown.1, "bearer": bearer.1,
        "no_token": no_token.1, "bad_token": bad_token.1,
    }));
}

#[tokio::test]
async fn tokens_expire_by_the_sandbox_clock() {
    let fixtures = fixtures_with(|config| config["tokenExpirationWeeks"] = json!(0));
    let app = spawn_app_with(|s| s.fixtures = Some(fixtures)).await;
    let token = login(&app, FELIX).await;

    let answer = get(&app, "/obp/v4.0.0/users/current", &token).await;

    assert_obp_error(&answer, 400, "OBP-20003");
    assert_eq!(
        answer.1["message"],
        format!("OBP-20003: This DirectLogin token is invalid or expired:{token}")
    );
}

#[tokio::test]
async fn a_deleted_users_old_token_gets_401_obp_20064() {
    let app = spawn_app().await;
    let admin = login(&app, ADMIN).await;
    let grace = login(&app, GRACE).await;
    let grace_id = get(&app, "/obp/v4.0.0/users/current/user_id", &grace)
        .await
        .1["user_id"]
        .as_str()
        .unwrap()
        .to_string();

    let deleted = call(
        &app,
        Method::DELETE,
        &format!("/obp/v4.0.0/users/{grace_id}"),
        Some(&admin),
        None,
    )
    .await;
    let after = get(&app, "/obp/v4.0.0/users/current", &grace).await;
    let relogin = status_and_json(
        direct_login(
            &app,
            &format!(
                "username=grace.hopper, password=Grace-Sandbox-2026!, consumer_key={CONSUMER_KEY}"
            ),
        )
        .await,
    )
    .await;

    assert_eq!(deleted, (200, json!(true)));
    assert_obp_error(&after, 401, "OBP-20064");
    assert_obp_error(&relogin, 401, "OBP-20004");
}
