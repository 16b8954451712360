use crate::support::spawn_app_with;

#[tokio::test]
async fn an_admin_token_guards_the_control_plane_only() {
    let app = spawn_app_with(|s| s.admin_token = Some("let-me-in".into())).await;

    let denied = app.get("/__admin/sandboxes").send().await.unwrap();
    assert_eq!(denied.status(), 401);
    let body: serde_json::Value = denied.json().await.unwrap();
    assert_eq!(
        body["message"],
        "the control plane needs 'Authorization: Bearer <admin token>'"
    );
    let wrong = app
        .get("/__admin/sandboxes")
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    let allowed = app
        .get("/__admin/sandboxes")
        .bearer_auth("let-me-in")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let vendor = app
        .post("/oauth/token?grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-client-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(vendor.status(), 200);
}
