use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Who runs this instance (`HostedBy400`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HostedBy400 {
    pub organisation: String,
    pub email: String,
    pub phone: String,
    pub organisation_website: String,
}

/// Where this instance runs (`HostedAt400`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HostedAt400 {
    pub organisation: String,
    pub organisation_website: String,
}

/// What powers this instance (`EnergySource400`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnergySource400 {
    pub organisation: String,
    pub organisation_website: String,
}

/// The API's description of itself (`APIInfoJson400`), read by the API Explorer and the SDKs.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"version": "v4.0.0", "version_status": "STABLE", "git_commit": "user-sandbox", "connector": "mapped", "hostname": "http://127.0.0.1:8080", "local_identity_provider": "http://127.0.0.1:8080", "hosted_by": {"organisation": "user-sandbox", "email": "", "phone": "", "organisation_website": ""}, "hosted_at": {"organisation": "user-sandbox", "organisation_website": ""}, "energy_source": {"organisation": "user-sandbox", "organisation_website": ""}, "resource_docs_requires_role": false}), as = APIInfoJson400)]
pub struct ApiInfoJson400 {
    /// The version prefix that answered, e.g. `v4.0.0`.
    pub version: String,
    /// `STABLE`, `DRAFT`, `BLEEDING-EDGE`.
    pub version_status: String,
    pub git_commit: String,
    pub connector: String,
    /// OBP's `hostname` prop.
    pub hostname: String,
    /// OBP's `local_identity_provider` prop: the `provider` of local users.
    pub local_identity_provider: String,
    pub hosted_by: HostedBy400,
    pub hosted_at: HostedAt400,
    pub energy_source: EnergySource400,
    /// Whether reading resource docs needs a role (here: no).
    pub resource_docs_requires_role: bool,
}

/// Where an endpoint is implemented: OBP's version and partial function (`ImplementedByJson`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImplementedByJson {
    /// E.g. `OBPv2.0.0`.
    pub version: String,
    /// E.g. `addEntitlement`.
    pub function: String,
}

/// A role an endpoint needs (`RoleJson` as the API Explorer reads it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleJson {
    pub role: String,
    pub requires_bank_id: bool,
}

/// One endpoint's documentation (`ResourceDocJson` of resource docs v1.4.0).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceDocJson {
    /// `OBPv4.0.0-getUsers`.
    pub operation_id: String,
    pub implemented_by: ImplementedByJson,
    pub request_verb: String,
    /// The path after the version prefix, variables in upper case: `/users/USER_ID`.
    pub request_url: String,
    pub summary: String,
    /// The description as HTML.
    pub description: String,
    pub description_markdown: String,
    /// Any JSON: an object, or `true` for the deletions that answer it.
    pub example_request_body: Value,
    /// Any JSON: an object, or `true` for the deletions that answer it.
    pub success_response_body: Value,
    pub error_response_bodies: Vec<String>,
    pub tags: Vec<String>,
    /// The request body's JSON schema.
    #[schema(value_type = Object)]
    pub typed_request_body: Value,
    /// The success body's JSON schema.
    #[schema(value_type = Object)]
    pub typed_success_response_body: Value,
    pub roles: Vec<RoleJson>,
    pub is_featured: bool,
    pub special_instructions: String,
    /// The URL to call, with the version prefix: `/obp/v4.0.0/users/USER_ID`.
    pub specified_url: String,
    pub connector_methods: Vec<String>,
}

/// When and how many (`ResourceDocMeta`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceDocMeta {
    pub response_date: String,
    pub count: usize,
}

/// The endpoints of one API version (`ResourceDocsJson`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceDocsJson {
    pub resource_docs: Vec<ResourceDocJson>,
    pub meta: ResourceDocMeta,
}
