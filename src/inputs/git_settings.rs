//! The build env settings for git dependencies (`github:`/`git:` in `mix.exs`, which Mix fetches with the
//! build image's `git`):
//!
//! - `BP_GIT_URL_REWRITES`: where git URLs are fetched from instead, for mirrors and air-gapped builds:
//!   `FROM=TO` entries separated by spaces or newlines, each git's own `url.<TO>.insteadOf <FROM>` (a
//!   URL starting with `FROM` is fetched from `TO` plus the rest). No credentials in them: URLs are
//!   printed, by this buildpack and by git.
//! - `BP_GIT_CREDENTIALS`: credentials for private repositories, as git's credential store keeps them:
//!   `https://USER:TOKEN@HOST` entries separated by spaces or newlines (for a GitHub token,
//!   `https://x-access-token:TOKEN@github.com`). Git sends each only to its host. They live in a file
//!   outside the app and every cache for the build's duration, and are never printed.
//!
//! Both reach the git that Mix runs, and only it, through git's `GIT_CONFIG_*` env (see
//! [`crate::mix::git`]); nothing is written to the app, a cache, the image or its launch env.

use super::hex_settings::Secret;

pub(crate) const URL_REWRITES: &str = "BP_GIT_URL_REWRITES";
pub(crate) const CREDENTIALS: &str = "BP_GIT_CREDENTIALS";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct GitSettings {
    pub(crate) rewrites: Vec<Rewrite>,
    pub(crate) credentials: Vec<Credential>,
}

/// A URL prefix and the prefix it is fetched from instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rewrite {
    pub(crate) from: String,
    pub(crate) to: String,
}

/// One credential-store line, and the part of it that may be shown (`https://github.com`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credential {
    pub(crate) line: Secret,
    pub(crate) shown: String,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GitSettingsError {
    /// A `BP_GIT_URL_REWRITES` entry that is not `FROM=TO` with two URLs.
    NotARewrite(String),
    /// A rewrite with a user or password in a URL: it would be printed.
    CredentialsInRewrite(String),
    /// A `BP_GIT_CREDENTIALS` entry that is not `scheme://user:password@host`; holds what may be shown.
    NotACredential(String),
}

/// Reads the settings from the build env.
pub(crate) fn read(get: impl Fn(&str) -> Option<String>) -> Result<GitSettings, GitSettingsError> {
    let mut settings = GitSettings::default();
    for entry in get(URL_REWRITES).unwrap_or_default().split_whitespace() {
        settings.rewrites.push(rewrite(entry)?);
    }
    for entry in get(CREDENTIALS).unwrap_or_default().split_whitespace() {
        settings.credentials.push(credential(entry)?);
    }
    Ok(settings)
}

fn rewrite(entry: &str) -> Result<Rewrite, GitSettingsError> {
    let Some((from, to)) = entry.split_once('=') else {
        return Err(GitSettingsError::NotARewrite(entry.to_string()));
    };
    if !is_git_url(from) || !is_git_url(to) {
        return Err(GitSettingsError::NotARewrite(entry.to_string()));
    }
    if userinfo(from).is_some_and(|user| user.contains(':'))
        || userinfo(to).is_some_and(|user| user.contains(':'))
    {
        return Err(GitSettingsError::CredentialsInRewrite(without_userinfo(entry)));
    }
    Ok(Rewrite {
        from: from.to_string(),
        to: to.to_string(),
    })
}

fn credential(entry: &str) -> Result<Credential, GitSettingsError> {
    let shown = if entry.contains("://") {
        without_userinfo(entry)
    } else {
        // Without a scheme nothing says where a password ends: show the host only.
        entry
            .rsplit_once('@')
            .map_or_else(|| String::from("***"), |(_, host)| format!("***@{host}"))
    };
    let (scheme, rest) = entry
        .split_once("://")
        .ok_or_else(|| GitSettingsError::NotACredential(shown.clone()))?;
    let user = userinfo(entry).ok_or_else(|| GitSettingsError::NotACredential(shown.clone()))?;
    let host = rest.split_once('@').map(|(_, host)| host).unwrap_or_default();
    let valid = matches!(scheme, "https" | "http")
        && user
            .split_once(':')
            .is_some_and(|(name, password)| !name.is_empty() && !password.is_empty())
        && !host.is_empty()
        && !host.starts_with('/');
    if !valid {
        return Err(GitSettingsError::NotACredential(shown));
    }
    Ok(Credential {
        line: Secret::new(entry.to_string()),
        shown,
    })
}

