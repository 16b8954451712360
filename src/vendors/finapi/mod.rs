//! finAPI Access v1 (user management): OAuth (`/oauth/token`, `/oauth/revoke`), the Users API and
//! the Mandator Administration API, as specified by finAPI Access 1.151 where the v1.42 seed docs
//! are silent.

pub mod auth;
pub mod errors;
pub mod handlers;
pub mod links;
pub mod middleware;
pub mod models;
pub mod state;
pub mod validate;

use actix_web::middleware::from_fn;
use actix_web::web;
use utoipa::OpenApi;

use crate::seed::{Fixtures, Person, fixtures::FixtureError};
use crate::store::world::{VendorKind, VendorState};
use crate::store::{Clock, World};
use crate::vendors::Vendor;
use state::user_key;

pub use errors::{Error, Result};
pub use state::State;

use auth::SecurityAddon;
use handlers::{mandator_admin, oauth, users};
use links::Links;

/// The routing table: every finAPI path, at finAPI's own paths.
fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/oauth")
            .wrap(from_fn(middleware::envelope))
            .app_data(errors::query_config())
            .service(web::resource("/token").post(oauth::get_token))
            .service(web::resource("/revoke").post(oauth::revoke_token))
            .default_service(web::to(errors::unknown_route)),
    )
    .service(
        web::scope("/api/v1")
            .wrap(from_fn(middleware::envelope))
            .app_data(errors::json_config())
            .app_data(errors::query_config())
            .app_data(errors::path_config())
            .service(
                web::resource("/users")
                    .route(web::post().to(users::create_user))
                    .route(web::get().to(users::get_authorized_user))
                    .route(web::patch().to(users::edit_authorized_user))
                    .route(web::delete().to(users::delete_authorized_user)),
            )
            // Resources, not scope routes: a known path with another method is a 405, not a 404.
            .service(web::resource("/users/verificationStatus").get(users::get_verification_status))
            .service(
                web::resource("/users/requestPasswordChange").post(users::request_password_change),
            )
            .service(
                web::resource("/users/executePasswordChange").post(users::execute_password_change),
            )
            .service(web::resource("/users/verify/{userId}").post(users::verify_user))
            .service(web::resource("/users/{userId}").delete(users::delete_unverified_user))
            .service(
                web::resource("/mandatorAdmin/changeClientCredentials")
                    .post(mandator_admin::change_client_credentials),
            )
            .service(web::resource("/mandatorAdmin/deleteUsers").post(mandator_admin::delete_users))
            .service(web::resource("/mandatorAdmin/getUserList").get(mandator_admin::get_user_list))
            .default_service(web::to(errors::unknown_route)),
    );
}

/// finAPI Access (sandbox): users, mandator administration and OAuth.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "finAPI Access (user-sandbox)",
        version = "1.151.1",
        description = "A stateful sandbox of finAPI Access v1 user management. Authorize with the \
            fixture clients (`sandbox-client` / `sandbox-client-secret` for client and user tokens, \
            `sandbox-admin` / `sandbox-admin-secret` for mandatorAdmin services). Fixture user: \
            `felixsmith` / `Felix-Sandbox-2026!`."
    ),
    paths(
        oauth::get_token,
        oauth::revoke_token,
        users::create_user,
        users::get_authorized_user,
        users::edit_authorized_user,
        users::delete_authorized_user,
        users::delete_unverified_user,
        users::get_verification_status,
        users::request_password_change,
        users::execute_password_change,
        users::verify_user,
        mandator_admin::change_client_credentials,
        mandator_admin::delete_users,
        mandator_admin::get_user_list,
    ),
    modifiers(&SecurityAddon, &Links, &FieldRules),
    tags(
        (name = "Authorization", description = "OAuth tokens"),
        (name = "Users", description = "Create, verify, edit and delete users"),
        (name = "Mandator administration", description = "Services for the mandator admin client"),
    ),
)]
pub struct FinapiApi;

/// finAPI's rules the derives cannot state: the items of `order` and `userIds`, and
/// `editAuthorizedUser`'s "at least one field must have a non-null value".
struct FieldRules;

