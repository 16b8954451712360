//! CORS per vendor: what each answers a browser's preflight and its actual requests, and how
//! `--cors-origins` narrows it.

use reqwest::Method;
use reqwest::header::HeaderMap;

use crate::support::{TestApp, spawn_app, spawn_app_with};

const ORIGIN: &str = "http://127.0.0.1:3000";

async fn preflight(app: &TestApp, path: &str, method: &str, headers: &str) -> (u16, HeaderMap) {
    let response = app
        .request(Method::OPTIONS, path)
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", headers)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.headers().clone())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// Whether a preflight answer lets the browser send `method` with `wanted` headers, as the
/// Fetch standard decides it (the `*` wildcard never stands for `Authorization`).
fn browser_allows(headers: &HeaderMap, method: &str, wanted: &str) -> bool {
    let methods = header(headers, "access-control-allow-methods").unwrap_or_default();
    let allowed = header(headers, "access-control-allow-headers").unwrap_or_default();
    let list: Vec<String> = allowed
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    header(headers, "access-control-allow-origin").is_some()
        && methods.split(',').any(|m| m.trim() == method)
        && wanted.split(',').map(str::trim).all(|h| {
            list.iter().any(|a| a == h) || (h != "authorization" && list.iter().any(|a| a == "*"))
        })
}

#[tokio::test]
async fn obp_answers_every_options_with_204_and_its_own_cors_headers() {
    let app = spawn_app().await;
    let (status, headers) = preflight(&app, "/obp/v4.0.0/users/abc", "DELETE", "directlogin").await;
    assert_eq!(status, 204);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&headers, "access-control-allow-methods"),
        Some("GET, POST, OPTIONS, PUT, PATCH, DELETE")
    );
    assert_eq!(header(&headers, "access-control-allow-headers"), Some("*"));
    assert_eq!(header(&headers, "access-control-allow-credentials"), None);
    assert_eq!(header(&headers, "access-control-max-age"), None);
    // Not only a browser's preflight: a bare OPTIONS too, as OBP's dispatch answers it.
    let bare = app
        .request(Method::OPTIONS, "/obp/v5.1.0/users/current")
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 204);
    assert_eq!(bare.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn obp_and_authress_send_a_star_origin_on_every_response_even_errors() {
    let app = spawn_app().await;
    for path in [
        "/obp/v4.0.0/users/current",
        "/v1/users",
        "/my/logins/direct",
    ] {
        for origin in [Some("http://localhost:3000"), None] {
            let mut request = app.get(path);
            if let Some(origin) = origin {
                request = request.header("Origin", origin);
            }
            let response = request.send().await.unwrap();
            assert!(response.status().is_client_error(), "{path}");
            assert_eq!(
                header(response.headers(), "access-control-allow-origin"),
                Some("*"),
                "{path} {origin:?}"
            );
            assert_eq!(
                header(response.headers(), "access-control-allow-credentials"),
                None
            );
        }
    }
}

#[tokio::test]
async fn authress_and_finapi_preflights_list_authorization_and_a_max_age_and_finapi_echoes() {
    let app = spawn_app().await;
    let (status, headers) = preflight(
        &app,
        "/v1/tenants/tenant-acme/users",
        "PATCH",
        "authorization,content-type",
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&headers, "access-control-max-age"), Some("3600"));
    assert!(browser_allows(
        &headers,
        "PATCH",
        "authorization,content-type"
    ));

    let (status, headers) = preflight(
        &app,
        "/api/v1/users",
        "PATCH",
        "authorization,content-type,x-request-id",
    )
    .await;
    assert_eq!(status, 200, "Spring answers a preflight with 200");
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some(ORIGIN)
    );
    assert_eq!(header(&headers, "vary"), Some("Origin"));
    assert_eq!(header(&headers, "access-control-max-age"), Some("3600"));
    assert!(browser_allows(
        &headers,
        "PATCH",
        "authorization,content-type,x-request-id"
    ));
    assert_eq!(header(&headers, "access-control-allow-credentials"), None);
}

