//! The Mandator Administration API: getUserList, deleteUsers, changeClientCredentials.

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    ADA, ADMIN, AUTOVERIFY, CLIENT, FELIX, MAX, all_users, assert_error, call, call_json,
    client_token, create_user, form_request, password_grant, token_request, user_ids, user_token,
};
use crate::support::{TestApp, redactions, spawn_app, status_and_json};

const LIST: &str = "/api/v1/mandatorAdmin/getUserList";

async fn list(app: &TestApp, admin: &str, query: &str) -> (u16, Value) {
    call_json(app, Method::GET, &format!("{LIST}?{query}"), admin, None).await
}

fn field<'a>(user: &'a Value, name: &str) -> Option<&'a str> {
    user[name].as_str()
}

// ---- getUserList ------------------------------------------------------------------------------------

#[tokio::test]
async fn the_user_list_defaults_to_page_1_of_20_users_ordered_by_id() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let response = call(&app, Method::GET, LIST, &admin, None).await;
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200);
    // 6 fixture users + 20 fake ones + 2 deleted fixture users.
    assert_eq!(
        body["paging"],
        json!({"page": 1, "perPage": 20, "pageCount": 2, "totalCount": 28})
    );
    let ids = user_ids(body["users"].as_array().unwrap());
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| id.to_lowercase());
    assert_eq!(ids, sorted);
    insta::assert_json_snapshot!(body);
}

#[tokio::test]
async fn pages_slice_the_whole_list() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let everyone = user_ids(&all_users(&app, &admin, "").await);
    assert_eq!(everyone.len(), 28);
    let (status, body) = list(&app, &admin, "page=2&perPage=7").await;
    assert_eq!(status, 200);
    assert_eq!(user_ids(body["users"].as_array().unwrap()), everyone[7..14]);
    assert_eq!(
        body["paging"],
        json!({"page": 2, "perPage": 7, "pageCount": 4, "totalCount": 28})
    );
    let (_, last) = list(&app, &admin, "page=4&perPage=8").await;
    assert_eq!(user_ids(last["users"].as_array().unwrap()), everyone[24..]);
    let (status, past) = list(&app, &admin, "page=9&perPage=8").await;
    assert_eq!(status, 200);
    assert_eq!(past["users"], json!([]));
    assert_eq!(
        past["paging"],
        json!({"page": 9, "perPage": 8, "pageCount": 4, "totalCount": 28})
    );
    let (status, max) = list(&app, &admin, "perPage=500").await;
    assert_eq!((status, max["users"].as_array().unwrap().len()), (200, 28));
}

#[tokio::test]
async fn page_and_per_page_out_of_bounds_return_400() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let (status, body) = list(&app, &admin, "perPage=501").await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("per_page_501", body, { ".requestId" => redactions::request_id() });
    let (status, body) = list(&app, &admin, "page=0").await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!("page_0", body, { ".requestId" => redactions::request_id() });
    for (query, code) in [
        ("perPage=0", "ILLEGAL_PAGE_SIZE"),
        ("perPage=-1", "ILLEGAL_PAGE_SIZE"),
        ("perPage=twenty", "BAD_REQUEST"),
        ("page=-3", "BAD_REQUEST"),
        ("page=1.5", "BAD_REQUEST"),
        ("page=99999999999999999999", "BAD_REQUEST"),
        // A Java int: the fuzzer found 2147483648 accepted.
        (
            "minBankConnectionCountInMonthlyStats=2147483648",
            "BAD_REQUEST",
        ),
    ] {
        let (status, body) = list(&app, &admin, query).await;
        assert_eq!(status, 400, "{query}");
        assert_error(&body, code, "GET /api/v1/mandatorAdmin/getUserList");
    }
}

#[tokio::test]
async fn a_repeated_order_is_accepted_and_desc_reverses_the_list() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let ascending = user_ids(&all_users(&app, &admin, "").await);
    // As the Python client sends `order=['userId,desc', 'userId']`.
    let descending = user_ids(&all_users(&app, &admin, "order=userId%2Cdesc&order=userId").await);
    let mut reversed = ascending.clone();
    reversed.reverse();
    assert_eq!(descending, reversed);
    assert_eq!(
        user_ids(&all_users(&app, &admin, "order=userId,DESC").await),
        reversed
    );
    assert_eq!(
        user_ids(&all_users(&app, &admin, "order=userId,asc").await),
        ascending
    );
    assert_eq!(
        user_ids(&all_users(&app, &admin, "order=userId").await),
        ascending
    );
    let (_, page) = list(&app, &admin, "order=userId,desc&perPage=5&page=2").await;
    assert_eq!(user_ids(page["users"].as_array().unwrap()), reversed[5..10]);
}

