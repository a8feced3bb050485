//! Mix: its caches (`mix_home`, `deps`, `_build`), and running Mix, Elixir and the classic hooks with
//! the installed toolchain.

pub(crate) mod boot;
pub(crate) mod build;
pub(crate) mod compile_record;
pub(crate) mod deps;
pub(crate) mod git;
pub(crate) mod hex;
pub(crate) mod hex_cache;
pub(crate) mod hex_home;
pub(crate) mod hex_probe;
pub(crate) mod mix_home;
pub(crate) mod rebar3_cache;
pub(crate) mod source_mtimes;
pub(crate) mod steps;

use crate::frontend::FrontendError;
use crate::inputs::hex_settings::PublicKey;
use bullet_stream::fun_run::CmdError;
use bullet_stream::global::print;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What running Mix (and the caches it fills) fails with.
#[derive(Debug)]
pub(crate) enum MixError {
    Frontend(FrontendError),
    TempFile(std::io::Error),
    ReadAppFile(std::io::Error),
    WriteCache(std::io::Error),
    MixCommand(CmdError),
    /// A step of several run in one Mix process failed.
    MixStep {
        step: String,
        error: CmdError,
    },
    Hook {
        key: String,
        script: String,
        error: CmdError,
    },
    /// Mix could not load mix.exs: its output.
    ProjectInfo(String),
    /// Applying a Hex setting (`mix hex.repo ...`, `mix local.public_keys`) failed; secrets redacted.
    HexConfig {
        what: String,
        output: String,
    },
    /// `mix.lock` has git dependencies (these) and the build image has no `git`.
    GitMissing(Vec<String>),
    /// `mix deps.get` failed, and a git dependency's repository says why.
    GitFetch(git::FetchProblem),
    /// `mix deps.get` failed, and the Hex repository says why.
    HexRepository(hex_probe::RepositoryProblem),
}

impl From<FrontendError> for MixError {
    fn from(error: FrontendError) -> Self {
        Self::Frontend(error)
    }
}

/// Where the toolchain and the cached Mix directories are.
pub(crate) struct MixDirs<'a> {
    pub(crate) erlang: &'a Path,
    pub(crate) elixir: &'a Path,
    pub(crate) mix_home: &'a Path,
    pub(crate) deps: &'a Path,
    /// The `_build` layer; Mix builds into its `<MIX_ENV>` subdirectory, like `_build/<MIX_ENV>`.
    pub(crate) build: &'a Path,
    /// This build's `HEX_HOME` (see [`hex_home`]).
    pub(crate) hex_home: &'a Path,
    /// `REBAR_CACHE_DIR`.
    pub(crate) rebar3_cache: &'a Path,
}

/// `MIX_BUILD_PATH` for a `_build` dir: its `MIX_ENV` subdirectory, as Mix itself would use.
pub(crate) fn build_path(build: &Path, mix_env: &str) -> PathBuf {
    build.join(mix_env)
}

/// The real path of a cache directory, links resolved (the directory itself when it can't be resolved).
///
/// Mix links each dependency's `priv` into `_build` with a relative link that it computes between the
/// dependency's dir as `File.cwd!` gives it (always the real path) and the build path it was given. A
/// build path reached through a link (the classic generation sees its caches at
/// `/app/.elixir-cnb/<name>`, links into `CACHE_DIR`) makes links that resolve from the real directory to
/// somewhere else entirely. Given real paths, Mix (and rebar3) make links between the caches' real
/// directories, which hold whichever way the caches are reached, and in the slug when both ship.
pub(crate) fn physical(path: &Path) -> PathBuf {
    fs_err::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
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
        (String::from("MIX_DEPS_PATH"), path(&physical(dirs.deps))),
        (
            String::from("MIX_BUILD_PATH"),
            path(&build_path(&physical(dirs.build), mix_env)),
        ),
    ]
}

