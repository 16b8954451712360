//! The request journal: a bounded, lock-free ring of recent requests (newest first on read), and
//! per-operation status counts for coverage. Secrets never reach it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::{Method, Uri};
use arc_swap::ArcSwapOption;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::FastMap;
use crate::store::sandbox::DEFAULT;

/// Bodies up to this size are kept (and shown cut to `MAX_SHOWN`); larger ones only by size.
pub const MAX_KEPT: usize = 64 * 1024;
/// Characters of a body shown in an entry.
pub const MAX_SHOWN: usize = 4096;

/// A body as recorded: the raw bytes are redacted when read, so the request path only copies.
#[derive(Debug, Clone)]
pub enum RawBody {
    Kept(actix_web::web::Bytes),
    TooLarge(usize),
}

impl RawBody {
    pub fn new(bytes: &actix_web::web::Bytes) -> Option<Self> {
        match bytes.len() {
            0 => None,
            n if n > MAX_KEPT => Some(RawBody::TooLarge(n)),
            _ => Some(RawBody::Kept(bytes.clone())),
        }
    }

    fn shown(&self) -> String {
        match self {
            RawBody::Kept(bytes) => redact_body(bytes).unwrap_or_default(),
            RawBody::TooLarge(n) => format!("[{n} bytes, not kept]"),
        }
    }
}

/// A request as the request path hands it over: owned, but nothing formatted or redacted yet
/// (the time, the query and the bodies become an entry's text only when the journal is read).
#[derive(Debug)]
pub struct Observed {
    /// Sandbox time of the request; `None` outside a sandbox.
    pub time: Option<DateTime<Utc>>,
    /// The named sandbox; `None` is the default one.
    pub sandbox: Option<Arc<str>>,
    pub method: Method,
    /// The vendor path and the raw query (secrets are redacted when read).
    pub uri: Uri,
    pub status: u16,
    pub vendor: Option<&'static str>,
    pub operation_id: Option<Arc<str>>,
    pub latency_ms: f64,
    pub principal: Option<crate::store::Caller>,
    pub fault: Option<String>,
    pub request: Option<RawBody>,
    pub response: Option<RawBody>,
}

impl Observed {
    fn sandbox_name(&self) -> &str {
        self.sandbox.as_deref().unwrap_or(DEFAULT)
    }
}

#[derive(Debug)]
struct Recorded {
    id: u64,
    observed: Observed,
}

impl Recorded {
    fn entry(&self) -> JournalEntry {
        let o = &self.observed;
        JournalEntry {
            id: self.id,
            time: o.time.map(|t| t.to_rfc3339()).unwrap_or_default(),
            sandbox: o.sandbox_name().to_string(),
            method: o.method.to_string(),
            path: o.uri.path().to_string(),
            query: redact_pairs(o.uri.query().unwrap_or_default()),
            status: o.status,
            vendor: o.vendor.map(str::to_string),
            operation_id: o.operation_id.as_deref().map(str::to_string),
            latency_ms: o.latency_ms,
            principal: o.principal.as_ref().map(ToString::to_string),
            request_body: o.request.as_ref().map(RawBody::shown),
            response_body: o.response.as_ref().map(RawBody::shown),
            fault: o.fault.clone(),
        }
    }
}

/// Status → count of one operation.
type Statuses = BTreeMap<u16, u64>;

/// (vendor, operationId) → its status counts.
type PerOperation = HashMap<(&'static str, Arc<str>), Statuses, foldhash::fast::RandomState>;

/// One journaled request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Sequence number, increasing.
    pub id: u64,
    /// Sandbox time of the request (RFC 3339).
    pub time: String,
    /// `default` or the named sandbox.
    pub sandbox: String,
    pub method: String,
    /// The vendor path (without `/sandboxes/{name}`).
    pub path: String,
    /// Query string with secrets redacted.
    pub query: String,
    pub status: u16,
    pub vendor: Option<String>,
    pub operation_id: Option<String>,
    pub latency_ms: f64,
    /// Who the vendor's auth established, e.g. `finapi client sandbox-client`.
    pub principal: Option<String>,
    /// Request body (the first 4096 characters, secrets redacted).
    pub request_body: Option<String>,
    /// Response body (the first 4096 characters, secrets redacted).
    pub response_body: Option<String>,
    /// A fault rule answered instead of the vendor.
    pub fault: Option<String>,
}

#[derive(Debug)]
pub struct Journal {
    slots: Vec<ArcSwapOption<Recorded>>,
    next: AtomicU64,
    /// sandbox → (vendor, operationId) → status → count: found by the request's `&str`s, so a
    /// request allocates no key (the operation id is the operation table's shared `Arc`).
    coverage: FastMap<String, PerOperation>,
}

