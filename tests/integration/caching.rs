//! Every cache invalidation rule of the layer table, one rebuild each, asserting the printed reason;
//! and the rules that must NOT invalidate (a source edit keeps `_build`).

use crate::mirror::{Fault, Mirror, mirror_dir};
use crate::{build_config, builders};
use libcnb_test::{BuildConfig, TestRunner, assert_contains, assert_not_contains};
use sha2::{Digest, Sha256};

/// A mirror that also serves OTP 25.2.4 and Elixir 1.14.1 for OTP 25: the same files as 25.2.3 and
/// 1.14.0 under new names, so a version change can be tested with only Debian's builds at hand. The
/// Elixir line has no checksum, as builds.hex.pm's older lines don't.
fn mirror_with_newer_versions() -> Mirror {
    let root = mirror_dir();
    let read = |path: &str| std::fs::read(root.join(path)).expect("a mirror file");
    let otp = read("builds/otp/amd64/debian-12/OTP-25.2.3.tar.gz");
    let elixir = read("builds/elixir/v1.14.0-otp-25.zip");
    let otp_line = format!(
        "OTP-25.2.4 0000000000000000000000000000000000000000 2024-02-01T00:00:00Z {:x}\n",
        Sha256::digest(&otp)
    );
    let otp_index =
        String::from_utf8(read("builds/otp/amd64/debian-12/builds.txt")).expect("text") + &otp_line;
    let elixir_index = String::from_utf8(read("builds/elixir/builds.txt")).expect("text")
        + "v1.14.1-otp-25 0000000000000000000000000000000000000000 2024-02-01T00:00:00Z\n";
    Mirror::with_faults(vec![
        ("/debian-12/builds.txt", Fault::Replace(otp_index.into_bytes())),
        ("/debian-12/OTP-25.2.4.tar.gz", Fault::Replace(otp)),
        ("/elixir/builds.txt", Fault::Replace(elixir_index.into_bytes())),
        ("/elixir/v1.14.1-otp-25.zip", Fault::Replace(elixir)),
    ])
}

fn config(
    builder: &str,
    mirror: &Mirror,
    env: &[(&str, &str)],
    files: &[(&'static str, &'static str)],
) -> BuildConfig {
    let mut config = build_config(builder, "hello_web", &mirror.url);
    config.envs(env.iter().copied());
    let files = files.to_vec();
    config.app_dir_preprocessor(move |app_dir| {
        for (path, contents) in &files {
            std::fs::write(app_dir.join(path), contents).expect("a fixture file");
        }
    });
    config
}

