//! Fault rules per sandbox: latency (fixed, uniform or log-normal), an error rate answered with the
//! vendor's own error, and connection resets. Every roll comes from the sandbox's seeded id
//! generator, so the same seed and the same requests replay the same faults.

use std::sync::Arc;

use crate::store::FastMap;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::{Ids, Purpose};

use super::operations::Operation;

/// A random latency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "distribution", rename_all = "camelCase", deny_unknown_fields)]
pub enum Latency {
    /// Uniform between `minMs` and `maxMs`, both included. The bounds may come in either order
    /// (`{"minMs": 500, "maxMs": 100}` is 100 to 500 ms): JSON Schema cannot relate two fields.
    #[serde(rename_all = "camelCase")]
    Uniform {
        #[schema(maximum = 60_000)]
        #[serde(deserialize_with = "crate::control::integer")]
        min_ms: u64,
        /// At most 60,000 (with `latencyMs`, the total delay is capped at 60,000).
        #[schema(maximum = 60_000)]
        #[serde(deserialize_with = "crate::control::integer")]
        max_ms: u64,
    },
    /// Log-normal with the given median and shape `sigma`.
    #[serde(rename_all = "camelCase")]
    LogNormal {
        /// At most 60,000 (with `latencyMs`, the total delay is capped at 60,000).
        #[schema(maximum = 60_000)]
        #[serde(deserialize_with = "crate::control::integer")]
        median_ms: u64,
        #[schema(minimum = 0, maximum = 5)]
        sigma: f64,
    },
}

/// One rule: which requests (all given selectors must match) and what happens to them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// `finapi`, `obp` or `authress`.
    #[schema(value_type = Option<String>, pattern = "^(finapi|obp|authress)$")]
    pub vendor: Option<String>,
    /// The vendor's operationId, e.g. `getUserList`.
    pub operation_id: Option<String>,
    /// A path pattern; `*` matches any characters, e.g. `/api/v1/users*`.
    pub path: Option<String>,
    /// HTTP method.
    pub method: Option<String>,
    /// A fixed latency in milliseconds, at most 60,000; with `latency` the total delay is capped
    /// at 60,000.
    #[schema(maximum = 60_000)]
    #[serde(default, deserialize_with = "crate::control::optional_integer")]
    pub latency_ms: Option<u64>,
    /// A random latency (added to `latencyMs`).
    pub latency: Option<Latency>,
    /// Percentage (0–100) of matching requests answered with the vendor's own server error.
    #[schema(minimum = 0, maximum = 100)]
    pub error_rate: Option<f64>,
    /// Percentage (0–100) of matching requests whose connection is cut before the body is sent.
    #[schema(minimum = 0, maximum = 100)]
    pub reset_rate: Option<f64>,
}

/// The rules of one sandbox; the first matching rule applies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rules": [{"vendor": "obp", "operationId": "OBPv4.0.0-getUsers", "latencyMs": 250}]}))]
pub struct FaultSet {
    pub rules: Vec<FaultRule>,
}

const MAX_LATENCY_MS: u64 = 60_000;

impl FaultSet {
    pub fn validate(&self) -> Result<(), String> {
        for (i, rule) in self.rules.iter().enumerate() {
            let bad = |what: &str| Err(format!("rules[{i}]: {what}"));
            if let Some(v) = &rule.vendor
                && crate::vendors::by_name(v).is_none()
            {
                return bad(&format!("unknown vendor '{v}'"));
            }
            for (name, rate) in [
                ("errorRate", rule.error_rate),
                ("resetRate", rule.reset_rate),
            ] {
                if rate.is_some_and(|r| !(0.0..=100.0).contains(&r)) {
                    return bad(&format!("{name} is a percentage from 0 to 100"));
                }
            }
            // Each bound is at most the cap; the total delay is capped when it is applied.
            let bounds = [rule.latency_ms.unwrap_or(0)]
                .into_iter()
                .chain(match &rule.latency {
                    Some(Latency::Uniform { min_ms, max_ms }) => vec![*min_ms, *max_ms],
                    Some(Latency::LogNormal { median_ms, .. }) => vec![*median_ms],
                    None => vec![],
                });
            if bounds.into_iter().any(|ms| ms > MAX_LATENCY_MS) {
                return bad(&format!("latencies are capped at {MAX_LATENCY_MS} ms"));
            }
            if let Some(Latency::LogNormal { sigma, .. }) = &rule.latency
                && !(0.0..=5.0).contains(sigma)
            {
                return bad("latency.sigma must be between 0 and 5");
            }
        }
        Ok(())
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

impl FaultRule {
    fn matches(
        &self,
        method: &str,
        path: &str,
        vendor: Option<&str>,
        op: Option<&Operation>,
    ) -> bool {
        self.vendor.as_deref().is_none_or(|v| Some(v) == vendor)
            && self
                .operation_id
                .as_deref()
                .is_none_or(|id| op.is_some_and(|o| &*o.operation_id == id))
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| glob(p, path))
    }
}

/// What a rule decided for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub delay_ms: u64,
    pub error: bool,
    pub reset: bool,
    /// Which rule, for the journal.
    pub rule: usize,
}

