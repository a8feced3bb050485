//! Downloads that can't be poisoned: each misbehaving mirror fails the build with its own message (or
//! succeeds after retries), and the next build against a healthy mirror succeeds with nothing stale.

use crate::mirror::{Fault, Mirror, mirror_dir};
use crate::{build_config, builders, expected_toolchain};
use libcnb_test::{PackResult, TestRunner, assert_contains};
use sha2::{Digest, Sha256};
use std::time::Duration;

const OTP_TARBALL: &str = "/OTP-25.2.3.tar.gz";

/// The fault tests run on the bookworm builder (OTP 25.2.3): the download code is the same everywhere.
fn bookworm() -> String {
    builders()
        .into_iter()
        .find(|builder| builder.ends_with(":bookworm"))
        .unwrap_or_else(|| String::from("elixir-cnb-test/builder:bookworm"))
}

/// Builds against a mirror with `faults` and checks the failure output, then rebuilds (same caches)
/// against a healthy mirror, which must download and install the toolchain afresh and succeed.
fn fails_then_recovers(
    faults: Vec<(&'static str, Fault)>,
    env: &[(&str, &str)],
    expected: &dyn Fn(&str) -> String,
) {
    let builder = bookworm();
    let broken_mirror = Mirror::with_faults(faults);
    let mut config = build_config(&builder, "hello_web", &broken_mirror.url);
    config.envs(env.iter().copied());
    config.expected_pack_result(PackResult::Failure);
    TestRunner::default().build(&config, |context| {
        assert_contains!(context.pack_stderr, &expected(&broken_mirror.url));

        let healthy = Mirror::healthy();
        let config = build_config(&builder, "hello_web", &healthy.url);
        context.rebuild(&config, |rebuild| {
            let otp = expected_toolchain(&builder).otp;
            assert_contains!(
                rebuild.pack_stderr,
                &format!(
                    "- Erlang/OTP {otp}\n  - Downloading {}/builds/otp/amd64/debian-12/OTP-{otp}.tar.gz",
                    healthy.url
                )
            );
            assert_contains!(rebuild.pack_stderr, "- Processes\n  - web: hello_web start\n");
        });
    });
}

#[test]
#[ignore = "integration test"]
fn a_missing_archive_is_a_clear_error() {
    fails_then_recovers(vec![(OTP_TARBALL, Fault::Status(404))], &[], &|url| {
        format!(
            "! Download not found\n!\n! {url}/builds/otp/amd64/debian-12/OTP-25.2.3.tar.gz answered HTTP 404, although the index lists it.\n!\n! The mirror (HEX_BUILDS_URL) is incomplete. Retry later, or pin another version.\n"
        )
    });
}

#[test]
#[ignore = "integration test"]
fn server_errors_are_retried() {
    let builder = bookworm();
    let mirror = Mirror::with_faults(vec![(
        OTP_TARBALL,
        Fault::StatusTimes {
            status: 500,
            times: 2,
        },
    )]);
    TestRunner::default().build(build_config(&builder, "hello_web", &mirror.url), |context| {
        assert_contains!(
            context.pack_stderr,
            "  - Succeeded after 2 failed attempt(s): HTTP 500; HTTP 500\n  - Verified SHA-256 "
        );
    });
}

#[test]
#[ignore = "integration test"]
fn a_truncated_download_fails_after_retries() {
    // tiny_http keeps the connection open after the short body, so the client notices when the rest
    // never comes: a short stall timeout keeps the test fast.
    fails_then_recovers(
        vec![(OTP_TARBALL, Fault::Truncate)],
        &[("ELIXIR_CNB_HTTP_STALL_TIMEOUT_SECONDS", "2")],
        &|url| {
            format!(
                "! Download failed\n!\n! {url}/builds/otp/amd64/debian-12/OTP-25.2.3.tar.gz failed 4 times; the last error was: the download broke off: "
            )
        },
    );
}

#[test]
#[ignore = "integration test"]
fn a_corrupted_download_fails_the_checksum() {
    fails_then_recovers(vec![(OTP_TARBALL, Fault::Corrupt)], &[], &|url| {
        format!(
            "! Checksum mismatch\n!\n! the file from {url}/builds/otp/amd64/debian-12/OTP-25.2.3.tar.gz has SHA-256 "
        )
    });
}

#[test]
#[ignore = "integration test"]
fn a_stalled_download_times_out() {
    fails_then_recovers(
        vec![(OTP_TARBALL, Fault::Stall(Duration::from_secs(8)))],
        &[("ELIXIR_CNB_HTTP_STALL_TIMEOUT_SECONDS", "2")],
        &|url| {
            format!(
                "! Download failed\n!\n! {url}/builds/otp/amd64/debian-12/OTP-25.2.3.tar.gz failed 4 times; the last error was: "
            )
        },
    );
}

#[test]
#[ignore = "integration test"]
fn an_archive_escaping_its_layer_is_rejected() {
    let evil = evil_tarball();
    let index_path = mirror_dir().join("builds/otp/amd64/debian-12/builds.txt");
    let index = std::fs::read_to_string(index_path).expect("the bookworm OTP index");
    let evil_sha256 = format!("{:x}", Sha256::digest(&evil));
    let evil_index: String = index
        .lines()
        .map(|line| {
            let mut columns: Vec<&str> = line.split_whitespace().collect();
            if columns.len() == 4 {
                columns[3] = &evil_sha256;
            }
            columns.join(" ") + "\n"
        })
        .collect();
    fails_then_recovers(
        vec![
            (OTP_TARBALL, Fault::Replace(evil)),
            ("/debian-12/builds.txt", Fault::Replace(evil_index.into_bytes())),
        ],
        &[],
        &|_| {
            String::from(
                "! Unpacking a toolchain archive failed\n!\n! the archive entry `OTP-25.2.3/../../../evil` climbs out of the destination with `..`.\n",
            )
        },
    );
}

#[test]
#[ignore = "integration test"]
fn a_distro_without_builds_names_builders_that_work() {
    let builder = bookworm();
    let mirror = Mirror::with_faults(vec![("/debian-12/builds.txt", Fault::Status(404))]);
    let mut config = build_config(&builder, "hello_web", &mirror.url);
    config.expected_pack_result(PackResult::Failure);
    TestRunner::default().build(&config, |context| {
        assert_contains!(
            context.pack_stderr,
            &format!(
                "! No Erlang/OTP builds for this distro\n!\n! The builder's run image is debian-12 (amd64), and the index has no Erlang/OTP\n! builds for it: {}/builds/otp/amd64/debian-12/builds.txt does not exist.\n!\n! builds.hex.pm builds Erlang/OTP for Ubuntu releases. Use a builder based on one,\n! for example:\n!\n!     pack build myapp --builder heroku/builder:24\n",
                mirror.url
            )
        );
    });
}

/// A gzipped tarball whose second entry climbs out of the unpack directory.
fn evil_tarball() -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (name, contents) in [
        ("OTP-25.2.3/Install", "#!/bin/sh\n"),
        ("OTP-25.2.3/../../../evil", "owned\n"),
    ] {
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_mode(0o755);
        header.set_size(contents.len() as u64);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, contents.as_bytes()).expect("append");
    }
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// A `mix.lock` a merge left conflicted stops the build before anything is downloaded, naming the line.
#[test]
#[ignore = "integration test"]
fn a_conflicted_mix_lock_stops_the_build_before_any_download() {
    let mirror = Mirror::healthy();
    let mut config = build_config(&bookworm(), "hello_web", &mirror.url);
    config.app_dir_preprocessor(|app_dir| {
        std::fs::write(
            app_dir.join("mix.lock"),
            "%{\n<<<<<<< HEAD\n  \"jason\": {:hex, :jason, \"1.4.4\", \"a\", [:mix], [], \"hexpm\", \"b\"},\n=======\n  \
             \"jason\": {:hex, :jason, \"1.4.5\", \"c\", [:mix], [], \"hexpm\", \"d\"},\n>>>>>>> upgrade-jason\n}\n",
        )
        .expect("write mix.lock");
    });
    config.expected_pack_result(PackResult::Failure);
    TestRunner::default().build(&config, |context| {
        assert_contains!(
            context.pack_stderr,
            "! mix.lock has unresolved merge conflicts\n!\n\
             ! Line 2 of mix.lock is `<<<<<<< HEAD`, a marker git leaves where a merge conflicted\n\
             ! (1 conflicted part(s) in all). Mix can't read the file, and the build can't tell\n\
             ! which versions to use.\n!\n\
             ! Resolve the conflicts and commit mix.lock. For example, take one side and let Mix\n\
             ! bring the lock up to date with mix.exs:\n!\n\
             !     git checkout --theirs mix.lock\n\
             !     mix deps.get\n\
             !     git commit mix.lock\n"
        );
        assert_eq!(
            mirror.requests(),
            Vec::<String>::new(),
            "the build downloaded something"
        );
    });
}
