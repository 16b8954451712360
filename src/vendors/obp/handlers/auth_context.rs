//! User auth contexts (key/value pairs that map an OBP user to a bank customer) and the
//! OTP-confirmed update requests a user makes for themselves.

use actix_web::{HttpResponse, web};

use crate::store::{Purpose, Sandbox};
use crate::vendors::obp::ObpWorld;
use crate::vendors::obp::auth::DirectLoginUser;
use crate::vendors::obp::errors::{Error, Result};
use crate::vendors::obp::models::{
    ErrorMessage, OutboxMessage, PostUserAuthContextJson, PostUserAuthContextUpdateJsonV310,
    UserAuthContextJson, UserAuthContextUpdateJson, UserAuthContextsJson, obp_date,
};
use crate::vendors::obp::state::{AuthContextRecord, AuthContextUpdateRecord, State};
use crate::vendors::obp::validate::{self, JsonBody};

const CUSTOMER_NUMBER: &str = "CUSTOMER_NUMBER";

impl UserAuthContextJson {
    fn of(c: &AuthContextRecord) -> Self {
        Self {
            user_auth_context_id: c.user_auth_context_id.clone(),
            user_id: c.user_id.clone(),
            key: c.key.clone(),
            value: c.value.clone(),
            time_stamp: obp_date(c.time_stamp),
        }
    }
}

impl UserAuthContextUpdateJson {
    fn of(u: &AuthContextUpdateRecord) -> Self {
        Self {
            user_auth_context_update_id: u.user_auth_context_update_id.clone(),
            user_id: u.user_id.clone(),
            key: u.key.clone(),
            value: u.value.clone(),
            status: u.status.clone(),
        }
    }
}

fn existing_user(state: &State, user_id: String) -> Result<String> {
    match state.user(&user_id) {
        Some(_) => Ok(user_id),
        None => Err(Error::UserNotFoundById(user_id)),
    }
}

