//! Which documented operation a request is: built once from the vendors' OpenAPI documents, so
//! every vendor (present or future) is known to the journal, coverage and fault rules for free.

use std::collections::{BTreeMap, HashMap};

use crate::vendors;

/// A documented operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub vendor: &'static str,
    pub operation_id: String,
    pub method: String,
    pub path: String,
}

/// One segment of a documented path, classified once when the table is built.
#[derive(Debug)]
enum Segment {
    Literal(String),
    /// `{userId}`: any non-empty segment.
    Parameter,
    /// `v4.0.0`: any version (OBP serves one operation under several).
    Version,
}

impl Segment {
    fn of(pattern: &str) -> Self {
        if pattern.starts_with('{') && pattern.ends_with('}') {
            Segment::Parameter
        } else if is_version(pattern) {
            Segment::Version
        } else {
            Segment::Literal(pattern.to_string())
        }
    }

    fn matches(&self, actual: &str) -> bool {
        match self {
            Segment::Literal(literal) => literal == actual,
            Segment::Parameter => !actual.is_empty(),
            Segment::Version => is_version(actual),
        }
    }
}

/// The operations, bucketed by their number of path segments (so a request is compared only
/// with the operations its path could be), each bucket in match order.
#[derive(Debug, Default)]
pub struct Operations {
    by_length: HashMap<usize, Vec<(Vec<Segment>, Operation)>>,
    prefixes: Vec<(&'static str, &'static str)>,
}

fn segments(path: &str) -> std::str::Split<'_, char> {
    path.trim_end_matches('/').split('/')
}

/// `v4.0.0`-style version segments: OBP serves one operation under several versions.
fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|v| {
        !v.is_empty()
            && v.split('.')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl Operations {
    pub fn from_documents() -> Self {
        let mut operations = Vec::new();
        let mut prefixes = Vec::new();
        for registered in vendors::REGISTRY {
            let vendor = registered.name();
            prefixes.extend(registered.prefixes().iter().map(|p| (vendor, *p)));
            let doc = registered.openapi();
            // Sandbox-only helpers a vendor documents under `/__admin` are not vendor operations.
            for (path, item) in doc
                .paths
                .paths
                .into_iter()
                .filter(|(p, _)| !p.starts_with("/__admin"))
            {
                let methods: BTreeMap<&str, Option<&utoipa::openapi::path::Operation>> =
                    BTreeMap::from([
                        ("GET", item.get.as_ref()),
                        ("POST", item.post.as_ref()),
                        ("PUT", item.put.as_ref()),
                        ("PATCH", item.patch.as_ref()),
                        ("DELETE", item.delete.as_ref()),
                    ]);
                for (method, op) in methods {
                    let Some(op) = op else { continue };
                    let Some(id) = &op.operation_id else { continue };
                    operations.push((
                        segments(&path).map(Segment::of).collect::<Vec<_>>(),
                        Operation {
                            vendor,
                            operation_id: id.clone(),
                            method: method.to_string(),
                            path: path.clone(),
                        },
                    ));
                }
            }
        }
        // Literal segments beat parameters: `/users/verificationStatus` before `/users/{userId}`.
        operations.sort_by_key(|(segs, _)| {
            segs.iter()
                .filter(|s| matches!(s, Segment::Parameter))
                .count()
        });
        let mut by_length: HashMap<usize, Vec<(Vec<Segment>, Operation)>> = HashMap::new();
        for (segs, op) in operations {
            by_length.entry(segs.len()).or_default().push((segs, op));
        }
        Self {
            by_length,
            prefixes,
        }
    }

    /// The documented operation a request is, if any.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let actual: Vec<&str> = segments(path).collect();
        let candidates = self.by_length.get(&actual.len())?;
        candidates
            .iter()
            .find(|(pattern, op)| {
                op.method == method && pattern.iter().zip(&actual).all(|(p, a)| p.matches(a))
            })
            .map(|(_, op)| op)
    }

    /// The documented operation a request is, if any, and the vendor that owns its path (by the
    /// operation, else by the vendor's path prefix).
    pub fn resolve(&self, method: &str, path: &str) -> (Option<&Operation>, Option<&'static str>) {
        let operation = self.find(method, path);
        let vendor = operation.map(|op| op.vendor).or_else(|| {
            self.prefixes
                .iter()
                .find(|(_, prefix)| {
                    path.strip_prefix(prefix)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                })
                .map(|(vendor, _)| *vendor)
        });
        (operation, vendor)
    }

    /// Every documented operation of a vendor, in document order.
    pub fn of_vendor<'a>(&'a self, vendor: &'a str) -> impl Iterator<Item = &'a Operation> + 'a {
        let mut ops: Vec<&Operation> = self
            .by_length
            .values()
            .flatten()
            .map(|(_, op)| op)
            .filter(|op| op.vendor == vendor)
            .collect();
        ops.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
        ops.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_resolve_to_finapi_operations() {
        let ops = Operations::from_documents();
        assert_eq!(
            ops.find("POST", "/api/v1/users").unwrap().operation_id,
            "createUser"
        );
        assert_eq!(
            ops.find("GET", "/api/v1/users/verificationStatus")
                .unwrap()
                .operation_id,
            "getVerificationStatus"
        );
        assert_eq!(
            ops.find("DELETE", "/api/v1/users/alice")
                .unwrap()
                .operation_id,
            "deleteUnverifiedUser"
        );
        assert_eq!(ops.resolve("GET", "/api/v1/nothing").1, Some("finapi"));
        assert!(ops.find("GET", "/nothing").is_none());
        assert!(is_version("v5.1.0") && !is_version("users"));
    }
}
