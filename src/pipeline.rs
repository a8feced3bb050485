//! The build, as DESIGN.md lists its steps, for any front-end: read the inputs, resolve and install the
//! toolchain, fetch deps and compile with the classic hooks around them, build the releases, and say
//! which processes the image runs. A front-end (CNB, classic) supplies where caches live and how launch
//! env and processes are declared; nothing here knows which one it is.

use crate::cache::{CacheKey, CacheSpec, Opened};
use crate::errors::ElixirBuildpackError;
use crate::inputs::config::{self, BuildConfig, PlatformEnv};
use crate::inputs::{self, procfile};
use crate::launch::{Process, processes};
use crate::mix::{self, MixEnv, source_mtimes};
use crate::release;
use crate::toolchain::{self, Platform, Toolchain, Urls};
use bullet_stream::global::print;
use std::path::{Path, PathBuf};

/// What the pipeline needs from the platform it runs on.
pub(crate) trait Frontend {
    /// Opens the cache `spec.name`: restored when the key saved with it equals `key` (see
    /// [`crate::cache::reasons_to_discard`]), else emptied. An emptied cache has no key until [`Self::save_cache`].
    fn open_cache<K: CacheKey>(
        &mut self,
        spec: CacheSpec,
        key: &K,
        always_rebuild: bool,
    ) -> Result<(PathBuf, Opened), ElixirBuildpackError>;

    /// Saves `key` with the cache: its contents are complete.
    fn save_cache<K: CacheKey>(&mut self, spec: CacheSpec, key: &K) -> Result<(), ElixirBuildpackError>;

    /// Declares the env vars the image's processes get from the cache `spec.name` (replacing what an
    /// earlier build declared for it). A launch cache's `bin/` is on PATH without being declared.
    fn set_launch_env(&mut self, spec: CacheSpec, vars: &[LaunchVar]) -> Result<(), ElixirBuildpackError>;
}

/// An env var for the image's processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LaunchVar {
    pub(crate) name: &'static str,
    pub(crate) value: String,
    /// A default yields to the platform's config vars; an override does not.
    pub(crate) overrides: bool,
}

impl LaunchVar {
    pub(crate) fn default_value(name: &'static str, value: impl Into<String>) -> Self {
        Self {
            name,
            value: value.into(),
            overrides: false,
        }
    }

    pub(crate) fn override_value(name: &'static str, value: impl Into<String>) -> Self {
        Self {
            name,
            value: value.into(),
            overrides: true,
        }
    }
}

/// Where the build runs.
pub(crate) struct Context<'a, E: PlatformEnv> {
    pub(crate) app_dir: &'a Path,
    /// The build-time env the platform passes (config vars, `pack build --env`).
    pub(crate) env: &'a E,
    pub(crate) platform: Platform,
}

/// What detection prints when the app is not a Mix project.
pub(crate) const NOT_DETECTED: &str =
    "No mix.exs found at the root of the app, so this is not a Mix project.";

/// A Mix project has a `mix.exs` at its root.
pub(crate) fn detect(app_dir: &Path) -> bool {
    app_dir.join("mix.exs").is_file()
}

