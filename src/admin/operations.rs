//! Which documented operation a request is: built once from the vendors' OpenAPI documents, so
//! every vendor (present or future) is known to the journal, coverage and fault rules for free.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::vendors;

/// A documented operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub vendor: &'static str,
    /// Shared with the journal's entries and coverage counts.
    pub operation_id: Arc<str>,
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
}

/// More path segments than any documented operation has.
const MAX_SEGMENTS: usize = 16;

/// The methods operations are documented with; a request with another has no operation.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// One method's operations, bucketed by their number of path segments, each bucket in match
/// order.
type ByLength = Vec<Vec<(Vec<Segment>, Operation)>>;

/// The operations by method and number of path segments, so a request is compared only with the
/// operations it could be.
#[derive(Debug, Default)]
pub struct Operations {
    by_method: [ByLength; METHODS.len()],
    prefixes: Vec<(&'static str, &'static str)>,
}

fn segments(path: &str) -> std::str::Split<'_, char> {
    path.trim_end_matches('/').split('/')
}

/// `v4.0.0`-style version segments: OBP serves one operation under several versions.
fn is_version(segment: &str) -> bool {
    // Digits in dot-separated groups, none empty: one pass over the bytes, no splitting.
    let Some(v) = segment.strip_prefix('v') else {
        return false;
    };
    let mut previous = b'.';
    for &b in v.as_bytes() {
        if !(b.is_ascii_digit() || (b == b'.' && previous != b'.')) {
            return false;
        }
        previous = b;
    }
    previous != b'.'
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
                            operation_id: id.as_str().into(),
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
        let mut by_method: [ByLength; METHODS.len()] = Default::default();
        for (segs, op) in operations {
            let Some(m) = METHODS.iter().position(|m| *m == op.method) else {
                continue;
            };
            let by_length = &mut by_method[m];
            if by_length.len() <= segs.len() {
                by_length.resize_with(segs.len() + 1, Vec::new);
            }
            by_length[segs.len()].push((segs, op));
        }
        Self {
            by_method,
            prefixes,
        }
    }

    /// The documented operation a request is, if any.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let m = METHODS.iter().position(|m| *m == method)?;
        // The request's segments, each classified once, however many operations it is compared
        // with; a path longer than any documented one has no operation.
        let mut actual = [("", false); MAX_SEGMENTS];
        let mut count = 0;
        for segment in segments(path) {
            *actual.get_mut(count)? = (segment, is_version(segment));
            count += 1;
        }
        let actual = &actual[..count];
        self.by_method[m]
            .get(count)?
            .iter()
            .find(|(pattern, _)| {
                pattern.iter().zip(actual).all(|(p, (a, version))| match p {
                    Segment::Literal(literal) => literal == a,
                    Segment::Parameter => !a.is_empty(),
                    Segment::Version => *version,
                })
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
            .by_method
            .iter()
            .flatten()
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
            ops.find("POST", "/api/v1/users")
                .unwrap()
                .operation_id
                .as_ref(),
            "createUser"
        );
        assert_eq!(
            ops.find("GET", "/api/v1/users/verificationStatus")
                .unwrap()
                .operation_id
                .as_ref(),
            "getVerificationStatus"
        );
        assert_eq!(
            ops.find("DELETE", "/api/v1/users/alice")
                .unwrap()
                .operation_id
                .as_ref(),
            "deleteUnverifiedUser"
        );
        assert_eq!(ops.resolve("GET", "/api/v1/nothing").1, Some("finapi"));
        assert!(ops.find("GET", "/nothing").is_none());
        assert!(is_version("v5.1.0") && !is_version("users"));
    }

    #[test]
    fn versions_are_v_and_dot_separated_digit_groups() {
        for yes in ["v4.0.0", "v1", "v10.20", "v3.1.0"] {
            assert!(is_version(yes), "{yes}");
        }
        for no in [
            "v", "v.", "v4.", "v.4", "v4..0", "v4.x", "4.0.0", "version", "V4.0.0", "",
        ] {
            assert!(!is_version(no), "{no}");
        }
    }
}
