//! Authress endpoints.
