//! Mandator administration: `/api/v1/mandatorAdmin/...`, for the mandator admin client's token.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::store::page::{JsonObject, write_json_array, write_json_date};
use crate::store::{OffsetWindow, Sandbox};
use crate::vendors::finapi::FinapiWorld;
use crate::vendors::finapi::auth::MandatorAdminToken;
use crate::vendors::finapi::errors::{Error, Result};
use crate::vendors::finapi::models::{
    BadCredentialsError, ChangeClientCredentialsParams, ErrorMessage, MonthlyUserStats,
    PageableUserInfoList, Paging, UserIdentifiersList, UserIdentifiersParams, UserInfo,
};
use crate::vendors::finapi::state::{ListedUser, StatsWindow, UserFilter};
use crate::vendors::finapi::validate;

const MAX_PER_PAGE: usize = 500;
const MAX_DELETE_IDS: usize = 1000;

/// Change client credentials
///
/// Changes the secret of one of the mandator's clients. All of that client's tokens are revoked;
/// user tokens stay valid.
#[utoipa::path(
    post, path = "/api/v1/mandatorAdmin/changeClientCredentials", operation_id = "changeClientCredentials",
    tag = "Mandator administration",
    request_body(content = ChangeClientCredentialsParams, description = "Parameters for changing client credentials"),
    responses(
        (status = 200, description = "Client secret changed"),
        (status = 400, description = "Missing field or a bad new secret", body = ErrorMessage),
        (status = 415, description = "The body is not `application/json`", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not the mandator admin client's token", body = ErrorMessage),
        (status = 422, description = "Unknown clientId or wrong oldClientSecret", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn change_client_credentials(
    _admin: MandatorAdminToken,
    sandbox: Sandbox,
    params: web::Json<ChangeClientCredentialsParams>,
) -> Result<HttpResponse> {
    let client_id = validate::required("clientId", &params.client_id)?;
    let old = validate::required("oldClientSecret", &params.old_client_secret)?;
    let new = validate::required("newClientSecret", &params.new_client_secret)?;
    if new.len() != 36 || !new.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::BadRequest(
            "'newClientSecret' must be exactly 36 characters of 0-9, A-Z, a-z and -".into(),
        ));
    }
    sandbox.finapi().change_client_secret(client_id, old, new)?;
    Ok(HttpResponse::Ok().finish())
}

/// Delete users
///
/// Deletes the given users. Unknown ids are ignored; users whose data is locked by a running
/// bank connection update are listed in `nonDeletedUsers`.
#[utoipa::path(
    post, path = "/api/v1/mandatorAdmin/deleteUsers", operation_id = "deleteUsers", tag = "Mandator administration",
    request_body(content = UserIdentifiersParams, description = "List of user identifiers"),
    responses(
        (status = 200, description = "Deleted and non-deleted users", body = UserIdentifiersList),
        (status = 400, description = "Missing or invalid userIds", body = ErrorMessage),
        (status = 415, description = "The body is not `application/json`", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not the mandator admin client's token", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn delete_users(
    _admin: MandatorAdminToken,
    sandbox: Sandbox,
    params: web::Json<UserIdentifiersParams>,
) -> Result<HttpResponse> {
    let ids = params
        .into_inner()
        .user_ids
        .ok_or_else(|| Error::MissingField("Missing field: 'userIds'".into()))?;
    if ids.len() > MAX_DELETE_IDS {
        return Err(Error::BadRequest(format!(
            "At most {MAX_DELETE_IDS} user ids can be deleted at once"
        )));
    }
    for id in &ids {
        validate::user_id("userIds", id)?;
    }
    let (deleted, kept) = sandbox
        .finapi()
        .delete_users(&ids, sandbox.clock.now().date_naive());
    Ok(HttpResponse::Ok().json(UserIdentifiersList {
        deleted_users: deleted,
        non_deleted_users: kept,
    }))
}

/// Query of `getUserList`. `order` may repeat; booleans accept `True`/`False` as Python sends them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // documents the query; `parse_filter` reads the raw pairs (repeated keys)
pub struct GetUserListQuery {
    /// Lower bound of the registration date, `YYYY-MM-DD`.
    #[param(format = Date)]
    min_registration_date: Option<String>,
    /// Upper bound of the registration date, `YYYY-MM-DD`.
    #[param(format = Date)]
    max_registration_date: Option<String>,
    /// Lower bound of the deletion date (only deleted users), `YYYY-MM-DD`.
    #[param(format = Date)]
    min_deletion_date: Option<String>,
    /// Upper bound of the deletion date (users not deleted match too), `YYYY-MM-DD`.
    #[param(format = Date)]
    max_deletion_date: Option<String>,
    /// Lower bound of the last active date (never-active users do not match), `YYYY-MM-DD`.
    #[param(format = Date)]
    min_last_active_date: Option<String>,
    /// Upper bound of the last active date (never-active users match too), `YYYY-MM-DD`.
    #[param(format = Date)]
    max_last_active_date: Option<String>,
    /// Whether to include `monthlyStats`; default false.
    #[param(default = false)]
    include_monthly_stats: Option<bool>,
    /// Oldest month of the stats, `YYYY-MM`.
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    monthly_stats_start_date: Option<String>,
    /// Newest month of the stats, `YYYY-MM`.
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    monthly_stats_end_date: Option<String>,
    /// Only users that had at least this many bank connections within the returned stats.
    #[param(default = 0, minimum = 0, maximum = 2147483647)]
    min_bank_connection_count_in_monthly_stats: Option<u32>,
    /// Only this user (never a deleted one).
    #[param(min_length = 1, max_length = 36, pattern = "^[a-zA-Z0-9\\-_\\.\\+@]*$")]
    user_id: Option<String>,
    /// true: only deleted users; false: only active users; absent: both.
    is_deleted: Option<bool>,
    /// true: only locked users; false: only unlocked users; absent: both.
    is_locked: Option<bool>,
    /// Result page, from 1 (a Java int in finAPI: at most 2147483647).
    #[param(minimum = 1, maximum = 2147483647, default = 1)]
    page: Option<usize>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 20)]
    per_page: Option<usize>,
    /// `userId[,asc|desc]` (the direction in any case); may repeat, the first one applies.
    /// Default `userId,asc`.
    order: Option<Vec<String>>,
}