/// The environment every Mix command and hook runs with: the platform's env plus the toolchain.
pub(crate) struct MixEnv {
    pub(crate) app_dir: PathBuf,
    pub(crate) env: BTreeMap<OsString, OsString>,
    /// The digest of the env the build was given, before the buildpack's own vars
    /// ([`compile_record::env_digest`]).
    pub(crate) given_env: String,
    /// `mix do` separates tasks with `+` (Elixir 1.14 and later), else with a trailing comma.
    pub(crate) plus_separator: bool,
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
            hex_home,
            rebar3_cache,
        } = dirs;
        let mut env: BTreeMap<OsString, OsString> = std::env::vars_os().collect();
        env.extend(
            extra_env
                .iter()
                .map(|(name, value)| (OsString::from(name), OsString::from(value))),
        );
        let given_env = compile_record::env_digest(&env);
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
        set("HEX_HOME", hex_home.into());
        set("REBAR_CACHE_DIR", rebar3_cache.into());
        // `deps` and `_build` are also linked into the app dir (for hooks), but Mix must see their real
        // paths: it makes relative `priv` links that would resolve wrongly through a link (see `physical`).
        set("MIX_DEPS_PATH", physical(deps).into());
        set("MIX_BUILD_PATH", build_path(&physical(build), mix_env).into());
        // Elixir warns and mangles non-ASCII output without a UTF-8 locale.
        set("LANG", "C.UTF-8".into());
        set("LC_ALL", "C.UTF-8".into());
        Self {
            app_dir: app_dir.to_path_buf(),
            env,
            given_env,
            plus_separator: true,
        }
    }

    /// `MIX_BUILD_PATH`: `_build/<MIX_ENV>` in the `_build` layer.
    pub(crate) fn build_path(&self) -> PathBuf {
        self.env
            .get(&OsString::from("MIX_BUILD_PATH"))
            .map(PathBuf::from)
            .unwrap_or_default()
    }

    /// Puts `dir` first on PATH for every later command (Node's `bin/` for the assets).
    pub(crate) fn prepend_path(&mut self, dir: &Path) {
        let key = OsString::from("PATH");
        let mut path = OsString::from(dir);
        if let Some(existing) = self.env.get(&key) {
            path.push(":");
            path.push(existing);
        }
        self.env.insert(key, path);
    }

    /// Runs `program args` from `dir` with `extra_env`, its output streamed.
    pub(crate) fn run_in(
        &self,
        dir: &Path,
        program: &str,
        args: &[String],
        extra_env: &[(&str, String)],
    ) -> Result<(), CmdError> {
        let mut command = self.command(program);
        command.current_dir(dir).args(args);
        for (name, value) in extra_env {
            command.env(name, value);
        }
        print::sub_stream_cmd(&mut command).map(|_| ())
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.app_dir).env_clear().envs(&self.env);
        command
    }

    /// Runs `mix <args>` with its output streamed.
    pub(crate) fn mix(&self, args: &[&str]) -> Result<(), MixError> {
        let mut command = self.command("mix");
        command.args(args);
        print::sub_stream_cmd(&mut command)
            .map(|_| ())
            .map_err(MixError::MixCommand)
    }

    /// Runs `mix <args>` with its output captured (not printed), without the env vars in `unset`.
    pub(crate) fn mix_quiet(&self, args: &[&str], unset: &[&str]) -> Result<std::process::Output, MixError> {
        let mut command = self.command("mix");
        command.args(args);
        for name in unset {
            command.env_remove(name);
        }
        command.output().map_err(|error| MixError::HexConfig {
            what: format!("Running `mix {}`", args.first().copied().unwrap_or_default()),
            output: error.to_string(),
        })
    }

    /// Installs the package managers in `missing` into `MIX_HOME` (see [`missing_package_managers`]). Mix
    /// fetches them from `HEX_MIRROR` (its own setting, default `https://repo.hex.pm`), which the build's
    /// environment passes through, and verifies the signed install lists with Elixir's key, plus
    /// `installs_key` when given (`mix local.public_keys`). That key is trusted for this install only: it
    /// is removed from `MIX_HOME` afterwards, so a build without the setting trusts it no more.
    pub(crate) fn install_package_managers(
        &self,
        missing: hex::PackageManagers,
        mix_home: &Path,
        installs_key: Option<&PublicKey>,
    ) -> Result<(), MixError> {
        if !missing.hex && !missing.rebar3 {
            return Ok(());
        }
        let trusted = installs_key.map(|key| self.trust_installs_key(key)).transpose()?;
        let installed = (|| -> Result<(), MixError> {
            if missing.hex {
                self.mix(&["local.hex", "--force"])?;
            }
            if missing.rebar3 {
                self.mix(&["local.rebar", "--force"])?;
            }
            Ok(())
        })();
        if trusted.is_some() {
            let _ = fs_err::remove_dir_all(mix_home.join("public_keys"));
        }
        installed
    }

    /// `mix local.public_keys` for a mirror's install lists; returns once Mix trusts the key.
    fn trust_installs_key(&self, key: &PublicKey) -> Result<(), MixError> {
        print::sub_bullet(format!(
            "Trusting Hex and rebar3 install lists signed with key {} ({})",
            key.fingerprint(),
            key.origin
        ));
        let dir = tempfile::tempdir().map_err(MixError::TempFile)?;
        let file = dir.path().join("hex_mirror_installs.pem");
        fs_err::write(&file, &key.pem).map_err(MixError::TempFile)?;
        let output = self.mix_quiet(&["local.public_keys", &file.to_string_lossy(), "--force"], &[])?;
        if output.status.success() {
            Ok(())
        } else {
            Err(MixError::HexConfig {
                what: format!("Trusting the key from {}", key.origin),
                output: output_text(&output),
            })
        }
    }

    /// Runs a classic hook with `bash -c` from the app dir, so `&&`, pipes and `VAR=x cmd` work.
    pub(crate) fn hook(&self, key: &str, script: &str) -> Result<(), MixError> {
        let mut command = self.command("bash");
        command.args(["-c", script]);
        print::sub_stream_with(format!("Running {key}: `{script}`"), |stdout, stderr| {
            bullet_stream::fun_run::CommandWithName::stream_output(&mut command, stdout, stderr)
        })
        .map(|_| ())
        .map_err(|error| MixError::Hook {
            key: key.to_string(),
            script: script.to_string(),
            error,
        })
    }

    /// Runs `steps` (each `mix <task> <args>`) in one Mix process, one VM boot instead of one each, and
    /// reads the project's facts in it too. The output streams as it comes; a failure names its step.
    /// `deps_fetched_for_lock`: the cached `deps` was fetched for the current `mix.lock`, so `deps.get`
    /// may skip the registry when Mix finds every dependency in order.
    pub(crate) fn steps_then_info(
        &self,
        steps: &[Vec<String>],
        deps_fetched_for_lock: bool,
    ) -> Result<ProjectInfo, MixError> {
        let files =
            (|| Ok::<_, std::io::Error>((tempfile::NamedTempFile::new()?, tempfile::NamedTempFile::new()?)))(
            )
            .map_err(MixError::TempFile)?;
        let (step_file, info_file) = files;
        let mut command = self.command("elixir");
        command
            .args(["-e", &step_tasks_script(), "-S", "mix"])
            .args(one_process_args(
                steps,
                self.plus_separator,
                deps_fetched_for_lock,
            ))
            .env("ELIXIR_CNB_STEP_FILE", step_file.path())
            .env("ELIXIR_CNB_INFO_FILE", info_file.path());
        let shown: Vec<String> = steps
            .iter()
            .map(|step| format!("`mix {}`", step.join(" ")))
            .collect();
        let title = match shown.as_slice() {
            [] => String::from("Reading the project with Mix"),
            [one] => format!("Running {one}"),
            [first @ .., last] => format!("Running {}, then {last} (one Mix process)", first.join(", ")),
        };
        print::sub_stream_with(title, |stdout, stderr| {
            bullet_stream::fun_run::CommandWithName::stream_output(&mut command, stdout, stderr)
        })
        .map_err(|error| MixError::MixStep {
            step: fs_err::read_to_string(step_file.path())
                .ok()
                .filter(|step| !step.is_empty())
                .unwrap_or_else(|| String::from("(before the first step)")),
            error,
        })?;
        let info = fs_err::read_to_string(info_file.path())
            .map_err(|error| MixError::ProjectInfo(error.to_string()))?;
        Ok(parse_project_info(&info))
    }

    /// Reads the project's name, umbrella status and releases from `mix.exs` with Mix itself, without
    /// compiling or starting anything.
    pub(crate) fn project_info(&self) -> Result<ProjectInfo, MixError> {
        let mut command = self.command("elixir");
        command.args(["-e", &project_info_script()]);
        let output = command
            .output()
            .map_err(|error| MixError::ProjectInfo(error.to_string()))?;
        if !output.status.success() {
            return Err(MixError::ProjectInfo(output_text(&output)));
        }
        Ok(parse_project_info(&String::from_utf8_lossy(&output.stdout)))
    }
}

