//! Locks: the bad-login status, admin locks and unlocking, at v4.0.0's `/users/USERNAME/...`
//! paths and v5.1.0's `/users/PROVIDER/USERNAME/...` paths (which the `obp-api` SDK calls).

use actix_web::{HttpResponse, web};

use crate::store::Sandbox;
use crate::vendors::obp::ObpWorld;
use crate::vendors::obp::State;
use crate::vendors::obp::auth::DirectLoginUser;
use crate::vendors::obp::errors::{Error, Result};
use crate::vendors::obp::models::{BadLoginStatusJson, ErrorMessage, UserLockStatusJson, obp_date};
use crate::vendors::obp::state::{BadLoginRecord, UserRecord};

impl BadLoginStatusJson {
    fn of(username: &str, record: &BadLoginRecord) -> Self {
        Self {
            username: username.to_string(),
            bad_attempts_since_last_success_or_reset: record.attempts,
            last_failure_date: obp_date(record.last_failure_date),
        }
    }
}

/// A local user by username; with a provider (v5.1.0 paths) it must be the local provider.
fn local_user(state: &State, provider: Option<&str>, username: &str) -> Option<UserRecord> {
    if provider.is_some_and(|p| p != &*state.config().local_identity_provider) {
        return None;
    }
    state.user_by_username(username)
}

fn bad_login_status(
    user: &DirectLoginUser,
    sandbox: &Sandbox,
    provider: Option<&str>,
    username: &str,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanReadUserLockedStatus")?;
    let found = local_user(state, provider, username).ok_or(Error::UserNotFoundByUsername(None))?;
    let record = state.bad_login_status(&found.username, sandbox.clock.now());
    Ok(HttpResponse::Ok().json(BadLoginStatusJson::of(&found.username, &record)))
}

fn unlock(
    user: &DirectLoginUser,
    sandbox: &Sandbox,
    provider: Option<&str>,
    username: &str,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    // OBP's unlockUser looks the user up before it checks the role.
    let found = local_user(state, provider, username).ok_or(Error::UserNotFoundByUsername(None))?;
    user.require(state, "CanUnlockUser")?;
    let record = state.unlock(&found, sandbox.clock.now());
    Ok(HttpResponse::Ok().json(BadLoginStatusJson::of(&found.username, &record)))
}

fn lock(
    user: &DirectLoginUser,
    sandbox: &Sandbox,
    provider: Option<&str>,
    username: &str,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanLockUser")?;
    let found = local_user(state, provider, username)
        .ok_or_else(|| Error::UserNotFoundByUsername(Some(username.to_string())))?;
    let record = state.lock(&found.user_id, sandbox.clock.now());
    Ok(HttpResponse::Ok().json(UserLockStatusJson {
        user_id: found.user_id.to_string(),
        type_of_lock: record.type_of_lock,
        last_lock_date: obp_date(record.last_lock_date),
    }))
}

