//! Tenants: `/v1/tenants...`, enough of them to link users for real.

use actix_web::{HttpResponse, web};

use crate::store::Sandbox;
use crate::vendors::authress::LINKS_JSON;
use crate::vendors::authress::auth::ServiceClient;
use crate::vendors::authress::errors::{Error, Result};
use crate::vendors::authress::models::{
    Access, ResponseError, Tenant, TenantCollection, TenantConnection, TenantData, TenantDomain,
    TenantUser,
};
use crate::vendors::authress::state::TenantRecord;

use crate::vendors::authress::AuthressWorld;
use crate::vendors::authress::validate;

const MAX_TENANT_ID: usize = 128;

impl From<TenantRecord> for Tenant {
    fn from(t: TenantRecord) -> Self {
        Self {
            tenant_id: t.tenant_id,
            tenant_lookup_identifier: t.tenant_lookup_identifier,
            data: TenantData { name: t.name },
            domains: t
                .domains
                .into_iter()
                .map(|domain| TenantDomain { domain })
                .collect(),
            connection: t
                .connection_id
                .map(|connection_id| TenantConnection { connection_id }),
            created_time: t
                .created_time
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }
}

/// List tenants
///
/// Returns all tenants of the account.
#[utoipa::path(
    get, path = "/v1/tenants", operation_id = "getTenants", tag = "Tenants",
    responses(
        (status = 200, description = "Success.", body = TenantCollection, content_type = "application/links+json"),
        (status = 401, description = "Unauthorized. The request JWT found in the Authorization header is no longer valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 403, description = "Forbidden. The user doesn't have permission to fetch tenants.", body = ResponseError, content_type = "application/links+json"),
    ),
    security(("oauth2" = [])),
)]
pub async fn get_tenants(client: ServiceClient, sandbox: Sandbox) -> Result<HttpResponse> {
    client.require(Access::ReadTenants, "fetch tenants")?;
    let tenants = sandbox
        .authress()
        .tenants()
        .into_iter()
        .map(Tenant::from)
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(LINKS_JSON)
        .json(TenantCollection { tenants }))
}

/// Retrieve tenant
#[utoipa::path(
    get, path = "/v1/tenants/{tenantId}", operation_id = "getTenant", tag = "Tenants",
    params(("tenantId" = String, Path, description = "The tenantId.", example = "ten_acme")),
    responses(
        (status = 200, description = "Success.", body = Tenant, content_type = "application/links+json"),
        (status = 400, description = "The tenantId is not valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 401, description = "Unauthorized. The request JWT found in the Authorization header is no longer valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 403, description = "Forbidden. The user doesn't have permission to fetch the tenant.", body = ResponseError, content_type = "application/links+json"),
        (status = 404, description = "Not found. The tenant does not exist.", body = ResponseError, content_type = "application/links+json"),
    ),
    security(("oauth2" = [])),
)]
pub async fn get_tenant(
    client: ServiceClient,
    sandbox: Sandbox,
    tenant_id: web::Path<String>,
) -> Result<HttpResponse> {
    client.require(Access::ReadTenants, "fetch the tenant")?;
    validate::tenant_id(&tenant_id, MAX_TENANT_ID)?;
    let tenant = sandbox.authress().tenant(&tenant_id)?;
    Ok(HttpResponse::Ok()
        .content_type(LINKS_JSON)
        .json(Tenant::from(tenant)))
}

/// Link tenant user
///
/// Links an existing user to an existing tenant. This allows the user to log in via that tenant.
/// Users that are linked with a tenant will also be returned when fetching all the users linked
/// with that tenant via the getUsers endpoint. A user is in one tenant at most: linking moves it.
#[utoipa::path(
    patch, path = "/v1/tenants/{tenantId}/users", operation_id = "linkTenantUser", tag = "Users",
    params(("tenantId" = String, Path, description = "The tenantId.", max_length = 128, pattern = "^[a-zA-Z0-9-_.:]*$", example = "ten_acme")),
    request_body(content = TenantUser, content_type = "application/json"),
    responses(
        (status = 204, description = "Success. User added to tenant."),
        (status = 400, description = "A malformed body, a missing or invalid userId, or an invalid tenantId.", body = ResponseError, content_type = "application/links+json"),
        (status = 401, description = "Unauthorized. The request JWT found in the Authorization header is no longer valid.", body = ResponseError, content_type = "application/links+json"),
        (status = 403, description = "Forbidden. The user doesn't have permission to update tenant.", body = ResponseError, content_type = "application/links+json"),
        (status = 404, description = "Not found. The tenant (or the user) does not exist.", body = ResponseError, content_type = "application/links+json"),
    ),
    security(("oauth2" = [])),
)]
pub async fn link_tenant_user(
    client: ServiceClient,
    sandbox: Sandbox,
    tenant_id: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse> {
    client.require(Access::UpdateTenants, "update tenant")?;
    validate::tenant_id(&tenant_id, MAX_TENANT_ID)?;
    // serde would also read a struct from a JSON array; Authress wants an object.
    let body = body.into_inner();
    if !body.is_object() {
        return Err(Error::InvalidRequest(
            "The request body must be a JSON object.".into(),
        ));
    }
    let body: TenantUser = serde_json::from_value(body)
        .map_err(|e| Error::InvalidRequest(format!("The request body is not valid: {e}")))?;
    let Some(user_id) = body.user_id else {
        return Err(Error::InvalidRequest("The userId is required.".into()));
    };
    validate::user_id("userId", &user_id)?;
    sandbox.authress().link_tenant_user(&tenant_id, &user_id)?;
    Ok(HttpResponse::NoContent().finish())
}
