//! The `release` cache: every OTP release of the project, assembled by `mix release`, with a `bin/`
//! (on PATH at launch) linking each release's start script. The image ships the release, not the
//! toolchain, `deps` or `_build`. An unchanged release is reused, not re-assembled: a CNB build takes it
//! from the previous image without restoring it (see `cnb/layers.rs`), a classic build from its cache.

pub(crate) mod cookie;
pub(crate) mod inputs;

use crate::cache::{self, CacheState};
use crate::frontend::FrontendError;
use crate::frontend::{Availability, CacheKey, CacheSpec};
use crate::frontend::{Frontend, LaunchProgram, LaunchVar};
use crate::mix::MixError;
use crate::mix::{MixEnv, ProjectInfo, ReleaseSpec, ReleaseTool};
use crate::toolchain::Toolchain;
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What building the releases fails with.
#[derive(Debug)]
pub(crate) enum ReleaseError {
    Frontend(FrontendError),
    Mix(MixError),
    /// Reading what the releases are made from failed.
    Inputs(inputs::InputsError),
    UmbrellaWithoutReleases,
    /// A release (named) left ERTS out, and the image has no Erlang/OTP to run it on.
    WithoutErts(String),
    WriteRelease(std::io::Error),
}

impl From<FrontendError> for ReleaseError {
    fn from(error: FrontendError) -> Self {
        Self::Frontend(error)
    }
}

impl From<MixError> for ReleaseError {
    fn from(error: MixError) -> Self {
        Self::Mix(error)
    }
}

/// An assembled release in the layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssembledRelease {
    pub(crate) name: String,
    /// The release root (holds `bin/`, `erts-*`, `lib/`, `releases/`).
    pub(crate) root: PathBuf,
    /// How processes run the release's start script: its name (on PATH) for Mix releases, its path for
    /// Distillery's (whose script finds its root from where it is called).
    pub(crate) executable: String,
    /// The start script's command that runs the release in the foreground.
    pub(crate) start: &'static str,
    /// The overlays of [`OVERLAYS`] its `bin/` has.
    pub(crate) overlays: Vec<String>,
}

/// The overlay scripts `mix phx.gen.release` adds to the release's `bin/`, which the processes run.
pub(crate) const OVERLAYS: [&str; 2] = ["server", "migrate"];

/// Removes the archives of the `:tar` step (`<name>-<version>.tar.gz`), which Mix writes into the release
/// root when it is given a `--path`; returns their file names.
fn remove_tarballs(root: &Path, name: &str) -> std::io::Result<Vec<String>> {
    let prefix = format!("{name}-");
    let mut removed = Vec::new();
    for entry in fs_err::read_dir(root)? {
        let entry = entry?;
        let file_name = entry.file_name().to_string_lossy().to_string();
        if file_name.starts_with(&prefix) && file_name.ends_with(".tar.gz") && entry.file_type()?.is_file() {
            fs_err::remove_file(entry.path())?;
            removed.push(file_name);
        }
    }
    removed.sort();
    Ok(removed)
}

/// Whether a release root holds ERTS (`erts-<version>/`), as releases do unless `include_erts: false`.
fn has_erts(root: &Path) -> bool {
    fs_err::read_dir(root).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("erts-") && entry.path().is_dir())
    })
}

/// The release the `web` process runs: the one named after the app, else the first.
pub(crate) fn primary<'a>(releases: &'a [ReleaseSpec], project: &ProjectInfo) -> &'a str {
    releases
        .iter()
        .find(|release| release.name == project.app)
        .or_else(|| releases.first())
        .map_or("", |release| release.name.as_str())
}

