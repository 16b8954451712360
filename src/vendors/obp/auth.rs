//! DirectLogin, as OBP does it: credentials or a token in the `DirectLogin` header (or the older
//! `Authorization: DirectLogin ...`), parsed as comma-separated `name=value` pairs. The
//! `DirectLoginUser` extractor authenticates (the 401s); roles are checked by the handlers, because
//! OBP's check order differs per endpoint (e.g. `unlockUser` looks the user up first).

use std::borrow::Cow;
use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use utoipa::Modify;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use crate::store::{Caller, RequestContext};

use super::errors::{Error, Result};
use crate::vendors::obp::ObpWorld;

pub const DIRECT_LOGIN: &str = "DirectLogin";

/// The pairs of a DirectLogin header; OBP keeps only these four names.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DirectLoginParams {
    pub username: Option<String>,
    pub password: Option<String>,
    pub consumer_key: Option<String>,
    pub token: Option<String>,
}

/// The DirectLogin header's value: `DirectLogin: ...` wins over `Authorization: DirectLogin ...`.
/// `Ok(None)` when neither header is sent; `Err(())` for an `Authorization` of another scheme.
fn header_value(req: &HttpRequest) -> Result<Option<Cow<'_, str>>, ()> {
    if let Some(value) = req.headers().get(DIRECT_LOGIN) {
        return Ok(Some(text(value.as_bytes())));
    }
    match req.headers().get(AUTHORIZATION) {
        Some(value) => {
            let value = text(value.as_bytes());
            if value.contains(DIRECT_LOGIN) {
                Ok(Some(value))
            } else {
                Err(())
            }
        }
        None => Ok(None),
    }
}

/// A header's bytes as text: `from_utf8_lossy`'s answer, checked the quick way first (a header
/// is nearly always valid, and mostly ASCII).
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// OBP's parsing: strip a leading `DirectLogin`, split on `,`, split each part on the first `=`,
/// strip surrounding quotes, drop empty values. The pairs in header order, borrowed.
fn pairs(value: &str) -> impl DoubleEndedIterator<Item = (&str, &str)> {
    let value = value.trim();
    let value = value.strip_prefix(DIRECT_LOGIN).unwrap_or(value);
    value.split(',').filter_map(|part| {
        let (name, v) = part.trim().split_once('=')?;
        let v = v.trim().trim_matches('"');
        (!v.is_empty()).then(|| (name.trim(), v))
    })
}

/// [`pairs`] kept as OBP keeps them: a name given twice keeps its last value.
pub fn parse(value: &str) -> DirectLoginParams {
    let mut params = DirectLoginParams::default();
    for (name, v) in pairs(value) {
        let slot = match name {
            "username" => &mut params.username,
            "password" => &mut params.password,
            "consumer_key" => &mut params.consumer_key,
            "token" => &mut params.token,
            _ => continue,
        };
        *slot = Some(v.to_string());
    }
    params
}

/// The `token` of a DirectLogin header as [`parse`] keeps it, borrowed from the header.
fn token_of(value: &str) -> Option<&str> {
    pairs(value)
        .rfind(|(name, _)| *name == "token")
        .map(|(_, v)| v)
}

fn check_value(value: &str, allowed: impl Fn(char) -> bool) -> Result<()> {
    // No more characters than bytes: only a long value is counted.
    if value.len() > 512 && value.chars().count() > 512 {
        return Err(Error::ValueTooLong);
    }
    if !value.chars().all(allowed) {
        return Err(Error::InvalidValueCharacters);
    }
    Ok(())
}

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '@')
}

/// OBP's basic password character set (ASCII letters, digits, space and specials but `[` `]`:
/// ``!"#$%&'()*+,-./:;<=>?@\^_`{|}~``).
pub fn password_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == ' ' || (c.is_ascii_punctuation() && c != '[' && c != ']')
}

