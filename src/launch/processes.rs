//! The process types of the image: the buildpack's own, then the Procfile's and app.json's.

use super::Process;
use crate::inputs::procfile::ProcfileEntry;
use crate::mix::ProjectInfo;
use crate::release::AssembledRelease;
use bullet_stream::global::print;

/// `web` runs the release's `bin/server` overlay (Phoenix `mix phx.gen.release`) when present, else
/// `<release> start`; `release` runs the `bin/migrate` overlay when present. With several releases, each
/// also gets a process type of its own name that starts it (`worker: worker start`).
pub(crate) fn for_releases(releases: &[AssembledRelease], project: &ProjectInfo) -> Vec<Process> {
    let Some(primary) = releases
        .iter()
        .find(|release| release.name == project.app)
        .or_else(|| releases.first())
    else {
        return Vec::new();
    };
    let overlay = |name: &str| {
        let path = primary.root.join("bin").join(name);
        primary
            .overlays
            .iter()
            .any(|overlay| overlay == name)
            .then(|| path.to_string_lossy().to_string())
    };
    let web = match overlay("server") {
        Some(server) => Process::new("web", [server]),
        None => Process::new("web", [primary.executable.as_str()]).arg(primary.start),
    };
    let mut processes = vec![web.default()];
    if let Some(migrate) = overlay("migrate") {
        processes.push(Process::new("release", [migrate]));
    }
    if releases.len() > 1 {
        for release in releases {
            if super::valid_process_type(&release.name)
                && !processes.iter().any(|process| process.r#type == release.name)
            {
                processes.push(Process::new(&release.name, [release.executable.as_str()]).arg(release.start));
            }
        }
    }
    processes
}

/// Why the image keeps the toolchain: a Procfile entry that runs Mix, or `release=false`.
pub(crate) fn mix_at_runtime_reason(procfile_mix: Option<&ProcfileEntry>) -> String {
    match procfile_mix {
        Some(entry) => format!(
            "The Procfile's `{}` process runs `{}` (line {}), so the image keeps Erlang/OTP, Elixir, deps and \
             _build. Run the release instead to ship a slim image.",
            entry.process_type, entry.command, entry.line
        ),
        None => String::from(
            "`release=false` is set: the image keeps Erlang/OTP, Elixir, deps and _build, and runs your app \
             with `mix`",
        ),
    }
}

/// What runs a command of the image: a Procfile entry or an `app.json` script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Runner {
    Procfile { line: usize, process_type: String },
    AppJsonScript(String),
}

/// A process that runs a release from `_build/<env>/rel/<name>` that the build didn't make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReleaseNotBuilt {
    pub(crate) runner: Runner,
    pub(crate) env: String,
    pub(crate) name: String,
}

/// In mix-at-runtime mode no release is built: the first Procfile entry, or else `app.json` script, that
/// runs one from `_build/<env>/rel/<name>` that isn't there (`built(env, name)`: none a hook made), which
/// would fail to start.
pub(crate) fn release_not_built(
    entries: &[ProcfileEntry],
    scripts: &[(String, String)],
    runtime_path: Option<&str>,
    built: impl Fn(&str, &str) -> bool,
) -> Option<ReleaseNotBuilt> {
    let procfile = entries.iter().map(|entry| {
        (
            Runner::Procfile {
                line: entry.line,
                process_type: entry.process_type.clone(),
            },
            entry.command.as_str(),
        )
    });
    let scripts = scripts
        .iter()
        .map(|(name, command)| (Runner::AppJsonScript(name.clone()), command.as_str()));
    procfile.chain(scripts).find_map(|(runner, command)| {
        super::classic_paths::releases_run_from_build(command, runtime_path)
            .into_iter()
            .find(|(env, name)| !built(env, name))
            .map(|(env, name)| ReleaseNotBuilt { runner, env, name })
    })
}

/// Mix-at-runtime mode: `mix phx.server` for Phoenix apps, else `mix run --no-halt`.
pub(crate) fn for_mix(project: &ProjectInfo) -> Vec<Process> {
    let command: &[&str] = if project.phoenix {
        &["mix", "phx.server"]
    } else {
        &["mix", "run", "--no-halt"]
    };
    vec![Process::new("web", command.iter().copied()).default()]
}

