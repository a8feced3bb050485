//! Links in what ships, as they must read where the slug runs. A cache that ships is built in
//! `CACHE_DIR` next to an app in `BUILD_DIR`, but runs at `<runtime_path>/.elixir-cnb/<name>` next to the
//! app at `<runtime_path>`. Links between two shipped caches keep working when copied (their real dirs
//! are siblings in both places); a link from a cache to the app (Mix links the project's own `priv` into
//! `_build`) or to a cache by its real path would lead outside the slug. Each such link is rewritten to
//! the same file where the slug runs, relative to the link.

use std::path::{Component, Path, PathBuf};

/// Where something was during the build, and where it is when the slug runs.
pub(super) struct Moved {
    pub(super) built: PathBuf,
    pub(super) runs: PathBuf,
}

/// Rewrites the links in `tree`, a copy of the directory `built` that runs at `runs`, whose target (as
/// read from `built`) is under one of `moves`' `built` dirs: they lead to the same file under its `runs`
/// dir, relative to where the link runs. Other links are left as they are. Returns how many changed.
pub(super) fn relink(tree: &Path, built: &Path, runs: &Path, moves: &[Moved]) -> std::io::Result<usize> {
    let mut changed = 0;
    for entry in walkdir::WalkDir::new(tree).min_depth(1) {
        let entry = entry.map_err(std::io::Error::other)?;
        if !entry.path_is_symlink() {
            continue;
        }
        let relative = entry.path().strip_prefix(tree).map_err(std::io::Error::other)?;
        let target = fs_err::read_link(entry.path())?;
        let (built_link, runs_link) = (built.join(relative), runs.join(relative));
        let (Some(built_dir), Some(runs_dir)) = (built_link.parent(), runs_link.parent()) else {
            continue;
        };
        let Some(new_target) = retarget(&target, built_dir, runs_dir, moves) else {
            continue;
        };
        if new_target != target {
            fs_err::remove_file(entry.path())?;
            fs_err::os::unix::fs::symlink(&new_target, entry.path())?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// The target a link in `built_dir` pointing at `target` needs in `runs_dir`, when what it points to
/// moved; `None` when it did not.
fn retarget(target: &Path, built_dir: &Path, runs_dir: &Path, moves: &[Moved]) -> Option<PathBuf> {
    let absolute = normalized(&built_dir.join(target));
    let there = moves.iter().find_map(|moved| {
        absolute
            .strip_prefix(&moved.built)
            .ok()
            .map(|rest| moved.runs.join(rest))
    })?;
    pathdiff::diff_paths(normalized(&there), normalized(runs_dir))
}

/// `path` with `.` and `..` resolved by name (the directories it was built from are real paths, so a
/// `..` leads where the kernel would take it).
fn normalized(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moves() -> Vec<Moved> {
        vec![
            Moved {
                built: PathBuf::from("/tmp/build_x"),
                runs: PathBuf::from("/app"),
            },
            Moved {
                built: PathBuf::from("/cache/elixir-cnb/_build"),
                runs: PathBuf::from("/app/.elixir-cnb/_build"),
            },
            Moved {
                built: PathBuf::from("/cache/elixir-cnb/deps"),
                runs: PathBuf::from("/app/.elixir-cnb/deps"),
            },
        ]
    }

    #[test]
    fn links_to_the_app_and_between_caches_lead_to_the_same_files_where_the_slug_runs() {
        let built = Path::new("/cache/elixir-cnb/_build/prod/lib/my_app");
        let runs = Path::new("/app/.elixir-cnb/_build/prod/lib/my_app");
        let retarget = |target: &str| retarget(Path::new(target), built, runs, &moves());
        // Mix's link to the project's priv, made from the cache's real dir.
        assert_eq!(
            retarget("../../../../../../tmp/build_x/priv"),
            Some(PathBuf::from("../../../../../priv"))
        );
        // Between two caches: the same relative link.
        assert_eq!(
            retarget("../../../../deps/castore/priv"),
            Some(PathBuf::from("../../../../deps/castore/priv"))
        );
        // Absolute links into the app or a cache.
        assert_eq!(
            retarget("/tmp/build_x/priv"),
            Some(PathBuf::from("../../../../../priv"))
        );
        assert_eq!(
            retarget("/cache/elixir-cnb/deps/jason/priv"),
            Some(PathBuf::from("../../../../deps/jason/priv"))
        );
        // Anything else stays: links made for the dyno, links within the toolchain.
        assert_eq!(retarget("/tmp/elixir-cnb/cookie"), None);
        assert_eq!(retarget("/usr/lib/x"), None);
    }

    #[test]
    fn a_copied_tree_is_relinked_in_place() {
        let root = tempfile::tempdir().expect("tempdir");
        let real = fs_err::canonicalize(root.path()).expect("canonical");
        let (build_dir, cache, slug) = (real.join("build"), real.join("cache/_build"), real.join("slug"));
        for dir in [
            build_dir.join("priv"),
            cache.join("prod/lib/my_app"),
            slug.clone(),
        ] {
            fs_err::create_dir_all(dir).expect("mkdir");
        }
        fs_err::os::unix::fs::symlink(
            pathdiff::diff_paths(build_dir.join("priv"), cache.join("prod/lib/my_app")).expect("relative"),
            cache.join("prod/lib/my_app/priv"),
        )
        .expect("link");
        fs_err::os::unix::fs::symlink("ebin", cache.join("prod/lib/my_app/same")).expect("link");
        let copy = slug.join(".elixir-cnb/_build");
        fs_err::create_dir_all(copy.parent().expect("parent")).expect("mkdir");
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(&cache)
            .arg(&copy)
            .status()
            .expect("cp");
        assert!(status.success());
        let moves = [
            Moved {
                built: build_dir.clone(),
                runs: slug.clone(),
            },
            Moved {
                built: cache.clone(),
                runs: copy.clone(),
            },
        ];
        assert_eq!(relink(&copy, &cache, &copy, &moves).expect("relinked"), 1);
        assert_eq!(
            fs_err::read_link(copy.join("prod/lib/my_app/priv")).expect("link"),
            PathBuf::from("../../../../../priv")
        );
        assert_eq!(
            fs_err::read_link(copy.join("prod/lib/my_app/same")).expect("link"),
            PathBuf::from("ebin")
        );
        // The cache itself is untouched.
        assert_eq!(
            fs_err::read_link(cache.join("prod/lib/my_app/priv")).expect("link"),
            PathBuf::from("../../../../../build/priv")
        );
    }
}
