//! The control plane under `/__admin` (WireMock's vocabulary): sandboxes, state, checkpoints,
//! clock, journal, coverage and faults. Every operation takes an optional `sandbox` query
//! parameter; without it, it acts on the default sandbox.

pub mod faults;
pub mod handlers;
pub mod journal;
pub mod links;
pub mod operations;
pub mod persistence;
pub mod pipeline;

use actix_web::web;
use utoipa::OpenApi;

use handlers::{clock, faults as fault_handlers, requests, sandboxes, state};
use links::Links;

/// `max_state_body` bounds the state `PUT /__admin/state` reads (`--max-state-body`).
pub fn configure(cfg: &mut web::ServiceConfig, max_state_body: usize) {
    cfg.service(
        web::scope("/__admin")
            .app_data(handlers::json_config())
            .app_data(handlers::query_config())
            .service(resource("/health", "GET").route(web::get().to(handlers::health)))
            .service(resource("/credentials", "GET").route(web::get().to(handlers::credentials)))
            .service(resource("/reset", "POST").route(web::post().to(sandboxes::reset)))
            .service(resource("/seed", "POST").route(web::post().to(sandboxes::reseed)))
            .service(
                resource("/sandboxes", "GET, POST")
                    .route(web::get().to(sandboxes::list_sandboxes))
                    .route(web::post().to(sandboxes::create_sandbox)),
            )
            .service(
                resource("/sandboxes/{name}", "DELETE")
                    .route(web::delete().to(sandboxes::delete_sandbox)),
            )
            .service(
                resource("/state", "GET, PUT")
                    .app_data(state::StateBodyLimit(max_state_body))
                    .route(web::get().to(state::get_state))
                    .route(web::put().to(state::put_state)),
            )
            .service(
                resource("/checkpoints", "GET, POST")
                    .route(web::get().to(state::list_checkpoints))
                    .route(web::post().to(state::save_checkpoint)),
            )
            .service(
                resource("/checkpoints/{name}/restore", "POST")
                    .route(web::post().to(state::restore_checkpoint)),
            )
            .service(
                resource("/checkpoints/{name}", "DELETE")
                    .route(web::delete().to(state::delete_checkpoint)),
            )
            .service(
                resource("/clock", "GET, PUT")
                    .route(web::get().to(clock::get_clock))
                    .route(web::put().to(clock::set_clock)),
            )
            .service(resource("/clock/advance", "POST").route(web::post().to(clock::advance_clock)))
            .service(
                resource("/requests", "GET, DELETE")
                    .route(web::get().to(requests::list_requests))
                    .route(web::delete().to(requests::clear_requests)),
            )
            .service(resource("/coverage", "GET").route(web::get().to(requests::coverage)))
            .service(
                resource("/faults", "GET, PUT, DELETE")
                    .route(web::get().to(fault_handlers::get_faults))
                    .route(web::put().to(fault_handlers::set_faults))
                    .route(web::delete().to(fault_handlers::clear_faults)),
            )
            .default_service(web::to(handlers::unknown)),
    );
}

/// A control-plane path: any method it does not serve gets 405 with `Allow: <allow>`.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move |req: actix_web::HttpRequest| {
        handlers::method_not_allowed(req, allow)
    }))
}

/// The sandbox's control plane.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "user-sandbox control plane",
        version = env!("CARGO_PKG_VERSION"),
        description = "Isolated sandboxes, state snapshots and checkpoints, the clock, the request \
            journal and coverage, and fault injection. Every operation takes an optional `sandbox` \
            query parameter naming an isolated sandbox (served at `/sandboxes/{name}/...`). With \
            `--admin-token`, send `Authorization: Bearer <token>`."
    ),
    paths(
        handlers::health,
        handlers::credentials,
        sandboxes::list_sandboxes,
        sandboxes::create_sandbox,
        sandboxes::delete_sandbox,
        sandboxes::reset,
        sandboxes::reseed,
        state::get_state,
        state::put_state,
        state::save_checkpoint,
        state::list_checkpoints,
        state::restore_checkpoint,
        state::delete_checkpoint,
        clock::get_clock,
        clock::set_clock,
        clock::advance_clock,
        requests::list_requests,
        requests::clear_requests,
        requests::coverage,
        fault_handlers::get_faults,
        fault_handlers::set_faults,
        fault_handlers::clear_faults,
    ),
    tags(
        (name = "Control plane"), (name = "Sandboxes"), (name = "State"), (name = "Clock"),
        (name = "Journal"), (name = "Faults"),
    ),
    modifiers(&Links, &AdminTokenAddon, &FieldRules),
    security((), ("adminToken" = [])),
)]
pub struct AdminApi;

/// Rules the derives cannot state: the clock setting's and the latency's forms refuse unknown
/// members, as `deny_unknown_fields` does.
struct FieldRules;

impl utoipa::Modify for FieldRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        crate::schema_rules::close_variants(openapi, "ClockSetting");
        crate::schema_rules::close_variants(openapi, "Latency");
        state_schema(openapi);
    }
}

/// The export format as the component `WorldState`, the body of `getState`'s 200 and of
/// `putState`.
fn state_schema(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    let schema = crate::store::world::state_schema(&crate::vendors::kinds());
    openapi
        .components
        .get_or_insert_with(Default::default)
        .schemas
        .insert("WorldState".into(), crate::schema_rules::plain(schema));
    let reference = || RefOr::Ref(Ref::from_schema_name("WorldState"));
    for op in crate::links::operations_mut(openapi) {
        let content = match op.operation_id.as_deref() {
            Some("putState") => op.request_body.as_mut().and_then(|b| match b {
                RefOr::T(b) => b.content.get_mut("application/json"),
                RefOr::Ref(_) => None,
            }),
            Some("getState") => op.responses.responses.get_mut("200").and_then(|r| match r {
                RefOr::T(r) => r.content.get_mut("application/json"),
                RefOr::Ref(_) => None,
            }),
            _ => continue,
        };
        let content = content.expect("the state operations have JSON bodies");
        match content {
            RefOr::T(c) => c.schema = Some(reference()),
            RefOr::Ref(_) => panic!("inline content expected"),
        }
    }
}

/// The `--admin-token` bearer scheme, so Swagger UI's Authorize sends it.
struct AdminTokenAddon;

impl utoipa::Modify for AdminTokenAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
            "adminToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The `--admin-token` the server was started with (none needed without it).",
                    ))
                    .build(),
            ),
        );
    }
}
