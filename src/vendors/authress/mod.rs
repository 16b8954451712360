//! Authress (api.authress.io, `/v1`): the Users API (`getUsers`, `getUser`, `deleteUser`,
//! `linkTenantUser`), enough of tenants to link users, and the EdDSA service-client JWTs the
//! official SDKs sign from an access key, verified for real against seed-derived keys.

pub mod auth;
pub mod errors;
pub mod handlers;
pub mod jwt;
pub mod links;
pub mod middleware;
pub mod models;
pub mod state;
pub mod validate;

use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::OpenApi;

use crate::seed::{Fixtures, Person, fixtures::FixtureError};
use crate::store::world::{VendorKind, VendorState};
use crate::store::{Clock, World};
use crate::vendors::Vendor;

pub use errors::{Error, Result};
pub use state::State;

use auth::SecurityAddon;
use handlers::{openid, sandbox, tenants, users};
use links::Links;

/// Authress answers JSON as `application/links+json` (its API framework's default).
pub const LINKS_JSON: &str = "application/links+json";

/// The routing table: every Authress path, at Authress's own paths.
fn configure(cfg: &mut web::ServiceConfig) {
    // Exact resources under `/__admin`, registered before the control plane's scope, so they win.
    cfg.service(
        web::resource("/__admin/authress/service-clients")
            .route(web::post().to(sandbox::create_service_client))
            .default_service(web::to(sandbox::method_not_allowed)),
    )
    .service(
        web::resource("/__admin/authress/user-tokens")
            .route(web::post().to(sandbox::create_user_token))
            .default_service(web::to(sandbox::method_not_allowed)),
    )
    .service(
        web::scope("/.well-known")
            .wrap(from_fn(middleware::envelope))
            .service(
                web::resource("/openid-configuration")
                    .route(web::get().to(openid::get_openid_configuration)),
            )
            .service(
                web::resource("/openid-configuration/jwks").route(web::get().to(openid::get_jwks)),
            )
            .default_service(web::to(errors::unknown_route)),
    )
    .service(
        web::scope("/v1")
            .wrap(from_fn(middleware::envelope))
            .app_data(errors::json_config())
            .app_data(errors::query_config())
            .app_data(errors::path_config())
            .service(web::resource("/users").route(web::get().to(users::get_users)))
            .service(
                web::resource("/users/{userId}")
                    .route(web::get().to(users::get_user))
                    .route(web::delete().to(users::delete_user)),
            )
            .service(web::resource("/tenants").route(web::get().to(tenants::get_tenants)))
            .service(web::resource("/tenants/{tenantId}").route(web::get().to(tenants::get_tenant)))
            .service(
                web::resource("/tenants/{tenantId}/users")
                    .route(web::patch().to(tenants::link_tenant_user)),
            )
            .service(
                web::resource("/clients/{clientId}/.well-known/openid-configuration")
                    .route(web::get().to(openid::get_service_client_openid_configuration)),
            )
            .service(
                web::resource("/clients/{clientId}/.well-known/openid-configuration/jwks")
                    .route(web::get().to(openid::get_service_client_jwks)),
            )
            .default_service(web::to(errors::unknown_route)),
    );
}

/// Authress (sandbox): users, tenants and token verification.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Authress (user-sandbox)",
        version = "v1",
        description = "A stateful sandbox of the Authress Users API. Give the official SDKs the \
            sandbox URL and a fixture access key (`GET /__admin/credentials`); they sign their own \
            EdDSA JWTs, which the sandbox verifies. To call from Swagger UI, run \
            `POST /__admin/authress/service-clients` and paste its `accessToken` into Authorize."
    ),
    paths(
        users::get_users,
        users::get_user,
        users::delete_user,
        tenants::link_tenant_user,
        tenants::get_tenants,
        tenants::get_tenant,
        openid::get_openid_configuration,
        openid::get_jwks,
        openid::get_service_client_openid_configuration,
        openid::get_service_client_jwks,
        sandbox::create_service_client,
        sandbox::create_user_token,
    ),
    modifiers(&SecurityAddon, &Links),
    tags(
        (name = "Users", description = "Users of the account and their tenant"),
        (name = "Tenants", description = "The account's tenants"),
        (name = "Token verification", description = "OpenID configuration and JWKS of the token issuers"),
        (name = "Sandbox", description = "Sandbox helpers: mint service clients and user tokens"),
    ),
)]
pub struct AuthressApi;

