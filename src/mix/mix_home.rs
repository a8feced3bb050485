//! The `mix_home` layer: `MIX_HOME`/`HEX_HOME`, holding Hex and rebar3 when the project needs them.
//! Cached; invalidated by the Erlang/OTP and Elixir versions.

use super::MixError;
use crate::cache;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use crate::frontend::{Frontend, LaunchVar};
use crate::toolchain::Toolchain;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MixHomeLayerMetadata {
    toolchain: crate::toolchain::ToolchainVersions,
}

impl CacheKey for MixHomeLayerMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self { toolchain } = self;
        let mut reasons = Vec::new();
        toolchain.push_reasons(&new.toolchain, &mut reasons);
        reasons
    }
}

pub(crate) fn restore(
    frontend: &mut impl Frontend,
    toolchain: &Toolchain,
    mix_env: &str,
    launch: bool,
    always_rebuild: bool,
) -> Result<PathBuf, MixError> {
    let metadata = MixHomeLayerMetadata {
        toolchain: crate::toolchain::ToolchainVersions::of(toolchain),
    };
    let spec = CacheSpec {
        name: "mix_home",
        availability: Availability::build_and_launch_if(launch),
        what: "Hex and rebar3",
    };
    let (path, _) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    cache::save(frontend, spec, &metadata)?;
    let launch_env = if launch {
        vec![
            LaunchVar::default_value("MIX_ENV", mix_env),
            LaunchVar::default_value("MIX_HOME", path.to_string_lossy()),
            LaunchVar::default_value("HEX_HOME", path.join("hex").to_string_lossy()),
            LaunchVar::default_value("LANG", "C.UTF-8"),
            LaunchVar::default_value("LC_ALL", "C.UTF-8"),
        ]
    } else {
        Vec::new()
    };
    frontend.set_launch_env(spec, &launch_env)?;
    Ok(path)
}
