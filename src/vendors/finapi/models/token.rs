use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Parameters of `POST /oauth/token`, read from the query string or a form body.
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[schema(as = GetTokenParams)]
pub struct TokenParams {
    // described by `GrantType` (a description here would wrap the inlined enum in an `allOf`)
    #[schema(inline, value_type = GrantType, required = true)]
    pub grant_type: Option<String>,
    /// The client's identifier.
    #[schema(required = true, nullable = false, example = "sandbox-client")]
    pub client_id: Option<String>,
    /// The client's secret.
    #[schema(required = true, nullable = false, format = Password, example = "sandbox-client-secret")]
    pub client_secret: Option<String>,
    /// User identifier (grant `password`); case-insensitive.
    #[schema(nullable = false, example = "felixsmith")]
    pub username: Option<String>,
    /// User password (grant `password`).
    #[schema(nullable = false, format = Password, example = "Felix-Sandbox-2026!")]
    pub password: Option<String>,
    /// Refresh token (grant `refresh_token`).
    #[schema(nullable = false)]
    pub refresh_token: Option<String>,
}

/// `client_credentials`, `password` or `refresh_token`; any other `grant_type` is 400. (Only documents the field: the
/// handler matches the string, so an unknown grant gets finAPI's error rather than serde's.)
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "password")]
#[allow(dead_code)]
pub enum GrantType {
    ClientCredentials,
    Password,
    RefreshToken,
}

impl TokenParams {
    /// Fills the fields this one lacks from `other` (the query string fills in for the body).
    pub fn or(self, other: TokenParams) -> Self {
        Self {
            grant_type: self.grant_type.or(other.grant_type),
            client_id: self.client_id.or(other.client_id),
            client_secret: self.client_secret.or(other.client_secret),
            username: self.username.or(other.username),
            password: self.password.or(other.password),
            refresh_token: self.refresh_token.or(other.refresh_token),
        }
    }
}

/// An OAuth access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessToken {
    /// The access token, up to 128 characters.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Refresh token; only for grants `password` and `refresh_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires (0 = never).
    #[schema(value_type = i32, format = Int32)]
    pub expires_in: i64,
    /// Always `all`.
    pub scope: String,
}
