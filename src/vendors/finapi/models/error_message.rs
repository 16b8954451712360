use serde::Serialize;
use utoipa::ToSchema;

use crate::vendors::finapi::errors::{ErrorCode, ErrorType};

/// Container for an error's details.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails {
    /// Error message.
    #[schema(required = true)]
    pub message: Option<String>,
    /// Error code.
    pub code: ErrorCode,
    /// Error type: BUSINESS errors are for end users, TECHNICAL errors for developers.
    pub r#type: ErrorType,
    /// Multi-step authentication challenge; always null for user management.
    #[schema(value_type = Option<Object>, required = true)]
    pub multi_step_authentication: Option<serde_json::Value>,
}

/// Container for an error message.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "errors": [{"message": "Access is denied", "code": "UNAUTHORIZED_ACCESS", "type": "TECHNICAL", "multiStepAuthentication": null}],
    "date": "2026-01-01 00:00:00.000",
    "requestId": "selfgen-312042e7-df55-47e4-bffd-956a68ef37b5",
    "endpoint": "POST /api/v1/users",
    "authContext": "1/1",
    "bank": null
}))]
pub struct ErrorMessage {
    /// List of errors.
    pub errors: Vec<ErrorDetails>,
    /// Server time of the error, in the format `YYYY-MM-DD HH:MM:SS.SSS`.
    pub date: String,
    /// The request's `X-Request-Id` (sent or generated).
    pub request_id: String,
    /// The service that was called: `<METHOD> <path>`.
    pub endpoint: String,
    /// Information about the authorization context.
    pub auth_context: String,
    /// The bank that was involved; null for user management.
    #[schema(required = true)]
    pub bank: Option<String>,
}

/// The body of every 401 response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "invalid_token", "error_description": "Invalid access token: cccbce46-xxxx-xxxx-xxxx-xxxxxxxxxx"}))]
pub struct BadCredentialsError {
    /// Error type.
    pub error: String,
    /// Error description.
    pub error_description: String,
}
