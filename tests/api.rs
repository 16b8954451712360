//! The one integration-test binary: the real server on port 0, a fixed seed and a fixed clock.

mod admin;
mod authress;
mod cli;
mod concurrency;
mod cors;
mod fidelity;
mod finapi;
mod hostile;
mod inspector;
mod layering;
mod obp;
mod openapi;
mod security;
mod support;
