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
/// `items`, keyed tables through `additionalProperties`).
fn check_required(schema: &Value, value: &Value, at: &str) {
    match value {
        Value::Object(members) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                assert!(members.contains_key(name), "{at} lacks {name}");
            }
            for (name, member) in members {
                let property = match &schema["properties"][name] {
                    Value::Null => &schema["additionalProperties"],
                    property => property,
                };
                assert!(property.is_object(), "{at}/{name} is not in the schema");
                check_required(property, member, &format!("{at}/{name}"));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_required(&schema["items"], item, &format!("{at}/{i}"));
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
    // Keyed tables are objects of records by key: no tuples (`prefixItems`), which
    // schemathesis 4.32 rewrites into Draft 4's `items: [..]` and then refuses.
    assert!(
        !serde_json::to_string(&doc).unwrap().contains("prefixItems"),
        "a tuple in the admin document"
    );
    let finapi_user =
        &schema["properties"]["finapi"]["properties"]["users"]["additionalProperties"];
    assert!(
        finapi_user["required"]
            .as_array()
            .unwrap()
            .contains(&json!("password"))
    );
    // A nullable date is `anyOf` a date or null: beside `"type": ["string", "null"]`,
    // schemathesis 4.32's coverage phase drew any text (`""`) for the format.
    assert_eq!(
        finapi_user["properties"]["last_active_on"],
        json!({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]})
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

/// The tables `user-sandbox-state/1` wrote as `[key, record]` pairs, per vendor.
const V1_PAIRS: &[(&str, &[&str])] = &[
    (
        "finapi",
        &[
            "users",
            "deleted",
            "tokens",
            "refreshTokens",
            "current",
            "passwordChanges",
        ],
    ),
    (
        "obp",
        &[
            "entitlements",
            "views",
            "attributes",
            "auth_contexts",
            "bad_logins",
            "locks",
            "tokens",
            "outbox",
        ],
    ),
];

/// `state` as a server of `user-sandbox-state/1` wrote it: keyed tables and OBP's documented
/// accounts as pairs.
fn as_format_1(state: &Value) -> Value {
    let mut old = state.clone();
    old["format"] = json!("user-sandbox-state/1");
    for (vendor, tables) in V1_PAIRS {
        for table in *tables {
            let rows: Vec<Value> = old[vendor][table]
                .as_object()
                .unwrap_or_else(|| panic!("{vendor}.{table} is not an object"))
                .iter()
                .map(|(key, record)| json!([key, record]))
                .collect();
            old[vendor][table] = json!(rows);
        }
    }
    let accounts: Vec<Value> = old["obp"]["fixture_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!([a["username"], a["note"]]))
        .collect();
    old["obp"]["fixture_accounts"] = json!(accounts);
    old
}

#[tokio::test]
async fn a_state_of_the_first_format_with_pairs_is_read_and_pairs_are_refused_in_the_second() {
    let app = spawn_app().await;
    // Issued tokens, so that the credential tables have rows too.
    crate::finapi::user_token(&app, crate::finapi::FELIX).await;
    crate::obp::login(&app, crate::obp::FELIX).await;
    let state = export(&app).await;
    assert_eq!(state["format"], "user-sandbox-state/2");
    assert!(!state["finapi"]["tokens"].as_object().unwrap().is_empty());
    assert!(!state["obp"]["tokens"].as_object().unwrap().is_empty());
    let old = as_format_1(&state);
    app.post("/__admin/reset").send().await.unwrap();

    let (status, body) =
        admin_json(app.put("/__admin/state").json(&old).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(export(&app).await, state);

    // The second format with the first's pairs (or any array for a keyed table) is refused,
    // and nothing changes.
    for (vendor, table) in [
        ("finapi", "users"),
        ("obp", "tokens"),
        ("finapi", "current"),
    ] {
        for rows in [old[vendor][table].clone(), json!([])] {
            let mut mixed = state.clone();
            mixed[vendor][table] = rows;
            let (status, body) =
                admin_json(app.put("/__admin/state").json(&mixed).send().await.unwrap()).await;
            assert_eq!(status, 400, "{vendor}.{table}: {body}");
        }
    }
    let mut mixed = state.clone();
    mixed["obp"]["fixture_accounts"] = old["obp"]["fixture_accounts"].clone();
    let (status, _) =
        admin_json(app.put("/__admin/state").json(&mixed).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(export(&app).await, state);
}

#[tokio::test]
async fn a_record_written_as_an_array_of_its_members_is_refused() {
    // serde's records also read `[member, member, ...]` in order; the schema says object.
    let app = spawn_app().await;
    let state = export(&app).await;
    let positional =
        |record: &Value| json!(record.as_object().unwrap().values().collect::<Vec<_>>());
    for (vendor, at) in [
        ("obp", vec!["config"]),
        ("obp", vec!["banks", "0"]),
        ("finapi", vec!["clients", "0"]),
        ("finapi", vec!["users", crate::finapi::FELIX.0]),
        ("authress", vec!["users", "0"]),
    ] {
        let mut bad = state.clone();
        let mut record = &mut bad[vendor];
        for step in &at {
            record = match step.parse::<usize>() {
                Ok(i) => &mut record[i],
                Err(_) => &mut record[*step],
            };
        }
        assert!(record.is_object(), "{vendor} {at:?}");
        *record = positional(record);
        let (status, body) =
            admin_json(app.put("/__admin/state").json(&bad).send().await.unwrap()).await;
        assert_eq!(status, 400, "{vendor} {at:?}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("an array"),
            "{body}"
        );
    }
    assert_eq!(export(&app).await, state);
}

#[tokio::test]
async fn an_integer_beyond_64_bits_is_refused_not_rounded_into_range() {
    // serde_json reads `-9223372036854775809` as the nearest f64, -2^63, which the float
    // leniency took for `i64::MIN`: a value below the documented minimum was accepted (and
    // changed). Written as an integer, it is refused; at the bound, it is the bound.
    let app = spawn_app().await;
    let mut state = export(&app).await;
    state["finapi"]["clients"][0]["refreshTokensValidityPeriod"] = json!("NUMBER");
    // A member the schema does not describe (a finAPI user is an open record) may hold any
    // number: the import ignores it.
    state["finapi"]["users"][crate::finapi::FELIX.0]["extra"] = json!("HUGE");
    let text = serde_json::to_string(&state)
        .unwrap()
        .replace("\"HUGE\"", "-342980602919370183090812204613632");
    for (number, expected) in [
        ("-9223372036854775809", 400),
        ("9223372036854775808", 400),
        ("-9223372036854775808", 200),
        ("-9.223372036854776e18", 200),
    ] {
        let body = text.replace("\"NUMBER\"", number);
        let (status, body) = admin_json(
            app.put("/__admin/state")
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, expected, "{number}: {body}");
        if expected == 200 {
            let back = export(&app).await;
            assert_eq!(
                back["finapi"]["clients"][0]["refreshTokensValidityPeriod"],
                json!(i64::MIN),
                "{number}"
            );
        }
    }
}
