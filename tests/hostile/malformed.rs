//! Malformed input at every vendor: deep nesting, invalid UTF-8, duplicate keys, 10k query
//! parameters and 64 KiB headers get a 4xx (the vendor's error body where a vendor answers),
//! never a 5xx, and the server keeps serving.

use super::{Tokens, assert_still_serving, assert_vendor_error, authed, request, send};
use crate::support::spawn_app;

#[tokio::test]
async fn a_hundred_thousand_nested_brackets_get_a_4xx_from_every_json_endpoint() {
    let app = spawn_app().await;
    let tokens = Tokens::of(&app).await;
    let deep = vec![b'['; 100_000];
    // Below each vendor's own size limit too, so the JSON parser itself meets the depth.
    let shallow_enough = vec![b'['; 10_000];
    for body in [&deep, &shallow_enough] {
        for (vendor, method, path, auth) in tokens.json_endpoints() {
            let raw = send(app.port, authed(method, path, &auth, body)).await;
            assert_vendor_error(vendor, &raw);
        }
        // The control plane's JSON bodies have limits (fault rules 64 MiB, a state `--max-state-body`).
        for (method, path) in [("PUT", "/__admin/faults"), ("PUT", "/__admin/state")] {
            let raw = send(app.port, authed(method, path, &[], body)).await;
            assert_eq!(raw.status, 400, "{path}: {}", raw.body);
        }
    }
    assert_still_serving(app.port).await;
}

#[tokio::test]
async fn invalid_utf8_in_bodies_paths_queries_and_headers_gets_a_4xx() {
    let app = spawn_app().await;
    let tokens = Tokens::of(&app).await;
    let bad = b"{\"id\":\"\xff\xfe\xc3\x28\",\"password\":\"\xed\xa0\x80secret\"}";
    for (vendor, method, path, auth) in tokens.json_endpoints() {
        let raw = send(app.port, authed(method, path, &auth, bad)).await;
        assert_vendor_error(vendor, &raw);
    }
    // Percent-encoded invalid UTF-8 in path ids and queries.
    let finapi = vec![("Authorization", format!("Bearer {}", tokens.finapi))];
    let obp = vec![("DirectLogin", format!("token={}", tokens.obp))];
    let authress = vec![("Authorization", format!("Bearer {}", tokens.authress))];
    let cases: Vec<(&str, &str, &str, &super::Auth)> = vec![
        ("finapi", "DELETE", "/api/v1/users/%FF%FE", &finapi),
        (
            "finapi",
            "GET",
            "/api/v1/mandatorAdmin/getUserList?userId=%FF",
            &finapi,
        ),
        ("obp", "GET", "/obp/v4.0.0/users/user_id/%FF%C3%28", &obp),
        ("obp", "GET", "/obp/v4.0.0/users/username/%ED%A0%80", &obp),
        ("obp", "GET", "/obp/v4.0.0/users?email=%FF", &obp),
        ("authress", "GET", "/v1/users/%FF%FE", &authress),
        (
            "authress",
            "GET",
            "/v1/users?cursor=%FF&filter=%C3%28",
            &authress,
        ),
    ];
    for (vendor, method, path, auth) in cases {
        let raw = send(app.port, authed(method, path, auth, b"")).await;
        assert!(raw.status < 500, "{path}: {} {}", raw.status, raw.body);
        if raw.status >= 400 {
            assert_vendor_error(vendor, &raw);
        }
    }
    // Raw non-UTF-8 bytes in header values where tokens are read.
    for (vendor, path, name) in [
        ("finapi", "/api/v1/users", "Authorization"),
        ("obp", "/obp/v4.0.0/users/current", "DirectLogin"),
        ("authress", "/v1/users", "Authorization"),
    ] {
        let mut req =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n").into_bytes();
        req.extend_from_slice(format!("{name}: Bearer ").as_bytes());
        req.extend_from_slice(b"\xff\xfe\x80token\r\n\r\n");
        let raw = send(app.port, req).await;
        assert_vendor_error(vendor, &raw);
    }
    assert_still_serving(app.port).await;
}

