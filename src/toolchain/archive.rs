//! Unpacks toolchain archives, refusing anything that would write outside the destination: absolute
//! paths, `..` components, and links that point out of it.

use std::fmt;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

#[derive(Debug)]
pub(crate) enum ArchiveError {
    /// An entry that would land outside the destination.
    UnsafeEntry {
        entry: String,
        why: &'static str,
    },
    Io(std::io::Error),
    Zip(zip::result::ZipError),
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveError::UnsafeEntry { entry, why } => {
                write!(f, "the archive entry `{entry}` {why}")
            }
            ArchiveError::Io(error) => write!(f, "{error}"),
            ArchiveError::Zip(error) => write!(f, "{error}"),
        }
    }
}

impl From<std::io::Error> for ArchiveError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}

/// A path inside the archive made relative and checked: no root, no `..`.
fn safe_relative_path(entry: &Path, strip_components: usize) -> Result<Option<PathBuf>, ArchiveError> {
    let unsafe_entry = |why| ArchiveError::UnsafeEntry {
        entry: entry.to_string_lossy().to_string(),
        why,
    };
    let mut relative = PathBuf::new();
    for component in entry.components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(unsafe_entry("climbs out of the destination with `..`"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(unsafe_entry("is an absolute path"));
            }
        }
    }
    let stripped: PathBuf = relative.components().skip(strip_components).collect();
    Ok((!stripped.as_os_str().is_empty()).then_some(stripped))
}

/// Checks that a link at `relative` pointing at `target` stays inside the destination.
fn check_link_target(entry: &Path, relative: &Path, target: &Path) -> Result<(), ArchiveError> {
    let unsafe_entry = |why| ArchiveError::UnsafeEntry {
        entry: entry.to_string_lossy().to_string(),
        why,
    };
    if target.is_absolute() {
        return Err(unsafe_entry("is a link to an absolute path"));
    }
    let mut depth: usize = relative.components().count().saturating_sub(1);
    for component in target.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| unsafe_entry("is a link that points outside the destination"))?;
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(unsafe_entry("is a link to an absolute path"));
            }
        }
    }
    Ok(())
}

/// What unpacking does with a regular file, by its path after stripping.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Treatment {
    Unpack,
    Skip,
    /// Writes what the function makes of the contents (`None`: the contents as they are).
    Rewrite(fn(&[u8]) -> Option<Vec<u8>>),
}

/// Unpacks a `.tar.gz` into `destination`, dropping the first `strip_components` path components, and
/// treating each regular file as `treat` says (by its path after stripping).
pub(crate) fn unpack_tar_gz(
    reader: impl Read,
    destination: &Path,
    strip_components: usize,
    treat: &dyn Fn(&Path) -> Treatment,
) -> Result<(), ArchiveError> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(reader));
    archive.set_preserve_permissions(true);
    archive.set_overwrite(true);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let entry_path = entry.path()?.into_owned();
        let Some(relative) = safe_relative_path(&entry_path, strip_components)? else {
            continue;
        };
        let entry_type = entry.header().entry_type();
        let treatment = if entry_type.is_file() {
            treat(&relative)
        } else {
            Treatment::Unpack
        };
        match treatment {
            Treatment::Unpack => {}
            Treatment::Skip => continue,
            Treatment::Rewrite(rewrite) => {
                write_rewritten(&mut entry, &destination.join(&relative), rewrite)?;
                continue;
            }
        }
        if entry_type.is_symlink() {
            if let Some(target) = entry.link_name()? {
                check_link_target(&entry_path, &relative, &target)?;
            }
        } else if entry_type.is_hard_link() {
            let target = entry
                .link_name()?
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default();
            let target =
                safe_relative_path(&target, strip_components)?.ok_or_else(|| ArchiveError::UnsafeEntry {
                    entry: entry_path.to_string_lossy().to_string(),
                    why: "is a hard link to nothing",
                })?;
            let output = destination.join(&relative);
            if let Some(parent) = output.parent() {
                fs_err::create_dir_all(parent)?;
            }
            fs_err::hard_link(destination.join(target), output)?;
            continue;
        }
        let output = destination.join(&relative);
        if let Some(parent) = output.parent() {
            fs_err::create_dir_all(parent)?;
        }
        entry.unpack(&output)?;
    }
    Ok(())
}

