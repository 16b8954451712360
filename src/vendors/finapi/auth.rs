//! Who may call what: one extractor per finAPI token role. A handler's signature says which
//! token it needs; the wrong role is a 403 `UNAUTHORIZED_ACCESS`, a missing, unknown or expired
//! token a 401 with the OAuth body.

use std::borrow::Cow;
use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use utoipa::Modify;
use utoipa::openapi::security::{
    ClientCredentials, Flow, OAuth2, Password, Scopes, SecurityScheme,
};

use crate::store::{Caller, RequestContext};

use super::errors::{Error, Result};
use super::state::{Principal, Role};
use crate::vendors::finapi::FinapiWorld;

/// The bearer token: the `Authorization` header, or the deprecated `access_token` query parameter.
fn bearer(req: &HttpRequest) -> Result<Cow<'_, str>> {
    if let Some(value) = req.headers().get(AUTHORIZATION) {
        let value = crate::vendors::header_text(value).ok_or(Error::Unauthenticated)?;
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(Error::Unauthenticated);
        }
        return Ok(Cow::Borrowed(token));
    }
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "access_token"))
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
        .map(Cow::Owned)
        .ok_or(Error::Unauthenticated)
}

/// The token's principal, shared by the extractor, the error envelope's auth context and the
/// journal's caller (`finapi user {user} via {client}`), which is written only when read.
fn principal(req: &HttpRequest, allowed: &[Role]) -> Result<Arc<Principal>> {
    let ctx = RequestContext::of(req).ok_or(Error::Unexpected)?;
    let token = bearer(req)?;
    let principal = Arc::new(
        ctx.world
            .finapi()
            .authenticate(&token, ctx.world.clock.now())?,
    );
    let mut extensions = req.extensions_mut();
    extensions.insert(Caller::new(principal.clone()));
    extensions.insert(principal.clone());
    if allowed.contains(&principal.role) {
        Ok(principal)
    } else {
        Err(Error::UnauthorizedAccess)
    }
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.role, &self.user) {
            (Role::User, Some(user)) => write!(f, "finapi user {user} via {}", self.client_id),
            (Role::MandatorAdmin, _) => write!(f, "finapi mandator admin {}", self.client_id),
            _ => write!(f, "finapi client {}", self.client_id),
        }
    }
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $($role:expr),+) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Arc<Principal>);

        impl FromRequest for $name {
            type Error = Error;
            type Future = Ready<Result<Self>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                ready(principal(req, &[$($role),+]).map($name))
            }
        }
    };
}

role_extractor!(
    /// A client token (grant `client_credentials`) of an ordinary client.
    ClientToken, Role::Client
);
role_extractor!(
    /// A user token (grant `password` or `refresh_token`).
    UserToken, Role::User
);
role_extractor!(
    /// A client token of the mandator admin client.
    MandatorAdminToken, Role::MandatorAdmin
);
role_extractor!(
    /// Any client token, ordinary or mandator admin.
    AnyClientToken, Role::Client, Role::MandatorAdmin
);

impl UserToken {
    /// The lower-case id of the authorized user.
    pub fn user_key(&self) -> &str {
        self.0.user.as_deref().unwrap_or_default()
    }
}

/// finAPI's `finapi_auth` scheme: OAuth2 client-credentials and password flows at `/oauth/token`,
/// so Swagger UI's Authorize button gets real tokens from the sandbox.
pub struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scopes =
            || Scopes::from_iter([("all", "Access to everything the token's role allows")]);
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "finapi_auth",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [
                    Flow::ClientCredentials(ClientCredentials::new("/oauth/token", scopes())),
                    Flow::Password(Password::new("/oauth/token", scopes())),
                ],
                "Client tokens (client_credentials) for user administration, user tokens (password) \
                 for the user's own data, the mandator admin client's token for mandatorAdmin services. \
                 Fixture clients: sandbox-client / sandbox-client-secret, sandbox-admin / sandbox-admin-secret.",
            )),
        );
    }
}
