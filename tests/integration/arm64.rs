//! arm64 under emulation: the arm64 test builder (`elixir-cnb-test/builder:bookworm-arm64`, made by
//! `scripts/provision.d/arm64-builder.sh`) and the arm64 Erlang/OTP in the mirror
//! (`scripts/provision.d/arm64-mirror.sh`), run on this amd64 machine through qemu-user-static.
//!
//! Slow (every arm64 instruction is emulated), so `scripts/test` runs these in a `cargo test` of their
//! own, with `ELIXIR_CNB_MIRROR_DIR` pointed at the arm64 mirror tree (`ELIXIR_CNB_ARM64_MIRROR_DIR`, a
//! superset of the amd64 one) and `ELIXIR_CNB_ARM64_BUILDPACK` set to the aarch64 buildpack `scripts/package`
//! made; the main run skips `arm64::`.

use crate::mirror::{Mirror, mirror_dir};
use crate::{expected_toolchain, fixture};
use libcnb_test::{BuildConfig, BuildpackReference, ContainerConfig, TestRunner, assert_contains};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PORT: u16 = 8080;
const RUN_IMAGE: &str = "elixir-cnb-test/run:bookworm-arm64";
/// libcnb-test maps it to `--platform linux/arm64` for the containers it starts.
const TARGET_TRIPLE: &str = "aarch64-unknown-linux-musl";

fn builder() -> String {
    std::env::var("ELIXIR_CNB_ARM64_BUILDER")
        .unwrap_or_else(|_| String::from("elixir-cnb-test/builder:bookworm-arm64"))
}

/// The mirror tree the tests serve, checked to hold the arm64 OTP builds.
fn arm64_mirror_dir() -> PathBuf {
    let dir = mirror_dir();
    let index = dir.join("builds/otp/arm64/debian-12/builds.txt");
    assert!(
        index.is_file(),
        "{} is missing: run the arm64 tests with ELIXIR_CNB_MIRROR_DIR set to the arm64 mirror \
         (ELIXIR_CNB_ARM64_MIRROR_DIR, as scripts/test does)",
        index.display()
    );
    dir
}

