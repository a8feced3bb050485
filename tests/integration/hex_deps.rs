//! Real Hex dependencies from the local Hex repository: rebar3-built deps (the cowboy stack), a C NIF
//! (`bcrypt_elixir`), the Hex package and rebar3 caches, and a private organization whose key never
//! reaches the image, the caches or the log.

use crate::mirror::{Mirror, hex_org_key};
use crate::{builders, built_image, hex_build_config, requests_since};
use libcnb_test::{ContainerConfig, TestRunner, assert_contains, assert_not_contains};
use std::process::Command;

const PORT: u16 = 8080;

fn fingerprint(var: &str) -> String {
    use sha2::{Digest, Sha256};
    let path = std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set"));
    let pem = std::fs::read_to_string(&path).expect("a key file");
    let digest = Sha256::digest(pem.trim().as_bytes());
    digest.iter().take(8).fold(String::new(), |mut hex, byte| {
        use std::fmt::Write;
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// `plug_cowboy_app` (with `MIX_ENV=staging`) without its `jason` dependency, in mix.exs and mix.lock.
fn without_jason(builder: &str, mirror: &Mirror) -> libcnb_test::BuildConfig {
    let mut config = hex_build_config(builder, "plug_cowboy_app", mirror);
    config.env("MIX_ENV", "staging");
    config.app_dir_preprocessor(|app_dir| {
        let edit = |path: &str, from: &str, to: &str| {
            let file = app_dir.join(path);
            let text = std::fs::read_to_string(&file).expect("read");
            assert!(text.contains(from), "{path}: {from}");
            std::fs::write(&file, text.replace(from, to)).expect("write");
        };
        edit("mix.exs", ",\n      {:jason, \"~> 1.4\"}", "");
        edit(
            "lib/plug_cowboy_app/router.ex",
            "Jason.encode!(PlugCowboyApp.stack())",
            "inspect(PlugCowboyApp.stack())",
        );
        let lock = app_dir.join("mix.lock");
        let text = std::fs::read_to_string(&lock).expect("read");
        let kept: Vec<&str> = text.lines().filter(|line| !line.contains("\"jason\"")).collect();
        std::fs::write(&lock, kept.join("\n") + "\n").expect("write");
    });
    config
}

#[test]
#[ignore = "integration test"]
#[allow(clippy::too_many_lines)] // one build and its warm rebuilds, each with what it proves
fn rebar3_deps_build_and_a_warm_rebuild_downloads_no_package() {
    // On one stack: `classic_hex`'s rebar3 test builds this app cold and warm on bookworm, through the
    // same Mix steps, with the same Hex settings; the layers, their rules and the SBOM don't change with
    // the stack.
    crate::on_one_builder("trixie", |builder| {
        let mirror = Mirror::healthy();
        let config = hex_build_config(builder, "plug_cowboy_app", &mirror);
        TestRunner::default().build(&config, |context| {
            let output = &context.pack_stderr;
            // The mirror's keys are trusted through the settings, and said so; Hex and rebar3 are installed.
            assert_contains!(
                output,
                &format!(
                    "  - Trusting Hex and rebar3 install lists signed with key {} (the value of \
                     HEX_MIRROR_INSTALLS_PUBLIC_KEY)\n",
                    fingerprint("ELIXIR_CNB_HEX_INSTALLS_PUBLIC_KEY")
                )
            );
            assert_contains!(
                output,
                &format!(
                    "  - Trusting the Hex registry at {} signed with key {} (the value of \
                     HEX_MIRROR_PUBLIC_KEY)\n",
                    mirror.url,
                    fingerprint("ELIXIR_CNB_HEX_REPO_PUBLIC_KEY")
                )
            );
            assert_contains!(output, "===> Compiling cowboy\n");
            let requests = mirror.requests();
            for path in [
                "/installs/hex-1.x.csv",
                "/installs/rebar3-1.x.csv",
                "/tarballs/cowboy-2.17.0.tar",
                "/tarballs/plug_cowboy-2.7.5.tar",
            ] {
                assert!(
                    requests.iter().any(|request| request == path),
                    "{path}: {requests:?}"
                );
            }
            crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
                    // A JSON object (its key order differs between OTP versions).
                    let body: serde_json::Value =
                        serde_json::from_str(&server.get("/")).expect("JSON");
                    assert_eq!(
                        body,
                        serde_json::json!({"cowboy": "2.17.0", "cowlib": "2.18.0", "plug_cowboy": "2.7.5", "ranch": "2.2.0"})
                    );
                },
            );

            // `pack sbom download`: the launch SBOM lists the toolchain and every Hex package of mix.lock.
            let expected = crate::expected_toolchain(builder);
            let mut components = vec![
                ("Erlang/OTP".to_string(), expected.otp.to_string()),
                ("Elixir".to_string(), expected.elixir.to_string()),
            ];
            for (name, version) in [
                ("cowboy", "2.17.0"),
                ("cowboy_telemetry", "0.4.0"),
                ("cowlib", "2.18.0"),
                ("jason", "1.4.5"),
                ("mime", "2.0.7"),
                ("plug", "1.19.2"),
                ("plug_cowboy", "2.7.5"),
                ("plug_crypto", "2.1.1"),
                ("ranch", "2.2.0"),
                ("telemetry", "1.4.1"),
            ] {
                components.push((name.to_string(), version.to_string()));
            }
            assert_eq!(crate::launch_sbom_components(&context), components);

            // A warm rebuild: Hex, rebar3 and every package come from the caches. A config var changed,
            // so Mix runs (with nothing changed it wouldn't): `deps.get` finds deps/ in order.
            let before = mirror.requests().len();
            let mut config_var = config.clone();
            config_var.env("FEATURE_FLAG", "on");
            context.rebuild(&config_var, |rebuild| {
                assert_contains!(
                    rebuild.pack_stderr,
                    "  - Using cached Hex\n  - Using cached rebar3\n"
                );
                assert_contains!(rebuild.pack_stderr, "  - Using cached deps\n");
                // deps/ matches mix.lock: no package, registry record or install list is asked for (the
                // fixture leaves its versions unpinned, so only the toolchain indexes are read).
                assert_contains!(
                    rebuild.pack_stderr,
                    "All dependencies are up to date (deps/ matches mix.lock: nothing to fetch or check)\n"
                );
                let asked: Vec<String> = requests_since(&mirror, before, "/")
                    .into_iter()
                    .filter(|path| !path.starts_with("/builds/"))
                    .collect();
                assert!(asked.is_empty(), "the warm rebuild asked the mirror for {asked:?}");

                // Dropping `deps` (a new MIX_ENV) fetches no tarball either: the Hex package cache has them.
                let before = mirror.requests().len();
                let mut staging = hex_build_config(builder, "plug_cowboy_app", &mirror);
                staging.env("MIX_ENV", "staging");
                rebuild.rebuild(&staging, |staging| {
                    assert_contains!(
                        staging.pack_stderr,
                        "  - Discarding cached deps since MIX_ENV changed from prod to staging\n"
                    );
                    assert_contains!(staging.pack_stderr, "cached Hex package(s)\n");
                    let fetched = requests_since(&mirror, before, "/tarballs/");
                    assert!(fetched.is_empty(), "fetched {fetched:?}");
                    assert_contains!(staging.pack_stderr, "* Getting cowboy (Hex package)\n");

                    // A dependency dropped from mix.exs and mix.lock: the deps cache stays, Mix fetches
                    // nothing, and the unused package is cleaned out, so it reaches neither the release
                    // nor the cache.
                    let before = mirror.requests().len();
                    let without_jason = without_jason(builder, &mirror);
                    staging.rebuild(&without_jason, |without| {
                        assert_contains!(
                            without.pack_stderr,
                            "  - Using cached deps: mix.lock changed, so Mix fetches and recompiles the dependencies that changed, and the unused ones are removed\n"
                        );
                        assert_contains!(without.pack_stderr, "* Cleaning jason\n");
                        // Only dependencies are cleaned: the layer's own files are none.
                        assert_not_contains!(without.pack_stderr, "env.launch");
                        // A changed lock always goes through `mix deps.get`.
                        assert_not_contains!(without.pack_stderr, "nothing to fetch or check");
                        let fetched = requests_since(&mirror, before, "/tarballs/");
                        assert!(fetched.is_empty(), "fetched {fetched:?}");
                        let release = without.run_shell_command(
                            "ls /layers/elixir-cnb_elixir/release/plug_cowboy_app/lib | sed 's/-.*//' | sort | tr '\\n' ' '",
                        );
                        assert!(!release.stdout.contains("jason"), "{}", release.stdout);
                        assert_contains!(release.stdout, "plug_cowboy ");
                    });
                });
            });
        });
    });
}

#[test]
#[ignore = "integration test"]
fn a_c_nif_compiles_with_the_build_image_s_compiler() {
    // On one stack: `classic_hex`'s rebar3 test compiles this NIF in each stack's build image (the
    // builders' own) and runs it in its run image; what is the CNB's own here (the NIF ships in the
    // release layer, the compiler stays out of the image) doesn't change with the stack.
    crate::on_one_builder("trixie", |builder| {
        let mirror = Mirror::healthy();
        TestRunner::default().build(hex_build_config(builder, "bcrypt_app", &mirror), |context| {
            assert_contains!(context.pack_stderr, "==> bcrypt_elixir\n");
            crate::serve(&context, PORT, &mut ContainerConfig::new(), |server| {
                    assert_eq!(
                        server.get("/"),
                        "bcrypt $2b$04$ verified=true\n"
                    );
                },
            );
            // The NIF ships in the release; the compiler does not ship in the image.
            let shell = context.run_shell_command(
                "ls /layers/elixir-cnb_elixir/release/bcrypt_app/lib/bcrypt_elixir-*/priv; command -v cc || echo 'no cc'",
            );
            assert_contains!(shell.stdout, "bcrypt_nif.so\n");
            assert_contains!(shell.stdout, "no cc\n");
        });
    });
}

#[test]
#[ignore = "integration test"]
fn a_private_organization_s_key_stays_out_of_the_image_the_caches_and_the_log() {
    let builder = builders().into_iter().next().expect("a builder");
    let key = hex_org_key().expect("ELIXIR_CNB_HEX_ORG_KEY_FILE is not set: run through scripts/test");
    let org = std::env::var("ELIXIR_CNB_HEX_ORG").expect("ELIXIR_CNB_HEX_ORG");
    let mirror = Mirror::healthy();

    // Without the key, the organization's package can't be fetched.
    let mut without_key = hex_build_config(&builder, "org_app", &mirror);
    without_key.expected_pack_result(libcnb_test::PackResult::Failure);
    TestRunner::default().build(&without_key, |context| {
        assert_contains!(context.pack_stderr, "! `mix deps.get --only prod` failed\n");
    });

    let mut config = hex_build_config(&builder, "org_app", &mirror);
    config.env("HEX_ORGANIZATION", &org);
    config.env("HEX_ORGANIZATION_KEY", &key);
    TestRunner::default().build(&config, |context| {
        let log = format!("{}{}", context.pack_stdout, context.pack_stderr);
        assert_contains!(
            log,
            &format!(
                "  - Authenticating to Hex organization `{org}` at {}/repos/{org} with HEX_ORGANIZATION_KEY \
                 (kept out of the caches, the image and this log)\n",
                mirror.url
            )
        );
        assert!(!log.contains(&key), "the build log shows the organization's key");
        let tarball = format!("/repos/{org}/tarballs/{org}_hello-0.1.0.tar");
        assert!(mirror.requests().contains(&tarball), "{:?}", mirror.requests());

        let hello = context.run_shell_command("org_app eval 'IO.write(OrgApp.hello())'");
        assert_eq!(hello.stdout, r#"{"hello":"org_app"}"#);

        // Not in any file of the image, its launch env or its layer metadata (labels)...
        let image = built_image(&context.pack_stdout);
        let grep = context.run_shell_command(format!(
            "grep -rlF -e '{key}' /layers /workspace /cnb /home /tmp /etc 2>/dev/null; env | grep -cF -e '{key}'; true"
        ));
        assert_eq!(grep.stdout.trim(), "0", "files or env with the key: {}", grep.stdout);
        let labels = Command::new("docker")
            .args(["image", "inspect", "--format", "{{json .Config}}", &image])
            .output()
            .expect("docker image inspect");
        assert!(labels.status.success());
        let labels = String::from_utf8_lossy(&labels.stdout);
        assert!(labels.contains("io.buildpacks.lifecycle.metadata"), "{labels}");
        assert!(!labels.contains(&key), "the image config has the key");

        // ... nor in the build cache (the cached layers and their metadata).
        let cache = Command::new("docker")
            .args([
                "run",
                "--rm",
                "--network",
                "none",
                "--user",
                "0",
                "--volume",
                &format!("{image}.build-cache:/cache:ro"),
                "--entrypoint",
                "bash",
                &builder.replace("/builder:", "/run:"),
                "-c",
                &format!("ls /cache | wc -l; grep -rlF -e '{key}' /cache; true"),
            ])
            .output()
            .expect("docker run");
        let cache = String::from_utf8_lossy(&cache.stdout).to_string();
        let mut lines = cache.lines();
        let entries: usize = lines.next().and_then(|count| count.trim().parse().ok()).unwrap_or(0);
        assert!(entries > 0, "the build cache volume is empty or unreadable: {cache}");
        assert_eq!(lines.collect::<Vec<_>>(), Vec::<&str>::new(), "cache files with the key");
    });
}
