use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::admin::journal::JournalEntry;
use crate::admin::pipeline::ControlPlane;
use crate::vendors::REGISTRY;

use super::{AdminError, SandboxQuery, bad_request};

/// Filters of the journal.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestFilter {
    /// Only this sandbox (`default` for the default one).
    pub sandbox: Option<String>,
    pub vendor: Option<String>,
    pub operation_id: Option<String>,
    #[param(minimum = 0, maximum = 65535)]
    pub status: Option<u16>,
    /// Only requests at or after this sandbox time (RFC 3339).
    #[param(format = DateTime)]
    pub since: Option<String>,
    /// At most this many entries (default 100).
    #[param(minimum = 0, maximum = 18446744073709551615_u64)]
    pub limit: Option<usize>,
}

/// Journaled requests
///
/// Recent vendor requests, newest first (a bounded ring buffer).
#[utoipa::path(get, path = "/__admin/requests", operation_id = "listRequests", tag = "Journal",
    params(RequestFilter),
    responses((status = 200, body = Object, description = "`{\"requests\": [...], \"total\": n}`"), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn list_requests(
    control: web::Data<ControlPlane>,
    filter: web::Query<RequestFilter>,
) -> HttpResponse {
    let since = match filter
        .since
        .as_deref()
        .map(DateTime::parse_from_rfc3339)
        .transpose()
    {
        Ok(since) => since,
        Err(e) => return bad_request(format!("'since' is not an RFC 3339 date-time: {e}")),
    };
    let matching: Vec<_> = control
        .journal
        .entries()
        .into_iter()
        .filter(|e| filter.sandbox.as_deref().is_none_or(|s| e.sandbox == s))
        .filter(|e| {
            filter
                .vendor
                .as_deref()
                .is_none_or(|v| e.vendor.as_deref() == Some(v))
        })
        .filter(|e| {
            filter
                .operation_id
                .as_deref()
                .is_none_or(|o| e.operation_id.as_deref() == Some(o))
        })
        .filter(|e| filter.status.is_none_or(|s| e.status == s))
        .filter(|e| {
            since
                .is_none_or(|since| DateTime::parse_from_rfc3339(&e.time).is_ok_and(|t| t >= since))
        })
        .collect();
    let total = matching.len();
    let requests: Vec<&JournalEntry> = matching.iter().take(filter.limit.unwrap_or(100)).collect();
    HttpResponse::Ok().json(json!({ "requests": requests, "total": total }))
}

/// Clear the journal
#[utoipa::path(delete, path = "/__admin/requests", operation_id = "clearRequests", tag = "Journal",
    params(SandboxQuery), responses((status = 200, description = "Cleared", body = Object), (status = 400, description = "A malformed sandbox name", body = AdminError)))]
pub async fn clear_requests(
    control: web::Data<ControlPlane>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    control.journal.clear(query.name());
    HttpResponse::Ok().json(json!({ "cleared": query.key() }))
}

/// One documented operation and the statuses it answered.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationCoverage {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    /// Status → how many times.
    pub statuses: BTreeMap<u16, u64>,
}

/// Coverage per vendor
///
/// Which documented operations were called, with which statuses, in one sandbox: a contract suite
/// can assert it exercised the whole API.
#[utoipa::path(get, path = "/__admin/coverage", operation_id = "getCoverage", tag = "Journal",
    params(SandboxQuery), responses((status = 200, body = Object, description = "vendor → {covered, total, operations}"), (status = 400, description = "A malformed sandbox name", body = AdminError)))]
pub async fn coverage(
    control: web::Data<ControlPlane>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    let mut vendors = serde_json::Map::new();
    for vendor in REGISTRY.iter().map(|v| v.name()) {
        let operations: Vec<OperationCoverage> = control
            .operations
            .of_vendor(vendor)
            .map(|op| OperationCoverage {
                operation_id: op.operation_id.to_string(),
                method: op.method.clone(),
                path: op.path.clone(),
                statuses: control
                    .journal
                    .coverage(query.key(), vendor, &op.operation_id),
            })
            .collect();
        let covered = operations.iter().filter(|o| !o.statuses.is_empty()).count();
        vendors.insert(
            vendor.to_string(),
            json!({ "covered": covered, "total": operations.len(), "operations": operations }),
        );
    }
    HttpResponse::Ok().json(vendors)
}
