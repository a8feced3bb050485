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
    otp_version: String,
    elixir_version: String,
}

impl CacheKey for MixHomeLayerMetadata {
    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self {
            otp_version,
            elixir_version,
        } = self;
        let mut reasons = Vec::new();
        layers::push_if_changed(
            &mut reasons,
            "the Erlang/OTP version",
            otp_version,
            &new.otp_version,
        );
        layers::push_if_changed(
            &mut reasons,
            "the Elixir version",
            elixir_version,
            &new.elixir_version,
        );
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
        otp_version: toolchain.otp.display_version(),
        elixir_version: toolchain.elixir.display_version(),
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
