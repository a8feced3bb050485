//! The classic buildpack (Heroku Cedar) in a harness that plays Heroku: `git push`es of real fixtures,
//! slugs that run at `/app`, the release phase, one-off dynos, Heroku CI, and a cache that survives
//! failed and killed builds.

use crate::fixture;
use crate::heroku::{self, Heroku, listing, process_command};
use crate::mirror::{Fault, Mirror};
use libcnb_test::{assert_contains, assert_not_contains};

/// The toolchain of the bookworm build image, from the mirror.
const OTP: &str = "25.2.3";
const ELIXIR: &str = "1.14.0";

fn archive_requests(mirror: &Mirror) -> Vec<String> {
    mirror
        .requests()
        .into_iter()
        .filter(|path| {
            std::path::Path::new(path).extension().is_some_and(|extension| {
                extension.eq_ignore_ascii_case("gz") || extension.eq_ignore_ascii_case("zip")
            })
        })
        .collect()
}

#[test]
#[ignore = "integration test"]
fn classic_hello_web_builds_a_slug_that_runs_at_app_and_rebuilds_from_cache() {
    for suite in ["bookworm", "trixie"] {
        let mirror = Mirror::healthy();
        let heroku = Heroku::new(suite);
        heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
        let app = fixture("hello_web");

        let first = heroku.push(&app);
        assert!(first.success, "{}", first.output);
        assert_contains!(first.output, "Elixir\n");
        assert_contains!(
            first.output,
            "  - Config vars exported to the build: HEX_BUILDS_URL\n"
        );
        assert_contains!(first.output, "- Processes\n  - web: hello_web start\n");
        assert_eq!(
            first.release_yaml,
            "---\ndefault_process_types:\n  web: \"hello_web start\"\n"
        );
        // The slug holds the app and its release: no toolchain, deps or _build.
        let slug = listing(&first.slug);
        assert!(slug.contains(&".elixir-cnb/release/hello_web/bin/hello_web".to_string()));
        assert!(slug.contains(&".elixir-cnb/release/bin/hello_web".to_string()));
        assert!(slug.contains(&".elixir-cnb/sbom.cdx.json".to_string()));
        // No cookie in the slug: each dyno makes its own, unless RELEASE_COOKIE is set.
        assert_eq!(
            std::fs::read_link(first.slug.join(".elixir-cnb/release/hello_web/releases/COOKIE")).ok(),
            Some(std::path::PathBuf::from("/tmp/elixir-cnb/cookie"))
        );
        assert_eq!(
            heroku.run_once(&first.slug, &[], "printf %s \"$RELEASE_COOKIE\" | wc -c"),
            ("64\n".to_string(), 0)
        );
        assert_eq!(
            heroku.run_once(
                &first.slug,
                &[("RELEASE_COOKIE", "set")],
                "printf %s \"$RELEASE_COOKIE\""
            ),
            ("set".to_string(), 0)
        );
        for absent in [".elixir-cnb/erlang", ".elixir-cnb/elixir", "_build", "deps"] {
            assert!(!slug.contains(&absent.to_string()), "{absent} is in the slug");
        }
        // Erlang/OTP only builds here: its modules have no debug info and no sources. Elixir's keep
        // theirs (protocol consolidation reads it), and the release booted from both below.
        assert_contains!(
            first.output,
            "  - Installing, without the debug info of its modules (only dialyzer and debuggers read it)"
        );
        assert_build_only_toolchain(&heroku.cache_dir().join("elixir-cnb"));
        let dyno = heroku.start_web(&first.slug, &[], &process_command(&first, "web"));
        let body = dyno.get("/");
        assert!(
            body.starts_with("Hello from hello_web! Elixir"),
            "{body}\n{}",
            dyno.logs()
        );
        drop(dyno);

        // A second push with the same CACHE_DIR: nothing downloaded, nothing recompiled.
        let before = archive_requests(&mirror).len();
        let second = heroku.push(&app);
        assert!(second.success, "{}", second.output);
        assert_eq!(archive_requests(&mirror).len(), before, "{}", second.output);
        assert_contains!(second.output, "  - Using cached deps\n  - Using cached _build");
        assert_contains!(
            second.output,
            "  - Not running Mix: no app file, mix.lock, env var or toolchain changed since the cached _build\n- Release\n"
        );
        assert_not_contains!(second.output, "Compiling");
        assert_contains!(
            second.output,
            "  - Reusing release `hello_web`: nothing it is made from changed\n"
        );
        let dyno = heroku.start_web(&second.slug, &[], &process_command(&second, "web"));
        assert!(dyno.get("/").starts_with("Hello from hello_web!"));
    }
}

