//! `GET`/`PUT /__admin/state` document the export format (`WorldState`), and the import takes
//! what that schema allows.

use serde_json::{Value, json};

use super::admin_json;
use crate::support::spawn_app;

async fn document(app: &crate::support::TestApp) -> Value {
    app.get("/openapi/admin.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn export(app: &crate::support::TestApp) -> Value {
    app.get("/__admin/state?secrets=true")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every member an object schema requires is in `value`, all the way down (arrays through
/// `items` and `prefixItems`).
fn check_required(schema: &Value, value: &Value, at: &str) {
    match value {
        Value::Object(members) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                assert!(members.contains_key(name), "{at} lacks {name}");
            }
            for (name, member) in members {
                let property = &schema["properties"][name];
                assert!(
                    !property.is_null() || schema["additionalProperties"] != json!(false),
                    "{at}/{name} is not in the schema"
                );
                check_required(property, member, &format!("{at}/{name}"));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let item_schema = match schema["prefixItems"].get(i) {
                    Some(s) => s,
                    None => &schema["items"],
                };
                check_required(item_schema, item, &format!("{at}/{i}"));
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_state_operations_document_the_export_format() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let state = &doc["paths"]["/__admin/state"];
    let reference = json!({"$ref": "#/components/schemas/WorldState"});
    assert_eq!(
        state["put"]["requestBody"]["content"]["application/json"]["schema"],
        reference
    );
    assert_eq!(
        state["get"]["responses"]["200"]["content"]["application/json"]["schema"],
        reference
    );
    let schema = &doc["components"]["schemas"]["WorldState"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    for member in [
        "format",
        "seed",
        "clockFixed",
        "clockMillis",
        "ids",
        "finapi",
        "obp",
        "authress",
    ] {
        assert!(
            schema["required"]
                .as_array()
                .unwrap()
                .contains(&json!(member)),
            "{member}"
        );
    }
    assert_eq!(
        schema["properties"]["clockMillis"]["maximum"],
        3_162_240_000_000_000i64
    );
    let finapi_user =
        &schema["properties"]["finapi"]["properties"]["users"]["items"]["prefixItems"][1];
    assert!(
        finapi_user["required"]
            .as_array()
            .unwrap()
            .contains(&json!("password"))
    );
    let hash = &finapi_user["properties"]["password"]["properties"]["hash"]["pattern"];
    assert!(hash.as_str().unwrap().contains("m=8,t=1,p=1"), "{hash}");
    let obp = &schema["properties"]["obp"]["properties"];
    for table in ["users", "entitlements", "locks", "tokens", "outbox"] {
        assert!(!obp[table].is_null(), "{table}");
    }
    let authress = &schema["properties"]["authress"]["properties"];
    for table in ["users", "tenants", "serviceClients"] {
        assert!(!authress[table].is_null(), "{table}");
    }
    // An export, with secrets and without, has every member the schema requires.
    check_required(schema, &export(&app).await, "");
    let plain: Value = app
        .get("/__admin/state")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    check_required(schema, &plain, "");
}

#[tokio::test]
async fn integers_written_as_floats_are_integers_in_a_state() {
    let app = spawn_app().await;
    let mut state = export(&app).await;
    let seed = state["seed"].as_u64().unwrap();
    state["seed"] = json!(seed as f64);
    state["clockMillis"] = json!(state["clockMillis"].as_i64().unwrap() as f64);
    state["finapi"]["deletedSeq"] = json!(2.0);
    let (status, body) =
        admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let back = export(&app).await;
    assert_eq!(back["seed"], json!(seed));
    assert_eq!(back["finapi"]["deletedSeq"], json!(2));
    // A fraction is no integer.
    state["seed"] = json!(42.5);
    let (status, _) =
        admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_obp_user_id_that_appears_twice_keeps_its_first_record() {
    let app = spawn_app().await;
    let mut state = export(&app).await;
    let users = state["obp"]["users"].as_array_mut().unwrap();
    let mut twin = users[0].clone();
    twin["username"] = json!("the.twin");
    twin["seq"] = json!(10_000);
    users.push(twin);
    let (status, body) =
        admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let users = export(&app).await["obp"]["users"].clone();
    let first = &state["obp"]["users"][0];
    let same: Vec<&Value> = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["user_id"] == first["user_id"])
        .collect();
    assert_eq!(same, vec![first]);
}

#[tokio::test]
async fn a_clock_outside_the_documented_range_is_refused_fixed_or_not() {
    let app = spawn_app().await;
    let mut state = export(&app).await;
    for fixed in [true, false] {
        state["clockFixed"] = json!(fixed);
        state["clockMillis"] = json!(3_162_240_000_000_001i64);
        let (status, _) =
            admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;
        assert_eq!(status, 400, "fixed: {fixed}");
        state["clockMillis"] = json!(3_162_240_000_000_000i64);
        let (status, body) =
            admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;
        assert_eq!(status, 200, "fixed: {fixed}: {body}");
    }
}

#[tokio::test]
async fn a_password_hash_outside_the_documented_pattern_is_refused() {
    let app = spawn_app().await;
    let mut state = export(&app).await;
    let hash = state["obp"]["users"][0]["password"]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    // The same parameters in another order: argon2 reads it, the pattern does not allow it.
    let reordered = hash.replace("m=8,t=1,p=1", "t=1,m=8,p=1");
    state["obp"]["users"][0]["password"]["hash"] = json!(reordered);
    let (status, _) =
        admin_json(app.put("/__admin/state").json(&state).send().await.unwrap()).await;
    assert_eq!(status, 400);
}
