//! Authress's response headers (reference §0.10, §6): every JSON answer, errors included, is
//! `application/links+json`; 202 and 204 have no body and no content type.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, Response};

use super::{FULL, NO_ACCESS, token};
use crate::support::{TestApp, spawn_app};

const LINKS_JSON: &str = "application/links+json";

/// Method, path, bearer token, JSON body, expected status.
type Case<'a> = (Method, &'a str, Option<&'a str>, Option<&'a str>, u16);

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Response {
    let mut request = app.request(method, path);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn json_answers_and_errors_are_links_json_and_empty_answers_have_no_content_type() {
    let app = spawn_app().await;
    let full = token(&app, FULL).await;
    let none = token(&app, NO_ACCESS).await;
    let user = "/v1/users/github%7C4711042";
    let link = r#"{"userId": "github|4711042"}"#;
    let cases: Vec<Case> = vec![
        (Method::GET, "/v1/users?limit=2", Some(&full), None, 200),
        (Method::GET, user, Some(&full), None, 200),
        (Method::GET, "/v1/users?limit=0", Some(&full), None, 400),
        (Method::GET, "/v1/users", None, None, 401),
        (Method::GET, "/v1/users", Some("not-a-jwt"), None, 401),
        (Method::GET, "/v1/users", Some(&none), None, 403),
        (Method::GET, "/v1/users/nobody", Some(&full), None, 404),
        (Method::DELETE, user, Some(&none), None, 403),
        (
            Method::PATCH,
            "/v1/tenants/ten_nobody/users",
            Some(&full),
            Some(link),
            404,
        ),
        (
            Method::PATCH,
            "/v1/tenants/ten_acme/users",
            Some(&full),
            Some("{}"),
            400,
        ),
    ];
    for (method, path, token, body, status) in cases {
        let response = send(&app, method.clone(), path, token, body).await;
        assert_eq!(response.status(), status, "{method} {path}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            LINKS_JSON,
            "{method} {path}"
        );
        let text = response.text().await.unwrap();
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}: {text}"));
    }
    for (method, path, body, status) in [
        (Method::PATCH, "/v1/tenants/ten_acme/users", Some(link), 204),
        (Method::DELETE, user, None, 202),
    ] {
        let response = send(&app, method.clone(), path, Some(&full), body).await;
        assert_eq!(response.status(), status, "{method} {path}");
        assert!(
            response.headers().get(CONTENT_TYPE).is_none(),
            "{method} {path}"
        );
        assert_eq!(response.text().await.unwrap(), "", "{method} {path}");
    }
}
