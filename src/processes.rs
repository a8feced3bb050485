//! The process types of the image.

use crate::layers::release::AssembledRelease;
use crate::mix::ProjectInfo;
use bullet_stream::global::print;
use libcnb::data::launch::{Launch, LaunchBuilder, Process, ProcessBuilder};
use libcnb::data::process_type;

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
        None => ProcessBuilder::new(process_type!("web"), [primary.name.as_str()])
            .arg("start")
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
