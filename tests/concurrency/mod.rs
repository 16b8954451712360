//! Concurrency per vendor: 64 concurrent creates of one id make exactly one record (the rest get
//! the vendor's duplicate error); 64 distinct creates lose none; a storm of locks, unlocks,
//! deletes, lists, resets and checkpoint restores never deadlocks and never shows a half-written
//! record or a half-reset world. Authress has no user create: its one-id write is the delete and
//! the tenant link, its distinct creates the sandbox's service clients.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, spawn_app, status_and_json};

const N: usize = 64;

/// The statuses of a batch, counted.
fn tally(answers: &[(u16, Value)]) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for (status, _) in answers {
        *counts.entry(*status).or_default() += 1;
    }
    counts
}

/// Everything must finish well inside a minute, or the server deadlocked.
async fn bounded<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish in 60 s: a deadlock"))
}

fn obp_user(username: &str) -> Value {
    json!({
        "email": format!("{username}@example.com"),
        "username": username,
        "password": "Race-Sandbox-2026!",
        "first_name": "Race",
        "last_name": "Condition",
    })
}

async fn obp_create(app: &TestApp, username: String) -> (u16, Value) {
    crate::obp::call(
        app,
        Method::POST,
        "/obp/v4.0.0/users",
        None,
        Some(obp_user(&username)),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finapi_64_creates_of_one_id_make_one_user_and_63_entity_exists() {
    let app = spawn_app().await;
    let token = crate::finapi::client_token(&app, crate::finapi::AUTOVERIFY).await;
    let answers = bounded(
        "64 creates",
        join_all((0..N).map(|_| {
            crate::finapi::call_json(
                &app,
                Method::POST,
                "/api/v1/users",
                &token,
                Some(json!({ "id": "race-user", "password": "secret-123" })),
            )
        })),
    )
    .await;
    assert_eq!(tally(&answers), BTreeMap::from([(201, 1), (422, N - 1)]));
    for (status, body) in &answers {
        if *status == 422 {
            assert_eq!(body["errors"][0]["code"], "ENTITY_EXISTS", "{body}");
        }
    }
    // The one user is whole: it logs in with the password it was created with.
    crate::finapi::user_token(&app, ("race-user", "secret-123")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finapi_64_distinct_creates_lose_none() {
    let app = spawn_app().await;
    let token = crate::finapi::client_token(&app, crate::finapi::AUTOVERIFY).await;
    let answers = bounded(
        "64 creates",
        join_all((0..N).map(|i| {
            crate::finapi::call_json(
                &app,
                Method::POST,
                "/api/v1/users",
                &token,
                Some(json!({ "id": format!("distinct-{i}"), "password": "secret-123" })),
            )
        })),
    )
    .await;
    assert_eq!(tally(&answers), BTreeMap::from([(201, N)]));
    let admin = crate::finapi::client_token(&app, crate::finapi::ADMIN).await;
    for i in 0..N {
        let (status, body) = crate::finapi::call_json(
            &app,
            Method::GET,
            &format!("/api/v1/mandatorAdmin/getUserList?userId=distinct-{i}"),
            &admin,
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["paging"]["totalCount"], 1, "distinct-{i} lost: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn obp_64_creates_of_one_username_make_one_user_and_63_conflicts() {
    let app = spawn_app().await;
    let answers = bounded(
        "64 creates",
        join_all((0..N).map(|_| obp_create(&app, "race.user".to_string()))),
    )
    .await;
    assert_eq!(tally(&answers), BTreeMap::from([(201, 1), (409, N - 1)]));
    for (status, body) in &answers {
        if *status == 409 {
            assert_eq!(body["code"], 409, "{body}");
        }
    }
    crate::obp::login(&app, ("race.user", "Race-Sandbox-2026!")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn obp_64_distinct_creates_lose_none() {
    let app = spawn_app().await;
    let answers = bounded(
        "64 creates",
        join_all((0..N).map(|i| obp_create(&app, format!("distinct.user{i}")))),
    )
    .await;
    assert_eq!(tally(&answers), BTreeMap::from([(201, N)]));
    let admin = crate::obp::login(&app, crate::obp::ADMIN).await;
    for (i, (_, created)) in answers.iter().enumerate() {
        let (status, found) = crate::obp::get(
            &app,
            &format!("/obp/v4.0.0/users/username/distinct.user{i}"),
            &admin,
        )
        .await;
        assert_eq!(status, 200, "distinct.user{i} lost: {found}");
        let _ = created;
    }
}

async fn authress_users(app: &TestApp, token: &str) -> Vec<String> {
    authress_listed(app, token, "/v1/users?limit=100").await
}

/// The user ids of one Authress listing page.
async fn authress_listed(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let (status, body) =
        status_and_json(app.get(path).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_string())
        .collect()
}

async fn authress_delete(app: &TestApp, token: &str, user_id: &str) -> (u16, Value) {
    let path = format!(
        "/v1/users/{}",
        percent_encoding::utf8_percent_encode(user_id, percent_encoding::NON_ALPHANUMERIC)
    );
    status_and_json(app.delete(&path).bearer_auth(token).send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn authress_64_deletes_of_one_user_succeed_once_and_63_are_user_not_found() {
    // Authress has no user create (users come from its identity providers): the write that
    // names one id is the delete.
    let app = spawn_app().await;
    let token = crate::authress::token(&app, crate::authress::FULL).await;
    let users = authress_users(&app, &token).await;
    let victim = users[0].clone();
    let answers = bounded(
        "64 deletes",
        join_all((0..N).map(|_| authress_delete(&app, &token, &victim))),
    )
    .await;
    assert_eq!(tally(&answers), BTreeMap::from([(202, 1), (404, N - 1)]));
    for (status, body) in &answers {
        if *status == 404 {
            assert_eq!(body["errorCode"], "UserNotFound", "{body}");
        }
    }
    assert!(!authress_users(&app, &token).await.contains(&victim));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn authress_distinct_deletes_all_land() {
    let app = spawn_app().await;
    let token = crate::authress::token(&app, crate::authress::FULL).await;
    let users = authress_users(&app, &token).await;
    let answers = bounded(
        "deletes",
        join_all(users.iter().map(|u| authress_delete(&app, &token, u))),
    )
    .await;
    assert_eq!(tally(&answers), BTreeMap::from([(202, users.len())]));
    assert_eq!(authress_users(&app, &token).await, Vec::<String>::new());
}

/// The users Authress lists in one tenant.
async fn authress_tenant_members(app: &TestApp, token: &str, tenant: &str) -> Vec<String> {
    authress_listed(
        app,
        token,
        &format!("/v1/users?limit=100&tenantId={tenant}"),
    )
    .await
}

const AUTHRESS_TENANTS: [&str; 3] = ["ten_acme", "ten_globex", "ten_initech"];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn authress_64_links_of_one_user_to_three_tenants_leave_it_in_exactly_one() {
    // Linking is Authress's write that names one id: a user is in at most one tenant, so of 64
    // racing links to three tenants exactly one tenant must hold the user afterwards.
    let app = spawn_app().await;
    let token = crate::authress::token(&app, crate::authress::FULL).await;
    let user = "github|4711042";
    let before: Vec<usize> = join_all(
        AUTHRESS_TENANTS
            .iter()
            .map(|t| authress_tenant_members(&app, &token, t)),
    )
    .await
    .iter()
    .map(Vec::len)
    .collect();
    let answers = bounded(
        "64 links",
        join_all((0..N).map(|i| {
            let (app, token) = (&app, &token);
            async move {
                let res = app
                    .patch(&format!(
                        "/v1/tenants/{}/users",
                        AUTHRESS_TENANTS[i % AUTHRESS_TENANTS.len()]
                    ))
                    .bearer_auth(token)
                    .json(&json!({ "userId": user }))
                    .send()
                    .await
                    .unwrap();
                (res.status().as_u16(), Value::Null)
            }
        })),
    )
    .await;
    assert_eq!(tally(&answers), BTreeMap::from([(204, N)]));
    let after = join_all(
        AUTHRESS_TENANTS
            .iter()
            .map(|t| authress_tenant_members(&app, &token, t)),
    )
    .await;
    let holding: Vec<&str> = AUTHRESS_TENANTS
        .iter()
        .zip(&after)
        .filter(|(_, members)| members.iter().any(|m| m == user))
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(holding.len(), 1, "{user} is in {holding:?}");
    // Nobody else moved: each tenant has its members of before, plus the user where it landed.
    for ((tenant, members), was) in AUTHRESS_TENANTS.iter().zip(&after).zip(&before) {
        let expected = was + usize::from(holding[0] == *tenant);
        assert_eq!(members.len(), expected, "{tenant}: {members:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn authress_64_distinct_service_clients_are_all_kept_and_all_work() {
    let app = spawn_app().await;
    let minted = bounded(
        "64 service clients",
        join_all((0..N).map(|i| {
            let app = &app;
            async move {
                status_and_json(
                    app.post("/__admin/authress/service-clients")
                        .json(&json!({ "name": format!("Racer {i}") }))
                        .send()
                        .await
                        .unwrap(),
                )
                .await
            }
        })),
    )
    .await;
    assert_eq!(tally(&minted), BTreeMap::from([(201, N)]));
    let ids: std::collections::BTreeSet<&str> = minted
        .iter()
        .map(|(_, body)| body["clientId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), N, "two racing creates got one client id");
    let reads = join_all(minted.iter().map(|(_, body)| {
        let app = &app;
        async move {
            app.get("/v1/users?limit=1")
                .bearer_auth(body["accessToken"].as_str().unwrap())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    }))
    .await;
    assert!(reads.iter().all(|s| *s == 200), "{reads:?}");
}

/// OBP users as listed; every record must be whole (ids, names, email all present).
async fn obp_list(app: &TestApp, admin: &str) -> Result<Vec<Value>, String> {
    let (status, body) = crate::obp::get(app, "/obp/v4.0.0/users?limit=500", admin).await;
    if status != 200 {
        return Err(format!("{status} {body}"));
    }
    let users = body["users"].as_array().cloned().unwrap_or_default();
    for u in &users {
        for field in ["user_id", "username", "email", "provider"] {
            if !u[field].is_string() {
                return Err(format!("half-written record, no {field}: {u}"));
            }
        }
    }
    Ok(users)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_of_writes_resets_and_restores_never_deadlocks_or_shows_a_torn_world() {
    let app = spawn_app().await;
    let seeded_export: Value = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let saved = app
        .post("/__admin/checkpoints")
        .json(&json!({ "name": "storm" }))
        .send()
        .await
        .unwrap();
    assert!(
        saved.status().is_success(),
        "{}",
        saved.text().await.unwrap()
    );
    let authress = crate::authress::token(&app, crate::authress::FULL).await;
    let fixtures: Value =
        serde_json::from_str(include_str!("../../fixtures/authress.json")).unwrap();
    let fixture_ids: Vec<&str> = fixtures["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap())
        .collect();
    let authress_fakes: Vec<String> = authress_users(&app, &authress)
        .await
        .into_iter()
        .filter(|id| !fixture_ids.contains(&id.as_str()))
        .collect();
    assert!(authress_fakes.len() >= 8 * 2, "{authress_fakes:?}");
    let app = &app;
    let seeded = &seeded_export;
    let (authress, authress_fakes) = (&authress, &authress_fakes);

    let storm = async {
        let writers = (0..8).map(|w| async move {
            for i in 0..12 {
                // finAPI: a create with a fresh client token; a reset between the grant and the
                // create revokes the token (401), anything else must be the 201.
                let client = crate::finapi::client_token(app, crate::finapi::AUTOVERIFY).await;
                let (status, body) = crate::finapi::call_json(
                    app,
                    Method::POST,
                    "/api/v1/users",
                    &client,
                    Some(json!({ "id": format!("storm-w{w}i{i}"), "password": "secret-123" })),
                )
                .await;
                assert!(
                    status == 201 || status == 401,
                    "finAPI create: {status} {body}"
                );
                // Authress: link a fixture user to a tenant, and every sixth round delete a fake
                // user of this writer's own (the seeded signing keys survive resets).
                let res = app
                    .patch(&format!(
                        "/v1/tenants/{}/users",
                        AUTHRESS_TENANTS[(w + i) % AUTHRESS_TENANTS.len()]
                    ))
                    .bearer_auth(authress)
                    .json(&json!({ "userId": "github|4711042" }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
                if i % 6 == 0 {
                    let (status, body) =
                        authress_delete(app, authress, &authress_fakes[w * 2 + i / 6]).await;
                    assert_eq!(status, 202, "Authress delete: {body}");
                }
                // OBP: create, lock, unlock, delete a user.
                let name = format!("storm.w{w}i{i}");
                let (status, body) = obp_create(app, name.clone()).await;
                assert!(
                    status == 201 || status == 409,
                    "create {name}: {status} {body}"
                );
                // Tokens die with every reset: log in again each round.
                let Ok(admin) = tokio::time::timeout(Duration::from_secs(30), async {
                    let header = format!(
                        "username={}, password={}, consumer_key={}",
                        crate::obp::ADMIN.0,
                        crate::obp::ADMIN.1,
                        crate::obp::CONSUMER_KEY
                    );
                    status_and_json(crate::obp::direct_login(app, &header).await).await
                })
                .await
                else {
                    panic!("a login hung");
                };
                assert_eq!(admin.0, 201, "{}", admin.1);
                let admin = admin.1["token"].as_str().unwrap().to_string();
                for (method, path) in [
                    (Method::POST, format!("/obp/v4.0.0/users/{name}/locks")),
                    (Method::PUT, format!("/obp/v4.0.0/users/{name}/lock-status")),
                ] {
                    let (status, body) =
                        crate::obp::call(app, method, &path, Some(&admin), None).await;
                    assert!(status < 500, "{path}: {status} {body}");
                }
                if let Some(id) = body["user_id"].as_str() {
                    let (status, body) = crate::obp::call(
                        app,
                        Method::DELETE,
                        &format!("/obp/v4.0.0/users/{id}"),
                        Some(&admin),
                        None,
                    )
                    .await;
                    assert!(status < 500, "delete: {status} {body}");
                }
            }
        });
        let readers = (0..4).map(|_| async move {
            for _ in 0..15 {
                let header = format!(
                    "username={}, password={}, consumer_key={}",
                    crate::obp::ADMIN.0,
                    crate::obp::ADMIN.1,
                    crate::obp::CONSUMER_KEY
                );
                let (status, login) =
                    status_and_json(crate::obp::direct_login(app, &header).await).await;
                assert_eq!(status, 201, "{login}");
                let token = login["token"].as_str().unwrap();
                match obp_list(app, token).await {
                    Ok(users) => {
                        // A whole world always has its fixture people, reset or not.
                        assert!(
                            users.iter().any(|u| u["username"] == "felixsmith"),
                            "a half-reset world without its fixture people"
                        );
                    }
                    // A reset between login and list revokes the token: OBP's 400, never a 5xx.
                    Err(e) => assert!(e.starts_with("400 "), "{e}"),
                }
                // finAPI's and Authress's listings show whole records of a whole world.
                let admin = crate::finapi::client_token(app, crate::finapi::ADMIN).await;
                let (status, list) = crate::finapi::call_json(
                    app,
                    Method::GET,
                    "/api/v1/mandatorAdmin/getUserList?perPage=500",
                    &admin,
                    None,
                )
                .await;
                if status == 200 {
                    let items = list["users"].as_array().unwrap();
                    assert!(
                        items.iter().any(|u| u["userId"] == "felixsmith"),
                        "a half-reset finAPI world"
                    );
                    for u in items {
                        assert!(
                            u["userId"].is_string()
                                && u["registrationDate"].is_string()
                                && u["isLocked"].is_boolean(),
                            "half-written finAPI record: {u}"
                        );
                    }
                } else {
                    assert_eq!(status, 401, "getUserList: {list}");
                }
                let (status, users) = status_and_json(
                    app.get("/v1/users?limit=100")
                        .bearer_auth(authress)
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                assert_eq!(status, 200, "{users}");
                let users = users["users"].as_array().unwrap();
                assert!(
                    users
                        .iter()
                        .any(|u| u["userId"] == "google-oauth2|108915727483261245613"),
                    "a half-reset Authress world"
                );
                for u in users {
                    assert!(
                        u["userId"].is_string() && u["name"].is_string(),
                        "half-written Authress record: {u}"
                    );
                }
                // Every export taken mid-storm is one complete world that imports back.
                let export = app.get("/__admin/state").send().await.unwrap();
                assert_eq!(export.status(), 200);
                let state: Value = export.json().await.unwrap();
                assert_eq!(
                    state.as_object().map(|o| o.keys().collect::<Vec<_>>()),
                    seeded.as_object().map(|o| o.keys().collect::<Vec<_>>()),
                    "an export with missing parts"
                );
            }
        });
        let resets = async move {
            for i in 0..6 {
                tokio::time::sleep(Duration::from_millis(150)).await;
                let res = if i % 2 == 0 {
                    app.post("/__admin/reset").send().await.unwrap()
                } else {
                    app.post("/__admin/checkpoints/storm/restore")
                        .send()
                        .await
                        .unwrap()
                };
                assert!(res.status().is_success(), "{}", res.text().await.unwrap());
            }
        };
        tokio::join!(join_all(writers), join_all(readers), resets);
    };
    bounded("the storm", storm).await;

    // After the storm a reset gives exactly the seeded world back.
    app.post("/__admin/reset").send().await.unwrap();
    let after: Value = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after, seeded_export);
}
