//! The buildpack as users get it: the multi-arch image that `scripts/package` published to the local
//! registry (static musl binaries for linux/amd64 and linux/arm64), used by its registry reference,
//! `pack build --buildpack 127.0.0.1:5000/elixir-cnb/elixir:<version>`, and pulled from that registry for
//! real: the engine's copy is deleted first, and the `pack` shim lets pack pull a buildpack from a loopback
//! registry (if-not-present) while everything else stays local.

use crate::mirror::Mirror;
use crate::{build_config, expected_toolchain, for_each_builder};
use indoc::formatdoc;
use libcnb_test::{BuildpackReference, ContainerConfig, TestRunner, assert_contains};
use std::process::Command;

const PORT: u16 = 8080;
const REPOSITORY: &str = "elixir-cnb/elixir";

fn registry() -> String {
    std::env::var("ELIXIR_CNB_REGISTRY").unwrap_or_else(|_| String::from("127.0.0.1:5000"))
}

/// The version of buildpack.toml, which `versions.rs` checks is the crate's.
fn reference() -> String {
    format!("{}/{REPOSITORY}:{}", registry(), env!("CARGO_PKG_VERSION"))
}

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker").args(args).output().expect("docker runs")
}

/// The manifest list in the registry, read over its HTTP API: its digest and the platform of each entry.
fn manifest_list() -> (String, Vec<String>) {
    let url = format!(
        "http://{}/v2/{REPOSITORY}/manifests/{}",
        registry(),
        env!("CARGO_PKG_VERSION")
    );
    let response = ureq::get(&url)
        .header(
            "Accept",
            "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json",
        )
        .call()
        .unwrap_or_else(|error| {
            panic!("GET {url}: {error} (scripts/package publishes the image; scripts/test runs it first)")
        });
    let digest = response
        .headers()
        .get("docker-content-digest")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response
        .into_body()
        .read_to_string()
        .expect("a readable manifest");
    let index: serde_json::Value = serde_json::from_str(&body).expect("the manifest is JSON");
    let platforms = index["manifests"]
        .as_array()
        .unwrap_or_else(|| panic!("{url} is not a manifest list: {body}"))
        .iter()
        .map(|entry| {
            let platform = &entry["platform"];
            format!(
                "{}/{}",
                platform["os"].as_str().unwrap_or_default(),
                platform["architecture"].as_str().unwrap_or_default()
            )
        })
        .collect();
    (digest, platforms)
}

#[test]
#[ignore = "integration test"]
fn hello_web_builds_with_the_buildpack_pulled_from_the_registry() {
    let (list_digest, platforms) = manifest_list();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"]);

    let reference = reference();
    // Pull for real: no copy of the buildpack image in the engine before the builds.
    docker(&["image", "rm", "--force", &reference]);
    assert!(
        !docker(&["image", "inspect", &reference]).status.success(),
        "{reference} is still in the engine after `docker image rm`"
    );

    for_each_builder(|builder| {
        let expected = expected_toolchain(builder);
        let mirror = Mirror::healthy();
        let mut config = build_config(builder, "hello_web", &mirror.url);
        config.buildpacks([BuildpackReference::Other(reference.clone())]);
        TestRunner::default().build(&config, |context| {
            assert_contains!(
                context.pack_stderr,
                &formatdoc! {"
                    - Versions
                      - Erlang/OTP {otp} (default)
                      - Elixir {elixir} (default)
                ", otp = expected.otp, elixir = expected.elixir}
            );
            assert_contains!(context.pack_stderr, "\n- Processes\n  - web: hello_web start\n");
            // The buildpack that ran is the registry's: pack lists the buildpack image's ID and version.
            assert_contains!(
                context.pack_stdout,
                &format!("\n{REPOSITORY} {}\n", env!("CARGO_PKG_VERSION"))
            );

            crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
                assert_eq!(server.get("/"), expected.hello_web_greeting());
            });
        });
    });

    // The engine's copy now is the one pulled from the registry: Docker records the list's digest.
    let inspected = docker(&[
        "image",
        "inspect",
        "--format",
        "{{range .RepoDigests}}{{println .}}{{end}}",
        &reference,
    ]);
    let digests = String::from_utf8_lossy(&inspected.stdout);
    let expected = format!("{}/{REPOSITORY}@{list_digest}", registry());
    assert!(
        digests.lines().any(|line| line == expected),
        "pack did not pull {reference} from the registry: the engine's copy has digests {digests:?}, not {expected}"
    );
}
