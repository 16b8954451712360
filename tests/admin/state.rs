use serde_json::{Value, json};

use super::{admin_json, client_token, create_user, user_exists};
use crate::support::{spawn_app, spawn_app_with};

#[tokio::test]
async fn reset_brings_back_the_seeded_state() {
    let app = spawn_app().await;
    let token = client_token(&app, "").await;
    assert_eq!(create_user(&app, "", &token, "temporary").await, 201);

    let (status, body) = admin_json(app.post("/__admin/reset").send().await.unwrap()).await;

    assert_eq!((status, body), (200, json!({"reset": "default"})));
    let token = client_token(&app, "").await;
    assert!(!user_exists(&app, "", &token, "temporary").await);
    assert!(user_exists(&app, "", &token, "felixsmith").await);
}

#[tokio::test]
async fn reseeding_changes_the_fake_people() {
    let app = spawn_app().await;
    let before = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let (status, info) = admin_json(
        app.post("/__admin/seed")
            .json(&json!({"seed": 7, "users": 5}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (info["seed"].as_u64(), info["users"].as_u64()),
        (Some(7), Some(5))
    );
    let after = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_ne!(before["finapi"]["users"], after["finapi"]["users"]);
    // 6 fixture people + 5 fake ones.
    assert_eq!(after["finapi"]["users"].as_object().unwrap().len(), 11);
}

#[tokio::test]
async fn an_exported_state_imports_back_losslessly() {
    let app = spawn_app().await;
    let token = client_token(&app, "").await;
    assert_eq!(create_user(&app, "", &token, "kept-user").await, 201);
    let saved_text = app
        .get("/__admin/state?secrets=true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let saved: Value = serde_json::from_str(&saved_text).unwrap();

    assert_eq!(create_user(&app, "", &token, "later-user").await, 201);
    let response = app.put("/__admin/state").json(&saved).send().await.unwrap();
    assert_eq!(response.status(), 200);

    let restored_text = app
        .get("/__admin/state?secrets=true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(restored_text, saved_text);
    // The token issued before the export is part of the state and works again.
    assert!(user_exists(&app, "", &token, "kept-user").await);
    assert!(!user_exists(&app, "", &token, "later-user").await);
}

#[tokio::test]
async fn a_state_of_another_format_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let mut state = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let before = state.clone();
    state["format"] = json!("something-else/9");
    let (status, body) =
        admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unsupported state format"),
        "{body}"
    );
    let (status, _) = admin_json(
        app.put("/__admin/state")
            .json(&json!({"format": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let after = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(after, before);
}

#[tokio::test]
async fn checkpoints_save_and_restore_a_sandbox() {
    let app = spawn_app().await;
    let prefix = "/sandboxes/cp";
    let token = client_token(&app, prefix).await;
    let saved = app
        .post("/__admin/checkpoints?sandbox=cp")
        .json(&json!({"name": "clean"}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 201);
    assert_eq!(
        create_user(&app, prefix, &token, "after-checkpoint").await,
        201
    );

    let (status, list) = admin_json(
        app.get("/__admin/checkpoints?sandbox=cp")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, list), (200, json!(["clean"])));
    let restored = app
        .post("/__admin/checkpoints/clean/restore?sandbox=cp")
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), 200);
    assert!(!user_exists(&app, prefix, &token, "after-checkpoint").await);

    // A checkpoint restores as often as needed.
    assert_eq!(
        create_user(&app, prefix, &token, "after-checkpoint").await,
        201
    );
    app.post("/__admin/checkpoints/clean/restore?sandbox=cp")
        .send()
        .await
        .unwrap();
    assert!(!user_exists(&app, prefix, &token, "after-checkpoint").await);

    assert_eq!(
        app.delete("/__admin/checkpoints/clean?sandbox=cp")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (status, body) = admin_json(
        app.post("/__admin/checkpoints/clean/restore?sandbox=cp")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "no checkpoint named 'clean'");
}

#[tokio::test]
async fn unknown_control_plane_paths_answer_json_404() {
    let app = spawn_app().await;
    let (status, body) = admin_json(app.get("/__admin/nothing").send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["message"],
        "No control-plane operation at GET /__admin/nothing"
    );
    let (status, _) = admin_json(app.get("/nothing/at/all").send().await.unwrap()).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_state_with_writes_in_every_vendor_round_trips() {
    let app = spawn_app().await;
    // finAPI: a user and a lock.
    let token = client_token(&app, "").await;
    assert_eq!(create_user(&app, "", &token, "round-trip").await, 201);
    // OBP: a session and a personal attribute.
    let felix = crate::obp::login(&app, crate::obp::FELIX).await;
    let attribute = json!({ "name": "SHOE_SIZE", "type": "INTEGER", "value": "44" });
    let (status, _) =
        crate::obp::post(&app, "/obp/v4.0.0/my/user/attributes", &felix, attribute).await;
    assert_eq!(status, 201);
    // Authress: a user linked to a tenant.
    let authress = crate::authress::token(&app, crate::authress::FULL).await;
    let linked = app
        .patch("/v1/tenants/ten_globex/users")
        .bearer_auth(&authress)
        .json(&json!({ "userId": "google-oauth2|108915727483261245613" }))
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 204);

    let saved = app
        .get("/__admin/state?secrets=true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    app.post("/__admin/reset").send().await.unwrap();
    let reset = app
        .get("/__admin/state?secrets=true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_ne!(reset, saved);

    let imported = app
        .put("/__admin/state")
        .header("content-type", "application/json")
        .body(saved.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    assert_eq!(
        app.get("/__admin/state?secrets=true")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        saved
    );
    // The sessions of the saved state work again.
    let (status, attributes) =
        crate::obp::get(&app, "/obp/v4.0.0/my/user/attributes", &felix).await;
    assert_eq!(status, 200);
    assert!(attributes.to_string().contains("SHOE_SIZE"), "{attributes}");
}

#[tokio::test]
async fn reseeding_keeps_the_sandboxs_own_people_count_and_caps_it() {
    let app = spawn_app().await;
    let created = app
        .post("/__admin/sandboxes")
        .json(&json!({"name": "small", "users": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let (status, info) = admin_json(
        app.post("/__admin/seed?sandbox=small")
            .json(&json!({"seed": 9}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (info["seed"].as_u64(), info["users"].as_u64()),
        (Some(9), Some(3))
    );

    let too_many = json!({"seed": 9, "users": 100_001});
    let (status, body) = admin_json(
        app.post("/__admin/seed")
            .json(&too_many)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("users is capped at 100000"))
    );
    let too_many = json!({"name": "huge", "users": 100_001});
    let (status, _) = admin_json(
        app.post("/__admin/sandboxes")
            .json(&too_many)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
}

/// A state over the 64 MiB the other control-plane bodies may have still imports (an export of
/// a million people is about 900 MiB); the route has its own limit, `--max-state-body`.
#[tokio::test]
async fn a_state_larger_than_the_control_planes_json_limit_imports_within_its_own() {
    let app = spawn_app().await;
    let state = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    // The same state, padded with whitespace (still the same JSON) to 65 MiB.
    let mut body = state.to_vec();
    body.resize(65 * 1024 * 1024, b' ');
    let put = |body: Vec<u8>| {
        app.put("/__admin/state")
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let (status, reply) = admin_json(put(body.clone()).await.unwrap()).await;
    assert_eq!((status, reply), (200, json!({"imported": "default"})));

    let small = spawn_app_with(|s| s.max_state_body = state.len() - 1).await;
    let refused = small
        .put("/__admin/state")
        .header("content-type", "application/json")
        .body(state.to_vec())
        .send()
        .await
        .unwrap();
    let (status, reply) = admin_json(refused).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply.to_string().contains("limit"), "{reply}");
}
