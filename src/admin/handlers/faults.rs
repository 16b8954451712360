use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::admin::faults::FaultSet;
use crate::admin::pipeline::ControlPlane;

use super::{AdminError, SandboxQuery, bad_request};

/// Fault rules of a sandbox
#[utoipa::path(get, path = "/__admin/faults", operation_id = "getFaults", tag = "Faults",
    params(SandboxQuery), responses((status = 200, description = "The fault rules", body = FaultSet), (status = 400, description = "A malformed sandbox name", body = AdminError)))]
pub async fn get_faults(
    control: web::Data<ControlPlane>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    HttpResponse::Ok().json(control.faults.get(query.key()).as_ref())
}

/// Set fault rules
///
/// The first matching rule applies to a request: latency, an error rate answered with the
/// vendor's own error (finAPI 500 `UNEXPECTED_ERROR`, OBP `OBP-50000`, Authress 503 with
/// Retry-After), or a cut connection. Rolls come from the sandbox seed.
#[utoipa::path(put, path = "/__admin/faults", operation_id = "setFaults", tag = "Faults",
    params(SandboxQuery), request_body = FaultSet,
    responses((status = 200, description = "The fault rules", body = FaultSet), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn set_faults(
    control: web::Data<ControlPlane>,
    query: web::Query<SandboxQuery>,
    body: web::Json<FaultSet>,
) -> HttpResponse {
    let set = body.into_inner();
    if let Err(e) = set.validate() {
        return bad_request(e);
    }
    control.faults.set(query.key(), set.clone());
    HttpResponse::Ok().json(set)
}

/// Clear fault rules
#[utoipa::path(delete, path = "/__admin/faults", operation_id = "clearFaults", tag = "Faults",
    params(SandboxQuery), responses((status = 200, description = "Cleared", body = Object), (status = 400, description = "A malformed sandbox name", body = AdminError)))]
pub async fn clear_faults(
    control: web::Data<ControlPlane>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    control.faults.clear(query.key());
    HttpResponse::Ok().json(json!({ "cleared": query.key() }))
}
