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

/// `schema` or `null`: an `Option` member. A string with a `format` becomes
/// `anyOf: [schema, {"type": "null"}]` rather than `"type": ["string", "null"]`: schemathesis
/// 4.32's coverage phase draws any text for a `format` beside a list of types (its type-only
/// shortcut reads the format only when the type is the single `"string"`), so the `""` it
/// sent as a "valid" `date` was no date.
pub fn nullable(mut schema: Value) -> Value {
    if schema.get("format").is_some() {
        return json!({"anyOf": [schema, {"type": "null"}]});
    }
    if let Some(kind) = schema.get("type").cloned() {
        schema["type"] = json!([kind, "null"]);
    }
    schema
}

pub fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// A table of rows by key (`Vec<(String, V)>` through [`keyed`]): an object whose member names
/// are the keys and whose values are the records.
pub fn keyed(record: Value) -> Value {
    json!({"type": "object", "additionalProperties": record})
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

/// Serde for a table's rows `Vec<(String, V)>` as one JSON object `{key: record, ...}` in row
/// order (`#[serde(with = "keyed")]`). JSON names are unique, so a key comes once; of a name
/// written twice in a document, the JSON parser keeps the last.
pub mod keyed {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{MapAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, V: Serialize>(
        rows: &[(String, V)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(rows.iter().map(|(key, record)| (key, record)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Vec<(String, V)>, D::Error> {
        struct Rows<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Rows<V> {
            type Value = Vec<(String, V)>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of records by key")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut rows = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(row) = map.next_entry()? {
                    rows.push(row);
                }
                Ok(rows)
            }
        }
        deserializer.deserialize_map(Rows(PhantomData))
    }
}

/// Writing an export without a copy of its tables: each vendor serializes its records straight
/// into the output, a row at a time, in the order (and so the bytes) its snapshot types give.
pub mod rows {
    use std::cell::Cell;
    use std::hash::BuildHasher;
    use std::io::Write;

    use dashmap::DashMap;
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::{Serialize, Serializer};

    /// Rows `(key, record)` written as one JSON object `{key: record, ...}` in iteration order,
    /// as [`super::keyed`] writes a `Vec<(String, V)>`. The iterator is consumed by the one
    /// write: each row can be read (and cloned) as it is reached and dropped once written, so no
    /// lock is held while the output takes it.
    pub struct MapOf<I>(Cell<Option<I>>);

    impl<I> MapOf<I> {
        pub fn new(rows: I) -> Self {
            Self(Cell::new(Some(rows)))
        }
    }

    impl<I, K, V> Serialize for MapOf<I>
    where
        I: Iterator<Item = (K, V)>,
        K: Serialize,
        V: Serialize,
    {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(None)?;
            for (key, record) in self.0.take().into_iter().flatten() {
                map.serialize_entry(&key, &record)?;
            }
            map.end()
        }
    }

    /// Records written as one JSON array in iteration order; consumed like [`MapOf`].
    pub struct SeqOf<I>(Cell<Option<I>>);

    impl<I> SeqOf<I> {
        pub fn new(records: I) -> Self {
            Self(Cell::new(Some(records)))
        }
    }

    impl<I> Serialize for SeqOf<I>
    where
        I: Iterator,
        I::Item: Serialize,
    {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut seq = serializer.serialize_seq(None)?;
            for record in self.0.take().into_iter().flatten() {
                seq.serialize_element(&record)?;
            }
            seq.end()
        }
    }

    /// A map's rows in key order (as `table::sorted_entries` gives them), each cloned as it is
    /// reached: only the keys are copied up front. A row removed meanwhile is left out.
    pub fn sorted<'a, V: Clone, H: BuildHasher + Clone>(
        map: &'a DashMap<String, V, H>,
    ) -> impl Iterator<Item = (String, V)> + 'a {
        let mut keys: Vec<String> = map.iter().map(|row| row.key().clone()).collect();
        keys.sort_unstable();
        keys.into_iter().filter_map(|key| {
            map.get(&key)
                .map(|row| row.value().clone())
                .map(|v| (key, v))
        })
    }

    /// One JSON object written member by member to a byte stream: the frame of an export
    /// (`{"format": ..., "<vendor>": <part>, ...}`) whose members are written by others.
    /// Names and values are written by serde_json, so the bytes are those serde_json gives the
    /// same object.
    pub struct ObjectWriter<'a> {
        out: &'a mut dyn Write,
        first: bool,
    }

    impl<'a> ObjectWriter<'a> {
        pub fn start(out: &'a mut dyn Write) -> serde_json::Result<Self> {
            out.write_all(b"{").map_err(serde_json::Error::io)?;
            Ok(Self { out, first: true })
        }

        /// A member whose value `write` writes.
        pub fn member_with(
            &mut self,
            name: &str,
            write: impl FnOnce(&mut dyn Write) -> serde_json::Result<()>,
        ) -> serde_json::Result<()> {
            if !self.first {
                self.out.write_all(b",").map_err(serde_json::Error::io)?;
            }
            self.first = false;
            serde_json::to_writer(&mut *self.out, name)?;
            self.out.write_all(b":").map_err(serde_json::Error::io)?;
            write(&mut *self.out)
        }

        pub fn member<T: Serialize + ?Sized>(
            &mut self,
            name: &str,
            value: &T,
        ) -> serde_json::Result<()> {
            self.member_with(name, |out| serde_json::to_writer(out, value))
        }

        pub fn end(self) -> serde_json::Result<()> {
            self.out.write_all(b"}").map_err(serde_json::Error::io)
        }
    }
}

