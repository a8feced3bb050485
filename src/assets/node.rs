//! The `node` cache: Node.js for building assets, from a nodejs.org-shaped mirror (`NODEJS_ORG_MIRROR`,
//! default `https://nodejs.org/dist`): `index.json` to resolve a version, `v<V>/SHASUMS256.txt` for the
//! checksum, and `v<V>/node-v<V>-linux-<arch>.tar.gz`, verified before anything is unpacked. Build-only:
//! Node never ships in the image. Invalidated by the version and the CPU architecture.

use super::AssetsError;
use super::node_version::{self, NodeRequest};
use crate::cache::{self, CacheState};
use crate::frontend::Frontend;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use crate::toolchain::archive::Treatment;
use crate::toolchain::{download, fetch};
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub(crate) const MIRROR_SETTING: &str = "NODEJS_ORG_MIRROR";
pub(crate) const DEFAULT_MIRROR: &str = "https://nodejs.org/dist";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NodeLayerMetadata {
    version: String,
    arch: String,
}

impl CacheKey for NodeLayerMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let mut reasons = Vec::new();
        cache::push_if_changed(&mut reasons, "the Node.js version", &self.version, &new.version);
        cache::push_if_changed(&mut reasons, "the CPU architecture", &self.arch, &new.arch);
        reasons
    }
}

#[derive(Debug)]
pub(crate) enum NodeError {
    Index {
        url: String,
        error: String,
    },
    Resolve(node_version::ResolveError),
    /// `SHASUMS256.txt` has no line for the tarball.
    NoChecksum {
        url: String,
        file: String,
    },
}

/// nodejs.org's name for the architecture.
pub(crate) fn node_arch(arch: &str) -> &str {
    match arch {
        "amd64" => "x64",
        other => other,
    }
}

/// The SHA-256 of `file` in a `SHASUMS256.txt` (`<sha256>  <file>` lines).
pub(crate) fn checksum_of<'a>(shasums: &'a str, file: &str) -> Option<&'a str> {
    shasums.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        let (sha256, name) = (words.next()?, words.next()?);
        (name == file && sha256.len() == 64).then_some(sha256)
    })
}

/// Resolves and installs (or reuses) Node.js; returns its root, whose `bin/` has `node` and `npm`.
pub(crate) fn install(
    frontend: &mut impl Frontend,
    request: Option<&NodeRequest>,
    mirror: &str,
    arch: &str,
    always_rebuild: bool,
) -> Result<PathBuf, AssetsError> {
    let mirror = mirror.trim_end_matches('/');
    let version =
        if let Some(node_version::RequestKind::Exact(version)) = request.map(|request| &request.kind) {
            version.clone()
        } else {
            let url = format!("{mirror}/index.json");
            let index = download::fetch_text(&url).map_err(|error| {
                AssetsError::Node(NodeError::Index {
                    url: url.clone(),
                    error: error.to_string(),
                })
            })?;
            let releases = node_version::parse_index(&index.value)
                .map_err(|error| AssetsError::Node(NodeError::Index { url, error }))?;
            node_version::resolve(request, &releases)
                .map_err(|error| AssetsError::Node(NodeError::Resolve(error)))?
        };
    let source = request.map_or_else(
        || String::from("the newest LTS release"),
        |request| format!("`{}` {}", request.text, request.source),
    );
    print::bullet(format!("Node.js {version}"));
    print::sub_bullet(format!("Resolved from {source}"));
    let arch = node_arch(arch);
    let metadata = NodeLayerMetadata {
        version: version.to_string(),
        arch: arch.to_string(),
    };
    let spec = CacheSpec {
        name: "node",
        // For building assets only: later buildpacks don't see it, the image doesn't have it.
        availability: Availability {
            build: false,
            launch: false,
        },
        what: "Node.js",
    };
    let (path, state) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    if state == CacheState::Reused {
        print::sub_bullet(format!("Using cached Node.js {version}"));
        return Ok(path);
    }
    let file = format!("node-v{version}-linux-{arch}.tar.gz");
    let shasums_url = format!("{mirror}/v{version}/SHASUMS256.txt");
    let shasums = download::fetch_text(&shasums_url).map_err(AssetsError::Download)?;
    let sha256 = checksum_of(&shasums.value, &file).ok_or_else(|| {
        AssetsError::Node(NodeError::NoChecksum {
            url: shasums_url.clone(),
            file: file.clone(),
        })
    })?;
    let tarball = fetch::download(&format!("{mirror}/v{version}/{file}"), Some(sha256))?;
    let timer = print::sub_start_timer("Installing");
    fetch::unpack_tar_gz(&tarball, &path, &|_| Treatment::Unpack)?;
    timer.done();
    cache::save(frontend, spec, &metadata)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_arch_invalidate() {
        let cached = NodeLayerMetadata {
            version: "22.21.1".into(),
            arch: "x64".into(),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = NodeLayerMetadata {
            version: "24.11.1".into(),
            arch: "arm64".into(),
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "the Node.js version changed from 22.21.1 to 24.11.1",
                "the CPU architecture changed from x64 to arm64"
            ]
        );
    }

    #[test]
    fn shasums_lines() {
        let sha = "a".repeat(64);
        let shasums = format!(
            "{sha}  node-v24.11.1-linux-x64.tar.gz\n{}  node-v24.11.1-linux-arm64.tar.gz\n",
            "b".repeat(64)
        );
        assert_eq!(
            checksum_of(&shasums, "node-v24.11.1-linux-x64.tar.gz"),
            Some(sha.as_str())
        );
        assert_eq!(checksum_of(&shasums, "node-v24.11.1-linux-x64.tar.xz"), None);
        assert_eq!(node_arch("amd64"), "x64");
        assert_eq!(node_arch("arm64"), "arm64");
    }
}
