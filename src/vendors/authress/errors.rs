//! Authress's errors: one enum, one `match` for the status, one for the `errorCode`. Every error
//! is rendered as `{errorCode, title, errorId}` by `middleware::envelope`, which knows the
//! request id that becomes `errorId`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, error, web};

use crate::store::{RequestContext, StoreError};

use super::LINKS_JSON;
use super::models::ResponseError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// 400: a malformed body, header or parameter.
    #[error("{0}")]
    InvalidRequest(String),
    /// 400: a query or path parameter out of range.
    #[error("{0}")]
    InvalidParameter(String),
    /// 400: a cursor this API did not hand out.
    #[error("The cursor is not valid; pass the pagination.next.cursor of a previous page")]
    InvalidCursor,
    /// 401: no token, or one that is malformed, badly signed, expired or for someone else.
    #[error("Unauthorized. {0}")]
    Unauthorized(String),
    /// 403: a valid caller without the permission the operation needs.
    #[error("{0}")]
    Forbidden(String),
    /// 404
    #[error("The user does not exist.")]
    UserNotFound,
    /// 404
    #[error("The tenant does not exist.")]
    TenantNotFound,
    /// 404
    #[error("The service client does not exist.")]
    ClientNotFound,
    /// 404: no operation at this path.
    #[error("{0}")]
    NotFound(String),
    /// 405
    #[error("The method {0} is not allowed on this resource.")]
    MethodNotAllowed(String),
    /// 500
    #[error("Unexpected error")]
    Unexpected,
    /// 503, with `Retry-After`: what an injected fault answers (the SDK retries it).
    #[error("The service is temporarily unavailable, please retry.")]
    ServiceUnavailable,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn status(&self) -> StatusCode {
        use Error::*;
        match self {
            InvalidRequest(_) | InvalidParameter(_) | InvalidCursor => StatusCode::BAD_REQUEST,
            Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Forbidden(_) => StatusCode::FORBIDDEN,
            UserNotFound | TenantNotFound | ClientNotFound | NotFound(_) => StatusCode::NOT_FOUND,
            MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Unexpected => StatusCode::INTERNAL_SERVER_ERROR,
            ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        use Error::*;
        match self {
            InvalidRequest(_) => "InvalidRequest",
            InvalidParameter(_) => "InvalidParameter",
            InvalidCursor => "InvalidCursor",
            Unauthorized(_) => "Unauthorized",
            Forbidden(_) => "Forbidden",
            UserNotFound => "UserNotFound",
            TenantNotFound => "TenantNotFound",
            ClientNotFound => "ServiceClientNotFound",
            NotFound(_) => "NotFound",
            MethodNotAllowed(_) => "MethodNotAllowed",
            Unexpected => "UnexpectedError",
            ServiceUnavailable => "ServiceUnavailable",
        }
    }

    /// The response, with the request id as `errorId`.
    pub fn render(&self, error_id: &str) -> HttpResponse {
        HttpResponse::build(self.status())
            .content_type(LINKS_JSON)
            .json(ResponseError {
                error_code: self.code().to_string(),
                title: self.to_string(),
                error_id: error_id.to_string(),
            })
    }

    /// Maps an error that is not Authress's own (a framework error inside the Authress scopes).
    pub fn from_status(status: StatusCode, message: String) -> Self {
        match status.as_u16() {
            401 => Error::Unauthorized(message),
            403 => Error::Forbidden(message),
            404 => Error::NotFound(message),
            405 => Error::MethodNotAllowed(message),
            s if (400..500).contains(&s) => Error::InvalidRequest(message),
            _ => Error::Unexpected,
        }
    }
}

impl actix_web::ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    // The envelope middleware re-renders with the request id; this is the fallback.
    fn error_response(&self) -> HttpResponse {
        self.render("")
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { kind: "user", .. } => Error::UserNotFound,
            StoreError::NotFound { kind: "tenant", .. } => Error::TenantNotFound,
            StoreError::NotFound {
                kind: "service client",
                ..
            } => Error::ClientNotFound,
            StoreError::NotFound { kind, id } => Error::NotFound(format!("No {kind} {id}")),
            StoreError::AlreadyExists { kind, id } => {
                Error::InvalidRequest(format!("The {kind} {id} already exists"))
            }
        }
    }
}

/// Malformed, mistyped or missing JSON bodies get Authress's 400.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(16 * 1024)
        .error_handler(|err, _req| {
            let e = match &err {
                error::JsonPayloadError::ContentType => Error::InvalidRequest(
                    "The request body must be sent as 'application/json'".into(),
                ),
                error::JsonPayloadError::Deserialize(d)
                    if d.is_eof() && d.line() == 1 && d.column() == 0 =>
                {
                    Error::InvalidRequest("The request body is missing".into())
                }
                error::JsonPayloadError::Deserialize(d) => {
                    Error::InvalidRequest(format!("The request body is not valid: {d}"))
                }
                error::JsonPayloadError::OverflowKnownLength { .. }
                | error::JsonPayloadError::Overflow { .. } => {
                    Error::InvalidRequest("The request body is too large".into())
                }
                other => {
                    Error::InvalidRequest(format!("The request body could not be read: {other}"))
                }
            };
            e.into()
        })
}

/// Authress's answer to a body over `--max-body` (the same 400 as a JSON body over its limit).
pub fn body_too_large(req: &HttpRequest, _limit: usize) -> HttpResponse {
    let mut res =
        Error::InvalidRequest("The request body is too large".into()).render(&error_id(req));
    res.headers_mut().insert(
        actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        actix_web::http::header::HeaderValue::from_static("*"),
    );
    res
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        Error::InvalidParameter(format!("The query parameters are not valid: {err}")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        Error::InvalidParameter(format!("The path is not valid: {err}")).into()
    })
}

/// Unknown paths under `/v1` and `/.well-known` (a known path with another method is a 405,
/// rendered by the middleware).
pub async fn unknown_route(req: HttpRequest) -> Result<HttpResponse> {
    Err(Error::NotFound(format!(
        "No operation at {} {}",
        req.method(),
        req.path()
    )))
}

/// The request id of a request, which Authress calls `errorId` in error bodies.
pub fn error_id(req: &HttpRequest) -> String {
    RequestContext::of(req)
        .map(|c| c.request_id.clone())
        .unwrap_or_default()
}
