//! The `asset_tools` cache: the binaries esbuild's and tailwind's installers download into `_build/`
//! (`esbuild-<target>`, `tailwind-<target>-<version>`, next to `_build/<MIX_ENV>`). Before the assets step
//! the cached ones are linked there, so the installers find them; after it, every such binary is moved
//! back into the cache. So they are downloaded once, and never ship (not even in mix-at-runtime mode,
//! where `_build` does). Build-only; invalidated by the CPU architecture and by `config/config.exs`,
//! where the tools' versions are pinned (esbuild's installer would keep using an outdated binary).

use super::AssetsError;
use crate::cache::{self, CacheState};
use crate::frontend::Frontend;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssetToolsMetadata {
    arch: String,
    /// SHA-256 of `config/config.exs`, or `none`.
    config_exs: String,
}

impl CacheKey for AssetToolsMetadata {
    const SCHEMA: u32 = 1;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let mut reasons = Vec::new();
        cache::push_if_changed(&mut reasons, "the CPU architecture", &self.arch, &new.arch);
        if self.config_exs != new.config_exs {
            reasons.push(String::from(
                "config/config.exs changed (it pins the esbuild and tailwind versions)",
            ));
        }
        reasons
    }
}

const SPEC: CacheSpec = CacheSpec {
    name: "asset_tools",
    // Only this buildpack uses it: later buildpacks don't see it, the image doesn't have it.
    availability: Availability {
        build: false,
        launch: false,
    },
    what: "esbuild and tailwind binaries",
};

/// Is this a binary the esbuild or tailwind installer writes next to `_build/<MIX_ENV>`?
pub(crate) fn is_tool_binary(name: &str) -> bool {
    name.starts_with("esbuild-") || name.starts_with("tailwind-")
}

/// The cache, linked into `tools_dir` (the dir that holds `_build/<MIX_ENV>`).
pub(crate) struct AssetTools {
    cache: PathBuf,
    tools_dir: PathBuf,
}

impl AssetTools {
    pub(crate) fn restore(
        frontend: &mut impl Frontend,
        app_dir: &Path,
        tools_dir: &Path,
        arch: &str,
        always_rebuild: bool,
    ) -> Result<Self, AssetsError> {
        let config_exs = match crate::digest::sha256_file(&app_dir.join("config/config.exs")) {
            Ok(digest) => digest,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::from("none"),
            Err(error) => return Err(AssetsError::ReadAppFile(error)),
        };
        let metadata = AssetToolsMetadata {
            arch: arch.to_string(),
            config_exs,
        };
        let (cache, state) = cache::restore(frontend, SPEC, &metadata, always_rebuild)?;
        cache::save(frontend, SPEC, &metadata)?;
        let names = binaries(&cache);
        if state == CacheState::Reused && !names.is_empty() {
            print::sub_bullet(format!("Using cached {}", names.join(", ")));
        }
        fs_err::create_dir_all(tools_dir).map_err(AssetsError::WriteCache)?;
        for name in &names {
            let link = tools_dir.join(name);
            if fs_err::symlink_metadata(&link).is_err() {
                fs_err::os::unix::fs::symlink(cache.join(name), &link).map_err(AssetsError::LinkCache)?;
            }
        }
        Ok(Self {
            cache,
            tools_dir: tools_dir.to_path_buf(),
        })
    }

    /// Moves the binaries the installers downloaded into the cache, and removes the links.
    pub(crate) fn store(&self) -> Result<(), AssetsError> {
        for name in binaries(&self.tools_dir) {
            let path = self.tools_dir.join(&name);
            let metadata = fs_err::symlink_metadata(&path).map_err(AssetsError::WriteCache)?;
            if metadata.file_type().is_file() {
                let target = self.cache.join(&name);
                if fs_err::rename(&path, &target).is_err() {
                    // Another file system (the classic CACHE_DIR): copied beside it, then renamed, so a
                    // build stopped midway leaves no half-copied binary under the name the next one uses.
                    let partial = self.cache.join(format!(".{name}.partial"));
                    fs_err::copy(&path, &partial).map_err(AssetsError::WriteCache)?;
                    fs_err::rename(&partial, &target).map_err(AssetsError::WriteCache)?;
                }
                print::sub_bullet(format!("Caching {name} (kept out of the image)"));
            }
            let _ = fs_err::remove_file(&path);
        }
        Ok(())
    }
}

