use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::seed::SeedPlan;
use crate::store::Sandboxes;
use crate::store::clock::ClockMode;
use crate::store::sandbox::SandboxInfo;

use super::{AdminError, SandboxQuery, bad_request, off_worker};

/// Fake people a sandbox may be seeded with.
const MAX_USERS: usize = 100_000;

fn too_many_users(users: Option<usize>) -> Option<HttpResponse> {
    users
        .filter(|n| *n > MAX_USERS)
        .map(|_| bad_request(format!("users is capped at {MAX_USERS}")))
}

/// Seeds are the document's `int64`: 0 to 2^63-1.
fn seed_out_of_range(seed: Option<u64>) -> Option<HttpResponse> {
    seed.filter(|s| *s > i64::MAX as u64)
        .map(|_| bad_request("seed is 0 to 9223372036854775807"))
}

/// A sandbox to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "team-a", "seed": 42, "users": 100, "clock": "system"}))]
pub struct NewSandbox {
    /// 1 to 64 of `A-Z a-z 0-9 - _`; the sandbox is then served at `/sandboxes/{name}/...`.
    #[schema(pattern = r"^[A-Za-z0-9_-]{1,64}$", min_length = 1, max_length = 64)]
    pub name: String,
    /// Seed (default: the server's), 0 to 2^63-1.
    #[schema(maximum = 9223372036854775807_u64)]
    #[serde(default, deserialize_with = "crate::control::optional_integer")]
    pub seed: Option<u64>,
    /// Fake people (default: the server's), at most 100,000.
    #[schema(maximum = 100_000)]
    #[serde(default, deserialize_with = "crate::control::optional_integer")]
    pub users: Option<usize>,
    /// `system` or `fixed:<RFC3339>` (default: the server's). The pattern is RFC 3339's
    /// `date-time` with real calendar dates (leap years included), as the server parses it.
    #[schema(
        pattern = r"^(?:system|fixed:(?:[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))$"
    )]
    pub clock: Option<String>,
}

/// List sandboxes
#[utoipa::path(get, path = "/__admin/sandboxes", operation_id = "listSandboxes", tag = "Sandboxes",
    responses((status = 200, description = "The default sandbox, then the named ones", body = Vec<SandboxInfo>)))]
pub async fn list_sandboxes(sandboxes: web::Data<Sandboxes>) -> HttpResponse {
    HttpResponse::Ok().json(sandboxes.list())
}

/// Create a sandbox
///
/// Sandboxes are also created on first use of `/sandboxes/{name}/...`, with the server's seed.
#[utoipa::path(post, path = "/__admin/sandboxes", operation_id = "createSandbox", tag = "Sandboxes",
    request_body = NewSandbox,
    responses(
        (status = 201, description = "Created", body = SandboxInfo),
        (status = 400, description = "Bad name or clock", body = AdminError),
        (status = 409, description = "The name is taken", body = AdminError),
        (status = 429, description = "Too many live sandboxes", body = AdminError),
    ))]
pub async fn create_sandbox(
    sandboxes: web::Data<Sandboxes>,
    body: web::Json<NewSandbox>,
) -> HttpResponse {
    let body = body.into_inner();
    if let Some(refused) = seed_out_of_range(body.seed) {
        return refused;
    }
    let base = sandboxes.plan();
    let clock = match body
        .clock
        .as_deref()
        .map(str::parse::<ClockMode>)
        .transpose()
    {
        Ok(clock) => clock.unwrap_or(base.clock),
        Err(e) => return bad_request(e),
    };
    let plan = SeedPlan {
        seed: body.seed.unwrap_or(base.seed),
        users: body.users.unwrap_or(base.users),
        clock,
        fixtures: base.fixtures.clone(),
        vendors: base.vendors.clone(),
    };
    if let Some(refused) = too_many_users(Some(plan.users)) {
        return refused;
    }
    let name = body.name.clone();
    match off_worker(&sandboxes, move |s| s.create(&name, plan)).await {
        Ok(()) => {
            let info = sandboxes.list().into_iter().find(|s| s.name == body.name);
            HttpResponse::Created().json(info)
        }
        Err(failed) => failed,
    }
}

/// Delete a sandbox
#[utoipa::path(delete, path = "/__admin/sandboxes/{name}", operation_id = "deleteSandbox", tag = "Sandboxes",
    params(("name" = String, Path, description = "Sandbox name", example = "team-a")),
    responses((status = 200, description = "Deleted", body = Object), (status = 404, description = "No such checkpoint or sandbox", body = AdminError)))]
pub async fn delete_sandbox(
    sandboxes: web::Data<Sandboxes>,
    name: web::Path<String>,
) -> HttpResponse {
    let name = name.into_inner();
    let deleted = name.clone();
    match off_worker(&sandboxes, move |s| s.delete(&deleted)).await {
        Ok(()) => HttpResponse::Ok().json(json!({ "deleted": name })),
        Err(failed) => failed,
    }
}

/// Reset a sandbox to its seeded state
///
/// Swaps in a freshly seeded world: every user, token and lock made since is gone.
#[utoipa::path(post, path = "/__admin/reset", operation_id = "reset", tag = "State",
    params(SandboxQuery),
    responses((status = 200, description = "Reset done", body = Object), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn reset(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
) -> HttpResponse {
    let name = query.sandbox.clone();
    match off_worker(&sandboxes, move |s| s.reset(name.as_deref())).await {
        Ok(()) => HttpResponse::Ok().json(json!({ "reset": query.key() })),
        Err(failed) => failed,
    }
}

/// A new seed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reseed {
    /// 0 to 2^63-1.
    #[schema(maximum = 9223372036854775807_u64)]
    #[serde(deserialize_with = "crate::control::integer")]
    pub seed: u64,
    /// Fake people (default: unchanged), at most 100,000.
    #[schema(maximum = 100_000)]
    #[serde(default, deserialize_with = "crate::control::optional_integer")]
    pub users: Option<usize>,
}

/// Reseed a sandbox
#[utoipa::path(post, path = "/__admin/seed", operation_id = "reseed", tag = "State",
    params(SandboxQuery), request_body = Reseed,
    responses((status = 200, description = "Reseeded", body = SandboxInfo), (status = 400, description = "A malformed request or an unknown sandbox", body = AdminError)))]
pub async fn reseed(
    sandboxes: web::Data<Sandboxes>,
    query: web::Query<SandboxQuery>,
    body: web::Json<Reseed>,
) -> HttpResponse {
    if let Some(refused) = too_many_users(body.users).or_else(|| seed_out_of_range(Some(body.seed)))
    {
        return refused;
    }
    let (name, seed, users) = (query.sandbox.clone(), body.seed, body.users);
    match off_worker(&sandboxes, move |s| s.reseed(name.as_deref(), seed, users)).await {
        Ok(()) => {
            HttpResponse::Ok().json(sandboxes.list().into_iter().find(|s| s.name == query.key()))
        }
        Err(failed) => failed,
    }
}
