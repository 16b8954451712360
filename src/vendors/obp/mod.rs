//! Open Bank Project (OBP-API v4.0.0): the 25 User endpoints of the API Explorer, DirectLogin
//! and entitlements, following OBP-API's code (develop, 2024-10) where its docs disagree. The
//! same endpoints are served under `/obp/v4.0.0`, `/obp/v5.0.0` and `/obp/v5.1.0` (which the
//! `obp-api` Python SDK calls, with v5.1.0's provider-and-username lock paths), and those that
//! exist in v3.1.0 under `/obp/v3.1.0`.

pub mod auth;
pub mod errors;
mod field_rules;
use field_rules::FieldRules;
pub mod handlers;
pub mod links;
pub mod middleware;
pub mod models;
pub mod state;
pub mod validate;

use actix_web::middleware::from_fn;
use actix_web::{Scope, web};
use utoipa::OpenApi;

use crate::seed::{Fixtures, Person, fixtures::FixtureError};
use crate::store::world::{VendorKind, VendorState};
use crate::store::{Clock, World};
use crate::vendors::Vendor;

pub use errors::{Error, Result};
pub use state::State;

use auth::SecurityAddon;
use handlers::{attributes, auth_context, discovery, entitlements, locks, login, outbox, users};
use links::Links;

/// Which OBP version a prefix serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Version {
    V310,
    V400,
    V510,
}

const VERSIONS: &[(&str, Version)] = &[
    ("/obp/v3.1.0", Version::V310),
    ("/obp/v4.0.0", Version::V400),
    ("/obp/v5.0.0", Version::V400),
    ("/obp/v5.1.0", Version::V510),
];

/// Every endpoint of one version prefix. Literal paths come before variable ones, and all
/// methods of a path share one resource (a path with another method is OBP's 404).
fn routes(scope: Scope, version: Version) -> Scope {
    let v4 = version >= Version::V400;
    let mut scope = scope
        .app_data(errors::json_config())
        .app_data(errors::query_config())
        .app_data(errors::path_config())
        .route("", web::get().to(discovery::root))
        .route("/root", web::get().to(discovery::root))
        .route(
            "/resource-docs/{API_VERSION}/obp",
            web::get().to(discovery::get_resource_docs_obp),
        )
        .route("/users/current", web::get().to(users::get_current_user));
    if v4 {
        scope = scope
            .route(
                "/users/current/user_id",
                web::get().to(users::get_current_user_id),
            )
            .route(
                "/users/current/logout-link",
                web::get().to(users::get_logout_link),
            )
            .route(
                "/users/user_id/{USER_ID}",
                web::get().to(users::get_user_by_user_id),
            )
            .route(
                "/users/username/{USERNAME}",
                web::get().to(users::get_user_by_username),
            )
            .route(
                "/users/email/{EMAIL}/terminator",
                web::get().to(users::get_users_by_email),
            )
            .service(
                web::resource("/users")
                    .route(web::post().to(users::create_user))
                    .route(web::get().to(users::get_users)),
            )
            .route("/users/{USER_ID}", web::delete().to(users::delete_user))
            .route(
                "/users/{USER_ID}/attributes",
                web::get().to(attributes::get_user_with_attributes),
            )
            .route("/users/{USERNAME}/locks", web::post().to(locks::lock_user))
            .service(
                web::resource("/my/user/attributes")
                    .route(web::get().to(attributes::get_my_personal_user_attributes))
                    .route(web::post().to(attributes::create_my_personal_user_attribute)),
            )
            .route(
                "/my/user/attributes/{USER_ATTRIBUTE_ID}",
                web::put().to(attributes::update_my_personal_user_attribute),
            )
            .route("/my/spaces", web::get().to(entitlements::get_my_spaces))
            .route(
                "/management/user/reset-password-url",
                web::post().to(users::reset_password_url),
            );
    } else {
        // v3.1.0 serves OBP v3.0.0's getUsers and getUserByUserId, in the v2.0.0 user shape.
        scope = scope
            .route(
                "/users/user_id/{USER_ID}",
                web::get().to(users::get_user_by_user_id_v310),
            )
            .service(
                web::resource("/users")
                    .route(web::post().to(users::create_user))
                    .route(web::get().to(users::get_users_v310)),
            );
    }
    scope = scope
        .service(
            web::resource("/users/{USER_ID}/entitlements")
                .route(web::post().to(entitlements::add_entitlement))
                .route(web::get().to(entitlements::get_entitlements)),
        )
        .service(
            web::resource("/users/{USER_ID}/auth-context")
                .route(web::post().to(auth_context::create_user_auth_context))
                .route(web::get().to(auth_context::get_user_auth_contexts))
                .route(web::delete().to(auth_context::delete_user_auth_contexts)),
        )
        .route(
            "/users/{USER_ID}/auth-context/{USER_AUTH_CONTEXT_ID}",
            web::delete().to(auth_context::delete_user_auth_context_by_id),
        )
        .route("/users/{USER_ID}/refresh", web::post().to(users::refresh_user))
        .service(
            web::resource("/users/{USERNAME}/lock-status")
                .route(web::get().to(locks::get_bad_login_status))
                .route(web::put().to(locks::unlock_user)),
        )
        .route("/my/entitlements", web::get().to(entitlements::get_entitlements_for_current_user))
        .route("/entitlements", web::get().to(entitlements::get_all_entitlements))
        .route(
            "/banks/{BANK_ID}/users/current/auth-context-updates/{SCA_METHOD}",
            web::post().to(auth_context::create_user_auth_context_update_request),
        )
        .route(
            "/banks/{BANK_ID}/users/current/auth-context-updates/{AUTH_CONTEXT_UPDATE_ID}/challenge",
            web::post().to(auth_context::answer_user_auth_context_update_challenge),
        );
    if version >= Version::V510 {
        scope = scope
            .service(
                web::resource("/users/{PROVIDER}/{USERNAME}/lock-status")
                    .route(web::get().to(locks::get_user_lock_status))
                    .route(web::put().to(locks::unlock_user_by_provider_and_username)),
            )
            .route(
                "/users/{PROVIDER}/{USERNAME}/locks",
                web::post().to(locks::lock_user_by_provider_and_username),
            );
    }
    // Last: its four segments would otherwise shadow v5.1.0's `/users/{PROVIDER}/{USERNAME}/...`.
    scope.route(
        "/users/{USER_ID}/entitlement/{ENTITLEMENT_ID}",
        web::delete().to(entitlements::delete_entitlement),
    )
}

