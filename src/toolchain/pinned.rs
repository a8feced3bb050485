//! No network when nothing can change: versions pinned exactly, with both toolchain caches holding
//! exactly those builds, need no index lookup, so a warm rebuild works with the mirror down. Partial
//! (`27`, `1.18`), default and branch requests still consult the index, since what they resolve to can
//! move.

use super::versions::{ElixirBuild, ElixirRequest, OtpBuild, Version, VersionRequest};
use super::{Requests, Toolchain, Urls};

/// The OTP version an exact request names: three or more numeric parts (`25.2.3`, `27.3.4.1`).
fn exact_otp(request: &VersionRequest) -> Option<&Version> {
    match request {
        VersionRequest::Version(version) if version.parts.len() >= 3 && version.pre.is_none() => {
            Some(version)
        }
        _ => None,
    }
}

/// The Elixir version an exact request names (`1.18.3`, `1.18.3-otp-27`), and the OTP major it asks
/// for, if any.
fn exact_elixir(request: &ElixirRequest) -> Option<&Version> {
    match &request.version {
        VersionRequest::Version(version) if version.parts.len() == 3 && version.pre.is_none() => {
            Some(version)
        }
        _ => None,
    }
}

/// What the toolchain caches hold: the OTP version, and the Elixir version with the OTP major it was
/// built for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cached {
    pub(crate) otp: String,
    pub(crate) elixir: String,
    pub(crate) elixir_otp_major: u64,
}

/// The toolchain, without the index, when the requests are exact and the caches hold those builds.
pub(crate) fn from_cache(requests: Requests<'_>, cached: &Cached, urls: &Urls<'_>) -> Option<Toolchain> {
    let (otp_request, elixir_request) = (requests.erlang?, requests.elixir?);
    let otp = exact_otp(&otp_request.value)?;
    let elixir = exact_elixir(&elixir_request.value)?;
    let otp_major = otp.major();
    let fits = otp.to_string() == cached.otp
        && elixir.to_string() == cached.elixir
        && cached.elixir_otp_major == otp_major
        && elixir_request
            .value
            .otp_major
            .is_none_or(|major| major == otp_major);
    if !fits {
        return None;
    }
    let otp = OtpBuild {
        name: format!("OTP-{otp}"),
        version: Some(otp.clone()),
        sha256: None,
    };
    let elixir = ElixirBuild {
        name: format!("v{elixir}-otp-{otp_major}"),
        version: Some(elixir.clone()),
        branch: None,
        otp_major,
        sha256: None,
    };
    Some(Toolchain {
        otp_url: urls.otp_tarball(&otp),
        elixir_url: urls.elixir_zip(&elixir),
        otp,
        otp_source: otp_request.source.clone(),
        elixir,
        elixir_source: elixir_request.source.clone(),
        otp_alternatives: Vec::new(),
        elixir_alternatives: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::config::{Source, Sourced};
    use crate::inputs::version_request::{parse_elixir_request, parse_otp_request};
    use crate::toolchain::Platform;

    fn cached() -> Cached {
        Cached {
            otp: "25.2.3".into(),
            elixir: "1.14.0".into(),
            elixir_otp_major: 25,
        }
    }

    fn pick(erlang: &str, elixir: &str, cached: &Cached) -> Option<(String, String, String)> {
        let erlang = Sourced {
            value: parse_otp_request(erlang).expect("valid"),
            source: Source::ClassicConfig { line: 1 },
        };
        let elixir = Sourced {
            value: parse_elixir_request(elixir).expect("valid"),
            source: Source::ClassicConfig { line: 2 },
        };
        let platform = Platform::new("amd64", "debian", "12").expect("platform");
        let urls = Urls::new("https://builds.hex.pm", &platform);
        let requests = Requests {
            erlang: Some(&erlang),
            elixir: Some(&elixir),
            elixir_hint: None,
        };
        from_cache(requests, cached, &urls).map(|toolchain| {
            assert_eq!(toolchain.otp_source, Source::ClassicConfig { line: 1 });
            assert_eq!(toolchain.elixir_source, Source::ClassicConfig { line: 2 });
            (toolchain.otp.name, toolchain.elixir.name, toolchain.elixir_url)
        })
    }

    #[test]
    fn exact_pins_that_the_caches_hold_need_no_index() {
        assert_eq!(
            pick("25.2.3", "1.14.0", &cached()),
            Some((
                "OTP-25.2.3".into(),
                "v1.14.0-otp-25".into(),
                "https://builds.hex.pm/builds/elixir/v1.14.0-otp-25.zip".into()
            ))
        );
        assert!(pick("OTP-25.2.3", "v1.14.0-otp-25", &cached()).is_some());
        let four_parts = Cached {
            otp: "27.3.4.1".into(),
            elixir: "1.18.3".into(),
            elixir_otp_major: 27,
        };
        assert!(pick("27.3.4.1", "1.18.3", &four_parts).is_some());
    }

    #[test]
    fn partial_branch_and_changed_requests_consult_the_index() {
        for (erlang, elixir) in [
            ("25.2", "1.14.0"),
            ("25", "1.14.0"),
            ("25.2.3", "1.14"),
            ("25.2.3", "main"),
            ("maint-25", "1.14.0"),
            ("25.2.4", "1.14.0"),
            ("25.2.3", "1.14.1"),
            ("25.2.3", "1.14.0-otp-26"),
            ("28.0-rc1", "1.14.0"),
        ] {
            assert_eq!(pick(erlang, elixir, &cached()), None, "{erlang} {elixir}");
        }
        let other_major = Cached {
            elixir_otp_major: 24,
            ..cached()
        };
        assert_eq!(pick("25.2.3", "1.14.0", &other_major), None);
    }
}
