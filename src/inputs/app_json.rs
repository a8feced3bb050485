//! Reads `app.json` (Heroku review apps): `scripts` that become process types, required `env` entries,
//! and `buildpacks` that name a classic Elixir buildpack.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
struct AppJson {
    #[serde(default)]
    scripts: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    env: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    buildpacks: Vec<serde_json::Value>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ReviewApp {
    /// `scripts.postdeploy` and `scripts.pr-predestroy`, as (process type, command).
    pub(crate) scripts: Vec<(String, String)>,
    pub(crate) warnings: Vec<String>,
}

/// This buildpack's classic tarball, as `heroku buildpacks:set` and app.json name it.
const CLASSIC_URL: &str = concat!(
    "https://github.com/elixir-cnb/elixir-cnb/releases/download/v",
    env!("CARGO_PKG_VERSION"),
    "/elixir-cnb-classic-x86_64.tgz"
);

/// The scripts that become process types of the same names.
const SCRIPT_PROCESSES: &[&str] = &["postdeploy", "pr-predestroy"];

/// Reads `app.json`. It never fails the build: a malformed file is a warning with the parse error.
/// `is_set` says whether an env var is present at build time; `classic` whether this build runs on
/// Heroku's classic generation (what a hint tells a user to set depends on it).
pub(crate) fn read(contents: &str, is_set: &dyn Fn(&str) -> bool, classic: bool) -> ReviewApp {
    let app_json: AppJson = match serde_json::from_str(contents) {
        Ok(app_json) => app_json,
        Err(error) => {
            return ReviewApp {
                scripts: Vec::new(),
                warnings: vec![format!(
                    "app.json is not valid JSON ({error}), so its scripts are not used. Fix it, or review \
                     apps that read it will fail too."
                )],
            };
        }
    };
    let mut review_app = ReviewApp::default();
    for name in SCRIPT_PROCESSES {
        match app_json.scripts.get(*name) {
            Some(serde_json::Value::String(command)) if !command.trim().is_empty() => {
                review_app.scripts.push(((*name).to_string(), command.clone()));
            }
            Some(serde_json::Value::Object(script)) => match script.get("command") {
                Some(serde_json::Value::String(command)) => {
                    review_app.scripts.push(((*name).to_string(), command.clone()));
                }
                _ => review_app.warnings.push(format!(
                    "app.json `scripts.{name}` has no command string, so it is not used."
                )),
            },
            Some(_) => review_app.warnings.push(format!(
                "app.json `scripts.{name}` is not a command string, so it is not used."
            )),
            None => {}
        }
    }
    let missing: Vec<&str> = app_json
        .env
        .iter()
        .filter(|(name, spec)| {
            spec.get("required").and_then(serde_json::Value::as_bool) == Some(true) && !is_set(name)
        })
        .map(|(name, _)| name.as_str())
        .collect();
    if !missing.is_empty() {
        review_app.warnings.push(format!(
            "app.json marks these env vars as required, and they are not set for this build: {}. If the \
             build needs them (compile-time config), set them as config vars.",
            missing.join(", ")
        ));
    }
    let listed: Vec<String> = app_json
        .buildpacks
        .iter()
        .filter_map(|buildpack| buildpack.get("url").and_then(serde_json::Value::as_str))
        .filter(|url| {
            let url = url.to_ascii_lowercase();
            url.contains("heroku-buildpack-elixir")
                || url.contains("gigalixir-buildpack-elixir")
                || url.contains("hashnuke/elixir")
        })
        .map(String::from)
        .collect();
    if listed.is_empty() {
        return review_app;
    }
    if classic {
        review_app.warnings.push(format!(
            "app.json lists the classic Elixir buildpack ({}), so review apps and Heroku Button deploys \
             of this repository build with it, not with this buildpack. Replace its URL in app.json's \
             `buildpacks` with this buildpack's: {CLASSIC_URL}; your elixir_buildpack.config keeps working.",
            listed.join(", ")
        ));
    } else {
        review_app.warnings.push(format!(
            "app.json lists the classic Elixir buildpack ({}). On a CNB platform, replace it with this \
             buildpack (elixir-cnb/elixir); your elixir_buildpack.config keeps working.",
            listed.join(", ")
        ));
    }
    review_app
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing_set(_: &str) -> bool {
        false
    }

    #[test]
    fn scripts_become_processes() {
        let review_app = read(
            r#"{"scripts": {"postdeploy": "mix run priv/repo/seeds.exs", "pr-predestroy": {"command": "echo bye"}, "test": "mix test"}}"#,
            &nothing_set,
            false,
        );
        assert_eq!(
            review_app.scripts,
            vec![
                (
                    "postdeploy".to_string(),
                    "mix run priv/repo/seeds.exs".to_string()
                ),
                ("pr-predestroy".to_string(), "echo bye".to_string()),
            ]
        );
        assert!(review_app.warnings.is_empty());
    }

    #[test]
    fn required_env_classic_buildpacks_and_malformed_files_warn() {
        let review_app = read(
            r#"{"env": {"SECRET_KEY_BASE": {"required": true}, "POOL_SIZE": {"required": false}, "HOST": {"required": true}},
                "buildpacks": [{"url": "https://github.com/HashNuke/heroku-buildpack-elixir.git"}]}"#,
            &|name| name == "HOST",
            false,
        );
        assert_eq!(
            review_app.warnings,
            vec![
                "app.json marks these env vars as required, and they are not set for this build: SECRET_KEY_BASE. If the build needs them (compile-time config), set them as config vars.",
                "app.json lists the classic Elixir buildpack (https://github.com/HashNuke/heroku-buildpack-elixir.git). On a CNB platform, replace it with this buildpack (elixir-cnb/elixir); your elixir_buildpack.config keeps working.",
            ]
        );
        let on_classic = read(
            r#"{"buildpacks": [{"url": "https://github.com/HashNuke/heroku-buildpack-elixir"}]}"#,
            &nothing_set,
            true,
        );
        assert_eq!(
            on_classic.warnings,
            vec![format!(
                "app.json lists the classic Elixir buildpack (https://github.com/HashNuke/heroku-buildpack-elixir), so review apps and Heroku Button deploys of this repository build with it, not with this buildpack. Replace its URL in app.json's `buildpacks` with this buildpack's: https://github.com/elixir-cnb/elixir-cnb/releases/download/v{}/elixir-cnb-classic-x86_64.tgz; your elixir_buildpack.config keeps working.",
                env!("CARGO_PKG_VERSION")
            )]
        );
        let malformed = read(r#"{"keywords": ["a" "b"]}"#, &nothing_set, false);
        assert_eq!(malformed.scripts, vec![]);
        assert_eq!(
            malformed.warnings,
            vec![
                "app.json is not valid JSON (expected `,` or `]` at line 1 column 19), so its scripts are not used. Fix it, or review apps that read it will fail too."
            ]
        );
    }

    #[test]
    fn corpus_app_json_files() {
        let Some(dir) = crate::test_support::corpus("app.json") else {
            return;
        };
        let alloy = fs_err::read_to_string(dir.join("AlloyCI__alloy_ci.json")).expect("corpus file");
        let review_app = read(&alloy, &nothing_set, false);
        assert_eq!(review_app.scripts, vec![]);
        assert!(
            review_app.warnings[0].starts_with("app.json is not valid JSON (expected `,` or `]` at line 7")
        );
        let papercups =
            fs_err::read_to_string(dir.join("papercups-io__papercups.json")).expect("corpus file");
        let review_app = read(&papercups, &nothing_set, false);
        assert_eq!(
            review_app.scripts,
            vec![(
                "postdeploy".to_string(),
                "POOL_SIZE=2 mix ecto.migrate".to_string()
            )]
        );
        assert_eq!(review_app.warnings.len(), 2, "{:?}", review_app.warnings);
        assert!(review_app.warnings[0].starts_with("app.json marks these env vars as required"));
        assert!(review_app.warnings[1].contains("hashnuke/elixir.tgz"));
    }
}
