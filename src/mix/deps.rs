//! The `deps` layer: the project's `deps/`, used in place through a symlink. Cached; invalidated by
//! `MIX_ENV` and the toolchain. A changed `mix.lock` keeps it: Mix fetches and recompiles only the
//! dependencies that changed, as it would on a developer's machine, and the unused ones are removed.

use crate::cache::{self, Availability, CacheKey, CacheSpec, CacheState};
use crate::errors::ElixirBuildpackError;
use crate::pipeline::{Frontend, LaunchVar};
use crate::toolchain::Toolchain;
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DepsLayerMetadata {
    /// SHA-256 of `mix.lock`, or `none`: not a reason to discard the cache, but to say the lock changed.
    mix_lock: String,
    mix_env: String,
    toolchain: cache::ToolchainVersions,
}

impl CacheKey for DepsLayerMetadata {
    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self {
            mix_lock: _,
            mix_env,
            toolchain,
        } = self;
        let mut reasons = Vec::new();
        cache::push_if_changed(&mut reasons, "MIX_ENV", mix_env, &new.mix_env);
        toolchain.push_reasons(&new.toolchain, &mut reasons);
        reasons
    }
}

/// Whether `deps` ships (mix-at-runtime mode), and the launch SBOM it then carries.
pub(crate) struct Launch<'a> {
    pub(crate) launch: bool,
    pub(crate) sbom: &'a [u8],
}

/// The restored `deps`: its path, and whether `mix.lock` changed since it was saved.
pub(crate) struct Restored {
    pub(crate) path: PathBuf,
    pub(crate) lock_changed: bool,
}

/// Restores `deps/` and links it into the app dir. `mix_lock`: the lock's contents, if any.
pub(crate) fn restore(
    frontend: &mut impl Frontend,
    app_dir: &Path,
    mix_lock: Option<&str>,
    toolchain: &Toolchain,
    mix_env: &str,
    launch: &Launch<'_>,
    always_rebuild: bool,
) -> Result<Restored, ElixirBuildpackError> {
    let mix_lock = mix_lock.map_or_else(
        || String::from("none"),
        |lock| crate::digest::hex(&<sha2::Sha256 as sha2::Digest>::digest(lock.as_bytes())),
    );
    let cached_lock = frontend
        .cached_key::<DepsLayerMetadata>("deps")
        .map(|cached| cached.mix_lock);
    let metadata = DepsLayerMetadata {
        mix_lock,
        mix_env: mix_env.to_string(),
        toolchain: cache::ToolchainVersions::of(toolchain),
    };
    let spec = CacheSpec {
        name: "deps",
        availability: Availability::build_and_launch_if(launch.launch),
        what: "deps",
    };
    let (path, state) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    let lock_changed =
        state == CacheState::Reused && cached_lock.is_some_and(|cached| cached != metadata.mix_lock);
    if lock_changed {
        print::sub_bullet(
            "Using cached deps: mix.lock changed, so Mix fetches and recompiles the dependencies that changed, \
             and the unused ones are removed",
        );
    } else if state == CacheState::Reused {
        print::sub_bullet("Using cached deps");
    }
    cache::save(frontend, spec, &metadata)?;
    cache::link_into_app(app_dir, "deps", &path)?;
    frontend.set_launch_env(
        spec,
        &[LaunchVar::override_value("MIX_DEPS_PATH", path.to_string_lossy())],
    )?;
    if launch.launch {
        frontend.set_launch_sbom(spec, launch.sbom)?;
    }
    Ok(Restored { path, lock_changed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_and_toolchain_invalidate_but_the_lockfile_does_not() {
        let cached = DepsLayerMetadata {
            mix_lock: "a".into(),
            mix_env: "prod".into(),
            toolchain: cache::ToolchainVersions::new("27.3.4", "1.18.3"),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = DepsLayerMetadata {
            mix_lock: "b".into(),
            mix_env: "staging".into(),
            toolchain: cache::ToolchainVersions::new("27.3.5", "1.18.4"),
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "MIX_ENV changed from prod to staging",
                "the Erlang/OTP version changed from 27.3.4 to 27.3.5",
                "the Elixir version changed from 1.18.3 to 1.18.4",
            ]
        );
    }
}
