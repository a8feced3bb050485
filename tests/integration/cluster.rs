//! Builds the way clusters run them (kpack, Tekton's buildpacks task, Heroku Fir): the CNB lifecycle
//! started in the builder image as a plain container, with no Docker socket and no cache volume. It pulls
//! the run image from the registry (`scripts/provision`'s, on 127.0.0.1), exports the app image there and
//! keeps its cache as an image there too (`-cache-image`); each build gets fresh, empty `/layers`, as a
//! new pod does. The buildpack is the static binary users get (`scripts/package`'s), mounted where a
//! builder has its buildpacks, with an `order.toml` naming it.

use crate::mirror::Mirror;
use crate::{builders, buildpack_dir, copy_dir, fixture, try_http_get};
use libcnb_test::assert_contains;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The lifecycle's phases as a cluster runs them one by one: each with the flags it takes (their values
/// the app's) and whether it takes the app image's name. `docs/cluster/tekton-buildpacks-phases.yaml`
/// runs the same (checked below).
const PHASES: &[(&str, &[&str], bool)] = &[
    ("analyzer", &["-cache-image", "-run-image"], true),
    ("detector", &[], false),
    ("restorer", &["-cache-image"], false),
    ("builder", &[], false),
    ("exporter", &["-cache-image"], true),
];

/// The registry `scripts/provision` runs.
fn registry() -> String {
    std::env::var("ELIXIR_CNB_REGISTRY").unwrap_or_else(|_| String::from("127.0.0.1:5000"))
}

