//! Caches as CNB layers: one cached layer per cache, its key in the layer's metadata, its launch env in
//! the layer's env files. The lifecycle exports caches only after a successful build, so a failed or
//! killed build never leaves a half-written cache behind.

use super::ElixirBuildpack;
use crate::cache;
use crate::frontend::{CacheKey, CacheSpec, Opened};
use crate::frontend::{ClassicOnly, Frontend, FrontendError, LaunchProgram, LaunchVar};
use crate::pipeline::ElixirBuildpackError;
use crate::sourced::{CLASSIC_CONFIG_FILE, Source};
use bullet_stream::global::print;
use libcnb::build::BuildContext;
use libcnb::data::layer::LayerName;
use libcnb::data::sbom::SbomFormat;
use libcnb::layer::{
    CachedLayerDefinition, EmptyLayerCause, InvalidMetadataAction, LayerRef, LayerState, RestoredLayerAction,
};
use libcnb::layer_env::{LayerEnv, ModificationBehavior, Scope};
use libcnb::sbom::Sbom;
use std::collections::HashMap;
use std::path::PathBuf;

type CachedLayer = LayerRef<ElixirBuildpack, String, Vec<String>>;

pub(super) struct Layers<'a> {
    context: &'a BuildContext<ElixirBuildpack>,
    opened: HashMap<&'static str, CachedLayer>,
}

impl<'a> Layers<'a> {
    pub(super) fn new(context: &'a BuildContext<ElixirBuildpack>) -> Self {
        Self {
            context,
            opened: HashMap::new(),
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
        let text = fs_err::read_to_string(self.context.layers_dir.join(format!("{name}.toml"))).ok()?;
        let mut layer: toml::Table = toml::from_str(&text).ok()?;
        let toml::Value::Table(stored) = layer.remove("metadata")? else {
            return None;
        };
        cache::read_stored(stored).ok().map(|read| read.key)
    }

    fn save_cache<K: CacheKey>(&mut self, spec: CacheSpec, key: &K) -> Result<(), FrontendError> {
        self.layer(spec)?
            .write_metadata(cache::stored(key)?)
            .map_err(cnb_error)
    }

    fn set_launch_env(&mut self, spec: CacheSpec, vars: &[LaunchVar]) -> Result<(), FrontendError> {
        let mut env = LayerEnv::new();
        for var in vars {
            let behavior = if var.overrides {
                ModificationBehavior::Override
            } else {
                ModificationBehavior::Default
            };
            env.insert(Scope::Launch, behavior, var.name, &var.value);
        }
        self.layer(spec)?.write_env(env).map_err(cnb_error)
    }

    fn set_launch_program(&mut self, spec: CacheSpec, program: &LaunchProgram) -> Result<(), FrontendError> {
        let exec_d = self.layer(spec)?.path().join("exec.d");
        let file = exec_d.join(program.name);
        let write = || -> std::io::Result<()> {
            fs_err::create_dir_all(&exec_d)?;
            fs_err::write(&file, &program.exec_d)?;
            fs_err::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        };
        write().map_err(|error| FrontendError::Cache(format!("writing {}: {error}", file.display())))
    }

    fn set_launch_sbom(&mut self, spec: CacheSpec, cyclonedx_json: &[u8]) -> Result<(), FrontendError> {
        let sbom = Sbom::from_bytes(SbomFormat::CycloneDxJson, cyclonedx_json);
        self.layer(spec)?.write_sboms(&[sbom]).map_err(cnb_error)
    }
}
