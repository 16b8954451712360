//! Users: `/v1/users...`. User ids are the identity providers' ids (`google-oauth2|1234`), sent
//! percent-encoded in paths (`google-oauth2%7C1234`) and decoded by the `Path` extractor.

use std::cell::Cell;

use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::store::Sandbox;
use crate::store::page::{JsonObject, JsonRows};
use crate::vendors::authress::LINKS_JSON;
use crate::vendors::authress::auth::{ServiceClient, ServiceClientOrUser};
use crate::vendors::authress::errors::{Error, Result};
use crate::vendors::authress::models::{
    Access, CollectionLinks, Link, Pagination, PaginationNext, ResponseError, UserIdentity,
    UserIdentityCollection, UserIdentityCollectionRest,
};
use crate::vendors::authress::state::UserRecord;

use super::base_url;
use crate::vendors::authress::AuthressWorld;
use crate::vendors::authress::validate::{self, MAX_USER_ID};

const MAX_FILTER: usize = 64;

impl From<UserRecord> for UserIdentity<'static> {
    fn from(u: UserRecord) -> Self {
        Self {
            user_id: u.user_id.to_string().into(),
            name: u.name.map(Into::into),
            picture: u.picture.map(|p| p.into_string().into()),
            email: u.email.map(Into::into),
        }
    }
}

/// Writes a user as serde_json writes its [`UserIdentity`] (the same members, in the same order).
fn write_user_identity(out: &mut Vec<u8>, u: &UserRecord) {
    // Room for the row at once (a derived picture is about 80 bytes, the names and quotes 40).
    let text = |s: Option<&str>| s.map_or(0, str::len);
    out.reserve(u.user_id.len() + text(u.name.as_deref()) + text(u.email.as_deref()) + 128);
    let mut user = JsonObject::new(out);
    user.field_str("userId", &u.user_id)
        .field_opt_str("name", u.name.as_deref());
    if let Some(picture) = &u.picture {
        user.field_with("picture", |out| picture.write_json(out));
    }
    user.field_opt_str("email", u.email.as_deref());
    user.end();
}

/// `Content-Type: application/links+json`, from the constant text (not parsed again per response).
fn links_json() -> (HeaderName, HeaderValue) {
    (CONTENT_TYPE, HeaderValue::from_static(LINKS_JSON))
}

/// The query of `GET /v1/users`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct GetUsersQuery {
    /// Max number of results to return.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100, default = 100)]
    limit: Option<String>,
    /// Continuation cursor for paging: the `pagination.next.cursor` of the previous page. The
    /// sandbox's cursors are the URL-safe base64 (no padding) of the last user id of a page, and
    /// any such text is a position in the user id order; empty is the first page.
    #[param(
        max_length = 512,
        pattern = "^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$"
    )]
    cursor: Option<String>,
    /// Filter to search users by. This is a case insensitive search through every text field.
    #[param(min_length = 0, max_length = 64)]
    filter: Option<String>,
    /// Return only users that are part of the specified tenant (1 to 64 of `a-zA-Z0-9-_.:`, as
    /// Authress's document says; `tenantId=` is a 400).
    #[param(min_length = 1, max_length = 64, pattern = "^[a-zA-Z0-9-_.:]+$")]
    tenant_id: Option<String>,
}

/// The cursor is the URL-safe base64 of the last user id of the previous page, so it stays valid
/// while users before or after it are added or deleted.
fn encode_cursor(user_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(user_id)
}

/// The longest cursor: a user id of 128 characters of at most 3 UTF-8 bytes (the user id rule's
/// widest characters are whitespace such as U+3000), 384 bytes, is 512 base64 characters.
const MAX_CURSOR: usize = 4 * (3 * MAX_USER_ID) / 3;

/// Any canonical URL-safe base64 text up to [`MAX_CURSOR`] is a position: the page starts after
/// the ids that sort at or before the decoded text (bytes that are not UTF-8 read as U+FFFD).
fn decode_cursor(cursor: &str) -> Result<Option<String>> {
    if cursor.len() > MAX_CURSOR {
        return Err(Error::InvalidCursor);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| Error::InvalidCursor)?;
    Ok((!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned()))
}

