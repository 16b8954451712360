//! Users: create, read (current, by id, username or email), list, delete, refresh, logout link
//! and the password-reset URL.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::store::page::{JsonObject, write_json_array};
use crate::store::{Password, Purpose, Sandbox};
use crate::vendors::obp::ObpWorld;
use crate::vendors::obp::State;
use crate::vendors::obp::auth::DirectLoginUser;
use crate::vendors::obp::errors::{Error, FilterError, Result};
use crate::vendors::obp::models::{
    CreateUserJson, EntitlementJson, EntitlementJsons, ErrorMessage, LogoutLinkJson, OutboxMessage,
    PostResetPasswordUrlJsonV400, RefreshUserJson, ResetPasswordUrlJsonV400, UserIdJsonV400,
    UserJsonV200, UserJsonV300, UserJsonV400, UsersJsonV200, UsersJsonV400, ViewsJson, obp_date,
};
use crate::vendors::obp::state::{EntitlementRecord, LockedStatus, UserRecord, password_context};
use crate::vendors::obp::validate::{self, JsonBody};

pub const CAN_GET_ANY_USER: &str = "CanGetAnyUser";

impl EntitlementJsons {
    pub fn of(state: &State, user_id: &str, sorted: bool) -> Self {
        let mut list: Vec<EntitlementJson> = state
            .entitlements(user_id)
            .into_iter()
            .map(|e| EntitlementJson {
                entitlement_id: e.entitlement_id,
                role_name: e.role_name,
                bank_id: e.bank_id,
            })
            .collect();
        if sorted {
            list.sort_by(|a, b| a.role_name.cmp(&b.role_name));
        }
        Self { list }
    }
}

