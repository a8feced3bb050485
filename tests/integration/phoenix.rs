//! Phoenix apps as `mix phx.new` makes them (trimmed to the local Hex repository's packages): assets
//! built with the `assets.deploy` alias after compile, served digested from the image; with npm assets,
//! Node.js from the nodejs.org-shaped mirror and `npm ci`, none of which ships.

use crate::mirror::{Mirror, node_mirror_dir};
use crate::{Server, hex_build_config, requests_since, serve};
use indoc::formatdoc;
use libcnb_test::{
    BuildConfig, ContainerConfig, TestContext, TestRunner, assert_contains, assert_not_contains,
};
use std::path::PathBuf;

const PORT: u16 = 8080;
const SECRET_KEY_BASE: &str = "integration-test-secret-key-base-integration-test-secret-key-base-0123";

/// The Phoenix app without npm: esbuild and tailwind are supplied through their documented `:path`
/// settings (`MIX_ESBUILD_PATH`, `MIX_TAILWIND_PATH`): esbuild's installer verifies npm registry
/// signatures, which the registry reachable here doesn't serve, and tailwind's downloads from GitHub.
fn hello_phoenix(builder: &str, mirror: &Mirror) -> BuildConfig {
    let mut config = hex_build_config(builder, "hello_phoenix", mirror);
    config.app_dir_preprocessor(with_tools_and(""));
    config.env("MIX_ESBUILD_PATH", "/workspace/.tools/esbuild");
    config.env("MIX_TAILWIND_PATH", "/workspace/.tools/tailwind");
    config
}

