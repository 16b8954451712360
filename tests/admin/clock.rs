use serde_json::json;

use super::{admin_json, client_token};
use crate::support::spawn_app;

#[tokio::test]
async fn the_clock_is_read_set_and_advanced() {
    let app = spawn_app().await;
    let (status, clock) = admin_json(app.get("/__admin/clock").send().await.unwrap()).await;
    assert_eq!(
        (status, clock),
        (
            200,
            json!({"now": "2026-01-15T10:00:00+00:00", "mode": "fixed"})
        )
    );

    let (_, clock) = admin_json(
        app.post("/__admin/clock/advance")
            .json(&json!({"seconds": 90}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(clock["now"], "2026-01-15T10:01:30+00:00");

    let (_, clock) = admin_json(
        app.put("/__admin/clock")
            .json(&json!({"fixed": "2027-03-01T08:00:00Z"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(clock["now"], "2027-03-01T08:00:00+00:00");

    let (_, clock) = admin_json(
        app.put("/__admin/clock")
            .json(&json!({"system": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(clock["mode"], "system");
}

#[tokio::test]
async fn bad_clock_settings_get_a_400() {
    let app = spawn_app().await;
    for body in [
        json!({"fixed": "tomorrow"}),
        json!({}),
        json!({"system": false}),
        json!({"fixed": "2027-01-01T00:00:00Z", "system": true}),
    ] {
        let (status, _) =
            admin_json(app.put("/__admin/clock").json(&body).send().await.unwrap()).await;
        assert_eq!(status, 400, "{body}");
    }
    let (status, _) = admin_json(
        app.post("/__admin/clock/advance")
            .json(&json!({"seconds": "soon"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = admin_json(
        app.post("/__admin/clock/advance")
            .json(&json!({"seconds": i64::MAX}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_sandbox_clock_moves_alone() {
    let app = spawn_app().await;
    app.post("/__admin/clock/advance?sandbox=later")
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .unwrap();
    let (_, later) = admin_json(
        app.get("/__admin/clock?sandbox=later")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (_, default) = admin_json(app.get("/__admin/clock").send().await.unwrap()).await;
    assert_eq!(later["now"], "2026-01-15T11:00:00+00:00");
    assert_eq!(default["now"], "2026-01-15T10:00:00+00:00");
}

#[tokio::test]
async fn finapi_tokens_expire_when_the_clock_passes_their_lifetime() {
    let app = spawn_app().await;
    let token = client_token(&app, "").await;
    let check = || {
        app.get("/api/v1/users/verificationStatus?userId=felixsmith")
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(check().await.unwrap().status(), 200);

    app.post("/__admin/clock/advance")
        .json(&json!({"seconds": 3599}))
        .send()
        .await
        .unwrap();
    assert_eq!(check().await.unwrap().status(), 200);
    app.post("/__admin/clock/advance")
        .json(&json!({"seconds": 1}))
        .send()
        .await
        .unwrap();

    let (status, body) = admin_json(check().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(
        body["error_description"],
        format!("Access token expired: {token}")
    );
}

#[tokio::test]
async fn obp_directlogin_tokens_expire_when_the_clock_passes_four_weeks() {
    let app = spawn_app().await;
    let token = crate::obp::login(&app, crate::obp::FELIX).await;
    let current = || {
        app.get("/obp/v4.0.0/users/current")
            .header("DirectLogin", format!("token={token}"))
            .send()
    };
    assert_eq!(current().await.unwrap().status(), 200);

    let four_weeks = 4 * 7 * 86_400;
    app.post("/__admin/clock/advance")
        .json(&json!({"seconds": four_weeks - 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(current().await.unwrap().status(), 200);
    app.post("/__admin/clock/advance")
        .json(&json!({"seconds": 1}))
        .send()
        .await
        .unwrap();

    let (status, body) = admin_json(current().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        format!("OBP-20003: This DirectLogin token is invalid or expired:{token}")
    );
}