/// The routing table: DirectLogin at the root, every version prefix, and the sandbox's outbox.
fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/my/logins/direct")
            .wrap(from_fn(middleware::dispatch))
            .route(web::post().to(login::direct_login))
            .default_service(web::to(errors::unknown_route)),
    );
    for (prefix, version) in VERSIONS {
        cfg.service(
            routes(web::scope(prefix), *version)
                .default_service(web::to(errors::unknown_route))
                .wrap(from_fn(middleware::dispatch)),
        );
    }
    // Exact path: it does not collide with the control plane's `/__admin` scope.
    cfg.service(web::resource("/__admin/outbox").route(web::get().to(outbox::outbox)));
}

/// Open Bank Project (sandbox).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Open Bank Project (user-sandbox)",
        version = "4.0.0",
        description = "A stateful sandbox of OBP-API's User endpoints, DirectLogin and \
            entitlements. Log in with `POST /my/logins/direct` and the header `DirectLogin: \
            username=sandbox.admin, password=Admin-Sandbox-2026!, consumer_key=sandbox-consumer-key` \
            (the super admin, who holds every user-management role), then Authorize with \
            `token=<token>`. Fixture user: `felixsmith` / `Felix-Sandbox-2026!`. The same \
            endpoints answer under /obp/v5.0.0 and /obp/v5.1.0 (and, where they exist there, \
            /obp/v3.1.0). POST and PUT need `Content-Type: application/json`."
    ),
    paths(
        login::direct_login,
        auth_context::answer_user_auth_context_update_challenge,
        attributes::create_my_personal_user_attribute,
        users::create_user,
        auth_context::create_user_auth_context,
        auth_context::create_user_auth_context_update_request,
        users::reset_password_url,
        auth_context::delete_user_auth_context_by_id,
        auth_context::delete_user_auth_contexts,
        users::delete_user,
        users::get_logout_link,
        attributes::get_my_personal_user_attributes,
        entitlements::get_my_spaces,
        users::get_current_user,
        auth_context::get_user_auth_contexts,
        users::get_current_user_id,
        locks::get_bad_login_status,
        users::get_user_by_username,
        users::get_user_by_user_id,
        attributes::get_user_with_attributes,
        users::get_users_by_email,
        users::get_users,
        locks::lock_user,
        users::refresh_user,
        locks::unlock_user,
        attributes::update_my_personal_user_attribute,
        entitlements::add_entitlement,
        entitlements::get_entitlements,
        entitlements::get_entitlements_for_current_user,
        entitlements::delete_entitlement,
        entitlements::get_all_entitlements,
        users::get_users_v310,
        users::get_user_by_user_id_v310,
        discovery::root,
        discovery::get_resource_docs_obp,
        locks::get_user_lock_status,
        locks::unlock_user_by_provider_and_username,
        locks::lock_user_by_provider_and_username,
        outbox::outbox,
    ),
    modifiers(&SecurityAddon, &Links, &DispatchAnswers, &FieldRules),
    tags(
        (name = "DirectLogin", description = "Get a token"),
        (name = "User", description = "OBP's User endpoints"),
        (name = "Role", description = "Entitlements: grant and list roles"),
        (name = "API", description = "Discovery: API info and resource docs"),
        (name = "Sandbox", description = "Sandbox extras, not part of OBP"),
    ),
)]
pub struct ObpApi;

/// What OBP's dispatch answers every POST and PUT before the endpoint runs (`middleware.rs`):
/// 404 `OBP-10404` without a JSON `Content-Type`, 400 `OBP-10001` for a body that is not JSON.
/// Each POST and PUT operation documents both, added to its own 400 and 404 where it has them.
struct DispatchAnswers;

