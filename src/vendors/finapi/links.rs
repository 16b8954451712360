//! The finAPI document's OpenAPI links: a created user feeds the calls that take its id, a
//! password change request feeds its execution, a token feeds its revocation.

use serde_json::json;
use utoipa::Modify;

use crate::links::{Link, add};

pub struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let user = [("userId", "$response.body#/id")];
        let created = |name, to| Link::new("createUser", "201", name, to, &user);
        add(
            openapi,
            &[
                created("DeleteUnverifiedUser", "deleteUnverifiedUser"),
                created("VerifyUser", "verifyUser"),
                created("GetVerificationStatus", "getVerificationStatus"),
                Link {
                    from: "createUser",
                    status: "201",
                    name: "RequestPasswordChange",
                    to: "requestPasswordChange",
                    parameters: &[],
                    request_body: Some(json!({ "userId": "$response.body#/id" })),
                },
                Link {
                    from: "requestPasswordChange",
                    status: "200",
                    name: "ExecutePasswordChange",
                    to: "executePasswordChange",
                    parameters: &[],
                    request_body: Some(json!({
                        "userId": "$response.body#/userId",
                        "passwordChangeToken": "$response.body#/passwordChangeToken",
                        "password": "Changed-Passw0rd",
                    })),
                },
                Link {
                    from: "getToken",
                    status: "200",
                    name: "RevokeToken",
                    to: "revokeToken",
                    parameters: &[("token", "$response.body#/access_token")],
                    request_body: None,
                },
            ],
        );
    }
}