/// A finished command's stdout and stderr, as text for a message.
pub(crate) fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Prints the project's facts as `elixir-cnb:<fact>:<value>` lines; `config` is `Mix.Project.config()`.
const PROJECT_INFO_LINES: &str = r#"
lines = [
  "elixir-cnb:app:#{config[:app]}",
  "elixir-cnb:umbrella:#{Mix.Project.umbrella?()}"
]
releases = for {name, _opts} <- Keyword.get(config, :releases, []), do: "elixir-cnb:release:#{name}"
deps = Keyword.get(config, :deps, []) |> Enum.map(&elem(&1, 0))
aliases = Keyword.get(config, :aliases, [])
lines = lines ++ releases ++ [
  "elixir-cnb:phoenix:#{:phoenix in deps}",
  "elixir-cnb:distillery:#{:distillery in deps}",
  "elixir-cnb:assets_deploy:#{Keyword.has_key?(aliases, :"assets.deploy")}"
]
# The esbuild and tailwind packages, once compiled and configured: their pinned versions and where they
# look for their binaries (only where Mix has loaded the app's deps, after compile).
tools =
  for {name, module} <- [esbuild: Esbuild, tailwind: Tailwind],
      Code.ensure_loaded?(module) and function_exported?(module, :configured_version, 0) and
        function_exported?(module, :bin_path, 0),
      do: "elixir-cnb:tool:#{name}:#{module.configured_version()}:#{module.bin_path()}"
