//! Reads `phoenix_static_buildpack.config`, the classic Phoenix static buildpack's config file, as data
//! (never `source`d), with the same parser as `elixir_buildpack.config`. What its keys mean here:
//!
//! | key | here |
//! |---|---|
//! | `node_version` | the Node.js version (exact or partial), strongest of the version sources |
//! | `phoenix_relative_path`, `assets_path` | where `package.json` is: `<phoenix_relative_path>/<assets_path>` |
//! | `compile` | a script in the app (classic default name `compile`) run with bash from the assets dir instead of `mix assets.deploy` |
//! | `yarn_version` | the yarn used for a `yarn.lock` |
//! | `npm_version`, `clean_cache`, `remove_node`, `phoenix_ex`, `config_vars_to_export` | not needed here: a note says why |
//! | anything else | a warning naming the key |

use super::classic_config;
use std::path::PathBuf;

pub(crate) const FILE: &str = "phoenix_static_buildpack.config";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PhoenixStaticConfig {
    /// `node_version` and its line.
    pub(crate) node_version: Option<(String, usize)>,
    pub(crate) yarn_version: Option<String>,
    /// `phoenix_relative_path`/`assets_path`, relative to the app dir.
    pub(crate) assets_dir: PathBuf,
    /// `compile`: the custom compile script, relative to the app dir, and its line.
    pub(crate) compile: Option<(String, usize)>,
    /// Notes and warnings to print.
    pub(crate) notes: Vec<String>,
    pub(crate) warnings: Vec<String>,
}

/// Parses the file (`None`: there is none). Without it, assets are in `assets/`.
pub(crate) fn parse(contents: Option<&str>) -> PhoenixStaticConfig {
    let mut config = PhoenixStaticConfig {
        assets_dir: PathBuf::from("assets"),
        ..PhoenixStaticConfig::default()
    };
    let Some(contents) = contents else {
        return config;
    };
    let parsed = classic_config::parse(contents);
    for error in &parsed.errors {
        config.warnings.push(format!(
            "Ignoring line {} of {FILE}: it needs a shell to evaluate, and this buildpack reads the \
             file as data.",
            error.line
        ));
    }
    let values = parsed.values();
    let value = |key: &str| {
        values
            .get(key)
            .map(|assignment| (assignment.value.as_scalar().trim().to_string(), assignment.line))
            .filter(|(value, _)| !value.is_empty())
    };
    config.node_version = value("node_version");
    config.yarn_version = value("yarn_version").map(|(value, _)| value);
    let phoenix_dir = value("phoenix_relative_path").map_or_else(PathBuf::new, |(path, _)| relative(&path));
    let assets = value("assets_path").map_or_else(|| PathBuf::from("assets"), |(path, _)| relative(&path));
    config.assets_dir = phoenix_dir.join(assets);
    config.compile = value("compile");
    for (key, assignment) in &values {
        let note = match *key {
            "node_version" | "yarn_version" | "phoenix_relative_path" | "assets_path" | "compile" => continue,
            "npm_version" => "npm is the one that comes with the selected Node.js",
            "clean_cache" => {
                "npm's cache here holds downloads only, and `npm ci` installs afresh every build; \
                 `always_rebuild=true` in elixir_buildpack.config drops every cache"
            }
            "remove_node" => "Node.js and node_modules never ship in the image",
            "phoenix_ex" => "assets are built with your `assets.deploy` alias (or the `compile` script)",
            "config_vars_to_export" => "CNB platforms already pass your config vars to the build",
            _ => {
                config.warnings.push(format!(
                    "Ignoring unknown key `{key}` (line {line} of {FILE}). Known keys: node_version, \
                     phoenix_relative_path, assets_path, compile, yarn_version.",
                    line = assignment.line
                ));
                continue;
            }
        };
        config.notes.push(format!(
            "Ignoring `{key}` (line {line} of {FILE}): {note}.",
            line = assignment.line
        ));
    }
    config
}

/// `./apps/web` and `apps/web/` are `apps/web`; `.` is the app dir itself.
fn relative(path: &str) -> PathBuf {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_file_assets_are_in_assets() {
        let config = parse(None);
        assert_eq!(config.assets_dir, PathBuf::from("assets"));
        assert_eq!(config.node_version, None);
        assert!(config.warnings.is_empty() && config.notes.is_empty());
    }

    #[test]
    fn the_keys_real_files_use() {
        let config = parse(Some(
            "clean_cache=false\ncompile=\"compile\"\nnode_version=6.9.2\nphoenix_relative_path=./apps/blessd_web\n\
             remove_node=false\nassets_path=assets\nphoenix_ex=phx\nnpm_version=6.9.0\nyarn_version=1.22.5\n",
        ));
        assert_eq!(config.node_version, Some(("6.9.2".into(), 3)));
        assert_eq!(config.assets_dir, PathBuf::from("apps/blessd_web/assets"));
        assert_eq!(config.compile, Some(("compile".into(), 2)));
        assert_eq!(config.yarn_version.as_deref(), Some("1.22.5"));
        assert_eq!(config.notes.len(), 4, "{:?}", config.notes);
        assert!(config.notes.iter().any(|note| note.starts_with(
            "Ignoring `remove_node` (line 5 of phoenix_static_buildpack.config): Node.js and node_modules never ship"
        )));
        assert!(config.warnings.is_empty());
        assert_eq!(parse(Some("assets_path=.\n")).assets_dir, PathBuf::new());
    }

    #[test]
    fn typos_and_shell_are_warnings() {
        let config = parse(Some("ndoe_version=12.16.3\nnode_version=$(cat .nvmrc)\n"));
        assert_eq!(config.node_version, None);
        assert_eq!(
            config.warnings,
            vec![
                "Ignoring line 2 of phoenix_static_buildpack.config: it needs a shell to evaluate, and \
                 this buildpack reads the file as data."
                    .to_string(),
                "Ignoring unknown key `ndoe_version` (line 1 of phoenix_static_buildpack.config). Known \
                 keys: node_version, phoenix_relative_path, assets_path, compile, yarn_version."
                    .to_string()
            ]
        );
    }

    /// Every real `phoenix_static_buildpack.config` in `../shared/corpus` reads without a panic, and
    /// their `node_version` lines all come through.
    #[test]
    fn corpus() {
        let Some(dir) = crate::test_support::corpus("phoenix_static_buildpack.config") else {
            return;
        };
        let entries = fs_err::read_dir(&dir).expect("a readable corpus folder");
        let mut files = 0;
        for entry in entries.flatten() {
            let contents = fs_err::read_to_string(entry.path()).expect("a corpus file");
            let config = parse(Some(&contents));
            let declared = contents
                .lines()
                .filter(|line| line.trim_start().starts_with("node_version="))
                .count();
            assert_eq!(
                config.node_version.is_some(),
                declared > 0,
                "{}: {config:?}",
                entry.path().display()
            );
            files += 1;
        }
        assert!(files >= 30, "only {files} corpus files");
    }
}
