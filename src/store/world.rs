//! `World`: the whole state of one sandbox — the clock, the id generator and one part per vendor.
//! The store knows no vendor: each vendor implements [`VendorKind`] (how its part is seeded and
//! imported) and [`VendorState`] (its part), and the list of kinds a world is built from arrives
//! with the seed plan. Vendors never read each other's parts. Reset and reseed build a new
//! `World` and swap it in whole.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::seed::{Fixtures, Person, SeedPlan, fixtures::FixtureError, population};

use super::{Clock, Ids};

/// Whether an export carries the credentials the sandbox issued (access, refresh and login
/// tokens, password change tokens, one-time passwords). `GET /__admin/state` leaves them out
/// unless asked (`?secrets=true`); the state file and checkpoints keep them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    Include,
    Omit,
}

/// One vendor's part of a world: the tables that vendor owns.
pub trait VendorState: Any + Send + Sync + Debug {
    /// Writes the part as JSON to `out`, for `GET /__admin/state`, the state file and
    /// checkpoints; with [`Secrets::Omit`] no issued credential appears in it. Records go
    /// straight from the tables into the output (see [`super::state_schema::rows`]): no copy
    /// of the part, as records or as a JSON value, is made first.
    fn export(&self, secrets: Secrets, out: &mut dyn std::io::Write) -> serde_json::Result<()>;
}

/// How a world gets one vendor's part.
pub trait VendorKind: Send + Sync + Debug {
    /// The vendor's name: its key in exported states and its fixture file (`<name>.json`).
    fn name(&self) -> &'static str;
    /// The vendor's default fixture file, embedded in the binary.
    fn embedded_fixtures(&self) -> &'static str;
    /// The seeded part: fixture records first, then the population projected into the vendor.
    fn seed(
        &self,
        fixtures: &Fixtures,
        people: &[Person],
        clock: &Clock,
    ) -> Result<Box<dyn VendorState>, FixtureError>;
    /// The JSON Schema of the part as `export` writes it and `import` reads it.
    fn state_schema(&self) -> serde_json::Value {
        serde_json::json!({})
    }
    /// The part from its export.
    fn import(&self, state: serde_json::Value) -> Result<Box<dyn VendorState>, String>;
    /// The part from its export's JSON text (in the current format). By default the text is
    /// parsed into a value first; a vendor with many records reads them straight from the text.
    fn import_text(&self, json: &str) -> Result<Box<dyn VendorState>, String> {
        self.import(serde_json::from_str(json).map_err(|e| format!("{}: {e}", self.name()))?)
    }
    /// The part as written by [`STATE_FORMAT_1`], rewritten into the current format (where
    /// that format wrote keyed tables as `[key, record]` pairs); nothing changes by default.
    fn upgrade_from_1(&self, _state: &mut serde_json::Value) {}
}

/// The vendors a world is made of, in registry order.
pub type Kinds = Arc<[&'static dyn VendorKind]>;

#[derive(Debug)]
struct Part {
    name: &'static str,
    state: Box<dyn VendorState>,
}

#[derive(Debug)]
pub struct World {
    pub clock: Clock,
    pub ids: Ids,
    parts: Vec<Part>,
}

/// Freeing a world of many people takes seconds (a million people are tens of millions of
/// allocations). Whoever lets go of a world last — often a request that was reading it when a
/// reset, reseed or import replaced it, on a server worker thread — hands its vendors' parts to a
/// thread of their own to free, so no worker stalls (a stalled worker answers nothing, then cuts
/// its next requests with 408s).
impl Drop for World {
    fn drop(&mut self) {
        let parts = std::mem::take(&mut self.parts);
        if parts.is_empty() {
            return;
        }
        let freed = std::thread::Builder::new()
            .name("world-drop".into())
            .spawn(move || drop(parts));
        // No thread to be had: free them here.
        if let Err(e) = freed {
            tracing::warn!("freeing a world on the thread that dropped it: {e}");
        }
    }
}

/// The version tag of exported states; an import of another format is refused, except
/// [`STATE_FORMAT_1`], which is upgraded on import.
pub const STATE_FORMAT: &str = "user-sandbox-state/2";

/// The first format: the same members, but every table keyed by a string was an array of
/// `[key, record]` pairs (tuples), which `/2` writes as an object `{key: record}`. State files,
/// checkpoints and exports written in it are still read (each vendor's
/// [`VendorKind::upgrade_from_1`] rewrites its pairs); only `/2` is written.
pub const STATE_FORMAT_1: &str = "user-sandbox-state/1";

/// Whether `format` is a state format this server reads.
pub fn readable_format(format: &str) -> bool {
    format == STATE_FORMAT || format == STATE_FORMAT_1
}

/// A whole world as JSON (`GET /__admin/state`, the state file, checkpoints).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorldState {
    pub format: String,
    pub seed: u64,
    /// Whether the clock is fixed, and its time (fixed) or offset from system time, in ms.
    pub clock_fixed: bool,
    pub clock_millis: i64,
    /// Draw counters of the id generator, per purpose.
    pub ids: Vec<u64>,
    /// One member per vendor, named after it, in registry order.
    #[serde(flatten)]
    pub vendors: serde_json::Map<String, serde_json::Value>,
}

