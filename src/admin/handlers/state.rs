use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::store::Sandboxes;
use crate::store::world::{Secrets, WorldState};

use super::{AdminError, SandboxQuery, sandbox_error};

/// Whether an export carries issued credentials.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SecretsQuery {
    /// `true` includes the credentials the sandbox issued: finAPI access and refresh tokens and
    /// password change tokens, OBP DirectLogin tokens, OBP one-time passwords (challenge answers
    /// and the outbox messages that carry them). Without it they are left out (token tables
    /// empty, an OTP replaced by a marker), so an export can be shared; importing it works,
    /// with no live sessions. Password hashes and the configured fixture credentials (client
    /// secrets, consumer keys) are always included.
    #[serde(default)]
    pub secrets: bool,
}

/// Export a sandbox's state
///
/// The whole state (every vendor's users, locks, attributes, tenants, the clock and the id
/// generator) as JSON; `PUT` it back to restore it. Issued tokens and one-time passwords are
/// included only with `secrets=true`; that export restores the state exactly.
#[utoipa::path(get, path = "/__admin/state", operation_id = "getState", tag = "State",
    params(SandboxQuery, SecretsQuery),
    responses((status = 200, description = "The state (schema `WorldState`)", body = Object), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn get_state(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    secrets: web::Query<SecretsQuery>,
) -> HttpResponse {
    let secrets = if secrets.secrets {
        Secrets::Include
    } else {
        Secrets::Omit
    };
    match sandboxes.export(query.name(), secrets) {
        Ok(state) => HttpResponse::Ok().json(state),
        Err(e) => sandbox_error(e),
    }
}

/// Import a sandbox's state
#[utoipa::path(put, path = "/__admin/state", operation_id = "putState", tag = "State",
    params(SandboxQuery), request_body(content = Object, description = "A state from GET /__admin/state"),
    responses((status = 200, description = "Imported", body = Object), (status = 400, description = "Not a state this server can read", body = AdminError)))]
pub async fn put_state(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    body: web::Json<Box<serde_json::value::RawValue>>,
) -> HttpResponse {
    // Before serde_json rounds an integer beyond 64 bits to the nearest float.
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let schema = SCHEMA.get_or_init(|| crate::store::world::state_schema(&crate::vendors::kinds()));
    if let Err(e) = crate::store::state_schema::check_integers(schema, &body, "state") {
        return super::bad_request(e);
    }
    let mut body: serde_json::Value = match serde_json::from_str(body.get()) {
        Ok(body) => body,
        Err(e) => return super::bad_request(format!("Json deserialize error: {e}")),
    };
    integers(&mut body);
    let state = match serde_json::from_value::<WorldState>(body) {
        Ok(state) => state,
        Err(e) => return super::bad_request(format!("Json deserialize error: {e}")),
    };
    match sandboxes.import(query.name(), state) {
        Ok(()) => HttpResponse::Ok().json(json!({ "imported": query.key() })),
        Err(e) => sandbox_error(e),
    }
}

/// Every number of a state that is an integer as JSON Schema counts them (`324.0`) becomes one,
/// as the document's `integer`s say; the state has no other kind of number.
fn integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                // Exact: every whole f64 within these ranges is that integer.
                if f >= -(2f64.powi(63)) && f < 2f64.powi(63) {
                    *value = Value::from(f as i64);
                } else if f >= 0.0 && f < 2f64.powi(64) {
                    *value = Value::from(f as u64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integers),
        Value::Object(members) => members.values_mut().for_each(integers),
        _ => {}
    }
}

/// A checkpoint name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "before-test"}))]
pub struct NewCheckpoint {
    /// 1 to 128 characters.
    #[schema(min_length = 1, max_length = 128)]
    pub name: String,
}

/// Save a checkpoint
#[utoipa::path(post, path = "/__admin/checkpoints", operation_id = "saveCheckpoint", tag = "State",
    params(SandboxQuery), request_body = NewCheckpoint,
    responses((status = 201, description = "Saved", body = Object), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn save_checkpoint(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    body: web::Json<NewCheckpoint>,
) -> HttpResponse {
    if body.name.is_empty() || body.name.chars().count() > 128 {
        return super::bad_request("checkpoint names are 1 to 128 characters");
    }
    match sandboxes.save_checkpoint(query.name(), &body.name) {
        Ok(()) => {
            HttpResponse::Created().json(json!({ "checkpoint": body.name, "sandbox": query.key() }))
        }
        Err(e) => sandbox_error(e),
    }
}

/// List checkpoints
#[utoipa::path(get, path = "/__admin/checkpoints", operation_id = "listCheckpoints", tag = "State",
    params(SandboxQuery),
    responses((status = 200, description = "Checkpoint names", body = Vec<String>), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn list_checkpoints(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    match sandboxes.world(query.name()) {
        Ok(_) => {
            let info = sandboxes.list().into_iter().find(|s| s.name == query.key());
            HttpResponse::Ok().json(info.map(|i| i.checkpoints).unwrap_or_default())
        }
        Err(e) => sandbox_error(e),
    }
}

/// Restore a checkpoint
#[utoipa::path(post, path = "/__admin/checkpoints/{name}/restore", operation_id = "restoreCheckpoint", tag = "State",
    params(("name" = String, Path, description = "Checkpoint name", example = "before-test"), SandboxQuery),
    responses((status = 200, description = "Restored", body = Object), (status = 400, description = "A malformed sandbox name", body = AdminError), (status = 404, description = "No such checkpoint or sandbox", body = AdminError)))]
pub async fn restore_checkpoint(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    name: web::Path<String>,
) -> HttpResponse {
    match sandboxes.restore_checkpoint(query.name(), &name) {
        Ok(()) => HttpResponse::Ok()
            .json(json!({ "restored": name.into_inner(), "sandbox": query.key() })),
        Err(e) => sandbox_error(e),
    }
}

/// Delete a checkpoint
#[utoipa::path(delete, path = "/__admin/checkpoints/{name}", operation_id = "deleteCheckpoint", tag = "State",
    params(("name" = String, Path, description = "Checkpoint name", example = "before-test"), SandboxQuery),
    responses((status = 200, description = "Deleted", body = Object), (status = 400, description = "A malformed sandbox name", body = AdminError), (status = 404, description = "No such checkpoint or sandbox", body = AdminError)))]
pub async fn delete_checkpoint(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    name: web::Path<String>,
) -> HttpResponse {
    match sandboxes.delete_checkpoint(query.name(), &name) {
        Ok(()) => {
            HttpResponse::Ok().json(json!({ "deleted": name.into_inner(), "sandbox": query.key() }))
        }
        Err(e) => sandbox_error(e),
    }
}
