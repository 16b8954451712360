//! Our OpenAPI documents against the vendors' own contracts.
//!
//! `tests/fidelity/vendor/<vendor>.json` is a trimmed extract of the facts of each vendor's
//! published document for the seed operations (see `tests/fidelity/vendor/README.md`). For those
//! operations our committed `openapi/<vendor>.json` must be a faithful subset of it:
//! - the same paths, methods and operationIds, and the vendor's success statuses;
//! - no parameter, status code, media type, schema field or `null` the vendor does not document;
//! - every parameter and field the vendor requires, required in ours too;
//! - wherever both describe the same thing: the same `in`, type, format, pattern, default and
//!   schema name, and enums and bounds no wider than the vendor's (ours may be narrower, e.g. the
//!   error codes the sandbox can produce, or a length the vendor states only in prose).
//!
//! Every difference must be listed, with its reason, in `docs/fidelity.md` as a line
//! `- contract: <vendor> <location>: <reason>`, and every listed one must still exist.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

const VENDORS: [&str; 3] = ["finapi", "obp", "authress"];

/// The schema keywords compared one to one (after folding OpenAPI 3.1's `type: [T, "null"]` and
/// `oneOf: [{type: null}, X]` into 3.0's `nullable`).
const KEYWORDS: [&str; 12] = [
    "format",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "default",
];

/// A schema with references resolved and nullability made explicit.
#[derive(Default)]
struct Norm<'a> {
    /// The component name this schema was reached through, if any.
    name: Option<String>,
    ty: Option<String>,
    nullable: bool,
    keywords: BTreeMap<&'static str, Value>,
    properties: Vec<(&'a str, &'a Value)>,
    required: BTreeSet<&'a str>,
    items: Option<&'a Value>,
}

/// One side of the comparison: where its `$ref`s point.
#[derive(Clone, Copy)]
struct Side<'a> {
    schemas: &'a Value,
    /// `#/components/schemas/` in an OpenAPI document; empty in an extract.
    prefix: &'static str,
}

impl<'a> Side<'a> {
    fn lookup(&self, reference: &str) -> (String, &'a Value) {
        let name = reference
            .strip_prefix(self.prefix)
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        let schema = self
            .schemas
            .get(name)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"));
        (name.to_string(), schema)
    }

    fn norm(&self, schema: &'a Value) -> Norm<'a> {
        let mut n = Norm::default();
        self.fold(schema, &mut n, 0);
        if let Some(Value::Array(values)) = n.keywords.get_mut("enum") {
            values.retain(|v| !v.is_null());
            values.sort_by_key(|v| v.to_string());
        }
        if n.ty.is_none() && !n.properties.is_empty() {
            n.ty = Some("object".into());
        }
        n
    }

    fn fold(&self, schema: &'a Value, n: &mut Norm<'a>, depth: usize) {
        assert!(depth < 16, "schema nesting too deep: {schema}");
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let (name, target) = self.lookup(reference);
            n.name.get_or_insert(name);
            self.fold(target, n, depth + 1);
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if part.get("type").and_then(Value::as_str) == Some("null") {
                    n.nullable = true;
                } else {
                    self.fold(part, n, depth + 1);
                }
            }
        }
        match schema.get("type") {
            Some(Value::String(t)) => n.ty = Some(t.clone()),
            Some(Value::Array(types)) => {
                for t in types.iter().filter_map(Value::as_str) {
                    if t == "null" {
                        n.nullable = true;
                    } else {
                        n.ty = Some(t.to_string());
                    }
                }
            }
            _ => {}
        }
        if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
            n.nullable = true;
        }
        for key in KEYWORDS {
            if let Some(value) = schema.get(key) {
                n.keywords.insert(key, value.clone());
            }
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            // Parts of an `allOf`/`anyOf` all apply: a property another part already defines
            // (an `anyOf` requiring it non-null) is at least as narrow as that first definition.
            for (k, v) in properties {
                if !n.properties.iter().any(|(name, _)| *name == k.as_str()) {
                    n.properties.push((k.as_str(), v));
                }
            }
        }
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            n.required.extend(r.as_str());
        }
        if let Some(items) = schema.get("items") {
            n.items = Some(items);
        }
    }
}

struct Comparison<'a> {
    vendor: &'static str,
    ours: Side<'a>,
    theirs: Side<'a>,
    /// Pairs of named schemas already compared (each is reported once, under its vendor name).
    seen: BTreeSet<(String, String)>,
    differences: BTreeMap<String, String>,
}

