//! The `rebar3_cache` cache: rebar3's own cache (`REBAR_CACHE_DIR`: its Hex registry, plugins and
//! packages), used when Mix builds rebar3 dependencies (the cowboy stack, telemetry). Build-only;
//! invalidated by the toolchain, since rebar3 keeps compiled plugins there.

use super::MixError;
use crate::cache;
use crate::frontend::Frontend;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use crate::toolchain::Toolchain;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rebar3CacheMetadata {
    toolchain: crate::toolchain::ToolchainVersions,
}

impl CacheKey for Rebar3CacheMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let mut reasons = Vec::new();
        self.toolchain.push_reasons(&new.toolchain, &mut reasons);
        reasons
    }
}

/// Restores the cache; returns the directory for `REBAR_CACHE_DIR`.
pub(crate) fn restore(
    frontend: &mut impl Frontend,
    toolchain: &Toolchain,
    always_rebuild: bool,
) -> Result<PathBuf, MixError> {
    let metadata = Rebar3CacheMetadata {
        toolchain: crate::toolchain::ToolchainVersions::of(toolchain),
    };
    let spec = CacheSpec {
        name: "rebar3_cache",
        // Only this buildpack uses it: later buildpacks don't see it, the image doesn't have it.
        availability: Availability {
            build: false,
            launch: false,
        },
        what: "rebar3's cache",
    };
    let (path, _) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    cache::save(frontend, spec, &metadata)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toolchain_invalidates() {
        let cached = Rebar3CacheMetadata {
            toolchain: crate::toolchain::ToolchainVersions::new("25.2.3", "1.14.0"),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = Rebar3CacheMetadata {
            toolchain: crate::toolchain::ToolchainVersions::new("27.3.4.1", "1.18.3"),
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "the Erlang/OTP version changed from 25.2.3 to 27.3.4.1",
                "the Elixir version changed from 1.14.0 to 1.18.3"
            ]
        );
    }
}
