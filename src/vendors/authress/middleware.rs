//! The Authress scopes' middleware: every error (handler, extractor or router) becomes Authress's
//! `{errorCode, title, errorId}` with the request id as `errorId`. (Its CORS headers are `cors()`
//! in `mod.rs`, applied app-wide.)

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::ALLOW;
use actix_web::middleware::Next;

use crate::store::RequestContext;

use super::errors::Error;

pub async fn envelope(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = RequestContext::of(req.request())
        .map(|c| c.request_id.clone())
        .unwrap_or_default();
    let res = next.call(req).await?.map_into_boxed_body();
    let error = crate::vendors::failure(&res, Error::from_status);
    let res = match error {
        Some(error) => {
            let mut rendered = error.render(&request_id);
            // The router's 405 names the path's methods in `Allow` (RFC 9110); keep it.
            if let Some(allow) = res.headers().get(ALLOW) {
                rendered.headers_mut().insert(ALLOW, allow.clone());
            }
            res.into_response(rendered)
        }
        None => res,
    };
    Ok(res)
}
