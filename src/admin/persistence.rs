//! `--state-file`: every sandbox's state, loaded at start and written atomically (a temporary file,
//! fsync, then rename) periodically and on graceful shutdown, so a crash never leaves a torn file.

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

/// The temporary file a save writes before renaming it over `path`: `<state-file>.tmp-<pid>`.
fn temp_path(path: &Path, pid: u32) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{pid}"));
    path.with_file_name(name)
}

/// Whether a process with this id runs now; without `/proc` every other process counts as gone.
fn alive(pid: u32) -> bool {
    pid == std::process::id()
        || (Path::new("/proc/self").exists() && Path::new(&format!("/proc/{pid}")).exists())
}

/// Removes the temporary files that saves of this state file left behind when their process
/// was killed mid-save (`<state-file>.tmp-<pid>` of a process that is gone). Files of other
/// state files, and of a process still running, are left alone. Returns what was removed.
pub fn remove_stale_temp_files(path: &Path) -> Vec<PathBuf> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let prefix = format!("{name}.tmp-");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let stale = entry.file_type().is_ok_and(|t| t.is_file()) && !alive(pid);
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            tracing::warn!(file = %entry.path().display(), "removed a state file's stale temporary file");
            removed.push(entry.path());
        }
    }
    removed
}

/// Loads the state file into the sandboxes; a missing file is a fresh start. Stale temporary
/// files of earlier, killed saves are removed first.
pub fn load(path: &Path, sandboxes: &Sandboxes) -> Result<bool, PersistenceError> {
    remove_stale_temp_files(path);
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

/// Writes every sandbox's state atomically, straight from the worlds into the file (no copy of
/// the state in memory first).
pub fn save(path: &Path, sandboxes: &Sandboxes) -> Result<(), PersistenceError> {
    let write_err = |source| PersistenceError::Write {
        path: path.into(),
        source,
    };
    let tmp = temp_path(path, std::process::id());
    let result = (|| {
        let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        sandboxes.save_all(&mut file)?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_file_is_named_after_the_whole_state_file() {
        assert_eq!(
            temp_path(Path::new("/data/state.json"), 42),
            PathBuf::from("/data/state.json.tmp-42")
        );
        assert_eq!(
            temp_path(Path::new("state"), 7),
            PathBuf::from("state.tmp-7")
        );
    }
}
