//! The digest of everything a release is assembled from, so an unchanged release is reused instead of
//! re-assembled: the compiled app and deps (with their `priv` files), the project's config, `rel/`
//! overlays and templates, `mix.exs` and `mix.lock`. The consolidated protocols are left out: they are
//! made from the compiled app and deps, by whichever Mix task ran last (`mix compile` and `mix release`
//! each write their own bytes for the same protocols), so they would tell apart builds whose release
//! is the same.

use crate::mix::source_mtimes::Digests;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Why the release inputs could not be read.
#[derive(Debug)]
pub(crate) enum InputsError {
    /// A link in the compiled build output (`_build/<env>/lib/...`) leads to nothing: Mix makes such
    /// links for each dependency's `priv`, so the release can't be assembled from it.
    DanglingLink {
        /// Relative to `MIX_BUILD_PATH`.
        link: PathBuf,
        target: PathBuf,
        /// Where the target would be, links resolved.
        resolved: PathBuf,
    },
    Io(std::io::Error),
}

impl From<std::io::Error> for InputsError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}

/// Whether an app file is a release input: the config, `rel/`, `mix.exs` and `mix.lock`.
fn is_input(path: &str) -> bool {
    path.starts_with("config/") || path.starts_with("rel/") || path == "mix.exs" || path == "mix.lock"
}

/// Hashes the release inputs. `build_path` is the `MIX_BUILD_PATH` (`_build/<MIX_ENV>`), walked here
/// (symlinks followed: Mix links `priv` dirs into `_build`); the app's own files come as the digests the
/// build already made of them (one pass over the app files per build). Paths are hashed with the
/// contents, so renames count too.
pub(crate) fn digest(app_files: &Digests, build_path: &Path) -> Result<String, InputsError> {
    let mut hasher = Sha256::new();
    hash_tree(&mut hasher, "build/lib", &build_path.join("lib"))?;
    for (path, file_digest) in app_files.iter().filter(|(path, _)| is_input(path)) {
        hasher.update(format!("app/{path}\0{file_digest}\0"));
    }
    Ok(crate::digest::hex(&hasher.finalize()))
}

fn hash_tree(hasher: &mut Sha256, label: &str, root: &Path) -> Result<(), InputsError> {
    if !root.exists() {
        hasher.update(format!("{label}: absent\0"));
        return Ok(());
    }
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // Mix's compile manifests (`.mix/`) record timestamps and never reach a release; the
        // consolidated protocols (`lib/<app>/consolidated/`) are made from what is hashed here.
        .filter_entry(|entry| {
            entry.file_name() != ".mix" && !(entry.depth() == 2 && entry.file_name() == "consolidated")
        });
    for entry in walker {
        let entry = entry.map_err(|error| walk_error(root, error))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
        hasher.update(format!("{label}/{}\0", relative.display()));
        if relative.ends_with("priv/static/cache_manifest.json") {
            hasher.update(without_mtimes(&fs_err::read(entry.path())?));
        } else {
            let mut file = fs_err::File::open(entry.path())?;
            std::io::copy(&mut file, hasher)?;
        }
        hasher.update(b"\0");
    }
    Ok(())
}

/// A link the walk could not follow says which link and where it leads; anything else is an IO error.
fn walk_error(root: &Path, error: walkdir::Error) -> InputsError {
    let Some(path) = error.path().map(Path::to_path_buf) else {
        return InputsError::Io(std::io::Error::other(error));
    };
    if path.is_symlink()
        && !path.exists()
        && let Ok(target) = fs_err::read_link(&path)
    {
        let build_path = root.parent().unwrap_or(root);
        return InputsError::DanglingLink {
            link: path.strip_prefix(build_path).unwrap_or(&path).to_path_buf(),
            resolved: path
                .parent()
                .map_or_else(|| target.clone(), |dir| dir.join(&target)),
            target,
        };
    }
    InputsError::Io(std::io::Error::other(error))
}

