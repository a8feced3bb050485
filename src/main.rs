//! elixir-cnb: a Cloud Native Buildpack for Elixir.

mod app_json;
mod archive;
mod builds_index;
mod classic_config;
mod config;
mod download;
mod errors;
mod fetch;
mod hex;
mod layers;
mod mix;
mod mix_project;
mod processes;
mod procfile;
mod release_inputs;
mod release_phase;
mod source_mtimes;
mod tool_versions;
mod toolchain;
mod versions;

use bullet_stream::global::print;
use errors::ElixirBuildpackError;
use libcnb::build::{BuildContext, BuildResult, BuildResultBuilder};
use libcnb::detect::{DetectContext, DetectResult, DetectResultBuilder};
use libcnb::generic::{GenericMetadata, GenericPlatform};
use libcnb::{Buildpack, Platform as _, buildpack_main};
use toolchain::{Platform, Urls};

// Used only by the integration tests.
#[cfg(test)]
use libcnb_test as _;
#[cfg(test)]
use tiny_http as _;

pub(crate) struct ElixirBuildpack;

impl Buildpack for ElixirBuildpack {
    type Platform = GenericPlatform;
    type Metadata = GenericMetadata;
    type Error = ElixirBuildpackError;

    fn detect(&self, context: DetectContext<Self>) -> libcnb::Result<DetectResult, Self::Error> {
        if context.app_dir.join("mix.exs").is_file() {
            let release_command = release_phase::release_command(&context.app_dir);
            DetectResultBuilder::pass()
                .build_plan(release_phase::build_plan(release_command.as_deref()))
                .build()
        } else {
            println!("No mix.exs found at the root of the app, so this is not a Mix project.");
            DetectResultBuilder::fail().build()
        }
    }

    fn build(&self, context: BuildContext<Self>) -> libcnb::Result<BuildResult, Self::Error> {
        let started = print::buildpack("Elixir");
        let platform_env = context.platform.env();
        let config = config::read(&context.app_dir, platform_env).map_err(ElixirBuildpackError::Config)?;
        for warning in &config.warnings {
            print::warning(warning);
        }
        let review_app = processes::read_app_json(&context.app_dir, platform_env)?;
        let procfile = processes::read_procfile(&context.app_dir)?;

        print::bullet("Versions");
        let platform = Platform::from_target(&context.target).map_err(ElixirBuildpackError::Toolchain)?;
        let hex_builds_url = platform_env
            .get_string_lossy("HEX_BUILDS_URL")
            .unwrap_or_else(|| toolchain::DEFAULT_HEX_BUILDS_URL.to_string());
        let toolchain = toolchain::resolve(&config, &Urls::new(&hex_builds_url, &platform))
            .map_err(ElixirBuildpackError::Toolchain)?;
        print_versions(&config, &toolchain);

        // In mix-at-runtime mode the toolchain and compiled app ship in the image; a release needs none.
        let procfile_mix = procfile::first_mix_command(&procfile);
        let runtime_mix = !config.release || procfile_mix.is_some();
        let always_rebuild = config.always_rebuild;
        let erlang_dir =
            layers::erlang::install(&context, &toolchain, &platform, runtime_mix, always_rebuild)?;
        let elixir_dir = layers::elixir::install(&context, &toolchain, runtime_mix, always_rebuild)?;

        print::bullet("Mix");
        let mix_env = &config.mix_env.value;
        let mix_home = layers::mix_home::restore(&context, &toolchain, mix_env, runtime_mix, always_rebuild)?;
        let deps = layers::deps::restore(&context, &toolchain, mix_env, runtime_mix, always_rebuild)?;
        let build = layers::build::restore(&context, &toolchain, mix_env, runtime_mix, always_rebuild)?;
        let dirs = mix::MixDirs {
            erlang: &erlang_dir,
            elixir: &elixir_dir,
            mix_home: &mix_home,
            deps: &deps,
            build: &build,
        };
        let mix = mix::MixEnv::new(&context.app_dir, &dirs, mix_env);
        let mix_lock = fs_err::read_to_string(context.app_dir.join("mix.lock")).ok();
        mix.ensure_package_managers(hex::needed(mix_lock.as_deref()), &mix_home)?;
        let sources_state = source_mtimes::state_file(&build);
        let sources = source_mtimes::touch_changed(&context.app_dir, &sources_state)
            .map_err(ElixirBuildpackError::ReadAppFile)?;
        if let Some(changed) = sources.changed {
            print::sub_bullet(format!("{changed} app file(s) changed since the cached _build"));
        }
        let hooks = &config.hooks;
        fetch_and_compile(&mix, hooks, mix_env)?;
        source_mtimes::save(&sources_state, &sources.digests).map_err(ElixirBuildpackError::WriteCache)?;
        let project = mix.project_info()?;

        let launch = if runtime_mix {
            run_hook(&mix, "post_compile", hooks.legacy_post_compile.as_deref())?;
            print::bullet("Mix at runtime");
            print::sub_bullet(processes::mix_at_runtime_reason(procfile_mix));
            processes::for_mix(&project)
        } else {
            print::bullet("Release");
            let rel_config = fs_err::read_to_string(context.app_dir.join("rel/config.exs")).ok();
            let releases = layers::release::releases_to_build(&project, rel_config.as_deref())?;
            let assembled = layers::release::assemble(
                &context,
                &mix,
                &releases,
                &toolchain,
                mix_env,
                &project,
                always_rebuild,
            )?;
            run_hook(&mix, "post_compile", hooks.legacy_post_compile.as_deref())?;
            remove_build_output(&context.app_dir)?;
            processes::for_releases(&assembled, &project)
        };
        let launch = processes::merge(launch, &procfile, &review_app.scripts);
        processes::print(&launch);
        print::all_done(&Some(started));
        BuildResultBuilder::new().launch(launch).build()
    }

    fn on_error(&self, error: libcnb::Error<Self::Error>) {
        errors::on_error(error);
    }
}

/// The classic steps, in the classic order: fetch deps and compile, with the hooks around them.
fn fetch_and_compile(
    mix: &mix::MixEnv,
    hooks: &config::Hooks,
    mix_env: &str,
) -> Result<(), ElixirBuildpackError> {
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

fn run_hook(mix: &mix::MixEnv, key: &str, script: Option<&str>) -> Result<(), ElixirBuildpackError> {
    script.map_or(Ok(()), |script| mix.hook(key, script))
}

fn print_versions(config: &config::BuildConfig, toolchain: &toolchain::Toolchain) {
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
fn remove_build_output(app_dir: &std::path::Path) -> Result<(), ElixirBuildpackError> {
    for name in ["deps", "_build"] {
        let path = app_dir.join(name);
        if path.is_symlink() {
            fs_err::remove_file(&path).map_err(ElixirBuildpackError::SlimAppDir)?;
        }
    }
    Ok(())
}

buildpack_main!(ElixirBuildpack);
