//! Erlang/OTP and Elixir: which builds (resolved in the builds.hex.pm index under `HEX_BUILDS_URL`, for
//! the CPU architecture and distro of the build target), and their download and install.

pub(crate) mod archive;
pub(crate) mod beam;
pub(crate) mod builds_index;
pub(crate) mod download;
pub(crate) mod elixir;
pub(crate) mod erlang;
pub(crate) mod fetch;
pub(crate) mod fingerprint;
pub(crate) mod pinned;
pub(crate) mod versions;

use crate::frontend::FrontendError;
use crate::inputs::config::{BuildConfig, Source, Sourced};
use download::DownloadError;
use versions::{ElixirBuild, ElixirRequest, OtpBuild, ResolveError, VersionRequest};

pub(crate) const DEFAULT_HEX_BUILDS_URL: &str = "https://builds.hex.pm";

/// The builds.hex.pm names for the target's architecture and distro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Platform {
    /// `amd64` or `arm64`.
    pub(crate) arch: String,
    /// `ubuntu-24.04`, `debian-12`.
    pub(crate) distro: String,
    /// What the build runs on, for messages that say what to change.
    pub(crate) host: Host,
}

/// What a build runs on: a CNB builder, or a stack of Heroku's classic generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    Builder,
    /// The `STACK` the platform names (`heroku-24`), when it does.
    HerokuStack(Option<String>),
}

/// Installing Erlang/OTP or Elixir (into its cache) failed.
#[derive(Debug)]
pub(crate) enum InstallError {
    Frontend(FrontendError),
    TempFile(std::io::Error),
    Download(DownloadError),
    /// The index lists the build, but the mirror answers that its archive isn't there.
    ArchiveMissing {
        /// `Erlang/OTP` or `Elixir`.
        tool: &'static str,
        /// The `elixir_buildpack.config` key that pins it.
        config_key: &'static str,
        error: DownloadError,
        /// Other versions the index lists, nearest first.
        alternatives: Vec<String>,
    },
    Unpack(archive::ArchiveError),
    /// OTP's `Install` script failed: its output.
    OtpInstall(String),
    WriteCache(std::io::Error),
}

impl From<FrontendError> for InstallError {
    fn from(error: FrontendError) -> Self {
        Self::Frontend(error)
    }
}

impl InstallError {
    /// A fetch error of `tool`'s archive: a missing archive names the versions to pin instead.
    pub(crate) fn of_archive(
        error: fetch::FetchError,
        tool: &'static str,
        config_key: &'static str,
        alternatives: &[String],
    ) -> Self {
        match error {
            fetch::FetchError::Download(error @ DownloadError::NotFound { .. }) => Self::ArchiveMissing {
                tool,
                config_key,
                error,
                alternatives: alternatives.to_vec(),
            },
            other => other.into(),
        }
    }
}

impl From<fetch::FetchError> for InstallError {
    fn from(error: fetch::FetchError) -> Self {
        match error {
            fetch::FetchError::TempFile(error) => Self::TempFile(error),
            fetch::FetchError::Download(error) => Self::Download(error),
            fetch::FetchError::Unpack(error) => Self::Unpack(error),
        }
    }
}

#[derive(Debug)]
pub(crate) enum ToolchainError {
    UnsupportedArch(String),
    /// The index has no OTP builds for this distro (the index itself is missing).
    UnsupportedDistro {
        platform: Platform,
        url: String,
    },
    IndexDownload(DownloadError),
    Resolve {
        error: ResolveError,
        /// Where the request came from.
        source: Option<Source>,
    },
}

impl Platform {
    /// From the build target's CPU architecture (`amd64`, `x86_64`, ...) and distro (`ubuntu`, `24.04`).
    pub(crate) fn new(arch: &str, distro_name: &str, distro_version: &str) -> Result<Self, ToolchainError> {
        let arch = match arch {
            "amd64" | "x86_64" => "amd64",
            "arm64" | "aarch64" => "arm64",
            other => return Err(ToolchainError::UnsupportedArch(other.to_string())),
        };
        Ok(Self {
            arch: arch.to_string(),
            distro: format!("{distro_name}-{distro_version}"),
            host: Host::Builder,
        })
    }

