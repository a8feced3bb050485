//! HTTP downloads that can't be poisoned: timeouts, retries with backoff on transport errors, 408, 429
//! and 5xx (never on other 4xx), and SHA-256 verification of every byte before anything uses the file.

use sha2::{Digest, Sha256};
use std::fmt;
use std::io::{Read, Write};
use std::time::Duration;

/// How often a request is tried in all, and the first backoff (doubled after each try).
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest a server may stay silent while we wait for bytes.
const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_mins(1);

#[derive(Debug)]
pub(crate) enum DownloadError {
    /// The server says the file isn't there (404, 410, or another final 4xx).
    NotFound { url: String, status: u16 },
    /// Every attempt failed with a transport error, a timeout or a retryable status.
    Failed {
        url: String,
        attempts: u32,
        last_error: String,
    },
    ChecksumMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    /// Writing the downloaded file failed.
    Io { url: String, error: std::io::Error },
}

impl fmt::Display for DownloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownloadError::NotFound { url, status } => write!(f, "{url} answered HTTP {status}"),
            DownloadError::Failed {
                url,
                attempts,
                last_error,
            } => write!(
                f,
                "{url} failed {attempts} times; the last error was: {last_error}"
            ),
            DownloadError::ChecksumMismatch {
                url,
                expected,
                actual,
            } => write!(
                f,
                "the file from {url} has SHA-256 {actual}, but the index says it must be {expected}"
            ),
            DownloadError::Io { url, error } => write!(f, "saving {url} failed: {error}"),
        }
    }
}

/// One attempt's failure, and whether trying again may help.
enum AttemptError {
    Retryable(String),
    Final(DownloadError),
}

