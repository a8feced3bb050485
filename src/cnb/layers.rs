//! Caches as CNB layers: one cached layer per cache, its key in the layer's metadata, its launch env in
//! the layer's env files. The lifecycle exports caches only after a successful build, so a failed or
//! killed build never leaves a half-written cache behind.
//!
//! A launch-only cache (the release) is no cached layer: the lifecycle gives back only its metadata, from
//! the previous image. When the key there matches, the layer is declared again without its directory,
//! and the exporter reuses the previous image's layer as it is: a warm build neither restores nor
//! exports its files. libcnb 0.30 doesn't support that case (it removes such metadata), so it is written
//! here.

use super::ElixirBuildpack;
use crate::cache;
use crate::frontend::{CacheKey, CacheSpec, Opened};
use crate::frontend::{ClassicOnly, Frontend, FrontendError, LaunchProgram, LaunchVar};
use crate::pipeline::ElixirBuildpackError;
use crate::sourced::{CLASSIC_CONFIG_FILE, Source};
use bullet_stream::global::print;
use libcnb::build::BuildContext;
use libcnb::data::layer::LayerName;
use libcnb::data::layer_content_metadata::{LayerContentMetadata, LayerTypes};
use libcnb::data::sbom::SbomFormat;
use libcnb::layer::{
    CachedLayerDefinition, EmptyLayerCause, InvalidMetadataAction, LayerRef, LayerState, RestoredLayerAction,
};
use libcnb::layer_env::{LayerEnv, ModificationBehavior, Scope};
use libcnb::sbom::Sbom;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

type CachedLayer = LayerRef<ElixirBuildpack, String, Vec<String>>;

pub(super) struct Layers<'a> {
    context: &'a BuildContext<ElixirBuildpack>,
    opened: HashMap<&'static str, CachedLayer>,
    /// Launch-only caches opened: whether the previous image's layer is reused (no files here).
    launch_only: HashMap<&'static str, bool>,
}

/// A layer's `<name>.toml` as the lifecycle gave it back before the build.
#[derive(Debug, PartialEq)]
enum Stored {
    /// No such file: no earlier build made the layer (or it was not kept).
    NoLayer,
    /// Its `[metadata]`: `None` when the file is not TOML or has no metadata table.
    Layer(Option<toml::Table>),
}

/// Writes a launch-only layer's `<name>.toml` (`path`): launch, no build, no cache, with `metadata`.
fn write_launch_only(path: &Path, metadata: toml::Table) -> Result<(), FrontendError> {
    let layer = LayerContentMetadata {
        types: Some(LayerTypes {
            launch: true,
            build: false,
            cache: false,
        }),
        metadata,
    };
    let text = toml::to_string(&layer).map_err(|error| FrontendError::Internal(error.to_string()))?;
    fs_err::write(path, text).map_err(|error| FrontendError::io("writing", path, &error))
}

/// Reads a layer's `<name>.toml` (`path`) as the lifecycle gave it back.
fn read_stored(path: &Path) -> Result<Stored, FrontendError> {
    match fs_err::read_to_string(path) {
        Ok(text) => Ok(Stored::Layer(toml::from_str::<toml::Table>(&text).ok().and_then(
            |mut layer| match layer.remove("metadata") {
                Some(toml::Value::Table(metadata)) => Some(metadata),
                _ => None,
            },
        ))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Stored::NoLayer),
        Err(error) => Err(FrontendError::io("reading", path, &error)),
    }
}

/// A cache only the image has: its files ship, and no build reads them.
fn is_launch_only(spec: CacheSpec) -> bool {
    spec.availability.launch && !spec.availability.build
}

impl<'a> Layers<'a> {
    pub(super) fn new(context: &'a BuildContext<ElixirBuildpack>) -> Self {
        Self {
            context,
            opened: HashMap::new(),
            launch_only: HashMap::new(),
        }
    }

    fn layer_dir(&self, name: &str) -> PathBuf {
        self.context.layers_dir.join(name)
    }

    fn layer_toml(&self, name: &str) -> PathBuf {
        self.context.layers_dir.join(format!("{name}.toml"))
    }

    /// Declares the launch-only layer `name` with `metadata` (`<name>.toml`).
    fn declare_launch_only(&self, name: &str, metadata: toml::Table) -> Result<(), FrontendError> {
        write_launch_only(&self.layer_toml(name), metadata)
    }

    /// What the lifecycle gave back of the layer `name` (its `<name>.toml`) before the build.
    fn stored_metadata(&self, name: &str) -> Result<Stored, FrontendError> {
        read_stored(&self.layer_toml(name))
    }