#[test]
#[ignore = "integration test"]
#[allow(clippy::too_many_lines)]
fn each_invalidation_rule_says_why() {
    let bookworm = builders()
        .into_iter()
        .find(|builder| builder.ends_with(":bookworm"))
        .unwrap_or_else(|| String::from("elixir-cnb-test/builder:bookworm"));
    let mirror = mirror_with_newer_versions();
    let pinned = [("BP_ERLANG_VERSION", "25.2.3"), ("BP_ELIXIR_VERSION", "1.14.0")];

    TestRunner::default().build(config(&bookworm, &mirror, &pinned, &[]), |context| {
        assert_contains!(context.pack_stderr, "  - Erlang/OTP 25.2.3 (from BP_ERLANG_VERSION)\n");

        // The OTP version: every layer built with it goes.
        let newer_otp = [("BP_ERLANG_VERSION", "25.2.4"), ("BP_ELIXIR_VERSION", "1.14.0")];
        context.rebuild(config(&bookworm, &mirror, &newer_otp, &[]), |context| {
            let output = &context.pack_stderr;
            assert_contains!(
                output,
                "- Erlang/OTP 25.2.4\n  - Discarding cached Erlang/OTP since the requested Erlang/OTP version changed from 25.2.3 to 25.2.4\n"
            );
            assert_contains!(output, "- Elixir 1.14.0 (built for OTP 25)\n  - Using cached Elixir 1.14.0\n");
            for what in ["Hex and rebar3", "deps", "_build", "release"] {
                assert_contains!(
                    output,
                    &format!("  - Discarding cached {what} since the Erlang/OTP version changed from 25.2.3 to 25.2.4")
                );
            }

            // The Elixir version.
            let newer_elixir = [("BP_ERLANG_VERSION", "25.2.4"), ("BP_ELIXIR_VERSION", "1.14.1")];
            context.rebuild(config(&bookworm, &mirror, &newer_elixir, &[]), |context| {
                let output = &context.pack_stderr;
                assert_contains!(output, "  - Using cached Erlang/OTP 25.2.4\n");
                assert_contains!(
                    output,
                    "- Elixir 1.14.1 (built for OTP 25)\n  - Discarding cached Elixir since the requested Elixir version changed from 1.14.0 to 1.14.1\n"
                );
                // Installed unverified, and said so.
                assert_contains!(
                    output,
                    &format!(
                        "The index publishes no SHA-256 checksum for {}/builds/elixir/v1.14.1-otp-25.zip, so \
                         this download can't be verified.",
                        mirror.url
                    )
                );
                assert_contains!(output, "  - Discarding cached deps since the Elixir version changed from 1.14.0 to 1.14.1");
                assert_contains!(output, "  - Discarding cached _build since the Elixir version changed from 1.14.0 to 1.14.1");

                // mix.lock: deps stay, and Mix reconciles them (fetching what changed, removing the unused).
                let lock = [("mix.lock", "%{}\n")];
                context.rebuild(config(&bookworm, &mirror, &newer_elixir, &lock), |context| {
                    let output = &context.pack_stderr;
                    assert_contains!(
                        output,
                        "  - Using cached deps: mix.lock changed, so Mix fetches and recompiles the dependencies that changed, and the unused ones are removed\n"
                    );
                    assert_contains!(
                        output,
                        "  - Running `mix deps.get --only prod`, `mix deps.clean --unused`, then `mix compile` (one Mix process)\n"
                    );
                    assert_contains!(output, "  - Using cached _build (Mix recompiles only what changed)\n");

                    // A source edit keeps _build: one module is recompiled, and the release is re-assembled.
                    let edit = [
                        ("mix.lock", "%{}\n"),
                        (
                            "lib/hello_web.ex",
                            "defmodule HelloWeb do\n  def greeting, do: \"edited\\n\"\nend\n",
                        ),
                    ];
                    context.rebuild(config(&bookworm, &mirror, &newer_elixir, &edit), |context| {
                        let output = &context.pack_stderr;
                        assert_contains!(output, "  - Using cached deps\n");
                        assert_contains!(output, "  - Using cached _build (Mix recompiles only what changed)\n");
                        assert_contains!(output, "      Compiling 1 file (.ex)\n");
                        assert_contains!(
                            output,
                            "  - Discarding cached release since the compiled app, its deps, config or rel/ changed\n"
                        );

                        // MIX_ENV: deps, _build and the release go.
                        let staging = [
                            ("BP_ERLANG_VERSION", "25.2.4"),
                            ("BP_ELIXIR_VERSION", "1.14.1"),
                            ("MIX_ENV", "staging"),
                        ];
                        context.rebuild(config(&bookworm, &mirror, &staging, &edit), |context| {
                            let output = &context.pack_stderr;
                            for what in ["deps", "_build", "release"] {
                                assert_contains!(
                                    output,
                                    &format!("  - Discarding cached {what} since MIX_ENV changed from prod to staging")
                                );
                            }

                            // always_rebuild: everything goes.
                            let always = [
                                ("mix.lock", "%{}\n"),
                                ("elixir_buildpack.config", "always_rebuild=true\n"),
                            ];
                            context.rebuild(config(&bookworm, &mirror, &staging, &always), |context| {
                                let output = &context.pack_stderr;
                                for what in ["Erlang/OTP", "Elixir", "Hex and rebar3", "deps", "_build"] {
                                    assert_contains!(
                                        output,
                                        &format!(
                                            "  - Discarding cached {what} since `always_rebuild=true` is set in elixir_buildpack.config\n"
                                        )
                                    );
                                }
                                assert_not_contains!(output, "Using cached");
                            });
                        });
                    });
                });
            });
        });
    });
}

