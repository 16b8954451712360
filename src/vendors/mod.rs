//! One folder per vendor, each with the same inner shape: `mod.rs` (routing table, OpenAPI
//! document, credentials), `models/`, `handlers/`, `auth.rs`, `errors.rs`, `state.rs`.

pub mod authress;
pub mod finapi;
pub mod obp;
