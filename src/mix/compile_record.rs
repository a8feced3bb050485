//! What the last compile was made from, kept in the `_build` cache, so that a build in which none of it
//! changed skips Mix (`deps.get` and `compile`: a BEAM boot and Mix's own checks, half a second and
//! more) and takes the project's facts from the record.
//!
//! Mix's no-op compile reads the app files, `deps/`, `_build/`, the toolchain and the environment
//! (`config/*.exs` may read env vars at compile time, compilers read `CC`, `CFLAGS`). The record holds
//! what the cache keys and the sources' digests don't already: a digest of the env the build was given
//! (the process env and the config vars, never their values), the record's own schema and the buildpack's
//! version. A build skips Mix only when, besides, no app file was added, changed or removed, `deps/` was
//! fetched for the same `mix.lock` (or the app has no deps), no classic hook is set (a hook may change
//! anything) and the compiled app doesn't ship (Mix at runtime, where the record would ship with it).
//!
//! The record is removed before Mix runs and written once it compiled: a build stopped halfway through
//! (the classic cache keeps what it wrote) leaves none, and the next build runs Mix. A compile that
//! changed app files (an older Mix rewriting `mix.lock`) writes none either: the next build gets the app
//! as it came, and needs Mix again.

use super::ProjectInfo;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Bumped when the steps a skipped compile stands for change.
const SCHEMA: u32 = 1;

/// Env vars that differ from one build to the next without changing what compiles: the build
/// container's name (Docker, Kubernetes), the lifecycle's temporary build plan and the classic build's
/// request id.
const VOLATILE_VARS: &[&str] = &["HOSTNAME", "CNB_BP_PLAN_PATH", "REQUEST_ID"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Record {
    schema: u32,
    buildpack: String,
    /// SHA-256 of the env the build was given ([`env_digest`]).
    env: String,
    /// Where the app and `_build` were: Mix's facts name paths (the asset tools' binaries).
    dirs: [PathBuf; 2],
    project: ProjectInfo,
}

impl Record {
    pub(crate) fn new(env_digest: &str, dirs: &[PathBuf; 2], project: ProjectInfo) -> Self {
        Self {
            schema: SCHEMA,
            buildpack: env!("CARGO_PKG_VERSION").to_string(),
            env: env_digest.to_string(),
            dirs: dirs.clone(),
            project,
        }
    }
}

pub(crate) fn file(build_layer: &Path) -> PathBuf {
    build_layer.join(".elixir-cnb-compiled.json")
}

/// SHA-256 of the env vars given to the build (the process env with the front-end's config vars over
/// it), before the buildpack adds its own; [`VOLATILE_VARS`] left out.
pub(crate) fn env_digest<'a>(env: impl IntoIterator<Item = (&'a OsString, &'a OsString)>) -> String {
    let mut hasher = Sha256::new();
    for (name, value) in env {
        if VOLATILE_VARS.iter().any(|volatile| name == *volatile) {
            continue;
        }
        // Lengths first: no two envs hash the same bytes.
        for part in [name, value] {
            let bytes = part.as_encoded_bytes();
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
    }
    crate::digest::hex(&hasher.finalize())
}

/// What the build knows before it would run Mix.
#[allow(clippy::struct_excessive_bools)]
pub(crate) struct Now<'a> {
    /// No app file was added, changed or removed since the cached `_build` compiled.
    pub(crate) same_files: bool,
    /// `deps/` was restored as fetched for this `mix.lock`.
    pub(crate) deps_for_lock: bool,
    /// The app has a `mix.lock`, or no deps to lock (Mix fetched none into `deps/`).
    pub(crate) deps_locked: bool,
    pub(crate) hooks: bool,
    /// The compiled app ships in the image (Mix at runtime).
    pub(crate) ships: bool,
    pub(crate) env_digest: &'a str,
    /// The app dir and the `_build` layer.
    pub(crate) dirs: [PathBuf; 2],
}

/// Whether Mix runs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Nothing Mix reads changed: the project's facts from the record.
    Skip(ProjectInfo),
    /// Mix runs; why, when the app's files are those of the cached `_build` (else the changed files
    /// say it).
    Run(Option<&'static str>),
}

pub(crate) fn decide(stored: Option<Record>, now: &Now<'_>) -> Decision {
    if !now.same_files || now.ships {
        return Decision::Run(None);
    }
    let why = if now.hooks {
        "a classic hook is set, and hooks may change anything"
    } else if !now.deps_locked {
        "the app has deps and no mix.lock"
    } else if !now.deps_for_lock {
        "deps/ was not cached for this mix.lock"
    } else {
        match stored {
            None => "the cached _build has no record of a finished compile",
            Some(record) if record.env != now.env_digest => "the build's env vars changed",
            Some(record) if record.dirs != now.dirs => "the app or _build is in another directory",
            Some(record) if record.schema != SCHEMA || record.buildpack != env!("CARGO_PKG_VERSION") => {
                "another version of the buildpack compiled it"
            }
            Some(record) => return Decision::Skip(record.project),
        }
    };
    Decision::Run(Some(why))
}

pub(crate) fn read(build_layer: &Path) -> Option<Record> {
    let json = fs_err::read_to_string(file(build_layer)).ok()?;
    serde_json::from_str(&json).ok()
}

