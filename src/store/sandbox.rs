//! Sandboxes: the default world plus named, isolated worlds at `/sandboxes/{name}/...`, each built
//! lazily from the server's seed plan. A middleware resolves the world of every request once and
//! rewrites the path, so every vendor route serves every sandbox unchanged.

use std::future::{Ready, ready};
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

use super::{Purpose, World};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const PREFIX: &str = "/sandboxes/";

/// Every live world of the server.
#[derive(Debug)]
pub struct Sandboxes {
    plan: SeedPlan,
    default: ArcSwap<World>,
    named: DashMap<String, Arc<ArcSwap<World>>>,
    max_named: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox names are 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'")]
    BadName,
    #[error("no more than {0} named sandboxes may be live at once; delete one first")]
    TooMany(usize),
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
}

impl Sandboxes {
    pub fn new(plan: SeedPlan, max_named: usize) -> Result<Self, FixtureError> {
        let default = ArcSwap::from_pointee(World::build(&plan)?);
        Ok(Self {
            plan,
            default,
            named: DashMap::new(),
            max_named,
        })
    }

    pub fn plan(&self) -> &SeedPlan {
        &self.plan
    }

    fn slot(&self, name: Option<&str>) -> Result<Arc<ArcSwap<World>>, SandboxError> {
        let Some(name) = name else {
            return Err(SandboxError::BadName);
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
        let world = World::build(&self.plan)?;
        Ok(self
            .named
            .entry(name.to_string())
            .or_insert_with(|| Arc::new(ArcSwap::from_pointee(world)))
            .clone())
    }

    /// The world of a sandbox (`None` = default), created on first use.
    pub fn world(&self, name: Option<&str>) -> Result<Arc<World>, SandboxError> {
        match name {
            None => Ok(self.default.load_full()),
            Some(_) => Ok(self.slot(name)?.load_full()),
        }
    }

    /// Swaps a fresh seeded world in; requests in flight finish on the old one.
    pub fn reset(&self, name: Option<&str>) -> Result<(), SandboxError> {
        let world = Arc::new(World::build(&self.plan)?);
        match name {
            None => self.default.store(world),
            Some(_) => self.slot(name)?.store(world),
        }
        Ok(())
    }
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the middleware resolved for one request: its world and request id.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub world: Arc<World>,
    pub sandbox: Option<String>,
    pub request_id: String,
}

impl RequestContext {
    pub fn of(req: &HttpRequest) -> Option<RequestContext> {
        req.extensions().get::<RequestContext>().cloned()
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
            Some(ctx) => Ok(ctx.world),
            None => req
                .app_data::<web::Data<Sandboxes>>()
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("no sandboxes"))
                .and_then(|s| s.world(None).map_err(actix_web::error::ErrorInternalServerError)),
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
    let mut sandbox = None;
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
        sandbox = Some(name);
    }
    let world = match sandboxes.world(sandbox.as_deref()) {
        Ok(world) => world,
        Err(e) => {
            let status = match e {
                SandboxError::TooMany(_) => actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                SandboxError::BadName => actix_web::http::StatusCode::BAD_REQUEST,
                SandboxError::Fixtures(_) => actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            };
            let body = serde_json::json!({ "status": status.as_u16(), "message": e.to_string() });
            return Ok(req.into_response(HttpResponse::build(status).json(body)));
        }
    };
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| format!("selfgen-{}", world.ids.uuid(Purpose::RequestId)));
    req.extensions_mut().insert(RequestContext {
        world,
        sandbox,
        request_id: request_id.clone(),
    });
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
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
}

/// Who made a request, as the vendor's auth extractor established it (e.g. `finapi client
/// sandbox-client`, `obp user felixsmith`). Vendors insert it into the request extensions on
/// successful authentication; the control plane's journal reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub String);
