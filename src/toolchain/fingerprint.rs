//! A fingerprint of an installed toolchain, to notice a build that wrote into it: Distillery on OTP 25
//! and later rewrites the Erlang install's `releases/RELEASES` (upstream distillery issue 744), and a
//! cached toolchain must never carry what one build did into the next. Every entry's path, kind, size or
//! link target counts, and the contents of the files build tools write (`releases/`, `bin/`); a walk
//! over stat data, cheap next to re-installing.

use sha2::{Digest, Sha256};
use std::path::Path;

/// The file in the toolchain dir that records its fingerprint (left out of the fingerprint).
pub(crate) const FILE: &str = ".elixir-cnb-fingerprint";

/// The fingerprint of the tree at `root`.
pub(crate) fn of(root: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let entries = walkdir::WalkDir::new(root)
        .min_depth(1)
        .sort_by_file_name()
        .follow_links(false);
    for entry in entries {
        let entry = entry.map_err(std::io::Error::other)?;
        let relative = entry.path().strip_prefix(root).map_err(std::io::Error::other)?;
        if relative == Path::new(FILE) {
            continue;
        }
        let metadata = entry.path().symlink_metadata()?;
        hasher.update(relative.to_string_lossy().as_bytes());
        if metadata.is_symlink() {
            hasher.update(b"\0l\0");
            hasher.update(fs_err::read_link(entry.path())?.to_string_lossy().as_bytes());
        } else if metadata.is_dir() {
            hasher.update(b"\0d\0");
        } else {
            hasher.update(b"\0f\0");
            hasher.update(metadata.len().to_le_bytes());
            if relative.starts_with("releases") || relative.starts_with("bin") {
                let mut file = fs_err::File::open(entry.path())?;
                std::io::copy(&mut file, &mut hasher)?;
            }
        }
        hasher.update(b"\n");
    }
    Ok(crate::digest::hex(&hasher.finalize()))
}

/// Records the fingerprint of the tree at `root`.
pub(crate) fn record(root: &Path) -> std::io::Result<()> {
    fs_err::write(root.join(FILE), of(root)?)
}

/// How the tree at `root` compares with its record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Check {
    Unchanged,
    /// No record: installed by an older version of the buildpack, or never finished.
    Unrecorded,
    Changed,
}

pub(crate) fn check(root: &Path) -> Check {
    let Ok(recorded) = fs_err::read_to_string(root.join(FILE)) else {
        return Check::Unrecorded;
    };
    if of(root).is_ok_and(|current| current == recorded) {
        Check::Unchanged
    } else {
        Check::Changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("tempdir");
        for dir in ["bin", "releases/25", "lib/kernel/ebin"] {
            fs_err::create_dir_all(root.path().join(dir)).expect("mkdir");
        }
        fs_err::write(root.path().join("bin/erl"), "#!/bin/sh\nROOTDIR=/x\n").expect("write");
        fs_err::write(root.path().join("releases/RELEASES"), "[{release,...}].\n").expect("write");
        fs_err::write(
            root.path().join("lib/kernel/ebin/kernel.app"),
            "{application,kernel}.",
        )
        .expect("write");
        fs_err::os::unix::fs::symlink("erl", root.path().join("bin/epmd")).expect("link");
        root
    }

    #[test]
    fn any_write_into_the_tree_is_noticed() {
        let root = tree();
        assert_eq!(check(root.path()), Check::Unrecorded);
        record(root.path()).expect("record");
        assert_eq!(check(root.path()), Check::Unchanged);

        // Same size, other contents, where build tools write: noticed.
        fs_err::write(root.path().join("releases/RELEASES"), "[{release,---}].\n").expect("write");
        assert_eq!(check(root.path()), Check::Changed);
        record(root.path()).expect("record");

        for change in [
            |root: &Path| fs_err::write(root.join("releases/new"), "x").expect("write"),
            |root: &Path| {
                fs_err::write(
                    root.join("lib/kernel/ebin/kernel.app"),
                    "{application,kernel,[]}.",
                )
                .expect("write");
            },
            |root: &Path| fs_err::remove_file(root.join("bin/epmd")).expect("rm"),
        ] {
            let root = tree();
            record(root.path()).expect("record");
            change(root.path());
            assert_eq!(check(root.path()), Check::Changed);
        }
    }

    #[test]
    fn mtimes_do_not_count() {
        let root = tree();
        record(root.path()).expect("record");
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(315_532_801);
        for file in ["bin/erl", "lib/kernel/ebin/kernel.app"] {
            fs_err::File::options()
                .write(true)
                .open(root.path().join(file))
                .expect("open")
                .file()
                .set_modified(old)
                .expect("touch");
        }
        assert_eq!(
            check(root.path()),
            Check::Unchanged,
            "a platform that normalizes mtimes restores the same tree"
        );
    }
}
