//! The `elixir` cache: Elixir, the build made for the installed OTP major. Invalidated by the Elixir
//! version and the OTP major it was built for.

use super::InstallError;
use super::{Toolchain, fetch};
use crate::cache::{self, CacheState};
use crate::frontend::Frontend;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ElixirLayerMetadata {
    elixir_version: String,
    /// A string: the lifecycle round-trips layer metadata through JSON, so a cached integer comes back
    /// as a float (`27.0`) and would no longer parse.
    otp_major: String,
}

impl CacheKey for ElixirLayerMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self {
            elixir_version,
            otp_major,
        } = self;
        let mut reasons = Vec::new();
        cache::push_if_changed(
            &mut reasons,
            "the requested Elixir version",
            elixir_version,
            &new.elixir_version,
        );
        cache::push_if_changed(
            &mut reasons,
            "the Erlang/OTP major version",
            otp_major,
            &new.otp_major,
        );
        reasons
    }
}

/// The Elixir version the cache holds and the OTP major it was built for, read without opening it.
pub(crate) fn cached_version(frontend: &impl Frontend) -> Option<(String, u64)> {
    let key: ElixirLayerMetadata = frontend.cached_key("elixir")?;
    Some((key.elixir_version, key.otp_major.parse().ok()?))
}

fn key(toolchain: &Toolchain) -> ElixirLayerMetadata {
    ElixirLayerMetadata {
        elixir_version: toolchain.elixir.display_version(),
        otp_major: toolchain.elixir.otp_major.to_string(),
    }
}

/// A download of the Elixir build started before Erlang/OTP is installed, so the two overlap.
pub(crate) type Prefetch = std::thread::JoinHandle<Result<fetch::Downloaded, fetch::FetchError>>;

/// Starts downloading the Elixir build in the background when the cache can't serve it.
pub(crate) fn prefetch(
    frontend: &impl Frontend,
    toolchain: &Toolchain,
    always_rebuild: bool,
) -> Option<Prefetch> {
    let reusable = frontend
        .cached_key::<ElixirLayerMetadata>("elixir")
        .is_some_and(|cached| cache::reasons_to_discard(&cached, &key(toolchain), always_rebuild).is_empty());
    if reusable {
        return None;
    }
    let (url, sha256) = (toolchain.elixir_url.clone(), toolchain.elixir.sha256.clone());
    Some(std::thread::spawn(move || {
        fetch::download_quietly(&url, sha256.as_deref())
    }))
}

/// Installs (or reuses) Elixir; returns its root, whose `bin/` holds `elixir` and `mix`.
pub(crate) fn install(
    frontend: &mut impl Frontend,
    toolchain: &Toolchain,
    launch: bool,
    always_rebuild: bool,
    prefetched: Option<Prefetch>,
) -> Result<PathBuf, InstallError> {
    let version = toolchain.elixir.display_version();
    let otp_major = toolchain.elixir.otp_major;
    print::bullet(format!("Elixir {version} (built for OTP {otp_major})"));
    let metadata = key(toolchain);
    let spec = CacheSpec {
        name: "elixir",
        availability: Availability::build_and_launch_if(launch),
        what: "Elixir",
    };
    let (path, state) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    if state == CacheState::Reused {
        print::sub_bullet(format!("Using cached Elixir {version}"));
        return Ok(path);
    }
    let (url, sha256) = (&toolchain.elixir_url, toolchain.elixir.sha256.as_deref());
    let zip = match prefetched.map(std::thread::JoinHandle::join) {
        Some(Ok(result)) => fetch::finish_background(url, sha256, result),
        // Not started, or the download thread panicked: download here.
        Some(Err(_)) | None => fetch::download(url, sha256),
    }
    .map_err(|error| {
        InstallError::of_archive(error, "Elixir", "elixir_version", &toolchain.elixir_alternatives)
    })?;
    let timer = print::sub_start_timer("Installing");
    fetch::unpack_zip(zip, &path)?;
    timer.done();
    cache::save(frontend, spec, &metadata)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_otp_major_invalidate() {
        let cached = ElixirLayerMetadata {
            elixir_version: "1.17.3".into(),
            otp_major: "26".into(),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = ElixirLayerMetadata {
            elixir_version: "1.18.3".into(),
            otp_major: "27".into(),
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "the requested Elixir version changed from 1.17.3 to 1.18.3",
                "the Erlang/OTP major version changed from 26 to 27",
            ]
        );
    }
}
