//! OBP's errors: one enum, one `match` for the HTTP status; the message (always starting with
//! the `OBP-NNNNN:` code) is the `Display` text. Every error renders as OBP's
//! `{"code": <status>, "message": "OBP-NNNNN: ..."}` (`ErrorMessage` in OBP-API).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::store::StoreError;

use super::models::ErrorMessage;

/// The `OBP-10016` chain's inner causes: which `getUsers` query parameter was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterError {
    SortDirection,
    Offset,
    Limit,
    IsDeleted,
}

impl FilterError {
    fn message(self) -> &'static str {
        match self {
            FilterError::SortDirection => {
                "OBP-10023: obp_sort_direction parameter can only take two values: DESC or ASC!"
            }
            FilterError::Offset => {
                "OBP-10024: wrong value for obp_offset parameter. Please send a positive integer (=>0)!"
            }
            FilterError::Limit => {
                "OBP-10025: wrong value for obp_limit parameter. Please send a positive integer (=>1)!"
            }
            FilterError::IsDeleted => {
                "OBP-10036: is_deleted parameter can only take two values: TRUE or FALSE!"
            }
        }
    }
}

/// The connector failure every OBP `OBP-50200` wraps (`" <- "` chains outer first).
const CONNECTOR: &str = "OBP-50200: Connector cannot return the data we requested.";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// 401: no credentials on an endpoint that needs a login.
    #[error("OBP-20001: User not logged in. Authentication is required!")]
    UserNotLoggedIn,
    /// 400: DirectLogin parameters are missing (names joined by ", ", no space after the colon).
    #[error("OBP-20002: These DirectLogin parameters are missing:{}", .0.join(", "))]
    DirectLoginMissingParameters(Vec<&'static str>),
    /// 400 (OBP answers an unknown or expired token with 400, not 401).
    #[error("OBP-20003: This DirectLogin token is invalid or expired:{0}")]
    DirectLoginInvalidToken(String),
    /// 401
    #[error("OBP-20004: Invalid login credentials. Check username/password.")]
    InvalidLoginCredentials,
    /// 404, with ` Current USER_ID(<id>)` appended.
    #[error(
        "OBP-20005: User not found. Please specify a valid value for USER_ID. Current USER_ID({0})"
    )]
    UserNotFoundById(String),
    /// 403: the roles accepted, joined by " or ".
    #[error("OBP-20006: User is missing one or more roles: {0}")]
    MissingRoles(String),
    /// 401
    #[error("OBP-20008: Invalid Consumer Key.")]
    InvalidConsumerKey,
    /// 400
    #[error("OBP-20010: Value too long")]
    ValueTooLong,
    /// 400
    #[error("OBP-20011: Value contains invalid characters")]
    InvalidValueCharacters,
    /// 401: the bad-login counter is over the limit, or an administrator locked the user.
    #[error("OBP-20013: The account has been locked, please contact an administrator!")]
    UserLocked,
    /// 404; lockUser appends `(<USERNAME>)` without a space.
    #[error("OBP-20027: User not found by provider and username.{}", .0.as_ref().map(|u| format!("({u})")).unwrap_or_default())]
    UserNotFoundByUsername(Option<String>),
    /// 403 at addEntitlement (the missing spaces are OBP's).
    #[error(
        "OBP-20050: Current User is not a Super Admin! orOBP-20006: User is missing one or more roles: \
         CanCreateEntitlementAtOneBank BankId({0}). orOBP-20006: User is missing one or more roles: \
         CanCreateEntitlementAtAnyBank"
    )]
    CannotGrantEntitlements(String),
    /// 400: the text after the code differs per endpoint (`Current UserId(<id>)`, ...).
    #[error("OBP-20057: User not found by userId.{0}")]
    UserNotFoundByUserId(String),
    /// 401
    #[error("OBP-20064: The user is deleted!")]
    UserDeleted,
    /// 401: an `Authorization` header of a scheme the sandbox does not serve.
    #[error("OBP-20080: Authorization Header format is not supported at this instance.")]
    UnsupportedAuthorizationHeader,
    /// 400 at DirectLogin.
    #[error("OBP-20082: Missing DirectLogin or Authorization header.")]
    MissingDirectLoginHeader,
    /// 400 at DirectLogin.
    #[error("OBP-20083: Missing DirectLogin word at the value of Authorization header.")]
    InvalidDirectLoginHeader,
    /// 400: the text after the code names what was wrong (parser message, case class, values).
    #[error("OBP-10001: Incorrect json format.{0}")]
    InvalidJson(String),
    /// 400 at addEntitlement.
    #[error("OBP-10007: Incorrect Role name:{0}. Possible roles are {1}")]
    IncorrectRoleName(String, String),
    /// 400: a bad `getUsers` query parameter (note the double space before `<-`).
    #[error("OBP-10016: Incorrect filter Parameters in URL.  <- {}", .0.message())]
    InvalidFilter(FilterError),
    /// 404: no route, or a POST/PUT without a JSON content type.
    #[error(
        "OBP-10404: 404 Not Found. The server could not find the requested URI. Please double check \
         your URL, headers and body. Note: When you are making a POST or PUT request, the \
         Content-Type header MUST be `application/json`. Note: OBP only supports JSON formatted \
         bodies.Current Url is ({url}), Current Content-Type Header is ({content_type})"
    )]
    InvalidUri { url: String, content_type: String },
    /// 404 at createUserAuthContextUpdateRequest.
    #[error(
        "OBP-30001: Bank not found. Please specify a valid value for BANK_ID. Current BankId is {0}"
    )]
    BankNotFound(String),
    /// 400 at addEntitlement.
    #[error("OBP-30001: Bank not found. Please specify a valid value for BANK_ID.")]
    UnknownBankId,
    /// 404
    #[error("OBP-30002: Customer not found. Please specify a valid value for CUSTOMER_NUMBER.")]
    CustomerNotFound,
    /// 400 (the double period is OBP's).
    #[error(
        "OBP-30088: Invalid Auth Context Update Request Key.. Current Sandbox only support key == \
         CUSTOMER_NUMBER"
    )]
    InvalidAuthContextUpdateKey,
    /// 400
    #[error("OBP-30205: This entitlement is a Bank Role. Please set bank_id to a valid bank id.")]
    EntitlementIsBankRole,
    /// 400
    #[error("OBP-30206: This entitlement is a System Role. Please set bank_id to empty string.")]
    EntitlementIsSystemRole,
    /// 400
    #[error(
        "OBP-30207: Invalid Password Format. Your password should EITHER be at least 10 characters \
         long and contain mixed numbers and both upper and lower case letters and at least one \
         special character, OR the length should be > 16 and <= 512."
    )]
    InvalidPasswordFormat,
    /// 400 at the resource docs: a version the sandbox does not serve.
    #[error("OBP-00027: Invalid API Version string. We could not find the version specified.")]
    InvalidApiVersion,
    /// 404 at deleteEntitlement: no user holds an entitlement with that id.
    #[error("OBP-30212: EntitlementId not found")]
    EntitlementNotFound,
    /// 400 at deleteEntitlement: the entitlement exists but belongs to another user.
    #[error("OBP-30213: USER_ID does not have the ENTITLEMENT_ID.")]
    UserDoesNotHaveEntitlement,
    /// 400
    #[error("OBP-30216: Entitlement already exists for the user.")]
    EntitlementAlreadyExists,
    /// 400
    #[error("OBP-35034: Unsupported as SCA method. ")]
    UnsupportedScaMethod,
    /// 400: a connector call failed; the inner cause follows after ` <- ` when there is one.
    #[error("{CONNECTOR}{}", .0.as_ref().map(|inner| format!(" <- {inner}")).unwrap_or_default())]
    Connector(Option<String>),
    /// An error whose own text has no OBP code: OBP hides it (`display_internal_errors=false`)
    /// and keeps the status, e.g. 409 for a taken username.
    #[error("OBP-50005: An unspecified or internal error occurred.")]
    Internal(StatusCode),
    /// 400
    #[error("OBP-50017: The endpoint is forbidden at this API instance.")]
    EndpointForbidden,
    /// 500
    #[error("OBP-50000: Unknown Error.")]
    Unknown,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn status(&self) -> StatusCode {
        use Error::*;
        match self {
            UserNotLoggedIn
            | InvalidLoginCredentials
            | InvalidConsumerKey
            | UserLocked
            | UserDeleted
            | UnsupportedAuthorizationHeader => StatusCode::UNAUTHORIZED,
            MissingRoles(_) | CannotGrantEntitlements(_) => StatusCode::FORBIDDEN,
            UserNotFoundById(_)
            | UserNotFoundByUsername(_)
            | InvalidUri { .. }
            | BankNotFound(_)
            | CustomerNotFound
            | EntitlementNotFound => StatusCode::NOT_FOUND,
            DirectLoginMissingParameters(_)
            | DirectLoginInvalidToken(_)
            | ValueTooLong
            | InvalidValueCharacters
            | UserNotFoundByUserId(_)
            | MissingDirectLoginHeader
            | InvalidDirectLoginHeader
            | InvalidJson(_)
            | IncorrectRoleName(..)
            | InvalidFilter(_)
            | UnknownBankId
            | InvalidAuthContextUpdateKey
            | EntitlementIsBankRole
            | EntitlementIsSystemRole
            | InvalidPasswordFormat
            | EntitlementAlreadyExists
            | UserDoesNotHaveEntitlement
            | InvalidApiVersion
            | UnsupportedScaMethod
            | Connector(_)
            | EndpointForbidden => StatusCode::BAD_REQUEST,
            Internal(status) => *status,
            Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// `OBP-50200: ... <- <inner>`.
    pub fn connector(inner: &str) -> Self {
        Error::Connector(Some(inner.to_string()))
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status()).json(ErrorMessage {
            code: self.status().as_u16(),
            message: self.to_string(),
        })
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { id, .. } => Error::UserNotFoundById(id),
            StoreError::AlreadyExists { .. } => Error::Internal(StatusCode::CONFLICT),
        }
    }
}

/// Bodies are read by the OBP middleware, so this only guards a handler that takes `web::Json`.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| Error::InvalidJson(format!(" {err}")).into())
}

/// OBP's answer to a body over `--max-body` (the same 400 as its middleware's own limit).
pub fn body_too_large(_req: &HttpRequest, limit: usize) -> HttpResponse {
    Error::InvalidJson(format!(" The body is larger than {limit} bytes")).error_response()
}

/// `getUsers` reads its query itself; any other malformed query gets OBP's filter error.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|_err, _req| Error::InvalidFilter(FilterError::Limit).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err, req| not_found(req).into())
}

/// OBP's 404 for a request no route takes.
pub fn not_found(req: &HttpRequest) -> Error {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    Error::InvalidUri {
        url: req.path().to_string(),
        content_type,
    }
}

/// Unknown paths under OBP's prefixes.
pub async fn unknown_route(req: HttpRequest) -> Result<HttpResponse> {
    Err(not_found(&req))
}
