//! The build, as DESIGN.md lists its steps, for any front-end: read the inputs, resolve and install the
//! toolchain, fetch deps and compile with the classic hooks around them, build the releases, and say
//! which processes the image runs. A front-end (CNB, classic) supplies where caches live and how launch
//! env and processes are declared; nothing here knows which one it is.

mod error;

pub(crate) use error::ElixirBuildpackError;

use crate::assets;
use crate::frontend::Frontend;
use crate::inputs::config::{self, BuildConfig, PlatformEnv};
use crate::inputs::git_settings::{self, GitSettings};
use crate::inputs::hex_settings::{self, HexSettings};
use crate::inputs::procfile::{self, ProcfileEntry};
use crate::inputs::{self};
use crate::launch::{Process, classic_paths, processes, sbom};
use crate::mix::{self, MixEnv};
use crate::release;
use crate::toolchain::{self, Platform, Toolchain, Urls};
use bullet_stream::global::print;
use std::path::{Path, PathBuf};

/// What the build is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// An image or slug that runs the app.
    Deploy,
    /// Compiling for `mix test` (Heroku CI): `MIX_ENV=test`, no release, the toolchain kept for the tests.
    Test,
}

/// Where the build runs.
pub(crate) struct Context<'a, E: PlatformEnv> {
    pub(crate) app_dir: &'a Path,
    /// The build-time env the platform passes (config vars, `pack build --env`).
    pub(crate) env: &'a E,
    /// Config vars to pass to build commands beyond the process env (the classic `ENV_DIR`).
    pub(crate) extra_env: &'a [(String, String)],
    pub(crate) platform: Platform,
    pub(crate) purpose: Purpose,
}

/// What the build made, for the front-end to declare.
#[derive(Debug, Default)]
pub(crate) struct Output {
    /// The buildpack's own processes (`web`, `release`).
    pub(crate) processes: Vec<Process>,
    pub(crate) procfile: Vec<ProcfileEntry>,
    /// `app.json` scripts that become process types (`postdeploy`, `pr-predestroy`).
    pub(crate) review_scripts: Vec<(String, String)>,
    /// What later build steps need to run Mix: the toolchain on PATH, `MIX_ENV`, `MIX_HOME`, ...
    pub(crate) mix_build_env: Vec<(String, String)>,
    /// The releases built: name and root.
    pub(crate) releases: Vec<(String, PathBuf)>,
}

impl Output {
    /// Every process of an image whose app dir is `app_dir`: the Procfile's and `app.json`'s added to the
    /// buildpack's own (see [`processes::merge`]), with the classic slug's paths (`/app/...`,
    /// `_build/<env>/rel/<name>/...`) pointing where the app and the releases are; and a notice for each
    /// command that changed.
    pub(crate) fn image_processes(&self, app_dir: &Path) -> (Vec<Process>, Vec<String>) {
        let app_dir = app_dir.to_string_lossy();
        let releases: Vec<(String, String)> = self
            .releases
            .iter()
            .map(|(name, root)| (name.clone(), root.to_string_lossy().to_string()))
            .collect();
        let mut notices = Vec::new();
        let mut rewrite = |source: String, process_type: &str, command: &str| {
            let rewritten = classic_paths::rewrite(command, &app_dir, &releases);
            if rewritten != command {
                notices.push(format!(
                    "{source} `{process_type}` is written for the classic slug, so here it runs: {rewritten}"
                ));
            }
            rewritten
        };
        let procfile: Vec<ProcfileEntry> = self
            .procfile
            .iter()
            .map(|entry| ProcfileEntry {
                command: rewrite(
                    format!("Procfile line {}", entry.line),
                    &entry.process_type,
                    &entry.command,
                ),
                ..entry.clone()
            })
            .collect();
        let scripts: Vec<(String, String)> = self
            .review_scripts
            .iter()
            .map(|(name, command)| {
                (
                    name.clone(),
                    rewrite(String::from("app.json script"), name, command),
                )
            })
            .collect();
        (
            processes::merge(self.processes.clone(), &procfile, &scripts),
            notices,
        )
    }
}

