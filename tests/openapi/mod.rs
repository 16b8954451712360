//! The committed `openapi/*.json` must equal what the code emits.
//! Rewrite them with `make openapi` (`UPDATE_OPENAPI=1 cargo test --test api openapi`).

use crate::support::spawn_app;

#[test]
fn committed_openapi_documents_match_the_code() {
    let update = std::env::var_os("UPDATE_OPENAPI").is_some();
    for name in user_sandbox::docs::NAMES {
        let emitted = user_sandbox::docs::document(name).expect("every listed document renders");
        let path = format!("{}/openapi/{name}.json", env!("CARGO_MANIFEST_DIR"));
        if update {
            std::fs::write(&path, format!("{emitted}\n")).expect("openapi/ is writable");
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed.trim_end() != emitted {
            let line = committed
                .lines()
                .zip(emitted.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(emitted.lines().count()));
            panic!(
                "openapi/{name}.json is stale from line {} on (`{}`): run `make openapi`",
                line + 1,
                emitted.lines().nth(line).unwrap_or("<end>").trim()
            );
        }
    }
}

#[tokio::test]
async fn every_document_is_served_and_listed_in_swagger_ui() {
    let app = spawn_app().await;
    for name in user_sandbox::docs::NAMES {
        let response = app.get(&format!("/openapi/{name}.json")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let served: serde_json::Value = response.json().await.unwrap();
        let emitted: serde_json::Value =
            serde_json::from_str(&user_sandbox::docs::document(name).unwrap()).unwrap();
        assert_eq!(served, emitted, "{name}");
    }
    let initializer = app.get("/swagger-ui/swagger-initializer.js").send().await.unwrap();
    assert_eq!(initializer.status(), 200);
    let initializer = initializer.text().await.unwrap();
    for name in user_sandbox::docs::NAMES {
        let url = format!("\"url\": \"/openapi/{name}.json\"");
        assert!(initializer.contains(&url), "{name} missing in Swagger UI's selector");
    }
    let page = app.get("/swagger-ui/").send().await.unwrap();
    assert_eq!(page.status(), 200);
}
