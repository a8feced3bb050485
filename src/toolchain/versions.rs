//! Erlang/OTP and Elixir version requests, and their resolution against the builds.hex.pm indexes.
//!
//! A request is exact (`27.3.4`, `1.18.3`), partial (`27`, `1.18`), a pre-release (`28.0-rc1`,
//! `1.19.0-rc.0`) or a branch build (`main`, `maint-27`, `(branch main)`). Partial requests resolve to the
//! newest stable build in the index. Elixir builds are made per OTP major (`v1.18.3-otp-27`): we pick the
//! one for the installed OTP.

use super::builds_index::IndexEntry;
use crate::inputs::version_request::is_branch_name;
pub(crate) use crate::inputs::version_request::{ElixirRequest, Version, VersionRequest};

/// An OTP build from the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OtpBuild {
    /// The name in the index and the file name stem: `OTP-27.3.4` or `maint`.
    pub(crate) name: String,
    /// `None` for branch builds.
    pub(crate) version: Option<Version>,
    pub(crate) sha256: Option<String>,
}

impl OtpBuild {
    /// The version to show and key caches on: `27.3.4`, or the branch name.
    pub(crate) fn display_version(&self) -> String {
        self.version
            .as_ref()
            .map_or_else(|| self.name.clone(), ToString::to_string)
    }

    pub(crate) fn major(&self) -> Option<u64> {
        self.version.as_ref().map(Version::major).or_else(|| {
            // `maint-27` is a branch build of OTP 27.
            self.name
                .rsplit_once('-')
                .and_then(|(_, major)| major.parse().ok())
        })
    }
}

/// An Elixir build from the index, made for one OTP major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ElixirBuild {
    /// The name in the index and the file name stem: `v1.18.3-otp-27` or `main-otp-27`.
    pub(crate) name: String,
    /// `None` for branch builds.
    pub(crate) version: Option<Version>,
    pub(crate) branch: Option<String>,
    pub(crate) otp_major: u64,
    pub(crate) sha256: Option<String>,
}

impl ElixirBuild {
    pub(crate) fn display_version(&self) -> String {
        match (&self.version, &self.branch) {
            (Some(version), _) => version.to_string(),
            (None, Some(branch)) => branch.clone(),
            (None, None) => self.name.clone(),
        }
    }
}

pub(crate) fn otp_builds(entries: &[IndexEntry]) -> Vec<OtpBuild> {
    entries
        .iter()
        .map(|entry| OtpBuild {
            name: entry.name.clone(),
            version: entry.name.strip_prefix("OTP-").and_then(Version::parse),
            sha256: entry.sha256.clone(),
        })
        .filter(|build| build.version.is_some() || is_branch_name(&build.name))
        .collect()
}

/// The Elixir builds that name their OTP major. Builds without `-otp-NN` are not tied to an OTP and are
/// not used: a build made for the installed OTP major is always preferred, as Elixir's own docs advise.
pub(crate) fn elixir_builds(entries: &[IndexEntry]) -> Vec<ElixirBuild> {
    entries
        .iter()
        .filter_map(|entry| {
            let (stem, otp) = entry.name.rsplit_once("-otp-")?;
            let otp_major = otp.parse().ok()?;
            let (version, branch) = match stem.strip_prefix('v').and_then(Version::parse) {
                Some(version) => (Some(version), None),
                None if is_branch_name(stem) => (None, Some(stem.to_string())),
                None => return None,
            };
            Some(ElixirBuild {
                name: entry.name.clone(),
                version,
                branch,
                otp_major,
                sha256: entry.sha256.clone(),
            })
        })
        .collect()
}

/// Why a request has no build, with what the index does have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ResolveError {
    NoOtpBuild {
        request: VersionRequest,
        /// Up to a few available versions nearest to the request, newest first.
        nearest: Vec<String>,
    },
    NoElixirBuild {
        request: ElixirRequest,
        nearest: Vec<String>,
    },
    /// The Elixir version exists, but not for this OTP major.
    ElixirNotBuiltForOtp {
        request: ElixirRequest,
        otp_major: u64,
        /// The OTP majors the requested Elixir has builds for.
        built_for_otp: Vec<u64>,
        /// The newest Elixir versions built for this OTP major.
        available_for_otp: Vec<String>,
    },
    /// `elixir_version=1.18.3-otp-26` asks for another OTP major than the one resolved.
    ConflictingOtpMajor {
        request: ElixirRequest,
        otp_major: u64,
    },
    EmptyIndex,
}