/// What detection prints when the app is not a Mix project.
pub(crate) const NOT_DETECTED: &str =
    "No mix.exs found at the root of the app, so this is not a Mix project.";

/// A Mix project has a `mix.exs` at its root.
pub(crate) fn detect(app_dir: &Path) -> bool {
    app_dir.join("mix.exs").is_file()
}

/// Runs the whole build, in DESIGN.md's order.
pub(crate) fn build<E: PlatformEnv>(
    frontend: &mut impl Frontend,
    context: &Context<'_, E>,
) -> Result<Output, ElixirBuildpackError> {
    let inputs = read_inputs(frontend, context)?;
    let config = &inputs.config;

    let toolchain = resolve_versions(frontend, context, config)?;
    refuse_distillery_on_otp_25(context.app_dir, &toolchain)?;

    // In mix-at-runtime mode the toolchain and compiled app ship in the image; a release needs none.
    let testing = context.purpose == Purpose::Test;
    let procfile_mix = procfile::first_mix_command(&inputs.procfile);
    let runtime_mix = testing || !config.release || procfile_mix.is_some();
    let always_rebuild = config.always_rebuild;
    // On a cold build, Elixir downloads while Erlang/OTP downloads and installs.
    let elixir_download = toolchain::elixir::prefetch(frontend, &toolchain, always_rebuild);
    let erlang = toolchain::erlang::install(
        frontend,
        &toolchain,
        &context.platform,
        runtime_mix,
        always_rebuild,
    )?;
    let elixir =
        toolchain::elixir::install(frontend, &toolchain, runtime_mix, always_rebuild, elixir_download)?;

    let mix_lock = &inputs.mix_lock;
    let sbom = launch_sbom(&toolchain, mix_lock.as_deref());

    print::bullet("Mix");
    let caches = mix::steps::MixCaches::restore(
        frontend,
        context.app_dir,
        mix_lock.as_deref(),
        config,
        &toolchain,
        runtime_mix,
        &sbom,
    )?;
    let hex_home = caches.hex_home.path();
    let dirs = caches.dirs(&erlang, &elixir, &hex_home);
    let mix_env = &config.mix_env.value;
    let mut mix = MixEnv::new(context.app_dir, &dirs, mix_env, context.extra_env);
    mix.plus_separator = plus_separator(&toolchain);
    // Kept to the end of the build: the git credential store goes with it.
    let _git = mix::git::prepare(&mut mix, &inputs.git, mix_lock.as_deref())?;
    let (project, app_files) =
        mix::steps::compile_explained(&mix, &caches, &inputs.mix_settings(), mix_lock.as_deref())?;
    if !testing {
        assets::build(
            frontend,
            &mut mix,
            &project,
            &assets::AssetsContext {
                app_dir: context.app_dir,
                env: context.env,
                arch: &context.platform.arch,
                hooks: &config.hooks,
                always_rebuild,
            },
        )?;
    }
    // The classic buildpack ran `post_compile` last; here it still comes before the release, so that what
    // it does to the app (digested assets, a release of its own) is what ships.
    run_hook(&mix, "post_compile", config.hooks.legacy_post_compile.as_deref())?;
    let mix_build_env = mix::build_env(&dirs, mix_env);

    let mut built = Vec::new();
    let processes = if testing {
        Vec::new()
    } else if runtime_mix {
        print::bullet("Mix at runtime");
        print::sub_bullet(processes::mix_at_runtime_reason(procfile_mix));
        processes::for_mix(&project)
    } else if let Some(name) = release::unpacked_in(context.app_dir) {
        // The deployment article's workflow: a post_compile hook that builds a release and replaces the
        // app dir with it. That release ships; a second one would only double the image.
        print::bullet("Release");
        print::sub_bullet(format!(
            "The post_compile hook unpacked release `{name}` into the app dir: it ships as it is, and \
             the buildpack builds no release of its own"
        ));
        remove_build_output(context.app_dir)?;
        Vec::new()
    } else {
        print::bullet("Release");
        let rel_config = fs_err::read_to_string(context.app_dir.join("rel/config.exs")).ok();
        let releases = release::releases_to_build(&project, rel_config.as_deref())?;
        let assembled = release::assemble(
            frontend,
            &mix,
            &release::Build {
                releases: &releases,
                project: &project,
                toolchain: &toolchain,
                mix_env,
                always_rebuild,
                sbom: &sbom,
                app_files: &app_files,
            },
        )?;
        remove_build_output(context.app_dir)?;
        built = assembled
            .iter()
            .map(|release| (release.name.clone(), release.root.clone()))
            .collect();
        processes::for_releases(&assembled, &project)
    };
    Ok(Output {
        processes,
        procfile: inputs.procfile,
        review_scripts: inputs.review_scripts,
        mix_build_env,
        releases: built,
    })
}