lines = lines ++ tools
# An umbrella's `assets.deploy` is its web app's own (`mix phx.new --umbrella`): the children that have one.
umbrella_assets =
  if Mix.Project.umbrella?() do
    for {app, path} <- Enum.sort(Mix.Project.apps_paths() || %{}),
        Mix.Project.in_project(app, path, fn _ ->
          Keyword.has_key?(Mix.Project.config()[:aliases] || [], :"assets.deploy")
        end),
        do: "elixir-cnb:assets_deploy_in:#{path}"
  else
    []
  end
lines = lines ++ umbrella_assets
"#;

/// After a hook, the facts come from a Mix process of their own: it loads the app's config and its
/// compiled deps (without compiling or checking anything), so the asset tool packages can say theirs.
const LOAD_COMPILED_DEPS: &str = r#"
try do
  Mix.Task.run("loadconfig")
  Mix.Task.run("deps.loadpaths", ["--no-compile", "--no-deps-check", "--no-elixir-version-check"])
rescue
  _ -> :ok
catch
  _, _ -> :ok
end
"#;

fn project_info_script() -> String {
    format!(
        "Mix.start()\nCode.compile_file(\"mix.exs\")\nconfig = Mix.Project.config()\n{LOAD_COMPILED_DEPS}\n\
         {PROJECT_INFO_LINES}\nEnum.each(lines, &IO.puts/1)\nSystem.halt(0)\n"
    )
}