/// Rewrites the members `tables` of a vendor part written as `user-sandbox-state/1`, where a
/// keyed table was an array of `[key, record]` pairs, into the objects of the current format.
/// A member that is not such an array, or names a key twice, is left as it is (the import then
/// refuses it, as it refused a key twice in that format).
pub fn upgrade_pairs(part: &mut Value, tables: &[&str]) {
    for table in tables {
        let Some(member) = part.get_mut(*table) else {
            continue;
        };
        let Some(rows) = member.as_array() else {
            continue;
        };
        let pairs: Option<serde_json::Map<String, Value>> = rows
            .iter()
            .map(|row| match row.as_array().map(Vec::as_slice) {
                Some([Value::String(key), record]) => Some((key.clone(), record.clone())),
                _ => None,
            })
            .collect();
        if let Some(pairs) = pairs.filter(|pairs| pairs.len() == rows.len()) {
            *member = Value::Object(pairs);
        }
    }
}

/// Refuses an array wherever `schema` (a part's [`super::world::VendorKind::state_schema`])
/// does not allow one. serde's derived records also read a JSON array as their members in
/// order (`["a", true]` for `{"name": "a", "enabled": true}`), which the schema does not allow:
/// this check keeps the import to what the schema says. It walks `properties`,
/// `additionalProperties` and `items`; serde checks the rest.
pub fn check_arrays(schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    match value {
        Value::Array(items) => {
            let allowed = match &schema["type"] {
                Value::String(kind) => kind == "array",
                Value::Array(kinds) => kinds.iter().any(|k| k == "array"),
                _ => true,
            };
            if !allowed {
                return Err(format!(
                    "{at}: an array where the state has {}",
                    schema["type"]
                ));
            }
            for (i, item) in items.iter().enumerate() {
                check_arrays(&schema["items"], item, &format!("{at}[{i}]"))?;
            }
        }
        Value::Object(members) => {
            for (name, member) in members {
                let member_schema = match &schema["properties"][name] {
                    Value::Null => &schema["additionalProperties"],
                    property => property,
                };
                check_arrays(member_schema, member, &format!("{at}.{name}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Refuses a member the schema calls an `integer` that is written as an integer (no fraction,
/// no exponent) beyond both `i64` and `u64`. serde_json reads such a number as the nearest
/// `f64`, which the import's "integers written as floats" leniency would then take for an
/// integer in range: `-9223372036854775809` became `i64::MIN`, below the documented minimum.
/// A number written as a float keeps its float value, as JSON Schema validators compare it
/// (`-9.223372036854776e18` is `i64::MIN`). Members the schema does not describe (the extra
/// members open records ignore) are not looked at. Works on the text, before any number is
/// parsed; walks `properties`, `additionalProperties` and `items` like [`check_arrays`].
pub fn check_integers(
    schema: &Value,
    json: &serde_json::value::RawValue,
    at: &str,
) -> Result<(), String> {
    match walk(schema, json, at, false) {
        Ok(()) | Err(Found::NotPlain) => Ok(()),
        Err(Found::Refused(reason)) => Err(reason),
    }
}

/// [`check_integers`], and whether the text is *plain*: every member and item is one the
/// schema describes, no object names a member twice, and no array is where [`check_arrays`]
/// refuses one. Reading a plain text
/// straight into records (`World::import_text`) gives what reading it as a JSON value first
/// gives (a value keeps the last of a name written twice, where records refuse it or keep
/// both rows of a keyed table; records also read an array as their members in order), so the
/// import of a plain text needs no value of it. `Ok(false)`: not plain (the integers were
/// checked only up to where that showed).
pub fn check_plain(
    schema: &Value,
    json: &serde_json::value::RawValue,
    at: &str,
) -> Result<bool, String> {
    match walk(schema, json, at, true) {
        Ok(()) => Ok(true),
        Err(Found::NotPlain) => Ok(false),
        Err(Found::Refused(reason)) => Err(reason),
    }
}

/// What a walk of a state's text stopped at.
enum Found {
    /// An integer beyond 64 bits: the state is refused.
    Refused(String),
    /// A text that is not plain (looked for only when asked).
    NotPlain,
}

/// The walk of [`check_integers`] and [`check_plain`], over borrowed slices of the text (no
/// copy of a member is made).
fn walk(
    schema: &Value,
    json: &serde_json::value::RawValue,
    at: &str,
    plain: bool,
) -> Result<(), Found> {
    let text = json.get().trim_start();
    let parse_error = |e: serde_json::Error| Found::Refused(format!("{at}: {e}"));
    let allows = |kind: &str| match &schema["type"] {
        Value::String(k) => k == kind,
        Value::Array(kinds) => kinds.iter().any(|k| k == kind),
        _ => false,
    };
    match text.as_bytes().first() {
        Some(b'{') => {
            let mut reader = serde_json::Deserializer::from_str(text);
            let members: Vec<(String, &serde_json::value::RawValue)> =
                keyed::deserialize(&mut reader).map_err(parse_error)?;
            if plain && members.len() > 1 {
                let mut names = std::collections::HashSet::with_capacity(members.len());
                if !members.iter().all(|(name, _)| names.insert(name.as_str())) {
                    return Err(Found::NotPlain);
                }
            }
            for (name, member) in &members {
                let member_schema = match &schema["properties"][name] {
                    Value::Null => &schema["additionalProperties"],
                    property => property,
                };
                if member_schema.is_object() {
                    walk(member_schema, member, &format!("{at}.{name}"), plain)?;
                } else if plain {
                    // Records skip a member they do not know without reading it closely, where
                    // a value refuses some (`1e400`).
                    return Err(Found::NotPlain);
                }
            }
        }
        Some(b'[') => {
            // Where `check_arrays` finds no "type" it allows an array.
            if plain
                && ((schema["type"] != Value::Null && !allows("array"))
                    || !schema["items"].is_object())
            {
                return Err(Found::NotPlain);
            }
            if schema["items"].is_object() {
                let items: Vec<&serde_json::value::RawValue> =
                    serde_json::from_str(text).map_err(parse_error)?;
                for (i, item) in items.iter().enumerate() {
                    walk(&schema["items"], item, &format!("{at}[{i}]"), plain)?;
                }
            }
        }
        Some(b'-' | b'0'..=b'9') => {
            let number = text.trim_end();
            if allows("integer")
                && !number.contains(['.', 'e', 'E'])
                && number.parse::<i64>().is_err()
                && number.parse::<u64>().is_err()
            {
                return Err(Found::Refused(format!(
                    "{at}: the integer {number} is out of range (beyond 64 bits)"
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_64_bits_are_refused_where_the_schema_has_an_integer() {
        let schema = object(
            vec![
                ("n", i64()),
                ("rows", keyed(record(vec![("count", u64())], &[], false))),
                ("list", array(u32())),
            ],
            &[],
            false,
        );
        let check = |json: &str| {
            let raw = serde_json::value::RawValue::from_string(json.to_string()).unwrap();
            check_integers(&schema, &raw, "part")
        };
        for json in [
            r#"{"n": -9223372036854775808, "rows": {"a": {"count": 18446744073709551615}}}"#,
            r#"{"n": -9.223372036854776e18, "list": [1e30, 42.0]}"#,
            // Members the schema does not describe are ignored by the import.
            r#"{"other": -9223372036854775809, "rows": {"a": {"x": 1e999, "y": 99999999999999999999}}}"#,
            r#"{"n": "99999999999999999999", "99999999999999999999": 0}"#,
        ] {
            assert_eq!(check(json), Ok(()), "{json}");
        }
        for (json, at) in [
            (r#"{"n": -9223372036854775809}"#, "part.n"),
            (
                r#"{"rows": {"a": {"count": 18446744073709551616}}}"#,
                "part.rows.a.count",
            ),
            (r#"{"list": [1, 2, 300000000000000000000]}"#, "part.list[2]"),
        ] {
            let err = check(json).unwrap_err();
            assert!(err.starts_with(&format!("{at}: ")), "{json}: {err}");
        }
    }

    #[test]
    fn a_text_is_plain_when_records_read_it_as_a_value_would() {
        let schema = object(
            vec![
                ("n", u64()),
                ("rows", keyed(record(vec![("a", string())], &[], false))),
                ("list", array(u32())),
            ],
            &[],
            true,
        );
        let check = |json: &str| {
            let raw = serde_json::value::RawValue::from_string(json.to_string()).unwrap();
            check_plain(&schema, &raw, "part")
        };
        assert_eq!(
            check(r#"{"n": 1, "rows": {"k": {"a": "x"}, "l": {"a": "y"}}, "list": [1, 2]}"#),
            Ok(true)
        );
        for json in [
            // A name twice, in a keyed table or a record.
            r#"{"rows": {"k": {"a": "x"}, "k": {"a": "y"}}}"#,
            r#"{"rows": {"k": {"a": "x", "a": "y"}}}"#,
            // A record as an array, or a table as pairs.
            r#"{"rows": {"k": ["x"]}}"#,
            r#"{"rows": [["k", {"a": "x"}]]}"#,
            // A member the schema does not describe, whatever it holds.
            r#"{"rows": {"k": {"a": "x", "b": 1e400}}}"#,
            r#"{"other": 1}"#,
        ] {
            assert_eq!(check(json), Ok(false), "{json}");
        }
        let err = check(r#"{"n": 18446744073709551616}"#).unwrap_err();
        assert!(err.starts_with("part.n: "), "{err}");
    }

    #[test]
    fn arrays_are_refused_only_where_the_schema_has_no_array() {
        let schema = object(
            vec![
                ("rows", keyed(record(vec![("a", string())], &[], true))),
                ("list", array(string())),
                ("password", password()),
            ],
            &[],
            true,
        );
        let ok = json!({"rows": {"k": {"a": "x"}}, "list": ["x"], "password": "plain"});
        assert_eq!(check_arrays(&schema, &ok, "part"), Ok(()));
        for (bad, at) in [
            (json!({"rows": {"k": ["x"]}}), "part.rows.k"),
            (json!({"rows": [["k", {"a": "x"}]]}), "part.rows"),
            (json!({"password": ["x", 3]}), "part.password"),
            (json!([1]), "part"),
        ] {
            let err = check_arrays(&schema, &bad, "part").unwrap_err();
            assert!(err.starts_with(&format!("{at}: ")), "{bad}: {err}");
        }
    }

    #[test]
    fn pairs_of_the_first_format_become_objects_unless_a_key_repeats() {
        let mut part = json!({
            "users": [["a", {"id": "A"}], ["b", {"id": "B"}]],
            "twice": [["a", 1], ["a", 2]],
            "empty": [],
            "other": [1, 2],
        });
        upgrade_pairs(&mut part, &["users", "twice", "empty", "absent"]);
        assert_eq!(
            part,
            json!({
                "users": {"a": {"id": "A"}, "b": {"id": "B"}},
                "twice": [["a", 1], ["a", 2]],
                "empty": {},
                "other": [1, 2],
            })
        );
    }
}
