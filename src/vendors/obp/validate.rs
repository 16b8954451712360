//! Request bodies and field rules: the JSON body the OBP middleware parsed, extracted into a case
//! class with OBP's `OBP-10001 ... The Json body should be the <Class> ` error, OBP's password
//! rule (`fullPasswordValidation`), the `AuthUser` username and email rules, and length and
//! character limits on stored text.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use super::auth::password_char;
use super::errors::{Error, Result};

/// The body of a POST or PUT as the middleware parsed it (`None`: an empty body).
#[derive(Debug, Clone, Default)]
pub struct ParsedBody(pub Option<serde_json::Value>);

/// Extractor: the parsed JSON body. Extraction into a type happens in the handler, after the
/// authentication and role checks, as in OBP.
#[derive(Debug, Clone, Default)]
pub struct JsonBody(pub Option<serde_json::Value>);

impl FromRequest for JsonBody {
    type Error = Error;
    type Future = Ready<Result<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let body = req
            .extensions()
            .get::<ParsedBody>()
            .cloned()
            .unwrap_or_default();
        ready(Ok(JsonBody(body.0)))
    }
}

impl JsonBody {
    /// The body as `T`, or 400 `OBP-10001: Incorrect json format. The Json body should be the
    /// <class> ` (an empty `class` gives the bare message, as `createUser` does).
    pub fn extract<T: DeserializeOwned>(&self, class: &str) -> Result<T> {
        let error = || {
            if class.is_empty() {
                Error::InvalidJson(String::new())
            } else {
                Error::InvalidJson(format!(" The Json body should be the {class} "))
            }
        };
        let value = self.0.clone().ok_or_else(error)?;
        serde_json::from_value(value).map_err(|_| error())
    }
}

/// OBP's `fullPasswordValidation`: 10-16 characters with a digit, a lower- and an upper-case
/// letter and a special character; or 17-512 characters of the basic set (which allows a space).
pub fn password(p: &str) -> Result<()> {
    let len = p.chars().count();
    let basic = !p.is_empty() && p.chars().all(password_char);
    let strong = (10..=16).contains(&len)
        && p.chars().all(|c| c != ' ')
        && p.chars().any(|c| c.is_ascii_digit())
        && p.chars().any(|c| c.is_ascii_lowercase())
        && p.chars().any(|c| c.is_ascii_uppercase())
        && p.chars()
            .any(|c| c.is_ascii_punctuation() && c != '[' && c != ']');
    if basic && ((17..=512).contains(&len) || strong) {
        Ok(())
    } else {
        Err(Error::InvalidPasswordFormat)
    }
}

/// A W3C-style email address (`AuthUser`'s email field), at most `max` characters.
pub fn email(e: &str, max: usize) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    e.len() <= max
        && !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c))
        && !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `AuthUser`'s username rule: an email, or 8-100 of `A-Z a-z 0-9 . _` without a leading,
/// trailing or doubled `.`/`_`.
pub fn username(u: &str) -> bool {
    if email(u, 100) {
        return true;
    }
    let special = |c: char| c == '.' || c == '_';
    (8..=100).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_alphanumeric() || special(c))
        && !u.starts_with(special)
        && !u.ends_with(special)
        && !u
            .chars()
            .zip(u.chars().skip(1))
            .any(|(a, b)| special(a) && special(b))
}

/// Stored text: at most `max` characters and no control characters.
pub fn text(value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::ValueTooLong);
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidValueCharacters);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_obps_table() {
        for ok in [
            "Passw0rd!1",
            "Password1!",
            "aaaaaaaaaaaaaaaaa",
            "Pass word1!xxxxxx",
            "Passw0rd\\1",
        ] {
            assert!(password(ok).is_ok(), "{ok}");
        }
        for bad in [
            "Passw0rd!",
            "password1!",
            "PASSWORD1!",
            "Password12",
            "Passw0rd 1!",
            "aaaaaaaaaaaaaaaa",
            "Pässw0rd!1",
            "Passw0rd[1",
            "aaaaaaaaaaaaaaaa[",
        ] {
            assert!(password(bad).is_err(), "{bad}");
        }
        assert!(password(&"a".repeat(513)).is_err());
    }

    #[test]
    fn usernames_are_emails_or_dotted_names() {
        assert!(username("felixsmith") && username("tom.smith") && username("t@example.com"));
        assert!(!username("short") && !username(".leading.dot") && !username("double..dot"));
        assert!(!username("trailing_") && !username("has space"));
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert!(email("felixsmith@example.com", 48));
        assert!(!email("felixsmith", 48) && !email("@example.com", 48) && !email("a@b..c", 48));
        assert!(!email(&format!("{}@example.com", "a".repeat(40)), 48));
    }
}