impl utoipa::Modify for FieldRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::schema_rules::{edit_component, edit_parameter};
        use serde_json::json;
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
        let user_id = json!({
            "type": "string", "minLength": 1, "maxLength": 36,
            "pattern": "^[a-zA-Z0-9\\-_\\.\\+@]*$",
        });
        edit_parameter(openapi, "getUserList", "order", |schema| {
            schema["items"] = json!({
                "type": "string",
                "pattern": "^userId(,([aA][sS][cC]|[dD][eE][sS][cC]))?$",
            });
        });
        edit_component(openapi, "UserIdentifiersParams", |schema| {
            let ids = &mut schema["properties"]["userIds"];
            ids["items"] = user_id;
            ids["maxItems"] = json!(1000);
        });
        // At least one member that is not null.
        let non_null = |name: &str, of: Type| {
            ObjectBuilder::new()
                .required(name)
                .property(name, ObjectBuilder::new().schema_type(of))
                .into()
        };
        let any = AnyOfBuilder::new()
            .item::<RefOr<Schema>>(non_null("email", Type::String))
            .item::<RefOr<Schema>>(non_null("phone", Type::String))
            .item::<RefOr<Schema>>(non_null("isAutoUpdateEnabled", Type::Boolean));
        crate::schema_rules::all_of_body(openapi, "editAuthorizedUser", Schema::AnyOf(any.build()));
    }
}

/// The fixture clients and verified fixture users, for the banner and `/__admin/credentials`.
/// A user's documented password (from `people.json`) is listed while it is the user's password;
/// after a password change it is `null` (the new one is stored hashed only).
fn credentials(world: &World, fixtures: &Fixtures, base_url: &str) -> serde_json::Value {
    let clients: Vec<_> = world
        .finapi()
        .clients()
        .into_iter()
        .map(|c| {
            serde_json::json!({
                "clientId": c.client_id,
                "clientSecret": c.client_secret,
                "role": if c.is_mandator_admin { "mandator admin" } else { "client" },
                "isUserAutoVerificationEnabled": c.is_user_auto_verification_enabled,
            })
        })
        .collect();
    let users: Vec<_> = world
        .finapi()
        .fixture_users()
        .into_iter()
        .map(|u| {
            let documented = fixtures
                .people
                .iter()
                .find(|p| user_key(&p.username) == user_key(&u.id))
                .map(|p| p.password.as_str())
                .filter(|plain| u.password.verify(plain));
            serde_json::json!({
                "userId": u.id,
                "password": documented,
                "verified": u.verified,
                "locked": u.locked,
                "busy": u.busy,
            })
        })
        .collect();
    serde_json::json!({ "baseUrl": base_url, "clients": clients, "users": users })
}

/// The path prefixes finAPI owns (for the journal and fault rules).
const PREFIXES: &[&str] = &["/oauth", "/api/v1"];

/// finAPI's answer to an injected server fault: 500 `UNEXPECTED_ERROR` in the `ErrorMessage`
/// envelope.
fn injected_error(req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
    Error::Unexpected.render(&errors::EnvelopeContext::of(req))
}

/// finAPI's part of a world: `world.finapi()`.
pub trait FinapiWorld {
    fn finapi(&self) -> &State;
}

impl FinapiWorld for World {
    fn finapi(&self) -> &State {
        self.part()
    }
}

impl VendorState for State {
    fn export(
        &self,
        secrets: crate::store::world::Secrets,
        out: &mut dyn std::io::Write,
    ) -> serde_json::Result<()> {
        State::export(self, secrets, out)
    }
}

/// finAPI in the vendor registry.
#[derive(Debug)]
pub struct Finapi;

impl VendorKind for Finapi {
    fn name(&self) -> &'static str {
        "finapi"
    }

    fn embedded_fixtures(&self) -> &'static str {
        include_str!("../../../fixtures/finapi.json")
    }

    fn seed(
        &self,
        fixtures: &Fixtures,
        people: &[Person],
        clock: &Clock,
    ) -> std::result::Result<Box<dyn VendorState>, FixtureError> {
        Ok(Box::new(State::seed(
            &fixtures.vendor("finapi")?,
            people,
            clock,
        )?))
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

    fn upgrade_from_1(&self, state: &mut serde_json::Value) {
        crate::store::state_schema::upgrade_pairs(state, state::KEYED_TABLES);
    }
}

impl Vendor for Finapi {
    fn title(&self) -> &'static str {
        "finAPI"
    }

    fn prefixes(&self) -> &'static [&'static str] {
        PREFIXES
    }

    fn configure(&self, cfg: &mut web::ServiceConfig) {
        configure(cfg)
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        FinapiApi::openapi()
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

/// finAPI's CORS answer. Its documents say nothing about CORS; this is what a browser frontend
/// calling with bearer tokens needs, as Spring answers with `allowedOriginPatterns("*")`: the
/// page's origin echoed, no cookies.
fn cors() -> crate::cors::CorsPolicy {
    crate::cors::CorsPolicy {
        allow_origin: crate::cors::AllowOrigin::Echo,
        allow_credentials: false,
        allow_methods: "GET, POST, PATCH, DELETE, OPTIONS",
        allow_headers: "Authorization, Content-Type, X-Request-Id, X-HTTP-Method-Override",
        expose_headers: "X-Request-Id",
        max_age: Some(3600),
        preflight_status: 200,
        answer_every_options: false,
    }
}
