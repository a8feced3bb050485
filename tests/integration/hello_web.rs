//! The walking skeleton: a Mix app without Hex deps builds into a release image that answers HTTP, and
//! a rebuild reuses the toolchain layers.

use crate::mirror::Mirror;
use crate::{build_config, expected_toolchain, for_each_builder, launch_sbom_components};
use indoc::formatdoc;
use libcnb_test::{ContainerConfig, TestRunner, assert_contains, assert_not_contains};

const PORT: u16 = 8080;

#[test]
#[ignore = "integration test"]
fn hello_web_builds_answers_http_and_rebuilds_from_cache() {
    for_each_builder(|builder| {
        let expected = expected_toolchain(builder);
        let mirror = Mirror::healthy();
        let config = build_config(builder, "hello_web", &mirror.url);
        TestRunner::default().build(&config, |context| {
            let output = context.pack_stderr.clone();
            assert_contains!(
                output,
                &formatdoc! {"
                    - Versions
                      - Erlang/OTP {otp} (default)
                      - Elixir {elixir} (default)
                ", otp = expected.otp, elixir = expected.elixir}
            );
            assert_contains!(
                output,
                &format!(
                    "- Erlang/OTP {}\n  - Downloading {}/builds/otp/amd64/",
                    expected.otp, mirror.url
                )
            );
            assert_contains!(output, "  - Verified SHA-256 ");
            assert_contains!(
                output,
                "  - No Hex packages in mix.lock: Hex and rebar3 are not needed\n"
            );
            assert!(
                mirror.requests().iter().all(|path| !path.contains("/installs/")),
                "a project without Hex deps fetched Hex or rebar3: {:?}",
                mirror.requests()
            );
            assert_contains!(output, "- Processes\n  - web: hello_web start\n");

            crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
                assert_eq!(server.get("/"), expected.hello_web_greeting());
            });

            // Release mode ships the release only: no toolchain, deps or _build in the image.
            let listing = context.run_shell_command(
                "ls -a /workspace; command -v erl mix || echo 'no toolchain on PATH'; command -v hello_web",
            );
            assert_not_contains!(listing.stdout, "_build");
            assert_not_contains!(listing.stdout, "deps\n");
            assert_contains!(listing.stdout, "no toolchain on PATH");
            assert_contains!(listing.stdout, "/layers/elixir-cnb_elixir/release/bin/hello_web");

            // `pack sbom download`: the release layer's CycloneDX SBOM names the toolchain it runs on.
            assert_eq!(
                launch_sbom_components(&context),
                vec![
                    ("Erlang/OTP".to_string(), expected.otp.to_string()),
                    ("Elixir".to_string(), expected.elixir.to_string()),
                ]
            );

            let before_rebuild = mirror.requests().len();
            context.rebuild(&config, |rebuild| {
                assert_contains!(
                    rebuild.pack_stderr,
                    &formatdoc! {"
                        - Erlang/OTP {otp}
                          - Using cached Erlang/OTP {otp}
                        - Elixir {elixir} (built for OTP {major})
                          - Using cached Elixir {elixir}
                        - Mix
                          - Using cached deps
                          - Using cached _build (Mix recompiles only what changed)
                    ", otp = expected.otp, elixir = expected.elixir,
                    major = expected.otp.split('.').next().unwrap_or_default()}
                );
                assert_contains!(
                    rebuild.pack_stderr,
                    "  - Not running Mix: no app file, mix.lock, env var or toolchain changed since the cached _build\n- Release\n  - Reusing release `hello_web`: nothing it is made from changed\n"
                );
                assert_not_contains!(rebuild.pack_stderr, "Downloading");
                // The release is launch-only: the lifecycle gives back its metadata from the image, not its
                // files from the cache, and the exporter reuses the image's layer.
                assert_contains!(
                    rebuild.pack_stdout,
                    "Restoring metadata for \"elixir-cnb/elixir:release\" from app image"
                );
                assert_not_contains!(
                    rebuild.pack_stdout,
                    "Restoring data for \"elixir-cnb/elixir:release\""
                );
                assert_contains!(rebuild.pack_stdout, "Reusing layer 'elixir-cnb/elixir:release'");
                // Only the two indexes were fetched again, no archive.
                let fetched: Vec<String> = mirror.requests().split_off(before_rebuild);
                assert!(
                    fetched.iter().all(|path| path.ends_with("/builds.txt")),
                    "the rebuild downloaded more than the indexes: {fetched:?}"
                );
                crate::serve(&rebuild, PORT, &mut ContainerConfig::new(), |server| {
                    assert_eq!(server.get("/"), expected.hello_web_greeting());
                });
                a_config_var_runs_mix_again(rebuild, &config);
            });
        });
    });
}

/// A config var changed (`config/*.exs` may read it at compile time): Mix runs again, once.
fn a_config_var_runs_mix_again(context: libcnb_test::TestContext, config: &libcnb_test::BuildConfig) {
    let mut with_var = config.clone();
    with_var.env("GREETING", "Howdy");
    context.rebuild(&with_var, |changed| {
        assert_contains!(
            changed.pack_stderr,
            "  - No app file changed since the cached _build, but the build's env vars changed\n  - Running `mix deps.get --only prod`, then `mix compile` (one Mix process)\n"
        );
        changed.rebuild(&with_var, |again| {
            assert_contains!(again.pack_stderr, "  - Not running Mix: ");
        });
    });
}
