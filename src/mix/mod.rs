//! Mix: its caches (`mix_home`, `deps`, `_build`), and running Mix, Elixir and the classic hooks with
//! the installed toolchain.

pub(crate) mod boot;
pub(crate) mod build;
pub(crate) mod deps;
pub(crate) mod hex;
pub(crate) mod mix_home;
pub(crate) mod source_mtimes;

use crate::errors::ElixirBuildpackError;
use bullet_stream::global::print;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the toolchain and the cached Mix directories are.
pub(crate) struct MixDirs<'a> {
    pub(crate) erlang: &'a Path,
    pub(crate) elixir: &'a Path,
    pub(crate) mix_home: &'a Path,
    pub(crate) deps: &'a Path,
    /// The `_build` layer; Mix builds into its `<MIX_ENV>` subdirectory, like `_build/<MIX_ENV>`.
    pub(crate) build: &'a Path,
}

/// `MIX_BUILD_PATH` for a `_build` dir: its `MIX_ENV` subdirectory, as Mix itself would use.
pub(crate) fn build_path(build: &Path, mix_env: &str) -> PathBuf {
    build.join(mix_env)
}

/// What later build steps (other buildpacks) need to run Mix as the build did.
pub(crate) fn build_env(dirs: &MixDirs<'_>, mix_env: &str) -> Vec<(String, String)> {
    let path = |path: &Path| path.to_string_lossy().to_string();
    vec![
        (
            String::from("PATH"),
            format!(
                "{}:{}",
                path(&dirs.elixir.join("bin")),
                path(&dirs.erlang.join("bin"))
            ),
        ),
        (String::from("MIX_ENV"), mix_env.to_string()),
        (String::from("MIX_HOME"), path(dirs.mix_home)),
        (String::from("HEX_HOME"), path(&dirs.mix_home.join("hex"))),
        (String::from("MIX_DEPS_PATH"), path(dirs.deps)),
        (
            String::from("MIX_BUILD_PATH"),
            path(&build_path(dirs.build, mix_env)),
        ),
    ]
}

/// The environment every Mix command and hook runs with: the platform's env plus the toolchain.
pub(crate) struct MixEnv {
    pub(crate) app_dir: PathBuf,
    pub(crate) env: BTreeMap<OsString, OsString>,
}

impl MixEnv {
    /// `extra_env`: config vars the front-end passes to build commands beyond the process env.
    pub(crate) fn new(
        app_dir: &Path,
        dirs: &MixDirs<'_>,
        mix_env: &str,
        extra_env: &[(String, String)],
    ) -> Self {
        let MixDirs {
            erlang,
            elixir,
            mix_home,
            deps,
            build,
        } = dirs;
        let mut env: BTreeMap<OsString, OsString> = std::env::vars_os().collect();
        env.extend(
            extra_env
                .iter()
                .map(|(name, value)| (OsString::from(name), OsString::from(value))),
        );
        let mut path = OsString::new();
        path.push(elixir.join("bin"));
        path.push(":");
        path.push(erlang.join("bin"));
        if let Some(existing) = env.get(&OsString::from("PATH")) {
            path.push(":");
            path.push(existing);
        }
        let mut set = |name: &str, value: OsString| env.insert(OsString::from(name), value);
        set("PATH", path);
        set("MIX_ENV", mix_env.into());
        set("MIX_HOME", mix_home.into());
        set("HEX_HOME", mix_home.join("hex").into());
        // `deps` and `_build` are also linked into the app dir (for hooks), but Mix must see their real
        // paths: it makes relative `priv` symlinks that would resolve wrongly through a linked `_build`.
        set("MIX_DEPS_PATH", deps.into());
        set("MIX_BUILD_PATH", build_path(build, mix_env).into());
        // Elixir warns and mangles non-ASCII output without a UTF-8 locale.
        set("LANG", "C.UTF-8".into());
        set("LC_ALL", "C.UTF-8".into());
        Self {
            app_dir: app_dir.to_path_buf(),
            env,
        }
    }