/// The Erlang/OTP and Elixir builds: from the index, or from the caches when pinned exactly.
fn resolve_versions<E: PlatformEnv>(
    frontend: &impl Frontend,
    context: &Context<'_, E>,
    config: &BuildConfig,
) -> Result<Toolchain, ElixirBuildpackError> {
    print::bullet("Versions");
    let hex_builds_url = context
        .env
        .get("HEX_BUILDS_URL")
        .unwrap_or_else(|| toolchain::DEFAULT_HEX_BUILDS_URL.to_string());
    let requests = toolchain::Requests::of(config);
    let urls = Urls::new(&hex_builds_url, &context.platform);
    let pinned = cached_toolchain(frontend, &context.platform, config.always_rebuild)
        .and_then(|cached| toolchain::pinned::from_cache(requests, &cached, &urls));
    let from_cache = pinned.is_some();
    let toolchain = match pinned {
        Some(toolchain) => toolchain,
        None => toolchain::resolve(requests, &urls).map_err(ElixirBuildpackError::Toolchain)?,
    };
    print_versions(config, &toolchain);
    if from_cache {
        print::sub_bullet("Pinned exactly and cached: no index lookup");
    }
    Ok(toolchain)
}

/// The image's SBOM: the toolchain and the Hex packages `mix.lock` pins.
fn launch_sbom(toolchain: &Toolchain, mix_lock: Option<&str>) -> Vec<u8> {
    sbom::cyclonedx(
        &toolchain.otp.display_version(),
        &toolchain.elixir.display_version(),
        &sbom::hex_packages(mix_lock.unwrap_or_default()),
    )
}

/// Whether this Elixir's `mix do` separates tasks with `+` (1.14 and later; branch builds are recent).
fn plus_separator(toolchain: &Toolchain) -> bool {
    toolchain
        .elixir
        .version
        .as_ref()
        .is_none_or(|version| version.parts.get(..2).is_some_and(|minor| minor >= &[1, 14][..]))
}

/// What the user told us, with every warning printed.
struct Inputs {
    config: BuildConfig,
    hex: HexSettings,
    git: GitSettings,
    procfile: Vec<ProcfileEntry>,
    review_scripts: Vec<(String, String)>,
    /// `mix.lock`, when the app has one.
    mix_lock: Option<String>,
}

impl Inputs {
    fn mix_settings(&self) -> mix::steps::Settings<'_> {
        mix::steps::Settings {
            config: &self.config,
            hex: &self.hex,
            git: &self.git,
        }
    }
}

