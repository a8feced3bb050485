//! `elixir_buildpack.config` lines as classic-era repos write them, through a real build: from the
//! config text to the version request in the build output.

use crate::builders;
use crate::mirror::{Fault, Mirror, mirror_dir};
use libcnb_test::{PackResult, TestRunner, assert_contains, assert_not_contains};
use sha2::{Digest, Sha256};

/// These run on the bookworm builder (OTP 25.2.3, Elixir 1.14.0): reading the config is the same everywhere.
fn bookworm() -> String {
    builders()
        .into_iter()
        .find(|builder| builder.ends_with(":bookworm"))
        .unwrap_or_else(|| String::from("elixir-cnb-test/builder:bookworm"))
}

/// `hello_web` with this `elixir_buildpack.config`, built against `mirror`.
fn hello_web_with_config(mirror: &Mirror, classic_config: &'static str) -> libcnb_test::BuildConfig {
    let mut config = crate::build_config(&bookworm(), "hello_web", &mirror.url);
    config.app_dir_preprocessor(move |app_dir| {
        std::fs::write(app_dir.join("elixir_buildpack.config"), classic_config)
            .expect("elixir_buildpack.config is written");
    });
    config
}

#[test]
#[ignore = "integration test"]
fn several_versions_on_a_line_with_a_bom_and_crlf_pin_both() {
    let mirror = Mirror::healthy();
    let config = hello_web_with_config(
        &mirror,
        "\u{feff}# Saved on Windows\r\nerlang_version=25.2.3 elixir_version=1.14.0 # pinned\r\n",
    );
    TestRunner::default().build(&config, |context| {
        let output = &context.pack_stderr;
        assert_contains!(
            output,
            "! Skipping the UTF-8 byte-order mark at the start of elixir_buildpack.config (Windows editors write one). Bash read it as part of line 1, so the classic buildpack ignored that line; here it is read. Save the file as UTF-8 without a BOM to silence this warning.\n"
        );
        assert_contains!(
            output,
            "- Versions\n  - Erlang/OTP 25.2.3 (from elixir_buildpack.config, line 2)\n  - Elixir 1.14.0 (from elixir_buildpack.config, line 2)\n- Erlang/OTP 25.2.3\n"
        );
        assert_contains!(output, "- Processes\n  - web: hello_web start\n");
    });
}

#[test]
#[ignore = "integration test"]
fn a_classic_branch_array_builds_that_branch() {
    // The mirror gets a `main` branch build for OTP 25 (the 1.14.0 archive under another name).
    let elixir_dir = mirror_dir().join("builds/elixir");
    let archive = std::fs::read(elixir_dir.join("v1.14.0-otp-25.zip")).expect("the mirror's Elixir 1.14.0");
    let index = format!(
        "{}main-otp-25 0123456789abcdef0123456789abcdef01234567 2024-01-01T00:00:00Z {:x} \n",
        std::fs::read_to_string(elixir_dir.join("builds.txt")).expect("the mirror's Elixir index"),
        Sha256::digest(&archive)
    );
    let mirror = Mirror::with_faults(vec![
        ("/builds/elixir/builds.txt", Fault::Replace(index.into_bytes())),
        ("/builds/elixir/main-otp-25.zip", Fault::Replace(archive)),
    ]);
    let config = hello_web_with_config(&mirror, "erlang_version=25.2.3\nelixir_version=(branch main)\n");
    TestRunner::default().build(&config, |context| {
        let output = &context.pack_stderr;
        assert_contains!(
            output,
            "- Versions\n  - Erlang/OTP 25.2.3 (from elixir_buildpack.config, line 1)\n  - Elixir main (from elixir_buildpack.config, line 2)\n"
        );
        assert_contains!(
            output,
            "! A branch build is selected: its contents change as the branch moves, so builds are not reproducible.\n"
        );
        assert_contains!(
            output,
            &format!(
                "- Elixir main (built for OTP 25)\n  - Downloaded {}/builds/elixir/main-otp-25.zip alongside Erlang/OTP",
                mirror.url
            )
        );
        assert_not_contains!(output, "branch (branch)");
    });
}

#[test]
#[ignore = "integration test"]
fn a_classic_branch_array_without_a_build_names_the_branch() {
    let mirror = Mirror::healthy();
    let mut config = hello_web_with_config(&mirror, "elixir_version=(branch main)\n");
    config.expected_pack_result(PackResult::Failure);
    TestRunner::default().build(&config, |context| {
        assert_contains!(
            context.pack_stderr,
            "! Unknown Elixir version\n!\n! There is no Elixir build for `main (branch)` (from elixir_buildpack.config, line 1). The nearest available versions for\n! the installed Erlang/OTP: 1.14.0.\n!\n! Pick one of them, for example in elixir_buildpack.config:\n!\n!     elixir_version=1.14.0\n"
        );
    });
}