/// Adds the Procfile's entries and app.json's scripts to the buildpack's own processes. A Procfile entry
/// replaces the buildpack's process of the same type; commands run with `bash -c` like on Heroku. `web`
/// is the default process when there is one, else the Procfile's only entry.
pub(crate) fn merge(
    mut processes: Vec<Process>,
    procfile: &[ProcfileEntry],
    scripts: &[(String, String)],
) -> Vec<Process> {
    let user_processes = procfile
        .iter()
        .map(|entry| (entry.process_type.as_str(), entry.command.as_str()))
        .chain(
            scripts
                .iter()
                .map(|(name, command)| (name.as_str(), command.as_str())),
        );
    for (name, command) in user_processes {
        if !super::valid_process_type(name) {
            continue;
        }
        processes.retain(|process| process.r#type != name);
        processes.push(Process::new(name, ["bash", "-c", command]));
    }
    let default_type = if processes.iter().any(|process| process.r#type == "web") {
        Some("web")
    } else if let [only] = procfile {
        Some(only.process_type.as_str())
    } else {
        None
    };
    for process in &mut processes {
        process.default = Some(process.r#type.as_str()) == default_type;
    }
    processes
}

pub(crate) fn print(processes: &[Process]) {
    print::bullet("Processes");
    for process in processes {
        print::sub_bullet(format!("{}: {}", process.r#type, process.command_line()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_procfile_release_or_app_json_script_that_no_hook_built_is_found() {
        let entries = crate::inputs::procfile::parse(
            "release: mix ecto.migrate\nworker: _build/prod/rel/jobs/bin/jobs start\n\
             web: cd /app && ./_build/prod/rel/shop/bin/shop start\n",
        )
        .expect("valid");
        let scripts = [
            (
                String::from("postdeploy"),
                String::from("mix run priv/repo/seeds.exs"),
            ),
            (
                String::from("pr-predestroy"),
                String::from("_build/staging/rel/admin/bin/admin eval Admin.drop()"),
            ),
        ];
        let missing = |built: &[&str]| {
            release_not_built(&entries, &scripts, None, |env, name| {
                assert_eq!(env, if name == "admin" { "staging" } else { "prod" });
                built.contains(&name)
            })
            .map(|missing| (missing.runner, missing.name))
        };
        let line = |line: usize, process_type: &str| Runner::Procfile {
            line,
            process_type: process_type.into(),
        };
        assert_eq!(missing(&[]), Some((line(2, "worker"), "jobs".into())));
        assert_eq!(missing(&["jobs"]), Some((line(3, "web"), "shop".into())));
        assert_eq!(
            missing(&["jobs", "shop"]),
            Some((Runner::AppJsonScript("pr-predestroy".into()), "admin".into()))
        );
        assert_eq!(missing(&["jobs", "shop", "admin"]), None);
        assert_eq!(
            release_not_built(&entries[..1], &scripts[..1], None, |_, _| false),
            None,
            "nothing runs a release"
        );
    }

    #[test]
    fn release_processes_use_overlays_when_present() {
        let root = tempfile::tempdir().expect("tempdir");
        let mut release = AssembledRelease {
            name: "hello".into(),
            root: root.path().to_path_buf(),
            executable: "hello".into(),
            start: "start",
            overlays: Vec::new(),
        };
        let project = ProjectInfo {
            app: "hello".into(),
            ..ProjectInfo::default()
        };
        // The overlays the release was found to have, not the files: a reused release's may not be here.
        fs_err::create_dir_all(root.path().join("bin")).expect("mkdir");
        fs_err::write(root.path().join("bin/server"), "").expect("write");
        let processes = for_releases(std::slice::from_ref(&release), &project);
        assert_eq!(processes.len(), 1);
        assert_eq!(processes[0].command, vec!["hello"]);
        assert_eq!(processes[0].args, vec!["start"]);

        release.overlays = vec!["server".into()];
        let processes = for_releases(std::slice::from_ref(&release), &project);
        assert_eq!(processes.len(), 1, "no migrate overlay, no release process");
        assert_eq!(
            processes[0].command,
            vec![root.path().join("bin/server").to_string_lossy()]
        );

        // With several releases, the app's own is the one whose overlays run.
        let other = AssembledRelease {
            name: "worker".into(),
            root: root.path().join("worker"),
            executable: "worker".into(),
            start: "start",
            overlays: Vec::new(),
        };
        let processes = for_releases(&[other, release.clone()], &project);
        assert_eq!(
            processes[0].command,
            vec![root.path().join("bin/server").to_string_lossy()]
        );

        release.overlays = vec!["server".into(), "migrate".into()];
        let processes = for_releases(&[release], &project);
        let commands: Vec<_> = processes
            .iter()
            .map(|process| (process.r#type.clone(), process.command.clone()))
            .collect();
        let bin = root.path().join("bin");
        assert_eq!(
            commands,
            vec![
                (
                    "web".into(),
                    vec![bin.join("server").to_string_lossy().to_string()]
                ),
                (
                    "release".into(),
                    vec![bin.join("migrate").to_string_lossy().to_string()]
                ),
            ]
        );
    }

    fn release(name: &str) -> AssembledRelease {
        AssembledRelease {
            name: name.into(),
            root: std::path::PathBuf::from("/layers/x/release").join(name),
            executable: name.into(),
            start: "start",
            overlays: Vec::new(),
        }
    }

    #[test]
    fn every_release_of_several_gets_a_process_type() {
        let project = ProjectInfo::default();
        let processes = for_releases(&[release("web"), release("worker"), release("admin")], &project);
        let summary: Vec<(String, String, bool)> = processes
            .iter()
            .map(|process| (process.r#type.clone(), process.command_line(), process.default))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("web".into(), "web start".into(), true),
                ("worker".into(), "worker start".into(), false),
                ("admin".into(), "admin start".into(), false),
            ]
        );
        // One release: `web` only.
        assert_eq!(for_releases(&[release("solo")], &project).len(), 1);
    }

    fn entry(process_type: &str, command: &str) -> ProcfileEntry {
        ProcfileEntry {
            process_type: process_type.into(),
            command: command.into(),
            line: 1,
        }
    }

    fn summary(processes: &[Process]) -> Vec<(String, Vec<String>, bool)> {
        processes
            .iter()
            .map(|process| {
                let command = process.command.iter().chain(&process.args).cloned().collect();
                (process.r#type.clone(), command, process.default)
            })
            .collect()
    }

    #[test]
    fn procfile_entries_replace_defaults_and_scripts_are_added() {
        let project = ProjectInfo {
            app: "hello".into(),
            ..ProjectInfo::default()
        };
        let release = AssembledRelease {
            name: "hello".into(),
            root: std::path::PathBuf::from("/layers/x/release/hello"),
            executable: "hello".into(),
            start: "start",
            overlays: Vec::new(),
        };
        let defaults = for_releases(&[release], &project);
        let launch = merge(
            defaults,
            &[
                entry("release", "hello eval Hello.Release.migrate"),
                entry("worker", "hello start"),
            ],
            &[("postdeploy".into(), "hello eval Hello.Release.seed".into())],
        );
        let bash = |command: &str| vec!["bash".to_string(), "-c".to_string(), command.to_string()];
        assert_eq!(
            summary(&launch),
            vec![
                ("web".into(), vec!["hello".into(), "start".into()], true),
                ("release".into(), bash("hello eval Hello.Release.migrate"), false),
                ("worker".into(), bash("hello start"), false),
                ("postdeploy".into(), bash("hello eval Hello.Release.seed"), false),
            ]
        );
    }

    #[test]
    fn a_procfile_web_wins_and_a_lone_entry_is_the_default() {
        let launch = merge(
            for_mix(&ProjectInfo::default()),
            &[entry("web", "mix phx.server")],
            &[],
        );
        assert_eq!(
            summary(&launch),
            vec![(
                "web".into(),
                vec!["bash".into(), "-c".into(), "mix phx.server".into()],
                true
            )]
        );
        let launch = merge(Vec::new(), &[entry("console", "iex -S mix")], &[]);
        assert!(summary(&launch)[0].2);
    }

    #[test]
    fn mix_mode_processes() {
        let phoenix = ProjectInfo {
            phoenix: true,
            ..ProjectInfo::default()
        };
        assert_eq!(for_mix(&phoenix)[0].command, vec!["mix", "phx.server"]);
        assert_eq!(
            for_mix(&ProjectInfo::default())[0].command,
            vec!["mix", "run", "--no-halt"]
        );
    }
}
