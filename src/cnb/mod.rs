//! The Cloud Native Buildpack front-end: libcnb's `Buildpack` (detect, build), caches as layers, launch
//! env in layer env files, processes in `launch.toml`, and the release command handed to
//! `heroku/release-phase` through the build plan.

mod layers;
mod release_phase;

use crate::errors;
use crate::inputs::config::PlatformEnv;
use crate::launch::{Process, processes};
use crate::pipeline;
use crate::pipeline::ElixirBuildpackError;
use crate::toolchain::Platform;
use bullet_stream::global::print;
use libcnb::build::{BuildContext, BuildResult, BuildResultBuilder};
use libcnb::data::launch::{LaunchBuilder, ProcessBuilder};
use libcnb::detect::{DetectContext, DetectResult, DetectResultBuilder};
use libcnb::generic::{GenericMetadata, GenericPlatform};
use libcnb::{Buildpack, Platform as _};

pub(crate) struct ElixirBuildpack;

impl Buildpack for ElixirBuildpack {
    type Platform = GenericPlatform;
    type Metadata = GenericMetadata;
    type Error = ElixirBuildpackError;

    fn detect(&self, context: DetectContext<Self>) -> libcnb::Result<DetectResult, Self::Error> {
        if pipeline::detect(&context.app_dir) {
            let layers_name = context.buildpack_descriptor.buildpack.id.replace('/', "_");
            let release_command = release_phase::release_command(&context.app_dir, &layers_name);
            DetectResultBuilder::pass()
                .build_plan(release_phase::build_plan(release_command.as_deref()))
                .build()
        } else {
            println!("{}", pipeline::NOT_DETECTED);
            DetectResultBuilder::fail().build()
        }
    }

    fn build(&self, context: BuildContext<Self>) -> libcnb::Result<BuildResult, Self::Error> {
        let started = print::buildpack("Elixir");
        let target = &context.target;
        let platform = Platform::new(&target.arch, &target.distro_name, &target.distro_version)
            .map_err(ElixirBuildpackError::Toolchain)?;
        let mut frontend = layers::Layers::new(&context);
        let output = pipeline::build(
            &mut frontend,
            &pipeline::Context {
                app_dir: &context.app_dir,
                env: context.platform.env(),
                // The lifecycle already passes the platform's env vars to the buildpack's process.
                extra_env: &[],
                platform,
                purpose: pipeline::Purpose::Deploy,
            },
        )?;
        let (processes, notices) = output.image_processes(&context.app_dir);
        processes::print(&processes);
        for notice in notices {
            print::sub_bullet(notice);
        }
        print::all_done(&Some(started));
        let mut launch = LaunchBuilder::new();
        for process in processes {
            launch.process(launch_process(process)?);
        }
        BuildResultBuilder::new().launch(launch.build()).build()
    }

    fn on_error(&self, error: libcnb::Error<Self::Error>) {
        match error {
            libcnb::Error::BuildpackError(error) => print::error(errors::message(&error)),
            other => print::error(errors::internal_message(&other)),
        }
    }
}

impl From<ElixirBuildpackError> for libcnb::Error<ElixirBuildpackError> {
    fn from(error: ElixirBuildpackError) -> Self {
        Self::BuildpackError(error)
    }
}

impl PlatformEnv for libcnb::Env {
    fn get(&self, name: &str) -> Option<String> {
        libcnb::Env::get_string_lossy(self, name).filter(|value| !value.trim().is_empty())
    }
}

fn launch_process(process: Process) -> Result<libcnb::data::launch::Process, ElixirBuildpackError> {
    let process_type = process.r#type.parse().map_err(|error| {
        ElixirBuildpackError::Internal(format!("process type {}: {error}", process.r#type))
    })?;
    Ok(ProcessBuilder::new(process_type, process.command)
        .args(process.args)
        .default(process.default)
        .build())
}
