use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::store::Sandboxes;
use crate::store::world::{Secrets, WorldState};

use super::{AdminError, SandboxQuery, off_worker, sandbox_error};
use crate::store::sandbox::SandboxError;

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
    // Exported and written as JSON off the worker: at a million people that takes seconds.
    let name = query.sandbox.clone();
    let exported = off_worker(&sandboxes, move |s| {
        s.export(name.as_deref(), secrets)
            .map(|state| serde_json::to_vec(&state))
    })
    .await;
    match exported {
        Ok(Ok(json)) => HttpResponse::Ok()
            .content_type("application/json")
            .body(json),
        Ok(Err(e)) => super::error(
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("the state could not be written: {e}"),
        ),
        Err(failed) => failed,
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
    // Read and imported off the worker: a state of a million people takes seconds.
    let name = query.sandbox.clone();
    let imported = off_worker(&sandboxes, move |s| {
        let state = read_state(&body).map_err(SandboxError::BadState)?;
        s.import(name.as_deref(), state)
    })
    .await;
    match imported {
        Ok(()) => HttpResponse::Ok().json(json!({ "imported": query.key() })),
        Err(failed) => failed,
    }
}

/// The state of a `PUT /__admin/state` body, or why it is not one.
fn read_state(body: &serde_json::value::RawValue) -> Result<WorldState, String> {
    // Before serde_json rounds an integer beyond 64 bits to the nearest float.
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let schema = SCHEMA.get_or_init(|| crate::store::world::state_schema(&crate::vendors::kinds()));
    crate::store::state_schema::check_integers(schema, body, "state")?;
    let mut body: serde_json::Value =
        serde_json::from_str(body.get()).map_err(|e| format!("Json deserialize error: {e}"))?;
    integers(&mut body);
    serde_json::from_value::<WorldState>(body).map_err(|e| format!("Json deserialize error: {e}"))
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
    let (sandbox, checkpoint) = (query.sandbox.clone(), body.name.clone());
    match off_worker(&sandboxes, move |s| {
        s.save_checkpoint(sandbox.as_deref(), &checkpoint)
    })
    .await
    {
        Ok(()) => {
            HttpResponse::Created().json(json!({ "checkpoint": body.name, "sandbox": query.key() }))
        }
        Err(failed) => failed,
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
    let (sandbox, checkpoint) = (query.sandbox.clone(), name.clone());
    match off_worker(&sandboxes, move |s| {
        s.restore_checkpoint(sandbox.as_deref(), &checkpoint)
    })
    .await
    {
        Ok(()) => HttpResponse::Ok()
            .json(json!({ "restored": name.into_inner(), "sandbox": query.key() })),
        Err(failed) => failed,
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
    let (sandbox, checkpoint) = (query.sandbox.clone(), name.clone());
    match off_worker(&sandboxes, move |s| {
        s.delete_checkpoint(sandbox.as_deref(), &checkpoint)
    })
    .await
    {
        Ok(()) => {
            HttpResponse::Ok().json(json!({ "deleted": name.into_inner(), "sandbox": query.key() }))
        }
        Err(failed) => failed,
    }
}
