//! The `mix_home` layer: `MIX_HOME`/`HEX_HOME`, holding Hex and rebar3 when the project needs them.
//! Cached; invalidated by the Erlang/OTP and Elixir versions.

use crate::layers::{self, CacheKey};
use crate::toolchain::Toolchain;
use crate::{ElixirBuildpack, ElixirBuildpackError};
use libcnb::build::BuildContext;
use libcnb::data::layer_name;
use libcnb::layer_env::{LayerEnv, ModificationBehavior, Scope};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MixHomeLayerMetadata {
    toolchain: layers::ToolchainVersions,
}

impl CacheKey for MixHomeLayerMetadata {
    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self { toolchain } = self;
        let mut reasons = Vec::new();
        toolchain.push_reasons(&new.toolchain, &mut reasons);
        reasons
    }
}

pub(crate) fn restore(
    context: &BuildContext<ElixirBuildpack>,
    toolchain: &Toolchain,
    mix_env: &str,
    launch: bool,
    always_rebuild: bool,
) -> libcnb::Result<PathBuf, ElixirBuildpackError> {
    let metadata = MixHomeLayerMetadata {
        toolchain: layers::ToolchainVersions::of(toolchain),
    };
    let (layer, _) = layers::restore(
        context,
        layer_name!("mix_home"),
        layers::Availability::build_and_launch_if(launch),
        &metadata,
        always_rebuild,
        "Hex and rebar3",
    )?;
    layer.write_metadata(metadata)?;
    // Mix at runtime needs the same environment as the build.
    let launch_env = if launch {
        LayerEnv::new()
            .chainable_insert(Scope::Launch, ModificationBehavior::Default, "MIX_ENV", mix_env)
            .chainable_insert(
                Scope::Launch,
                ModificationBehavior::Default,
                "MIX_HOME",
                layer.path(),
            )
            .chainable_insert(
                Scope::Launch,
                ModificationBehavior::Default,
                "HEX_HOME",
                layer.path().join("hex"),
            )
            .chainable_insert(Scope::Launch, ModificationBehavior::Default, "LANG", "C.UTF-8")
            .chainable_insert(Scope::Launch, ModificationBehavior::Default, "LC_ALL", "C.UTF-8")
    } else {
        LayerEnv::new()
    };
    layer.write_env(launch_env)?;
    Ok(layer.path())
}