/// `mix phx.digest`'s manifest without the `mtime` of each digest, which every `assets.deploy` renews
/// for unchanged assets (the digests and file names say whether they changed). Anything else, or a
/// manifest that does not parse, counts as it is.
fn without_mtimes(manifest: &[u8]) -> Vec<u8> {
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(manifest) else {
        return manifest.to_vec();
    };
    if let Some(digests) = json.get_mut("digests").and_then(serde_json::Value::as_object_mut) {
        for digest in digests.values_mut() {
            if let Some(digest) = digest.as_object_mut() {
                digest.remove("mtime");
            }
        }
    }
    serde_json::to_vec(&json).unwrap_or_else(|_| manifest.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |path: &str, contents: &str| {
            let path = dir.path().join(path);
            fs_err::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            fs_err::write(path, contents).expect("write");
        };
        write("mix.exs", "defmodule X.MixProject do end");
        write("config/config.exs", "import Config");
        write("priv/static/app.css", "body {}");
        write("_build/prod/lib/x/ebin/x.app", "{application, x, []}.");
        write("_build/prod/lib/x/.mix/compile.elixir", "manifest");
        std::os::unix::fs::symlink(dir.path().join("priv"), dir.path().join("_build/prod/lib/x/priv"))
            .expect("symlink");
        dir
    }

    #[test]
    fn same_inputs_same_digest_and_every_input_counts() {
        let dir = project();
        let app = dir.path();
        let build = app.join("_build/prod");
        let digest = |app: &Path, build: &Path| {
            let files = crate::mix::source_mtimes::digests(app).expect("app file digests");
            super::digest(&files, build)
        };
        let first = digest(app, &build).expect("digest");
        assert_eq!(digest(app, &build).expect("digest"), first);

        let mut seen = vec![first];
        for (path, contents) in [
            ("lib/x.ex", "not an input: only the compiled app is"),
            (
                "_build/prod/lib/x/.mix/compile.elixir",
                "a manifest with new timestamps",
            ),
            (
                "_build/prod/lib/x/consolidated/Elixir.Inspect.beam",
                "consolidated",
            ),
            (
                "_build/prod/lib/x/consolidated/Elixir.Inspect.beam",
                "again, by another task",
            ),
            (
                "_build/prod/consolidated/Elixir.Enumerable.beam",
                "before Elixir 1.16",
            ),
            ("_build/prod/lib/x/priv/consolidated/data", "a priv file"),
            ("_build/prod/lib/x/ebin/x.app", "{application, x, [changed]}."),
            ("priv/static/app.css", "body { color: red }"),
            ("config/runtime.exs", "import Config"),
            ("rel/env.sh.eex", "export X=1"),
            ("mix.lock", "%{}"),
            (
                "priv/static/cache_manifest.json",
                r#"{"digests":{"app-1.css":{"digest":"1","mtime":63900000001}},"latest":{"app.css":"app-1.css"},"version":1}"#,
            ),
            (
                "priv/static/cache_manifest.json",
                r#"{"digests":{"app-1.css":{"digest":"1","mtime":63900000099}},"latest":{"app.css":"app-1.css"},"version":1}"#,
            ),
            (
                "priv/static/cache_manifest.json",
                r#"{"digests":{"app-2.css":{"digest":"2","mtime":63900000099}},"latest":{"app.css":"app-2.css"},"version":1}"#,
            ),
            ("priv/static/cache_manifest.json", "not json"),
            ("priv/static/cache_manifest.json", "not json either"),
        ] {
            fs_err::create_dir_all(app.join(path).parent().expect("a parent")).expect("mkdir");
            fs_err::write(app.join(path), contents).expect("write");
            let next = digest(app, &build).expect("digest");
            // phx.digest renews every asset's mtime in its manifest, changed or not.
            let mtime_only = contents.contains("63900000099") && contents.contains("app-1.css");
            let consolidated = path.contains("consolidated/Elixir.");
            if path.starts_with("lib/") || path.contains(".mix/") || consolidated || mtime_only {
                assert_eq!(&next, seen.last().expect("a digest"), "{path} must not count");
            } else {
                assert!(!seen.contains(&next), "{path} must change the digest");
            }
            seen.push(next);
        }
    }

    #[test]
    fn a_link_to_nowhere_in_the_build_says_which_and_where() {
        let dir = project();
        let build = dir.path().join("_build/prod");
        std::os::unix::fs::symlink("../../../../gone/castore/priv", build.join("lib/x/castore_priv"))
            .expect("symlink");
        let files = crate::mix::source_mtimes::digests(dir.path()).expect("app file digests");
        match digest(&files, &build) {
            Err(InputsError::DanglingLink {
                link,
                target,
                resolved,
            }) => {
                assert_eq!(link, Path::new("lib/x/castore_priv"));
                assert_eq!(target, Path::new("../../../../gone/castore/priv"));
                assert_eq!(resolved, build.join("lib/x/../../../../gone/castore/priv"));
            }
            other => panic!("{other:?}"),
        }
    }
}
