use serde::Serialize;
use utoipa::ToSchema;

/// The body of every Authress error.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "errorCode": "UserNotFound",
    "title": "The user does not exist.",
    "errorId": "selfgen-312042e7-df55-47e4-bffd-956a68ef37b5"
}))]
pub struct ResponseError {
    /// A programmatic error code: stable, but non-exhaustive.
    pub error_code: String,
    /// A description of the problem, for people; do not use it for programmatic handling.
    pub title: String,
    /// A unique id of this request, to quote in support tickets (the `X-Request-Id`).
    pub error_id: String,
}
