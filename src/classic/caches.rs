//! Caches as directories of the classic `CACHE_DIR`, with the same keys and printed reasons as the CNB
//! layers: `CACHE_DIR/elixir-cnb/<name>/` holds the contents and `<name>.toml` the key they were made
//! for. A key is written only once its cache's contents are complete, and removed before a cache is
//! emptied or written again (`writing_cache`), so a build killed midway leaves a cache the next build
//! either uses or discards with a reason, never one that looks valid but is not. The exceptions are the
//! caches the tools manage themselves (`deps`, `_build`, Hex's packages, rebar3's and npm's caches): they
//! keep their key while Mix, Hex, rebar3 or npm write them, because those tools check what they find (Mix
//! its compile manifests and each dep's lock entry, Hex and npm their checksums) and redo what a stopped
//! build left unfinished.
//!
//! The slug runs at `runtime_path` (`/app`), not where it is built, and some caches hold absolute paths
//! (OTP's `Install` root, the release's `bin/` links, launch env). So the build sees every cache at
//! `<runtime_path>/.elixir-cnb/<name>`, a link to the cache dir, as Heroku's own buildpacks do; caches
//! that ship are copied into the slug at the same place when the build is done.

use super::slug_links::{self, Moved};
use crate::cache;
use crate::frontend::{CacheKey, CacheSpec, Opened};
use crate::frontend::{ClassicOnly, Frontend, FrontendError, LaunchProgram, LaunchVar};
use bullet_stream::global::print;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the slug runs when `runtime_path` doesn't say.
pub(super) const DEFAULT_RUNTIME_PATH: &str = "/app";

/// The reason given for a cache an earlier build was writing when it stopped.
pub(super) const UNFINISHED: &str = "an earlier build stopped before it finished writing it";

/// The folder, in the slug and at the runtime path, that holds what the buildpack ships.
pub(super) const SLUG_DIR: &str = ".elixir-cnb";

/// What the slug's processes need at boot, from the caches that ship.
pub(super) struct Launch {
    /// PATH entries, first first.
    pub(super) path: Vec<String>,
    pub(super) vars: Vec<LaunchVar>,
    pub(super) programs: Vec<LaunchProgram>,
}

pub(super) struct CacheDirs {
    build_dir: PathBuf,
    store: PathBuf,
    runtime_dir: PathBuf,
    opened: Vec<CacheSpec>,
    launch_env: BTreeMap<&'static str, Vec<LaunchVar>>,
    sboms: BTreeMap<&'static str, Vec<u8>>,
    programs: BTreeMap<&'static str, Vec<LaunchProgram>>,
}

impl CacheDirs {
    /// `store`: the buildpack's folder in `CACHE_DIR`.
    pub(super) fn new(build_dir: &Path, store: &Path) -> Self {
        Self {
            build_dir: build_dir.to_path_buf(),
            store: store.to_path_buf(),
            runtime_dir: PathBuf::from(DEFAULT_RUNTIME_PATH),
            opened: Vec::new(),
            launch_env: BTreeMap::new(),
            sboms: BTreeMap::new(),
            programs: BTreeMap::new(),
        }
    }

    fn contents(&self, name: &str) -> PathBuf {
        self.store.join(name)
    }

    fn key_file(&self, name: &str) -> PathBuf {
        self.store.join(format!("{name}.toml"))
    }

    /// Where the slug runs (`runtime_path`, `/app` unless set).
    pub(super) fn runtime_dir(&self) -> &Path {
        &self.runtime_dir
    }

    /// Where the build and the slug see a cache.
    pub(super) fn visible(&self, name: &str) -> PathBuf {
        self.runtime_dir.join(SLUG_DIR).join(name)
    }

    fn in_slug(&self, name: &str) -> PathBuf {
        self.build_dir.join(SLUG_DIR).join(name)
    }

    fn link_visible(&self, name: &str) -> Result<PathBuf, FrontendError> {
        let visible = self.visible(name);
        let parent = self.runtime_dir.join(SLUG_DIR);
        fs_err::create_dir_all(&parent).map_err(|error| FrontendError::RuntimePath {
            path: self.runtime_dir.clone(),
            error,
        })?;
        remove_any(&visible).map_err(|error| FrontendError::io("removing", &visible, &error))?;
        fs_err::os::unix::fs::symlink(self.contents(name), &visible)
            .map_err(|error| FrontendError::io("linking", &visible, &error))?;
        Ok(visible)
    }

