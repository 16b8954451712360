//! One file per finAPI API group.

pub mod mandator_admin;
pub mod oauth;
pub mod users;
