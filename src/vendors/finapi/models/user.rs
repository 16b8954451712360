use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A user's data.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "felixsmith", "password": "XXXXXXXXXXXXXXXXXXX", "email": "felixsmith@example.com", "phone": "+44 7700 900123", "isAutoUpdateEnabled": false}))]
pub struct User {
    /// User identifier.
    pub id: String,
    /// The password: plain text right after creation, otherwise one `X` per character.
    pub password: String,
    /// User's email address.
    #[schema(required = true)]
    pub email: Option<String>,
    /// User's phone number.
    #[schema(required = true)]
    pub phone: Option<String>,
    /// Whether the user's bank connections are updated automatically.
    pub is_auto_update_enabled: bool,
}

/// Parameters of a new user; every field is optional, and `null` is the same as absent (finAPI
/// reads the body with Jackson, which takes `null` for an unset field).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "alice", "password": "secret1", "email": "alice@example.com", "phone": "+49 99 999999-999", "isAutoUpdateEnabled": false}))]
pub struct UserCreateParams {
    /// User identifier: at most 36 of `A-Z a-z 0-9 - _ . + @`, unique (case-insensitively).
    /// Generated when absent.
    #[schema(min_length = 1, max_length = 36, pattern = "^[a-zA-Z0-9\\-_\\.\\+@]*$")]
    pub id: Option<String>,
    /// 6 to 128 characters; generated when absent.
    #[schema(
        min_length = 6,
        max_length = 128,
        pattern = "^[a-zA-Z0-9\u{a1}-\u{2af} &(){}\\[\\].:,;?!+\\-_$@#~`^€]*$"
    )]
    pub password: Option<String>,
    /// At most 320 characters.
    #[schema(
        max_length = 320,
        pattern = "^[A-Za-z0-9¡-ʯ &\\(\\)\\{\\}\\[\\]\\.:,;\\?!\\+\\-_\\$@#~`\\^€]*$"
    )]
    pub email: Option<String>,
    /// At most 50 characters.
    #[schema(
        max_length = 50,
        pattern = "^[A-Za-z0-9¡-ʯ &\\(\\)\\{\\}\\[\\]\\.:,;\\?!\\+\\-_\\$@#~`\\^€]*$"
    )]
    pub phone: Option<String>,
    /// Default false.
    #[schema(default = false)]
    pub is_auto_update_enabled: Option<bool>,
}

/// New values for the authorized user; at least one must be non-null (`null` leaves a field as
/// it is; `""` clears email or phone).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(
    min_properties = 1,
    example = json!({"email": "new@example.com", "phone": "", "isAutoUpdateEnabled": true})
)]
pub struct UserUpdateParams {
    /// New email; an empty string removes it.
    #[schema(
        max_length = 320,
        pattern = "^[A-Za-z0-9¡-ʯ &\\(\\)\\{\\}\\[\\]\\.:,;\\?!\\+\\-_\\$@#~`\\^€]*$"
    )]
    pub email: Option<String>,
    /// New phone number; an empty string removes it.
    #[schema(
        max_length = 50,
        pattern = "^[A-Za-z0-9¡-ʯ &\\(\\)\\{\\}\\[\\]\\.:,;\\?!\\+\\-_\\$@#~`\\^€]*$"
    )]
    pub phone: Option<String>,
    /// Whether the user's bank connections are updated automatically.
    pub is_auto_update_enabled: Option<bool>,
}

/// A user's verification status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationStatusResource {
    /// User identifier.
    pub user_id: String,
    /// Whether the user is verified.
    pub is_user_verified: bool,
}

/// Whose password to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestPasswordChangeParams {
    /// User identifier.
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 36,
        pattern = "^[a-zA-Z0-9\\-_\\.\\+@]*$",
        example = "felixsmith"
    )]
    pub user_id: Option<String>,
}

/// What `executePasswordChange` needs.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasswordChangingResource {
    /// User identifier.
    pub user_id: String,
    /// The user's email (the sandbox sends it unencrypted), or null.
    #[schema(required = true)]
    pub user_email: Option<String>,
    /// The password change token (the sandbox sends it unencrypted: pass it on as it is).
    pub password_change_token: String,
}

/// A new password and the token that allows setting it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutePasswordChangeParams {
    /// User identifier.
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 36,
        pattern = "^[a-zA-Z0-9\\-_\\.\\+@]*$",
        example = "felixsmith"
    )]
    pub user_id: Option<String>,
    /// New password, 6 to 128 characters of finAPI's general character set.
    #[schema(
        required = true,
        nullable = false,
        min_length = 6,
        max_length = 128,
        pattern = "^[a-zA-Z0-9\u{a1}-\u{2af} &(){}\\[\\].:,;?!+\\-_$@#~`^€]*$",
        example = "Felix-Sandbox-2027!"
    )]
    pub password: Option<String>,
    /// The token from `requestPasswordChange` (paste the one it returned): 1 to 128 of
    /// `0-9 a-f -`, finAPI's pattern.
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 128,
        pattern = "^[0-9a-f\\-]*$",
        example = "0f8c3a52-6d1e-4b7a-9c2f-8e5d4a3b2c1d"
    )]
    pub password_change_token: Option<String>,
}