#[tokio::test]
async fn an_unsupported_order_returns_400() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let (status, body) = list(&app, &admin, "order=registrationDate,asc").await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    let (status, body) = list(&app, &admin, "order=userId,sideways").await;
    assert_eq!(status, 400);
    assert_error(
        &body,
        "UNSUPPORTED_ORDER",
        "GET /api/v1/mandatorAdmin/getUserList",
    );
}

#[tokio::test]
async fn is_deleted_accepts_pythons_capitalised_booleans() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let deleted = all_users(&app, &admin, "isDeleted=True").await;
    assert_eq!(user_ids(&deleted), ["fXXXXXXXXXXXXXr", "uXXr"]);
    assert!(
        deleted
            .iter()
            .all(|u| u["deletionDate"].is_string() && u["isLocked"] == false)
    );
    let active = all_users(&app, &admin, "isDeleted=False").await;
    assert_eq!(active.len(), 26);
    assert!(active.iter().all(|u| u["deletionDate"].is_null()));
    assert_eq!(all_users(&app, &admin, "isDeleted=false").await, active);
    let (status, body) = list(&app, &admin, "isDeleted=yes").await;
    assert_eq!(status, 400);
    assert_error(
        &body,
        "BAD_REQUEST",
        "GET /api/v1/mandatorAdmin/getUserList",
    );
}

#[tokio::test]
async fn deleted_users_are_listed_with_distorted_ids() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let (_, body) = list(&app, &admin, "isDeleted=true").await;
    insta::assert_json_snapshot!(body);
    // A distorted id is not a filter key: the userId filter never finds a deleted user.
    assert!(all_users(&app, &admin, "userId=uXXr").await.is_empty());
    assert!(all_users(&app, &admin, "userId=user").await.is_empty());
}

#[tokio::test]
async fn is_locked_and_user_id_filter_the_list() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    assert_eq!(
        user_ids(&all_users(&app, &admin, "isLocked=True").await),
        ["jan.novak"]
    );
    assert_eq!(all_users(&app, &admin, "isLocked=false").await.len(), 27);
    assert_eq!(
        user_ids(&all_users(&app, &admin, "userId=FELIXSMITH").await),
        ["felixsmith"]
    );
    assert!(all_users(&app, &admin, "userId=nobody").await.is_empty());
}

/// Checks a date filter against the full list: the filtered ids are exactly those `keep` admits.
async fn assert_date_filter(
    app: &TestApp,
    admin: &str,
    query: &str,
    keep: impl Fn(&Value) -> bool,
) {
    let everyone = all_users(app, admin, "").await;
    let expected: Vec<String> =
        user_ids(&everyone.into_iter().filter(|u| keep(u)).collect::<Vec<_>>());
    let filtered = user_ids(&all_users(app, admin, query).await);
    assert!(
        !expected.is_empty(),
        "{query} keeps nobody: a vacuous check"
    );
    assert_eq!(filtered, expected, "{query}");
    let (_, page) = list(app, admin, &format!("{query}&perPage=1")).await;
    assert_eq!(page["paging"]["totalCount"], expected.len(), "{query}");
}

