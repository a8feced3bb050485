//! The classic generation with real Hex packages (`git push heroku` of apps that depend on the local Hex
//! repository): a Phoenix app whose deps have `priv/` (castore, phoenix, plug...), which Mix links into
//! `_build`; a rebar3-built dep stack; a C NIF. Each is pushed twice: the second push downloads and
//! recompiles nothing, and every link in each slug resolves inside the slug.

use crate::fixture;
use crate::heroku::{Compiled, Heroku, process_command};
use crate::mirror::{Mirror, node_mirror_dir};
use libcnb_test::{assert_contains, assert_not_contains};
use std::path::{Component, Path, PathBuf};

/// Where the slug runs on a dyno.
const APP: &str = "/app";
const SECRET_KEY_BASE: &str = "integration-test-secret-key-base-integration-test-secret-key-base-0123";

/// The classic stacks to push to: the suites of the builders under test.
fn suites() -> Vec<String> {
    let suites: Vec<String> = crate::builders()
        .iter()
        .filter_map(|builder| builder.rsplit(':').next())
        .filter(|suite| matches!(*suite, "bookworm" | "trixie"))
        .map(String::from)
        .collect();
    assert!(!suites.is_empty(), "no bookworm or trixie builder to test on");
    suites
}

/// Runs `f` for every suite, one thread each.
pub(crate) fn for_each_suite(f: impl Fn(&str) + Sync) {
    crate::on_threads(suites(), "stack", f);
}

/// Runs `f` for `suite` when it is under test, else for the first suite under test (the rule of
/// [`crate::one_builder`]).
pub(crate) fn on_one_suite(suite: &str, f: impl Fn(&str)) {
    f(&crate::one_of(&suites(), suite));
}

/// A Heroku app whose config vars point Hex, rebar3 and the toolchain at the tests' mirror and trust its
/// keys, as a team with a private mirror would set them.
pub(crate) fn heroku_with_hex(suite: &str, mirror: &Mirror) -> Heroku {
    let heroku = Heroku::new(suite);
    let pem = |var: &str| {
        let path =
            std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: run through scripts/test"));
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {path}: {error}"))
    };
    heroku.set_config_var("HEX_BUILDS_URL", &mirror.url);
    heroku.set_config_var("HEX_MIRROR", &mirror.url);
    heroku.set_config_var("HEX_MIRROR_PUBLIC_KEY", &pem("ELIXIR_CNB_HEX_REPO_PUBLIC_KEY"));
    heroku.set_config_var(
        "HEX_MIRROR_INSTALLS_PUBLIC_KEY",
        &pem("ELIXIR_CNB_HEX_INSTALLS_PUBLIC_KEY"),
    );
    // As in the CNB tests (see hex_build_config).
    heroku.set_config_var("HEX_HTTP_CONCURRENCY", "1");
    heroku.set_config_var("HEX_HTTP_TIMEOUT", "120");
    heroku
}

/// The package tarballs, Hex/rebar3 installs and toolchain archives the mirror served.
fn downloads(mirror: &Mirror) -> Vec<String> {
    mirror
        .requests()
        .into_iter()
        .filter(|path| {
            path.starts_with("/tarballs/")
                || path.starts_with("/installs/")
                || Path::new(path).extension().is_some_and(|extension| {
                    extension.eq_ignore_ascii_case("gz") || extension.eq_ignore_ascii_case("zip")
                })
        })
        .collect()
}

/// Where a link in the slug leads when the slug runs at `/app`: `Ok` with the path inside the slug it
/// resolves to (which must exist), or `Err` with where it leads instead. Links into `/tmp/elixir-cnb/`
/// are what a dyno makes at boot (the release cookie) and count as inside.
fn resolve_in_slug(slug: &Path, link: &Path) -> Result<PathBuf, String> {
    let mut path = Path::new(APP).join(link.strip_prefix(slug).unwrap_or(link));
    for _ in 0..40 {
        // Resolve component by component, following links as the kernel does.
        let mut resolved = PathBuf::from("/");
        let mut followed = false;
        let components: Vec<Component> = path.components().collect();
        for (index, component) in components.iter().enumerate() {
            match component {
                Component::RootDir | Component::CurDir => {}
                Component::ParentDir => {
                    resolved.pop();
                }
                Component::Normal(name) => resolved.push(name),
                Component::Prefix(_) => unreachable!(),
            }
            let Ok(inside) = resolved.strip_prefix(APP) else {
                if resolved == Path::new("/") {
                    continue;
                }
                let whole: PathBuf = std::iter::once(resolved.as_os_str())
                    .chain(
                        components[index + 1..]
                            .iter()
                            .map(|component| component.as_os_str()),
                    )
                    .collect();
                if whole.starts_with("/tmp/elixir-cnb")
                    && !whole.components().any(|c| c == Component::ParentDir)
                {
                    return Ok(whole);
                }
                return Err(format!("{} (outside {APP})", path.display()));
            };
            let on_host = slug.join(inside);
            if on_host.is_symlink() {
                let target = std::fs::read_link(&on_host).expect("read_link");
                let rest: PathBuf = components[index + 1..].iter().collect();
                let base = resolved.parent().map(Path::to_path_buf).unwrap_or_default();
                let target = if target.is_absolute() {
                    target
                } else {
                    base.join(target)
                };
                path = if rest.as_os_str().is_empty() {
                    target
                } else {
                    target.join(rest)
                };
                followed = true;
                break;
            }
        }
        if !followed {
            let Ok(inside) = resolved.strip_prefix(APP) else {
                return Err(format!("{} (outside {APP})", path.display()));
            };
            return if slug.join(inside).exists() {
                Ok(resolved)
            } else {
                Err(format!("{} (missing)", resolved.display()))
            };
        }
    }
    Err(format!("{} (a loop of links)", path.display()))
}

