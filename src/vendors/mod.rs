//! One folder per vendor, each with the same inner shape: `mod.rs` (routing table, OpenAPI
//! document, credentials), `models/`, `handlers/`, `auth.rs`, `errors.rs`, `state.rs`.

pub mod authress;
pub mod finapi;
pub mod obp;

use actix_web::ResponseError;
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;

/// The vendor error a finished response carries, if it failed: the vendor's own error (from a
/// handler or an extractor), a framework error mapped by its status, or a router answer that
/// carries no error value (405 for a known path with another method, mapped with the method).
pub fn failure<E>(
    res: &ServiceResponse<BoxBody>,
    map: impl Fn(StatusCode, String) -> E,
) -> Option<E>
where
    E: ResponseError + Clone + 'static,
{
    let status = res.status();
    match res.response().error() {
        Some(e) => Some(
            e.as_error::<E>()
                .cloned()
                .unwrap_or_else(|| map(status, e.to_string())),
        ),
        None if status == StatusCode::METHOD_NOT_ALLOWED => {
            Some(map(status, res.request().method().to_string()))
        }
        None if status.is_client_error() || status.is_server_error() => Some(map(
            status,
            status.canonical_reason().unwrap_or("Error").to_string(),
        )),
        None => None,
    }
}
