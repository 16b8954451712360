//! Who may call what. Every request carries `Authorization: Bearer <JWT>`: the token the SDKs sign
//! themselves from a service-client access key, or a user token the sandbox minted. A missing,
//! malformed, badly signed or expired token is a 401; a caller without the access an operation
//! needs is a 403.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use utoipa::Modify;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::store::{Caller, RequestContext};

use super::errors::{Error, Result};
use super::models::Access;
use super::state::Principal;
use crate::vendors::authress::AuthressWorld;

fn bearer(req: &HttpRequest) -> Result<&str> {
    let missing = || Error::Unauthorized("Send the token as 'Authorization: Bearer <JWT>'.".into());
    let value = req.headers().get(AUTHORIZATION).ok_or_else(missing)?;
    let value = crate::vendors::header_text(value).ok_or_else(missing)?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token)
}

/// The token's principal, shared with the journal's caller (written only when it is read).
fn authenticate(req: &HttpRequest) -> Result<Arc<Principal>> {
    let ctx = RequestContext::of(req).ok_or(Error::Unexpected)?;
    let token = bearer(req)?;
    let world = &ctx.world;
    let principal =
        world
            .authress()
            .authenticate(token, world.ids.key_seed(), world.clock.now())?;
    req.extensions_mut().insert(Caller::new(principal.clone()));
    Ok(principal)
}

/// A service client, authenticated by the JWT its SDK signed with its access key.
#[derive(Debug, Clone)]
pub struct ServiceClient(Arc<Principal>);

impl ServiceClient {
    /// A 403 unless the client was granted `access`.
    pub fn require(&self, access: Access, what: &str) -> Result<()> {
        match &*self.0 {
            Principal::ServiceClient {
                access: granted, ..
            } if granted.contains(&access) => Ok(()),
            Principal::ServiceClient { client_id, .. } => Err(Error::Forbidden(format!(
                "The service client {client_id} doesn't have permission to {what}."
            ))),
            Principal::User { .. } => Err(Error::Unexpected),
        }
    }
}

impl FromRequest for ServiceClient {
    type Error = Error;
    type Future = Ready<Result<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|p| match &*p {
            Principal::ServiceClient { .. } => Ok(ServiceClient(p)),
            Principal::User { .. } => Err(Error::Forbidden(
                "User tokens may only read their own user; use a service client.".into(),
            )),
        }))
    }
}

/// A service client or a logged-in user (a user token minted by the sandbox).
#[derive(Debug, Clone)]
pub struct ServiceClientOrUser(pub Arc<Principal>);

impl ServiceClientOrUser {
    /// Service clients need `users:read`; users may read only themselves.
    pub fn require_user_read(&self, user_id: &str) -> Result<()> {
        match &*self.0 {
            Principal::ServiceClient { .. } => {
                ServiceClient(self.0.clone()).require(Access::ReadUsers, "get user data")
            }
            Principal::User { user_id: own } if own == user_id => Ok(()),
            Principal::User { .. } => Err(Error::Forbidden(
                "The user doesn't have permission to get user data.".into(),
            )),
        }
    }
}

impl FromRequest for ServiceClientOrUser {
    type Error = Error;
    type Future = Ready<Result<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(ServiceClientOrUser))
    }
}

/// Authress's `oauth2` scheme: a bearer JWT. Swagger UI takes the `accessToken` of
/// `POST /__admin/authress/service-clients` or of `POST /__admin/authress/user-tokens`.
pub struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An EdDSA JWT. The Authress SDKs sign it themselves from a service-client \
                         access key; in Swagger UI paste the `accessToken` that \
                         `POST /__admin/authress/service-clients` returns.",
                    ))
                    .build(),
            ),
        );
    }
}
