//! The app most users deploy: `mix phx.new` 1.7.24 unmodified (test-fixtures/shop: Ecto on Postgres,
//! `LiveView`, heroicons as a git dependency, `mix phx.gen.release`), built with `pack` as Heroku's CNB
//! generation builds it and run as Heroku runs it: the `release` process migrates a real Postgres,
//! `postdeploy` (app.json, review apps) seeds it, `web` serves `LiveView` pages read from it.
//! Nothing in the app is changed for the buildpack: its git dependency comes from a local git server
//! through `BP_GIT_URL_REWRITES`, esbuild and tailwind through `BP_ESBUILD_URL`/`BP_TAILWIND_URL`.

use crate::git_server::GitServer;
use crate::mirror::Mirror;
use crate::postgres::Postgres;
use crate::{builders, built_image, hex_build_config, requests_since, try_http_get};
use indoc::formatdoc;
use libcnb_test::{BuildConfig, TestRunner, assert_contains};
use std::process::{Command, Output};

const SECRET_KEY_BASE: &str = "integration-test-secret-key-base-integration-test-secret-key-base-0123";
const RELEASE: &str = "/layers/elixir-cnb_elixir/release/shop";

/// The trixie builder (`LiveView` 1.0 needs Elixir 1.14.1 or later; bookworm's is 1.14.0).
fn trixie() -> Option<String> {
    builders()
        .into_iter()
        .find(|builder| builder.ends_with(":trixie"))
}

fn shop_config(builder: &str, mirror: &Mirror, git: &GitServer) -> BuildConfig {
    let mut config = hex_build_config(builder, "shop", mirror);
    config.env("BP_GIT_URL_REWRITES", git.rewrites());
    config.env(
        "BP_ESBUILD_URL",
        format!("{}/tools/esbuild/$version/esbuild-$target", mirror.url),
    );
    config.env(
        "BP_TAILWIND_URL",
        format!("{}/tools/tailwind/$version/tailwind-$target", mirror.url),
    );
    config
}

/// The env Heroku gives a dyno of the app (Heroku Postgres' `DATABASE_URL`, app.json's secret), with
/// distribution off: dynos here share the host's network, and each release would start epmd on it.
fn dyno_env(database_url: &str, port: u16) -> Vec<String> {
    [
        format!("DATABASE_URL={database_url}"),
        format!("SECRET_KEY_BASE={SECRET_KEY_BASE}"),
        String::from("PHX_HOST=localhost"),
        format!("PORT={port}"),
        String::from("RELEASE_DISTRIBUTION=none"),
    ]
    .into_iter()
    .flat_map(|env| [String::from("--env"), env])
    .collect()
}

/// Runs one process type of the image to its end, as the platform runs `release` and `postdeploy`.
fn run_process(image: &str, process: &str, database_url: &str) -> Output {
    let output = Command::new("docker")
        .args(["run", "--rm", "--network", "host", "--entrypoint", process])
        .args(dyno_env(database_url, 0))
        .arg(image)
        .output()
        .expect("docker run");
    assert!(
        output.status.success(),
        "the {process} process failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A running `web` dyno; removed when dropped.
struct Web {
    id: String,
    address: std::net::SocketAddr,
}

impl Web {
    fn start(image: &str, database_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .expect("a free port");
        let run = Command::new("docker")
            .args(["run", "--detach", "--network", "host"])
            .args(dyno_env(database_url, port))
            .arg(image)
            .output()
            .expect("docker run");
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        Self {
            id: String::from_utf8_lossy(&run.stdout).trim().to_string(),
            address: ([127, 0, 0, 1], port).into(),
        }
    }

    fn get(&self, path: &str) -> String {
        try_http_get(self.address, path).unwrap_or_else(|error| {
            let logs = Command::new("docker")
                .args(["logs", &self.id])
                .output()
                .expect("docker logs");
            panic!(
                "{error}\nthe web dyno's logs:\n{}{}",
                String::from_utf8_lossy(&logs.stdout),
                String::from_utf8_lossy(&logs.stderr)
            )
        })
    }
}

impl Drop for Web {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "--force", &self.id]).output();
    }
}