/// The fixture service clients with their access keys, for the banner and `/__admin/credentials`.
fn credentials(world: &World, _: &Fixtures, base_url: &str) -> serde_json::Value {
    let state = world.authress();
    let clients: Vec<_> = state
        .service_clients()
        .into_iter()
        .filter_map(|c| {
            let key = c.keys.iter().find(|k| k.public_key.is_none())?;
            let signing = state.seeded_client_key(world.ids.key_seed(), &c.client_id, &key.key_id);
            let access: Vec<String> = c
                .access
                .iter()
                .filter_map(|a| serde_json::to_value(a).ok()?.as_str().map(str::to_string))
                .collect();
            Some(serde_json::json!({
                "clientId": c.client_id,
                "name": c.name,
                "access": if access.is_empty() { "none".to_string() } else { access.join(" ") },
                "accessKey": jwt::access_key(&c.client_id, &key.key_id, state.account_id(), &signing),
            }))
        })
        .collect();
    serde_json::json!({
        "baseUrl": base_url,
        "accountId": state.account_id(),
        "serviceClients": clients,
        "mintServiceClient": format!("POST {base_url}/__admin/authress/service-clients"),
        "mintUserToken": format!("POST {base_url}/__admin/authress/user-tokens {{\"userId\": \"...\"}}"),
    })
}

/// The path prefixes this vendor owns (for the journal and fault rules).
const PREFIXES: &[&str] = &["/v1/", "/.well-known/"];

/// The vendor's own answer to an injected server fault (control plane `PUT /__admin/faults`):
/// what Authress's framework answers on an unhandled error.
fn injected_error(req: &HttpRequest) -> HttpResponse {
    let mut res = Error::ServiceUnavailable.render(&errors::error_id(req));
    res.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from_static("1"),
    );
    res
}

/// Authress's part of a world: `world.authress()`.
pub trait AuthressWorld {
    fn authress(&self) -> &State;
}

impl AuthressWorld for World {
    fn authress(&self) -> &State {
        self.part()
    }
}

impl VendorState for State {
    /// Authress's part holds no issued secret: minted access keys keep only their public half,
    /// fixture keys are derived from the seed, and tokens are verified, never stored.
    fn export(
        &self,
        _: crate::store::world::Secrets,
        out: &mut dyn std::io::Write,
    ) -> serde_json::Result<()> {
        State::export(self, out)
    }
}

/// Authress in the vendor registry.
#[derive(Debug)]
pub struct Authress;

impl VendorKind for Authress {
    fn name(&self) -> &'static str {
        "authress"
    }

    fn embedded_fixtures(&self) -> &'static str {
        include_str!("../../../fixtures/authress.json")
    }

    fn seed(
        &self,
        fixtures: &Fixtures,
        people: &[Person],
        clock: &Clock,
    ) -> std::result::Result<Box<dyn VendorState>, FixtureError> {
        Ok(Box::new(State::seed(fixtures, people, clock)?))
    }

    fn import(
        &self,
        state: serde_json::Value,
    ) -> std::result::Result<Box<dyn VendorState>, String> {
        Ok(Box::new(State::import(state)?))
    }

    fn import_text(&self, json: &str) -> std::result::Result<Box<dyn VendorState>, String> {
        Ok(Box::new(State::import_text(json)?))
    }

    fn state_schema(&self) -> serde_json::Value {
        state::state_schema()
    }
}

impl Vendor for Authress {
    fn title(&self) -> &'static str {
        "Authress"
    }

    fn prefixes(&self) -> &'static [&'static str] {
        PREFIXES
    }

    fn configure(&self, cfg: &mut web::ServiceConfig) {
        configure(cfg)
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        AuthressApi::openapi()
    }

    fn credentials(&self, world: &World, fixtures: &Fixtures, base_url: &str) -> serde_json::Value {
        credentials(world, fixtures, base_url)
    }

    fn injected_error(&self, req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
        injected_error(req)
    }

    fn body_too_large(
        &self,
        req: &actix_web::HttpRequest,
        limit: usize,
    ) -> actix_web::HttpResponse {
        errors::body_too_large(req, limit)
    }

    fn cors(&self) -> crate::cors::CorsPolicy {
        cors()
    }
}

/// Authress's CORS answer: `*` on every response, as its API framework sends it; the preflight
/// allows what its browser SDKs send (a bearer token, JSON bodies).
fn cors() -> crate::cors::CorsPolicy {
    crate::cors::CorsPolicy {
        allow_origin: crate::cors::AllowOrigin::Any,
        allow_credentials: false,
        allow_methods: "GET, POST, PUT, PATCH, DELETE, OPTIONS",
        allow_headers: "Authorization, Content-Type, X-Request-Id",
        expose_headers: "X-Request-Id",
        max_age: Some(3600),
        preflight_status: 204,
        answer_every_options: false,
    }
}
