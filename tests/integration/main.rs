//! Integration tests: real `pack build`s with the CNB lifecycle against a local Docker engine, with
//! builders and a builds.hex.pm-shaped toolchain mirror made by `scripts/provision`.
//!
//! They are `#[ignore]`d so that a plain `cargo test` stays a unit test run; `scripts/test` (and so CI)
//! provisions the environment and runs them with `--include-ignored`.

// Integration tests share the crate's dependency list but use only a few of them.
#![allow(unused_crate_dependencies)]

mod arm64;
mod article_app;
mod caching;
mod classic;
mod classic_config;
mod classic_hex;
mod cluster;
mod detect;
mod faults;
mod git_server;
mod hello_web;
mod heroku;
mod hex_deps;
mod hex_repo;
mod mirror;
mod phoenix;
mod podman;
mod postgres;
mod processes;
mod read_only;
mod registry;
mod releases;
mod reproducible;
mod shop;
mod upgrade;
mod versions;

use libcnb_test::BuildConfig;
use std::path::{Path, PathBuf};

/// The builders to test against: `INTEGRATION_TEST_BUILDERS` (space separated), else both local ones.
pub(crate) fn builders() -> Vec<String> {
    std::env::var("INTEGRATION_TEST_BUILDERS")
        .unwrap_or_else(|_| String::from("elixir-cnb-test/builder:bookworm elixir-cnb-test/builder:trixie"))
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// The toolchain each local builder gets from the mirror (its distro's Debian packages).
pub(crate) struct Expected {
    pub(crate) otp: &'static str,
    pub(crate) elixir: &'static str,
}

impl Expected {
    /// What `hello_web` answers at `/` on this toolchain.
    pub(crate) fn hello_web_greeting(&self) -> String {
        let otp_major = self.otp.split('.').next().unwrap_or_default();
        format!(
            "Hello from hello_web! Elixir {} on Erlang/OTP {otp_major}\n",
            self.elixir
        )
    }
}

pub(crate) fn expected_toolchain(builder: &str) -> Expected {
    if builder.ends_with(":trixie") {
        Expected {
            otp: "27.3.4.1",
            elixir: "1.18.3",
        }
    } else {
        Expected {
            otp: "25.2.3",
            elixir: "1.14.0",
        }
    }
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-fixtures")
        .join(name)
}

/// Copies the tree `from` into `to` (made if missing), as `cp -a` does: modes and times kept.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .expect("cp");
    assert!(status.success());
}

/// An `elixir_buildpack.config` that pins `expected`'s toolchain exactly, so that a warm build asks no
/// index either.
pub(crate) fn toolchain_pin(expected: &Expected) -> String {
    format!(
        "erlang_version={}\nelixir_version={}\n",
        expected.otp, expected.elixir
    )
}

/// Writes [`toolchain_pin`] as the `elixir_buildpack.config` of the app in `dir`.
pub(crate) fn pin_toolchain(dir: &Path, expected: &Expected) {
    std::fs::write(dir.join("elixir_buildpack.config"), toolchain_pin(expected)).expect("write");
}

/// The packaged buildpack (`scripts/package`): `ELIXIR_CNB_CLUSTER_BUILDPACK`, else the amd64 static one.
pub(crate) fn buildpack_dir() -> PathBuf {
    let dir = std::env::var_os("ELIXIR_CNB_CLUSTER_BUILDPACK").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/buildpack/x86_64-unknown-linux-musl/release/elixir-cnb_elixir")
        },
        PathBuf::from,
    );
    assert!(
        dir.join("buildpack.toml").is_file(),
        "no packaged buildpack at {}: scripts/test packages it first (scripts/package)",
        dir.display()
    );
    dir
}

/// `pack build image` on `builder` of the source in `app`, with the packaged buildpack
/// ([`buildpack_dir`]) and toolchains from `hex_builds_url`, on the host network, never pulling the
/// builder; `extra_args` after the image's name, `env` for pack itself. Returns pack's stdout and stderr
/// (it must succeed).
pub(crate) fn pack_build(
    image: &str,
    builder: &str,
    app: &Path,
    hex_builds_url: &str,
    extra_args: &[&str],
    env: &[(&str, &str)],
) -> String {
    output_of(
        std::process::Command::new("pack")
            .envs(env.iter().copied())
            .args(["build", image])
            .args(extra_args)
            .args(["--builder", builder, "--trust-builder", "--pull-policy", "never"])
            .arg("--buildpack")
            .arg(buildpack_dir())
            .arg("--path")
            .arg(app)
            .args(["--env", &format!("HEX_BUILDS_URL={hex_builds_url}")])
            .args(["--network", "host", "--no-color"]),
        &format!("pack build {image} {extra_args:?} (env {env:?})"),
    )
}