impl World {
    /// Builds the seeded world of a sandbox (`None` = default): the same plan and sandbox name
    /// always give the same world.
    pub fn build(plan: &SeedPlan, sandbox: Option<&str>) -> Result<Self, FixtureError> {
        let clock = Clock::new(plan.clock);
        let ids = Ids::for_sandbox(plan.seed, sandbox);
        let people = population(plan, clock.now());
        // Each vendor's part depends only on the plan and the people, so the parts are seeded
        // side by side and come out the same as one after the other.
        let (people_ref, clock_ref) = (&people, &clock);
        let parts = std::thread::scope(|s| {
            let seeds: Vec<_> = plan
                .vendors
                .iter()
                .map(|kind| s.spawn(move || kind.seed(&plan.fixtures, people_ref, clock_ref)))
                .collect();
            plan.vendors
                .iter()
                .zip(seeds)
                .map(|(kind, seed)| {
                    let state = seed
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                    Ok(Part {
                        name: kind.name(),
                        state,
                    })
                })
                .collect::<Result<_, FixtureError>>()
        })?;
        // The vendors keep their own copies: the people (millions of strings) are freed
        // meanwhile on a thread of their own, as a dropped world is.
        if let Err(e) = std::thread::Builder::new()
            .name("people-drop".into())
            .spawn(move || drop(people))
        {
            tracing::warn!("freeing the seeded people on the thread that made them: {e}");
        }
        Ok(Self { clock, ids, parts })
    }

    /// The part of the vendor whose state type is `T`.
    ///
    /// # Panics
    /// When no vendor of the world has that type: a vendor's code runs only in worlds built
    /// from the registry that lists it.
    pub fn part<T: VendorState>(&self) -> &T {
        self.parts
            .iter()
            .find_map(|p| (p.state.as_ref() as &dyn Any).downcast_ref::<T>())
            .expect("the vendor is registered in every world")
    }

    /// Writes the world's export (a [`WorldState`] as JSON) to `out`, each vendor's records
    /// straight from its tables: at a million people the text is about 1 GB, and a JSON value
    /// of it took about 8 GiB. The clock and the id counters are read first, then each part in
    /// registry order, each row as it is reached (as the exports built whole did).
    pub fn export(&self, secrets: Secrets, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        let (clock_fixed, clock_millis) = self.clock.raw();
        let mut state = super::state_schema::rows::ObjectWriter::start(out)?;
        state.member("format", STATE_FORMAT)?;
        state.member("seed", &self.ids.seed())?;
        state.member("clockFixed", &clock_fixed)?;
        state.member("clockMillis", &clock_millis)?;
        state.member("ids", &self.ids.counters())?;
        for part in &self.parts {
            state.member_with(part.name, |out| part.state.export(secrets, out))?;
        }
        state.end()
    }

    /// The world's export as one JSON text (checkpoints keep theirs in memory).
    pub fn export_text(&self, secrets: Secrets) -> serde_json::Result<String> {
        let mut json = Vec::new();
        self.export(secrets, &mut json)?;
        String::from_utf8(json).map_err(|e| serde_json::Error::io(std::io::Error::other(e)))
    }

    /// The world's export read back as a [`WorldState`] (tests compare and edit it).
    #[cfg(test)]
    pub fn export_state(&self, secrets: Secrets) -> WorldState {
        serde_json::from_str(&self.export_text(secrets).unwrap()).unwrap()
    }

