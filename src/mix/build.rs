//! The `_build` cache: the project's `_build/`, used in place through a symlink. Cached; invalidated by
//! `MIX_ENV` and the toolchain, never by source edits: Mix recompiles only what changed.

use super::MixError;
use crate::cache::{self, CacheState};
use crate::frontend::{Availability, CacheKey, CacheSpec};
use crate::frontend::{Frontend, LaunchProgram, LaunchVar};
use crate::toolchain::Toolchain;
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BuildLayerMetadata {
    mix_env: String,
    toolchain: crate::toolchain::ToolchainVersions,
}

impl CacheKey for BuildLayerMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self { mix_env, toolchain } = self;
        let mut reasons = Vec::new();
        cache::push_if_changed(&mut reasons, "MIX_ENV", mix_env, &new.mix_env);
        toolchain.push_reasons(&new.toolchain, &mut reasons);
        reasons
    }
}

/// Restores `_build/` and links it into the app dir; returns the cache's path.
pub(crate) fn restore(
    frontend: &mut impl Frontend,
    app_dir: &Path,
    toolchain: &Toolchain,
    mix_env: &str,
    launch: bool,
    always_rebuild: bool,
) -> Result<PathBuf, MixError> {
    let metadata = BuildLayerMetadata {
        mix_env: mix_env.to_string(),
        toolchain: crate::toolchain::ToolchainVersions::of(toolchain),
    };
    let spec = CacheSpec {
        name: "_build",
        availability: Availability::build_and_launch_if(launch),
        what: "_build",
    };
    let (path, mut state) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    let compiled = super::build_path(&path, mix_env);
    if state == CacheState::Reused {
        let dangling = dangling_links(&compiled.join("lib"));
        if !dangling.is_empty() {
            // Mix remakes a dependency's links only when it compiles it: start afresh.
            print::sub_bullet(format!(
                "Discarding cached _build since links Mix made in it point to files that are gone ({}), \
                 as an earlier version of this buildpack could leave them on the classic generation",
                dangling.join(", ")
            ));
            fs_err::remove_dir_all(&compiled).map_err(MixError::WriteCache)?;
            state = CacheState::Empty;
        }
    }
    if state == CacheState::Reused {
        print::sub_bullet("Using cached _build (Mix recompiles only what changed)");
    }
    cache::save(frontend, spec, &metadata)?;
    cache::link_into_app(app_dir, "_build", &path)?;
    // Mix at runtime must find the compiled app where the build put it, and find it compiled.
    frontend.set_launch_env(
        spec,
        &[LaunchVar::override_value(
            "MIX_BUILD_PATH",
            super::build_path(&path, mix_env).to_string_lossy(),
        )],
    )?;
    if launch {
        frontend.set_launch_program(
            spec,
            &LaunchProgram {
                name: "mix-build-path",
                exec_d: super::boot::exec_d_program(),
                profile_d: super::boot::profile_d_snippet(),
            },
        )?;
    }
    Ok(path)
}

/// The links in `lib/<app>/` (Mix's links to each dependency's `priv`, and rebar3's) whose target is
/// gone, as `<app>/<name>`, sorted.
fn dangling_links(lib: &Path) -> Vec<String> {
    let mut dangling = Vec::new();
    for app in fs_err::read_dir(lib).into_iter().flatten().flatten() {
        for entry in fs_err::read_dir(app.path()).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_symlink() && !path.exists() {
                dangling.push(format!(
                    "{}/{}",
                    app.file_name().to_string_lossy(),
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    dangling.sort();
    dangling
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_nowhere_in_lib_are_found() {
        let root = tempfile::tempdir().expect("tempdir");
        let lib = root.path().join("prod/lib");
        for app in ["castore", "plug", "app"] {
            fs_err::create_dir_all(lib.join(app).join("ebin")).expect("mkdir");
        }
        fs_err::create_dir_all(root.path().join("deps/plug/priv")).expect("mkdir");
        let link = |target: &str, at: &str| {
            fs_err::os::unix::fs::symlink(target, lib.join(at)).expect("link");
        };
        link("../../../../tmp/cache/deps/castore/priv", "castore/priv");
        link("../../../deps/plug/priv", "plug/priv");
        link("../../../deps/app/include", "app/include");
        assert_eq!(dangling_links(&lib), vec!["app/include", "castore/priv"]);
        assert_eq!(dangling_links(&root.path().join("missing")), Vec::<String>::new());
    }

    #[test]
    fn env_and_toolchain_invalidate() {
        let cached = BuildLayerMetadata {
            mix_env: "prod".into(),
            toolchain: crate::toolchain::ToolchainVersions::new("27.3.4", "1.18.3"),
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
