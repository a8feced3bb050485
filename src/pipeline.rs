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
use crate::toolchain::erlang::DebugInfo;
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

impl Purpose {
    /// Whether the image runs the app with `mix` (and so ships the toolchain and the compiled app): for
    /// tests, with `release=false`, or when a Procfile entry runs `mix`.
    fn mix_at_runtime(self, release: bool, procfile_runs_mix: bool) -> bool {
        self == Purpose::Test || !release || procfile_runs_mix
    }
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
    let procfile_mix = procfile::first_mix_command(&inputs.procfile);
    let runtime_mix = context
        .purpose
        .mix_at_runtime(config.release, procfile_mix.is_some());
    let always_rebuild = config.always_rebuild;
    // On a cold build, Elixir downloads while Erlang/OTP downloads and installs.
    let elixir_download = toolchain::elixir::prefetch(frontend, &toolchain, always_rebuild);
    let (erlang, erlang_ships) = install_erlang(frontend, context, &toolchain, runtime_mix, always_rebuild)?;
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
    caches.provide_package_managers(frontend, &mix, &inputs.hex, mix_lock.as_deref())?;
    // Kept to the end of the build: the git credential store goes with it.
    let _git = mix::git::prepare(&mut mix, &inputs.git, mix_lock.as_deref())?;
    let (project, app_files) =
        mix::steps::compile_explained(&mix, &caches, &inputs.mix_settings(), mix_lock.as_deref())?;
    if context.purpose == Purpose::Deploy {
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
    let processes = if context.purpose == Purpose::Test {
        Vec::new()
    } else if runtime_mix {
        mix_at_runtime(
            context.app_dir,
            &inputs.procfile,
            &inputs.review_scripts,
            config
                .classic_only
                .runtime_path
                .as_ref()
                .map(|path| path.value.as_str()),
            procfile_mix,
            &project,
        )?
    } else if let Some(name) = release::unpacked_in(context.app_dir) {
        ship_unpacked_release(context.app_dir, &name)?
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
                erlang_ships,
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
    print::sub_bullet(format!(
        "Erlang/OTP {} ({})",
        toolchain.otp.display_version(),
        toolchain.otp_source
    ));
    print::sub_bullet(format!(
        "Elixir {} ({})",
        toolchain.elixir.display_version(),
        toolchain.elixir_source
    ));
    for warning in version_warnings(config, toolchain) {
        print::warning(warning);
    }
}

/// What the versions chosen call for: pins, when one isn't pinned; a notice for a branch build.
fn version_warnings(config: &BuildConfig, toolchain: &Toolchain) -> Vec<String> {
    let otp = toolchain.otp.display_version();
    let elixir = toolchain.elixir.display_version();
    let mut warnings = Vec::new();
    if config.erlang.is_none() || config.elixir.is_none() {
        warnings.push(format!(
            "Pin your versions so that builds are reproducible and upgrades happen when you choose. \
             Add them to elixir_buildpack.config (or .tool-versions):\n\n\
             erlang_version={otp}\nelixir_version={elixir}"
        ));
    }
    if toolchain.otp.version.is_none() || toolchain.elixir.version.is_none() {
        warnings.push(String::from(
            "A branch build is selected: its contents change as the branch moves, so builds are not reproducible.",
        ));
    }
    warnings
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

/// Mix-at-runtime mode's processes. No release is built, so a Procfile entry that runs one from
/// `_build/<env>/rel/<name>` that no hook made stops the build.
fn mix_at_runtime(
    app_dir: &Path,
    procfile: &[ProcfileEntry],
    scripts: &[(String, String)],
    runtime_path: Option<&str>,
    procfile_mix: Option<&ProcfileEntry>,
    project: &mix::ProjectInfo,
) -> Result<Vec<Process>, ElixirBuildpackError> {
    print::bullet("Mix at runtime");
    print::sub_bullet(processes::mix_at_runtime_reason(procfile_mix));
    let built = |env: &str, name: &str| {
        app_dir
            .join("_build")
            .join(env)
            .join("rel")
            .join(name)
            .join("bin")
            .join(name)
            .is_file()
    };
    if let Some(missing) = processes::release_not_built(procfile, scripts, runtime_path, built) {
        return Err(ElixirBuildpackError::ReleaseNotBuilt {
            missing,
            why: procfile_mix.cloned(),
        });
    }
    Ok(processes::for_mix(project))
}

/// Installs Erlang/OTP; returns its root and whether it ships in the image: in mix-at-runtime mode, and
/// for a release that leaves ERTS out (`include_erts: false` in mix.exs, read as text), which runs on the
/// Erlang/OTP where it runs.
fn install_erlang<E: PlatformEnv>(
    frontend: &mut impl Frontend,
    context: &Context<'_, E>,
    toolchain: &Toolchain,
    runtime_mix: bool,
    always_rebuild: bool,
) -> Result<(PathBuf, bool), ElixirBuildpackError> {
    let release_without_erts = (context.purpose == Purpose::Deploy && !runtime_mix)
        .then(|| fs_err::read_to_string(context.app_dir.join("mix.exs")).ok())
        .flatten()
        .and_then(|mix_exs| inputs::mix_project::release_without_erts(&mix_exs));
    let ships = runtime_mix || release_without_erts.is_some();
    // A test run may run dialyzer, which reads the debug info of Erlang/OTP's modules.
    let debug_info = if ships || context.purpose == Purpose::Test {
        DebugInfo::Keep
    } else {
        DebugInfo::LeaveOut
    };
    let erlang = toolchain::erlang::install(
        frontend,
        toolchain,
        &context.platform,
        ships,
        debug_info,
        always_rebuild,
    )?;
    if let Some(line) = release_without_erts {
        print::sub_bullet(format!(
            "Erlang/OTP ships in the image: the release leaves ERTS out (`include_erts: false`, mix.exs \
             line {line}), so it runs on this one"
        ));
    }
    Ok((erlang, ships))
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

/// The deployment article's workflow: a `post_compile` hook that builds a release and replaces the app dir
/// with it. That release ships; a second one would only double the image. No processes of our own.
fn ship_unpacked_release(app_dir: &Path, name: &str) -> Result<Vec<Process>, ElixirBuildpackError> {
    print::bullet("Release");
    print::sub_bullet(format!(
        "The post_compile hook unpacked release `{name}` into the app dir: it ships as it is, and the \
         buildpack builds no release of its own"
    ));
    remove_build_output(app_dir)?;
    Ok(Vec::new())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::Opened;
    use crate::frontend::fake::FakeFrontend;
    use std::collections::BTreeMap;

    struct Env(BTreeMap<&'static str, &'static str>);

    impl PlatformEnv for Env {
        fn get(&self, name: &str) -> Option<String> {
            self.0.get(name).map(ToString::to_string)
        }
    }

    /// An app dir with these files.
    fn app(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temp dir");
        for (name, contents) in files {
            let path = dir.path().join(name);
            fs_err::create_dir_all(path.parent().expect("a parent")).expect("a dir");
            fs_err::write(path, contents).expect("written");
        }
        dir
    }

    fn context<'a>(app_dir: &'a Path, env: &'a Env, purpose: Purpose) -> Context<'a, Env> {
        Context {
            app_dir,
            env,
            extra_env: &[],
            platform: Platform::new("x86_64", "ubuntu", "24.04").expect("a platform"),
            purpose,
        }
    }

    fn no_env() -> Env {
        Env(BTreeMap::new())
    }

    #[test]
    fn a_mix_project_is_detected_by_its_mix_exs() {
        assert!(detect(app(&[("mix.exs", "")]).path()));
        assert!(!detect(app(&[("package.json", "{}")]).path()));
        // A directory named mix.exs is no project file.
        assert!(!detect(app(&[("mix.exs/keep", "")]).path()));
    }

    #[test]
    fn inputs_are_read_and_the_front_end_gets_its_keys() {
        let app = app(&[
            ("mix.exs", ""),
            (
                "elixir_buildpack.config",
                "erlang_version=27.3.4\nruntime_path=/srv\n",
            ),
            ("Procfile", "web: mix phx.server\n"),
            (
                "app.json",
                r#"{"scripts": {"postdeploy": "mix run priv/repo/seeds.exs"}}"#,
            ),
            ("mix.lock", "%{}\n"),
        ]);
        let env = no_env();
        let mut frontend = FakeFrontend::new();
        let inputs = read_inputs(&mut frontend, &context(app.path(), &env, Purpose::Deploy)).expect("inputs");
        assert_eq!(
            frontend.classic_only,
            [(
                String::from("runtime_path"),
                String::from("from elixir_buildpack.config, line 2")
            )]
        );
        assert_eq!(inputs.config.mix_env.value, "prod");
        assert_eq!(inputs.procfile.len(), 1);
        assert_eq!(inputs.procfile[0].process_type, "web");
        assert_eq!(
            inputs.review_scripts,
            [(
                String::from("postdeploy"),
                String::from("mix run priv/repo/seeds.exs")
            )]
        );
        assert_eq!(inputs.mix_lock.as_deref(), Some("%{}\n"));
        assert!(frontend.opened.is_empty(), "reading the inputs opens no cache");
        let settings = inputs.mix_settings();
        assert_eq!(settings.config, &inputs.config);
    }

    #[test]
    fn a_test_build_compiles_with_mix_env_test() {
        let app = app(&[("mix.exs", "")]);
        let env = Env(BTreeMap::from([("MIX_ENV", "staging")]));
        let mut frontend = FakeFrontend::new();
        let inputs = read_inputs(&mut frontend, &context(app.path(), &env, Purpose::Test)).expect("inputs");
        assert_eq!(inputs.config.mix_env.value, "test");
        assert_eq!(inputs.config.mix_env.source, config::Source::Env("MIX_ENV"));
        let deploy = read_inputs(&mut frontend, &context(app.path(), &env, Purpose::Deploy)).expect("inputs");
        assert_eq!(deploy.config.mix_env.value, "staging");
        assert_eq!(deploy.mix_lock, None);
    }

    #[test]
    fn inputs_that_stop_the_build_say_which() {
        let env = no_env();
        let read = |files: &[(&str, &str)], frontend: &mut FakeFrontend| {
            let app = app(files);
            read_inputs(frontend, &context(app.path(), &env, Purpose::Deploy)).err()
        };
        let conflicted = "%{\n<<<<<<< HEAD\n=======\n>>>>>>> main\n}\n";
        assert!(matches!(
            read(&[("mix.exs", ""), ("mix.lock", conflicted)], &mut FakeFrontend::new()),
            Some(ElixirBuildpackError::LockConflict(marker)) if marker.line == 2
        ));
        assert!(matches!(
            read(
                &[("mix.exs", ""), ("Procfile", "not a process\n")],
                &mut FakeFrontend::new()
            ),
            Some(ElixirBuildpackError::AppFile(inputs::AppFileError::Procfile(_)))
        ));
        assert!(matches!(
            read(
                &[("elixir_buildpack.config", "erlang_version=27..1\n")],
                &mut FakeFrontend::new()
            ),
            Some(ElixirBuildpackError::Config(
                config::ConfigError::InvalidOtpVersion(_)
            ))
        ));
        let mut refusing = FakeFrontend::new();
        refusing.refuse_classic_only = true;
        assert!(matches!(
            read(
                &[("elixir_buildpack.config", "runtime_path=srv\n")],
                &mut refusing
            ),
            Some(ElixirBuildpackError::Frontend(
                crate::frontend::FrontendError::RelativeRuntimePath(_)
            ))
        ));
    }

    #[test]
    fn bad_hex_and_git_settings_stop_the_build() {
        let app = app(&[("mix.exs", "")]);
        let read = |env: Env| {
            read_inputs(
                &mut FakeFrontend::new(),
                &context(app.path(), &env, Purpose::Deploy),
            )
            .err()
        };
        assert!(matches!(
            read(Env(BTreeMap::from([("HEX_ORGANIZATION", "acme")]))),
            Some(ElixirBuildpackError::HexSettings(_))
        ));
        assert!(matches!(
            read(Env(BTreeMap::from([("BP_GIT_URL_REWRITES", "no-equals-sign")]))),
            Some(ElixirBuildpackError::GitSettings(_))
        ));
    }

    /// The keys the toolchain caches hold after a build of OTP 27.3.4 and Elixir 1.18.3 on this platform.
    fn cached_toolchain_of(frontend: FakeFrontend) -> FakeFrontend {
        let mut frontend = frontend;
        frontend.keys.insert(
            "erlang",
            String::from("otp_version = \"27.3.4\"\narch = \"amd64\"\ndistro = \"ubuntu-24.04\"\n"),
        );
        frontend.keys.insert(
            "elixir",
            String::from("elixir_version = \"1.18.3\"\notp_major = \"27\"\n"),
        );
        frontend
    }

    #[test]
    fn exact_versions_in_the_caches_need_no_index() {
        let app = app(&[(
            "elixir_buildpack.config",
            "erlang_version=27.3.4\nelixir_version=1.18.3\n",
        )]);
        // An index that can't answer: the test fails if it is asked.
        let env = Env(BTreeMap::from([("HEX_BUILDS_URL", "http://127.0.0.1:9/nothing")]));
        let context = context(app.path(), &env, Purpose::Deploy);
        let config = config::read(app.path(), &env).expect("a config");
        let frontend = cached_toolchain_of(FakeFrontend::new());
        let toolchain = resolve_versions(&frontend, &context, &config).expect("from the caches");
        assert_eq!(toolchain.otp.display_version(), "27.3.4");
        assert_eq!(toolchain.elixir.display_version(), "1.18.3");
        assert!(
            toolchain.otp_url.starts_with("http://127.0.0.1:9/nothing/"),
            "{}",
            toolchain.otp_url
        );
        assert_eq!(
            cached_toolchain(&frontend, &context.platform, false),
            Some(toolchain::pinned::Cached {
                otp: String::from("27.3.4"),
                elixir: String::from("1.18.3"),
                elixir_otp_major: 27,
            })
        );
        // `always_rebuild` drops every cache, so nothing is read from them.
        assert_eq!(cached_toolchain(&frontend, &context.platform, true), None);
        // Nor from caches of another platform, or without an Elixir cache.
        let arm = Platform::new("aarch64", "ubuntu", "24.04").expect("a platform");
        assert_eq!(cached_toolchain(&frontend, &arm, false), None);
        let mut no_elixir = cached_toolchain_of(FakeFrontend::new());
        no_elixir.keys.remove("elixir");
        assert_eq!(cached_toolchain(&no_elixir, &context.platform, false), None);
    }

    #[test]
    fn the_caches_are_restored_for_the_same_key_and_discarded_with_reasons() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Key {
            version: String,
        }
        impl crate::frontend::CacheKey for Key {
            const SCHEMA: u32 = 1;

            fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
                let mut reasons = Vec::new();
                crate::cache::push_if_changed(&mut reasons, "the version", &self.version, &new.version);
                reasons
            }
        }
        let spec = crate::frontend::CacheSpec {
            name: "things",
            availability: crate::frontend::Availability::build_and_launch_if(false),
            what: "things",
        };
        let key = |version: &str| Key {
            version: version.into(),
        };
        let mut frontend = FakeFrontend::new();
        let (path, state) = crate::cache::restore(&mut frontend, spec, &key("1"), false).expect("opened");
        assert_eq!(
            (state, frontend.opened("things")),
            (crate::cache::CacheState::Empty, Some(&Opened::New))
        );
        fs_err::write(path.join("thing"), "1").expect("written");
        crate::cache::save(&mut frontend, spec, &key("1")).expect("saved");
        assert_eq!(frontend.saved, ["things"]);
        let (path, state) = crate::cache::restore(&mut frontend, spec, &key("1"), false).expect("opened");
        assert_eq!(state, crate::cache::CacheState::Reused);
        assert!(path.join("thing").is_file(), "restored contents stay");
        let (path, state) = crate::cache::restore(&mut frontend, spec, &key("2"), true).expect("opened");
        assert_eq!(state, crate::cache::CacheState::Empty);
        assert!(!path.join("thing").exists(), "discarded contents go");
        let Some(Opened::Discarded(reasons)) = frontend.opened("things") else {
            panic!("discarded: {:?}", frontend.opened);
        };
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].contains("the version"), "{reasons:?}");
        assert!(reasons[1].contains("always_rebuild"), "{reasons:?}");
        // A discarded cache has no key until it is saved again.
        assert_eq!(frontend.cached_key::<Key>("things").map(|key| key.version), None);
        frontend.keys.insert("things", String::from("not = [the key"));
        crate::cache::restore(&mut frontend, spec, &key("2"), false).expect("opened");
        assert_eq!(
            frontend.opened("things"),
            Some(&Opened::Discarded(vec![String::from(
                crate::cache::UNREADABLE_KEY
            )]))
        );
    }