#[tokio::test]
async fn the_date_filters_bound_registration_deletion_and_last_activity() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    assert_date_filter(&app, &admin, "minRegistrationDate=2025-01-01", |u| {
        field(u, "registrationDate").unwrap() >= "2025-01-01"
    })
    .await;
    assert_date_filter(&app, &admin, "maxRegistrationDate=2024-12-31", |u| {
        field(u, "registrationDate").unwrap() <= "2024-12-31"
    })
    .await;
    assert_date_filter(
        &app,
        &admin,
        "minRegistrationDate=2024-06-01&maxRegistrationDate=2025-06-30",
        |u| {
            let d = field(u, "registrationDate").unwrap();
            ("2024-06-01"..="2025-06-30").contains(&d)
        },
    )
    .await;
    // A min deletion date keeps only deleted users; a max deletion date keeps active users too.
    assert_date_filter(&app, &admin, "minDeletionDate=2025-12-10", |u| {
        field(u, "deletionDate").is_some_and(|d| d >= "2025-12-10")
    })
    .await;
    assert_date_filter(&app, &admin, "maxDeletionDate=2025-12-10", |u| {
        field(u, "deletionDate").is_none_or(|d| d <= "2025-12-10")
    })
    .await;
    // The same rule for the last active date: never-active users only pass a max bound.
    assert_date_filter(&app, &admin, "minLastActiveDate=2025-06-01", |u| {
        field(u, "lastActiveDate").is_some_and(|d| d >= "2025-06-01")
    })
    .await;
    assert_date_filter(&app, &admin, "maxLastActiveDate=2025-06-01", |u| {
        field(u, "lastActiveDate").is_none_or(|d| d <= "2025-06-01")
    })
    .await;
    assert_date_filter(
        &app,
        &admin,
        "isDeleted=false&maxLastActiveDate=2025-06-01",
        |u| {
            u["deletionDate"].is_null()
                && field(u, "lastActiveDate").is_none_or(|d| d <= "2025-06-01")
        },
    )
    .await;
}

#[tokio::test]
async fn malformed_dates_return_400() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    for query in [
        "minRegistrationDate=2026-1-5",
        "maxRegistrationDate=2026-02-30",
        "minDeletionDate=15.01.2026",
        "maxDeletionDate=2026-01-15T00:00:00",
        "minLastActiveDate=yesterday",
        "maxLastActiveDate=",
        "includeMonthlyStats=true&monthlyStatsStartDate=2026-13",
        "includeMonthlyStats=true&monthlyStatsEndDate=2026-01-01",
    ] {
        let (status, body) = list(&app, &admin, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_error(
            &body,
            "BAD_REQUEST",
            "GET /api/v1/mandatorAdmin/getUserList",
        );
    }
    let (_, body) = list(&app, &admin, "minRegistrationDate=2026-1-5").await;
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
}

#[tokio::test]
async fn monthly_stats_run_newest_first_within_the_requested_months() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let (status, body) = list(
        &app,
        &admin,
        "userId=felixsmith&includeMonthlyStats=True&monthlyStatsStartDate=2025-10&monthlyStatsEndDate=2025-12",
    )
    .await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("bounded", body);
    // Without bounds: from the registration month to this month.
    let (_, body) = list(&app, &admin, "userId=jan.novak&includeMonthlyStats=true").await;
    let months: Vec<&str> = body["users"][0]["monthlyStats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2026-01", "2025-12", "2025-11", "2025-10"]);
    // A deleted user's stats end in the month of deletion.
    let (_, body) = list(
        &app,
        &admin,
        "isDeleted=true&includeMonthlyStats=true&monthlyStatsStartDate=2025-10",
    )
    .await;
    insta::assert_json_snapshot!("deleted", body["users"]);
    // Without includeMonthlyStats the bounds are ignored and monthlyStats is null.
    let (_, body) = list(
        &app,
        &admin,
        "userId=felixsmith&monthlyStatsStartDate=2025-10",
    )
    .await;
    assert_eq!(body["users"][0]["monthlyStats"], Value::Null);
}

#[tokio::test]
async fn min_bank_connection_count_in_monthly_stats_filters_users() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let users = all_users(
        &app,
        &admin,
        "includeMonthlyStats=true&minBankConnectionCountInMonthlyStats=3",
    )
    .await;
    assert!(!users.is_empty());
    for user in &users {
        let stats = user["monthlyStats"].as_array().unwrap();
        assert!(
            stats
                .iter()
                .any(|m| m["maxBankConnectionCount"].as_u64().unwrap() >= 3),
            "{user}"
        );
    }
    assert!(user_ids(&users).contains(&MAX.0.to_string()));
    assert!(!user_ids(&users).contains(&FELIX.0.to_string()));
}

#[tokio::test]
async fn logging_in_updates_the_last_active_date() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    assert_eq!(
        all_users(&app, &admin, "userId=ada.lovelace").await[0]["lastActiveDate"],
        "2026-01-03"
    );
    user_token(&app, ADA).await;
    assert_eq!(
        all_users(&app, &admin, "userId=ada.lovelace").await[0]["lastActiveDate"],
        "2026-01-15"
    );
}