/// Two Mix tasks of the buildpack's own, defined only in the Mix process that runs several steps:
/// `elixir_cnb.step NAME` records the step about to run (so a failure names it), and `elixir_cnb.info`
/// writes the project's facts, from the project Mix has loaded anyway.
fn step_tasks_script() -> String {
    format!(
        r#"defmodule Mix.Tasks.ElixirCnb.Step do
  @moduledoc false
  use Mix.Task
  @impl true
  def run([step]) do
    File.write!(System.fetch_env!("ELIXIR_CNB_STEP_FILE"), step)
    Mix.Task.reenable("elixir_cnb.step")
  end
end
defmodule Mix.Tasks.ElixirCnb.DepsGet do
  @moduledoc false
  use Mix.Task
  @impl true
  def run(args) do
    # Mix.Dep is Mix's own (no public API): called with apply/3, so an Elixir without these functions
    # falls back to deps.get instead of warning. The cache is cleared for the tasks that follow.
    # A project that redefines deps.get (an alias) gets it run as it is.
    aliased? = Keyword.has_key?(Mix.Project.config()[:aliases] || [], :"deps.get")
    fetched? =
      not aliased? and
      try do
        deps = apply(Mix.Dep, :cached, [])
        apply(Mix.Dep, :clear_cached, [])
        Enum.all?(deps, &apply(Mix.Dep, :ok?, [apply(Mix.Dep, :check_lock, [&1])]))
      rescue
        _ -> false
      end
    if fetched? do
      Mix.shell().info("All dependencies are up to date (deps/ matches mix.lock: nothing to fetch or check)")
    else
      Mix.Task.run("deps.get", args)
    end
  end
end
defmodule Mix.Tasks.ElixirCnb.Info do
  @moduledoc false
  use Mix.Task
  @impl true
  def run(_) do
    config = Mix.Project.config()
    {PROJECT_INFO_LINES}
    File.write!(System.fetch_env!("ELIXIR_CNB_INFO_FILE"), Enum.join(lines, "\n"))
  end
end
"#
    )
}

/// The arguments of one `mix do` running `steps` (each a task and its args), marking each step, then
/// writing the project's facts (with `deps_fetched_for_lock`, `deps.get` runs as `elixir_cnb.deps_get`,
/// which skips the registry when Mix finds `deps/` matching the lock). Elixir 1.14 and later separate tasks with `+`, older ones with a
/// trailing comma.
fn one_process_args(steps: &[Vec<String>], plus: bool, deps_fetched_for_lock: bool) -> Vec<String> {
    let mut tasks: Vec<Vec<String>> = Vec::new();
    for step in steps {
        tasks.push(vec![String::from("elixir_cnb.step"), step.join(" ")]);
        let mut task = step.clone();
        if let Some(name) = task
            .first_mut()
            .filter(|name| deps_fetched_for_lock && *name == "deps.get")
        {
            // Fetched deps that match the lock need no registry (`mix deps.get` would ask it anyway).
            *name = String::from("elixir_cnb.deps_get");
        }
        tasks.push(task);
    }
    tasks.push(vec![String::from("elixir_cnb.info")]);
    let mut args = vec![String::from("do")];
    let last = tasks.len() - 1;
    for (index, mut task) in tasks.into_iter().enumerate() {
        if index < last {
            if plus {
                args.append(&mut task);
                args.push(String::from("+"));
            } else if let Some(word) = task.last_mut() {
                word.push(',');
                args.append(&mut task);
            }
        } else {
            args.append(&mut task);
        }
    }
    args
}

// Independent facts about the project, not a state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProjectInfo {
    /// Empty for umbrella projects.
    pub(crate) app: String,
    pub(crate) umbrella: bool,
    pub(crate) releases: Vec<ReleaseSpec>,
    pub(crate) phoenix: bool,
    pub(crate) distillery: bool,
    /// `mix.exs` defines an `assets.deploy` alias (Phoenix 1.6+ apps do).
    pub(crate) assets_deploy: bool,
    /// Umbrella projects: the apps (their paths, `apps/<app>`) whose `mix.exs` has an `assets.deploy` alias.
    pub(crate) assets_deploy_in: Vec<String>,
    /// The esbuild and tailwind packages the app configures (known once its deps are compiled).
    pub(crate) tools: Vec<ConfiguredTool>,
}

/// An asset tool package in the app (`esbuild`, `tailwind`): the binary version its config pins and where
/// the package looks for the binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ConfiguredTool {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) bin_path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReleaseSpec {
    pub(crate) name: String,
    pub(crate) tool: ReleaseTool,
}

