use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::store::{Sandboxes, World};
use crate::vendors::{authress, finapi, obp};

/// Which sandbox an operation acts on.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SandboxQuery {
    /// A named sandbox (as in `/sandboxes/{name}/...`); the default sandbox when absent.
    pub sandbox: Option<String>,
}

/// The control plane's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminError {
    /// HTTP status.
    pub status: u16,
    /// What went wrong.
    pub message: String,
}

fn bad_sandbox(e: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::BadRequest().json(AdminError {
        status: 400,
        message: e.to_string(),
    })
}

/// Health
#[utoipa::path(get, path = "/__admin/health", operation_id = "health", tag = "Control plane",
    responses((status = 200, description = "The server is up", body = Object, example = json!({"status": "UP", "version": "0.1.0"}))))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "UP", "version": env!("CARGO_PKG_VERSION") }))
}

/// Reset a sandbox to its seeded state
///
/// Swaps in a freshly seeded world: every user, token and lock made since is gone.
#[utoipa::path(post, path = "/__admin/reset", operation_id = "reset", tag = "Control plane",
    params(SandboxQuery),
    responses((status = 200, description = "Reset done", body = Object), (status = 400, body = AdminError)))]
pub async fn reset(sandboxes: web::Data<Sandboxes>, query: web::Query<SandboxQuery>) -> HttpResponse {
    match sandboxes.reset(query.sandbox.as_deref()) {
        Ok(()) => HttpResponse::Ok().json(json!({ "reset": query.sandbox.as_deref().unwrap_or("default") })),
        Err(e) => bad_sandbox(e),
    }
}

/// Every vendor's fixture credentials and base URL, as in the startup banner.
pub fn credentials_of(world: &World, base_url: &str) -> serde_json::Value {
    json!({
        "finapi": finapi::credentials(world, base_url),
        "obp": obp::credentials(world, base_url),
        "authress": authress::credentials(world, base_url),
    })
}

/// Fixture credentials
///
/// The fixture clients and users of every vendor, with the base URL to give each SDK.
#[utoipa::path(get, path = "/__admin/credentials", operation_id = "credentials", tag = "Control plane",
    params(SandboxQuery),
    responses((status = 200, description = "Credentials per vendor", body = Object), (status = 400, body = AdminError)))]
pub async fn credentials(
    req: HttpRequest,
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    let world = match sandboxes.world(query.sandbox.as_deref()) {
        Ok(world) => world,
        Err(e) => return bad_sandbox(e),
    };
    let info = req.connection_info();
    let mut base_url = format!("{}://{}", info.scheme(), info.host());
    if let Some(name) = &query.sandbox {
        base_url = format!("{base_url}/sandboxes/{name}");
    }
    HttpResponse::Ok().json(credentials_of(&world, &base_url))
}

pub async fn unknown(req: HttpRequest) -> HttpResponse {
    HttpResponse::NotFound().json(AdminError {
        status: 404,
        message: format!("No control-plane operation at {} {}", req.method(), req.path()),
    })
}
