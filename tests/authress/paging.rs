//! `GET /v1/users` query interplay and the links the SDKs follow: `tenantId` with `filter`,
//! `pagination.next.cursor`, and `links.self`/`links.next` as absolute URLs that keep every
//! query parameter (and a named sandbox's prefix).

use serde_json::Value;

use super::{FULL, fixture_key_in, token};
use crate::support::{TestApp, spawn_app, status_and_json};

async fn get_url(app: &TestApp, url: &str, token: &str) -> (u16, Value) {
    status_and_json(app.client.get(url).bearer_auth(token).send().await.unwrap()).await
}

fn user_ids(page: &Value) -> Vec<String> {
    page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_string())
        .collect()
}

fn query_pairs(href: &str) -> Vec<(String, String)> {
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str(query).unwrap()
}

/// Every page from `first`, following `links.next.href` verbatim; checks each page's links.
async fn follow_links(app: &TestApp, token: &str, first: &str) -> (Vec<String>, usize) {
    let mut url = first.to_string();
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = get_url(app, &url, token).await;
        assert_eq!(status, 200, "{url}: {page}");
        pages += 1;
        assert_eq!(page["links"]["self"]["href"], url.as_str());
        ids.extend(user_ids(&page));
        let Some(next) = page["links"]["next"]["href"].as_str() else {
            assert!(page.get("pagination").is_none(), "{page}");
            return (ids, pages);
        };
        let cursor = page["pagination"]["next"]["cursor"].as_str().unwrap();
        // The next link is the same absolute URL with every parameter kept and the cursor set.
        let base = url.split('?').next().unwrap();
        assert!(next.starts_with(&format!("{base}?")), "{next}");
        let mut expected: Vec<(String, String)> = query_pairs(&url)
            .into_iter()
            .filter(|(k, _)| k != "cursor")
            .collect();
        expected.push(("cursor".into(), cursor.into()));
        assert_eq!(query_pairs(next), expected, "{next}");
        url = next.to_string();
    }
}

#[tokio::test]
async fn following_links_next_visits_the_same_users_as_one_big_page() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    for query in [
        "limit=2",
        "limit=3&filter=example",
        "limit=1&tenantId=ten_acme",
        "limit=1&filter=A&tenantId=ten_acme",
        "filter=ada%20lovelace&limit=1",
    ] {
        let all = format!("{}/v1/users?{}", app.address, query.replace("limit=", "x="));
        let (_, everything) = get_url(&app, &all, &token).await;
        let (ids, pages) =
            follow_links(&app, &token, &format!("{}/v1/users?{query}", app.address)).await;
        assert_eq!(ids, user_ids(&everything), "{query}");
        let limit: usize = query_pairs(&format!("?{query}"))
            .iter()
            .find(|(k, _)| k == "limit")
            .unwrap()
            .1
            .parse()
            .unwrap();
        assert_eq!(pages, ids.len().div_ceil(limit).max(1), "{query}");
    }
}

#[tokio::test]
async fn the_filter_applies_inside_the_tenant() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let url = |q: &str| format!("{}/v1/users?{q}", app.address);

    let (_, grace) = get_url(&app, &url("filter=grace"), &token).await;
    let (_, grace_in_acme) = get_url(&app, &url("filter=grace&tenantId=ten_acme"), &token).await;
    let (_, acme) = get_url(&app, &url("tenantId=ten_acme"), &token).await;
    let (_, acme_empty_filter) = get_url(&app, &url("tenantId=ten_acme&filter="), &token).await;
    let (_, acme_max) = get_url(&app, &url("tenantId=ten_acme&filter=MUSTERMANN"), &token).await;

    assert_eq!(user_ids(&grace), ["oauth2|login.example.org/grace.hopper"]);
    assert_eq!(user_ids(&grace_in_acme), Vec::<String>::new());
    assert!(grace_in_acme.get("pagination").is_none());
    assert_eq!(user_ids(&acme_empty_filter), user_ids(&acme));
    assert_eq!(
        user_ids(&acme_max),
        ["samlp|acme-sso|max.mustermann@example.com"]
    );
}

#[tokio::test]
async fn a_cursor_from_a_tenant_listing_continues_that_listing() {
    let app = spawn_app().await;
    let token = token(&app, FULL).await;
    let first = format!("{}/v1/users?tenantId=ten_acme&limit=1", app.address);
    let (_, page) = get_url(&app, &first, &token).await;
    let cursor = page["pagination"]["next"]["cursor"].as_str().unwrap();

    // As the SDKs send it: the cursor as a query parameter, other parameters unchanged.
    let (status, second) = get_url(
        &app,
        &format!(
            "{}/v1/users?limit=1&cursor={cursor}&tenantId=ten_acme",
            app.address
        ),
        &token,
    )
    .await;

    assert_eq!(status, 200, "{second}");
    assert_eq!(
        user_ids(&second),
        ["samlp|acme-sso|max.mustermann@example.com"]
    );
    assert!(second["links"].get("next").is_none());
}

#[tokio::test]
async fn links_inside_a_named_sandbox_keep_its_prefix() {
    let app = spawn_app().await;
    let base = format!("{}/sandboxes/paging", app.address);
    let key = fixture_key_in(&app, "paging", FULL).await;
    let token = key.sign(&key.claims(&base));
    let first = format!("{base}/v1/users?limit=5");

    let (ids, pages) = follow_links(&app, &token, &first).await;

    assert_eq!(ids.len(), 26);
    assert_eq!(pages, 6);
}
