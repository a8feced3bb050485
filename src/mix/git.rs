//! Git for Mix's git dependencies: the git settings ([`crate::inputs::git_settings`]) as git's own
//! `GIT_CONFIG_*` env for the Mix processes and hooks, credentials in a store file outside the app and
//! every cache (gone with the build), and a clear error when `mix.lock` has git dependencies and the build
//! image has no `git`.

use super::MixEnv;
use super::MixError;
use crate::inputs::git_settings::GitSettings;
use bullet_stream::global::print;
use std::ffi::OsString;
use std::path::Path;

/// Gives `mix` the git settings, after checking that `git` is there when `mix.lock` has git
/// dependencies. Keep the result until the build is done: dropping it removes the credential store.
pub(crate) fn prepare(
    mix: &mut MixEnv,
    settings: &GitSettings,
    mix_lock: Option<&str>,
) -> Result<GitConfig, MixError> {
    let deps = locked_git_deps(mix_lock.unwrap_or_default());
    if !deps.is_empty() && !git_on_path(mix.env.get(&OsString::from("PATH"))) {
        return Err(MixError::GitMissing(deps));
    }
    let existing_count = mix
        .env
        .get(&OsString::from("GIT_CONFIG_COUNT"))
        .and_then(|count| count.to_str()?.trim().parse().ok())
        .unwrap_or(0);
    let config = configure(settings, existing_count).map_err(MixError::TempFile)?;
    mix.env.extend(
        config
            .env
            .iter()
            .map(|(name, value)| (OsString::from(name), OsString::from(value))),
    );
    Ok(config)
}

/// The env the Mix processes get for git, and the credential store it names (removed when dropped).
pub(crate) struct GitConfig {
    pub(crate) env: Vec<(String, String)>,
    _store: Option<tempfile::TempDir>,
}

/// `existing_count`: the `GIT_CONFIG_COUNT` the platform env already sets (its entries are kept).
pub(crate) fn configure(settings: &GitSettings, existing_count: usize) -> std::io::Result<GitConfig> {
    // A git that asks for a password on a terminal would hang the build: fail instead.
    let mut env = vec![(String::from("GIT_TERMINAL_PROMPT"), String::from("0"))];
    let mut entries: Vec<(String, String)> = Vec::new();
    for rewrite in &settings.rewrites {
        print::sub_bullet(format!(
            "Fetching git dependencies from {} instead of {} (BP_GIT_URL_REWRITES)",
            rewrite.to, rewrite.from
        ));
        entries.push((format!("url.{}.insteadOf", rewrite.to), rewrite.from.clone()));
    }
    let mut store = None;
    if !settings.credentials.is_empty() {
        let dir = tempfile::Builder::new().prefix("elixir-cnb-git-").tempdir()?;
        let file = dir.path().join("credentials");
        let mut lines = String::new();
        for credential in &settings.credentials {
            lines.push_str(credential.line.expose());
            lines.push('\n');
        }
        write_private(&file, &lines)?;
        for credential in &settings.credentials {
            print::sub_bullet(format!(
                "Using git credentials for {} (BP_GIT_CREDENTIALS)",
                credential.shown
            ));
        }
        entries.push((
            String::from("credential.helper"),
            format!("store --file={}", file.display()),
        ));
        store = Some(dir);
    }
    if !entries.is_empty() {
        env.push((
            String::from("GIT_CONFIG_COUNT"),
            (existing_count + entries.len()).to_string(),
        ));
        for (index, (key, value)) in entries.into_iter().enumerate() {
            env.push((format!("GIT_CONFIG_KEY_{}", existing_count + index), key));
            env.push((format!("GIT_CONFIG_VALUE_{}", existing_count + index), value));
        }
    }
    Ok(GitConfig { env, _store: store })
}

fn write_private(file: &Path, contents: &str) -> std::io::Result<()> {
    use fs_err::os::unix::fs::OpenOptionsExt;
    use std::io::Write;
    let mut handle = fs_err::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)?;
    handle.write_all(contents.as_bytes())
}

/// The git dependencies `mix.lock` names (`"heroicons": {:git, ...}`), sorted.
pub(crate) fn locked_git_deps(mix_lock: &str) -> Vec<String> {
    locked_git_dep_entries(mix_lock)
        .into_iter()
        .map(|dep| dep.name)
        .collect()
}

