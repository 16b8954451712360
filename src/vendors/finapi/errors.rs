//! finAPI's errors: one enum, one `match` for the status, one for the code. Every error but a 401
//! is rendered as an `ErrorMessage` envelope by `middleware::envelope`, which knows the request.

use actix_web::http::StatusCode;
use actix_web::http::header::{ContentType, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, ResponseError, error, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::StoreError;

use super::models::{BadCredentialsError, ErrorDetails, ErrorMessage};

/// finAPI's error codes (the v1.64 set, which every finAPI client accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    EntityExists,
    IllegalEntityState,
    IllegalFieldValue,
    IllegalPageSize,
    InvalidToken,
    Locked,
    MethodNotAllowed,
    MissingField,
    UnauthorizedAccess,
    UnexpectedError,
    UnknownEntity,
    UnsupportedMediaType,
    UnsupportedOrder,
    UserAlreadyVerified,
    UserNotVerified,
}

/// Whether a message is meant for end users or for developers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorType {
    Business,
    Technical,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// 400: malformed input of any kind.
    #[error("{0}")]
    BadRequest(String),
    /// 400: a required field is absent.
    #[error("{0}")]
    MissingField(String),
    /// 400: `perPage` outside 1..500.
    #[error("{0}")]
    IllegalPageSize(String),
    /// 400: an `order` other than `userId[,asc|desc]`.
    #[error("{0}")]
    UnsupportedOrder(String),
    /// 400 at `/oauth/token`: wrong username or password, or an unknown refresh token.
    #[error("{0}")]
    BadCredentials(String),
    /// 401, OAuth body: no token was sent.
    #[error("Full authentication is required to access this resource")]
    Unauthenticated,
    /// 401, OAuth body: the token is unknown or revoked.
    #[error("Invalid access token: {0}")]
    InvalidAccessToken(String),
    /// 401, OAuth body: the token's lifetime is over.
    #[error("Access token expired: {0}")]
    ExpiredAccessToken(String),
    /// 401, OAuth body: wrong client id or secret at `/oauth/token`.
    #[error("Bad client credentials")]
    BadClientCredentials,
    /// 403: the token has the wrong role.
    #[error("Access is denied")]
    UnauthorizedAccess,
    /// 403: an unverified user tried to log in.
    #[error("User is not verified")]
    UserNotVerifiedLogin,
    /// 403: the password change token does not belong to the user or was used.
    #[error("The given password change token is not valid")]
    InvalidPasswordChangeToken,
    /// 404
    #[error("{0}")]
    UnknownEntity(String),
    /// 405
    #[error("Request method '{0}' not supported")]
    MethodNotAllowed(String),
    /// 415
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the id is taken (finAPI never answers 409).
    #[error("{0}")]
    EntityExists(String),
    /// 422
    #[error("{0}")]
    IllegalEntityState(String),
    /// 422
    #[error("{0}")]
    IllegalFieldValue(String),
    /// 422
    #[error("User is already verified")]
    UserAlreadyVerified,
    /// 422
    #[error("User is not verified")]
    UserNotVerified,
    /// 423: the user is locked, or busy with a bank connection update.
    #[error("{0}")]
    Locked(String),
    /// 500
    #[error("An unexpected error occurred")]
    Unexpected,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn status(&self) -> StatusCode {
        use Error::*;
        match self {
            BadRequest(_) | MissingField(_) | IllegalPageSize(_) | UnsupportedOrder(_)
            | BadCredentials(_) => StatusCode::BAD_REQUEST,
            Unauthenticated
            | InvalidAccessToken(_)
            | ExpiredAccessToken(_)
            | BadClientCredentials => StatusCode::UNAUTHORIZED,
            UnauthorizedAccess | UserNotVerifiedLogin | InvalidPasswordChangeToken => {
                StatusCode::FORBIDDEN
            }
            UnknownEntity(_) => StatusCode::NOT_FOUND,
            MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            EntityExists(_)
            | IllegalEntityState(_)
            | IllegalFieldValue(_)
            | UserAlreadyVerified
            | UserNotVerified => StatusCode::UNPROCESSABLE_ENTITY,
            Locked(_) => StatusCode::LOCKED,
            Unexpected => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        use Error::*;
        match self {
            BadRequest(_)
            | BadCredentials(_)
            | Unauthenticated
            | InvalidAccessToken(_)
            | ExpiredAccessToken(_)
            | BadClientCredentials => ErrorCode::BadRequest,
            MissingField(_) => ErrorCode::MissingField,
            IllegalPageSize(_) => ErrorCode::IllegalPageSize,
            UnsupportedOrder(_) => ErrorCode::UnsupportedOrder,
            UnauthorizedAccess => ErrorCode::UnauthorizedAccess,
            UserNotVerifiedLogin | UserNotVerified => ErrorCode::UserNotVerified,
            InvalidPasswordChangeToken => ErrorCode::InvalidToken,
            UnknownEntity(_) => ErrorCode::UnknownEntity,
            MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            EntityExists(_) => ErrorCode::EntityExists,
            IllegalEntityState(_) => ErrorCode::IllegalEntityState,
            IllegalFieldValue(_) => ErrorCode::IllegalFieldValue,
            UserAlreadyVerified => ErrorCode::UserAlreadyVerified,
            Locked(_) => ErrorCode::Locked,
            Unexpected => ErrorCode::UnexpectedError,
        }
    }

    /// The OAuth error name of a 401, `None` for every `ErrorMessage` error.
    fn oauth_error(&self) -> Option<&'static str> {
        match self {
            Error::Unauthenticated => Some("unauthorized"),
            Error::InvalidAccessToken(_) | Error::ExpiredAccessToken(_) => Some("invalid_token"),
            Error::BadClientCredentials => Some("invalid_client"),
            _ => None,
        }
    }

    /// Renders the error with what only the request knows (request id, endpoint, time).
    pub fn render(&self, ctx: &EnvelopeContext) -> HttpResponse {
        let mut res = HttpResponse::build(self.status());
        if let Some(error) = self.oauth_error() {
            res.insert_header((
                WWW_AUTHENTICATE,
                format!("Bearer error=\"{error}\", error_description=\"{self}\""),
            ));
            return res.json(BadCredentialsError {
                error: error.to_string(),
                error_description: self.to_string(),
            });
        }
        res.content_type(ContentType::json()).json(ErrorMessage {
            errors: vec![ErrorDetails {
                message: Some(self.to_string()),
                code: self.code(),
                r#type: ErrorType::Technical,
                multi_step_authentication: None,
            }],
            date: ctx.date.clone(),
            request_id: ctx.request_id.clone(),
            endpoint: ctx.endpoint.clone(),
            auth_context: ctx.auth_context.clone(),
            bank: None,
        })
    }

    /// Maps an error that is not finAPI's own (a framework error inside the finAPI scope).
    pub fn from_status(status: StatusCode, message: String) -> Self {
        match status.as_u16() {
            404 => Error::UnknownEntity(message),
            405 => Error::MethodNotAllowed(message),
            415 => Error::UnsupportedMediaType(message),
            s if (400..500).contains(&s) => Error::BadRequest(message),
            _ => Error::Unexpected,
        }
    }
}