    /// The same platform, as a classic build on `stack`.
    pub(crate) fn on_heroku_stack(self, stack: Option<String>) -> Self {
        Self {
            host: Host::HerokuStack(stack),
            ..self
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Toolchain {
    pub(crate) otp: OtpBuild,
    pub(crate) otp_url: String,
    pub(crate) otp_source: Source,
    pub(crate) elixir: ElixirBuild,
    pub(crate) elixir_url: String,
    pub(crate) elixir_source: Source,
    /// Other versions the index lists, nearest first, for a build whose archive turns out missing.
    pub(crate) otp_alternatives: Vec<String>,
    pub(crate) elixir_alternatives: Vec<String>,
}

pub(crate) struct Urls<'a> {
    base: &'a str,
    platform: &'a Platform,
}

impl<'a> Urls<'a> {
    pub(crate) fn new(base: &'a str, platform: &'a Platform) -> Self {
        Self {
            base: base.trim_end_matches('/'),
            platform,
        }
    }

    fn otp_dir(&self) -> String {
        format!(
            "{}/builds/otp/{}/{}",
            self.base, self.platform.arch, self.platform.distro
        )
    }

    pub(crate) fn otp_index(&self) -> String {
        format!("{}/builds.txt", self.otp_dir())
    }

    pub(crate) fn otp_tarball(&self, build: &OtpBuild) -> String {
        format!("{}/{}.tar.gz", self.otp_dir(), build.name)
    }

    pub(crate) fn elixir_index(&self) -> String {
        format!("{}/builds/elixir/builds.txt", self.base)
    }

    pub(crate) fn elixir_zip(&self, build: &ElixirBuild) -> String {
        format!("{}/builds/elixir/{}.zip", self.base, build.name)
    }
}

/// What the user asked for: the version requests, and the `elixir:` requirement of `mix.exs` that narrows
/// the default Elixir.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Requests<'a> {
    pub(crate) erlang: Option<&'a Sourced<VersionRequest>>,
    pub(crate) elixir: Option<&'a Sourced<ElixirRequest>>,
    pub(crate) elixir_hint: Option<&'a semver::VersionReq>,
}

impl<'a> Requests<'a> {
    pub(crate) fn of(config: &'a BuildConfig) -> Self {
        Self {
            erlang: config.erlang.as_ref(),
            elixir: config.elixir.as_ref(),
            elixir_hint: config.elixir_hint.as_ref().map(|(_, requirement)| requirement),
        }
    }
}

/// Fetches both indexes and resolves the requested (or default) versions.
pub(crate) fn resolve(requests: Requests<'_>, urls: &Urls<'_>) -> Result<Toolchain, ToolchainError> {
    let otp_index = match download::fetch_text(&urls.otp_index()) {
        Err(DownloadError::NotFound { .. }) => {
            return Err(ToolchainError::UnsupportedDistro {
                platform: urls.platform.clone(),
                url: urls.otp_index(),
            });
        }
        other => other.map_err(ToolchainError::IndexDownload)?,
    };
    fetch::print_retries(&otp_index.failed_attempts);
    let elixir_index = download::fetch_text(&urls.elixir_index()).map_err(ToolchainError::IndexDownload)?;
    fetch::print_retries(&elixir_index.failed_attempts);
    let (otp_index, elixir_index) = (otp_index.value, elixir_index.value);
    let otp_builds = versions::otp_builds(&builds_index::parse(&otp_index));
    let elixir_builds = versions::elixir_builds(&builds_index::parse(&elixir_index));
    from_indexes(requests, urls, &otp_builds, &elixir_builds)
}

/// The toolchain both indexes give for the requests: the builds, their archives' URLs, and the other
/// versions to name if an archive turns out missing.
fn from_indexes(
    requests: Requests<'_>,
    urls: &Urls<'_>,
    otp_builds: &[OtpBuild],
    elixir_builds: &[ElixirBuild],
) -> Result<Toolchain, ToolchainError> {
    choose(requests, otp_builds, elixir_builds).map(|(otp, otp_source, elixir, elixir_source)| Toolchain {
        otp_url: urls.otp_tarball(&otp),
        elixir_url: urls.elixir_zip(&elixir),
        otp_alternatives: versions::otp_alternatives(otp_builds, &otp),
        elixir_alternatives: versions::elixir_alternatives(elixir_builds, &elixir),
        otp,
        otp_source,
        elixir,
        elixir_source,
    })
}

/// Picks both builds. Without an OTP request but with an Elixir one, the default OTP is the newest that
/// the requested Elixir has a build for; without either, the newest that a stable Elixir is built for
/// ([`versions::default_otp`]).
fn choose(
    requests: Requests<'_>,
    otp_builds: &[OtpBuild],
    elixir_builds: &[ElixirBuild],
) -> Result<(OtpBuild, Source, ElixirBuild, Source), ToolchainError> {
    let otp_error = |error, source: Option<&Source>| ToolchainError::Resolve {
        error,
        source: source.cloned(),
    };
    let otp = match (requests.erlang, requests.elixir) {
        (Some(Sourced { value, source }), _) => {
            versions::resolve_otp(otp_builds, Some(value)).map_err(|error| otp_error(error, Some(source)))?
        }
        (None, Some(Sourced { value: elixir, .. })) => {
            default_otp_for_elixir(otp_builds, elixir_builds, elixir)
                .map_or_else(|| versions::resolve_otp(otp_builds, None), Ok)
                .map_err(|error| otp_error(error, None))?
        }
        (None, None) => versions::default_otp(otp_builds, elixir_builds, requests.elixir_hint)
            .map_err(|error| otp_error(error, None))?,
    };
    let otp_source = requests
        .erlang
        .map_or(Source::Default, |sourced| sourced.source.clone());

    let otp_major = otp.major().ok_or_else(|| ToolchainError::Resolve {
        error: ResolveError::NoOtpBuild {
            request: VersionRequest::Branch(otp.name.clone()),
            nearest: Vec::new(),
        },
        source: Some(otp_source.clone()),
    })?;
    let elixir_source = requests
        .elixir
        .map_or(Source::Default, |sourced| sourced.source.clone());
    let elixir = versions::resolve_elixir(
        elixir_builds,
        requests.elixir.map(|sourced| &sourced.value),
        otp_major,
        requests.elixir_hint,
    )
    .map_err(|error| ToolchainError::Resolve {
        error,
        source: Some(elixir_source.clone()),
    })?;
    Ok((otp, otp_source, elixir, elixir_source))
}

fn default_otp_for_elixir(
    otp_builds: &[OtpBuild],
    elixir_builds: &[ElixirBuild],
    elixir: &ElixirRequest,
) -> Option<OtpBuild> {
    versions::otp_majors_for_elixir(elixir_builds, elixir)
        .into_iter()
        .find_map(|major| {
            let request = VersionRequest::Version(versions::Version {
                parts: vec![major],
                pre: None,
            });
            versions::resolve_otp(otp_builds, Some(&request)).ok()
        })
}

/// The toolchain a cache was built with: Mix output is only valid for the same OTP and Elixir.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ToolchainVersions {
    otp: String,
    elixir: String,
}

