//! Discovery: `root` and the resource docs that OBP's API Explorer and SDKs read to find the
//! endpoints. The resource docs are built from the OBP OpenAPI document, the same operation
//! table `/openapi/obp.json` serves, so the two cannot disagree.

use std::sync::OnceLock;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use utoipa::OpenApi;

use crate::store::Sandbox;
use crate::vendors::obp::ObpApi;
use crate::vendors::obp::ObpWorld;
use crate::vendors::obp::errors::{Error, Result};
use crate::vendors::obp::models::{
    ApiInfoJson400, EnergySource400, ErrorMessage, HostedAt400, HostedBy400, ImplementedByJson,
    ResourceDocJson, ResourceDocMeta, ResourceDocsJson, RoleJson, obp_date,
};
use crate::vendors::obp::state::ROLES;

/// `(major, minor, patch)` of an OBP version string such as `v4.0.0` or `OBPv4.0.0`.
type Version = (u32, u32, u32);

fn parse_version(s: &str) -> Option<Version> {
    let s = s.strip_prefix("OBP").unwrap_or(s).strip_prefix('v')?;
    let mut parts = s.split('.').map(|p| p.parse::<u32>().ok());
    let version = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(version)
}

/// The version prefix a request came in under (`/obp/v4.0.0/...`, also inside a named sandbox).
fn served_version(req: &HttpRequest) -> String {
    let path = req.path();
    path.find("/obp/")
        .map(|i| &path[i + 5..])
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("v4.0.0")
        .to_string()
}

/// One operation of the document, as resource docs describe it.
struct Operation {
    implemented_in: Version,
    implemented_by: ImplementedByJson,
    operation_id: String,
    verb: String,
    /// After the version prefix, variables in upper case (`/users/USER_ID`).
    url: String,
    summary: String,
    description: String,
    tags: Vec<String>,
    request_example: Value,
    request_schema: Value,
    success_example: Value,
    success_schema: Value,
    errors: Vec<String>,
    roles: Vec<RoleJson>,
}

fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let document = serde_json::to_value(ObpApi::openapi()).unwrap_or_default();
        from_document(&document)
    })
}

/// Follows a `#/components/schemas/...` reference.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| document.pointer(&format!("/components/schemas/{name}")))
            .unwrap_or(schema),
        None => schema,
    }
}

/// A schema with its references resolved (to a few levels: OBP's bodies are shallow).
fn inline(document: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(document, schema);
    if depth == 0 {
        return schema.clone();
    }
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), inline(document, v, depth - 1)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| inline(document, v, depth - 1))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The schema's own example, or one assembled from its properties' examples and types.
fn example(document: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(document, schema);
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if depth == 0 {
        return Value::Null;
    }
    let kind = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("object");
    match kind {
        "string" => json!(""),
        "integer" | "number" => json!(0),
        "boolean" => json!(false),
        "array" => match schema.get("items") {
            Some(items) => json!([example(document, items, depth - 1)]),
            None => json!([]),
        },
        _ => {
            let properties = schema.get("properties").and_then(Value::as_object);
            Value::Object(
                properties
                    .into_iter()
                    .flatten()
                    .map(|(name, p)| (name.clone(), example(document, p, depth - 1)))
                    .collect(),
            )
        }
    }
}

/// The JSON body of a request or response object: `(example, schema)`.
fn body(document: &Value, holder: Option<&Value>) -> (Value, Value) {
    let Some(content) = holder
        .and_then(|h| h.get("content"))
        .and_then(|c| c.get("application/json"))
    else {
        return (json!({}), json!({}));
    };
    let mut schema = content.get("schema").cloned().unwrap_or_else(|| json!({}));
    // `allOf: [<the case class>, <a rule across its fields>]`: OBP's typed body is the class.
    if let Some(class) = schema.get("allOf").and_then(|parts| parts.get(0)).cloned() {
        schema = class;
    }
    let example = content
        .get("example")
        .cloned()
        .unwrap_or_else(|| example(document, &schema, 6));
    (example, inline(document, &schema, 8))
}

fn html(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let escaped = p
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!("<p>{}</p>", escaped.trim())
        })
        .collect()
}

/// The roles named in the 403 answer's description (`OBP-20006: missing CanGetAnyUser`).
fn roles(forbidden: Option<&str>) -> Vec<RoleJson> {
    let words = forbidden
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_alphanumeric());
    let mut roles: Vec<RoleJson> = Vec::new();
    for word in words {
        if let Some((name, bank_role)) = ROLES.iter().find(|(name, _)| *name == word)
            && !roles.iter().any(|r| r.role == *name)
        {
            roles.push(RoleJson {
                role: (*name).to_string(),
                requires_bank_id: *bank_role,
            });
        }
    }
    roles
}