#[tokio::test]
async fn actual_responses_expose_the_request_id_where_the_vendor_does() {
    let app = spawn_app().await;
    let finapi = app
        .get("/api/v1/users")
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(finapi.status(), 401);
    assert_eq!(finapi.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        finapi.headers()["access-control-expose-headers"],
        "X-Request-Id"
    );
    // OBP exposes nothing: a page cannot read its Correlation-Id.
    let obp = app
        .get("/obp/v4.0.0/users/current")
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert!(obp.headers().contains_key("correlation-id"));
    assert_eq!(header(obp.headers(), "access-control-expose-headers"), None);
    // Preflight answers carry no exposed headers; actual ones no preflight headers.
    assert_eq!(
        header(finapi.headers(), "access-control-allow-methods"),
        None
    );
}

#[tokio::test]
async fn every_documented_operation_can_be_preflighted_with_its_vendors_headers() {
    let app = spawn_app().await;
    let mut checked = 0;
    for name in &user_sandbox::docs::names() {
        let doc: serde_json::Value =
            serde_json::from_str(&user_sandbox::docs::document(name).unwrap()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            // The sandbox's own helpers in a vendor's document take the admin token.
            let wanted = match *name {
                _ if path.starts_with("/__admin") => "authorization,content-type,x-request-id",
                "obp" => "content-type,directlogin",
                "finapi" => "authorization,content-type,x-request-id",
                _ => "authorization,content-type",
            };
            let concrete: String = path
                .split('/')
                .map(|s| if s.starts_with('{') { "x" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            for method in item.as_object().unwrap().keys() {
                let method = method.to_ascii_uppercase();
                if method == "PARAMETERS" {
                    continue;
                }
                for prefix in ["", "/sandboxes/cors-check"] {
                    let url = format!("{prefix}{concrete}");
                    let (status, headers) = preflight(&app, &url, &method, wanted).await;
                    assert!((200..300).contains(&status), "{method} {url}: {status}");
                    assert!(
                        browser_allows(&headers, &method, wanted),
                        "{method} {url}: {headers:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 150, "only {checked} operations");
}

#[tokio::test]
async fn obps_wildcard_does_not_let_a_browser_send_authorization() {
    // The Fetch standard does not let `Access-Control-Allow-Headers: *` stand for
    // `Authorization` (Chromium 156 still lets it): a page sends OBP's token as `DirectLogin`.
    let app = spawn_app().await;
    let (_, headers) = preflight(&app, "/obp/v4.0.0/users/x", "DELETE", "authorization").await;
    assert!(!browser_allows(&headers, "DELETE", "authorization"));
    assert!(browser_allows(&headers, "DELETE", "directlogin"));
}

#[tokio::test]
async fn cors_origins_narrows_every_vendor_to_the_listed_origins() {
    let app = spawn_app_with(|s| s.cors_origins = vec![ORIGIN.to_string()]).await;
    for path in [
        "/obp/v4.0.0/users/current",
        "/v1/users",
        "/api/v1/users",
        "/__admin/health",
    ] {
        let allowed = app.get(path).header("Origin", ORIGIN).send().await.unwrap();
        assert_eq!(
            header(allowed.headers(), "access-control-allow-origin"),
            Some(ORIGIN),
            "{path}"
        );
        assert_eq!(header(allowed.headers(), "vary"), Some("Origin"), "{path}");
        let other = app
            .get(path)
            .header("Origin", "http://127.0.0.1:4000")
            .send()
            .await
            .unwrap();
        assert_eq!(
            header(other.headers(), "access-control-allow-origin"),
            None,
            "{path}: the vendor's own `*` must not leak through"
        );
        let (_, headers) = preflight(&app, path, "DELETE", "authorization").await;
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            Some(ORIGIN)
        );
    }
    let refused = app
        .request(Method::OPTIONS, "/v1/users")
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(refused.headers(), "access-control-allow-origin"),
        None
    );
    assert_eq!(
        header(refused.headers(), "access-control-allow-methods"),
        None
    );
}

#[test]
fn the_cors_origins_flag_takes_a_comma_separated_list_of_origins() {
    use clap::Parser;
    use user_sandbox::settings::{Cli, Command};
    let cli = Cli::try_parse_from([
        "user-sandbox",
        "--cors-origins",
        "http://localhost:3000,https://app.example:8443",
    ])
    .unwrap();
    let Command::Serve(settings) = cli.into_command() else {
        panic!("serve is the default command")
    };
    assert_eq!(
        settings.cors_origins,
        ["http://localhost:3000", "https://app.example:8443"]
    );
    let bad = Cli::try_parse_from(["user-sandbox", "--cors-origins", "localhost:3000/app"]);
    assert!(bad.unwrap_err().to_string().contains("is not an origin"));
}