impl Journal {
    /// A ring of `capacity` entries; 0 keeps nothing.
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: (0..capacity).map(|_| ArcSwapOption::empty()).collect(),
            next: AtomicU64::new(1),
            coverage: FastMap::default(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Records a request; the oldest one goes when the ring is full.
    pub fn record(&self, observed: Observed) {
        if self.slots.is_empty() {
            return;
        }
        let id = self.next.fetch_add(1, Ordering::AcqRel);
        if let (Some(vendor), Some(op)) = (observed.vendor, &observed.operation_id) {
            let count = |per: &mut PerOperation| {
                *per.entry((vendor, op.clone()))
                    .or_default()
                    .entry(observed.status)
                    .or_default() += 1;
            };
            let sandbox = observed.sandbox_name();
            match self.coverage.get_mut(sandbox) {
                Some(mut per) => count(&mut per),
                None => count(&mut self.coverage.entry(sandbox.to_string()).or_default()),
            }
        }
        let slot = (id % self.slots.len() as u64) as usize;
        self.slots[slot].store(Some(Arc::new(Recorded { id, observed })));
    }

    /// Every retained entry, newest first, bodies redacted.
    pub fn entries(&self) -> Vec<JournalEntry> {
        let mut recorded: Vec<Arc<Recorded>> =
            self.slots.iter().filter_map(|s| s.load_full()).collect();
        recorded.sort_by_key(|r| std::cmp::Reverse(r.id));
        recorded.iter().map(|r| r.entry()).collect()
    }

    pub fn clear(&self, sandbox: Option<&str>) {
        for slot in &self.slots {
            let keep = slot
                .load()
                .as_ref()
                .is_some_and(|r| sandbox.is_some_and(|s| r.observed.sandbox_name() != s));
            if !keep {
                slot.store(None);
            }
        }
        self.coverage
            .retain(|s, _| sandbox.is_some_and(|name| s != name));
    }

    /// Status counts per operation of one sandbox.
    pub fn coverage(&self, sandbox: &str, vendor: &str, operation_id: &str) -> Statuses {
        self.coverage
            .get(sandbox)
            .and_then(|per| {
                per.iter()
                    .find(|((v, op), _)| *v == vendor && &**op == operation_id)
                    .map(|(_, statuses)| statuses.clone())
            })
            .unwrap_or_default()
    }
}

/// Field names that hold secrets: passwords, secrets, tokens, keys, OTPs and challenge answers
/// (`token_type` and `tokenId`-style names are not secrets).
fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["password", "secret", "authorization", "otp"]
        .iter()
        .any(|w| name.contains(w))
        || ["token", "key", "answer", "jwt"]
            .iter()
            .any(|w| name.ends_with(w))
}

/// Redacts secret-looking fields of a JSON value in place.
fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret(key) && !v.is_null() {
                    *v = serde_json::Value::String("[redacted]".into());
                } else {
                    redact_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Redacts secret parameters of a query string or form body.
pub fn redact_pairs(raw: &str) -> String {
    match serde_urlencoded::from_str::<Vec<(String, String)>>(raw) {
        Ok(pairs) => {
            let pairs: Vec<(String, String)> = pairs
                .into_iter()
                .map(|(k, v)| {
                    if is_secret(&k) {
                        (k, "[redacted]".into())
                    } else {
                        (k, v)
                    }
                })
                .collect();
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        }
        Err(_) => "[unreadable]".into(),
    }
}

/// A body as the journal shows it: JSON or form with secrets redacted, cut at `MAX_SHOWN`.
pub fn redact_body(body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let text = if let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(body) {
        redact_json(&mut json);
        json.to_string()
    } else {
        let text = String::from_utf8_lossy(body);
        if text.contains('=') && !text.contains(' ') && !text.contains('<') {
            redact_pairs(&text)
        } else {
            text.into_owned()
        }
    };
    Some(if text.len() > MAX_SHOWN {
        let mut cut = MAX_SHOWN;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}…[truncated]", &text[..cut])
    } else {
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sandbox: &str) -> Observed {
        Observed {
            time: None,
            sandbox: (sandbox != DEFAULT).then(|| sandbox.into()),
            method: Method::GET,
            uri: Uri::from_static("/?password=pw&user=bob"),
            status: 200,
            vendor: Some("finapi"),
            operation_id: Some("getAuthorizedUser".into()),
            latency_ms: 0.0,
            principal: None,
            fault: None,
            request: None,
            response: None,
        }
    }

    #[test]
    fn the_ring_keeps_only_the_newest_entries() {
        let journal = Journal::new(3);
        for _ in 0..5 {
            journal.record(entry("default"));
        }
        journal.record(entry("other"));
        let entries = journal.entries();
        let ids: Vec<u64> = entries.iter().map(|e| e.id).collect();
        assert_eq!(ids, [6, 5, 4]);
        assert_eq!(entries[1].query, "password=%5Bredacted%5D&user=bob");
        assert_eq!(
            journal.coverage("default", "finapi", "getAuthorizedUser")[&200],
            5
        );
        assert_eq!(
            journal.coverage("other", "finapi", "getAuthorizedUser")[&200],
            1
        );
        assert!(
            journal
                .coverage("none", "finapi", "getAuthorizedUser")
                .is_empty()
        );
        journal.clear(Some("default"));
        assert!(
            journal
                .coverage("default", "finapi", "getAuthorizedUser")
                .is_empty()
        );
        assert_eq!(journal.entries().len(), 1);
    }

    #[test]
    fn secrets_are_redacted() {
        let body =
            redact_body(br#"{"id":"alice","password":"secret1","nested":{"client_secret":"x"}}"#)
                .unwrap();
        assert!(!body.contains("secret1") && body.contains("alice") && !body.contains("\"x\""));
        let query = redact_pairs("grant_type=password&password=pw&client_secret=s&username=bob");
        assert_eq!(
            query,
            "grant_type=password&password=%5Bredacted%5D&client_secret=%5Bredacted%5D&username=bob"
        );
    }
}