#[test]
#[ignore = "integration test"]
fn a_new_distro_discards_the_toolchain() {
    let all = builders();
    let (Some(bookworm), Some(trixie)) = (
        all.iter().find(|builder| builder.ends_with(":bookworm")),
        all.iter().find(|builder| builder.ends_with(":trixie")),
    ) else {
        panic!("this test needs both local builders, got {all:?}");
    };
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(bookworm, "hello_web", &mirror.url), |context| {
        context.rebuild(build_config(trixie, "hello_web", &mirror.url), |context| {
            assert_contains!(
                context.pack_stderr,
                "- Erlang/OTP 27.3.4.1\n  - Discarding cached Erlang/OTP since the requested Erlang/OTP version changed from 25.2.3 to 27.3.4.1, and the distro changed from debian-12 to debian-13\n"
            );
        });
    });
}

/// Mix finds edits by mtime and size, in whole seconds after its manifest, which the lifecycle restores
/// with the current time: edits that keep the file's size must each reach the image, build after
/// build (one build alone could pass by luck of the clock).
#[test]
#[ignore = "integration test"]
fn same_size_edits_reach_the_image() {
    // Four builds: 1. cold; 2., 3. and 4. each change the greeting to another of the same size ("Jello",
    // "Kello", "Lello"), and the image serves it.
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(&builder, "hello_web", &mirror.url), |context| {
        rebuild_with_greeting(context, &builder, &mirror, &["Jello", "Kello", "Lello"]);
    });
}

fn rebuild_with_greeting(
    context: libcnb_test::TestContext,
    builder: &str,
    mirror: &Mirror,
    greetings: &[&str],
) {
    let Some((greeting, rest)) = greetings.split_first() else {
        return;
    };
    let mut config = build_config(builder, "hello_web", &mirror.url);
    let replacement = format!("{greeting} from");
    config.app_dir_preprocessor(move |app_dir| {
        let path = app_dir.join("lib/hello_web.ex");
        let source = std::fs::read_to_string(&path).expect("the fixture source");
        std::fs::write(&path, source.replace("Hello from", &replacement)).expect("write");
    });
    context.rebuild(&config, |context| {
        assert_contains!(
            context.pack_stderr,
            "  - 1 app file(s) changed since the cached _build\n"
        );
        assert_contains!(context.pack_stderr, "      Compiling 1 file (.ex)\n");
        crate::serve(
            &context,
            8080,
            &mut libcnb_test::ContainerConfig::new(),
            |server| {
                let body = server.get("/");
                assert!(
                    body.starts_with(&format!("{greeting} from hello_web!")),
                    "stale code was shipped: {body}"
                );
            },
        );
        rebuild_with_greeting(context, builder, mirror, rest);
    });
}

/// A failing compile or hook fails the build with its output, and the caches of the last good build
/// still serve the next one.
#[test]
#[ignore = "integration test"]
fn failures_keep_the_last_good_caches() {
    // Four builds: 1. a good build fills the caches; 2. a compile error fails in its Mix step; 3. a
    // failing `hook_post_compile` fails with its output; 4. the good app again, served from the caches
    // of build 1.
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(&builder, "hello_web", &mirror.url), |context| {
        let mut broken = build_config(&builder, "hello_web", &mirror.url);
        broken.expected_pack_result(libcnb_test::PackResult::Failure);
        broken.app_dir_preprocessor(|app_dir| {
            std::fs::write(app_dir.join("lib/hello_web.ex"), "defmodule HelloWeb do\n  def greeting do\nend\n")
                .expect("write");
        });
        context.rebuild(&broken, |context| {
            let output = &context.pack_stderr;
            // deps.get and compile run in one Mix process; the failure names its step.
            assert_contains!(
                output,
                "  - Running `mix deps.get --only prod`, then `mix compile` (one Mix process)\n"
            );
            assert_contains!(output, "lib/hello_web.ex");
            assert_contains!(
                output,
                "! `mix compile` failed\n!\n! It ran in one Mix process with the steps around it, which exited with exit status: 1.\n"
            );

            let mut failing_hook = build_config(&builder, "hello_web", &mirror.url);
            failing_hook.expected_pack_result(libcnb_test::PackResult::Failure);
            failing_hook.app_dir_preprocessor(|app_dir| {
                std::fs::write(
                    app_dir.join("elixir_buildpack.config"),
                    "hook_post_compile=\"echo hook ran here && false\"\n",
                )
                .expect("write");
            });
            context.rebuild(&failing_hook, |context| {
                let output = &context.pack_stderr;
                assert_contains!(output, "      hook ran here\n");
                assert_contains!(
                    output,
                    "! The `hook_post_compile` hook failed\n!\n! `echo hook ran here && false` (from elixir_buildpack.config) ran with `bash -c` in the app dir and failed:\n"
                );

                context.rebuild(build_config(&builder, "hello_web", &mirror.url), |context| {
                    let output = &context.pack_stderr;
                    assert_contains!(output, "  - Using cached Erlang/OTP ");
                    assert_contains!(output, "  - Using cached Elixir ");
                    // The failed builds exported nothing: the cache is the first build's, whose files these are.
                    assert_contains!(output, "  - Using cached _build (Mix recompiles only what changed)\n");
                    assert_contains!(output, "  - Not running Mix: ");
                    assert_contains!(output, "- Processes\n  - web: hello_web start\n");
                });
            });
        });
    });
}

