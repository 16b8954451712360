//! finAPI's response headers (reference §2.1–§2.3): every answer has `X-Request-Id`; JSON bodies
//! are `application/json`; a 401 has `WWW-Authenticate: Bearer ...`, other statuses none; the
//! void operations answer 200 with an empty body and no content type.

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

use super::documented_errors::every_operation;
use super::{ADMIN, CLIENT, FELIX, client_token, user_token};
use crate::support::spawn_app;

/// The operations finAPI answers with an empty 200.
const VOID: &[&str] = &[
    "POST /oauth/revoke",
    "DELETE /api/v1/users",
    "DELETE /api/v1/users/erika.musterfrau",
    "POST /api/v1/users/executePasswordChange",
    "POST /api/v1/users/verify/erika.musterfrau",
    "POST /api/v1/mandatorAdmin/changeClientCredentials",
];

#[tokio::test]
async fn every_operation_answers_with_finapis_headers() {
    for (role, method, path, body) in every_operation() {
        // A fresh sandbox per operation: the successful calls delete and change things.
        let app = spawn_app().await;
        let tokens = [
            ("none", String::new()),
            ("client", client_token(&app, CLIENT).await),
            ("user", user_token(&app, FELIX).await),
            ("admin", client_token(&app, ADMIN).await),
        ];
        let endpoint = format!("{method} {}", path.split('?').next().unwrap());
        // The wrong role (403) and no token (401), then the right one.
        let wrong = if role == "client" { "user" } else { "client" };
        let mut cases = vec![(wrong, 403), (role, 0)];
        if role != "none" {
            cases.insert(0, ("none", 401));
        }
        for (caller, expected) in cases {
            let token = &tokens.iter().find(|(r, _)| *r == caller).unwrap().1;
            let mut request = app
                .request(method.clone(), path)
                .header(CONTENT_TYPE, "application/json")
                .header("X-Request-Id", "headers-1");
            if !token.is_empty() {
                request = request.header(AUTHORIZATION, format!("Bearer {token}"));
            }
            if let Some(body) = &body {
                request = request.body(body.to_string());
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            if role == "none" && caller != "none" {
                continue; // getToken takes no bearer token.
            }
            if expected != 0 {
                assert_eq!(status, expected, "{caller} on {endpoint}");
            }
            let headers = response.headers().clone();
            assert_eq!(headers["x-request-id"], "headers-1", "{endpoint} {status}");
            let text = response.text().await.unwrap();
            if status == 401 {
                let challenge = headers["www-authenticate"].to_str().unwrap();
                assert!(
                    challenge.starts_with("Bearer error=\""),
                    "{endpoint}: {challenge}"
                );
            } else {
                assert!(
                    headers.get("www-authenticate").is_none(),
                    "{endpoint} {status}"
                );
            }
            if status == 200 && VOID.contains(&endpoint.as_str()) {
                assert_eq!(text, "", "{endpoint}");
                assert!(headers.get(CONTENT_TYPE).is_none(), "{endpoint}");
            } else {
                assert!(status < 500, "{endpoint}: {status} {text}");
                assert_eq!(
                    headers[CONTENT_TYPE], "application/json",
                    "{endpoint} {status}"
                );
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{endpoint} {status}: {e}: {text}"));
            }
        }
    }
}

#[tokio::test]
async fn a_created_user_is_201_json_with_the_request_id() {
    let app = spawn_app().await;
    let client = client_token(&app, CLIENT).await;
    let response = app
        .request(Method::POST, "/api/v1/users")
        .header(AUTHORIZATION, format!("Bearer {client}"))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"id":"header.user"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert!(
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("selfgen-")
    );
}