/// Where tests leave what CI keeps next to its log (the browser's screenshot): `ELIXIR_CNB_ARTIFACTS`
/// (scripts/test sets it), else a dir under the system's temp dir.
fn artifacts_dir() -> std::path::PathBuf {
    let dir = std::env::var_os("ELIXIR_CNB_ARTIFACTS").map_or_else(
        || std::env::temp_dir().join("elixir-cnb-artifacts"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir).expect("the artifacts dir");
    dir
}

/// Runs tests/support/browser.mjs against `/products` of the web dyno; returns its JSON line.
fn browse(web: &Web, name: &str, screenshot: &std::path::Path) -> String {
    let var = |name: &str| {
        std::env::var(name)
            .unwrap_or_else(|_| panic!("{name} is not set: run the integration tests through scripts/test"))
    };
    let output = Command::new("node")
        .arg(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/browser.mjs"))
        .arg(var("ELIXIR_CNB_PLAYWRIGHT"))
        .arg(var("ELIXIR_CNB_CHROMIUM"))
        .arg(format!("http://localhost:{}/products", web.address.port()))
        .arg(name)
        .arg(screenshot)
        .output()
        .expect("node");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "the browser's checks failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
#[ignore = "integration test"]
fn the_phx_new_app_migrates_in_the_release_phase_seeds_in_postdeploy_and_serves_liveview_from_postgres() {
    let Some(builder) = trixie() else {
        eprintln!("skipped: no trixie builder in INTEGRATION_TEST_BUILDERS");
        return;
    };
    let mirror = Mirror::healthy();
    let git = GitServer::heroicons();
    let config = shop_config(&builder, &mirror, &git);
    // Built with no database running: the build never needs one.
    TestRunner::default().build(&config, |context| {
        let output = &context.pack_stderr;
        assert_contains!(
            output,
            &formatdoc! {"
                - Assets
                  - Downloading esbuild 0.17.11 from {url}/tools/esbuild/0.17.11/esbuild-linux-x64 (BP_ESBUILD_URL)
                  - Downloading tailwind 3.4.3 from {url}/tools/tailwind/3.4.3/tailwind-linux-x64 (BP_TAILWIND_URL)
                  - Building assets with the `assets.deploy` alias of mix.exs
                  - Running `mix assets.deploy`
                ", url = mirror.url}
        );
        assert_contains!(
            output,
            &formatdoc! {"
                - Processes
                  - web: {RELEASE}/bin/server
                  - release: {RELEASE}/bin/migrate
                  - postdeploy: bash -c shop eval 'Shop.Release.seed()'
                "}
        );
        assert_eq!(
            git.requests(),
            vec![String::from("upload-pack /tailwindlabs/heroicons.git")],
            "heroicons is fetched once, from the git server BP_GIT_URL_REWRITES names"
        );
        let image = built_image(&context.pack_stdout);
        let postgres = Postgres::start();
        let database_url = postgres.database("shop_review_app");

        // The release phase: the migration of `mix phx.gen.live`, from the release (no Mix in the image).
        let release = run_process(&image, "release", &database_url);
        assert_contains!(String::from_utf8_lossy(&release.stdout), "create table products");
        assert_eq!(
            postgres.psql("shop_review_app", "SELECT version FROM schema_migrations").trim(),
            "20261203215633"
        );
        // Review apps: app.json's postdeploy seeds the new database.
        run_process(&image, "postdeploy", &database_url);
        assert_eq!(
            postgres.psql("shop_review_app", "SELECT name, price FROM products").trim(),
            "Seeded widget|42"
        );

        // `web`: LiveView's first render, from the database; a row added meanwhile shows on the next.
        let web = Web::start(&image, &database_url);
        let index = web.get("/products");
        assert_contains!(index, "Seeded widget");
        assert_contains!(index, "data-phx-main");
        postgres.psql(
            "shop_review_app",
            "INSERT INTO products (name, price, inserted_at, updated_at) VALUES ('Added by psql', 7, now(), now())",
        );
        assert_contains!(web.get("/products"), "Added by psql");
        // The digested assets tailwind and esbuild built, with the heroicons the git dependency gave.
        let (css, js) = crate::phoenix::digested_assets(web.address);
        assert_contains!(css, ".hero-arrow-left-solid");
        assert_contains!(js, "phx_join");
        // A real browser: the socket connects, a row is created through the page and read back, and
        // no request fails (the digested CSS and JS included), with no error in the console.
        let screenshot = artifacts_dir().join("shop-products.png");
        let browser = browse(&web, "Made in Chromium", &screenshot);
        assert_eq!(
            browser.trim(),
            r#"{"connected":true,"created":true,"after_reload":true,"failed":[],"console_errors":[]}"#
        );
        eprintln!("shop: the browser's screenshot is {}", screenshot.display());
        assert_eq!(
            postgres.psql("shop_review_app", "SELECT price FROM products WHERE name = 'Made in Chromium'").trim(),
            "12"
        );
        drop(web);

        // Warm: nothing fetched again, from the git server or the mirror's tools.
        let before = mirror.requests().len();
        context.rebuild(&config, |rebuild| {
            assert_eq!(git.requests().len(), 1, "the warm build fetched heroicons again");
            let fetched = requests_since(&mirror, before, "/tools/");
            assert!(fetched.is_empty(), "the warm build downloaded {fetched:?}");
            assert_contains!(rebuild.pack_stderr, "  - Running `mix assets.deploy`\n");
        });
    });
}