const NEAREST_COUNT: usize = 5;

/// Versions sharing the longest prefix with the request, newest first.
fn nearest(available: &[&Version], request: Option<&Version>) -> Vec<String> {
    let common_prefix = |version: &Version| {
        request.map_or(0, |request| {
            request
                .parts
                .iter()
                .zip(&version.parts)
                .take_while(|(left, right)| left == right)
                .count()
        })
    };
    let mut ranked: Vec<&Version> = available.to_vec();
    ranked.sort_by(|left, right| {
        common_prefix(right)
            .cmp(&common_prefix(left))
            .then_with(|| right.cmp(left))
    });
    ranked.dedup();
    ranked
        .iter()
        .take(NEAREST_COUNT)
        .map(ToString::to_string)
        .collect()
}

/// Other OTP versions the index lists, nearest to `chosen` first: what a build whose archive is missing
/// from the mirror can pin instead.
pub(crate) fn otp_alternatives(builds: &[OtpBuild], chosen: &OtpBuild) -> Vec<String> {
    nearest(
        &builds
            .iter()
            .filter(|build| build.name != chosen.name)
            .filter_map(|build| build.version.as_ref())
            .collect::<Vec<_>>(),
        chosen.version.as_ref(),
    )
}

/// Other Elixir versions the index lists for `chosen`'s OTP major, nearest first (as [`otp_alternatives`]).
pub(crate) fn elixir_alternatives(builds: &[ElixirBuild], chosen: &ElixirBuild) -> Vec<String> {
    nearest(
        &builds
            .iter()
            .filter(|build| build.otp_major == chosen.otp_major && build.name != chosen.name)
            .filter_map(|build| build.version.as_ref())
            .collect::<Vec<_>>(),
        chosen.version.as_ref(),
    )
}

fn newest_matching<'a, T>(
    builds: &'a [T],
    version_of: impl Fn(&T) -> Option<&Version>,
    request: &Version,
) -> Option<&'a T> {
    let exact = builds
        .iter()
        .find(|build| version_of(build).is_some_and(|version| version == request));
    exact.or_else(|| {
        builds
            .iter()
            .filter(|build| {
                version_of(build).is_some_and(|version| {
                    version.starts_with(request) && (version.is_stable() || request.pre.is_some())
                })
            })
            .max_by(|left, right| version_of(left).cmp(&version_of(right)))
    })
}

/// Resolves an OTP request (or the default, the newest stable build) against the index.
pub(crate) fn resolve_otp(
    builds: &[OtpBuild],
    request: Option<&VersionRequest>,
) -> Result<OtpBuild, ResolveError> {
    let found = match request {
        Some(VersionRequest::Version(version)) => {
            newest_matching(builds, |build| build.version.as_ref(), version)
        }
        Some(VersionRequest::Branch(branch)) => builds.iter().find(|build| &build.name == branch),
        None => builds
            .iter()
            .filter(|build| build.version.as_ref().is_some_and(Version::is_stable))
            .max_by(|left, right| left.version.cmp(&right.version)),
    };
    found.cloned().ok_or_else(|| match request {
        None => ResolveError::EmptyIndex,
        Some(request) => ResolveError::NoOtpBuild {
            request: request.clone(),
            nearest: nearest(
                &builds
                    .iter()
                    .filter_map(|build| build.version.as_ref())
                    .collect::<Vec<_>>(),
                match request {
                    VersionRequest::Version(version) => Some(version),
                    VersionRequest::Branch(_) => None,
                },
            ),
        },
    })
}

