//! Release shapes: umbrella projects with several releases (one with a `:tar` step), and the classic
//! mix-at-runtime mode.

use crate::mirror::Mirror;
use crate::{build_config, builders};
use libcnb_test::{ContainerConfig, PackResult, TestRunner, assert_contains, assert_not_contains};

const PORT: u16 = 8080;

#[test]
#[ignore = "integration test"]
fn an_umbrella_builds_every_release() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(&builder, "umbrella_app", &mirror.url), |context| {
        let output = &context.pack_stderr;
        assert_contains!(
            output,
            "  - Running `mix release web --overwrite --path /layers/elixir-cnb_elixir/release/web`\n"
        );
        assert_contains!(
            output,
            "  - Release `web` is in the image at /layers/elixir-cnb_elixir/release/web\n"
        );
        // The `:tar` step's archive stays out: the release is in the image unpacked.
        assert_contains!(
            output,
            "  - Left `worker-0.1.0.tar.gz` (the `:tar` step's archive) out of the image: the release is in it unpacked\n  - Release `worker` is in the image at /layers/elixir-cnb_elixir/release/worker\n"
        );
        assert_contains!(
            output,
            "- Processes\n  - web: web start\n  - worker: worker start\n"
        );

        crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
            assert_eq!(server.get("/"), "Hello from an umbrella release!\n");
        });
        // The second release (built with steps [:assemble, :tar]) is on PATH, assembled and runnable, and
        // its process type starts it.
        let worker = context.run_shell_command("worker eval 'IO.write(Greeter.hello())'");
        assert_contains!(worker.stdout, "Hello from an umbrella release!\n");
        let archives = context.run_shell_command("find /layers -name '*.tar.gz'");
        assert_eq!(archives.stdout, "");
        context.start_container(ContainerConfig::new().entrypoint("worker"), |container| {
            // `worker pid` asks the running node over distribution (same container, same cookie).
            let pid = container.shell_exec(
                "for _ in $(seq 60); do worker pid 2>/dev/null && exit 0; sleep 0.5; done; exit 1",
            );
            assert!(pid.stdout.trim().parse::<u32>().is_ok(), "{}", pid.stdout);
        });
    });
}

#[test]
#[ignore = "integration test"]
fn release_false_keeps_mix_at_runtime() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    let mut config = build_config(&builder, "hello_web", &mirror.url);
    config.app_dir_preprocessor(|app_dir| {
        std::fs::write(app_dir.join("elixir_buildpack.config"), "release=false\n").expect("write");
    });
    TestRunner::default().build(&config, |context| {
        assert_contains!(
            context.pack_stderr,
            "- Mix at runtime\n  - `release=false` is set: the image keeps Erlang/OTP, Elixir, deps and _build, and runs your app with `mix`\n- Processes\n  - web: mix run --no-halt\n"
        );
        crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
                assert_contains!(server.get("/"), "Hello from hello_web!");
            },
        );
        let toolchain = context.run_shell_command("command -v erl mix");
        assert_contains!(toolchain.stdout, "/layers/elixir-cnb_elixir/erlang/bin/erl\n");
        assert_contains!(toolchain.stdout, "/layers/elixir-cnb_elixir/elixir/bin/mix\n");
    });
}

/// A Procfile from the classic era that runs Mix for one process and a release from `_build` for another:
/// Mix at runtime makes no release, so the build stops and says both ways out; with the hook the classic
/// buildpack needed for it, the release the hook makes is what `web` runs.
#[test]
#[ignore = "integration test"]
fn a_procfile_release_that_mix_at_runtime_doesn_t_make_stops_the_build_unless_a_hook_makes_it() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    let with_hook = |hook: bool| {
        let mut config = build_config(&builder, "hello_web", &mirror.url);
        config.app_dir_preprocessor(move |app_dir| {
            std::fs::write(
                app_dir.join("Procfile"),
                "web: _build/prod/rel/hello_web/bin/hello_web start\nrelease: mix run -e 'IO.puts(:migrated)'\n",
            )
            .expect("write Procfile");
            if hook {
                std::fs::write(
                    app_dir.join("elixir_buildpack.config"),
                    "hook_post_compile=\"mix release --overwrite\"\n",
                )
                .expect("write elixir_buildpack.config");
            }
        });
        config
    };
    let mut without = with_hook(false);
    without.expected_pack_result(PackResult::Failure);
    TestRunner::default().build(&without, |context| {
        assert_contains!(
            context.pack_stderr,
            indoc::indoc! {r#"
                ! The Procfile runs a release that this build doesn't make
                !
                ! Procfile line 1 (`web`) runs the release `hello_web` from `_build/prod/rel/hello_web`, and no hook made it.
                ! The app runs with Mix at runtime (Procfile line 2 (`release`) runs `mix run -e 'IO.puts(:migrated)'`), so this
                ! build makes no release: the process would fail to start.
                !
                ! Either run every process from the release, which this buildpack then builds (paths
                ! like `_build/prod/rel/hello_web/bin/hello_web` keep working), migrations too, for example:
                !
                !     release: hello_web eval "MyApp.Release.migrate()"
                !
                ! (`mix phx.gen.release` writes that module), or make the release in a hook, in elixir_buildpack.config:
                !
                !     hook_post_compile="mix release --overwrite"
            "#}
        );
        context.rebuild(with_hook(true), |hooked| {
            assert_contains!(
                hooked.pack_stderr,
                "- Processes\n  - web: bash -c _build/prod/rel/hello_web/bin/hello_web start\n"
            );
            crate::serve(&hooked, PORT, &mut ContainerConfig::new(), |server| {
                assert_contains!(server.get("/"), "Hello from hello_web!");
            });
            let release = hooked.run_shell_command("mix run -e 'IO.puts(:migrated)'");
            assert_eq!(release.stdout, "migrated\n");
        });
    });
}

