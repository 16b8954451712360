//! Discovery: `GET /obp/vX/root` and the resource docs the API Explorer and SDKs read, built from
//! the same operation table as the OpenAPI document.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use super::*;
use crate::support::{spawn_app, status_and_json};

async fn anonymous_get(app: &crate::support::TestApp, path: &str) -> (u16, Value) {
    call(app, Method::GET, path, None, None).await
}

fn obp_document() -> Value {
    serde_json::from_str(&user_sandbox::docs::document("obp").unwrap()).unwrap()
}

#[tokio::test]
async fn root_describes_the_version_that_answered_without_a_login() {
    let app = spawn_app().await;
    for version in ["v3.1.0", "v4.0.0", "v5.0.0", "v5.1.0"] {
        let (status, body) = anonymous_get(&app, &format!("/obp/{version}/root")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["version"], version);
        assert_eq!(body["version_status"], "STABLE");
        assert_eq!(body["connector"], "mapped");
        assert_eq!(body["hostname"], "http://127.0.0.1:8080");
        assert_eq!(body["local_identity_provider"], "http://127.0.0.1:8080");
        assert_eq!(body["resource_docs_requires_role"], false);
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "version",
                "version_status",
                "git_commit",
                "connector",
                "hostname",
                "local_identity_provider",
                "hosted_by",
                "hosted_at",
                "energy_source",
                "resource_docs_requires_role"
            ]
        );
        for part in ["hosted_by", "hosted_at", "energy_source"] {
            assert!(body[part]["organisation"].is_string(), "{part}: {body}");
        }
    }
    let bare = anonymous_get(&app, "/obp/v4.0.0").await;
    assert_eq!(bare.1["version"], "v4.0.0");
}

/// `(VERB, /obp/v4.0.0 path with upper-case variables)` of the OpenAPI document's operations.
fn documented_v4_operations(doc: &Value) -> BTreeSet<(String, String, String)> {
    let mut ops = BTreeSet::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        let Some(rest) = path.strip_prefix("/obp/v4.0.0") else {
            continue;
        };
        for (verb, op) in methods.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_string();
            ops.insert((verb.to_uppercase(), rest.replace(['{', '}'], ""), id));
        }
    }
    ops
}

