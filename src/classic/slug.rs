//! What a classic build writes besides the app: the `.profile.d` script the dyno sources at boot, the
//! `bin/release` YAML with the default process types, and the `export` file later buildpacks source.
//! Pure text rendering; values are single-quoted for the shell.

use crate::frontend::{LaunchProgram, LaunchVar};
use crate::launch::Process;
use std::fmt::Write as _;

/// A shell word that stays one word, literally: `'it'\''s'`.
pub(super) fn shell_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|char| char.is_ascii_alphanumeric() || "/._-:=@%+,".contains(char));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// `.profile.d/elixir-cnb.sh`: `path` entries go first on PATH; a default yields to a config var of the
/// same name, an override does not; the launch programs' snippets come last.
pub(super) fn profile_d(path: &[String], vars: &[LaunchVar], programs: &[LaunchProgram]) -> String {
    let mut script = String::from("# Written by the Elixir buildpack. Sourced by the dyno at boot.\n");
    if !path.is_empty() {
        let _ = writeln!(script, "export PATH={}:\"$PATH\"", shell_quote(&path.join(":")));
    }
    for var in vars {
        let value = shell_quote(&var.value);
        if var.overrides {
            let _ = writeln!(script, "export {}={value}", var.name);
        } else {
            let _ = writeln!(
                script,
                "[ -n \"${{{name}+set}}\" ] || export {name}={value}",
                name = var.name
            );
        }
    }
    for program in programs {
        script.push_str(&program.profile_d);
    }
    script
}

/// `bin/release`'s answer: the buildpack's process types, which a Procfile entry of the same type
/// replaces (Heroku applies the Procfile itself).
pub(super) fn release_yaml(processes: &[Process]) -> String {
    if processes.is_empty() {
        return String::from("--- {}\n");
    }
    let mut yaml = String::from("---\ndefault_process_types:\n");
    for process in processes {
        let command: Vec<String> = process
            .command
            .iter()
            .chain(&process.args)
            .map(|word| shell_quote(word))
            .collect();
        let _ = writeln!(
            yaml,
            "  {}: \"{}\"",
            process.r#type,
            command.join(" ").replace('\\', r"\\").replace('"', "\\\"")
        );
    }
    yaml
}

/// The `export` file: what buildpacks after this one need to run Mix as this build did. `PATH` is
/// prepended to theirs.
pub(super) fn export_file(vars: &[(String, String)]) -> String {
    let mut script = String::new();
    for (name, value) in vars {
        if name == "PATH" {
            let _ = writeln!(script, "export PATH={}:\"$PATH\"", shell_quote(value));
        } else {
            let _ = writeln!(script, "export {name}={}", shell_quote(value));
        }
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bash(script: &str) -> String {
        let output = std::process::Command::new("bash")
            .args(["-c", script])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("MIX_ENV", "staging")
            .output()
            .expect("bash runs");
        assert!(output.status.success(), "{script}");
        String::from_utf8_lossy(&output.stdout).to_string()
    }

    #[test]
    fn quoting_survives_the_shell() {
        for value in [
            "plain",
            "",
            "it's",
            "a b",
            "$HOME",
            "\"q\"",
            "back\\slash",
            "semi;colon",
        ] {
            assert_eq!(bash(&format!("printf %s {}", shell_quote(value))), value);
        }
        assert_eq!(
            shell_quote("/app/.elixir-cnb/release/bin"),
            "/app/.elixir-cnb/release/bin"
        );
    }

    #[test]
    fn profile_d_defaults_yield_and_overrides_win() {
        let script = profile_d(
            &["/app/.elixir-cnb/release/bin".to_string()],
            &[
                LaunchVar::default_value("MIX_ENV", "prod"),
                LaunchVar::default_value("RELEASE_TMP", "/tmp"),
                LaunchVar::default_value("GREETING", "it's \"here\""),
                LaunchVar::override_value("MIX_BUILD_PATH", "/app/.elixir-cnb/_build/prod"),
            ],
            &[LaunchProgram {
                name: "greeting",
                exec_d: String::new(),
                profile_d: String::from("export SNIPPET=ran\n"),
            }],
        );
        assert_eq!(
            script,
            indoc::indoc! {r#"
                # Written by the Elixir buildpack. Sourced by the dyno at boot.
                export PATH=/app/.elixir-cnb/release/bin:"$PATH"
                [ -n "${MIX_ENV+set}" ] || export MIX_ENV=prod
                [ -n "${RELEASE_TMP+set}" ] || export RELEASE_TMP=/tmp
                [ -n "${GREETING+set}" ] || export GREETING='it'\''s "here"'
                export MIX_BUILD_PATH=/app/.elixir-cnb/_build/prod
                export SNIPPET=ran
            "#}
        );
        assert_eq!(
            bash(&format!(
                "{script}\necho \"$PATH|$MIX_ENV|$RELEASE_TMP|$GREETING|$MIX_BUILD_PATH\""
            )),
            "/app/.elixir-cnb/release/bin:/usr/bin:/bin|staging|/tmp|it's \"here\"|/app/.elixir-cnb/_build/prod\n"
        );
    }

    #[test]
    fn release_yaml_lists_the_default_process_types() {
        let processes = vec![
            Process::new("web", ["hello"]).arg("start").default(),
            Process::new("release", ["hello", "eval", "Hello.Release.migrate(\"x\")"]),
        ];
        assert_eq!(
            release_yaml(&processes),
            indoc::indoc! {r#"
                ---
                default_process_types:
                  web: "hello start"
                  release: "hello eval 'Hello.Release.migrate(\"x\")'"
            "#}
        );
        assert_eq!(release_yaml(&[]), "--- {}\n");
    }

    #[test]
    fn export_file_prepends_path() {
        let vars = vec![
            (
                "PATH".to_string(),
                "/app/.elixir-cnb/elixir/bin:/app/.elixir-cnb/erlang/bin".to_string(),
            ),
            ("MIX_ENV".to_string(), "prod".to_string()),
        ];
        let script = export_file(&vars);
        assert_eq!(
            bash(&format!("{script}\necho \"$PATH|$MIX_ENV\"")),
            "/app/.elixir-cnb/elixir/bin:/app/.elixir-cnb/erlang/bin:/usr/bin:/bin|prod\n"
        );
    }
}