struct RawQuery(Vec<(String, String)>);

impl RawQuery {
    fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn date(&self, name: &str) -> Result<Option<NaiveDate>> {
        self.one(name)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .ok()
                    .filter(|_| v.len() == 10)
                    .ok_or_else(|| {
                        Error::BadRequest(format!(
                            "'{name}' must be a date in the format YYYY-MM-DD, got '{v}'"
                        ))
                    })
            })
            .transpose()
    }

    fn month(&self, name: &str) -> Result<Option<NaiveDate>> {
        self.one(name)
            .map(|v| {
                NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d")
                    .ok()
                    .filter(|_| v.len() == 7)
                    .ok_or_else(|| {
                        Error::BadRequest(format!(
                            "'{name}' must be a month in the format YYYY-MM, got '{v}'"
                        ))
                    })
            })
            .transpose()
    }

    fn boolean(&self, name: &str) -> Result<Option<bool>> {
        self.one(name)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(Error::BadRequest(format!(
                    "'{name}' must be true or false, got '{v}'"
                ))),
            })
            .transpose()
    }

    fn number(&self, name: &str) -> Result<Option<i64>> {
        self.one(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    Error::BadRequest(format!("'{name}' must be an integer, got '{v}'"))
                })
            })
            .transpose()
    }
}

