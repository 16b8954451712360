//! The control plane's view of every request: the admin token on `/__admin`, fault rules, and the
//! journal. Runs inside `store::sandbox::resolve`, so the sandbox and request id are known.

use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use futures_util::StreamExt;

use crate::store::sandbox::DEFAULT;
use crate::store::{Caller, RequestContext};
use crate::vendors;

use super::faults::FaultBook;
use super::journal::{Journal, Observed, RawBody};
use super::operations::Operations;

/// How long a request body may take to arrive once its head is in (a half-sent body is cut).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Shared control-plane state.
#[derive(Debug)]
pub struct ControlPlane {
    pub journal: Journal,
    pub faults: FaultBook,
    pub operations: Operations,
    pub admin_token: Option<String>,
    /// `--max-body`: vendor-path request bodies above this many bytes are refused before any
    /// vendor sees them.
    pub max_body: usize,
}

fn is_control_path(path: &str) -> bool {
    path == "/__admin" || path.starts_with("/__admin/")
}

/// Paths whose traffic is not journaled: the control plane itself and the docs.
fn is_quiet_path(path: &str) -> bool {
    is_control_path(path)
        || path.starts_with("/swagger-ui")
        || path.starts_with("/openapi/")
        || path == "/"
}

fn admin_error(status: u16, message: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
        .json(serde_json::json!({ "status": status, "message": message }))
}

/// The vendor's own error for an injected fault.
fn injected_error(vendor: Option<&str>, req: &actix_web::HttpRequest) -> HttpResponse {
    match vendor.and_then(vendors::by_name) {
        Some(vendor) => vendor.injected_error(req),
        None => admin_error(500, "injected fault"),
    }
}

/// The vendor's own error for a body over `--max-body`.
fn body_too_large(
    vendor: Option<&str>,
    req: &actix_web::HttpRequest,
    limit: usize,
) -> HttpResponse {
    match vendor.and_then(vendors::by_name) {
        Some(vendor) => vendor.body_too_large(req, limit),
        None => admin_error(
            413,
            &format!("request bodies are limited to {limit} bytes (--max-body)"),
        ),
    }
}

/// A `Content-Length` that is present and says more than `limit`.
fn declared_over(req: &ServiceRequest, limit: usize) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|len| len > limit as u64)
}

/// A response whose body fails after the head is sent: the client sees the connection cut.
fn connection_reset() -> HttpResponse {
    let failing = futures_util::stream::once(async {
        Err::<web::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    HttpResponse::Ok()
        .content_type("application/json")
        .streaming(failing)
}

pub async fn observe(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(control) = req.app_data::<web::Data<ControlPlane>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let uri = req.uri().clone();
    let path = uri.path();
    if is_control_path(path)
        && let Some(token) = &control.admin_token
    {
        let sent = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if sent != Some(format!("Bearer {token}").as_str()) {
            let res = admin_error(
                401,
                "the control plane needs 'Authorization: Bearer <admin token>'",
            );
            return Ok(req.into_response(res));
        }
    }
    if is_quiet_path(path) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // `--journal-size 0` turns the journal off; fault rules still apply.
    let journaling = control.journal.capacity() > 0;
    let started = Instant::now();
    let ctx = RequestContext::of(req.request());
    let method = req.method().clone();
    let sandbox = ctx.as_ref().and_then(|c| c.sandbox.clone());
    let (operation, vendor) = control.operations.resolve(method.as_str(), path);

    // Refuse a body over `--max-body` before reading it when its length is declared, else
    // while reading it; read it once, keep a copy for the journal, and hand the same bytes on.
    let limit = control.max_body;
    if declared_over(&req, limit) {
        let res = body_too_large(vendor, req.request(), limit);
        return Ok(req.into_response(res));
    }
    let mut payload = req.take_payload();
    let read = actix_web::rt::time::timeout(BODY_TIMEOUT, async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            body.extend_from_slice(&chunk?);
            if body.len() > limit {
                return Ok(None);
            }
        }
        Ok::<_, actix_web::error::PayloadError>(Some(body.freeze()))
    })
    .await;
    let body = match read {
        Ok(Ok(Some(body))) => body,
        Ok(Ok(None)) => {
            let res = body_too_large(vendor, req.request(), limit);
            return Ok(req.into_response(res));
        }
        Ok(Err(e)) => return Err(e.into()),
        Err(_) => {
            let mut res = admin_error(408, "the request body did not arrive in time");
            res.head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
            return Ok(req.into_response(res));
        }
    };
    let request_body = if journaling {
        RawBody::new(&body)
    } else {
        None
    };
    req.set_payload(actix_web::dev::Payload::from(body));

    let decision = ctx.as_ref().and_then(|c| {
        control.faults.decide(
            sandbox.as_deref().unwrap_or(DEFAULT),
            &c.world.ids,
            (method.as_str(), path),
            vendor,
            operation,
        )
    });
    if let Some(d) = &decision
        && d.delay_ms > 0
    {
        actix_web::rt::time::sleep(Duration::from_millis(d.delay_ms)).await;
    }
    let (res, fault) = match &decision {
        Some(d) if d.reset => (
            req.into_response(connection_reset()),
            Some(format!("rules[{}]: connection reset", d.rule)),
        ),
        Some(d) if d.error => {
            let res = injected_error(vendor, req.request());
            (
                req.into_response(res),
                Some(format!("rules[{}]: error", d.rule)),
            )
        }
        Some(d) if d.delay_ms > 0 => (
            next.call(req).await?.map_into_boxed_body(),
            Some(format!("rules[{}]: {} ms latency", d.rule, d.delay_ms)),
        ),
        _ => (next.call(req).await?.map_into_boxed_body(), None),
    };
    if !journaling {
        return Ok(res);
    }
    let status = res.status().as_u16();
    let principal = res.request().extensions().get::<Caller>().cloned();
    // A cut connection has no body to keep.
    let (res, response_body) = if decision.as_ref().is_some_and(|d| d.reset) {
        (res, None)
    } else {
        let (http_req, http_res) = res.into_parts();
        let (head, body) = http_res.into_parts();
        // A body built whole (every vendor's JSON) is kept without a copy; a stream is read.
        let bytes = match body.try_into_bytes() {
            Ok(bytes) => bytes,
            Err(body) => actix_web::body::to_bytes(body).await.unwrap_or_default(),
        };
        let response_body = RawBody::new(&bytes);
        (
            ServiceResponse::new(http_req, head.set_body(BoxBody::new(bytes))),
            response_body,
        )
    };
    control.journal.record(Observed {
        time: ctx.as_ref().map(|c| c.world.clock.now()),
        sandbox,
        method,
        uri,
        status,
        vendor,
        operation_id: operation.map(|o| o.operation_id.clone()),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        principal,
        fault,
        request: request_body,
        response: response_body,
    });
    Ok(res)
}