static NULL: Value = Value::Null;

/// The members of an object (none for anything else).
fn members(v: Option<&Value>) -> BTreeMap<&str, &Value> {
    v.and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
        .collect()
}

/// Whether our value of a keyword allows no more than the vendor's: a lower bound at least the
/// vendor's, an upper bound at most, an enum within the vendor's, the same pattern and format
/// (ours may add them where the vendor has none) and the same default (both ways: a default is
/// behaviour a client relies on).
fn narrower_or_equal(key: &str, ours: Option<&Value>, theirs: Option<&Value>) -> bool {
    let (o, t) = match (ours, theirs) {
        (_, None) => return key != "default" || ours.is_none(),
        (None, Some(_)) => return false,
        (Some(o), Some(t)) => (o, t),
    };
    match key {
        "minimum" | "exclusiveMinimum" | "minLength" | "minItems" => {
            o.as_f64().zip(t.as_f64()).is_some_and(|(o, t)| o >= t)
        }
        "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" => {
            o.as_f64().zip(t.as_f64()).is_some_and(|(o, t)| o <= t)
        }
        "enum" => {
            let theirs = t.as_array().into_iter().flatten().collect::<Vec<_>>();
            o.as_array()
                .into_iter()
                .flatten()
                .all(|v| theirs.contains(&v))
        }
        // JSON Schema patterns are unanchored, yet the vendors mean them as whole-value
        // matches; an anchored copy states the same rule.
        "pattern" => {
            let bare = |v: &Value| {
                let p = v.as_str().unwrap_or_default();
                let p = p.strip_prefix('^').unwrap_or(p);
                p.strip_suffix('$').unwrap_or(p).to_string()
            };
            bare(o) == bare(t)
        }
        _ => o == t,
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "none".to_string(), Value::to_string)
}

impl<'a> Comparison<'a> {
    fn differ(&mut self, location: String, what: String) {
        self.differences
            .insert(format!("{} {location}", self.vendor), what);
    }

    fn schema(&mut self, location: &str, ours: &'a Value, theirs: &'a Value) {
        let o = self.ours.norm(ours);
        let t = self.theirs.norm(theirs);
        let location = match (&o.name, &t.name) {
            (Some(on), Some(tn)) => {
                if on != tn {
                    self.differ(
                        format!("schemas/{tn}"),
                        format!("ours is named {on}, the vendor's {tn}"),
                    );
                }
                if !self.seen.insert((on.clone(), tn.clone())) {
                    return;
                }
                format!("schemas/{tn}")
            }
            _ => location.to_string(),
        };
        if o.ty != t.ty {
            self.differ(
                format!("{location}/type"),
                format!("ours {:?}, vendor {:?}", o.ty, t.ty),
            );
        }
        if o.nullable && !t.nullable {
            self.differ(
                format!("{location}/nullable"),
                "null allowed in ours only".into(),
            );
        }
        for key in KEYWORDS {
            let (ov, tv) = (o.keywords.get(key), t.keywords.get(key));
            if !narrower_or_equal(key, ov, tv) {
                self.differ(
                    format!("{location}/{key}"),
                    format!("ours {}, vendor {}", show(ov), show(tv)),
                );
            }
        }
        let theirs_props: BTreeMap<&str, &Value> = t.properties.iter().copied().collect();
        let ours_props: BTreeSet<&str> = o.properties.iter().map(|(k, _)| *k).collect();
        for (name, ours_prop) in &o.properties {
            let at = format!("{location}/properties/{name}");
            match theirs_props.get(name) {
                None => self.differ(at, "only in ours".into()),
                Some(theirs_prop) => {
                    if t.required.contains(name) && !o.required.contains(name) {
                        self.differ(
                            format!("{location}/required/{name}"),
                            "required by the vendor, optional in ours".into(),
                        );
                    }
                    self.schema(&at, ours_prop, theirs_prop);
                }
            }
        }
        let lacking: Vec<&str> = t
            .required
            .iter()
            .copied()
            .filter(|name| !ours_props.contains(name))
            .collect();
        if !lacking.is_empty() {
            self.differ(
                format!("{location}/properties"),
                format!("ours lacks the vendor's required {}", lacking.join(", ")),
            );
        }
        match (o.items, t.items) {
            (Some(oi), Some(ti)) => self.schema(&format!("{location}/items"), oi, ti),
            (None, None) => {}
            (oi, ti) => self.differ(
                format!("{location}/items"),
                format!("ours {}, vendor {}", oi.is_some(), ti.is_some()),
            ),
        }
    }