    /// Copies the caches that ship into the slug, drops the links of those that don't, and returns
    /// the launch env and PATH entries the slug needs, in the order the caches were opened.
    pub(super) fn finish(&self) -> Result<Launch, FrontendError> {
        let mut path = Vec::new();
        let mut vars = Vec::new();
        let mut programs = Vec::new();
        // Where the app and each shipped cache were built, and where they run.
        let real = |path: &Path| fs_err::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let mut moves = vec![Moved {
            built: real(&self.build_dir),
            runs: self.runtime_dir.clone(),
        }];
        moves.extend(
            self.opened
                .iter()
                .filter(|spec| spec.availability.launch)
                .map(|spec| Moved {
                    built: real(&self.contents(spec.name)),
                    runs: self.visible(spec.name),
                }),
        );
        for spec in &self.opened {
            let in_slug = self.in_slug(spec.name);
            if spec.availability.launch {
                remove_any(&in_slug).map_err(|error| FrontendError::io("removing", &in_slug, &error))?;
                copy_tree(&self.contents(spec.name), &in_slug)?;
                slug_links::relink(
                    &in_slug,
                    &real(&self.contents(spec.name)),
                    &self.visible(spec.name),
                    &moves,
                )
                .map_err(|error| FrontendError::io("relinking", &in_slug, &error))?;
                if in_slug.join("bin").is_dir() {
                    path.push(self.visible(spec.name).join("bin").to_string_lossy().to_string());
                }
                vars.extend(self.launch_env.get(spec.name).cloned().unwrap_or_default());
                programs.extend(self.programs.get(spec.name).cloned().unwrap_or_default());
                if let Some(sbom) = self.sboms.get(spec.name) {
                    // No SBOM API on the classic generation: it ships beside the app, for scanners.
                    let file = self.build_dir.join(SLUG_DIR).join("sbom.cdx.json");
                    fs_err::write(&file, sbom)
                        .map_err(|error| FrontendError::io("writing", &file, &error))?;
                }
            } else if in_slug.is_symlink() {
                // The runtime path is the build dir (Heroku CI): the link must not ship.
                fs_err::remove_file(&in_slug)
                    .map_err(|error| FrontendError::io("removing", &in_slug, &error))?;
            }
        }
        let slug_dir = self.build_dir.join(SLUG_DIR);
        if fs_err::read_dir(&slug_dir).is_ok_and(|mut entries| entries.next().is_none()) {
            fs_err::remove_dir(&slug_dir)
                .map_err(|error| FrontendError::io("removing", &slug_dir, &error))?;
        }
        Ok(Launch { path, vars, programs })
    }
}

impl Frontend for CacheDirs {
    fn restores_mtimes(&self) -> bool {
        true
    }

    fn classic_only(&mut self, keys: &ClassicOnly) -> Result<(), FrontendError> {
        if let Some(runtime_path) = &keys.runtime_path {
            let path = PathBuf::from(&runtime_path.value);
            if !path.is_absolute() {
                return Err(FrontendError::RelativeRuntimePath(runtime_path.clone()));
            }
            self.runtime_dir = path;
        }
        if let Some(exported) = &keys.config_vars_to_export {
            print::sub_bullet(format!(
                "`config_vars_to_export` ({}) is no longer needed: every config var is exported to the build",
                exported.value.join(", ")
            ));
        }
        Ok(())
    }

    fn open_cache<K: CacheKey>(
        &mut self,
        spec: CacheSpec,
        key: &K,
        always_rebuild: bool,
    ) -> Result<(PathBuf, Opened), FrontendError> {
        let (contents, key_file) = (self.contents(spec.name), self.key_file(spec.name));
        let opened = match fs_err::read_to_string(&key_file) {
            Ok(text) => match cache::decide(toml::from_str(&text).ok(), key, always_rebuild) {
                cache::Decision::Keep { migrated } if contents.is_dir() => {
                    if let Some(migrated) = migrated {
                        self.save_cache(spec, &migrated)?;
                    }
                    Opened::Restored
                }
                cache::Decision::Keep { .. } => Opened::Discarded(vec![String::from(UNFINISHED)]),
                cache::Decision::Discard(reasons) => Opened::Discarded(reasons),
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                if fs_err::symlink_metadata(&contents).is_ok() {
                    Opened::Discarded(vec![String::from(UNFINISHED)])
                } else {
                    Opened::New
                }
            }
            Err(error) => return Err(FrontendError::io("reading", &key_file, &error)),
        };
        if opened != Opened::Restored {
            // The key goes first: from here until it is saved again, the contents are not trusted.
            remove_any(&key_file).map_err(|error| FrontendError::io("removing", &key_file, &error))?;
            remove_any(&contents).map_err(|error| FrontendError::io("removing", &contents, &error))?;
            fs_err::create_dir_all(&contents)
                .map_err(|error| FrontendError::io("creating", &contents, &error))?;
        }
        let visible = self.link_visible(spec.name)?;
        self.opened.retain(|opened| opened.name != spec.name);
        self.opened.push(spec);
        Ok((visible, opened))
    }

