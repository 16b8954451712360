//! `--state-file`: every sandbox's state, loaded at start and written atomically (a temporary file,
//! fsync, then rename) periodically and on graceful shutdown, so a crash never leaves a torn file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::Sandboxes;
use crate::store::sandbox::SavedSandboxes;

#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    #[error("cannot read the state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the state file {path} is corrupt or from an incompatible version: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("cannot write the state file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Loads the state file into the sandboxes; a missing file is a fresh start.
pub fn load(path: &Path, sandboxes: &Sandboxes) -> Result<bool, PersistenceError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(PersistenceError::Read {
                path: path.into(),
                source,
            });
        }
    };
    let invalid = |reason: String| PersistenceError::Invalid {
        path: path.into(),
        reason,
    };
    let saved: SavedSandboxes = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    sandboxes
        .load_all(saved)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(true)
}

/// Writes every sandbox's state atomically.
pub fn save(path: &Path, sandboxes: &Sandboxes) -> Result<(), PersistenceError> {
    let write_err = |source| PersistenceError::Write {
        path: path.into(),
        source,
    };
    let json = serde_json::to_vec(&sandboxes.save_all())
        .map_err(|e| write_err(std::io::Error::other(e)))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&json)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the rename itself durable.
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(write_err)
}