    /// [`Frontend::open_cache`] for a launch-only cache: the metadata the lifecycle gave back from the
    /// previous image decides; the files stay in that image.
    fn open_launch_only<K: CacheKey>(
        &mut self,
        spec: CacheSpec,
        key: &K,
        always_rebuild: bool,
    ) -> Result<(PathBuf, Opened), FrontendError> {
        let (dir, toml_path) = (self.layer_dir(spec.name), self.layer_toml(spec.name));
        let opened = match self.stored_metadata(spec.name)? {
            Stored::NoLayer => Opened::New,
            Stored::Layer(stored) => match cache::decide(stored.clone(), key, always_rebuild) {
                cache::Decision::Keep { migrated } => {
                    let metadata = match migrated {
                        Some(migrated) => cache::stored(&migrated)?,
                        None => stored.unwrap_or_default(),
                    };
                    self.declare_launch_only(spec.name, metadata)?;
                    Opened::Restored
                }
                cache::Decision::Discard(reasons) => Opened::Discarded(reasons),
            },
        };
        let in_image = opened == Opened::Restored && !dir.exists();
        if opened != Opened::Restored {
            for path in [&toml_path, &dir] {
                match fs_err::symlink_metadata(path) {
                    Ok(metadata) if metadata.is_dir() => fs_err::remove_dir_all(path),
                    Ok(_) => fs_err::remove_file(path),
                    Err(_) => Ok(()),
                }
                .map_err(|error| FrontendError::io("removing", path, &error))?;
            }
            fs_err::create_dir_all(&dir).map_err(|error| FrontendError::io("creating", &dir, &error))?;
        }
        self.launch_only.insert(spec.name, in_image);
        Ok((dir, opened))
    }

    /// Whether the launch-only cache `name` is the previous image's layer, reused as it is.
    fn in_image(&self, name: &str) -> bool {
        self.launch_only.get(name).copied().unwrap_or(false)
    }

    /// Where a cache's files are written: its layer's directory.
    fn contents(&self, spec: CacheSpec) -> Result<PathBuf, FrontendError> {
        if self.launch_only.contains_key(spec.name) {
            Ok(self.layer_dir(spec.name))
        } else {
            Ok(self.layer(spec)?.path())
        }
    }

    fn layer(&self, spec: CacheSpec) -> Result<&CachedLayer, FrontendError> {
        self.opened
            .get(spec.name)
            .ok_or_else(|| FrontendError::Internal(format!("layer {} used before it was opened", spec.name)))
    }
}

fn cnb_error(error: libcnb::Error<ElixirBuildpackError>) -> FrontendError {
    match error {
        libcnb::Error::BuildpackError(ElixirBuildpackError::Frontend(error)) => error,
        other => FrontendError::Cache(other.to_string()),
    }
}

