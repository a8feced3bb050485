//! The seam between the build and the platform it runs on: what a front-end (CNB, classic) gives the
//! build's stages (caches, launch env and programs, the launch SBOM) and the types they trade in. Ground
//! level: every stage may import it; it imports no stage.

#[cfg(test)]
pub(crate) mod fake;

use crate::sourced::{Source, Sourced};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// What a front-end (or the cache helpers over it) fails with.
#[derive(Debug)]
pub(crate) enum FrontendError {
    /// The front-end could not open or save a cache (a CNB layer, a classic cache dir).
    Cache(String),
    /// Linking a cache's directory into the app failed.
    LinkCache(std::io::Error),
    /// A bug in the buildpack, not a problem of the app.
    Internal(String),
    /// Classic builds: the slug's runtime path can't be prepared.
    RuntimePath { path: PathBuf, error: std::io::Error },
    /// Classic builds: `runtime_path` is not absolute.
    RelativeRuntimePath(Sourced<String>),
}

impl FrontendError {
    /// A cache's file or directory could not be `what` ("reading", "removing", ...).
    pub(crate) fn io(what: &str, path: &Path, error: &std::io::Error) -> Self {
        Self::Cache(format!("{what} {}: {error}", path.display()))
    }
}

/// The classic keys whose meaning depends on the front-end.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ClassicOnly {
    /// Where the slug runs (classic default `/app`).
    pub(crate) runtime_path: Option<Sourced<String>>,
    /// Config vars the classic buildpack exported to the build (it now exports all of them).
    pub(crate) config_vars_to_export: Option<Sourced<Vec<String>>>,
    /// Arguments of `mix test` in Heroku CI.
    pub(crate) test_args: Option<Sourced<String>>,
}

impl ClassicOnly {
    /// The keys that are set, with their line, for messages.
    pub(crate) fn set_keys(&self) -> Vec<(&'static str, &Source)> {
        let mut keys = Vec::new();
        if let Some(value) = &self.runtime_path {
            keys.push(("runtime_path", &value.source));
        }
        if let Some(value) = &self.config_vars_to_export {
            keys.push(("config_vars_to_export", &value.source));
        }
        if let Some(value) = &self.test_args {
            keys.push(("test_args", &value.source));
        }
        keys
    }
}

/// Cache metadata that knows why a cached directory can't serve a new build.
///
/// A key is stored with its format's number, [`Self::SCHEMA`] (see [`crate::cache::stored`]), so that a
/// newer buildpack keeps the caches an older one wrote: when a key's fields or their meaning change, bump
/// `SCHEMA` and teach [`Self::migrate`] to read the formats before it.
pub(crate) trait CacheKey: Serialize + DeserializeOwned {
    /// The number of this key's stored format. Format 1 is also what buildpacks before numbered formats
    /// stored, without the number.
    const SCHEMA: u32;

    /// Human-readable reasons, each completing "since ...", empty when the cache is good.
    fn invalidation_reasons(&self, new: &Self) -> Vec<String>;

    /// Reads a key an older buildpack stored in format `schema` (older than [`Self::SCHEMA`]), or says
    /// why it can't (completing "since ..."): the cache is then discarded with that reason.
    fn migrate(schema: u32, key: toml::Table) -> Result<Self, String> {
        let _ = key;
        Err(format!(
            "it was written by an older version of this buildpack, whose cache format {schema} this \
             version can't read (it reads format {})",
            Self::SCHEMA
        ))
    }
}

/// Where a cache's contents are visible: to later build steps and buildpacks, and in the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Availability {
    pub(crate) build: bool,
    pub(crate) launch: bool,
}

impl Availability {
    /// Build-time contents that ship in the image only in mix-at-runtime mode.
    pub(crate) fn build_and_launch_if(launch: bool) -> Self {
        Self { build: true, launch }
    }
}

/// A cache the build steps use: its name (the CNB layer name, the classic cache dir name) and where
/// its contents are visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CacheSpec {
    pub(crate) name: &'static str,
    pub(crate) availability: Availability,
    /// Names the contents in messages ("Erlang/OTP").
    pub(crate) what: &'static str,
}

/// What a front-end found when it opened a cache.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Opened {
    /// The saved key matched: the contents are as the last successful build left them.
    Restored,
    /// No cache yet.
    New,
    /// Emptied, for these reasons (each completing "since ...").
    Discarded(Vec<String>),
}

/// What the build needs from the platform it runs on.
pub(crate) trait Frontend {
    /// Whether restored caches keep the mtimes they were saved with (classic cache dirs do; the CNB
    /// lifecycle gives restored layers the time of the restore).
    fn restores_mtimes(&self) -> bool;

    /// Takes the config keys whose meaning depends on the front-end, before any cache is opened.
    fn classic_only(&mut self, keys: &ClassicOnly) -> Result<(), FrontendError>;

    /// Opens the cache `spec.name`: restored when the key saved with it equals `key` (see
    /// [`crate::cache::reasons_to_discard`]), else emptied. An emptied cache has no key until [`Self::save_cache`].
    fn open_cache<K: CacheKey>(
        &mut self,
        spec: CacheSpec,
        key: &K,
        always_rebuild: bool,
    ) -> Result<(PathBuf, Opened), FrontendError>;

    /// The key a cache was last saved with, without opening it (none when there is no such cache).
    fn cached_key<K: CacheKey>(&self, name: &'static str) -> Option<K>;

    /// Saves `key` with the cache: its contents are complete.
    fn save_cache<K: CacheKey>(&mut self, spec: CacheSpec, key: &K) -> Result<(), FrontendError>;

    /// The contents of an opened cache are about to change: until [`Self::save_cache`], a later build
    /// must not trust them (a build stopped midway leaves them discarded, not half-written and trusted).
    fn writing_cache(&mut self, spec: CacheSpec) -> Result<(), FrontendError>;

    /// Declares the env vars the image's processes get from the cache `spec.name` (replacing what an
    /// earlier build declared for it). A launch cache's `bin/` is on PATH without being declared.
    fn set_launch_env(&mut self, spec: CacheSpec, vars: &[LaunchVar]) -> Result<(), FrontendError>;

    /// Runs `program` at launch for every process of the image, to set env (CNB: an exec.d program;
    /// classic: `.profile.d`). It comes with the cache `spec.name`, which ships.
    fn set_launch_program(&mut self, spec: CacheSpec, program: &LaunchProgram) -> Result<(), FrontendError>;

    /// Attaches the launch SBOM (`CycloneDX` JSON) to the cache `spec.name`, which ships.
    fn set_launch_sbom(&mut self, spec: CacheSpec, cyclonedx_json: &[u8]) -> Result<(), FrontendError>;
}

/// An env var for the image's processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LaunchVar {
    pub(crate) name: &'static str,
    pub(crate) value: String,
    /// A default yields to the platform's config vars; an override does not.
    pub(crate) overrides: bool,
}

impl LaunchVar {
    pub(crate) fn default_value(name: &'static str, value: impl Into<String>) -> Self {
        Self {
            name,
            value: value.into(),
            overrides: false,
        }
    }

    pub(crate) fn override_value(name: &'static str, value: impl Into<String>) -> Self {
        Self {
            name,
            value: value.into(),
            overrides: true,
        }
    }
}

/// A program that sets env at launch, in the two forms the front-ends run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LaunchProgram {
    pub(crate) name: &'static str,
    /// A CNB exec.d executable: prints TOML env to fd 3.
    pub(crate) exec_d: String,
    /// A shell snippet that exports the same, sourced at boot.
    pub(crate) profile_d: String,
}
