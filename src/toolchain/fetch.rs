//! Downloads a toolchain archive with progress output, then unpacks it into a layer. A failed unpack
//! empties the layer so nothing half-written is ever used.

use super::archive::{self, ArchiveError};
use super::download::{self, DownloadError};
use bullet_stream::global::print;
use std::io::Seek;
use std::path::Path;

#[derive(Debug)]
pub(crate) enum FetchError {
    TempFile(std::io::Error),
    Download(DownloadError),
    Unpack(ArchiveError),
}

/// Downloads into an anonymous temp file and returns it rewound, verified when a checksum is known.
pub(crate) fn download(url: &str, sha256: Option<&str>) -> Result<std::fs::File, FetchError> {
    let timer = print::sub_start_timer(format!("Downloading {url}"));
    let result = download_quietly(url, sha256);
    match &result {
        Ok(downloaded) => {
            timer.done();
            print_retries(&downloaded.failed_attempts);
        }
        Err(_) => {
            timer.cancel("failed");
        }
    }
    finish(url, sha256, result)
}

/// A download made without output (in the background, beside another); [`finish`] reports it.
pub(crate) struct Downloaded {
    file: std::fs::File,
    failed_attempts: Vec<String>,
    elapsed: std::time::Duration,
}

pub(crate) fn download_quietly(url: &str, sha256: Option<&str>) -> Result<Downloaded, FetchError> {
    let started = std::time::Instant::now();
    let mut file = tempfile::tempfile().map_err(FetchError::TempFile)?;
    let downloaded = download::download_verified(url, sha256, &mut file).map_err(FetchError::Download)?;
    Ok(Downloaded {
        file,
        failed_attempts: downloaded.failed_attempts,
        elapsed: started.elapsed(),
    })
}

/// Reports a download made in the background, as [`download`] would have, and returns its file.
pub(crate) fn finish_background(
    url: &str,
    sha256: Option<&str>,
    result: Result<Downloaded, FetchError>,
) -> Result<std::fs::File, FetchError> {
    if let Ok(downloaded) = &result {
        print::sub_bullet(format!(
            "Downloaded {url} alongside Erlang/OTP ({:.1}s)",
            downloaded.elapsed.as_secs_f64()
        ));
        print_retries(&downloaded.failed_attempts);
    }
    finish(url, sha256, result)
}

fn finish(
    url: &str,
    sha256: Option<&str>,
    result: Result<Downloaded, FetchError>,
) -> Result<std::fs::File, FetchError> {
    let mut file = result?.file;
    match sha256 {
        Some(sha256) => print::sub_bullet(format!("Verified SHA-256 {sha256}")),
        None => print::warning(format!(
            "The index publishes no SHA-256 checksum for {url}, so this download can't be verified."
        )),
    }
    file.rewind().map_err(FetchError::TempFile)?;
    Ok(file)
}

/// Says when a download only worked after retries, so flaky mirrors don't go unnoticed.
pub(crate) fn print_retries(failed_attempts: &[String]) {
    if !failed_attempts.is_empty() {
        print::sub_bullet(format!(
            "Succeeded after {} failed attempt(s): {}",
            failed_attempts.len(),
            failed_attempts.join("; ")
        ));
    }
}

/// Unpacks into `destination`, each regular file as `treat` says (by its path in the archive's top dir).
pub(crate) fn unpack_tar_gz(
    file: &std::fs::File,
    destination: &Path,
    treat: &dyn Fn(&Path) -> archive::Treatment,
) -> Result<(), FetchError> {
    archive::unpack_tar_gz(file, destination, 1, treat).map_err(|error| {
        empty_dir(destination);
        FetchError::Unpack(error)
    })
}

pub(crate) fn unpack_zip(file: std::fs::File, destination: &Path) -> Result<(), FetchError> {
    archive::unpack_zip(file, destination).map_err(|error| {
        empty_dir(destination);
        FetchError::Unpack(error)
    })
}

/// Best effort: the build fails anyway, and the layer has no metadata, so it is never reused.
pub(crate) fn empty_dir(path: &Path) {
    if let Ok(entries) = fs_err::read_dir(path) {
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = if path.is_dir() && !path.is_symlink() {
                fs_err::remove_dir_all(&path)
            } else {
                fs_err::remove_file(&path)
            };
        }
    }
}
