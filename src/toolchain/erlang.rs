//! The `erlang` cache: Erlang/OTP, downloaded, verified and installed with its own `Install` script.
//! Invalidated by the OTP version, the CPU architecture and the distro, and when it lacks the debug info a
//! build needs.

use super::InstallError;
use super::archive::Treatment;
use super::beam;
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
    /// The modules have their debug info (see [`DebugInfo`]).
    debug_info: bool,
}

/// Format 1, before `debug_info`: every install had its modules' debug info.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErlangLayerMetadataV1 {
    otp_version: String,
    arch: String,
    distro: String,
}

impl CacheKey for ErlangLayerMetadata {
    const SCHEMA: u32 = 2;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self {
            otp_version,
            arch,
            distro,
            debug_info,
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
        // An install with the debug info serves a build that doesn't need it.
        if new.debug_info && !debug_info {
            reasons.push(String::from(
                "this build needs the debug info of Erlang/OTP's modules, which the cached install \
                 left out",
            ));
        }
        reasons
    }

    fn migrate(schema: u32, key: toml::Table) -> Result<Self, String> {
        let unreadable = || String::from(cache::UNREADABLE_KEY);
        if schema != 1 {
            return Err(unreadable());
        }
        let ErlangLayerMetadataV1 {
            otp_version,
            arch,
            distro,
        } = toml::Value::Table(key).try_into().map_err(|_| unreadable())?;
        Ok(Self {
            otp_version,
            arch,
            distro,
            debug_info: true,
        })
    }
}