/// The deployment article's workflow as written: a `post_compile` hook that builds and unpacks a release
/// into the app dir, a Procfile with `/app/...` commands, the release phase, and app.json's postdeploy.
#[test]
#[ignore = "integration test"]
fn classic_article_workflow_verbatim() {
    let mirror = Mirror::healthy();
    let heroku = Heroku::new("bookworm");
    heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
    let compiled = heroku.push(&fixture("myapp"));
    assert!(compiled.success, "{}", compiled.output);
    assert_contains!(
        compiled.output,
        "  - Running post_compile: `rel/hooks/post_compile.sh`\n"
    );
    assert_contains!(
        compiled.output,
        "- Release\n  - The post_compile hook unpacked release `myapp` into the app dir: it ships as it is, \
         and the buildpack builds no release of its own\n"
    );
    // One release in the slug: the hook's, at the app root.
    let slug = listing(&compiled.slug);
    let releases: Vec<&String> = slug
        .iter()
        .filter(|path| path.ends_with("start_erl.data"))
        .collect();
    assert_eq!(releases, vec!["releases/start_erl.data"]);
    assert!(
        heroku::size(&compiled.slug) < 20 * 1024 * 1024,
        "slug of {} bytes",
        heroku::size(&compiled.slug)
    );

    let (output, code) = heroku.run_once(&compiled.slug, &[], &process_command(&compiled, "release"));
    assert_eq!((output.as_str(), code), ("Running migrations for myapp\n", 0));
    let (output, code) = heroku.run_once(
        &compiled.slug,
        &[("FAIL_MIGRATION", "1")],
        &process_command(&compiled, "release"),
    );
    assert_eq!((output.as_str(), code), ("migration failed on purpose\n", 1));
    let dyno = heroku.start_web(
        &compiled.slug,
        &[("GREETING", "Hello from the article")],
        &process_command(&compiled, "web"),
    );
    assert_eq!(dyno.get("/"), "Hello from the article\n");
    let app_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("myapp").join("app.json")).expect("app.json"))
            .expect("json");
    let postdeploy = app_json["scripts"]["postdeploy"].as_str().expect("postdeploy");
    assert_eq!(
        heroku.run_once(&compiled.slug, &[], postdeploy),
        ("Running seed script for myapp\n".to_string(), 0)
    );
}

/// `runtime_path` in `elixir_buildpack.config`, for platforms that run slugs elsewhere than `/app` (Cloud
/// Foundry's `/home/vcap/app`): the slug's PATH, the release's links and a Procfile written for that
/// platform all point there.
#[test]
#[ignore = "integration test"]
fn classic_runtime_path_runs_the_slug_where_the_platform_puts_it() {
    const RUNTIME_PATH: &str = "/home/vcap/app";
    let mirror = Mirror::healthy();
    let heroku = Heroku::new("bookworm").with_runtime_path(RUNTIME_PATH);
    heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
    let app = tempfile::tempdir().expect("tempdir");
    heroku::copy_as_user(&fixture("hello_web"), app.path());
    std::fs::write(
        app.path().join("elixir_buildpack.config"),
        format!("runtime_path={RUNTIME_PATH}\n"),
    )
    .expect("write");
    std::fs::write(
        app.path().join("Procfile"),
        format!("web: {RUNTIME_PATH}/_build/prod/rel/hello_web/bin/hello_web start\n"),
    )
    .expect("write");
    let compiled = heroku.push(app.path());
    assert!(compiled.success, "{}", compiled.output);
    assert_eq!(
        heroku.run_once(&compiled.slug, &[], "command -v hello_web"),
        (format!("{RUNTIME_PATH}/.elixir-cnb/release/bin/hello_web\n"), 0)
    );
    let dyno = heroku.start_web(&compiled.slug, &[], &process_command(&compiled, "web"));
    let body = dyno.get("/");
    assert!(
        body.starts_with("Hello from hello_web! Elixir"),
        "{body}\n{}",
        dyno.logs()
    );
}

/// Erlang/OTP that only builds: its modules without debug info, no Erlang sources (even in `src/`'s
/// subdirectories); Elixir's modules keep theirs, which protocol consolidation reads.
fn assert_build_only_toolchain(cache: &std::path::Path) {
    let app_dir = |install: &str, prefix: &str| {
        std::fs::read_dir(cache.join(install).join("lib"))
            .expect("installed")
            .flatten()
            .map(|entry| entry.path())
            .find(|path| {
                path.file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with(prefix))
            })
            .expect("the application is installed")
    };
    let has_chunk = |beam: &[u8], id: &[u8]| beam.windows(4).any(|window| window == id);
    let lists = std::fs::read(app_dir("erlang", "stdlib-").join("ebin/lists.beam")).expect("read");
    assert!(has_chunk(&lists, b"Code") && !has_chunk(&lists, b"Dbgi"));
    let enumerable =
        std::fs::read(app_dir("elixir", "elixir").join("ebin/Elixir.Enumerable.beam")).expect("read");
    assert!(has_chunk(&enumerable, b"Dbgi"));
    let megaco_text = app_dir("erlang", "megaco-").join("src/text");
    let sources: Vec<_> = std::fs::read_dir(&megaco_text)
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    assert!(
        !sources
            .iter()
            .any(|path| path.extension().is_some_and(|extension| extension == "erl")),
        "{sources:?}"
    );
}

