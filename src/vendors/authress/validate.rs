//! Field rules of Authress's Users and Tenants APIs, in Authress's words.

use super::errors::{Error, Result};

const DEFAULT_LIMIT: usize = 100;
pub const MAX_USER_ID: usize = 128;

/// `limit`: 1 to 100, 100 when absent.
pub fn limit(limit: Option<&str>) -> Result<usize> {
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

/// Authress's user id rule: 1 to 128 of `a-zA-Z0-9+._|/~:@`, whitespace and `-`.
pub fn user_id(name: &str, user_id: &str) -> Result<()> {
    // An ASCII id (nearly every one) is checked a byte at a time, without decoding characters.
    let valid = if user_id.is_ascii() {
        (1..=MAX_USER_ID).contains(&user_id.len()) && user_id.bytes().all(allowed_ascii)
    } else {
        let length = user_id.chars().count();
        (1..=MAX_USER_ID).contains(&length) && user_id.chars().all(allowed)
    };
    if !valid {
        return Err(Error::InvalidParameter(format!(
            "The {name} must be 1 to {MAX_USER_ID} characters of a-z, A-Z, 0-9, whitespace and +._|/~:@-."
        )));
    }
    Ok(())
}

/// A character of a user id.
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_whitespace() || "+._|/~:@-".contains(c)
}

/// [`allowed`] of an ASCII character: the ASCII whitespace is tab, line feed, vertical tab, form
/// feed, carriage return and space.
fn allowed_ascii(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'\t'
                | b'\n'
                | 0x0b
                | 0x0c
                | b'\r'
                | b' '
                | b'+'
                | b'.'
                | b'_'
                | b'|'
                | b'/'
                | b'~'
                | b':'
                | b'@'
                | b'-'
        )
}

/// Authress's tenant id rule: 1 to `max` of `a-zA-Z0-9-_.:`.
pub fn tenant_id(tenant_id: &str, max: usize) -> Result<()> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-_.:".contains(&b);
    if tenant_id.is_empty() || tenant_id.len() > max || !tenant_id.bytes().all(allowed) {
        return Err(Error::InvalidParameter(format!(
            "The tenantId must be 1 to {max} characters of a-z, A-Z, 0-9 and -_.:"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte check of ASCII ids allows exactly the characters the character check allows.
    #[test]
    fn ascii_user_ids_are_checked_as_characters_are() {
        for b in 0..=127u8 {
            assert_eq!(allowed_ascii(b), allowed(char::from(b)), "{b:#04x}");
            let id = format!("a{}b", char::from(b));
            assert_eq!(
                user_id("userId", &id).is_ok(),
                allowed(char::from(b)),
                "{b:#04x}"
            );
        }
        assert!(user_id("userId", &"a".repeat(MAX_USER_ID)).is_ok());
        assert!(user_id("userId", &"a".repeat(MAX_USER_ID + 1)).is_err());
        assert!(user_id("userId", "").is_err());
        assert!(user_id("userId", &"\u{3000}".repeat(MAX_USER_ID)).is_ok());
        assert!(user_id("userId", &"\u{3000}".repeat(MAX_USER_ID + 1)).is_err());
        assert!(user_id("userId", "a\u{e9}").is_err());
    }

    #[test]
    fn limits_outside_1_to_100_are_refused() {
        assert_eq!(limit(None), Ok(100));
        assert_eq!(limit(Some("1")), Ok(1));
        assert!(limit(Some("0")).is_err());
        assert!(limit(Some("101")).is_err());
        assert!(limit(Some("ten")).is_err());
    }
}