/// Whether an executable `git` is on `path` (a `PATH` value).
pub(crate) fn git_on_path(path: Option<&OsString>) -> bool {
    path.is_some_and(|path| {
        std::env::split_paths(path).any(|dir| {
            let git = dir.join("git");
            fs_err::metadata(&git).is_ok_and(|metadata| {
                std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o111 != 0
                    && metadata.is_file()
            })
        })
    })
}

/// A git dependency as `mix.lock` pins it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LockedGitDep {
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) rev: String,
    /// What `mix.exs` asks for, as (`tag`|`branch`|`ref`, value), when it names one.
    pub(crate) wanted: Option<(String, String)>,
}

/// The git dependencies of `mix.lock` with their URLs, revisions and refs, sorted by name.
pub(crate) fn locked_git_dep_entries(mix_lock: &str) -> Vec<LockedGitDep> {
    let quoted =
        |text: &str| -> Vec<String> { text.split('"').skip(1).step_by(2).map(String::from).collect() };
    let mut deps: Vec<LockedGitDep> = mix_lock
        .lines()
        .filter_map(|line| {
            let (name, entry) = line.trim().split_once(':')?;
            let entry = entry.trim_start().strip_prefix("{:git,")?;
            let (head, opts) = entry.split_once('[').unwrap_or((entry, ""));
            let strings = quoted(head);
            let wanted = ["tag", "branch", "ref"].iter().find_map(|key| {
                let value = opts.split(&format!("{key}: \"")).nth(1)?.split('"').next()?;
                Some(((*key).to_string(), value.to_string()))
            });
            Some(LockedGitDep {
                name: name.trim().trim_matches('"').to_string(),
                url: strings.first()?.clone(),
                rev: strings.get(1)?.clone(),
                wanted,
            })
        })
        .collect();
    deps.sort_by(|a, b| a.name.cmp(&b.name));
    deps
}

/// Why fetching a git dependency failed, when git can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchProblem {
    /// The repository did not answer (down, unreachable, or refusing the credentials).
    Unreachable {
        dep: LockedGitDep,
        /// The URL git fetched instead, through `BP_GIT_URL_REWRITES`.
        fetched_from: Option<String>,
        /// What git said, its lines joined.
        said: String,
    },
    /// The repository answered, without the tag or branch the dependency names.
    RefGone {
        dep: LockedGitDep,
        fetched_from: Option<String>,
    },
}

/// `url` as git fetches it with `settings`' rewrites (the longest matching prefix), when one applies.
fn rewritten(url: &str, settings: &GitSettings) -> Option<String> {
    settings
        .rewrites
        .iter()
        .filter(|rewrite| url.starts_with(&rewrite.from))
        .max_by_key(|rewrite| rewrite.from.len())
        .map(|rewrite| format!("{}{}", rewrite.to, &url[rewrite.from.len()..]))
}

/// What `ls-remote` asks the repository for: the dependency's tag or branch, else `HEAD` (whether it
/// answers). Its answer stays a few lines, whatever the repository holds.
fn ls_remote_pattern(dep: &LockedGitDep) -> String {
    match &dep.wanted {
        Some((kind, name)) if kind == "tag" => format!("refs/tags/{name}"),
        Some((kind, name)) if kind == "branch" => format!("refs/heads/{name}"),
        _ => String::from("HEAD"),
    }
}

/// Whether `ls-remote` output lists what `dep` asks for (its tag or branch; else its revision).
fn listed(dep: &LockedGitDep, ls_remote: &str) -> bool {
    let refs: Vec<(&str, &str)> = ls_remote
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .collect();
    match &dep.wanted {
        Some((kind, name)) if kind == "tag" => refs
            .iter()
            .any(|(_, r)| *r == format!("refs/tags/{name}") || *r == format!("refs/tags/{name}^{{}}")),
        Some((kind, name)) if kind == "branch" => {
            refs.iter().any(|(_, r)| *r == format!("refs/heads/{name}"))
        }
        _ => true,
    }
}