fn parse_query(req: &HttpRequest) -> Result<(UserFilter, usize, usize)> {
    let raw = RawQuery(
        serde_urlencoded::from_str(req.query_string())
            .map_err(|e| Error::BadRequest(format!("Invalid query string: {e}")))?,
    );
    let page = raw.number("page")?.unwrap_or(1);
    if page < 1 || page > i64::from(i32::MAX) {
        return Err(Error::BadRequest(format!(
            "'page' must be between 1 and {}",
            i32::MAX
        )));
    }
    let per_page = raw.number("perPage")?.unwrap_or(20);
    if !(1..=MAX_PER_PAGE as i64).contains(&per_page) {
        return Err(Error::IllegalPageSize(format!(
            "'perPage' must be between 1 and {MAX_PER_PAGE}, got {per_page}"
        )));
    }
    let mut descending = None;
    // Every `order` must be valid and the first one wins: userId is the only sortable property.
    for order in raw.all("order") {
        let (property, direction) = order.split_once(',').unwrap_or((order, "asc"));
        if property != "userId" {
            return Err(Error::UnsupportedOrder(format!(
                "Unsupported order property: '{property}'"
            )));
        }
        let this = match direction.to_ascii_lowercase().as_str() {
            "asc" => false,
            "desc" => true,
            _ => {
                return Err(Error::UnsupportedOrder(format!(
                    "Unsupported order direction: '{direction}'"
                )));
            }
        };
        descending.get_or_insert(this);
    }
    let descending = descending.unwrap_or(false);
    let include_stats = raw.boolean("includeMonthlyStats")?.unwrap_or(false);
    let min_connections = raw
        .number("minBankConnectionCountInMonthlyStats")?
        .map(|n| {
            // A Java int in finAPI: 0 to 2147483647.
            if n > i64::from(i32::MAX) {
                return Err(Error::BadRequest(format!(
                    "'minBankConnectionCountInMonthlyStats' must not be greater than {}",
                    i32::MAX
                )));
            }
            u32::try_from(n).map_err(|_| {
                Error::BadRequest(
                    "'minBankConnectionCountInMonthlyStats' must not be negative".into(),
                )
            })
        })
        .transpose()?;
    let stats = StatsWindow {
        start: raw.month("monthlyStatsStartDate")?,
        end: raw.month("monthlyStatsEndDate")?,
        min_bank_connections: min_connections,
    };
    let user_id = raw.one("userId").map(str::to_string);
    if let Some(id) = &user_id {
        validate::user_id("userId", id)?;
    }
    let filter = UserFilter {
        min_registration: raw.date("minRegistrationDate")?,
        max_registration: raw.date("maxRegistrationDate")?,
        min_deletion: raw.date("minDeletionDate")?,
        max_deletion: raw.date("maxDeletionDate")?,
        min_last_active: raw.date("minLastActiveDate")?,
        max_last_active: raw.date("maxLastActiveDate")?,
        is_deleted: raw.boolean("isDeleted")?,
        is_locked: raw.boolean("isLocked")?,
        user_id,
        monthly_stats: include_stats.then_some(stats),
        descending,
    };
    Ok((filter, page as usize, per_page as usize))
}

/// `YYYY-MM-DD`: chrono's `Display` of a date, which is its `%Y-%m-%d` without parsing the
/// format string for every date of a page.
fn day(d: NaiveDate) -> String {
    d.to_string()
}

/// `YYYY-MM` (`%Y-%m`): the day cut off.
fn month(d: NaiveDate) -> String {
    let mut text = day(d);
    text.truncate(text.len() - "-DD".len());
    text
}

/// Writes a listed user as serde_json writes its [`UserInfo`] (the same members, in the same
/// order), without the `UserInfo` and the `String`s of its dates.
fn write_user_info(out: &mut Vec<u8>, u: &ListedUser) {
    let mut info = JsonObject::new(out);
    info.field_str("userId", &u.user_id)
        .field_date("registrationDate", u.registered_on)
        .field_date_or_null("deletionDate", u.deleted_on)
        .field_date_or_null("lastActiveDate", u.last_active_on)
        .field_u64("bankConnectionCount", u.bank_connections.into())
        .field_date_or_null("latestBankConnectionImportDate", u.latest_import_on)
        .field_date_or_null("latestBankConnectionDeletionDate", u.latest_deletion_on)
        .field_with("monthlyStats", |out| match &u.monthly_stats {
            None => out.extend_from_slice(b"null"),
            Some(stats) => write_json_array(out, stats, |out, &(month_start, min, max)| {
                let mut stats = JsonObject::new(out);
                stats
                    .field_with("month", |out| write_json_date(out, month_start, true))
                    .field_u64("minBankConnectionCount", min.into())
                    .field_u64("maxBankConnectionCount", max.into());
                stats.end();
            }),
        })
        .field_bool("isLocked", u.locked);
    info.end();
}

/// Writes a page as serde_json writes its [`PageableUserInfoList`].
fn write_user_list(users: &[ListedUser], paging: &Paging) -> Vec<u8> {
    let mut body = Vec::with_capacity(96 + users.len() * 320);
    let mut list = JsonObject::new(&mut body);
    list.field_with("users", |out| write_json_array(out, users, write_user_info))
        .field_with("paging", |out| {
            let mut p = JsonObject::new(out);
            p.field_u64("page", paging.page as u64)
                .field_u64("perPage", paging.per_page as u64)
                .field_u64("pageCount", paging.page_count as u64)
                .field_u64("totalCount", paging.total_count as u64);
            p.end();
        });
    list.end();
    body
}

impl From<ListedUser> for UserInfo {
    fn from(u: ListedUser) -> Self {
        Self {
            user_id: u.user_id,
            registration_date: day(u.registered_on),
            deletion_date: u.deleted_on.map(day),
            last_active_date: u.last_active_on.map(day),
            bank_connection_count: u.bank_connections,
            latest_bank_connection_import_date: u.latest_import_on.map(day),
            latest_bank_connection_deletion_date: u.latest_deletion_on.map(day),
            monthly_stats: u.monthly_stats.map(|stats| {
                stats
                    .into_iter()
                    .map(|(month_start, min, max)| MonthlyUserStats {
                        month: month(month_start),
                        min_bank_connection_count: min,
                        max_bank_connection_count: max,
                    })
                    .collect()
            }),
            is_locked: u.locked,
        }
    }
}

