//! Static assets, after compile and before the release (`LiveView`'s colocated hooks and Phoenix's
//! digests need the compiled app): Node.js and the packages of `package.json` when the assets have one,
//! then the app's `assets.deploy` alias (or the classic `compile` script, or `npm run deploy` and
//! `mix phx.digest`), with esbuild's and tailwind's binaries cached and kept out of the image.

pub(crate) mod node;
pub(crate) mod node_version;
pub(crate) mod npm;
pub(crate) mod tool_binaries;
pub(crate) mod tools;

use crate::frontend::Frontend;
use crate::frontend::FrontendError;
use crate::inputs::classic_config;
use crate::inputs::config::{CLASSIC_CONFIG_FILE, Hooks, PlatformEnv};
use crate::inputs::package_json::{self, Installer};
use crate::inputs::phoenix_static_config::{self, PhoenixStaticConfig};
use crate::inputs::tool_versions;
use crate::mix::MixError;
use crate::mix::{MixEnv, ProjectInfo};
use crate::toolchain::archive::ArchiveError;
use crate::toolchain::download::DownloadError;
use crate::toolchain::fetch::FetchError;
use bullet_stream::fun_run::CmdError;
use bullet_stream::global::print;
use node_version::NodeRequest;
use std::path::{Path, PathBuf};

/// What the assets step fails with.
#[derive(Debug)]
pub(crate) enum AssetsError {
    Frontend(FrontendError),
    Mix(MixError),
    TempFile(std::io::Error),
    Download(DownloadError),
    Unpack(ArchiveError),
    ReadAppFile(std::io::Error),
    WriteCache(std::io::Error),
    LinkCache(std::io::Error),
    SlimAppDir(std::io::Error),
    /// Installing Node.js failed.
    Node(node::NodeError),
    /// The assets' `package.json` is not JSON.
    PackageJson {
        path: PathBuf,
        error: String,
    },
    /// A command of the assets step (the package manager, the classic `compile` script) failed.
    AssetsCommand(CmdError),
    /// Supplying esbuild's or tailwind's binary from `BP_ESBUILD_URL`/`BP_TAILWIND_URL` failed.
    ToolBinary(tool_binaries::ToolBinaryError),
}

impl From<FrontendError> for AssetsError {
    fn from(error: FrontendError) -> Self {
        Self::Frontend(error)
    }
}

impl From<MixError> for AssetsError {
    fn from(error: MixError) -> Self {
        Self::Mix(error)
    }
}

impl From<FetchError> for AssetsError {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::TempFile(error) => Self::TempFile(error),
            FetchError::Download(error) => Self::Download(error),
            FetchError::Unpack(error) => Self::Unpack(error),
        }
    }
}

/// The `elixir_buildpack.config` key that turns the assets step off.
pub(crate) const SETTING: &str = "assets_deploy";

/// What the assets step runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Nothing to build.
    Nothing,
    /// Not run, and why.
    Off(String),
    /// `mix assets.deploy`.
    AssetsDeploy,
    /// An umbrella's: `mix assets.deploy` in each of these apps (`apps/<app>`), as Phoenix's guides run it.
    AssetsDeployIn(Vec<String>),
    /// The classic Phoenix static buildpack's custom `compile` script, with bash from the assets dir.
    CompileScript(String),
    /// The classic default for apps without `assets.deploy`: `npm run deploy`, then `mix phx.digest`.
    NpmDeploy,
}

/// The facts the plan is made from.
#[derive(Debug, Default)]
pub(crate) struct Facts<'a> {
    pub(crate) assets_deploy_alias: bool,
    /// Umbrella apps with an `assets.deploy` alias.
    pub(crate) assets_deploy_in: Vec<String>,
    pub(crate) phoenix: bool,
    pub(crate) hooks: Option<&'a Hooks>,
    /// `assets_deploy=` in `elixir_buildpack.config`: its value and line.
    pub(crate) setting: Option<(bool, usize)>,
    /// The `compile` script of `phoenix_static_buildpack.config` (or its default name), when it exists.
    pub(crate) compile_script: Option<String>,
    /// `package.json` has a `deploy` script.
    pub(crate) npm_deploy_script: bool,
}

