//! The `build` layer: the project's `_build/`, used in place through a symlink. Cached; invalidated by
//! `MIX_ENV` and the toolchain, never by source edits: Mix recompiles only what changed.

use crate::layers::{self, CacheKey, CacheState};
use crate::toolchain::Toolchain;
use crate::{ElixirBuildpack, ElixirBuildpackError};
use bullet_stream::global::print;
use libcnb::build::BuildContext;
use libcnb::data::layer_name;
use libcnb::layer_env::{LayerEnv, ModificationBehavior, Scope};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BuildLayerMetadata {
    mix_env: String,
    toolchain: layers::ToolchainVersions,
}

impl CacheKey for BuildLayerMetadata {
    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self { mix_env, toolchain } = self;
        let mut reasons = Vec::new();
        layers::push_if_changed(&mut reasons, "MIX_ENV", mix_env, &new.mix_env);
        toolchain.push_reasons(&new.toolchain, &mut reasons);
        reasons
    }
}

/// Restores `_build/` and links it into the app dir; returns the layer path.
pub(crate) fn restore(
    context: &BuildContext<ElixirBuildpack>,
    toolchain: &Toolchain,
    mix_env: &str,
    launch: bool,
    always_rebuild: bool,
) -> libcnb::Result<PathBuf, ElixirBuildpackError> {
    let metadata = BuildLayerMetadata {
        mix_env: mix_env.to_string(),
        toolchain: layers::ToolchainVersions::of(toolchain),
    };
    let (layer, state) = layers::restore(
        context,
        layer_name!("_build"),
        layers::Availability::build_and_launch_if(launch),
        &metadata,
        always_rebuild,
        "_build",
    )?;
    if state == CacheState::Reused {
        print::sub_bullet("Using cached _build (Mix recompiles only what changed)");
    }
    layer.write_metadata(metadata)?;
    layers::link_into_app(&context.app_dir, "_build", &layer.path())?;
    // Mix at runtime must find the compiled app where the build put it.
    layer.write_env(LayerEnv::new().chainable_insert(
        Scope::Launch,
        ModificationBehavior::Override,
        "MIX_BUILD_PATH",
        crate::mix::build_path(&layer.path(), mix_env),
    ))?;
    Ok(layer.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_and_toolchain_invalidate() {
        let cached = BuildLayerMetadata {
            mix_env: "prod".into(),
            toolchain: layers::ToolchainVersions::new("27.3.4", "1.18.3"),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = BuildLayerMetadata {
            mix_env: "dev".into(),
            ..cached.clone()
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec!["MIX_ENV changed from prod to dev"]
        );
    }
}
