//! The `erlang` cache: Erlang/OTP, downloaded, verified and installed with its own `Install` script.
//! Invalidated by the OTP version, the CPU architecture and the distro.

use super::InstallError;
use super::fingerprint::{self, Check};
use super::{Platform, Toolchain, fetch};
use crate::cache::{self, CacheState};
use crate::frontend::Frontend;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErlangLayerMetadata {
    otp_version: String,
    arch: String,
    distro: String,
}

impl CacheKey for ErlangLayerMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self {
            otp_version,
            arch,
            distro,
        } = self;
        let mut reasons = Vec::new();
        cache::push_if_changed(
            &mut reasons,
            "the requested Erlang/OTP version",
            otp_version,
            &new.otp_version,
        );
        cache::push_if_changed(&mut reasons, "the CPU architecture", arch, &new.arch);
        cache::push_if_changed(&mut reasons, "the distro", distro, &new.distro);
        reasons
    }
}

/// The OTP version the cache holds for this platform, read without opening it.
pub(crate) fn cached_version(frontend: &impl Frontend, platform: &Platform) -> Option<String> {
    let key: ErlangLayerMetadata = frontend.cached_key("erlang")?;
    (key.arch == platform.arch && key.distro == platform.distro).then_some(key.otp_version)
}

/// Installs (or reuses) Erlang/OTP; returns its root, whose `bin/` holds `erl`.
pub(crate) fn install(
    frontend: &mut impl Frontend,
    toolchain: &Toolchain,
    platform: &Platform,
    launch: bool,
    always_rebuild: bool,
) -> Result<PathBuf, InstallError> {
    let version = toolchain.otp.display_version();
    print::bullet(format!("Erlang/OTP {version}"));
    let metadata = ErlangLayerMetadata {
        otp_version: version.clone(),
        arch: platform.arch.clone(),
        distro: platform.distro.clone(),
    };
    let spec = CacheSpec {
        name: "erlang",
        availability: Availability::build_and_launch_if(launch),
        what: "Erlang/OTP",
    };
    let (path, state) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    if state == CacheState::Reused {
        let reason = match fingerprint::check(&path) {
            Check::Unchanged => {
                print::sub_bullet(format!("Using cached Erlang/OTP {version}"));
                return Ok(path);
            }
            Check::Unrecorded => "it was installed by an older version of this buildpack",
            Check::Changed => {
                "its files changed after it was installed (a build step wrote into the toolchain)"
            }
        };
        print::sub_bullet(format!("Discarding cached Erlang/OTP since {reason}"));
        fetch::empty_dir(&path);
    }

    let tarball = fetch::download(&toolchain.otp_url, toolchain.otp.sha256.as_deref())?;
    let timer = print::sub_start_timer("Installing");
    fetch::unpack_tar_gz(&tarball, &path, &is_erlang_source)?;
    let install = Command::new(path.join("Install"))
        .args(["-minimal", &path.to_string_lossy()])
        .current_dir(&path)
        .output()
        .map_err(|error| InstallError::OtpInstall(error.to_string()))?;
    if !install.status.success() {
        timer.cancel("failed");
        return Err(InstallError::OtpInstall(format!(
            "{}{}",
            String::from_utf8_lossy(&install.stdout),
            String::from_utf8_lossy(&install.stderr)
        )));
    }
    fingerprint::record(&path).map_err(InstallError::WriteCache)?;
    timer.done();
    cache::save(frontend, spec, &metadata)?;
    Ok(path)
}

/// The Erlang sources of OTP's applications (`lib/<app>/src/*.erl`, about 40% of an install), left out
/// when unpacking: builds compile against the `.beam` files and headers, which stay (`.hrl` files in
/// `src/` too, for the libraries that `-include_lib` them), and a smaller cache is quicker to restore at
/// every build and to ship in mix-at-runtime mode.
fn is_erlang_source(path: &Path) -> bool {
    let parts: Vec<_> = path.components().collect();
    matches!(parts.as_slice(), [lib, _app, src, _file] if lib.as_os_str() == "lib" && src.as_os_str() == "src")
        && path.extension().is_some_and(|extension| extension == "erl")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_erlang_sources_of_applications_are_left_out() {
        for source in ["lib/kernel-8.5/src/inet.erl", "lib/stdlib-4.2/src/lists.erl"] {
            assert!(is_erlang_source(Path::new(source)), "{source}");
        }
        for kept in [
            "lib/kernel-8.5/src/inet_int.hrl",
            "lib/kernel-8.5/ebin/inet.beam",
            "lib/kernel-8.5/include/file.hrl",
            "lib/kernel-8.5/src/sub/x.erl",
            "erts-13.1/include/erl_nif.h",
            "erts-13.1/src/x.erl",
            "src/x.erl",
            "Install",
        ] {
            assert!(!is_erlang_source(Path::new(kept)), "{kept}");
        }
    }

    #[test]
    fn every_changed_field_is_a_reason() {
        let cached = ErlangLayerMetadata {
            otp_version: "26.2.5".into(),
            arch: "amd64".into(),
            distro: "ubuntu-22.04".into(),
        };
        assert_eq!(cached.invalidation_reasons(&cached.clone()), Vec::<String>::new());
        let new = ErlangLayerMetadata {
            otp_version: "27.3.4".into(),
            arch: "arm64".into(),
            distro: "ubuntu-24.04".into(),
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "the requested Erlang/OTP version changed from 26.2.5 to 27.3.4",
                "the CPU architecture changed from amd64 to arm64",
                "the distro changed from ubuntu-22.04 to ubuntu-24.04",
            ]
        );
    }
}
