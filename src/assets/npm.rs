//! The `npm_cache` cache: the package managers' download caches (npm's `npm_config_cache`, yarn's and
//! pnpm's under it), so `npm ci` installs from the cache what it downloaded before. Build-only;
//! `node_modules` itself is not cached (`npm ci` always starts from scratch) and never ships.

use super::AssetsError;
use crate::cache;
use crate::frontend::Frontend;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NpmCacheMetadata {
    layout: String,
}

impl CacheKey for NpmCacheMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let mut reasons = Vec::new();
        cache::push_if_changed(&mut reasons, "its layout", &self.layout, &new.layout);
        reasons
    }
}

/// Restores the cache; returns its dir.
pub(crate) fn restore(frontend: &mut impl Frontend, always_rebuild: bool) -> Result<PathBuf, AssetsError> {
    let metadata = NpmCacheMetadata {
        layout: String::from("1"),
    };
    let spec = CacheSpec {
        name: "npm_cache",
        // Only this buildpack uses it: later buildpacks don't see it, the image doesn't have it.
        availability: Availability {
            build: false,
            launch: false,
        },
        what: "npm's cache",
    };
    let (path, _) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    cache::save(frontend, spec, &metadata)?;
    Ok(path)
}

/// The env the package managers run with: their caches in `cache`, no update checks.
pub(crate) fn env(cache: &std::path::Path) -> Vec<(&'static str, String)> {
    let path = |name: &str| cache.join(name).to_string_lossy().to_string();
    vec![
        ("npm_config_cache", path("npm")),
        ("YARN_CACHE_FOLDER", path("yarn")),
        ("npm_config_store_dir", path("pnpm-store")),
        ("npm_config_update_notifier", String::from("false")),
    ]
}
