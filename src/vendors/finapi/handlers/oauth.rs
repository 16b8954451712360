//! Authorization: `POST /oauth/token`, `POST /oauth/revoke`.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::store::Sandbox;
use crate::vendors::finapi::FinapiWorld;
use crate::vendors::finapi::auth::AnyClientToken;
use crate::vendors::finapi::errors::{Error, Result};
use crate::vendors::finapi::models::{AccessToken, BadCredentialsError, ErrorMessage, TokenParams};

/// Parameters come from the query string (as the Python client sends them), a form body, or a
/// JSON body; body values win.
fn params<T: for<'de> Deserialize<'de> + Default>(
    req: &HttpRequest,
    body: &[u8],
) -> Result<(T, T)> {
    let query = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| Error::BadRequest(format!("Invalid query parameters: {e}")))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok((T::default(), query));
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let from_body = if content_type.contains("json") {
        serde_json::from_slice(body)
            .map_err(|e| Error::BadRequest(format!("JSON parse error: {e}")))?
    } else {
        serde_urlencoded::from_bytes(body)
            .map_err(|e| Error::BadRequest(format!("Invalid form body: {e}")))?
    };
    Ok((from_body, query))
}

/// Client credentials from an `Authorization: Basic` header (OAuth 2 client authentication, as
/// Swagger UI's Authorize dialog sends them).
fn basic_client(req: &HttpRequest) -> TokenParams {
    use base64::Engine;
    let decoded = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return TokenParams::default();
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    TokenParams {
        client_id: Some(decode(id)),
        client_secret: Some(decode(secret)),
        ..TokenParams::default()
    }
}

/// Get tokens
///
/// Gets a client token (`client_credentials`), a user token (`password`) or a fresh user token
/// (`refresh_token`). As long as a token is valid, the same credentials get the same token.
/// After `maxUserLoginAttempts` wrong passwords (3 for the fixture clients) the user is locked.
/// Client credentials may also come as an `Authorization: Basic` header.
#[utoipa::path(
    post, path = "/oauth/token", operation_id = "getToken", tag = "Authorization",
    params(TokenParams),
    request_body(content = TokenParams, content_type = "application/x-www-form-urlencoded",
        description = "The same parameters as a form body (recommended by finAPI)"),
    responses(
        (status = 200, description = "Requested token", body = AccessToken),
        (status = 400, description = "Bad user credentials, invalid refresh_token or unsupported grant_type", body = ErrorMessage),
        (status = 401, description = "Bad client credentials", body = BadCredentialsError),
        (status = 403, description = "User is not verified", body = ErrorMessage),
        (status = 423, description = "User is locked", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
)]
pub async fn get_token(
    req: HttpRequest,
    sandbox: Sandbox,
    body: web::Bytes,
) -> Result<HttpResponse> {
    let (body, query): (TokenParams, TokenParams) = params(&req, &body)?;
    let p = body.or(query).or(basic_client(&req));
    let grant = p
        .grant_type
        .as_deref()
        .ok_or_else(|| Error::BadRequest("Missing grant type".into()))?;
    let (Some(client_id), Some(secret)) = (p.client_id.as_deref(), p.client_secret.as_deref())
    else {
        return Err(Error::BadClientCredentials);
    };
    let (ids, now, finapi) = (&sandbox.ids, sandbox.clock.now(), sandbox.finapi());
    let issued = match grant {
        "client_credentials" => finapi.client_token(ids, now, client_id, secret)?,
        "password" => {
            let (Some(username), Some(password)) = (p.username.as_deref(), p.password.as_deref())
            else {
                return Err(Error::BadCredentials("Bad user credentials".into()));
            };
            finapi.password_token(ids, now, (client_id, secret), (username, password))?
        }
        "refresh_token" => {
            let refresh = p
                .refresh_token
                .as_deref()
                .ok_or_else(|| Error::BadCredentials("Missing refresh token".into()))?;
            finapi.refresh_token(ids, now, (client_id, secret), refresh)?
        }
        other => {
            return Err(Error::BadRequest(format!(
                "Unsupported grant type: {other}"
            )));
        }
    };
    Ok(HttpResponse::Ok().json(AccessToken {
        access_token: issued.access_token,
        token_type: "bearer".into(),
        refresh_token: issued.refresh_token,
        expires_in: issued.expires_in,
        scope: "all".into(),
    }))
}

/// Parameters of `POST /oauth/revoke`.
#[derive(Debug, Default, Deserialize, IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct RevokeParams {
    /// The access or refresh token to revoke (here or in a form body).
    #[param(required = true, nullable = false, example = "2YotnFZFEjr1zCsicMWpAA")]
    pub token: Option<String>,
    /// `access_token` revokes only that token; `refresh_token` (or none) the whole grant.
    #[param(inline, value_type = Option<TokenTypeHint>)]
    pub token_type_hint: Option<String>,
}

/// The values of `token_type_hint`; any other is 400. (Only documents the parameter: the handler
/// matches the string, so a bad hint gets finAPI's error rather than serde's.)
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum TokenTypeHint {
    AccessToken,
    RefreshToken,
}