fn from_document(document: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return operations;
    };
    for (path, methods) in paths {
        // Only OBP's versioned API: DirectLogin and the sandbox's outbox have no resource docs.
        let Some(rest) = path.strip_prefix("/obp/") else {
            continue;
        };
        let url = rest.find('/').map(|i| &rest[i..]).unwrap_or_default();
        let url = url.replace(['{', '}'], "");
        for (verb, op) in methods.as_object().into_iter().flatten() {
            let Some(operation_id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let Some((version, function)) = operation_id.split_once('-') else {
                continue;
            };
            let Some(implemented_in) = parse_version(version) else {
                continue;
            };
            let responses = op.get("responses").and_then(Value::as_object);
            let success = responses
                .into_iter()
                .flatten()
                .find(|(status, _)| status.starts_with('2'))
                .map(|(_, r)| r);
            let mut errors: Vec<String> = responses
                .into_iter()
                .flatten()
                .filter(|(status, _)| !status.starts_with('2'))
                .filter_map(|(_, r)| r.get("description").and_then(Value::as_str))
                .map(str::to_string)
                .collect();
            errors.push(Error::Unknown.to_string());
            let forbidden = responses
                .and_then(|r| r.get("403"))
                .and_then(|r| r.get("description"))
                .and_then(Value::as_str);
            let (request_example, request_schema) = body(document, op.get("requestBody"));
            let (success_example, success_schema) = body(document, success);
            let text = |key: &str| {
                op.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            operations.push(Operation {
                implemented_in,
                implemented_by: ImplementedByJson {
                    version: version.to_string(),
                    function: function.to_string(),
                },
                operation_id: operation_id.to_string(),
                verb: verb.to_ascii_uppercase(),
                url: url.clone(),
                summary: text("summary"),
                description: text("description"),
                tags: op
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                request_example,
                request_schema,
                success_example,
                success_schema,
                errors,
                roles: roles(forbidden),
            });
        }
    }
    operations
}

/// The operations an API version serves, as OBP collects them: every endpoint implemented in
/// that version or an earlier one, and for each verb and URL only the newest implementation.
fn served_by(version: Version) -> Vec<&'static Operation> {
    let mut candidates: Vec<&Operation> = operations()
        .iter()
        .filter(|op| op.implemented_in <= version)
        .collect();
    candidates.sort_by_key(|op| std::cmp::Reverse(op.implemented_in));
    let mut chosen: Vec<&Operation> = Vec::new();
    for op in candidates {
        if !chosen.iter().any(|c| c.verb == op.verb && c.url == op.url) {
            chosen.push(op);
        }
    }
    chosen.sort_by(|a, b| (&a.url, &a.verb).cmp(&(&b.url, &b.verb)));
    chosen
}

/// The versions the sandbox serves (the prefixes of its routing table).
fn is_served(version: &str) -> bool {
    super::super::VERSIONS
        .iter()
        .any(|(prefix, _)| prefix.strip_prefix("/obp/") == Some(version))
}

/// Get API Info (root)
///
/// Which OBP version answered, and who hosts it. No login needed.
#[utoipa::path(
    get, path = "/obp/v4.0.0/root", operation_id = "OBPv4.0.0-root", tag = "API",
    responses((status = 200, description = "The API's description of itself", body = ApiInfoJson400)),
    security((), ("directLogin" = [])),
)]
pub async fn root(sandbox: Sandbox, req: HttpRequest) -> HttpResponse {
    let config = sandbox.obp().config();
    let sandbox_name = "user-sandbox".to_string();
    HttpResponse::Ok().json(ApiInfoJson400 {
        version: served_version(&req),
        version_status: "STABLE".into(),
        git_commit: format!("user-sandbox {}", env!("CARGO_PKG_VERSION")),
        connector: "mapped".into(),
        hostname: config.hostname.clone(),
        local_identity_provider: config.local_identity_provider.to_string(),
        hosted_by: HostedBy400 {
            organisation: sandbox_name.clone(),
            email: String::new(),
            phone: String::new(),
            organisation_website: String::new(),
        },
        hosted_at: HostedAt400 {
            organisation: sandbox_name.clone(),
            organisation_website: String::new(),
        },
        energy_source: EnergySource400 {
            organisation: sandbox_name,
            organisation_website: String::new(),
        },
        resource_docs_requires_role: false,
    })
}

