//! The finAPI scopes' middleware: `X-HTTP-Method-Override`, the `X-Request-Id` length rule, and
//! rendering every error (handler, extractor or router) as finAPI's `ErrorMessage`, which needs
//! the request id, `METHOD /path`, the time and the auth context.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;

use crate::store::RequestContext;

use super::errors::{EnvelopeContext, Error};

const METHOD_OVERRIDE: &str = "x-http-method-override";
const MAX_REQUEST_ID: usize = 255;

pub async fn envelope(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // finAPI: a POST with `X-HTTP-Method-Override: PATCH|DELETE` is handled as that method.
    if req.method() == Method::POST {
        let method = req
            .headers()
            .get(METHOD_OVERRIDE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.to_ascii_uppercase());
        match method.as_deref() {
            Some("PATCH") => req.head_mut().method = Method::PATCH,
            Some("DELETE") => req.head_mut().method = Method::DELETE,
            _ => {}
        }
    }
    let ctx = RequestContext::of(req.request());
    let too_long_id = ctx
        .as_ref()
        .is_some_and(|c| c.request_id.len() > MAX_REQUEST_ID);
    let res = if too_long_id {
        let error = Error::BadRequest(format!(
            "The X-Request-Id header must not be longer than {MAX_REQUEST_ID} characters"
        ));
        req.error_response(error)
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    let error = crate::vendors::failure(&res, Error::from_status);
    let Some(error) = error else { return Ok(res) };
    let mut rendered = error.render(&EnvelopeContext::of(res.request()));
    // The router's 405 names the path's methods in `Allow` (RFC 9110), as finAPI's Spring does;
    // the envelope keeps it.
    if let Some(allow) = res.headers().get(header::ALLOW) {
        rendered.headers_mut().insert(header::ALLOW, allow.clone());
    }
    Ok(res.into_response(rendered))
}
