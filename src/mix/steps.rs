//! Mix's part of the build, as the pipeline runs it: the caches Mix works in, and fetching deps and
//! compiling with the classic hooks around them, Mix tasks with no hook between them in one Mix process.

use super::MixError;
use super::{MixEnv, ProjectInfo, compile_record, source_mtimes};
use crate::frontend::Frontend;
use crate::inputs::config::{self, BuildConfig};
use crate::inputs::git_settings::GitSettings;
use crate::inputs::hex_settings::HexSettings;
use crate::toolchain::Toolchain;
use bullet_stream::global::print;
use std::path::{Path, PathBuf};

/// The caches Mix works in: `MIX_HOME`, `deps` and `_build`, Hex's packages and rebar3's cache; and
/// this build's own `HEX_HOME`.
// The flags are independent facts about the restored caches, not a state machine.
#[allow(clippy::struct_excessive_bools)]
pub(crate) struct MixCaches {
    mix_home: super::mix_home::MixHome,
    deps: PathBuf,
    /// `mix.lock` changed since the cached `deps`: unused deps are cleaned.
    lock_changed: bool,
    /// The cached `deps` was fetched for this `mix.lock`: `deps.get` may skip the registry.
    deps_fetched_for_lock: bool,
    /// Restored caches keep their mtimes (see [`Frontend::restores_mtimes`]).
    restores_mtimes: bool,
    /// The compiled app ships in the image (Mix at runtime).
    launch: bool,
    build: PathBuf,
    hex_packages: PathBuf,
    rebar3_cache: PathBuf,
    pub(crate) hex_home: super::hex_home::HexHome,
}

impl MixCaches {
    pub(crate) fn restore(
        frontend: &mut impl Frontend,
        app_dir: &Path,
        mix_lock: Option<&str>,
        config: &BuildConfig,
        toolchain: &Toolchain,
        launch: bool,
        sbom: &[u8],
    ) -> Result<Self, MixError> {
        let (mix_env, always_rebuild) = (&config.mix_env.value, config.always_rebuild);
        let deps_launch = super::deps::Launch { launch, sbom };
        let versions = crate::toolchain::ToolchainVersions::of(toolchain);
        let mix_home = super::mix_home::restore(frontend, versions, mix_env, launch, always_rebuild)?;
        let deps = super::deps::restore(
            frontend,
            app_dir,
            mix_lock,
            toolchain,
            mix_env,
            &deps_launch,
            always_rebuild,
        )?;
        let build = super::build::restore(frontend, app_dir, toolchain, mix_env, launch, always_rebuild)?;
        let hex_packages = super::hex_cache::restore(frontend, always_rebuild)?;
        let rebar3_cache = super::rebar3_cache::restore(frontend, toolchain, always_rebuild)?;
        let hex_home = super::hex_home::HexHome::new(&hex_packages)?;
        Ok(Self {
            mix_home,
            deps: deps.path,
            lock_changed: deps.lock_changed,
            deps_fetched_for_lock: deps.fetched_for_lock,
            restores_mtimes: frontend.restores_mtimes(),
            launch,
            build,
            hex_packages,
            rebar3_cache,
            hex_home,
        })
    }

    /// Hex and rebar3, when `mix.lock` needs them and `MIX_HOME` doesn't have them yet.
    pub(crate) fn provide_package_managers(
        &self,
        frontend: &mut impl Frontend,
        mix: &MixEnv,
        hex: &HexSettings,
        mix_lock: Option<&str>,
    ) -> Result<(), MixError> {
        self.mix_home.provide(
            frontend,
            mix,
            super::hex::needed(mix_lock),
            hex.installs_public_key.as_ref(),
        )
    }

