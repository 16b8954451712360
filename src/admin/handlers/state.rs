use actix_web::error::JsonPayloadError;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
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
    // The world is found off the worker (a named sandbox used for the first time is seeded),
    // then written off it as the response streams: at a million people that takes seconds.
    let name = query.sandbox.clone();
    let world = match off_worker(&sandboxes, move |s| s.world(name.as_deref())).await {
        Ok(world) => world,
        Err(failed) => return failed,
    };
    HttpResponse::Ok()
        .content_type("application/json")
        .streaming(export_stream(world, secrets))
}

/// The bytes of an export in chunks of about [`CHUNK`], written on a blocking thread straight
/// from the world's tables and sent through a channel of [`CHUNKS_IN_FLIGHT`]: at most a few
/// chunks of the text exist at once, however large the state. The writer waits while the
/// client is slow and stops when it goes away. The world stays the one the request found,
/// swapped out or not, until the export is written.
fn export_stream(
    world: std::sync::Arc<crate::store::World>,
    secrets: Secrets,
) -> impl futures_util::Stream<Item = std::io::Result<web::Bytes>> {
    let (chunks, received) = tokio::sync::mpsc::channel(CHUNKS_IN_FLIGHT);
    actix_web::rt::task::spawn_blocking(move || {
        let mut out = ChunkWriter {
            buffer: Vec::with_capacity(CHUNK),
            chunks,
            finished: false,
        };
        let written = world
            .export(secrets, &mut out)
            .map_err(std::io::Error::from)
            .and_then(|()| out.finish());
        // A client that went away closed the channel: nothing to tell.
        if let Err(e) = written
            && !out.chunks.is_closed()
        {
            tracing::error!("the state could not be written: {e}");
        }
    });
    futures_util::stream::unfold(received, |mut received| async move {
        received.recv().await.map(|chunk| (chunk, received))
    })
}

/// The size of the chunks an export is sent in.
const CHUNK: usize = 256 * 1024;
/// Chunks written and not yet sent to the client.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Collects what serde_json writes and sends it on in chunks of [`CHUNK`].
struct ChunkWriter {
    buffer: Vec<u8>,
    chunks: tokio::sync::mpsc::Sender<std::io::Result<web::Bytes>>,
    /// Whether the whole export was sent.
    finished: bool,
}

impl ChunkWriter {
    /// Sends the rest: the export is complete.
    fn finish(&mut self) -> std::io::Result<()> {
        self.send()?;
        self.finished = true;
        Ok(())
    }

    /// Sends what is buffered, waiting while the channel is full.
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.chunks.blocking_send(Ok(chunk.into())).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

/// An export that stopped unfinished (an error, or a panic while it was written) ends the body
/// with an error: the client sees a cut response, not a short document.
impl Drop for ChunkWriter {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self
                .chunks
                .blocking_send(Err(std::io::Error::other("the state could not be written")));
        }
    }
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Import a sandbox's state
#[utoipa::path(put, path = "/__admin/state", operation_id = "putState", tag = "State",
    params(SandboxQuery), request_body(content = Object, description = "A state from GET /__admin/state"),
    responses((status = 200, description = "Imported", body = Object), (status = 400, description = "Not a state this server can read", body = AdminError)))]
pub async fn put_state(
    req: HttpRequest,
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    payload: web::Payload,
) -> HttpResponse {
    let limit = req.app_data::<StateBodyLimit>().map_or(usize::MAX, |l| l.0);
    let body = match state_body(&req, payload, limit).await {
        Ok(body) => body,
        Err(e) => return super::bad_request(e),
    };
    // Parsed and imported off the worker: a state of a million people takes seconds (parsed
    // on the worker, its 1 GB held a health probe up for 6 s, which then got a 408).
    let name = query.sandbox.clone();
    let imported = off_worker(&sandboxes, move |s| {
        let body = serde_json::from_slice::<Box<serde_json::value::RawValue>>(&body)
            .map_err(|e| SandboxError::BadState(JsonPayloadError::Deserialize(e).to_string()))?;
        import(s, name.as_deref(), &body)
    })
    .await;
    match imported {
        Ok(()) => HttpResponse::Ok().json(json!({ "imported": query.key() })),
        Err(failed) => failed,
    }
}

