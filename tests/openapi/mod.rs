//! The committed `openapi/*.json` must equal what the code emits.
//! Rewrite them with `make openapi` (`UPDATE_OPENAPI=1 cargo test --test api openapi`).

use crate::support::spawn_app;

mod field_rules;

#[test]
fn committed_openapi_documents_match_the_code() {
    let update = std::env::var_os("UPDATE_OPENAPI").is_some();
    for name in user_sandbox::docs::names() {
        let emitted = user_sandbox::docs::document(name).expect("every listed document renders");
        let path = format!("{}/openapi/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if update {
            // Only a changed document is written, and by a rename: the CLI test of the same run
            // reads these files and must never see one half-written.
            if committed.trim_end() != emitted {
                let fresh = format!("{path}.{}", std::process::id());
                std::fs::write(&fresh, format!("{emitted}\n")).expect("openapi/ is writable");
                std::fs::rename(&fresh, &path).expect("openapi/ is writable");
            }
            continue;
        }
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
    for name in user_sandbox::docs::names() {
        let response = app
            .get(&format!("/openapi/{name}.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let served: serde_json::Value = response.json().await.unwrap();
        let emitted: serde_json::Value =
            serde_json::from_str(&user_sandbox::docs::document(name).unwrap()).unwrap();
        assert_eq!(served, emitted, "{name}");
    }
    let initializer = app
        .get("/swagger-ui/swagger-initializer.js")
        .send()
        .await
        .unwrap();
    assert_eq!(initializer.status(), 200);
    let initializer = initializer.text().await.unwrap();
    for name in user_sandbox::docs::names() {
        let url = format!("\"url\": \"/openapi/{name}.json\"");
        assert!(
            initializer.contains(&url),
            "{name} missing in Swagger UI's selector"
        );
    }
    let page = app.get("/swagger-ui/").send().await.unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn the_landing_page_shows_links_and_every_vendors_credentials() {
    let app = spawn_app().await;
    let response = app.get("/").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // `/` is the inspector: links to the docs, and the credentials embedded for the page to show.
    let page = response.text().await.unwrap();
    assert!(page.contains("href=\"/swagger-ui/\""));
    let boot = crate::inspector::boot_data(&page);
    let documents: Vec<&str> = boot["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(documents, user_sandbox::docs::names());
    for credential in [
        "sandbox-client-secret",
        "sandbox-admin-secret",
        "felixsmith",
        "Felix-Sandbox-2026!",
    ] {
        assert!(
            boot["credentials"].to_string().contains(credential),
            "{credential} missing"
        );
    }
    let (status, credentials) =
        crate::support::status_and_json(app.get("/__admin/credentials").send().await.unwrap())
            .await;
    assert_eq!(status, 200);
    assert_eq!(credentials["finapi"]["baseUrl"], app.address);
    assert_eq!(
        credentials["finapi"]["clients"][2]["clientId"],
        "sandbox-client"
    );
    let (_, named) = crate::support::status_and_json(
        app.get("/__admin/credentials?sandbox=ci")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        named["finapi"]["baseUrl"],
        format!("{}/sandboxes/ci", app.address)
    );
}

#[test]
fn the_cli_prints_documents_and_explains_every_flag() {
    let binary = env!("CARGO_BIN_EXE_user-sandbox");
    let output = std::process::Command::new(binary)
        .args(["openapi", "finapi"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        printed.trim_end(),
        user_sandbox::docs::document("finapi").unwrap()
    );

    let unknown = std::process::Command::new(binary)
        .args(["openapi", "nobody"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown document `nobody`"));

    let help = std::process::Command::new(binary)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--host",
        "--port",
        "--seed",
        "--users",
        "--fixtures",
        "--clock",
        "--state-file",
        "--faults",
        "--admin-token",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[test]
fn a_non_loopback_bind_without_an_admin_token_gets_a_warning() {
    use user_sandbox::startup::control_plane_warning;
    assert!(
        control_plane_warning("0.0.0.0", false)
            .is_some_and(|w| w.contains("without --admin-token"))
    );
    assert!(control_plane_warning("192.168.1.20", false).is_some());
    assert_eq!(control_plane_warning("0.0.0.0", true), None);
    assert_eq!(control_plane_warning("127.0.0.1", false), None);
    assert_eq!(control_plane_warning("::1", false), None);
    assert_eq!(control_plane_warning("localhost", false), None);
}

fn documents() -> Vec<(&'static str, serde_json::Value)> {
    user_sandbox::docs::names()
        .into_iter()
        .map(|name| {
            let doc = user_sandbox::docs::document(name).unwrap();
            (name, serde_json::from_str(&doc).unwrap())
        })
        .collect()
}

fn operations(doc: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                out.push((format!("{} {path}", method.to_uppercase()), op));
            }
        }
    }
    out
}

#[test]
fn every_response_has_a_description() {
    // OpenAPI requires it; openapi-spec-validator found responses without one.
    for (name, doc) in documents() {
        for (label, op) in operations(&doc) {
            for (status, response) in op["responses"].as_object().unwrap() {
                assert!(
                    response.get("description").is_some_and(|d| d.is_string()),
                    "{name}: {label} {status} has no description"
                );
            }
        }
    }
}

#[test]
fn every_document_links_create_get_and_delete_operations() {
    // Stateful clients (and the contract fuzzer) follow these links; each must name a real
    // operation and each of that operation's parameters it fills.
    for (name, doc) in documents() {
        let ops = operations(&doc);
        let mut links = 0;
        for (label, op) in &ops {
            for response in op["responses"].as_object().unwrap().values() {
                for (link_name, link) in response["links"].as_object().into_iter().flatten() {
                    links += 1;
                    let target = link["operationId"].as_str().unwrap();
                    let (_, target_op) = ops
                        .iter()
                        .find(|(_, o)| o["operationId"] == target)
                        .unwrap_or_else(|| panic!("{name}: {label} links to unknown {target}"));
                    let declared: Vec<&str> = target_op["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|p| p["name"].as_str().unwrap())
                        .collect();
                    for parameter in link["parameters"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|p| p.0)
                    {
                        assert!(
                            declared.contains(&parameter.as_str()),
                            "{name}: link {link_name} fills {parameter}, which {target} lacks"
                        );
                    }
                }
            }
        }
        assert!(links >= 3, "{name} has only {links} links");
    }
}

#[test]
fn finapi_json_operations_document_their_415() {
    // The server answers 415 UNSUPPORTED_MEDIA_TYPE for a non-JSON body, as finAPI does; the
    // contract fuzzer found it undocumented.
    let (_, doc) = documents()
        .into_iter()
        .find(|(n, _)| *n == "finapi")
        .unwrap();
    for (label, op) in operations(&doc) {
        let json_body = op["requestBody"]["content"]
            .get("application/json")
            .is_some();
        if json_body {
            assert!(op["responses"].get("415").is_some(), "{label} lacks 415");
        }
    }
}

#[test]
fn obp_deletes_document_their_json_boolean() {
    // OBP answers `true` as `application/json`; the document said `text/plain` (found by the
    // contract fuzzer's content type check).
    let (_, doc) = documents().into_iter().find(|(n, _)| *n == "obp").unwrap();
    for (path, method) in [
        ("/obp/v4.0.0/users/{USER_ID}", "delete"),
        ("/obp/v4.0.0/users/{USER_ID}/auth-context", "delete"),
        (
            "/obp/v4.0.0/users/{USER_ID}/auth-context/{USER_AUTH_CONTEXT_ID}",
            "delete",
        ),
    ] {
        let content = &doc["paths"][path][method]["responses"]["200"]["content"];
        assert_eq!(
            content["application/json"]["schema"]["type"], "boolean",
            "{method} {path}: {content}"
        );
        assert!(content.get("text/plain").is_none(), "{method} {path}");
    }
}

#[test]
fn finapi_documents_the_fields_its_server_requires() {
    // The contract fuzzer's "schema-valid request rejected" findings: the server answers
    // MISSING_FIELD / BAD_REQUEST for these, so the document must not call them optional.
    let (_, doc) = documents()
        .into_iter()
        .find(|(n, _)| *n == "finapi")
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for (schema, fields) in [
        (
            "ChangeClientCredentialsParams",
            &["clientId", "oldClientSecret", "newClientSecret"][..],
        ),
        ("UserIdentifiersParams", &["userIds"][..]),
        ("RequestPasswordChangeParams", &["userId"][..]),
        (
            "ExecutePasswordChangeParams",
            &["userId", "password", "passwordChangeToken"][..],
        ),
    ] {
        let required = schemas[schema]["required"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for field in fields {
            assert!(
                required.contains(&serde_json::json!(field)),
                "{schema}.{field}"
            );
            let ty = &schemas[schema]["properties"][field]["type"];
            assert!(
                !ty.to_string().contains("null"),
                "{schema}.{field} is nullable: {ty}"
            );
        }
    }
    assert_eq!(schemas["UserUpdateParams"]["minProperties"], 1);
    let password = &schemas["UserCreateParams"]["properties"]["password"]["pattern"];
    let pattern = password.as_str().expect("password has a character pattern");
    assert!(pattern.starts_with("^[a-zA-Z0-9"), "{pattern}");
    let revoke = &doc["paths"]["/oauth/revoke"]["post"]["parameters"];
    let token = revoke
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "token")
        .unwrap();
    assert_eq!(token["required"], true);
}