fn docker(args: &[&str]) -> std::process::Output {
    let output = Command::new("docker").args(args).output().expect("docker");
    assert!(
        output.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The builder's CNB user and group, which own what the lifecycle writes.
const CNB_USER: &str = "1002:1000";

/// A cluster's view of one app: its source, the platform env (config vars as files, as kpack and
/// Tekton mount them), and where the app image and its cache image live in the registry.
struct ClusterApp {
    dir: tempfile::TempDir,
    builder: String,
    pub(crate) image: String,
    cache_image: String,
    run_image: String,
}

impl ClusterApp {
    /// `fixture` built on `builder`, its image and cache named after `name` in the registry.
    fn new(builder: &str, fixture_name: &str, name: &str, mirror: &Mirror) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let suite = builder.rsplit(':').next().unwrap_or_default();
        let run_image = format!("{}/elixir-cnb-test/run:{suite}", registry());
        // The run image comes from the registry, as a cluster's does.
        docker(&["tag", &format!("elixir-cnb-test/run:{suite}"), &run_image]);
        docker(&["push", "--quiet", &run_image]);
        let app = Self {
            builder: builder.to_string(),
            image: format!("{}/apps/{name}:latest", registry()),
            cache_image: format!("{}/cache/{name}:latest", registry()),
            run_image,
            dir,
        };
        copy_dir(&fixture(fixture_name), &app.source());
        let env = app.dir.path().join("platform/env");
        std::fs::create_dir_all(&env).expect("mkdir");
        std::fs::write(env.join("HEX_BUILDS_URL"), &mirror.url).expect("write");
        std::fs::write(
            app.dir.path().join("order.toml"),
            format!(
                "[[order]]\n[[order.group]]\nid = \"elixir-cnb/elixir\"\nversion = \"{}\"\n",
                env!("CARGO_PKG_VERSION")
            ),
        )
        .expect("write order.toml");
        app
    }

    fn source(&self) -> PathBuf {
        self.dir.path().join("source")
    }

    /// Runs `/cnb/lifecycle/creator` in the builder image with no Docker socket, on a copy of the source
    /// and fresh `/layers`; returns its output (it must succeed).
    fn create(&self) -> String {
        self.create_in(&self.dir.path().join("run"))
    }

    /// `create` in a pod's dirs of its own, for builds of the same app at once.
    fn create_in_own_dir(&self) -> String {
        let pod = tempfile::tempdir_in(self.dir.path()).expect("tempdir");
        self.create_in(pod.path())
    }

    /// Prepares a pod's dirs in `run`: a copy of the source as `/workspace`, empty `/layers`.
    fn prepare(&self, run: &Path) {
        let _ = std::fs::remove_dir_all(run);
        copy_dir(&self.source(), &run.join("workspace"));
        std::fs::create_dir_all(run.join("layers")).expect("mkdir");
        chown(run);
    }

    /// Runs the lifecycle's `phase` with `args` in a container of its own that shares only the pod's
    /// volumes (`/workspace`, `/layers`, `/platform`) and the builder's buildpacks; returns its output.
    fn phase(&self, run: &Path, phase: &str, args: &[&str]) -> String {
        let volume = |from: &Path, to: &str, mode: &str| format!("{}:{to}:{mode}", from.display());
        let mut command = Command::new("docker");
        command
            .args(["run", "--rm", "--network", "host", "--user", CNB_USER])
            .args(["--volume", &volume(&run.join("workspace"), "/workspace", "rw")])
            .args(["--volume", &volume(&run.join("layers"), "/layers", "rw")])
            .args([
                "--volume",
                &volume(&self.dir.path().join("platform"), "/platform", "ro"),
            ])
            .args([
                "--volume",
                &volume(
                    &buildpack_dir(),
                    &format!("/cnb/buildpacks/elixir-cnb_elixir/{}", env!("CARGO_PKG_VERSION")),
                    "ro",
                ),
            ])
            .args([
                "--volume",
                &volume(&self.dir.path().join("order.toml"), "/cnb/order.toml", "ro"),
            ])
            .args(["--env", "CNB_PLATFORM_API=0.13", "--env", "CNB_REGISTRY_AUTH={}"])
            .args(["--entrypoint", &format!("/cnb/lifecycle/{phase}"), &self.builder])
            .args(args);
        crate::output_of(&mut command, &format!("the lifecycle's {phase}"))
    }

    /// The five phases one by one, as Tekton's buildpacks-phases task runs them ([`PHASES`]).
    fn phases(&self) -> String {
        let run = self.dir.path().join("phases");
        self.prepare(&run);
        let mut output = String::new();
        for (phase, flags, takes_image) in PHASES {
            let mut args: Vec<&str> = Vec::new();
            for flag in *flags {
                args.push(flag);
                args.push(match *flag {
                    "-cache-image" => &self.cache_image,
                    "-run-image" => &self.run_image,
                    other => panic!("no value for {other}"),
                });
            }
            args.push("-no-color");
            if *takes_image {
                args.push(&self.image);
            }
            output += &self.phase(&run, phase, &args);
        }
        output
    }

    fn create_in(&self, run: &Path) -> String {
        self.prepare(run);
        self.phase(
            run,
            "creator",
            &[
                "-run-image",
                &self.run_image,
                "-cache-image",
                &self.cache_image,
                "-log-level",
                "info",
                "-no-color",
                &self.image,
            ],
        )
    }

    /// `pack build --publish --cache-image`, as CI systems with a daemon but no persistent volume run it
    /// (GitLab's Auto DevOps, a CI runner): the app image and its cache image in the registry, the run
    /// image from there; returns pack's output (it must succeed).
    fn pack_publish(&self, mirror: &Mirror) -> String {
        crate::pack_build(
            &self.image,
            &self.builder,
            &self.source(),
            &mirror.url,
            &[
                "--publish",
                "--cache-image",
                &self.cache_image,
                "--run-image",
                &self.run_image,
            ],
            &[],
        )
    }

    /// Pulls the app image from the registry (the engine's copy removed first), runs `web`, GETs `/`.
    fn serve(&self) -> String {
        let _ = Command::new("docker")
            .args(["image", "rm", "--force", &self.image])
            .output();
        docker(&["pull", "--quiet", &self.image]);
        let port = crate::heroku::free_port();
        let id = String::from_utf8_lossy(
            &docker(&[
                "run",
                "--detach",
                "--publish",
                &format!("127.0.0.1:{port}:8080"),
                "--env",
                "PORT=8080",
                &self.image,
            ])
            .stdout,
        )
        .trim()
        .to_string();
        let answer = try_http_get(([127, 0, 0, 1], port).into(), "/");
        let logs = if answer.is_err() {
            crate::docker_logs(&id)
        } else {
            String::new()
        };
        let _ = Command::new("docker").args(["rm", "--force", &id]).output();
        answer.unwrap_or_else(|error| {
            panic!(
                "{} did not answer: {error}\n--- container logs:\n{logs}",
                self.image
            )
        })
    }
}

fn chown(dir: &Path) {
    let status = Command::new("chown")
        .args(["-R", CNB_USER])
        .arg(dir)
        .status()
        .expect("chown");
    assert!(status.success());
}

/// The trixie builder, else the first.
fn builder() -> String {
    let builders = builders();
    builders
        .iter()
        .find(|builder| builder.ends_with(":trixie"))
        .unwrap_or(&builders[0])
        .clone()
}

/// `app` (`hello_web`), its toolchain pinned, built by `build` cold, warm and after a one-file edit,
/// with the assertions every way of building shares; returns the warm build's output, for what only
/// one way asserts.
fn cold_warm_edit(app: &ClusterApp, mirror: &Mirror, build: impl Fn(&ClusterApp) -> String) -> String {
    crate::pin_toolchain(&app.source(), &crate::expected_toolchain(&app.builder));

    let cold = build(app);
    assert_contains!(cold, &format!("Saving {}...", app.image));
    assert_contains!(cold, "Adding cache layer 'elixir-cnb/elixir:_build'");
    assert_contains!(app.serve(), "Hello from hello_web!");

    // Empty /layers (a new pod, or no volume), everything from the cache image.
    let before = mirror.requests().len();
    let warm = build(app);
    let fetched = mirror.requests().split_off(before);
    assert!(fetched.is_empty(), "the warm build fetched {fetched:?}:\n{warm}");
    assert_contains!(
        warm,
        "  - Using cached deps\n  - Using cached _build (Mix recompiles only what changed)\n"
    );
    assert_contains!(
        warm,
        "  - Reusing release `hello_web`: nothing it is made from changed\n"
    );

    // One file edited: exactly that file compiles.
    let lib = app.source().join("lib/hello_web.ex");
    let source = std::fs::read_to_string(&lib).expect("read");
    std::fs::write(&lib, format!("{source}\n# edited\n")).expect("write");
    let edited = build(app);
    assert_contains!(edited, "  - 1 app file(s) changed since the cached _build\n");
    assert_contains!(edited, "Compiling 1 file (.ex)");
    assert_contains!(app.serve(), "Hello from hello_web!");
    warm
}

#[test]
#[ignore = "integration test"]
fn the_lifecycle_without_a_daemon_exports_to_the_registry_and_rebuilds_from_a_registry_cache() {
    let builder = builder();
    let mirror = Mirror::healthy();
    let expected = crate::expected_toolchain(&builder);
    let app = ClusterApp::new(&builder, "hello_web", "hello_web_cluster", &mirror);
    let warm = cold_warm_edit(&app, &mirror, ClusterApp::create);
    // A new pod's warm build: every file from the cache image (each dated 1980-01-01) is found unchanged,
    // and so Mix doesn't run.
    assert_contains!(
        warm,
        &format!("  - Using cached Erlang/OTP {otp}\n", otp = expected.otp)
    );
    assert_contains!(
        warm,
        "  - Not running Mix: no app file, mix.lock, env var or toolchain changed since the cached _build\n"
    );
}

/// The same cold, warm and one-file-edit builds through `pack build --publish --cache-image`: the cache
/// lives only in the registry (no volume), and a warm build restores it from there.
#[test]
#[ignore = "integration test"]
fn pack_publish_with_a_cache_image_rebuilds_from_the_registry_cache() {
    let builder = builder();
    let mirror = Mirror::healthy();
    let app = ClusterApp::new(&builder, "hello_web", "hello_web_pack_publish", &mirror);
    cold_warm_edit(&app, &mirror, |app| app.pack_publish(&mirror));
}

/// The layers of `image` in the registry, bottom first (`application/vnd.oci.image.manifest.v1+json`
/// or Docker's v2), read over its HTTP API.
fn layers(image: &str) -> Vec<String> {
    let (repository, tag) = image
        .strip_prefix(&format!("{}/", registry()))
        .and_then(|rest| rest.rsplit_once(':'))
        .unwrap_or_else(|| panic!("{image} is not in the registry"));
    let url = format!("http://{}/v2/{repository}/manifests/{tag}", registry());
    let body = ureq::get(&url)
        .header(
            "Accept",
            "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
        )
        .call()
        .unwrap_or_else(|error| panic!("GET {url}: {error}"))
        .into_body()
        .read_to_string()
        .expect("a manifest");
    let manifest: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    manifest["layers"]
        .as_array()
        .unwrap_or_else(|| panic!("no layers in {body}"))
        .iter()
        .map(|layer| layer["digest"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The lifecycle's rebaser, as a cluster runs it (kpack rebases when its run image changes): the app
/// image moves onto a patched run image with the same app layers, and still answers.
#[test]
#[ignore = "integration test"]
fn a_published_image_rebases_onto_a_patched_run_image_and_keeps_its_app_layers() {
    let builder = builder();
    let mirror = Mirror::healthy();
    let app = ClusterApp::new(&builder, "hello_web", "hello_web_rebase", &mirror);
    app.create();
    let before = layers(&app.image);
    let run_layers = layers(&app.run_image);

    // The run image, patched: one more layer on the same distro, as a security update makes it.
    let patched = format!("{}-patched", app.run_image);
    let context = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        context.path().join("Dockerfile"),
        format!(
            "FROM {}\nUSER root\nRUN echo 'patched run image' > /etc/elixir-cnb-run-patch\nUSER 1002:1000\n",
            app.run_image
        ),
    )
    .expect("write");
    docker(&[
        "build",
        "--quiet",
        "--tag",
        &patched,
        &context.path().to_string_lossy(),
    ]);
    docker(&["push", "--quiet", &patched]);

    let mut rebaser = Command::new("docker");
    rebaser
        .args(["run", "--rm", "--network", "host", "--user", CNB_USER])
        .args(["--env", "CNB_PLATFORM_API=0.13", "--env", "CNB_REGISTRY_AUTH={}"])
        .args(["--entrypoint", "/cnb/lifecycle/rebaser", &builder])
        // `-force`: the image's metadata names the builder's run image (`elixir-cnb-test/run:<suite>`,
        // as its run.toml does), not this registry tag; kpack's stacks name the registry image, and
        // `pack rebase --run-image` forces the same way.
        .args(["-run-image", &patched, "-force", "-no-color", &app.image]);
    let text = crate::output_of(&mut rebaser, "the rebaser");

    let after = layers(&app.image);
    let app_layers = |all: &[String], base: usize| all[base..].to_vec();
    assert_eq!(
        app_layers(&after, run_layers.len() + 1),
        app_layers(&before, run_layers.len()),
        "the app layers changed in the rebase"
    );
    assert_eq!(after.len(), before.len() + 1, "{text}");
    assert_contains!(app.serve(), "Hello from hello_web!");
    let patch = docker(&[
        "run",
        "--rm",
        "--entrypoint",
        "cat",
        &app.image,
        "/etc/elixir-cnb-run-patch",
    ]);
    assert_eq!(String::from_utf8_lossy(&patch.stdout), "patched run image\n");
}

/// Builds side by side, as a cluster schedules them: two apps at once, each with its cache image, and
/// the same app twice at once sharing one cache image. All finish and answer, and the next build of the
/// shared one finds a cache it can use.
#[test]
#[ignore = "integration test"]
fn builds_side_by_side_share_a_registry_and_a_cache_image_without_corrupting_it() {
    let builder = builder();
    let mirror = Mirror::healthy();
    let web = ClusterApp::new(&builder, "hello_web", "side_by_side_web", &mirror);
    let plug = ClusterApp::new(&builder, "umbrella_app", "side_by_side_umbrella", &mirror);
    let outputs: Vec<String> = std::thread::scope(|scope| {
        let builds: Vec<_> = [&web, &plug]
            .into_iter()
            .map(|app| scope.spawn(move || app.create()))
            .collect();
        builds
            .into_iter()
            .map(|build| build.join().expect("a build"))
            .collect()
    });
    for (app, output) in [&web, &plug].into_iter().zip(&outputs) {
        assert_contains!(output, &format!("Saving {}...", app.image));
    }
    assert_contains!(web.serve(), "Hello from hello_web!");

    // The same app twice at once, one cache image: both export; whichever saves the cache last wins.
    let twice: Vec<String> = std::thread::scope(|scope| {
        let builds: Vec<_> = (0..2).map(|_| scope.spawn(|| web.create_in_own_dir())).collect();
        builds
            .into_iter()
            .map(|build| build.join().expect("a build"))
            .collect()
    });
    for output in &twice {
        assert_contains!(
            output,
            "  - Reusing release `hello_web`: nothing it is made from changed\n"
        );
        assert_contains!(output, &format!("Saving {}...", web.image));
    }
    assert_contains!(web.serve(), "Hello from hello_web!");
    let next = web.create();
    assert_contains!(
        next,
        "  - Using cached _build (Mix recompiles only what changed)\n"
    );
    assert_contains!(
        next,
        "  - Reusing release `hello_web`: nothing it is made from changed\n"
    );
}

/// The five phases one by one, each in a container of its own (Tekton's buildpacks-phases task): the
/// image they export answers, and a second run restores everything from the cache image.
#[test]
#[ignore = "integration test"]
fn the_lifecycle_phases_one_by_one_export_to_the_registry_and_restore_from_it() {
    let builder = builder();
    let mirror = Mirror::healthy();
    let app = ClusterApp::new(&builder, "hello_web", "hello_web_phases", &mirror);
    let cold = app.phases();
    assert_contains!(cold, &format!("Saving {}...", app.image));
    assert_contains!(app.serve(), "Hello from hello_web!");
    let warm = app.phases();
    assert_contains!(warm, "  - Using cached deps\n");
    assert_contains!(
        warm,
        "  - Reusing release `hello_web`: nothing it is made from changed\n"
    );
}

/// The Tekton Task in the docs runs the phases the test above runs, with its flags and platform API.
#[test]
fn the_tekton_task_in_the_docs_runs_the_phases_the_tests_run() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/cluster/tekton-buildpacks-phases.yaml");
    let yaml = std::fs::read_to_string(&path).expect("the Tekton Task");
    let (_, steps) = yaml.split_once("\n  steps:\n").expect("the Task's steps");
    let steps: Vec<&str> = steps.split("    - name: ").skip(1).collect();
    assert_eq!(
        steps
            .iter()
            .map(|step| step.lines().next().unwrap_or_default())
            .collect::<Vec<_>>(),
        PHASES.iter().map(|(phase, _, _)| *phase).collect::<Vec<_>>()
    );
    for (step, (phase, flags, takes_image)) in steps.iter().zip(PHASES) {
        assert_contains!(step, &format!("command: [\"/cnb/lifecycle/{phase}\"]"));
        for flag in *flags {
            assert_contains!(step, &format!("\"{flag}="));
        }
        assert_eq!(step.contains("\"$(params.APP_IMAGE)\""), *takes_image, "{phase}");
    }
    assert_contains!(yaml, "- name: CNB_PLATFORM_API\n        value: \"0.13\"");
}
