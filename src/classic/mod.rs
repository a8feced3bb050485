//! The classic (Heroku Cedar) front-end: the same build as the CNB one behind Heroku's classic buildpack
//! contract. The `bin/*` scripts of the classic tarball run this binary with their name and arguments:
//!
//! - `detect BUILD_DIR`: prints `Elixir` for a Mix project;
//! - `compile BUILD_DIR CACHE_DIR ENV_DIR`: builds the slug in `BUILD_DIR`, caches in `CACHE_DIR`,
//!   config vars from `ENV_DIR`;
//! - `release BUILD_DIR`: the default process types, as YAML;
//! - `test-compile BUILD_DIR CACHE_DIR ENV_DIR` and `test BUILD_DIR ENV_DIR`: Heroku CI's `mix test`.

mod caches;
mod env_dir;
mod slug;
mod slug_links;
mod stack;

use crate::errors;
use crate::inputs::config::{self, PlatformEnv};
use crate::launch::{classic_paths, processes};
use crate::pipeline::ElixirBuildpackError;
use crate::pipeline::{self, Purpose};
use bullet_stream::global::print;
use caches::CacheDirs;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

/// A classic buildpack command, from the binary's arguments.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Detect {
        build_dir: PathBuf,
    },
    Compile {
        build_dir: PathBuf,
        cache_dir: PathBuf,
        env_dir: PathBuf,
        purpose: Purpose,
    },
    Release {
        build_dir: PathBuf,
    },
    Test {
        build_dir: PathBuf,
        env_dir: PathBuf,
    },
    /// A classic command with the wrong arguments: the usage to print.
    Usage(&'static str),
}

impl Command {
    /// The classic command these arguments ask for; `None` for the CNB `detect` and `build` binaries,
    /// which libcnb runs.
    pub(crate) fn from_args(args: &[OsString]) -> Option<Self> {
        let program = args.first().map(Path::new).and_then(Path::file_name);
        if program.is_some_and(|name| name == "detect" || name == "build") {
            return None;
        }
        let rest: Vec<PathBuf> = args.iter().skip(2).map(PathBuf::from).collect();
        let command = match (args.get(1)?.to_str()?, rest.as_slice()) {
            ("detect", [build_dir]) => Self::Detect {
                build_dir: build_dir.clone(),
            },
            ("detect", _) => Self::Usage("bin/detect BUILD_DIR"),
            ("compile" | "test-compile", [build_dir, cache_dir, env_dir]) => Self::Compile {
                build_dir: build_dir.clone(),
                cache_dir: cache_dir.clone(),
                env_dir: env_dir.clone(),
                purpose: if args[1] == "compile" {
                    Purpose::Deploy
                } else {
                    Purpose::Test
                },
            },
            ("compile", _) => Self::Usage("bin/compile BUILD_DIR CACHE_DIR ENV_DIR"),
            ("test-compile", _) => Self::Usage("bin/test-compile BUILD_DIR CACHE_DIR ENV_DIR"),
            ("release", [build_dir]) => Self::Release {
                build_dir: build_dir.clone(),
            },
            ("release", _) => Self::Usage("bin/release BUILD_DIR"),
            ("test", [build_dir, env_dir]) => Self::Test {
                build_dir: build_dir.clone(),
                env_dir: env_dir.clone(),
            },
            ("test", _) => Self::Usage("bin/test BUILD_DIR ENV_DIR"),
            _ => return None,
        };
        Some(command)
    }
}

/// Runs a classic command; returns the process exit code.
pub(crate) fn run(command: Command) -> i32 {
    match command {
        Command::Detect { build_dir } => {
            if pipeline::detect(&build_dir) {
                println!("Elixir");
                0
            } else {
                eprintln!("{}", pipeline::NOT_DETECTED);
                1
            }
        }
        Command::Compile {
            build_dir,
            cache_dir,
            env_dir,
            purpose,
        } => match compile(&build_dir, &cache_dir, &env_dir, purpose) {
            Ok(()) => 0,
            Err(error) => {
                print::error(errors::message(&error));
                1
            }
        },
        Command::Release { build_dir } => {
            let yaml = fs_err::read_to_string(release_yaml_file(&build_dir))
                .unwrap_or_else(|_| slug::release_yaml(&[]));
            print!("{yaml}");
            0
        }
        Command::Test { build_dir, env_dir } => match test(&build_dir, &env_dir) {
            Ok(code) => code,
            Err(error) => {
                print::error(errors::message(&error));
                1
            }
        },
        Command::Usage(usage) => {
            eprintln!("Usage: {usage}");
            2
        }
    }
}