#[tokio::test]
async fn duplicate_json_keys_are_refused_or_read_once_never_a_5xx() {
    let app = spawn_app().await;
    let tokens = Tokens::of(&app).await;
    let (_, method, path, auth) = tokens.json_endpoints().remove(0);
    // finAPI's typed body refuses a duplicated field outright, so no record is half-made.
    let body = br#"{"id":"dup-a","id":"dup-b","password":"secret-123"}"#;
    let raw = send(app.port, authed(method, path, &auth, body)).await;
    assert_vendor_error("finapi", &raw);
    assert_eq!(raw.status, 400, "{}", raw.body);
    assert!(raw.body.contains("duplicate field"), "{}", raw.body);
    for id in ["dup-a", "dup-b"] {
        let raw = send(
            app.port,
            authed(
                "POST",
                "/oauth/token",
                &[(
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_string(),
                )],
                format!(
                    "grant_type=password&client_id=sandbox-client&client_secret=sandbox-client-secret&username={id}&password=secret-123"
                )
                .as_bytes(),
            ),
        )
        .await;
        assert_eq!(raw.status, 400, "{id} must not exist: {}", raw.body);
    }
    // OBP and Authress read a JSON value: duplicates are not a server error either way.
    for (vendor, method, path, auth) in tokens.json_endpoints().into_iter().skip(1) {
        let body = br#"{"userId":"x","userId":"y","username":"a","username":"b"}"#;
        let raw = send(app.port, authed(method, path, &auth, body)).await;
        assert!(raw.status < 500, "{vendor}: {} {}", raw.status, raw.body);
        if raw.status >= 400 {
            assert_vendor_error(vendor, &raw);
        }
    }
}

#[tokio::test]
async fn ten_thousand_query_parameters_get_an_answer_not_a_5xx() {
    let app = spawn_app().await;
    let tokens = Tokens::of(&app).await;
    // 10,000 parameters within the 64 KiB URI the HTTP layer parses.
    let many: String = (0..10_000)
        .map(|i| format!("{}=1", (b'a' + (i % 26) as u8) as char))
        .collect::<Vec<_>>()
        .join("&");
    // The vendors' own paging parameter, repeated 5,000 times.
    let repeated: String = (0..5_000)
        .map(|_| "limit=1".to_string())
        .collect::<Vec<_>>()
        .join("&");
    let admin_finapi = crate::finapi::client_token(&app, crate::finapi::ADMIN).await;
    let cases = [
        (
            "finapi",
            "/api/v1/mandatorAdmin/getUserList",
            ("Authorization", format!("Bearer {admin_finapi}")),
        ),
        (
            "obp",
            "/obp/v4.0.0/users",
            ("DirectLogin", format!("token={}", tokens.obp)),
        ),
        (
            "authress",
            "/v1/users",
            ("Authorization", format!("Bearer {}", tokens.authress)),
        ),
    ];
    for (vendor, path, auth) in cases {
        for query in [&many, &repeated] {
            let target = format!("{path}?{query}");
            let raw = send(
                app.port,
                request("GET", &target, std::slice::from_ref(&auth), b""),
            )
            .await;
            assert!(raw.status < 500, "{vendor}: {} {}", raw.status, raw.body);
            if raw.status >= 400 {
                assert_vendor_error(vendor, &raw);
            }
        }
    }
    // A URI over 64 KiB is refused by the HTTP layer itself (a bare 400) before any vendor
    // sees it; the connection is closed and everyone else is still served.
    let huge: String = (0..10_000)
        .map(|i| format!("p{i}={i}"))
        .collect::<Vec<_>>()
        .join("&");
    let raw = send(
        app.port,
        request("GET", &format!("/v1/users?{huge}"), &[], b""),
    )
    .await;
    assert_eq!(raw.status, 400);
    assert_still_serving(app.port).await;
}

#[tokio::test]
async fn a_64_kib_header_gets_a_4xx_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    for (path, name) in [
        ("/api/v1/users", "Authorization"),
        ("/obp/v4.0.0/users/current", "DirectLogin"),
        ("/v1/users", "Authorization"),
        ("/api/v1/users", "X-Filler"),
    ] {
        let value = format!("Bearer {}", "a".repeat(64 * 1024));
        let raw = send(app.port, request("GET", path, &[(name, value)], b"")).await;
        assert!(
            (400..500).contains(&raw.status),
            "{path} {name}: {} {}",
            raw.status,
            raw.body
        );
    }
    // Many small headers adding up to 64 KiB.
    let many: Vec<(&str, String)> = (0..1024).map(|_| ("X-Filler", "b".repeat(63))).collect();
    let raw = send(app.port, request("GET", "/v1/users", &many, b"")).await;
    assert!(
        (400..500).contains(&raw.status),
        "{} {}",
        raw.status,
        raw.body
    );
    assert_still_serving(app.port).await;
}
