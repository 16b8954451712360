//! user-sandbox: a stateful sandbox of finAPI, Open Bank Project and Authress user management.

pub mod admin;
pub mod control;
pub mod cors;
pub mod docs;
pub mod inspector;
pub mod links;
pub mod probe;
pub mod schema_rules;
pub mod seed;
pub mod settings;
pub mod startup;
pub mod store;
pub mod vendors;
