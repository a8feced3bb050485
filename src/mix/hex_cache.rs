//! The `hex_packages` cache: the package tarballs Hex downloads (`$HEX_HOME/packages/<repo>/`), so that a
//! build whose `deps` cache was dropped (a `mix.lock` change) downloads only packages it has never seen.
//! Build-only (never in the image). Hex verifies every cached tarball against the registry's checksum
//! before using it, so nothing but `always_rebuild` invalidates it; after `mix deps.get` the tarballs
//! `mix.lock` no longer names are removed, so it does not grow without bound.

use super::MixError;
use crate::cache::{self, CacheState};
use crate::frontend::Frontend;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HexPackagesMetadata {
    /// The layout of the cache (`packages/<repo>/<name>-<version>.tar`, as Hex writes it).
    layout: String,
}

impl CacheKey for HexPackagesMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let mut reasons = Vec::new();
        cache::push_if_changed(&mut reasons, "its layout", &self.layout, &new.layout);
        reasons
    }
}

const SPEC: CacheSpec = CacheSpec {
    name: "hex_packages",
    // Only this buildpack uses it: later buildpacks don't see it, the image doesn't have it.
    availability: Availability {
        build: false,
        launch: false,
    },
    what: "Hex packages",
};

/// Restores the cache; returns the directory Hex's `packages/` is linked to.
pub(crate) fn restore(frontend: &mut impl Frontend, always_rebuild: bool) -> Result<PathBuf, MixError> {
    let metadata = HexPackagesMetadata {
        layout: String::from("1"),
    };
    let (path, state) = cache::restore(frontend, SPEC, &metadata, always_rebuild)?;
    if state == CacheState::Reused {
        let count = tarballs(&path).len();
        if count > 0 {
            print::sub_bullet(format!("Using {count} cached Hex package(s)"));
        }
    }
    cache::save(frontend, SPEC, &metadata)?;
    Ok(path)
}

/// Removes the cached tarballs `mix.lock` doesn't name (any repo): what a later build may still need
/// stays, what was upgraded away goes.
pub(crate) fn prune(packages: &Path, mix_lock: &str) -> std::io::Result<()> {
    let locked = locked_tarballs(mix_lock);
    for tarball in tarballs(packages) {
        let name = tarball.file_name().map(|name| name.to_string_lossy().to_string());
        if name.is_some_and(|name| !locked.contains(&name)) {
            fs_err::remove_file(&tarball)?;
        }
    }
    Ok(())
}

/// Every `<repo>/<file>.tar` in the cache.
fn tarballs(packages: &Path) -> Vec<PathBuf> {
    let Ok(repos) = fs_err::read_dir(packages) else {
        return Vec::new();
    };
    repos
        .flatten()
        .filter_map(|repo| fs_err::read_dir(repo.path()).ok())
        .flat_map(|files| files.flatten().map(|file| file.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "tar"))
        .collect()
}

/// The tarball names of the Hex packages in `mix.lock`: `"jason": {:hex, :jason, "1.4.4", ...}` is
/// `jason-1.4.4.tar`.
fn locked_tarballs(mix_lock: &str) -> BTreeSet<String> {
    mix_lock
        .split("{:hex, :")
        .skip(1)
        .filter_map(|entry| {
            let (name, rest) = entry.split_once(',')?;
            let version = rest.trim_start().strip_prefix('"')?.split('"').next()?;
            Some(format!("{}-{version}.tar", name.trim().trim_matches('"')))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"%{
  "jason": {:hex, :jason, "1.4.5", "dc3d", [:mix], [], "hexpm", "8b52"},
  "acme_hello": {:hex, :acme_hello, "0.1.0", "aa", [:mix], [], "hexpm:acme", "bb"},
  "x": {:git, "https://example.com/x.git", "abc", []},
}"#;

    #[test]
    fn the_lock_names_the_tarballs() {
        assert_eq!(
            locked_tarballs(LOCK),
            BTreeSet::from(["jason-1.4.5.tar".to_string(), "acme_hello-0.1.0.tar".to_string()])
        );
        assert!(locked_tarballs("%{}\n").is_empty());
    }

    #[test]
    fn pruning_keeps_what_the_lock_names() {
        let dir = tempfile::tempdir().expect("a temp dir");
        for path in [
            "hexpm/jason-1.4.5.tar",
            "hexpm/jason-1.4.4.tar",
            "hexpm:acme/acme_hello-0.1.0.tar",
            "hexpm/notes.txt",
        ] {
            let path = dir.path().join(path);
            fs_err::create_dir_all(path.parent().expect("a parent")).expect("a dir");
            fs_err::write(path, "x").expect("a file");
        }
        prune(dir.path(), LOCK).expect("pruned");
        let mut left: Vec<String> = tarballs(dir.path())
            .iter()
            .map(|path| {
                path.strip_prefix(dir.path())
                    .expect("inside")
                    .to_string_lossy()
                    .to_string()
            })
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec!["hexpm/jason-1.4.5.tar", "hexpm:acme/acme_hello-0.1.0.tar"]
        );
        assert!(dir.path().join("hexpm/notes.txt").exists());
    }
}
