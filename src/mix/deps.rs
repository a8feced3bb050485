//! The `deps` layer: the project's `deps/`, used in place through a symlink. Cached; invalidated by
//! `MIX_ENV` and the toolchain. A changed `mix.lock` keeps it: Mix fetches and recompiles only the
//! dependencies that changed, as it would on a developer's machine, and the unused ones are removed.

use super::MixError;
use crate::cache::{self, CacheState};
use crate::frontend::{Availability, CacheKey, CacheSpec};
use crate::frontend::{Frontend, LaunchVar};
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
    toolchain: crate::toolchain::ToolchainVersions,
}

impl CacheKey for DepsLayerMetadata {
    const SCHEMA: u32 = 1;

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
    /// The cached `deps` was fetched for this very `mix.lock`.
    pub(crate) fetched_for_lock: bool,
}

/// Whether Mix fetched no dependency into the cached `deps`: it holds no directory but the layer's own
/// env dirs.
pub(crate) fn fetched_none(deps: &Path) -> bool {
    let layer_dirs = ["env", "env.build", "env.launch"];
    fs_err::read_dir(deps).map_or(true, |entries| {
        !entries
            .flatten()
            .any(|entry| entry.path().is_dir() && !layer_dirs.iter().any(|name| entry.file_name() == *name))
    })
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
) -> Result<Restored, MixError> {
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
        toolchain: crate::toolchain::ToolchainVersions::of(toolchain),
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
    // Only an image that runs Mix needs the deps at launch. Without launch env, the layer holds no
    // `env.launch` dir either, which Mix would take for a dependency (and `deps.clean --unused` delete).
    let launch_env = if launch.launch {
        vec![LaunchVar::override_value("MIX_DEPS_PATH", path.to_string_lossy())]
    } else {
        Vec::new()
    };
    frontend.set_launch_env(spec, &launch_env)?;
    if launch.launch {
        frontend.set_launch_sbom(spec, launch.sbom)?;
    }
    Ok(Restored {
        path,
        lock_changed,
        fetched_for_lock: state == CacheState::Reused && !lock_changed,
    })
}

/// Gives each restored `deps/<dep>/.fetch` back its order with `<build>/lib/<dep>/.mix/compile.fetch`.
/// Mix recompiles a dependency whose `.fetch` is newer (in seconds) than its `compile.fetch`, taking it
/// for a fresh fetch. A cached build compiled every dependency after fetching it, but the lifecycle
/// restores `deps` and `_build` with new mtimes, in either order: without this, a warm build recompiled
/// the Mix dependencies (and asked the registry) whenever `deps` came back a second after `_build`.
/// `build`: the env's build path (`_build/<env>`). Returns how many markers moved.
pub(crate) fn settle_fetch_markers(deps: &Path, build: &Path) -> std::io::Result<usize> {
    let Ok(entries) = fs_err::read_dir(deps) else {
        return Ok(0);
    };
    let mut settled = 0;
    for entry in entries {
        let entry = entry?;
        let fetch = entry.path().join(".fetch");
        let compile_fetch = build
            .join("lib")
            .join(entry.file_name())
            .join(".mix/compile.fetch");
        let (Ok(fetched), Ok(compiled)) = (fs_err::metadata(&fetch), fs_err::metadata(&compile_fetch)) else {
            continue;
        };
        let compiled = compiled.modified()?;
        if fetched.modified()? > compiled {
            crate::mix::source_mtimes::set_mtime(&fetch, compiled)?;
            settled += 1;
        }
    }
    Ok(settled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deps_with_no_dependency_dir_fetched_none() {
        let root = tempfile::tempdir().expect("tempdir");
        let deps = root.path().join("deps");
        assert!(fetched_none(&deps), "no deps dir at all");
        for layer_dir in ["env", "env.build", "env.launch"] {
            fs_err::create_dir_all(deps.join(layer_dir)).expect("mkdir");
        }
        fs_err::write(deps.join("a-file"), "").expect("written");
        assert!(fetched_none(&deps), "the layer's own dirs and files are no deps");
        fs_err::create_dir_all(deps.join("envy")).expect("mkdir");
        assert!(!fetched_none(&deps), "a dependency");
    }

    #[test]
    fn fetch_markers_restored_after_their_compile_markers_get_their_time() {
        let root = tempfile::tempdir().expect("tempdir");
        let (deps, build) = (root.path().join("deps"), root.path().join("_build/prod"));
        assert_eq!(settle_fetch_markers(&deps, &build).expect("settle"), 0);
        let at = |seconds: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
        let file = |path: PathBuf, seconds: u64| {
            fs_err::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            fs_err::write(&path, "").expect("write");
            fs_err::File::options()
                .write(true)
                .open(&path)
                .expect("open")
                .file()
                .set_modified(at(seconds))
                .expect("set mtime");
            path
        };
        let mtime = |path: &PathBuf| {
            fs_err::metadata(path)
                .and_then(|meta| meta.modified())
                .expect("mtime")
        };
        // Restored a second after _build.
        let later = file(deps.join("jason/.fetch"), 1001);
        file(build.join("lib/jason/.mix/compile.fetch"), 1000);
        // Restored first: already in order.
        let earlier = file(deps.join("plug/.fetch"), 999);
        file(build.join("lib/plug/.mix/compile.fetch"), 1000);
        // Fetched, never compiled: Mix must still compile it.
        let uncompiled = file(deps.join("mime/.fetch"), 1001);
        // No marker at all (a rebar3 dep's dir, say).
        file(deps.join("ranch/src/ranch.erl"), 1001);

        assert_eq!(settle_fetch_markers(&deps, &build).expect("settle"), 1);
        assert_eq!(mtime(&later), at(1000));
        assert_eq!(mtime(&earlier), at(999));
        assert_eq!(mtime(&uncompiled), at(1001));
    }

    #[test]
    fn env_and_toolchain_invalidate_but_the_lockfile_does_not() {
        let cached = DepsLayerMetadata {
            mix_lock: "a".into(),
            mix_env: "prod".into(),
            toolchain: crate::toolchain::ToolchainVersions::new("27.3.4", "1.18.3"),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = DepsLayerMetadata {
            mix_lock: "b".into(),
            mix_env: "staging".into(),
            toolchain: crate::toolchain::ToolchainVersions::new("27.3.5", "1.18.4"),
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
