//! Entitlements (roles): granting, listing and revoking them, and the caller's spaces.

use actix_web::{HttpResponse, web};

use crate::store::{Purpose, Sandbox};
use crate::vendors::obp::ObpWorld;
use crate::vendors::obp::auth::DirectLoginUser;
use crate::vendors::obp::errors::{Error, Result};
use crate::vendors::obp::models::{
    CreateEntitlementJson, EntitlementJson, EntitlementJsons, ErrorMessage, MySpaces,
};
use crate::vendors::obp::state::{EntitlementRecord, ROLES};
use crate::vendors::obp::validate::JsonBody;

/// Add Entitlement for a User
///
/// Grants a role. Allowed to super admins, holders of `CanCreateEntitlementAtAnyBank`, and
/// holders of `CanCreateEntitlementAtOneBank` at that bank. System roles take `bank_id: ""`,
/// bank roles a bank id.
#[utoipa::path(
    post, path = "/obp/v4.0.0/users/{USER_ID}/entitlements", operation_id = "OBPv2.0.0-addEntitlement", tag = "Role",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    request_body = CreateEntitlementJson,
    responses(
        (status = 201, description = "The new entitlement", body = EntitlementJson),
        (status = 400, description = "OBP-10001 bad JSON, OBP-10007 unknown role, OBP-30205/OBP-30206 wrong bank_id, OBP-30001 unknown bank, OBP-30216 duplicate", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20050: not a super admin, and missing CanCreateEntitlementAtAnyBank or CanCreateEntitlementAtOneBank", body = ErrorMessage),
        (status = 404, description = "OBP-20005: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn add_entitlement(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    let user_id = path.into_inner();
    if state.user(&user_id).is_none() {
        return Err(Error::UserNotFoundById(user_id));
    }
    let p: CreateEntitlementJson = body.extract("CreateEntitlementJSON")?;
    let Some((_, bank_role)) = ROLES.iter().find(|(name, _)| *name == p.role_name) else {
        let names: Vec<&str> = ROLES.iter().map(|(name, _)| *name).collect();
        return Err(Error::IncorrectRoleName(p.role_name, names.join(", ")));
    };
    match (bank_role, p.bank_id.is_empty()) {
        (true, true) => return Err(Error::EntitlementIsBankRole),
        (false, false) => return Err(Error::EntitlementIsSystemRole),
        _ => {}
    }
    let caller = user.user_id();
    let allowed = state.is_super_admin(caller)
        || state.has_role(caller, "CanCreateEntitlementAtAnyBank", "")
        || (!p.bank_id.is_empty()
            && state.has_role(caller, "CanCreateEntitlementAtOneBank", &p.bank_id));
    if !allowed {
        return Err(Error::CannotGrantEntitlements(p.bank_id));
    }
    if !p.bank_id.is_empty() && state.bank(&p.bank_id).is_none() {
        return Err(Error::UnknownBankId);
    }
    let record = state.add_entitlement(
        &user_id,
        EntitlementRecord {
            entitlement_id: sandbox.ids.uuid(Purpose::Misc),
            role_name: p.role_name,
            bank_id: p.bank_id,
        },
    )?;
    Ok(HttpResponse::Created().json(EntitlementJson {
        entitlement_id: record.entitlement_id,
        role_name: record.role_name,
        bank_id: record.bank_id,
    }))
}

/// Get Entitlements for User
///
/// Needs `CanGetEntitlementsForAnyUserAtAnyBank`. A super admin's list also shows the pseudo
/// role `SuperAdmin`.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/{USER_ID}/entitlements", operation_id = "OBPv4.0.0-getEntitlements", tag = "Role",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    responses(
        (status = 200, description = "The user's entitlements", body = EntitlementJsons),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetEntitlementsForAnyUserAtAnyBank", body = ErrorMessage),
        (status = 404, description = "OBP-20005: no such user", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_entitlements(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanGetEntitlementsForAnyUserAtAnyBank")?;
    let user_id = path.into_inner();
    if state.user(&user_id).is_none() {
        return Err(Error::UserNotFoundById(user_id));
    }
    let mut list = EntitlementJsons::of(state, &user_id, false);
    if state.is_super_admin(&user_id) {
        list.list.push(EntitlementJson {
            entitlement_id: String::new(),
            role_name: "SuperAdmin".into(),
            bank_id: String::new(),
        });
    }
    Ok(HttpResponse::Ok().json(list))
}

/// Delete Entitlement
///
/// Revokes the entitlement `ENTITLEMENT_ID` of the user `USER_ID`. Needs
/// `CanDeleteEntitlementAtAnyBank` (being a super admin is not enough). Answers 204 with no
/// body.
#[utoipa::path(
    delete, path = "/obp/v4.0.0/users/{USER_ID}/entitlement/{ENTITLEMENT_ID}", operation_id = "OBPv2.0.0-deleteEntitlement", tag = "Role",
    params(
        ("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1"),
        ("ENTITLEMENT_ID" = String, Path, example = "6fb17583-1e49-4435-bb74-a14fe0996723"),
    ),
    responses(
        (status = 204, description = "The entitlement is revoked"),
        (status = 400, description = "OBP-30213: the entitlement belongs to another user", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanDeleteEntitlementAtAnyBank", body = ErrorMessage),
        (status = 404, description = "OBP-30212: no such entitlement", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn delete_entitlement(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    // v2.0.0 code, checked in the body: the role, then the entitlement (the user is not
    // looked up: an unknown USER_ID with a known ENTITLEMENT_ID is OBP-30213).
    user.require(state, "CanDeleteEntitlementAtAnyBank")?;
    let (user_id, entitlement_id) = path.into_inner();
    state.delete_entitlement(&user_id, &entitlement_id)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Get all Entitlements
///
/// Every entitlement of every user. Needs `CanGetEntitlementsForAnyUserAtAnyBank`.
#[utoipa::path(
    get, path = "/obp/v4.0.0/entitlements", operation_id = "OBPv2.0.0-getAllEntitlements", tag = "Role",
    responses(
        (status = 200, description = "All entitlements", body = EntitlementJsons),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetEntitlementsForAnyUserAtAnyBank", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_all_entitlements(user: DirectLoginUser, sandbox: Sandbox) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanGetEntitlementsForAnyUserAtAnyBank")?;
    let list = state
        .all_entitlements()
        .into_iter()
        .map(|e| EntitlementJson {
            entitlement_id: e.entitlement_id,
            role_name: e.role_name,
            bank_id: e.bank_id,
        })
        .collect();
    Ok(HttpResponse::Ok().json(EntitlementJsons { list }))
}

/// Get Entitlements for the current User
///
/// The logged-in user's roles.
#[utoipa::path(
    get, path = "/obp/v4.0.0/my/entitlements", operation_id = "OBPv3.0.0-getEntitlementsForCurrentUser", tag = "Role",
    responses(
        (status = 200, description = "The caller's entitlements", body = EntitlementJsons),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_entitlements_for_current_user(
    user: DirectLoginUser,
    sandbox: Sandbox,
) -> Result<HttpResponse> {
    Ok(HttpResponse::Ok().json(EntitlementJsons::of(sandbox.obp(), user.user_id(), false)))
}

/// Get My Spaces
///
/// The banks at which the caller holds `CanReadDynamicResourceDocsAtOneBank`.
#[utoipa::path(
    get, path = "/obp/v4.0.0/my/spaces", operation_id = "OBPv4.0.0-getMySpaces", tag = "User",
    responses(
        (status = 200, description = "The caller's spaces", body = MySpaces),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_my_spaces(user: DirectLoginUser, sandbox: Sandbox) -> Result<HttpResponse> {
    let bank_ids = sandbox
        .obp()
        .entitlements(user.user_id())
        .into_iter()
        .filter(|e| e.role_name == "CanReadDynamicResourceDocsAtOneBank")
        .map(|e| e.bank_id)
        .collect();
    Ok(HttpResponse::Ok().json(MySpaces { bank_ids }))
}