/// The releases to build: Distillery's (from `rel/config.exs`) in a Distillery project, else those in
/// `mix.exs`, or the default one named after the app.
pub(crate) fn releases_to_build(
    project: &ProjectInfo,
    rel_config: Option<&str>,
) -> Result<Vec<ReleaseSpec>, ReleaseError> {
    if let (true, Some(rel_config)) = (project.distillery, rel_config) {
        let mut names = crate::inputs::mix_project::distillery_releases(rel_config);
        if names.is_empty() {
            names.push(project.app.clone());
        }
        return Ok(names
            .into_iter()
            .map(|name| ReleaseSpec {
                name,
                tool: ReleaseTool::Distillery,
            })
            .collect());
    }
    if !project.releases.is_empty() {
        return Ok(project.releases.clone());
    }
    if project.umbrella || project.app.is_empty() {
        return Err(ReleaseError::UmbrellaWithoutReleases);
    }
    Ok(vec![ReleaseSpec {
        name: project.app.clone(),
        tool: ReleaseTool::MixDefault,
    }])
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReleaseLayerMetadata {
    /// SHA-256 of the compiled app, deps, config and `rel/` (see `release_inputs`).
    inputs: String,
    releases: Vec<String>,
    mix_env: String,
    toolchain: crate::toolchain::ToolchainVersions,
    /// SHA-256 of the launch env and programs the layer carries: a reused release keeps its layer's.
    launch: String,
    /// What the release was found to have, not compared: the overlays of the main release's `bin/`, for a
    /// build that reuses the release without its files at hand.
    overlays: Vec<String>,
}

impl CacheKey for ReleaseLayerMetadata {
    /// 2: the launch env's digest and the overlays, so that an unchanged release can be reused from the
    /// previous image, whose layer has both, without restoring it. 3: `inputs` leaves out the
    /// consolidated protocols (see [`inputs`]).
    const SCHEMA: u32 = 3;

    fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
        let Self {
            inputs,
            releases,
            mix_env,
            toolchain,
            launch,
            overlays: _,
        } = self;
        let mut reasons = Vec::new();
        if inputs != &new.inputs {
            reasons.push(String::from("the compiled app, its deps, config or rel/ changed"));
        }
        if releases != &new.releases {
            reasons.push(format!(
                "the releases changed from {} to {}",
                releases.join(", "),
                new.releases.join(", ")
            ));
        }
        cache::push_if_changed(&mut reasons, "MIX_ENV", mix_env, &new.mix_env);
        toolchain.push_reasons(&new.toolchain, &mut reasons);
        if launch != &new.launch {
            reasons.push(String::from("the release's launch env or programs changed"));
        }
        reasons
    }

    fn migrate(schema: u32, _key: toml::Table) -> Result<Self, String> {
        let what = if schema < 2 {
            "did not record the release's launch env and overlays"
        } else {
            "counted the consolidated protocols among the release's inputs"
        };
        Err(format!(
            "it was written by an older version of this buildpack (cache format {schema}), which {what}"
        ))
    }
}

/// The digest of the launch env and programs the release layer carries.
fn launch_digest(env: &[LaunchVar], program: &LaunchProgram) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for var in env {
        for part in [
            var.name,
            &var.value,
            if var.overrides { "override" } else { "default" },
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
    }
    for part in [program.name, &program.exec_d, &program.profile_d] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    crate::digest::hex(&hasher.finalize())
}

impl AssembledRelease {
    fn new(release: &ReleaseSpec, layer: &Path) -> Self {
        let root = layer.join(&release.name);
        let distillery = release.tool == ReleaseTool::Distillery;
        Self {
            name: release.name.clone(),
            executable: if distillery {
                root.join("bin").join(&release.name).to_string_lossy().to_string()
            } else {
                release.name.clone()
            },
            root,
            // Distillery's `start` daemonizes; `foreground` is its equivalent of Mix's `start`.
            start: if distillery { "foreground" } else { "start" },
            overlays: Vec::new(),
        }
    }
}

/// Builds one release into `root`.
fn build_release(mix: &MixEnv, spec: &ReleaseSpec, root: &Path, mix_env: &str) -> Result<(), ReleaseError> {
    let root_arg = root.to_string_lossy();
    match spec.tool {
        ReleaseTool::Mix => Ok(mix.mix(&["release", &spec.name, "--overwrite", "--path", &root_arg])?),
        // The default release (no `releases` in mix.exs) has no name to pass.
        ReleaseTool::MixDefault => Ok(mix.mix(&["release", "--overwrite", "--path", &root_arg])?),
        ReleaseTool::Distillery => {
            mix.mix(&[
                "distillery.release",
                "--env",
                mix_env,
                "--name",
                &spec.name,
                "--no-tar",
            ])?;
            // Distillery always assembles into `_build/<env>/rel/<name>`: move it into the layer.
            let assembled = mix.build_path().join("rel").join(&spec.name);
            let layer = root.parent().unwrap_or(root);
            fs_extra::dir::move_dir(
                &assembled,
                layer,
                &fs_extra::dir::CopyOptions::new().overwrite(true),
            )
            .map(|_| ())
            .map_err(|error| ReleaseError::WriteRelease(std::io::Error::other(error)))
        }
    }
}

