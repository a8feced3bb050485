//! An in-memory front-end for unit tests: caches are directories of a temporary dir, their keys kept in
//! memory (as TOML, as the real front-ends keep them), and everything the build declares is recorded, so
//! that a test can drive the pipeline's steps that need no toolchain and look at what they decided.

use super::{CacheKey, CacheSpec, ClassicOnly, Frontend, FrontendError, LaunchProgram, LaunchVar, Opened};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A front-end that keeps cache keys in memory and records what the build asks of it.
pub(crate) struct FakeFrontend {
    dir: tempfile::TempDir,
    /// Each cache's saved key (TOML), by name.
    pub(crate) keys: BTreeMap<&'static str, String>,
    /// The caches opened, in order, with what was found.
    pub(crate) opened: Vec<(&'static str, Opened)>,
    /// The caches whose key was saved, in order.
    pub(crate) saved: Vec<&'static str>,
    /// The caches declared as being written, in order.
    pub(crate) writing: Vec<&'static str>,
    pub(crate) launch_env: BTreeMap<&'static str, Vec<LaunchVar>>,
    pub(crate) launch_programs: BTreeMap<&'static str, LaunchProgram>,
    pub(crate) sboms: BTreeMap<&'static str, Vec<u8>>,
    /// The front-end-dependent keys the build passed, as `(key, source)` text.
    pub(crate) classic_only: Vec<(String, String)>,
    /// Fails `classic_only` with this, as the classic front-end does on a relative `runtime_path`.
    pub(crate) refuse_classic_only: bool,
    pub(crate) restores_mtimes: bool,
}

impl FakeFrontend {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temp dir"),
            keys: BTreeMap::new(),
            opened: Vec::new(),
            saved: Vec::new(),
            writing: Vec::new(),
            launch_env: BTreeMap::new(),
            launch_programs: BTreeMap::new(),
            sboms: BTreeMap::new(),
            classic_only: Vec::new(),
            refuse_classic_only: false,
            restores_mtimes: true,
        }
    }

    /// Where the cache `name` lives.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// What opening the cache `name` found, the last time it was opened.
    pub(crate) fn opened(&self, name: &str) -> Option<&Opened> {
        self.opened
            .iter()
            .rev()
            .find(|(opened, _)| *opened == name)
            .map(|(_, found)| found)
    }
}

impl Frontend for FakeFrontend {
    fn restores_mtimes(&self) -> bool {
        self.restores_mtimes
    }

    fn classic_only(&mut self, keys: &ClassicOnly) -> Result<(), FrontendError> {
        self.classic_only = keys
            .set_keys()
            .into_iter()
            .map(|(key, source)| (key.to_string(), source.to_string()))
            .collect();
        match &keys.runtime_path {
            Some(runtime_path) if self.refuse_classic_only => {
                Err(FrontendError::RelativeRuntimePath(runtime_path.clone()))
            }
            _ => Ok(()),
        }
    }

    fn open_cache<K: CacheKey>(
        &mut self,
        spec: CacheSpec,
        key: &K,
        always_rebuild: bool,
    ) -> Result<(PathBuf, Opened), FrontendError> {
        let path = self.path(spec.name);
        let opened = match self.keys.get(spec.name) {
            None => Opened::New,
            Some(text) => match crate::cache::decide(toml::from_str(text).ok(), key, always_rebuild) {
                crate::cache::Decision::Keep { migrated } => {
                    if let Some(migrated) = migrated {
                        let text = crate::cache::key_text(&migrated)?;
                        self.keys.insert(spec.name, text);
                    }
                    Opened::Restored
                }
                crate::cache::Decision::Discard(reasons) => Opened::Discarded(reasons),
            },
        };
        if opened != Opened::Restored {
            self.keys.remove(spec.name);
            if path.exists() {
                std::fs::remove_dir_all(&path).map_err(|error| FrontendError::Cache(error.to_string()))?;
            }
        }
        std::fs::create_dir_all(&path).map_err(|error| FrontendError::Cache(error.to_string()))?;
        let found = match &opened {
            Opened::Restored => Opened::Restored,
            Opened::New => Opened::New,
            Opened::Discarded(reasons) => Opened::Discarded(reasons.clone()),
        };
        self.opened.push((spec.name, found));
        Ok((path, opened))
    }

    fn cached_key<K: CacheKey>(&self, name: &'static str) -> Option<K> {
        crate::cache::read_key_text(self.keys.get(name)?)
    }

    fn save_cache<K: CacheKey>(&mut self, spec: CacheSpec, key: &K) -> Result<(), FrontendError> {
        let text = crate::cache::key_text(key)?;
        self.keys.insert(spec.name, text);
        self.saved.push(spec.name);
        Ok(())
    }

    fn writing_cache(&mut self, spec: CacheSpec) -> Result<(), FrontendError> {
        self.keys.remove(spec.name);
        self.writing.push(spec.name);
        Ok(())
    }

    fn set_launch_env(&mut self, spec: CacheSpec, vars: &[LaunchVar]) -> Result<(), FrontendError> {
        self.launch_env.insert(spec.name, vars.to_vec());
        Ok(())
    }

    fn set_launch_program(&mut self, spec: CacheSpec, program: &LaunchProgram) -> Result<(), FrontendError> {
        self.launch_programs.insert(spec.name, program.clone());
        Ok(())
    }

    fn set_launch_sbom(&mut self, spec: CacheSpec, cyclonedx_json: &[u8]) -> Result<(), FrontendError> {
        self.sboms.insert(spec.name, cyclonedx_json.to_vec());
        Ok(())
    }
}