/// How a release is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
            Some(("assets_deploy", value)) => info.assets_deploy = value == "true",
            Some(("assets_deploy_in", path)) => info.assets_deploy_in.push(path.to_string()),
            Some(("tool", rest)) => {
                let mut parts = rest.splitn(3, ':');
                if let (Some(name), Some(version), Some(bin_path)) =
                    (parts.next(), parts.next(), parts.next())
                {
                    info.tools.push(ConfiguredTool {
                        name: name.to_string(),
                        version: version.to_string(),
                        bin_path: PathBuf::from(bin_path),
                    });
                }
            }
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

/// Which of the package managers the project `needed` are not in the cached `MIX_HOME` yet: Hex is an
/// archive (`archives/hex-<version>`); rebar3 is Mix's own copy (`elixir/<version>/rebar3`, from 1.14
/// on), or an archive before that.
pub(crate) fn missing_package_managers(
    needed: hex::PackageManagers,
    mix_home: &Path,
) -> hex::PackageManagers {
    let installed = |prefix: &str| {
        fs_err::read_dir(mix_home.join("archives")).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
        })
    };
    hex::PackageManagers {
        hex: needed.hex && !installed("hex"),
        rebar3: needed.rebar3 && !(mix_home.join("elixir").is_dir() || installed("rebar")),
    }
}