    pub(crate) fn dirs<'a>(
        &'a self,
        erlang: &'a Path,
        elixir: &'a Path,
        hex_home: &'a Path,
    ) -> super::MixDirs<'a> {
        super::MixDirs {
            erlang,
            elixir,
            mix_home: &self.mix_home.path,
            deps: &self.deps,
            build: &self.build,
            hex_home,
            rebar3_cache: &self.rebar3_cache,
        }
    }
}

/// Hex and rebar3 when needed, then deps and compile with the hooks around them; only files whose
/// contents changed since the cached `_build` are recompiled.
fn compile(
    mix: &MixEnv,
    caches: &MixCaches,
    config: &BuildConfig,
    hex: &HexSettings,
    mix_lock: Option<&str>,
) -> Result<(ProjectInfo, source_mtimes::Digests), MixError> {
    let app_dir = &mix.app_dir;
    if super::hex::needed(mix_lock).hex {
        super::hex_home::configure(mix, hex)?;
    }
    let sources_state = source_mtimes::state_file(&caches.build);
    let sources = source_mtimes::touch_changed(app_dir, &caches.build).map_err(MixError::ReadAppFile)?;
    // Also when Mix is skipped here: the assets' and the release's Mix tasks check the deps too.
    if !caches.restores_mtimes {
        super::deps::settle_fetch_markers(&caches.deps, &mix.build_path()).map_err(MixError::WriteCache)?;
    }
    let now = compile_record::Now {
        same_files: sources.same_files,
        deps_for_lock: caches.deps_fetched_for_lock,
        deps_locked: mix_lock.is_some() || super::deps::fetched_none(&caches.deps),
        hooks: config.hooks.any(),
        ships: caches.launch,
        env_digest: &mix.given_env,
        dirs: [app_dir.clone(), caches.build.clone()],
    };
    match compile_record::decide(compile_record::read(&caches.build), &now) {
        compile_record::Decision::Skip(project) => {
            print::sub_bullet(
                "Not running Mix: no app file, mix.lock, env var or toolchain changed since the cached _build",
            );
            return Ok((project, sources.digests));
        }
        compile_record::Decision::Run(Some(why)) => {
            print::sub_bullet(format!("No app file changed since the cached _build, but {why}"));
        }
        compile_record::Decision::Run(_) => {
            if let Some(changed) = sources.changed {
                print::sub_bullet(format!("{changed} app file(s) changed since the cached _build"));
            }
        }
    }
    compile_record::remove(&caches.build).map_err(MixError::WriteCache)?;
    let project = fetch_and_compile(mix, &config.hooks, &config.mix_env.value, caches)?;
    if let Ok(mix_lock) = fs_err::read_to_string(mix.app_dir.join("mix.lock")) {
        super::hex_cache::prune(&caches.hex_packages, &mix_lock).map_err(MixError::WriteCache)?;
    }
    source_mtimes::save(&sources_state, &sources.digests).map_err(MixError::WriteCache)?;
    // A build that changed app files (`deps.get` rewriting `mix.lock`, a NIF built into `priv/`) needs
    // Mix again next time, when the app comes as it was.
    let after = source_mtimes::digests(app_dir).map_err(MixError::ReadAppFile)?;
    let changed_by_mix = source_mtimes::differences(&sources.digests, &after);
    if !changed_by_mix.is_empty() {
        print::sub_bullet(format!(
            "Mix changed {} in the app dir, so the next build runs Mix again",
            changed_by_mix.join(", ")
        ));
    } else if !caches.launch {
        let record = compile_record::Record::new(&mix.given_env, &now.dirs, project.clone());
        compile_record::write(&caches.build, &record).map_err(MixError::WriteCache)?;
    }
    Ok((project, sources.digests))
}

/// One thing the build runs: a classic hook, or a Mix task.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Action<'a> {
    Hook(&'static str, &'a str),
    Mix(Vec<String>),
}

fn hook<'a>(key: &'static str, script: Option<&'a String>) -> Option<Action<'a>> {
    script.map(|script| Action::Hook(key, script))
}

