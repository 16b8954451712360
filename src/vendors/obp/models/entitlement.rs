use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role held by a user; `bank_id` is empty for system roles.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[schema(as = EntitlementJSON, example = json!({"entitlement_id": "6fb17583-1e49-4435-bb74-a14fe0996723", "role_name": "CanGetAnyUser", "bank_id": ""}))]
pub struct EntitlementJson {
    pub entitlement_id: String,
    pub role_name: String,
    pub bank_id: String,
}

/// A list of entitlements (`EntitlementJSONs`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = EntitlementJSONs)]
pub struct EntitlementJsons {
    pub list: Vec<EntitlementJson>,
}

/// A role to grant (`CreateEntitlementJSON`); `bank_id` is `""` for system roles.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = CreateEntitlementJSON, example = json!({"bank_id": "", "role_name": "CanGetAnyUser"}))]
pub struct CreateEntitlementJson {
    pub bank_id: String,
    pub role_name: String,
}
