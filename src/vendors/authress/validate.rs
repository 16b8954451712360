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

    #[test]
    fn limits_outside_1_to_100_are_refused() {
        assert_eq!(limit(None), Ok(100));
        assert_eq!(limit(Some("1")), Ok(1));
        assert!(limit(Some("0")).is_err());
        assert!(limit(Some("101")).is_err());
        assert!(limit(Some("ten")).is_err());
    }
}