#[tokio::test]
async fn resource_docs_list_exactly_the_documented_v4_operations() {
    let app = spawn_app().await;
    let (status, body) = anonymous_get(&app, "/obp/v4.0.0/resource-docs/v4.0.0/obp").await;
    assert_eq!(status, 200, "{body}");

    let docs = body["resource_docs"].as_array().unwrap();
    let served: BTreeSet<(String, String, String)> = docs
        .iter()
        .map(|d| {
            (
                d["request_verb"].as_str().unwrap().to_string(),
                d["request_url"].as_str().unwrap().to_string(),
                d["operation_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(served, documented_v4_operations(&obp_document()));
    assert_eq!(body["meta"]["count"], docs.len());
    assert_eq!(body["meta"]["response_date"], "2026-01-15T10:00:00Z");
    // The new operations are there too, with what the API Explorer renders.
    let delete = docs
        .iter()
        .find(|d| d["operation_id"] == "OBPv2.0.0-deleteEntitlement")
        .expect("deleteEntitlement is documented");
    assert_eq!(delete["request_verb"], "DELETE");
    assert_eq!(
        delete["request_url"],
        "/users/USER_ID/entitlement/ENTITLEMENT_ID"
    );
    assert_eq!(
        delete["specified_url"],
        "/obp/v4.0.0/users/USER_ID/entitlement/ENTITLEMENT_ID"
    );
    assert_eq!(delete["implemented_by"]["version"], "OBPv2.0.0");
    assert_eq!(delete["implemented_by"]["function"], "deleteEntitlement");
    assert_eq!(delete["summary"], "Delete Entitlement");
    assert_eq!(
        delete["roles"],
        serde_json::json!([{ "role": "CanDeleteEntitlementAtAnyBank", "requires_bank_id": false }])
    );
}

#[tokio::test]
async fn a_resource_doc_carries_examples_schemas_errors_roles_and_tags() {
    let app = spawn_app().await;
    let (_, body) = anonymous_get(&app, "/obp/v4.0.0/resource-docs/v4.0.0/obp").await;
    let docs = body["resource_docs"].as_array().unwrap();
    let add = docs
        .iter()
        .find(|d| d["operation_id"] == "OBPv2.0.0-addEntitlement")
        .unwrap();
    let keys: Vec<&str> = add
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "operation_id",
            "implemented_by",
            "request_verb",
            "request_url",
            "summary",
            "description",
            "description_markdown",
            "example_request_body",
            "success_response_body",
            "error_response_bodies",
            "tags",
            "typed_request_body",
            "typed_success_response_body",
            "roles",
            "is_featured",
            "special_instructions",
            "specified_url",
            "connector_methods"
        ]
    );
    assert_eq!(
        add["example_request_body"],
        serde_json::json!({ "bank_id": "", "role_name": "CanGetAnyUser" })
    );
    assert_eq!(add["success_response_body"]["role_name"], "CanGetAnyUser");
    assert_eq!(add["typed_request_body"]["type"], "object");
    assert!(add["typed_request_body"]["properties"]["role_name"].is_object());
    assert!(add["description"].as_str().unwrap().starts_with("<p>"));
    assert_eq!(add["tags"], serde_json::json!(["Role"]));
    let roles: Vec<&str> = add["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "CanCreateEntitlementAtAnyBank",
            "CanCreateEntitlementAtOneBank"
        ]
    );
    assert_eq!(add["roles"][1]["requires_bank_id"], true);
    let errors: Vec<&str> = add["error_response_bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        errors.iter().any(|e| e.starts_with("OBP-20001")),
        "{errors:?}"
    );
    assert_eq!(errors.last(), Some(&"OBP-50000: Unknown Error."));
    // An endpoint without roles or a body.
    let current = docs
        .iter()
        .find(|d| d["operation_id"] == "OBPv3.0.0-getCurrentUser")
        .unwrap();
    assert_eq!(current["roles"], serde_json::json!([]));
    assert_eq!(current["example_request_body"], serde_json::json!({}));
    assert_eq!(current["success_response_body"]["username"], "felixsmith");
}

#[tokio::test]
async fn each_version_lists_the_newest_implementation_it_serves() {
    let app = spawn_app().await;
    let ids = |body: &Value| -> BTreeSet<String> {
        body["resource_docs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["operation_id"].as_str().unwrap().to_string())
            .collect()
    };
    let v3 = ids(&anonymous_get(&app, "/obp/v3.1.0/resource-docs/v3.1.0/obp")
        .await
        .1);
    let v4 = ids(&anonymous_get(&app, "/obp/v4.0.0/resource-docs/v4.0.0/obp")
        .await
        .1);
    let v51 = ids(&anonymous_get(&app, "/obp/v5.1.0/resource-docs/v5.1.0/obp")
        .await
        .1);

    assert!(v3.contains("OBPv3.0.0-getUsers") && !v3.contains("OBPv4.0.0-getUsers"));
    assert!(v4.contains("OBPv4.0.0-getUsers") && !v4.contains("OBPv3.0.0-getUsers"));
    assert!(!v3.contains("OBPv4.0.0-getMySpaces"));
    assert!(!v4.contains("OBPv5.1.0-lockUserByProviderAndUsername"));
    assert!(v51.contains("OBPv5.1.0-lockUserByProviderAndUsername"));
    assert!(v4.is_subset(&v51));
    // The version in the path picks the docs; the prefix only routes the call.
    let across = anonymous_get(&app, "/obp/v4.0.0/resource-docs/v3.1.0/obp")
        .await
        .1;
    assert_eq!(ids(&across), v3);
    assert_eq!(
        across["resource_docs"][0]["specified_url"]
            .as_str()
            .unwrap()
            .split('/')
            .nth(2),
        Some("v3.1.0")
    );
}

#[tokio::test]
async fn tags_and_functions_narrow_the_resource_docs() {
    let app = spawn_app().await;
    let role = anonymous_get(&app, "/obp/v4.0.0/resource-docs/v4.0.0/obp?tags=Role")
        .await
        .1;
    let two = anonymous_get(
        &app,
        "/obp/v4.0.0/resource-docs/v4.0.0/obp?functions=getUsers,deleteEntitlement",
    )
    .await
    .1;

    let role_docs = role["resource_docs"].as_array().unwrap();
    assert!(!role_docs.is_empty());
    assert!(
        role_docs
            .iter()
            .all(|d| d["tags"] == serde_json::json!(["Role"]))
    );
    let functions: BTreeSet<&str> = two["resource_docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["implemented_by"]["function"].as_str().unwrap())
        .collect();
    assert_eq!(functions, BTreeSet::from(["getUsers", "deleteEntitlement"]));
    assert_eq!(two["meta"]["count"], 2);
}

#[tokio::test]
async fn an_unserved_api_version_gets_obp_00027() {
    let app = spawn_app().await;
    for version in ["v9.9.9", "v4.0", "latest"] {
        let answer = anonymous_get(&app, &format!("/obp/v4.0.0/resource-docs/{version}/obp")).await;
        assert_obp_error(&answer, 400, "OBP-00027");
    }
    let response = app
        .get("/obp/v4.0.0/resource-docs/v4.0.0/obp")
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("correlation-id"));
    let (status, _) = status_and_json(response).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_deletions_true_answer_is_valid_against_the_documented_resource_doc_schema() {
    let app = spawn_app().await;
    let (status, body) = anonymous_get(
        &app,
        "/obp/v4.0.0/resource-docs/v4.0.0/obp?functions=deleteUser",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["resource_docs"][0]["success_response_body"], true);
    // The document must not promise an object where OBP's deletions answer `true`.
    let (_, doc) = status_and_json(app.get("/openapi/obp.json").send().await.unwrap()).await;
    let field =
        &doc["components"]["schemas"]["ResourceDocJson"]["properties"]["success_response_body"];
    assert!(field.get("type").is_none(), "{field}");
}