impl ToolchainVersions {
    pub(crate) fn of(toolchain: &Toolchain) -> Self {
        Self::new(
            &toolchain.otp.display_version(),
            &toolchain.elixir.display_version(),
        )
    }

    pub(crate) fn new(otp: &str, elixir: &str) -> Self {
        Self {
            otp: otp.to_string(),
            elixir: elixir.to_string(),
        }
    }

    pub(crate) fn push_reasons(&self, new: &Self, reasons: &mut Vec<String>) {
        crate::cache::push_if_changed(reasons, "the Erlang/OTP version", &self.otp, &new.otp);
        crate::cache::push_if_changed(reasons, "the Elixir version", &self.elixir, &new.elixir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::config::Hooks;
    use builds_index::IndexEntry;

    fn entries(names: &[&str]) -> Vec<IndexEntry> {
        names
            .iter()
            .map(|name| IndexEntry {
                name: (*name).to_string(),
                sha256: None,
            })
            .collect()
    }

    fn config(erlang: Option<&str>, elixir: Option<&str>) -> BuildConfig {
        BuildConfig {
            erlang: erlang.map(|value| Sourced {
                value: crate::inputs::version_request::parse_otp_request(value).expect("valid"),
                source: Source::ToolVersions { line: 1 },
            }),
            elixir: elixir.map(|value| Sourced {
                value: crate::inputs::version_request::parse_elixir_request(value).expect("valid"),
                source: Source::ToolVersions { line: 2 },
            }),
            elixir_hint: None,
            mix_env: Sourced {
                value: "prod".into(),
                source: Source::Default,
            },
            always_rebuild: false,
            release: true,
            hooks: Hooks::default(),
            classic_only: crate::inputs::config::ClassicOnly::default(),
            warnings: Vec::new(),
        }
    }

    fn pick(erlang: Option<&str>, elixir: Option<&str>) -> Result<(String, String), String> {
        let otp = versions::otp_builds(&entries(&["OTP-25.2.3", "OTP-27.3.4"]));
        let elixir_builds =
            versions::elixir_builds(&entries(&["v1.14.0-otp-25", "v1.18.3-otp-27", "v1.14.0"]));
        choose(Requests::of(&config(erlang, elixir)), &otp, &elixir_builds)
            .map(|(otp, _, elixir, _)| (otp.name, elixir.name))
            .map_err(|error| format!("{error:?}"))
    }

    #[test]
    fn the_toolchain_names_its_archives_and_the_versions_to_pin_if_one_is_missing() {
        let platform = Platform {
            arch: "amd64".into(),
            distro: "debian-12".into(),
            host: Host::Builder,
        };
        let otp = versions::otp_builds(&entries(&["OTP-25.2.3", "OTP-25.3", "OTP-27.3.4"]));
        let elixir_builds = versions::elixir_builds(&entries(&[
            "v1.14.0-otp-25",
            "v1.14.5-otp-25",
            "v1.15.8-otp-25",
            "v1.18.3-otp-27",
        ]));
        let toolchain = from_indexes(
            Requests::of(&config(Some("25.2.3"), Some("1.14.0"))),
            &Urls::new("https://m/", &platform),
            &otp,
            &elixir_builds,
        )
        .expect("a toolchain");
        assert_eq!(
            (toolchain.otp_url.as_str(), toolchain.elixir_url.as_str()),
            (
                "https://m/builds/otp/amd64/debian-12/OTP-25.2.3.tar.gz",
                "https://m/builds/elixir/v1.14.0-otp-25.zip"
            )
        );
        assert_eq!(toolchain.otp_alternatives, ["25.3", "27.3.4"]);
        assert_eq!(toolchain.elixir_alternatives, ["1.14.5", "1.15.8"]);
    }

    #[test]
    fn a_missing_archive_keeps_what_to_pin_instead_and_other_failures_stay_as_they_are() {
        let missing = InstallError::of_archive(
            fetch::FetchError::Download(DownloadError::NotFound {
                url: "https://m/x.zip".into(),
                status: 404,
            }),
            "Elixir",
            "elixir_version",
            &["1.18.4".into()],
        );
        assert!(
            matches!(
                &missing,
                InstallError::ArchiveMissing {
                    tool: "Elixir",
                    config_key: "elixir_version",
                    error: DownloadError::NotFound { status: 404, .. },
                    alternatives,
                } if alternatives == &["1.18.4"]
            ),
            "{missing:?}"
        );
        let failed = InstallError::of_archive(
            fetch::FetchError::Download(DownloadError::Failed {
                url: "https://m/x.zip".into(),
                attempts: 4,
                last_error: "reset".into(),
            }),
            "Elixir",
            "elixir_version",
            &["1.18.4".into()],
        );
        assert!(
            matches!(failed, InstallError::Download(DownloadError::Failed { .. })),
            "{failed:?}"
        );
    }

    #[test]
    fn defaults_pick_the_newest_pair() {
        assert_eq!(
            pick(None, None),
            Ok(("OTP-27.3.4".into(), "v1.18.3-otp-27".into()))
        );
    }

    #[test]
    fn defaults_skip_an_otp_no_elixir_is_built_for_yet() {
        let otp = versions::otp_builds(&entries(&["OTP-27.3.4", "OTP-28.0"]));
        let elixir_builds = versions::elixir_builds(&entries(&["v1.18.3-otp-27", "v1.19.0-rc.0-otp-28"]));
        let (otp, _, elixir, _) =
            choose(Requests::of(&config(None, None)), &otp, &elixir_builds).expect("a pair");
        assert_eq!(
            (otp.name, elixir.name),
            ("OTP-27.3.4".into(), "v1.18.3-otp-27".into())
        );
    }

    #[test]
    fn a_pinned_elixir_picks_an_otp_it_is_built_for() {
        assert_eq!(
            pick(None, Some("1.14")),
            Ok(("OTP-25.2.3".into(), "v1.14.0-otp-25".into()))
        );
    }

    #[test]
    fn pinned_versions_are_respected() {
        assert_eq!(
            pick(Some("25"), None),
            Ok(("OTP-25.2.3".into(), "v1.14.0-otp-25".into()))
        );
        assert!(pick(Some("27"), Some("1.14")).is_err());
    }

    #[test]
    fn urls_follow_the_builds_hex_pm_layout() {
        let platform = Platform {
            arch: "arm64".into(),
            distro: "ubuntu-24.04".into(),
            host: Host::Builder,
        };
        let urls = Urls::new("https://builds.hex.pm/", &platform);
        let otp = versions::otp_builds(&entries(&["OTP-27.3.4"]));
        let elixir = versions::elixir_builds(&entries(&["v1.18.3-otp-27"]));
        assert_eq!(
            urls.otp_index(),
            "https://builds.hex.pm/builds/otp/arm64/ubuntu-24.04/builds.txt"
        );
        assert_eq!(
            urls.otp_tarball(&otp[0]),
            "https://builds.hex.pm/builds/otp/arm64/ubuntu-24.04/OTP-27.3.4.tar.gz"
        );
        assert_eq!(
            urls.elixir_index(),
            "https://builds.hex.pm/builds/elixir/builds.txt"
        );
        assert_eq!(
            urls.elixir_zip(&elixir[0]),
            "https://builds.hex.pm/builds/elixir/v1.18.3-otp-27.zip"
        );
    }

    #[test]
    fn targets_map_to_builds_hex_pm_names() {
        let target = |arch: &str| Platform::new(arch, "ubuntu", "24.04");
        assert_eq!(
            target("aarch64").ok(),
            Some(Platform {
                arch: "arm64".into(),
                distro: "ubuntu-24.04".into(),
                host: Host::Builder,
            })
        );
        assert!(matches!(
            target("ppc64le"),
            Err(ToolchainError::UnsupportedArch(_))
        ));
    }

    struct NoEnv;

    impl crate::inputs::config::PlatformEnv for NoEnv {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
    }

    /// The whole path of a classic config: its text, read from an app dir, to the build chosen and the
    /// message a user sees.
    fn choose_for_config(classic: &str, elixir_index: &[&str]) -> Result<(OtpBuild, ElixirBuild), String> {
        let app_dir = tempfile::tempdir().expect("tempdir");
        fs_err::write(app_dir.path().join("elixir_buildpack.config"), classic).expect("written config");
        let config = crate::inputs::config::read(app_dir.path(), &NoEnv).expect("a valid config");
        let otp = versions::otp_builds(&entries(&["OTP-25.2.3", "OTP-27.3.4"]));
        let elixir = versions::elixir_builds(&entries(elixir_index));
        choose(Requests::of(&config), &otp, &elixir)
            .map(|(otp, _, elixir, _)| (otp, elixir))
            .map_err(|error| crate::errors::message(&crate::pipeline::ElixirBuildpackError::Toolchain(error)))
    }

    #[test]
    fn a_classic_branch_array_requests_that_branch() {
        let (otp, elixir) = choose_for_config(
            "elixir_version=(branch main)\n",
            &["v1.18.3-otp-27", "main-otp-25", "main-otp-27", "branch-otp-27"],
        )
        .expect("a build");
        assert_eq!(otp.name, "OTP-27.3.4");
        assert_eq!(elixir.name, "main-otp-27");
        assert_eq!(elixir.display_version(), "main");

        assert_eq!(
            choose_for_config("\u{feff}elixir_version=(branch main)\r\n", &["v1.14.0-otp-25", "v1.18.3-otp-27"]),
            Err(indoc::indoc! {"
                Unknown Elixir version

                There is no Elixir build for `main (branch)` (from elixir_buildpack.config, line 1). The nearest available versions for
                the installed Erlang/OTP: 1.18.3.

                Pick one of them, for example in elixir_buildpack.config:

                    elixir_version=1.18.3
            "}
            .to_string())
        );
    }

    #[test]
    fn a_classic_branch_array_picks_an_otp_the_branch_is_built_for() {
        let (otp, elixir) = choose_for_config(
            "elixir_version=(branch main)\n",
            &["v1.18.3-otp-27", "main-otp-25"],
        )
        .expect("a build");
        assert_eq!(
            (otp.name.as_str(), elixir.name.as_str()),
            ("OTP-25.2.3", "main-otp-25")
        );
    }

    #[test]
    fn several_versions_on_one_classic_line_are_both_pinned() {
        let (otp, elixir) = choose_for_config(
            "erlang_version=25.2.3 elixir_version=1.14.0 # pinned\n",
            &["v1.14.0-otp-25", "v1.18.3-otp-27"],
        )
        .expect("a build");
        assert_eq!(
            (otp.name.as_str(), elixir.name.as_str()),
            ("OTP-25.2.3", "v1.14.0-otp-25")
        );
    }
}