    /// Media type → schema; our documents nest the schema under `schema`, the extracts do not.
    fn content(&mut self, location: &str, ours: Option<&'a Value>, theirs: Option<&'a Value>) {
        let ours = members(ours);
        let theirs = members(theirs);
        for (media, o) in &ours {
            match theirs.get(media) {
                None => self.differ(format!("{location}/{media}"), "only in ours".into()),
                Some(t) => {
                    if let Some(o) = o.get("schema") {
                        self.schema(&format!("{location}/{media}"), o, t);
                    }
                }
            }
        }
        for media in theirs.keys().filter(|m| !ours.contains_key(*m)) {
            self.differ(
                format!("{location}/{media}"),
                "the vendor's, missing from ours".into(),
            );
        }
    }

    fn operation(&mut self, key: &str, ours_doc: &'a Value, theirs: &'a Value) {
        let (method, path) = key.split_once(' ').expect("`METHOD /path`");
        let Some(ours) = ours_doc["paths"]
            .get(path)
            .and_then(|item| item.get(method.to_lowercase()))
        else {
            self.differ(key.to_string(), "operation missing from ours".into());
            return;
        };
        if ours["operationId"] != theirs["operationId"] {
            self.differ(
                format!("{key} operationId"),
                format!(
                    "ours {}, vendor {}",
                    ours["operationId"], theirs["operationId"]
                ),
            );
        }
        self.parameters(key, ours_doc, ours, theirs);

        match (ours.get("requestBody"), theirs.get("requestBody")) {
            (None, None) => {}
            (Some(_), None) => self.differ(format!("{key} requestBody"), "only in ours".into()),
            (None, Some(_)) => self.differ(
                format!("{key} requestBody"),
                "the vendor's, missing from ours".into(),
            ),
            (Some(o), Some(t)) => {
                let required = |b: &Value| b.get("required").and_then(Value::as_bool);
                if required(o).unwrap_or(false) != required(t).unwrap_or(false) {
                    self.differ(
                        format!("{key} requestBody/required"),
                        format!("ours {:?}, vendor {:?}", required(o), required(t)),
                    );
                }
                self.content(
                    &format!("{key} requestBody"),
                    o.get("content"),
                    t.get("content"),
                );
            }
        }

        let ours_responses = members(ours.get("responses"));
        let theirs_responses = members(theirs.get("responses"));
        for (status, o) in &ours_responses {
            match theirs_responses.get(status) {
                None => self.differ(
                    format!("{key} responses/{status}"),
                    "status only in ours".into(),
                ),
                Some(t) => self.content(
                    &format!("{key} responses/{status}"),
                    o.get("content"),
                    t.get("content"),
                ),
            }
        }
        for status in theirs_responses.keys() {
            if status.starts_with('2') && !ours_responses.contains_key(status) {
                self.differ(
                    format!("{key} responses/{status}"),
                    "the vendor's success status, missing from ours".into(),
                );
            }
        }
    }