/// Every link in the slug that leads outside it (into the cache, the build dir, nowhere), with where.
fn links_leaving(slug: &Path) -> Vec<String> {
    walkdir::WalkDir::new(slug)
        .into_iter()
        .filter_map(Result::ok)
        .filter(walkdir::DirEntry::path_is_symlink)
        .filter_map(|entry| {
            resolve_in_slug(slug, entry.path()).err().map(|error| {
                format!(
                    "{} -> {}: {error}",
                    entry.path().strip_prefix(slug).unwrap_or(entry.path()).display(),
                    std::fs::read_link(entry.path()).unwrap_or_default().display()
                )
            })
        })
        .collect()
}

pub(crate) fn assert_slug_links_stay_inside(compiled: &Compiled) {
    let leaving = links_leaving(&compiled.slug);
    assert!(
        leaving.is_empty(),
        "links leave the slug:\n{}",
        leaving.join("\n")
    );
}

/// A second push with the same cache: asks the mirror for no package, install or toolchain archive,
/// compiles nothing and reuses the release.
fn assert_second_push_reuses_everything(
    heroku: &Heroku,
    mirror: &Mirror,
    app: &Path,
    release: &str,
) -> Compiled {
    let before = downloads(mirror);
    let second = heroku.push(app);
    assert!(second.success, "{}", second.output);
    assert_eq!(downloads(mirror), before, "{}", second.output);
    assert_contains!(second.output, "  - Using cached deps\n  - Using cached _build");
    assert_not_contains!(second.output, "Compiling");
    assert_contains!(
        second.output,
        &format!("  - Reusing release `{release}`: nothing it is made from changed\n")
    );
    assert_slug_links_stay_inside(&second);
    second
}

/// `hello_phoenix` with esbuild and tailwind binaries in `.tools/`, given through their documented
/// `:path` settings as config vars (see phoenix.rs; the build dir is `/tmp/build_app` in this harness), and
/// `elixir_buildpack.config` when given.
fn phoenix_app(heroku: &Heroku, classic_config: Option<&str>) -> tempfile::TempDir {
    phoenix_fixture(heroku, "hello_phoenix", classic_config)
}

/// `phoenix_app` of another Phoenix fixture that reads the same `:path` settings (`hello_umbrella`).
fn phoenix_fixture(heroku: &Heroku, name: &str, classic_config: Option<&str>) -> tempfile::TempDir {
    heroku.set_config_var("MIX_ESBUILD_PATH", "/tmp/build_app/.tools/esbuild");
    heroku.set_config_var("MIX_TAILWIND_PATH", "/tmp/build_app/.tools/tailwind");
    let app = tempfile::tempdir().expect("tempdir");
    crate::heroku::copy_as_user(&fixture(name), app.path());
    let tools = app.path().join(".tools");
    std::fs::create_dir_all(&tools).expect("mkdir");
    let esbuild = node_mirror_dir()
        .expect("no Node.js mirror: run through scripts/test")
        .join("tools/esbuild-linux-x64");
    std::fs::copy(esbuild, tools.join("esbuild")).expect("esbuild");
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/tailwind"),
        tools.join("tailwind"),
    )
    .expect("tailwind");
    if let Some(config) = classic_config {
        std::fs::write(app.path().join("elixir_buildpack.config"), config).expect("write");
    }
    app
}

/// Starts `web` and checks the page and the digested CSS it links to.
fn assert_phoenix_serves(heroku: &Heroku, compiled: &Compiled) {
    let dyno = heroku.start_web(
        &compiled.slug,
        &[("SECRET_KEY_BASE", SECRET_KEY_BASE)],
        &process_command(compiled, "web"),
    );
    let page = crate::phoenix::page_once_warmed_up(|path| dyno.get(path));
    assert_contains!(page, "Hello from HelloPhoenix!");
    let css = page
        .split('"')
        .find(|part| part.starts_with("/assets/app-") && part.contains(".css"))
        .unwrap_or_else(|| panic!("no digested CSS in the page:\n{page}"));
    assert_contains!(dyno.get(css), "tailwind stand-in: css/app.css");
}

