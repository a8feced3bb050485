//! Makes Mix see every source edit. CNB platforms hand the app over with normalized mtimes (pack sets
//! every file to 1980-01-01), and Mix finds changed sources by mtime and size: an edit that keeps a
//! file's size would go unnoticed and ship stale code. We keep the digest of every app file in the
//! `_build` layer and give the files whose contents changed since that build the current time, so Mix
//! recompiles them (and only them: unchanged files keep their mtime).
//!
//! Mix compares whole seconds: an Elixir source is stale only when its mtime's second is after its
//! manifest's, an Erlang source only when it is after its `.beam`'s. The lifecycle restores the `_build`
//! layer just before the build, giving its files the restore time, so the touch waits for the next
//! second when the newest file in `_build` was written in the current one.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// The files added, changed or removed from `before` to `after`, sorted.
pub(crate) fn differences(before: &Digests, after: &Digests) -> Vec<String> {
    let mut paths: Vec<String> = changed(before, after).into_iter().map(String::from).collect();
    paths.extend(before.keys().filter(|path| !after.contains_key(*path)).cloned());
    paths.sort();
    paths
}

/// What `touch_changed` found.
pub(crate) struct Touched {
    /// How many files changed (added, edited or removed) since the cached `_build`, or `None` without one
    /// (a first build).
    pub(crate) changed: Option<usize>,
    /// The app's files are those the cached `_build` was compiled from: none added, changed or removed.
    pub(crate) same_files: bool,
    /// The digests to save once the build compiled.
    pub(crate) digests: Digests,
}

/// Gives the changed files a time Mix sees as newer than the `_build` in `build_layer`.
pub(crate) fn touch_changed(app_dir: &Path, build_layer: &Path) -> std::io::Result<Touched> {
    let cached: Option<Digests> = fs_err::read_to_string(state_file(build_layer))
        .ok()
        .and_then(|json| serde_json::from_str(&json).ok());
    let previous = cached.clone().unwrap_or_default();
    let current = digests(app_dir)?;
    let changed = changed(&previous, &current);
    if !changed.is_empty() {
        let now = SystemTime::now();
        if let Some(wait) = newest_in_build(build_layer, now)?.and_then(|newest| wait_for(now, newest)) {
            if only_elixir_compiler_inputs(&changed) {
                // Mix compares these with the Elixir compiler's manifests alone: dating every one of
                // them a second back keeps their order among themselves, and spares the wait.
                let second_back = UNIX_EPOCH + Duration::from_secs(seconds(now).saturating_sub(1));
                for manifest in elixir_manifests(build_layer)? {
                    set_mtime(&manifest, second_back)?;
                }
            } else {
                std::thread::sleep(wait);
            }
        }
    }
    let now = SystemTime::now();
    for path in &changed {
        set_mtime(&app_dir.join(path), now)?;
    }
    Ok(Touched {
        same_files: cached.as_ref() == Some(&current),
        changed: cached.map(|previous| differences(&previous, &current).len()),
        digests: current,
    })
}

