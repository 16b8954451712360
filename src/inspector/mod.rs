//! The sandbox inspector at `/`: one dependency-free page (HTML, CSS and vanilla JS, no build
//! step) that reads only the `/__admin` API: credentials, people, journal, outbox, clock and
//! fault rules of the chosen sandbox.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::admin::pipeline::ControlPlane;
use crate::store::{RequestContext, Sandbox};

const PAGE: &str = include_str!("inspector.html");
const STYLE: &str = include_str!("inspector.css");
const SCRIPT: &str = include_str!("inspector.js");

/// JSON that is safe inside `<script type="application/json">`: no `<` can close the element.
fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// What the page starts from. Without `--admin-token` the request's sandbox credentials come
/// embedded, so they show without a round trip (and for `curl /`); with one, nothing secret is
/// in the page until the user gives the token and the page asks `/__admin` itself.
fn boot(req: &HttpRequest, sandbox: &Sandbox, protected: bool) -> serde_json::Value {
    let name = RequestContext::of(req).and_then(|ctx| ctx.sandbox.clone());
    let credentials = (!protected).then(|| {
        let base = crate::store::sandbox::base_url(req, name.as_deref());
        let sandboxes = req.app_data::<web::Data<crate::store::Sandboxes>>();
        let fixtures = sandboxes.map(|s| s.plan().fixtures.clone());
        fixtures.map_or(serde_json::Value::Null, |fixtures| {
            crate::vendors::credentials(sandbox, &fixtures, &base)
        })
    });
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "adminToken": protected,
        "sandbox": name,
        "credentials": credentials,
        "documents": crate::docs::names(),
    })
}

/// `/` (and `/sandboxes/{name}/`): the inspector page.
pub async fn page(
    req: HttpRequest,
    sandbox: Sandbox,
    control: web::Data<ControlPlane>,
) -> HttpResponse {
    let boot = boot(&req, &sandbox, control.admin_token.is_some());
    let html = PAGE
        .replace("/*INSPECTOR_STYLE*/", STYLE)
        .replace("/*INSPECTOR_SCRIPT*/", SCRIPT)
        .replace("\"INSPECTOR_BOOT\"", &script_json(&boot));
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // The page embeds credentials: never let a shared cache keep it.
        .insert_header(("Cache-Control", "no-store"))
        .body(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_json_cannot_close_the_script_element() {
        let text = script_json(&json!({"note": "</script><b>&"}));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["note"], "</script><b>&");
    }

    #[test]
    fn the_page_has_a_slot_for_style_script_and_boot_data() {
        for slot in [
            "/*INSPECTOR_STYLE*/",
            "/*INSPECTOR_SCRIPT*/",
            "\"INSPECTOR_BOOT\"",
        ] {
            assert_eq!(PAGE.matches(slot).count(), 1, "{slot}");
        }
    }
}