pub(crate) fn plan(facts: &Facts<'_>) -> Plan {
    if let Some((false, line)) = facts.setting {
        return Plan::Off(format!(
            "`{SETTING}=false` is set (line {line} of {CLASSIC_CONFIG_FILE})"
        ));
    }
    if let Some(hooks) = facts.hooks {
        let builds_assets = |script: &str| script.contains("assets.deploy") || script.contains("phx.digest");
        for (key, script) in [
            ("hook_compile", &hooks.compile),
            ("hook_post_compile", &hooks.post_compile),
            ("post_compile", &hooks.legacy_post_compile),
        ] {
            if let Some(script) = script.as_deref().filter(|script| builds_assets(script)) {
                return Plan::Off(format!(
                    "the `{key}` hook builds them (`{script}`), so the buildpack doesn't run `mix assets.deploy` again"
                ));
            }
        }
    }
    if let Some(script) = &facts.compile_script {
        Plan::CompileScript(script.clone())
    } else if facts.assets_deploy_alias {
        Plan::AssetsDeploy
    } else if !facts.assets_deploy_in.is_empty() {
        Plan::AssetsDeployIn(facts.assets_deploy_in.clone())
    } else if facts.phoenix && facts.npm_deploy_script {
        Plan::NpmDeploy
    } else {
        Plan::Nothing
    }
}

/// `assets_deploy` in `elixir_buildpack.config`: `true`/`false` and its line.
fn setting(classic: Option<&str>) -> Option<(bool, usize)> {
    let parsed = classic_config::parse(classic?);
    let values = parsed.values();
    let assignment = values.get(SETTING)?;
    match assignment.value.as_scalar().trim() {
        "false" => Some((false, assignment.line)),
        "true" => Some((true, assignment.line)),
        other => {
            print::warning(format!(
                "Ignoring `{SETTING}={other}` (line {} of {CLASSIC_CONFIG_FILE}): only `true` and `false` \
                 are accepted.",
                assignment.line
            ));
            None
        }
    }
}

/// Where the step runs and what it needs from the build.
pub(crate) struct AssetsContext<'a, E: PlatformEnv> {
    pub(crate) app_dir: &'a Path,
    pub(crate) env: &'a E,
    pub(crate) arch: &'a str,
    pub(crate) hooks: &'a Hooks,
    pub(crate) always_rebuild: bool,
}

/// Runs the assets step; `mix` gets Node on its PATH when Node is installed.
pub(crate) fn build<E: PlatformEnv>(
    frontend: &mut impl Frontend,
    mix: &mut MixEnv,
    project: &ProjectInfo,
    context: &AssetsContext<'_, E>,
) -> Result<(), AssetsError> {
    let app_dir = context.app_dir;
    let read = |name: &str| fs_err::read_to_string(app_dir.join(name)).ok();
    let static_file = read(phoenix_static_config::FILE);
    let static_config = phoenix_static_config::parse(static_file.as_deref());
    let assets_dir = app_dir.join(&static_config.assets_dir);
    let package_json_path = assets_dir.join("package.json");
    let package = match fs_err::read_to_string(&package_json_path) {
        Ok(contents) => Some(
            package_json::parse(&contents).map_err(|error| AssetsError::PackageJson {
                path: static_config.assets_dir.join("package.json"),
                error,
            })?,
        ),
        Err(_) => None,
    };
    // The classic buildpack ran `<compile>` (default `compile`) from the app when it existed.
    let compile_script = static_file.as_ref().and_then(|_| {
        let (name, _) = static_config
            .compile
            .clone()
            .unwrap_or_else(|| (String::from("compile"), 0));
        app_dir.join(&name).is_file().then_some(name)
    });
    let facts = Facts {
        assets_deploy_alias: project.assets_deploy,
        assets_deploy_in: project.assets_deploy_in.clone(),
        phoenix: project.phoenix,
        hooks: Some(context.hooks),
        setting: setting(read(CLASSIC_CONFIG_FILE).as_deref()),
        compile_script,
        npm_deploy_script: package.is_some() && npm_deploy_script(&package_json_path),
    };
    let plan = plan(&facts);
    if plan == Plan::Nothing {
        return Ok(());
    }
    // Node.js has a section of its own: the assets' header comes after it, and before it only for what
    // precedes it (notes on the classic config, or why nothing is built).
    let off = matches!(plan, Plan::Off(_));
    if package.is_none() || off || !static_config.notes.is_empty() || !static_config.warnings.is_empty() {
        print::bullet("Assets");
    }
    for note in &static_config.notes {
        print::sub_bullet(note);
    }
    for warning in &static_config.warnings {
        print::warning(warning);
    }
    if let Plan::Off(why) = &plan {
        print::sub_bullet(format!("Not building assets: {why}"));
        return Ok(());
    }
    let package_env = match &package {
        Some(package) => {
            let env = install_packages(frontend, mix, context, &static_config, &assets_dir, package)?;
            print::bullet("Assets");
            env
        }
        None => Vec::new(),
    };
    let tools_dir = mix
        .build_path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let tools = tools::AssetTools::restore(
        frontend,
        app_dir,
        &tools_dir,
        context.arch,
        context.always_rebuild,
    )?;
    let result = tool_binaries::supply(&project.tools, context.env)
        .map_err(AssetsError::ToolBinary)
        .and_then(|()| run(mix, &plan, app_dir, &assets_dir, &package_env));
    tools.store()?;
    result?;
    remove_node_modules(&assets_dir)
}

