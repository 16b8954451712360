use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::EntitlementJsons;

/// A user as `createUser` returns it (`UserJsonV200`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1", "email": "felixsmith@example.com", "provider_id": "felixsmith", "provider": "http://127.0.0.1:8080", "username": "felixsmith", "entitlements": {"list": []}}))]
pub struct UserJsonV200<'a> {
    pub user_id: Cow<'a, str>,
    pub email: Cow<'a, str>,
    /// The user's id at the identity provider; the username for local users.
    pub provider_id: Cow<'a, str>,
    /// The identity provider; OBP's own host for local users.
    pub provider: Cow<'a, str>,
    pub username: Cow<'a, str>,
    pub entitlements: EntitlementJsons,
}

/// A list of users as OBP v3.0.0's `getUsers` returns them (`UsersJsonV200`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsersJsonV200<'a> {
    pub users: Vec<UserJsonV200<'a>>,
}

/// An account view the user may use.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[schema(as = ViewJSON300)]
pub struct ViewJson {
    pub bank_id: String,
    pub account_id: String,
    pub view_id: String,
}

/// The user's account views.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ViewsJSON300)]
pub struct ViewsJson {
    pub list: Vec<ViewJson>,
}

/// The logged-in user (`UserJsonV300`), with entitlements and account views.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1", "email": "felixsmith@example.com", "provider_id": "felixsmith", "provider": "http://127.0.0.1:8080", "username": "felixsmith", "entitlements": {"list": [{"entitlement_id": "6fb17583-1e49-4435-bb74-a14fe0996723", "role_name": "CanQueryOtherUser", "bank_id": ""}]}, "views": {"list": [{"bank_id": "gh.29.uk", "account_id": "8ca8a7e4-6d02-40e3-a129-0b2bf89de9f0", "view_id": "owner"}]}}))]
pub struct UserJsonV300 {
    pub user_id: String,
    pub email: String,
    pub provider_id: String,
    pub provider: String,
    pub username: String,
    pub entitlements: EntitlementJsons,
    pub views: ViewsJson,
}

/// One accepted agreement (terms and conditions, privacy conditions, marketing info).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[schema(as = UserAgreementJson)]
pub struct AgreementJson {
    pub r#type: String,
    pub text: String,
}

/// A user as the v4.0.0 user endpoints return it (`UserJsonV400`). `agreements` appears only on
/// `getUserByUserId`; `views` never appears in v4.0.0.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1", "email": "felixsmith@example.com", "provider_id": "felixsmith", "provider": "http://127.0.0.1:8080", "username": "felixsmith", "entitlements": {"list": []}, "is_deleted": false, "is_locked": false}))]
pub struct UserJsonV400<'a> {
    pub user_id: Cow<'a, str>,
    pub email: Cow<'a, str>,
    pub provider_id: Cow<'a, str>,
    pub provider: Cow<'a, str>,
    pub username: Cow<'a, str>,
    pub entitlements: EntitlementJsons,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub agreements: Option<Vec<AgreementJson>>,
    pub is_deleted: bool,
    /// Omitted while the user never signed the marketing agreement.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub last_marketing_agreement_signed_date: Option<String>,
    /// Locked by too many bad logins or by an administrator.
    pub is_locked: bool,
}

/// A list of users.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsersJsonV400<'a> {
    pub users: Vec<UserJsonV400<'a>>,
}

/// The logged-in user's id.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1"}))]
pub struct UserIdJsonV400 {
    pub user_id: String,
}

/// Where to send the browser to log out.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"link": "http://127.0.0.1:8080/user_mgt/logout"}))]
pub struct LogoutLinkJson {
    pub link: String,
}

/// A new user (`CreateUserJson`); every field is required.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"email": "tom.smith@example.com", "username": "tom.smith", "password": "Tom-Sandbox-2026!", "first_name": "Tom", "last_name": "Smith"}))]
pub struct CreateUserJson {
    /// A valid email address, at most 48 characters.
    #[schema(
        max_length = 48,
        pattern = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
    )]
    pub email: String,
    /// 8 to 100 of `A-Z a-z 0-9 . _` (no leading, trailing or doubled `.`/`_`), or an email
    /// of at most 100 characters (the `anyOf` of the document).
    pub username: String,
    /// 10-16 characters with a digit, a lower- and an upper-case letter and a special
    /// character (no space), or 17-512 characters; ASCII letters, digits, space and specials
    /// but `[` `]` (the `anyOf` of the document).
    pub password: String,
    /// 1 to 100 characters, not only whitespace, no control characters.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub first_name: String,
    /// 1 to 100 characters, not only whitespace, no control characters.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub last_name: String,
}

/// The bad-login counter of a user.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"username": "felixsmith", "bad_attempts_since_last_success_or_reset": 0, "last_failure_date": "2026-01-15T10:00:00Z"}))]
pub struct BadLoginStatusJson {
    pub username: String,
    pub bad_attempts_since_last_success_or_reset: u32,
    pub last_failure_date: String,
}

/// An administrator's lock.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1", "type_of_lock": "lock_via_api", "last_lock_date": "2026-01-15T10:00:00Z"}))]
pub struct UserLockStatusJson {
    pub user_id: String,
    pub type_of_lock: String,
    pub last_lock_date: String,
}

/// How long the refresh took (the value starts with a space, as in OBP).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"duration_time": " 0 ms"}))]
pub struct RefreshUserJson {
    pub duration_time: String,
}

/// Whose password-reset URL to create; every field is required.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"username": "felixsmith", "email": "felixsmith@example.com", "user_id": "9ca9a7e4-6d02-40e3-a129-0b2bf89de9b1"}))]
pub struct PostResetPasswordUrlJsonV400 {
    pub username: String,
    pub email: String,
    /// 1 to 36 of `A-Z a-z 0-9 - . _` (OBP's id check, before the role), else `OBP-10001`.
    #[schema(min_length = 1, max_length = 36, pattern = "^[A-Za-z0-9._-]*$")]
    pub user_id: String,
}

/// The reset URL; empty when username, email and user id do not belong together.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"reset_password_url": "http://127.0.0.1:8080/user_mgt/reset_password/QOL1CPNJPCZ4BRMPX3Z01DPOX1HMGU3L"}))]
pub struct ResetPasswordUrlJsonV400 {
    pub reset_password_url: String,
}

/// The banks whose dynamic resource docs the user may use.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"bank_ids": ["gh.29.uk"]}))]
pub struct MySpaces {
    pub bank_ids: Vec<String>,
}