/// The query of the resource docs.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResourceDocsQuery {
    /// Only endpoints with one of these tags (comma-separated, e.g. `User,Role`).
    tags: Option<String>,
    /// Only these partial functions (comma-separated, e.g. `getUsers,addEntitlement`).
    functions: Option<String>,
}

fn list(value: Option<&str>) -> Option<Vec<String>> {
    value.map(|v| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// Get Resource Docs
///
/// The endpoints `API_VERSION` serves, in OBP's resource-doc format (what the API Explorer and
/// the SDKs read): each with its verb, URL, summary, example and typed bodies, errors and
/// roles. Built from the same operation table as the sandbox's OpenAPI document. No login
/// needed.
#[utoipa::path(
    get, path = "/obp/v4.0.0/resource-docs/{API_VERSION}/obp", operation_id = "OBPv1.4.0-getResourceDocsObp", tag = "API",
    params(
        ("API_VERSION" = String, Path, example = "v4.0.0", description = "One of the served versions: v3.1.0, v4.0.0, v5.0.0, v5.1.0"),
        ResourceDocsQuery,
    ),
    responses(
        (status = 200, description = "The version's resource docs", body = ResourceDocsJson),
        (status = 400, description = "OBP-00027: a version the sandbox does not serve", body = ErrorMessage),
    ),
    security((), ("directLogin" = [])),
)]
pub async fn get_resource_docs_obp(
    sandbox: Sandbox,
    path: web::Path<String>,
    query: web::Query<ResourceDocsQuery>,
) -> Result<HttpResponse> {
    let api_version = path.into_inner();
    let version = parse_version(&api_version)
        .filter(|_| is_served(&api_version))
        .ok_or(Error::InvalidApiVersion)?;
    let tags = list(query.tags.as_deref());
    let functions = list(query.functions.as_deref());
    let resource_docs: Vec<ResourceDocJson> = served_by(version)
        .into_iter()
        .filter(|op| {
            tags.as_ref()
                .is_none_or(|tags| op.tags.iter().any(|t| tags.contains(t)))
        })
        .filter(|op| {
            functions
                .as_ref()
                .is_none_or(|f| f.contains(&op.implemented_by.function))
        })
        .map(|op| ResourceDocJson {
            operation_id: op.operation_id.clone(),
            implemented_by: op.implemented_by.clone(),
            request_verb: op.verb.clone(),
            request_url: op.url.clone(),
            summary: op.summary.clone(),
            description: html(&op.description),
            description_markdown: op.description.clone(),
            example_request_body: op.request_example.clone(),
            success_response_body: op.success_example.clone(),
            error_response_bodies: op.errors.clone(),
            tags: op.tags.clone(),
            typed_request_body: op.request_schema.clone(),
            typed_success_response_body: op.success_schema.clone(),
            roles: op.roles.clone(),
            is_featured: false,
            special_instructions: String::new(),
            specified_url: format!("/obp/{api_version}{}", op.url),
            connector_methods: Vec::new(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(ResourceDocsJson {
        meta: ResourceDocMeta {
            response_date: obp_date(sandbox.clock.now()),
            count: resource_docs.len(),
        },
        resource_docs,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_with_and_without_the_obp_prefix() {
        assert_eq!(parse_version("v4.0.0"), Some((4, 0, 0)));
        assert_eq!(parse_version("OBPv3.1.0"), Some((3, 1, 0)));
        assert_eq!(parse_version("v4.0"), None);
        assert_eq!(parse_version("4.0.0"), None);
        assert_eq!(parse_version("v4.0.0.1"), None);
    }

    #[test]
    fn every_documented_obp_operation_becomes_a_resource_doc() {
        let document = serde_json::to_value(ObpApi::openapi()).unwrap();
        let documented = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(path, _)| path.starts_with("/obp/"))
            .map(|(_, methods)| methods.as_object().unwrap().len())
            .sum::<usize>();
        assert_eq!(operations().len(), documented);
    }

    #[test]
    fn the_newest_implementation_of_a_verb_and_url_wins() {
        let v4 = served_by((4, 0, 0));
        let get_users: Vec<_> = v4
            .iter()
            .filter(|op| op.verb == "GET" && op.url == "/users")
            .collect();
        assert_eq!(get_users.len(), 1);
        assert_eq!(get_users[0].operation_id, "OBPv4.0.0-getUsers");
        let v3 = served_by((3, 1, 0));
        let get_users: Vec<_> = v3
            .iter()
            .filter(|op| op.verb == "GET" && op.url == "/users")
            .collect();
        assert_eq!(get_users[0].operation_id, "OBPv3.0.0-getUsers");
        assert!(v3.iter().all(|op| op.implemented_in <= (3, 1, 0)));
    }
}
