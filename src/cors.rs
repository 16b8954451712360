//! CORS as each vendor answers a browser. Each registered vendor supplies its rules as a
//! [`CorsPolicy`] value (`Vendor::cors`); this app-wide middleware picks the policy by
//! path (behind any `/sandboxes/{name}` prefix), answers preflights itself and stamps the CORS
//! headers on every other response. `--cors-origins` narrows every policy to a list of origins.

use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{Error, HttpResponse};
use futures_util::future::{LocalBoxFuture, Ready, ready};

use crate::vendors;

/// Which origins a vendor allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowOrigin {
    /// `Access-Control-Allow-Origin: *` on every response, whether or not the request has an
    /// `Origin` (which rules out credentials).
    Any,
    /// The request's `Origin` echoed back, with `Vary: Origin`.
    Echo,
}

/// One vendor's CORS answer, written as data; it covers the paths the vendor owns
/// (`Vendor::prefixes`).
#[derive(Debug, Clone, Copy)]
pub struct CorsPolicy {
    pub allow_origin: AllowOrigin,
    /// `Access-Control-Allow-Credentials: true` (only with an echoed origin).
    pub allow_credentials: bool,
    /// `Access-Control-Allow-Methods` of a preflight.
    pub allow_methods: &'static str,
    /// `Access-Control-Allow-Headers` of a preflight (`*` is the wildcard, which the Fetch
    /// standard does not let stand for `Authorization`).
    pub allow_headers: &'static str,
    /// `Access-Control-Expose-Headers` of actual responses; empty sends none.
    pub expose_headers: &'static str,
    /// `Access-Control-Max-Age` of a preflight, in seconds.
    pub max_age: Option<u32>,
    /// The status of a preflight answer.
    pub preflight_status: u16,
    /// Answer every `OPTIONS` with the preflight answer, not only a browser's preflight.
    pub answer_every_options: bool,
}

/// The sandbox's own surfaces (control plane, documents, Swagger UI, landing page): callable
/// from any page with the admin token as a bearer header; no cookies are involved.
pub const SANDBOX: CorsPolicy = CorsPolicy {
    allow_origin: AllowOrigin::Any,
    allow_credentials: false,
    allow_methods: "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    allow_headers: "Authorization, Content-Type, X-Request-Id",
    expose_headers: "X-Request-Id",
    max_age: Some(3600),
    preflight_status: 204,
    answer_every_options: false,
};

/// Every vendor's policy with the path prefixes it owns, in registry order, and the sandbox's
/// for everything else.
#[derive(Debug, Clone)]
pub struct CorsRules {
    policies: Vec<(&'static [&'static str], CorsPolicy)>,
    /// `--cors-origins`: when set, only these origins get CORS headers, each echoed.
    origins: Option<Arc<[String]>>,
}

impl CorsRules {
    /// The vendors' own rules, narrowed to `origins` when it is not empty.
    pub fn new(origins: &[String]) -> Self {
        Self {
            policies: vendors::REGISTRY
                .iter()
                .map(|v| (v.prefixes(), v.cors()))
                .collect(),
            origins: (!origins.is_empty()).then(|| origins.into()),
        }
    }

