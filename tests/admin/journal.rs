use serde_json::{Value, json};

use super::{admin_json, client_token, create_user};
use crate::support::{spawn_app, spawn_app_with};

async fn requests(app: &crate::support::TestApp, query: &str) -> Value {
    let (status, body) = admin_json(
        app.get(&format!("/__admin/requests{query}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    body
}

#[tokio::test]
async fn the_journal_lists_vendor_requests_newest_first_without_secrets() {
    let app = spawn_app().await;
    let token = client_token(&app, "").await;
    assert_eq!(create_user(&app, "", &token, "journaled").await, 201);
    app.get("/api/v1/users")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    let body = requests(&app, "").await;

    assert_eq!(body["total"], 3);
    let entries = body["requests"].as_array().unwrap();
    let ops: Vec<&str> = entries
        .iter()
        .map(|e| e["operationId"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["getAuthorizedUser", "createUser", "getToken"]);
    let create = &entries[1];
    assert_eq!(create["vendor"], "finapi");
    assert_eq!(create["status"], 201);
    assert_eq!(create["sandbox"], "default");
    assert_eq!(create["principal"], "finapi client sandbox-client");
    assert_eq!(create["time"], "2026-01-15T10:00:00+00:00");
    let request_body: Value =
        serde_json::from_str(create["requestBody"].as_str().unwrap()).unwrap();
    assert_eq!(
        request_body,
        json!({"id": "journaled", "password": "[redacted]"})
    );
    let text = body.to_string();
    assert!(
        !text.contains("secret12")
            && !text.contains("sandbox-client-secret")
            && !text.contains(&token)
    );
    assert_eq!(entries[0]["status"], 403);
}

#[tokio::test]
async fn the_journal_filters_by_vendor_operation_status_sandbox_and_time() {
    let app = spawn_app().await;
    let token = client_token(&app, "").await;
    client_token(&app, "/sandboxes/other").await;
    app.get("/api/v1/users")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(requests(&app, "?operationId=getToken").await["total"], 2);
    assert_eq!(requests(&app, "?status=403").await["total"], 1);
    assert_eq!(requests(&app, "?sandbox=other").await["total"], 1);
    assert_eq!(
        requests(&app, "?vendor=finapi&limit=1").await["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(requests(&app, "?vendor=obp").await["total"], 0);
    assert_eq!(
        requests(&app, "?since=2026-01-15T10:00:01Z").await["total"],
        0
    );
    assert_eq!(
        requests(&app, "?since=2026-01-15T10:00:00Z").await["total"],
        3
    );
    let (status, _) = admin_json(
        app.get("/__admin/requests?since=yesterday")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_journal_keeps_a_bounded_number_of_entries_and_can_be_cleared() {
    let app = spawn_app_with(|s| s.journal_size = 3).await;
    for _ in 0..5 {
        client_token(&app, "").await;
    }
    let body = requests(&app, "").await;
    assert_eq!(body["total"], 3);
    let ids: Vec<u64> = body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [5, 4, 3]);

    let (status, _) = admin_json(app.delete("/__admin/requests").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(requests(&app, "").await["total"], 0);
}

#[tokio::test]
async fn coverage_shows_which_operations_were_called_with_which_statuses() {
    let app = spawn_app().await;
    let token = client_token(&app, "").await;
    app.get("/api/v1/users")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    app.get("/api/v1/users").send().await.unwrap();

    let (status, coverage) = admin_json(app.get("/__admin/coverage").send().await.unwrap()).await;

    assert_eq!(status, 200);
    let finapi = &coverage["finapi"];
    assert_eq!(finapi["covered"], 2);
    assert_eq!(finapi["total"], 14);
    let operation = |id: &str| {
        finapi["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operationId"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        operation("getAuthorizedUser")["statuses"],
        json!({"401": 1, "403": 1})
    );
    assert_eq!(operation("getToken")["statuses"], json!({"200": 1}));
    assert_eq!(operation("createUser")["statuses"], json!({}));
    let (_, other) = admin_json(
        app.get("/__admin/coverage?sandbox=other")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(other["finapi"]["covered"], 0);
}

#[tokio::test]
async fn a_journal_size_of_0_turns_the_journal_off_but_not_the_faults() {
    let app = spawn_app_with(|s| s.journal_size = 0).await;
    client_token(&app, "").await;
    assert_eq!(requests(&app, "").await["total"], 0);

    let rules = json!({"rules": [{"operationId": "getToken", "errorRate": 100}]});
    assert_eq!(
        app.put("/__admin/faults")
            .json(&rules)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let response = app
        .post("/oauth/token?grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-client-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(requests(&app, "").await["total"], 0);
}

/// Every vendor's caller as the journal names it (written when the journal is read, from the
/// principal the request's auth established).
#[tokio::test]
async fn the_journal_names_every_kind_of_caller() {
    use crate::{finapi, obp};
    let app = spawn_app().await;
    let user = finapi::user_token(&app, finapi::FELIX).await;
    app.get("/api/v1/users")
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    let admin = finapi::client_token(&app, finapi::ADMIN).await;
    app.get("/api/v1/mandatorAdmin/getUserList")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let token = obp::login(&app, obp::FELIX).await;
    app.get("/obp/v4.0.0/users/current")
        .header("DirectLogin", format!("token={token}"))
        .send()
        .await
        .unwrap();
    let minted: Value = app
        .post("/__admin/authress/user-tokens")
        .json(&json!({ "userId": "google-oauth2|108915727483261245613" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.get("/v1/users/google-oauth2%7C108915727483261245613")
        .bearer_auth(minted["accessToken"].as_str().unwrap())
        .send()
        .await
        .unwrap();

    let body = requests(&app, "").await;
    let named: Vec<(&str, &str)> = body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| Some((e["operationId"].as_str()?, e["principal"].as_str()?)))
        .collect();

    assert_eq!(
        named,
        [
            (
                "getUser",
                "authress user google-oauth2|108915727483261245613"
            ),
            ("OBPv3.0.0-getCurrentUser", "obp user felixsmith"),
            ("directLogin", "obp user felixsmith"),
            ("getUserList", "finapi mandator admin sandbox-admin"),
            (
                "getAuthorizedUser",
                "finapi user felixsmith via sandbox-client"
            ),
        ]
    );
}
