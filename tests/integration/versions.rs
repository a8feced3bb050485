//! The version is written in four places, which `scripts/bump-version` changes together: Cargo.toml,
//! Cargo.lock, buildpack.toml (what users and the registry see) and CHANGELOG.md. Not an `#[ignore]`d
//! test: it reads files only.

use std::path::Path;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
        .unwrap_or_else(|error| panic!("reading {name}: {error}"))
}

fn table(name: &str) -> toml::Table {
    read(name)
        .parse()
        .unwrap_or_else(|error| panic!("parsing {name}: {error}"))
}

fn semver(version: &str) -> semver::Version {
    semver::Version::parse(version).unwrap_or_else(|error| panic!("{version:?}: {error}"))
}

#[test]
fn cargo_buildpack_and_changelog_agree() {
    let cargo = table("Cargo.toml");
    let version = cargo["package"]["version"]
        .as_str()
        .expect("Cargo.toml [package] version");

    let buildpack = table("buildpack.toml");
    assert_eq!(
        buildpack["buildpack"]["version"].as_str(),
        Some(version),
        "buildpack.toml [buildpack] version differs from Cargo.toml's: run scripts/bump-version"
    );

    let lock = table("Cargo.lock");
    let locked = lock["package"]
        .as_array()
        .expect("Cargo.lock [[package]]")
        .iter()
        .find(|package| package["name"].as_str() == Some("elixir-cnb"))
        .and_then(|package| package["version"].as_str());
    assert_eq!(
        locked,
        Some(version),
        "Cargo.lock's elixir-cnb entry differs from Cargo.toml: run scripts/bump-version"
    );

    // Keep a Changelog: an Unreleased section first, then released versions, newest first. The newest
    // released one is this version, or nothing is released yet (the version waiting for its first release).
    let changelog = read("CHANGELOG.md");
    let headings: Vec<&str> = changelog
        .lines()
        .filter(|line| line.starts_with("## ["))
        .collect();
    assert_eq!(
        headings.first().copied(),
        Some("## [Unreleased]"),
        "CHANGELOG.md must start with an Unreleased section"
    );
    let released: Vec<semver::Version> = headings[1..]
        .iter()
        .map(|heading| {
            let (version, date) = heading
                .trim_start_matches("## [")
                .split_once("] - ")
                .unwrap_or_else(|| {
                    panic!("CHANGELOG.md heading {heading:?} is not `## [X.Y.Z] - YYYY-MM-DD`")
                });
            assert!(
                date.len() == 10 && date.chars().filter(|c| *c == '-').count() == 2,
                "CHANGELOG.md heading {heading:?}: the date is not YYYY-MM-DD"
            );
            semver(version)
        })
        .collect();
    if let Some(newest) = released.first() {
        assert_eq!(
            *newest,
            semver(version),
            "the newest release in CHANGELOG.md is not Cargo.toml's version: run scripts/bump-version"
        );
    }
    assert!(
        released.windows(2).all(|pair| pair[0] > pair[1]),
        "CHANGELOG.md's releases are not newest first: {released:?}"
    );
}

#[test]
fn release_image_repository_is_declared() {
    let buildpack = table("buildpack.toml");
    let repository = buildpack["metadata"]["release"]["image"]["repository"]
        .as_str()
        .expect("buildpack.toml [metadata.release] image.repository");
    assert!(
        repository.starts_with("docker.io/"),
        "the release image repository should name its registry: {repository}"
    );
}