/// What the releases are made from, besides the compiled app.
pub(crate) struct Build<'a> {
    pub(crate) releases: &'a [ReleaseSpec],
    pub(crate) project: &'a ProjectInfo,
    pub(crate) toolchain: &'a Toolchain,
    pub(crate) mix_env: &'a str,
    pub(crate) always_rebuild: bool,
    /// The launch SBOM the release ships with.
    pub(crate) sbom: &'a [u8],
    /// The digest of every app file, made once per build.
    pub(crate) app_files: &'a crate::mix::source_mtimes::Digests,
    /// Whether Erlang/OTP ships in the image, for a release that leaves ERTS out.
    pub(crate) erlang_ships: bool,
}

/// Assembles every release into the layer, or reuses the previous build's releases when nothing they
/// are made from changed (then the lifecycle also reuses the image layer as it is).
pub(crate) fn assemble(
    frontend: &mut impl Frontend,
    mix: &MixEnv,
    build: &Build<'_>,
) -> Result<Vec<AssembledRelease>, ReleaseError> {
    let Build {
        releases,
        project,
        toolchain,
        mix_env,
        always_rebuild,
        sbom,
        app_files,
        erlang_ships,
    } = *build;
    let env = launch_env(project, mix_env);
    let program = LaunchProgram {
        name: "erlang-cookie",
        exec_d: cookie::exec_d_program(),
        profile_d: cookie::profile_d_snippet(),
    };
    let mut metadata = ReleaseLayerMetadata {
        inputs: inputs::digest(app_files, &mix.build_path()).map_err(ReleaseError::Inputs)?,
        releases: releases.iter().map(|release| release.name.clone()).collect(),
        mix_env: mix_env.to_string(),
        toolchain: crate::toolchain::ToolchainVersions::of(toolchain),
        launch: launch_digest(&env, &program),
        overlays: Vec::new(),
    };
    let spec = CacheSpec {
        name: "release",
        availability: Availability {
            build: false,
            launch: true,
        },
        what: "release",
    };
    let cached_overlays = frontend
        .cached_key::<ReleaseLayerMetadata>(spec.name)
        .map(|cached| cached.overlays);
    let (path, state) = cache::restore(frontend, spec, &metadata, always_rebuild)?;
    // A reused release's layer may be the previous image's, as it is: the front-end keeps its env and
    // programs (the same, by the key).
    frontend.set_launch_env(spec, &env)?;
    frontend.set_launch_sbom(spec, sbom)?;
    frontend.set_launch_program(spec, &program)?;
    let primary = primary(releases, project);
    let mut assembled: Vec<AssembledRelease> = releases
        .iter()
        .map(|release| AssembledRelease::new(release, &path))
        .collect();
    if state == CacheState::Reused {
        for release in &mut assembled {
            if release.name == primary {
                release.overlays = cached_overlays.clone().unwrap_or_default();
            }
            print::sub_bullet(format!(
                "Reusing release `{}`: nothing it is made from changed",
                release.name
            ));
        }
        return Ok(assembled);
    }

    let bin = path.join("bin");
    fs_err::create_dir_all(&bin).map_err(ReleaseError::WriteRelease)?;
    for (release_spec, release) in releases.iter().zip(&mut assembled) {
        build_release(mix, release_spec, &release.root, mix_env)?;
        for tarball in remove_tarballs(&release.root, &release.name).map_err(ReleaseError::WriteRelease)? {
            print::sub_bullet(format!(
                "Left `{tarball}` (the `:tar` step's archive) out of the image: the release is in it unpacked"
            ));
        }
        if !erlang_ships && !has_erts(&release.root) {
            return Err(ReleaseError::WithoutErts(release.name.clone()));
        }
        if release_spec.tool != ReleaseTool::Distillery {
            cookie::unbake(&release.root).map_err(ReleaseError::WriteRelease)?;
        }
        // An absolute link: older release scripts (Elixir 1.14) resolve `$0` with a single `readlink`,
        // relative to the working directory. Layer paths are the same at build and launch time.
        fs_err::os::unix::fs::symlink(
            release.root.join("bin").join(&release.name),
            bin.join(&release.name),
        )
        .map_err(ReleaseError::WriteRelease)?;
        print::sub_bullet(format!(
            "Release `{}` is in the image at {}",
            release.name,
            release.root.display()
        ));
        // The main release's `server` and `migrate` overlays (Phoenix's `mix phx.gen.release`) are on
        // PATH by name too, so the release phase can run `migrate`.
        if release.name == primary {
            for overlay in OVERLAYS {
                let path = release.root.join("bin").join(overlay);
                if path.is_file() {
                    fs_err::os::unix::fs::symlink(&path, bin.join(overlay))
                        .map_err(ReleaseError::WriteRelease)?;
                    release.overlays.push(overlay.to_string());
                }
            }
            metadata.overlays.clone_from(&release.overlays);
        }
    }
    cache::save(frontend, spec, &metadata)?;
    Ok(assembled)
}