/// What the build says about the package managers the project needs and `missing` ones.
pub(crate) fn package_manager_notes(
    needed: hex::PackageManagers,
    missing: hex::PackageManagers,
) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if needed.hex && !missing.hex {
        notes.push("Using cached Hex");
    }
    if needed.rebar3 && !missing.rebar3 {
        notes.push("Using cached rebar3");
    }
    if !needed.hex && !needed.rebar3 {
        notes.push("No Hex packages in mix.lock: Hex and rebar3 are not needed");
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_mix_home_lacks_of_what_the_project_needs() {
        let home = tempfile::tempdir().expect("a dir");
        let pm = |hex: bool, rebar3: bool| hex::PackageManagers { hex, rebar3 };
        let missing = |needed| missing_package_managers(needed, home.path());
        assert_eq!(missing(pm(true, true)), pm(true, true));
        assert_eq!(missing(pm(false, false)), pm(false, false));
        fs_err::create_dir_all(home.path().join("archives/hex-2.2.1")).expect("a dir");
        assert_eq!(missing(pm(true, true)), pm(false, true));
        assert_eq!(missing(pm(false, true)), pm(false, true));
        fs_err::create_dir_all(home.path().join("archives/rebar-3.22.0")).expect("a dir");
        assert_eq!(missing(pm(true, true)), pm(false, false));
        let mix_rebar = tempfile::tempdir().expect("a dir");
        fs_err::create_dir_all(mix_rebar.path().join("elixir/1-18/rebar3")).expect("a dir");
        assert_eq!(
            missing_package_managers(pm(true, true), mix_rebar.path()),
            pm(true, false)
        );

        assert_eq!(
            package_manager_notes(pm(true, true), pm(true, true)),
            Vec::<&str>::new()
        );
        assert_eq!(
            package_manager_notes(pm(true, true), pm(false, false)),
            ["Using cached Hex", "Using cached rebar3"]
        );
        assert_eq!(
            package_manager_notes(pm(true, false), pm(false, false)),
            ["Using cached Hex"]
        );
        assert_eq!(
            package_manager_notes(pm(false, true), pm(false, false)),
            ["Using cached rebar3"]
        );
        assert_eq!(
            package_manager_notes(pm(false, false), pm(false, false)),
            ["No Hex packages in mix.lock: Hex and rebar3 are not needed"]
        );
    }

    fn step(words: &[&str]) -> Vec<String> {
        words.iter().map(|word| (*word).to_string()).collect()
    }

    #[test]
    fn one_mix_process_marks_each_step_and_ends_with_the_facts() {
        let steps = [step(&["deps.get", "--only", "prod"]), step(&["compile"])];
        assert_eq!(
            one_process_args(&steps, true, true).join(" "),
            "do elixir_cnb.step deps.get --only prod + elixir_cnb.deps_get --only prod + elixir_cnb.step compile + compile + elixir_cnb.info"
        );
        assert_eq!(
            one_process_args(&steps, false, true),
            step(&[
                "do",
                "elixir_cnb.step",
                "deps.get --only prod,",
                "elixir_cnb.deps_get",
                "--only",
                "prod,",
                "elixir_cnb.step",
                "compile,",
                "compile,",
                "elixir_cnb.info"
            ])
        );
        assert_eq!(
            one_process_args(&[], true, true),
            step(&["do", "elixir_cnb.info"])
        );
        // Deps fetched for another lock (or none cached): deps.get as it is.
        assert_eq!(
            one_process_args(&steps, true, false).join(" "),
            "do elixir_cnb.step deps.get --only prod + deps.get --only prod + elixir_cnb.step compile + compile + elixir_cnb.info"
        );
    }

    #[test]
    fn project_info_ignores_other_output() {
        let output = "warning: something\nelixir-cnb:app:hello_web\nelixir-cnb:umbrella:false\n\
                      elixir-cnb:release:hello_web\nelixir-cnb:release:worker\nelixir-cnb:phoenix:true\nelixir-cnb:distillery:false\n\
                      elixir-cnb:assets_deploy:true\nelixir-cnb:tool:esbuild:0.17.11:/layers/x/_build/esbuild-linux-x64\n\
                      elixir-cnb:tool:tailwind:3.4.3:/app/a:b/tailwind-linux-x64\nelixir-cnb:tool:broken\nelixir-cnb:assets_deploy_in:apps/hello_web\n";
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
                assets_deploy: true,
                assets_deploy_in: vec!["apps/hello_web".into()],
                tools: vec![
                    ConfiguredTool {
                        name: "esbuild".into(),
                        version: "0.17.11".into(),
                        bin_path: "/layers/x/_build/esbuild-linux-x64".into(),
                    },
                    ConfiguredTool {
                        name: "tailwind".into(),
                        version: "3.4.3".into(),
                        bin_path: "/app/a:b/tailwind-linux-x64".into(),
                    },
                ],
            }
        );
    }

    /// The classic generation reaches its caches through links (`/app/.elixir-cnb/deps` ->
    /// `CACHE_DIR/...`): Mix gets the real directories, so the links it makes between them resolve.
    #[test]
    fn mix_gets_the_real_paths_of_caches_reached_through_links() {
        let root = tempfile::tempdir().expect("tempdir");
        let real = root.path().join("cache/elixir-cnb");
        fs_err::create_dir_all(real.join("deps")).expect("mkdir");
        fs_err::create_dir_all(real.join("_build")).expect("mkdir");
        let visible = root.path().join("app/.elixir-cnb");
        fs_err::create_dir_all(&visible).expect("mkdir");
        for name in ["deps", "_build"] {
            fs_err::os::unix::fs::symlink(real.join(name), visible.join(name)).expect("link");
        }
        let other = root.path().join("other");
        let dirs = MixDirs {
            erlang: &other,
            elixir: &other,
            mix_home: &other,
            deps: &visible.join("deps"),
            build: &visible.join("_build"),
            hex_home: &other,
            rebar3_cache: &other,
        };
        let real = fs_err::canonicalize(&real).expect("canonical");
        let env = MixEnv::new(root.path(), &dirs, "prod", &[]);
        let var = |name: &str| env.env.get(&OsString::from(name)).map(PathBuf::from);
        assert_eq!(var("MIX_DEPS_PATH"), Some(real.join("deps")));
        assert_eq!(var("MIX_BUILD_PATH"), Some(real.join("_build/prod")));
        assert_eq!(env.build_path(), real.join("_build/prod"));
        let later: BTreeMap<String, String> = build_env(&dirs, "prod").into_iter().collect();
        assert_eq!(later["MIX_DEPS_PATH"], real.join("deps").to_string_lossy());
        assert_eq!(
            later["MIX_BUILD_PATH"],
            real.join("_build/prod").to_string_lossy()
        );
        // A path that can't be resolved is used as it is.
        assert_eq!(
            physical(&root.path().join("missing")),
            root.path().join("missing")
        );
    }
}
