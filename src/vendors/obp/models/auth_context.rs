use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A key/value pair to attach to a user (`PostUserAuthContextJson`); both are required.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"key": "CUSTOMER_NUMBER", "value": "78987432"}))]
pub struct PostUserAuthContextJson {
    /// At most 4000 characters once trimmed, without control characters inside.
    #[schema(
        max_length = 4000,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u001f\u007f-\u009f]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub key: String,
    /// At most 4000 characters once trimmed, without control characters inside.
    #[schema(
        max_length = 4000,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u001f\u007f-\u009f]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub value: String,
}

/// The body of an auth context update request: OBP's `PostUserAuthContextJson` again, where
/// only the key `CUSTOMER_NUMBER` is allowed (`OBP-30088`) and both fields are at most 50
/// characters. Documents the request; the handler reads `PostUserAuthContextJson`.
#[derive(Debug, Clone, ToSchema)]
#[schema(example = json!({"key": "CUSTOMER_NUMBER", "value": "78987432"}))]
#[allow(dead_code)] // the document's shape of the request, never built
pub struct PostUserAuthContextUpdateRequestJson {
    #[schema(pattern = "^CUSTOMER_NUMBER$")]
    pub key: String,
    /// The customer number (at most 50 characters, no control characters).
    #[schema(max_length = 50, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub value: String,
}

/// A user auth context (`UserAuthContextJson`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_auth_context_id": "613c83ea-80f9-4560-8404-b9cd4ec42a7f", "user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1", "key": "CUSTOMER_NUMBER", "value": "78987432", "time_stamp": "2024-12-29T10:00:00Z"}))]
pub struct UserAuthContextJson {
    pub user_auth_context_id: String,
    pub user_id: String,
    pub key: String,
    pub value: String,
    pub time_stamp: String,
}

/// A user's auth contexts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserAuthContextsJson {
    pub user_auth_contexts: Vec<UserAuthContextJson>,
}

/// An auth context update request and its status: `INITIATED`, `ACCEPTED` or `REJECTED`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_auth_context_update_id": "613c83ea-80f9-4560-8404-b9cd4ec42a7f", "user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1", "key": "CUSTOMER_NUMBER", "value": "78987432", "status": "INITIATED"}))]
pub struct UserAuthContextUpdateJson {
    pub user_auth_context_update_id: String,
    pub user_id: String,
    pub key: String,
    pub value: String,
    pub status: String,
}

/// The answer to an auth context update challenge (the OTP).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"answer": "12345678"}))]
pub struct PostUserAuthContextUpdateJsonV310 {
    /// The one-time password sent for the update request (see `GET /__admin/outbox`).
    pub answer: String,
}
