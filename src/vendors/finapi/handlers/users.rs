//! Users: `/api/v1/users...`. User ids are case-insensitive everywhere.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::store::page::JsonObject;
use crate::store::{Purpose, Sandbox};
use crate::vendors::finapi::FinapiWorld;
use crate::vendors::finapi::auth::{ClientToken, UserToken};
use crate::vendors::finapi::errors::{Error, Result};
use crate::vendors::finapi::models::{
    BadCredentialsError, ErrorMessage, ExecutePasswordChangeParams, PasswordChangingResource,
    RequestPasswordChangeParams, User, UserCreateParams, UserUpdateParams,
    VerificationStatusResource,
};
use crate::vendors::finapi::state::{UserRecord, distort_password, hash_password, user_key};
use crate::vendors::finapi::validate;

impl User {
    /// The user with its password as given: only `createUser` has the plain value at hand.
    fn with_password(u: &UserRecord, password: String) -> Self {
        Self {
            id: u.id.clone(),
            password,
            email: u.email.clone(),
            phone: u.phone.clone(),
            is_auto_update_enabled: u.auto_update,
        }
    }

    fn distorted(u: &UserRecord) -> Self {
        Self::with_password(u, distort_password(&u.password))
    }
}

/// The [`User`] of a stored user with its password distorted (one `X` a character), written
/// straight from the row as serde writes `User::distorted`: no copy of the record or its texts.
fn write_distorted_user(out: &mut Vec<u8>, u: &UserRecord) {
    let mut user = JsonObject::new(out);
    user.field_str("id", &u.id);
    let password = user.member("password");
    password.push(b'"');
    password.resize(password.len() + u.password.chars(), b'X');
    password.push(b'"');
    user.field_str_or_null("email", u.email.as_deref())
        .field_str_or_null("phone", u.phone.as_deref())
        .field_bool("isAutoUpdateEnabled", u.auto_update);
    user.end();
}

fn validate_contact(email: Option<&str>, phone: Option<&str>) -> Result<()> {
    if let Some(email) = email {
        validate::text("email", email, 0, 320)?;
    }
    if let Some(phone) = phone {
        validate::text("phone", phone, 0, 50)?;
    }
    Ok(())
}

