//! The deployment article's workflow on Elixir releases: a post-compile hook, a Procfile with
//! `release:` and `web:`, an app.json `postdeploy` script, runtime configuration read at boot and a
//! `priv/` file read with `:code.priv_dir/1`.

use crate::mirror::Mirror;
use crate::{build_config, builders};
use indoc::indoc;
use libcnb_test::{ContainerConfig, TestRunner, assert_contains, assert_not_contains};

const PORT: u16 = 8080;

#[test]
#[ignore = "integration test"]
fn the_article_workflow_runs_in_the_image() {
    let builder = builders().into_iter().last().expect("at least one builder");
    let mirror = Mirror::healthy();
    let config = build_config(&builder, "article_app", &mirror.url);
    TestRunner::default().build(&config, |context| {
        let output = &context.pack_stderr;
        assert_contains!(
            output,
            "! Ignoring `runtime_path` (line 8 of elixir_buildpack.config): the app dir is fixed by the CNB platform (/workspace).\n"
        );
        assert_contains!(
            output,
            "! Ignoring `config_vars_to_export` (line 11 of elixir_buildpack.config): CNB platforms already pass your config vars to the build.\n"
        );
        assert_contains!(
            output,
            "! mix.exs sets a release `cookie:` (line 12). Anyone with the source can connect to your nodes. The image doesn't ship it: each container makes a random cookie unless RELEASE_COOKIE is set. To cluster nodes, set RELEASE_COOKIE as a config var (for example `mix phx.gen.secret 32`), and remove the hard-coded cookie.\n"
        );
        assert_contains!(
            output,
            "! app.json marks these env vars as required, and they are not set for this build: SECRET_KEY_BASE."
        );
        assert_contains!(
            output,
            "  - Running hook_post_compile: `mkdir -p priv && echo 'written by hook_post_compile' > priv/built_by_hook.txt`\n"
        );
        assert_contains!(
            output,
            indoc! {r#"
                - Processes
                  - release: bash -c article_app eval "ArticleApp.Release.migrate()"
                  - web: bash -c article_app start
                  - postdeploy: bash -c article_app eval "ArticleApp.Release.seed()"
            "#}
        );

        // web: runtime config from the environment at boot, priv files, the hook's output.
        crate::serve(&context, PORT, ContainerConfig::new().env("GREETING", "Hello from runtime.exs"), |server| {
                assert_eq!(
                    server.get("/"),
                    "Hello from runtime.exs\nserved from priv\nwritten by hook_post_compile\n"
                );
            },
        );

        // The release phase runs and exits, with the process's exit status. (The launcher, started again
        // from the shell, needs the platform API that the outer launcher consumed.)
        let release = context.run_shell_command(
            "export CNB_PLATFORM_API=0.13; /cnb/process/release && cat /tmp/migrated; echo \" (exit $?)\"; \
             FAIL_MIGRATION=1 /cnb/process/release; echo \"failing migration exit $?\"",
        );
        assert_contains!(release.stdout, "migrated: marker written\nok (exit 0)\n");
        assert_contains!(release.stdout, "migration failed on purpose\nfailing migration exit 1\n");

        let postdeploy = context.run_shell_command("CNB_PLATFORM_API=0.13 /cnb/process/postdeploy");
        assert_contains!(postdeploy.stdout, "seeded\n");
    });
}

/// With a release-phase buildpack in the group, the Procfile's release command is handed to it through
/// the build plan; and build-time config vars never reach the image. Then (a rebuild) a release command
/// written for the classic slug (`/app/_build/prod/rel/<name>/bin/<name> ...`) reaches it pointing where the
/// image has the release, and runs there as the release phase runs it (`bash -c`).
#[test]
#[ignore = "integration test"]
fn the_release_command_goes_to_release_phase_runnable_in_the_image_and_secrets_stay_out() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    let mut config = build_config(&builder, "article_app", &mirror.url);
    // Provides must come before requires in the group, as heroku/release-phase does in Heroku's order.
    config.buildpacks([
        libcnb_test::BuildpackReference::Other(
            crate::fixture("buildpacks/release-phase-probe")
                .to_string_lossy()
                .to_string(),
        ),
        libcnb_test::BuildpackReference::CurrentCrate,
    ]);
    let mut slug_command = config.clone();
    config.env("SECRET_KEY_BASE", "build-time-secret-4c1f");
    TestRunner::default().build(&config, |context| {
        assert_contains!(
            context.pack_stdout,
            indoc! {r#"
                release-phase-probe received:
                [[entries]]
                  name = "release-phase"
                  [entries.metadata]

                    [[entries.metadata.release]]
                      args = ["-c", "article_app eval \"ArticleApp.Release.migrate()\""]
                      command = "bash"
                      source = "Elixir"
            "#}
        );
        assert_not_contains!(context.pack_stderr, "SECRET_KEY_BASE. If the build needs them");
        let search = context.run_shell_command(
            "env | grep -c 4c1f || true; grep -rl build-time-secret /layers /workspace 2>/dev/null || echo 'not in any file'",
        );
        assert_eq!(search.stdout, "0\nnot in any file\n");

        slug_command.app_dir_preprocessor(|app_dir| {
            std::fs::write(
                app_dir.join("Procfile"),
                "release: /app/_build/prod/rel/article_app/bin/article_app eval \"ArticleApp.Release.migrate()\"\n\
                 web: article_app start\n",
            )
            .expect("write Procfile");
        });
        context.rebuild(&slug_command, |context| {
            let command = "${CNB_LAYERS_DIR:-/layers}/elixir-cnb_elixir/release/article_app/bin/article_app \
                           eval \"ArticleApp.Release.migrate()\"";
            assert_contains!(
                context.pack_stdout,
                &format!("args = [\"-c\", \"{}\"]", command.replace('"', "\\\""))
            );
            let migrated = context.run_shell_command(format!("{command} && cat /tmp/migrated"));
            assert_eq!(migrated.stdout, "migrated: marker written\nok");
        });
    });
}

/// The article's workflow verbatim (`test-fixtures/myapp`): its `post_compile` hook builds a release
/// tarball and replaces the app dir with the unpacked release, and the Procfile runs `/app/bin/myapp`.
/// The image holds that one release, and the Procfile's `/app` commands run against the app dir.
#[test]
#[ignore = "integration test"]
fn the_article_post_compile_release_ships_once() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(&builder, "myapp", &mirror.url), |context| {
        let output = &context.pack_stderr;
        assert_contains!(
            output,
            "- Release\n  - The post_compile hook unpacked release `myapp` into the app dir: it ships as it is, \
             and the buildpack builds no release of its own\n"
        );
        assert_contains!(
            output,
            indoc! {r#"
                - Processes
                  - release: bash -c /workspace/bin/myapp eval "MyApp.ReleaseTasks.migrate()"
                  - web: bash -c /workspace/bin/myapp start
                  - postdeploy: bash -c /workspace/bin/myapp eval "MyApp.ReleaseTasks.seed()"
            "#}
        );
        crate::serve(&context, PORT, ContainerConfig::new().env("GREETING", "Hello from the article"), |server| {
                assert_eq!(
                    server.get("/"),
                    "Hello from the article\n"
                );
            },
        );
        let shell = context.run_shell_command(
            "export CNB_PLATFORM_API=0.13; /cnb/process/release; /cnb/process/postdeploy; \
             find / -name start_erl.data -not -path '/proc/*' 2>/dev/null; \
             du -sk /workspace | cut -f1; du -sk /layers/elixir-cnb_elixir 2>/dev/null | cut -f1 || true",
        );
        let lines: Vec<&str> = shell.stdout.lines().collect();
        assert_eq!(
            lines[..3],
            [
                "Running migrations for myapp",
                "Running seed script for myapp",
                "/workspace/releases/start_erl.data"
            ],
            "{}",
            shell.stdout
        );
        // One release: the app dir holds it (about 12 MiB with ERTS); the buildpack's layers, if any,
        // hold nothing but launch env.
        let sizes: Vec<u64> = lines[3..].iter().filter_map(|size| size.parse().ok()).collect();
        assert!(sizes[0] > 8 * 1024 && sizes[0] < 20 * 1024, "{}", shell.stdout);
        assert!(sizes.get(1).is_none_or(|size| *size < 64), "{}", shell.stdout);
    });
}