/// Runs the whole build; returns the image's processes.
pub(crate) fn build<E: PlatformEnv>(
    frontend: &mut impl Frontend,
    context: &Context<'_, E>,
) -> Result<Vec<Process>, ElixirBuildpackError> {
    let app_dir = context.app_dir;
    let config = config::read(app_dir, context.env).map_err(ElixirBuildpackError::Config)?;
    for warning in &config.warnings {
        print::warning(warning);
    }
    let review_app = inputs::read_app_json(app_dir, context.env)?;
    let procfile = inputs::read_procfile(app_dir)?;

    print::bullet("Versions");
    let hex_builds_url = context
        .env
        .get("HEX_BUILDS_URL")
        .unwrap_or_else(|| toolchain::DEFAULT_HEX_BUILDS_URL.to_string());
    let toolchain = toolchain::resolve(
        toolchain::Requests::of(&config),
        &Urls::new(&hex_builds_url, &context.platform),
    )
    .map_err(ElixirBuildpackError::Toolchain)?;
    print_versions(&config, &toolchain);

    // In mix-at-runtime mode the toolchain and compiled app ship in the image; a release needs none.
    let procfile_mix = procfile::first_mix_command(&procfile);
    let runtime_mix = !config.release || procfile_mix.is_some();
    let always_rebuild = config.always_rebuild;
    let erlang_dir = toolchain::erlang::install(
        frontend,
        &toolchain,
        &context.platform,
        runtime_mix,
        always_rebuild,
    )?;
    let elixir_dir = toolchain::elixir::install(frontend, &toolchain, runtime_mix, always_rebuild)?;

    print::bullet("Mix");
    let mix_env = &config.mix_env.value;
    let mix_home = mix::mix_home::restore(frontend, &toolchain, mix_env, runtime_mix, always_rebuild)?;
    let deps = mix::deps::restore(
        frontend,
        app_dir,
        &toolchain,
        mix_env,
        runtime_mix,
        always_rebuild,
    )?;
    let build = mix::build::restore(
        frontend,
        app_dir,
        &toolchain,
        mix_env,
        runtime_mix,
        always_rebuild,
    )?;
    let dirs = mix::MixDirs {
        erlang: &erlang_dir,
        elixir: &elixir_dir,
        mix_home: &mix_home,
        deps: &deps,
        build: &build,
    };
    let mix = MixEnv::new(app_dir, &dirs, mix_env);
    let mix_lock = fs_err::read_to_string(app_dir.join("mix.lock")).ok();
    mix.ensure_package_managers(mix::hex::needed(mix_lock.as_deref()), &mix_home)?;
    let sources_state = source_mtimes::state_file(&build);
    let sources =
        source_mtimes::touch_changed(app_dir, &sources_state).map_err(ElixirBuildpackError::ReadAppFile)?;
    if let Some(changed) = sources.changed {
        print::sub_bullet(format!("{changed} app file(s) changed since the cached _build"));
    }
    let hooks = &config.hooks;
    fetch_and_compile(&mix, hooks, mix_env)?;
    source_mtimes::save(&sources_state, &sources.digests).map_err(ElixirBuildpackError::WriteCache)?;
    let project = mix.project_info()?;

    let processes = if runtime_mix {
        run_hook(&mix, "post_compile", hooks.legacy_post_compile.as_deref())?;
        print::bullet("Mix at runtime");
        print::sub_bullet(processes::mix_at_runtime_reason(procfile_mix));
        processes::for_mix(&project)
    } else {
        print::bullet("Release");
        let rel_config = fs_err::read_to_string(app_dir.join("rel/config.exs")).ok();
        let releases = release::releases_to_build(&project, rel_config.as_deref())?;
        let assembled = release::assemble(
            frontend,
            &mix,
            &releases,
            &toolchain,
            mix_env,
            &project,
            always_rebuild,
        )?;
        run_hook(&mix, "post_compile", hooks.legacy_post_compile.as_deref())?;
        remove_build_output(app_dir)?;
        processes::for_releases(&assembled, &project)
    };
    let processes = processes::merge(processes, &procfile, &review_app.scripts);
    processes::print(&processes);
    Ok(processes)
}

/// The classic steps, in the classic order: fetch deps and compile, with the hooks around them.
fn fetch_and_compile(mix: &MixEnv, hooks: &config::Hooks, mix_env: &str) -> Result<(), ElixirBuildpackError> {
    run_hook(
        mix,
        "hook_pre_fetch_dependencies",
        hooks.pre_fetch_dependencies.as_deref(),
    )?;
    mix.mix(&["deps.get", "--only", mix_env])?;
    run_hook(mix, "pre_compile", hooks.legacy_pre_compile.as_deref())?;
    run_hook(mix, "hook_pre_compile", hooks.pre_compile.as_deref())?;
    if let Some(script) = hooks.compile.as_deref() {
        mix.hook("hook_compile", script)?;
    } else {
        // `mix compile` compiles the deps that need it; `mix deps.compile` would redo them all.
        mix.mix(&["compile"])?;
    }
    run_hook(mix, "hook_post_compile", hooks.post_compile.as_deref())
}

fn run_hook(mix: &MixEnv, key: &str, script: Option<&str>) -> Result<(), ElixirBuildpackError> {
    script.map_or(Ok(()), |script| mix.hook(key, script))
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