/// A release that leaves ERTS out (`include_erts: false`) runs on the Erlang/OTP it finds, so the image's
/// ships with it; when mix.exs doesn't say so literally, the build stops with what to do instead of making
/// an image that can't boot.
#[test]
#[ignore = "integration test"]
fn a_release_without_erts_runs_on_the_image_s_erlang_or_stops_the_build() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    let with_releases = |releases: &'static str| {
        let mut config = build_config(&builder, "hello_web", &mirror.url);
        config.app_dir_preprocessor(move |app_dir| {
            let path = app_dir.join("mix.exs");
            let mix_exs = std::fs::read_to_string(&path).expect("mix.exs");
            let changed = mix_exs.replace("deps: []", &format!("deps: [],\n      releases: {releases}"));
            assert_ne!(changed, mix_exs, "hello_web's mix.exs has no `deps: []`");
            std::fs::write(&path, changed).expect("write mix.exs");
        });
        config
    };
    let literal = with_releases("[hello_web: [include_erts: false]]");
    TestRunner::default().build(&literal, |context| {
        assert_contains!(
            context.pack_stderr,
            "  - Erlang/OTP ships in the image: the release leaves ERTS out (`include_erts: false`, mix.exs \
             line 11), so it runs on this one\n"
        );
        crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
            assert_contains!(server.get("/"), "Hello from hello_web!");
        });
        let shell = context.run_shell_command(
            "ls /layers/elixir-cnb_elixir/release/hello_web /layers/elixir-cnb_elixir/release/hello_web/lib; \
             command -v erl",
        );
        assert_not_contains!(shell.stdout, "erts-");
        assert_not_contains!(shell.stdout, "kernel-");
        assert_contains!(shell.stdout, "/layers/elixir-cnb_elixir/erlang/bin/erl\n");

        let mut computed = with_releases("[hello_web: [include_erts: Mix.env() != :prod]]");
        computed.expected_pack_result(PackResult::Failure);
        context.rebuild(&computed, |failed| {
            assert_contains!(
                failed.pack_stderr,
                indoc::indoc! {"
                    ! Release `hello_web` has no Erlang runtime (ERTS)
                    !
                    ! The release leaves ERTS out (`include_erts: false`), so it runs on the Erlang/OTP installed
                    ! where it runs, and the image has none: it would not boot. This buildpack ships Erlang/OTP with
                    ! such a release when mix.exs says `include_erts: false` literally; it found no such line
                    ! (Distillery's rel/config.exs is not read for it).
                    !
                    ! Let the release include ERTS (the default): remove `include_erts`. Or, to run it on the image's
                    ! Erlang/OTP, write the option literally in mix.exs, for example:
                    !
                    !     releases: [
                    !       hello_web: [include_erts: false]
                    !     ]
                "}
            );
        });
    });
}

/// A Distillery project (`rel/config.exs`, a `:distillery` dep) can't build on OTP 25 or later (every
/// build the local mirror has): the build stops before it installs or runs anything, and says what to
/// do. Distillery itself is a Hex package that isn't among the local Hex repository's; the fixture's
/// path dep stands in for it.
#[test]
#[ignore = "integration test"]
fn a_distillery_project_on_otp_25_stops_before_anything_runs() {
    crate::for_each_builder(|builder| {
        let expected = crate::expected_toolchain(builder);
        let mirror = Mirror::healthy();
        let mut config = build_config(builder, "distillery_app", &mirror.url);
        config.expected_pack_result(PackResult::Failure);
        TestRunner::default().build(&config, |context| {
            let output = &context.pack_stderr;
            assert_contains!(
                output,
                &indoc::formatdoc! {"
                    ! Distillery can't build releases on Erlang/OTP 25 or later
                    !
                    ! This project builds its release with Distillery (rel/config.exs and a `:distillery`
                    ! dependency in mix.exs), and this build would use Erlang/OTP {otp} (default). Since OTP 25,
                    ! Distillery's release step resolves its `RELEASES` file against the Erlang install, so
                    ! `mix distillery.release` fails, or overwrites the toolchain's own releases/RELEASES
                    ! (Distillery issue 744, still open; Distillery 2.1.1 is its last release). Nothing was built.
                    !
                    ! Either pin an Erlang/OTP older than 25, for example in elixir_buildpack.config:
                    !
                    !     erlang_version=24.3.4.17
                    !
                    ! or move to Elixir's own releases, two lines in mix.exs: remove the dependency
                    !
                    !     {{:distillery, \"~> 2.1\"}},
                    !
                    ! and add a release to `project`:
                    !
                    !     releases: [distillery_app: [include_executables_for: [:unix]]]
                ", otp = expected.otp}
            );
            assert!(!output.contains("Downloading"), "{output}");
        });
    });
}

/// A Phoenix app without `phx.gen.release`'s `bin/server` overlay: its release gets `PHX_SERVER=true` by
/// default (its endpoint serves only then). The fixture's path dep stands in for Phoenix. (In Mix mode it
/// runs `mix phx.server`: `read_only`'s test serves it so; the real Phoenix apps are `phoenix.rs`'s.)
#[test]
#[ignore = "integration test"]
fn a_phoenix_release_without_a_server_overlay_serves() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(&builder, "phoenix_app", &mirror.url), |context| {
        assert_contains!(context.pack_stderr, "- Processes\n  - web: phoenix_app start\n");
        crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
            assert_eq!(
                server.get("/"),
                "Hello from a Phoenix-style app (PHX_SERVER=true)\n"
            );
        });
    });
}