/// Create a new user
///
/// Creates a user with the client's token. The password comes back in plain text; a missing id
/// or password is generated. New users are unverified unless the client auto-verifies them
/// (`sandbox-autoverify-client` does).
#[utoipa::path(
    post, path = "/api/v1/users", operation_id = "createUser", tag = "Users",
    request_body(content = UserCreateParams, description = "User's details"),
    responses(
        (status = 201, description = "Created user's data", body = User),
        (status = 400, description = "Bad request (e.g. a password that is too short)", body = ErrorMessage),
        (status = 415, description = "The body is not `application/json`", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a client token", body = ErrorMessage),
        (status = 422, description = "ENTITY_EXISTS: the id is taken", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn create_user(
    client: ClientToken,
    sandbox: Sandbox,
    params: web::Json<UserCreateParams>,
) -> Result<HttpResponse> {
    let p = params.into_inner();
    if let Some(id) = &p.id {
        validate::user_id("id", id)?;
    }
    if let Some(password) = &p.password {
        validate::password(password)?;
    }
    validate_contact(p.email.as_deref(), p.phone.as_deref())?;
    let config = sandbox.finapi().client_config(&client.0.client_id)?;
    let auto_update = p.is_auto_update_enabled.unwrap_or(false);
    if auto_update && !config.is_automatic_batch_update_enabled {
        return Err(Error::IllegalEntityState(
            "The automatic update cannot be enabled: it is disabled for your client".into(),
        ));
    }
    let now = sandbox.clock.now();
    let id = p.id.unwrap_or_else(|| sandbox.ids.uuid(Purpose::UserId));
    let password = p
        .password
        .unwrap_or_else(|| sandbox.ids.alphanumeric(Purpose::Secret, 16));
    let record = UserRecord {
        password: hash_password(&password, &user_key(&id)),
        id,
        email: p.email.filter(|e| !e.is_empty()),
        phone: p.phone.filter(|p| !p.is_empty()),
        auto_update,
        verified: config.is_user_auto_verification_enabled,
        registered_on: now.date_naive(),
        last_active_on: None,
        failed_logins: 0,
        locked: false,
        busy: false,
        bank_connections: 0,
        latest_import_on: None,
    };
    let created = sandbox.finapi().create_user(record)?;
    // The one answer with the plain password (finAPI's createUser returns it); it is not stored.
    Ok(HttpResponse::Created().json(User::with_password(&created, password)))
}

/// Get the authorized user
///
/// The user of the access token. Each character of the password is shown as an `X`.
#[utoipa::path(
    get, path = "/api/v1/users", operation_id = "getAuthorizedUser", tag = "Users",
    responses(
        (status = 200, description = "Authorized user's data", body = User),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a user token", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn get_authorized_user(user: UserToken, sandbox: Sandbox) -> Result<HttpResponse> {
    let mut body = Vec::with_capacity(160);
    sandbox
        .finapi()
        .read_user(user.user_key(), |u| write_distorted_user(&mut body, u))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// Edit the authorized user
///
/// Pass an empty string (not null) to remove the email or phone. At least one field must be
/// non-null.
#[utoipa::path(
    patch, path = "/api/v1/users", operation_id = "editAuthorizedUser", tag = "Users",
    request_body(content = UserUpdateParams, description = "User's details"),
    responses(
        (status = 200, description = "Edited user's data", body = User),
        (status = 400, description = "Bad request", body = ErrorMessage),
        (status = 415, description = "The body is not `application/json`", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a user token", body = ErrorMessage),
        (status = 422, description = "The automatic update cannot be enabled", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn edit_authorized_user(
    user: UserToken,
    sandbox: Sandbox,
    params: web::Json<UserUpdateParams>,
) -> Result<HttpResponse> {
    let p = params.into_inner();
    if p.email.is_none() && p.phone.is_none() && p.is_auto_update_enabled.is_none() {
        return Err(Error::BadRequest(
            "At least one field must have a non-null value in the request body".into(),
        ));
    }
    validate_contact(p.email.as_deref(), p.phone.as_deref())?;
    if p.is_auto_update_enabled == Some(true)
        && !sandbox
            .finapi()
            .client_config(&user.0.client_id)?
            .is_automatic_batch_update_enabled
    {
        return Err(Error::IllegalEntityState(
            "The automatic update cannot be enabled: it is disabled for your client".into(),
        ));
    }
    let updated = sandbox.finapi().update_user(user.user_key(), |u| {
        if let Some(email) = p.email {
            u.email = Some(email).filter(|e| !e.is_empty());
        }
        if let Some(phone) = p.phone {
            u.phone = Some(phone).filter(|p| !p.is_empty());
        }
        if let Some(auto_update) = p.is_auto_update_enabled {
            u.auto_update = auto_update;
        }
        u.clone()
    })?;
    Ok(HttpResponse::Ok().json(User::distorted(&updated)))
}

/// Delete the authorized user
///
/// Deletes the user of the access token, irreversibly. A user whose bank connection is being
/// updated (fixture `max.mustermann`) cannot be deleted: 423.
#[utoipa::path(
    delete, path = "/api/v1/users", operation_id = "deleteAuthorizedUser", tag = "Users",
    responses(
        (status = 200, description = "User deleted"),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a user token", body = ErrorMessage),
        (status = 423, description = "A bank connection of the user is busy", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn delete_authorized_user(user: UserToken, sandbox: Sandbox) -> Result<HttpResponse> {
    match sandbox
        .finapi()
        .delete_user(user.user_key(), sandbox.clock.now().date_naive())?
    {
        Some(_) => Ok(HttpResponse::Ok().finish()),
        None => Err(Error::Locked(
            "The user cannot be deleted while a bank connection is being updated".into(),
        )),
    }
}

fn path_user_id(user_id: &str) -> Result<String> {
    validate::user_id("userId", user_id)?;
    Ok(user_key(user_id))
}

/// Delete an unverified user
#[utoipa::path(
    delete, path = "/api/v1/users/{userId}", operation_id = "deleteUnverifiedUser", tag = "Users",
    params(("userId" = String, Path, description = "User's identifier (case-insensitive)", min_length = 1, max_length = 36, pattern = "^[a-zA-Z0-9\\-_\\.\\+@]*$", example = "erika.musterfrau")),
    responses(
        (status = 200, description = "User deleted"),
        (status = 400, description = "Invalid identifier", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a client token", body = ErrorMessage),
        (status = 404, description = "User not found", body = ErrorMessage),
        (status = 422, description = "The user is already verified", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn delete_unverified_user(
    _client: ClientToken,
    sandbox: Sandbox,
    user_id: web::Path<String>,
) -> Result<HttpResponse> {
    let key = path_user_id(&user_id)?;
    sandbox
        .finapi()
        .delete_unverified_user(&key, sandbox.clock.now().date_naive())?;
    Ok(HttpResponse::Ok().finish())
}

/// Query of `getVerificationStatus`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct VerificationStatusQuery {
    /// User's identifier (case-insensitive).
    #[param(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 36,
        pattern = "^[a-zA-Z0-9\\-_\\.\\+@]*$",
        example = "felixsmith"
    )]
    pub user_id: Option<String>,
}

/// Get a user's verification status
#[utoipa::path(
    get, path = "/api/v1/users/verificationStatus", operation_id = "getVerificationStatus", tag = "Users",
    params(VerificationStatusQuery),
    responses(
        (status = 200, description = "The verification status", body = VerificationStatusResource),
        (status = 400, description = "Missing or invalid userId", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a client token", body = ErrorMessage),
        (status = 404, description = "User not found", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn get_verification_status(
    _client: ClientToken,
    sandbox: Sandbox,
    query: web::Query<VerificationStatusQuery>,
) -> Result<HttpResponse> {
    let key = path_user_id(validate::required("userId", &query.user_id)?)?;
    let user = sandbox.finapi().user(&key)?;
    Ok(HttpResponse::Ok().json(VerificationStatusResource {
        user_id: user.id,
        is_user_verified: user.verified,
    }))
}

/// Request password change
///
/// Returns a password change token for `executePasswordChange`. The sandbox returns it (and the
/// email) unencrypted, so it can be passed on unchanged.
#[utoipa::path(
    post, path = "/api/v1/users/requestPasswordChange", operation_id = "requestPasswordChange", tag = "Users",
    request_body(content = RequestPasswordChangeParams),
    responses(
        (status = 200, description = "Password change token", body = PasswordChangingResource),
        (status = 400, description = "Missing body or userId", body = ErrorMessage),
        (status = 415, description = "The body is not `application/json`", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a client token", body = ErrorMessage),
        (status = 404, description = "User not found", body = ErrorMessage),
        (status = 422, description = "User is not verified", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn request_password_change(
    _client: ClientToken,
    sandbox: Sandbox,
    params: web::Json<RequestPasswordChangeParams>,
) -> Result<HttpResponse> {
    let key = path_user_id(validate::required("userId", &params.user_id)?)?;
    let (user, token) = sandbox
        .finapi()
        .request_password_change(&sandbox.ids, &key)?;
    Ok(HttpResponse::Ok().json(PasswordChangingResource {
        user_id: user.id,
        user_email: user.email,
        password_change_token: token,
    }))
}

/// Execute password change
///
/// Sets the new password, unlocks the user and revokes every token of the user.
#[utoipa::path(
    post, path = "/api/v1/users/executePasswordChange", operation_id = "executePasswordChange", tag = "Users",
    request_body(content = ExecutePasswordChangeParams),
    responses(
        (status = 200, description = "Password changed"),
        (status = 400, description = "Missing or invalid field", body = ErrorMessage),
        (status = 415, description = "The body is not `application/json`", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a client token, or the password change token is not valid", body = ErrorMessage),
        (status = 404, description = "User not found", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn execute_password_change(
    _client: ClientToken,
    sandbox: Sandbox,
    params: web::Json<ExecutePasswordChangeParams>,
) -> Result<HttpResponse> {
    let key = path_user_id(validate::required("userId", &params.user_id)?)?;
    let password = validate::required("password", &params.password)?;
    let token = validate::required("passwordChangeToken", &params.password_change_token)?;
    validate::password(password)?;
    if token.is_empty()
        || !token
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-')
        || token.len() > 128
    {
        return Err(Error::BadRequest(
            "'passwordChangeToken' may only contain 0-9, a-f and -".into(),
        ));
    }
    sandbox
        .finapi()
        .execute_password_change(&key, token, password)?;
    Ok(HttpResponse::Ok().finish())
}

/// Verify a user
#[utoipa::path(
    post, path = "/api/v1/users/verify/{userId}", operation_id = "verifyUser", tag = "Users",
    params(("userId" = String, Path, description = "User's identifier (case-insensitive)", min_length = 1, max_length = 36, pattern = "^[a-zA-Z0-9\\-_\\.\\+@]*$", example = "erika.musterfrau")),
    responses(
        (status = 200, description = "User verified"),
        (status = 400, description = "Invalid identifier", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "Not a client token", body = ErrorMessage),
        (status = 404, description = "User not found", body = ErrorMessage),
        (status = 422, description = "User is already verified", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn verify_user(
    _client: ClientToken,
    sandbox: Sandbox,
    user_id: web::Path<String>,
) -> Result<HttpResponse> {
    let key = path_user_id(&user_id)?;
    sandbox.finapi().verify_user(&key)?;
    Ok(HttpResponse::Ok().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The written user is byte for byte what serde writes for `User::distorted`, with and
    /// without contact details, with text that needs escaping and beyond ASCII.
    #[test]
    fn a_written_user_is_the_serialised_one() {
        let mut plain = UserRecord::example("felixsmith");
        plain.auto_update = true;
        let mut contact = UserRecord::example("Ada.Lovelace+1@x");
        contact.email = Some("ada \"the first\" <ada@example.com>\\\u{7}".into());
        contact.phone = Some("+44 7700 900123 ☎ ünï".into());
        let mut empty = UserRecord::example("e");
        empty.email = Some(String::new());
        empty.password = hash_password("a-much-longer-password-of-40-characters!", "e");
        for u in [plain, contact, empty] {
            let mut written = Vec::new();
            write_distorted_user(&mut written, &u);
            assert_eq!(
                String::from_utf8(written).unwrap(),
                serde_json::to_string(&User::distorted(&u)).unwrap()
            );
        }
    }
}
