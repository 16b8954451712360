//! `GET /v1/users`, `GET /v1/users/{userId}`, `DELETE /v1/users/{userId}`.

use insta::assert_json_snapshot;
use serde_json::Value;

use super::{FULL, NO_ACCESS, READ_ONLY, href, token};
use crate::support::{TestApp, redactions, spawn_app, spawn_app_with, status_and_json};

/// Fixture people (6) plus the 20 fake ones of the test world.
const USERS: usize = 26;

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    status_and_json(app.get(path).bearer_auth(token).send().await.unwrap()).await
}

fn user_ids(page: &Value) -> Vec<String> {
    page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_string())
        .collect()
}

/// Every user id, following `pagination.next.cursor` as the SDKs do.
async fn all_user_ids(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/users?{query}&cursor={c}"),
            None => format!("/v1/users?{query}"),
        };
        let (status, page) = get(app, &path, token).await;
        assert_eq!(status, 200, "{page}");
        ids.extend(user_ids(&page));
        match page["pagination"]["next"]["cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => {
                assert!(page.get("pagination").is_none() && page["links"].get("next").is_none());
                return ids;
            }
        }
    }
}

#[tokio::test]
async fn listing_users_returns_a_page_with_next_cursor_and_links() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    let response = app
        .get("/v1/users?limit=3")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["content-type"], "application/links+json");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200);
    assert_json_snapshot!(body, {
        ".links.self.href" => href(&app),
        ".links.next.href" => href(&app),
    });
}

#[tokio::test]
async fn paging_with_cursors_visits_every_user_once() {
    let app = spawn_app().await;
    let token = token(&app, READ_ONLY).await;

    let ids = all_user_ids(&app, &token, "limit=7").await;

    assert_eq!(ids.len(), USERS);
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ids, "pages are in id order without repeats");
}

#[tokio::test]
async fn the_default_limit_is_100() {
    let app = spawn_app_with(|s| s.users = 150).await;
    let token = token(&app, FULL).await;

    let (status, first) = get(&app, "/v1/users", &token).await;

    assert_eq!(status, 200);
    assert_eq!(first["users"].as_array().unwrap().len(), 100);
    let cursor = first["pagination"]["next"]["cursor"].as_str().unwrap();
    let (_, second) = get(&app, &format!("/v1/users?cursor={cursor}"), &token).await;
    assert_eq!(second["users"].as_array().unwrap().len(), 56);
    assert!(second.get("pagination").is_none());
}

#[tokio::test]
async fn a_cursor_stays_valid_while_users_are_deleted() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let (_, first) = get(&app, "/v1/users?limit=4", &token).await;
    let cursor = first["pagination"]["next"]["cursor"].as_str().unwrap();
    let (_, expected) = get(&app, &format!("/v1/users?limit=5&cursor={cursor}"), &token).await;
    let seen = user_ids(&first);
    let upcoming = user_ids(&expected);

    // The cursor's own user, a user already seen and the next user go.
    for user_id in [&seen[3], &seen[0], &upcoming[0]] {
        let path = format!("/v1/users/{}", urlencoding(user_id));
        let response = app.delete(&path).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 202);
    }
    let (status, next) = get(&app, &format!("/v1/users?limit=4&cursor={cursor}"), &token).await;

    assert_eq!(status, 200);
    assert_eq!(user_ids(&next), upcoming[1..]);
}

/// Percent-encodes every reserved character, as the SDKs do (`quote(v, safe='')`).
fn urlencoding(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn the_filter_searches_ids_names_and_emails_case_insensitively() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    for (filter, expected) in [
        ("LOVELACE", vec!["auth0|64f1c2a9e4b0a7d3c1e2f3a4"]),
        (
            "Grace%20Hopper",
            vec!["oauth2|login.example.org/grace.hopper"],
        ),
        ("github%7C47", vec!["github|4711042"]),
        (
            "MAX.MUSTERMANN%40example",
            vec!["samlp|acme-sso|max.mustermann@example.com"],
        ),
        ("nobody-is-called-this", vec![]),
    ] {
        let (status, page) = get(&app, &format!("/v1/users?filter={filter}"), &token).await;
        assert_eq!(status, 200);
        assert_eq!(user_ids(&page), expected, "filter={filter}");
    }
}

