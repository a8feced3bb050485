//! The `elixir` layer: Elixir, the build made for the installed OTP major. Cached; invalidated by the
//! Elixir version and the OTP major it was built for.

use crate::layers::{self, CacheKey, CacheState};
use crate::toolchain::Toolchain;
use crate::{ElixirBuildpack, ElixirBuildpackError, fetch};
use bullet_stream::global::print;
use libcnb::build::BuildContext;
use libcnb::data::layer_name;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ElixirLayerMetadata {
    elixir_version: String,
    /// A string: the lifecycle round-trips layer metadata through JSON, so a cached integer comes back
    /// as a float (`27.0`) and would no longer parse.
    otp_major: String,
}

impl CacheKey for ElixirLayerMetadata {
    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self {
            elixir_version,
            otp_major,
        } = self;
        let mut reasons = Vec::new();
        layers::push_if_changed(
            &mut reasons,
            "the requested Elixir version",
            elixir_version,
            &new.elixir_version,
        );
        layers::push_if_changed(
            &mut reasons,
            "the Erlang/OTP major version",
            otp_major,
            &new.otp_major,
        );
        reasons
    }
}

/// Installs (or reuses) Elixir; returns its root, whose `bin/` holds `elixir` and `mix`.
pub(crate) fn install(
    context: &BuildContext<ElixirBuildpack>,
    toolchain: &Toolchain,
    launch: bool,
    always_rebuild: bool,
) -> libcnb::Result<PathBuf, ElixirBuildpackError> {
    let version = toolchain.elixir.display_version();
    let otp_major = toolchain.elixir.otp_major;
    print::bullet(format!("Elixir {version} (built for OTP {otp_major})"));
    let metadata = ElixirLayerMetadata {
        elixir_version: version.clone(),
        otp_major: otp_major.to_string(),
    };
    let (layer, state) = layers::restore(
        context,
        layer_name!("elixir"),
        layers::Availability::build_and_launch_if(launch),
        &metadata,
        always_rebuild,
        "Elixir",
    )?;
    let path = layer.path();
    if state == CacheState::Reused {
        print::sub_bullet(format!("Using cached Elixir {version}"));
        return Ok(path);
    }
    let zip = fetch::download(&toolchain.elixir_url, toolchain.elixir.sha256.as_deref())?;
    let timer = print::sub_start_timer("Installing");
    fetch::unpack_zip(zip, &path)?;
    timer.done();
    layer.write_metadata(metadata)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_otp_major_invalidate() {
        let cached = ElixirLayerMetadata {
            elixir_version: "1.17.3".into(),
            otp_major: "26".into(),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = ElixirLayerMetadata {
            elixir_version: "1.18.3".into(),
            otp_major: "27".into(),
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "the requested Elixir version changed from 1.17.3 to 1.18.3",
                "the Erlang/OTP major version changed from 26 to 27",
            ]
        );
    }
}