/// [`compile`]; a failed `deps.get` is explained by the git dependencies' repositories, then by the Hex
/// repository, when they can say why (a tag gone, a server down).
pub(crate) fn compile_explained(
    mix: &MixEnv,
    caches: &MixCaches,
    settings: &Settings<'_>,
    mix_lock: Option<&str>,
) -> Result<(ProjectInfo, source_mtimes::Digests), MixError> {
    compile(mix, caches, settings.config, settings.hex, mix_lock).map_err(|error| match &error {
        MixError::MixStep { step, .. } if step.starts_with("deps.get") => {
            let mix_lock = mix_lock.unwrap_or_default();
            if let Some(problem) = super::git::diagnose_fetch(mix, settings.git, mix_lock) {
                MixError::GitFetch(problem)
            } else if let Some(problem) = super::hex_probe::diagnose(settings.hex, mix_lock) {
                MixError::HexRepository(problem)
            } else {
                error
            }
        }
        _ => error,
    })
}

/// The settings the Mix steps use.
pub(crate) struct Settings<'a> {
    pub(crate) config: &'a BuildConfig,
    pub(crate) hex: &'a HexSettings,
    pub(crate) git: &'a GitSettings,
}

/// The classic steps, in the classic order: fetch deps and compile, with the hooks around them.
fn plan<'a>(hooks: &'a config::Hooks, mix_env: &str, lock_changed: bool) -> Vec<Action<'a>> {
    let mix_task = |args: &[&str]| Action::Mix(args.iter().map(|arg| (*arg).to_string()).collect());
    let mut actions = Vec::new();
    actions.extend(hook(
        "hook_pre_fetch_dependencies",
        hooks.pre_fetch_dependencies.as_ref(),
    ));
    actions.push(mix_task(&["deps.get", "--only", mix_env]));
    if lock_changed {
        // Deps the new lock no longer names would otherwise stay in the cache (and ship, at runtime).
        actions.push(mix_task(&["deps.clean", "--unused"]));
    }
    actions.extend(hook("pre_compile", hooks.legacy_pre_compile.as_ref()));
    actions.extend(hook("hook_pre_compile", hooks.pre_compile.as_ref()));
    // `mix compile` compiles the deps that need it; `mix deps.compile` would redo them all.
    actions.push(hook("hook_compile", hooks.compile.as_ref()).unwrap_or_else(|| mix_task(&["compile"])));
    actions.extend(hook("hook_post_compile", hooks.post_compile.as_ref()));
    actions
}

/// What runs: the Mix tasks with no hook between them in one Mix process, the hooks on their own.
#[derive(Debug, PartialEq, Eq)]
enum Run<'a> {
    Mix(Vec<Vec<String>>),
    Hook(&'static str, &'a str),
}

