//! Bodies of the sandbox's own Authress helpers under `/__admin/authress/...`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a service client may do in the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum Access {
    /// `GET /v1/users`, `GET /v1/users/{userId}`.
    #[serde(rename = "users:read")]
    ReadUsers,
    /// `DELETE /v1/users/{userId}`.
    #[serde(rename = "users:delete")]
    DeleteUsers,
    /// `GET /v1/tenants`, `GET /v1/tenants/{tenantId}`.
    #[serde(rename = "tenants:read")]
    ReadTenants,
    /// `PATCH /v1/tenants/{tenantId}/users`.
    #[serde(rename = "tenants:update")]
    UpdateTenants,
}

impl Access {
    pub const ALL: [Access; 4] = [
        Access::ReadUsers,
        Access::DeleteUsers,
        Access::ReadTenants,
        Access::UpdateTenants,
    ];
}

/// A service client to create.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"name": "Swagger UI", "access": ["users:read", "users:delete", "tenants:read", "tenants:update"]}))]
pub struct NewServiceClient {
    /// A display name (1 to 128 characters); `Sandbox service client` when absent.
    #[schema(min_length = 1, max_length = 128)]
    pub name: Option<String>,
    /// What the client may do; everything when absent.
    pub access: Option<Vec<Access>>,
}

/// A new service client and its access key, shown only once.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MintedServiceClient {
    pub client_id: String,
    pub name: String,
    pub access: Vec<Access>,
    /// The key id (`kid`) of the access key.
    pub key_id: String,
    /// `clientId.keyId.accountId.privateKey`: give it to the Authress SDK.
    pub access_key: String,
    /// A JWT signed with the access key, as the SDK would send it; paste it into Swagger UI.
    pub access_token: String,
    pub created_time: String,
}

/// A user token to mint for a logged-in user.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"userId": "google-oauth2|108915727483261245613"}))]
pub struct NewUserToken {
    /// An existing user.
    #[schema(required = true, nullable = false, min_length = 1)]
    pub user_id: Option<String>,
    /// Seconds until the token expires; 86400 when absent (1 to 2592000).
    #[schema(minimum = 1, maximum = 2_592_000)]
    #[serde(default, deserialize_with = "crate::control::optional_integer")]
    pub expires_in: Option<i64>,
}

/// A user JWT, signed with the sandbox's login key (verifiable through its JWKS).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MintedUserToken {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub user_id: String,
    /// The token's issuer; its JWKS is at `{issuer}/.well-known/openid-configuration/jwks`.
    pub issuer: String,
}