    /// `MIX_BUILD_PATH`: `_build/<MIX_ENV>` in the `_build` layer.
    pub(crate) fn build_path(&self) -> PathBuf {
        self.env
            .get(&OsString::from("MIX_BUILD_PATH"))
            .map(PathBuf::from)
            .unwrap_or_default()
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.app_dir).env_clear().envs(&self.env);
        command
    }

    /// Runs `mix <args>` with its output streamed.
    pub(crate) fn mix(&self, args: &[&str]) -> Result<(), ElixirBuildpackError> {
        let mut command = self.command("mix");
        command.args(args);
        print::sub_stream_cmd(&mut command)
            .map(|_| ())
            .map_err(ElixirBuildpackError::MixCommand)
    }

    /// Installs Hex and rebar3 into `MIX_HOME` when the project needs them and the cached `MIX_HOME`
    /// doesn't have them yet. Mix fetches them from `HEX_MIRROR` (its own setting, default
    /// `https://repo.hex.pm`), which the build's environment passes through.
    pub(crate) fn ensure_package_managers(
        &self,
        needed: hex::PackageManagers,
        mix_home: &Path,
    ) -> Result<(), ElixirBuildpackError> {
        let installed = |prefix: &str| {
            fs_err::read_dir(mix_home.join("archives")).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
            })
        };
        if needed.hex {
            if installed("hex") {
                print::sub_bullet("Using cached Hex");
            } else {
                self.mix(&["local.hex", "--force"])?;
            }
        }
        if needed.rebar3 {
            if mix_home.join("elixir").is_dir() || installed("rebar") {
                print::sub_bullet("Using cached rebar3");
            } else {
                self.mix(&["local.rebar", "--force"])?;
            }
        }
        if !needed.hex && !needed.rebar3 {
            print::sub_bullet("No Hex packages in mix.lock: Hex and rebar3 are not needed");
        }
        Ok(())
    }

    /// Runs a classic hook with `bash -c` from the app dir, so `&&`, pipes and `VAR=x cmd` work.
    pub(crate) fn hook(&self, key: &str, script: &str) -> Result<(), ElixirBuildpackError> {
        let mut command = self.command("bash");
        command.args(["-c", script]);
        print::sub_stream_with(format!("Running {key}: `{script}`"), |stdout, stderr| {
            bullet_stream::fun_run::CommandWithName::stream_output(&mut command, stdout, stderr)
        })
        .map(|_| ())
        .map_err(|error| ElixirBuildpackError::Hook {
            key: key.to_string(),
            script: script.to_string(),
            error,
        })
    }

    /// Reads the project's name, umbrella status and releases from `mix.exs` with Mix itself, without
    /// compiling or starting anything.
    pub(crate) fn project_info(&self) -> Result<ProjectInfo, ElixirBuildpackError> {
        let mut command = self.command("elixir");
        command.args(["-e", PROJECT_INFO_SCRIPT]);
        let output = command
            .output()
            .map_err(|error| ElixirBuildpackError::ProjectInfo(error.to_string()))?;
        if !output.status.success() {
            return Err(ElixirBuildpackError::ProjectInfo(format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(parse_project_info(&String::from_utf8_lossy(&output.stdout)))
    }
}

const PROJECT_INFO_SCRIPT: &str = r#"
Mix.start()
Code.compile_file("mix.exs")
config = Mix.Project.config()
IO.puts("elixir-cnb:app:#{config[:app]}")
IO.puts("elixir-cnb:umbrella:#{Mix.Project.umbrella?()}")
for {name, _opts} <- Keyword.get(config, :releases, []) do
  IO.puts("elixir-cnb:release:#{name}")
end
deps = Keyword.get(config, :deps, []) |> Enum.map(&elem(&1, 0))
IO.puts("elixir-cnb:phoenix:#{:phoenix in deps}")
IO.puts("elixir-cnb:distillery:#{:distillery in deps}")
System.halt(0)
"#;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ProjectInfo {
    /// Empty for umbrella projects.
    pub(crate) app: String,
    pub(crate) umbrella: bool,
    pub(crate) releases: Vec<ReleaseSpec>,
    pub(crate) phoenix: bool,
    pub(crate) distillery: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReleaseSpec {
    pub(crate) name: String,
    pub(crate) tool: ReleaseTool,
}

/// How a release is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReleaseTool {
    /// `mix release NAME`, for a release defined in `mix.exs`.
    Mix,
    /// `mix release`: the release Mix makes when `mix.exs` defines none, named after the app.
    MixDefault,
    /// `mix distillery.release --name=NAME`, for Distillery projects (`rel/config.exs`).
    Distillery,
}

fn parse_project_info(output: &str) -> ProjectInfo {
    let mut info = ProjectInfo::default();
    for line in output.lines().filter_map(|line| line.strip_prefix("elixir-cnb:")) {
        match line.split_once(':') {
            Some(("app", app)) => info.app = app.to_string(),
            Some(("umbrella", value)) => info.umbrella = value == "true",
            Some(("phoenix", value)) => info.phoenix = value == "true",
            Some(("distillery", value)) => info.distillery = value == "true",
            Some(("release", rest)) => {
                info.releases.push(ReleaseSpec {
                    name: rest.to_string(),
                    tool: ReleaseTool::Mix,
                });
            }
            _ => {}
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_info_ignores_other_output() {
        let output = "warning: something\nelixir-cnb:app:hello_web\nelixir-cnb:umbrella:false\n\
                      elixir-cnb:release:hello_web\nelixir-cnb:release:worker\nelixir-cnb:phoenix:true\nelixir-cnb:distillery:false\n";
        assert_eq!(
            parse_project_info(output),
            ProjectInfo {
                app: "hello_web".into(),
                umbrella: false,
                releases: vec![
                    ReleaseSpec {
                        name: "hello_web".into(),
                        tool: ReleaseTool::Mix,
                    },
                    ReleaseSpec {
                        name: "worker".into(),
                        tool: ReleaseTool::Mix,
                    },
                ],
                phoenix: true,
                distillery: false,
            }
        );
    }
}
