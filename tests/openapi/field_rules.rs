//! The rules the contract fuzzer found missing from the documents (tests/fuzz/baseline/, fixed):
//! each is stated where the server enforces it.

use serde_json::{Value, json};

use super::{documents, operations};

fn doc(name: &str) -> Value {
    documents().into_iter().find(|(n, _)| *n == name).unwrap().1
}

fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path} has no {name}"))
}

#[test]
fn finapi_states_its_list_delete_and_password_rules() {
    let doc = doc("finapi");
    let list = "/api/v1/mandatorAdmin/getUserList";
    let order = parameter(&doc, list, "get", "order");
    assert_eq!(
        order["items"]["pattern"],
        "^userId(,([aA][sS][cC]|[dD][eE][sS][cC]))?$"
    );
    assert_eq!(
        parameter(&doc, list, "get", "minRegistrationDate")["format"],
        "date"
    );
    assert_eq!(parameter(&doc, list, "get", "page")["maximum"], 2147483647);
    let schemas = &doc["components"]["schemas"];
    let ids = &schemas["UserIdentifiersParams"]["properties"]["userIds"];
    assert_eq!(
        (&ids["items"]["minLength"], &ids["maxItems"]),
        (&json!(1), &json!(1000))
    );
    // `null` is accepted as absent (Jackson), and editAuthorizedUser needs one non-null member.
    for schema in ["UserCreateParams", "UserUpdateParams"] {
        assert_eq!(
            schemas[schema]["properties"]["phone"]["type"],
            json!(["string", "null"])
        );
    }
    assert_eq!(schemas["UserUpdateParams"]["minProperties"], 1);
    let update = &doc["paths"]["/api/v1/users"]["patch"]["requestBody"]["content"]["application/json"]
        ["schema"]["allOf"];
    assert_eq!(update[0]["$ref"], "#/components/schemas/UserUpdateParams");
    assert_eq!(update[1]["anyOf"].as_array().unwrap().len(), 3);
    let execute = &schemas["ExecutePasswordChangeParams"]["properties"];
    assert_eq!(execute["password"]["minLength"], 6);
    assert_eq!(execute["passwordChangeToken"]["minLength"], 1);
    assert_eq!(
        schemas["RequestPasswordChangeParams"]["properties"]["userId"]["minLength"],
        1
    );
}

#[test]
fn every_obp_post_and_put_documents_the_dispatch_answers() {
    let doc = doc("obp");
    for (operation, op) in operations(&doc) {
        if operation.starts_with("POST ") || operation.starts_with("PUT ") {
            let responses = &op["responses"];
            assert!(
                responses["404"]["description"]
                    .as_str()
                    .unwrap()
                    .contains("OBP-10404"),
                "{operation}"
            );
            assert!(
                responses["400"]["description"]
                    .as_str()
                    .unwrap()
                    .contains("OBP-10001"),
                "{operation}"
            );
        }
    }
}

#[test]
fn obp_states_its_field_rules() {
    let doc = doc("obp");
    let schemas = &doc["components"]["schemas"];
    let user = &schemas["CreateUserJson"]["properties"];
    assert_eq!(user["password"]["anyOf"].as_array().unwrap().len(), 2);
    assert_eq!(user["username"]["anyOf"].as_array().unwrap().len(), 2);
    assert_eq!(user["email"]["maxLength"], 48);
    assert!(schemas["CreateEntitlementJSON"]["properties"]["role_name"]["enum"].is_array());
    let add = &doc["paths"]["/obp/v4.0.0/users/{USER_ID}/entitlements"]["post"]["requestBody"];
    let roles = add["content"]["application/json"]["schema"]["allOf"][1]["oneOf"]
        .as_array()
        .unwrap();
    assert_eq!(roles[0]["properties"]["bank_id"]["enum"], json!([""]));
    assert_eq!(
        schemas["UserAttributeJsonV400"]["properties"]["type"]["enum"],
        json!(["STRING", "INTEGER", "DOUBLE", "DATE_WITH_DAY"])
    );
    let versions = parameter(
        &doc,
        "/obp/v4.0.0/resource-docs/{API_VERSION}/obp",
        "get",
        "API_VERSION",
    );
    assert_eq!(
        versions["enum"],
        json!(["v3.1.0", "v4.0.0", "v5.0.0", "v5.1.0"])
    );
    for version in ["v4.0.0", "v3.1.0"] {
        let path = format!("/obp/{version}/users");
        assert_eq!(
            parameter(&doc, &path, "get", "offset")["maximum"],
            2147483647
        );
        assert!(parameter(&doc, &path, "get", "sort_direction")["pattern"].is_string());
    }
    let header = parameter(&doc, "/my/logins/direct", "post", "DirectLogin");
    assert!(header["pattern"].as_str().unwrap().contains("consumer_key"));
    // The bodies the operations ignore are any JSON.
    for path in [
        "/my/logins/direct",
        "/obp/v4.0.0/users/{USER_ID}/refresh",
        "/obp/v4.0.0/users/{USERNAME}/locks",
    ] {
        let body = &doc["paths"][path]["post"]["requestBody"];
        assert_eq!(
            body["content"]["application/json"]["schema"],
            json!({}),
            "{path}"
        );
    }
}

#[test]
fn authress_and_the_control_plane_state_their_rules() {
    let authress = doc("authress");
    let tenant = parameter(&authress, "/v1/users", "get", "tenantId");
    assert_eq!(
        (&tenant["minLength"], &tenant["pattern"]),
        (&json!(1), &json!("^[a-zA-Z0-9-_.:]+$"))
    );
    let cursor = parameter(&authress, "/v1/users", "get", "cursor");
    assert_eq!(cursor["maxLength"], 512);
    let link = &authress["components"]["schemas"]["TenantUser"];
    assert_eq!(link["required"], json!(["userId"]));

    let admin = doc("admin");
    let schemas = &admin["components"]["schemas"];
    for schema in ["ClockSetting", "Latency"] {
        for variant in schemas[schema]["oneOf"].as_array().unwrap() {
            assert_eq!(variant["additionalProperties"], false, "{schema}");
        }
    }
    let limit = parameter(&admin, "/__admin/requests", "get", "limit");
    assert_eq!(limit["maximum"], json!(u64::MAX));
}