/// Where `compile` leaves the answer of `bin/release`, which runs later with `BUILD_DIR` only.
fn release_yaml_file(build_dir: &Path) -> PathBuf {
    build_dir.join(caches::SLUG_DIR).join("release.yml")
}

/// The process env and the exported config vars, for reading the config.
struct ClassicEnv<'a>(&'a [(String, String)]);

impl PlatformEnv for ClassicEnv<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(var, _)| var == name)
            .map(|(_, value)| value.clone())
            .or_else(|| std::env::var(name).ok())
            .filter(|value| !value.trim().is_empty())
    }
}

/// The config vars the build gets, with their names printed (never their values).
fn config_vars(env_dir: &Path) -> Result<Vec<(String, String)>, ElixirBuildpackError> {
    let exported = env_dir::exported(&env_dir::read(env_dir).map_err(ElixirBuildpackError::ReadEnvDir)?);
    if !exported.is_empty() {
        let names: Vec<&str> = exported.iter().map(|(name, _)| name.as_str()).collect();
        print::sub_bullet(format!("Config vars exported to the build: {}", names.join(", ")));
    }
    Ok(exported)
}

fn compile(
    build_dir: &Path,
    cache_dir: &Path,
    env_dir: &Path,
    purpose: Purpose,
) -> Result<(), ElixirBuildpackError> {
    let started = print::buildpack(match purpose {
        Purpose::Deploy => "Elixir",
        Purpose::Test => "Elixir (Heroku CI: compiling for mix test)",
    });
    let config_vars = config_vars(env_dir)?;
    let platform = stack::platform().map_err(ElixirBuildpackError::Toolchain)?;
    let mut caches = CacheDirs::new(build_dir, &cache_dir.join("elixir-cnb"));
    let output = pipeline::build(
        &mut caches,
        &pipeline::Context {
            app_dir: build_dir,
            env: &ClassicEnv(&config_vars),
            extra_env: &config_vars,
            platform,
            purpose,
        },
    )?;
    let launch = caches.finish()?;
    let write = |path: &Path, contents: &str| {
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::write(path, contents)
    };
    write(
        &build_dir.join(".profile.d/elixir-cnb.sh"),
        &slug::profile_d(&launch.path, &launch.vars, &launch.programs),
    )
    .map_err(ElixirBuildpackError::WriteRelease)?;
    if purpose == Purpose::Deploy {
        link_releases_run_from_build(build_dir, caches.runtime_dir(), &output)
            .map_err(ElixirBuildpackError::WriteRelease)?;
        write(
            &release_yaml_file(build_dir),
            &slug::release_yaml(&output.processes),
        )
        .map_err(ElixirBuildpackError::WriteRelease)?;
        processes::print(&output.processes);
        if !output.procfile.is_empty() {
            print::sub_bullet("The Procfile's process types replace these of the same name");
        }
    }
    // Buildpacks after this one source `export` from this buildpack's dir.
    if let Some(buildpack_dir) = buildpack_dir() {
        let export = buildpack_dir.join("export");
        if let Err(error) = fs_err::write(&export, slug::export_file(&output.mix_build_env)) {
            print::warning(format!(
                "Could not write {} for the buildpacks after this one: {error}",
                export.display()
            ));
        }
    }
    print::all_done(&Some(started));
    Ok(())
}

/// Procfile and `app.json` commands that run a release from `_build/<env>/rel/<name>` (where `mix release`
/// puts it, and where classic-era hooks built it) find it there: a link to the release in the slug.
fn link_releases_run_from_build(
    build_dir: &Path,
    runtime_dir: &Path,
    output: &pipeline::Output,
) -> std::io::Result<()> {
    let runtime_dir = runtime_dir.to_string_lossy();
    let commands = output
        .procfile
        .iter()
        .map(|entry| entry.command.as_str())
        .chain(output.review_scripts.iter().map(|(_, command)| command.as_str()));
    for (env, name) in
        commands.flat_map(|command| classic_paths::releases_run_from_build(command, Some(&runtime_dir)))
    {
        let Some((_, root)) = output.releases.iter().find(|(release, _)| *release == name) else {
            continue;
        };
        let link = build_dir.join("_build").join(&env).join("rel").join(&name);
        if fs_err::symlink_metadata(&link).is_ok() {
            continue;
        }
        if let Some(parent) = link.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::os::unix::fs::symlink(root, &link)?;
    }
    Ok(())
}

