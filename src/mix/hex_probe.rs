//! After `mix deps.get` failed: asks the Hex repository the packages come from (`HEX_MIRROR`, else
//! hex.pm) whether it answers, so a repository that is down, or a `HEX_MIRROR` that names no repository,
//! is said plainly instead of Hex's "Failed to fetch record for ..." among Mix's errors.

use crate::inputs::hex_settings::{self, HexSettings};
use std::time::Duration;

/// Why the Hex repository could not serve the packages, when it can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RepositoryProblem {
    /// No answer (refused, unresolvable, timed out) or a server error.
    Down { repository: Repository, said: String },
    /// It answered, without a registry at that URL.
    NoRegistry { repository: Repository, status: u16 },
}

/// The repository asked, and where its URL came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repository {
    pub(crate) url: String,
    /// `HEX_MIRROR`, or that hex.pm's own was used.
    pub(crate) origin: String,
    /// How many Hex packages `mix.lock` pins.
    pub(crate) packages: usize,
}

/// The registry file every Hex repository serves at its root.
const NAMES: &str = "names";

/// How many Hex packages `mix.lock` pins (the entries `{:hex, ...}`).
fn locked_packages(mix_lock: &str) -> usize {
    mix_lock
        .lines()
        .filter(|line| {
            line.split_once(':')
                .is_some_and(|(_, entry)| entry.trim_start().starts_with("{:hex,"))
        })
        .count()
}

/// What an answer (an HTTP status, or the error of a request that got none) says about the repository.
fn judge(repository: Repository, answer: Result<u16, String>) -> Option<RepositoryProblem> {
    match answer {
        Err(said) => Some(RepositoryProblem::Down { repository, said }),
        Ok(status) if status >= 500 => Some(RepositoryProblem::Down {
            repository,
            said: format!("HTTP {status} for /{NAMES}"),
        }),
        Ok(status @ (404 | 410)) => Some(RepositoryProblem::NoRegistry { repository, status }),
        Ok(_) => None,
    }
}

/// The repository's `names` URL.
pub(crate) fn names_url(repository_url: &str) -> String {
    format!("{}/{NAMES}", repository_url.trim_end_matches('/'))
}

/// Asks the repository (one request for its headers, 30 s at most) when `mix.lock` pins Hex packages.
pub(crate) fn diagnose(settings: &HexSettings, mix_lock: &str) -> Option<RepositoryProblem> {
    let packages = locked_packages(mix_lock);
    if packages == 0 {
        return None;
    }
    let repository = Repository {
        url: settings.repo_url().to_string(),
        origin: if settings.mirror.is_some() {
            hex_settings::MIRROR.to_string()
        } else {
            format!("hex.pm's, as {} is unset", hex_settings::MIRROR)
        },
        packages,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .user_agent(concat!("elixir-cnb/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let answer = agent
        .get(&names_url(&repository.url))
        .call()
        .map(|response| response.status().as_u16())
        .map_err(|error| error.to_string());
    judge(repository, answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> Repository {
        Repository {
            url: "http://127.0.0.1:1".into(),
            origin: "HEX_MIRROR".into(),
            packages: 2,
        }
    }

    #[test]
    fn only_hex_entries_count() {
        let lock = "%{\n  \"heroicons\": {:git, \"https://github.com/tailwindlabs/heroicons.git\", \"88ab\", [tag: \"v2.1.1\"]},\n  \"jason\": {:hex, :jason, \"1.4.4\", \"c5\", [:mix], [], \"hexpm\", \"fd\"},\n  \"acme_util\": {:hex, :acme_util, \"0.1.0\", \"ab\", [:mix], [], \"hexpm:acme\", \"cd\"},\n}\n";
        assert_eq!(locked_packages(lock), 2);
        assert_eq!(locked_packages(""), 0);
        assert_eq!(
            diagnose(
                &HexSettings::default(),
                "%{\n  \"heroicons\": {:git, \"u\", \"r\", []},\n}\n"
            ),
            None,
            "no Hex package: nothing to ask"
        );
    }

    #[test]
    fn no_answer_or_a_server_error_is_down_a_missing_registry_is_named_anything_else_stands() {
        assert_eq!(
            judge(repository(), Err("io: Connection refused".into())),
            Some(RepositoryProblem::Down {
                repository: repository(),
                said: "io: Connection refused".into()
            })
        );
        assert_eq!(
            judge(repository(), Ok(503)),
            Some(RepositoryProblem::Down {
                repository: repository(),
                said: "HTTP 503 for /names".into()
            })
        );
        assert_eq!(
            judge(repository(), Ok(500)),
            Some(RepositoryProblem::Down {
                repository: repository(),
                said: "HTTP 500 for /names".into()
            })
        );
        for status in [404, 410] {
            assert_eq!(
                judge(repository(), Ok(status)),
                Some(RepositoryProblem::NoRegistry {
                    repository: repository(),
                    status
                })
            );
        }
        for status in [200, 204, 302, 401, 403, 499] {
            assert_eq!(judge(repository(), Ok(status)), None, "{status}");
        }
    }

    #[test]
    fn the_names_url_is_at_the_root() {
        assert_eq!(names_url("http://m.example/hex/"), "http://m.example/hex/names");
        assert_eq!(names_url("https://repo.hex.pm"), "https://repo.hex.pm/names");
    }

    #[test]
    fn a_closed_port_is_down_and_says_why() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let settings = HexSettings {
            mirror: Some(format!("http://127.0.0.1:{port}")),
            ..HexSettings::default()
        };
        let lock = "%{\n  \"jason\": {:hex, :jason, \"1.4.4\", \"c5\", [:mix], [], \"hexpm\", \"fd\"},\n}\n";
        let Some(RepositoryProblem::Down { repository, said }) = diagnose(&settings, lock) else {
            panic!("not down");
        };
        assert_eq!(
            repository,
            Repository {
                url: format!("http://127.0.0.1:{port}"),
                origin: "HEX_MIRROR".into(),
                packages: 1
            }
        );
        assert!(said.to_lowercase().contains("refused"), "{said}");
    }
}
