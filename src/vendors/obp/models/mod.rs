//! OBP's wire types, named after OBP-API's Scala case classes. Field order is the case class's;
//! `None` fields are omitted, as lift-json renders them.

mod attribute;
mod auth_context;
mod discovery;
mod entitlement;
mod login;
mod user;

pub use attribute::*;
pub use auth_context::*;
pub use discovery::*;
pub use entitlement::*;
pub use login::*;
pub use user::*;

use serde::Serialize;
use utoipa::ToSchema;

/// OBP's error body: `code` equals the HTTP status; `message` starts with the `OBP-NNNNN:` code.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": 401, "message": "OBP-20001: User not logged in. Authentication is required!"}))]
pub struct ErrorMessage {
    /// The HTTP status.
    pub code: u16,
    /// `OBP-NNNNN: text`, sometimes followed by context or ` <- ` and the inner cause.
    pub message: String,
}

/// OBP's date format: `yyyy-MM-dd'T'HH:mm:ss'Z'` in UTC.
pub fn obp_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
