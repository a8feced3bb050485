//! The local Hex repository `scripts/provision` builds (`scripts/provision.d/hex-repo.sh`), as the tests'
//! mirror serves it: from the toolchain mirror's base URL, with the signed install lists Mix reads and an
//! organization that needs its key. Mix and Hex themselves are exercised against it by
//! `scripts/check-hex-repo` (signatures, `mix local.hex`, `mix deps.get`, compiling, on both toolchains).

use crate::mirror::{Mirror, hex_mirror_dir, hex_org_key};
use sha2::{Digest, Sha512};
use std::path::PathBuf;

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the integration tests through scripts/test, which provisions it")
    }))
}

/// GETs `path` from `mirror`, with `authorization` if given: (status, body).
fn get(mirror: &Mirror, path: &str, authorization: Option<&str>) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.get(format!("{}{path}", mirror.url));
    if let Some(key) = authorization {
        request = request.header("authorization", key);
    }
    let mut response = request
        .call()
        .unwrap_or_else(|error| panic!("GET {path}: {error}"));
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .expect("a readable body");
    (status, body)
}

fn hex_sha512(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha512::digest(bytes).iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

#[test]
#[ignore = "integration test"]
fn hex_repository_and_installs_are_served_with_the_toolchain_mirror() {
    assert!(
        hex_mirror_dir().is_some(),
        "ELIXIR_CNB_HEX_MIRROR_DIR is not set: run the integration tests through scripts/test"
    );
    let mirror = Mirror::healthy();

    // One base URL for HEX_BUILDS_URL (toolchains; installs for Mix 1.18) and HEX_MIRROR (packages).
    assert_eq!(get(&mirror, "/builds/elixir/builds.txt", None).0, 200);
    for path in [
        "/names",
        "/versions",
        "/packages/phoenix",
        "/tarballs/phoenix-1.7.24.tar",
    ] {
        assert_eq!(get(&mirror, path, None).0, 200, "{path}");
    }
    let (_, public_key) = get(&mirror, "/public_key", None);
    assert_eq!(
        public_key,
        std::fs::read(env_path("ELIXIR_CNB_HEX_REPO_PUBLIC_KEY")).expect("the repository's public key"),
        "/public_key is the key in ELIXIR_CNB_HEX_REPO_PUBLIC_KEY"
    );

    // What `mix local.hex` and `mix local.rebar` read: a signed CSV whose rows name a file and its sha512.
    for (list, prefix, suffix) in [("hex-1.x.csv", "hex", ".ez"), ("rebar3-1.x.csv", "rebar3", "")] {
        let (status, csv) = get(&mirror, &format!("/installs/{list}"), None);
        assert_eq!(status, 200, "{list}");
        assert_eq!(get(&mirror, &format!("/installs/{list}.signed"), None).0, 200);
        let csv = String::from_utf8(csv).expect("a text CSV");
        assert!(!csv.trim().is_empty(), "{list} is empty");
        for row in csv.lines() {
            let fields: Vec<&str> = row.split(',').collect();
            let [version, sha512, elixir] = fields[..] else {
                panic!("{list}: unexpected row {row:?}");
            };
            let path = format!("/installs/{elixir}/{prefix}-{version}{suffix}");
            let (status, file) = get(&mirror, &path, None);
            assert_eq!(status, 200, "{path}");
            assert_eq!(hex_sha512(&file), sha512, "{path}: sha512 differs from {list}");
        }
    }
    let paths = mirror.requests();
    assert!(
        paths.iter().any(|path| path == "/installs/hex-1.x.csv"),
        "{paths:?}"
    );
}

#[test]
#[ignore = "integration test"]
fn hex_organization_repository_requires_its_key() {
    let key = hex_org_key()
        .expect("ELIXIR_CNB_HEX_ORG_KEY_FILE is not set: run the integration tests through scripts/test");
    let org = std::env::var("ELIXIR_CNB_HEX_ORG").expect("ELIXIR_CNB_HEX_ORG");
    let mirror = Mirror::healthy();
    let names = format!("/repos/{org}/names");

    assert_eq!(get(&mirror, &names, None).0, 401, "no key");
    assert_eq!(get(&mirror, &names, Some("not-the-key")).0, 403, "a wrong key");
    assert_eq!(get(&mirror, &names, Some(&key)).0, 200, "the key");
    let tarball = format!("/repos/{org}/tarballs/{org}_hello-0.1.0.tar");
    assert_eq!(get(&mirror, &tarball, None).0, 401);
    assert_eq!(get(&mirror, &tarball, Some(&key)).0, 200);
    // The organization's package is private: the public repository does not have it.
    assert_eq!(get(&mirror, &format!("/packages/{org}_hello"), None).0, 404);
}
