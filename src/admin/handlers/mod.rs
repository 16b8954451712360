//! Control-plane handlers, one file per noun.

pub mod clock;
pub mod faults;
pub mod requests;
pub mod sandboxes;
pub mod state;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use crate::store::Sandboxes;
use crate::store::sandbox::SandboxError;

/// Which sandbox an operation acts on.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SandboxQuery {
    /// A named sandbox (as in `/sandboxes/{name}/...`); the default sandbox when absent.
    #[param(pattern = r"^[A-Za-z0-9_-]{1,64}$", min_length = 1, max_length = 64)]
    #[serde(default, deserialize_with = "sandbox_name")]
    pub sandbox: Option<String>,
}

/// Refuses a name no sandbox can have, so every operation answers it with 400 alike.
fn sandbox_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let name = Option::<String>::deserialize(d)?;
    match &name {
        Some(n) if !crate::store::sandbox::valid_name(n) => {
            Err(serde::de::Error::custom(SandboxError::BadName))
        }
        _ => Ok(name),
    }
}

impl SandboxQuery {
    pub fn name(&self) -> Option<&str> {
        self.sandbox.as_deref()
    }

    /// The sandbox's name as journal entries and fault rules know it.
    pub fn key(&self) -> &str {
        self.sandbox
            .as_deref()
            .unwrap_or(crate::store::sandbox::DEFAULT)
    }
}

pub use crate::control::{AdminError, error};

/// Runs control-plane work that can take seconds (seeding, dropping a world, exports, imports,
/// checkpoints) on actix's blocking threads, and answers its `SandboxError` as every handler
/// does. A worker thread that ran the work itself would answer no other request meanwhile, and
/// would then cut the next requests it took with 408s: their timers start from a clock the
/// blocked worker had stopped updating.
pub async fn off_worker<T: Send + 'static>(
    sandboxes: &web::Data<Sandboxes>,
    work: impl FnOnce(&Sandboxes) -> Result<T, SandboxError> + Send + 'static,
) -> Result<T, HttpResponse> {
    let sandboxes = sandboxes.clone();
    match web::block(move || work(&sandboxes)).await {
        Ok(done) => done.map_err(sandbox_error),
        Err(_) => Err(error(
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            "the control plane's work stopped unfinished",
        )),
    }
}

pub fn sandbox_error(e: SandboxError) -> HttpResponse {
    error(e.status(), e)
}

pub fn bad_request(message: impl std::fmt::Display) -> HttpResponse {
    error(actix_web::http::StatusCode::BAD_REQUEST, message)
}

/// Malformed JSON or query strings get the control plane's JSON error.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024 * 1024)
        .error_handler(|err, _| {
            actix_web::error::InternalError::from_response(err.to_string(), bad_request(&err))
                .into()
        })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        actix_web::error::InternalError::from_response(err.to_string(), bad_request(&err)).into()
    })
}

/// Health
#[utoipa::path(get, path = "/__admin/health", operation_id = "health", tag = "Control plane",
    responses((status = 200, description = "The server is up", body = Object, example = json!({"status": "UP", "version": "0.1.0"}))))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "UP", "version": env!("CARGO_PKG_VERSION") }))
}

/// Fixture credentials
///
/// The fixture clients and users of every vendor, with the base URL to give each SDK.
#[utoipa::path(get, path = "/__admin/credentials", operation_id = "getCredentials", tag = "Control plane",
    params(SandboxQuery),
    responses((status = 200, description = "Credentials per vendor", body = Object), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn credentials(
    req: HttpRequest,
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    let world = match sandboxes.world(query.name()) {
        Ok(world) => world,
        Err(e) => return sandbox_error(e),
    };
    let base_url = crate::store::sandbox::base_url(&req, query.name());
    HttpResponse::Ok().json(crate::vendors::credentials(
        &world,
        &sandboxes.plan().fixtures,
        &base_url,
    ))
}

/// A known control-plane path with a method it does not serve.
pub async fn method_not_allowed(req: HttpRequest, allow: &'static str) -> HttpResponse {
    let mut response = error(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{} {} is not served; it allows {allow}",
            req.method(),
            req.path()
        ),
    );
    response.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static(allow),
    );
    response
}

pub async fn unknown(req: HttpRequest) -> HttpResponse {
    error(
        actix_web::http::StatusCode::NOT_FOUND,
        format!(
            "No control-plane operation at {} {}",
            req.method(),
            req.path()
        ),
    )
}
