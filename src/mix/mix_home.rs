//! The `mix_home` layer: `MIX_HOME`/`HEX_HOME`, holding Hex and rebar3 when the project needs them.
//! Cached; invalidated by the Erlang/OTP and Elixir versions. Its key is saved once what the project
//! needs is installed: a classic build stopped during `mix local.hex` leaves a cache the next build
//! discards, not a half-extracted Hex it would take for installed.

use super::{MixEnv, MixError, hex};
use crate::cache;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use crate::frontend::{Frontend, LaunchVar};
use crate::inputs::hex_settings::PublicKey;
use crate::toolchain::ToolchainVersions;
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MixHomeLayerMetadata {
    toolchain: ToolchainVersions,
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

/// The opened cache, its key not saved yet (see [`MixHome::provide`]).
pub(crate) struct MixHome {
    pub(crate) path: PathBuf,
    spec: CacheSpec,
    metadata: MixHomeLayerMetadata,
}

impl MixHome {
    /// Installs the package managers the project `needed` that the cache lacks, then saves its key. An
    /// install makes the cache untrusted until then.
    pub(crate) fn provide(
        &self,
        frontend: &mut impl Frontend,
        mix: &MixEnv,
        needed: hex::PackageManagers,
        installs_key: Option<&PublicKey>,
    ) -> Result<(), MixError> {
        let missing = super::missing_package_managers(needed, &self.path);
        for note in super::package_manager_notes(needed, missing) {
            print::sub_bullet(note);
        }
        if missing.hex || missing.rebar3 {
            frontend.writing_cache(self.spec)?;
            mix.install_package_managers(missing, &self.path, installs_key)?;
        }
        Ok(cache::save(frontend, self.spec, &self.metadata)?)
    }
}

#[cfg(test)]
impl MixHome {
    /// The cache at `path`, for stand-ins that never save it.
    pub(crate) fn at(path: PathBuf) -> Self {
        Self {
            path,
            spec: spec(false),
            metadata: MixHomeLayerMetadata {
                toolchain: ToolchainVersions::new("27.3.4", "1.18.3"),
            },
        }
    }
}

/// The cache, in the image in mix-at-runtime mode (`launch`).
fn spec(launch: bool) -> CacheSpec {
    CacheSpec {
        name: "mix_home",
        availability: Availability::build_and_launch_if(launch),
        what: "Hex and rebar3",
    }
}

pub(crate) fn restore(
    frontend: &mut impl Frontend,
    toolchain: ToolchainVersions,
    mix_env: &str,
    launch: bool,
    always_rebuild: bool,
) -> Result<MixHome, MixError> {
    let metadata = MixHomeLayerMetadata { toolchain };
    let spec = spec(launch);
    let (path, _) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
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
    Ok(MixHome { path, spec, metadata })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::fake::FakeFrontend;
    use std::os::unix::fs::PermissionsExt;

    /// A stand-in `mix`: `local.hex` and `local.rebar` install into `MIX_HOME`, after logging, unless
    /// `STAND_FAIL` is set, as a build stopped during the install would leave it.
    const MIX: &str = r#"#!/bin/sh
echo "mix $*" >> "$STAND_LOG"
mkdir -p "$MIX_HOME/archives"
[ -n "$STAND_FAIL" ] && { mkdir -p "$MIX_HOME/archives/hex-2.2.1-partial"; exit 1; }
case "$1" in
  local.hex) mkdir -p "$MIX_HOME/archives/hex-2.2.1" ;;
  local.rebar) mkdir -p "$MIX_HOME/elixir/1-18/rebar3" ;;
esac
"#;

    const HEX: hex::PackageManagers = hex::PackageManagers {
        hex: true,
        rebar3: false,
    };

    /// Opens the cache in `frontend` and provides `needed`; returns the result and the `mix` runs.
    fn provide(
        frontend: &mut FakeFrontend,
        needed: hex::PackageManagers,
        fail: bool,
    ) -> (Result<(), MixError>, String) {
        let dir = tempfile::tempdir().expect("a dir");
        let bin = dir.path().join("elixir/bin");
        fs_err::create_dir_all(&bin).expect("a dir");
        fs_err::write(bin.join("mix"), MIX).expect("written");
        fs_err::set_permissions(bin.join("mix"), std::fs::Permissions::from_mode(0o755)).expect("executable");
        let mix_home = restore(
            frontend,
            ToolchainVersions::new("27.3.4", "1.18.3"),
            "prod",
            false,
            false,
        )
        .expect("opened");
        let path = dir.path();
        let dirs = super::super::MixDirs {
            erlang: path,
            elixir: &path.join("elixir"),
            mix_home: &mix_home.path,
            deps: path,
            build: path,
            hex_home: path,
            rebar3_cache: path,
        };
        let log = path.join("log");
        let extra_env = [
            (String::from("STAND_LOG"), log.to_string_lossy().to_string()),
            (
                String::from("STAND_FAIL"),
                if fail { "1" } else { "" }.to_string(),
            ),
        ];
        let mix = MixEnv::new(path, &dirs, "prod", &extra_env);
        let result = mix_home.provide(frontend, &mix, needed, None);
        (result, fs_err::read_to_string(&log).unwrap_or_default())
    }

    #[test]
    fn the_key_is_saved_once_what_the_project_needs_is_installed() {
        let mut frontend = FakeFrontend::new();
        let (result, runs) = provide(&mut frontend, HEX, false);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(runs, "mix local.hex --force\n");
        assert_eq!(
            (&frontend.writing[..], &frontend.saved[..]),
            (&["mix_home"][..], &["mix_home"][..])
        );

        // Cached: nothing is installed, the cache is never untrusted.
        frontend.writing.clear();
        let (result, runs) = provide(&mut frontend, HEX, false);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(runs, "");
        assert!(frontend.writing.is_empty(), "{:?}", frontend.writing);
        assert!(frontend.keys.contains_key("mix_home"));
        assert_eq!(
            frontend.opened("mix_home"),
            Some(&crate::frontend::Opened::Restored)
        );

        // The project now needs rebar3 too, and the install stops midway: the cache the next build finds
        // has no key, so it is discarded, not trusted with a half-installed archive.
        let both = hex::PackageManagers {
            hex: true,
            rebar3: true,
        };
        let (result, runs) = provide(&mut frontend, both, true);
        assert!(matches!(result, Err(MixError::MixCommand(_))), "{result:?}");
        assert_eq!(runs, "mix local.rebar --force\n", "Hex is cached");
        assert_eq!(frontend.writing, ["mix_home"]);
        assert!(!frontend.keys.contains_key("mix_home"), "{:?}", frontend.keys);
    }

    #[test]
    fn a_project_without_hex_packages_installs_nothing() {
        let mut frontend = FakeFrontend::new();
        let (result, runs) = provide(&mut frontend, hex::PackageManagers::default(), true);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(runs, "");
        assert!(frontend.writing.is_empty());
        assert_eq!(frontend.saved, ["mix_home"]);
    }
}