/// The fault rules of every sandbox.
#[derive(Debug, Default)]
pub struct FaultBook {
    rules: FastMap<String, Arc<FaultSet>>,
}

impl FaultBook {
    pub fn get(&self, sandbox: &str) -> Arc<FaultSet> {
        self.rules
            .get(sandbox)
            .map(|r| r.value().clone())
            .unwrap_or_default()
    }

    pub fn set(&self, sandbox: &str, set: FaultSet) {
        self.rules.insert(sandbox.to_string(), Arc::new(set));
    }

    pub fn clear(&self, sandbox: &str) {
        self.rules.remove(sandbox);
    }

    /// Rolls the first matching rule's dice with the sandbox's seeded generator.
    pub fn decide(
        &self,
        sandbox: &str,
        ids: &Ids,
        (method, path): (&str, &str),
        vendor: Option<&str>,
        op: Option<&Operation>,
    ) -> Option<Decision> {
        let set = self.rules.get(sandbox)?.value().clone();
        let (index, rule) = set
            .rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.matches(method, path, vendor, op))?;
        let mut rng = ids.rng(Purpose::Fault);
        let mut delay_ms = rule.latency_ms.unwrap_or(0);
        delay_ms += match rule.latency {
            Some(Latency::Uniform { min_ms, max_ms }) => {
                rng.gen_range(min_ms.min(max_ms)..=min_ms.max(max_ms))
            }
            Some(Latency::LogNormal { median_ms, sigma }) => {
                // Box–Muller: a standard normal from two uniforms.
                let (u1, u2): (f64, f64) = (rng.r#gen::<f64>().max(f64::MIN_POSITIVE), rng.r#gen());
                let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                ((median_ms as f64) * (sigma * z).exp()).min(MAX_LATENCY_MS as f64) as u64
            }
            None => 0,
        };
        // `latencyMs` plus the random part: at most the cap in all (each is at most the cap).
        delay_ms = delay_ms.min(MAX_LATENCY_MS);
        let roll = |rng: &mut rand_chacha::ChaCha8Rng, rate: Option<f64>| {
            let r: f64 = rng.r#gen::<f64>() * 100.0;
            rate.is_some_and(|rate| r < rate)
        };
        let error = roll(&mut rng, rule.error_rate);
        let reset = roll(&mut rng, rule.reset_rate);
        Some(Decision {
            delay_ms,
            error,
            reset,
            rule: index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_paths() {
        assert!(glob("/api/v1/users*", "/api/v1/users/verify/x"));
        assert!(glob("*/users", "/api/v1/users"));
        assert!(glob("/a/*/c", "/a/b/c"));
        assert!(!glob("/a/*/c", "/a/b/d"));
        assert!(glob("/exact", "/exact") && !glob("/exact", "/exactly"));
    }

    #[test]
    fn the_same_seed_rolls_the_same_faults() {
        let book = FaultBook::default();
        book.set(
            "default",
            FaultSet {
                rules: vec![FaultRule {
                    error_rate: Some(50.0),
                    latency: Some(Latency::Uniform {
                        min_ms: 0,
                        max_ms: 100,
                    }),
                    ..FaultRule::default()
                }],
            },
        );
        let run = |ids: &Ids| -> Vec<Decision> {
            (0..20)
                .filter_map(|_| book.decide("default", ids, ("GET", "/x"), None, None))
                .collect()
        };
        let (a, b) = (run(&Ids::new(9)), run(&Ids::new(9)));
        assert_eq!(a, b);
        assert!(a.iter().any(|d| d.error) && a.iter().any(|d| !d.error));
    }

    #[test]
    fn rates_outside_0_to_100_are_refused() {
        let set = FaultSet {
            rules: vec![FaultRule {
                error_rate: Some(101.0),
                ..FaultRule::default()
            }],
        };
        assert!(set.validate().is_err());
    }

    fn rule_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let number = prop_oneof![
            any::<u64>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            (-1e20f64..1e20).prop_map(serde_json::Value::from),
            Just(serde_json::Value::Null),
            "\\PC{0,8}".prop_map(serde_json::Value::from),
        ];
        let field = prop_oneof![
            Just("vendor"),
            Just("operationId"),
            Just("path"),
            Just("method"),
            Just("latencyMs"),
            Just("errorRate"),
            Just("resetRate"),
            Just("latency"),
            Just("other"),
        ];
        let latency = (
            prop_oneof![Just("uniform"), Just("logNormal"), Just("zipf")],
            number.clone(),
            number.clone(),
        )
            .prop_map(|(d, a, b)| {
                serde_json::json!({ "distribution": d, "minMs": a.clone(), "maxMs": b.clone(),
                    "medianMs": a, "sigma": b })
            });
        proptest::collection::vec((field, number, latency, "[*/a-z]{0,12}"), 0..4).prop_map(
            |fields| {
                let mut rule = serde_json::Map::new();
                for (name, value, latency, text) in fields {
                    let v = match name {
                        "latency" => latency,
                        "path" | "vendor" | "method" | "operationId" => text.into(),
                        _ => value,
                    };
                    rule.insert(name.into(), v);
                }
                serde_json::Value::Object(rule)
            },
        )
    }

    proptest::proptest! {
        // Any rules document is refused by serde or `validate`, or applies within the caps: no
        // panic, no overflow, no latency over a minute.
        #[test]
        fn any_fault_rules_are_refused_or_stay_within_their_caps(
            rules in proptest::collection::vec(rule_json(), 0..3),
            path in "[*/a-z]{0,12}",
        ) {
            let doc = serde_json::json!({ "rules": rules });
            let Ok(set) = serde_json::from_value::<FaultSet>(doc) else { return Ok(()) };
            if set.validate().is_err() {
                return Ok(());
            }
            let book = FaultBook::default();
            book.set("default", set);
            for _ in 0..5 {
                if let Some(d) = book.decide("default", &Ids::new(1), ("GET", &path), None, None) {
                    proptest::prop_assert!(d.delay_ms <= MAX_LATENCY_MS);
                }
            }
        }

        #[test]
        fn globs_never_panic(pattern in "[*ab/]{0,12}", text in "[ab/]{0,12}") {
            let _ = glob(&pattern, &text);
            proptest::prop_assert!(glob("*", &text));
            proptest::prop_assert!(glob(&text, &text));
        }
    }

    #[test]
    fn a_latency_near_u64_max_is_refused_not_wrapped() {
        let set: FaultSet = serde_json::from_value(serde_json::json!({ "rules": [{
            "latencyMs": u64::MAX,
            "latency": { "distribution": "uniform", "minMs": 0, "maxMs": 1 }
        }]}))
        .unwrap();
        assert!(set.validate().is_err());
    }

    #[test]
    fn bounds_within_the_cap_are_valid_and_their_sum_is_capped() {
        // JSON Schema cannot relate `latencyMs` to `latency` (fuzzer finding): each is at most
        // the cap, and the delay applied is at most the cap in all.
        let set: FaultSet = serde_json::from_value(serde_json::json!({ "rules": [{
            "latencyMs": 60_000,
            "latency": { "distribution": "uniform", "minMs": 60_000, "maxMs": 59_999 }
        }]}))
        .unwrap();
        assert_eq!(set.validate(), Ok(()));
        let book = FaultBook::default();
        book.set("default", set);
        let d = book
            .decide("default", &Ids::new(1), ("GET", "/x"), None, None)
            .unwrap();
        assert_eq!(d.delay_ms, MAX_LATENCY_MS);
        let over: FaultSet = serde_json::from_value(serde_json::json!({ "rules": [{
            "latency": { "distribution": "logNormal", "medianMs": 60_001, "sigma": 1 }
        }]}))
        .unwrap();
        assert!(over.validate().is_err());
    }
}

#[cfg(test)]
mod latency_tests {
    use super::*;

    #[test]
    fn log_normal_latencies_spread_around_their_median() {
        let book = FaultBook::default();
        let latency = Latency::LogNormal {
            median_ms: 100,
            sigma: 0.5,
        };
        book.set(
            "default",
            FaultSet {
                rules: vec![FaultRule {
                    latency: Some(latency),
                    ..FaultRule::default()
                }],
            },
        );
        let ids = Ids::new(3);
        let mut delays: Vec<u64> = (0..400)
            .map(|_| {
                book.decide("default", &ids, ("GET", "/x"), None, None)
                    .unwrap()
                    .delay_ms
            })
            .collect();
        delays.sort_unstable();
        let median = delays[200];
        assert!((80..=125).contains(&median), "median {median}");
        assert!(
            delays[0] < 60 && delays[399] > 160,
            "{} .. {}",
            delays[0],
            delays[399]
        );
    }
}
