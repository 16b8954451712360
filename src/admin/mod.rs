//! The control plane under `/__admin` (WireMock's vocabulary): health, reset, credentials.

pub mod handlers;

use actix_web::web;
use utoipa::OpenApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/__admin")
            .route("/health", web::get().to(handlers::health))
            .route("/reset", web::post().to(handlers::reset))
            .route("/credentials", web::get().to(handlers::credentials))
            .default_service(web::to(handlers::unknown)),
    );
}

/// The sandbox's control plane.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "user-sandbox control plane",
        version = env!("CARGO_PKG_VERSION"),
        description = "Health, reset and the fixture credentials of every vendor. Every operation \
            takes an optional `sandbox` query parameter naming an isolated sandbox."
    ),
    paths(handlers::health, handlers::reset, handlers::credentials),
    tags((name = "Control plane")),
)]
pub struct AdminApi;
