//! The control plane's error body. `/__admin` operations answer with it, and so do the
//! sandbox-only helpers a vendor mounts under `/__admin` (e.g. minting Authress service clients),
//! so neither depends on the other for it.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// The control plane's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminError {
    /// HTTP status.
    pub status: u16,
    /// What went wrong.
    pub message: String,
}

/// A response with the control plane's error body.
pub fn error(status: StatusCode, message: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::build(status).json(AdminError {
        status: status.as_u16(),
        message: message.to_string(),
    })
}