/// Writes a user's entitlements as serde_json writes their [`EntitlementJsons`] (`sorted`: by
/// role name, as `EntitlementJsons::of` sorts them), read in place.
fn write_entitlements(out: &mut Vec<u8>, state: &State, user_id: &str, sorted: bool) {
    let write = |out: &mut Vec<u8>, e: &EntitlementRecord| {
        let mut entitlement = JsonObject::new(out);
        entitlement
            .field_str("entitlement_id", &e.entitlement_id)
            .field_str("role_name", &e.role_name)
            .field_str("bank_id", &e.bank_id);
        entitlement.end();
    };
    state.with_entitlements(user_id, |list| {
        if list.is_empty() {
            // Most users hold no role.
            out.extend_from_slice(br#"{"list":[]}"#);
            return;
        }
        let mut entitlements = JsonObject::new(out);
        entitlements.field_with("list", |out| {
            if sorted && !list.is_sorted_by(|a, b| a.role_name <= b.role_name) {
                // A stable sort, as `EntitlementJsons::of`'s: equal role names keep their order.
                let mut by_role: Vec<&EntitlementRecord> = list.iter().collect();
                by_role.sort_by(|a, b| a.role_name.cmp(&b.role_name));
                write_json_array(out, by_role, write);
            } else {
                write_json_array(out, list, write);
            }
        });
        entitlements.end();
    });
}

/// Writes a user as serde_json writes its [`UserJsonV400::of`], read in place: `with_agreements`
/// only on `getUserByUserId`, `sorted` (entitlements by role name) on the list endpoints.
fn write_user_v400(
    out: &mut Vec<u8>,
    state: &State,
    u: &UserRecord,
    is_locked: bool,
    with_agreements: bool,
    sorted: bool,
) {
    let mut user = JsonObject::new(out);
    user.field_str("user_id", &u.user_id)
        .field_str("email", &u.email)
        .field_str("provider_id", &u.provider_id)
        .field_str("provider", &u.provider)
        .field_str("username", &u.username)
        .field_with("entitlements", |out| {
            write_entitlements(out, state, &u.user_id, sorted)
        });
    if with_agreements {
        user.field_with("agreements", |out| {
            write_json_array(out, &u.agreements, |out, a| {
                let mut agreement = JsonObject::new(out);
                agreement
                    .field_str("type", &a.r#type)
                    .field_str("text", &a.text);
                agreement.end();
            })
        });
    }
    // `last_marketing_agreement_signed_date` is never set, so never written.
    user.field_bool("is_deleted", u.is_deleted)
        .field_bool("is_locked", is_locked);
    user.end();
}

/// One user of `getUserByUserId` (`with_agreements`) or `getUserByUsername`.
fn user_v400_json(state: &State, u: &UserRecord, with_agreements: bool) -> Vec<u8> {
    let mut body = Vec::with_capacity(512);
    write_user_v400(
        &mut body,
        state,
        u,
        state.is_locked(u),
        with_agreements,
        false,
    );
    body
}

/// A page of `getUsers` written as serde_json writes its [`UsersJsonV400`], each user while its
/// row is read.
fn write_users_v400(state: &State, q: &UsersQuery) -> Vec<u8> {
    let mut body = Vec::with_capacity(16 + q.limit.min(1000) * 400);
    body.extend_from_slice(b"{\"users\":[");
    let start = body.len();
    state.list_users_with(q.is_deleted, q.offset, q.limit, q.locked, |u, is_locked| {
        if body.len() > start {
            body.push(b',');
        }
        write_user_v400(&mut body, state, u, is_locked, false, true);
    });
    body.extend_from_slice(b"]}");
    body
}

impl<'a> UserJsonV200<'a> {
    /// A view of the record: its strings are borrowed, not copied.
    fn of(state: &State, u: &'a UserRecord) -> Self {
        Self {
            user_id: u.user_id.as_ref().into(),
            email: u.email.as_str().into(),
            provider_id: u.provider_id.as_str().into(),
            provider: u.provider.as_ref().into(),
            username: u.username.as_str().into(),
            entitlements: EntitlementJsons::of(state, &u.user_id, false),
        }
    }
}

impl<'a> UserJsonV400<'a> {
    /// A view of the record (its strings borrowed, not copied). `with_agreements`: only
    /// `getUserByUserId` shows them; `sorted`: the list endpoints sort entitlements by role name.
    pub fn of(state: &State, u: &'a UserRecord, with_agreements: bool, sorted: bool) -> Self {
        Self {
            user_id: u.user_id.as_ref().into(),
            email: u.email.as_str().into(),
            provider_id: u.provider_id.as_str().into(),
            provider: u.provider.as_ref().into(),
            username: u.username.as_str().into(),
            entitlements: EntitlementJsons::of(state, &u.user_id, sorted),
            agreements: with_agreements.then(|| u.agreements.clone()),
            is_deleted: u.is_deleted,
            last_marketing_agreement_signed_date: None,
            is_locked: state.is_locked(u),
        }
    }
}

/// Create User
///
/// Creates a local OBP user; no login is needed (OBP does not check one, whatever its docs
/// say). The username must be unique: a taken one is 409 with OBP's masked message
/// `OBP-50005`. New sandbox users are validated, so they can DirectLogin at once.
#[utoipa::path(
    post, path = "/obp/v4.0.0/users", operation_id = "OBPv2.0.0-createUser", tag = "User",
    request_body = CreateUserJson,
    responses(
        (status = 201, description = "The new user", body = UserJsonV200),
        (status = 400, description = "OBP-10001 bad JSON, OBP-30207 weak password, OBP-50005 invalid field", body = ErrorMessage),
        (status = 409, description = "OBP-50005: the username is taken", body = ErrorMessage),
    ),
    security((), ("directLogin" = [])),
)]
pub async fn create_user(sandbox: Sandbox, body: JsonBody) -> Result<HttpResponse> {
    let p: CreateUserJson = body.extract("")?;
    validate::password(&p.password)?;
    let state = sandbox.obp();
    if state.user_by_username(&p.username).is_some() {
        return Err(Error::Internal(StatusCode::CONFLICT));
    }
    // AuthUser's field validation: its messages have no OBP code, so OBP masks them.
    let invalid = !validate::email(&p.email, 48)
        || !validate::username(&p.username)
        || p.first_name.trim().is_empty()
        || p.last_name.trim().is_empty()
        || validate::text(&p.first_name, 100).is_err()
        || validate::text(&p.last_name, 100).is_err();
    if invalid {
        return Err(Error::Internal(StatusCode::BAD_REQUEST));
    }
    let record = UserRecord {
        user_id: sandbox.ids.uuid(Purpose::UserId).into(),
        username: p.username.clone(),
        email: p.email,
        first_name: p.first_name.trim().to_string(),
        last_name: p.last_name.trim().to_string(),
        password: Password::hash(&p.password, &password_context(&p.username)),
        provider: state.config().local_identity_provider.clone(),
        provider_id: p.username,
        validated: state.config().new_users_validated,
        is_deleted: false,
        created_at: sandbox.clock.now(),
        agreements: Vec::new(),
        seq: 0,
    };
    let created = state.create_user(record)?;
    Ok(HttpResponse::Created().json(UserJsonV200::of(state, &created)))
}