// ---- deleteUsers --------------------------------------------------------------------------------------

const DELETE: &str = "/api/v1/mandatorAdmin/deleteUsers";

#[tokio::test]
async fn delete_users_separates_deleted_and_busy_users_and_omits_unknown_ids() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let felix = user_token(&app, FELIX).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        DELETE,
        &admin,
        Some(json!({"userIds": ["MAX.MUSTERMANN", "felixsmith", "nobody", "Ada.Lovelace", "felixsmith"]})),
    )
    .await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!(body);
    // The deleted users' tokens are gone; they are listed, distorted, as deleted today.
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &felix, None)
            .await
            .status(),
        401
    );
    let deleted = all_users(&app, &admin, "isDeleted=true").await;
    assert_eq!(
        user_ids(&deleted),
        ["aXXXXXXXXXXe", "fXXXXXXXXh", "fXXXXXXXXXXXXXr", "uXXr"]
    );
    assert!(
        deleted
            .iter()
            .filter(|u| u["deletionDate"] == "2026-01-15")
            .count()
            == 2
    );
    // The busy user is still there; deleted ids are unknown now and left out of the answer.
    user_token(&app, MAX).await;
    let (_, again) = call_json(
        &app,
        Method::POST,
        DELETE,
        &admin,
        Some(json!({"userIds": ["felixsmith", "ada.lovelace"]})),
    )
    .await;
    assert_eq!(again, json!({"deletedUsers": [], "nonDeletedUsers": []}));
}

#[tokio::test]
async fn delete_users_answers_in_ascending_order() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let (_, body) = call_json(
        &app,
        Method::POST,
        DELETE,
        &admin,
        Some(json!({"userIds": ["grace.hopper", "ada.lovelace", "felixsmith"]})),
    )
    .await;
    assert_eq!(
        body["deletedUsers"],
        json!(["ada.lovelace", "felixsmith", "grace.hopper"])
    );
    let (status, body) = call_json(
        &app,
        Method::POST,
        DELETE,
        &admin,
        Some(json!({"userIds": []})),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"deletedUsers": [], "nonDeletedUsers": []}))
    );
}

#[tokio::test]
async fn delete_users_with_bad_input_returns_400_and_deletes_nobody() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let cases = [
        (json!({}), "MISSING_FIELD"),
        (json!({"userIds": "felixsmith"}), "BAD_REQUEST"),
        (json!({"userIds": [42]}), "BAD_REQUEST"),
        (json!({"userIds": ["felixsmith", "bad id"]}), "BAD_REQUEST"),
        (
            json!({"userIds": ["felixsmith", "x".repeat(37)]}),
            "BAD_REQUEST",
        ),
    ];
    for (body, code) in cases {
        let (status, error) =
            call_json(&app, Method::POST, DELETE, &admin, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}");
        assert_error(&error, code, "POST /api/v1/mandatorAdmin/deleteUsers");
    }
    user_token(&app, FELIX).await;
    assert_eq!(all_users(&app, &admin, "isDeleted=true").await.len(), 2);
}

// ---- changeClientCredentials ------------------------------------------------------------------------

const CHANGE: &str = "/api/v1/mandatorAdmin/changeClientCredentials";
const NEW_SECRET: &str = "0123abcd-89ab-cdef-0123-456789abcdef";

fn change(client: &str, old: &str, new: &str) -> Value {
    json!({"clientId": client, "oldClientSecret": old, "newClientSecret": new})
}

#[tokio::test]
async fn changing_a_client_secret_revokes_the_clients_tokens_but_not_its_users_tokens() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let client = client_token(&app, CLIENT).await;
    let user = user_token(&app, FELIX).await;
    let response = call(
        &app,
        Method::POST,
        CHANGE,
        &admin,
        Some(change(CLIENT.0, CLIENT.1, NEW_SECRET)),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "");

    let (status, body) = call_json(
        &app,
        Method::GET,
        "/api/v1/users/verificationStatus?userId=felixsmith",
        &client,
        None,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(
        call(&app, Method::GET, "/api/v1/users", &user, None)
            .await
            .status(),
        200
    );
    // The old secret is refused, the new one works.
    let old = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT.0),
        ("client_secret", CLIENT.1),
    ];
    assert_eq!(token_request(&app, &old).await.status(), 401);
    let new = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT.0),
        ("client_secret", NEW_SECRET),
    ];
    let (status, body) =
        status_and_json(form_request(&app, "/oauth/token", None, &new).await).await;
    assert_eq!(status, 200);
    assert_ne!(body["access_token"], client.as_str());
    password_grant(&app, (CLIENT.0, NEW_SECRET), super::GRACE).await;
    // Other clients keep their tokens.
    assert_eq!(
        call(&app, Method::GET, LIST, &admin, None).await.status(),
        200
    );
}