/// A compile that fails keeps the cache usable; one killed while it writes the cache leaves a cache the
/// next compile discards with a reason, or uses.
#[test]
#[ignore = "integration test"]
fn classic_failed_and_killed_builds_leave_a_usable_cache() {
    // Four pushes: 1. killed while it unpacks Erlang/OTP; 2. the next discards that cache, saying why; 3. a
    // compile error fails and keeps every cache; 4. fixed, everything from the caches, the dyno answers.
    let mirror = Mirror::healthy();
    let heroku = Heroku::new("bookworm");
    heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
    let app = tempfile::tempdir().expect("tempdir");
    heroku::copy_as_user(&fixture("hello_web"), app.path());

    // Killed while unpacking Erlang/OTP into the cache: it has contents but no key.
    let cache = heroku.cache_dir().join("elixir-cnb");
    let killed = heroku.push_killed_when(app.path(), &cache.join("erlang/lib"));
    assert_contains!(killed, "- Erlang/OTP");
    assert!(!cache.join("erlang.toml").exists());

    let after_kill = heroku.push(app.path());
    assert!(after_kill.success, "{}", after_kill.output);
    assert_contains!(
        after_kill.output,
        &format!(
            "- Erlang/OTP {OTP}\n  - Discarding cached Erlang/OTP since an earlier build stopped before it \
             finished writing it\n"
        )
    );

    // A compile error fails the build and keeps every cache.
    let source = app.path().join("lib/hello_web/server.ex");
    let good = std::fs::read_to_string(&source).expect("read");
    std::fs::write(&source, format!("{good}\ndefmodule Broken do\n  def x, do: \n")).expect("write");
    let failed = heroku.push(app.path());
    assert!(!failed.success, "{}", failed.output);
    assert_contains!(failed.output, "! `mix compile` failed\n");

    std::fs::write(&source, good).expect("write");
    let before = archive_requests(&mirror).len();
    let fixed = heroku.push(app.path());
    assert!(fixed.success, "{}", fixed.output);
    assert_eq!(archive_requests(&mirror).len(), before);
    assert_contains!(
        fixed.output,
        &format!(
            "- Erlang/OTP {OTP}\n  - Using cached Erlang/OTP {OTP}\n- Elixir {ELIXIR} (built for OTP 25)\n  - Using cached Elixir {ELIXIR}\n"
        )
    );
    assert_contains!(
        fixed.output,
        "  - Using cached _build (Mix recompiles only what changed)\n"
    );
    let dyno = heroku.start_web(&fixed.slug, &[], &process_command(&fixed, "web"));
    assert!(dyno.get("/").starts_with("Hello from hello_web!"));
}

/// Config vars reach the build (all but the few the classic buildpack never exports) and stay out of
/// the slug unless the app writes them there.
#[test]
#[ignore = "integration test"]
fn classic_config_vars_reach_the_build_not_the_slug() {
    let mirror = Mirror::healthy();
    let heroku = Heroku::new("bookworm");
    heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
    heroku.set_config_var("SECRET_KEY_BASE", "s3cr3t-from-env-dir");
    heroku.set_config_var("PATH", "/nowhere");
    let app = tempfile::tempdir().expect("tempdir");
    heroku::copy_as_user(&fixture("hello_web"), app.path());
    std::fs::write(
        app.path().join("elixir_buildpack.config"),
        "hook_pre_compile='test \"${#SECRET_KEY_BASE}\" = 19 && echo the build sees SECRET_KEY_BASE'\n\
         config_vars_to_export=(DATABASE_URL)\n",
    )
    .expect("write");
    // A Procfile from the classic era, running the release where `mix release` put it.
    std::fs::write(
        app.path().join("Procfile"),
        "web: /app/_build/prod/rel/hello_web/bin/hello_web start\n",
    )
    .expect("write");
    let compiled = heroku.push(app.path());
    assert!(compiled.success, "{}", compiled.output);
    assert_contains!(
        compiled.output,
        "  - Config vars exported to the build: HEX_BUILDS_URL, SECRET_KEY_BASE\n"
    );
    let dyno = heroku.start_web(&compiled.slug, &[], &process_command(&compiled, "web"));
    assert!(
        dyno.get("/").starts_with("Hello from hello_web!"),
        "{}",
        dyno.logs()
    );
    drop(dyno);
    assert_contains!(compiled.output, "      the build sees SECRET_KEY_BASE\n");
    assert_contains!(
        compiled.output,
        "  - `config_vars_to_export` (DATABASE_URL) is no longer needed: every config var is exported to the build\n"
    );
    assert_not_contains!(compiled.output, "s3cr3t-from-env-dir");
    let grep = std::process::Command::new("grep")
        .args(["-r", "-l", "s3cr3t-from-env-dir"])
        .arg(&compiled.slug)
        .output()
        .expect("grep");
    assert_eq!(
        String::from_utf8_lossy(&grep.stdout),
        "",
        "the secret is in the slug"
    );
}