/// Revoke a token
///
/// Revokes one of the calling client's tokens. Answers 200 for unknown tokens too.
#[utoipa::path(
    post, path = "/oauth/revoke", operation_id = "revokeToken", tag = "Authorization",
    params(RevokeParams),
    responses(
        (status = 200, description = "Revocation was successful (or the token was invalid)"),
        (status = 400, description = "Missing token or unsupported token type", body = ErrorMessage),
        (status = 401, description = "Missing, unknown or expired token", body = BadCredentialsError),
        (status = 403, description = "The token is not a client token", body = ErrorMessage),
        (status = 500, description = "An unexpected error", body = ErrorMessage),
    ),
    security(("finapi_auth" = ["all"])),
)]
pub async fn revoke_token(
    client: AnyClientToken,
    req: HttpRequest,
    sandbox: Sandbox,
    body: web::Bytes,
) -> Result<HttpResponse> {
    let (body, query): (RevokeParams, RevokeParams) = params(&req, &body)?;
    let token = body
        .token
        .or(query.token)
        .ok_or_else(|| Error::MissingField("Missing field: 'token'".into()))?;
    let hint = body.token_type_hint.or(query.token_type_hint);
    sandbox
        .finapi()
        .revoke(&client.0.client_id, &token, hint.as_deref())?;
    Ok(HttpResponse::Ok().finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use proptest::prelude::*;

    fn request(query: &str, content_type: &str) -> HttpRequest {
        actix_web::test::TestRequest::post()
            .uri(&format!("/oauth/token?{query}"))
            .insert_header((CONTENT_TYPE, content_type))
            .to_http_request()
    }

    proptest! {
        // Query strings and bodies of any bytes, as form or JSON: parameters or finAPI's 400.
        #[test]
        fn any_token_request_parses_or_gets_finapis_400(
            query in "[ -~]{0,200}",
            body in proptest::collection::vec(any::<u8>(), 0..400),
            json in any::<bool>(),
        ) {
            let content_type = if json { "application/json" } else { "application/x-www-form-urlencoded" };
            let query = query.replace(['#', ' '], "");
            let Ok(uri) = format!("/oauth/token?{query}").parse::<actix_web::http::Uri>() else {
                return Ok(());
            };
            let req = actix_web::test::TestRequest::post()
                .uri(&uri.to_string())
                .insert_header((CONTENT_TYPE, content_type))
                .to_http_request();
            if let Err(e) = params::<TokenParams>(&req, &body) {
                prop_assert_eq!(e.status().as_u16(), 400);
                prop_assert!(matches!(e, Error::BadRequest(_)));
            }
        }

        // Every way of sending the same parameters reads the same values; body values win.
        #[test]
        fn form_json_and_query_agree(
            id in "\\PC{1,40}",
            secret in "\\PC{1,40}",
        ) {
            let pairs = [("client_id", id.as_str()), ("client_secret", secret.as_str())];
            let form = serde_urlencoded::to_string(pairs).unwrap();
            let json = serde_json::json!({ "client_id": id, "client_secret": secret }).to_string();
            let (from_body, _) = params::<TokenParams>(&request("", "application/x-www-form-urlencoded"), form.as_bytes()).unwrap();
            prop_assert_eq!(from_body.client_id.as_deref(), Some(id.as_str()));
            prop_assert_eq!(from_body.client_secret.as_deref(), Some(secret.as_str()));
            let (from_json, _) = params::<TokenParams>(&request("", "application/json"), json.as_bytes()).unwrap();
            prop_assert_eq!(from_json.client_id.as_deref(), Some(id.as_str()));
            let (_, from_query) = params::<TokenParams>(&request(&form, "application/json"), b"").unwrap();
            prop_assert_eq!(from_query.client_secret.as_deref(), Some(secret.as_str()));
        }

        // Basic client credentials: any header value is read or ignored, never a panic; a
        // well-formed one round-trips through percent-encoding.
        #[test]
        fn basic_client_credentials_round_trip_or_are_ignored(
            raw in "[ -~]{0,200}",
            id in "[A-Za-z0-9._~-]{1,30}",
            secret in "\\PC{1,30}",
        ) {
            let req = actix_web::test::TestRequest::post()
                .insert_header((actix_web::http::header::AUTHORIZATION, format!("Basic {raw}")))
                .to_http_request();
            let _ = basic_client(&req);
            let encoded_secret: String = percent_encoding::utf8_percent_encode(&secret, percent_encoding::NON_ALPHANUMERIC).to_string();
            let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{encoded_secret}"));
            let req = actix_web::test::TestRequest::post()
                .insert_header((actix_web::http::header::AUTHORIZATION, format!("Basic {b64}")))
                .to_http_request();
            let params = basic_client(&req);
            prop_assert_eq!(params.client_id.as_deref(), Some(id.as_str()));
            prop_assert_eq!(params.client_secret.as_deref(), Some(secret.as_str()));
        }
    }
}