/// Runs `command`; returns its stdout then stderr, and when it fails panics with both (`what` failed).
pub(crate) fn output_of(command: &mut std::process::Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("running {what}: {error}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{what} failed:\n{text}");
    text
}

/// A build of `fixture` on `builder`, with toolchains from `hex_builds_url`.
pub(crate) fn build_config(builder: &str, fixture_name: &str, hex_builds_url: &str) -> BuildConfig {
    let mut config = BuildConfig::new(builder, fixture(fixture_name));
    // No musl target can be installed here; the build image's glibc is the same or newer than the host's.
    config.target_triple(
        std::env::var("INTEGRATION_TEST_TARGET").unwrap_or_else(|_| String::from("x86_64-unknown-linux-gnu")),
    );
    config.env("HEX_BUILDS_URL", hex_builds_url);
    config
}

/// A build that gets its Hex packages, Hex and rebar3 from the local Hex repository `mirror` serves,
/// trusting its keys through the buildpack's settings (PEM text, as a platform passes a config var).
pub(crate) fn hex_build_config(builder: &str, fixture_name: &str, mirror: &mirror::Mirror) -> BuildConfig {
    let mut config = build_config(builder, fixture_name, &mirror.url);
    let pem = |var: &str| {
        let path = std::env::var(var)
            .unwrap_or_else(|_| panic!("{var} is not set: run the integration tests through scripts/test"));
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {path}: {error}"))
    };
    config.env("HEX_MIRROR", &mirror.url);
    // Hex's own settings. Against the tests' mirror (`tiny_http`), Hex's 8 concurrent registry requests
    // now and then got no answer at all (a 60 s registry timeout in `mix deps.get`, on loaded machines
    // only); one at a time they always do. And a loaded 2-core machine can take longer than 15 s.
    config.env("HEX_HTTP_CONCURRENCY", "1");
    config.env("HEX_HTTP_TIMEOUT", "120");
    config.env("HEX_MIRROR_PUBLIC_KEY", pem("ELIXIR_CNB_HEX_REPO_PUBLIC_KEY"));
    config.env(
        "HEX_MIRROR_INSTALLS_PUBLIC_KEY",
        pem("ELIXIR_CNB_HEX_INSTALLS_PUBLIC_KEY"),
    );
    config
}

/// The image `pack build` made, from its output (`Successfully built image '<name>'`).
pub(crate) fn built_image(pack_stdout: &str) -> String {
    pack_stdout
        .lines()
        .find_map(|line| line.split("Successfully built image '").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no image name in the pack output:\n{pack_stdout}"))
        .to_string()
}

/// The requests `mirror` served since `since` whose path contains `part`.
pub(crate) fn requests_since(mirror: &mirror::Mirror, since: usize, part: &str) -> Vec<String> {
    mirror
        .requests()
        .split_off(since)
        .into_iter()
        .filter(|path| path.contains(part))
        .collect()
}

/// Runs `f` for every builder, one thread each.
pub(crate) fn for_each_builder(f: impl Fn(&str) + Sync) {
    let builders = builders();
    // No builder would pass with no build at all.
    assert!(
        !builders.is_empty(),
        "INTEGRATION_TEST_BUILDERS names no builder: a test must build on at least one"
    );
    on_threads(builders, "builder", f);
}

/// The builder of `suite` when it is under test, else the first one under test. For a test (or the part of
/// one) whose subject doesn't change with the stack and whose other stack other tests build: CI's time
/// goes to builds, so each such test names what covers the stack it leaves out.
pub(crate) fn one_builder(suite: &str) -> String {
    one_of(&builders(), suite)
}

/// The one of `under_test` (builder names, which end in `:<suite>`, or suite names) that is `suite`'s,
/// else the first: the rule of [`one_builder`], for the classic tests' suites too.
pub(crate) fn one_of(under_test: &[String], suite: &str) -> String {
    under_test
        .iter()
        .find(|name| name.rsplit(':').next() == Some(suite))
        .or_else(|| under_test.first())
        .cloned()
        .expect("INTEGRATION_TEST_BUILDERS names no builder: a test must build on at least one")
}

/// Runs `f` on [`one_builder`]`(suite)`.
pub(crate) fn on_one_builder(suite: &str, f: impl FnOnce(&str)) {
    f(&one_builder(suite));
}

/// Runs `f` for every one of `items`, one thread each; `kind` names what they are in the failure.
pub(crate) fn on_threads(items: Vec<String>, kind: &str, f: impl Fn(&str) + Sync) {
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .into_iter()
            .map(|item| {
                let f = &f;
                scope.spawn(move || f(&item))
            })
            .collect();
        let failures = handles
            .into_iter()
            .filter_map(|handle| handle.join().err())
            .count();
        assert_eq!(
            failures, 0,
            "the test failed on {failures} {kind}(s), see the panics above"
        );
    });
}

