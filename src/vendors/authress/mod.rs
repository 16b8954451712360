//! Authress users, tenants and service-client JWTs.

pub mod state;

use actix_web::web;
use utoipa::OpenApi;

pub use state::State;

/// The routing table: every Authress path, at Authress's own paths.
pub fn configure(_cfg: &mut web::ServiceConfig) {}

/// Authress (sandbox).
#[derive(OpenApi)]
#[openapi(info(title = "Authress (user-sandbox)", version = "v1"))]
pub struct AuthressApi;

/// The fixture service clients and users, for the banner and `/__admin/credentials`.
pub fn credentials(_world: &crate::store::World, base_url: &str) -> serde_json::Value {
    serde_json::json!({ "baseUrl": base_url })
}

/// The path prefixes this vendor owns (for the journal and fault rules).
pub const PREFIXES: &[&str] = &[];

/// The vendor's own answer to an injected server fault (control plane `PUT /__admin/faults`).
pub fn injected_error(_req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
    actix_web::HttpResponse::InternalServerError().finish()
}