/// The credentials of a `POST /my/logins/direct`, validated in OBP's order.
pub fn login_credentials(req: &HttpRequest) -> Result<(String, String, String)> {
    let value = match header_value(req) {
        Ok(Some(value)) => value,
        Ok(None) => return Err(Error::MissingDirectLoginHeader),
        Err(()) => return Err(Error::InvalidDirectLoginHeader),
    };
    let params = parse(&value);
    let missing: Vec<&'static str> = [
        ("username", params.username.is_none()),
        ("password", params.password.is_none()),
        ("consumer_key", params.consumer_key.is_none()),
    ]
    .into_iter()
    .filter_map(|(name, absent)| absent.then_some(name))
    .collect();
    let (Some(username), Some(password), Some(consumer_key)) =
        (params.username, params.password, params.consumer_key)
    else {
        return Err(Error::DirectLoginMissingParameters(missing));
    };
    check_value(&username, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '@' | ' ')
    })?;
    check_value(&password, password_char)?;
    check_value(&consumer_key, |c| c.is_ascii_alphanumeric() || c == '-')?;
    Ok((username, password, consumer_key))
}

/// A logged-in OBP user: a valid DirectLogin token of a user who is neither deleted nor locked.
/// It holds the user's id, not a copy of the record: handlers read what they need in place.
#[derive(Debug, Clone)]
pub struct DirectLoginUser {
    user_id: Arc<str>,
    pub consumer_key: String,
}

fn authenticate(req: &HttpRequest) -> Result<DirectLoginUser> {
    let ctx = RequestContext::of(req).ok_or(Error::Unknown)?;
    let value = match header_value(req) {
        Ok(Some(value)) => value,
        Ok(None) => return Err(Error::UserNotLoggedIn),
        Err(()) => return Err(Error::UnsupportedAuthorizationHeader),
    };
    let Some(token) = token_of(&value) else {
        return Err(Error::DirectLoginMissingParameters(vec!["token"]));
    };
    check_value(token, token_char)?;
    let state = ctx.world.obp();
    let invalid = || Error::DirectLoginInvalidToken(token.to_string());
    let (consumer_key, user) = state
        .with_token(token, ctx.world.clock.now(), |record| {
            let user = state.with_user(&record.user_id, |user| {
                // OBP's checks, in its order, while the row is read.
                let caller = if user.is_deleted {
                    Err(Error::UserDeleted)
                } else if state.is_locked(user) {
                    Err(Error::UserLocked)
                } else {
                    Ok(Caller::labelled("obp user", &user.username))
                };
                (user.user_id.clone(), caller)
            });
            (record.consumer_key.clone(), user)
        })
        .ok_or_else(invalid)?;
    let (user_id, caller) = user.ok_or_else(invalid)?;
    req.extensions_mut().insert(caller?);
    Ok(DirectLoginUser {
        user_id,
        consumer_key,
    })
}

impl FromRequest for DirectLoginUser {
    type Error = Error;
    type Future = Ready<Result<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

impl DirectLoginUser {
    /// OBP's `hasEntitlement` for system roles: 403 `OBP-20006 ... <role>` without it.
    pub fn require(&self, state: &super::State, role: &str) -> Result<()> {
        if state.has_role(&self.user_id, role, "") {
            Ok(())
        } else {
            Err(Error::MissingRoles(role.to_string()))
        }
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// The `directLogin` scheme: an API key in the `DirectLogin` header, so Swagger UI's Authorize
/// button sends `DirectLogin: token=...` on every call.
pub struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "directLogin",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                DIRECT_LOGIN,
                "DirectLogin token. Get one with `POST /my/logins/direct` and the header \
                 `DirectLogin: username=sandbox.admin, password=Admin-Sandbox-2026!, \
                 consumer_key=sandbox-consumer-key` (the super admin, who holds every \
                 user-management role), then enter `token=<the token>` here.",
            ))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character classes, written as matches, are the sets OBP documents.
    #[test]
    fn character_sets_are_obps() {
        let specials = "!\"#$%&'()*+,-./:;<=>?@\\^_`{|}~";
        for c in (0u8..=255).map(char::from).chain(['€', 'ß']) {
            let alnum = c.is_ascii_alphanumeric();
            assert_eq!(
                password_char(c),
                alnum || c == ' ' || specials.contains(c),
                "{c:?}"
            );
            assert_eq!(token_char(c), alnum || "-._@".contains(c), "{c:?}");
        }
    }