/// Writes a regular file's contents as `rewrite` makes them, with the entry's permissions.
fn write_rewritten(
    entry: &mut tar::Entry<'_, impl Read>,
    output: &Path,
    rewrite: fn(&[u8]) -> Option<Vec<u8>>,
) -> Result<(), ArchiveError> {
    use std::os::unix::fs::PermissionsExt;
    let mut contents = Vec::new();
    entry.read_to_end(&mut contents)?;
    let contents = rewrite(&contents).unwrap_or(contents);
    if let Some(parent) = output.parent() {
        fs_err::create_dir_all(parent)?;
    }
    // An earlier entry of the same path may be a link: replace it rather than write through it.
    if output.symlink_metadata().is_ok() {
        fs_err::remove_file(output)?;
    }
    fs_err::write(output, contents)?;
    let mode = entry.header().mode()? & 0o7777;
    fs_err::set_permissions(output, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

/// Unpacks a zip file into `destination`, keeping Unix permissions.
pub(crate) fn unpack_zip(file: std::fs::File, destination: &Path) -> Result<(), ArchiveError> {
    use std::os::unix::fs::PermissionsExt;

    let mut archive = zip::ZipArchive::new(file).map_err(ArchiveError::Zip)?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(ArchiveError::Zip)?;
        let entry_path = PathBuf::from(entry.name());
        let Some(relative) = safe_relative_path(&entry_path, 0)? else {
            continue;
        };
        let output = destination.join(&relative);
        if entry.is_dir() {
            fs_err::create_dir_all(&output)?;
            continue;
        }
        if let Some(parent) = output.parent() {
            fs_err::create_dir_all(parent)?;
        }
        if entry.is_symlink() {
            let mut target = String::new();
            entry.read_to_string(&mut target)?;
            check_link_target(&entry_path, &relative, Path::new(&target))?;
            std::os::unix::fs::symlink(&target, &output)?;
            continue;
        }
        let mut output_file = fs_err::File::create(&output)?;
        std::io::copy(&mut entry, &mut output_file)?;
        if let Some(mode) = entry.unix_mode() {
            fs_err::set_permissions(&output, std::fs::Permissions::from_mode(mode & 0o777))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tar_gz(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, entry_type, contents_or_target) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*entry_type);
            header.set_mode(0o755);
            // Write the raw name so that unsafe names reach the archive unchanged.
            let name = header.as_old_mut();
            name.name[..path.len()].copy_from_slice(path.as_bytes());
            if entry_type.is_symlink() {
                header.set_link_name(contents_or_target).expect("valid link");
                header.set_size(0);
                header.set_cksum();
                builder.append(&header, std::io::empty()).expect("append");
            } else {
                header.set_size(contents_or_target.len() as u64);
                header.set_cksum();
                builder
                    .append(&header, contents_or_target.as_bytes())
                    .expect("append");
            }
        }
        builder.into_inner().expect("tar").finish().expect("gzip")
    }

    fn unpack(entries: &[(&str, tar::EntryType, &str)]) -> (tempfile::TempDir, Result<(), ArchiveError>) {
        let destination = tempfile::tempdir().expect("tempdir");
        let result = unpack_tar_gz(&tar_gz(entries)[..], destination.path(), 1, &|_| {
            Treatment::Unpack
        });
        (destination, result)
    }

    #[test]
    fn skipped_files_are_not_written_and_rewritten_ones_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        fn shout(contents: &[u8]) -> Option<Vec<u8>> {
            (contents == b"beam").then(|| b"BEAM".to_vec())
        }
        let destination = tempfile::tempdir().expect("tempdir");
        let archive = tar_gz(&[
            ("OTP-1/lib/a/src/a.erl", tar::EntryType::Regular, "-module(a)."),
            ("OTP-1/lib/a/ebin/a.beam", tar::EntryType::Regular, "beam"),
            ("OTP-1/lib/a/ebin/b.beam", tar::EntryType::Regular, "kept"),
            (
                "OTP-1/lib/a/ebin/a.app",
                tar::EntryType::Regular,
                "{application, a, []}.",
            ),
            // A link in the way of a rewritten file is replaced, not written through.
            ("OTP-1/lib/a/ebin/c.beam", tar::EntryType::Symlink, "a.app"),
            ("OTP-1/lib/a/ebin/c.beam", tar::EntryType::Regular, "beam"),
        ]);
        unpack_tar_gz(&archive[..], destination.path(), 1, &|path: &Path| match path
            .extension()
            .and_then(|extension| extension.to_str())
        {
            Some("erl") => Treatment::Skip,
            Some("beam") => Treatment::Rewrite(shout),
            _ => Treatment::Unpack,
        })
        .expect("unpacks");
        let ebin = destination.path().join("lib/a/ebin");
        assert!(!destination.path().join("lib/a/src/a.erl").exists());
        assert_eq!(fs_err::read(ebin.join("a.beam")).expect("written"), b"BEAM");
        assert_eq!(fs_err::read(ebin.join("b.beam")).expect("written"), b"kept");
        assert_eq!(fs_err::read(ebin.join("c.beam")).expect("written"), b"BEAM");
        assert_eq!(
            fs_err::read(ebin.join("a.app")).expect("written"),
            b"{application, a, []}."
        );
        let mode = fs_err::metadata(ebin.join("a.beam"))
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }

    #[test]
    fn strips_the_top_directory_and_keeps_modes() {
        use std::os::unix::fs::PermissionsExt;
        let (destination, result) = unpack(&[
            ("OTP-27.3.4/Install", tar::EntryType::Regular, "#!/bin/sh\n"),
            ("OTP-27.3.4/lib/x", tar::EntryType::Regular, "x"),
            ("OTP-27.3.4/bin/link", tar::EntryType::Symlink, "../lib/x"),
        ]);
        result.expect("unpacks");
        let install = destination.path().join("Install");
        assert_eq!(fs_err::read_to_string(&install).expect("read"), "#!/bin/sh\n");
        assert_eq!(
            fs_err::metadata(&install).expect("stat").permissions().mode() & 0o777,
            0o755
        );
        assert_eq!(
            fs_err::read_to_string(destination.path().join("bin/link")).expect("read"),
            "x"
        );
    }

    #[test]
    fn rejects_path_traversal_absolute_paths_and_escaping_links() {
        for (entries, expected) in [
            (
                vec![("OTP-1/../../evil", tar::EntryType::Regular, "x")],
                "the archive entry `OTP-1/../../evil` climbs out of the destination with `..`",
            ),
            (
                vec![("/etc/evil", tar::EntryType::Regular, "x")],
                "the archive entry `/etc/evil` is an absolute path",
            ),
            (
                vec![("OTP-1/lib/evil", tar::EntryType::Symlink, "../../../etc/passwd")],
                "the archive entry `OTP-1/lib/evil` is a link that points outside the destination",
            ),
            (
                vec![("OTP-1/evil", tar::EntryType::Symlink, "/etc/passwd")],
                "the archive entry `OTP-1/evil` is a link to an absolute path",
            ),
        ] {
            let (destination, result) = unpack(&entries);
            assert_eq!(
                result.map_err(|error| error.to_string()),
                Err(expected.to_string())
            );
            assert!(!destination.path().join("../evil").exists());
        }
    }

    #[test]
    fn zip_files_keep_modes_and_reject_traversal() {
        use std::os::unix::fs::PermissionsExt;
        let zip_file = |names: &[&str]| {
            let mut file = tempfile::tempfile().expect("tempfile");
            let mut writer = zip::ZipWriter::new(&mut file);
            for name in names {
                writer
                    .start_file(
                        *name,
                        zip::write::SimpleFileOptions::default().unix_permissions(0o755),
                    )
                    .expect("start");
                writer.write_all(b"#!/bin/sh\n").expect("write");
            }
            writer.finish().expect("finish");
            file
        };
        let destination = tempfile::tempdir().expect("tempdir");
        unpack_zip(
            zip_file(&["bin/elixir", "lib/elixir/ebin/x.beam"]),
            destination.path(),
        )
        .expect("unpacks");
        let elixir = destination.path().join("bin/elixir");
        assert_eq!(
            fs_err::metadata(elixir).expect("stat").permissions().mode() & 0o777,
            0o755
        );

        let result = unpack_zip(zip_file(&["../evil"]), destination.path());
        assert_eq!(
            result.map_err(|error| error.to_string()),
            Err("the archive entry `../evil` climbs out of the destination with `..`".to_string())
        );
    }
}
