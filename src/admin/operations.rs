//! Which documented operation a request is: built once from the vendors' OpenAPI documents, so
//! every vendor (present or future) is known to the journal, coverage and fault rules for free.

use std::collections::BTreeMap;

use crate::vendors;

/// A documented operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub vendor: &'static str,
    pub operation_id: String,
    pub method: String,
    pub path: String,
}

#[derive(Debug, Default)]
pub struct Operations {
    operations: Vec<(Vec<String>, Operation)>,
    prefixes: Vec<(&'static str, &'static str)>,
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(str::to_string)
        .collect()
}

/// `v4.0.0`-style version segments: OBP serves one operation under several versions.
fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|v| {
        !v.is_empty()
            && v.split('.')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn segment_matches(pattern: &str, actual: &str) -> bool {
    pattern == actual
        || (pattern.starts_with('{') && pattern.ends_with('}') && !actual.is_empty())
        || (is_version(pattern) && is_version(actual))
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
                        segments(&path),
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
        operations.sort_by_key(|(segs, _)| segs.iter().filter(|s| s.starts_with('{')).count());
        Self {
            operations,
            prefixes,
        }
    }

    /// The documented operation a request is, if any.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let actual = segments(path);
        self.operations
            .iter()
            .find(|(pattern, op)| {
                op.method == method
                    && pattern.len() == actual.len()
                    && pattern
                        .iter()
                        .zip(&actual)
                        .all(|(p, a)| segment_matches(p, a))
            })
            .map(|(_, op)| op)
    }

    /// The vendor that owns a path (by operation or prefix).
    pub fn vendor_of(&self, method: &str, path: &str) -> Option<&'static str> {
        self.find(method, path).map(|op| op.vendor).or_else(|| {
            self.prefixes
                .iter()
                .find(|(_, prefix)| path == *prefix || path.starts_with(&format!("{prefix}/")))
                .map(|(vendor, _)| *vendor)
        })
    }

    /// Every documented operation of a vendor, in document order.
    pub fn of_vendor<'a>(&'a self, vendor: &'a str) -> impl Iterator<Item = &'a Operation> + 'a {
        let mut ops: Vec<&Operation> = self
            .operations
            .iter()
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
        assert_eq!(ops.vendor_of("GET", "/api/v1/nothing"), Some("finapi"));
        assert!(ops.find("GET", "/nothing").is_none());
        assert!(is_version("v5.1.0") && !is_version("users"));
    }
}