    /// A world of a sandbox (`None` = default) from an export; the state must have exactly one
    /// member per vendor. What the world draws next is the sandbox's own.
    pub fn import(
        mut state: WorldState,
        kinds: &[&'static dyn VendorKind],
        sandbox: Option<&str>,
    ) -> Result<Self, String> {
        if !readable_format(&state.format) {
            return Err(format!(
                "unsupported state format '{}' (this server reads '{STATE_FORMAT}' and '{STATE_FORMAT_1}')",
                state.format
            ));
        }
        if state.format == STATE_FORMAT_1 {
            for kind in kinds {
                if let Some(part) = state.vendors.get_mut(kind.name()) {
                    kind.upgrade_from_1(part);
                }
            }
        }
        check_clock(state.clock_fixed, state.clock_millis)?;
        if let Some(unknown) = state
            .vendors
            .keys()
            .find(|name| !kinds.iter().any(|k| k.name() == name.as_str()))
        {
            return Err(format!("unknown field `{unknown}` in the state"));
        }
        let parts = kinds
            .iter()
            .map(|kind| {
                let part = state
                    .vendors
                    .remove(kind.name())
                    .ok_or_else(|| format!("missing field `{}` in the state", kind.name()))?;
                super::state_schema::check_arrays(&kind.state_schema(), &part, kind.name())?;
                Ok(Part {
                    name: kind.name(),
                    state: kind.import(part)?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self::restored(
            (state.seed, &state.ids),
            (state.clock_fixed, state.clock_millis),
            sandbox,
            parts,
        ))
    }

    /// A world from an export's JSON text, each vendor's records read straight from the text:
    /// no JSON value of the whole state is built (at a million people it takes about 8 GiB).
    /// For the server's own exports (checkpoints); a state in an older format is read as a
    /// value and upgraded, as `import` does.
    pub fn import_text(
        json: &str,
        kinds: &[&'static dyn VendorKind],
        sandbox: Option<&str>,
    ) -> Result<Self, String> {
        let raw: RawState = serde_json::from_str(json).map_err(|e| format!("not a state: {e}"))?;
        if raw.format != STATE_FORMAT {
            let state = serde_json::from_str(json).map_err(|e| format!("not a state: {e}"))?;
            return Self::import(state, kinds, sandbox);
        }
        check_clock(raw.clock_fixed, raw.clock_millis)?;
        if let Some((unknown, _)) = raw
            .vendors
            .iter()
            .find(|(name, _)| !kinds.iter().any(|k| k.name() == name.as_str()))
        {
            return Err(format!("unknown field `{unknown}` in the state"));
        }
        let parts = kinds
            .iter()
            .map(|kind| {
                let (_, part) = raw
                    .vendors
                    .iter()
                    .find(|(name, _)| name == kind.name())
                    .ok_or_else(|| format!("missing field `{}` in the state", kind.name()))?;
                Ok(Part {
                    name: kind.name(),
                    state: kind.import_text(part.get())?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self::restored(
            (raw.seed, &raw.ids),
            (raw.clock_fixed, raw.clock_millis),
            sandbox,
            parts,
        ))
    }

    /// A world of imported parts: the sandbox's own id generator at the saved counters, and the
    /// saved clock.
    fn restored(
        (seed, counters): (u64, &[u64]),
        (clock_fixed, clock_millis): (bool, i64),
        sandbox: Option<&str>,
        parts: Vec<Part>,
    ) -> Self {
        let ids = Ids::for_sandbox(seed, sandbox);
        ids.restore_counters(counters);
        Self {
            clock: Clock::from_raw(clock_fixed, clock_millis),
            ids,
            parts,
        }
    }
}

/// A `WorldState`'s members with each vendor's part left as its JSON text.
struct RawState<'a> {
    format: String,
    seed: u64,
    clock_fixed: bool,
    clock_millis: i64,
    ids: Vec<u64>,
    vendors: Vec<(String, &'a serde_json::value::RawValue)>,
}

impl<'de> Deserialize<'de> for RawState<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;

        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = RawState<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an exported state")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                use serde::de::Error;
                let (mut format, mut seed, mut clock_fixed, mut clock_millis, mut ids) =
                    (None, None, None, None, None);
                let mut vendors = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "format" => format = Some(map.next_value()?),
                        "seed" => seed = Some(map.next_value()?),
                        "clockFixed" => clock_fixed = Some(map.next_value()?),
                        "clockMillis" => clock_millis = Some(map.next_value()?),
                        "ids" => ids = Some(map.next_value()?),
                        _ => vendors.push((key, map.next_value()?)),
                    }
                }
                Ok(RawState {
                    format: format.ok_or_else(|| A::Error::missing_field("format"))?,
                    seed: seed.ok_or_else(|| A::Error::missing_field("seed"))?,
                    clock_fixed: clock_fixed
                        .ok_or_else(|| A::Error::missing_field("clockFixed"))?,
                    clock_millis: clock_millis
                        .ok_or_else(|| A::Error::missing_field("clockMillis"))?,
                    ids: ids.ok_or_else(|| A::Error::missing_field("ids"))?,
                    vendors,
                })
            }
        }

        d.deserialize_map(Members)
    }
}

/// A clock's time (fixed) or offset from system time beyond this (about 100,000 years, in ms)
/// is no sandbox's clock: a fixed time within it is a date chrono can show, and an offset within
/// it added to the time now cannot overflow.
pub const MAX_CLOCK_MILLIS: i64 = 100_000 * 366 * 86_400 * 1000;

/// Refuses a clock no date can be computed from (one bound for both kinds, so the schema can
/// state it).
fn check_clock(_fixed: bool, millis: i64) -> Result<(), String> {
    if millis.checked_abs().is_some_and(|m| m <= MAX_CLOCK_MILLIS) {
        Ok(())
    } else {
        Err(format!("clockMillis {millis} is out of range"))
    }
}

/// The JSON Schema of [`WorldState`] for the vendors `kinds`: the body of `GET` and `PUT
/// /__admin/state`.
pub fn state_schema(kinds: &[&'static dyn VendorKind]) -> serde_json::Value {
    use super::state_schema::{array, boolean, object, u64};
    use serde_json::json;
    let mut members = vec![
        (
            "format",
            json!({"type": "string", "enum": [STATE_FORMAT],
                "description": "The format's version. PUT also reads states written as `user-sandbox-state/1` (an older server's exports and state files, whose keyed tables were `[key, record]` pairs)."}),
        ),
        ("seed", u64()),
        ("clockFixed", boolean()),
        (
            "clockMillis",
            json!({"type": "integer", "minimum": -MAX_CLOCK_MILLIS, "maximum": MAX_CLOCK_MILLIS,
                "description": "The fixed time (clockFixed) or the offset from system time, in ms."}),
        ),
        ("ids", array(u64())),
    ];
    let mut required = vec!["format", "seed", "clockFixed", "clockMillis", "ids"];
    for kind in kinds {
        members.push((kind.name(), kind.state_schema()));
        required.push(kind.name());
    }
    let mut schema = object(members, &required, true);
    schema["description"] = json!(
        "A sandbox's whole state: the clock, the id generator and one member per vendor with its saved records."
    );
    schema
}

/// Test support for the vendors' parts: the export `write` puts straight from the tables is,
/// with secrets and without, the bytes serde_json writes for the part's export `value`.
#[cfg(test)]
pub(crate) fn assert_written_export_is_its_value(
    write: impl Fn(Secrets, &mut Vec<u8>) -> serde_json::Result<()>,
    value: impl Fn(Secrets) -> serde_json::Value,
) {
    for secrets in [Secrets::Include, Secrets::Omit] {
        let mut written = Vec::new();
        write(secrets, &mut written).unwrap();
        let value = serde_json::to_vec(&value(secrets)).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(value).unwrap(),
            "{secrets:?}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::clock::ClockMode;

    /// A vendor that is not in the registry: the store builds, exports and imports it all the
    /// same, which is what makes a new vendor one folder and one registry line.
    #[derive(Debug)]
    struct Echo;

    #[derive(Debug, PartialEq)]
    struct EchoState(Vec<String>);

    impl VendorState for EchoState {
        fn export(&self, _: Secrets, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
            serde_json::to_writer(out, &self.0)
        }
    }

    impl VendorKind for Echo {
        fn name(&self) -> &'static str {
            "echo"
        }
        fn embedded_fixtures(&self) -> &'static str {
            "{}"
        }
        fn seed(
            &self,
            _: &Fixtures,
            people: &[Person],
            _: &Clock,
        ) -> Result<Box<dyn VendorState>, FixtureError> {
            Ok(Box::new(EchoState(
                people.iter().map(|p| p.username.clone()).collect(),
            )))
        }
        fn import(&self, state: serde_json::Value) -> Result<Box<dyn VendorState>, String> {
            serde_json::from_value(state)
                .map(|names| Box::new(EchoState(names)) as Box<dyn VendorState>)
                .map_err(|e| e.to_string())
        }
    }

    fn plan() -> SeedPlan {
        let kinds: Kinds = vec![&Echo as &'static dyn VendorKind].into();
        SeedPlan::embedded(7, 3, ClockMode::System, kinds).unwrap()
    }

    #[test]
    fn a_world_of_any_vendor_builds_exports_and_imports() {
        let plan = plan();
        let world = World::build(&plan, None).unwrap();
        let people = world.part::<EchoState>().0.clone();
        assert_eq!(people.len(), plan.fixtures.people.len() + 3);
        let state = world.export_state(Secrets::Include);
        assert_eq!(state.vendors.keys().collect::<Vec<_>>(), ["echo"]);
        let back = World::import(state.clone(), &plan.vendors, None).unwrap();
        assert_eq!(back.part::<EchoState>().0, people);
        assert_eq!(back.export_state(Secrets::Include), state);
    }

    /// Checkpoints read their state from its text: every vendor of the registry, and one with
    /// only the value import, come back the same as from the value.
    #[test]
    fn a_world_imports_the_same_from_its_text_as_from_its_value() {
        let registry = SeedPlan::embedded(
            42,
            50,
            "fixed:2026-01-15T10:00:00Z".parse().unwrap(),
            crate::vendors::kinds(),
        )
        .unwrap();
        for plan in [registry, plan()] {
            let world = World::build(&plan, Some("team-a")).unwrap();
            world.ids.uuid(crate::store::ids::Purpose::RequestId);
            let state = world.export_state(Secrets::Include);
            let text = serde_json::to_string(&state).unwrap();
            let from_text = World::import_text(&text, &plan.vendors, Some("team-a")).unwrap();
            let from_value = World::import(state.clone(), &plan.vendors, Some("team-a")).unwrap();
            assert_eq!(from_text.export_state(Secrets::Include), state);
            assert_eq!(from_value.export_state(Secrets::Include), state);
        }
        let plan = plan();
        let text = World::build(&plan, None)
            .unwrap()
            .export_text(Secrets::Include)
            .unwrap();
        let unknown = text.replacen("{", r#"{"other": {},"#, 1);
        assert_eq!(
            World::import_text(&unknown, &plan.vendors, None)
                .err()
                .unwrap(),
            "unknown field `other` in the state"
        );
        let missing = text.replace(r#""echo":"#, r#""not-echo":"#);
        assert!(World::import_text(&missing, &plan.vendors, None).is_err());
        assert!(World::import_text("[]", &plan.vendors, None).is_err());
    }

    /// The export written straight from the tables, with secrets and without, is the text
    /// serde_json writes for its `WorldState` value, as the export built as a value was (each
    /// vendor's part is checked against its value-built rendering in the vendor's tests).
    #[test]
    fn the_written_export_is_the_text_of_its_value() {
        let plan = SeedPlan::embedded(
            42,
            50,
            "fixed:2026-01-15T10:00:00Z".parse().unwrap(),
            crate::vendors::kinds(),
        )
        .unwrap();
        let world = World::build(&plan, Some("team-a")).unwrap();
        world.ids.uuid(crate::store::ids::Purpose::RequestId);
        for secrets in [Secrets::Include, Secrets::Omit] {
            let text = world.export_text(secrets).unwrap();
            let value: WorldState = serde_json::from_str(&text).unwrap();
            assert_eq!(
                value.vendors.keys().collect::<Vec<_>>(),
                ["finapi", "obp", "authress"]
            );
            assert_eq!(serde_json::to_string(&value).unwrap(), text);
        }
    }

    #[test]
    fn a_state_with_a_clock_out_of_range_is_refused() {
        let plan = plan();
        let state = World::build(&plan, None)
            .unwrap()
            .export_state(Secrets::Include);
        for (fixed, millis) in [
            (false, i64::MAX),
            (false, i64::MIN),
            (true, i64::MAX),
            (true, MAX_CLOCK_MILLIS + 1),
        ] {
            let state = WorldState {
                clock_fixed: fixed,
                clock_millis: millis,
                ..state.clone()
            };
            let err = World::import(state, &plan.vendors, None).unwrap_err();
            assert!(err.contains("out of range"), "{err}");
        }
        let state = WorldState {
            clock_fixed: false,
            clock_millis: -86_400_000,
            ..state
        };
        let world = World::import(state, &plan.vendors, None).unwrap();
        assert!(world.clock.now() < chrono::Utc::now());
    }

    #[test]
    fn a_state_with_an_unknown_or_a_missing_vendor_is_refused() {
        let plan = plan();
        let mut state = World::build(&plan, None)
            .unwrap()
            .export_state(Secrets::Include);
        state.vendors.insert("other".into(), serde_json::json!({}));
        let err = World::import(state.clone(), &plan.vendors, None).unwrap_err();
        assert!(err.contains("unknown field `other`"), "{err}");
        state.vendors.clear();
        let err = World::import(state, &plan.vendors, None).unwrap_err();
        assert!(err.contains("missing field `echo`"), "{err}");
    }
}
