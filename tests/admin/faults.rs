use serde_json::{Value, json};

use super::admin_json;
use crate::support::{TestApp, spawn_app, spawn_app_with};

const TOKEN_URL: &str = "/oauth/token?grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-client-secret";

async fn set_faults(app: &TestApp, query: &str, rules: Value) -> (u16, Value) {
    admin_json(
        app.put(&format!("/__admin/faults{query}"))
            .json(&rules)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn an_error_rate_of_100_answers_with_the_vendors_own_error() {
    let app = spawn_app().await;
    let (status, _) = set_faults(
        &app,
        "",
        json!({"rules": [{"vendor": "finapi", "operationId": "getToken", "errorRate": 100}]}),
    )
    .await;
    assert_eq!(status, 200);

    let (status, body) = admin_json(app.post(TOKEN_URL).send().await.unwrap()).await;

    assert_eq!(status, 500);
    assert_eq!(body["errors"][0]["code"], "UNEXPECTED_ERROR");
    assert_eq!(body["endpoint"], "POST /oauth/token");
    let (_, journal) = admin_json(app.get("/__admin/requests").send().await.unwrap()).await;
    assert_eq!(journal["requests"][0]["fault"], "rules[0]: error");
    // Other sandboxes and operations are untouched.
    assert_eq!(
        app.post(&format!("/sandboxes/calm{TOKEN_URL}"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let (status, _) = admin_json(app.delete("/__admin/faults").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(app.post(TOKEN_URL).send().await.unwrap().status(), 200);
}

async fn statuses_under_a_50_percent_error_rate() -> Vec<u16> {
    let app = spawn_app().await;
    set_faults(
        &app,
        "",
        json!({"rules": [{"path": "/oauth/*", "errorRate": 50}]}),
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(app.post(TOKEN_URL).send().await.unwrap().status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn the_same_seed_replays_the_same_faults() {
    let first = statuses_under_a_50_percent_error_rate().await;
    let second = statuses_under_a_50_percent_error_rate().await;
    assert_eq!(first, second);
    assert!(first.contains(&200) && first.contains(&500), "{first:?}");
}

#[tokio::test]
async fn latency_rules_are_recorded_in_the_journal() {
    let app = spawn_app().await;
    let rules = json!({"rules": [{"method": "POST", "latencyMs": 5, "latency": {"distribution": "uniform", "minMs": 1, "maxMs": 3}}]});
    set_faults(&app, "", rules.clone()).await;
    assert_eq!(app.post(TOKEN_URL).send().await.unwrap().status(), 200);
    let (_, journal) = admin_json(app.get("/__admin/requests").send().await.unwrap()).await;
    let fault = journal["requests"][0]["fault"].as_str().unwrap();
    assert!(
        [
            "rules[0]: 6 ms latency",
            "rules[0]: 7 ms latency",
            "rules[0]: 8 ms latency"
        ]
        .contains(&fault),
        "{fault}"
    );
    let (_, stored) = admin_json(app.get("/__admin/faults").send().await.unwrap()).await;
    assert_eq!(stored["rules"][0]["latency"], rules["rules"][0]["latency"]);
}

#[tokio::test]
async fn uniform_latency_bounds_may_come_in_either_order() {
    // The document cannot relate `minMs` to `maxMs` (fuzzer finding): 5 to 1 is 1 to 5 ms.
    let app = spawn_app().await;
    let rules = json!({"rules": [{"method": "POST", "latency": {"distribution": "uniform", "minMs": 5, "maxMs": 1}}]});
    let (status, body) = set_faults(&app, "", rules).await;
    assert_eq!(status, 200, "{body}");
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        assert_eq!(app.post(TOKEN_URL).send().await.unwrap().status(), 200);
        let (_, journal) =
            admin_json(app.get("/__admin/requests?limit=1").send().await.unwrap()).await;
        seen.insert(
            journal["requests"][0]["fault"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let allowed: Vec<String> = (1..=5)
        .map(|ms| format!("rules[0]: {ms} ms latency"))
        .collect();
    assert!(seen.iter().all(|f| allowed.contains(f)), "{seen:?}");
    assert!(seen.len() > 1, "{seen:?}");
}

#[tokio::test]
async fn a_reset_rule_cuts_the_connection() {
    let app = spawn_app().await;
    set_faults(
        &app,
        "",
        json!({"rules": [{"vendor": "finapi", "resetRate": 100}]}),
    )
    .await;
    let result = async { app.post(TOKEN_URL).send().await?.text().await }.await;
    assert!(result.is_err(), "expected a cut connection, got {result:?}");
}

#[tokio::test]
async fn invalid_fault_rules_are_refused() {
    let app = spawn_app().await;
    for rules in [
        json!({"rules": [{"errorRate": 150}]}),
        json!({"rules": [{"vendor": "nobody"}]}),
        json!({"rules": [{"latency": {"distribution": "uniform", "minMs": 5, "maxMs": 60001}}]}),
        json!({"rules": [{"latency": {"distribution": "uniform", "minMs": 5, "maxMs": 1, "x": 1}}]}),
        json!({"rules": [{"latencyMs": 600000}]}),
        json!({"rules": [{"surprise": true}]}),
        json!({"rules": "all"}),
    ] {
        let (status, _) = set_faults(&app, "", rules.clone()).await;
        assert_eq!(status, 400, "{rules}");
    }
    let (_, stored) = admin_json(app.get("/__admin/faults").send().await.unwrap()).await;
    assert_eq!(stored, json!({"rules": []}));
}

#[tokio::test]
async fn fault_rules_can_be_given_at_start_from_a_file() {
    let path = std::env::temp_dir().join(format!("faults-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"rules": [{"operationId": "getToken", "errorRate": 100}]}"#,
    )
    .unwrap();
    let app = spawn_app_with(|s| s.faults = Some(path.clone())).await;
    assert_eq!(app.post(TOKEN_URL).send().await.unwrap().status(), 500);
    std::fs::remove_file(path).unwrap();
}

#[tokio::test]
async fn each_vendor_answers_an_injected_fault_with_its_own_error() {
    let app = spawn_app().await;
    set_faults(&app, "", json!({"rules": [{"path": "/obp/*", "errorRate": 100}, {"path": "/v1/*", "errorRate": 100}]})).await;

    let (status, body) =
        admin_json(app.get("/obp/v4.0.0/users/current").send().await.unwrap()).await;
    assert_eq!(
        (status, body),
        (
            500,
            json!({"code": 500, "message": "OBP-50000: Unknown Error."})
        )
    );

    let response = app.get("/v1/users").send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorCode"], "ServiceUnavailable");
}
