//! The served OpenAPI documents, Swagger UI and the startup banner (the page at `/` is
//! `crate::inspector`). This module only collects: every registered vendor's document, then
//! the control plane's.

use utoipa::OpenApi;
use utoipa_swagger_ui::{SwaggerUi, Url};

use crate::admin::AdminApi;
use crate::vendors::REGISTRY;

/// The control plane's document name.
const ADMIN: &str = "admin";

/// The document names, as in `/openapi/<name>.json` and `user-sandbox openapi <name>`.
pub fn names() -> Vec<&'static str> {
    REGISTRY
        .iter()
        .map(|v| v.name())
        .chain(std::iter::once(ADMIN))
        .collect()
}

pub fn openapi(name: &str) -> Option<utoipa::openapi::OpenApi> {
    if name == ADMIN {
        return Some(AdminApi::openapi());
    }
    crate::vendors::by_name(name).map(|v| v.openapi())
}

/// A document as pretty JSON, exactly as committed under `openapi/`.
pub fn document(name: &str) -> Option<String> {
    openapi(name).and_then(|doc| doc.to_pretty_json().ok())
}

/// Swagger UI at `/swagger-ui/` with a selector over every document.
pub fn swagger_ui() -> SwaggerUi {
    // Swagger UI keeps its URLs for the life of the server: made once per process.
    static URLS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let urls = URLS.get_or_init(|| {
        REGISTRY
            .iter()
            .map(|v| &*format!("/openapi/{}.json", v.name()).leak())
            .collect()
    });
    let vendors = REGISTRY
        .iter()
        .zip(urls)
        .enumerate()
        .map(|(i, (v, url))| (Url::with_primary(v.title(), url, i == 0), v.openapi()));
    let admin = (
        Url::new("Sandbox control plane", "/openapi/admin.json"),
        AdminApi::openapi(),
    );
    SwaggerUi::new("/swagger-ui/{_:.*}").urls(vendors.chain(std::iter::once(admin)).collect())
}

/// One line per credential: `clientId: sandbox-client, clientSecret: ...`.
fn credential_lines(credentials: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    let Some(vendors) = credentials.as_object() else {
        return Vec::new();
    };
    vendors
        .iter()
        .map(|(vendor, fields)| {
            let mut lines = Vec::new();
            for (name, value) in fields.as_object().into_iter().flatten() {
                match value {
                    serde_json::Value::Array(items) => {
                        lines.push(format!("{name}:"));
                        for item in items {
                            let parts: Vec<String> = item
                                .as_object()
                                .into_iter()
                                .flatten()
                                .map(|(k, v)| match v {
                                    serde_json::Value::String(s) => format!("{k}: {s}"),
                                    other => format!("{k}: {other}"),
                                })
                                .collect();
                            lines.push(format!("  - {}", parts.join(", ")));
                        }
                    }
                    serde_json::Value::String(s) => lines.push(format!("{name}: {s}")),
                    other => lines.push(format!("{name}: {other}")),
                }
            }
            (vendor.clone(), lines)
        })
        .collect()
}

/// The startup banner.
pub fn banner(base: &str, credentials: &serde_json::Value) -> String {
    let mut out = format!(
        "user-sandbox {} listening on {base}\n  inspector      {base}/\n  Swagger UI     {base}/swagger-ui/\n",
        env!("CARGO_PKG_VERSION")
    );
    for name in names() {
        out.push_str(&format!("  OpenAPI        {base}/openapi/{name}.json\n"));
    }
    out.push_str(&format!("  credentials    {base}/__admin/credentials\n"));
    for (vendor, lines) in credential_lines(credentials) {
        out.push_str(&format!("\n[{vendor}]\n"));
        for line in lines {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}
