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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/__admin")
            .app_data(handlers::json_config())
            .app_data(handlers::query_config())
            .route("/health", web::get().to(handlers::health))
            .route("/credentials", web::get().to(handlers::credentials))
            .route("/reset", web::post().to(sandboxes::reset))
            .route("/seed", web::post().to(sandboxes::reseed))
            .service(
                web::resource("/sandboxes")
                    .route(web::get().to(sandboxes::list_sandboxes))
                    .route(web::post().to(sandboxes::create_sandbox)),
            )
            .route(
                "/sandboxes/{name}",
                web::delete().to(sandboxes::delete_sandbox),
            )
            .service(
                web::resource("/state")
                    .route(web::get().to(state::get_state))
                    .route(web::put().to(state::put_state)),
            )
            .service(
                web::resource("/checkpoints")
                    .route(web::get().to(state::list_checkpoints))
                    .route(web::post().to(state::save_checkpoint)),
            )
            .route(
                "/checkpoints/{name}/restore",
                web::post().to(state::restore_checkpoint),
            )
            .route(
                "/checkpoints/{name}",
                web::delete().to(state::delete_checkpoint),
            )
            .service(
                web::resource("/clock")
                    .route(web::get().to(clock::get_clock))
                    .route(web::put().to(clock::set_clock)),
            )
            .route("/clock/advance", web::post().to(clock::advance_clock))
            .service(
                web::resource("/requests")
                    .route(web::get().to(requests::list_requests))
                    .route(web::delete().to(requests::clear_requests)),
            )
            .route("/coverage", web::get().to(requests::coverage))
            .service(
                web::resource("/faults")
                    .route(web::get().to(fault_handlers::get_faults))
                    .route(web::put().to(fault_handlers::set_faults))
                    .route(web::delete().to(fault_handlers::clear_faults)),
            )
            .default_service(web::to(handlers::unknown)),
    );
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
    modifiers(&Links, &AdminTokenAddon),
    security((), ("adminToken" = [])),
)]
pub struct AdminApi;

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