/// The tool binaries (files or links) in `dir`, sorted.
fn binaries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs_err::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().to_string())
                .filter(|name| is_tool_binary(name))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_installers_file_names() {
        assert!(is_tool_binary("esbuild-linux-x64"));
        assert!(is_tool_binary("tailwind-linux-x64-3.4.3"));
        assert!(!is_tool_binary("prod"));
        assert!(!is_tool_binary("esbuild"));
    }

    #[test]
    fn arch_and_config_invalidate() {
        let cached = AssetToolsMetadata {
            arch: "amd64".into(),
            config_exs: "a".into(),
        };
        assert!(cached.invalidation_reasons(&cached.clone()).is_empty());
        let new = AssetToolsMetadata {
            arch: "arm64".into(),
            config_exs: "b".into(),
        };
        assert_eq!(
            cached.invalidation_reasons(&new),
            vec![
                "the CPU architecture changed from amd64 to arm64",
                "config/config.exs changed (it pins the esbuild and tailwind versions)"
            ]
        );
    }

    #[test]
    fn an_unreadable_config_exs_stops_the_build_and_a_missing_one_keys_as_none() {
        let app = tempfile::tempdir().expect("a dir");
        let tools_dir = app.path().join("_build");
        let mut frontend = crate::frontend::fake::FakeFrontend::new();
        AssetTools::restore(&mut frontend, app.path(), &tools_dir, "amd64", false).expect("no config");
        assert!(
            frontend.keys["asset_tools"].contains("config_exs = \"none\""),
            "{:?}",
            frontend.keys
        );
        fs_err::create_dir_all(app.path().join("config/config.exs")).expect("a dir, not a file");
        assert!(matches!(
            AssetTools::restore(&mut frontend, app.path(), &tools_dir, "amd64", false),
            Err(AssetsError::ReadAppFile(_))
        ));
    }

    #[test]
    fn a_binary_from_another_file_system_is_copied_into_the_cache_whole() {
        use std::os::unix::fs::MetadataExt;
        let build = tempfile::tempdir().expect("a dir");
        let shm = Path::new("/dev/shm");
        let device = |path: &Path| fs_err::metadata(path).map(|meta| meta.dev()).ok();
        if device(shm).is_none() || device(shm) == device(build.path()) {
            eprintln!(
                "skipped: no /dev/shm on another file system than {}",
                build.path().display()
            );
            return;
        }
        let cache = tempfile::tempdir_in(shm).expect("a dir");
        fs_err::write(build.path().join("esbuild-linux-x64"), "downloaded").expect("write");
        let tools = AssetTools {
            cache: cache.path().to_path_buf(),
            tools_dir: build.path().to_path_buf(),
        };
        tools.store().expect("stored");
        let in_cache: Vec<String> = fs_err::read_dir(cache.path())
            .expect("a dir")
            .map(|entry| entry.expect("an entry").file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(in_cache, ["esbuild-linux-x64"], "no partial copy is left");
        assert_eq!(
            fs_err::read_to_string(cache.path().join("esbuild-linux-x64")).expect("read"),
            "downloaded"
        );
        assert!(binaries(build.path()).is_empty());
    }

    #[test]
    fn downloaded_binaries_move_to_the_cache_and_links_go() {
        let cache = tempfile::tempdir().expect("a dir");
        let build = tempfile::tempdir().expect("a dir");
        fs_err::write(cache.path().join("esbuild-linux-x64"), "cached").expect("write");
        let tools = AssetTools {
            cache: cache.path().to_path_buf(),
            tools_dir: build.path().to_path_buf(),
        };
        fs_err::os::unix::fs::symlink(
            cache.path().join("esbuild-linux-x64"),
            build.path().join("esbuild-linux-x64"),
        )
        .expect("link");
        fs_err::write(build.path().join("tailwind-linux-x64-3.4.3"), "new").expect("write");
        fs_err::create_dir(build.path().join("prod")).expect("mkdir");
        tools.store().expect("stored");
        assert_eq!(binaries(build.path()), Vec::<String>::new());
        assert!(build.path().join("prod").is_dir());
        assert_eq!(
            binaries(cache.path()),
            vec!["esbuild-linux-x64", "tailwind-linux-x64-3.4.3"]
        );
        assert_eq!(
            fs_err::read_to_string(cache.path().join("esbuild-linux-x64")).expect("read"),
            "cached"
        );
    }
}