#[tokio::test]
async fn the_mandator_admin_can_change_its_own_secret() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let response = call(
        &app,
        Method::POST,
        CHANGE,
        &admin,
        Some(change(ADMIN.0, ADMIN.1, NEW_SECRET)),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        call(&app, Method::GET, LIST, &admin, None).await.status(),
        401
    );
    let admin = client_token(&app, (ADMIN.0, NEW_SECRET)).await;
    assert_eq!(
        call(&app, Method::GET, LIST, &admin, None).await.status(),
        200
    );
}

#[tokio::test]
async fn a_badly_formed_new_secret_returns_400() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        CHANGE,
        &admin,
        Some(change(CLIENT.0, CLIENT.1, "too-short")),
    )
    .await;
    assert_eq!(status, 400);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    let underscore = "0123abcd_89ab_cdef_0123_456789abcdef";
    for new in [underscore, &format!("{NEW_SECRET}0"), ""] {
        let (status, body) = call_json(
            &app,
            Method::POST,
            CHANGE,
            &admin,
            Some(change(CLIENT.0, CLIENT.1, new)),
        )
        .await;
        assert_eq!(status, 400, "{new}");
        assert_error(
            &body,
            "BAD_REQUEST",
            "POST /api/v1/mandatorAdmin/changeClientCredentials",
        );
    }
    for body in [
        json!({"oldClientSecret": CLIENT.1, "newClientSecret": NEW_SECRET}),
        json!({"clientId": CLIENT.0, "newClientSecret": NEW_SECRET}),
        json!({"clientId": CLIENT.0, "oldClientSecret": CLIENT.1}),
    ] {
        let (status, error) = call_json(&app, Method::POST, CHANGE, &admin, Some(body)).await;
        assert_eq!(status, 400);
        assert_error(
            &error,
            "MISSING_FIELD",
            "POST /api/v1/mandatorAdmin/changeClientCredentials",
        );
    }
    // Nothing changed.
    client_token(&app, CLIENT).await;
}

#[tokio::test]
async fn a_wrong_old_secret_or_an_unknown_client_returns_422() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    let (status, body) = call_json(
        &app,
        Method::POST,
        CHANGE,
        &admin,
        Some(change(CLIENT.0, "not-the-secret", NEW_SECRET)),
    )
    .await;
    assert_eq!(status, 422);
    insta::assert_json_snapshot!(body, { ".requestId" => redactions::request_id() });
    let (status, body) = call_json(
        &app,
        Method::POST,
        CHANGE,
        &admin,
        Some(change("no-such-client", CLIENT.1, NEW_SECRET)),
    )
    .await;
    assert_eq!(status, 422);
    assert_error(
        &body,
        "ILLEGAL_FIELD_VALUE",
        "POST /api/v1/mandatorAdmin/changeClientCredentials",
    );
    client_token(&app, CLIENT).await;
    client_token(&app, AUTOVERIFY).await;
}

#[tokio::test]
async fn users_created_after_a_secret_change_belong_to_the_same_mandator() {
    let app = spawn_app().await;
    let admin = client_token(&app, ADMIN).await;
    call(
        &app,
        Method::POST,
        CHANGE,
        &admin,
        Some(change(AUTOVERIFY.0, AUTOVERIFY.1, NEW_SECRET)),
    )
    .await;
    let client = client_token(&app, (AUTOVERIFY.0, NEW_SECRET)).await;
    create_user(
        &app,
        &client,
        json!({"id": "zed", "password": "zed-secret"}),
    )
    .await;
    assert_eq!(
        user_ids(&all_users(&app, &admin, "userId=zed").await),
        ["zed"]
    );
}
