//! User attributes: the caller's personal attributes, and a user with all attributes.

use actix_web::{HttpResponse, web};

use crate::store::{Purpose, Sandbox};
use crate::vendors::obp::ObpWorld;
use crate::vendors::obp::auth::DirectLoginUser;
use crate::vendors::obp::errors::{Error, Result};
use crate::vendors::obp::models::{
    ErrorMessage, UserAttributeJsonV400, UserAttributeResponseJsonV400, UserAttributesResponseJson,
    UserWithAttributesResponseJson, obp_date,
};
use crate::vendors::obp::state::AttributeRecord;
use crate::vendors::obp::validate::{self, JsonBody};

const TYPES: &[&str] = &["STRING", "INTEGER", "DOUBLE", "DATE_WITH_DAY"];

impl UserAttributeResponseJsonV400 {
    fn of(a: &AttributeRecord) -> Self {
        Self {
            user_attribute_id: a.user_attribute_id.clone(),
            name: a.name.clone(),
            r#type: a.r#type.clone(),
            value: a.value.clone(),
            insert_date: obp_date(a.insert_date),
        }
    }
}

/// The body of a personal attribute, checked as OBP checks it (the value is not checked
/// against the type).
fn attribute_body(body: &JsonBody) -> Result<UserAttributeJsonV400> {
    let p: UserAttributeJsonV400 = body.extract("UserAttributeJsonV400")?;
    if !TYPES.contains(&p.r#type.as_str()) {
        return Err(Error::InvalidJson(
            " The `Type` field can only accept the following field: DOUBLE(12.1234), \
             STRING(TAX_NUMBER), INTEGER (123)and DATE_WITH_DAY(2012-04-23)"
                .into(),
        ));
    }
    validate::text(&p.name, 255)?;
    validate::text(&p.value, 255)?;
    Ok(p)
}

/// Create My Personal User Attribute
///
/// `type` is one of `STRING`, `INTEGER`, `DOUBLE` or `DATE_WITH_DAY`.
#[utoipa::path(
    post, path = "/obp/v4.0.0/my/user/attributes", operation_id = "OBPv4.0.0-createMyPersonalUserAttribute", tag = "User",
    request_body = UserAttributeJsonV400,
    responses(
        (status = 201, description = "The new attribute", body = UserAttributeResponseJsonV400),
        (status = 400, description = "OBP-10001: bad JSON or type; OBP-20010/OBP-20011: a bad value", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn create_my_personal_user_attribute(
    user: DirectLoginUser,
    sandbox: Sandbox,
    body: JsonBody,
) -> Result<HttpResponse> {
    let p = attribute_body(&body)?;
    let record = AttributeRecord {
        user_attribute_id: sandbox.ids.uuid(Purpose::Misc),
        user_id: user.user_id().to_string(),
        name: p.name,
        r#type: p.r#type,
        value: p.value,
        insert_date: sandbox.clock.now(),
        is_personal: true,
    };
    sandbox.obp().add_attribute(record.clone());
    Ok(HttpResponse::Created().json(UserAttributeResponseJsonV400::of(&record)))
}

/// Get My Personal User Attributes
///
/// The caller's personal attributes, newest first.
#[utoipa::path(
    get, path = "/obp/v4.0.0/my/user/attributes", operation_id = "OBPv4.0.0-getMyPersonalUserAttributes", tag = "User",
    responses(
        (status = 200, description = "The caller's personal attributes", body = UserAttributesResponseJson),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_my_personal_user_attributes(
    user: DirectLoginUser,
    sandbox: Sandbox,
) -> Result<HttpResponse> {
    let user_attributes = sandbox
        .obp()
        .attributes(user.user_id())
        .iter()
        .filter(|a| a.is_personal)
        .map(UserAttributeResponseJsonV400::of)
        .collect();
    Ok(HttpResponse::Ok().json(UserAttributesResponseJson { user_attributes }))
}

/// Update My Personal User Attribute
///
/// Replaces name, type and value of one of the caller's personal attributes; `insert_date`
/// stays. An unknown id (or another user's) is 400 `OBP-50200`, as OBP answers it.
#[utoipa::path(
    put, path = "/obp/v4.0.0/my/user/attributes/{USER_ATTRIBUTE_ID}", operation_id = "OBPv4.0.0-updateMyPersonalUserAttribute", tag = "User",
    params(("USER_ATTRIBUTE_ID" = String, Path, description = "The `user_attribute_id` that `createMyPersonalUserAttribute` returned", example = "7uy8a7e4-6d02-40e3-a129-0b2bf89de8uh")),
    request_body = UserAttributeJsonV400,
    responses(
        (status = 200, description = "The updated attribute", body = UserAttributeResponseJsonV400),
        (status = 400, description = "OBP-10001: bad JSON or type; OBP-50200: no such attribute", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn update_my_personal_user_attribute(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse> {
    let p = attribute_body(&body)?;
    let updated = sandbox
        .obp()
        .update_personal_attribute(
            user.user_id(),
            &path.into_inner(),
            p.name,
            p.r#type,
            p.value,
        )
        .ok_or(Error::Connector(None))?;
    Ok(HttpResponse::Ok().json(UserAttributeResponseJsonV400::of(&updated)))
}

/// Get User with Attributes by USER_ID
///
/// Needs `CanGetUsersWithAttributes`. The user with every attribute, personal or not.
#[utoipa::path(
    get, path = "/obp/v4.0.0/users/{USER_ID}/attributes", operation_id = "OBPv4.0.0-getUserWithAttributes", tag = "User",
    params(("USER_ID" = String, Path, example = "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1")),
    responses(
        (status = 200, description = "The user and their attributes", body = UserWithAttributesResponseJson),
        (status = 400, description = "OBP-20057: no such user", body = ErrorMessage),
        (status = 401, description = "OBP-20001: not logged in", body = ErrorMessage),
        (status = 403, description = "OBP-20006: missing CanGetUsersWithAttributes", body = ErrorMessage),
    ),
    security(("directLogin" = [])),
)]
pub async fn get_user_with_attributes(
    user: DirectLoginUser,
    sandbox: Sandbox,
    path: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.obp();
    user.require(state, "CanGetUsersWithAttributes")?;
    let user_id = path.into_inner();
    let found = state
        .user(&user_id)
        .ok_or_else(|| Error::UserNotFoundByUserId(format!(" Current USER_ID({user_id}) ")))?;
    Ok(HttpResponse::Ok().json(UserWithAttributesResponseJson {
        user_attributes: state
            .attributes(&found.user_id)
            .iter()
            .map(UserAttributeResponseJsonV400::of)
            .collect(),
        user_id: found.user_id.to_string(),
        email: found.email,
        provider_id: found.provider_id,
        provider: found.provider.to_string(),
        username: found.username,
    }))
}