/// A build step that writes into the cached Erlang install (as Distillery does on OTP 25 and later) is
/// noticed by the next build, which installs Erlang/OTP afresh and says why.
#[test]
#[ignore = "integration test"]
fn a_build_that_writes_into_the_toolchain_is_noticed() {
    let builder = builders().into_iter().next().expect("a builder");
    let otp = crate::expected_toolchain(&builder).otp;
    let mirror = Mirror::healthy();
    let mut config = build_config(&builder, "hello_web", &mirror.url);
    config.app_dir_preprocessor(|app_dir| {
        std::fs::write(
            app_dir.join("elixir_buildpack.config"),
            "hook_post_compile='erl_root=\"$(dirname \"$(dirname \"$(command -v erl)\")\")\" && echo tampered >> \"$erl_root/releases/RELEASES\"'\n",
        )
        .expect("write");
    });
    TestRunner::default().build(&config, |context| {
        context.rebuild(&config, |rebuild| {
            assert_contains!(
                rebuild.pack_stderr,
                &format!(
                    "- Erlang/OTP {otp}\n  - Discarding cached Erlang/OTP since its files changed after it was \
                     installed (a build step wrote into the toolchain)\n  - Downloading "
                )
            );
        });
    });
}

/// A warm rebuild with exactly pinned versions needs no index: it makes no request to the mirror, and
/// works with the mirror down. A partial pin still asks the index.
#[test]
#[ignore = "integration test"]
fn a_pinned_warm_rebuild_makes_no_request() {
    let builder = builders().into_iter().next().expect("a builder");
    let expected = crate::expected_toolchain(&builder);
    let mirror = Mirror::healthy();
    let pin = crate::toolchain_pin(&expected);
    let pinned = |url: &str| {
        let mut config = build_config(&builder, "hello_web", url);
        let pin = pin.clone();
        config.app_dir_preprocessor(move |app_dir| {
            std::fs::write(app_dir.join("elixir_buildpack.config"), &pin).expect("write");
        });
        config
    };
    TestRunner::default().build(pinned(&mirror.url), |context| {
        let before = mirror.requests().len();
        context.rebuild(pinned(&mirror.url), |rebuild| {
            assert_contains!(rebuild.pack_stderr, "  - Pinned exactly and cached: no index lookup\n");
            assert_eq!(mirror.requests().len(), before, "{:?}", mirror.requests());
            // The mirror down (a closed port): the rebuild still works.
            rebuild.rebuild(pinned("http://127.0.0.1:9"), |offline| {
                assert_contains!(
                    offline.pack_stderr,
                    &format!(
                        "- Versions\n  - Erlang/OTP {otp} (from elixir_buildpack.config, line 1)\n  - Elixir {elixir} (from elixir_buildpack.config, line 2)\n  - Pinned exactly and cached: no index lookup\n",
                        otp = expected.otp,
                        elixir = expected.elixir
                    )
                );
            });
        });
    });
}
