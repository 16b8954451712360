use actix_web::{HttpResponse, web};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::Sandboxes;
use crate::store::clock::ClockMode;

use super::{AdminError, SandboxQuery, bad_request, sandbox_error};

/// A sandbox clock.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    /// The sandbox time now (RFC 3339).
    pub now: String,
    /// `fixed` or `system`.
    pub mode: String,
}

/// A clock setting: `{"fixed": "<RFC3339>"}` or `{"system": true}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"fixed": "2026-01-15T10:00:00Z"}))]
pub struct ClockSetting {
    pub fixed: Option<String>,
    pub system: Option<bool>,
}

/// What `PUT /__admin/clock` accepts: exactly one of the two forms.
#[derive(Deserialize, ToSchema)]
#[serde(untagged, deny_unknown_fields)]
#[schema(as = ClockSetting, example = json!({"fixed": "2026-01-15T10:00:00Z"}))]
#[allow(dead_code)] // the document's shape of `ClockSetting`, never built
enum ClockSettingDoc {
    /// Fix the clock at this time.
    #[schema(title = "fixed")]
    Fixed {
        /// RFC 3339.
        #[schema(format = DateTime)]
        fixed: String,
    },
    /// Back to the system clock.
    #[schema(title = "system")]
    System {
        #[schema(schema_with = only_true)]
        system: bool,
    },
}

fn only_true() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Boolean)
        .enum_values(Some([true]))
        .build()
}

/// How far to move the clock.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockAdvance {
    /// Seconds (negative moves back), at most a century (3,162,240,000) either way.
    #[schema(minimum = -3_162_240_000_i64, maximum = 3_162_240_000_i64)]
    #[serde(deserialize_with = "crate::control::integer")]
    pub seconds: i64,
}

fn view(sandboxes: &Sandboxes, query: &SandboxQuery) -> HttpResponse {
    match sandboxes.world(query.name()) {
        Ok(world) => HttpResponse::Ok().json(ClockView {
            now: world.clock.now().to_rfc3339(),
            mode: match world.clock.mode() {
                ClockMode::System => "system".into(),
                ClockMode::Fixed(_) => "fixed".into(),
            },
        }),
        Err(e) => sandbox_error(e),
    }
}

/// Read the sandbox clock
#[utoipa::path(get, path = "/__admin/clock", operation_id = "getClock", tag = "Clock",
    params(SandboxQuery), responses((status = 200, description = "The sandbox clock", body = ClockView), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn get_clock(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    view(&sandboxes, &query)
}

/// Set the sandbox clock
///
/// Token expiry, lock timeouts, OTP expiry and every date in responses follow it.
#[utoipa::path(put, path = "/__admin/clock", operation_id = "setClock", tag = "Clock",
    params(SandboxQuery), request_body = ClockSettingDoc,
    responses((status = 200, description = "The sandbox clock", body = ClockView), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn set_clock(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    body: web::Json<ClockSetting>,
) -> HttpResponse {
    let mode = match (&body.fixed, body.system) {
        (Some(at), None) => match DateTime::parse_from_rfc3339(at) {
            Ok(at) => ClockMode::Fixed(at.to_utc()),
            Err(e) => return bad_request(format!("'fixed' is not an RFC 3339 date-time: {e}")),
        },
        (None, Some(true)) => ClockMode::System,
        _ => return bad_request("send {\"fixed\": \"<RFC3339>\"} or {\"system\": true}"),
    };
    match sandboxes.world(query.name()) {
        Ok(world) => world.clock.set(mode),
        Err(e) => return sandbox_error(e),
    }
    view(&sandboxes, &query)
}

/// Advance the sandbox clock
#[utoipa::path(post, path = "/__admin/clock/advance", operation_id = "advanceClock", tag = "Clock",
    params(SandboxQuery), request_body = ClockAdvance,
    responses((status = 200, description = "The sandbox clock", body = ClockView), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn advance_clock(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    body: web::Json<ClockAdvance>,
) -> HttpResponse {
    // A century either way is plenty, and keeps the arithmetic far from overflow.
    if body.seconds.unsigned_abs() > 100 * 366 * 86_400 {
        return bad_request("'seconds' is limited to a century");
    }
    match sandboxes.world(query.name()) {
        Ok(world) => world.clock.advance(chrono::Duration::seconds(body.seconds)),
        Err(e) => return sandbox_error(e),
    }
    view(&sandboxes, &query)
}