/// The OTP when neither OTP nor Elixir is requested: the newest stable build that a stable Elixir is built
/// for, and among those, when any has one, an Elixir that satisfies `elixir_hint` (the `elixir:`
/// requirement of `mix.exs`). For weeks after an OTP major is released, builds.hex.pm has it and no
/// Elixir built for it yet; the newest OTP alone would fail every unpinned build then.
pub(crate) fn default_otp(
    otp_builds: &[OtpBuild],
    elixir_builds: &[ElixirBuild],
    elixir_hint: Option<&semver::VersionReq>,
) -> Result<OtpBuild, ResolveError> {
    let has_elixir = |major: u64, hint: Option<&semver::VersionReq>| {
        elixir_builds.iter().any(|build| {
            build.otp_major == major
                && build.version.as_ref().is_some_and(|version| {
                    version.is_stable()
                        && hint.is_none_or(|requirement| {
                            to_semver(version).is_some_and(|version| requirement.matches(&version))
                        })
                })
        })
    };
    let newest_with = |hint: Option<&semver::VersionReq>| {
        otp_builds
            .iter()
            .filter(|build| {
                build.version.as_ref().is_some_and(Version::is_stable)
                    && build.major().is_some_and(|major| has_elixir(major, hint))
            })
            .max_by(|left, right| left.version.cmp(&right.version))
    };
    elixir_hint
        .and_then(|hint| newest_with(Some(hint)))
        .or_else(|| newest_with(None))
        .cloned()
        .map_or_else(|| resolve_otp(otp_builds, None), Ok)
}

/// Resolves an Elixir request for the installed OTP major. Without a request, `default_hint` (from the
/// `elixir:` requirement of `mix.exs`) narrows the default to versions that satisfy it, when any do.
pub(crate) fn resolve_elixir(
    builds: &[ElixirBuild],
    request: Option<&ElixirRequest>,
    otp_major: u64,
    default_hint: Option<&semver::VersionReq>,
) -> Result<ElixirBuild, ResolveError> {
    let for_otp: Vec<ElixirBuild> = builds
        .iter()
        .filter(|build| build.otp_major == otp_major)
        .cloned()
        .collect();
    let Some(request) = request else {
        let stable = || {
            for_otp
                .iter()
                .filter(|build| build.version.as_ref().is_some_and(Version::is_stable))
        };
        let satisfying = default_hint.and_then(|requirement| {
            stable()
                .filter(|build| {
                    build
                        .version
                        .as_ref()
                        .and_then(to_semver)
                        .is_some_and(|v| requirement.matches(&v))
                })
                .max_by(|left, right| left.version.cmp(&right.version))
        });
        return satisfying
            .or_else(|| stable().max_by(|left, right| left.version.cmp(&right.version)))
            .cloned()
            .ok_or(ResolveError::EmptyIndex);
    };

    if let Some(requested_otp) = request.otp_major
        && requested_otp != otp_major
    {
        return Err(ResolveError::ConflictingOtpMajor {
            request: request.clone(),
            otp_major,
        });
    }

    let found = match &request.version {
        VersionRequest::Version(version) => {
            newest_matching(&for_otp, |build| build.version.as_ref(), version)
        }
        VersionRequest::Branch(branch) => for_otp.iter().find(|build| build.branch.as_ref() == Some(branch)),
    };
    if let Some(found) = found {
        return Ok(found.clone());
    }

    let elsewhere: Vec<&ElixirBuild> = match &request.version {
        VersionRequest::Version(version) => builds
            .iter()
            .filter(|build| {
                build
                    .version
                    .as_ref()
                    .is_some_and(|v| v == version || (v.starts_with(version) && v.is_stable()))
            })
            .collect(),
        VersionRequest::Branch(branch) => builds
            .iter()
            .filter(|build| build.branch.as_ref() == Some(branch))
            .collect(),
    };
    let request_version = match &request.version {
        VersionRequest::Version(version) => Some(version),
        VersionRequest::Branch(_) => None,
    };
    if elsewhere.is_empty() {
        return Err(ResolveError::NoElixirBuild {
            request: request.clone(),
            nearest: nearest(
                &for_otp
                    .iter()
                    .filter_map(|build| build.version.as_ref())
                    .collect::<Vec<_>>(),
                request_version,
            ),
        });
    }
    let mut built_for_otp: Vec<u64> = elsewhere.iter().map(|build| build.otp_major).collect();
    built_for_otp.sort_unstable();
    built_for_otp.dedup();
    Err(ResolveError::ElixirNotBuiltForOtp {
        request: request.clone(),
        otp_major,
        built_for_otp,
        available_for_otp: nearest(
            &for_otp
                .iter()
                .filter_map(|build| build.version.as_ref())
                .collect::<Vec<_>>(),
            request_version,
        ),
    })
}

