//! Which Node.js to install: the request (strongest first: `node_version` in
//! `phoenix_static_buildpack.config`, the `nodejs` line of `.tool-versions`, `engines.node` in
//! `package.json`), resolved in a nodejs.org-shaped `index.json` (`[{"version": "v24.11.1", "lts":
//! "Krypton" | false, ...}]`); without a request, the newest LTS release.

use semver::{Version, VersionReq};
use std::fmt;

/// What was asked for, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeRequest {
    pub(crate) text: String,
    pub(crate) kind: RequestKind,
    /// Where it came from: "from `phoenix_static_buildpack.config`, line 2".
    pub(crate) source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestKind {
    /// `20.12.2`: that release.
    Exact(Version),
    /// `20`, `20.12`: the newest release with these leading numbers.
    Prefix(Vec<u64>),
    /// An npm semver range (`>=18 <23`, `^20 || ^22`): the newest LTS release in it, else the newest.
    Range(Vec<VersionReq>),
}

impl NodeRequest {
    /// A `node_version`/`.tool-versions` value: exact or partial.
    pub(crate) fn version(text: &str, source: String) -> Option<Self> {
        let trimmed = text.trim().trim_start_matches('v');
        let parts: Option<Vec<u64>> = trimmed.split('.').map(|part| part.parse().ok()).collect();
        let kind = match parts?.as_slice() {
            [major, minor, patch] => RequestKind::Exact(Version::new(*major, *minor, *patch)),
            parts @ ([_] | [_, _]) => RequestKind::Prefix(parts.to_vec()),
            _ => return None,
        };
        Some(Self {
            text: text.trim().to_string(),
            kind,
            source,
        })
    }

    /// An `engines.node` range, in npm's syntax.
    pub(crate) fn range(text: &str, source: String) -> Option<Self> {
        let alternatives: Option<Vec<VersionReq>> = text.split("||").map(npm_range).collect();
        Some(Self {
            text: text.trim().to_string(),
            kind: RequestKind::Range(alternatives?),
            source,
        })
    }
}

/// One npm range (no `||`) as a Rust semver requirement: comparators separated by spaces are all
/// required; `a - b` is `>=a, <=b`; a bare full version is exact.
fn npm_range(range: &str) -> Option<VersionReq> {
    let range = range.trim();
    if range.is_empty() || range == "*" || range == "x" {
        return Some(VersionReq::STAR);
    }
    let comparators: Vec<String> = if let Some((low, high)) = range.split_once(" - ") {
        vec![format!(">={}", low.trim()), format!("<={}", high.trim())]
    } else {
        let mut words = Vec::new();
        let mut pending_operator = String::new();
        for word in range.split_whitespace() {
            if word.chars().all(|char| "<>=~^".contains(char)) {
                pending_operator = word.to_string();
                continue;
            }
            let word = format!("{pending_operator}{}", word.trim_start_matches('v'));
            pending_operator.clear();
            let bare_full =
                word.split('.').count() == 3 && word.chars().all(|char| char.is_ascii_digit() || char == '.');
            words.push(if bare_full { format!("={word}") } else { word });
        }
        words
    };
    VersionReq::parse(&comparators.join(", ")).ok()
}

/// A release in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Release {
    pub(crate) version: Version,
    pub(crate) lts: bool,
}

/// Parses `index.json`; entries that aren't `vX.Y.Z` releases are skipped.
pub(crate) fn parse_index(json: &str) -> Result<Vec<Release>, String> {
    let entries: Vec<serde_json::Value> = serde_json::from_str(json).map_err(|error| error.to_string())?;
    let mut releases: Vec<Release> = entries
        .iter()
        .filter_map(|entry| {
            let version = entry.get("version")?.as_str()?.trim_start_matches('v');
            let version = Version::parse(version).ok()?;
            let lts = entry.get("lts").is_some_and(serde_json::Value::is_string);
            Some(Release { version, lts })
        })
        .collect();
    releases.sort_by(|a, b| b.version.cmp(&a.version));
    Ok(releases)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ResolveError {
    /// Nothing in the index matches; the newest few releases of the nearest lines.
    NoMatch {
        request: NodeRequest,
        nearest: Vec<String>,
    },
    /// The index lists no LTS release to default to.
    NoLts,
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoMatch { request, nearest } => write!(
                f,
                "no Node.js release matches `{}` ({}); the newest releases are: {}",
                request.text,
                request.source,
                nearest.join(", ")
            ),
            Self::NoLts => write!(f, "the index lists no LTS release"),
        }
    }
}

