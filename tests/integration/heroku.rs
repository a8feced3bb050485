//! A harness that plays Heroku's classic generation, as far as this machine can: the classic tarball
//! (`scripts/classic-tarball`, made by the packaging step; `ELIXIR_CNB_CLASSIC_TARBALL`) unpacked as the
//! buildpack, `bin/detect` and `bin/compile` run in a container of the Debian build image as a non-root
//! user with a `BUILD_DIR` holding a copy of the app (as a `git push` would), a `CACHE_DIR` kept between
//! builds and an `ENV_DIR` of config vars; `/app` is writable during the build, as on Heroku. The slug
//! (`BUILD_DIR`) then runs at `/app` in a container of the run image, read-only, after the dyno's boot
//! steps: `HOME=/app`, `cd /app`, source `.profile.d/*.sh`, run the process's command with `bash -c`.
//! A platform that runs slugs elsewhere (`with_runtime_path`) gets that path instead of `/app`.

use std::os::unix::fs::chown;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The uid and gid of the images' `cnb` user.
const USER: (u32, u32) = (1002, 1000);

pub(crate) struct Heroku {
    root: tempfile::TempDir,
    suite: String,
    builds: std::cell::Cell<u32>,
    /// Where the slug runs, and what is writable during the build (Heroku: `/app`).
    runtime_path: String,
}

/// One `bin/compile` run.
pub(crate) struct Compiled {
    /// stdout and stderr of detect, compile and release, as the `git push` shows them.
    pub(crate) output: String,
    pub(crate) success: bool,
    /// `BUILD_DIR` after the build: the slug.
    pub(crate) slug: PathBuf,
    /// `bin/release`'s YAML.
    pub(crate) release_yaml: String,
}