/// The OTP majors an Elixir request has builds for, newest first: used to pick a default OTP that works
/// with a pinned Elixir.
pub(crate) fn otp_majors_for_elixir(builds: &[ElixirBuild], request: &ElixirRequest) -> Vec<u64> {
    let mut majors: Vec<u64> = builds
        .iter()
        .filter(|build| match &request.version {
            VersionRequest::Version(version) => build
                .version
                .as_ref()
                .is_some_and(|v| v == version || (v.starts_with(version) && v.is_stable())),
            VersionRequest::Branch(branch) => build.branch.as_ref() == Some(branch),
        })
        .map(|build| build.otp_major)
        .filter(|major| request.otp_major.is_none_or(|requested| requested == *major))
        .collect();
    majors.sort_unstable_by(|left, right| right.cmp(left));
    majors.dedup();
    majors
}

fn to_semver(version: &Version) -> Option<semver::Version> {
    let numbers = |index: usize| version.parts.get(index).copied().unwrap_or_default();
    let mut semver = semver::Version::new(numbers(0), numbers(1), numbers(2));
    if let Some(pre) = &version.pre {
        semver.pre = semver::Prerelease::new(pre).ok()?;
    }
    Some(semver)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::version_request::{parse_elixir_request, parse_otp_request};

    fn entries(names: &[&str]) -> Vec<IndexEntry> {
        names
            .iter()
            .map(|name| IndexEntry {
                name: (*name).to_string(),
                sha256: None,
            })
            .collect()
    }

    fn version(text: &str) -> Version {
        Version::parse(text).expect("valid version")
    }

    fn otp_index() -> Vec<OtpBuild> {
        otp_builds(&entries(&[
            "OTP-26.2.5",
            "OTP-27.3",
            "OTP-27.3.4",
            "OTP-27.3.10",
            "OTP-28.0-rc1",
            "maint",
            "maint-27",
            "OTP-27.2.4",
        ]))
    }

    fn elixir_index() -> Vec<ElixirBuild> {
        elixir_builds(&entries(&[
            "v1.14.0",
            "v1.14.0-otp-25",
            "v1.15.8-otp-26",
            "v1.17.3-otp-26",
            "v1.17.3-otp-27",
            "v1.18.3-otp-27",
            "v1.18.4-otp-27",
            "v1.19.0-rc.0-otp-27",
            "main-otp-27",
        ]))
    }

    fn otp(request: &str) -> Result<String, ResolveError> {
        let request = parse_otp_request(request).expect("valid request");
        resolve_otp(&otp_index(), Some(&request)).map(|build| build.name)
    }

    fn elixir(request: &str, otp_major: u64) -> Result<String, ResolveError> {
        let request = parse_elixir_request(request).expect("valid request");
        resolve_elixir(&elixir_index(), Some(&request), otp_major, None).map(|build| build.name)
    }

    #[test]
    fn versions_order_numerically_and_stable_after_pre_releases() {
        assert!(version("1.10.0") > version("1.9.9"));
        assert!(version("27.3.10") > version("27.3.4"));
        assert!(version("28.0") > version("28.0-rc1"));
        assert!(version("27.3.4.1") > version("27.3.4"));
        assert_eq!(version("1.19.0-rc.0").to_string(), "1.19.0-rc.0");
        assert_eq!(Version::parse("1..2"), None);
        assert_eq!(Version::parse("1.2-"), None);
        assert_eq!(Version::parse("=22.3"), None);
    }

    #[test]
    fn otp_requests_in_every_spelling() {
        assert_eq!(otp("27.3.4"), Ok("OTP-27.3.4".into()));
        assert_eq!(otp("OTP-27.3.4"), Ok("OTP-27.3.4".into()));
        assert_eq!(otp("27"), Ok("OTP-27.3.10".into()));
        assert_eq!(
            otp("27.3"),
            Ok("OTP-27.3".into()),
            "an exact build wins over newer patches"
        );
        assert_eq!(otp("27.2"), Ok("OTP-27.2.4".into()));
        assert_eq!(
            otp("28"),
            Err(ResolveError::NoOtpBuild {
                request: VersionRequest::Version(version("28")),
                nearest: vec![
                    "28.0-rc1".into(),
                    "27.3.10".into(),
                    "27.3.4".into(),
                    "27.3".into(),
                    "27.2.4".into()
                ],
            }),
            "partial requests never resolve to a pre-release"
        );
        assert_eq!(otp("28.0-rc1"), Ok("OTP-28.0-rc1".into()));
        assert_eq!(otp("maint"), Ok("maint".into()));
        assert_eq!(otp("(branch maint-27)"), Ok("maint-27".into()));
    }

    #[test]
    fn unknown_otp_versions_list_the_nearest() {
        assert_eq!(
            otp("26.1"),
            Err(ResolveError::NoOtpBuild {
                request: VersionRequest::Version(version("26.1")),
                nearest: vec![
                    "26.2.5".into(),
                    "28.0-rc1".into(),
                    "27.3.10".into(),
                    "27.3.4".into(),
                    "27.3".into()
                ],
            })
        );
    }

    #[test]
    fn alternatives_to_a_missing_archive_are_the_other_versions_nearest_first() {
        let otp_builds = otp_index();
        let chosen = otp_builds
            .iter()
            .find(|build| build.name == "OTP-27.3.4")
            .expect("listed");
        assert_eq!(
            otp_alternatives(&otp_builds, chosen),
            ["27.3.10", "27.3", "27.2.4", "28.0-rc1", "26.2.5"]
        );
        let elixir_builds = elixir_index();
        let chosen = elixir_builds
            .iter()
            .find(|build| build.name == "v1.18.3-otp-27")
            .expect("listed");
        // Only builds for the same OTP major: 1.15.8 and 1.17.3 for OTP 26 are not.
        assert_eq!(
            elixir_alternatives(&elixir_builds, chosen),
            ["1.18.4", "1.19.0-rc.0", "1.17.3"]
        );
    }

    #[test]
    fn default_otp_is_the_newest_stable() {
        assert_eq!(
            resolve_otp(&otp_index(), None).map(|build| build.name),
            Ok("OTP-27.3.10".into())
        );
        assert_eq!(resolve_otp(&[], None), Err(ResolveError::EmptyIndex));
    }

    #[test]
    fn invalid_requests() {
        assert_eq!(parse_otp_request("=22.3"), None);
        assert_eq!(parse_otp_request(""), None);
        assert_eq!(parse_elixir_request("1.18.3-otp-x"), None);
        assert_eq!(parse_elixir_request("~> 1.18"), None);
        // Each part is digits only, though Rust would parse `+3` as a number.
        assert_eq!(parse_otp_request("27.+3"), None);
        assert_eq!(parse_elixir_request("1.+18"), None);
        // Branch names start with a letter.
        assert_eq!(parse_otp_request("27.x"), None);
        assert_eq!(parse_elixir_request("(branch 1.x)"), None);
    }

    #[test]
    fn partial_release_candidate_requests_match_that_release_candidate_only() {
        let index = otp_builds(&entries(&[
            "OTP-28.0-rc1",
            "OTP-28.0-rc2",
            "OTP-28.0.1-rc1",
            "OTP-27.3.4",
        ]));
        let resolve = |request: &str| {
            resolve_otp(&index, Some(&parse_otp_request(request).expect("valid"))).map(|build| build.name)
        };
        assert_eq!(resolve("28-rc1"), Ok("OTP-28.0.1-rc1".into()));
        assert_eq!(
            resolve("28.0.0-rc1"),
            Err(ResolveError::NoOtpBuild {
                request: VersionRequest::Version(version("28.0.0-rc1")),
                nearest: vec![
                    "28.0.1-rc1".into(),
                    "28.0-rc2".into(),
                    "28.0-rc1".into(),
                    "27.3.4".into()
                ],
            })
        );
        assert_eq!(resolve("28-rc2"), Ok("OTP-28.0-rc2".into()));
        assert_eq!(elixir("1.19-rc.0", 27), Ok("v1.19.0-rc.0-otp-27".into()));
    }

    #[test]
    fn the_default_otp_is_the_newest_that_a_stable_elixir_is_built_for() {
        let default = |otp: &[&str], elixir: &[&str], hint: Option<&str>| {
            let hint = hint.map(|hint| semver::VersionReq::parse(hint).expect("requirement"));
            default_otp(
                &otp_builds(&entries(otp)),
                &elixir_builds(&entries(elixir)),
                hint.as_ref(),
            )
            .map(|build| build.name)
        };
        // The index as it is right after an OTP major ships: no Elixir for it, or only a release candidate.
        let otp = ["OTP-27.3.4", "OTP-28.0", "OTP-28.1-rc1", "OTP-26.2.5"];
        for elixir in [
            &["v1.18.3-otp-27", "v1.17.3-otp-26"][..],
            &["v1.18.3-otp-27", "v1.19.0-rc.0-otp-28", "v1.18.3"][..],
        ] {
            assert_eq!(default(&otp, elixir, None), Ok("OTP-27.3.4".into()), "{elixir:?}");
        }
        // Once one is built, the newest OTP.
        let elixir = ["v1.18.3-otp-27", "v1.19.0-otp-28", "v1.15.8-otp-26"];
        assert_eq!(default(&otp, &elixir, None), Ok("OTP-28.0".into()));
        // mix.exs's `elixir:` requirement (`~> 1.18.3`, and so on, as semver) picks among them when an Elixir satisfies it...
        assert_eq!(
            default(&otp, &elixir, Some(">=1.18.3, <1.19.0")),
            Ok("OTP-27.3.4".into())
        );
        assert_eq!(
            default(&otp, &elixir, Some(">=1.15.0, <1.16.0")),
            Ok("OTP-26.2.5".into())
        );
        assert_eq!(default(&otp, &elixir, Some(">=1.14.0")), Ok("OTP-28.0".into()));
        // ...and doesn't when none does.
        assert_eq!(
            default(&otp, &elixir, Some(">=1.12.0, <1.13.0")),
            Ok("OTP-28.0".into())
        );
        // With no Elixir for any OTP, the newest OTP, as before (the Elixir lookup says what is missing).
        assert_eq!(default(&otp, &[], None), Ok("OTP-28.0".into()));
        assert_eq!(default(&[], &elixir, None), Err(ResolveError::EmptyIndex));
    }

    #[test]
    fn builds_show_their_version_or_branch() {
        let shown: Vec<(String, Option<u64>)> = otp_index()
            .iter()
            .map(|build| (build.display_version(), build.major()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("26.2.5".into(), Some(26)),
                ("27.3".into(), Some(27)),
                ("27.3.4".into(), Some(27)),
                ("27.3.10".into(), Some(27)),
                ("28.0-rc1".into(), Some(28)),
                ("maint".into(), None),
                ("maint-27".into(), Some(27)),
                ("27.2.4".into(), Some(27)),
            ]
        );
        let shown: Vec<String> = elixir_index().iter().map(ElixirBuild::display_version).collect();
        assert_eq!(
            shown,
            [
                "1.14.0",
                "1.15.8",
                "1.17.3",
                "1.17.3",
                "1.18.3",
                "1.18.4",
                "1.19.0-rc.0",
                "main"
            ]
        );
    }

    #[test]
    fn index_entries_that_are_neither_versions_nor_branches_are_not_builds() {
        let names = |index: &[&str]| -> Vec<String> {
            elixir_builds(&entries(index))
                .into_iter()
                .map(|build| build.name)
                .collect()
        };
        assert_eq!(
            names(&[
                "1.14.0-otp-25",
                "-otp-26",
                "v1.x-otp-26",
                "v1.15.8-otp-26",
                "main-otp-x",
                "main-otp-27"
            ]),
            ["v1.x-otp-26", "v1.15.8-otp-26", "main-otp-27"],
            "`v1.x` is a branch name"
        );
        let names: Vec<String> = otp_builds(&entries(&["OTP-27.3.4", "OTP-27.3.4+x", "27.3.4", "maint"]))
            .into_iter()
            .map(|build| build.name)
            .collect();
        assert_eq!(names, ["OTP-27.3.4", "maint"]);
    }

    #[test]
    fn a_branch_built_for_another_otp_says_which() {
        assert_eq!(
            elixir("(branch main)", 26),
            Err(ResolveError::ElixirNotBuiltForOtp {
                request: parse_elixir_request("main").expect("valid"),
                otp_major: 26,
                built_for_otp: vec![27],
                available_for_otp: vec!["1.17.3".into(), "1.15.8".into()],
            })
        );
        assert_eq!(
            elixir("(branch nope)", 27),
            Err(ResolveError::NoElixirBuild {
                request: parse_elixir_request("nope").expect("valid"),
                nearest: vec![
                    "1.19.0-rc.0".into(),
                    "1.18.4".into(),
                    "1.18.3".into(),
                    "1.17.3".into()
                ],
            })
        );
    }

    #[test]
    fn elixir_requests_in_every_spelling() {
        assert_eq!(elixir("1.18.3", 27), Ok("v1.18.3-otp-27".into()));
        assert_eq!(elixir("v1.18.3", 27), Ok("v1.18.3-otp-27".into()));
        assert_eq!(elixir("1.18", 27), Ok("v1.18.4-otp-27".into()));
        assert_eq!(elixir("1", 27), Ok("v1.18.4-otp-27".into()));
        assert_eq!(elixir("1.18.3-otp-27", 27), Ok("v1.18.3-otp-27".into()));
        assert_eq!(elixir("1.19.0-rc.0", 27), Ok("v1.19.0-rc.0-otp-27".into()));
        assert_eq!(elixir("main", 27), Ok("main-otp-27".into()));
        assert_eq!(elixir("(branch main)", 27), Ok("main-otp-27".into()));
        assert_eq!(elixir("1.17", 26), Ok("v1.17.3-otp-26".into()));
    }

    #[test]
    fn elixir_not_built_for_the_installed_otp() {
        assert_eq!(
            elixir("1.15", 27),
            Err(ResolveError::ElixirNotBuiltForOtp {
                request: parse_elixir_request("1.15").expect("valid"),
                otp_major: 27,
                built_for_otp: vec![26],
                available_for_otp: vec![
                    "1.19.0-rc.0".into(),
                    "1.18.4".into(),
                    "1.18.3".into(),
                    "1.17.3".into()
                ],
            })
        );
        assert_eq!(
            elixir("1.18.3-otp-26", 27),
            Err(ResolveError::ConflictingOtpMajor {
                request: parse_elixir_request("1.18.3-otp-26").expect("valid"),
                otp_major: 27,
            })
        );
        assert!(matches!(
            elixir("1.99", 27),
            Err(ResolveError::NoElixirBuild { .. })
        ));
    }

    #[test]
    fn default_elixir_follows_the_mix_exs_requirement_when_it_can() {
        let index = elixir_index();
        let resolve = |hint: &str| {
            let requirement = semver::VersionReq::parse(hint).expect("valid requirement");
            resolve_elixir(&index, None, 27, Some(&requirement)).map(|build| build.name)
        };
        assert_eq!(resolve(">=1.17.0, <1.18.0"), Ok("v1.17.3-otp-27".into()));
        assert_eq!(resolve("^1.18"), Ok("v1.18.4-otp-27".into()));
        assert_eq!(
            resolve("^2"),
            Ok("v1.18.4-otp-27".into()),
            "an unsatisfiable hint falls back to the newest"
        );
        assert_eq!(
            resolve_elixir(&index, None, 24, None),
            Err(ResolveError::EmptyIndex)
        );
    }

    #[test]
    fn otp_majors_a_pinned_elixir_is_built_for() {
        let index = elixir_index();
        let majors =
            |request: &str| otp_majors_for_elixir(&index, &parse_elixir_request(request).expect("valid"));
        assert_eq!(majors("1.17"), vec![27, 26]);
        assert_eq!(majors("1.17.3-otp-26"), vec![26]);
        assert_eq!(majors("1.14.0"), vec![25]);
        assert_eq!(majors("1.99"), Vec::<u64>::new());
        assert_eq!(majors("(branch main)"), vec![27]);
        assert_eq!(majors("nope"), Vec::<u64>::new());
    }
}

#[cfg(test)]
mod property_tests {
    use super::*;
    use crate::inputs::version_request::{parse_elixir_request, parse_otp_request};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn versions_round_trip(parts in proptest::collection::vec(0u64..1000, 1..5), pre in proptest::option::of("rc[0-9]{1,2}")) {
            let version = Version { parts, pre };
            prop_assert_eq!(Version::parse(&version.to_string()), Some(version));
        }

        #[test]
        fn requests_never_panic(text in "\\PC{0,40}") {
            let _ = parse_otp_request(&text);
            let _ = parse_elixir_request(&text);
        }
    }
}