/// Node.js on `mix`'s PATH, and the packages installed; returns the package managers' env.
fn install_packages<E: PlatformEnv>(
    frontend: &mut impl Frontend,
    mix: &mut MixEnv,
    context: &AssetsContext<'_, E>,
    static_config: &PhoenixStaticConfig,
    assets_dir: &Path,
    package: &package_json::PackageJson,
) -> Result<Vec<(&'static str, String)>, AssetsError> {
    let tool_versions = fs_err::read_to_string(context.app_dir.join(".tool-versions")).ok();
    let request = node_request(static_config, tool_versions.as_deref(), package);
    let mirror = context
        .env
        .get(node::MIRROR_SETTING)
        .unwrap_or_else(|| node::DEFAULT_MIRROR.to_string());
    let node = node::install(
        frontend,
        request.as_ref(),
        &mirror,
        context.arch,
        context.always_rebuild,
    )?;
    mix.prepend_path(&node.join("bin"));
    let cache = npm::restore(frontend, context.always_rebuild)?;
    let package_env = npm::env(&cache);
    let installer = Installer::detect(assets_dir, package, static_config.yarn_version.as_deref());
    if installer == Installer::NpmInstall {
        print::warning(format!(
            "{} has no lockfile, so `npm install` picks package versions anew every build. Commit \
             the package-lock.json that `npm install` writes.",
            static_config.assets_dir.join("package.json").display()
        ));
    }
    let command = installer.command();
    mix.run_in(assets_dir, &command[0], &command[1..], &package_env)
        .map_err(AssetsError::AssetsCommand)?;
    Ok(package_env)
}

/// Runs what the plan says.
fn run(
    mix: &MixEnv,
    plan: &Plan,
    app_dir: &Path,
    assets_dir: &Path,
    package_env: &[(&str, String)],
) -> Result<(), AssetsError> {
    match plan {
        Plan::AssetsDeploy => {
            print::sub_bullet("Building assets with the `assets.deploy` alias of mix.exs");
            Ok(mix.mix(&["assets.deploy"])?)
        }
        Plan::AssetsDeployIn(apps) => {
            for app in apps {
                print::sub_bullet(format!(
                    "Building assets with the `assets.deploy` alias of {app}/mix.exs"
                ));
                mix.run_in(&app_dir.join(app), "mix", &["assets.deploy".into()], package_env)
                    .map_err(AssetsError::AssetsCommand)?;
            }
            Ok(())
        }
        Plan::CompileScript(script) => {
            print::sub_bullet(format!(
                "Building assets with `{script}` from {}, as the Phoenix static buildpack did",
                phoenix_static_config::FILE
            ));
            let script = app_dir.join(script).to_string_lossy().to_string();
            mix.run_in(assets_dir, "bash", &[script], package_env)
                .map_err(AssetsError::AssetsCommand)
        }
        Plan::NpmDeploy => {
            print::sub_bullet("Building assets with `npm run deploy` and `mix phx.digest`");
            mix.run_in(assets_dir, "npm", &["run".into(), "deploy".into()], package_env)
                .map_err(AssetsError::AssetsCommand)
                .and_then(|()| Ok(mix.mix(&["phx.digest"])?))
        }
        Plan::Nothing | Plan::Off(_) => Ok(()),
    }
}

/// The Node.js request, strongest first.
fn node_request(
    static_config: &PhoenixStaticConfig,
    tool_versions: Option<&str>,
    package: &package_json::PackageJson,
) -> Option<NodeRequest> {
    if let Some((version, line)) = &static_config.node_version {
        return NodeRequest::version(
            version,
            format!("from {}, line {line}", phoenix_static_config::FILE),
        );
    }
    if let Some((version, line)) = tool_versions
        .map(tool_versions::parse)
        .and_then(|parsed| parsed.nodejs)
    {
        return NodeRequest::version(&version, format!("from .tool-versions, line {line}"));
    }
    package
        .engines_node
        .as_deref()
        .and_then(|range| NodeRequest::range(range, String::from("from engines.node in package.json")))
}