#[tokio::test]
async fn the_tenant_id_lists_only_that_tenants_users() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    let acme = all_user_ids(&app, &token, "limit=1&tenantId=ten_acme").await;
    let (_, filtered) = get(&app, "/v1/users?tenantId=ten_acme&filter=max", &token).await;
    let (_, unknown) = get(&app, "/v1/users?tenantId=ten_nobody", &token).await;

    assert_eq!(
        acme,
        [
            "auth0|64f1c2a9e4b0a7d3c1e2f3a4",
            "samlp|acme-sso|max.mustermann@example.com"
        ]
    );
    assert_eq!(
        user_ids(&filtered),
        ["samlp|acme-sso|max.mustermann@example.com"]
    );
    assert_eq!(user_ids(&unknown), Vec::<String>::new());
}

#[tokio::test]
async fn bad_limits_return_400() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    for limit in ["0", "101", "-1", "1.5", "ten", ""] {
        let (status, body) = get(&app, &format!("/v1/users?limit={limit}"), &token).await;
        assert_eq!(status, 400, "limit={limit}");
        assert_eq!(body["errorCode"], "InvalidParameter");
    }
    let (_, body) = get(&app, "/v1/users?limit=101", &token).await;
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn a_cursor_the_api_did_not_hand_out_returns_400() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    for cursor in ["not*base64", "__9", "%2B%2B%2B", "A", &"A".repeat(516)] {
        let (status, body) = get(&app, &format!("/v1/users?cursor={cursor}"), &token).await;
        assert_eq!(status, 400, "cursor={cursor}");
        assert_eq!(body["errorCode"], "InvalidCursor");
    }
    let (_, body) = get(&app, "/v1/users?cursor=not*base64", &token).await;
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn over_long_filters_and_bad_tenant_ids_return_400() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    let (ok, _) = get(
        &app,
        &format!("/v1/users?filter={}", "a".repeat(64)),
        &token,
    )
    .await;
    let (long, body) = get(
        &app,
        &format!("/v1/users?filter={}", "a".repeat(65)),
        &token,
    )
    .await;
    let (tenant, tenant_body) = get(&app, "/v1/users?tenantId=ten%2Facme", &token).await;

    assert_eq!(ok, 200);
    assert_eq!(long, 400);
    assert_eq!(tenant, 400);
    assert_eq!(tenant_body["errorCode"], "InvalidParameter");
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn getting_a_user_decodes_its_percent_encoded_id() {
    let app = spawn_app().await;
    let token = token(&app, READ_ONLY).await;

    let response = app
        .get("/v1/users/google-oauth2%7C108915727483261245613")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["content-type"], "application/links+json");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200);
    assert_json_snapshot!(body);
    for user_id in [
        "oauth2|login.example.org/grace.hopper",
        "samlp|acme-sso|max.mustermann@example.com",
        "github|4711042",
    ] {
        let (status, body) =
            get(&app, &format!("/v1/users/{}", urlencoding(user_id)), &token).await;
        assert_eq!((status, body["userId"].as_str()), (200, Some(user_id)));
    }
}

#[tokio::test]
async fn getting_an_unknown_user_returns_404() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    let (status, body) = get(&app, "/v1/users/auth0%7Cnobody", &token).await;

    assert_eq!(status, 404);
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn a_user_id_with_forbidden_characters_or_too_long_returns_400() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    for path in [
        "/v1/users/auth0%7Cnobody%23x".to_string(),
        "/v1/users/auth0%7C%3Cscript%3E".to_string(),
        format!("/v1/users/{}", "a".repeat(129)),
    ] {
        let (status, body) = get(&app, &path, &token).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["errorCode"], "InvalidParameter");
    }
}

#[tokio::test]
async fn deleting_a_user_returns_202_and_removes_it_with_its_tenant_link() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let path = "/v1/users/auth0%7C64f1c2a9e4b0a7d3c1e2f3a4";

    let response = app.delete(path).bearer_auth(&token).send().await.unwrap();

    assert_eq!(response.status(), 202);
    assert_eq!(response.text().await.unwrap(), "");
    let (status, _) = get(&app, path, &token).await;
    assert_eq!(status, 404);
    let everyone = all_user_ids(&app, &token, "limit=100").await;
    assert_eq!(everyone.len(), USERS - 1);
    assert!(!everyone.contains(&"auth0|64f1c2a9e4b0a7d3c1e2f3a4".to_string()));
    let (_, acme) = get(&app, "/v1/users?tenantId=ten_acme", &token).await;
    assert_eq!(
        user_ids(&acme),
        ["samlp|acme-sso|max.mustermann@example.com"]
    );
}

