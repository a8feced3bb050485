//! A builds.hex.pm-shaped mirror served on 127.0.0.1 from the tree `scripts/provision` made
//! (`ELIXIR_CNB_MIRROR_DIR`), with optional faults for chosen files. Build containers reach it through
//! host networking (the `pack` shim adds `--network host`).
//!
//! The local Hex repository (`ELIXIR_CNB_HEX_MIRROR_DIR`, when provisioned) is served from the same base
//! URL, so one URL works as `HEX_BUILDS_URL` and `HEX_MIRROR` (Mix 1.18 fetches `/installs/...` from
//! `HEX_BUILDS_URL`, Mix 1.14 from `HEX_MIRROR`). Its organization under `/repos/` is served only to
//! requests with `authorization: <the key in ELIXIR_CNB_HEX_ORG_KEY_FILE>`, as Hex sends it: 401
//! without the header, 403 with another key. The Node.js mirror (`node_mirror_dir`) is served from it
//! too, at `/node/dist/` (for `NODEJS_ORG_MIRROR`).

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Misbehaviour for the files whose path ends with a given suffix.
#[derive(Clone, Debug)]
pub(crate) enum Fault {
    /// Answer with this status instead of the file.
    Status(u16),
    /// Answer the first `times` requests with this status, then serve the file.
    StatusTimes { status: u16, times: usize },
    /// Announce the full length but send only half the body.
    Truncate,
    /// Serve the file with its last byte changed (so its checksum no longer matches the index).
    Corrupt,
    /// Send the headers, then nothing for this long.
    Stall(Duration),
    /// Serve these bytes instead.
    Replace(Vec<u8>),
}

pub(crate) struct Mirror {
    pub(crate) url: String,
    server: Arc<tiny_http::Server>,
    requests: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

pub(crate) fn mirror_dir() -> PathBuf {
    PathBuf::from(std::env::var("ELIXIR_CNB_MIRROR_DIR").expect(
        "ELIXIR_CNB_MIRROR_DIR is not set: run the integration tests through scripts/test, which provisions the mirror",
    ))
}

/// The local Hex repository's tree, when provisioned.
pub(crate) fn hex_mirror_dir() -> Option<PathBuf> {
    std::env::var_os("ELIXIR_CNB_HEX_MIRROR_DIR").map(PathBuf::from)
}

/// The nodejs.org-shaped Node.js mirror and the assets' tool binaries (`provision.d/node-mirror.sh`):
/// `ELIXIR_CNB_NODE_MIRROR_DIR`, else `$ELIXIR_CNB_TOOLS/node-mirror`. Served under `/node/dist/` and
/// `/tools/`.
pub(crate) fn node_mirror_dir() -> Option<PathBuf> {
    std::env::var_os("ELIXIR_CNB_NODE_MIRROR_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("ELIXIR_CNB_TOOLS").map(|tools| PathBuf::from(tools).join("node-mirror"))
        })
        .filter(|dir| dir.is_dir())
}

/// The key the Hex organization's repository (`/repos/...`) requires, when provisioned.
pub(crate) fn hex_org_key() -> Option<String> {
    let file = std::env::var_os("ELIXIR_CNB_HEX_ORG_KEY_FILE")?;
    let key =
        std::fs::read_to_string(&file).unwrap_or_else(|error| panic!("reading {}: {error}", file.display()));
    Some(key.trim().to_string())
}

impl Mirror {
    pub(crate) fn healthy() -> Self {
        Self::with_faults(Vec::new())
    }

