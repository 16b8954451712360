//! The served OpenAPI documents, Swagger UI and the landing page.

use actix_web::HttpResponse;
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
        "user-sandbox {} listening on {base}\n  landing page   {base}/\n  Swagger UI     {base}/swagger-ui/\n",
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `/`: the banner as a page, for whoever opens the sandbox in a browser.
pub async fn landing(req: actix_web::HttpRequest, sandbox: crate::store::Sandbox) -> HttpResponse {
    let base = crate::store::sandbox::base_url(&req, None);
    let credentials = crate::admin::handlers::credentials_of(&sandbox, &base);
    let mut html = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>user-sandbox</title>\
         <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}\
         pre{background:#f4f4f4;padding:1rem;overflow:auto}</style></head><body>\
         <h1>user-sandbox</h1><p>A stateful sandbox of finAPI, Open Bank Project and Authress user management.</p>\
         <ul><li><a href=\"/swagger-ui/\">Swagger UI</a></li>",
    );
    for name in NAMES {
        html.push_str(&format!(
            "<li><a href=\"/openapi/{name}.json\">/openapi/{name}.json</a></li>"
        ));
    }
    html.push_str("<li><a href=\"/__admin/credentials\">/__admin/credentials</a></li></ul>");
    for (vendor, lines) in credential_lines(&credentials) {
        html.push_str(&format!(
            "<h2>{}</h2><pre>{}</pre>",
            escape(&vendor),
            escape(&lines.join("\n"))
        ));
    }
    html.push_str("</body></html>");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}
