//! Sandboxes: the default world plus named, isolated worlds at `/sandboxes/{name}/...`, each built
//! lazily from the server's seed plan. A middleware resolves the world of every request once and
//! rewrites the path, so every vendor route serves every sandbox unchanged.

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use arc_swap::ArcSwap;
use dashmap::DashMap;

use crate::seed::SeedPlan;
use crate::seed::fixtures::FixtureError;

use super::world::{Kinds, Secrets, WorldState};
use super::{Purpose, World};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const PREFIX: &str = "/sandboxes/";

/// One sandbox: its seed plan, its current world (swapped whole on reset) and its checkpoints.
#[derive(Debug)]
pub struct Slot {
    /// `None` for the default sandbox: the name its world draws its credentials with.
    name: Option<String>,
    plan: ArcSwap<SeedPlan>,
    world: ArcSwap<World>,
    checkpoints: DashMap<String, Arc<Checkpoint>>,
}

/// A saved state plus a world already built from it, so a restore is a pointer swap; the next
/// spare is built in the background after each restore (a restore that finds none waits for the
/// one being built, or builds one).
#[derive(Debug)]
struct Checkpoint {
    /// The saved state as JSON text: a fraction of the memory a `WorldState` value of it takes (at
    /// a million people about 1 GB against 8), read again only to build the next spare.
    json: String,
    kinds: Kinds,
    sandbox: Option<String>,
    spare: std::sync::Mutex<Option<World>>,
    /// Held while a spare is built: builds run one at a time (each holds a parsed state and a
    /// world; two at once at a million people ran the server out of memory).
    building: std::sync::Mutex<()>,
}

impl Checkpoint {
    /// Saves `world`: its export written as text straight from its tables, and the first spare
    /// read back from that text (no JSON value of the state is built).
    fn new(
        world: &World,
        kinds: Kinds,
        sandbox: Option<String>,
    ) -> Result<Arc<Self>, SandboxError> {
        let json = world
            .export_text(Secrets::Include)
            .map_err(|e| SandboxError::BadState(format!("the state could not be written: {e}")))?;
        let spare = World::import_text(&json, &kinds, sandbox.as_deref())
            .map_err(SandboxError::BadState)?;
        Ok(Arc::new(Self {
            json,
            kinds,
            sandbox,
            spare: std::sync::Mutex::new(Some(spare)),
            building: std::sync::Mutex::new(()),
        }))
    }

    fn take_spare(&self) -> Option<World> {
        self.spare.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// A world in the saved state: the spare if it is ready, else one built now.
    fn take(self: &Arc<Self>) -> Result<World, SandboxError> {
        let world = match self.take_spare() {
            Some(world) => world,
            // A spare being built is waited for, not built a second time alongside.
            None => {
                let _building = self.building.lock().unwrap_or_else(|e| e.into_inner());
                match self.take_spare() {
                    Some(world) => world,
                    None => self.import()?,
                }
            }
        };
        let checkpoint = self.clone();
        std::thread::spawn(move || {
            let _building = checkpoint
                .building
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Ok(world) = checkpoint.import() {
                *checkpoint.spare.lock().unwrap_or_else(|e| e.into_inner()) = Some(world);
            }
        });
        Ok(world)
    }

    fn import(&self) -> Result<World, SandboxError> {
        World::import_text(&self.json, &self.kinds, self.sandbox.as_deref())
            .map_err(SandboxError::BadState)
    }
}

impl Slot {
    /// A sandbox's slot with its seeded world of the given generation (0 the first time the
    /// name is used in this server).
    fn new(name: Option<&str>, plan: SeedPlan, generation: u64) -> Result<Self, FixtureError> {
        let mut world = World::build(&plan, name)?;
        if generation > 0 {
            world.ids.rekey(name, generation);
        }
        Ok(Self {
            name: name.map(str::to_string),
            plan: ArcSwap::from_pointee(plan),
            world: ArcSwap::from_pointee(world),
            checkpoints: DashMap::new(),
        })
    }

    pub fn world(&self) -> Arc<World> {
        self.world.load_full()
    }

    /// The sandbox's name, `default` for the default sandbox.
    fn key(&self) -> &str {
        self.name.as_deref().unwrap_or(DEFAULT)
    }

    pub fn plan(&self) -> Arc<SeedPlan> {
        self.plan.load_full()
    }