impl utoipa::Modify for DispatchAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        const ANSWERS: [(&str, &str); 2] = [
            (
                "404",
                "OBP-10404: the `Content-Type` of a POST or PUT is not `application/json`",
            ),
            ("400", "OBP-10001: the body is not JSON"),
        ];
        for item in openapi.paths.paths.values_mut() {
            for op in [item.post.as_mut(), item.put.as_mut()]
                .into_iter()
                .flatten()
            {
                for (status, description) in ANSWERS {
                    match op.responses.responses.get_mut(status) {
                        Some(RefOr::T(response)) => {
                            response.description =
                                format!("{}; {description}", response.description);
                        }
                        Some(RefOr::Ref(_)) => {}
                        None => {
                            let error = ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorMessage")))
                                .build();
                            let response = ResponseBuilder::new()
                                .description(description)
                                .content("application/json", error)
                                .build();
                            op.responses
                                .responses
                                .insert(status.to_string(), RefOr::T(response));
                        }
                    }
                }
            }
        }
    }
}

/// The fixture consumer and accounts, for the banner and `/__admin/credentials`. An account's
/// documented password (`obp.json` or `people.json`) is listed while it is the account's
/// password, else `null`: passwords are stored hashed.
fn credentials(world: &World, fixtures: &Fixtures, base_url: &str) -> serde_json::Value {
    let state = world.obp();
    let accounts = fixtures
        .vendor::<state::Fixtures>("obp")
        .map(|f| f.accounts)
        .unwrap_or_default();
    let documented = |u: &state::UserRecord| {
        accounts
            .iter()
            .map(|a| (a.username.as_str(), a.password.as_str()))
            .chain(
                fixtures
                    .people
                    .iter()
                    .map(|p| (p.username.as_str(), p.password.as_str())),
            )
            .find(|(username, _)| *username == u.username)
            .map(|(_, plain)| plain.to_string())
            .filter(|plain| u.password.verify(plain))
    };
    let consumers: Vec<_> = state
        .consumers()
        .iter()
        .map(|c| serde_json::json!({ "consumerKey": c.consumer_key, "appName": c.app_name, "enabled": c.enabled }))
        .collect();
    let users: Vec<_> = state
        .fixture_accounts()
        .into_iter()
        .map(|(u, note)| {
            serde_json::json!({
                "username": u.username,
                "password": documented(&u),
                "userId": u.user_id,
                "email": u.email,
                "note": note.unwrap_or_default(),
            })
        })
        .collect();
    let customers: Vec<_> = state
        .customers()
        .iter()
        .map(|c| serde_json::json!({ "bankId": c.bank_id, "customerNumber": c.customer_number, "email": c.email }))
        .collect();
    serde_json::json!({
        "baseUrl": base_url,
        "apiBaseUrl": format!("{base_url}/obp/v4.0.0"),
        "directLogin": format!("POST {base_url}/my/logins/direct"),
        "outbox": format!("GET {base_url}/__admin/outbox"),
        "consumers": consumers,
        "users": users,
        "customers": customers,
    })
}

/// The path prefixes this vendor owns (for the journal and fault rules).
const PREFIXES: &[&str] = &["/obp/", "/my/logins/direct"];

/// The vendor's own answer to an injected server fault (control plane `PUT /__admin/faults`).
fn injected_error(_req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
    actix_web::ResponseError::error_response(&Error::Unknown)
}

/// Open Bank Project's part of a world: `world.obp()`.
pub trait ObpWorld {
    fn obp(&self) -> &State;
}

impl ObpWorld for World {
    fn obp(&self) -> &State {
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

/// Open Bank Project in the vendor registry.
#[derive(Debug)]
pub struct Obp;

impl VendorKind for Obp {
    fn name(&self) -> &'static str {
        "obp"
    }

    fn embedded_fixtures(&self) -> &'static str {
        include_str!("../../../fixtures/obp.json")
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

    fn upgrade_from_1(&self, state: &mut serde_json::Value) {
        state::upgrade_from_1(state);
    }
}

impl Vendor for Obp {
    fn title(&self) -> &'static str {
        "Open Bank Project"
    }

    fn prefixes(&self) -> &'static [&'static str] {
        PREFIXES
    }

    fn configure(&self, cfg: &mut web::ServiceConfig) {
        configure(cfg)
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        ObpApi::openapi()
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

/// OBP's CORS answer (`OBPAPI4_0_0.scala`): `*` on every response, and every `OPTIONS` is a 204
/// with these methods and the wildcard header list (which covers `DirectLogin`; the Fetch
/// standard does not let it cover `Authorization`). No exposed headers, no max age.
fn cors() -> crate::cors::CorsPolicy {
    crate::cors::CorsPolicy {
        allow_origin: crate::cors::AllowOrigin::Any,
        allow_credentials: false,
        allow_methods: "GET, POST, OPTIONS, PUT, PATCH, DELETE",
        allow_headers: "*",
        expose_headers: "",
        max_age: None,
        preflight_status: 204,
        answer_every_options: true,
    }
}