/// Three pushes: the first builds (Mix links castore's, phoenix's... `priv` into `_build`); the second
/// reuses everything; the third finds a `_build` cache with a link such as an earlier version of the
/// buildpack left there (relative to the link's path through `/app`, dangling from the cache's real
/// dir), discards the cache saying why, and builds. On one stack: on bookworm, the classic shop test
/// (`shop.rs`) pushes a Phoenix app with assets and a release, and the Mix-at-runtime test below
/// another.
#[test]
#[ignore = "integration test"]
fn classic_phoenix_serves_digested_assets_from_a_read_only_app_and_a_second_push_compiles_nothing() {
    on_one_suite("trixie", |suite| {
        let mirror = Mirror::healthy();
        let heroku = heroku_with_hex(suite, &mirror);
        let app = phoenix_app(&heroku, None);

        let first = heroku.push(app.path());
        assert!(first.success, "{}", first.output);
        assert_contains!(
            first.output,
            "- Assets\n  - Building assets with the `assets.deploy` alias of mix.exs\n  - Running `mix assets.deploy`\n"
        );
        assert_slug_links_stay_inside(&first);
        assert_phoenix_serves(&heroku, &first);

        let second = assert_second_push_reuses_everything(&heroku, &mirror, app.path(), "hello_phoenix");
        assert_phoenix_serves(&heroku, &second);

        let priv_link = heroku.cache_dir().join("elixir-cnb/_build/prod/lib/castore/priv");
        assert_eq!(
            std::fs::read_link(&priv_link).ok(),
            Some(PathBuf::from("../../../../deps/castore/priv")),
            "Mix's link between the caches' real dirs"
        );
        std::fs::remove_file(&priv_link).expect("rm");
        std::os::unix::fs::symlink(
            "../../../../../../tmp/cache/elixir-cnb/deps/castore/priv",
            &priv_link,
        )
        .expect("link");
        let third = heroku.push(app.path());
        assert!(third.success, "{}", third.output);
        assert_contains!(
            third.output,
            "  - Discarding cached _build since links Mix made in it point to files that are gone \
             (castore/priv), as an earlier version of this buildpack could leave them on the classic generation\n"
        );
        assert_slug_links_stay_inside(&third);
        assert_phoenix_serves(&heroku, &third);
    });
}

/// A Phoenix umbrella (`mix phx.new --umbrella`'s layout): its web app's `assets.deploy` runs in the web
/// app, the release of both apps serves the digested assets, and a second push compiles nothing. On one
/// stack: the umbrella's layout is the subject, and the CNB umbrella test builds it on bookworm.
#[test]
#[ignore = "integration test"]
fn classic_phoenix_umbrella_builds_its_web_app_s_assets_and_a_second_push_compiles_nothing() {
    on_one_suite("trixie", |suite| {
        let mirror = Mirror::healthy();
        let heroku = heroku_with_hex(suite, &mirror);
        let app = phoenix_fixture(&heroku, "hello_umbrella", None);

        let first = heroku.push(app.path());
        assert!(first.success, "{}", first.output);
        assert_contains!(
            first.output,
            "- Assets\n  - Building assets with the `assets.deploy` alias of apps/hello_phoenix/mix.exs\n  \
             - Running `mix assets.deploy`\n"
        );
        assert_slug_links_stay_inside(&first);
        assert_phoenix_serves(&heroku, &first);

        let second = assert_second_push_reuses_everything(&heroku, &mirror, app.path(), "hello_umbrella");
        let dyno = heroku.start_web(
            &second.slug,
            &[("SECRET_KEY_BASE", SECRET_KEY_BASE)],
            &process_command(&second, "web"),
        );
        assert_contains!(dyno.get("/"), "Hello from the greeting app of the umbrella!");
    });
}

/// Mix at runtime (`release=false`): `deps` and `_build` ship in the slug, and the links Mix made between
/// them resolve inside it, at `/app`. On one stack: the slug's layout is the subject; Phoenix with a
/// release is pushed to trixie by the digested-assets test and to bookworm by the classic shop test.
#[test]
#[ignore = "integration test"]
fn classic_phoenix_mix_at_runtime_ships_deps_and_build_whose_links_stay_in_the_slug() {
    on_one_suite("bookworm", |suite| {
        let mirror = Mirror::healthy();
        let heroku = heroku_with_hex(suite, &mirror);
        let app = phoenix_app(&heroku, Some("release=false\n"));
        let compiled = heroku.push(app.path());
        assert!(compiled.success, "{}", compiled.output);
        let priv_link = compiled.slug.join(".elixir-cnb/_build/prod/lib/castore/priv");
        assert_eq!(
            std::fs::read_link(&priv_link).ok(),
            Some(PathBuf::from("../../../../deps/castore/priv"))
        );
        assert_slug_links_stay_inside(&compiled);
        assert_phoenix_serves(&heroku, &compiled);
    });
}

