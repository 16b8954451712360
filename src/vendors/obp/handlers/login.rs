//! DirectLogin: `POST /my/logins/direct`.

use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use chrono::Duration;

use crate::store::{Caller, Purpose, Sandbox};
use crate::vendors::obp::ObpWorld;
use crate::vendors::obp::auth::login_credentials;
use crate::vendors::obp::errors::Result;
use crate::vendors::obp::models::{ErrorMessage, TokenJson};
use crate::vendors::obp::state::TokenRecord;

/// The fixed header and payload of OBP's DirectLogin JWTs (`{"alg":"HS256"}`, `{"":""}`).
const JWT_PREFIX: &str = "eyJhbGciOiJIUzI1NiJ9.eyIiOiIifQ.";

/// DirectLogin
///
/// Logs in with a username, a password and a consumer key, sent in the `DirectLogin` header
/// (`DirectLogin: username=felixsmith, password=Felix-Sandbox-2026!, consumer_key=sandbox-consumer-key`)
/// or as `Authorization: DirectLogin username=..., password=..., consumer_key=...`. Send
/// `Content-Type: application/json` (the body may be empty). The token is valid for 4 weeks of
/// sandbox time; send it as `DirectLogin: token=<token>`. After more than 5 bad attempts the
/// user is locked (OBP-20013) until an administrator unlocks them.
#[utoipa::path(
    post, path = "/my/logins/direct", operation_id = "directLogin", tag = "DirectLogin",
    params(("DirectLogin" = String, Header, description = "`username=..., password=..., consumer_key=...`",
        example = "username=sandbox.admin, password=Admin-Sandbox-2026!, consumer_key=sandbox-consumer-key")),
    request_body(content = serde_json::Value, description = "Ignored (only the header counts): any JSON value, or an empty body, with `Content-Type: application/json` (OBP only checks that a body is JSON).", example = json!({})),
    responses(
        (status = 201, description = "Logged in", body = TokenJson),
        (status = 400, description = "OBP-20082 no header, OBP-20083 no DirectLogin word, OBP-20002 missing parameters, OBP-20010/OBP-20011 bad values", body = ErrorMessage),
        (status = 401, description = "OBP-20008 bad consumer key, OBP-20004 bad credentials, OBP-20013 locked", body = ErrorMessage),
    ),
    security(()),
)]
pub async fn direct_login(req: HttpRequest, sandbox: Sandbox) -> Result<HttpResponse> {
    let (username, password, consumer_key) = login_credentials(&req)?;
    let now = sandbox.clock.now();
    let state = sandbox.obp();
    let user = state.direct_login(&username, &password, &consumer_key, now)?;
    let token = format!("{JWT_PREFIX}{}", sandbox.ids.url_safe(Purpose::Token, 43));
    let weeks = state.config().token_expiration_weeks;
    state.issue_token(
        token.clone(),
        TokenRecord {
            user_id: user.user_id.to_string(),
            consumer_key,
            expires_at: now + Duration::weeks(weeks),
        },
    );
    req.extensions_mut()
        .insert(Caller::labelled("obp user", &user.username));
    Ok(HttpResponse::Created().json(TokenJson { token }))
}
