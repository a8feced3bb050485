//! The `release` layer: every OTP release of the project, assembled by `mix release`, with a `bin/`
//! (on PATH at launch) linking each release's start script. Launch only: the image ships the release,
//! not the toolchain, `deps` or `_build`.

use crate::mix::{MixEnv, ProjectInfo, ReleaseSpec};
use crate::{ElixirBuildpack, ElixirBuildpackError};
use bullet_stream::global::print;
use libcnb::build::BuildContext;
use libcnb::data::layer_name;
use libcnb::layer::UncachedLayerDefinition;
use libcnb::layer_env::{LayerEnv, ModificationBehavior, Scope};
use std::path::PathBuf;

/// An assembled release in the layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssembledRelease {
    pub(crate) name: String,
    /// The release root (holds `bin/`, `erts-*`, `lib/`, `releases/`).
    pub(crate) root: PathBuf,
}

/// The releases to build: those in `mix.exs`, or the default one named after the app.
pub(crate) fn releases_to_build(project: &ProjectInfo) -> Result<Vec<ReleaseSpec>, ElixirBuildpackError> {
    if !project.releases.is_empty() {
        return Ok(project.releases.clone());
    }
    if project.umbrella || project.app.is_empty() {
        return Err(ElixirBuildpackError::UmbrellaWithoutReleases);
    }
    Ok(vec![ReleaseSpec {
        name: project.app.clone(),
        steps: vec![String::from("assemble")],
        default: true,
    }])
}

pub(crate) fn assemble(
    context: &BuildContext<ElixirBuildpack>,
    mix: &MixEnv,
    releases: &[ReleaseSpec],
    mix_env: &str,
) -> libcnb::Result<Vec<AssembledRelease>, ElixirBuildpackError> {
    let layer = context.uncached_layer(
        layer_name!("release"),
        UncachedLayerDefinition {
            build: false,
            launch: true,
        },
    )?;
    let bin = layer.path().join("bin");
    fs_err::create_dir_all(&bin).map_err(ElixirBuildpackError::WriteRelease)?;
    let mut assembled = Vec::new();
    for release in releases {
        let root = layer.path().join(&release.name);
        let root_arg = root.to_string_lossy();
        let mut args = vec!["release"];
        // The default release (no `releases` in mix.exs) has no name to pass.
        if !release.default {
            args.push(&release.name);
        }
        args.extend(["--overwrite", "--path", &root_arg]);
        mix.mix(&args)?;
        // An absolute link: older release scripts (Elixir 1.14) resolve `$0` with a single `readlink`,
        // relative to the working directory. Layer paths are the same at build and launch time.
        fs_err::os::unix::fs::symlink(root.join("bin").join(&release.name), bin.join(&release.name))
            .map_err(ElixirBuildpackError::WriteRelease)?;
        print::sub_bullet(format!(
            "Release `{}` is in the image at {}",
            release.name,
            root.display()
        ));
        assembled.push(AssembledRelease {
            name: release.name.clone(),
            root,
        });
    }
    layer.write_env(
        LayerEnv::new()
            .chainable_insert(Scope::Launch, ModificationBehavior::Default, "MIX_ENV", mix_env)
            .chainable_insert(Scope::Launch, ModificationBehavior::Default, "LANG", "C.UTF-8")
            .chainable_insert(Scope::Launch, ModificationBehavior::Default, "LC_ALL", "C.UTF-8")
            // The release root belongs to the build user; run-time temp files go to /tmp.
            .chainable_insert(
                Scope::Launch,
                ModificationBehavior::Default,
                "RELEASE_TMP",
                "/tmp",
            ),
    )?;
    Ok(assembled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_release_is_the_app() {
        let project = ProjectInfo {
            app: "hello_web".into(),
            ..ProjectInfo::default()
        };
        assert_eq!(
            releases_to_build(&project).ok(),
            Some(vec![ReleaseSpec {
                name: "hello_web".into(),
                steps: vec!["assemble".into()],
                default: true,
            }])
        );
    }

    #[test]
    fn umbrellas_need_releases() {
        let project = ProjectInfo {
            umbrella: true,
            ..ProjectInfo::default()
        };
        assert!(matches!(
            releases_to_build(&project),
            Err(ElixirBuildpackError::UmbrellaWithoutReleases)
        ));
    }
}
