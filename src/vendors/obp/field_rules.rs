//! OBP's field rules that the derives cannot state, added to the OBP document: the password rule
//! (`fullPasswordValidation`, two forms), the username rule (a dotted name or an email), which
//! roles are bank roles, the attribute types, the SCA methods, the served API versions and the
//! DirectLogin header's pairs. Each rule is the one the handler (and OBP) enforces.

use serde_json::json;
use utoipa::Modify;
use utoipa::openapi::OpenApi;

use crate::schema_rules::{
    all_of_body, any_of, edit_component, edit_parameter, one_of, set_property,
};

use super::state::ROLES;

/// OBP's basic password characters: ASCII letters, digits, space and specials but `[` `]`.
const BASIC: &str = r##"A-Za-z0-9 !"#$%&'()*+,./:;<=>?@\\^_`{|}~-"##;
/// The specials of the strong form (no space).
const SPECIAL: &str = r##"!"#$%&'()*+,./:;<=>?@\\^_`{|}~-"##;
/// `AuthUser`'s email rule (W3C): a local part, `@`, dot-separated labels of at most 63.
const EMAIL: &str = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";

/// A DirectLogin header: comma-separated `name=value` pairs naming `username`, `password` and
/// `consumer_key` (each at least once; the last one counts), values optionally in quotes, with
/// OBP's characters: username `A-Z a-z 0-9 - . _ @` and inner spaces, password the basic set
/// without `,` and `"`, consumer key `A-Z a-z 0-9 -`; at most 512 characters each.
fn direct_login_header() -> String {
    let value =
        |first: &str, inner: &str| format!(r#""?[{first}](?:[{inner}]{{0,510}}[{first}])?"?"#);
    let username = value("A-Za-z0-9._@-", "A-Za-z0-9._@ -");
    let password_chars = r"A-Za-z0-9!#$%&'()*+./:;<=>?@\\^_`{|}~-";
    let password = value(password_chars, &format!(" {password_chars}"));
    let pair = format!(
        r#"(?:username *= *{username}|password *= *{password}|consumer_key *= *"?[A-Za-z0-9-]{{1,512}}"?)"#
    );
    let has = |name: &str| format!("(?=(?:.*,)? *{name} *=)");
    format!(
        "^{}{}{} *(?:DirectLogin)? *{pair}(?: *, *{pair})* *$",
        has("username"),
        has("password"),
        has("consumer_key")
    )
}

pub struct FieldRules;

impl Modify for FieldRules {
    fn modify(&self, openapi: &mut OpenApi) {
        set_property(
            openapi,
            "CreateUserJson",
            "password",
            any_of(vec![
                json!({"type": "string", "minLength": 17, "maxLength": 512,
                    "pattern": format!("^[{BASIC}]*$")}),
                json!({"type": "string", "minLength": 10, "maxLength": 16,
                    "pattern": format!("^(?=.*[0-9])(?=.*[a-z])(?=.*[A-Z])(?=.*[{SPECIAL}])[A-Za-z0-9{SPECIAL}]*$")}),
            ]),
        );
        set_property(
            openapi,
            "CreateUserJson",
            "username",
            any_of(vec![
                json!({"type": "string", "minLength": 8, "maxLength": 100,
                    "pattern": "^[A-Za-z0-9]+(?:[._][A-Za-z0-9]+)*$"}),
                json!({"type": "string", "maxLength": 100, "pattern": EMAIL}),
            ]),
        );
        let roles = |bank: bool| -> Vec<&str> {
            ROLES
                .iter()
                .filter(|(_, b)| *b == bank)
                .map(|(name, _)| *name)
                .collect()
        };
        edit_component(openapi, "CreateEntitlementJSON", |schema| {
            let all: Vec<&str> = ROLES.iter().map(|(name, _)| *name).collect();
            schema["properties"]["role_name"]["enum"] = json!(all);
            schema["properties"]["role_name"]["description"] =
                json!("A role OBP knows (else OBP-10007).");
        });
        // Which roles take a bank: a system role with `bank_id` "", a bank role with a bank id
        // (else OBP-30205/OBP-30206).
        all_of_body(
            openapi,
            "OBPv2.0.0-addEntitlement",
            one_of(
                "A system role with `bank_id` \"\", or a bank role with a bank id.",
                json!({"bank_id": "", "role_name": "CanGetAnyUser"}),
                vec![
                    json!({"type": "object", "title": "system role",
                        "properties": {"bank_id": {"type": "string", "enum": [""]},
                            "role_name": {"type": "string", "enum": roles(false)}}}),
                    json!({"type": "object", "title": "bank role",
                        "properties": {"bank_id": {"type": "string", "minLength": 1},
                            "role_name": {"type": "string", "enum": roles(true)}}}),
                ],
            ),
        );
        edit_component(openapi, "UserAttributeJsonV400", |schema| {
            schema["properties"]["type"]["enum"] =
                json!(["STRING", "INTEGER", "DOUBLE", "DATE_WITH_DAY"]);
        });
        edit_parameter(
            openapi,
            "OBPv3.1.0-createUserAuthContextUpdateRequest",
            "SCA_METHOD",
            |schema| schema["enum"] = json!(["SMS", "EMAIL"]),
        );
        let served: Vec<&str> = super::VERSIONS
            .iter()
            .filter_map(|(prefix, _)| prefix.strip_prefix("/obp/"))
            .collect();
        edit_parameter(
            openapi,
            "OBPv1.4.0-getResourceDocsObp",
            "API_VERSION",
            |schema| {
                schema["enum"] = json!(served);
            },
        );
        edit_parameter(openapi, "directLogin", "DirectLogin", |schema| {
            schema["pattern"] = json!(direct_login_header());
        });
    }
}