/// Drops ANSI escape sequences (the build output's colors), so tests compare plain text.
pub(crate) fn strip_ansi(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(char) = chars.next() {
        if char == '\u{1b}' {
            // CSI: ESC [ parameters... final letter.
            if chars.next() == Some('[') {
                for next in chars.by_ref() {
                    if next.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            plain.push(char);
        }
    }
    plain
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("running {command:?}: {error}"))
}

fn owned_dir(path: &Path) -> PathBuf {
    std::fs::create_dir_all(path).expect("mkdir");
    chown(path, Some(USER.0), Some(USER.1)).expect("chown");
    path.to_path_buf()
}

/// Copies a tree, owned by the build user (`cp -a` keeps modes; the owner is changed after).
pub(crate) fn copy_as_user(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .expect("cp");
    assert!(status.success(), "copying {} failed", from.display());
    chown_tree(to);
}

fn chown_tree(dir: &Path) {
    let status = Command::new("chown")
        .args(["-R", &format!("{}:{}", USER.0, USER.1)])
        .arg(dir)
        .status()
        .expect("chown");
    assert!(status.success());
}

impl Heroku {
    /// A new app on `suite` (bookworm, trixie): an empty cache and no config vars.
    pub(crate) fn new(suite: &str) -> Self {
        let tarball = std::env::var("ELIXIR_CNB_CLASSIC_TARBALL").expect(
            "ELIXIR_CNB_CLASSIC_TARBALL is not set: run the integration tests through scripts/test, which \
             packages the classic buildpack",
        );
        let root = tempfile::tempdir().expect("tempdir");
        let heroku = Self {
            root,
            suite: suite.to_string(),
            builds: std::cell::Cell::new(0),
            runtime_path: String::from("/app"),
        };
        let buildpack = owned_dir(&heroku.path("buildpack"));
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&buildpack)
            .status()
            .expect("tar");
        assert!(status.success(), "unpacking {tarball} failed");
        chown_tree(&buildpack);
        owned_dir(&heroku.path("cache"));
        owned_dir(&heroku.path("env"));
        heroku
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// A platform that runs slugs at `path` instead of `/app` (Cloud Foundry's `/home/vcap/app`), as
    /// `runtime_path` in `elixir_buildpack.config` tells the buildpack.
    pub(crate) fn with_runtime_path(mut self, path: &str) -> Self {
        self.runtime_path = path.to_string();
        self
    }

    pub(crate) fn cache_dir(&self) -> PathBuf {
        self.path("cache")
    }

    pub(crate) fn set_config_var(&self, name: &str, value: &str) {
        let file = self.path("env").join(name);
        std::fs::write(&file, value).expect("write config var");
    }

    /// A `git push` of `app`: detect, compile and release in a fresh `BUILD_DIR`.
    pub(crate) fn push(&self, app: &Path) -> Compiled {
        self.push_with(app, "/buildpack/bin/compile")
    }

    /// Heroku CI: `bin/test-compile`, then `bin/test`, in `/app` (where Heroku CI builds); returns the
    /// test-compile output, and the test run's output and exit code.
    pub(crate) fn ci(&self, app: &Path) -> (String, String, i32) {
        let build_dir = self.fresh_build_dir(app);
        let output = run(self
            .build_container(&build_dir, "/app", &[])
            .arg("bash")
            .arg("-c")
            .arg("/buildpack/bin/test-compile /app /tmp/cache /tmp/env 2>&1 && echo '--- bin/test' && /buildpack/bin/test /app /tmp/env 2>&1; echo \"--- exit $?\""));
        let text = strip_ansi(&String::from_utf8_lossy(&output.stdout));
        let (compile, rest) = text.split_once("--- bin/test\n").unwrap_or((&text, ""));
        let (tests, exit_code) = rest.rsplit_once("--- exit ").unwrap_or((rest, "-1"));
        let exit_code = exit_code.trim().parse().unwrap_or(-1);
        (compile.to_string(), tests.to_string(), exit_code)
    }

    fn fresh_build_dir(&self, app: &Path) -> PathBuf {
        let number = self.builds.get() + 1;
        self.builds.set(number);
        let build_dir = owned_dir(&self.path(&format!("build_{number}")));
        copy_as_user(app, &build_dir);
        build_dir
    }

    /// `docker run` for a build: the build image, the build user, host networking (the toolchain mirror
    /// is on the host's 127.0.0.1), the buildpack, cache and config vars, `BUILD_DIR` at `build_path`,
    /// and `/app` writable.
    fn build_container(&self, build_dir: &Path, build_path: &str, flags: &[&str]) -> Command {
        let mut command = Command::new("docker");
        command.args(["run", "--rm", "--network", "host"]);
        command.args(flags);
        command.args(["--user", &format!("{}:{}", USER.0, USER.1)]);
        let mut mount = |host: &Path, container: &str| {
            command.args(["--volume", &format!("{}:{container}", host.display())]);
        };
        mount(&self.path("buildpack"), "/buildpack");
        mount(&self.path("cache"), "/tmp/cache");
        mount(&self.path("env"), "/tmp/env");
        mount(build_dir, build_path);
        if build_path != self.runtime_path {
            let name = build_dir
                .file_name()
                .map(|name| name.to_string_lossy().to_string());
            let app = owned_dir(&self.path(&format!("{}_app", name.unwrap_or_default())));
            mount(&app, &self.runtime_path);
        }
        command.arg(format!("elixir-cnb-test/build:{}", self.suite));
        command
    }

    /// A push whose `bin/compile` is `compile_command` (another step can be added around it).
    pub(crate) fn push_with(&self, app: &Path, compile_command: &str) -> Compiled {
        let build_dir = self.fresh_build_dir(app);
        let script = format!(
            "/buildpack/bin/detect /tmp/build_app && {compile_command} /tmp/build_app /tmp/cache /tmp/env; \
             status=$?; echo \"--- compile exit $status\"; /buildpack/bin/release /tmp/build_app > /tmp/build_app/.release.yml"
        );
        let output = run(self
            .build_container(&build_dir, "/tmp/build_app", &[])
            .args(["bash", "-c", &script]));
        let text = strip_ansi(&format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
        let release_yaml = std::fs::read_to_string(build_dir.join(".release.yml")).unwrap_or_default();
        let _ = std::fs::remove_file(build_dir.join(".release.yml"));
        Compiled {
            success: text.contains("--- compile exit 0\n"),
            output: text,
            slug: build_dir,
            release_yaml,
        }
    }

    /// A push whose compile is killed with SIGKILL as soon as `path` (on the host) exists; returns the
    /// output until then.
    pub(crate) fn push_killed_when(&self, app: &Path, path: &Path) -> String {
        let build_dir = self.fresh_build_dir(app);
        let output = run(self
            .build_container(&build_dir, "/tmp/build_app", &["--detach"])
            .args([
                "bash",
                "-c",
                "exec /buildpack/bin/compile /tmp/build_app /tmp/cache /tmp/env",
            ]));
        // `--rm` and `--detach` together: the container goes when it is killed.
        let id = String::from_utf8_lossy(&output.stdout).trim().to_string();
        assert!(!id.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
        let deadline = std::time::Instant::now() + std::time::Duration::from_mins(2);
        while !path.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "{} never appeared",
                path.display()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let logs = run(Command::new("docker").args(["logs", &id]));
        let killed = run(Command::new("docker").args(["kill", "--signal", "KILL", &id]));
        assert!(
            killed.status.success(),
            "{}",
            String::from_utf8_lossy(&killed.stderr)
        );
        strip_ansi(&format!(
            "{}{}",
            String::from_utf8_lossy(&logs.stdout),
            String::from_utf8_lossy(&logs.stderr)
        ))
    }

    /// A one-off dyno (`heroku run COMMAND`): the slug at `/app` in the run image; returns its output and
    /// exit code.
    pub(crate) fn run_once(&self, slug: &Path, env: &[(&str, &str)], command: &str) -> (String, i32) {
        let output = run(&mut self.dyno(slug, env, command, None));
        (
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            output.status.code().unwrap_or(-1),
        )
    }

    /// Starts the `web` command of the slug with `PORT` set; the dyno stops when the value is dropped.
    pub(crate) fn start_web(&self, slug: &Path, env: &[(&str, &str)], command: &str) -> Dyno {
        let port = free_port();
        let port_text = port.to_string();
        let mut env = env.to_vec();
        env.push(("PORT", &port_text));
        let output = run(&mut self.dyno(slug, &env, command, Some(port)));
        assert!(
            output.status.success(),
            "starting the dyno failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Dyno {
            id: String::from_utf8_lossy(&output.stdout).trim().to_string(),
            address: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    /// A dyno container: its own network, as on Heroku (a release's distribution runs its own epmd on
    /// port 4369, which dynos sharing the host's network would fight over), with `web`'s port published
    /// on the loopback; detached when it serves.
    fn dyno(&self, slug: &Path, env: &[(&str, &str)], command: &str, web_port: Option<u16>) -> Command {
        let mut docker = Command::new("docker");
        docker.args(["run", "--read-only", "--tmpfs", "/tmp"]);
        match web_port {
            Some(port) => docker.args(["--detach", "--publish", &format!("127.0.0.1:{port}:{port}")]),
            None => docker.arg("--rm"),
        };
        docker.args(["--user", &format!("{}:{}", USER.0, USER.1)]);
        let app = &self.runtime_path;
        docker.args(["--volume", &format!("{}:{app}:ro", slug.display())]);
        docker.args(["--env", &format!("HOME={app}"), "--workdir", app]);
        for (name, value) in env {
            docker.args(["--env", &format!("{name}={value}")]);
        }
        docker.arg(format!("elixir-cnb-test/run:{}", self.suite));
        docker.args([
            "bash",
            "-c",
            &format!(
                "for script in {app}/.profile.d/*.sh; do [ -f \"$script\" ] && . \"$script\"; done; exec bash -c \"$0\""
            ),
            command,
        ]);
        docker
    }
}

/// A running dyno.
pub(crate) struct Dyno {
    id: String,
    pub(crate) address: std::net::SocketAddr,
}

impl Dyno {
    /// GETs `path` from the dyno; when it never answers, the panic shows the dyno's logs.
    pub(crate) fn get(&self, path: &str) -> String {
        crate::get_showing_logs(self.address, path, || self.logs())
    }

    pub(crate) fn logs(&self) -> String {
        crate::docker_logs(&self.id)
    }
}

impl Drop for Dyno {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "--force", &self.id]).output();
    }
}

/// A port nothing listens on now, on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// The command of a process type: the Procfile's entry, else `bin/release`'s default.
pub(crate) fn process_command(compiled: &Compiled, process_type: &str) -> String {
    let prefix = format!("{process_type}:");
    if let Ok(procfile) = std::fs::read_to_string(compiled.slug.join("Procfile"))
        && let Some(command) = procfile
            .lines()
            .find_map(|line| line.strip_prefix(&prefix).map(str::trim))
    {
        return command.to_string();
    }
    let quoted = compiled
        .release_yaml
        .lines()
        .find_map(|line| line.trim().strip_prefix(&prefix).map(str::trim))
        .unwrap_or_else(|| panic!("no {process_type} process in {}", compiled.release_yaml));
    quoted
        .trim_matches('"')
        .replace("\\\"", "\"")
        .replace("\\\\", "\\")
}

/// Everything in a directory tree, as relative paths.
pub(crate) fn listing(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(|entry| {
            entry
                .path()
                .strip_prefix(dir)
                .map(|path| path.to_string_lossy().to_string())
                .unwrap_or_default()
        })
        .collect()
}

/// The size of a tree in bytes (links counted as links).
pub(crate) fn size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|entry| entry.path().symlink_metadata().ok())
        .filter(std::fs::Metadata::is_file)
        .map(|metadata| metadata.len())
        .sum()
}