/// `--max-state-body`: the most a `PUT /__admin/state` body may have.
#[derive(Debug, Clone, Copy)]
pub struct StateBodyLimit(pub usize);

/// A `PUT /__admin/state` body, read as actix's JSON extractor reads one — a JSON content type,
/// at most `limit` bytes, its errors and their messages — but not parsed here.
async fn state_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, JsonPayloadError> {
    let json = req.mime_type().ok().flatten().is_some_and(|mime| {
        mime.subtype() == actix_web::mime::JSON || mime.suffix() == Some(actix_web::mime::JSON)
    });
    if !json {
        return Err(JsonPayloadError::ContentType);
    }
    let length = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(length) = length.filter(|length| *length > limit) {
        return Err(JsonPayloadError::OverflowKnownLength { length, limit });
    }
    // The declared length is reserved up front (a 1 GB state grows no copies), up to 256 MiB.
    let mut body = web::BytesMut::with_capacity(length.unwrap_or(0).min(limit).min(256 << 20));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(JsonPayloadError::Payload)?;
        if body.len() + chunk.len() > limit {
            return Err(JsonPayloadError::Overflow { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Imports a `PUT /__admin/state` body. A plain state in the current format (every server
/// export is one) is read straight from its text into records, with no JSON value of it: at a
/// million people that value took about 8 GiB. Any other body, and one the text import
/// refuses, is read as a value first, as every body was before: its integers written as
/// floats, its `/1` pairs and its refusals (with their messages) are what they were.
fn import(
    sandboxes: &Sandboxes,
    name: Option<&str>,
    body: &serde_json::value::RawValue,
) -> Result<(), SandboxError> {
    let plain = crate::store::state_schema::check_plain(schema(), body, "state")
        .map_err(SandboxError::BadState)?;
    if plain && sandboxes.import_text(name, body.get()).is_ok() {
        return Ok(());
    }
    let state = read_state(body).map_err(SandboxError::BadState)?;
    sandboxes.import(name, state)
}

/// The JSON Schema of the state this server reads.
fn schema() -> &'static serde_json::Value {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| crate::store::world::state_schema(&crate::vendors::kinds()))
}

/// The state of a `PUT /__admin/state` body read as a JSON value, or why it is not one.
fn read_state(body: &serde_json::value::RawValue) -> Result<WorldState, String> {
    // Before serde_json rounds an integer beyond 64 bits to the nearest float.
    crate::store::state_schema::check_integers(schema(), body, "state")?;
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

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::seed::SeedPlan;
    use crate::store::clock::ClockMode;

    fn sandboxes() -> Sandboxes {
        let plan = SeedPlan::embedded(42, 3, ClockMode::System, crate::vendors::kinds()).unwrap();
        Sandboxes::new(plan, 8).unwrap()
    }

    /// The chunks of an export arrive in order, whole, and end the body; an export that
    /// stopped unfinished ends it with an error instead.
    #[test]
    fn an_export_is_sent_in_chunks_and_an_unfinished_one_ends_with_an_error() {
        use std::io::Write;
        let plan =
            SeedPlan::embedded(42, 2000, ClockMode::System, crate::vendors::kinds()).unwrap();
        let world = crate::store::World::build(&plan, None).unwrap();
        let text = world.export_text(Secrets::Omit).unwrap();
        let (chunks, mut received) = tokio::sync::mpsc::channel(1024);
        let mut out = ChunkWriter {
            buffer: Vec::new(),
            chunks,
            finished: false,
        };
        world.export(Secrets::Omit, &mut out).unwrap();
        out.finish().unwrap();
        drop(out);
        let mut sent = Vec::new();
        while let Some(chunk) = received.blocking_recv() {
            let chunk = chunk.unwrap();
            // A chunk is sent once it reaches CHUNK: one write (a short token) past it at most.
            assert!(chunk.len() < CHUNK + 4096, "{}", chunk.len());
            sent.extend_from_slice(&chunk);
        }
        assert!(text.len() > CHUNK, "one chunk shows nothing");
        assert_eq!(String::from_utf8(sent).unwrap(), text);

        let (chunks, mut received) = tokio::sync::mpsc::channel(4);
        let mut out = ChunkWriter {
            buffer: Vec::new(),
            chunks,
            finished: false,
        };
        out.write_all(br#"{"format":"#).unwrap();
        drop(out);
        assert!(received.blocking_recv().unwrap().is_err());
        assert!(received.blocking_recv().is_none());
    }

    /// What a body did to a server: the answer, and the world it put in (each server's own
    /// seeded world stays when it is refused).
    fn outcome(sandboxes: &Sandboxes, result: Result<(), SandboxError>) -> String {
        match result {
            Ok(()) => sandboxes
                .world(None)
                .unwrap()
                .export_text(Secrets::Include)
                .unwrap(),
            Err(e) => format!("{} {e}", e.status()),
        }
    }

    /// A body imported from its text when it is plain does to a server what the import through
    /// a JSON value does (the only import before): the same world, or the same refusal with the
    /// same message.
    #[test]
    fn a_put_state_does_what_the_import_through_a_value_does() {
        let base = sandboxes();
        let text = base
            .world(None)
            .unwrap()
            .export_text(Secrets::Include)
            .unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        // An export is plain, and imports from its text.
        let raw = serde_json::value::RawValue::from_string(text.clone()).unwrap();
        assert_eq!(
            crate::store::state_schema::check_plain(schema(), &raw, "state"),
            Ok(true)
        );
        base.import_text(None, &text).unwrap();
        let edited = |edit: &dyn Fn(&mut Value)| {
            let mut value = value.clone();
            edit(&mut value);
            serde_json::to_string(&value).unwrap()
        };
        let (key, user) = value["finapi"]["users"]
            .as_object()
            .unwrap()
            .iter()
            .next()
            .unwrap();
        let mut twin = user.clone();
        twin["email"] = "twin@example.com".into();
        let bodies = [
            text.clone(),
            // Integers written as floats.
            edited(&|v| v["seed"] = 42.0.into()),
            edited(&|v| v["finapi"]["deletedSeq"] = 2.0.into()),
            edited(&|v| v["finapi"]["deletedSeq"] = 2.5.into()),
            // Names twice: a value keeps the last.
            text.replacen(r#""deletedSeq":"#, r#""deletedSeq":7,"deletedSeq":"#, 1),
            text.replacen(
                r#""users":{"#,
                &format!(
                    r#""users":{{{}:{twin},"#,
                    serde_json::to_string(key).unwrap()
                ),
                1,
            ),
            // A member no record knows, holding what a value cannot read.
            text.replacen(r#""auto_update":"#, r#""extra":1e400,"auto_update":"#, 1),
            text.replacen(r#""auto_update":"#, r#""extra":[1],"auto_update":"#, 1),
            // Arrays for records, the first format, and others.
            edited(&|v| v["authress"]["users"][0] = serde_json::json!(["x", null])),
            edited(&|v| v["format"] = "user-sandbox-state/1".into()),
            edited(&|v| v["format"] = "user-sandbox-state/9".into()),
            edited(&|v| v["clockMillis"] = i64::MAX.into()),
            edited(&|v| v["finapi"]["deletedSeq"] = "9".repeat(30).parse::<f64>().unwrap().into()),
            text.replacen(r#""seed":42"#, r#""seed":99999999999999999999"#, 1),
            edited(&|v| drop(v.as_object_mut().unwrap().remove("obp"))),
        ];
        for body in bodies {
            let raw = serde_json::value::RawValue::from_string(body.clone()).unwrap();
            let (by_text, by_value) = (sandboxes(), sandboxes());
            let imported = import(&by_text, None, &raw);
            let through_value = read_state(&raw)
                .map_err(SandboxError::BadState)
                .and_then(|state| by_value.import(None, state));
            let (imported, through_value) = (
                outcome(&by_text, imported),
                outcome(&by_value, through_value),
            );
            assert!(
                imported == through_value,
                "{}\n{}\n{}",
                &body[..body.len().min(300)],
                &imported[..imported.len().min(300)],
                &through_value[..through_value.len().min(300)]
            );
        }
    }
}
