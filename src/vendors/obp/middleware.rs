//! The OBP scopes' middleware, doing what OBP's Lift dispatch does before an endpoint runs (its
//! CORS answers, `OPTIONS` included, are `cors()` in `mod.rs`, applied app-wide): a POST or PUT
//! without a JSON content type matches no route (404 `OBP-10404`); a body that is not JSON is 400
//! `OBP-10001` before authentication; a known path with another method is OBP's 404. Every
//! response gets `Correlation-Id`, a 401 gets OBP's `WWW-Authenticate`, and a successful answer
//! with a body gets an `ETag`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};

use crate::store::RequestContext;

use super::errors::{Error, not_found};
use super::validate::ParsedBody;

const CORRELATION_ID: HeaderName = HeaderName::from_static("correlation-id");
const MAX_BODY: usize = 256 * 1024;

fn is_json(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|mime| mime == "application/json" || mime == "text/json")
}

pub async fn dispatch(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() == Method::POST || req.method() == Method::PUT {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            let error = not_found(req.request());
            return Ok(finish(req.into_response(error.error_response())));
        }
        let body = match req.extract::<web::Bytes>().await {
            Ok(bytes) => bytes,
            Err(_) => {
                let error =
                    Error::InvalidJson(format!(" The body is larger than {MAX_BODY} bytes"));
                return Ok(finish(req.into_response(error.error_response())));
            }
        };
        let parsed = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(value) => Some(value),
                Err(e) => {
                    let error = Error::InvalidJson(format!(" {e}"));
                    return Ok(finish(req.into_response(error.error_response())));
                }
            }
        };
        req.extensions_mut().insert(ParsedBody(parsed));
    }
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let foreign = match res.response().error() {
        Some(e) => e.as_error::<Error>().is_none(),
        None => status == StatusCode::METHOD_NOT_ALLOWED,
    };
    if !foreign {
        return Ok(finish(with_etag(res).await));
    }
    // A framework answer (a known path with another method, an extractor of actix's own):
    // OBP has no route for it.
    let error = if status.is_server_error() {
        Error::Unknown
    } else {
        not_found(res.request())
    };
    let rendered = error.error_response();
    Ok(finish(res.into_response(rendered)))
}

/// OBP sends an `ETag` on successful answers: here a quoted 64-bit hash of the body, so the same
/// body always has the same tag. foldhash with a fixed seed reads the body many bytes at a time
/// (FNV-1a's byte loop was a few thousand instructions for a user with its entitlements).
/// The tag is written as `format!("\"{hash:016x}\"")` would, without the formatting machinery.
fn body_tag(body: &[u8]) -> [u8; 18] {
    use std::hash::BuildHasher;
    let hash = foldhash::quality::FixedState::with_seed(0x00b9_e7a6).hash_one(body);
    let mut tag = [b'"'; 18];
    for (i, digit) in tag[1..17].iter_mut().enumerate() {
        *digit = b"0123456789abcdef"[(hash >> (60 - 4 * i)) as usize & 0xf];
    }
    tag
}

/// Adds the `ETag` of a successful answer with a body.
async fn with_etag(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    if !res.status().is_success() || res.status() == StatusCode::NO_CONTENT {
        return res;
    }
    let (req, response) = res.into_parts();
    let (mut response, body) = response.into_parts();
    // A body built whole is hashed in place; only a stream is read into one buffer.
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => Ok(bytes),
        Err(body) => actix_web::body::to_bytes(body).await,
    };
    let response = match bytes {
        Ok(bytes) => {
            if let Ok(value) = HeaderValue::from_bytes(&body_tag(&bytes)) {
                response.headers_mut().insert(header::ETAG, value);
            }
            response.set_body(BoxBody::new(bytes))
        }
        Err(_) => Error::Unknown.error_response(),
    };
    ServiceResponse::new(req, response)
}

/// OBP's response headers.
fn finish(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let ctx = RequestContext::of(res.request());
    let headers = res.headers_mut();
    if let Some(id) = ctx.and_then(|c| HeaderValue::from_str(&c.request_id).ok()) {
        headers.insert(CORRELATION_ID, id);
    }
    if res.status() == StatusCode::UNAUTHORIZED {
        let host = res.request().connection_info().host().to_string();
        let realm = format!(
            "OAuth realm=\"{host}\", Bearer realm=\"{host}\", DirectLogin realm=\"{host}\""
        );
        if let Ok(value) = HeaderValue::from_str(&realm) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_tag_is_the_quoted_hex_of_its_hash() {
        use std::hash::BuildHasher;
        for body in [&b""[..], b"{}", b"{\"user_id\":\"9ca9a7e4\"}"] {
            let hash = foldhash::quality::FixedState::with_seed(0x00b9_e7a6).hash_one(body);
            assert_eq!(
                std::str::from_utf8(&body_tag(body)).unwrap(),
                format!("\"{hash:016x}\"")
            );
        }
        assert_ne!(body_tag(b"{}"), body_tag(b"[]"));
    }
}