/// Create User Auth Context
///
/// Needs `CanCreateUserAuthContext`. Key and value are trimmed; the same key may be added
/// several times.
#[utoipa::path(
    post, path = "/obp/v4.0.0/users/{USER_ID}/auth-context", operation_id = "OBPv3.1.0-createUserAuthContext", tag = "User",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    request_body = PostUserAuthContextJson,
    responses(
        (status = 201, description = "The new auth context", body = UserAuthContextJson),
        (status = 400, description = "OBP-10001: bad JSON; OBP-20010/OBP-20011: a bad value", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanCreateUserAuthContext", body = ErrorMessage),
        (status = 404, description = "OBP-20005: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn create_user_auth_context(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanCreateUserAuthContext")?;
    let p: PostUserAuthContextJson = body.extract("PostUserAuthContextJson")?;
    let user_id = existing_user(state, path.into_inner())?;
    let (key, value) = (p.key.trim().to_string(), p.value.trim().to_string());
    validate::text(&key, 4000)?;
    validate::text(&value, 4000)?;
    let record = AuthContextRecord {
        user_auth_context_id: sandbox.ids.uuid(Purpose::Misc),
        user_id,
        key,
        value,
        time_stamp: sandbox.clock.now(),
        consumer_key: user.consumer_key.clone(),
    };
    state.add_auth_context(record.clone());
    Ok(HttpResponse::Created().json(UserAuthContextJson::of(&record)))
}

/// Get User Auth Contexts
///
/// Needs `CanGetUserAuthContext`. Every auth context of the user, oldest first.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/{USER_ID}/auth-context", operation_id = "OBPv3.1.0-getUserAuthContexts", tag = "User",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    responses(
        (status = 200, description = "The user's auth contexts", body = UserAuthContextsJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetUserAuthContext", body = ErrorMessage),
        (status = 404, description = "OBP-20005: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_user_auth_contexts(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanGetUserAuthContext")?;
    let user_id = existing_user(state, path.into_inner())?;
    let user_auth_contexts = state
        .auth_contexts(&user_id)
        .iter()
        .map(UserAuthContextJson::of)
        .collect();
    Ok(HttpResponse::Ok().json(UserAuthContextsJson { user_auth_contexts }))
}

/// Delete User's Auth Contexts
///
/// Needs `CanDeleteUserAuthContext`. Answers the JSON `true`, also when there was none.
#[utoipa::path(
    delete, path = "/obp/v4.0.0/users/{USER_ID}/auth-context", operation_id = "OBPv3.1.0-deleteUserAuthContexts", tag = "User",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    responses(
        (status = 200, description = "Deleted", body = bool, content_type = "application/json", example = json!(true)),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanDeleteUserAuthContext", body = ErrorMessage),
        (status = 404, description = "OBP-20005: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn delete_user_auth_contexts(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanDeleteUserAuthContext")?;
    let user_id = existing_user(state, path.into_inner())?;
    state.delete_auth_contexts(&user_id);
    Ok(HttpResponse::Ok().json(true))
}

/// Delete User Auth Context
///
/// Needs `CanDeleteUserAuthContext`. Deletes the auth context with that id (OBP does not check
/// that it belongs to USER_ID). Answers the JSON `true`.
#[utoipa::path(
    delete, path = "/obp/v4.0.0/users/{USER_ID}/auth-context/{USER_AUTH_CONTEXT_ID}", operation_id = "OBPv3.1.0-deleteUserAuthContextById", tag = "User",
    params(
        ("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1"),
        ("USER_AUTH_CONTEXT_ID" = String, Path, example = "613c83ea-80f9-4560-8404-b9cd4ec42a7f"),
    ),
    responses(
        (status = 200, description = "Deleted", body = bool, content_type = "application/json", example = json!(true)),
        (status = 400, description = "OBP-50200 <- OBP-30056: no such auth context", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanDeleteUserAuthContext", body = ErrorMessage),
        (status = 404, description = "OBP-20005: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn delete_user_auth_context_by_id(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanDeleteUserAuthContext")?;
    let (user_id, context_id) = path.into_inner();
    existing_user(state, user_id)?;
    if !state.delete_auth_context(&context_id) {
        return Err(Error::connector(
            "OBP-30056: UserAuthContext not found by USER_AUTH_CONTEXT_ID.",
        ));
    }
    Ok(HttpResponse::Ok().json(true))
}

/// Create User Auth Context Update Request
///
/// The logged-in user asks to be linked to a customer of BANK_ID: `key` must be
/// `CUSTOMER_NUMBER` and `value` a customer number at that bank. A one-time password is sent
/// to the customer by `SMS` or `EMAIL` (SCA_METHOD); in the sandbox it lands in
/// `GET /__admin/outbox`. Answer it within 600 seconds with the challenge endpoint.
#[utoipa::path(
    post, path = "/obp/v4.0.0/banks/{BANK_ID}/users/current/auth-context-updates/{SCA_METHOD}",
    operation_id = "OBPv3.1.0-createUserAuthContextUpdateRequest", tag = "User",
    params(("BANK_ID" = String, Path, example = "gh.29.uk"), ("SCA_METHOD" = String, Path, description = "SMS or EMAIL (else `OBP-35034`)", example = "EMAIL")),
    request_body = crate::vendors::obp::models::PostUserAuthContextUpdateRequestJson,
    responses(
        (status = 201, description = "The request, INITIATED", body = UserAuthContextUpdateJson),
        (status = 400, description = "OBP-35034 bad SCA method, OBP-10001 bad JSON, OBP-30088 key is not CUSTOMER_NUMBER", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 404, description = "OBP-30001 no such bank, OBP-30002 no such customer", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn create_user_auth_context_update_request(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<(String, String)>,
    body: JsonBody,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    let (bank_id, sca_method) = path.into_inner();
    if state.bank(&bank_id).is_none() {
        return Err(Error::BankNotFound(bank_id));
    }
    if sca_method != "SMS" && sca_method != "EMAIL" {
        return Err(Error::UnsupportedScaMethod);
    }
    let p: PostUserAuthContextJson = body.extract("PostUserAuthContextJson")?;
    validate::text(&p.key, 50)?;
    validate::text(&p.value, 50)?;
    if p.key != CUSTOMER_NUMBER {
        return Err(Error::InvalidAuthContextUpdateKey);
    }
    let customer = state
        .customer_by_number(&bank_id, &p.value)
        .ok_or(Error::CustomerNotFound)?
        .clone();
    let now = sandbox.clock.now();
    let record = AuthContextUpdateRecord {
        user_auth_context_update_id: sandbox.ids.uuid(Purpose::Misc),
        user_id: user.user_id().to_string(),
        bank_id,
        key: p.key,
        value: p.value,
        status: "INITIATED".into(),
        challenge: State::new_challenge(&sandbox.ids),
        created_at: now,
        consumer_key: user.consumer_key.clone(),
    };
    state.add_auth_context_update(record.clone());
    // OBP emails the bare challenge to the customer (and has no SMS transport); the sandbox
    // records both in its outbox so the OTP can be read back.
    let (to, from) = if sca_method == "EMAIL" {
        (customer.email.clone(), "challenge@tesobe.com")
    } else {
        (customer.mobile_phone_number.clone(), "OBP")
    };
    state.send(OutboxMessage {
        message_id: sandbox.ids.uuid(Purpose::Misc),
        channel: sca_method,
        from: from.into(),
        to,
        subject: "Challenge request".into(),
        body: record.challenge.clone(),
        sent_at: obp_date(now),
    });
    Ok(HttpResponse::Created().json(UserAuthContextUpdateJson::of(&record)))
}

/// Answer Auth Context Update Challenge
///
/// Answers the OTP of an auth context update request (one attempt): the right answer sets
/// `ACCEPTED`, adds the auth context and links the user to the customer; a wrong one sets
/// `REJECTED`. Later answers return the request unchanged. After 600 seconds the OTP has
/// expired (OBP-20211).
#[utoipa::path(
    post, path = "/obp/v4.0.0/banks/{BANK_ID}/users/current/auth-context-updates/{AUTH_CONTEXT_UPDATE_ID}/challenge",
    operation_id = "OBPv3.1.0-answerUserAuthContextUpdateChallenge", tag = "User",
    params(("BANK_ID" = String, Path, example = "gh.29.uk"), ("AUTH_CONTEXT_UPDATE_ID" = String, Path, description = "The `user_auth_context_update_id` that `createUserAuthContextUpdateRequest` returned", example = "4a1f6f6e-3c9d-4b55-a2f0-2d8e5f7c9b10")),
    request_body = PostUserAuthContextUpdateJsonV310,
    responses(
        (status = 200, description = "ACCEPTED or REJECTED", body = UserAuthContextUpdateJson),
        (status = 400, description = "OBP-10001 bad JSON; OBP-50200 <- OBP-30057 no such request / OBP-20211 OTP expired", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn answer_user_auth_context_update_challenge(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<(String, String)>,
    body: JsonBody,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    let (_bank_id, update_id) = path.into_inner();
    let p: PostUserAuthContextUpdateJsonV310 = body.extract("PostUserAuthContextUpdateJsonV310")?;
    let now = sandbox.clock.now();
    let (update, accepted) = state.answer_auth_context_update(&update_id, &p.answer, now)?;
    if state.user(&update.user_id).is_none() {
        return Err(Error::UserNotFoundByUserId(format!(
            " Current USER_ID({}) ",
            update.user_id
        )));
    }
    if accepted {
        state.add_auth_context(AuthContextRecord {
            user_auth_context_id: sandbox.ids.uuid(Purpose::Misc),
            user_id: update.user_id.clone(),
            key: update.key.clone(),
            value: update.value.clone(),
            time_stamp: now,
            consumer_key: user.consumer_key.clone(),
        });
        if update.key == CUSTOMER_NUMBER
            && let Some(customer) = state.customer_by_number(&update.bank_id, &update.value)
        {
            let customer_id = customer.customer_id.clone();
            state.link_customer(
                &update.user_id,
                &customer_id,
                || sandbox.ids.uuid(Purpose::Misc),
                now,
            );
        }
    }
    Ok(HttpResponse::Ok().json(UserAuthContextUpdateJson::of(&update)))
}