fn runs(actions: Vec<Action<'_>>) -> Vec<Run<'_>> {
    let mut runs = Vec::new();
    for action in actions {
        match (action, runs.last_mut()) {
            (Action::Mix(step), Some(Run::Mix(steps))) => steps.push(step),
            (Action::Mix(step), _) => runs.push(Run::Mix(vec![step])),
            (Action::Hook(key, script), _) => runs.push(Run::Hook(key, script)),
        }
    }
    runs
}

/// Fetches deps and compiles ([`plan`], [`runs`]); then the project's facts, from the last Mix process,
/// or from one of their own when a hook ran last.
fn fetch_and_compile(
    mix: &MixEnv,
    hooks: &config::Hooks,
    mix_env: &str,
    caches: &MixCaches,
) -> Result<ProjectInfo, MixError> {
    let mut facts = None;
    for run in runs(plan(hooks, mix_env, caches.lock_changed)) {
        match run {
            Run::Mix(steps) => facts = Some(mix.steps_then_info(&steps, caches.deps_fetched_for_lock)?),
            Run::Hook(key, script) => {
                mix.hook(key, script)?;
                facts = None;
            }
        }
    }
    facts.map_or_else(|| mix.project_info(), Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(words: &[&str]) -> Vec<String> {
        words.iter().map(|word| (*word).to_string()).collect()
    }

    #[test]
    fn deps_and_compile_in_one_mix_process_without_hooks() {
        let hooks = config::Hooks::default();
        assert_eq!(
            runs(plan(&hooks, "prod", false)),
            vec![Run::Mix(vec![
                task(&["deps.get", "--only", "prod"]),
                task(&["compile"])
            ])]
        );
        // A changed lock cleans the deps it no longer names, in the same process.
        assert_eq!(
            runs(plan(&hooks, "prod", true)),
            vec![Run::Mix(vec![
                task(&["deps.get", "--only", "prod"]),
                task(&["deps.clean", "--unused"]),
                task(&["compile"])
            ])]
        );
    }

    #[test]
    fn hooks_run_in_the_classic_order_between_mix_processes() {
        let hooks = config::Hooks {
            pre_fetch_dependencies: Some("echo fetch".into()),
            legacy_pre_compile: Some("echo legacy".into()),
            pre_compile: Some("echo pre".into()),
            post_compile: Some("echo post".into()),
            ..config::Hooks::default()
        };
        assert_eq!(
            runs(plan(&hooks, "test", false)),
            vec![
                Run::Hook("hook_pre_fetch_dependencies", "echo fetch"),
                Run::Mix(vec![task(&["deps.get", "--only", "test"])]),
                Run::Hook("pre_compile", "echo legacy"),
                Run::Hook("hook_pre_compile", "echo pre"),
                Run::Mix(vec![task(&["compile"])]),
                Run::Hook("hook_post_compile", "echo post"),
            ]
        );
        // `hook_compile` replaces `mix compile`.
        let hooks = config::Hooks {
            compile: Some("mix compile --warnings-as-errors".into()),
            ..config::Hooks::default()
        };
        assert_eq!(
            runs(plan(&hooks, "prod", false)),
            vec![
                Run::Mix(vec![task(&["deps.get", "--only", "prod"])]),
                Run::Hook("hook_compile", "mix compile --warnings-as-errors"),
            ]
        );
    }

    fn build_config() -> BuildConfig {
        BuildConfig {
            erlang: None,
            elixir: None,
            elixir_hint: None,
            mix_env: config::Sourced {
                value: "prod".into(),
                source: config::Source::Default,
            },
            always_rebuild: false,
            release: true,
            hooks: config::Hooks::default(),
            classic_only: config::ClassicOnly::default(),
            warnings: Vec::new(),
        }
    }

    /// A build with a stand-in toolchain: `elixir` is a shell script that logs how it was run and, for a
    /// run of Mix steps, writes the project's facts (`app` `from_steps`), or fails naming `fail` as the
    /// step; run for the facts alone, it prints them (`app` `from_info`).
    struct Stand {
        dir: tempfile::TempDir,
        mix: MixEnv,
        caches: MixCaches,
    }

    const ELIXIR: &str = r#"#!/bin/sh
if [ -n "$ELIXIR_CNB_STEP_FILE" ]; then
  shift 2
  echo "steps $*" >> "$STAND_LOG"
  if [ -n "$STAND_FAIL" ]; then printf '%s' "$STAND_FAIL" > "$ELIXIR_CNB_STEP_FILE"; exit 1; fi
  if [ -n "$STAND_REWRITE" ]; then echo rewritten >> "$STAND_REWRITE"; fi
  echo 'elixir-cnb:app:from_steps' > "$ELIXIR_CNB_INFO_FILE"
else
  echo info >> "$STAND_LOG"
  echo 'elixir-cnb:app:from_info'
fi
"#;

    fn stand_in(fail: &str, restores_mtimes: bool) -> Stand {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a temp dir");
        let at = |name: &str| {
            let path = dir.path().join(name);
            fs_err::create_dir_all(&path).expect("a dir");
            path
        };
        let elixir_bin = at("elixir/bin");
        fs_err::write(elixir_bin.join("elixir"), ELIXIR).expect("written");
        fs_err::set_permissions(elixir_bin.join("elixir"), std::fs::Permissions::from_mode(0o755))
            .expect("executable");
        let caches = MixCaches {
            mix_home: super::super::mix_home::MixHome::at(at("mix_home")),
            deps: at("deps"),
            lock_changed: false,
            deps_fetched_for_lock: false,
            restores_mtimes,
            launch: false,
            build: at("build"),
            hex_packages: at("hex_packages"),
            rebar3_cache: at("rebar3"),
            hex_home: super::super::hex_home::HexHome::new(&at("hex_packages")).expect("a HEX_HOME"),
        };
        let (app, erlang, elixir, hex_home) = (at("app"), at("erlang"), at("elixir"), caches.hex_home.path());
        let extra_env = [
            (
                String::from("STAND_LOG"),
                dir.path().join("log").to_string_lossy().to_string(),
            ),
            (String::from("STAND_FAIL"), fail.to_string()),
        ];
        let mix = MixEnv::new(
            &app,
            &caches.dirs(&erlang, &elixir, &hex_home),
            "prod",
            &extra_env,
        );
        Stand { dir, mix, caches }
    }

    impl Stand {
        /// How `elixir` was run, one line a run.
        fn runs(&self) -> Vec<String> {
            fs_err::read_to_string(self.dir.path().join("log"))
                .unwrap_or_default()
                .lines()
                .map(|line| line.split(' ').next().unwrap_or_default().to_string())
                .collect()
        }

        fn log(&self) -> String {
            fs_err::read_to_string(self.dir.path().join("log")).unwrap_or_default()
        }
    }

    #[test]
    fn the_facts_come_from_the_last_mix_process_or_their_own_after_a_hook() {
        let stand = stand_in("", true);
        let hooks = config::Hooks::default();
        let project = fetch_and_compile(&stand.mix, &hooks, "prod", &stand.caches).expect("compiled");
        assert_eq!(project.app, "from_steps");
        assert_eq!(stand.runs(), ["steps"]);
        assert!(
            stand
                .log()
                .contains("deps.get --only prod + elixir_cnb.step compile + compile"),
            "{}",
            stand.log()
        );

        let stand = stand_in("", true);
        let hooks = config::Hooks {
            post_compile: Some(String::from("echo hooked > hooked")),
            ..config::Hooks::default()
        };
        let project = fetch_and_compile(&stand.mix, &hooks, "prod", &stand.caches).expect("compiled");
        assert_eq!(
            project.app, "from_info",
            "a hook ran last: the facts are read again"
        );
        assert_eq!(stand.runs(), ["steps", "info"]);
        assert!(
            stand.mix.app_dir.join("hooked").is_file(),
            "the hook ran in the app dir"
        );

        let stand = stand_in("", true);
        let hooks = config::Hooks {
            pre_fetch_dependencies: Some(String::from("true")),
            ..config::Hooks::default()
        };
        let project = fetch_and_compile(&stand.mix, &hooks, "prod", &stand.caches).expect("compiled");
        assert_eq!(
            (project.app.as_str(), stand.runs()),
            ("from_steps", vec![String::from("steps")])
        );

        let stand = stand_in("", true);
        let failing = config::Hooks {
            pre_compile: Some(String::from("exit 3")),
            ..config::Hooks::default()
        };
        assert!(matches!(
            fetch_and_compile(&stand.mix, &failing, "prod", &stand.caches),
            Err(MixError::Hook { key, .. }) if key == "hook_pre_compile"
        ));
        assert_eq!(stand.runs(), ["steps"], "nothing runs after a failed hook");
    }

    #[test]
    fn compile_records_the_sources_and_settles_the_fetch_markers_where_mtimes_are_not_restored() {
        for restores_mtimes in [false, true] {
            let stand = stand_in("", restores_mtimes);
            fs_err::write(
                stand.mix.app_dir.join("mix.exs"),
                "defmodule App.MixProject do end\n",
            )
            .expect("written");
            // A dep fetched (its `.fetch` marker) after it was compiled, as a restore can leave it.
            let fetch = stand.caches.deps.join("jason/.fetch");
            let compiled = stand.mix.build_path().join("lib/jason/.mix/compile.fetch");
            for marker in [&fetch, &compiled] {
                fs_err::create_dir_all(marker.parent().expect("a parent")).expect("a dir");
                fs_err::write(marker, "").expect("written");
            }
            let past = std::time::SystemTime::now() - std::time::Duration::from_mins(1);
            super::super::source_mtimes::set_mtime(&compiled, past).expect("set");
            let (project, digests) = compile(
                &stand.mix,
                &stand.caches,
                &build_config(),
                &HexSettings::default(),
                None,
            )
            .expect("compiled");
            assert_eq!(project.app, "from_steps");
            assert!(digests.contains_key("mix.exs"), "{digests:?}");
            assert!(source_mtimes::state_file(&stand.caches.build).is_file());
            let settled = fs_err::metadata(&fetch)
                .and_then(|meta| meta.modified())
                .expect("an mtime")
                == past;
            assert_eq!(settled, !restores_mtimes, "restores_mtimes: {restores_mtimes}");
        }
    }

    #[test]
    fn a_build_that_changed_nothing_mix_reads_skips_mix_and_reuses_the_facts() {
        let mut stand = stand_in("", true);
        stand.caches.deps_fetched_for_lock = true;
        let app = stand.mix.app_dir.clone();
        fs_err::write(app.join("mix.exs"), "defmodule App.MixProject do end\n").expect("written");
        let lock = Some("%{}\n");
        let build = |stand: &Stand, config: &BuildConfig| {
            compile(&stand.mix, &stand.caches, config, &HexSettings::default(), lock).expect("compiled")
        };
        let config = build_config();
        let (first, digests) = build(&stand, &config);
        assert_eq!((first.app.as_str(), stand.runs().len()), ("from_steps", 1));
        assert!(compile_record::file(&stand.caches.build).is_file());
        let (again, same) = build(&stand, &config);
        assert_eq!((again, same), (first.clone(), digests), "taken from the record");
        assert_eq!(stand.runs().len(), 1, "Mix did not run");

        // Each of these runs Mix again (and the next build, with nothing else changed, skips it).
        let runs_mix = |stand: &Stand, config: &BuildConfig, what: &str| {
            let before = stand.runs().len();
            build(stand, config);
            assert_eq!(stand.runs().len(), before + 1, "{what}");
            build(stand, config);
            assert_eq!(stand.runs().len(), before + 1, "{what}: then skipped");
        };
        fs_err::write(app.join("new.ex"), "").expect("written");
        runs_mix(&stand, &config, "a file added");
        fs_err::remove_file(app.join("new.ex")).expect("removed");
        runs_mix(&stand, &config, "a file removed");
        stand.mix.given_env = String::from("another env");
        runs_mix(&stand, &config, "the env changed");
        let hooked = BuildConfig {
            hooks: config::Hooks {
                legacy_post_compile: Some(String::from("true")),
                ..config::Hooks::default()
            },
            ..build_config()
        };
        let before = stand.runs().len();
        build(&stand, &hooked);
        build(&stand, &hooked);
        assert_eq!(
            stand.runs().len(),
            before + 2,
            "a hook is set: Mix runs every time"
        );
        stand.caches.deps_fetched_for_lock = false;
        build(&stand, &config);
        assert_eq!(
            stand.runs().len(),
            before + 3,
            "deps/ was not fetched for this lock"
        );

        // No mix.lock: skipped while the app has no deps, not once Mix fetched some.
        let mut unlocked = stand_in("", true);
        unlocked.caches.deps_fetched_for_lock = true;
        let no_lock = |stand: &Stand| {
            compile(&stand.mix, &stand.caches, &config, &HexSettings::default(), None).expect("compiled");
        };
        no_lock(&unlocked);
        no_lock(&unlocked);
        assert_eq!(unlocked.runs().len(), 1, "no deps: skipped");
        fs_err::create_dir_all(unlocked.caches.deps.join("jason")).expect("a dep");
        no_lock(&unlocked);
        assert_eq!(unlocked.runs().len(), 2, "deps and no lock: Mix runs");

        // A compile that fails leaves no record: the next build runs Mix even with the same files.
        let mut failing = stand_in("compile", true);
        failing.caches.deps_fetched_for_lock = true;
        let dirs = [failing.mix.app_dir.clone(), failing.caches.build.clone()];
        let record = compile_record::Record::new(&failing.mix.given_env, &dirs, ProjectInfo::default());
        compile_record::write(&failing.caches.build, &record).expect("written");
        assert!(
            compile(
                &failing.mix,
                &failing.caches,
                &config,
                &HexSettings::default(),
                lock
            )
            .is_err()
        );
        assert!(!compile_record::file(&failing.caches.build).exists());

        // Mix changed an app file (as `deps.get` rewrites a `mix.lock` that an older Mix reads
        // differently): no record, so the next build, with the app as it came, runs Mix again.
        let mut rewriting = stand_in("", true);
        rewriting.caches.deps_fetched_for_lock = true;
        let lock_file = rewriting.mix.app_dir.join("mix.lock");
        rewriting
            .mix
            .env
            .insert("STAND_REWRITE".into(), lock_file.clone().into());
        for _ in 0..2 {
            fs_err::write(&lock_file, "%{}\n").expect("the app as it comes");
            build(&rewriting, &config);
            assert!(!compile_record::file(&rewriting.caches.build).exists());
        }
        assert_eq!(rewriting.runs().len(), 2);

        // Mix at runtime: the compiled app ships, and no record with it.
        let mut shipping = stand_in("", true);
        (shipping.caches.deps_fetched_for_lock, shipping.caches.launch) = (true, true);
        build(&shipping, &config);
        build(&shipping, &config);
        assert_eq!(shipping.runs().len(), 2);
        assert!(!compile_record::file(&shipping.caches.build).exists());
    }

    #[test]
    fn a_failed_deps_get_is_explained_by_the_git_dependency_s_repository() {
        let lock = "%{\n  \"gone\": {:git, \"file:///nonexistent/elixir-cnb/gone.git\", \"0123\", [tag: \"v1\"]},\n}\n";
        let config = build_config();
        let (hex, git) = (HexSettings::default(), GitSettings::default());
        let settings = Settings {
            config: &config,
            hex: &hex,
            git: &git,
        };
        let stand = stand_in("deps.get --only prod", true);
        match compile_explained(&stand.mix, &stand.caches, &settings, Some(lock)) {
            Err(MixError::GitFetch(super::super::git::FetchProblem::Unreachable { dep, .. })) => {
                assert_eq!(dep.name, "gone");
            }
            other => panic!("explained: {other:?}"),
        }
        // Another step's failure is its own.
        let stand = stand_in("compile", true);
        assert!(matches!(
            compile_explained(&stand.mix, &stand.caches, &settings, Some(lock)),
            Err(MixError::MixStep { step, .. }) if step == "compile"
        ));
        // Without git dependencies there is nothing to ask.
        let stand = stand_in("deps.get --only prod", true);
        assert!(matches!(
            compile_explained(&stand.mix, &stand.caches, &settings, None),
            Err(MixError::MixStep { step, .. }) if step == "deps.get --only prod"
        ));
    }
}