/// A URL git fetches from: `scheme://...`, or scp-like `user@host:path`.
fn is_git_url(url: &str) -> bool {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|char| char.is_ascii_alphanumeric() || "+-.".contains(char))
                && !rest.is_empty()
        }
        None => url.contains('@') && url.contains(':'),
    }
}

/// The `user[:password]` of `scheme://user[:password]@host/...`.
fn userinfo(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split('/').next().unwrap_or_default();
    authority.rsplit_once('@').map(|(user, _)| user)
}

/// `text` with the `user:password@` of every URL in it cut out.
fn without_userinfo(text: &str) -> String {
    let mut shown = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        shown.push_str(before);
        let authority_end = after.find(['/', '=', ' ']).unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rsplit_once('@') {
            Some((_, host)) => {
                shown.push_str("***@");
                shown.push_str(host);
            }
            None => shown.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    shown.push_str(rest);
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<GitSettings, GitSettingsError> {
        read(|name| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| (*value).to_string())
        })
    }

    #[test]
    fn nothing_set_is_nothing_to_do() {
        assert_eq!(settings(&[]), Ok(GitSettings::default()));
    }

    #[test]
    fn rewrites_are_from_to_pairs_separated_by_spaces_or_newlines() {
        let read = settings(&[(
            URL_REWRITES,
            "https://github.com/=git://127.0.0.1:9418/\n  https://gitlab.com/acme/=ssh://git@mirror/acme/ ",
        )])
        .expect("settings");
        assert_eq!(
            read.rewrites,
            vec![
                Rewrite {
                    from: "https://github.com/".into(),
                    to: "git://127.0.0.1:9418/".into()
                },
                Rewrite {
                    from: "https://gitlab.com/acme/".into(),
                    to: "ssh://git@mirror/acme/".into()
                },
            ]
        );
    }

    #[test]
    fn a_rewrite_that_is_not_two_urls_is_refused() {
        for entry in [
            "https://github.com/",
            "github.com=mirror",
            "=git://x/",
            "https://github.com/=",
        ] {
            assert_eq!(
                settings(&[(URL_REWRITES, entry)]),
                Err(GitSettingsError::NotARewrite(entry.to_string())),
                "{entry}"
            );
        }
    }

    #[test]
    fn a_rewrite_with_a_password_is_refused_without_showing_it() {
        assert_eq!(
            settings(&[(
                URL_REWRITES,
                "https://github.com/=https://x-access-token:ghp_secret@github.com/"
            )]),
            Err(GitSettingsError::CredentialsInRewrite(
                "https://github.com/=https://***@github.com/".into()
            ))
        );
    }

    #[test]
    fn credentials_are_store_lines_shown_without_their_secret() {
        let read = settings(&[(
            CREDENTIALS,
            "https://x-access-token:ghp_secret@github.com\nhttps://oauth2:glpat@gitlab.example.com/group",
        )])
        .expect("settings");
        let shown: Vec<&str> = read.credentials.iter().map(|c| c.shown.as_str()).collect();
        assert_eq!(
            shown,
            vec!["https://***@github.com", "https://***@gitlab.example.com/group"]
        );
        assert_eq!(
            read.credentials[0].line.expose(),
            "https://x-access-token:ghp_secret@github.com"
        );
        assert!(!format!("{read:?}").contains("ghp_secret"));
    }

    #[test]
    fn a_credential_without_user_password_or_host_is_refused_without_showing_it() {
        for (entry, shown) in [
            ("https://github.com", "https://github.com"),
            ("https://ghp_secret@github.com", "https://***@github.com"),
            ("https://:ghp_secret@github.com", "https://***@github.com"),
            ("https://user:@github.com", "https://***@github.com"),
            ("ftp://user:ghp_secret@github.com", "ftp://***@github.com"),
            ("user:ghp_secret@github.com", "***@github.com"),
            ("ghp_secret", "***"),
        ] {
            let error = settings(&[(CREDENTIALS, entry)]).expect_err(entry);
            assert_eq!(
                error,
                GitSettingsError::NotACredential(shown.to_string()),
                "{entry}"
            );
        }
    }

    #[test]
    fn userinfo_is_cut_from_every_url() {
        assert_eq!(
            without_userinfo("a=https://u:p@h/x b=git://h2/y ssh://git@h3:22/z"),
            "a=https://***@h/x b=git://h2/y ssh://***@h3:22/z"
        );
    }
}
