use serde_json::json;

use super::{admin_json, client_token, create_user, user_exists};
use crate::support::{spawn_app, spawn_app_with};

#[tokio::test]
async fn a_sandbox_is_created_on_first_use_and_isolated_from_the_others() {
    let app = spawn_app().await;
    let alpha = client_token(&app, "/sandboxes/alpha").await;
    let default = client_token(&app, "").await;

    assert_eq!(
        create_user(&app, "/sandboxes/alpha", &alpha, "only-in-alpha").await,
        201
    );

    assert!(user_exists(&app, "/sandboxes/alpha", &alpha, "only-in-alpha").await);
    assert!(!user_exists(&app, "", &default, "only-in-alpha").await);
    // A token issued in one sandbox means nothing in another. (Client tokens of the two
    // sandboxes coincide: the same seed draws the same values, so use a user token here.)
    let login = app
        .post("/sandboxes/alpha/oauth/token")
        .form(&[
            ("grant_type", "password"),
            ("client_id", "sandbox-client"),
            ("client_secret", "sandbox-client-secret"),
            ("username", "felixsmith"),
            ("password", "Felix-Sandbox-2026!"),
        ])
        .send()
        .await
        .unwrap();
    let login: serde_json::Value = login.json().await.unwrap();
    let user_token = login["access_token"].as_str().unwrap();
    assert_eq!(
        app.get("/sandboxes/alpha/api/v1/users")
            .bearer_auth(user_token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.get("/api/v1/users")
            .bearer_auth(user_token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let (_, list) = admin_json(app.get("/__admin/sandboxes").send().await.unwrap()).await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "alpha"]);
}

#[tokio::test]
async fn parallel_writes_in_two_sandboxes_never_see_each_other() {
    let app = spawn_app().await;
    let (a, b) = (
        client_token(&app, "/sandboxes/a").await,
        client_token(&app, "/sandboxes/b").await,
    );
    let writes = (0..20).map(|i| {
        let (app, a, b) = (&app, a.clone(), b.clone());
        async move {
            let (ida, idb) = (format!("a-user-{i}"), format!("b-user-{i}"));
            let (sa, sb) = tokio::join!(
                create_user(app, "/sandboxes/a", &a, &ida),
                create_user(app, "/sandboxes/b", &b, &idb),
            );
            assert_eq!((sa, sb), (201, 201));
        }
    });
    futures_util::future::join_all(writes).await;
    for i in 0..20 {
        assert!(user_exists(&app, "/sandboxes/a", &a, &format!("a-user-{i}")).await);
        assert!(!user_exists(&app, "/sandboxes/a", &a, &format!("b-user-{i}")).await);
        assert!(user_exists(&app, "/sandboxes/b", &b, &format!("b-user-{i}")).await);
        assert!(!user_exists(&app, "/sandboxes/b", &b, &format!("a-user-{i}")).await);
    }
}

#[tokio::test]
async fn two_sandboxes_with_the_same_seed_answer_byte_identically_but_with_their_own_tokens() {
    let app = spawn_app().await;
    let mut bodies = Vec::new();
    for prefix in ["/sandboxes/one", "/sandboxes/two"] {
        let response = app
            .post(&format!("{prefix}/oauth/token?grant_type=client_credentials&client_id=sandbox-admin&client_secret=sandbox-admin-secret"))
            .send()
            .await
            .unwrap();
        let token_body = response.text().await.unwrap();
        let token: serde_json::Value = serde_json::from_str(&token_body).unwrap();
        let access_token = token["access_token"].as_str().unwrap().to_string();
        let list = app
            .get(&format!(
                "{prefix}/api/v1/mandatorAdmin/getUserList?perPage=500&includeMonthlyStats=true"
            ))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        bodies.push((
            token_body.replace(&access_token, "[token]"),
            list,
            access_token,
        ));
    }
    assert_eq!(bodies[0].0, bodies[1].0);
    assert_eq!(bodies[0].1, bodies[1].1);
    // The sandbox name is part of the token draws: neither sandbox can use the other's token.
    assert_ne!(bodies[0].2, bodies[1].2);
}

#[tokio::test]
async fn sandboxes_are_created_listed_and_deleted_explicitly() {
    let app = spawn_app().await;
    let (status, created) = admin_json(
        app.post("/__admin/sandboxes")
            .json(&json!({"name": "team-a", "seed": 7, "users": 3, "clock": "fixed:2030-01-01T00:00:00Z"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    insta::assert_json_snapshot!(created, @r#"
    {
      "name": "team-a",
      "seed": 7,
      "users": 3,
      "clock": "fixed:2030-01-01T00:00:00+00:00",
      "checkpoints": []
    }
    "#);
    let again = app
        .post("/__admin/sandboxes")
        .json(&json!({"name": "team-a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let (status, _) = admin_json(
        app.delete("/__admin/sandboxes/team-a")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = admin_json(
        app.delete("/__admin/sandboxes/team-a")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "no sandbox named 'team-a'");
}

#[tokio::test]
async fn bad_sandbox_names_and_bodies_get_a_400() {
    let app = spawn_app().await;
    for body in [
        json!({"name": "a/b"}),
        json!({"name": ""}),
        json!({"name": "x".repeat(65)}),
    ] {
        let (status, error) = admin_json(
            app.post("/__admin/sandboxes")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error["status"], 400);
    }
    let response = app
        .post("/__admin/sandboxes")
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = app
        .post("/__admin/sandboxes")
        .json(&json!({"name": "x", "clock": "soon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = app
        .get("/sandboxes/bad%20name/api/v1/users")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_number_of_live_sandboxes_is_capped() {
    let app = spawn_app_with(|s| s.max_sandboxes = 2).await;
    for name in ["one", "two"] {
        let response = app
            .post("/__admin/sandboxes")
            .json(&json!({ "name": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let (status, body) = admin_json(
        app.post("/__admin/sandboxes")
            .json(&json!({"name": "three"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(
        body["message"],
        "no more than 2 named sandboxes may be live at once; delete one first"
    );
    let lazily = app
        .get("/sandboxes/four/api/v1/users")
        .send()
        .await
        .unwrap();
    assert_eq!(lazily.status(), 429);
}

/// Fresh connections (spread over every worker) get `/__admin/health` at once while `slow` is
/// under way, and `slow` then answers `status`. `slow` is under way until its whole body has
/// arrived: an export streams, its status first, while it is still being written.
async fn answered_meanwhile(
    app: &crate::support::TestApp,
    slow: reqwest::RequestBuilder,
    status: u16,
) {
    let slow = tokio::spawn(async move {
        let response = slow.send().await?;
        let status = response.status();
        response.bytes().await.map(|_| status)
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for _ in 0..8 {
        let fresh = reqwest::Client::new();
        let asked = std::time::Instant::now();
        let health = fresh
            .get(app.url("/__admin/health"))
            .timeout(std::time::Duration::from_secs(60))
            .send()
            .await
            .expect("health answers");
        assert_eq!(health.status(), 200);
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(2),
            "health waited {:?} behind the control plane's work",
            asked.elapsed()
        );
    }
    assert!(
        !slow.is_finished(),
        "the slow request ended before the checks: they showed nothing"
    );
    let answered = slow.await.unwrap().expect("the slow request answers");
    assert_eq!(answered, status);
}

/// Seeding, exporting, importing and checkpoints run off the server's worker threads: while a
/// sandbox of 100,000 people is seeded, saved, exported or imported, other requests are answered at once,
/// and the slow request itself ends with its status (not a worker's stale-clock 408).
#[tokio::test]
async fn requests_are_answered_while_a_large_sandbox_is_seeded_exported_or_saved() {
    let app = spawn_app().await;
    let reseed = app
        .post("/__admin/seed")
        .json(&json!({"seed": 7, "users": 100_000}));
    answered_meanwhile(&app, reseed, 200).await;
    let checkpoint = app
        .post("/__admin/checkpoints")
        .json(&json!({"name": "big"}));
    answered_meanwhile(&app, checkpoint, 201).await;
    answered_meanwhile(&app, app.get("/__admin/state"), 200).await;
    // The body of a `PUT` is parsed off the workers too, with its import.
    let state = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let put = app
        .put("/__admin/state")
        .header("content-type", "application/json")
        .body(state);
    answered_meanwhile(&app, put, 200).await;
}

/// A sandbox made on first use is seeded off the worker threads too: on a server of 100,000
/// people, the first request into `/sandboxes/fresh/...` waits for its seeding while others are
/// answered at once.
#[tokio::test]
async fn requests_are_answered_while_a_sandbox_is_made_on_first_use() {
    let app = spawn_app_with(|s| s.users = 100_000).await;
    answered_meanwhile(&app, app.get("/sandboxes/fresh/api/v1/users"), 401).await;
}