/// The request's query with the cursor replaced, after the request's `base` URL.
fn next_href(req: &HttpRequest, base: &str, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| k != "cursor");
    pairs.push(("cursor".into(), cursor.into()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{base}{}?{query}", req.path())
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
    let limit = validate::limit(q.limit.as_deref())?;
    let after = match q.cursor.as_deref() {
        None => None,
        Some(cursor) => decode_cursor(cursor)?,
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
        Some(t) => {
            validate::tenant_id(&t, 64)?;
            Some(t)
        }
        None => None,
    };
    // Each user is written as JSON while its row is read. Only the `limit`-th user's id is
    // kept: a next cursor exists only when a full page was read and more follow.
    let rows = JsonRows::new("users", limit, 256);
    let listed = Cell::new(0usize);
    let (users, more) = sandbox.authress().list_users(
        after.as_deref(),
        limit,
        filter.as_deref(),
        tenant_id.as_deref(),
        |u| {
            listed.set(listed.get() + 1);
            (
                (listed.get() == limit).then(|| u.user_id.clone()),
                rows.push_with(|out| write_user_identity(out, u)),
            )
        },
    );
    let next_cursor = users
        .last()
        .filter(|_| more)
        .and_then(|(user_id, _)| user_id.as_deref().map(encode_cursor));
    let base = base_url(&req);
    let links = CollectionLinks {
        this: Link {
            href: format!("{base}{}", req.uri()),
        },
        next: next_cursor.as_ref().map(|c| Link {
            href: next_href(&req, &base, c),
        }),
    };
    let rest = UserIdentityCollectionRest {
        pagination: next_cursor.map(|cursor| Pagination {
            next: PaginationNext { cursor },
        }),
        links,
    };
    let body = rows
        .into_object(users.last().map(|(_, end)| *end), &rest)
        .map_err(|_| Error::Unexpected)?;
    Ok(HttpResponse::Ok().insert_header(links_json()).body(body))
}

/// Retrieve a user
///
/// Get the user data associated with a user. The data returned by this endpoint is highly variable
/// based on the source OAuth provider. Avoid depending on undocumented properties.
#[utoipa::path(
    get, path = "/v1/users/{userId}", operation_id = "getUser", tag = "Users",
    params(("userId" = String, Path, description = "The user identifier, percent-encoded (`google-oauth2%7C1234`): 1 to 128 of `a-z A-Z 0-9`, whitespace and `+._|/~:@-`.", example = "google-oauth2|108915727483261245613", pattern = r"^[a-zA-Z0-9\s+._|/~:@-]{1,128}$", min_length = 1, max_length = 128)),
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
    validate::user_id("userId", &user_id)?;
    // Written as a page writes its rows: the same bytes as the documented `UserIdentity`.
    let mut body = Vec::with_capacity(256);
    sandbox
        .authress()
        .read_user(&user_id, |u| write_user_identity(&mut body, u))?;
    Ok(HttpResponse::Ok().insert_header(links_json()).body(body))
}