    /// Swaps a world in; the old one is freed once the requests still using it are done, on a
    /// thread of its own (`World`'s `Drop`: freeing a million people takes seconds).
    fn replace_world(&self, world: World) {
        self.world.store(Arc::new(world));
    }
}

/// Every live world of the server: the default sandbox and the named ones.
#[derive(Debug)]
pub struct Sandboxes {
    default: Slot,
    named: crate::store::FastMap<String, Arc<Slot>>,
    max_named: usize,
    /// The generation of each sandbox name's current world, kept after a delete: every world
    /// that replaces another, or a sandbox made again under an old name, draws its credentials
    /// from a new generation, so no token of a replaced world is ever issued again.
    generations: crate::store::FastMap<String, u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox names are 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'")]
    BadName,
    #[error("no more than {0} named sandboxes may be live at once; delete one first")]
    TooMany(usize),
    #[error("sandbox '{0}' already exists")]
    Exists(String),
    #[error("no sandbox named '{0}'")]
    Unknown(String),
    #[error("no checkpoint named '{0}'")]
    UnknownCheckpoint(String),
    #[error("{0}")]
    BadState(String),
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
}

impl SandboxError {
    pub fn status(&self) -> actix_web::http::StatusCode {
        use actix_web::http::StatusCode;
        match self {
            SandboxError::BadName | SandboxError::BadState(_) => StatusCode::BAD_REQUEST,
            SandboxError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            SandboxError::Exists(_) => StatusCode::CONFLICT,
            SandboxError::Unknown(_) | SandboxError::UnknownCheckpoint(_) => StatusCode::NOT_FOUND,
            SandboxError::Fixtures(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What `GET /__admin/sandboxes` lists.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxInfo {
    /// `default`, or the name used in `/sandboxes/{name}/...`.
    pub name: String,
    pub seed: u64,
    /// Fake people added to the fixture people.
    pub users: usize,
    /// The sandbox clock now: `system` or `fixed:<RFC3339>`.
    pub clock: String,
    /// Saved checkpoints.
    pub checkpoints: Vec<String>,
}

/// All sandboxes as saved in a state file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedSandboxes {
    pub format: String,
    /// `default` and every named sandbox.
    pub sandboxes: std::collections::BTreeMap<String, SavedSandbox>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedSandbox {
    pub users: usize,
    pub state: WorldState,
    /// The generation of the saved world's credentials (0 in files written before it was kept).
    #[serde(default)]
    pub generation: u64,
}

pub const DEFAULT: &str = "default";

/// The most fake people a saved sandbox may say it was seeded with.
const MAX_SAVED_USERS: usize = 10_000_000;

/// The highest credential generation a saved sandbox may name: far more worlds than any server
/// replaces, and far from `u64::MAX`, so counting on from it never overflows.
const MAX_SAVED_GENERATION: u64 = u32::MAX as u64;

impl Sandboxes {
    pub fn new(plan: SeedPlan, max_named: usize) -> Result<Self, FixtureError> {
        Ok(Self {
            default: Slot::new(None, plan, 0)?,
            named: Default::default(),
            max_named,
            generations: DashMap::from_iter([(DEFAULT.to_string(), 0)]),
        })
    }

    /// The generation the next world of a sandbox name draws its credentials from: 0 for the
    /// first world a name ever has in this server, then one more each time.
    fn next_generation(&self, name: &str) -> u64 {
        match self.generations.entry(name.to_string()) {
            dashmap::Entry::Occupied(mut e) => {
                *e.get_mut() = e.get().saturating_add(1);
                *e.get()
            }
            dashmap::Entry::Vacant(e) => *e.insert(0),
        }
    }

    /// Swaps a world into a sandbox as its next generation.
    fn replace_world(&self, slot: &Slot, mut world: World) {
        let generation = self.next_generation(slot.key());
        world.ids.rekey(slot.name.as_deref(), generation);
        slot.replace_world(world);
    }

    /// The server's own seed plan (that of the default sandbox at start).
    pub fn plan(&self) -> Arc<SeedPlan> {
        self.default.plan()
    }

    /// A sandbox by name (`None` = default); a named one is created on first use.
    fn slot(&self, name: Option<&str>) -> Result<Arc<Slot>, SandboxError> {
        self.slot_or_create(name, None)
    }

    fn slot_or_create(
        &self,
        name: Option<&str>,
        plan: Option<SeedPlan>,
    ) -> Result<Arc<Slot>, SandboxError> {
        let Some(name) = name.filter(|n| *n != DEFAULT) else {
            return Err(SandboxError::Unknown(DEFAULT.into()));
        };
        if let Some(slot) = self.named.get(name) {
            return Ok(slot.clone());
        }
        if !valid_name(name) {
            return Err(SandboxError::BadName);
        }
        if self.named.len() >= self.max_named {
            return Err(SandboxError::TooMany(self.max_named));
        }
        let slot = Arc::new(Slot::new(
            Some(name),
            plan.unwrap_or_else(|| (*self.plan()).clone()),
            self.next_generation(name),
        )?);
        Ok(self.named.entry(name.to_string()).or_insert(slot).clone())
    }

    fn with_slot<R>(
        &self,
        name: Option<&str>,
        f: impl FnOnce(&Slot) -> Result<R, SandboxError>,
    ) -> Result<R, SandboxError> {
        match name.filter(|n| *n != DEFAULT) {
            None => f(&self.default),
            Some(_) => f(self.slot(name)?.as_ref()),
        }
    }

    /// Whether the sandbox is live (the default one always is), so `world` would not create it.
    pub fn exists(&self, name: Option<&str>) -> bool {
        name.is_none_or(|n| n == DEFAULT || self.named.contains_key(n))
    }

    /// The world of a sandbox (`None` = default), created on first use.
    pub fn world(&self, name: Option<&str>) -> Result<Arc<World>, SandboxError> {
        self.with_slot(name, |slot| Ok(slot.world()))
    }

    /// Creates a named sandbox with its own plan; an existing name is a conflict.
    pub fn create(&self, name: &str, plan: SeedPlan) -> Result<(), SandboxError> {
        if name == DEFAULT || self.named.contains_key(name) {
            return Err(SandboxError::Exists(name.to_string()));
        }
        self.slot_or_create(Some(name), Some(plan)).map(|_| ())
    }

    pub fn delete(&self, name: &str) -> Result<(), SandboxError> {
        self.named
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| SandboxError::Unknown(name.to_string()))
    }

    fn info(name: &str, slot: &Slot) -> SandboxInfo {
        let plan = slot.plan();
        let mut checkpoints: Vec<String> =
            slot.checkpoints.iter().map(|c| c.key().clone()).collect();
        checkpoints.sort();
        SandboxInfo {
            name: name.to_string(),
            seed: plan.seed,
            users: plan.users,
            clock: slot.world().clock.mode().to_string(),
            checkpoints,
        }
    }

    /// The default sandbox, then the named ones by name.
    pub fn list(&self) -> Vec<SandboxInfo> {
        let mut named: Vec<SandboxInfo> = self
            .named
            .iter()
            .map(|s| Self::info(s.key(), s.value()))
            .collect();
        named.sort_by(|a, b| a.name.cmp(&b.name));
        std::iter::once(Self::info(DEFAULT, &self.default))
            .chain(named)
            .collect()
    }

    /// Swaps a fresh seeded world in; requests in flight finish on the old one.
    pub fn reset(&self, name: Option<&str>) -> Result<(), SandboxError> {
        self.with_slot(name, |slot| {
            self.replace_world(slot, World::build(&slot.plan(), slot.name.as_deref())?);
            Ok(())
        })
    }

    /// Reseeds a sandbox with another seed and number of fake people.
    pub fn reseed(
        &self,
        name: Option<&str>,
        seed: u64,
        users: Option<usize>,
    ) -> Result<(), SandboxError> {
        self.with_slot(name, |slot| {
            let current = slot.plan();
            let plan = SeedPlan {
                seed,
                users: users.unwrap_or(current.users),
                ..(*current).clone()
            };
            self.replace_world(slot, World::build(&plan, slot.name.as_deref())?);
            slot.plan.store(Arc::new(plan));
            Ok(())
        })
    }

    pub fn import(&self, name: Option<&str>, state: WorldState) -> Result<(), SandboxError> {
        let sandbox = name.filter(|n| *n != DEFAULT);
        let world =
            World::import(state, &self.plan().vendors, sandbox).map_err(SandboxError::BadState)?;
        self.with_slot(name, |slot| {
            self.replace_world(slot, world);
            Ok(())
        })
    }

    /// Imports a state from its JSON text in the current format, each vendor's records read
    /// straight from the text ([`World::import_text`]).
    pub fn import_text(&self, name: Option<&str>, json: &str) -> Result<(), SandboxError> {
        let sandbox = name.filter(|n| *n != DEFAULT);
        let world = World::import_text(json, &self.plan().vendors, sandbox)
            .map_err(SandboxError::BadState)?;
        self.with_slot(name, |slot| {
            self.replace_world(slot, world);
            Ok(())
        })
    }

    pub fn save_checkpoint(
        &self,
        name: Option<&str>,
        checkpoint: &str,
    ) -> Result<(), SandboxError> {
        self.with_slot(name, |slot| {
            let saved = Checkpoint::new(
                &slot.world(),
                slot.plan().vendors.clone(),
                slot.name.clone(),
            )?;
            slot.checkpoints.insert(checkpoint.to_string(), saved);
            Ok(())
        })
    }

    pub fn restore_checkpoint(
        &self,
        name: Option<&str>,
        checkpoint: &str,
    ) -> Result<(), SandboxError> {
        self.with_slot(name, |slot| {
            let saved = slot
                .checkpoints
                .get(checkpoint)
                .map(|c| c.value().clone())
                .ok_or_else(|| SandboxError::UnknownCheckpoint(checkpoint.to_string()))?;
            let world = saved.take()?;
            self.replace_world(slot, world);
            Ok(())
        })
    }

    pub fn delete_checkpoint(
        &self,
        name: Option<&str>,
        checkpoint: &str,
    ) -> Result<(), SandboxError> {
        self.with_slot(name, |slot| {
            slot.checkpoints
                .remove(checkpoint)
                .map(|_| ())
                .ok_or_else(|| SandboxError::UnknownCheckpoint(checkpoint.to_string()))
        })
    }

    /// Writes every sandbox's state, for the state file: a [`SavedSandboxes`] as JSON (its
    /// sandboxes by name), each world written straight from its tables.
    pub fn save_all(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        use super::state_schema::rows::ObjectWriter;
        // The named slots are taken out of the map first: no shard of it stays locked while
        // their worlds are written.
        let named: Vec<(String, Arc<Slot>)> = self
            .named
            .iter()
            .map(|s| (s.key().clone(), s.value().clone()))
            .collect();
        let mut slots: Vec<(&str, &Slot)> = named.iter().map(|(n, s)| (n.as_str(), &**s)).collect();
        slots.push((DEFAULT, &self.default));
        slots.sort_by(|a, b| a.0.cmp(b.0));
        let mut file = ObjectWriter::start(out)?;
        file.member("format", crate::store::world::STATE_FORMAT)?;
        file.member_with("sandboxes", |out| {
            let mut sandboxes = ObjectWriter::start(out)?;
            for (name, slot) in slots {
                sandboxes.member_with(name, |out| {
                    let mut saved = ObjectWriter::start(out)?;
                    saved.member("users", &slot.plan().users)?;
                    saved.member_with("state", |out| slot.world().export(Secrets::Include, out))?;
                    let generation = self.generations.get(slot.key()).map_or(0, |g| *g);
                    saved.member("generation", &generation)?;
                    saved.end()
                })?;
            }
            sandboxes.end()
        })?;
        file.end()
    }

    /// Every sandbox's state as [`save_all`](Self::save_all) writes it, read back.
    #[cfg(test)]
    pub fn saved(&self) -> SavedSandboxes {
        let mut json = Vec::new();
        self.save_all(&mut json).unwrap();
        serde_json::from_slice(&json).unwrap()
    }

    /// Restores every sandbox of a state file; nothing changes when any part is invalid.
    pub fn load_all(&self, saved: SavedSandboxes) -> Result<(), SandboxError> {
        if !crate::store::world::readable_format(&saved.format) {
            return Err(SandboxError::BadState(format!(
                "unsupported state format '{}'",
                saved.format
            )));
        }
        let mut worlds = Vec::new();
        for (name, sandbox) in saved.sandboxes {
            if name != DEFAULT && !valid_name(&name) {
                return Err(SandboxError::BadName);
            }
            // A reset reseeds this many people: a number no server was started with is damage.
            if sandbox.users > MAX_SAVED_USERS {
                return Err(SandboxError::BadState(format!(
                    "{name}: users {} is over {MAX_SAVED_USERS}",
                    sandbox.users
                )));
            }
            if sandbox.generation > MAX_SAVED_GENERATION {
                return Err(SandboxError::BadState(format!(
                    "{name}: generation {} is over {MAX_SAVED_GENERATION}",
                    sandbox.generation
                )));
            }
            let seed = sandbox.state.seed;
            let sandbox_name = (name != DEFAULT).then_some(name.as_str());
            let world = World::import(sandbox.state, &self.plan().vendors, sandbox_name)
                .map_err(|e| SandboxError::BadState(format!("{name}: {e}")))?;
            worlds.push((name, seed, sandbox.users, sandbox.generation, world));
        }
        let new = worlds
            .iter()
            .filter(|(name, ..)| name != DEFAULT && !self.named.contains_key(name))
            .count();
        if self.named.len() + new > self.max_named {
            return Err(SandboxError::TooMany(self.max_named));
        }
        for (name, seed, users, generation, world) in worlds {
            // The saved world's credentials were drawn up to that generation: go on past it.
            self.generations
                .entry(name.clone())
                .and_modify(|g| *g = (*g).max(generation))
                .or_insert(generation);
            let plan = SeedPlan {
                seed,
                users,
                ..(*self.plan()).clone()
            };
            let slot = if name == DEFAULT {
                self.default.plan.store(Arc::new(plan));
                self.replace_world(&self.default, world);
                continue;
            } else {
                self.slot_or_create(Some(&name), Some(plan.clone()))?
            };
            slot.plan.store(Arc::new(plan));
            self.replace_world(&slot, world);
        }
        Ok(())
    }
}

/// A name a sandbox can have: 1 to 64 of `A-Z a-z 0-9 - _`.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the middleware resolved for one request: its world and request id.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub world: Arc<World>,
    pub sandbox: Option<Arc<str>>,
    pub request_id: String,
}

impl RequestContext {
    /// The request's context, shared (`resolve` puts it in the extensions once).
    pub fn of(req: &HttpRequest) -> Option<Rc<RequestContext>> {
        req.extensions().get::<Rc<RequestContext>>().cloned()
    }
}

/// The base URL a caller gives an SDK: the scheme and host it used, plus `/sandboxes/{name}`
/// for a named sandbox.
pub fn base_url(req: &HttpRequest, sandbox: Option<&str>) -> String {
    let info = req.connection_info();
    match sandbox {
        Some(name) => format!("{}://{}{PREFIX}{name}", info.scheme(), info.host()),
        None => format!("{}://{}", info.scheme(), info.host()),
    }
}

/// Extractor: the world the request acts on.
#[derive(Debug, Clone)]
pub struct Sandbox(pub Arc<World>);

impl std::ops::Deref for Sandbox {
    type Target = World;
    fn deref(&self) -> &World {
        &self.0
    }
}

impl FromRequest for Sandbox {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let world = match RequestContext::of(req) {
            Some(ctx) => Ok(ctx.world.clone()),
            None => req
                .app_data::<web::Data<Sandboxes>>()
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("no sandboxes"))
                .and_then(|s| {
                    s.world(None)
                        .map_err(actix_web::error::ErrorInternalServerError)
                }),
        };
        ready(world.map(Sandbox))
    }
}

/// Splits `/sandboxes/{name}/rest` into the name and the vendor path.
fn split_sandbox(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix(PREFIX)?;
    match rest.find('/') {
        Some(i) => Some((&rest[..i], &rest[i..])),
        None => Some((rest, "/")),
    }
}

/// App-wide middleware: resolves the sandbox and request id, then echoes `X-Request-Id`.
pub async fn resolve(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let Some(sandboxes) = req.app_data::<web::Data<Sandboxes>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let mut sandbox: Option<Arc<str>> = None;
    if let Some((name, rest)) = split_sandbox(req.path()) {
        let (name, rest) = (name.to_string(), rest.to_string());
        let uri = match req.uri().query() {
            Some(q) => format!("{rest}?{q}"),
            None => rest,
        };
        if let Ok(uri) = uri.parse::<Uri>() {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
        }
        sandbox = Some(name.into());
    }
    let world = if sandboxes.exists(sandbox.as_deref()) {
        sandboxes.world(sandbox.as_deref())
    } else {
        // A sandbox made on first use is seeded on a blocking thread, not this worker: seeding
        // the server's people can take seconds.
        let (all, name) = (sandboxes.clone(), sandbox.clone());
        match web::block(move || all.world(name.as_deref())).await {
            Ok(world) => world,
            Err(_) => {
                let body = serde_json::json!({ "status": 500, "message": "the sandbox could not be made" });
                return Ok(req.into_response(HttpResponse::InternalServerError().json(body)));
            }
        }
    };
    let world = match world {
        Ok(world) => world,
        Err(e) => {
            let status = e.status();
            let body = serde_json::json!({ "status": status.as_u16(), "message": e.to_string() });
            return Ok(req.into_response(HttpResponse::build(status).json(body)));
        }
    };
    let sent = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // Control-plane calls draw no ids: reading or restoring a state must not change it.
    let request_id = match sent {
        Some(id) => id,
        None if req.path().starts_with("/__admin") => String::new(),
        None => world.ids.prefixed_uuid("selfgen-", Purpose::RequestId),
    };
    req.extensions_mut().insert(Rc::new(RequestContext {
        world,
        sandbox,
        request_id: request_id.clone(),
    }));
    let mut res = next.call(req).await?.map_into_boxed_body();
    if !request_id.is_empty()
        && let Ok(value) = HeaderValue::from_str(&request_id)
    {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_paths_split_into_name_and_vendor_path() {
        assert_eq!(
            split_sandbox("/sandboxes/alpha/api/v1/users"),
            Some(("alpha", "/api/v1/users"))
        );
        assert_eq!(split_sandbox("/sandboxes/alpha"), Some(("alpha", "/")));
        assert_eq!(split_sandbox("/api/v1/users"), None);
        assert!(valid_name("team-a_1"));
        assert!(!valid_name("a/b") && !valid_name(""));
    }

    #[test]
    fn every_replaced_world_draws_new_credentials_even_after_a_restart() {
        let plan = || {
            SeedPlan::embedded(
                42,
                0,
                crate::store::clock::ClockMode::System,
                crate::vendors::kinds(),
            )
            .unwrap()
        };
        let token = |s: &Sandboxes, name: Option<&str>| {
            s.world(name).unwrap().ids.url_safe(Purpose::Token, 43)
        };
        let sandboxes = Sandboxes::new(plan(), 8).unwrap();
        let mut seen = vec![token(&sandboxes, None), token(&sandboxes, Some("alpha"))];
        sandboxes.reset(None).unwrap();
        sandboxes.reset(Some("alpha")).unwrap();
        seen.push(token(&sandboxes, None));
        seen.push(token(&sandboxes, Some("alpha")));
        // The state file keeps the generations: the next server goes on past them.
        let saved = sandboxes.saved();
        // The state file is written straight from the worlds with the bytes serde_json gives
        // its value.
        let mut written = Vec::new();
        sandboxes.save_all(&mut written).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            serde_json::to_string(&saved).unwrap()
        );
        assert_eq!(saved.sandboxes[DEFAULT].generation, 1);
        let restarted = Sandboxes::new(plan(), 8).unwrap();
        restarted.load_all(saved).unwrap();
        seen.push(token(&restarted, None));
        seen.push(token(&restarted, Some("alpha")));
        // A saved generation no server reaches is damage, refused before anything changes.
        let mut damaged = restarted.saved();
        damaged.sandboxes.get_mut(DEFAULT).unwrap().generation = u64::MAX;
        assert!(matches!(
            restarted.load_all(damaged),
            Err(SandboxError::BadState(_))
        ));
        // A name deleted and used again starts a new generation too.
        restarted.delete("alpha").unwrap();
        seen.push(token(&restarted, Some("alpha")));
        let distinct: std::collections::BTreeSet<&String> = seen.iter().collect();
        assert_eq!(distinct.len(), seen.len(), "{seen:?}");
    }

    proptest::proptest! {
        // Any path splits without a panic, and a name is valid exactly when it is 1 to 64 of
        // `A-Z a-z 0-9 - _`.
        #[test]
        fn sandbox_paths_and_names_never_panic(path in "/sandboxes/\\PC{0,100}") {
            if let Some((name, rest)) = split_sandbox(&path) {
                proptest::prop_assert!(rest.starts_with('/'));
                let rejoined = path == format!("{PREFIX}{name}{rest}")
                    || (rest == "/" && path == format!("{PREFIX}{name}"));
                proptest::prop_assert!(rejoined, "{} does not rejoin", path);
                let expected = (1..=64).contains(&name.len())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                proptest::prop_assert_eq!(valid_name(name), expected);
            }
        }
    }
}

/// Who made a request, as the vendor's auth extractor established it (e.g. `finapi client
/// sandbox-client`, `obp user felixsmith`). Vendors insert it into the request extensions on
/// successful authentication; the control plane's journal keeps it and writes it out only when
/// the journal is read, so a request pays for no formatting.
#[derive(Clone)]
pub struct Caller(Arc<dyn std::fmt::Display + Send + Sync>);

impl Caller {
    pub fn new(who: Arc<dyn std::fmt::Display + Send + Sync>) -> Self {
        Caller(who)
    }

