//! JSON Schema pieces of the export format (`GET`/`PUT /__admin/state`): each vendor states its
//! part with these, and [`super::world::state_schema`] puts the parts together. They say what
//! the import's serde types read: `Option` members may be absent or `null`, records with
//! `deny_unknown_fields` are closed, integers carry their Rust type's range.

use serde_json::{Value, json};

pub fn string() -> Value {
    json!({"type": "string"})
}

pub fn boolean() -> Value {
    json!({"type": "boolean"})
}

pub fn u32() -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": u32::MAX})
}

pub fn u64() -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": u64::MAX})
}

pub fn i64() -> Value {
    json!({"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX})
}

/// A calendar date, `YYYY-MM-DD` (chrono's `NaiveDate`).
pub fn date() -> Value {
    json!({"type": "string", "format": "date"})
}

/// An RFC 3339 date-time (chrono's `DateTime<Utc>`).
pub fn date_time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

/// `schema` or `null`: an `Option` member.
pub fn nullable(mut schema: Value) -> Value {
    if let Some(kind) = schema.get("type").cloned() {
        schema["type"] = json!([kind, "null"]);
    }
    schema
}

pub fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// A `(a, b)` tuple: a two-element array.
pub fn pair(a: Value, b: Value) -> Value {
    json!({"type": "array", "prefixItems": [a, b], "items": false, "minItems": 2, "maxItems": 2})
}

/// An object with these members; `required` lists those that must be present. `closed`: the
/// record refuses unknown members (`deny_unknown_fields`).
pub fn object(members: Vec<(&str, Value)>, required: &[&str], closed: bool) -> Value {
    let properties: serde_json::Map<String, Value> = members
        .into_iter()
        .map(|(name, schema)| (name.to_string(), schema))
        .collect();
    let mut schema = json!({"type": "object", "properties": properties, "required": required});
    if closed {
        schema["additionalProperties"] = json!(false);
    }
    schema
}

/// An object whose members are all required except the `Option` ones named in `optional`.
pub fn record(members: Vec<(&str, Value)>, optional: &[&str], closed: bool) -> Value {
    let required: Vec<&str> = members
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !optional.contains(name))
        .collect();
    object(members, &required, closed)
}

/// A stored password ([`super::Password`]): `{"hash": "<argon2id PHC>" or null, "chars": n}`,
/// or a plain password (files written before passwords were hashed), hashed on import.
pub fn password() -> Value {
    json!({
        "type": ["object", "string"],
        "description": "`{\"hash\": \"$argon2id$v=19$m=8,t=1,p=1$<salt>$<hash>\", \"chars\": n}`, `{\"hash\": null, \"chars\": n}` for a password no one knows, or a plain password string (hashed on import).",
        "properties": {
            "hash": {"type": ["string", "null"], "pattern": super::secret::PHC_PATTERN},
            "chars": u32(),
        },
        "required": ["hash", "chars"],
        "additionalProperties": false,
    })
}
