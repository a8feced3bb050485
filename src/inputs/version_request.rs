//! What the user asked for as Erlang/OTP and Elixir versions: exact (`27.3.4`, `1.18.3`), partial (`27`,
//! `1.18`), a pre-release (`28.0-rc1`, `1.19.0-rc.0`), a branch build (`main`, `maint-27`, `(branch main)`),
//! and for Elixir an optional `-otp-NN` suffix. Parsed when the config is read, so an invalid one is
//! reported with where it came from; `toolchain::versions` resolves them against the builds index.

use std::cmp::Ordering;
use std::fmt;

/// A dotted version with an optional pre-release tag, ordered numerically (`1.10` > `1.9`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    pub(crate) parts: Vec<u64>,
    pub(crate) pre: Option<String>,
}

impl Version {
    /// Parses `27.3.4`, `1.18.0-rc.0`, `28.0-rc1`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (numbers, pre) = match text.split_once('-') {
            Some((numbers, pre)) if !pre.is_empty() => (numbers, Some(pre.to_string())),
            Some(_) => return None,
            None => (text, None),
        };
        let parts = numbers
            .split('.')
            .map(|part| {
                (!part.is_empty() && part.chars().all(|char| char.is_ascii_digit()))
                    .then(|| part.parse::<u64>().ok())
                    .flatten()
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self { parts, pre })
    }

    pub(crate) fn major(&self) -> u64 {
        self.parts.first().copied().unwrap_or_default()
    }

    pub(crate) fn is_stable(&self) -> bool {
        self.pre.is_none()
    }

    /// Whether this version is what a partial request names: `27` matches `27.3.4`, `1.18` matches `1.18.3`.
    pub(crate) fn starts_with(&self, request: &Version) -> bool {
        request.parts.len() <= self.parts.len()
            && self.parts[..request.parts.len()] == request.parts[..]
            && (request.pre.is_none() || request.pre == self.pre)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts
            .cmp(&other.parts)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(left), Some(right)) => left.cmp(right),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let numbers: Vec<String> = self.parts.iter().map(ToString::to_string).collect();
        write!(f, "{}", numbers.join("."))?;
        if let Some(pre) = &self.pre {
            write!(f, "-{pre}")?;
        }
        Ok(())
    }
}

/// What a user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VersionRequest {
    Version(Version),
    /// A branch build such as `main` or `maint-27`: not reproducible.
    Branch(String),
}

impl fmt::Display for VersionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionRequest::Version(version) => write!(f, "{version}"),
            VersionRequest::Branch(branch) => write!(f, "{branch} (branch)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ElixirRequest {
    pub(crate) version: VersionRequest,
    /// The OTP major named by an `-otp-NN` suffix.
    pub(crate) otp_major: Option<u64>,
}

impl fmt::Display for ElixirRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.version)?;
        if let Some(otp_major) = self.otp_major {
            write!(f, " for OTP {otp_major}")?;
        }
        Ok(())
    }
}

/// Strips the `(branch main)` classic syntax down to the branch name.
fn classic_branch(text: &str) -> Option<&str> {
    text.strip_prefix("(branch ")?.strip_suffix(')').map(str::trim)
}

pub(crate) fn is_branch_name(text: &str) -> bool {
    !text.is_empty()
        && text.starts_with(|char: char| char.is_ascii_alphabetic())
        && text
            .chars()
            .all(|char| char.is_ascii_alphanumeric() || "-_./".contains(char))
}

pub(crate) fn parse_otp_request(text: &str) -> Option<VersionRequest> {
    let text = text.trim();
    if let Some(branch) = classic_branch(text) {
        return is_branch_name(branch).then(|| VersionRequest::Branch(branch.to_string()));
    }
    let unprefixed = text
        .strip_prefix("OTP-")
        .or_else(|| text.strip_prefix("OTP"))
        .unwrap_or(text);
    if let Some(version) = Version::parse(unprefixed) {
        return Some(VersionRequest::Version(version));
    }
    is_branch_name(text).then(|| VersionRequest::Branch(text.to_string()))
}

pub(crate) fn parse_elixir_request(text: &str) -> Option<ElixirRequest> {
    let text = text.trim();
    if let Some(branch) = classic_branch(text) {
        return is_branch_name(branch).then(|| ElixirRequest {
            version: VersionRequest::Branch(branch.to_string()),
            otp_major: None,
        });
    }
    let (text, otp_major) = match text.rsplit_once("-otp-") {
        Some((version, otp)) => (version, Some(otp.parse::<u64>().ok()?)),
        None => (text, None),
    };
    let unprefixed = text.strip_prefix('v').unwrap_or(text);
    let version = match Version::parse(unprefixed) {
        Some(version) => VersionRequest::Version(version),
        None if is_branch_name(text) => VersionRequest::Branch(text.to_string()),
        None => return None,
    };
    Some(ElixirRequest { version, otp_major })
}
