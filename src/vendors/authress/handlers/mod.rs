//! Authress's operations, one file per API group, plus the sandbox's own helpers.

pub mod openid;
pub mod sandbox;
pub mod tenants;
pub mod users;

use actix_web::HttpRequest;

use crate::store::RequestContext;

/// The base URL the caller used: scheme, host and any `/sandboxes/{name}` prefix.
pub fn base_url(req: &HttpRequest) -> String {
    let sandbox = RequestContext::of(req).and_then(|c| c.sandbox.clone());
    crate::store::sandbox::base_url(req, sandbox.as_deref())
}
