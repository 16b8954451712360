//! The Authress document's OpenAPI links: a listed user or tenant feeds the calls on it, a
//! created service client feeds its OpenID documents.

use utoipa::Modify;

use crate::links::{Link, add};

pub struct Links;

const FIRST_USER: &[(&str, &str)] = &[("userId", "$response.body#/users/0/userId")];
const FIRST_TENANT: &[(&str, &str)] = &[("tenantId", "$response.body#/tenants/0/tenantId")];
const CLIENT: &[(&str, &str)] = &[("clientId", "$response.body#/clientId")];

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let link = Link::new;
        add(
            openapi,
            &[
                link("getUsers", "200", "GetUser", "getUser", FIRST_USER),
                link("getUsers", "200", "DeleteUser", "deleteUser", FIRST_USER),
                link("getTenants", "200", "GetTenant", "getTenant", FIRST_TENANT),
                link(
                    "getTenants",
                    "200",
                    "LinkTenantUser",
                    "linkTenantUser",
                    FIRST_TENANT,
                ),
                link(
                    "createSandboxServiceClient",
                    "201",
                    "GetServiceClientOpenIdConfiguration",
                    "getServiceClientOpenIdConfiguration",
                    CLIENT,
                ),
                link(
                    "createSandboxServiceClient",
                    "201",
                    "GetServiceClientJwks",
                    "getServiceClientJwks",
                    CLIENT,
                ),
            ],
        );
    }
}
