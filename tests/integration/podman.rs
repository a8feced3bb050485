//! `pack build` against podman instead of a Docker daemon (Debian's podman, rootful, through its
//! Docker-compatible socket, `scripts/provision.d/podman.sh`), as teams without Docker run it: the build,
//! a warm rebuild from podman's volume cache, and the image started by podman answering.

use crate::mirror::Mirror;
use crate::{builders, copy_dir, expected_toolchain, fixture, pin_toolchain, try_http_get};
use libcnb_test::assert_contains;
use std::process::Command;

fn socket() -> String {
    std::env::var("ELIXIR_CNB_PODMAN_SOCKET").unwrap_or_else(|_| {
        panic!("ELIXIR_CNB_PODMAN_SOCKET is not set: run the integration tests through scripts/test")
    })
}

/// `pack build` with podman as the engine: `DOCKER_HOST` names its socket, and `--docker-host inherit`
/// gives the lifecycle that socket too (pack's default is Docker's own, where the image would go).
fn pack_build(image: &str, builder: &str, app: &std::path::Path, mirror: &Mirror) -> String {
    crate::pack_build(
        image,
        builder,
        app,
        &mirror.url,
        &["--docker-host", "inherit"],
        &[("DOCKER_HOST", &format!("unix://{}", socket()))],
    )
}

fn podman(args: &[&str]) -> String {
    let output = Command::new("podman").args(args).output().expect("podman");
    assert!(
        output.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
#[ignore = "integration test"]
fn pack_builds_with_podman_rebuilds_from_its_volume_cache_and_podman_runs_the_image() {
    let builder = builders()
        .into_iter()
        .find(|builder| builder.ends_with(":bookworm"))
        .unwrap_or_else(|| builders()[0].clone());
    let expected = expected_toolchain(&builder);
    let mirror = Mirror::healthy();
    let app = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture("hello_web"), app.path());
    pin_toolchain(app.path(), &expected);
    let image = format!("elixir-cnb-test/podman-{}", std::process::id());

    let cold = pack_build(&image, &builder, app.path(), &mirror);
    assert_contains!(
        cold,
        &format!(
            "- Erlang/OTP {otp}\n  - Downloading {}/builds/otp/",
            mirror.url,
            otp = expected.otp
        )
    );
    assert_contains!(cold, &format!("Successfully built image '{image}'"));
    // In podman's storage, not Docker's.
    assert!(!podman(&["image", "inspect", "--format", "{{.Id}}", &image]).is_empty());
    let in_docker = Command::new("docker")
        .args(["image", "inspect", &image])
        .output()
        .expect("docker");
    assert!(!in_docker.status.success(), "the image went to Docker's engine");

    let before = mirror.requests().len();
    let warm = pack_build(&image, &builder, app.path(), &mirror);
    assert!(
        mirror.requests().len() == before,
        "the warm build fetched {:?}",
        mirror.requests().split_off(before)
    );
    assert_contains!(
        warm,
        "  - Using cached deps\n  - Using cached _build (Mix recompiles only what changed)\n"
    );
    assert_contains!(
        warm,
        "  - Reusing release `hello_web`: nothing it is made from changed\n"
    );

    let port = crate::heroku::free_port();
    let id = podman(&[
        "run",
        "--detach",
        "--publish",
        &format!("127.0.0.1:{port}:8080"),
        "--env",
        "PORT=8080",
        &image,
    ]);
    let answer = try_http_get(([127, 0, 0, 1], port).into(), "/");
    let logs = Command::new("podman")
        .args(["logs", &id])
        .output()
        .expect("podman logs");
    let _ = Command::new("podman").args(["rm", "--force", &id]).output();
    // pack names its cache volumes after the image.
    let volumes = podman(&["volume", "ls", "--quiet"]);
    let prefix = format!("pack-cache-{}_latest-", image.replace('/', "_"));
    for volume in volumes.lines().filter(|volume| volume.starts_with(&prefix)) {
        let _ = Command::new("podman")
            .args(["volume", "rm", "--force", volume])
            .output();
    }
    let _ = Command::new("podman").args(["rmi", "--force", &image]).output();
    let answer = answer.unwrap_or_else(|error| {
        panic!(
            "{error}\nthe container's logs:\n{}{}",
            String::from_utf8_lossy(&logs.stdout),
            String::from_utf8_lossy(&logs.stderr)
        )
    });
    assert_contains!(answer, "Hello from hello_web!");
}