/// GETs `http://address/path` until the server answers (it may still be booting), for up to 30 s; the
/// last error when it never does.
pub(crate) fn try_http_get(address: std::net::SocketAddr, path: &str) -> Result<String, String> {
    let url = format!("http://{address}{path}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match ureq::get(&url).call() {
            Ok(response) => {
                return Ok(response
                    .into_body()
                    .read_to_string()
                    .expect("a readable response body"));
            }
            Err(error) if std::time::Instant::now() > deadline => {
                return Err(format!("GET {url} failed: {error}"));
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(250)),
        }
    }
}

/// [`try_http_get`]; when the server never answers, the panic shows `logs` (the container's).
pub(crate) fn get_showing_logs(
    address: std::net::SocketAddr,
    path: &str,
    logs: impl FnOnce() -> String,
) -> String {
    try_http_get(address, path).unwrap_or_else(|error| panic!("{error}\n--- container logs:\n{}", logs()))
}

/// What `docker logs` says of the container `id`, stdout then stderr.
pub(crate) fn docker_logs(id: &str) -> String {
    let logs = std::process::Command::new("docker")
        .args(["logs", id])
        .output()
        .expect("docker logs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&logs.stdout),
        String::from_utf8_lossy(&logs.stderr)
    )
}

/// A container of the built image, serving HTTP.
pub(crate) struct Server<'a> {
    container: &'a libcnb_test::ContainerContext,
    pub(crate) address: std::net::SocketAddr,
}

impl Server<'_> {
    /// GETs `path` until the server answers (for up to 30 s); when it never does, the panic shows the
    /// container's logs.
    pub(crate) fn get(&self, path: &str) -> String {
        get_showing_logs(self.address, path, || self.container.logs_now().to_string())
    }
}

/// Starts a container of the built image (`config`, with `port` exposed and `PORT` set to it), and runs
/// `f` while it serves: the one way the tests start a web process and GET from it.
pub(crate) fn serve(
    context: &libcnb_test::TestContext<'_>,
    port: u16,
    config: &mut libcnb_test::ContainerConfig,
    f: impl FnOnce(&Server<'_>),
) {
    config.expose_port(port).env("PORT", port.to_string());
    context.start_container(&*config, |container| {
        f(&Server {
            address: container.address_for_port(port),
            container: &container,
        });
    });
}

/// The (name, version) of every component in the release layer's launch SBOM (`pack sbom download`).
pub(crate) fn launch_sbom_components(context: &libcnb_test::TestContext) -> Vec<(String, String)> {
    context.download_sbom_files(|files| {
        let path = files.path_for(
            libcnb::data::buildpack_id!("elixir-cnb/elixir"),
            libcnb_test::SbomType::Layer(libcnb::data::layer_name!("release")),
            libcnb::data::sbom::SbomFormat::CycloneDxJson,
        );
        let sbom: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("no launch SBOM at {}: {error}", path.display())),
        )
        .expect("JSON");
        assert_eq!(sbom["bomFormat"], "CycloneDX");
        sbom["components"]
            .as_array()
            .expect("components")
            .iter()
            .map(|component| {
                (
                    component["name"].as_str().unwrap_or_default().to_string(),
                    component["version"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    })
}
