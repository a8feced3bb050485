//! Caches, as the build steps see them: a named directory restored for a key, or emptied with every
//! reason printed. The front-end decides where the directory lives (a CNB layer, a classic `CACHE_DIR`
//! subdirectory); the decision and its messages are the same for both.

use crate::frontend::{CacheKey, CacheSpec, Frontend, FrontendError, Opened};
use bullet_stream::global::print;
use std::path::{Path, PathBuf};

/// Whether a cache's contents can be used as they are.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CacheState {
    Reused,
    /// Empty: first build, or the cache was discarded (and why, already printed).
    Empty,
}

/// Why a cache saved with `cached` can't serve a build that needs `new`; empty when it can.
pub(crate) fn reasons_to_discard<K: CacheKey>(cached: &K, new: &K, always_rebuild: bool) -> Vec<String> {
    let mut reasons = cached.invalidation_reasons(new);
    if always_rebuild {
        reasons.push(String::from(
            "`always_rebuild=true` is set in elixir_buildpack.config",
        ));
    }
    reasons
}

/// The reason given for a cache whose saved key can't be read.
pub(crate) const UNREADABLE_KEY: &str = "it was written by an older version of this buildpack";

/// Restores the cache when its saved key matches `key`, else empties it and prints why. Its key is
/// saved by [`save`] once its contents are complete.
pub(crate) fn restore<K: CacheKey>(
    frontend: &mut impl Frontend,
    spec: CacheSpec,
    key: &K,
    always_rebuild: bool,
) -> Result<(PathBuf, CacheState), FrontendError> {
    let (path, opened) = frontend.open_cache(spec, key, always_rebuild)?;
    let state = match opened {
        Opened::Restored => CacheState::Reused,
        Opened::New => CacheState::Empty,
        Opened::Discarded(reasons) => {
            print::sub_bullet(format!(
                "Discarding cached {} since {}",
                spec.what,
                reasons.join(", and ")
            ));
            CacheState::Empty
        }
    };
    Ok((path, state))
}

/// Records that the cache's contents are complete for `key`.
pub(crate) fn save<K: CacheKey>(
    frontend: &mut impl Frontend,
    spec: CacheSpec,
    key: &K,
) -> Result<(), FrontendError> {
    frontend.save_cache(spec, key)
}

/// Pushes a reason when a value changed: "the Elixir version changed from 1.17.3 to 1.18.3".
pub(crate) fn push_if_changed<T: PartialEq + std::fmt::Display + ?Sized>(
    reasons: &mut Vec<String>,
    what: &str,
    cached: &T,
    new: &T,
) {
    if cached != new {
        reasons.push(format!("{what} changed from {cached} to {new}"));
    }
}

/// Makes `app_dir/name` a symlink to a cache, so Mix uses the cached directory in place. A real
/// directory of that name in the app (committed build output) is replaced, with a warning.
pub(crate) fn link_into_app(app_dir: &Path, name: &str, cache: &Path) -> Result<(), FrontendError> {
    let link = app_dir.join(name);
    match fs_err::symlink_metadata(&link) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            fs_err::remove_file(&link).map_err(FrontendError::LinkCache)?;
        }
        Ok(metadata) => {
            print::warning(format!(
                "Your app contains a `{name}` {kind}, which is build output. It is replaced by this \
                 buildpack's cached `{name}`. Add `/{name}` to your .gitignore (and .dockerignore) to \
                 silence this warning.",
                kind = if metadata.is_dir() { "directory" } else { "file" }
            ));
            if metadata.is_dir() {
                fs_err::remove_dir_all(&link)
            } else {
                fs_err::remove_file(&link)
            }
            .map_err(FrontendError::LinkCache)?;
        }
        Err(_) => {}
    }
    fs_err::os::unix::fs::symlink(cache, &link).map_err(FrontendError::LinkCache)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    struct Key(String);

    impl CacheKey for Key {
        fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
            let mut reasons = Vec::new();
            push_if_changed(&mut reasons, "the key", &self.0, &new.0);
            reasons
        }
    }

    #[test]
    fn always_rebuild_adds_its_reason_to_the_key_s() {
        let (a, b) = (Key("a".into()), Key("b".into()));
        assert!(reasons_to_discard(&a, &Key("a".into()), false).is_empty());
        assert_eq!(
            reasons_to_discard(&a, &Key("a".into()), true),
            vec!["`always_rebuild=true` is set in elixir_buildpack.config"]
        );
        assert_eq!(
            reasons_to_discard(&a, &b, true),
            vec![
                "the key changed from a to b",
                "`always_rebuild=true` is set in elixir_buildpack.config"
            ]
        );
    }
}
