//! The launch SBOM: a `CycloneDX` document of what the image runs, the Hex packages `mix.lock` pins (name,
//! version, checksum, repository) and the Erlang/OTP and Elixir versions. Deterministic (no timestamp,
//! no random serial number), so the same inputs give the same image.

use serde_json::{Value, json};

/// A Hex package as `mix.lock` pins it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LockedPackage {
    /// The dependency's name in the project (`mix.lock`'s key).
    pub(crate) name: String,
    /// The package's name in its repository.
    pub(crate) package: String,
    pub(crate) version: String,
    /// The SHA-256 of the package tarball, as Hex verifies it (the outer checksum).
    pub(crate) sha256: Option<String>,
    /// `hexpm`, `hexpm:acme` (an organization) or a repository added with `mix hex.repo add`.
    pub(crate) repo: String,
}

/// The Hex packages in a `mix.lock`, in file order. Lines look like
/// `"jason": {:hex, :jason, "1.4.4", "<inner>", [:mix], [deps...], "hexpm", "<outer>"},`; git and path
/// dependencies are not Hex packages and are left out.
pub(crate) fn hex_packages(mix_lock: &str) -> Vec<LockedPackage> {
    mix_lock.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<LockedPackage> {
    let line = line.trim();
    let (name, rest) = line.strip_prefix('"')?.split_once("\": {:hex, :")?;
    let (package, rest) = rest.split_once(", \"")?;
    let (version, _) = rest.split_once('"')?;
    // The repository and the outer checksum are the tuple's last two strings.
    let strings: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
    let (repo, sha256) = match strings.as_slice() {
        [.., repo, outer] if strings.len() >= 5 && is_sha256(outer) => (*repo, Some((*outer).to_string())),
        _ => ("hexpm", None),
    };
    Some(LockedPackage {
        name: name.to_string(),
        package: package.trim_matches('"').to_string(),
        version: version.to_string(),
        sha256,
        repo: repo.to_string(),
    })
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.chars().all(|char| char.is_ascii_hexdigit())
}

/// The package URL: `pkg:hex/jason@1.4.4`, with the organization as namespace (`pkg:hex/acme/foo@1.0.0`).
fn purl(package: &LockedPackage) -> String {
    match package.repo.strip_prefix("hexpm:") {
        Some(organization) => format!("pkg:hex/{organization}/{}@{}", package.package, package.version),
        None if package.repo == "hexpm" => format!("pkg:hex/{}@{}", package.package, package.version),
        None => format!(
            "pkg:hex/{}@{}?repository_url={}",
            package.package, package.version, package.repo
        ),
    }
}

/// The `CycloneDX` 1.5 JSON document.
pub(crate) fn cyclonedx(otp_version: &str, elixir_version: &str, packages: &[LockedPackage]) -> Vec<u8> {
    let mut components = vec![
        json!({
            "type": "framework",
            "bom-ref": "erlang-otp",
            "name": "Erlang/OTP",
            "version": otp_version,
            "purl": format!("pkg:github/erlang/otp@OTP-{otp_version}"),
        }),
        json!({
            "type": "framework",
            "bom-ref": "elixir",
            "name": "Elixir",
            "version": elixir_version,
            "purl": format!("pkg:github/elixir-lang/elixir@v{elixir_version}"),
        }),
    ];
    for package in packages {
        let mut component = json!({
            "type": "library",
            "bom-ref": format!("hex:{}", package.name),
            "name": package.package,
            "version": package.version,
            "purl": purl(package),
            "properties": [{ "name": "hex:repository", "value": package.repo }],
        });
        if let (Some(sha256), Value::Object(fields)) = (&package.sha256, &mut component) {
            fields.insert(
                String::from("hashes"),
                json!([{ "alg": "SHA-256", "content": sha256 }]),
            );
        }
        components.push(component);
    }
    let document = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "tools": { "components": [{ "type": "application", "name": "elixir-cnb", "version": env!("CARGO_PKG_VERSION") }] },
        },
        "components": components,
    });
    let mut bytes = serde_json::to_vec_pretty(&document).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"%{
  "bandit": {:hex, :bandit, "1.11.1", "aaaa", [:mix], [{:hpax, "~> 1.0", [hex: :hpax, repo: "hexpm", optional: false]}], "hexpm", "c2f6d5e3e4ab4a2b8a6a0e0f9f9b1c0d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b"},
  "acme_hello": {:hex, :acme_hello, "0.1.0", "bbbb", [:mix], [], "hexpm:acme", "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"},
  "renamed": {:hex, :real_name, "2.0.0", "cccc", [:rebar3], [], "hexpm", "1111111111111111111111111111111111111111111111111111111111111111"},
  "mine": {:git, "https://example.com/mine.git", "abc123", [branch: "main"]},
}
"#;

    #[test]
    fn hex_packages_from_mix_lock() {
        let packages = hex_packages(LOCK);
        let summary: Vec<(&str, &str, &str, &str)> = packages
            .iter()
            .map(|package| {
                (
                    package.name.as_str(),
                    package.package.as_str(),
                    package.version.as_str(),
                    package.repo.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("bandit", "bandit", "1.11.1", "hexpm"),
                ("acme_hello", "acme_hello", "0.1.0", "hexpm:acme"),
                ("renamed", "real_name", "2.0.0", "hexpm"),
            ]
        );
        assert_eq!(
            packages[0].sha256.as_deref(),
            Some("c2f6d5e3e4ab4a2b8a6a0e0f9f9b1c0d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b")
        );
        assert!(hex_packages("").is_empty());
        assert!(hex_packages("%{}\n").is_empty());
    }

    #[test]
    fn an_old_lock_line_without_repository_is_hexpm_without_checksum() {
        let packages =
            hex_packages("  \"cowboy\": {:hex, :cowboy, \"1.0.4\", \"abcd\", [:rebar, :make], []},\n");
        assert_eq!(packages.len(), 1);
        assert_eq!(
            (packages[0].repo.as_str(), packages[0].sha256.as_deref()),
            ("hexpm", None)
        );
    }

    #[test]
    fn purls_name_the_organization() {
        let packages = hex_packages(LOCK);
        let purls: Vec<String> = packages.iter().map(purl).collect();
        assert_eq!(
            purls,
            vec![
                "pkg:hex/bandit@1.11.1",
                "pkg:hex/acme/acme_hello@0.1.0",
                "pkg:hex/real_name@2.0.0"
            ]
        );
        let other = LockedPackage {
            repo: "internal".into(),
            ..packages[0].clone()
        };
        assert_eq!(purl(&other), "pkg:hex/bandit@1.11.1?repository_url=internal");
    }

    #[test]
    fn the_document_lists_the_toolchain_and_every_package_deterministically() {
        let packages = hex_packages(LOCK);
        let bytes = cyclonedx("27.3.4", "1.18.3", &packages);
        assert_eq!(bytes, cyclonedx("27.3.4", "1.18.3", &packages), "deterministic");
        let document: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(document["bomFormat"], "CycloneDX");
        assert_eq!(document["specVersion"], "1.5");
        let components = document["components"].as_array().expect("components");
        let names: Vec<(&str, &str)> = components
            .iter()
            .map(|component| {
                (
                    component["name"].as_str().unwrap_or_default(),
                    component["version"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("Erlang/OTP", "27.3.4"),
                ("Elixir", "1.18.3"),
                ("bandit", "1.11.1"),
                ("acme_hello", "0.1.0"),
                ("real_name", "2.0.0"),
            ]
        );
        assert_eq!(
            components[2]["hashes"][0],
            json!({"alg": "SHA-256", "content": "c2f6d5e3e4ab4a2b8a6a0e0f9f9b1c0d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b"})
        );
        assert_eq!(components[3]["properties"][0]["value"], "hexpm:acme");
        assert!(document.get("serialNumber").is_none());
        assert!(document["metadata"].get("timestamp").is_none());
    }
}
