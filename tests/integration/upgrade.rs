//! Caches survive a buildpack upgrade: an app built by an earlier version of this buildpack (a fixed
//! commit of main, packaged by `scripts/provision.d/earlier-buildpack.sh`), then by this one, keeps its
//! toolchain, Hex, deps and `_build` caches: nothing is downloaded, nothing recompiled. The release's
//! key changed format since (format 2), and only the release is assembled again, with the reason said.

use crate::mirror::Mirror;
use crate::{builders, expected_toolchain, hex_build_config, requests_since};
use libcnb_test::{BuildpackReference, ContainerConfig, TestRunner, assert_contains, assert_not_contains};
use std::path::PathBuf;

/// The earlier version: main before cache keys were stored with their format's number (they were stored
/// flat). `scripts/provision.d/earlier-buildpack.sh` reads this line to package it.
const EARLIER_COMMIT: &str = "966ce510eca53c12a265a8824b1c107abe0357f1";

/// The earlier version's packaged buildpack directory.
fn earlier_buildpack() -> PathBuf {
    let tools = std::env::var("ELIXIR_CNB_TOOLS")
        .expect("ELIXIR_CNB_TOOLS is not set: run the integration tests through scripts/test");
    let dir = PathBuf::from(tools)
        .join("earlier-buildpack")
        .join(EARLIER_COMMIT);
    let commit = std::fs::read_to_string(dir.join("commit")).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; scripts/provision packages the earlier buildpack",
            dir.display()
        )
    });
    assert_eq!(commit.trim(), EARLIER_COMMIT, "packaged from another commit");
    dir.join("elixir-cnb_elixir")
}

#[test]
#[ignore = "integration test"]
fn caches_an_earlier_version_wrote_are_kept_by_this_one() {
    let builder = builders()
        .into_iter()
        .find(|builder| builder.ends_with(":trixie"))
        .unwrap_or_else(|| String::from("elixir-cnb-test/builder:trixie"));
    let expected = expected_toolchain(&builder);
    let mirror = Mirror::healthy();
    let mut earlier = hex_build_config(&builder, "plug_cowboy_app", &mirror);
    earlier.buildpacks([BuildpackReference::Other(
        earlier_buildpack().to_string_lossy().into_owned(),
    )]);
    let current = hex_build_config(&builder, "plug_cowboy_app", &mirror);

    TestRunner::default().build(&earlier, |context| {
        assert_contains!(context.pack_stderr, "===> Compiling cowboy\n");
        let before = mirror.requests().len();
        context.rebuild(&current, |upgraded| {
            let output = &upgraded.pack_stderr;
            let major = expected.otp.split('.').next().unwrap_or_default();
            assert_contains!(
                output,
                &format!(
                    "- Erlang/OTP {otp}\n  - Using cached Erlang/OTP {otp}\n- Elixir {elixir} (built for OTP \
                     {major})\n  - Using cached Elixir {elixir}\n",
                    otp = expected.otp,
                    elixir = expected.elixir
                )
            );
            assert_contains!(output, "  - Using cached Hex\n  - Using cached rebar3\n");
            // The earlier buildpack kept no record of its compile: Mix runs, and finds nothing to do.
            assert_contains!(
                output,
                "  - Using cached deps\n  - Using cached _build (Mix recompiles only what changed)\n"
            );
            assert_contains!(
                output,
                "  - No app file changed since the cached _build, but the cached _build has no record of a finished compile\n"
            );
            assert_contains!(
                output,
                "- Release\n  - Discarding cached release since it was written by an older version of this \
                 buildpack (cache format 1), which did not record the release's launch env and overlays\n  - \
                 Running `mix release"
            );
            assert_eq!(
                output.matches("Discarding").count(),
                1,
                "only the release is discarded"
            );
            for gone in ["Downloading", "Compiling"] {
                assert_not_contains!(output, gone);
            }
            let asked: Vec<String> = requests_since(&mirror, before, "/")
                .into_iter()
                .filter(|path| !path.starts_with("/builds/"))
                .collect();
            assert!(
                asked.is_empty(),
                "the upgraded build asked the mirror for {asked:?}"
            );

            crate::serve(&upgraded, 8080, &mut ContainerConfig::new(), |server| {
                let body: serde_json::Value = serde_json::from_str(&server.get("/")).expect("JSON");
                assert_eq!(body["plug_cowboy"], "2.7.5");
            });

            // The upgraded build stored the keys anew in its own format: the next build reads them as its own,
            // and takes the release from the previous image.
            upgraded.rebuild(&current, |again| {
                assert_contains!(
                    again.pack_stderr,
                    "  - Using cached deps\n  - Using cached _build (Mix recompiles only what changed)\n"
                );
                assert_contains!(
                    again.pack_stderr,
                    "  - Not running Mix: no app file, mix.lock, env var or toolchain changed since the cached _build\n- Release\n"
                );
                assert_contains!(
                    again.pack_stderr,
                    "- Release\n  - Reusing release `plug_cowboy_app`: nothing it is made from changed\n"
                );
                for gone in ["Discarding", "Downloading", "Compiling"] {
                    assert_not_contains!(again.pack_stderr, gone);
                }
            });
        });
    });
}
