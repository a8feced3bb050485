//! Git for Mix's git dependencies: the git settings ([`crate::inputs::git_settings`]) as git's own
//! `GIT_CONFIG_*` env for the Mix processes and hooks, credentials in a store file outside the app and
//! every cache (gone with the build), and a clear error when `mix.lock` has git dependencies and the build
//! image has no `git`.

use super::MixEnv;
use crate::errors::ElixirBuildpackError;
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
) -> Result<GitConfig, ElixirBuildpackError> {
    let deps = locked_git_deps(mix_lock.unwrap_or_default());
    if !deps.is_empty() && !git_on_path(mix.env.get(&OsString::from("PATH"))) {
        return Err(ElixirBuildpackError::GitMissing(deps));
    }
    let existing_count = mix
        .env
        .get(&OsString::from("GIT_CONFIG_COUNT"))
        .and_then(|count| count.to_str()?.trim().parse().ok())
        .unwrap_or(0);
    let config = configure(settings, existing_count).map_err(ElixirBuildpackError::TempFile)?;
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
    let mut names: Vec<String> = mix_lock
        .lines()
        .filter_map(|line| {
            let (name, entry) = line.trim().split_once(':')?;
            entry
                .trim_start()
                .starts_with("{:git,")
                .then(|| name.trim().trim_matches('"').to_string())
        })
        .collect();
    names.sort();
    names
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
}