/// GETs `http://address/path` until the server answers; booting under emulation takes a while.
fn http_get_within(address: std::net::SocketAddr, path: &str, patience: Duration) -> String {
    let url = format!("http://{address}{path}");
    let deadline = Instant::now() + patience;
    loop {
        match ureq::get(&url).call() {
            Ok(response) => {
                return response
                    .into_body()
                    .read_to_string()
                    .expect("a readable response body");
            }
            Err(error) if Instant::now() > deadline => panic!("GET {url} failed: {error}"),
            Err(_) => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

fn canonical(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .to_string_lossy()
        .into_owned()
}

/// The arm64 OTP and the Elixir zip from the mirror, installed and run in the arm64 run image.
#[test]
#[ignore = "integration test"]
fn arm64_mirror_toolchain_runs_in_the_arm64_run_image() {
    let mirror = arm64_mirror_dir();
    let expected = expected_toolchain(&builder());
    let otp_dir = canonical(&mirror.join("builds/otp/arm64/debian-12"));
    let elixir_dir = canonical(&mirror.join("builds/elixir"));
    let otp_major = expected.otp.split('.').next().unwrap_or_default();
    // minbase has no unzip: Erlang's zip module unpacks Elixir (and loses the exec bits).
    let script = format!(
        r#"set -euo pipefail
mkdir -p /tmp/otp /tmp/elixir
tar -C /tmp/otp --strip-components=1 -xzf /mirror/otp/OTP-{otp}.tar.gz
(cd /tmp/otp && ./Install -minimal /tmp/otp >/dev/null)
export PATH=/tmp/otp/bin:/tmp/elixir/bin:$PATH
erl -noshell -eval 'io:format("~s ~s~n", [erlang:system_info(system_architecture), code:root_dir()]), halt().'
erl -noshell -eval '{{ok, _}} = zip:unzip("/mirror/elixir/v{elixir}-otp-{otp_major}.zip", [{{cwd, "/tmp/elixir"}}]), halt().'
chmod +x /tmp/elixir/bin/*
elixir -e 'IO.puts("Elixir #{{System.version()}} on OTP #{{System.otp_release()}}")'
"#,
        otp = expected.otp,
        elixir = expected.elixir,
    );
    let started = Instant::now();
    let output = Command::new("docker")
        .args(["run", "--rm", "--platform", "linux/arm64", "--network", "none"])
        .args(["--volume", &format!("{otp_dir}:/mirror/otp:ro")])
        .args(["--volume", &format!("{elixir_dir}:/mirror/elixir:ro")])
        .args([RUN_IMAGE, "bash", "-c", &script])
        .output()
        .expect("docker runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the arm64 toolchain failed in {RUN_IMAGE}:\n{stdout}\n{stderr}"
    );
    assert_contains!(stdout, "aarch64-unknown-linux-gnu /tmp/otp\n");
    assert_contains!(
        stdout,
        &format!("Elixir {} on OTP {otp_major}\n", expected.elixir)
    );
    eprintln!(
        "arm64: toolchain check took {:.1}s under emulation",
        started.elapsed().as_secs_f64()
    );
}

/// The builder end to end with a shell buildpack: detect, build (fetching OTP for linux/arm64 from the
/// mirror through host networking), export, and an image whose `web` process answers HTTP.
#[test]
#[ignore = "integration test"]
fn arm64_builder_builds_the_probe_buildpack_and_its_image_answers_http() {
    arm64_mirror_dir();
    let mirror = Mirror::healthy();
    let probe = fixture("buildpacks").join("arm64-probe");
    let mut config = BuildConfig::new(builder(), fixture("hello_web"));
    config
        .buildpacks([BuildpackReference::Other(probe.to_string_lossy().into_owned())])
        .target_triple(TARGET_TRIPLE)
        .env("HEX_BUILDS_URL", &mirror.url)
        .env("PROBE_OTP_VERSION", expected_toolchain(&builder()).otp);
    let started = Instant::now();
    TestRunner::default().build(&config, |context| {
        eprintln!(
            "arm64: probe build took {:.1}s under emulation",
            started.elapsed().as_secs_f64()
        );
        let output = format!("{}{}", context.pack_stdout, context.pack_stderr);
        assert_contains!(
            output,
            "arm64-probe: machine aarch64, target linux/arm64 debian-12"
        );
        assert_contains!(
            output,
            &format!(
                "arm64-probe: downloading {}/builds/otp/arm64/debian-12/OTP-",
                mirror.url
            )
        );
        assert_contains!(output, "arm64-probe: OTP 25 on aarch64-unknown-linux-gnu");
        crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
            let body = http_get_within(server.address, "/", Duration::from_mins(2));
            assert_eq!(body, "arm64-probe: OTP 25 on aarch64-unknown-linux-gnu\n");
        });
    });
}

/// The real thing: the aarch64 Elixir buildpack, a static binary as users get it, builds `hello_web` on
/// the arm64 builder and the image answers HTTP. Needs `ELIXIR_CNB_ARM64_BUILDPACK`, the packaged
/// aarch64 buildpack dir (`scripts/package` makes it; `scripts/test` sets the variable).
#[test]
#[ignore = "integration test"]
fn arm64_hello_web_builds_and_answers_http() {
    let buildpack = std::env::var("ELIXIR_CNB_ARM64_BUILDPACK").expect(
        "ELIXIR_CNB_ARM64_BUILDPACK is not set: run through scripts/test, which packages the aarch64 buildpack",
    );
    assert!(
        Path::new(&buildpack).join("buildpack.toml").is_file(),
        "ELIXIR_CNB_ARM64_BUILDPACK={buildpack} is not a packaged buildpack dir"
    );
    arm64_mirror_dir();
    let builder = builder();
    let expected = expected_toolchain(&builder);
    let mirror = Mirror::healthy();
    let mut config = BuildConfig::new(&builder, fixture("hello_web"));
    config
        .buildpacks([BuildpackReference::Other(buildpack)])
        .target_triple(TARGET_TRIPLE)
        .env("HEX_BUILDS_URL", &mirror.url);
    let started = Instant::now();
    TestRunner::default().build(&config, |context| {
        eprintln!(
            "arm64: hello_web build took {:.1}s under emulation",
            started.elapsed().as_secs_f64()
        );
        let output = context.pack_stderr.clone();
        assert_contains!(
            output,
            &format!(
                "- Erlang/OTP {}\n  - Downloading {}/builds/otp/arm64/debian-12/",
                expected.otp, mirror.url
            )
        );
        assert_contains!(output, "- Processes\n  - web: hello_web start\n");
        crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
            let body = http_get_within(server.address, "/", Duration::from_mins(3));
            assert_eq!(body, expected.hello_web_greeting());
        });
        let machine = context.run_shell_command("uname -m");
        assert_eq!(machine.stdout.trim(), "aarch64");
    });
}