    /// The prefixes and policy of the vendor owning a request path (with or without a
    /// `/sandboxes/{name}` prefix); no prefixes and the sandbox's policy for any other path.
    pub fn rule(&self, path: &str) -> (&'static [&'static str], &CorsPolicy) {
        let path = vendor_path(path);
        self.policies
            .iter()
            .find(|(prefixes, _)| prefixes.iter().any(|prefix| path.starts_with(prefix)))
            .map_or((&[], &SANDBOX), |(prefixes, policy)| (*prefixes, policy))
    }

    /// The `Access-Control-Allow-Origin` value for a request's origin, if it gets one.
    fn allowed_origin(
        &self,
        policy: &CorsPolicy,
        origin: Option<&HeaderValue>,
    ) -> Option<HeaderValue> {
        match (&self.origins, policy.allow_origin) {
            (Some(list), _) => origin.filter(|o| {
                o.to_str()
                    .is_ok_and(|o| list.iter().any(|allowed| allowed.eq_ignore_ascii_case(o)))
            }),
            (None, AllowOrigin::Any) => return Some(HeaderValue::from_static("*")),
            (None, AllowOrigin::Echo) => origin,
        }
        .cloned()
    }

    /// Sets the CORS headers of an answer, replacing any a handler set.
    fn stamp(
        &self,
        policy: &CorsPolicy,
        origin: Option<&HeaderValue>,
        headers: &mut HeaderMap,
        preflight: bool,
    ) {
        for name in [
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
        ] {
            headers.remove(name);
        }
        let allowed = self.allowed_origin(policy, origin);
        let echoed = allowed.as_ref().is_some_and(|v| v != "*");
        if self.origins.is_some() || policy.allow_origin == AllowOrigin::Echo {
            headers.append(header::VARY, HeaderValue::from_static("Origin"));
        }
        let Some(allowed) = allowed else { return };
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        if policy.allow_credentials && echoed {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if preflight {
            let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
                headers.insert(name, HeaderValue::from_static(value));
            };
            set(
                headers,
                header::ACCESS_CONTROL_ALLOW_METHODS,
                policy.allow_methods,
            );
            set(
                headers,
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                policy.allow_headers,
            );
            if let Some(age) = policy.max_age {
                headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(age));
            }
        } else if !policy.expose_headers.is_empty() {
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(policy.expose_headers),
            );
        }
    }

    /// The answer to a preflight (or, where the vendor answers them all, to any `OPTIONS`).
    fn preflight(&self, policy: &CorsPolicy, request: &HeaderMap) -> HttpResponse {
        let status =
            StatusCode::from_u16(policy.preflight_status).unwrap_or(StatusCode::NO_CONTENT);
        let mut res = HttpResponse::build(status).finish();
        self.stamp(policy, request.get(header::ORIGIN), res.headers_mut(), true);
        res
    }
}

/// The vendor path behind a `/sandboxes/{name}` prefix.
fn vendor_path(path: &str) -> &str {
    match path.strip_prefix("/sandboxes/") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => path,
    }
}

/// A browser's preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
fn is_preflight(req: &ServiceRequest) -> bool {
    req.method() == Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// An `--cors-origins` entry: `scheme://host[:port]`, as a browser sends it in `Origin`.
pub fn parse_origin(value: &str) -> Result<String, String> {
    let value = value.trim();
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .ok_or_else(|| {
            format!("`{value}` is not an origin: it must start with http:// or https://")
        })?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ']) {
        return Err(format!(
            "`{value}` is not an origin: give scheme://host[:port], without a path"
        ));
    }
    Ok(value.to_string())
}

/// The app-wide middleware.
#[derive(Debug, Clone)]
pub struct Cors(Rc<CorsRules>);

impl Cors {
    pub fn new(origins: &[String]) -> Self {
        Self(Rc::new(CorsRules::new(origins)))
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service: Rc::new(service),
            rules: self.0.clone(),
        }))
    }
}

pub struct CorsMiddleware<S> {
    service: Rc<S>,
    rules: Rc<CorsRules>,
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let rules = self.rules.clone();
        let policy = *rules.rule(req.path()).1;
        if is_preflight(&req) || (policy.answer_every_options && req.method() == Method::OPTIONS) {
            let res = rules.preflight(&policy, req.headers());
            return Box::pin(async move { Ok(req.into_response(res)) });
        }
        // Only the request's `Origin` decides the response's CORS headers.
        let origin = req.headers().get(header::ORIGIN).cloned();
        let service = self.service.clone();
        Box::pin(async move {
            let mut res = service.call(req).await?.map_into_boxed_body();
            rules.stamp(&policy, origin.as_ref(), res.headers_mut(), false);
            Ok(res)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_prefixes_are_looked_through() {
        let rules = CorsRules::new(&[]);
        assert_eq!(
            rules.rule("/sandboxes/a/obp/v4.0.0/users").0,
            vendors::by_name("obp").unwrap().prefixes()
        );
        assert_eq!(
            rules.rule("/api/v1/users").0,
            vendors::by_name("finapi").unwrap().prefixes()
        );
        assert_eq!(vendor_path("/sandboxes/a"), "/");
        assert_eq!(vendor_path("/v1/users"), "/v1/users");
        assert!(rules.rule("/__admin/authress/service-clients").0.is_empty());
    }

    #[test]
    fn origins_must_be_scheme_host_and_port() {
        assert_eq!(
            parse_origin(" http://localhost:3000 ").as_deref(),
            Ok("http://localhost:3000")
        );
        assert!(parse_origin("localhost:3000").is_err());
        assert!(parse_origin("http://localhost:3000/app").is_err());
        assert!(parse_origin("https://").is_err());
    }
}
