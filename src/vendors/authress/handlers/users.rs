//! Users: `/v1/users...`. User ids are the identity providers' ids (`google-oauth2|1234`), sent
//! percent-encoded in paths (`google-oauth2%7C1234`) and decoded by the `Path` extractor.

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::store::Sandbox;
use crate::vendors::authress::LINKS_JSON;
use crate::vendors::authress::auth::{ServiceClient, ServiceClientOrUser};
use crate::vendors::authress::errors::{Error, Result};
use crate::vendors::authress::models::{
    Access, CollectionLinks, Link, Pagination, PaginationNext, ResponseError, UserIdentity,
    UserIdentityCollection,
};
use crate::vendors::authress::state::UserRecord;

use super::base_url;

const DEFAULT_LIMIT: usize = 100;
const MAX_FILTER: usize = 64;
const MAX_USER_ID: usize = 128;

impl From<UserRecord> for UserIdentity {
    fn from(u: UserRecord) -> Self {
        Self {
            user_id: u.user_id,
            name: u.name,
            picture: u.picture,
            email: u.email,
        }
    }
}

/// The query of `GET /v1/users`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct GetUsersQuery {
    /// Max number of results to return.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100, default = 100)]
    limit: Option<String>,
    /// Continuation cursor for paging: the `pagination.next.cursor` of the previous page.
    cursor: Option<String>,
    /// Filter to search users by. This is a case insensitive search through every text field.
    #[param(max_length = 64)]
    filter: Option<String>,
    /// Return only users that are part of the specified tenant.
    #[param(max_length = 64)]
    tenant_id: Option<String>,
}

fn parse_limit(limit: Option<&str>) -> Result<usize> {
    let Some(limit) = limit else {
        return Ok(DEFAULT_LIMIT);
    };
    match limit.parse::<usize>() {
        Ok(n) if (1..=100).contains(&n) => Ok(n),
        _ => Err(Error::InvalidParameter(format!(
            "The limit must be an integer from 1 to 100, not '{limit}'."
        ))),
    }
}

/// The cursor is the URL-safe base64 of the last user id of the previous page, so it stays valid
/// while users before or after it are added or deleted.
fn encode_cursor(user_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(user_id)
}

fn decode_cursor(cursor: &str) -> Result<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|id| !id.is_empty() && id.chars().count() <= MAX_USER_ID)
        .ok_or(Error::InvalidCursor)
}

/// Authress's user id rule: 1 to 128 of `a-zA-Z0-9+._|/~:@`, whitespace and `-`.
pub fn validate_user_id(name: &str, user_id: &str) -> Result<()> {
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || c.is_whitespace() || "+._|/~:@-".contains(c);
    let length = user_id.chars().count();
    if length == 0 || length > MAX_USER_ID || !user_id.chars().all(allowed) {
        return Err(Error::InvalidParameter(format!(
            "The {name} must be 1 to {MAX_USER_ID} characters of a-z, A-Z, 0-9, whitespace and +._|/~:@-."
        )));
    }
    Ok(())
}

/// Authress's tenant id rule: 1 to `max` of `a-zA-Z0-9-_.:`.
pub fn validate_tenant_id(tenant_id: &str, max: usize) -> Result<()> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-_.:".contains(&b);
    if tenant_id.is_empty() || tenant_id.len() > max || !tenant_id.bytes().all(allowed) {
        return Err(Error::InvalidParameter(format!(
            "The tenantId must be 1 to {max} characters of a-z, A-Z, 0-9 and -_.:"
        )));
    }
    Ok(())
}

/// The request's query with the cursor replaced.
fn next_href(req: &HttpRequest, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| k != "cursor");
    pairs.push(("cursor".into(), cursor.into()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}{}?{query}", base_url(req), req.path())
}

