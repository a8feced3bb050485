//! Processes from a classic app: Procfile warnings for slug paths, app.json review-app scripts and
//! warnings, release overlays (`bin/server`, `bin/migrate`), the launch environment, and a malformed
//! Procfile.

use crate::mirror::Mirror;
use crate::{build_config, builders};
use indoc::indoc;
use libcnb_test::{ContainerConfig, PackResult, TestRunner, assert_contains};
use std::os::unix::fs::PermissionsExt;

const PORT: u16 = 8080;

fn write(app_dir: &std::path::Path, path: &str, contents: &str) {
    let path = app_dir.join(path);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, contents).expect("write");
}

fn executable(app_dir: &std::path::Path, path: &str, contents: &str) {
    write(app_dir, path, contents);
    std::fs::set_permissions(app_dir.join(path), std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
#[ignore = "integration test"]
fn overlays_classic_procfile_paths_and_review_app_scripts() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    let mut config = build_config(&builder, "hello_web", &mirror.url);
    config.app_dir_preprocessor(|app_dir| {
        // The overlays `mix phx.gen.release` writes.
        executable(
            &app_dir,
            "rel/overlays/bin/server",
            "#!/bin/sh\nset -eu\ncd -P -- \"$(dirname -- \"$0\")\"\nexec ./hello_web start\n",
        );
        executable(
            &app_dir,
            "rel/overlays/bin/migrate",
            "#!/bin/sh\nset -eu\ncd -P -- \"$(dirname -- \"$0\")\"\nexec ./hello_web eval 'IO.puts(\"migrated by overlay\")'\n",
        );
        write(
            &app_dir,
            "Procfile",
            "worker: /app/_build/prod/rel/hello_web/bin/hello_web start\nfiles: cd /app && ls lib\n",
        );
        write(
            &app_dir,
            "app.json",
            r#"{"scripts": {"pr-predestroy": "echo bye from /app", "postdeploy": "_build/prod/rel/hello_web/bin/hello_web eval 'IO.puts(:seeded)'"}, "buildpacks": [{"url": "https://github.com/HashNuke/heroku-buildpack-elixir"}]}"#,
        );
    });
    TestRunner::default().build(&config, |context| {
        let output = &context.pack_stderr;
        assert_contains!(
            output,
            "! app.json lists the classic Elixir buildpack (https://github.com/HashNuke/heroku-buildpack-elixir). On a CNB platform, replace it with this buildpack (elixir-cnb/elixir); your elixir_buildpack.config keeps working.\n"
        );
        assert_contains!(
            output,
            indoc! {"
                - Processes
                  - web: /layers/elixir-cnb_elixir/release/hello_web/bin/server
                  - release: /layers/elixir-cnb_elixir/release/hello_web/bin/migrate
                  - worker: bash -c /layers/elixir-cnb_elixir/release/hello_web/bin/hello_web start
                  - files: bash -c cd /workspace && ls lib
                  - postdeploy: bash -c /layers/elixir-cnb_elixir/release/hello_web/bin/hello_web eval 'IO.puts(:seeded)'
                  - pr-predestroy: bash -c echo bye from /workspace
                  - Procfile line 1 `worker` is written for the classic slug, so here it runs: /layers/elixir-cnb_elixir/release/hello_web/bin/hello_web start
                  - Procfile line 2 `files` is written for the classic slug, so here it runs: cd /workspace && ls lib
                  - app.json script `postdeploy` is written for the classic slug, so here it runs: /layers/elixir-cnb_elixir/release/hello_web/bin/hello_web eval 'IO.puts(:seeded)'
                  - app.json script `pr-predestroy` is written for the classic slug, so here it runs: echo bye from /workspace
            "}
        );

        crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
                assert_contains!(server.get("/"), "Hello from hello_web!");
            },
        );
        let classic = context.run_shell_command(
            "export CNB_PLATFORM_API=0.13; /cnb/process/files; /cnb/process/postdeploy; /cnb/process/pr-predestroy",
        );
        assert_eq!(classic.stdout, "hello_web\nhello_web.ex\nseeded\nbye from /workspace\n");
        let shell = context.run_shell_command(
            "export CNB_PLATFORM_API=0.13; /cnb/process/release; migrate; \
             echo \"MIX_ENV=$MIX_ENV LANG=$LANG LC_ALL=$LC_ALL RELEASE_TMP=$RELEASE_TMP\"",
        );
        assert_eq!(
            shell.stdout,
            "migrated by overlay\nmigrated by overlay\nMIX_ENV=prod LANG=C.UTF-8 LC_ALL=C.UTF-8 RELEASE_TMP=/tmp\n"
        );
    });
}

/// A platform may put the app elsewhere than `/workspace` (`pack build --workspace`): classic `/app`
/// commands follow the app dir the platform chose, at build and at launch.
#[test]
#[ignore = "integration test"]
fn classic_slug_paths_follow_the_platform_app_dir() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    let mut config = build_config(&builder, "hello_web", &mirror.url);
    // The pack shim turns this into `--workspace /srv/app`.
    config.env("ELIXIR_CNB_TEST_WORKSPACE", "/srv/app");
    config.app_dir_preprocessor(|app_dir| {
        write(
            &app_dir,
            "Procfile",
            "web: cd /app && /app/_build/prod/rel/hello_web/bin/hello_web start
files: cd /app && pwd && ls lib
",
        );
    });
    TestRunner::default().build(&config, |context| {
        assert_contains!(
            context.pack_stderr,
            indoc! {"
                - Processes
                  - web: bash -c cd /srv/app && /layers/elixir-cnb_elixir/release/hello_web/bin/hello_web start
                  - files: bash -c cd /srv/app && pwd && ls lib
                  - Procfile line 1 `web` is written for the classic slug, so here it runs: cd /srv/app && /layers/elixir-cnb_elixir/release/hello_web/bin/hello_web start
                  - Procfile line 2 `files` is written for the classic slug, so here it runs: cd /srv/app && pwd && ls lib
            "}
        );
        crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
                assert_contains!(server.get("/"), "Hello from hello_web!");
            },
        );
        context.start_container(ContainerConfig::new().entrypoint("files"), |container| {
            assert_eq!(container.logs_wait().stdout, "/srv/app\nhello_web\nhello_web.ex\n");
        });
    });
}

#[test]
#[ignore = "integration test"]
fn a_malformed_procfile_or_app_json() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    let mut config = build_config(&builder, "hello_web", &mirror.url);
    config.expected_pack_result(PackResult::Failure);
    config.app_dir_preprocessor(|app_dir| {
        write(
            &app_dir,
            "Procfile",
            "web: hello_web start\nthis line is no process\n",
        );
        write(&app_dir, "app.json", "{\"scripts\": ");
    });
    TestRunner::default().build(&config, |context| {
        assert_contains!(
            context.pack_stderr,
            "! app.json is not valid JSON (EOF while parsing a value at line 1 column 12), so its scripts are not used."
        );
        assert_contains!(
            context.pack_stderr,
            indoc! {"
                ! Invalid Procfile
                !
                ! Line 2 of the Procfile is not a `<type>: <command>` entry:
                !
                !     this line is no process
            "}
        );
    });
}
