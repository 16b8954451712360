//! Open Bank Project v4.0.0 user endpoints, DirectLogin and entitlements.

pub mod state;

use actix_web::web;
use utoipa::OpenApi;

pub use state::State;

/// The routing table: every OBP path, at OBP's own paths.
pub fn configure(_cfg: &mut web::ServiceConfig) {}

/// Open Bank Project (sandbox).
#[derive(OpenApi)]
#[openapi(info(title = "Open Bank Project (user-sandbox)", version = "4.0.0"))]
pub struct ObpApi;

/// The fixture consumer and users, for the banner and `/__admin/credentials`.
pub fn credentials(_world: &crate::store::World, base_url: &str) -> serde_json::Value {
    serde_json::json!({ "baseUrl": base_url })
}

/// The path prefixes this vendor owns (for the journal and fault rules).
pub const PREFIXES: &[&str] = &[];

/// The vendor's own answer to an injected server fault (control plane `PUT /__admin/faults`).
pub fn injected_error(_req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
    actix_web::HttpResponse::InternalServerError().finish()
}