#[tokio::test]
async fn deleting_an_unknown_user_returns_404_and_deleting_twice_too() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let path = "/v1/users/github%7C4711042";

    let first = app.delete(path).bearer_auth(&token).send().await.unwrap();
    let (status, body) =
        status_and_json(app.delete(path).bearer_auth(&token).send().await.unwrap()).await;

    assert_eq!(first.status(), 202);
    assert_eq!(status, 404);
    assert_eq!(body["errorCode"], "UserNotFound");
}

#[tokio::test]
async fn clients_without_the_permission_get_403_and_nothing_changes() {
    let app = spawn_app().await;
    let read_only = token(&app, READ_ONLY).await;
    let none = token(&app, NO_ACCESS).await;
    let path = "/v1/users/github%7C4711042";

    let (delete, delete_body) = status_and_json(
        app.delete(path)
            .bearer_auth(&read_only)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (list, list_body) = get(&app, "/v1/users", &none).await;
    let (single, _) = get(&app, path, &none).await;

    assert_eq!((delete, list, single), (403, 403, 403));
    assert_eq!(delete_body["errorCode"], "Forbidden");
    assert_json_snapshot!(list_body, { ".errorId" => redactions::request_id() });
    let (still_there, _) = get(&app, path, &read_only).await;
    assert_eq!(still_there, 200);
}

#[tokio::test]
async fn unknown_routes_and_methods_under_v1_get_authress_errors() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;

    let (unknown, unknown_body) = get(&app, "/v1/nothing-here", &token).await;
    let (method, method_body) = status_and_json(
        app.post("/v1/users")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!((unknown, method), (404, 405));
    assert_json_snapshot!("unknown_route", unknown_body, { ".errorId" => redactions::request_id() });
    assert_json_snapshot!("wrong_method", method_body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn an_injected_fault_answers_503_with_retry_after() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let rules = serde_json::json!({
        "rules": [{ "vendor": "authress", "operationId": "getUsers", "errorRate": 100 }]
    });
    let set = app
        .put("/__admin/faults")
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);

    let response = app
        .get("/v1/users")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: serde_json::Value = response.json().await.unwrap();
    let (other, _) = get(&app, "/v1/users/github%7C4711042", &token).await;

    assert_eq!(other, 200);
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}

#[tokio::test]
async fn a_405_names_the_paths_methods_in_allow() {
    // Found by the contract fuzzer (RFC 9110: a 405 carries `Allow`).
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let users = app
        .post("/v1/users")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let helper = app
        .get("/__admin/authress/service-clients")
        .send()
        .await
        .unwrap();

    assert_eq!(
        (users.status().as_u16(), helper.status().as_u16()),
        (405, 405)
    );
    assert_eq!(users.headers()["allow"], "GET");
    assert_eq!(helper.headers()["allow"], "POST");
}

#[tokio::test]
async fn any_canonical_base64url_cursor_is_a_position_and_an_empty_tenant_id_is_refused() {
    // Fuzzer findings: the document states the cursor's alphabet and length, and the server
    // refuses `tenantId=` below the documented minLength (Authress's document: 1 to 64).
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    // `__8` is base64 of two bytes that are not UTF-8: it sorts after every ASCII id.
    for cursor in ["", "__8", "w6zDgsOh", "AAA"] {
        let (status, body) = get(&app, &format!("/v1/users?cursor={cursor}&limit=5"), &token).await;
        assert_eq!(status, 200, "cursor={cursor}: {body}");
    }
    let (_, after) = get(&app, "/v1/users?cursor=__8", &token).await;
    assert!(user_ids(&after).is_empty(), "{after}");
    let (status, body) = get(&app, "/v1/users?tenantId=", &token).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (400, Some("InvalidParameter"))
    );
}
