//! The `deps` layer: the project's `deps/`, used in place through a symlink. Cached; invalidated by the
//! `mix.lock` digest, `MIX_ENV` and the toolchain.

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
pub(crate) struct DepsLayerMetadata {
    /// SHA-256 of `mix.lock`, or `none`.
    mix_lock: String,
    mix_env: String,
    toolchain: layers::ToolchainVersions,
}

impl CacheKey for DepsLayerMetadata {
    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self {
            mix_lock,
            mix_env,
            toolchain,
        } = self;
        let mut reasons = Vec::new();
        if mix_lock != &new.mix_lock {
            reasons.push(String::from("mix.lock changed"));
        }
        layers::push_if_changed(&mut reasons, "MIX_ENV", mix_env, &new.mix_env);
        toolchain.push_reasons(&new.toolchain, &mut reasons);
        reasons
    }
}

/// Restores `deps/` and links it into the app dir; returns the layer path.
pub(crate) fn restore(
    context: &BuildContext<ElixirBuildpack>,
    toolchain: &Toolchain,
    mix_env: &str,
    launch: bool,
    always_rebuild: bool,
) -> libcnb::Result<PathBuf, ElixirBuildpackError> {
    let mix_lock = match crate::download::sha256_file(&context.app_dir.join("mix.lock")) {
        Ok(digest) => digest,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::from("none"),
        Err(error) => return Err(ElixirBuildpackError::ReadAppFile(error).into()),
    };
    let metadata = DepsLayerMetadata {
        mix_lock,
        mix_env: mix_env.to_string(),
        toolchain: layers::ToolchainVersions::of(toolchain),
    };
    let (layer, state) = layers::restore(
        context,
        layer_name!("deps"),
        layers::Availability::build_and_launch_if(launch),
        &metadata,
        always_rebuild,
        "deps",
    )?;
    if state == CacheState::Reused {
        print::sub_bullet("Using cached deps");
    }
    layer.write_metadata(metadata)?;
    layers::link_into_app(&context.app_dir, "deps", &layer.path())?;
    // Mix at runtime must find deps where the build put them.
    layer.write_env(LayerEnv::new().chainable_insert(
        Scope::Launch,
        ModificationBehavior::Override,
        "MIX_DEPS_PATH",
        layer.path(),
    ))?;
    Ok(layer.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_env_and_toolchain_invalidate() {
        let cached = DepsLayerMetadata {
            mix_lock: "a".into(),
            mix_env: "prod".into(),
            toolchain: layers::ToolchainVersions::new("27.3.4", "1.18.3"),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = DepsLayerMetadata {
            mix_lock: "b".into(),
            mix_env: "staging".into(),
            toolchain: layers::ToolchainVersions::new("27.3.5", "1.18.4"),
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "mix.lock changed",
                "MIX_ENV changed from prod to staging",
                "the Erlang/OTP version changed from 27.3.4 to 27.3.5",
                "the Elixir version changed from 1.18.3 to 1.18.4",
            ]
        );
    }
}