    /// `{label} {name}`, e.g. `obp user felixsmith`.
    pub fn labelled(label: &'static str, name: &str) -> Self {
        struct Labelled(&'static str, Box<str>);
        impl std::fmt::Display for Labelled {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{} {}", self.0, self.1)
            }
        }
        Caller(Arc::new(Labelled(label, name.into())))
    }
}

impl std::fmt::Display for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Caller({self})")
    }
}

/// Property tests of state imports: arbitrary damage to a valid export is refused with a 400
/// and no change, or accepted; never a panic.
#[cfg(test)]
mod import_properties {
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use proptest::sample::Index;
    use serde_json::Value;

    use super::*;
    use crate::store::clock::ClockMode;

    /// One server's sandboxes (3 fake people) and the exports the mutations start from.
    struct Fixture {
        sandboxes: Sandboxes,
        world_state: Value,
        saved: Value,
    }

    /// One fixture per property, so one property's accepted imports never race the other's
    /// "nothing changed" check.
    fn fixture(which: usize) -> &'static Fixture {
        static FIXTURES: [OnceLock<Fixture>; 2] = [OnceLock::new(), OnceLock::new()];
        FIXTURES[which].get_or_init(|| {
            // The system clock: its offset is what a huge number can overflow.
            let plan =
                SeedPlan::embedded(42, 3, ClockMode::System, crate::vendors::kinds()).unwrap();
            let sandboxes = Sandboxes::new(plan, 8).unwrap();
            // The state file holds a named sandbox too.
            sandboxes.world(Some("other")).unwrap();
            let world_state = serde_json::to_value(
                sandboxes
                    .world(None)
                    .unwrap()
                    .export_state(Secrets::Include),
            )
            .unwrap();
            let saved = serde_json::to_value(sandboxes.saved()).unwrap();
            Fixture {
                sandboxes,
                world_state,
                saved,
            }
        })
    }

    /// A mutation, at any member (`false`) or at a scalar member outside arrays (`true`): the
    /// few top-level numbers (seed, clock, counts) are as likely a target as the many rows.
    #[derive(Debug, Clone)]
    enum Mutation {
        Truncate(Index),
        FlipByte(Index, u8),
        Remove(Index),
        Rename(Index, String),
        WrongType(Index, u8),
        Huge(Index, u8),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            any::<Index>().prop_map(Mutation::Truncate),
            (any::<Index>(), 1..=255u8).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
            any::<Index>().prop_map(Mutation::Remove),
            (any::<Index>(), "[a-zA-Z_]{0,12}").prop_map(|(i, n)| Mutation::Rename(i, n)),
            (any::<Index>(), 0..6u8).prop_map(|(i, k)| Mutation::WrongType(i, k)),
            (any::<Index>(), 0..6u8).prop_map(|(i, k)| Mutation::Huge(i, k)),
        ]
    }

    /// JSON pointers of every member and element below the root.
    fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        };
        for (key, child) in children {
            let pointer = format!("{at}/{key}");
            out.push(pointer.clone());
            pointers(child, pointer, out);
        }
    }

    /// The mutated document as bytes.
    fn apply(base: &Value, (m, shallow): &(Mutation, bool)) -> Vec<u8> {
        let text = serde_json::to_vec(base).unwrap();
        let mut all = Vec::new();
        pointers(base, String::new(), &mut all);
        if *shallow {
            all.retain(|p| {
                !p.split('/').any(|s| s.parse::<usize>().is_ok())
                    && !matches!(base.pointer(p), Some(Value::Object(_) | Value::Array(_)))
            });
        }
        let mut value = base.clone();
        let split = |p: &str| {
            let i = p.rfind('/').unwrap_or(0);
            (
                p[..i].to_string(),
                p[i + 1..].replace("~1", "/").replace("~0", "~"),
            )
        };
        match m {
            Mutation::Truncate(i) => return text[..i.index(text.len())].to_vec(),
            Mutation::FlipByte(i, b) => {
                let mut text = text;
                let at = i.index(text.len());
                text[at] ^= b;
                return text;
            }
            Mutation::Remove(i) | Mutation::Rename(i, _) => {
                let (parent, key) = split(&all[i.index(all.len())]);
                let name = match m {
                    Mutation::Rename(_, n) => Some(n.clone()),
                    _ => None,
                };
                match value.pointer_mut(&parent) {
                    Some(Value::Object(map)) => {
                        if let Some(v) = map.remove(&key)
                            && let Some(name) = name
                        {
                            map.insert(name, v);
                        }
                    }
                    Some(Value::Array(items)) => {
                        let at: usize = key.parse().unwrap();
                        if name.is_none() && at < items.len() {
                            items.remove(at);
                        }
                    }
                    _ => {}
                }
            }
            Mutation::WrongType(i, k) | Mutation::Huge(i, k) => {
                let replacement = match (m, k) {
                    (Mutation::WrongType(..), 0) => Value::Null,
                    (Mutation::WrongType(..), 1) => Value::from("text"),
                    (Mutation::WrongType(..), 2) => Value::from(true),
                    (Mutation::WrongType(..), 3) => Value::from(vec![1, 2]),
                    (Mutation::WrongType(..), 4) => serde_json::json!({ "x": 1 }),
                    (Mutation::WrongType(..), _) => Value::from(-7),
                    (_, 0) => Value::from(u64::MAX),
                    (_, 1) => Value::from(i64::MIN),
                    (_, 2) => Value::from(i64::MAX),
                    (_, 3) => Value::from(1e308),
                    (_, 4) => Value::from(-1),
                    (_, _) => Value::from("9".repeat(400)),
                };
                if let Some(target) = value.pointer_mut(&all[i.index(all.len())]) {
                    *target = replacement;
                }
            }
        }
        serde_json::to_vec(&value).unwrap()
    }

    /// What a world is after a change, for "nothing changed" (every sandbox, with secrets).
    fn everything(sandboxes: &Sandboxes) -> Vec<u8> {
        let mut json = Vec::new();
        sandboxes.save_all(&mut json).unwrap();
        json
    }

    /// A world that was accepted is usable: its clock, exports and credentials answer.
    fn exercise(sandboxes: &Sandboxes) {
        for info in sandboxes.list() {
            let name = (info.name != DEFAULT).then_some(info.name.as_str());
            let world = sandboxes.world(name).unwrap();
            let _ = world.clock.now();
            let _ = world.clock.mode().to_string();
            let _ = world.export_text(Secrets::Omit).unwrap();
            let _ = crate::vendors::credentials(&world, &sandboxes.plan().fixtures, "http://x");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn a_damaged_state_is_refused_without_a_change_or_accepted(m in (mutation(), any::<bool>())) {
            let f = fixture(0);
            let bytes = apply(&f.world_state, &m);
            let before = everything(&f.sandboxes);
            // `PUT /__admin/state`: the JSON extractor, then the import.
            match serde_json::from_slice::<WorldState>(&bytes) {
                Err(_) => {}
                Ok(state) => match f.sandboxes.import(None, state) {
                    Ok(()) => exercise(&f.sandboxes),
                    Err(e) => {
                        prop_assert_eq!(e.status(), actix_web::http::StatusCode::BAD_REQUEST);
                        prop_assert!(everything(&f.sandboxes) == before, "{:?} changed the world", m);
                    }
                },
            }
        }

        #[test]
        fn a_damaged_state_file_is_refused_without_a_change_or_accepted(m in (mutation(), any::<bool>())) {
            let f = fixture(1);
            let bytes = apply(&f.saved, &m);
            let before = everything(&f.sandboxes);
            // `--state-file` at start: the file's JSON, then every sandbox at once.
            match serde_json::from_slice::<SavedSandboxes>(&bytes) {
                Err(_) => {}
                Ok(saved) => match f.sandboxes.load_all(saved) {
                    Ok(()) => {
                        exercise(&f.sandboxes);
                        // A renamed sandbox was added: keep to the fixture's two.
                        for info in f.sandboxes.list() {
                            if info.name != DEFAULT && info.name != "other" {
                                f.sandboxes.delete(&info.name).unwrap();
                            }
                        }
                    }
                    Err(e) => {
                        prop_assert_eq!(e.status(), actix_web::http::StatusCode::BAD_REQUEST);
                        prop_assert!(everything(&f.sandboxes) == before, "{:?} changed the world", m);
                    }
                },
            }
        }
    }
}