    #[test]
    fn the_image_runs_the_procfile_and_review_scripts_where_the_release_is() {
        let output = Output {
            processes: vec![Process::new(
                "web",
                ["/layers/release/my_app/bin/my_app", "start"],
            )],
            procfile: vec![
                ProcfileEntry {
                    process_type: String::from("worker"),
                    command: String::from("_build/prod/rel/my_app/bin/my_app eval Worker.run"),
                    line: 2,
                },
                ProcfileEntry {
                    process_type: String::from("console"),
                    command: String::from("iex -S mix"),
                    line: 3,
                },
            ],
            review_scripts: vec![(String::from("postdeploy"), String::from("/app/bin/seed"))],
            mix_build_env: Vec::new(),
            releases: vec![(String::from("my_app"), PathBuf::from("/layers/release/my_app"))],
        };
        let (processes, notices) = output.image_processes(Path::new("/workspace"));
        let commands: Vec<(&str, &[String], bool)> = processes
            .iter()
            .map(|process| (process.r#type.as_str(), &process.command[..], process.default))
            .collect();
        assert_eq!(
            commands,
            [
                (
                    "web",
                    &[
                        String::from("/layers/release/my_app/bin/my_app"),
                        String::from("start")
                    ][..],
                    true
                ),
                (
                    "worker",
                    &[
                        String::from("bash"),
                        String::from("-c"),
                        String::from("/layers/release/my_app/bin/my_app eval Worker.run")
                    ][..],
                    false
                ),
                (
                    "console",
                    &[
                        String::from("bash"),
                        String::from("-c"),
                        String::from("iex -S mix")
                    ][..],
                    false
                ),
                (
                    "postdeploy",
                    &[
                        String::from("bash"),
                        String::from("-c"),
                        String::from("/workspace/bin/seed")
                    ][..],
                    false
                ),
            ]
        );
        assert_eq!(
            notices,
            [
                "Procfile line 2 `worker` is written for the classic slug, so here it runs: \
                 /layers/release/my_app/bin/my_app eval Worker.run",
                "app.json script `postdeploy` is written for the classic slug, so here it runs: \
                 /workspace/bin/seed",
            ]
        );
    }

    #[test]
    fn distillery_is_refused_from_otp_25_on() {
        let otp = |version: &str| {
            let elixir = toolchain::versions::ElixirBuild {
                name: String::from("v1.14.5-otp-25"),
                version: toolchain::versions::Version::parse("1.14.5"),
                branch: None,
                otp_major: 25,
                sha256: None,
            };
            let otp = toolchain::versions::OtpBuild {
                name: format!("OTP-{version}"),
                version: toolchain::versions::Version::parse(version),
                sha256: None,
            };
            Toolchain {
                otp_url: String::new(),
                elixir_url: String::new(),
                otp,
                otp_source: config::Source::ClassicConfig { line: 1 },
                elixir,
                elixir_source: config::Source::Default,
                otp_alternatives: Vec::new(),
                elixir_alternatives: Vec::new(),
            }
        };
        let mix_exs = "defp deps do\n  [{:distillery, \"~> 2.1\"}]\nend\n";
        let distillery = app(&[
            ("mix.exs", mix_exs),
            ("rel/config.exs", "release :shop do\nend\n"),
        ]);
        assert!(refuse_distillery_on_otp_25(distillery.path(), &otp("24.3.4.17")).is_ok());
        match refuse_distillery_on_otp_25(distillery.path(), &otp("25.0")) {
            Err(ElixirBuildpackError::DistilleryOnOtp25 { otp, release, .. }) => {
                assert_eq!((otp.as_str(), release.as_str()), ("25.0", "shop"));
            }
            other => panic!("refused: {other:?}"),
        }
        let no_release = app(&[("mix.exs", mix_exs), ("rel/config.exs", "")]);
        assert!(matches!(
            refuse_distillery_on_otp_25(no_release.path(), &otp("27.3.4")),
            Err(ElixirBuildpackError::DistilleryOnOtp25 { release, .. }) if release == "my_app"
        ));
        let no_rel_config = app(&[("mix.exs", mix_exs)]);
        assert!(refuse_distillery_on_otp_25(no_rel_config.path(), &otp("27.3.4")).is_ok());
        let elixir_releases = app(&[("mix.exs", "defp deps, do: []\n"), ("rel/config.exs", "")]);
        assert!(refuse_distillery_on_otp_25(elixir_releases.path(), &otp("27.3.4")).is_ok());
        assert!(plus_separator(&otp("27.3.4")));
    }

    #[test]
    fn an_unpacked_release_ships_without_the_links_to_the_cached_build_output() {
        let app = app(&[("cache/deps/keep", ""), ("_build_real/keep", "")]);
        let cache = app.path().join("cache/deps");
        std::os::unix::fs::symlink(&cache, app.path().join("deps")).expect("linked");
        fs_err::create_dir(app.path().join("_build")).expect("a real dir");
        assert!(
            ship_unpacked_release(app.path(), "my_app")
                .expect("shipped")
                .is_empty()
        );
        assert!(!app.path().join("deps").exists());
        assert!(cache.join("keep").is_file(), "the cache itself stays");
        assert!(app.path().join("_build").is_dir(), "a real directory stays");
    }

    #[test]
    fn the_sbom_names_the_toolchain_and_the_locked_packages() {
        let toolchain = toolchain::Toolchain {
            otp_url: String::new(),
            elixir_url: String::new(),
            otp: toolchain::versions::OtpBuild {
                name: String::from("OTP-27.3.4"),
                version: toolchain::versions::Version::parse("27.3.4"),
                sha256: None,
            },
            otp_source: config::Source::Default,
            elixir: toolchain::versions::ElixirBuild {
                name: String::from("v1.13.4-otp-24"),
                version: toolchain::versions::Version::parse("1.13.4"),
                branch: None,
                otp_major: 24,
                sha256: None,
            },
            elixir_source: config::Source::Default,
            otp_alternatives: Vec::new(),
            elixir_alternatives: Vec::new(),
        };
        let lock = r#"%{
  "jason": {:hex, :jason, "1.4.4", "b9226785a9aa77b6857ca22832cffa5d5011a667207eb2a0ad56adb5db443b8a", [:mix], [], "hexpm", "c5eb0cab91f094599f94d55bc63409236a8ec69a21a67814529e8d5f6cc90b3b"}}"#;
        let sbom = String::from_utf8(launch_sbom(&toolchain, Some(lock))).expect("JSON");
        assert!(
            sbom.contains("27.3.4") && sbom.contains("1.13.4") && sbom.contains("jason"),
            "{sbom}"
        );
        assert!(
            !plus_separator(&toolchain),
            "Elixir 1.13 separates `mix do` tasks with commas"
        );
        let branch = toolchain::Toolchain {
            elixir: toolchain::versions::ElixirBuild {
                version: None,
                branch: Some(String::from("main")),
                ..toolchain.elixir.clone()
            },
            ..toolchain
        };
        assert!(plus_separator(&branch));
    }

    #[test]
    fn mix_at_runtime_stops_at_a_release_from_build_that_the_procfile_or_app_json_runs_and_no_hook_made() {
        let app = app(&[]);
        let project = mix::ProjectInfo::default();
        let procfile = procfile::parse("worker: mix run --no-halt jobs.exs\n").expect("valid");
        let scripts = [(
            String::from("postdeploy"),
            String::from("/app/_build/prod/rel/shop/bin/shop eval Shop.seed()"),
        )];
        let run = || mix_at_runtime(app.path(), &procfile, &scripts, None, procfile.first(), &project);
        match run() {
            Err(ElixirBuildpackError::ReleaseNotBuilt { missing, why }) => {
                assert_eq!(
                    missing.runner,
                    processes::Runner::AppJsonScript(String::from("postdeploy"))
                );
                assert_eq!(why.as_ref(), procfile.first());
            }
            other => panic!("{other:?}"),
        }
        // A hook made it.
        let bin = app.path().join("_build/prod/rel/shop/bin");
        fs_err::create_dir_all(&bin).expect("a dir");
        fs_err::write(bin.join("shop"), "#!/bin/sh\n").expect("written");
        let processes = run().expect("mix at runtime");
        assert_eq!(processes, processes::for_mix(&project));
    }

    #[test]
    fn mix_runs_the_app_for_tests_without_a_release_or_when_the_procfile_says_so() {
        assert!(!Purpose::Deploy.mix_at_runtime(true, false));
        assert!(Purpose::Deploy.mix_at_runtime(false, false));
        assert!(Purpose::Deploy.mix_at_runtime(true, true));
        assert!(Purpose::Test.mix_at_runtime(true, false));
    }

    #[test]
    fn a_build_stops_at_the_first_step_that_fails() {
        let app = app(&[("mix.exs", ""), ("mix.lock", "<<<<<<< HEAD\n")]);
        let env = no_env();
        let mut frontend = FakeFrontend::new();
        let result = build(&mut frontend, &context(app.path(), &env, Purpose::Deploy));
        assert!(
            matches!(result, Err(ElixirBuildpackError::LockConflict(_))),
            "{result:?}"
        );
        assert!(frontend.opened.is_empty(), "nothing was installed");
    }

    #[test]
    fn a_hook_runs_when_set_and_its_failure_stops_the_build() {
        let dir = app(&[]);
        let path = dir.path();
        let dirs = crate::mix::MixDirs {
            erlang: path,
            elixir: path,
            mix_home: path,
            deps: path,
            build: path,
            hex_home: path,
            rebar3_cache: path,
        };
        let mix = MixEnv::new(path, &dirs, "prod", &[]);
        assert!(run_hook(&mix, "post_compile", None).is_ok());
        assert!(run_hook(&mix, "post_compile", Some("touch ran")).is_ok());
        assert!(path.join("ran").is_file());
        assert!(matches!(
            run_hook(&mix, "post_compile", Some("exit 3")),
            Err(ElixirBuildpackError::Mix(mix::MixError::Hook { key, .. })) if key == "post_compile"
        ));
    }

    #[test]
    fn unpinned_versions_and_branch_builds_are_warned_about() {
        let app = app(&[(
            "elixir_buildpack.config",
            "erlang_version=27.3.4\nelixir_version=1.18.3\n",
        )]);
        let pinned = config::read(app.path(), &no_env()).expect("a config");
        let toolchain = |elixir_version: Option<&str>| Toolchain {
            otp_url: String::new(),
            elixir_url: String::new(),
            otp: toolchain::versions::OtpBuild {
                name: String::from("OTP-27.3.4"),
                version: toolchain::versions::Version::parse("27.3.4"),
                sha256: None,
            },
            otp_source: config::Source::Default,
            elixir: toolchain::versions::ElixirBuild {
                name: String::from("v1.18.3-otp-27"),
                version: elixir_version.and_then(toolchain::versions::Version::parse),
                branch: elixir_version.is_none().then(|| String::from("main")),
                otp_major: 27,
                sha256: None,
            },
            elixir_source: config::Source::Default,
            otp_alternatives: Vec::new(),
            elixir_alternatives: Vec::new(),
        };
        assert!(version_warnings(&pinned, &toolchain(Some("1.18.3"))).is_empty());
        let branch = version_warnings(&pinned, &toolchain(None));
        assert_eq!(branch.len(), 1);
        assert!(branch[0].starts_with("A branch build is selected"), "{branch:?}");
        for unpinned in [
            BuildConfig {
                erlang: None,
                ..pinned.clone()
            },
            BuildConfig {
                elixir: None,
                ..pinned.clone()
            },
        ] {
            let warnings = version_warnings(&unpinned, &toolchain(Some("1.18.3")));
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(
                warnings[0].ends_with("erlang_version=27.3.4\nelixir_version=1.18.3"),
                "{warnings:?}"
            );
        }
        let mut other_otp = toolchain(Some("1.18.3"));
        other_otp.otp.version = None;
        assert_eq!(version_warnings(&pinned, &other_otp).len(), 1);
    }

    /// A stand-in `elixir`: a run of Mix steps writes the facts of an app with an `assets.deploy` alias,
    /// and logs the steps; a stand-in `mix` logs its arguments.
    const STAND_IN_ELIXIR: &str = r#"#!/bin/sh
if [ -n "$ELIXIR_CNB_STEP_FILE" ]; then
  shift 2
  echo "elixir $*" >> "$STAND_LOG"
  printf 'elixir-cnb:app:shop\nelixir-cnb:assets_deploy:true\n' > "$ELIXIR_CNB_INFO_FILE"
else
  echo "elixir info" >> "$STAND_LOG"
  printf 'elixir-cnb:app:shop\nelixir-cnb:assets_deploy:true\n'
fi
"#;
    const STAND_IN_MIX: &str = "#!/bin/sh\necho \"mix $*\" >> \"$STAND_LOG\"\n";

    /// A front-end whose toolchain caches hold Erlang/OTP 27.3.4 (as installed, fingerprint recorded) and
    /// Elixir 1.18.3, the latter's `elixir` and `mix` stand-ins.
    fn with_stand_in_toolchain() -> FakeFrontend {
        use std::os::unix::fs::PermissionsExt;
        let frontend = cached_toolchain_of(FakeFrontend::new());
        let erlang = frontend.path("erlang");
        fs_err::create_dir_all(erlang.join("bin")).expect("a dir");
        toolchain::fingerprint::record(&erlang).expect("recorded");
        let bin = frontend.path("elixir").join("bin");
        fs_err::create_dir_all(&bin).expect("a dir");
        for (name, script) in [("elixir", STAND_IN_ELIXIR), ("mix", STAND_IN_MIX)] {
            fs_err::write(bin.join(name), script).expect("written");
            fs_err::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755))
                .expect("executable");
        }
        frontend
    }

    #[test]
    fn a_whole_build_runs_its_steps_in_order() {
        for purpose in [Purpose::Deploy, Purpose::Test] {
            let app = app(&[
                ("mix.exs", ""),
                (
                    "elixir_buildpack.config",
                    "erlang_version=27.3.4\nelixir_version=1.18.3\nrelease=false\n",
                ),
            ]);
            let log = app.path().join("stand-in.log");
            let env = Env(BTreeMap::from([("HEX_BUILDS_URL", "http://127.0.0.1:9/nothing")]));
            let extra_env = [(String::from("STAND_LOG"), log.to_string_lossy().to_string())];
            let context = Context {
                extra_env: &extra_env,
                ..context(app.path(), &env, purpose)
            };
            let mut frontend = with_stand_in_toolchain();
            let output = build(&mut frontend, &context).expect("built");
            let log = fs_err::read_to_string(&log).expect("a log");
            let opened: Vec<&str> = frontend.opened.iter().map(|(name, _)| *name).collect();
            assert_eq!(opened[..2], ["erlang", "elixir"], "{opened:?}");
            assert_eq!(
                frontend.opened[..2],
                [("erlang", Opened::Restored), ("elixir", Opened::Restored)]
            );
            assert!(log.starts_with("elixir -S mix do "), "{log}");
            let mix_env = output
                .mix_build_env
                .iter()
                .find(|(name, _)| name == "MIX_ENV")
                .map(|(_, value)| value.as_str());
            match purpose {
                Purpose::Deploy => {
                    assert_eq!(mix_env, Some("prod"));
                    assert!(log.ends_with("mix assets.deploy\n"), "{log}");
                    assert!(opened.contains(&"asset_tools"), "{opened:?}");
                    let types: Vec<&str> = output
                        .processes
                        .iter()
                        .map(|process| process.r#type.as_str())
                        .collect();
                    assert_eq!(types, ["web"]);
                }
                Purpose::Test => {
                    assert_eq!(mix_env, Some("test"));
                    assert!(!log.contains("assets.deploy"), "no assets for tests: {log}");
                    assert!(output.processes.is_empty(), "{:?}", output.processes);
                }
            }
            assert!(output.releases.is_empty());
        }
    }
}
