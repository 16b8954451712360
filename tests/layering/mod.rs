//! The layering, checked against the code: only `src/vendors/` names a vendor, every vendor folder
//! has the same inner shape, `docs/adding-a-vendor.md` names what exists, and every registered
//! vendor is served, documented, exported and credited through the registry alone.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{spawn_app, status_and_json};
use user_sandbox::vendors::REGISTRY;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).expect("the file exists")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn vendor_names() -> Vec<&'static str> {
    REGISTRY.iter().map(|v| v.name()).collect()
}

/// The trait methods declared between `pub trait <name>` and the closing brace at column 0.
fn trait_methods(source: &str, name: &str) -> BTreeSet<String> {
    let start = source
        .find(&format!("pub trait {name}"))
        .expect("the trait is declared");
    let body = &source[start..];
    let body = &body[..body.find("\n}").expect("the trait ends")];
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("fn "))
        .map(|l| l.split(['(', '<']).next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn only_the_vendor_folders_name_a_vendor() {
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src"), &mut files);
    let vendor_dir = Path::new(ROOT).join("src/vendors");
    for file in files {
        if file.starts_with(&vendor_dir) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable");
        for name in vendor_names() {
            for needle in [format!("vendors::{name}"), format!("{name}::")] {
                assert!(
                    !text.contains(&needle),
                    "{} names the vendor ({needle}); reach it through vendors::REGISTRY",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn every_vendor_folder_has_the_same_inner_shape() {
    let shape = [
        "mod.rs",
        "models",
        "handlers",
        "auth.rs",
        "errors.rs",
        "middleware.rs",
        "state.rs",
        "validate.rs",
    ];
    let guide = read("docs/adding-a-vendor.md");
    for entry in shape {
        let named = format!("| `{}` |", entry.strip_suffix('/').unwrap_or(entry));
        let named_dir = format!("| `{entry}/` |");
        assert!(
            guide.contains(&named) || guide.contains(&named_dir),
            "the guide's table lists {entry}"
        );
    }
    for name in vendor_names() {
        for entry in shape {
            let path = Path::new(ROOT).join("src/vendors").join(name).join(entry);
            // A large module may be a folder of the same name (`state/mod.rs` + API groups).
            let folder = path.with_extension("").join("mod.rs");
            assert!(
                path.exists() || folder.exists(),
                "{} exists",
                path.display()
            );
        }
    }
}

#[test]
fn the_guide_names_every_registry_method_and_nothing_else() {
    let guide = read("docs/adding-a-vendor.md");
    let documented: BTreeSet<String> = guide
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- `fn "))
        .map(|l| l.split('`').next().unwrap_or_default().to_string())
        .collect();
    let mut declared = trait_methods(&read("src/store/world.rs"), "VendorKind");
    declared.extend(trait_methods(&read("src/vendors/mod.rs"), "Vendor"));
    assert_eq!(documented, declared);
    // Paths the guide names exist.
    for word in guide.split('`') {
        if word.starts_with("src/") && !word.contains('<') {
            assert!(Path::new(ROOT).join(word).exists(), "{word} exists");
        }
    }
}

#[test]
fn the_registry_is_the_one_list_of_vendors() {
    let registry = read("src/vendors/mod.rs");
    let line = registry
        .lines()
        .find(|l| l.starts_with("pub static REGISTRY"))
        .expect("the registry line");
    for name in vendor_names() {
        assert!(registry.contains(&format!("pub mod {name};")));
        assert!(
            line.to_lowercase().contains(&format!("{name}::")),
            "{name} is in the registry line"
        );
        assert!(
            Path::new(ROOT)
                .join(format!("fixtures/{name}.json"))
                .exists()
        );
        assert!(
            Path::new(ROOT)
                .join(format!("openapi/{name}.json"))
                .exists()
        );
    }
}

#[tokio::test]
async fn every_registered_vendor_is_served_documented_exported_and_credited() {
    let app = spawn_app().await;
    let (_, credentials) =
        status_and_json(app.get("/__admin/credentials").send().await.unwrap()).await;
    let (_, state) = status_and_json(app.get("/__admin/state").send().await.unwrap()).await;
    let (_, coverage) = status_and_json(app.get("/__admin/coverage").send().await.unwrap()).await;
    let initializer = app
        .get("/swagger-ui/swagger-initializer.js")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for vendor in REGISTRY {
        let name = vendor.name();
        let (status, doc) = status_and_json(
            app.get(&format!("/openapi/{name}.json"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{name}'s document is served");
        assert_eq!(doc["info"]["title"], vendor.openapi().info.title);
        assert!(
            credentials[name]["baseUrl"].is_string(),
            "{name} credentials"
        );
        assert!(state[name].is_object(), "{name} is in the state export");
        assert!(
            coverage[name]["total"].as_u64().unwrap_or(0) > 0,
            "{name} coverage"
        );
        assert!(initializer.contains(&format!("/openapi/{name}.json")));
        assert!(initializer.contains(vendor.title()));
    }
    let members: Vec<&String> = state.as_object().unwrap().keys().collect();
    assert_eq!(
        members[5..].iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        vendor_names(),
        "one member per vendor, in registry order, after the world's own fields"
    );
}