/// Get User Lock Status
///
/// Needs `CanReadUserLockedStatus`. The bad-login counter only (an admin lock shows in the
/// user's `is_locked`); the first look creates a zero counter dated now, as in OBP.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/{USERNAME}/lock-status", operation_id = "OBPv3.1.0-getBadLoginStatus", tag = "User",
    params(("USERNAME" = String, Path, example = "felixsmith")),
    responses(
        (status = 200, description = "The bad-login counter", body = BadLoginStatusJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanReadUserLockedStatus", body = ErrorMessage),
        (status = 404, description = "OBP-20027: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_bad_login_status(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    bad_login_status(&user, &sandbox, None, &path.into_inner())
}

/// Unlock the user
///
/// Needs `CanUnlockUser`. Resets the bad-login counter to 0 and removes an admin lock. The user
/// is looked up before the role is checked (404 before 403), as in OBP.
#[utoipa::path(
    put, path = "/obp/v4.0.0/users/{USERNAME}/lock-status", operation_id = "OBPv3.1.0-unlockUser", tag = "User",
    params(("USERNAME" = String, Path, example = "felixsmith")),
    request_body(content = serde_json::Value, description = "Ignored: any JSON value, or an empty body, with `Content-Type: application/json` (OBP only checks that a body is JSON).", example = json!({})),
    responses(
        (status = 200, description = "Unlocked", body = BadLoginStatusJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanUnlockUser", body = ErrorMessage),
        (status = 404, description = "OBP-20027: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn unlock_user(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    unlock(&user, &sandbox, None, &path.into_inner())
}

/// Lock the user
///
/// Needs `CanLockUser`. From now on the user's logins and tokens get 401 `OBP-20013` until
/// unlocked; locking again only renews `last_lock_date`. Answers 200, not 201.
#[utoipa::path(
    post, path = "/obp/v4.0.0/users/{USERNAME}/locks", operation_id = "OBPv4.0.0-lockUser", tag = "User",
    params(("USERNAME" = String, Path, example = "felixsmith")),
    request_body(content = serde_json::Value, description = "Ignored: any JSON value, or an empty body, with `Content-Type: application/json` (OBP only checks that a body is JSON).", example = json!({})),
    responses(
        (status = 200, description = "Locked", body = UserLockStatusJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanLockUser", body = ErrorMessage),
        (status = 404, description = "OBP-20027: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn lock_user(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    lock(&user, &sandbox, None, &path.into_inner())
}

/// Get User Lock Status (by provider)
///
/// v5.1.0's form of `getBadLoginStatus`, with the provider in the path (URL-encode it:
/// `http%3A%2F%2F127.0.0.1%3A8080`).
#[utoipa::path(
    get, path = "/obp/v5.1.0/users/{PROVIDER}/{USERNAME}/lock-status", operation_id = "OBPv5.1.0-getUserLockStatus", tag = "User",
    params(("PROVIDER" = String, Path, example = "http://127.0.0.1:8080"), ("USERNAME" = String, Path, example = "felixsmith")),
    responses(
        (status = 200, description = "The bad-login counter", body = BadLoginStatusJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanReadUserLockedStatus", body = ErrorMessage),
        (status = 404, description = "OBP-20027: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_user_lock_status(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse> {
    let (provider, username) = path.into_inner();
    bad_login_status(&user, &sandbox, Some(&provider), &username)
}

/// Unlock the user (by provider)
///
/// v5.1.0's form of `unlockUser`.
#[utoipa::path(
    put, path = "/obp/v5.1.0/users/{PROVIDER}/{USERNAME}/lock-status", operation_id = "OBPv5.1.0-unlockUserByProviderAndUsername", tag = "User",
    params(("PROVIDER" = String, Path, example = "http://127.0.0.1:8080"), ("USERNAME" = String, Path, example = "felixsmith")),
    request_body(content = serde_json::Value, description = "Ignored: any JSON value, or an empty body, with `Content-Type: application/json` (OBP only checks that a body is JSON).", example = json!({})),
    responses(
        (status = 200, description = "Unlocked", body = BadLoginStatusJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanUnlockUser", body = ErrorMessage),
        (status = 404, description = "OBP-20027: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn unlock_user_by_provider_and_username(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse> {
    let (provider, username) = path.into_inner();
    unlock(&user, &sandbox, Some(&provider), &username)
}

/// Lock the user (by provider)
///
/// v5.1.0's form of `lockUser`.
#[utoipa::path(
    post, path = "/obp/v5.1.0/users/{PROVIDER}/{USERNAME}/locks", operation_id = "OBPv5.1.0-lockUserByProviderAndUsername", tag = "User",
    params(("PROVIDER" = String, Path, example = "http://127.0.0.1:8080"), ("USERNAME" = String, Path, example = "felixsmith")),
    request_body(content = serde_json::Value, description = "Ignored: any JSON value, or an empty body, with `Content-Type: application/json` (OBP only checks that a body is JSON).", example = json!({})),
    responses(
        (status = 200, description = "Locked", body = UserLockStatusJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanLockUser", body = ErrorMessage),
        (status = 404, description = "OBP-20027: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn lock_user_by_provider_and_username(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse> {
    let (provider, username) = path.into_inner();
    lock(&user, &sandbox, Some(&provider), &username)
}
