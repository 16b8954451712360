//! The served OpenAPI documents, Swagger UI and the startup banner (the page at `/` is
//! `crate::inspector`).

use utoipa::OpenApi;
use utoipa_swagger_ui::{SwaggerUi, Url};

use crate::admin::AdminApi;
use crate::vendors::authress::AuthressApi;
use crate::vendors::finapi::FinapiApi;
use crate::vendors::obp::ObpApi;

/// The document names, as in `/openapi/<name>.json` and `user-sandbox openapi <name>`.
pub const NAMES: &[&str] = &["finapi", "obp", "authress", "admin"];

pub fn openapi(name: &str) -> Option<utoipa::openapi::OpenApi> {
    match name {
        "finapi" => Some(FinapiApi::openapi()),
        "obp" => Some(ObpApi::openapi()),
        "authress" => Some(AuthressApi::openapi()),
        "admin" => Some(AdminApi::openapi()),
        _ => None,
    }
}

/// A document as pretty JSON, exactly as committed under `openapi/`.
pub fn document(name: &str) -> Option<String> {
    openapi(name).and_then(|doc| doc.to_pretty_json().ok())
}

/// Swagger UI at `/swagger-ui/` with a selector over every document.
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/swagger-ui/{_:.*}").urls(vec![
        (
            Url::with_primary("finAPI", "/openapi/finapi.json", true),
            FinapiApi::openapi(),
        ),
        (
            Url::new("Open Bank Project", "/openapi/obp.json"),
            ObpApi::openapi(),
        ),
        (
            Url::new("Authress", "/openapi/authress.json"),
            AuthressApi::openapi(),
        ),
        (
            Url::new("Sandbox control plane", "/openapi/admin.json"),
            AdminApi::openapi(),
        ),
    ])
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
    for name in NAMES {
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
