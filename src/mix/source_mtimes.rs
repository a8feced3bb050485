//! Makes Mix see every source edit. CNB platforms hand the app over with normalized mtimes (pack sets
//! every file to 1980-01-01), and Mix finds changed sources by mtime and size: an edit that keeps a
//! file's size would go unnoticed and ship stale code. We keep the digest of every app file in the
//! `_build` layer and give the files whose contents changed since that build the current time, so Mix
//! recompiles them (and only them: unchanged files keep their mtime).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Directories that are not sources: build output, dependencies and VCS data.
const SKIPPED_DIRS: &[&str] = &["_build", "deps", ".git", "node_modules", ".elixir_ls"];

/// Relative path → SHA-256 of its contents.
pub(crate) type Digests = BTreeMap<String, String>;

pub(crate) fn digests(app_dir: &Path) -> std::io::Result<Digests> {
    let mut digests = Digests::new();
    let walker = walkdir::WalkDir::new(app_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            !(entry.depth() > 0
                && entry.file_type().is_dir()
                && SKIPPED_DIRS.iter().any(|dir| entry.file_name() == *dir))
        });
    for entry in walker {
        let entry = entry.map_err(std::io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(app_dir).unwrap_or(entry.path());
        let mut hasher = Sha256::new();
        std::io::copy(&mut fs_err::File::open(entry.path())?, &mut hasher)?;
        digests.insert(
            relative.to_string_lossy().to_string(),
            crate::digest::hex(&hasher.finalize()),
        );
    }
    Ok(digests)
}

/// The files whose contents are new or changed since `previous`.
pub(crate) fn changed<'a>(previous: &Digests, current: &'a Digests) -> Vec<&'a str> {
    current
        .iter()
        .filter(|(path, digest)| previous.get(*path) != Some(*digest))
        .map(|(path, _)| path.as_str())
        .collect()
}

/// What `touch_changed` found.
pub(crate) struct Touched {
    /// How many files changed since the cached `_build`, or `None` without one (a first build).
    pub(crate) changed: Option<usize>,
    /// The digests to save once the build compiled.
    pub(crate) digests: Digests,
}

/// Gives the changed files the current time.
pub(crate) fn touch_changed(app_dir: &Path, state_file: &Path) -> std::io::Result<Touched> {
    let cached: Option<Digests> = fs_err::read_to_string(state_file)
        .ok()
        .and_then(|json| serde_json::from_str(&json).ok());
    let previous = cached.clone().unwrap_or_default();
    let current = digests(app_dir)?;
    let changed = changed(&previous, &current);
    let now = SystemTime::now();
    for path in &changed {
        fs_err::File::options()
            .write(true)
            .open(app_dir.join(path))?
            .file()
            .set_modified(now)?;
    }
    Ok(Touched {
        changed: cached.map(|_| changed.len()),
        digests: current,
    })
}

/// Saves the digests for the next build, once it compiled.
pub(crate) fn save(state_file: &Path, digests: &Digests) -> std::io::Result<()> {
    if let Some(parent) = state_file.parent() {
        fs_err::create_dir_all(parent)?;
    }
    // Written aside and renamed, so a build killed meanwhile leaves the previous state, never half a file.
    let partial = state_file.with_extension("json.partial");
    fs_err::write(
        &partial,
        serde_json::to_string(digests).map_err(std::io::Error::other)?,
    )?;
    fs_err::rename(&partial, state_file)
}

/// Where the digests live: in the `_build` layer, so they are dropped with it.
pub(crate) fn state_file(build_layer: &Path) -> PathBuf {
    build_layer.join(".elixir-cnb-sources.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    /// 1980-01-01, the mtime pack gives every app file.
    fn normalized() -> SystemTime {
        UNIX_EPOCH + Duration::from_hours(87_648)
    }

    fn mtime(path: &Path) -> SystemTime {
        fs_err::metadata(path)
            .and_then(|metadata| metadata.modified())
            .expect("an mtime")
    }

    #[test]
    fn only_files_whose_contents_changed_get_a_new_mtime() {
        let app = tempfile::tempdir().expect("tempdir");
        let state = tempfile::tempdir().expect("tempdir");
        let state_file = state_file(state.path());
        let file = |path: &str, contents: &str| {
            let path = app.path().join(path);
            fs_err::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            fs_err::write(&path, contents).expect("write");
            // As a CNB platform hands them over.
            fs_err::File::options()
                .write(true)
                .open(&path)
                .expect("open")
                .file()
                .set_modified(normalized())
                .expect("set mtime");
            path
        };
        let edited = file("lib/a.ex", "defmodule A, do: def(n, do: 1)");
        let untouched = file("lib/b.ex", "defmodule B do end");
        file("_build/prod/lib/a/ebin/a.beam", "not a source");
        file("deps/x/mix.exs", "not a source");

        let touched = touch_changed(app.path(), &state_file).expect("first build");
        assert_eq!(touched.changed, None, "a first build has nothing to compare with");
        assert_eq!(
            touched.digests.keys().cloned().collect::<Vec<_>>(),
            vec!["lib/a.ex", "lib/b.ex"]
        );
        save(&state_file, &touched.digests).expect("save");

        // The next build gets the app afresh, with normalized mtimes again. Same size, new contents, old
        // mtime: what Mix alone would miss.
        assert_eq!(file("lib/a.ex", "defmodule A, do: def(n, do: 2)"), edited);
        assert_eq!(file("lib/b.ex", "defmodule B do end"), untouched);
        let touched = touch_changed(app.path(), &state_file).expect("second build");
        assert_eq!(touched.changed, Some(1));
        assert!(mtime(&edited) > SystemTime::now() - Duration::from_mins(1));
        assert_eq!(mtime(&untouched), normalized());
    }
}