    #[test]
    fn direct_login_headers_parse_like_obp() {
        let p = parse("DirectLogin username=\"felix\", password=a=b, consumer_key=k, other=x");
        assert_eq!(p.username.as_deref(), Some("felix"));
        assert_eq!(p.password.as_deref(), Some("a=b"));
        assert_eq!(p.consumer_key.as_deref(), Some("k"));
        assert_eq!(parse("token=").token, None);
        assert_eq!(parse("token=abc").token.as_deref(), Some("abc"));
    }

    #[test]
    fn a_token_is_the_last_non_empty_one_as_parse_keeps_it() {
        for value in [
            "token=a",
            "DirectLogin token=\"a\", token=b",
            "token=a, token=, token=\"\"",
            "username=u, token = c ,password=p",
            "token",
            "",
        ] {
            assert_eq!(token_of(value), parse(value).token.as_deref(), "{value}");
        }
    }

    #[test]
    fn header_text_is_from_utf8_lossy() {
        for bytes in [
            &b"token=abc"[..],
            "Zoë".as_bytes(),
            b"bad \xff\xfe utf8",
            b"",
        ] {
            assert_eq!(text(bytes), String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn the_basic_password_charset_excludes_brackets() {
        assert!("Passw0rd\\1^".chars().all(password_char));
        assert!(!"Passw0rd[1".chars().all(password_char));
        assert!(!"Pässw0rd!1".chars().all(password_char));
    }

    fn login_request(header: (&'static str, String)) -> HttpRequest {
        actix_web::test::TestRequest::default()
            .insert_header(header)
            .to_http_request()
    }

    proptest::proptest! {
        // Any header text parses without a panic, and a login either succeeds with values of
        // OBP's character sets or fails with one of OBP's 400s.
        #[test]
        fn any_direct_login_header_parses_or_gets_obps_400(value in "\\PC{0,600}") {
            // The token is read borrowed, as `parse` keeps it.
            let params = parse(&value);
            proptest::prop_assert_eq!(token_of(&value), params.token.as_deref());
            let Ok(header) = actix_web::http::header::HeaderValue::from_str(&value) else {
                return Ok(());
            };
            let req = actix_web::test::TestRequest::default()
                .insert_header((DIRECT_LOGIN, header))
                .to_http_request();
            match login_credentials(&req) {
                Ok((username, password, key)) => {
                    proptest::prop_assert!(password.chars().all(password_char));
                    proptest::prop_assert!(username.chars().count() <= 512);
                    proptest::prop_assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
                }
                Err(e) => proptest::prop_assert_eq!(e.status().as_u16(), 400, "{}", e),
            }
        }

        #[test]
        fn well_formed_credentials_round_trip(
            username in "[a-z0-9._@-]{1,40}",
            password in "[A-Za-z0-9!#$%&()*+./:;<>?@^_{|}~-]{1,60}",
            key in "[A-Za-z0-9-]{1,40}",
            quoted in proptest::bool::ANY,
        ) {
            let q = if quoted { "\"" } else { "" };
            let value = format!("DirectLogin username={q}{username}{q},password={q}{password}{q}, consumer_key={key}");
            let req = login_request((DIRECT_LOGIN, value.clone()));
            proptest::prop_assert_eq!(login_credentials(&req), Ok((username.clone(), password.clone(), key.clone())));
            // The older `Authorization: DirectLogin ...` form reads the same.
            let req = login_request(("Authorization", value));
            proptest::prop_assert_eq!(login_credentials(&req), Ok((username, password, key)));
        }

        #[test]
        fn values_over_512_characters_are_too_long(extra in 1usize..2000) {
            let value = format!("username={}, password=p, consumer_key=k", "u".repeat(512 + extra));
            let req = login_request((DIRECT_LOGIN, value));
            proptest::prop_assert_eq!(login_credentials(&req), Err(Error::ValueTooLong));
        }
    }
}
