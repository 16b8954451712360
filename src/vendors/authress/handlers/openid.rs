//! What token verification reads: the OpenID configuration and JWKS of the sandbox's login
//! (which signs user tokens) and of every service client (`{iss}/.well-known/...`, as the SDKs'
//! `verifyToken` builds the URL from a token's issuer).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::store::Sandbox;
use crate::vendors::authress::errors::Result;
use crate::vendors::authress::jwt;
use crate::vendors::authress::models::ResponseError;

use super::base_url;
use crate::vendors::authress::AuthressWorld;

fn configuration(issuer: &str) -> serde_json::Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/openid-configuration/jwks"),
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "subject_types_supported": ["public"],
    })
}

/// OpenID configuration of the login
///
/// The issuer of user tokens minted by the sandbox and where its signing keys are.
#[utoipa::path(
    get, path = "/.well-known/openid-configuration", operation_id = "getOpenIdConfiguration",
    tag = "Token verification",
    responses((status = 200, description = "Success.", body = Object)),
)]
pub async fn get_openid_configuration(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().json(configuration(&base_url(&req)))
}

/// JWKS of the login
///
/// The public key that signs user tokens.
#[utoipa::path(
    get, path = "/.well-known/openid-configuration/jwks", operation_id = "getJwks",
    tag = "Token verification",
    responses((status = 200, description = "Success.", body = Object)),
)]
pub async fn get_jwks(sandbox: Sandbox) -> HttpResponse {
    let state = sandbox.authress();
    let key = state.login_key(sandbox.ids.key_seed()).verifying_key();
    HttpResponse::Ok().json(json!({ "keys": [jwt::jwk(state.login_key_id(), &key)] }))
}

/// OpenID configuration of a service client
///
/// The issuer of the tokens a service client signs with its access keys.
#[utoipa::path(
    get, path = "/v1/clients/{clientId}/.well-known/openid-configuration",
    operation_id = "getServiceClientOpenIdConfiguration", tag = "Token verification",
    params(("clientId" = String, Path, description = "The service client.", example = "sc_key_001")),
    responses(
        (status = 200, description = "Success.", body = Object),
        (status = 404, description = "The service client does not exist.", body = ResponseError, content_type = "application/links+json"),
    ),
)]
pub async fn get_service_client_openid_configuration(
    req: HttpRequest,
    sandbox: Sandbox,
    client_id: web::Path<String>,
) -> Result<HttpResponse> {
    let client = sandbox.authress().service_client(&client_id)?;
    let issuer = jwt::client_issuer(&base_url(&req), &client.client_id);
    Ok(HttpResponse::Ok().json(configuration(&issuer)))
}

/// JWKS of a service client
///
/// The public keys of a service client's access keys.
#[utoipa::path(
    get, path = "/v1/clients/{clientId}/.well-known/openid-configuration/jwks",
    operation_id = "getServiceClientJwks", tag = "Token verification",
    params(("clientId" = String, Path, description = "The service client.", example = "sc_key_001")),
    responses(
        (status = 200, description = "Success.", body = Object),
        (status = 404, description = "The service client does not exist.", body = ResponseError, content_type = "application/links+json"),
    ),
)]
pub async fn get_service_client_jwks(
    sandbox: Sandbox,
    client_id: web::Path<String>,
) -> Result<HttpResponse> {
    let state = sandbox.authress();
    let client = state.service_client(&client_id)?;
    let keys: Vec<_> = client
        .keys
        .iter()
        .filter_map(|k| {
            state
                .client_public_key(sandbox.ids.key_seed(), &client, k)
                .map(|public| jwt::jwk(&k.key_id, &public))
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "keys": keys })))
}