/// Get user list
///
/// Lists the mandator's users, active and deleted (deleted ids are distorted: `user` → `uXXr`),
/// ordered by `userId`.
#[utoipa::path(
    get, path = "/api/v1/mandatorAdmin/getUserList", operation_id = "getUserList", tag = "Mandator administration",
    params(GetUserListQuery),
    responses(
        (status = 200, description = "A page of users", body = PageableUserInfoList),
        (status = 400, description = "Bad filter, page, perPage or order", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not the mandator admin client's token", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn get_user_list(
    _admin: MandatorAdminToken,
    sandbox: Sandbox,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let (filter, page, per_page) = parse_query(&req)?;
    let today = sandbox.clock.now().date_naive();
    let listed = sandbox
        .finapi()
        .list_users(&filter, OffsetWindow::page(page, per_page), today);
    let paging = Paging {
        page,
        per_page,
        page_count: listed.page_count(per_page),
        total_count: listed.total,
    };
    // The `PageableUserInfoList` written row by row (`write_user_list`), not built first.
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(write_user_list(&listed.items, &paging)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_page_is_what_serde_json_writes_for_its_pageable_user_info_list() {
        use crate::vendors::finapi::state::{State, UserRecord};
        let state = State::empty();
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let ids = [
            "plain",
            "quo\"te",
            "back\\slash",
            "Zoë-東京",
            "tab\tnl\n",
            "x",
        ];
        for (i, id) in ids.iter().enumerate() {
            let mut user = UserRecord::example(id);
            user.registered_on =
                NaiveDate::from_ymd_opt(2025 - i as i32 * 400, 1 + i as u32, 9).unwrap();
            user.last_active_on = (i % 2 == 0).then_some(today);
            user.latest_import_on = (i % 3 == 0).then_some(today);
            user.bank_connections = i as u32 * 7;
            user.locked = i == 1;
            state.create_user(user).unwrap();
        }
        state
            .delete_user(&"Zoë-東京".to_lowercase(), today)
            .unwrap();
        state.delete_user("x", today).unwrap();
        let windows = [
            OffsetWindow::page(1, 20),
            OffsetWindow::page(2, 3),
            OffsetWindow::page(9, 3),
        ];
        let mut pages = Vec::new();
        for (stats, window) in [None, Some(StatsWindow::default())]
            .into_iter()
            .flat_map(|s| windows.map(|w| (s.clone(), w)))
        {
            let filter = UserFilter {
                monthly_stats: stats,
                ..UserFilter::default()
            };
            let listed = state.list_users(&filter, window, today);
            let paging = Paging {
                page: 2,
                per_page: 3,
                page_count: listed.page_count(3),
                total_count: listed.total,
            };
            let written = write_user_list(&listed.items, &paging);
            let serialized = serde_json::to_string(&PageableUserInfoList {
                users: listed.items.into_iter().map(UserInfo::from).collect(),
                paging,
            })
            .unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), serialized);
            pages.push(serialized);
        }
        // The pages held what the writer must get right: escapes, stats, deleted users, nulls.
        let all = pages.concat();
        for part in [
            r#""monthlyStats":[{"month":"2026-03""#,
            r#""monthlyStats":null"#,
            r#""deletionDate":"2026-03-15""#,
            r#""registrationDate":"0025-06-09""#,
            r#"quo\"te"#,
            r#"tab\tnl\n"#,
            r#""isLocked":true"#,
            r#""users":[]"#,
        ] {
            assert!(all.contains(part), "{part}");
        }
    }

    #[test]
    fn dates_are_written_as_their_strftime_formats() {
        let far = [NaiveDate::MIN, NaiveDate::MAX];
        let years = [-1, 0, 1, 999, 1970, 2026, 9999, 10000];
        let dates = years
            .iter()
            .flat_map(|&y| {
                [(1, 1), (2, 28), (12, 31)].map(|(m, d)| NaiveDate::from_ymd_opt(y, m, d))
            })
            .flatten()
            .chain(far);
        for d in dates {
            assert_eq!(day(d), d.format("%Y-%m-%d").to_string());
            assert_eq!(month(d), d.format("%Y-%m").to_string());
        }
    }
}
