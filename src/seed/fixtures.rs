//! Fixture files: `people.json` (shared by every vendor) and one `<vendor>.json` per vendor, which
//! that vendor parses into its own types. The defaults are embedded in the binary: the people
//! here, each vendor's file by that vendor.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::people::FixturePerson;

use crate::store::world::VendorKind;

const PEOPLE: &str = include_str!("../../fixtures/people.json");

#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read fixtures from {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("fixture file {name}.json is not valid: {source}")]
    Invalid {
        name: String,
        source: serde_json::Error,
    },
    #[error("fixture file {0}.json is missing")]
    Missing(String),
    #[error("fixtures disagree: {0}")]
    Inconsistent(String),
}

/// The parsed fixture folder.
#[derive(Debug, Clone)]
pub struct Fixtures {
    pub people: Vec<FixturePerson>,
    files: BTreeMap<String, serde_json::Value>,
}

impl Fixtures {
    /// The embedded people and each vendor's embedded fixture file.
    pub fn embedded(vendors: &[&'static dyn VendorKind]) -> Result<Self, FixtureError> {
        let files = vendors
            .iter()
            .map(|v| (v.name().to_string(), v.embedded_fixtures().to_string()));
        Self::from_sources(std::iter::once(("people".to_string(), PEOPLE.to_string())).chain(files))
    }

    pub fn from_dir(dir: &Path) -> Result<Self, FixtureError> {
        let io = |source| FixtureError::Io {
            path: dir.display().to_string(),
            source,
        };
        let mut sources = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let name = path
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let text = std::fs::read_to_string(&path).map_err(io)?;
                sources.push((name, text));
            }
        }
        Self::from_sources(sources.into_iter())
    }

    fn from_sources(sources: impl Iterator<Item = (String, String)>) -> Result<Self, FixtureError> {
        let mut files = BTreeMap::new();
        for (name, text) in sources {
            let value = serde_json::from_str(&text).map_err(|source| FixtureError::Invalid {
                name: name.clone(),
                source,
            })?;
            files.insert(name, value);
        }
        let mut fixtures = Self {
            people: Vec::new(),
            files,
        };
        fixtures.people = fixtures.vendor("people")?;
        Ok(fixtures)
    }

    /// Parses one fixture file into a vendor's own type.
    pub fn vendor<T: DeserializeOwned>(&self, name: &str) -> Result<T, FixtureError> {
        let value = self
            .files
            .get(name)
            .ok_or_else(|| FixtureError::Missing(name.to_string()))?;
        serde_json::from_value(value.clone()).map_err(|source| FixtureError::Invalid {
            name: name.to_string(),
            source,
        })
    }
}
