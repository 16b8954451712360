//! What the control plane's document states and the server enforces alike (fuzzer findings of
//! tests/fuzz/baseline/admin.json, fixed).

use reqwest::Method;
use serde_json::json;

use super::admin_json;
use crate::support::spawn_app;

#[tokio::test]
async fn a_known_path_with_another_method_is_405_with_allow_in_the_admin_error_body() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::TRACE, "/__admin/health", "GET"),
        (Method::POST, "/__admin/credentials", "GET"),
        (Method::GET, "/__admin/reset", "POST"),
        (Method::PATCH, "/__admin/seed", "POST"),
        (Method::DELETE, "/__admin/clock/advance", "POST"),
        (Method::PUT, "/__admin/coverage", "GET"),
        (Method::PATCH, "/__admin/faults", "GET, PUT, DELETE"),
        (Method::GET, "/__admin/checkpoints/some-name", "DELETE"),
    ] {
        let response = app.request(method.clone(), path).send().await.unwrap();
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        let (status, body) = admin_json(response).await;
        assert_eq!(status, 405, "{method} {path}");
        assert_eq!(body["status"], 405);
        assert!(body["message"].as_str().unwrap().contains(allow));
    }
    // An unknown path is still 404.
    let (status, _) = admin_json(app.get("/__admin/nothing-here").send().await.unwrap()).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_malformed_sandbox_name_is_400_on_every_operation_that_takes_one() {
    let app = spawn_app().await;
    for (method, path) in [
        (Method::GET, "/__admin/faults"),
        (Method::DELETE, "/__admin/faults"),
        (Method::DELETE, "/__admin/requests"),
        (Method::GET, "/__admin/coverage"),
        (Method::GET, "/__admin/clock"),
    ] {
        for bad in ["", "%C3%97", "a.b"] {
            let url = format!("{path}?sandbox={bad}");
            let (status, body) =
                admin_json(app.request(method.clone(), &url).send().await.unwrap()).await;
            assert_eq!(status, 400, "{method} {url}: {body}");
            assert!(body["message"].as_str().unwrap().contains("sandbox names"));
        }
        let url = format!("{path}?sandbox=team_a-1");
        let (status, _) = admin_json(app.request(method.clone(), &url).send().await.unwrap()).await;
        assert_eq!(status, 200, "{method} {url}");
    }
}

#[tokio::test]
async fn seeds_above_int64_are_refused() {
    let app = spawn_app().await;
    let (status, body) = admin_json(
        app.post("/__admin/seed")
            .json(&json!({"seed": 9_223_372_036_854_775_808_u64}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["status"].as_u64()), (400, Some(400)));
    let (status, _) = admin_json(
        app.post("/__admin/sandboxes")
            .json(&json!({"name": "big-seed", "seed": u64::MAX}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = admin_json(
        app.post("/__admin/seed")
            .json(&json!({"seed": 9_223_372_036_854_775_807_u64}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["seed"].as_u64()),
        (200, Some(i64::MAX as u64))
    );
}

#[tokio::test]
async fn checkpoint_names_are_counted_in_characters() {
    let app = spawn_app().await;
    // 128 characters, 256 bytes: the document's maxLength counts characters.
    let name = "é".repeat(128);
    let (status, _) = admin_json(
        app.post("/__admin/checkpoints")
            .json(&json!({ "name": name }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = admin_json(
        app.post("/__admin/checkpoints")
            .json(&json!({ "name": "é".repeat(129) }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn integers_written_as_floats_are_integers_and_fractions_are_refused() {
    // JSON Schema's `integer` includes 324.0; serde's integer types refused it (fuzzer finding).
    let app = spawn_app().await;
    for (path, body, expected) in [
        ("/__admin/clock/advance", json!({"seconds": -406064.0}), 200),
        ("/__admin/clock/advance", json!({"seconds": 60.5}), 400),
        (
            "/__admin/sandboxes",
            json!({"name": "floats", "users": 3.0, "seed": 7.0}),
            201,
        ),
        (
            "/__admin/sandboxes",
            json!({"name": "halves", "users": 3.5}),
            400,
        ),
        ("/__admin/seed", json!({"seed": 9537.0, "users": 2.0}), 200),
        ("/__admin/seed", json!({"seed": 1.25}), 400),
    ] {
        let (status, answer) = admin_json(app.post(path).json(&body).send().await.unwrap()).await;
        assert_eq!(status, expected, "{path} {body}: {answer}");
    }
    let rules = json!({"rules": [{"latencyMs": 1.0, "latency": {"distribution": "uniform", "minMs": 2.0, "maxMs": 1.0}}]});
    let (status, stored) = admin_json(
        app.put("/__admin/faults")
            .json(&rules)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, &stored["rules"][0]["latencyMs"]),
        (200, &json!(1)),
        "{stored}"
    );
}

#[tokio::test]
async fn unknown_clock_members_and_limits_beyond_the_document_are_refused() {
    let app = spawn_app().await;
    let (status, _) = admin_json(
        app.put("/__admin/clock")
            .json(&json!({"fixed": "2026-01-15T10:00:00Z", "o": []}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = admin_json(
        app.get("/__admin/requests?limit=18446744073709551616")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = admin_json(
        app.get("/__admin/requests?limit=18446744073709551615")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
}