/// After `mix deps.get` failed: asks each locked git dependency's repository (`git ls-remote`, with the
/// build's git settings) whether it answers and still has the tag or branch the dependency names.
pub(crate) fn diagnose_fetch(mix: &MixEnv, settings: &GitSettings, mix_lock: &str) -> Option<FetchProblem> {
    for dep in locked_git_dep_entries(mix_lock) {
        let fetched_from = rewritten(&dep.url, settings);
        let mut command = mix.command("git");
        command
            .args(["ls-remote", "--", &dep.url, &ls_remote_pattern(&dep)])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let Some(output) = output_within(command, std::time::Duration::from_mins(1)) else {
            return Some(FetchProblem::Unreachable {
                dep,
                fetched_from,
                said: String::from("no answer within 60 s"),
            });
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let said: Vec<&str> = stderr
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect();
            let said = if said.is_empty() {
                format!("nothing (`git ls-remote` exited with {})", output.status)
            } else {
                said.join(" ")
            };
            return Some(FetchProblem::Unreachable {
                dep,
                fetched_from,
                said,
            });
        }
        if !listed(&dep, &String::from_utf8_lossy(&output.stdout)) {
            return Some(FetchProblem::RefGone { dep, fetched_from });
        }
    }
    None
}

/// Runs `command` to its end, or kills it after `limit`.
fn output_within(
    mut command: std::process::Command,
    limit: std::time::Duration,
) -> Option<std::process::Output> {
    let mut child = command.spawn().ok()?;
    let deadline = std::time::Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().ok(),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::git_settings;

    fn settings(vars: &[(&str, &str)]) -> GitSettings {
        git_settings::read(|name| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| (*value).to_string())
        })
        .expect("settings")
    }

    fn value<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
        env.iter()
            .find(|(var, _)| var == name)
            .map(|(_, value)| value.as_str())
    }

    #[test]
    fn nothing_set_still_never_prompts() {
        let config = configure(&GitSettings::default(), 0).expect("config");
        assert_eq!(
            config.env,
            vec![(String::from("GIT_TERMINAL_PROMPT"), String::from("0"))]
        );
    }

    #[test]
    fn rewrites_and_credentials_are_git_env_config_after_the_platform_s() {
        let config = configure(
            &settings(&[
                (
                    git_settings::URL_REWRITES,
                    "https://github.com/=git://127.0.0.1:9418/",
                ),
                (
                    git_settings::CREDENTIALS,
                    "https://x-access-token:ghp_secret@github.com",
                ),
            ]),
            2,
        )
        .expect("config");
        let env = &config.env;
        assert_eq!(value(env, "GIT_CONFIG_COUNT"), Some("4"));
        assert_eq!(
            value(env, "GIT_CONFIG_KEY_2"),
            Some("url.git://127.0.0.1:9418/.insteadOf")
        );
        assert_eq!(value(env, "GIT_CONFIG_VALUE_2"), Some("https://github.com/"));
        assert_eq!(value(env, "GIT_CONFIG_KEY_3"), Some("credential.helper"));
        let helper = value(env, "GIT_CONFIG_VALUE_3").expect("a helper");
        let file = helper
            .strip_prefix("store --file=")
            .expect("git's store helper")
            .to_string();
        let file = file.as_str();
        // The token is in the store file (owner-only), not in the env or anything printed.
        assert!(!format!("{env:?}").contains("ghp_secret"));
        assert_eq!(
            fs_err::read_to_string(file).expect("the store"),
            "https://x-access-token:ghp_secret@github.com\n"
        );
        let mode = fs_err::metadata(file).expect("metadata").permissions();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
        assert!(!Path::new(file).starts_with(env!("CARGO_MANIFEST_DIR")));
        // Gone with the build.
        drop(config);
        assert!(!Path::new(file).exists());
    }

    #[test]
    fn git_deps_of_a_lock() {
        let lock = indoc::indoc! {r#"
            %{
              "bandit": {:hex, :bandit, "1.11.1", "abc", [:mix], [], "hexpm", "def"},
              "heroicons": {:git, "https://github.com/tailwindlabs/heroicons.git", "88ab3a0d790e6a47404cba02800a6b25d2afae50", [tag: "v2.1.1", sparse: "optimized", depth: 1]},
              "a_fork": {:git, "https://example.com/a.git", "1234", [branch: "main"]},
            }
        "#};
        assert_eq!(locked_git_deps(lock), vec!["a_fork", "heroicons"]);
        assert_eq!(locked_git_deps("%{}"), Vec::<String>::new());
    }

    #[test]
    fn git_is_found_on_path_when_executable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = OsString::from(format!("/nonexistent:{}", dir.path().display()));
        assert!(!git_on_path(Some(&path)));
        fs_err::write(dir.path().join("git"), "#!/bin/sh\n").expect("write");
        assert!(!git_on_path(Some(&path)), "not executable");
        fs_err::set_permissions(
            dir.path().join("git"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("chmod");
        assert!(git_on_path(Some(&path)));
        assert!(!git_on_path(None));
    }

    const LOCK: &str = "%{\n  \"heroicons\": {:git, \"https://github.com/tailwindlabs/heroicons.git\", \"88ab3a0d790e6a47404cba02800a6b25d2afae50\", [tag: \"v2.1.1\", sparse: \"optimized\", depth: 1]},\n  \"jason\": {:hex, :jason, \"1.4.5\", \"a\", [:mix], [], \"hexpm\", \"b\"},\n  \"a_lib\": {:git, \"git@example.com:team/a_lib.git\", \"0123\", []},\n}\n";

    fn heroicons() -> LockedGitDep {
        LockedGitDep {
            name: "heroicons".into(),
            url: "https://github.com/tailwindlabs/heroicons.git".into(),
            rev: "88ab3a0d790e6a47404cba02800a6b25d2afae50".into(),
            wanted: Some(("tag".into(), "v2.1.1".into())),
        }
    }

    #[test]
    fn git_deps_with_their_urls_revisions_and_refs() {
        assert_eq!(
            locked_git_dep_entries(LOCK),
            vec![
                LockedGitDep {
                    name: "a_lib".into(),
                    url: "git@example.com:team/a_lib.git".into(),
                    rev: "0123".into(),
                    wanted: None,
                },
                heroicons(),
            ]
        );
    }

    #[test]
    fn ls_remote_asks_for_the_tag_or_branch_only() {
        let mut dep = heroicons();
        assert_eq!(ls_remote_pattern(&dep), "refs/tags/v2.1.1");
        dep.wanted = Some(("branch".into(), "main".into()));
        assert_eq!(ls_remote_pattern(&dep), "refs/heads/main");
        dep.wanted = Some(("ref".into(), "abc123".into()));
        assert_eq!(ls_remote_pattern(&dep), "HEAD");
        dep.wanted = None;
        assert_eq!(ls_remote_pattern(&dep), "HEAD");
    }

    #[test]
    fn a_tag_or_branch_is_listed_or_gone() {
        let tags = "88ab3a0d790e6a47404cba02800a6b25d2afae50\trefs/tags/v2.1.1\nd1971c5\trefs/heads/main\n";
        assert!(listed(&heroicons(), tags));
        assert!(!listed(
            &heroicons(),
            "d1971c5\trefs/heads/main\nd1\trefs/tags/v2.1.0\n"
        ));
        // An annotated tag is listed peeled too.
        assert!(listed(&heroicons(), "aa\trefs/tags/v2.1.1^{}\n"));
        let mut branch = heroicons();
        branch.wanted = Some(("branch".into(), "main".into()));
        assert!(listed(&branch, tags));
        assert!(!listed(&branch, "aa\trefs/heads/master\n"));
        branch.wanted = None;
        assert!(listed(&branch, ""));
    }

    #[test]
    fn urls_as_git_fetches_them() {
        let settings = settings(&[(
            git_settings::URL_REWRITES,
            "https://github.com/=git://127.0.0.1:9418/ https://github.com/tailwindlabs/=git://mirror/tw/",
        )]);
        assert_eq!(
            rewritten("https://github.com/tailwindlabs/heroicons.git", &settings).as_deref(),
            Some("git://mirror/tw/heroicons.git")
        );
        assert_eq!(
            rewritten("https://github.com/other/x.git", &settings).as_deref(),
            Some("git://127.0.0.1:9418/other/x.git")
        );
        assert_eq!(rewritten("https://gitlab.com/x.git", &settings), None);
    }
}
