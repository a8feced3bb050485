//! Images run on a read-only root filesystem (`docker run --read-only` with a tmpfs for /tmp), as
//! hardened platforms run them, and boot compiled: the first HTTP answer comes without Mix compiling,
//! generating the `.app` or consolidating protocols at boot, in release mode and in mix-at-runtime mode.

use crate::mirror::Mirror;
use crate::{build_config, builders, docker_logs, try_http_get};
use libcnb_test::{TestContext, TestRunner, assert_contains};
use std::process::Command;

const PORT: u16 = 8080;

fn image_name(context: &TestContext) -> String {
    context
        .pack_stdout
        .lines()
        .find_map(|line| line.strip_prefix("Successfully built image "))
        .map(|name| name.trim().trim_matches('\'').to_string())
        .expect("pack names the image")
}

/// Starts the image's default process read-only, GETs `/`, and returns the answer and the logs.
fn serve_read_only(context: &TestContext) -> (String, String) {
    let run = Command::new("docker")
        .args(["run", "--detach", "--read-only", "--tmpfs", "/tmp"])
        .args([
            "--publish",
            &format!("127.0.0.1::{PORT}"),
            "--env",
            &format!("PORT={PORT}"),
        ])
        .arg(image_name(context))
        .output()
        .expect("docker run");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let id = String::from_utf8_lossy(&run.stdout).trim().to_string();
    let port = Command::new("docker")
        .args(["port", &id, &PORT.to_string()])
        .output()
        .expect("docker port");
    let address: std::net::SocketAddr = String::from_utf8_lossy(&port.stdout)
        .lines()
        .next()
        .and_then(|line| line.trim().parse().ok())
        .expect("a published port");
    let body = try_http_get(address, "/");
    let logs = docker_logs(&id);
    let _ = Command::new("docker").args(["rm", "--force", &id]).output();
    // As `get_showing_logs`, once the container is gone.
    (
        body.unwrap_or_else(|error| panic!("{error}\n--- container logs:\n{logs}")),
        logs,
    )
}

fn assert_booted_compiled(logs: &str) {
    for compiling in ["Compiling", "Generated", "Consolidated", "read-only file system"] {
        assert!(!logs.contains(compiling), "the app compiled at boot:\n{logs}");
    }
}

#[test]
#[ignore = "integration test"]
fn read_only_images_boot_compiled_in_both_modes() {
    let builder = builders().into_iter().next().expect("a builder");
    let mirror = Mirror::healthy();
    TestRunner::default().build(build_config(&builder, "hello_web", &mirror.url), |context| {
        let (body, logs) = serve_read_only(&context);
        assert!(body.starts_with("Hello from hello_web!"), "{body}");
        assert_booted_compiled(&logs);
    });
    for fixture in ["hello_web", "phoenix_app"] {
        let mut mix_mode = build_config(&builder, fixture, &mirror.url);
        mix_mode.app_dir_preprocessor(|app_dir| {
            std::fs::write(app_dir.join("elixir_buildpack.config"), "release=false\n").expect("write");
        });
        TestRunner::default().build(&mix_mode, |context| {
            let (body, logs) = serve_read_only(&context);
            assert!(body.starts_with("Hello from"), "{fixture}: {body}");
            if fixture == "phoenix_app" {
                // A Phoenix app in Mix mode runs `mix phx.server`, whose endpoint serves.
                assert_contains!(context.pack_stderr, "- Processes\n  - web: mix phx.server\n");
                assert_eq!(body, "Hello from a Phoenix-style app (PHX_SERVER=true)\n");
            }
            assert_booted_compiled(&logs);
            // On a writable filesystem too: nothing compiles at boot.
            let shell = context.run_shell_command("mix compile 2>&1; echo done");
            assert_eq!(shell.stdout, "done\n", "{fixture}");
        });
    }
}
