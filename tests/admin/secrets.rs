//! `GET /__admin/state` without and with `?secrets=true`, imports of secret-free and old-format
//! states, and passwords stored only as hashes.

use serde_json::{Value, json};

use super::admin_json;
use crate::support::{TestApp, spawn_app, status_and_json};

const CREATED_PASSWORD: &str = "Created-Plain-93817";
const OBP_PASSWORD: &str = "Obp-Created-Pass-4711!";

/// Every credential one test run issues, in every vendor, and the plain passwords it set.
struct Issued {
    /// Strings an export may carry only with `?secrets=true`.
    secrets: Vec<(&'static str, String)>,
    /// Strings no export ever carries: plain passwords and private keys.
    never: Vec<(&'static str, String)>,
    finapi_client: String,
    obp_felix: String,
}

async fn issue_everything(app: &TestApp) -> Issued {
    use crate::finapi::{CLIENT, FELIX, client_token, password_grant};
    let client = client_token(app, CLIENT).await;
    let grant = password_grant(app, CLIENT, FELIX).await;
    let created = crate::finapi::create_user(
        app,
        &client,
        json!({ "id": "secret-keeper", "password": CREATED_PASSWORD }),
    )
    .await;
    assert_eq!(created["password"], CREATED_PASSWORD, "{created}");
    let (status, change) = crate::finapi::call_json(
        app,
        reqwest::Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        Some(json!({ "userId": crate::finapi::ADA.0 })),
    )
    .await;
    assert_eq!(status, 200, "{change}");

    let felix = crate::obp::login(app, crate::obp::FELIX).await;
    let grace = crate::obp::login(app, crate::obp::GRACE).await;
    let (status, _) = crate::obp::post(
        app,
        "/obp/v4.0.0/banks/gh.29.uk/users/current/auth-context-updates/EMAIL",
        &grace,
        json!({ "key": "CUSTOMER_NUMBER", "value": "78987433" }),
    )
    .await;
    assert_eq!(status, 201);
    let otp = crate::obp::newest_message(app).await["body"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, user) = status_and_json(
        app.post("/obp/v4.0.0/users")
            .json(&json!({
                "email": "keeper@example.com", "username": "secret.keeper",
                "password": OBP_PASSWORD, "first_name": "Secret", "last_name": "Keeper"
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{user}");

    let (status, minted) = status_and_json(
        app.post("/__admin/authress/service-clients")
            .json(&json!({ "name": "secrets test" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{minted}");
    let access_key = minted["accessKey"].as_str().unwrap().to_string();
    // The access key's last part is the private key.
    let private_key = access_key.rsplit('.').next().unwrap().to_string();

    let text = |v: &Value| v.as_str().unwrap().to_string();
    Issued {
        secrets: vec![
            ("finAPI client token", client.clone()),
            ("finAPI user token", text(&grant["access_token"])),
            ("finAPI refresh token", text(&grant["refresh_token"])),
            (
                "finAPI password change token",
                text(&change["passwordChangeToken"]),
            ),
            ("OBP DirectLogin token", felix.clone()),
            ("OBP DirectLogin token", grace),
            ("OBP one-time password", otp),
        ],
        never: vec![
            ("finAPI created password", CREATED_PASSWORD.into()),
            ("finAPI fixture password", FELIX.1.into()),
            ("OBP created password", OBP_PASSWORD.into()),
            ("OBP fixture password", crate::obp::ADMIN.1.into()),
            ("Authress access key", access_key),
            ("Authress private key", private_key),
            ("Authress minted token", text(&minted["accessToken"])),
        ],
        finapi_client: client,
        obp_felix: felix,
    }
}

async fn export(app: &TestApp, query: &str) -> String {
    let response = app
        .get(&format!("/__admin/state{query}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_default_export_holds_no_issued_secret_and_secrets_true_holds_them_all() {
    let app = spawn_app().await;
    let issued = issue_everything(&app).await;

    let plain = export(&app, "").await;
    let full = export(&app, "?secrets=true").await;
    let explicit_no = export(&app, "?secrets=false").await;

    for (what, secret) in &issued.secrets {
        assert!(
            !plain.contains(secret.as_str()),
            "{what} in a default export"
        );
        assert!(
            full.contains(secret.as_str()),
            "{what} missing with secrets=true"
        );
    }
    for (what, secret) in &issued.never {
        assert!(
            !plain.contains(secret.as_str()),
            "{what} in a default export"
        );
        assert!(
            !full.contains(secret.as_str()),
            "{what} in a secrets=true export"
        );
    }
    assert_eq!(explicit_no, plain);
    // What stays: users with their password hashes, and the OTP's place marked.
    let state: Value = serde_json::from_str(&plain).unwrap();
    // Keyed tables are objects by key (the lower-case id for finAPI users).
    let keeper = &state["finapi"]["users"]["secret-keeper"];
    assert_eq!(
        keeper["id"], "secret-keeper",
        "the created user is exported"
    );
    assert!(
        keeper["password"]["hash"]
            .as_str()
            .unwrap()
            .starts_with("$argon2id$v=19$m=8,t=1,p=1$"),
        "{keeper}"
    );
    assert_eq!(keeper["password"]["chars"], CREATED_PASSWORD.len());
    assert_eq!(state["finapi"]["tokens"], json!({}));
    assert_eq!(state["obp"]["tokens"], json!({}));
    let (_, first_message) = state["obp"]["outbox"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .expect("a message was sent");
    assert!(
        first_message["body"]
            .as_str()
            .unwrap()
            .contains("secret omitted"),
        "{}",
        state["obp"]["outbox"]
    );
    let (status, body) = admin_json(
        app.get("/__admin/state?secrets=maybe")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_secret_free_export_imports_with_its_users_and_without_its_sessions() {
    let app = spawn_app().await;
    let issued = issue_everything(&app).await;
    let plain = export(&app, "").await;
    app.post("/__admin/reset").send().await.unwrap();

    let imported = app
        .put("/__admin/state")
        .header("content-type", "application/json")
        .body(plain.clone())
        .send()
        .await
        .unwrap();

    assert_eq!(imported.status(), 200);
    assert_eq!(export(&app, "").await, plain);
    // The sessions are gone ...
    let (status, _) = crate::finapi::call_json(
        &app,
        reqwest::Method::GET,
        "/api/v1/users/verificationStatus?userId=secret-keeper",
        &issued.finapi_client,
        None,
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = crate::obp::get(&app, "/obp/v4.0.0/users/current", &issued.obp_felix).await;
    assert_ne!(status, 200);
    // ... the users, their hashed passwords and the configured clients are not.
    let client = crate::finapi::client_token(&app, crate::finapi::CLIENT).await;
    assert!(
        crate::finapi::verification_status(&app, &client, "secret-keeper")
            .await
            .is_ok()
    );
    let felix = crate::finapi::user_token(&app, crate::finapi::FELIX).await;
    assert!(!felix.is_empty());
    let (status, me) = crate::obp::get(
        &app,
        "/obp/v4.0.0/users/current",
        &crate::obp::login(&app, ("secret.keeper", OBP_PASSWORD)).await,
    )
    .await;
    assert_eq!(
        (status, me["username"].as_str()),
        (200, Some("secret.keeper"))
    );
    // The OTP's marker is no answer.
    let update =
        serde_json::from_str::<Value>(&plain).unwrap()["obp"]["auth_context_updates"].clone();
    assert!(update.to_string().contains("secret omitted"), "{update}");
}

#[tokio::test]
async fn a_state_with_plain_passwords_imports_them_hashed_and_a_bad_hash_is_refused() {
    let app = spawn_app().await;
    let mut state: Value = serde_json::from_str(&export(&app, "?secrets=true").await).unwrap();
    let before = state.clone();
    // A state written before passwords were hashed: plain strings.
    state["finapi"]["users"][crate::finapi::FELIX.0]["password"] = json!("Old-Format-Plain-1");
    for user in state["obp"]["users"].as_array_mut().unwrap() {
        if user["username"] == crate::obp::FELIX.0 {
            user["password"] = json!("Old-Format-Plain-2!");
        }
    }

    let (status, body) =
        admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;

    assert_eq!(status, 200, "{body}");
    let token =
        crate::finapi::user_token(&app, (crate::finapi::FELIX.0, "Old-Format-Plain-1")).await;
    assert!(!token.is_empty());
    let (status, _) = crate::finapi::failed_login(&app, crate::finapi::FELIX).await;
    assert_eq!(status, 400);
    crate::obp::login(&app, (crate::obp::FELIX.0, "Old-Format-Plain-2!")).await;
    let exported = export(&app, "?secrets=true").await;
    assert!(
        !exported.contains("Old-Format-Plain"),
        "plain passwords stayed plain"
    );

    // A hash this server did not make (another algorithm, or a cost it would not use) is refused
    // with the control plane's 400, and nothing changes.
    app.put("/__admin/state")
        .json(&before)
        .send()
        .await
        .unwrap();
    for bad in [
        json!({ "hash": "$2b$04$abcdefghijklmnopqrstuu", "chars": 3 }),
        json!({ "hash": "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", "chars": 3 }),
        json!(17),
    ] {
        let mut state = before.clone();
        state["finapi"]["users"][crate::finapi::FELIX.0]["password"] = bad.clone();
        let (status, body) =
            admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["message"].is_string(), "{body}");
        let now: Value = serde_json::from_str(&export(&app, "?secrets=true").await).unwrap();
        assert_eq!(now, before, "{bad} changed the state");
    }
}

#[tokio::test]
async fn documented_passwords_are_listed_while_they_are_valid() {
    let app = spawn_app().await;
    let listed = |body: &Value, vendor: &str, key: &str, name: &str| {
        body[vendor]["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u[key] == name)
            .map(|u| u["password"].clone())
    };
    let (_, before) = status_and_json(app.get("/__admin/credentials").send().await.unwrap()).await;
    assert_eq!(
        listed(&before, "finapi", "userId", crate::finapi::FELIX.0),
        Some(json!(crate::finapi::FELIX.1))
    );
    let client = crate::finapi::client_token(&app, crate::finapi::CLIENT).await;
    let (_, change) = crate::finapi::call_json(
        &app,
        reqwest::Method::POST,
        "/api/v1/users/requestPasswordChange",
        &client,
        Some(json!({ "userId": crate::finapi::FELIX.0 })),
    )
    .await;
    let (status, _) = crate::finapi::call_json(
        &app,
        reqwest::Method::POST,
        "/api/v1/users/executePasswordChange",
        &client,
        Some(json!({
            "userId": crate::finapi::FELIX.0, "password": "Changed-Since-1",
            "passwordChangeToken": change["passwordChangeToken"]
        })),
    )
    .await;
    assert_eq!(status, 200);

    let (_, after) = status_and_json(app.get("/__admin/credentials").send().await.unwrap()).await;

    // The new password is stored hashed only, so the list cannot show it.
    assert_eq!(
        listed(&after, "finapi", "userId", crate::finapi::FELIX.0),
        Some(Value::Null)
    );
    assert_eq!(
        listed(&after, "obp", "username", crate::obp::FELIX.0),
        Some(json!(crate::obp::FELIX.1))
    );
}
