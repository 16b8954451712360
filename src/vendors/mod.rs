//! The vendor registry. One folder per vendor, each with the same inner shape: `mod.rs` (its
//! [`Vendor`] value: routing table, OpenAPI document, credentials), `models/`, `handlers/`,
//! `auth.rs`, `errors.rs`, `middleware.rs`, `state.rs`. Everything outside this folder (the
//! world, the control plane, the docs, startup) reaches vendors only through [`REGISTRY`];
//! adding a vendor is one new folder and one line there (`docs/adding-a-vendor.md`).

pub mod authress;
pub mod finapi;
pub mod obp;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::seed::Fixtures;
use crate::store::World;
use crate::store::world::{Kinds, VendorKind};

/// Every vendor the sandbox serves, in the order they appear in documents, banners and states.
pub static REGISTRY: &[&dyn Vendor] = &[&finapi::Finapi, &obp::Obp, &authress::Authress];

/// What a vendor registers besides its part of the world ([`VendorKind`]).
pub trait Vendor: VendorKind {
    /// The vendor's name in the Swagger UI selector, e.g. `finAPI`.
    fn title(&self) -> &'static str;
    /// The path prefixes the vendor owns (for the journal, coverage and fault rules).
    fn prefixes(&self) -> &'static [&'static str];
    /// Mounts every route of the vendor, at its real paths.
    fn configure(&self, cfg: &mut web::ServiceConfig);
    /// The vendor's OpenAPI document.
    fn openapi(&self) -> utoipa::openapi::OpenApi;
    /// The fixture credentials and the base URL to give the vendor's SDK. Passwords are stored
    /// hashed: a documented password comes from `fixtures`, listed while it is still valid.
    fn credentials(&self, world: &World, fixtures: &Fixtures, base_url: &str) -> serde_json::Value;
    /// The vendor's own answer to an injected server fault.
    fn injected_error(&self, req: &HttpRequest) -> HttpResponse;
    /// The vendor's own error for a request body over `--max-body` bytes.
    fn body_too_large(&self, req: &HttpRequest, limit: usize) -> HttpResponse;
    /// How the vendor answers browsers (CORS).
    fn cors(&self) -> crate::cors::CorsPolicy;
}

/// A registered vendor by name.
pub fn by_name(name: &str) -> Option<&'static dyn Vendor> {
    REGISTRY.iter().copied().find(|v| v.name() == name)
}

/// The registered vendors as the parts a world is built from.
pub fn kinds() -> Kinds {
    REGISTRY
        .iter()
        .map(|v| *v as &'static dyn VendorKind)
        .collect::<Vec<_>>()
        .into()
}

/// Every vendor's fixture credentials, keyed by vendor name.
pub fn credentials(world: &World, fixtures: &Fixtures, base_url: &str) -> serde_json::Value {
    REGISTRY
        .iter()
        .map(|v| {
            (
                v.name().to_string(),
                v.credentials(world, fixtures, base_url),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Mounts every vendor's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for vendor in REGISTRY {
        vendor.configure(cfg);
    }
}

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

/// A header's value as text when every byte is visible ASCII, a space or a tab — what
/// `HeaderValue::to_str` accepts — checked over the whole value without a branch per byte, so
/// the compiler can check many bytes at once. An Authress SDK's JWT is about 400 bytes, and
/// `to_str`'s byte-by-byte loop was a tenth of such a request's instructions.
pub fn header_text(value: &actix_web::http::header::HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    let visible = bytes.iter().fold(true, |ok, &b| {
        ok & ((b' '..=b'~').contains(&b) | (b == b'\t'))
    });
    if visible {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    /// The same answer as `HeaderValue::to_str` for every single byte and for mixed values.
    #[test]
    fn header_text_accepts_what_to_str_accepts() {
        for b in 0..=255u8 {
            let raw = [b'a', b, b'z'];
            let Ok(value) = HeaderValue::from_bytes(&raw) else {
                continue;
            };
            assert_eq!(super::header_text(&value), value.to_str().ok(), "byte {b}");
        }
        let long = format!("Bearer {}", "eyJhbGciOiJFZERTQSJ9.".repeat(20));
        let value = HeaderValue::from_str(&long).unwrap();
        assert_eq!(super::header_text(&value), Some(long.as_str()));
    }
}