/// Delete a user
///
/// Removes the user, all access the user has been granted through Authress access records, and any
/// related user data (here: the user's tenant link). The sandbox completes it before answering.
#[utoipa::path(
    delete, path = "/v1/users/{userId}", operation_id = "deleteUser", tag = "Users",
    params(("userId" = String, Path, description = "The user identifier, percent-encoded (`google-oauth2%7C1234`): 1 to 128 of `a-z A-Z 0-9`, whitespace and `+._|/~:@-`.", example = "google-oauth2|108915727483261245613", pattern = r"^[a-zA-Z0-9\s+._|/~:@-]{1,128}$", min_length = 1, max_length = 128)),
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
    validate::user_id("userId", &user_id)?;
    sandbox.authress().delete_user(&user_id)?;
    Ok(HttpResponse::Accepted().finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::authress::state::Picture;

    /// `getUsers` writes each user while its row is read: the page it sends is byte for byte the
    /// documented `UserIdentityCollection` of the same users (escapes, absent members and all).
    #[test]
    fn a_page_of_listed_users_is_the_documented_collection() {
        let users = [
            UserRecord {
                user_id: "google-oauth2|1".into(),
                name: Some("Zoë \"Z\" O'Brien\n".into()),
                email: Some("zoe@example.com".into()),
                picture: Some(Picture::of_email("zoe@example.com")),
                tenant_id: Some("ten_acme".into()),
            },
            UserRecord {
                user_id: "auth0|2".into(),
                name: None,
                email: None,
                picture: Some(String::from("https://example.com/p?a=1&b=\u{2028}").into()),
                tenant_id: None,
            },
            UserRecord {
                user_id: "samlp|\\\"\u{1}\t東京".into(),
                name: Some(String::new()),
                email: Some("\u{7f}/".into()),
                picture: None,
                tenant_id: None,
            },
        ];
        let links = || CollectionLinks {
            this: Link {
                href: "http://127.0.0.1/v1/users?limit=2".into(),
            },
            next: None,
        };
        for (kept, more) in [(0, false), (1, true), (2, true), (3, false)] {
            let pagination = more.then(|| Pagination {
                next: PaginationNext {
                    cursor: encode_cursor(&users[kept - 1].user_id),
                },
            });
            let rows = JsonRows::new("users", 3, 256);
            // A window reads one row past its limit.
            let ends: Vec<usize> = users
                .iter()
                .map(|u| rows.push_with(|out| write_user_identity(out, u)))
                .collect();
            let rest = UserIdentityCollectionRest {
                pagination: pagination.clone(),
                links: links(),
            };
            let page = rows
                .into_object(kept.checked_sub(1).map(|last| ends[last]), &rest)
                .unwrap();
            let documented = UserIdentityCollection {
                users: users[..kept]
                    .iter()
                    .cloned()
                    .map(UserIdentity::from)
                    .collect(),
                pagination,
                links: links(),
            };
            assert_eq!(
                String::from_utf8(page).unwrap(),
                serde_json::to_string(&documented).unwrap()
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let cursor = encode_cursor("google-oauth2|1234");
        assert_eq!(
            decode_cursor(&cursor).unwrap().as_deref(),
            Some("google-oauth2|1234")
        );
        assert_eq!(decode_cursor(""), Ok(None));
        assert_eq!(decode_cursor("not a cursor!"), Err(Error::InvalidCursor));
        // Not canonical (trailing bits set, or a lone character): not base64 of anything.
        assert_eq!(decode_cursor("AB"), Err(Error::InvalidCursor));
        assert_eq!(decode_cursor("AAAAA"), Err(Error::InvalidCursor));
        assert_eq!(
            decode_cursor(&"A".repeat(MAX_CURSOR + 4)),
            Err(Error::InvalidCursor)
        );
        // Base64 of bytes that are not UTF-8 is still a position (the document's pattern).
        assert_eq!(
            decode_cursor(&URL_SAFE_NO_PAD.encode([0xff, 0xfe])),
            Ok(Some("\u{fffd}\u{fffd}".into()))
        );
    }

    proptest::proptest! {
        // User ids: 1 to 128 of the user id rule, whose widest characters are 3-byte whitespace.
        #[test]
        fn every_user_id_cursor_round_trips(id in "[a-zA-Z0-9+._|/~:@ \u{3000}-]{1,128}") {
            proptest::prop_assert_eq!(decode_cursor(&encode_cursor(&id)), Ok(Some(id)));
        }

        // Anything else is a position of this API or Authress's 400 `InvalidCursor`.
        #[test]
        fn foreign_cursors_get_invalid_cursor(cursor in "\\PC{0,600}") {
            match decode_cursor(&cursor) {
                Ok(Some(_)) => proptest::prop_assert!(
                    cursor.len() <= MAX_CURSOR && URL_SAFE_NO_PAD.decode(&cursor).is_ok()
                ),
                Ok(None) => proptest::prop_assert_eq!(cursor, ""),
                Err(e) => proptest::prop_assert_eq!(e, Error::InvalidCursor),
            }
        }

        #[test]
        fn any_limit_text_is_a_limit_or_a_400(limit in "\\PC{0,30}") {
            match validate::limit(Some(&limit)) {
                Ok(n) => proptest::prop_assert!((1..=100).contains(&n)),
                Err(e) => proptest::prop_assert_eq!(e.status().as_u16(), 400),
            }
        }
    }
}
