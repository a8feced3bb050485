//! The process types of the image.

use crate::errors::ElixirBuildpackError;
use crate::layers::release::AssembledRelease;
use crate::mix::ProjectInfo;
use crate::procfile::{self, ProcfileEntry};
use crate::{app_json, config::PlatformEnv};
use bullet_stream::global::print;
use libcnb::data::launch::{Launch, LaunchBuilder, Process, ProcessBuilder, ProcessType};
use libcnb::data::process_type;
use std::path::Path;

/// Reads the Procfile, if any, printing warnings for classic slug paths.
pub(crate) fn read_procfile(app_dir: &Path) -> Result<Vec<ProcfileEntry>, ElixirBuildpackError> {
    let contents = match fs_err::read_to_string(app_dir.join("Procfile")) {
        Ok(contents) => contents,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(ElixirBuildpackError::ReadAppFile(error)),
    };
    let entries = procfile::parse(&contents).map_err(ElixirBuildpackError::Procfile)?;
    for warning in procfile::path_warnings(&entries) {
        print::warning(warning);
    }
    Ok(entries)
}

/// Reads `app.json`, if any, printing its warnings; a malformed file is a warning, never an error.
pub(crate) fn read_app_json(
    app_dir: &Path,
    env: &impl PlatformEnv,
) -> Result<app_json::ReviewApp, ElixirBuildpackError> {
    let contents = match fs_err::read_to_string(app_dir.join("app.json")) {
        Ok(contents) => contents,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(app_json::ReviewApp::default());
        }
        Err(error) => return Err(ElixirBuildpackError::ReadAppFile(error)),
    };
    let review_app = app_json::read(&contents, &|name| env.get(name).is_some());
    for warning in &review_app.warnings {
        print::warning(warning);
    }
    Ok(review_app)
}

/// `web` runs the release's `bin/server` overlay (Phoenix `mix phx.gen.release`) when present, else
/// `<release> start`; `release` runs the `bin/migrate` overlay when present.
pub(crate) fn for_releases(releases: &[AssembledRelease], project: &ProjectInfo) -> Launch {
    let Some(primary) = releases
        .iter()
        .find(|release| release.name == project.app)
        .or_else(|| releases.first())
    else {
        return LaunchBuilder::new().build();
    };
    let overlay = |name: &str| {
        let path = primary.root.join("bin").join(name);
        path.is_file().then(|| path.to_string_lossy().to_string())
    };
    let web = match overlay("server") {
        Some(server) => ProcessBuilder::new(process_type!("web"), [server])
            .default(true)
            .build(),
        None => ProcessBuilder::new(process_type!("web"), [primary.executable.as_str()])
            .arg(primary.start)
            .default(true)
            .build(),
    };
    let mut launch = LaunchBuilder::new();
    launch.process(web);
    if let Some(migrate) = overlay("migrate") {
        launch.process(ProcessBuilder::new(process_type!("release"), [migrate]).build());
    }
    launch.build()
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

/// Mix-at-runtime mode: `mix phx.server` for Phoenix apps, else `mix run --no-halt`.
pub(crate) fn for_mix(project: &ProjectInfo) -> Launch {
    let command: &[&str] = if project.phoenix {
        &["mix", "phx.server"]
    } else {
        &["mix", "run", "--no-halt"]
    };
    LaunchBuilder::new()
        .process(
            ProcessBuilder::new(process_type!("web"), command.iter().copied())
                .default(true)
                .build(),
        )
        .build()
}

/// Adds the Procfile's entries and app.json's scripts to the buildpack's own processes. A Procfile entry
/// replaces the buildpack's process of the same type; commands run with `bash -c` like on Heroku. `web`
/// is the default process when there is one, else the Procfile's only entry.
pub(crate) fn merge(defaults: Launch, procfile: &[ProcfileEntry], scripts: &[(String, String)]) -> Launch {
    let mut processes: Vec<Process> = defaults.processes;
    let user_processes = procfile
        .iter()
        .map(|entry| (entry.process_type.as_str(), entry.command.as_str()))
        .chain(
            scripts
                .iter()
                .map(|(name, command)| (name.as_str(), command.as_str())),
        );
    for (name, command) in user_processes {
        let Ok(process_type) = name.parse::<ProcessType>() else {
            continue;
        };
        processes.retain(|process| process.r#type != process_type);
        processes.push(ProcessBuilder::new(process_type, ["bash", "-c", command]).build());
    }
    let default_type = if processes
        .iter()
        .any(|process| process.r#type == process_type!("web"))
    {
        Some(process_type!("web"))
    } else if let [only] = procfile {
        only.process_type.parse().ok()
    } else {
        None
    };
    let mut launch = LaunchBuilder::new();
    for mut process in processes {
        process.default = Some(&process.r#type) == default_type.as_ref();
        launch.process(process);
    }
    launch.build()
}

pub(crate) fn print(launch: &Launch) {
    print::bullet("Processes");
    for Process {
        r#type,
        command,
        args,
        ..
    } in &launch.processes
    {
        print::sub_bullet(format!(
            "{type}: {}",
            command.iter().chain(args).cloned().collect::<Vec<_>>().join(" ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_processes_use_overlays_when_present() {
        let root = tempfile::tempdir().expect("tempdir");
        let release = AssembledRelease {
            name: "hello".into(),
            root: root.path().to_path_buf(),
            executable: "hello".into(),
            start: "start",
        };
        let project = ProjectInfo {
            app: "hello".into(),
            ..ProjectInfo::default()
        };
        let launch = for_releases(std::slice::from_ref(&release), &project);
        assert_eq!(launch.processes.len(), 1);
        assert_eq!(launch.processes[0].command, vec!["hello"]);
        assert_eq!(launch.processes[0].args, vec!["start"]);

        fs_err::create_dir_all(root.path().join("bin")).expect("mkdir");
        fs_err::write(root.path().join("bin/server"), "").expect("write");
        fs_err::write(root.path().join("bin/migrate"), "").expect("write");
        let launch = for_releases(&[release], &project);
        let commands: Vec<_> = launch
            .processes
            .iter()
            .map(|process| (process.r#type.to_string(), process.command.clone()))
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

    fn entry(process_type: &str, command: &str) -> ProcfileEntry {
        ProcfileEntry {
            process_type: process_type.into(),
            command: command.into(),
            line: 1,
        }
    }

    fn summary(launch: &Launch) -> Vec<(String, Vec<String>, bool)> {
        launch
            .processes
            .iter()
            .map(|process| {
                let command = process.command.iter().chain(&process.args).cloned().collect();
                (process.r#type.to_string(), command, process.default)
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
        let launch = merge(
            LaunchBuilder::new().build(),
            &[entry("console", "iex -S mix")],
            &[],
        );
        assert!(summary(&launch)[0].2);
    }

    #[test]
    fn mix_mode_processes() {
        let phoenix = ProjectInfo {
            phoenix: true,
            ..ProjectInfo::default()
        };
        assert_eq!(for_mix(&phoenix).processes[0].command, vec!["mix", "phx.server"]);
        assert_eq!(
            for_mix(&ProjectInfo::default()).processes[0].command,
            vec!["mix", "run", "--no-halt"]
        );
    }
}
