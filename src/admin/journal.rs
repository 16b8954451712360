//! The request journal: a bounded, lock-free ring of recent requests (newest first on read), and
//! per-operation status counts for coverage. Secrets never reach it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::ArcSwapOption;
use dashmap::DashMap;
use serde::Serialize;
use utoipa::ToSchema;

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

#[derive(Debug)]
struct Recorded {
    entry: JournalEntry,
    request: Option<RawBody>,
    response: Option<RawBody>,
}

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
    /// (sandbox, vendor, operationId) → status → count.
    coverage: DashMap<(String, String, String), BTreeMap<u16, u64>>,
}

impl Journal {
    /// A ring of `capacity` entries; 0 keeps nothing.
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: (0..capacity).map(|_| ArcSwapOption::empty()).collect(),
            next: AtomicU64::new(1),
            coverage: DashMap::new(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Records an entry; the oldest one goes when the ring is full.
    pub fn record(
        &self,
        mut entry: JournalEntry,
        request: Option<RawBody>,
        response: Option<RawBody>,
    ) {
        if self.slots.is_empty() {
            return;
        }
        let id = self.next.fetch_add(1, Ordering::AcqRel);
        entry.id = id;
        if let (Some(vendor), Some(op)) = (&entry.vendor, &entry.operation_id) {
            *self
                .coverage
                .entry((entry.sandbox.clone(), vendor.clone(), op.clone()))
                .or_default()
                .entry(entry.status)
                .or_default() += 1;
        }
        let slot = (id % self.slots.len() as u64) as usize;
        self.slots[slot].store(Some(Arc::new(Recorded {
            entry,
            request,
            response,
        })));
    }

    /// Every retained entry, newest first, bodies redacted.
    pub fn entries(&self) -> Vec<JournalEntry> {
        let mut recorded: Vec<Arc<Recorded>> =
            self.slots.iter().filter_map(|s| s.load_full()).collect();
        recorded.sort_by_key(|r| std::cmp::Reverse(r.entry.id));
        recorded
            .into_iter()
            .map(|r| JournalEntry {
                request_body: r.request.as_ref().map(RawBody::shown),
                response_body: r.response.as_ref().map(RawBody::shown),
                ..r.entry.clone()
            })
            .collect()
    }

    pub fn clear(&self, sandbox: Option<&str>) {
        for slot in &self.slots {
            let keep = slot
                .load()
                .as_ref()
                .is_some_and(|r| sandbox.is_some_and(|s| r.entry.sandbox != s));
            if !keep {
                slot.store(None);
            }
        }
        self.coverage
            .retain(|(s, _, _), _| sandbox.is_some_and(|name| s != name));
    }

    /// Status counts per operation of one sandbox.
    pub fn coverage(&self, sandbox: &str, vendor: &str, operation_id: &str) -> BTreeMap<u16, u64> {
        self.coverage
            .get(&(
                sandbox.to_string(),
                vendor.to_string(),
                operation_id.to_string(),
            ))
            .map(|c| c.value().clone())
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

    fn entry(sandbox: &str) -> JournalEntry {
        JournalEntry {
            id: 0,
            time: String::new(),
            sandbox: sandbox.into(),
            method: "GET".into(),
            path: "/".into(),
            query: String::new(),
            status: 200,
            vendor: Some("finapi".into()),
            operation_id: Some("getAuthorizedUser".into()),
            latency_ms: 0.0,
            principal: None,
            request_body: None,
            response_body: None,
            fault: None,
        }
    }

    #[test]
    fn the_ring_keeps_only_the_newest_entries() {
        let journal = Journal::new(3);
        for _ in 0..5 {
            journal.record(entry("default"), None, None);
        }
        let ids: Vec<u64> = journal.entries().iter().map(|e| e.id).collect();
        assert_eq!(ids, [5, 4, 3]);
        assert_eq!(
            journal.coverage("default", "finapi", "getAuthorizedUser")[&200],
            5
        );
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