/// List users
///
/// Returns a paginated user list for the account. The data returned by this endpoint is highly
/// variable based on the source OAuth provider. Avoid depending on undocumented properties.
#[utoipa::path(
    get, path = "/v1/users", operation_id = "getUsers", tag = "Users",
    params(GetUsersQuery),
    responses(
        (status = 200, description = "Success.", body = UserIdentityCollection, content_type = "application/links+json"),
        (status = 400, description = "A bad limit, cursor, filter or tenantId.", body = ResponseError, content_type = "application/links+json"),
        (status = 401, description = "Unauthorized. The request JWT found in the Authorization header is no longer valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 403, description = "Forbidden. The user doesn't have permission to fetch users for the specified, but has other account permissions", body = ResponseError, content_type = "application/links+json"),
    ),
    security(("oauth2" = [])),
)]
pub async fn get_users(
    client: ServiceClient,
    sandbox: Sandbox,
    req: HttpRequest,
    query: web::Query<GetUsersQuery>,
) -> Result<HttpResponse> {
    client.require(Access::ReadUsers, "fetch users")?;
    let q = query.into_inner();
    let limit = parse_limit(q.limit.as_deref())?;
    let after = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(cursor) => Some(decode_cursor(cursor)?),
    };
    let filter = match q.filter {
        Some(f) if f.chars().count() > MAX_FILTER => {
            return Err(Error::InvalidParameter(format!(
                "The filter must not be longer than {MAX_FILTER} characters."
            )));
        }
        Some(f) if !f.trim().is_empty() => Some(f.trim().to_lowercase()),
        _ => None,
    };
    let tenant_id = match q.tenant_id {
        Some(t) if !t.is_empty() => {
            validate_tenant_id(&t, 64)?;
            Some(t)
        }
        _ => None,
    };
    let (users, more) = sandbox.authress.list_users(
        after.as_deref(),
        limit,
        filter.as_deref(),
        tenant_id.as_deref(),
    );
    let next_cursor = users
        .last()
        .filter(|_| more)
        .map(|u| encode_cursor(&u.user_id));
    let links = CollectionLinks {
        this: Link {
            href: format!("{}{}", base_url(&req), req.uri()),
        },
        next: next_cursor.as_ref().map(|c| Link {
            href: next_href(&req, c),
        }),
    };
    Ok(HttpResponse::Ok()
        .content_type(LINKS_JSON)
        .json(UserIdentityCollection {
            users: users.into_iter().map(UserIdentity::from).collect(),
            pagination: next_cursor.map(|cursor| Pagination {
                next: PaginationNext { cursor },
            }),
            links,
        }))
}

/// Retrieve a user
///
/// Get the user data associated with a user. The data returned by this endpoint is highly variable
/// based on the source OAuth provider. Avoid depending on undocumented properties.
#[utoipa::path(
    get, path = "/v1/users/{userId}", operation_id = "getUser", tag = "Users",
    params(("userId" = String, Path, description = "The user identifier, percent-encoded (`google-oauth2%7C1234`).", example = "google-oauth2|108915727483261245613")),
    responses(
        (status = 200, description = "Success.", body = UserIdentity, content_type = "application/links+json"),
        (status = 400, description = "The user identifier is not valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 401, description = "Unauthorized. The request JWT found in the Authorization header is no longer valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 403, description = "Forbidden. The user doesn't have permission to get user data.", body = ResponseError, content_type = "application/links+json"),
        (status = 404, description = "Not found. The user does not exist.", body = ResponseError, content_type = "application/links+json"),
    ),
    security(("oauth2" = [])),
)]
pub async fn get_user(
    caller: ServiceClientOrUser,
    sandbox: Sandbox,
    user_id: web::Path<String>,
) -> Result<HttpResponse> {
    caller.require_user_read(&user_id)?;
    validate_user_id("userId", &user_id)?;
    let user = sandbox.authress.user(&user_id)?;
    Ok(HttpResponse::Ok()
        .content_type(LINKS_JSON)
        .json(UserIdentity::from(user)))
}

/// Delete a user
///
/// Removes the user, all access the user has been granted through Authress access records, and any
/// related user data (here: the user's tenant link). The sandbox completes it before answering.
#[utoipa::path(
    delete, path = "/v1/users/{userId}", operation_id = "deleteUser", tag = "Users",
    params(("userId" = String, Path, description = "The user identifier, percent-encoded (`google-oauth2%7C1234`).", example = "google-oauth2|108915727483261245613")),
    responses(
        (status = 202, description = "Success. User will be deleted."),
        (status = 400, description = "The user identifier is not valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 401, description = "Unauthorized. The request JWT found in the Authorization header is no longer valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 403, description = "Forbidden. The user doesn't have permission to delete users.", body = ResponseError, content_type = "application/links+json"),
        (status = 404, description = "Not found. The user does not exist.", body = ResponseError, content_type = "application/links+json"),
    ),
    security(("oauth2" = [])),
)]
pub async fn delete_user(
    client: ServiceClient,
    sandbox: Sandbox,
    user_id: web::Path<String>,
) -> Result<HttpResponse> {
    client.require(Access::DeleteUsers, "delete users")?;
    validate_user_id("userId", &user_id)?;
    sandbox.authress.delete_user(&user_id)?;
    Ok(HttpResponse::Accepted().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let cursor = encode_cursor("google-oauth2|1234");
        assert_eq!(decode_cursor(&cursor).unwrap(), "google-oauth2|1234");
        assert_eq!(decode_cursor("not a cursor!"), Err(Error::InvalidCursor));
        assert_eq!(
            decode_cursor(&URL_SAFE_NO_PAD.encode([0xff, 0xfe])),
            Err(Error::InvalidCursor)
        );
    }

    #[test]
    fn limits_outside_1_to_100_are_refused() {
        assert_eq!(parse_limit(None), Ok(100));
        assert_eq!(parse_limit(Some("1")), Ok(1));
        assert!(parse_limit(Some("0")).is_err());
        assert!(parse_limit(Some("101")).is_err());
        assert!(parse_limit(Some("ten")).is_err());
    }
}