    fn cached_key<K: CacheKey>(&self, name: &'static str) -> Option<K> {
        cache::read_key_text(&fs_err::read_to_string(self.key_file(name)).ok()?)
    }

    fn save_cache<K: CacheKey>(&mut self, spec: CacheSpec, key: &K) -> Result<(), FrontendError> {
        let key_file = self.key_file(spec.name);
        let text = cache::key_text(key)?;
        let partial = key_file.with_extension("toml.partial");
        fs_err::write(&partial, text).map_err(|error| FrontendError::io("writing", &partial, &error))?;
        fs_err::rename(&partial, &key_file).map_err(|error| FrontendError::io("writing", &key_file, &error))
    }

    fn writing_cache(&mut self, spec: CacheSpec) -> Result<(), FrontendError> {
        let key_file = self.key_file(spec.name);
        remove_any(&key_file).map_err(|error| FrontendError::io("removing", &key_file, &error))
    }

    fn set_launch_env(&mut self, spec: CacheSpec, vars: &[LaunchVar]) -> Result<(), FrontendError> {
        self.launch_env.insert(spec.name, vars.to_vec());
        Ok(())
    }

    fn set_launch_program(&mut self, spec: CacheSpec, program: &LaunchProgram) -> Result<(), FrontendError> {
        let programs = self.programs.entry(spec.name).or_default();
        programs.retain(|existing| existing.name != program.name);
        programs.push(program.clone());
        Ok(())
    }

    fn set_launch_sbom(&mut self, spec: CacheSpec, cyclonedx_json: &[u8]) -> Result<(), FrontendError> {
        self.sboms.insert(spec.name, cyclonedx_json.to_vec());
        Ok(())
    }
}

