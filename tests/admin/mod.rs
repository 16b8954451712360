//! The control plane: sandboxes, state, clock, journal, faults, persistence, admin token.

mod clock;
mod contract;
mod faults;
mod journal;
mod persistence;
mod sandboxes;
mod secrets;
mod security;
mod state;
mod state_schema;

use serde_json::{Value, json};

use crate::support::TestApp;

/// A finAPI client token in a sandbox (`""` = default).
pub async fn client_token(app: &TestApp, prefix: &str) -> String {
    let response = app
        .post(&format!(
            "{prefix}/oauth/token?grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-client-secret"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// Creates a finAPI user in a sandbox and returns the status.
pub async fn create_user(app: &TestApp, prefix: &str, token: &str, id: &str) -> u16 {
    app.post(&format!("{prefix}/api/v1/users"))
        .bearer_auth(token)
        .json(&json!({ "id": id, "password": "secret12" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Whether a finAPI user exists in a sandbox.
pub async fn user_exists(app: &TestApp, prefix: &str, token: &str, id: &str) -> bool {
    let status = app
        .get(&format!(
            "{prefix}/api/v1/users/verificationStatus?userId={id}"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert!(status == 200 || status == 404, "unexpected status {status}");
    status == 200
}

pub async fn admin_json(response: reqwest::Response) -> (u16, Value) {
    crate::support::status_and_json(response).await
}