/// The release to install. An exact request needs no index entry (the download says if it exists).
pub(crate) fn resolve(request: Option<&NodeRequest>, releases: &[Release]) -> Result<Version, ResolveError> {
    let newest = |filter: &dyn Fn(&Release) -> bool| {
        releases
            .iter()
            .filter(|release| filter(release))
            .map(|release| release.version.clone())
            .max()
    };
    let found = match request.map(|request| &request.kind) {
        None => return newest(&|release| release.lts).ok_or(ResolveError::NoLts),
        Some(RequestKind::Exact(version)) => Some(version.clone()),
        Some(RequestKind::Prefix(parts)) => newest(&|release| {
            let numbers = [
                release.version.major,
                release.version.minor,
                release.version.patch,
            ];
            release.version.pre.is_empty() && parts.iter().zip(numbers).all(|(part, number)| *part == number)
        }),
        Some(RequestKind::Range(alternatives)) => {
            let matches = |release: &Release| alternatives.iter().any(|req| req.matches(&release.version));
            newest(&|release| release.lts && matches(release)).or_else(|| newest(&matches))
        }
    };
    found.ok_or_else(|| ResolveError::NoMatch {
        request: request.cloned().expect("a request when nothing matched"),
        nearest: releases
            .iter()
            .take(5)
            .map(|release| release.version.to_string())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"[
      {"version": "v25.2.0", "lts": false, "files": ["linux-x64"]},
      {"version": "v24.11.1", "lts": "Krypton"},
      {"version": "v24.10.0", "lts": false},
      {"version": "v22.21.1", "lts": "Jod"},
      {"version": "v20.19.5", "lts": "Iron"},
      {"version": "junk"}
    ]"#;

    fn request(text: &str) -> NodeRequest {
        NodeRequest::version(text, "from a test".into()).expect("a version")
    }

    fn range(text: &str) -> NodeRequest {
        NodeRequest::range(text, "from engines.node".into()).expect("a range")
    }

    fn resolved(request: Option<&NodeRequest>) -> String {
        let releases = parse_index(INDEX).expect("an index");
        resolve(request, &releases).expect("resolves").to_string()
    }

    #[test]
    fn defaults_to_the_newest_lts() {
        assert_eq!(resolved(None), "24.11.1");
        assert_eq!(resolve(None, &[]), Err(ResolveError::NoLts));
    }

    #[test]
    fn exact_and_partial_versions() {
        assert_eq!(resolved(Some(&request("v18.1.0"))), "18.1.0");
        assert_eq!(resolved(Some(&request("24"))), "24.11.1");
        assert_eq!(resolved(Some(&request("24.10"))), "24.10.0");
        assert!(NodeRequest::version("lts/*", String::new()).is_none());
        let missing = resolve(Some(&request("14")), &parse_index(INDEX).expect("an index"));
        assert_eq!(
            missing.map_err(|error| error.to_string()),
            Err(
                "no Node.js release matches `14` (from a test); the newest releases are: 25.2.0, 24.11.1, \
                 24.10.0, 22.21.1, 20.19.5"
                    .to_string()
            )
        );
    }

    #[test]
    fn npm_ranges_prefer_lts() {
        assert_eq!(resolved(Some(&range(">=18"))), "24.11.1");
        assert_eq!(resolved(Some(&range(">=18 <23"))), "22.21.1");
        assert_eq!(resolved(Some(&range("^20 || ^22"))), "22.21.1");
        assert_eq!(resolved(Some(&range("20.x"))), "20.19.5");
        assert_eq!(resolved(Some(&range("20 - 22"))), "22.21.1");
        assert_eq!(resolved(Some(&range(">= 25"))), "25.2.0");
        assert_eq!(resolved(Some(&range("22.21.1"))), "22.21.1");
        assert_eq!(resolved(Some(&range("*"))), "24.11.1");
    }
}