    fn parameters(&mut self, key: &str, ours_doc: &'a Value, ours: &'a Value, theirs: &'a Value) {
        // Header names are case-insensitive.
        let id = |p: &Value| {
            let name = p["name"].as_str().unwrap_or_default();
            let place = p["in"].as_str().unwrap_or_default();
            let name = if place == "header" {
                name.to_ascii_lowercase()
            } else {
                name.to_string()
            };
            (place.to_string(), name)
        };
        let resolve = |p: &'a Value| -> &'a Value {
            match p.get("$ref").and_then(Value::as_str) {
                Some(r) => ours_doc
                    .pointer(r.trim_start_matches('#'))
                    .unwrap_or_else(|| panic!("dangling $ref {r}")),
                None => p,
            }
        };
        let path_level = ours_doc["paths"][key.split_once(' ').unwrap().1]
            .get("parameters")
            .and_then(Value::as_array);
        let ours_params: Vec<&Value> = path_level
            .into_iter()
            .flatten()
            .chain(
                ours.get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
            .map(resolve)
            .collect();
        let theirs_params: BTreeMap<(String, String), &Value> = theirs["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| (id(p), p))
            .collect();
        let mut matched = BTreeSet::new();
        for o in ours_params {
            let (place, name) = id(o);
            let at = format!(
                "{key} parameters/{place}/{}",
                o["name"].as_str().unwrap_or("")
            );
            let Some(t) = theirs_params.get(&(place.clone(), name.clone())) else {
                self.differ(at, "parameter only in ours".into());
                continue;
            };
            matched.insert((place, name));
            let required = |p: &Value| p.get("required").and_then(Value::as_bool) == Some(true);
            if required(o) != required(t) {
                self.differ(
                    format!("{at}/required"),
                    format!("ours {}, vendor {}", required(o), required(t)),
                );
            }
            self.schema(
                &format!("{at}/schema"),
                o.get("schema").unwrap_or(&NULL),
                t.get("schema").unwrap_or(&NULL),
            );
        }
        for (id, t) in &theirs_params {
            if t["required"] == Value::Bool(true) && !matched.contains(id) {
                self.differ(
                    format!(
                        "{key} parameters/{}/{}",
                        id.0,
                        t["name"].as_str().unwrap_or("")
                    ),
                    "required by the vendor, missing from ours".into(),
                );
            }
        }
    }
}

fn read_json(relative: &str) -> Value {
    let path = format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The differences of one vendor's document from its extract: location → what differs.
fn differences(vendor: &'static str) -> BTreeMap<String, String> {
    let ours = read_json(&format!("openapi/{vendor}.json"));
    let theirs = read_json(&format!("tests/fidelity/vendor/{vendor}.json"));
    assert_eq!(theirs["vendor"], vendor, "extract of the wrong vendor");
    let mut c = Comparison {
        vendor,
        ours: Side {
            schemas: ours.pointer("/components/schemas").unwrap_or(&NULL),
            prefix: "#/components/schemas/",
        },
        theirs: Side {
            schemas: &theirs["schemas"],
            prefix: "",
        },
        seen: BTreeSet::new(),
        differences: BTreeMap::new(),
    };
    let operations = theirs["operations"]
        .as_object()
        .expect("an extract lists operations");
    assert!(!operations.is_empty(), "{vendor}: the extract is empty");
    for (key, operation) in operations {
        c.operation(key, &ours, operation);
    }
    c.differences
}

/// `- contract: <vendor> <location>: <reason>` lines of `docs/fidelity.md`: location → reason.
fn listed() -> BTreeMap<String, String> {
    let path = format!("{}/docs/fidelity.md", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut listed = BTreeMap::new();
    for line in text.lines() {
        let Some(entry) = line.strip_prefix("- contract: ") else {
            continue;
        };
        let (location, reason) = entry
            .split_once(": ")
            .unwrap_or_else(|| panic!("no reason in `{line}`"));
        assert!(
            !reason.trim().is_empty(),
            "a listed difference needs its reason: `{line}`"
        );
        let location = location.trim_matches('`').to_string();
        assert!(
            listed
                .insert(location.clone(), reason.to_string())
                .is_none(),
            "`{location}` is listed twice"
        );
    }
    listed
}

#[test]
fn our_documents_are_faithful_subsets_of_the_vendors_contracts() {
    let listed = listed();
    let mut unlisted = Vec::new();
    let mut found = BTreeSet::new();
    for vendor in VENDORS {
        for (location, what) in differences(vendor) {
            if !listed.contains_key(&location) {
                unlisted.push(format!("- contract: {location}: <reason> ({what})"));
            }
            found.insert(location);
        }
    }
    let stale: Vec<&String> = listed.keys().filter(|l| !found.contains(*l)).collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "differences from the vendors' contracts that docs/fidelity.md does not list (fix them \
         or list them with their reason):\n{}\nlisted differences that no longer exist (remove \
         them):\n{}",
        unlisted.join("\n"),
        stale
            .iter()
            .map(|l| format!("- contract: {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_changed_field_type_is_a_difference() {
    // The comparison itself: a vendor field whose type we get wrong must be reported.
    let ours = serde_json::json!({"components": {"schemas": {
        "User": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer"}, "email": {"type": ["string", "null"]}}}}}});
    let theirs = serde_json::json!({"User": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}, "email": {"type": "string", "nullable": true},
        "phone": {"type": "string"}}}});
    let mut c = Comparison {
        vendor: "test",
        ours: Side {
            schemas: &ours["components"]["schemas"],
            prefix: "#/components/schemas/",
        },
        theirs: Side {
            schemas: &theirs,
            prefix: "",
        },
        seen: BTreeSet::new(),
        differences: BTreeMap::new(),
    };
    let (o, t) = (
        serde_json::json!({"$ref": "#/components/schemas/User"}),
        serde_json::json!({"$ref": "User"}),
    );
    c.schema("x", &o, &t);
    let found: Vec<&String> = c.differences.keys().collect();
    assert_eq!(found, ["test schemas/User/properties/id/type"]);
}
