//! What the assets' `package.json` and lockfiles say: the Node.js range in `engines.node`, and which
//! package manager installs the packages.

use std::path::Path;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PackageJson {
    /// `engines.node`, as written (an npm semver range).
    pub(crate) engines_node: Option<String>,
    /// `packageManager` (`pnpm@9.1.0`, `yarn@1.22.22`).
    pub(crate) package_manager: Option<String>,
}

/// Parses `package.json`; a malformed one is an error message (npm would fail on it too).
pub(crate) fn parse(contents: &str) -> Result<PackageJson, String> {
    let json: serde_json::Value = serde_json::from_str(contents).map_err(|error| error.to_string())?;
    let string = |value: Option<&serde_json::Value>| {
        value
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(String::from)
    };
    Ok(PackageJson {
        engines_node: string(json.get("engines").and_then(|engines| engines.get("node"))),
        package_manager: string(json.get("packageManager")),
    })
}

/// How the packages are installed, from the lockfile next to `package.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Installer {
    /// `package-lock.json` or `npm-shrinkwrap.json`: `npm ci`.
    NpmCi,
    /// `yarn.lock`: yarn (the version from `yarn_version` or `packageManager`, else 1.x).
    Yarn(String),
    /// `pnpm-lock.yaml`: pnpm (the version from `packageManager`, else the newest 9.x).
    Pnpm(String),
    /// No lockfile: `npm install`, with a warning that builds are not reproducible.
    NpmInstall,
}

impl Installer {
    pub(crate) fn detect(assets_dir: &Path, package: &PackageJson, yarn_version: Option<&str>) -> Self {
        let has = |name: &str| assets_dir.join(name).is_file();
        let pinned = |tool: &str| {
            package
                .package_manager
                .as_deref()
                .and_then(|spec| spec.strip_prefix(&format!("{tool}@")))
                .map(|version| version.split('+').next().unwrap_or(version).to_string())
        };
        if has("package-lock.json") || has("npm-shrinkwrap.json") {
            Self::NpmCi
        } else if has("yarn.lock") {
            Self::Yarn(
                yarn_version
                    .map(String::from)
                    .or_else(|| pinned("yarn"))
                    .unwrap_or_else(|| String::from("1")),
            )
        } else if has("pnpm-lock.yaml") {
            Self::Pnpm(pinned("pnpm").unwrap_or_else(|| String::from("9")))
        } else {
            Self::NpmInstall
        }
    }

    /// The command, run from the assets dir with Node on PATH.
    pub(crate) fn command(&self) -> Vec<String> {
        let words: Vec<String> = match self {
            Self::NpmCi => ["npm", "ci", "--no-audit", "--no-fund"]
                .map(String::from)
                .to_vec(),
            Self::NpmInstall => ["npm", "install", "--no-audit", "--no-fund"]
                .map(String::from)
                .to_vec(),
            Self::Yarn(version) => vec![
                "npx".into(),
                "--yes".into(),
                format!("yarn@{version}"),
                "install".into(),
                "--frozen-lockfile".into(),
            ],
            Self::Pnpm(version) => vec![
                "npx".into(),
                "--yes".into(),
                format!("pnpm@{version}"),
                "install".into(),
                "--frozen-lockfile".into(),
            ],
        };
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_and_package_manager() {
        let package =
            parse(r#"{"engines": {"node": ">=18 <23"}, "packageManager": "pnpm@9.1.0+sha512.abc"}"#)
                .expect("valid");
        assert_eq!(package.engines_node.as_deref(), Some(">=18 <23"));
        assert_eq!(parse("{}").expect("valid"), PackageJson::default());
        assert!(parse("{").is_err());
    }

    #[test]
    fn the_lockfile_picks_the_installer() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let package = parse(r#"{"packageManager": "pnpm@9.1.0+sha512.abc"}"#).expect("valid");
        assert_eq!(
            Installer::detect(dir.path(), &package, None),
            Installer::NpmInstall
        );
        fs_err::write(dir.path().join("pnpm-lock.yaml"), "").expect("write");
        assert_eq!(
            Installer::detect(dir.path(), &package, None),
            Installer::Pnpm("9.1.0".into())
        );
        fs_err::write(dir.path().join("yarn.lock"), "").expect("write");
        assert_eq!(
            Installer::detect(dir.path(), &PackageJson::default(), Some("1.22.5")),
            Installer::Yarn("1.22.5".into())
        );
        fs_err::write(dir.path().join("package-lock.json"), "{}").expect("write");
        assert_eq!(Installer::detect(dir.path(), &package, None), Installer::NpmCi);
        assert_eq!(
            Installer::NpmCi.command(),
            vec!["npm", "ci", "--no-audit", "--no-fund"]
        );
        assert_eq!(
            Installer::Yarn("1".into()).command(),
            vec!["npx", "--yes", "yarn@1", "install", "--frozen-lockfile"]
        );
    }
}