#[test]
#[ignore = "integration test"]
fn classic_rebar3_deps_and_a_nif_build_run_and_rebuild_from_cache() {
    // The NIF is compiled by each stack's C compiler: bcrypt_app goes to both. plug_cowboy_app's rebar3
    // dependencies go to bookworm only: `hex_deps`'s CNB test builds them on trixie, through the same Mix
    // steps with the same Hex settings.
    for_each_suite(|suite| {
        let bookworm = suite == crate::one_of(&suites(), "bookworm");
        for (fixture_name, answer) in [
            ("plug_cowboy_app", "\"cowboy\":\"2.17.0\""),
            ("bcrypt_app", "bcrypt $2b$04$ verified=true\n"),
        ] {
            if fixture_name == "plug_cowboy_app" && !bookworm {
                continue;
            }
            let mirror = Mirror::healthy();
            let heroku = heroku_with_hex(suite, &mirror);
            let app = fixture(fixture_name);
            let killed_install = fixture_name == "plug_cowboy_app";
            if killed_install {
                // A push stopped while `mix local.hex` writes the cached MIX_HOME leaves it without a key.
                let archives = heroku.cache_dir().join("elixir-cnb/mix_home/archives");
                let killed = heroku.push_killed_when(&app, &archives);
                assert_contains!(killed, "mix local.hex");
                assert!(!heroku.cache_dir().join("elixir-cnb/mix_home.toml").exists());
            }
            let first = heroku.push(&app);
            assert!(first.success, "{fixture_name}: {}", first.output);
            if killed_install {
                assert_contains!(
                    first.output,
                    "- Mix\n  - Discarding cached Hex and rebar3 since an earlier build stopped before it \
                     finished writing it\n"
                );
            }
            assert_slug_links_stay_inside(&first);
            let dyno = heroku.start_web(&first.slug, &[], &process_command(&first, "web"));
            assert_contains!(dyno.get("/"), answer);
            drop(dyno);
            assert_second_push_reuses_everything(&heroku, &mirror, &app, fixture_name);
        }
    });
}

/// The slug check itself (no engine needed): links inside pass, links out of the slug or to nothing do not.
#[test]
fn slug_links_are_resolved_as_at_app() {
    let slug = tempfile::tempdir().expect("tempdir");
    let root = slug.path();
    std::fs::create_dir_all(root.join(".elixir-cnb/release/app/lib/castore/priv")).expect("mkdir");
    std::fs::create_dir_all(root.join(".elixir-cnb/_build/prod/lib/castore")).expect("mkdir");
    std::fs::create_dir_all(root.join(".elixir-cnb/deps/castore/priv")).expect("mkdir");
    let link = |target: &str, at: &str| std::os::unix::fs::symlink(target, root.join(at)).expect("link");
    // Inside: relative, absolute at /app, through another link, and the cookie a dyno makes at boot.
    link(
        "../../../../deps/castore/priv",
        ".elixir-cnb/_build/prod/lib/castore/priv",
    );
    link("/app/.elixir-cnb/release", "release");
    link("release/app/lib", "lib");
    link("/tmp/elixir-cnb/cookie", ".elixir-cnb/release/app/COOKIE");
    assert_eq!(links_leaving(root), Vec::<String>::new());
    // Out: into a cache, past the root, to nothing.
    link(
        "../../../../../../tmp/cache/elixir-cnb/deps/castore/priv",
        ".elixir-cnb/_build/prod/lib/castore/other",
    );
    link("/tmp/cache/elixir-cnb/_build", "_build");
    link("../..", ".elixir-cnb/up");
    link("lib/castore/gone", "gone");
    let mut leaving = links_leaving(root);
    leaving.sort();
    assert_eq!(
        leaving,
        vec![
            ".elixir-cnb/_build/prod/lib/castore/other -> ../../../../../../tmp/cache/elixir-cnb/deps/castore/priv: \
             /app/.elixir-cnb/_build/prod/lib/castore/../../../../../../tmp/cache/elixir-cnb/deps/castore/priv (outside /app)",
            ".elixir-cnb/up -> ../..: /app/.elixir-cnb/../.. (outside /app)",
            "_build -> /tmp/cache/elixir-cnb/_build: /tmp/cache/elixir-cnb/_build (outside /app)",
            "gone -> lib/castore/gone: /app/.elixir-cnb/release/app/lib/castore/gone (missing)",
        ]
    );
}