/// Puts the tool binaries in the app's `.tools/`, and `classic_config` (if any) in
/// `elixir_buildpack.config`.
fn with_tools_and(classic_config: &'static str) -> impl Fn(PathBuf) + 'static {
    let esbuild = node_mirror_dir()
        .expect("no Node.js mirror: run the integration tests through scripts/test")
        .join("tools/esbuild-linux-x64");
    let tailwind = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/tailwind");
    move |app_dir: PathBuf| {
        let tools = app_dir.join(".tools");
        std::fs::create_dir_all(&tools).expect("a tools dir");
        std::fs::copy(&esbuild, tools.join("esbuild")).expect("esbuild");
        std::fs::copy(&tailwind, tools.join("tailwind")).expect("the tailwind stand-in");
        if !classic_config.is_empty() {
            std::fs::write(app_dir.join("elixir_buildpack.config"), classic_config).expect("write");
        }
    }
}

/// GETs `/` with `get` until it links a digested asset, for up to 10 s, and returns the last page.
///
/// Phoenix's endpoint starts its HTTP listener before it reads `cache_manifest.json`
/// (`Phoenix.Endpoint.Supervisor.start_link` warms the static paths up after the supervisor started), so
/// a request that comes in between renders the undigested paths: CI saw `/assets/app.css` once, from a
/// release whose manifest was there. A release without the manifest still fails: the last page is
/// returned for the caller's assertion.
pub(crate) fn page_once_warmed_up(get: impl Fn(&str) -> String) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let page = get("/");
        if page.contains("\"/assets/app-") || std::time::Instant::now() >= deadline {
            return page;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

/// GETs `/` with `get` (once the endpoint has warmed up), then the digested CSS and JS it links to;
/// returns their bodies.
pub(crate) fn digested_assets(get: impl Fn(&str) -> String) -> (String, String) {
    let page = page_once_warmed_up(&get);
    let asset = |extension: &str| {
        page.split('"')
            .map(|part| part.split('?').next().unwrap_or_default())
            .find(|part| part.starts_with("/assets/app-") && part.ends_with(extension))
            .unwrap_or_else(|| panic!("no digested app{extension} in the page:\n{page}"))
            .to_string()
    };
    let (css, js) = (asset(".css"), asset(".js"));
    let digest = |path: &str| {
        path.trim_start_matches("/assets/app-")
            .split('.')
            .next()
            .is_some_and(|digest| digest.len() == 32 && digest.chars().all(|char| char.is_ascii_hexdigit()))
    };
    assert!(digest(&css) && digest(&js), "{css} {js}");
    (get(&css), get(&js))
}

fn start(context: &TestContext<'_>, check: impl FnOnce(&Server<'_>)) {
    serve(
        context,
        PORT,
        ContainerConfig::new().env("SECRET_KEY_BASE", SECRET_KEY_BASE),
        check,
    );
}

#[test]
#[ignore = "integration test"]
fn phoenix_builds_assets_and_serves_them_digested() {
    // Four builds: 1. cold, `assets.deploy` and a release serving digested assets; 2. warm with nothing
    // changed, the release reused; 3. mix-at-runtime mode, still serving digested assets; 4. the assets
    // step turned off (`assets_deploy=false`), no digests in the release. On one stack: on bookworm,
    // `classic_hex`'s Mix-at-runtime test builds this app's assets (the same assets step), and the classic
    // shop test and the CNB umbrella test build Phoenix 1.7's esbuild and tailwind assets, into a slug
    // and an image; `read_only` serves a Phoenix-style app in Mix mode from bookworm.
    crate::on_one_builder("trixie", |builder| {
        let mirror = Mirror::healthy();
        let config = hello_phoenix(builder, &mirror);
        TestRunner::default().build(&config, |context| {
            let output = &context.pack_stderr;
            assert_contains!(
                output,
                "- Assets\n  - Building assets with the `assets.deploy` alias of mix.exs\n  - Running `mix assets.deploy`\n"
            );
            assert_contains!(output, "Check your digested files at \"priv/static\"");
            assert_contains!(
                output,
                "- Processes\n  - web: /layers/elixir-cnb_elixir/release/hello_phoenix/bin/server\n"
            );
            start(&context, |server| {
                assert_contains!(server.get("/"), "Hello from HelloPhoenix!");
                let (css, js) = digested_assets(|path| server.get(path));
                assert_contains!(css, "tailwind stand-in: css/app.css");
                assert_contains!(css, ".text-brand{color:#fd4f00}");
                // esbuild bundled phoenix's Socket from deps/ (NODE_PATH) and minified it.
                assert_contains!(js, "phx_join");
                assert_not_contains!(js, "\n  ");
            });

            // A warm rebuild with nothing changed: assets.deploy runs again and renews the mtimes in
            // phx.digest's manifest, but the release is reused.
            context.rebuild(&config, |context| {
            assert_contains!(
                context.pack_stderr,
                "  - Not running Mix: no app file, mix.lock, env var or toolchain changed since the cached _build\n"
            );
            assert_contains!(context.pack_stderr, "  - Running `mix assets.deploy`\n");
            assert_contains!(
                context.pack_stderr,
                "  - Reusing release `hello_phoenix`: nothing it is made from changed\n"
            );

            // Mix-at-runtime mode (warm: the toolchain, deps and _build come from the caches), and the
            // assets step turned off.
            let mut runtime = config.clone();
            runtime.app_dir_preprocessor(with_tools_and("release=false\n"));
            context.rebuild(&runtime, |context| {
                assert_contains!(context.pack_stderr, "  - Running `mix assets.deploy`\n");
                assert_contains!(context.pack_stderr, "- Processes\n  - web: mix phx.server\n");
                start(&context, |server| {
                    let (css, _) = digested_assets(|path| server.get(path));
                    assert_contains!(css, ".text-brand{color:#fd4f00}");
                });

                // Turned off: no assets.deploy, no digests in the release.
                let mut off = config.clone();
                off.app_dir_preprocessor(with_tools_and("assets_deploy=false\n"));
                context.rebuild(&off, |context| {
                    assert_contains!(
                        context.pack_stderr,
                        "- Assets\n  - Not building assets: `assets_deploy=false` is set (line 1 of \
                         elixir_buildpack.config)\n- Release\n"
                    );
                    assert_not_contains!(context.pack_stderr, "mix assets.deploy");
                    let listing = context.run_shell_command(
                        "ls /layers/elixir-cnb_elixir/release/hello_phoenix/lib/hello_phoenix-0.1.0/priv/static",
                    );
                    assert_contains!(listing.stdout, "robots.txt");
                    assert_not_contains!(listing.stdout, "cache_manifest.json");
                });
            });
            });
        });
    });
}

/// A Phoenix umbrella (`mix phx.new --umbrella`'s layout): the web app's own `assets.deploy` alias runs in
/// `apps/hello_phoenix`, and the umbrella's release serves the digested assets. On one stack: the classic
/// umbrella test (`classic_hex.rs`) pushes it to trixie, through the same assets step.
#[test]
#[ignore = "integration test"]
fn a_phoenix_umbrella_builds_its_web_app_s_assets() {
    crate::on_one_builder("bookworm", |builder| {
        let mirror = Mirror::healthy();
        let mut config = hex_build_config(builder, "hello_umbrella", &mirror);
        config.app_dir_preprocessor(with_tools_and(""));
        config.env("MIX_ESBUILD_PATH", "/workspace/.tools/esbuild");
        config.env("MIX_TAILWIND_PATH", "/workspace/.tools/tailwind");
        TestRunner::default().build(&config, |context| {
            assert_contains!(
                context.pack_stderr,
                "- Assets\n  - Building assets with the `assets.deploy` alias of apps/hello_phoenix/mix.exs\n  \
                 - Running `mix assets.deploy`\n"
            );
            assert_contains!(
                context.pack_stderr,
                "- Processes\n  - web: /layers/elixir-cnb_elixir/release/hello_umbrella/bin/server\n"
            );
            start(&context, |server| {
                assert_contains!(server.get("/"), "Hello from the greeting app of the umbrella!");
                let (css, js) = digested_assets(|path| server.get(path));
                assert_contains!(css, ".text-brand{color:#fd4f00}");
                assert_contains!(js, "phx_join");
            });
        });
    });
}

#[test]
#[ignore = "integration test"]
fn npm_assets_get_node_from_the_mirror_and_ship_without_it() {
    // On one builder: Node.js's binaries and npm are the same on both stacks; Phoenix's assets on both are
    // the tests above's and the classic ones'.
    crate::on_one_builder("trixie", |builder| {
        let mirror = Mirror::healthy();
        let node_mirror = format!("{}/node/dist", mirror.url);
        let mut config = hex_build_config(builder, "phoenix_npm", &mirror);
        config.env("NODEJS_ORG_MIRROR", &node_mirror);
        TestRunner::default().build(&config, |context| {
            let output = &context.pack_stderr;
            assert_contains!(
                output,
                &formatdoc! {"
                    - Node.js 24.11.1
                      - Resolved from `>=20` from engines.node in package.json
                      - Downloading {node_mirror}/v24.11.1/node-v24.11.1-linux-x64.tar.gz"}
            );
            assert_contains!(output, "  - Running `npm ci --no-audit --no-fund`\n");
            assert_contains!(
                output,
                "- Assets\n  - Building assets with the `assets.deploy` alias of mix.exs\n  - Running `mix assets.deploy`\n"
            );
            assert_contains!(output, "  - Removed node_modules from the app: it is for building assets only\n");
            start(&context, |server| {
                let (css, js) = digested_assets(|path| server.get(path));
                // Real tailwind (from npm) generated the utilities the templates use, minified.
                assert_contains!(css, ".text-brand{");
                assert_contains!(js, "phx_join");
                assert_contains!(js, "topbar");
            });
            let listing = context.run_shell_command(
                "ls -a /workspace/assets; command -v node npm || echo 'no node'; ls /layers/elixir-cnb_elixir",
            );
            assert_not_contains!(listing.stdout, "node_modules");
            assert_contains!(listing.stdout, "no node\n");
            assert_not_contains!(listing.stdout, "\nnode\n");

            // Warm: Node and the tool binaries come from the caches; the node version from the classic file.
            let before = mirror.requests().len();
            let mut pinned = config.clone();
            pinned.app_dir_preprocessor(|app_dir| {
                std::fs::write(app_dir.join("phoenix_static_buildpack.config"), "node_version=24\nremove_node=true\n")
                    .expect("write");
            });
            context.rebuild(&pinned, |rebuild| {
                assert_contains!(
                    rebuild.pack_stderr,
                    "- Node.js 24.11.1\n  - Resolved from `24` from phoenix_static_buildpack.config, line 1\n  - Using cached Node.js 24.11.1\n"
                );
                assert_contains!(
                    rebuild.pack_stderr,
                    "  - Ignoring `remove_node` (line 2 of phoenix_static_buildpack.config): Node.js and node_modules never ship in the image.\n"
                );
                let fetched = requests_since(&mirror, before, ".tar");
                assert!(fetched.is_empty(), "the warm build fetched {fetched:?}");
            });
        });
    });
}