fn npm_deploy_script(package_json: &Path) -> bool {
    fs_err::read_to_string(package_json)
        .ok()
        .and_then(|contents| serde_json::from_str::<serde_json::Value>(&contents).ok())
        .is_some_and(|json| json.pointer("/scripts/deploy").is_some())
}

/// `node_modules` is for building: it doesn't ship in the image.
fn remove_node_modules(assets_dir: &Path) -> Result<(), AssetsError> {
    let node_modules: PathBuf = assets_dir.join("node_modules");
    if node_modules.is_dir() {
        fs_err::remove_dir_all(&node_modules).map_err(AssetsError::SlimAppDir)?;
        print::sub_bullet("Removed node_modules from the app: it is for building assets only");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alias_runs_unless_turned_off_or_done_by_a_hook() {
        let mut facts = Facts {
            assets_deploy_alias: true,
            phoenix: true,
            ..Facts::default()
        };
        assert_eq!(plan(&facts), Plan::AssetsDeploy);
        facts.setting = Some((true, 1));
        assert_eq!(plan(&facts), Plan::AssetsDeploy);
        facts.setting = Some((false, 3));
        assert_eq!(
            plan(&facts),
            Plan::Off("`assets_deploy=false` is set (line 3 of elixir_buildpack.config)".into())
        );
        facts.setting = None;
        let hooks = Hooks {
            post_compile: Some("cd assets && npm run deploy && cd .. && mix phx.digest".into()),
            ..Hooks::default()
        };
        facts.hooks = Some(&hooks);
        assert_eq!(
            plan(&facts),
            Plan::Off(
                "the `hook_post_compile` hook builds them (`cd assets && npm run deploy && cd .. && mix \
                 phx.digest`), so the buildpack doesn't run `mix assets.deploy` again"
                    .into()
            )
        );
    }

    #[test]
    fn classic_scripts_and_apps_without_the_alias() {
        let facts = Facts {
            assets_deploy_alias: true,
            compile_script: Some("compile".into()),
            ..Facts::default()
        };
        assert_eq!(plan(&facts), Plan::CompileScript("compile".into()));
        let facts = Facts {
            phoenix: true,
            npm_deploy_script: true,
            ..Facts::default()
        };
        assert_eq!(plan(&facts), Plan::NpmDeploy);
        assert_eq!(plan(&Facts::default()), Plan::Nothing);
        // An umbrella: its web app's alias, unless the root has one of its own.
        let mut facts = Facts {
            phoenix: false,
            assets_deploy_in: vec!["apps/hello_web".into()],
            ..Facts::default()
        };
        assert_eq!(plan(&facts), Plan::AssetsDeployIn(vec!["apps/hello_web".into()]));
        facts.assets_deploy_alias = true;
        assert_eq!(plan(&facts), Plan::AssetsDeploy);
    }

    #[test]
    fn the_setting_is_read_as_data() {
        assert_eq!(setting(Some("assets_deploy=false\n")), Some((false, 1)));
        assert_eq!(
            setting(Some("release=true\nassets_deploy=true\n")),
            Some((true, 2))
        );
        assert_eq!(setting(Some("release=true\n")), None);
        assert_eq!(setting(None), None);
    }

    #[test]
    fn node_requests_strongest_first() {
        let package = package_json::parse(r#"{"engines": {"node": ">=18"}}"#).expect("valid");
        let static_config = phoenix_static_config::parse(Some("node_version=20.12.2\n"));
        let from_static = node_request(&static_config, Some("nodejs 22.1.0\n"), &package).expect("a request");
        assert_eq!(from_static.text, "20.12.2");
        assert_eq!(from_static.source, "from phoenix_static_buildpack.config, line 1");
        let none = phoenix_static_config::parse(None);
        let from_tools =
            node_request(&none, Some("erlang 27\nnodejs 22.1.0\n"), &package).expect("a request");
        assert_eq!(from_tools.source, "from .tool-versions, line 2");
        let from_engines = node_request(&none, None, &package).expect("a request");
        assert_eq!(from_engines.text, ">=18");
        assert_eq!(
            node_request(&none, None, &package_json::PackageJson::default()),
            None
        );
    }
}