/// Removes the record: Mix is about to change `_build`.
pub(crate) fn remove(build_layer: &Path) -> std::io::Result<()> {
    match fs_err::remove_file(file(build_layer)) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

pub(crate) fn write(build_layer: &Path, record: &Record) -> std::io::Result<()> {
    let json = serde_json::to_string(record).map_err(std::io::Error::other)?;
    fs_err::write(file(build_layer), json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        vars.iter()
            .map(|(name, value)| (OsString::from(name), OsString::from(value)))
            .collect()
    }

    fn digest(vars: &[(&str, &str)]) -> String {
        let vars = env(vars);
        env_digest(vars.iter().map(|(name, value)| (name, value)))
    }

    #[test]
    fn the_env_digest_changes_with_any_var_but_the_volatile_ones() {
        let base = digest(&[("DATABASE_URL", "ecto://x"), ("PATH", "/bin")]);
        assert_eq!(base.len(), 64);
        assert_eq!(base, digest(&[("DATABASE_URL", "ecto://x"), ("PATH", "/bin")]));
        for other in [
            digest(&[("DATABASE_URL", "ecto://y"), ("PATH", "/bin")]),
            digest(&[("DATABASE_URL", "ecto://x"), ("PATH", "/bin"), ("FEATURE", "")]),
            digest(&[("DATABASE_URL", "ecto://x")]),
            // The same bytes split differently between name and value.
            digest(&[("DATABASE_URLe", "cto://x"), ("PATH", "/bin")]),
            digest(&[("DATABASE_URL", "ecto://x"), ("PATH", "/bin"), ("HOSTNAMES", "a")]),
        ] {
            assert_ne!(base, other);
        }
        assert_eq!(
            base,
            digest(&[
                ("DATABASE_URL", "ecto://x"),
                ("CNB_BP_PLAN_PATH", "/tmp/elixir-cnb_elixir-1251330951/plan.toml"),
                ("HOSTNAME", "3f2a"),
                ("PATH", "/bin"),
                ("REQUEST_ID", "e1"),
            ]),
            "the container's name, the build plan's path and the request id don't count"
        );
    }

    fn project() -> ProjectInfo {
        ProjectInfo {
            app: String::from("hello"),
            phoenix: true,
            tools: vec![super::super::ConfiguredTool {
                name: String::from("esbuild"),
                version: String::from("0.25.0"),
                bin_path: PathBuf::from("/layers/_build/esbuild-linux-x64"),
            }],
            releases: vec![super::super::ReleaseSpec {
                name: String::from("hello"),
                tool: super::super::ReleaseTool::Mix,
            }],
            ..ProjectInfo::default()
        }
    }

    fn dirs() -> [PathBuf; 2] {
        [
            PathBuf::from("/workspace"),
            PathBuf::from("/layers/elixir-cnb_elixir/_build"),
        ]
    }

    fn now(env_digest: &str) -> Now<'_> {
        Now {
            same_files: true,
            deps_for_lock: true,
            deps_locked: true,
            hooks: false,
            ships: false,
            env_digest,
            dirs: dirs(),
        }
    }

    type Change = fn(&mut Now<'_>);

    #[test]
    fn the_facts_are_reused_only_when_nothing_mix_reads_changed() {
        let stored = || Some(Record::new("e1", &dirs(), project()));
        assert_eq!(decide(stored(), &now("e1")), Decision::Skip(project()));
        let run = |why: &'static str| Decision::Run(Some(why));
        assert_eq!(
            decide(None, &now("e1")),
            run("the cached _build has no record of a finished compile")
        );
        assert_eq!(decide(stored(), &now("e2")), run("the build's env vars changed"));
        let mut moved = now("e1");
        moved.dirs[0] = PathBuf::from("/tmp/build_2");
        assert_eq!(
            decide(stored(), &moved),
            run("the app or _build is in another directory")
        );
        moved.dirs = dirs();
        moved.dirs[1] = PathBuf::from("/cache/_build");
        assert_eq!(
            decide(stored(), &moved),
            run("the app or _build is in another directory")
        );
        let changes: [(Change, Decision); 5] = [
            (|now| now.same_files = false, Decision::Run(None)),
            (|now| now.ships = true, Decision::Run(None)),
            (
                |now| now.hooks = true,
                run("a classic hook is set, and hooks may change anything"),
            ),
            (
                |now| now.deps_locked = false,
                run("the app has deps and no mix.lock"),
            ),
            (
                |now| now.deps_for_lock = false,
                run("deps/ was not cached for this mix.lock"),
            ),
        ];
        for (change, decision) in changes {
            let mut now = now("e1");
            change(&mut now);
            assert_eq!(decide(stored(), &now), decision);
        }
        let another = run("another version of the buildpack compiled it");
        let mut older = Record::new("e1", &dirs(), project());
        older.schema -= 1;
        assert_eq!(
            decide(Some(older), &now("e1")),
            another,
            "an older record's schema"
        );
        let mut other = Record::new("e1", &dirs(), project());
        other.buildpack = String::from("0.0.1");
        assert_eq!(decide(Some(other), &now("e1")), another);
    }

    #[test]
    fn the_record_is_written_read_and_removed() {
        let dir = tempfile::tempdir().expect("a temp dir");
        assert_eq!(read(dir.path()), None);
        remove(dir.path()).expect("nothing to remove is fine");
        let record = Record::new("e1", &dirs(), project());
        write(dir.path(), &record).expect("written");
        assert_eq!(read(dir.path()), Some(record));
        fs_err::write(file(dir.path()), "{\"schema\":1}").expect("written");
        assert_eq!(read(dir.path()), None, "a record it can't read is none");
        remove(dir.path()).expect("removed");
        assert!(!file(dir.path()).exists());
        // A record that can't be removed stops the build rather than standing for a changed `_build`.
        fs_err::create_dir_all(file(dir.path()).join("x")).expect("a dir in its place");
        assert!(remove(dir.path()).is_err());
    }
}