    pub(crate) fn with_faults(faults: Vec<(&'static str, Fault)>) -> Self {
        let roots: Arc<Vec<PathBuf>> = Arc::new(
            std::iter::once(mirror_dir())
                .chain(hex_mirror_dir())
                .chain(node_mirror_dir())
                .collect(),
        );
        let org_key = Arc::new(hex_org_key());
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("a free port on 127.0.0.1"));
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let counters: Arc<Vec<AtomicUsize>> = Arc::new(faults.iter().map(|_| AtomicUsize::new(0)).collect());
        let faults = Arc::new(faults);
        let thread = {
            let server = Arc::clone(&server);
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let roots = Arc::clone(&roots);
                    let org_key = Arc::clone(&org_key);
                    let faults = Arc::clone(&faults);
                    let counters = Arc::clone(&counters);
                    requests
                        .lock()
                        .expect("requests lock")
                        .push(request.url().to_string());
                    std::thread::spawn(move || {
                        serve(request, &roots, org_key.as_deref(), &faults, &counters);
                    });
                }
            })
        };
        Self {
            url: format!("http://127.0.0.1:{port}"),
            server,
            requests,
            thread: Some(thread),
        }
    }

    /// The paths requested so far.
    pub(crate) fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests lock").clone()
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        // A failed test shows what the build asked the mirror for.
        if std::thread::panicking() {
            eprintln!("mirror {} served: {:?}", self.url, self.requests());
        }
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    request: tiny_http::Request,
    roots: &[PathBuf],
    org_key: Option<&str>,
    faults: &[(&str, Fault)],
    counters: &[AtomicUsize],
) {
    let path = request.url().split('?').next().unwrap_or_default().to_string();
    if let Some(key) = org_key
        && path.starts_with("/repos/")
    {
        let given = request
            .headers()
            .iter()
            .find(|header| header.field.equiv("authorization"))
            .map(|header| header.value.to_string());
        let status = match given {
            None => Some(401),
            Some(given) if given != key => Some(403),
            Some(_) => None,
        };
        if let Some(status) = status {
            let _ = request.respond(tiny_http::Response::empty(status));
            return;
        }
    }
    let fault = faults
        .iter()
        .enumerate()
        .find(|(_, (suffix, _))| path.ends_with(suffix))
        .map(|(index, (_, fault))| (fault.clone(), counters[index].fetch_add(1, Ordering::SeqCst)));
    let file = if path.contains("..") {
        None
    } else {
        let relative = path.trim_start_matches('/');
        roots
            .iter()
            .map(|root| root.join(relative))
            .find(|file| file.is_file())
    };
    let read = |file: &std::path::Path| std::fs::read(file).ok();
    let body = match (&fault, &file) {
        (Some((Fault::Replace(replacement), _)), _) => Some(replacement.clone()),
        (_, Some(file)) => read(file),
        (_, None) => None,
    };
    let respond_status = |request: tiny_http::Request, status: u16| {
        let _ = request.respond(tiny_http::Response::empty(status));
    };
    let Some(mut body) = body else {
        return respond_status(request, 404);
    };
    match fault {
        Some((Fault::Status(status), _)) => respond_status(request, status),
        Some((Fault::StatusTimes { status, times }, count)) if count < times => {
            respond_status(request, status);
        }
        Some((Fault::Corrupt, _)) => {
            if let Some(last) = body.last_mut() {
                *last ^= 0xff;
            }
            let _ = request.respond(tiny_http::Response::from_data(body));
        }
        Some((Fault::Truncate, _)) => {
            let length = body.len();
            body.truncate(length / 2);
            let _ = request.respond(
                tiny_http::Response::new(
                    200.into(),
                    Vec::new(),
                    std::io::Cursor::new(body),
                    Some(length),
                    None,
                )
                // Keep Content-Length (no chunked encoding), so the client sees a body that ends early.
                .with_chunked_threshold(usize::MAX),
            );
        }
        Some((Fault::Stall(duration), _)) => {
            let length = body.len();
            let stalling = StallingReader {
                body: std::io::Cursor::new(body),
                stall: Some(duration),
            };
            let _ = request.respond(
                tiny_http::Response::new(200.into(), Vec::new(), stalling, Some(length), None)
                    // Keep Content-Length (no chunked encoding), so the client sees a body that ends early.
                    .with_chunked_threshold(usize::MAX),
            );
        }
        _ => {
            let _ = request.respond(tiny_http::Response::from_data(body));
        }
    }
}

/// Sends the first chunk, then stalls once before sending the rest.
struct StallingReader {
    body: std::io::Cursor<Vec<u8>>,
    stall: Option<Duration>,
}

impl Read for StallingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.body.position() > 0
            && let Some(stall) = self.stall.take()
        {
            std::thread::sleep(stall);
        }
        let limit = buf.len().min(64 * 1024);
        self.body.read(&mut buf[..limit])
    }
}