/// The release a `post_compile` hook unpacked into the app dir, as the deployment article's hook does:
/// `bin/` beside `releases/<version>/<name>.rel`. Returns its name.
pub(crate) fn unpacked_in(app_dir: &Path) -> Option<String> {
    if !app_dir.join("releases/start_erl.data").is_file() || !app_dir.join("bin").is_dir() {
        return None;
    }
    let versions = fs_err::read_dir(app_dir.join("releases")).ok()?;
    let mut names: Vec<String> = versions
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| fs_err::read_dir(entry.path()).ok())
        .flat_map(Iterator::flatten)
        .filter_map(|file| {
            let path = file.path();
            let name = path.file_stem()?.to_string_lossy().to_string();
            (path.extension()? == "rel" && app_dir.join("bin").join(&name).is_file()).then_some(name)
        })
        .collect();
    names.sort();
    names.dedup();
    names.into_iter().next()
}

/// Defaults for the release's processes; the platform's config vars override them.
fn launch_env(project: &ProjectInfo, mix_env: &str) -> Vec<LaunchVar> {
    let mut env = Vec::new();
    if project.phoenix {
        // Phoenix releases made by `mix phx.gen.release` serve HTTP only with PHX_SERVER set.
        env.push(LaunchVar::default_value("PHX_SERVER", "true"));
    }
    env.extend([
        LaunchVar::default_value("MIX_ENV", mix_env),
        LaunchVar::default_value("LANG", "C.UTF-8"),
        LaunchVar::default_value("LC_ALL", "C.UTF-8"),
        // The release root belongs to the build user; run-time temp files go to /tmp.
        LaunchVar::default_value("RELEASE_TMP", "/tmp"),
    ]);
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(inputs: &str, launch: &str, overlays: &[&str]) -> ReleaseLayerMetadata {
        ReleaseLayerMetadata {
            inputs: inputs.into(),
            releases: vec!["app".into()],
            mix_env: "prod".into(),
            toolchain: crate::toolchain::ToolchainVersions::new("27.3", "1.18.3"),
            launch: launch.into(),
            overlays: overlays.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn the_launch_env_invalidates_and_the_overlays_found_do_not() {
        let cached = metadata("a", "env", &["server"]);
        assert!(cached.invalidation_reasons(&metadata("a", "env", &[])).is_empty());
        assert_eq!(
            cached.invalidation_reasons(&metadata("b", "env2", &["server"])),
            vec![
                "the compiled app, its deps, config or rel/ changed",
                "the release's launch env or programs changed"
            ]
        );
    }

    #[test]
    fn a_release_key_from_before_format_2_is_discarded_with_the_reason() {
        // What buildpacks before numbered formats stored for the release.
        let flat: toml::Table = toml::from_str(
            "inputs = \"a\"\nreleases = [\"app\"]\nmix_env = \"prod\"\n[toolchain]\notp = \"27.3\"\nelixir = \"1.18.3\"\n",
        )
        .expect("toml");
        assert_eq!(
            crate::cache::decide(Some(flat), &metadata("a", "env", &[]), false),
            crate::cache::Decision::Discard(vec![String::from(
                "it was written by an older version of this buildpack (cache format 1), which did not record \
                 the release's launch env and overlays"
            )])
        );
    }

    #[test]
    fn a_release_key_in_format_2_is_discarded_with_the_reason() {
        let key = toml::Table::try_from(metadata("a", "env", &[])).expect("a table");
        let stored = toml::Table::from_iter([
            (String::from("schema"), toml::Value::Integer(2)),
            (String::from("key"), toml::Value::Table(key)),
        ]);
        assert_eq!(
            crate::cache::decide(Some(stored), &metadata("a", "env", &[]), false),
            crate::cache::Decision::Discard(vec![String::from(
                "it was written by an older version of this buildpack (cache format 2), which counted the \
                 consolidated protocols among the release's inputs"
            )])
        );
    }

    #[test]
    fn the_launch_digest_covers_every_var_and_the_program() {
        let program = LaunchProgram {
            name: "erlang-cookie",
            exec_d: "#!/bin/sh\n".into(),
            profile_d: "export A=1\n".into(),
        };
        let env = vec![LaunchVar::default_value("MIX_ENV", "prod")];
        let digest = launch_digest(&env, &program);
        assert_eq!(digest.len(), 64);
        let overriding = vec![LaunchVar {
            overrides: true,
            ..env[0].clone()
        }];
        let other_program = LaunchProgram {
            exec_d: "#!/bin/sh\nexit 0\n".into(),
            ..program.clone()
        };
        let other_snippet = LaunchProgram {
            profile_d: "export A=2\n".into(),
            ..program.clone()
        };
        for (what, other) in [
            (
                "a value",
                launch_digest(&[LaunchVar::default_value("MIX_ENV", "dev")], &program),
            ),
            (
                "a name",
                launch_digest(&[LaunchVar::default_value("MIX_EN", "Vprod")], &program),
            ),
            ("override", launch_digest(&overriding, &program)),
            ("exec.d", launch_digest(&env, &other_program)),
            ("profile.d", launch_digest(&env, &other_snippet)),
            ("no env", launch_digest(&[], &program)),
        ] {
            assert_ne!(digest, other, "{what}");
        }
        assert_eq!(digest, launch_digest(&env, &program.clone()));
    }

    #[test]
    fn the_tar_step_s_archive_is_removed_from_the_release_root() {
        let root = tempfile::tempdir().expect("tempdir");
        for file in ["worker-0.1.0.tar.gz", "worker-notes.txt", "web-0.1.0.tar.gz"] {
            fs_err::write(root.path().join(file), "").expect("write");
        }
        fs_err::create_dir_all(root.path().join("worker-dir.tar.gz")).expect("a dir, not an archive");
        fs_err::create_dir_all(root.path().join("releases")).expect("mkdir");
        assert_eq!(
            remove_tarballs(root.path(), "worker").expect("removed"),
            vec!["worker-0.1.0.tar.gz".to_string()]
        );
        let mut left: Vec<String> = fs_err::read_dir(root.path())
            .expect("read")
            .map(|entry| entry.expect("entry").file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "releases",
                "web-0.1.0.tar.gz",
                "worker-dir.tar.gz",
                "worker-notes.txt"
            ]
        );
        assert!(remove_tarballs(&root.path().join("missing"), "worker").is_err());
    }

    #[test]
    fn a_release_has_erts_when_its_root_has_an_erts_dir() {
        let root = tempfile::tempdir().expect("tempdir");
        assert!(!has_erts(root.path()));
        assert!(!has_erts(&root.path().join("missing")));
        fs_err::create_dir_all(root.path().join("lib/kernel-8.5")).expect("mkdir");
        fs_err::write(root.path().join("erts-13.1"), "").expect("a file, not ERTS");
        assert!(!has_erts(root.path()));
        fs_err::create_dir_all(root.path().join("erts-13.1.5/bin")).expect("mkdir");
        assert!(has_erts(root.path()));
    }

    #[test]
    fn a_release_unpacked_into_the_app_dir_is_found() {
        let app = tempfile::tempdir().expect("tempdir");
        assert_eq!(unpacked_in(app.path()), None);
        for dir in ["bin", "releases/0.1.0", "lib"] {
            fs_err::create_dir_all(app.path().join(dir)).expect("mkdir");
        }
        fs_err::write(app.path().join("releases/0.1.0/myapp.rel"), "{release, ...}.").expect("write");
        fs_err::write(app.path().join("bin/myapp"), "#!/bin/sh").expect("write");
        assert_eq!(unpacked_in(app.path()), None, "no start_erl.data: not a release");
        fs_err::write(app.path().join("releases/start_erl.data"), "13.1.5 0.1.0").expect("write");
        assert_eq!(unpacked_in(app.path()).as_deref(), Some("myapp"));
        fs_err::remove_file(app.path().join("bin/myapp")).expect("rm");
        assert_eq!(unpacked_in(app.path()), None, "no start script for the .rel");
    }

    #[test]
    fn default_release_is_the_app() {
        let project = ProjectInfo {
            app: "hello_web".into(),
            ..ProjectInfo::default()
        };
        assert_eq!(
            releases_to_build(&project, None).ok(),
            Some(vec![ReleaseSpec {
                name: "hello_web".into(),
                tool: ReleaseTool::MixDefault,
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
            releases_to_build(&project, None),
            Err(ReleaseError::UmbrellaWithoutReleases)
        ));
    }
}
