//! The OBP document's OpenAPI links: a created user feeds every call that names it, a created
//! auth context, attribute or auth context update feeds the call that changes it.

use utoipa::Modify;

use crate::links::{Link, add};

pub struct Links;

const BY_ID: &[(&str, &str)] = &[("USER_ID", "$response.body#/user_id")];
const BY_NAME: &[(&str, &str)] = &[("USERNAME", "$response.body#/username")];

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let created =
            |name, to, parameters| Link::new("OBPv2.0.0-createUser", "201", name, to, parameters);
        add(
            openapi,
            &[
                created("GetUserByUserId", "OBPv4.0.0-getUserByUserId", BY_ID),
                created("GetUserByUsername", "OBPv4.0.0-getUserByUsername", BY_NAME),
                created(
                    "GetUserWithAttributes",
                    "OBPv4.0.0-getUserWithAttributes",
                    BY_ID,
                ),
                created("GetEntitlements", "OBPv4.0.0-getEntitlements", BY_ID),
                created("AddEntitlement", "OBPv2.0.0-addEntitlement", BY_ID),
                created(
                    "CreateUserAuthContext",
                    "OBPv3.1.0-createUserAuthContext",
                    BY_ID,
                ),
                created(
                    "GetUserAuthContexts",
                    "OBPv3.1.0-getUserAuthContexts",
                    BY_ID,
                ),
                created(
                    "DeleteUserAuthContexts",
                    "OBPv3.1.0-deleteUserAuthContexts",
                    BY_ID,
                ),
                created("RefreshUser", "OBPv3.1.0-refreshUser", BY_ID),
                created("GetBadLoginStatus", "OBPv3.1.0-getBadLoginStatus", BY_NAME),
                created("LockUser", "OBPv4.0.0-lockUser", BY_NAME),
                created("UnlockUser", "OBPv3.1.0-unlockUser", BY_NAME),
                created("DeleteUser", "OBPv4.0.0-deleteUser", BY_ID),
                Link {
                    from: "OBPv3.1.0-createUserAuthContext",
                    status: "201",
                    name: "DeleteUserAuthContextById",
                    to: "OBPv3.1.0-deleteUserAuthContextById",
                    parameters: &[
                        ("USER_ID", "$response.body#/user_id"),
                        (
                            "USER_AUTH_CONTEXT_ID",
                            "$response.body#/user_auth_context_id",
                        ),
                    ],
                    request_body: None,
                },
                Link {
                    from: "OBPv4.0.0-createMyPersonalUserAttribute",
                    status: "201",
                    name: "UpdateMyPersonalUserAttribute",
                    to: "OBPv4.0.0-updateMyPersonalUserAttribute",
                    parameters: &[("USER_ATTRIBUTE_ID", "$response.body#/user_attribute_id")],
                    request_body: None,
                },
                Link {
                    from: "OBPv3.1.0-createUserAuthContextUpdateRequest",
                    status: "201",
                    name: "AnswerUserAuthContextUpdateChallenge",
                    to: "OBPv3.1.0-answerUserAuthContextUpdateChallenge",
                    parameters: &[
                        ("BANK_ID", "$request.path.BANK_ID"),
                        (
                            "AUTH_CONTEXT_UPDATE_ID",
                            "$response.body#/user_auth_context_update_id",
                        ),
                    ],
                    request_body: None,
                },
            ],
        );
    }
}
