//! The one integration-test binary: the real server on port 0, a fixed seed and a fixed clock.

mod admin;
mod authress;
mod cors;
mod finapi;
mod obp;
mod openapi;
mod support;