/// The newest mtime of what Mix wrote in a `_build` (`<env>/lib/`: manifests, `.beam` files), `None`
/// without any; the layer's own files (launch env, the digests) do not count. A file from the future
/// (a cache written on a machine whose clock is ahead) is set to `now` first, as Mix itself would do,
/// only after having compared the sources with its future time.
fn newest_in_build(build_layer: &Path, now: SystemTime) -> std::io::Result<Option<SystemTime>> {
    let mut newest = None;
    let envs = match fs_err::read_dir(build_layer) {
        Ok(envs) => envs.collect::<Result<Vec<_>, _>>()?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let libs = envs
        .iter()
        .map(|env| env.path().join("lib"))
        .filter(|lib| lib.is_dir());
    for entry in libs.flat_map(walkdir::WalkDir::new) {
        let entry = entry.map_err(std::io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let mut modified = entry.metadata().map_err(std::io::Error::other)?.modified()?;
        if modified > now {
            set_mtime(entry.path(), now)?;
            modified = now;
        }
        newest = newest.max(Some(modified));
    }
    Ok(newest)
}

/// Whether Mix compares these files with the Elixir compiler's manifests (`compile.elixir`) alone:
/// Elixir sources and the templates they embed. Anything else (`mix.exs` and config, which the `.app`
/// and protocol steps compare with their own outputs, Erlang sources, compared with their `.beam`) is not.
fn only_elixir_compiler_inputs(changed: &[&str]) -> bool {
    changed.iter().all(|path| {
        Path::new(path).extension().is_some_and(|extension| {
            ["ex", "eex", "heex", "leex"]
                .iter()
                .any(|known| extension == *known)
        })
    })
}

/// The Elixir compiler's manifests in a `_build`: `<env>/lib/<app>/.mix/compile.elixir`, of the app's
/// own apps and of its dependencies alike (Mix compares them with each other).
fn elixir_manifests(build_layer: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut manifests = Vec::new();
    for env in fs_err::read_dir(build_layer)? {
        let Ok(apps) = fs_err::read_dir(env?.path().join("lib")) else {
            continue;
        };
        for app in apps {
            let manifest = app?.path().join(".mix/compile.elixir");
            if manifest.is_file() {
                manifests.push(manifest);
            }
        }
    }
    manifests.sort();
    Ok(manifests)
}

fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// How long to wait before `now` is in a later whole second than `newest` (at most a second, as `newest`
/// is not after `now`), `None` when it already is.
fn wait_for(now: SystemTime, newest: SystemTime) -> Option<Duration> {
    let next_second = UNIX_EPOCH + Duration::from_secs(seconds(newest) + 1);
    (seconds(now) <= seconds(newest)).then(|| next_second.duration_since(now).unwrap_or_default())
}

/// Sets a file's mtime.
pub(crate) fn set_mtime(path: &Path, time: SystemTime) -> std::io::Result<()> {
    fs_err::File::options()
        .write(true)
        .open(path)?
        .file()
        .set_modified(time)
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
    fn differences_are_the_files_added_changed_and_removed() {
        let digests = |pairs: &[(&str, &str)]| -> Digests {
            pairs
                .iter()
                .map(|(path, digest)| ((*path).to_string(), (*digest).to_string()))
                .collect()
        };
        let before = digests(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let after = digests(&[("b", "2"), ("c", "4"), ("d", "5")]);
        assert_eq!(differences(&before, &after), ["a", "c", "d"]);
        assert!(differences(&after, &after).is_empty());
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

        let touched = touch_changed(app.path(), state.path()).expect("first build");
        assert_eq!(touched.changed, None, "a first build has nothing to compare with");
        assert!(!touched.same_files);
        assert_eq!(
            touched.digests.keys().cloned().collect::<Vec<_>>(),
            vec!["lib/a.ex", "lib/b.ex"]
        );
        save(&state_file, &touched.digests).expect("save");

        // The next build gets the app afresh, with normalized mtimes again. Same size, new contents, old
        // mtime: what Mix alone would miss.
        assert_eq!(file("lib/a.ex", "defmodule A, do: def(n, do: 2)"), edited);
        assert_eq!(file("lib/b.ex", "defmodule B do end"), untouched);
        // The lifecycle restored the `_build` layer a moment ago: its files have the current time.
        let manifest = state.path().join("prod/lib/a/.mix/compile.elixir");
        fs_err::create_dir_all(manifest.parent().expect("a parent")).expect("mkdir");
        fs_err::write(&manifest, "restored").expect("write");
        let touched = touch_changed(app.path(), state.path()).expect("second build");
        assert_eq!(touched.changed, Some(1));
        assert!(
            seconds(mtime(&edited)) > seconds(mtime(&manifest)),
            "Mix sees the edit only in a later second than its manifest and beams"
        );
        assert!(mtime(&edited) < SystemTime::now() + Duration::from_secs(1));
        assert_eq!(mtime(&untouched), normalized());
        assert!(!touched.same_files);
        save(&state_file, &touched.digests).expect("save");

        // The same files again; then one removed, which counts as a change.
        let touched = touch_changed(app.path(), state.path()).expect("third build");
        assert_eq!((touched.changed, touched.same_files), (Some(0), true));
        fs_err::remove_file(&untouched).expect("removed");
        let touched = touch_changed(app.path(), state.path()).expect("fourth build");
        assert_eq!((touched.changed, touched.same_files), (Some(1), false));
    }

    #[test]
    fn an_app_dir_named_like_a_skipped_dir_is_still_read() {
        let parent = tempfile::tempdir().expect("tempdir");
        let app = parent.path().join("deps");
        fs_err::create_dir_all(app.join("lib")).expect("mkdir");
        fs_err::write(app.join("lib/a.ex"), "defmodule A do end").expect("write");
        assert_eq!(
            digests(&app).expect("digests").keys().collect::<Vec<_>>(),
            vec!["lib/a.ex"]
        );
    }

    /// An app and its `_build` as the lifecycle hands them over: sources with an old mtime, `_build`
    /// restored this very second, and the digests of the previous build. The `_build` files are dated a
    /// little ahead, which the touch brings back to its own present: so they surely share its second.
    fn restored(previous: &[(&str, &str)], build_files: &[&str]) -> (tempfile::TempDir, tempfile::TempDir) {
        let app = tempfile::tempdir().expect("tempdir");
        let build = tempfile::tempdir().expect("tempdir");
        for (path, contents) in previous {
            let path = app.path().join(path);
            fs_err::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            fs_err::write(&path, contents).expect("write");
        }
        save(&state_file(build.path()), &digests(app.path()).expect("digests")).expect("save");
        for path in build_files {
            let path = build.path().join(path);
            fs_err::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            fs_err::write(&path, "restored").expect("write");
            fs_err::File::options()
                .write(true)
                .open(&path)
                .expect("open")
                .file()
                .set_modified(SystemTime::now() + Duration::from_secs(5))
                .expect("set mtime");
        }
        (app, build)
    }

    #[test]
    fn an_erlang_source_edit_gets_a_later_second_than_its_beam() {
        let (app, build) = restored(
            &[("src/a.erl", "-module(a).\nn() -> 1.\n")],
            &["prod/lib/app/.mix/compile.elixir", "prod/lib/app/ebin/a.beam"],
        );
        fs_err::write(app.path().join("src/a.erl"), "-module(a).\nn() -> 2.\n").expect("write");
        let touched = touch_changed(app.path(), build.path()).expect("touch");
        assert_eq!(touched.changed, Some(1));
        let beam = build.path().join("prod/lib/app/ebin/a.beam");
        assert!(seconds(mtime(&app.path().join("src/a.erl"))) > seconds(mtime(&beam)));
        assert!(mtime(&app.path().join("src/a.erl")) < SystemTime::now() + Duration::from_millis(1));
    }

    #[test]
    fn an_elixir_source_edit_dates_the_elixir_manifests_a_second_back_instead_of_waiting() {
        let (app, build) = restored(
            &[("lib/a.ex", "defmodule A, do: def(n, do: 1)")],
            &[
                "prod/lib/app/.mix/compile.elixir",
                "prod/lib/dep/.mix/compile.elixir",
                "prod/lib/dep/.mix/compile.fetch",
                "prod/lib/app/ebin/Elixir.A.beam",
            ],
        );
        fs_err::write(app.path().join("lib/a.ex"), "defmodule A, do: def(n, do: 2)").expect("write");
        let touched = touch_changed(app.path(), build.path()).expect("touch");
        assert_eq!(touched.changed, Some(1));
        let edited = mtime(&app.path().join("lib/a.ex"));
        for manifest in [
            "prod/lib/app/.mix/compile.elixir",
            "prod/lib/dep/.mix/compile.elixir",
        ] {
            let manifest = mtime(&build.path().join(manifest));
            assert!(seconds(manifest) < seconds(edited), "{manifest:?}");
            assert_eq!(
                manifest
                    .duration_since(UNIX_EPOCH)
                    .expect("after 1970")
                    .subsec_nanos(),
                0
            );
        }
        // Nothing else moved back (the rest only came back from the future, to the touch's present).
        let manifest = seconds(mtime(&build.path().join("prod/lib/app/.mix/compile.elixir")));
        for other in [
            "prod/lib/dep/.mix/compile.fetch",
            "prod/lib/app/ebin/Elixir.A.beam",
        ] {
            assert!(seconds(mtime(&build.path().join(other))) > manifest, "{other}");
            assert!(mtime(&build.path().join(other)) <= edited, "{other}");
        }
    }

    #[test]
    fn only_elixir_sources_and_templates_are_compared_with_the_elixir_manifests_alone() {
        assert!(only_elixir_compiler_inputs(&[
            "lib/a.ex",
            "lib/a_web/page.html.heex",
            "lib/b.eex",
            "lib/c.leex"
        ]));
        for other in [
            "mix.exs",
            "config/prod.exs",
            "src/a.erl",
            "include/a.hrl",
            "priv/gettext/x.po",
            "Makefile",
        ] {
            assert!(!only_elixir_compiler_inputs(&["lib/a.ex", other]), "{other}");
        }
    }

    #[test]
    fn the_elixir_manifests_of_every_env_and_app() {
        let (_, build) = restored(
            &[],
            &[
                "prod/lib/app/.mix/compile.elixir",
                "prod/lib/app/.mix/compile.protocols",
                "prod/lib/dep/.mix/compile.elixir",
                "prod/lib/erlang_dep/ebin/x.beam",
                "prod/consolidated/Elixir.Enumerable.beam",
                "test/lib/app/.mix/compile.elixir",
            ],
        );
        let manifests: Vec<String> = elixir_manifests(build.path())
            .expect("manifests")
            .iter()
            .map(|path| {
                path.strip_prefix(build.path())
                    .expect("inside")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(
            manifests,
            [
                "prod/lib/app/.mix/compile.elixir",
                "prod/lib/dep/.mix/compile.elixir",
                "test/lib/app/.mix/compile.elixir"
            ]
        );
    }

    fn at(millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(millis)
    }

    #[test]
    fn waits_for_the_second_after_the_newest_file_in_build() {
        assert_eq!(
            wait_for(at(100_700), at(100_200)),
            Some(Duration::from_millis(300))
        );
        assert_eq!(wait_for(at(100_000), at(100_000)), Some(Duration::from_secs(1)));
        assert_eq!(wait_for(at(100_999), at(100_000)), Some(Duration::from_millis(1)));
        assert_eq!(wait_for(at(101_000), at(100_999)), None);
        assert_eq!(wait_for(at(100_500), at(99_000)), None);
    }

    #[test]
    fn the_newest_file_in_build_counts_what_mix_wrote_and_brings_future_ones_back_to_now() {
        let build = tempfile::tempdir().expect("tempdir");
        let file = |path: &str, modified: SystemTime| {
            let path = build.path().join(path);
            fs_err::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            fs_err::write(&path, "").expect("write");
            fs_err::File::options()
                .write(true)
                .open(&path)
                .expect("open")
                .file()
                .set_modified(modified)
                .expect("set mtime");
            path
        };
        assert_eq!(newest_in_build(build.path(), at(500_000)).expect("walk"), None);
        assert_eq!(
            newest_in_build(&build.path().join("none"), at(500_000)).expect("walk"),
            None
        );

        file("prod/lib/app/.mix/compile.elixir", at(100_000));
        file("prod/lib/app/ebin/Elixir.App.beam", at(300_000));
        file("prod/lib/dep/.mix/compile.lock", at(200_000));
        // The layer's own files.
        file("env.launch/MIX_BUILD_PATH.override", at(400_000));
        file(".elixir-cnb-sources.json", at(400_000));
        assert_eq!(
            newest_in_build(build.path(), at(500_000)).expect("walk"),
            Some(at(300_000))
        );

        let future = file("test/lib/app/.mix/compile.elixir", at(900_000));
        assert_eq!(
            newest_in_build(build.path(), at(500_000)).expect("walk"),
            Some(at(500_000))
        );
        assert_eq!(mtime(&future), at(500_000));
    }
}