fn read_inputs<E: PlatformEnv>(
    frontend: &mut impl Frontend,
    context: &Context<'_, E>,
) -> Result<Inputs, ElixirBuildpackError> {
    let mut config = config::read(context.app_dir, context.env).map_err(ElixirBuildpackError::Config)?;
    if context.purpose == Purpose::Test {
        config.mix_env = config::Sourced {
            value: String::from("test"),
            source: config::Source::Env("MIX_ENV"),
        };
    }
    for warning in &config.warnings {
        print::warning(warning);
    }
    frontend.classic_only(&config.classic_only)?;
    // A conflicted lock stops the build before anything is downloaded.
    let mix_lock = fs_err::read_to_string(context.app_dir.join("mix.lock")).ok();
    if let Some(marker) = mix_lock.as_deref().and_then(inputs::mix_lock::conflict_marker) {
        return Err(ElixirBuildpackError::LockConflict(marker));
    }
    let classic = matches!(context.platform.host, toolchain::Host::HerokuStack(_));
    let review_app = inputs::read_app_json(context.app_dir, context.env, classic)?;
    let procfile = inputs::read_procfile(context.app_dir)?;
    let hex = hex_settings::read(|name| context.env.get(name), context.app_dir)
        .map_err(ElixirBuildpackError::HexSettings)?;
    let git = git_settings::read(|name| context.env.get(name)).map_err(ElixirBuildpackError::GitSettings)?;
    Ok(Inputs {
        config,
        hex,
        git,
        procfile,
        review_scripts: review_app.scripts,
        mix_lock,
    })
}

fn run_hook(mix: &MixEnv, key: &str, script: Option<&str>) -> Result<(), ElixirBuildpackError> {
    script.map_or(Ok(()), |script| Ok(mix.hook(key, script)?))
}

fn print_versions(config: &BuildConfig, toolchain: &Toolchain) {
    let otp = toolchain.otp.display_version();
    let elixir = toolchain.elixir.display_version();
    print::sub_bullet(format!("Erlang/OTP {otp} ({})", toolchain.otp_source));
    print::sub_bullet(format!("Elixir {elixir} ({})", toolchain.elixir_source));
    if config.erlang.is_none() || config.elixir.is_none() {
        print::warning(format!(
            "Pin your versions so that builds are reproducible and upgrades happen when you choose. \
             Add them to elixir_buildpack.config (or .tool-versions):\n\n\
             erlang_version={otp}\nelixir_version={elixir}"
        ));
    }
    if toolchain.otp.version.is_none() || toolchain.elixir.version.is_none() {
        print::warning(
            "A branch build is selected: its contents change as the branch moves, so builds are not reproducible.",
        );
    }
}

/// What the toolchain caches hold for this platform, unless every cache is to be dropped.
fn cached_toolchain(
    frontend: &impl Frontend,
    platform: &Platform,
    always_rebuild: bool,
) -> Option<toolchain::pinned::Cached> {
    if always_rebuild {
        return None;
    }
    let otp = toolchain::erlang::cached_version(frontend, platform)?;
    let (elixir, elixir_otp_major) = toolchain::elixir::cached_version(frontend)?;
    Some(toolchain::pinned::Cached {
        otp,
        elixir,
        elixir_otp_major,
    })
}

/// Distillery can't build on OTP 25 or later and would write into the cached Erlang install trying: stop
/// before anything is installed or built.
fn refuse_distillery_on_otp_25(app_dir: &Path, toolchain: &Toolchain) -> Result<(), ElixirBuildpackError> {
    let (Ok(mix_exs), Ok(rel_config)) = (
        fs_err::read_to_string(app_dir.join("mix.exs")),
        fs_err::read_to_string(app_dir.join("rel/config.exs")),
    ) else {
        return Ok(());
    };
    match toolchain.otp.major() {
        Some(major) if major >= 25 && inputs::mix_project::depends_on_distillery(&mix_exs) => {
            Err(ElixirBuildpackError::DistilleryOnOtp25 {
                otp: toolchain.otp.display_version(),
                source: toolchain.otp_source.clone(),
                release: inputs::mix_project::distillery_releases(&rel_config)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| String::from("my_app")),
            })
        }
        _ => Ok(()),
    }
}

/// The launch image holds the release; the links to the cached `deps` and `_build` go.
fn remove_build_output(app_dir: &Path) -> Result<(), ElixirBuildpackError> {
    for name in ["deps", "_build"] {
        let path = app_dir.join(name);
        if path.is_symlink() {
            fs_err::remove_file(&path).map_err(ElixirBuildpackError::SlimAppDir)?;
        }
    }
    Ok(())
}
