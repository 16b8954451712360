use serde::Serialize;
use utoipa::ToSchema;

/// A tenant: a group of users that share identity providers and log-in configuration.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// The tenant identifier.
    pub tenant_id: String,
    /// The lookup identifier users type to find their tenant's log-in.
    pub tenant_lookup_identifier: Option<String>,
    pub data: TenantData,
    /// Email domains mapped to the tenant for SSO.
    pub domains: Vec<TenantDomain>,
    /// The identity provider connection the tenant's users log in with.
    pub connection: Option<TenantConnection>,
    /// When the tenant was created.
    pub created_time: String,
}

/// The tenant's data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantData {
    /// The tenant's display name.
    pub name: Option<String>,
}

/// An email domain of the tenant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantDomain {
    pub domain: String,
}

/// The identity provider connection of a tenant.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantConnection {
    pub connection_id: String,
}

/// The account's tenants.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantCollection {
    pub tenants: Vec<Tenant>,
}
