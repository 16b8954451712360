//! OBP's endpoints, grouped as the API Explorer groups them. Handlers are the snake_case of
//! OBP's operation ids; each one checks in OBP's order (401, then 403, then 400/404, with the
//! exceptions OBP has).

pub mod attributes;
pub mod auth_context;
pub mod discovery;
pub mod entitlements;
pub mod locks;
pub mod login;
pub mod outbox;
pub mod users;