/// Mix-at-runtime mode (`release=false`) ships the toolchain, deps and `_build` in the slug, usable at
/// `/app`.
#[test]
#[ignore = "integration test"]
fn classic_mix_at_runtime_ships_the_toolchain() {
    let mirror = Mirror::healthy();
    let heroku = Heroku::new("bookworm");
    heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
    let app = tempfile::tempdir().expect("tempdir");
    heroku::copy_as_user(&fixture("hello_web"), app.path());
    std::fs::write(app.path().join("elixir_buildpack.config"), "release=false\n").expect("write");
    let compiled = heroku.push(app.path());
    assert!(compiled.success, "{}", compiled.output);
    assert_eq!(
        compiled.release_yaml,
        "---\ndefault_process_types:\n  web: \"mix run --no-halt\"\n"
    );
    let slug = listing(&compiled.slug);
    for present in [
        ".elixir-cnb/erlang/bin/erl",
        ".elixir-cnb/elixir/bin/mix",
        ".elixir-cnb/_build/prod",
    ] {
        assert!(
            slug.contains(&present.to_string()),
            "{present} is not in the slug"
        );
    }
    let dyno = heroku.start_web(&compiled.slug, &[], &process_command(&compiled, "web"));
    assert!(
        dyno.get("/").starts_with("Hello from hello_web!"),
        "{}",
        dyno.logs()
    );
}

/// Heroku CI: `bin/test-compile` then `bin/test`, which runs `mix test` with `test_args` and passes its
/// exit code through.
#[test]
#[ignore = "integration test"]
fn classic_heroku_ci_runs_mix_test_with_test_args() {
    let mirror = Mirror::healthy();
    let heroku = Heroku::new("bookworm");
    heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
    let app = fixture("ci_app");

    let (compile, test, code) = heroku.ci(&app);
    assert_contains!(compile, "Elixir (Heroku CI: compiling for mix test)");
    // Tests may run dialyzer, which reads the debug info of Erlang/OTP's modules: it stays.
    assert_contains!(compile, "- Erlang/OTP ");
    assert!(!compile.contains("without the debug info"), "{compile}");
    assert_contains!(
        compile,
        "  - Running `mix deps.get --only test`, then `mix compile` (one Mix process)\n"
    );
    assert_eq!(code, 0, "{compile}\n{test}");
    assert_contains!(test, "Excluding tags: [:slow]");
    assert_contains!(test, "3 tests, 0 failures, 1 excluded");

    heroku.set_config_var("CI_SHOULD_FAIL", "1");
    let (_, test, code) = heroku.ci(&app);
    assert_eq!(code, 2, "{test}");
    assert_contains!(test, "failing on purpose: CI_SHOULD_FAIL=1");
    assert_contains!(test, "3 tests, 1 failure, 1 excluded");
}

/// A stack the index has no builds for fails before anything is installed, saying what to change on
/// Heroku (not which CNB builder to use).
#[test]
#[ignore = "integration test"]
fn classic_stack_without_builds_names_stacks_that_work() {
    let mirror = Mirror::with_faults(vec![("/debian-12/builds.txt", Fault::Status(404))]);
    let heroku = Heroku::new("bookworm");
    heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
    let app = tempfile::tempdir().expect("tempdir");
    heroku::copy_as_user(&fixture("hello_web"), app.path());
    let pushed = heroku.push(app.path());
    assert!(!pushed.success, "{}", pushed.output);
    assert_contains!(
        pushed.output,
        &format!(
            "! No Erlang/OTP builds for this stack\n!\n! This build runs on debian-12 (amd64), and the index has no Erlang/OTP\n! builds for it: {}/builds/otp/amd64/debian-12/builds.txt does not exist.\n!\n! builds.hex.pm builds Erlang/OTP for the Ubuntu releases of Heroku's stacks. Move\n! the app to one, for example:\n!\n!     heroku stack:set heroku-24\n!\n! (or set the HEX_BUILDS_URL config var to a mirror that serves debian-12).\n",
            mirror.url
        )
    );
    assert!(archive_requests(&mirror).is_empty());
}
