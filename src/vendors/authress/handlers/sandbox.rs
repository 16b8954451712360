//! The sandbox's own Authress helpers under `/__admin/authress/...`: mint service clients (with
//! an access key for the SDKs and a ready JWT for Swagger UI) and user tokens for frontend
//! developers who need a logged-in user. Errors use the control plane's body.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::control::AdminError;
use crate::store::{Purpose, Sandbox};
use crate::vendors::authress::jwt;
use crate::vendors::authress::models::{
    Access, MintedServiceClient, MintedUserToken, NewServiceClient, NewUserToken,
};
use crate::vendors::authress::state::{KeyRecord, ServiceClientRecord};

use super::base_url;
use crate::vendors::authress::AuthressWorld;

const DAY: i64 = 86_400;
const MAX_USER_TOKEN_LIFETIME: i64 = 30 * DAY;

fn admin_error(status: u16, message: impl Into<String>) -> HttpResponse {
    let code = actix_web::http::StatusCode::from_u16(status).unwrap_or_default();
    crate::control::error(code, message.into())
}

/// An empty body and a JSON `null` are the type's default; anything else must be its JSON
/// object (serde would also read a struct from an array).
fn parse<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let invalid = |e: serde_json::Error| format!("The request body is not valid: {e}");
    match serde_json::from_slice(body).map_err(invalid)? {
        serde_json::Value::Null => Ok(T::default()),
        object @ serde_json::Value::Object(_) => serde_json::from_value(object).map_err(invalid),
        _ => Err("The request body must be a JSON object or null.".into()),
    }
}

/// The claims the SDKs put in a service client's token.
fn service_client_claims(
    base: &str,
    account_id: &str,
    client_id: &str,
    now: DateTime<Utc>,
) -> serde_json::Value {
    let iat = now.timestamp();
    json!({
        "iss": jwt::client_issuer(base, client_id),
        "aud": jwt::audience(account_id),
        "iat": iat,
        "exp": iat + DAY,
        "sub": client_id,
        "client_id": client_id,
        "scope": "openid",
    })
}

/// The token a fixture service client's SDK would send now.
pub fn fixture_token(
    world: &crate::store::World,
    base: &str,
    client: &ServiceClientRecord,
) -> Option<String> {
    let key = client.keys.iter().find(|k| k.public_key.is_none())?;
    let state = world.authress();
    let signing = state.seeded_client_key(world.ids.key_seed(), &client.client_id, &key.key_id);
    let claims = service_client_claims(
        base,
        state.account_id(),
        &client.client_id,
        world.clock.now(),
    );
    Some(jwt::sign(&key.key_id, "at+jwt", &claims, &signing))
}

/// Create a service client
///
/// Registers a service client with a new access key. The key is shown only in this answer, as in
/// Authress; `accessToken` is a JWT signed with it for 24 hours (paste it into Swagger UI).
#[utoipa::path(
    post, path = "/__admin/authress/service-clients", operation_id = "createSandboxServiceClient",
    tag = "Sandbox",
    request_body(content = Option<NewServiceClient>, content_type = "application/json", description = "Optional: no body, or `null`, is `{}`."),
    responses(
        (status = 201, description = "The client and its access key.", body = MintedServiceClient),
        (status = 400, description = "A malformed body.", body = AdminError),
    ),
)]
pub async fn create_service_client(
    req: HttpRequest,
    sandbox: Sandbox,
    body: web::Bytes,
) -> HttpResponse {
    let params: NewServiceClient = match parse(&body) {
        Ok(p) => p,
        Err(message) => return admin_error(400, message),
    };
    let name = params
        .name
        .unwrap_or_else(|| "Sandbox service client".into());
    if name.is_empty() || name.chars().count() > 128 {
        return admin_error(400, "The name must be 1 to 128 characters.");
    }
    let mut access = params.access.unwrap_or_else(|| Access::ALL.to_vec());
    access.sort();
    access.dedup();
    let state = sandbox.authress();
    let client_id = format!(
        "sc_{}",
        sandbox.ids.alphanumeric(Purpose::Misc, 20).to_lowercase()
    );
    let key_id = format!(
        "k{}",
        sandbox.ids.alphanumeric(Purpose::Misc, 5).to_lowercase()
    );
    let key = jwt::drawn_key(&mut sandbox.ids.rng(Purpose::Secret));
    let now = sandbox.clock.now();
    let record = ServiceClientRecord {
        client_id: client_id.clone(),
        name: name.clone(),
        access: access.clone(),
        keys: vec![KeyRecord {
            key_id: key_id.clone(),
            public_key: Some(jwt::public_key_text(&key.verifying_key())),
        }],
        created_time: now,
    };
    if state.add_service_client(record).is_err() {
        return admin_error(400, "The drawn client id is taken; try again.");
    }
    let claims = service_client_claims(&base_url(&req), state.account_id(), &client_id, now);
    HttpResponse::Created().json(MintedServiceClient {
        access_key: jwt::access_key(&client_id, &key_id, state.account_id(), &key),
        access_token: jwt::sign(&key_id, "at+jwt", &claims, &key),
        client_id,
        name,
        access,
        key_id,
        created_time: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })
}

/// Mint a user token
///
/// A user JWT for an existing user, as a frontend gets it after log-in: signed by the sandbox's
/// login key (JWKS at `{issuer}/.well-known/openid-configuration/jwks`). It may read the user's
/// own `GET /v1/users/{userId}`.
#[utoipa::path(
    post, path = "/__admin/authress/user-tokens", operation_id = "createSandboxUserToken",
    tag = "Sandbox",
    request_body(content = NewUserToken, content_type = "application/json"),
    responses(
        (status = 201, description = "The token.", body = MintedUserToken),
        (status = 400, description = "A malformed body, no userId or a bad expiresIn.", body = AdminError),
        (status = 404, description = "The user does not exist.", body = AdminError),
    ),
)]
pub async fn create_user_token(
    req: HttpRequest,
    sandbox: Sandbox,
    body: web::Bytes,
) -> HttpResponse {
    let params: NewUserToken = match parse(&body) {
        Ok(p) => p,
        Err(message) => return admin_error(400, message),
    };
    let Some(user_id) = params.user_id.filter(|u| !u.is_empty()) else {
        return admin_error(400, "The userId is required.");
    };
    let expires_in = params.expires_in.unwrap_or(DAY);
    if !(1..=MAX_USER_TOKEN_LIFETIME).contains(&expires_in) {
        return admin_error(
            400,
            format!("The expiresIn must be 1 to {MAX_USER_TOKEN_LIFETIME} seconds."),
        );
    }
    let state = sandbox.authress();
    let Ok(user) = state.user(&user_id) else {
        return admin_error(404, format!("The user {user_id} does not exist."));
    };
    let issuer = base_url(&req);
    let iat = sandbox.clock.now().timestamp();
    let claims = json!({
        "iss": issuer,
        "sub": user.user_id,
        "aud": jwt::audience(state.account_id()),
        "iat": iat,
        "exp": iat + expires_in,
        "scope": "openid profile email",
        "email": user.email,
        "name": user.name,
    });
    let token = jwt::sign(
        state.login_key_id(),
        "at+jwt",
        &claims,
        &state.login_key(sandbox.ids.key_seed()),
    );
    HttpResponse::Created().json(MintedUserToken {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in,
        user_id: user.user_id.to_string(),
        issuer,
    })
}

/// Another method on a sandbox helper's path.
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let mut res = admin_error(
        405,
        format!("{} is not allowed here; use POST", req.method()),
    );
    // RFC 9110: a 405 names the methods the path has.
    res.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static("POST"),
    );
    res
}
