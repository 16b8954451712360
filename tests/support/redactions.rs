//! Redactions that check the shape of a per-request value before hiding it.

use insta::internals::{Content, Redaction};

/// A generated request id: `selfgen-<uuid>`.
pub fn request_id() -> Redaction {
    insta::dynamic_redaction(|value, _path| {
        let id = value.as_str().expect("a string request id");
        assert!(
            id.starts_with("selfgen-") && id.len() == 44,
            "not a generated request id: {id}"
        );
        Content::from("[request-id]")
    })
}

/// An opaque token of `len` URL-safe characters.
pub fn token(len: usize) -> Redaction {
    insta::dynamic_redaction(move |value, _path| {
        let token = value.as_str().expect("a string token");
        assert_eq!(token.len(), len, "unexpected token length: {token}");
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "token with unexpected characters: {token}"
        );
        Content::from("[token]")
    })
}