/// Removes a file, a link or a whole tree; nothing there is fine.
fn remove_any(path: &Path) -> std::io::Result<()> {
    match fs_err::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => fs_err::remove_dir_all(path),
        Ok(_) => fs_err::remove_file(path),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// Copies a tree as `cp -a` does: links stay links, modes and mtimes are kept (Mix decides what to
/// recompile from mtimes).
fn copy_tree(from: &Path, to: &Path) -> Result<(), FrontendError> {
    if let Some(parent) = to.parent() {
        fs_err::create_dir_all(parent).map_err(|error| FrontendError::io("creating", parent, &error))?;
    }
    let output = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .map_err(|error| FrontendError::io("copying", from, &error))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(FrontendError::Cache(format!(
            "copying {} to {} failed: {}",
            from.display(),
            to.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::Availability;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Key {
        version: String,
    }

    impl CacheKey for Key {
        const SCHEMA: u32 = 1;

        fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
            let mut reasons = Vec::new();
            cache::push_if_changed(&mut reasons, "the version", &self.version, &new.version);
            reasons
        }
    }

    const SPEC: CacheSpec = CacheSpec {
        name: "erlang",
        availability: Availability {
            build: true,
            launch: false,
        },
        what: "Erlang/OTP",
    };

    struct Dirs {
        _root: tempfile::TempDir,
        build: PathBuf,
        store: PathBuf,
        runtime: PathBuf,
    }

    fn dirs() -> Dirs {
        let root = tempfile::tempdir().expect("tempdir");
        let [build, store, runtime] = ["build", "cache/elixir-cnb", "app"].map(|dir| root.path().join(dir));
        fs_err::create_dir_all(&build).expect("mkdir");
        Dirs {
            _root: root,
            build,
            store,
            runtime,
        }
    }

    fn caches(dirs: &Dirs) -> CacheDirs {
        let mut caches = CacheDirs::new(&dirs.build, &dirs.store);
        caches.runtime_dir = dirs.runtime.clone();
        caches
    }

    fn key(version: &str) -> Key {
        Key {
            version: version.into(),
        }
    }

    fn open(caches: &mut CacheDirs, version: &str) -> (PathBuf, Opened) {
        caches.open_cache(SPEC, &key(version), false).expect("opens")
    }

    /// A first build that opened and saved the cache for `version`.
    fn saved(dirs: &Dirs, version: &str) {
        let mut first = caches(dirs);
        open(&mut first, version);
        first.save_cache(SPEC, &key(version)).expect("saves");
    }

    #[test]
    fn a_saved_cache_is_restored_for_the_same_key_and_discarded_for_another() {
        let dirs = dirs();
        let mut first = caches(&dirs);
        let (path, opened) = open(&mut first, "27.3");
        assert_eq!(opened, Opened::New);
        assert_eq!(path, dirs.runtime.join(".elixir-cnb/erlang"));
        fs_err::write(path.join("file"), "x").expect("writes through the link");
        first.save_cache(SPEC, &key("27.3")).expect("saves");

        let (path, opened) = open(&mut caches(&dirs), "27.3");
        assert_eq!(opened, Opened::Restored);
        assert_eq!(fs_err::read_to_string(path.join("file")).expect("kept"), "x");

        let (path, opened) = open(&mut caches(&dirs), "28.0");
        assert_eq!(
            opened,
            Opened::Discarded(vec!["the version changed from 27.3 to 28.0".into()])
        );
        assert!(!path.join("file").exists());
        assert!(!dirs.store.join("erlang.toml").exists(), "no key until saved");
    }

    #[test]
    fn a_restored_cache_being_written_is_not_trusted_until_saved_again() {
        let dirs = dirs();
        saved(&dirs, "27.3");
        let mut writer = caches(&dirs);
        let (path, opened) = open(&mut writer, "27.3");
        assert_eq!(opened, Opened::Restored);
        writer.writing_cache(SPEC).expect("untrusted");
        fs_err::write(path.join("half"), "written").expect("write");
        // Stopped here: the next build discards it.
        assert_eq!(
            open(&mut caches(&dirs), "27.3").1,
            Opened::Discarded(vec![UNFINISHED.into()])
        );
        let mut writer = caches(&dirs);
        open(&mut writer, "27.3");
        writer.writing_cache(SPEC).expect("untrusted");
        writer.save_cache(SPEC, &key("27.3")).expect("saves");
        assert_eq!(open(&mut caches(&dirs), "27.3").1, Opened::Restored);
    }

    #[test]
    fn a_cache_an_older_buildpack_saved_is_kept_and_its_key_stored_anew() {
        let dirs = dirs();
        let mut first = caches(&dirs);
        let (path, _) = open(&mut first, "27.3");
        fs_err::write(path.join("file"), "x").expect("write");
        // What buildpacks before numbered key formats stored: the key's fields, flat.
        let key_file = dirs.store.join("erlang.toml");
        fs_err::write(&key_file, "version = \"27.3\"\n").expect("write");

        let (path, opened) = open(&mut caches(&dirs), "27.3");
        assert_eq!(opened, Opened::Restored);
        assert!(path.join("file").is_file(), "kept");
        assert_eq!(
            fs_err::read_to_string(&key_file).expect("key"),
            "schema = 1\n\n[key]\nversion = \"27.3\"\n"
        );
        assert_eq!(caches(&dirs).cached_key::<Key>("erlang"), Some(key("27.3")));
        fs_err::write(&key_file, "schema = 2\n[key]\nversion = \"27.3\"\n").expect("write");
        assert_eq!(
            open(&mut caches(&dirs), "27.3").1,
            Opened::Discarded(vec![
                "it was written by a newer version of this buildpack (cache format 2; this version reads \
                 format 1)"
                    .into()
            ])
        );
    }

    #[test]
    fn a_saved_key_without_its_contents_is_discarded_and_an_unreadable_key_file_fails() {
        let dirs = dirs();
        saved(&dirs, "27.3");
        fs_err::remove_dir_all(dirs.store.join("erlang")).expect("contents gone");
        assert_eq!(
            open(&mut caches(&dirs), "27.3").1,
            Opened::Discarded(vec![UNFINISHED.into()])
        );

        // The discard removed the key file.
        let key_file = dirs.store.join("erlang.toml");
        assert!(!key_file.exists());
        fs_err::create_dir_all(&key_file).expect("a directory where the key file goes");
        assert!(
            caches(&dirs).open_cache(SPEC, &key("27.3"), false).is_err(),
            "an error other than a missing key file is not taken for a new cache"
        );
    }

    #[test]
    fn a_build_that_stopped_midway_leaves_a_cache_that_is_discarded_with_a_reason() {
        let dirs = dirs();
        let mut first = caches(&dirs);
        let (path, _) = open(&mut first, "27.3");
        fs_err::write(path.join("half"), "x").expect("write");
        // No save: the build was killed here.
        let (path, opened) = open(&mut caches(&dirs), "27.3");
        assert_eq!(opened, Opened::Discarded(vec![UNFINISHED.into()]));
        assert!(!path.join("half").exists());
    }

    #[test]
    fn always_rebuild_and_unreadable_keys_discard() {
        let dirs = dirs();
        saved(&dirs, "27.3");
        let opened = caches(&dirs)
            .open_cache(SPEC, &key("27.3"), true)
            .expect("opens")
            .1;
        assert_eq!(
            opened,
            Opened::Discarded(vec![
                "`always_rebuild=true` is set in elixir_buildpack.config".into()
            ])
        );
        fs_err::write(dirs.store.join("erlang.toml"), "not = [toml").expect("write");
        assert_eq!(
            open(&mut caches(&dirs), "27.3").1,
            Opened::Discarded(vec![cache::UNREADABLE_KEY.into()])
        );
    }

    #[test]
    fn launch_caches_are_copied_into_the_slug_and_others_stay_out() {
        let dirs = dirs();
        let mut caches = caches(&dirs);
        let release = CacheSpec {
            name: "release",
            availability: Availability {
                build: false,
                launch: true,
            },
            what: "release",
        };
        let (path, _) = caches.open_cache(release, &key("1"), false).expect("opens");
        fs_err::create_dir_all(path.join("bin")).expect("mkdir");
        fs_err::os::unix::fs::symlink("../app/bin/app", path.join("bin/app")).expect("link");
        caches
            .set_launch_env(release, &[LaunchVar::default_value("MIX_ENV", "prod")])
            .expect("env");
        let (erlang, _) = open(&mut caches, "27.3");
        fs_err::write(erlang.join("file"), "x").expect("write");

        let Launch { path, vars, .. } = caches.finish().expect("finishes");
        let shipped = dirs.build.join(".elixir-cnb/release");
        assert!(shipped.is_dir() && !shipped.is_symlink());
        assert_eq!(
            fs_err::read_link(shipped.join("bin/app")).expect("a link, copied as a link"),
            PathBuf::from("../app/bin/app")
        );
        assert!(!dirs.build.join(".elixir-cnb/erlang").exists());
        assert_eq!(
            path,
            vec![
                dirs.runtime
                    .join(".elixir-cnb/release/bin")
                    .to_string_lossy()
                    .to_string()
            ]
        );
        assert_eq!(vars, vec![LaunchVar::default_value("MIX_ENV", "prod")]);
    }

    #[test]
    fn when_the_slug_runs_where_it_is_built_links_of_caches_that_do_not_ship_are_removed() {
        let dirs = dirs();
        let mut caches = CacheDirs::new(&dirs.build, &dirs.store);
        caches.runtime_dir = dirs.build.clone();
        let (path, _) = open(&mut caches, "27.3");
        assert_eq!(path, dirs.build.join(".elixir-cnb/erlang"));
        caches.finish().expect("finishes");
        assert!(!dirs.build.join(".elixir-cnb").exists());
        assert!(dirs.store.join("erlang").is_dir(), "the cache itself stays");
    }

    #[test]
    fn the_runtime_path_must_be_absolute() {
        let dirs = dirs();
        let keys = ClassicOnly {
            runtime_path: Some(crate::sourced::Sourced {
                value: "app".into(),
                source: crate::sourced::Source::ClassicConfig { line: 2 },
            }),
            ..ClassicOnly::default()
        };
        assert!(matches!(
            caches(&dirs).classic_only(&keys),
            Err(FrontendError::RelativeRuntimePath(_))
        ));
    }
}
