//! The control plane document's OpenAPI links: a saved checkpoint feeds its restore and delete,
//! a created sandbox feeds its delete.

use utoipa::Modify;

use crate::links::{Link, add};

pub struct Links;

const CHECKPOINT: &[(&str, &str)] = &[("name", "$response.body#/checkpoint")];

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let link = Link::new;
        add(
            openapi,
            &[
                link(
                    "saveCheckpoint",
                    "201",
                    "RestoreCheckpoint",
                    "restoreCheckpoint",
                    CHECKPOINT,
                ),
                link(
                    "saveCheckpoint",
                    "201",
                    "DeleteCheckpoint",
                    "deleteCheckpoint",
                    CHECKPOINT,
                ),
                link(
                    "createSandbox",
                    "201",
                    "DeleteSandbox",
                    "deleteSandbox",
                    &[("name", "$response.body#/name")],
                ),
            ],
        );
    }
}
