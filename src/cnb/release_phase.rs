//! Hands the release command to Heroku's `heroku/release-phase` buildpack through the build plan, as its
//! README describes: `[[requires]] name = "release-phase"` with `[[requires.metadata.release]]` entries.
//! The requirement is an alternative, so detection passes without that buildpack too.

use crate::inputs::procfile;
use crate::launch::classic_paths;
use libcnb::data::build_plan::{BuildPlan, BuildPlanBuilder, Require};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Serialize, PartialEq, Eq)]
struct ReleasePhaseMetadata {
    release: Vec<ReleaseCommand>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
struct ReleaseCommand {
    command: String,
    args: Vec<String>,
    source: String,
}

/// The release command known before the build: the Procfile's `release:` entry (as the image runs it,
/// see [`for_the_image`]), else the `migrate` overlay of `mix phx.gen.release` (`rel/overlays/bin/migrate`,
/// on PATH in the image). `layers_name`: the buildpack's dir under the layers dir (its id, `/` as `_`).
pub(crate) fn release_command(app_dir: &Path, layers_name: &str) -> Option<String> {
    let from_procfile = fs_err::read_to_string(app_dir.join("Procfile"))
        .ok()
        .and_then(|contents| procfile::parse(&contents).ok())
        .and_then(|entries| entries.into_iter().find(|entry| entry.process_type == "release"))
        .map(|entry| for_the_image(&entry.command, layers_name));
    from_procfile.or_else(|| {
        app_dir
            .join("rel/overlays/bin/migrate")
            .is_file()
            .then(|| String::from("migrate"))
    })
}

/// A command written for the classic slug (`_build/prod/rel/my_app/bin/my_app eval ...`, `/app/...`)
/// pointed at the release layer and the app dir, as the build does for the `release` process. Detection
/// comes before the build, so the paths are the ones the lifecycle sets in the image's env
/// (`CNB_LAYERS_DIR`, `CNB_APP_DIR`); the command runs with `bash -c`.
fn for_the_image(command: &str, layers_name: &str) -> String {
    let releases: Vec<(String, String)> = classic_paths::releases_run_from_build(command, None)
        .into_iter()
        .map(|(_, name)| {
            let root = format!("${{CNB_LAYERS_DIR:-/layers}}/{layers_name}/release/{name}");
            (name, root)
        })
        .collect();
    classic_paths::rewrite(command, "${CNB_APP_DIR:-/workspace}", &releases)
}

/// Either the release-phase requirement, or nothing.
pub(crate) fn build_plan(command: Option<&str>) -> BuildPlan {
    let Some(command) = command else {
        return BuildPlan::new();
    };
    let mut require = Require::new("release-phase");
    let metadata = ReleasePhaseMetadata {
        release: vec![ReleaseCommand {
            command: String::from("bash"),
            args: vec![String::from("-c"), command.to_string()],
            source: String::from("Elixir"),
        }],
    };
    if require.metadata(metadata).is_err() {
        return BuildPlan::new();
    }
    BuildPlanBuilder::new().requires(require).or().build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_procfile_release_entry_wins_over_the_overlay() {
        let app = tempfile::tempdir().expect("tempdir");
        let release_command = |app: &Path| release_command(app, "elixir-cnb_elixir");
        assert_eq!(release_command(app.path()), None);
        fs_err::create_dir_all(app.path().join("rel/overlays/bin")).expect("mkdir");
        fs_err::write(app.path().join("rel/overlays/bin/migrate"), "#!/bin/sh\n").expect("write");
        assert_eq!(release_command(app.path()).as_deref(), Some("migrate"));
        fs_err::write(
            app.path().join("Procfile"),
            "web: my_app start\nrelease: my_app eval \"M.migrate()\"\n",
        )
        .expect("write");
        assert_eq!(
            release_command(app.path()).as_deref(),
            Some("my_app eval \"M.migrate()\"")
        );
    }

    #[test]
    fn classic_slug_paths_point_where_the_image_has_the_release_and_the_app() {
        for (command, expected) in [
            (
                "_build/prod/rel/my_app/bin/my_app eval \"M.migrate()\"",
                "${CNB_LAYERS_DIR:-/layers}/bp_x/release/my_app/bin/my_app eval \"M.migrate()\"",
            ),
            (
                "/app/_build/prod/rel/my_app/bin/migrate && /app/bin/seed",
                "${CNB_LAYERS_DIR:-/layers}/bp_x/release/my_app/bin/migrate && \
                 ${CNB_APP_DIR:-/workspace}/bin/seed",
            ),
            ("my_app eval \"M.migrate()\"", "my_app eval \"M.migrate()\""),
            ("migrate", "migrate"),
        ] {
            assert_eq!(for_the_image(command, "bp_x"), expected, "{command}");
        }
        let app = tempfile::tempdir().expect("tempdir");
        fs_err::write(
            app.path().join("Procfile"),
            "release: ./_build/prod/rel/my_app/bin/my_app eval \"M.migrate()\"\n",
        )
        .expect("write");
        assert_eq!(
            release_command(app.path(), "elixir-cnb_elixir").as_deref(),
            Some(
                "${CNB_LAYERS_DIR:-/layers}/elixir-cnb_elixir/release/my_app/bin/my_app eval \"M.migrate()\""
            )
        );
    }

    #[test]
    fn the_plan_requires_release_phase_or_nothing() {
        let plan = toml::to_string(&build_plan(Some("my_app eval \"M.migrate()\""))).expect("toml");
        assert_eq!(
            plan,
            indoc::indoc! {r#"
                [[requires]]
                name = "release-phase"

                [[requires.metadata.release]]
                args = ["-c", 'my_app eval "M.migrate()"']
                command = "bash"
                source = "Elixir"

                [[or]]
            "#}
        );
        assert_eq!(toml::to_string(&build_plan(None)).expect("toml"), "");
    }
}