/// The request facts an `ErrorMessage` carries.
#[derive(Debug, Clone, Default)]
pub struct EnvelopeContext {
    pub date: String,
    pub request_id: String,
    pub endpoint: String,
    pub auth_context: String,
}

impl EnvelopeContext {
    /// The facts of a request: sandbox time, request id, `METHOD /path`, and the token's
    /// `<clientId>[/<userId>]` (`-` before authentication).
    pub fn of(req: &HttpRequest) -> Self {
        use actix_web::HttpMessage;
        let ctx = crate::store::RequestContext::of(req);
        let auth_context = req
            .extensions()
            .get::<std::sync::Arc<super::state::Principal>>()
            .map(|p| match &p.user {
                Some(user) => format!("{}/{}", p.client_id, user),
                None => p.client_id.clone(),
            })
            .unwrap_or_else(|| "-".into());
        Self {
            date: ctx
                .as_ref()
                .map(|c| {
                    c.world
                        .clock
                        .now()
                        .format("%Y-%m-%d %H:%M:%S%.3f")
                        .to_string()
                })
                .unwrap_or_default(),
            request_id: ctx.map(|c| c.request_id.clone()).unwrap_or_default(),
            endpoint: format!("{} {}", req.method(), req.path()),
            auth_context,
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    // Outside the finAPI middleware (never in practice) the envelope lacks request facts.
    fn error_response(&self) -> HttpResponse {
        self.render(&EnvelopeContext::default())
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { kind, .. } => {
                Error::UnknownEntity(format!("{} not found", capitalised(kind)))
            }
            StoreError::AlreadyExists { kind, id } => Error::EntityExists(format!(
                "{} with id '{id}' already exists",
                capitalised(kind)
            )),
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Malformed, mistyped or missing JSON bodies get a finAPI 400 (or 415 for a non-JSON body).
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| {
            let e = match &err {
                error::JsonPayloadError::ContentType => Error::UnsupportedMediaType(
                    "Content type is not supported; send 'application/json'".into(),
                ),
                error::JsonPayloadError::Deserialize(d)
                    if d.is_eof() && d.line() == 1 && d.column() == 0 =>
                {
                    Error::BadRequest("Required request body is missing".into())
                }
                error::JsonPayloadError::Deserialize(d) => {
                    Error::BadRequest(format!("JSON parse error: {d}"))
                }
                error::JsonPayloadError::OverflowKnownLength { .. }
                | error::JsonPayloadError::Overflow { .. } => {
                    Error::BadRequest("Request body is too large".into())
                }
                other => Error::BadRequest(format!("Could not read the request body: {other}")),
            };
            e.into()
        })
}

/// finAPI's answer to a body over `--max-body` (the same 400 as a JSON body over its limit).
pub fn body_too_large(req: &HttpRequest, _limit: usize) -> HttpResponse {
    Error::BadRequest("Request body is too large".into()).render(&EnvelopeContext::of(req))
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        Error::BadRequest(format!("Invalid query parameters: {err}")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _req| Error::BadRequest(format!("Invalid path: {err}")).into())
}

/// Unknown paths under `/api/v1` and `/oauth` (a known path with another method is a 405,
/// rendered by the middleware).
pub async fn unknown_route(req: HttpRequest) -> Result<HttpResponse> {
    Err(Error::UnknownEntity(format!(
        "No service found for {} {}",
        req.method(),
        req.path()
    )))
}