/// The classic buildpack's root: the binary is `<root>/bin/elixir-cnb`.
fn buildpack_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.to_path_buf())
}

/// Heroku CI's `bin/test`: `mix test` with `test_args`, in the env `test-compile` left in the slug; its
/// exit code is the test run's.
fn test(build_dir: &Path, env_dir: &Path) -> Result<i32, ElixirBuildpackError> {
    let config_vars = env_dir::exported(&env_dir::read(env_dir).map_err(ElixirBuildpackError::ReadEnvDir)?);
    let config = config::read(build_dir, &ClassicEnv(&config_vars)).map_err(ElixirBuildpackError::Config)?;
    // The arguments as bash splits an unquoted `$test_args` (no globbing: nothing is evaluated).
    let args: Vec<String> = config
        .classic_only
        .test_args
        .map(|test_args| test_args.value.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    let status = Process::new("bash")
        .args([
            "-c",
            r#"for script in .profile.d/*.sh; do [ -f "$script" ] && . "$script"; done; exec mix test "$@""#,
            "bin/test",
        ])
        .args(&args)
        .current_dir(build_dir)
        .envs(config_vars)
        .env("MIX_ENV", "test")
        .status()
        .map_err(|error| ElixirBuildpackError::Internal(format!("running mix test: {error}")))?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn classic_commands_from_arguments() {
        assert_eq!(
            Command::from_args(&args(&["/bp/bin/elixir-cnb", "compile", "/b", "/c", "/e"])),
            Some(Command::Compile {
                build_dir: "/b".into(),
                cache_dir: "/c".into(),
                env_dir: "/e".into(),
                purpose: Purpose::Deploy,
            })
        );
        assert_eq!(
            Command::from_args(&args(&["elixir-cnb", "test-compile", "/b", "/c", "/e"])),
            Some(Command::Compile {
                build_dir: "/b".into(),
                cache_dir: "/c".into(),
                env_dir: "/e".into(),
                purpose: Purpose::Test,
            })
        );
        assert_eq!(
            Command::from_args(&args(&["elixir-cnb", "detect", "/b"])),
            Some(Command::Detect {
                build_dir: "/b".into()
            })
        );
        assert_eq!(
            Command::from_args(&args(&["elixir-cnb", "test", "/b", "/e"])),
            Some(Command::Test {
                build_dir: "/b".into(),
                env_dir: "/e".into()
            })
        );
        assert_eq!(
            Command::from_args(&args(&["elixir-cnb", "release", "/b"])),
            Some(Command::Release {
                build_dir: "/b".into()
            })
        );
        assert_eq!(
            Command::from_args(&args(&["elixir-cnb", "compile", "/b"])),
            Some(Command::Usage("bin/compile BUILD_DIR CACHE_DIR ENV_DIR"))
        );
    }

    #[test]
    fn cnb_binaries_are_left_to_libcnb() {
        assert_eq!(
            Command::from_args(&args(&["/cnb/buildpacks/x/bin/detect", "compile"])),
            None
        );
        assert_eq!(
            Command::from_args(&args(&["/cnb/buildpacks/x/bin/build", "a", "b", "c"])),
            None
        );
        assert_eq!(Command::from_args(&args(&["elixir-cnb"])), None);
        assert_eq!(Command::from_args(&args(&["elixir-cnb", "nonsense"])), None);
    }

    #[test]
    fn config_vars_win_over_the_process_env() {
        let vars = vec![
            ("MIX_ENV".to_string(), "staging".to_string()),
            ("BLANK".to_string(), " ".to_string()),
        ];
        let env = ClassicEnv(&vars);
        assert_eq!(env.get("MIX_ENV").as_deref(), Some("staging"));
        assert_eq!(env.get("BLANK"), None);
    }
}