fn agent() -> ureq::Agent {
    let stall_timeout = std::env::var("ELIXIR_CNB_HTTP_STALL_TIMEOUT_SECONDS")
        .ok()
        .and_then(|seconds| seconds.parse().ok())
        .map_or(DEFAULT_STALL_TIMEOUT, Duration::from_secs);
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_per_read(Some(stall_timeout))
        .timeout_recv_response(Some(stall_timeout))
        .user_agent(concat!("elixir-cnb/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// A successful result, and the errors of the attempts that failed before it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Retried<T> {
    pub(crate) value: T,
    pub(crate) failed_attempts: Vec<String>,
}

/// Runs `attempt` until it succeeds, fails for good, or runs out of attempts.
fn with_retries<T>(
    url: &str,
    mut attempt: impl FnMut() -> Result<T, AttemptError>,
) -> Result<Retried<T>, DownloadError> {
    let mut backoff = FIRST_BACKOFF;
    let mut failed_attempts = Vec::new();
    for number in 1..=ATTEMPTS {
        match attempt() {
            Ok(value) => {
                return Ok(Retried {
                    value,
                    failed_attempts,
                });
            }
            Err(AttemptError::Final(error)) => return Err(error),
            Err(AttemptError::Retryable(error)) => {
                failed_attempts.push(error);
                if number < ATTEMPTS {
                    std::thread::sleep(backoff);
                    backoff *= 2;
                }
            }
        }
    }
    Err(DownloadError::Failed {
        url: url.to_string(),
        attempts: ATTEMPTS,
        last_error: failed_attempts.pop().unwrap_or_default(),
    })
}

fn get(agent: &ureq::Agent, url: &str) -> Result<ureq::http::Response<ureq::Body>, AttemptError> {
    let response = agent
        .get(url)
        .call()
        .map_err(|error| AttemptError::Retryable(error.to_string()))?;
    let status = response.status().as_u16();
    match status_kind(status) {
        StatusKind::Success => Ok(response),
        StatusKind::Retry => Err(AttemptError::Retryable(format!("HTTP {status}"))),
        StatusKind::Stop => Err(AttemptError::Final(DownloadError::NotFound {
            url: url.to_string(),
            status,
        })),
    }
}

/// What an HTTP status means for a download.
#[derive(Debug, PartialEq, Eq)]
enum StatusKind {
    Success,
    /// The server may answer later: a timeout, rate limiting, a server error.
    Retry,
    /// Asking again won't help: not found, forbidden, ...
    Stop,
}

fn status_kind(status: u16) -> StatusKind {
    match status {
        200..=299 => StatusKind::Success,
        408 | 429 | 500..=599 => StatusKind::Retry,
        _ => StatusKind::Stop,
    }
}

/// Fetches a small text file, such as a `builds.txt` index.
pub(crate) fn fetch_text(url: &str) -> Result<Retried<String>, DownloadError> {
    let agent = agent();
    with_retries(url, || {
        let response = get(&agent, url)?;
        let mut text = String::new();
        response
            .into_body()
            .into_reader()
            .read_to_string(&mut text)
            .map_err(|error| AttemptError::Retryable(format!("reading the response failed: {error}")))?;
        Ok(text)
    })
}

/// Downloads `url` into `file`, hashing while streaming, and checks the SHA-256 when one is expected.
/// On any failure the file's contents must not be used. Returns the SHA-256 of what was downloaded.
pub(crate) fn download_verified(
    url: &str,
    expected_sha256: Option<&str>,
    file: &mut std::fs::File,
) -> Result<Retried<String>, DownloadError> {
    let agent = agent();
    let downloaded = with_retries(url, || {
        let response = get(&agent, url)?;
        file.set_len(0)
            .and_then(|()| std::io::Seek::rewind(file))
            .map_err(|error| {
                AttemptError::Final(DownloadError::Io {
                    url: url.to_string(),
                    error,
                })
            })?;
        let mut reader = response.into_body().into_reader();
        let mut hasher = Sha256::new();
        let mut buffer = vec![0; 256 * 1024];
        loop {
            let count = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(count) => count,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    return Err(AttemptError::Retryable(format!(
                        "the download broke off: {error}"
                    )));
                }
            };
            hasher.update(&buffer[..count]);
            file.write_all(&buffer[..count]).map_err(|error| {
                AttemptError::Final(DownloadError::Io {
                    url: url.to_string(),
                    error,
                })
            })?;
        }
        Ok(crate::digest::hex(&hasher.finalize()))
    })?;
    match expected_sha256 {
        Some(expected) if !expected.eq_ignore_ascii_case(&downloaded.value) => {
            Err(DownloadError::ChecksumMismatch {
                url: url.to_string(),
                expected: expected.to_string(),
                actual: downloaded.value,
            })
        }
        _ => Ok(downloaded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn timeouts_rate_limits_and_server_errors_are_retried_other_failures_are_not() {
        for status in [200, 204, 299] {
            assert_eq!(status_kind(status), StatusKind::Success, "{status}");
        }
        for status in [408, 429, 500, 502, 503, 599] {
            assert_eq!(status_kind(status), StatusKind::Retry, "{status}");
        }
        for status in [199, 300, 304, 400, 401, 403, 404, 407, 410, 428, 430, 600] {
            assert_eq!(status_kind(status), StatusKind::Stop, "{status}");
        }
    }

    #[test]
    fn retries_retryable_errors_then_succeeds() {
        let calls = Cell::new(0);
        let result = with_retries("http://x", || {
            calls.set(calls.get() + 1);
            if calls.get() < 3 {
                Err(AttemptError::Retryable("HTTP 500".into()))
            } else {
                Ok(42)
            }
        });
        assert_eq!(
            result.map_err(|error| error.to_string()),
            Ok(Retried {
                value: 42,
                failed_attempts: vec!["HTTP 500".into(), "HTTP 500".into()]
            })
        );
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn stops_at_final_errors_and_after_the_last_attempt() {
        let calls = Cell::new(0);
        let result: Result<Retried<()>, _> = with_retries("http://x/a", || {
            calls.set(calls.get() + 1);
            Err(AttemptError::Final(DownloadError::NotFound {
                url: "http://x/a".into(),
                status: 404,
            }))
        });
        assert_eq!(calls.get(), 1);
        assert_eq!(
            result.map_err(|error| error.to_string()),
            Err("http://x/a answered HTTP 404".into())
        );
    }
}