/// Get User (Current)
///
/// The logged-in user with their entitlements and account views.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/current", operation_id = "OBPv3.0.0-getCurrentUser", tag = "User",
    responses(
        (status = 200, description = "The logged-in user", body = UserJsonV300),
        (status = 400, description = "OBP-20003: invalid or expired token", body = ErrorMessage),
        (status = 401, description = "OBP-20001 not logged in, OBP-20013 locked, OBP-20064 deleted", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_current_user(user: DirectLoginUser, sandbox: Sandbox) -> Result<HttpResponse> {
    let state = sandbox.obp();
    let current = state
        .with_user(user.user_id(), |u| UserJsonV300 {
            user_id: u.user_id.to_string(),
            email: u.email.clone(),
            provider_id: u.provider_id.clone(),
            provider: u.provider.to_string(),
            username: u.username.clone(),
            entitlements: EntitlementJsons::of(state, &u.user_id, false),
            views: ViewsJson {
                list: state.views(&u.user_id),
            },
        })
        // Users are never removed (a delete scrambles them): the caller's row is there.
        .ok_or(Error::Unknown)?;
    Ok(HttpResponse::Ok().json(current))
}

/// Get User Id (Current)
///
/// The USER_ID of the logged-in user.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/current/user_id", operation_id = "OBPv4.0.0-getCurrentUserId", tag = "User",
    responses(
        (status = 200, description = "The user id", body = UserIdJsonV400),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_current_user_id(user: DirectLoginUser) -> Result<HttpResponse> {
    Ok(HttpResponse::Ok().json(UserIdJsonV400 {
        user_id: user.user_id().to_string(),
    }))
}

/// Get the Logout Link
///
/// Where to send a browser to end its OBP web session.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/current/logout-link", operation_id = "OBPv4.0.0-getLogoutLink", tag = "User",
    responses(
        (status = 200, description = "The logout link", body = LogoutLinkJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_logout_link(_user: DirectLoginUser, sandbox: Sandbox) -> Result<HttpResponse> {
    Ok(HttpResponse::Ok().json(LogoutLinkJson {
        link: format!("{}/user_mgt/logout", sandbox.obp().config().hostname),
    }))
}

/// Get User by USER_ID
///
/// Needs `CanGetAnyUser`. Deleted users are found too (`is_deleted: true`). An unknown id is
/// 400 `OBP-20057` (OBP's docs say 404 `OBP-20005`; its code answers this).
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/user_id/{USER_ID}", operation_id = "OBPv4.0.0-getUserByUserId", tag = "User",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    responses(
        (status = 200, description = "The user, with agreements", body = UserJsonV400),
        (status = 400, description = "OBP-20057: no such user", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetAnyUser", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_user_by_user_id(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, CAN_GET_ANY_USER)?;
    let user_id = path.into_inner();
    // Written while the row is read: the record is not copied.
    let json = state
        .with_user(&user_id, |found| user_v400_json(state, found, true))
        .ok_or_else(|| Error::UserNotFoundByUserId(format!(" Current UserId({user_id})")))?;
    Ok(json_response(json))
}

/// A 200 of written JSON.
fn json_response(json: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(json)
}

/// Get User by USERNAME
///
/// Needs `CanGetAnyUser`. Looks up local users only.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/username/{USERNAME}", operation_id = "OBPv4.0.0-getUserByUsername", tag = "User",
    params(("USERNAME" = String, Path, example = "felixsmith")),
    responses(
        (status = 200, description = "The user", body = UserJsonV400),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetAnyUser", body = ErrorMessage),
        (status = 404, description = "OBP-20027: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_user_by_username(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, CAN_GET_ANY_USER)?;
    let json = state
        .with_user_by_username(&path.into_inner(), |found| {
            user_v400_json(state, found, false)
        })
        .ok_or(Error::UserNotFoundByUsername(None))?;
    Ok(json_response(json))
}

/// Get Users by Email Address
///
/// Needs `CanGetAnyUser`. Every user with exactly this email; an unknown email gives an empty
/// list (OBP never answers the documented `OBP-20007`).
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/email/{EMAIL}/terminator", operation_id = "OBPv4.0.0-getUsersByEmail", tag = "User",
    params(("EMAIL" = String, Path, example = "felixsmith@example.com")),
    responses(
        (status = 200, description = "The users with that email", body = UsersJsonV400),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetAnyUser", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_users_by_email(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, CAN_GET_ANY_USER)?;
    let found = state.users_by_email(&path.into_inner());
    let users = found
        .iter()
        .map(|u| UserJsonV400::of(state, u, false, true))
        .collect();
    Ok(HttpResponse::Ok().json(UsersJsonV400 { users }))
}

/// `getUsers`' query as documented; `users_query` reads it (with OBP's `obp_` aliases).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct GetUsersParams {
    /// 1 to 2147483647 (a Scala `Int` in OBP), else `OBP-10025`.
    #[param(minimum = 1, maximum = 2147483647, default = 50)]
    limit: Option<i32>,
    /// 0 to 2147483647 (a Scala `Int` in OBP), else `OBP-10024`.
    #[param(minimum = 0, maximum = 2147483647, default = 0)]
    offset: Option<i32>,
    /// ASC or DESC in any case, else `OBP-10023`; validated but not applied, as in OBP.
    #[param(pattern = "^([aA][sS][cC]|[dD][eE][sS][cC])$")]
    sort_direction: Option<String>,
    /// `locked` or `active` in any case; OBP ignores any other value.
    locked_status: Option<String>,
    #[param(default = false)]
    is_deleted: Option<bool>,
}

/// `getUsers`' query, as OBP reads it (`obp_` aliases included; the first value wins).
struct UsersQuery {
    limit: usize,
    offset: usize,
    is_deleted: bool,
    locked: LockedStatus,
}

fn users_query(query: &str) -> Result<UsersQuery> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let get = |names: &[&str]| {
        pairs
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.as_str())
    };
    // Scala `toInt`: anything outside an `Int` is as wrong as a non-number.
    let limit = match get(&["limit", "obp_limit"]) {
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or(Error::InvalidFilter(FilterError::Limit))? as usize,
        None => 50,
    };
    let offset = match get(&["offset", "obp_offset"]) {
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or(Error::InvalidFilter(FilterError::Offset))? as usize,
        None => 0,
    };
    if let Some(v) = get(&["sort_direction", "obp_sort_direction"]) {
        // Validated but ignored: OBP applies no ordering to this listing.
        if !v.eq_ignore_ascii_case("asc") && !v.eq_ignore_ascii_case("desc") {
            return Err(Error::InvalidFilter(FilterError::SortDirection));
        }
    }
    let is_deleted = match get(&["is_deleted"]) {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(Error::InvalidFilter(FilterError::IsDeleted)),
    };
    let locked = match get(&["locked_status"]) {
        Some(v) if v.eq_ignore_ascii_case("locked") => LockedStatus::Locked,
        Some(v) if v.eq_ignore_ascii_case("active") => LockedStatus::Active,
        _ => LockedStatus::Any,
    };
    Ok(UsersQuery {
        limit,
        offset,
        is_deleted,
        locked,
    })
}

/// `getUsers` of every version: the role, then the query, then the page of users.
fn users_page(
    user: &DirectLoginUser,
    state: &State,
    req: &HttpRequest,
) -> Result<(UsersQuery, Vec<UserRecord>)> {
    user.require(state, CAN_GET_ANY_USER)?;
    let q = users_query(req.query_string())?;
    let page = state.list_users(q.is_deleted, q.offset, q.limit, q.locked);
    Ok((q, page))
}

/// Get all Users
///
/// Needs `CanGetAnyUser`. Pages with `limit` (default 50) and `offset` (default 0), in creation
/// order; `sort_direction` (ASC/DESC) is validated but, as in OBP, not applied. `is_deleted`
/// (default false) picks deleted or live users; `locked_status` (`locked`/`active`) filters on
/// the bad-login counter after paging, so a page can be short.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users", operation_id = "OBPv4.0.0-getUsers", tag = "User",
    params(GetUsersParams),
    responses(
        (status = 200, description = "A page of users", body = UsersJsonV400,
            headers(("Range" = String, description = "items=<offset>-<limit>"))),
        (status = 400, description = "OBP-10016: a bad query parameter", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetAnyUser", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_users(
    user: DirectLoginUser,
    sandbox: Sandbox,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, CAN_GET_ANY_USER)?;
    let q = users_query(req.query_string())?;
    Ok(HttpResponse::Ok()
        .insert_header(("Range", format!("items={}-{}", q.offset, q.limit)))
        .content_type(ContentType::json())
        .body(write_users_v400(state, &q)))
}

/// Get all Users (v3.1.0)
///
/// `/obp/v3.1.0` serves OBP v3.0.0's `getUsers`: the same checks and query parameters as
/// v4.0.0's, but each user in the v2.0.0 shape (`UserJsonV200`: no `is_deleted`, `is_locked`),
/// and no `Range` header.
#[utoipa::path(
    get, path = "/obp/v3.1.0/users", operation_id = "OBPv3.0.0-getUsers", tag = "User",
    // The same query parameters and rules as v4.0.0's `getUsers`.
    params(GetUsersParams),
    responses(
        (status = 200, description = "A page of users", body = UsersJsonV200),
        (status = 400, description = "OBP-10016: a bad query parameter", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetAnyUser", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_users_v310(
    user: DirectLoginUser,
    sandbox: Sandbox,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    let (_, page) = users_page(&user, state, &req)?;
    let users = page.iter().map(|u| UserJsonV200::of(state, u)).collect();
    Ok(HttpResponse::Ok().json(UsersJsonV200 { users }))
}

/// Get User by USER_ID (v3.1.0)
///
/// `/obp/v3.1.0` serves OBP v3.0.0's `getUserByUserId`: needs `CanGetAnyUser`, answers the
/// v2.0.0 shape (`UserJsonV200`, no agreements), and an unknown id is 400 `OBP-20057`.
#[utoipa::path(
    get, path = "/obp/v3.1.0/users/user_id/{USER_ID}", operation_id = "OBPv3.0.0-getUserByUserId", tag = "User",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    responses(
        (status = 200, description = "The user", body = UserJsonV200),
        (status = 400, description = "OBP-20057: no such user", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetAnyUser", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_user_by_user_id_v310(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, CAN_GET_ANY_USER)?;
    let user_id = path.into_inner();
    let found = state
        .user(&user_id)
        .ok_or_else(|| Error::UserNotFoundByUserId(format!(" Current UserId({user_id})")))?;
    Ok(HttpResponse::Ok().json(UserJsonV200::of(state, &found)))
}

/// Delete a User
///
/// Needs `CanDeleteUser`. A soft delete, as in OBP: the username becomes `DELETED-...`, the
/// email and names are scrambled, the user's tokens stop working (OBP-20064) and `getUsers`
/// hides the user unless `is_deleted=true`. Answers the JSON `true`.
#[utoipa::path(
    delete, path = "/obp/v4.0.0/users/{USER_ID}", operation_id = "OBPv4.0.0-deleteUser", tag = "User",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    responses(
        (status = 200, description = "Deleted", body = bool, content_type = "application/json", example = json!(true)),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanDeleteUser", body = ErrorMessage),
        (status = 404, description = "OBP-20005: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn delete_user(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanDeleteUser")?;
    let user_id = path.into_inner();
    state
        .delete_user(&sandbox.ids, &user_id)
        .ok_or(Error::UserNotFoundById(user_id))?;
    Ok(HttpResponse::Ok().json(true))
}

/// Refresh User
///
/// Needs `CanRefreshUser`. OBP pulls the user's accounts and views from the core banking
/// system; the sandbox has nothing to pull, so this only checks the user exists.
#[utoipa::path(
    post, path = "/obp/v4.0.0/users/{USER_ID}/refresh", operation_id = "OBPv3.1.0-refreshUser", tag = "User",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    request_body(content = serde_json::Value, description = "Ignored: any JSON value, or an empty body, with `Content-Type: application/json` (OBP only checks that a body is JSON).", example = json!({})),
    responses(
        (status = 201, description = "Refreshed", body = RefreshUserJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanRefreshUser", body = ErrorMessage),
        (status = 404, description = "OBP-20005: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn refresh_user(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanRefreshUser")?;
    let user_id = path.into_inner();
    state
        .user(&user_id)
        .ok_or(Error::UserNotFoundById(user_id))?;
    // OBP measures the refresh (" <n> ms", leading space included); nothing is refreshed here.
    Ok(HttpResponse::Created().json(RefreshUserJson {
        duration_time: " 0 ms".into(),
    }))
}

fn valid_id(id: &str) -> bool {
    id.len() <= 36
        && !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
}

/// Create password reset url
///
/// Needs `CanCreateResetPasswordUrl`. The URL is returned only when username, email and user
/// id belong to the same validated user; otherwise `reset_password_url` is empty (still 201).
/// The sandbox also "emails" the URL to the user: see `GET /__admin/outbox`.
#[utoipa::path(
    post, path = "/obp/v4.0.0/management/user/reset-password-url", operation_id = "OBPv4.0.0-resetPasswordUrl", tag = "User",
    request_body = PostResetPasswordUrlJsonV400,
    responses(
        (status = 201, description = "The reset URL, or an empty one", body = ResetPasswordUrlJsonV400),
        (status = 400, description = "OBP-10001: bad JSON or a bad user_id", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanCreateResetPasswordUrl", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn reset_password_url(
    user: DirectLoginUser,
    sandbox: Sandbox,
    body: JsonBody,
) -> Result<HttpResponse> {
    // OBP's auto-validation checks id-like fields of a POST body before the roles.
    if let Some(id) = body
        .0
        .as_ref()
        .and_then(|b| b.get("user_id"))
        .and_then(|v| v.as_str())
        && !valid_id(id)
    {
        return Err(Error::InvalidJson(format!(
            " Here are all invalid values: List((user_id,{id}))"
        )));
    }
    let state = sandbox.obp();
    user.require(state, "CanCreateResetPasswordUrl")?;
    if !state.config().reset_password_url_enabled {
        return Err(Error::EndpointForbidden);
    }
    let p: PostResetPasswordUrlJsonV400 =
        body.extract("class code.api.v4_0_0.PostResetPasswordUrlJsonV400")?;
    let target = state
        .user_by_username(&p.username)
        .filter(|u| u.validated && !u.is_deleted && u.email == p.email && *u.user_id == p.user_id);
    let Some(target) = target else {
        return Ok(HttpResponse::Created().json(ResetPasswordUrlJsonV400 {
            reset_password_url: String::new(),
        }));
    };
    let unique_id: String = {
        use rand::Rng;
        const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut rng = sandbox.ids.rng(Purpose::Secret);
        (0..32)
            .map(|_| UPPER[rng.gen_range(0..UPPER.len())] as char)
            .collect()
    };
    let url = format!(
        "{}/user_mgt/reset_password/{unique_id}",
        state.config().hostname
    );
    state.send(OutboxMessage {
        message_id: sandbox.ids.uuid(Purpose::Misc),
        channel: "EMAIL".into(),
        from: "reset-password@sandbox.openbankproject.com".into(),
        to: target.email.clone(),
        subject: "Reset your password".into(),
        body: url.clone(),
        sent_at: obp_date(sandbox.clock.now()),
    });
    Ok(HttpResponse::Created().json(ResetPasswordUrlJsonV400 {
        reset_password_url: url,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Ids;
    use crate::vendors::obp::models::AgreementJson;

    /// `getUserByUserId` and `getUserByUsername` write their user while its row is read: the
    /// bytes are the serde_json of the documented `UserJsonV400` (agreements only with the id,
    /// entitlements in grant order, escapes, locks and deletes included).
    #[test]
    fn a_written_user_is_the_documented_user_json() {
        let (state, clock) = crate::vendors::obp::state::seeded_with(10);
        let mut users = state.list_users(false, 0, 1000, LockedStatus::Any);
        let odd = state
            .create_user(UserRecord {
                user_id: "odd\"id\n".into(),
                username: "odd.user".into(),
                email: "odd@example.com".into(),
                first_name: "Odd".into(),
                last_name: "User".into(),
                password: Password::hash("x", "odd"),
                provider: "http://127.0.0.1:8080".into(),
                provider_id: "odd\u{1}user".into(),
                validated: true,
                is_deleted: false,
                created_at: clock.now(),
                agreements: vec![
                    AgreementJson {
                        r#type: "terms_and_conditions".into(),
                        text: "\"Yes\" \\ 東京\t".into(),
                    },
                    AgreementJson {
                        r#type: "privacy_conditions".into(),
                        text: String::new(),
                    },
                ],
                seq: 0,
            })
            .unwrap();
        for role in ["CanZ", "CanA"] {
            state
                .add_entitlement(
                    &odd.user_id,
                    EntitlementRecord {
                        entitlement_id: format!("e-{role}"),
                        role_name: role.into(),
                        bank_id: String::new(),
                    },
                )
                .unwrap();
        }
        state.lock(&users[2].user_id, clock.now());
        state.delete_user(&Ids::new(7), &users[3].user_id);
        users = state.list_users(false, 0, 1000, LockedStatus::Any);
        users.extend(state.list_users(true, 0, 1000, LockedStatus::Any));
        assert!(
            users
                .iter()
                .any(|u| !u.agreements.is_empty() && u.user_id != odd.user_id)
        );
        for u in &users {
            for with_agreements in [true, false] {
                assert_eq!(
                    String::from_utf8(user_v400_json(&state, u, with_agreements)).unwrap(),
                    serde_json::to_string(&UserJsonV400::of(&state, u, with_agreements, false))
                        .unwrap(),
                    "{} {with_agreements}",
                    u.username
                );
            }
        }
    }

    /// `getUsers` writes each user while its row is read: the page is byte for byte the
    /// serde_json of the documented `UsersJsonV400` of the same users (entitlements sorted,
    /// escapes, locks and empty lists included).
    #[test]
    fn a_written_page_of_users_is_the_documented_users_json() {
        let (state, clock) = crate::vendors::obp::state::seeded_with(30);
        let users = state.list_users(false, 0, 1000, LockedStatus::Any);
        assert!(users.len() > 20);
        // Roles out of order (and two of one name), with text that needs escaping.
        for (i, role) in ["CanZ", "CanA\"\\", "CanM", "CanA\"\\"].iter().enumerate() {
            state
                .add_entitlement(
                    &users[3].user_id,
                    EntitlementRecord {
                        entitlement_id: format!("e{i}\n東京"),
                        role_name: (*role).into(),
                        bank_id: format!("bank\u{1}{i}"),
                    },
                )
                .unwrap();
        }
        state.lock(&users[5].user_id, clock.now());
        for _ in 0..10 {
            let _ = state.direct_login(
                &users[6].username,
                "wrong",
                "sandbox-consumer-key",
                clock.now(),
            );
        }
        state.delete_user(&Ids::new(7), &users[8].user_id);
        for (is_deleted, offset, limit, locked) in [
            (false, 0, 50, LockedStatus::Any),
            (false, 2, 7, LockedStatus::Any),
            (false, 0, 50, LockedStatus::Locked),
            (false, 0, 50, LockedStatus::Active),
            (true, 0, 50, LockedStatus::Any),
            (false, 1000, 50, LockedStatus::Any),
        ] {
            let q = UsersQuery {
                limit,
                offset,
                is_deleted,
                locked,
            };
            let page = state.list_users(is_deleted, offset, limit, locked);
            let documented = UsersJsonV400 {
                users: page
                    .iter()
                    .map(|u| UserJsonV400::of(&state, u, false, true))
                    .collect(),
            };
            assert_eq!(
                String::from_utf8(write_users_v400(&state, &q)).unwrap(),
                serde_json::to_string(&documented).unwrap(),
                "{is_deleted} {offset} {limit} {locked:?}"
            );
        }
        let all = String::from_utf8(write_users_v400(
            &state,
            &UsersQuery {
                limit: 50,
                offset: 0,
                is_deleted: false,
                locked: LockedStatus::Any,
            },
        ))
        .unwrap();
        assert!(all.contains(r#""is_locked":true"#) && all.contains(r#"CanA\"\\"#));
    }
}