/// Whether the install keeps its modules' debug info (the `Dbgi` chunks, a third of an install), which
/// only dialyzer, debuggers and `IEx`'s `t`/`b` helpers read. A build-only install leaves it out: it is
/// restored and cached at every build, and a release strips it from the modules it copies anyway
/// (`strip_beams`, Mix's default). It is kept when Erlang/OTP ships in the image, and for test runs
/// (Heroku CI), which may run dialyzer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DebugInfo {
    Keep,
    LeaveOut,
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
    debug_info: DebugInfo,
    always_rebuild: bool,
) -> Result<PathBuf, InstallError> {
    let version = toolchain.otp.display_version();
    print::bullet(format!("Erlang/OTP {version}"));
    let metadata = ErlangLayerMetadata {
        otp_version: version.clone(),
        arch: platform.arch.clone(),
        distro: platform.distro.clone(),
        debug_info: debug_info == DebugInfo::Keep,
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

    let tarball = fetch::download(&toolchain.otp_url, toolchain.otp.sha256.as_deref()).map_err(|error| {
        InstallError::of_archive(error, "Erlang/OTP", "erlang_version", &toolchain.otp_alternatives)
    })?;
    let timer = print::sub_start_timer(match debug_info {
        DebugInfo::Keep => "Installing",
        DebugInfo::LeaveOut => {
            "Installing, without the debug info of its modules (only dialyzer and debuggers read it)"
        }
    });
    fetch::unpack_tar_gz(&tarball, &path, &|path| treatment(path, debug_info))?;
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

/// What is unpacked of the OTP archive: the applications' modules, without their debug info when it is
/// left out; not their Erlang sources.
fn treatment(path: &Path, debug_info: DebugInfo) -> Treatment {
    if is_erlang_source(path) {
        Treatment::Skip
    } else if debug_info == DebugInfo::LeaveOut
        && path.starts_with("lib")
        && path.extension().is_some_and(|extension| extension == "beam")
    {
        Treatment::Rewrite(beam::without_debug_info)
    } else {
        Treatment::Unpack
    }
}

/// The Erlang sources of OTP's applications (`lib/<app>/src/**/*.erl`, more than half of an install),
/// left out when unpacking: builds compile against the `.beam` files and headers, which stay (`.hrl`
/// files in `src/` too, for the libraries that `-include_lib` them), and a smaller cache is quicker to
/// restore at every build and to ship in mix-at-runtime mode.
fn is_erlang_source(path: &Path) -> bool {
    let parts: Vec<_> = path.components().collect();
    matches!(parts.as_slice(), [lib, _app, src, _, ..] if lib.as_os_str() == "lib" && src.as_os_str() == "src")
        && path.extension().is_some_and(|extension| extension == "erl")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_erlang_sources_of_applications_are_left_out() {
        for source in [
            "lib/kernel-8.5/src/inet.erl",
            "lib/stdlib-4.2/src/lists.erl",
            "lib/megaco-4.4.2/src/text/megaco_text_parser_v3.erl",
        ] {
            assert!(is_erlang_source(Path::new(source)), "{source}");
        }
        for kept in [
            "lib/kernel-8.5/src/inet_int.hrl",
            "lib/kernel-8.5/ebin/inet.beam",
            "lib/kernel-8.5/include/file.hrl",
            "lib/megaco-4.4.2/src/flex/megaco_flex_scanner_drv.c",
            "lib/kernel-8.5/src",
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
            debug_info: false,
        };
        assert_eq!(cached.invalidation_reasons(&cached.clone()), Vec::<String>::new());
        let new = ErlangLayerMetadata {
            otp_version: "27.3.4".into(),
            arch: "arm64".into(),
            distro: "ubuntu-24.04".into(),
            debug_info: true,
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "the requested Erlang/OTP version changed from 26.2.5 to 27.3.4",
                "the CPU architecture changed from amd64 to arm64",
                "the distro changed from ubuntu-22.04 to ubuntu-24.04",
                "this build needs the debug info of Erlang/OTP's modules, which the cached install left out",
            ]
        );
        // An install with the debug info serves a build that leaves it out.
        let with_debug_info = ErlangLayerMetadata {
            debug_info: true,
            ..cached.clone()
        };
        assert_eq!(
            with_debug_info.invalidation_reasons(&cached),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_key_of_format_1_is_an_install_with_the_debug_info() {
        let stored: toml::Table =
            toml::from_str("otp_version = \"25.2.3\"\narch = \"amd64\"\ndistro = \"debian-12\"\n")
                .expect("toml");
        let read = cache::read_stored::<ErlangLayerMetadata>(stored.clone()).expect("migrated");
        assert!(read.migrated);
        assert_eq!(
            read.key,
            ErlangLayerMetadata {
                otp_version: "25.2.3".into(),
                arch: "amd64".into(),
                distro: "debian-12".into(),
                debug_info: true,
            }
        );
        let mut numbered = toml::Table::new();
        numbered.insert("schema".into(), toml::Value::Integer(1));
        numbered.insert("key".into(), toml::Value::Table(stored));
        assert_eq!(
            cache::read_stored::<ErlangLayerMetadata>(numbered).map(|read| read.key.debug_info),
            Ok(true)
        );
        let unknown: toml::Table = toml::from_str("otp_version = \"25\"\n").expect("toml");
        assert_eq!(
            ErlangLayerMetadata::migrate(1, unknown.clone()),
            Err(cache::UNREADABLE_KEY.to_string())
        );
        assert_eq!(
            ErlangLayerMetadata::migrate(0, unknown),
            Err(cache::UNREADABLE_KEY.to_string())
        );
    }

    #[test]
    fn modules_lose_their_debug_info_only_when_it_is_left_out() {
        // FOR1, its size, BEAM, then a 4-byte debug info chunk.
        let module = b"FOR1\0\0\0\x10BEAMDbgi\0\0\0\x04abcd";
        let rewritten = |path: &str, debug_info| match treatment(Path::new(path), debug_info) {
            Treatment::Rewrite(rewrite) => Some(rewrite(module) == Some(b"FOR1\0\0\0\x04BEAM".to_vec())),
            Treatment::Skip => None,
            Treatment::Unpack => Some(false),
        };
        for module in ["lib/stdlib-4.2/ebin/lists.beam", "lib/erts-13.1/ebin/init.beam"] {
            assert_eq!(rewritten(module, DebugInfo::LeaveOut), Some(true), "{module}");
            assert_eq!(rewritten(module, DebugInfo::Keep), Some(false), "{module}");
        }
        for kept in [
            "lib/stdlib-4.2/ebin/stdlib.app",
            "erts-13.1/bin/beam.smp",
            "bin/x.beam",
        ] {
            assert_eq!(rewritten(kept, DebugInfo::LeaveOut), Some(false), "{kept}");
        }
        assert_eq!(rewritten("lib/stdlib-4.2/src/lists.erl", DebugInfo::Keep), None);
        assert_eq!(
            rewritten("lib/stdlib-4.2/src/lists.erl", DebugInfo::LeaveOut),
            None
        );
    }
}
