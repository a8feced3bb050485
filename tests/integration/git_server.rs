//! A git server on 127.0.0.1 for git dependencies: `git daemon` serving bare repositories made from the
//! bundles in `../shared/git-sources` (heroicons v2.1.1, which every phx.new 1.7 app fetches from GitHub),
//! logging each fetch so tests can count them. Builds reach it through `BP_GIT_URL_REWRITES`.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub(crate) struct GitServer {
    child: Child,
    /// `git://127.0.0.1:<port>/`
    pub(crate) url: String,
    requests: Arc<Mutex<Vec<String>>>,
    /// The served repositories, removed with the server.
    root: tempfile::TempDir,
}

/// `../shared/git-sources`, beside the repository.
pub(crate) fn git_sources() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/git-sources")
}

fn git(args: &[&str], dir: &Path) {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("git {args:?}: {error}"));
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

impl GitServer {
    /// Serves `tailwindlabs/heroicons.git` (tag v2.1.1) from its bundle.
    pub(crate) fn heroicons() -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        let bundle = git_sources().join("heroicons-v2.1.1.bundle");
        assert!(
            bundle.is_file(),
            "{} is missing: the team's shared folder must be beside the repository",
            bundle.display()
        );
        std::fs::create_dir_all(root.path().join("tailwindlabs")).expect("mkdir");
        git(
            &[
                "clone",
                "--quiet",
                "--bare",
                &bundle.to_string_lossy(),
                "tailwindlabs/heroicons.git",
            ],
            root.path(),
        );
        Self::serve(root)
    }

    fn serve(root: tempfile::TempDir) -> Self {
        let port = crate::heroku::free_port();
        let mut child = Command::new("git")
            .arg("daemon")
            .arg(format!("--base-path={}", root.path().display()))
            .args(["--export-all", "--reuseaddr", "--verbose", "--informative-errors"])
            .args(["--listen=127.0.0.1", &format!("--port={port}")])
            .arg(root.path())
            .stderr(Stdio::piped())
            // A group of its own: the children serving connections go with it.
            .process_group(0)
            .spawn()
            .expect("git daemon");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // "[pid] Request upload-pack for '/tailwindlabs/heroicons.git'"
                if let Some(request) = line.split("] Request ").nth(1) {
                    log.lock()
                        .expect("lock")
                        .push(request.replace(" for '", " ").replace('\'', ""));
                }
            }
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "git daemon did not listen");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self {
            child,
            url: format!("git://127.0.0.1:{port}/"),
            requests,
            root,
        }
    }

    /// The fetches served so far: `upload-pack /tailwindlabs/heroicons.git`.
    pub(crate) fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }

    /// Runs git in a served repository (`tailwindlabs/heroicons.git`), e.g. to add or delete a tag.
    pub(crate) fn git_in(&self, repo: &str, args: &[&str]) {
        git(args, &self.root.path().join(repo));
    }

    /// `BP_GIT_URL_REWRITES` that sends GitHub URLs here.
    pub(crate) fn rewrites(&self) -> String {
        format!("https://github.com/={}", self.url)
    }
}

impl Drop for GitServer {
    /// Stops the daemon and every child serving a connection: a child would keep the listening socket,
    /// and a stopped server would still accept connections.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
