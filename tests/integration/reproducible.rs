//! Reproducible images with no secret inside: the same inputs give the same image digest, cold or warm,
//! and the Erlang cookie is made per container at launch (or taken from `RELEASE_COOKIE`).

use crate::mirror::Mirror;
use crate::{build_config, builders};
use libcnb_test::{ContainerConfig, ContainerContext, TestContext, TestRunner, assert_contains};
use std::process::Command;

const PORT: u16 = 8080;
const RELEASE_BIN: &str = "/layers/elixir-cnb_elixir/release/bin/hello_web";

/// The full image ID (its config digest) of the image a test built.
fn image_id(context: &TestContext) -> String {
    let name = context
        .pack_stdout
        .lines()
        .find_map(|line| line.strip_prefix("Successfully built image "))
        .map_or_else(
            || panic!("no image name in pack's output:\n{}", context.pack_stdout),
            |name| name.trim().trim_matches('\'').to_string(),
        );
    let output = Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", &name])
        .output()
        .expect("docker image inspect");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
#[ignore = "integration test"]
fn same_inputs_give_the_same_image_digest() {
    // Four builds: 1. cold; 2. a warm rebuild of it, the same image; 3. cold again from empty caches, the
    // same image; 4. one changed source file, a different image.
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    let config = build_config(&builder, "hello_web", &mirror.url);

    let (mut cold, mut warm, mut second_cold, mut changed) = Default::default();
    TestRunner::default().build(&config, |context| {
        cold = image_id(&context);
        context.rebuild(&config, |rebuild| {
            assert_contains!(rebuild.pack_stderr, "Reusing release `hello_web`");
            warm = image_id(&rebuild);
        });
    });
    TestRunner::default().build(&config, |context| second_cold = image_id(&context));
    assert_eq!(cold, second_cold, "two builds from empty caches differ");
    assert_eq!(cold, warm, "a warm rebuild differs from the cold build");

    let mut edited = build_config(&builder, "hello_web", &mirror.url);
    edited.app_dir_preprocessor(|app_dir| {
        let greeting = app_dir.join("lib/hello_web.ex");
        let source = std::fs::read_to_string(&greeting).expect("read");
        assert!(source.contains("Hello from hello_web!"));
        let source = source.replace("Hello from hello_web!", "Hello again from hello_web!");
        std::fs::write(&greeting, source).expect("write");
    });
    TestRunner::default().build(&edited, |context| changed = image_id(&context));
    assert_ne!(cold, changed, "a changed source file must change the image");
}

fn start(context: &TestContext, env: &[(&str, &str)], f: impl FnOnce(&ContainerContext)) {
    let mut config = ContainerConfig::new();
    config.expose_port(PORT).env("PORT", PORT.to_string());
    for (name, value) in env {
        config.env(*name, *value);
    }
    context.start_container(config, |container| {
        crate::get_showing_logs(container.address_for_port(PORT), "/", || {
            container.logs_now().to_string()
        });
        f(&container);
    });
}

/// `bin/hello_web rpc` from a second process in the container, through `docker exec` without the
/// launcher (a shell opened with the platform's exec), retried while the node boots.
fn rpc_without_launcher(container: &ContainerContext, expression: &str) -> String {
    let mut last = String::new();
    for _ in 0..40 {
        let output = Command::new("docker")
            .args(["exec", &container.container_name, RELEASE_BIN, "rpc", expression])
            .output()
            .expect("docker exec");
        if output.status.success() {
            return String::from_utf8_lossy(&output.stdout).to_string();
        }
        last = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("rpc never reached the node: {last}");
}

#[test]
#[ignore = "integration test"]
fn each_container_makes_its_own_cookie_and_none_is_in_the_image() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(&builder, "hello_web", &mirror.url), |context| {
        let link =
            context.run_shell_command("readlink /layers/elixir-cnb_elixir/release/hello_web/releases/COOKIE");
        assert_eq!(link.stdout, "/tmp/elixir-cnb/cookie\n");

        let mut cookies = Vec::new();
        for _ in 0..2 {
            start(&context, &[], |container| {
                // Through the launcher (exec.d runs again, and finds the container's cookie) ...
                let cookie = container.shell_exec("printf %s \"$RELEASE_COOKIE\"").stdout;
                assert_eq!(cookie.len(), 64, "{cookie}");
                assert_eq!(
                    container
                        .shell_exec(format!("{RELEASE_BIN} rpc 'IO.puts(Node.get_cookie())'"))
                        .stdout,
                    format!("{cookie}\n")
                );
                // ... and from a plain shell, which reads releases/COOKIE through the link.
                assert_eq!(
                    rpc_without_launcher(container, "IO.puts(Node.get_cookie())"),
                    format!("{cookie}\n")
                );
                // Nowhere in the image's files.
                let found = container.shell_exec(format!(
                    "grep -rlF {cookie} /layers /workspace /cnb 2>/dev/null || echo none"
                ));
                assert_eq!(found.stdout, "none\n");
                cookies.push(cookie);
            });
        }
        assert_ne!(cookies[0], cookies[1], "two containers share a cookie");
    });
}

#[test]
#[ignore = "integration test"]
fn release_cookie_from_the_platform_is_used() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(&builder, "hello_web", &mirror.url), |context| {
        start(
            &context,
            &[("RELEASE_COOKIE", "cookie-from-the-platform")],
            |container| {
                assert_eq!(
                    container
                        .shell_exec(format!("{RELEASE_BIN} rpc 'IO.puts(Node.get_cookie())'"))
                        .stdout,
                    "cookie-from-the-platform\n"
                );
                assert_eq!(
                    container
                        .shell_exec("test -e /tmp/elixir-cnb/cookie && echo made || echo not made")
                        .stdout,
                    "not made\n"
                );
            },
        );
    });
}