impl Frontend for Layers<'_> {
    fn restores_mtimes(&self) -> bool {
        false
    }

    fn classic_only(&mut self, keys: &ClassicOnly) -> Result<(), FrontendError> {
        for (key, source) in keys.set_keys() {
            let why = match key {
                "runtime_path" => "the app dir is fixed by the CNB platform (/workspace)",
                "config_vars_to_export" => "CNB platforms already pass your config vars to the build",
                _ => {
                    "`mix test` runs in Heroku CI with the classic buildpack (`bin/test`), not in CNB builds"
                }
            };
            let place = match source {
                Source::ClassicConfig { line } => format!(" (line {line} of {CLASSIC_CONFIG_FILE})"),
                _ => String::new(),
            };
            print::warning(format!("Ignoring `{key}`{place}: {why}."));
        }
        Ok(())
    }

    fn open_cache<K: CacheKey>(
        &mut self,
        spec: CacheSpec,
        key: &K,
        always_rebuild: bool,
    ) -> Result<(PathBuf, Opened), FrontendError> {
        if is_launch_only(spec) {
            return self.open_launch_only(spec, key, always_rebuild);
        }
        let name: LayerName = spec
            .name
            .parse()
            .map_err(|error| FrontendError::Internal(format!("layer name {}: {error}", spec.name)))?;
        // The key read from an older format, to store anew once the layer is kept.
        let migrated = std::cell::RefCell::new(None);
        let layer = self
            .context
            .cached_layer(
                name,
                CachedLayerDefinition {
                    build: spec.availability.build,
                    launch: spec.availability.launch,
                    // Every table is read as one; `restored_layer_action` reads the key in it, in any format.
                    invalid_metadata_action: &|_| {
                        (
                            InvalidMetadataAction::DeleteLayer,
                            String::from(cache::UNREADABLE_KEY),
                        )
                    },
                    restored_layer_action: &|stored: &Option<toml::Table>, _| match cache::decide(
                        stored.clone(),
                        key,
                        always_rebuild,
                    ) {
                        cache::Decision::Keep { migrated: key } => {
                            *migrated.borrow_mut() = key;
                            (RestoredLayerAction::KeepLayer, Vec::new())
                        }
                        cache::Decision::Discard(reasons) => (RestoredLayerAction::DeleteLayer, reasons),
                    },
                },
            )
            .map_err(cnb_error)?;
        let opened = match &layer.state {
            LayerState::Restored { .. } => Opened::Restored,
            LayerState::Empty { cause } => match cause {
                EmptyLayerCause::NewlyCreated => Opened::New,
                EmptyLayerCause::InvalidMetadataAction { cause } => Opened::Discarded(vec![cause.clone()]),
                EmptyLayerCause::RestoredLayerAction { cause } => Opened::Discarded(cause.clone()),
            },
        };
        if let (Opened::Restored, Some(migrated)) = (&opened, migrated.take()) {
            layer
                .write_metadata(cache::stored(&migrated)?)
                .map_err(cnb_error)?;
        }
        let path = layer.path();
        self.opened.insert(spec.name, layer);
        Ok((path, opened))
    }

    fn cached_key<K: CacheKey>(&self, name: &'static str) -> Option<K> {
        // The lifecycle restores each cached layer's `<name>.toml`, with its metadata, before the build.
        let Ok(Stored::Layer(Some(stored))) = self.stored_metadata(name) else {
            return None;
        };
        cache::read_stored(stored).ok().map(|read| read.key)
    }

    fn save_cache<K: CacheKey>(&mut self, spec: CacheSpec, key: &K) -> Result<(), FrontendError> {
        if self.launch_only.contains_key(spec.name) {
            return self.declare_launch_only(spec.name, cache::stored(key)?);
        }
        self.layer(spec)?
            .write_metadata(cache::stored(key)?)
            .map_err(cnb_error)
    }

    fn writing_cache(&mut self, _spec: CacheSpec) -> Result<(), FrontendError> {
        // A build that fails exports nothing: the next build gets the layers the last good one saved.
        Ok(())
    }

    fn set_launch_env(&mut self, spec: CacheSpec, vars: &[LaunchVar]) -> Result<(), FrontendError> {
        // A reused layer keeps the env it has: the same, by its key.
        if self.in_image(spec.name) {
            return Ok(());
        }
        let mut env = LayerEnv::new();
        for var in vars {
            let behavior = if var.overrides {
                ModificationBehavior::Override
            } else {
                ModificationBehavior::Default
            };
            env.insert(Scope::Launch, behavior, var.name, &var.value);
        }
        if self.launch_only.contains_key(spec.name) {
            let dir = self.layer_dir(spec.name);
            return env.write_to_layer_dir(&dir).map_err(|error| {
                FrontendError::Cache(format!("writing env into {}: {error}", dir.display()))
            });
        }
        self.layer(spec)?.write_env(env).map_err(cnb_error)
    }

    fn set_launch_program(&mut self, spec: CacheSpec, program: &LaunchProgram) -> Result<(), FrontendError> {
        if self.in_image(spec.name) {
            return Ok(());
        }
        let exec_d = self.contents(spec)?.join("exec.d");
        let file = exec_d.join(program.name);
        let write = || -> std::io::Result<()> {
            fs_err::create_dir_all(&exec_d)?;
            fs_err::write(&file, &program.exec_d)?;
            fs_err::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        };
        write().map_err(|error| FrontendError::io("writing", &file, &error))
    }

    fn set_launch_sbom(&mut self, spec: CacheSpec, cyclonedx_json: &[u8]) -> Result<(), FrontendError> {
        if self.launch_only.contains_key(spec.name) {
            // Beside the layer, as libcnb writes it: the lifecycle reads it whether or not the layer is
            // the previous image's.
            let path = self
                .context
                .layers_dir
                .join(format!("{}.sbom.cdx.json", spec.name));
            return fs_err::write(&path, cyclonedx_json)
                .map_err(|error| FrontendError::io("writing", &path, &error));
        }
        let sbom = Sbom::from_bytes(SbomFormat::CycloneDxJson, cyclonedx_json);
        self.layer(spec)?.write_sboms(&[sbom]).map_err(cnb_error)
    }
}

#[cfg(test)]
mod tests {
    use super::{Stored, read_stored, write_launch_only};

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).expect("TOML")
    }

    #[test]
    fn a_launch_only_layer_is_declared_for_launch_alone_with_its_metadata() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("release.toml");
        write_launch_only(&path, table("schema = 2\n[key]\ninputs = \"abc\"\n")).expect("written");
        assert_eq!(
            table(&fs_err::read_to_string(&path).expect("read")),
            table(
                "[types]\nlaunch = true\nbuild = false\ncache = false\n\
                 [metadata]\nschema = 2\n[metadata.key]\ninputs = \"abc\"\n"
            )
        );
        assert_eq!(
            read_stored(&path).expect("read"),
            Stored::Layer(Some(table("schema = 2\n[key]\ninputs = \"abc\"\n")))
        );
    }

    #[test]
    fn what_the_lifecycle_gave_back_is_read_as_no_layer_metadata_or_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("release.toml");
        assert_eq!(read_stored(&path).expect("no file"), Stored::NoLayer);
        for (text, expected) in [
            ("[metadata]\nschema = 2\n", Some(table("schema = 2\n"))),
            ("[types]\nlaunch = true\n", None),
            ("metadata = \"not a table\"\n", None),
            ("not toml [", None),
        ] {
            fs_err::write(&path, text).expect("written");
            assert_eq!(
                read_stored(&path).expect("read"),
                Stored::Layer(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn a_layer_toml_that_cannot_be_read_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("release.toml");
        fs_err::create_dir(&path).expect("a dir where the file would be");
        let error = read_stored(&path).expect_err("a dir is not a file");
        assert!(
            matches!(&error, crate::frontend::FrontendError::Cache(message) if message.starts_with(&format!("reading {}", path.display()))),
            "{error:?}"
        );
    }
}
