//! The app most users deploy: `mix phx.new` 1.7.24 unmodified (test-fixtures/shop: Ecto on Postgres,
//! `LiveView`, heroicons as a git dependency, `mix phx.gen.release`), built with `pack` as Heroku's CNB
//! generation builds it and run as Heroku runs it: the `release` process migrates a real Postgres,
//! `postdeploy` (app.json, review apps) seeds it, `web` serves `LiveView` pages read from it.
//! Nothing in the app is changed for the buildpack: its git dependency comes from a local git server
//! through `BP_GIT_URL_REWRITES`, esbuild and tailwind through `BP_ESBUILD_URL`/`BP_TAILWIND_URL`.

use crate::classic_hex::{assert_slug_links_stay_inside, heroku_with_hex};
use crate::git_server::GitServer;
use crate::heroku::{copy_as_user, process_command};
use crate::mirror::Mirror;
use crate::postgres::Postgres;
use crate::{builders, built_image, copy_dir, fixture, hex_build_config, requests_since};
use indoc::formatdoc;
use libcnb_test::{BuildConfig, PackResult, TestRunner, assert_contains};
use std::process::{Command, Output};

const SECRET_KEY_BASE: &str = "integration-test-secret-key-base-integration-test-secret-key-base-0123";
const BROWSER_OK: &str = r#"{"connected":true,"created":true,"after_reload":true,"dashboard":true,"failed":[],"console_errors":[]}"#;
/// `LiveDashboard`'s basic authentication (the fixture's router reads them from the environment).
const DASHBOARD_USER: &str = "admin";
const DASHBOARD_PASSWORD: &str = "dashboard-password-for-tests";
const RELEASE: &str = "/layers/elixir-cnb_elixir/release/shop";

/// The trixie builder (`LiveView` 1.0 needs Elixir 1.14.1 or later; bookworm's is 1.14.0).
fn trixie() -> Option<String> {
    builders()
        .into_iter()
        .find(|builder| builder.ends_with(":trixie"))
}

/// `LiveView` 1.0 needs Elixir 1.14.1 or later: on bookworm's 1.14.0 the app pins 0.20.
fn needs_liveview_pin(builder: &str) -> bool {
    builder.ends_with(":bookworm")
}

/// Elixir 1.16 and later (trixie's 1.18.3) know git deps' `depth:`; bookworm's 1.14.0 doesn't.
fn elixir_knows_git_depth(builder: &str) -> bool {
    !builder.ends_with(":bookworm")
}

/// Applies `test-fixtures/shop.liveview-0.20.patch`: `LiveView` pinned to `~> 0.20.17` in mix.exs, and
/// the edits the generated code then needs (body interpolation as `<%= %>`, no `used_input?/1`,
/// `live_title`'s default in its body), and mix.lock as `mix deps.get` then leaves it.
fn pin_liveview_0_20(app_dir: &std::path::Path) {
    let patch =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-fixtures/shop.liveview-0.20.patch");
    let output = Command::new("patch")
        .args(["-p1", "--quiet", "--forward", "--input"])
        .arg(&patch)
        .current_dir(app_dir)
        .output()
        .expect("patch");
    assert!(
        output.status.success(),
        "applying {}: {}{}",
        patch.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn shop_config(builder: &str, mirror: &Mirror, git: &GitServer) -> BuildConfig {
    let mut config = hex_build_config(builder, "shop", mirror);
    if needs_liveview_pin(builder) {
        config.app_dir_preprocessor(|app_dir| pin_liveview_0_20(&app_dir));
    }
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

/// The env Heroku gives a dyno of the app (Heroku Postgres' `DATABASE_URL`, when given, and app.json's
/// secret), with distribution off: dynos here share the host's network, and each release would start
/// epmd on it.
fn dyno_env(database_url: Option<&str>, port: u16) -> Vec<String> {
    database_url
        .map(|url| format!("DATABASE_URL={url}"))
        .into_iter()
        .chain([
            format!("SECRET_KEY_BASE={SECRET_KEY_BASE}"),
            String::from("PHX_HOST=localhost"),
            format!("PORT={port}"),
            String::from("RELEASE_DISTRIBUTION=none"),
            format!("AUTH_USERNAME={DASHBOARD_USER}"),
            format!("AUTH_PASSWORD={DASHBOARD_PASSWORD}"),
        ])
        .flat_map(|env| [String::from("--env"), env])
        .collect()
}

/// Runs one process type of the image to its end, as the platform runs `release` and `postdeploy`,
/// with `DATABASE_URL` when given; returns its output, whatever its status.
fn try_process(image: &str, process: &str, database_url: Option<&str>) -> Output {
    Command::new("docker")
        .args(["run", "--rm", "--network", "host", "--entrypoint", process])
        .args(dyno_env(database_url, 0))
        .arg(image)
        .output()
        .expect("docker run")
}

/// `try_process`, which must succeed.
fn run_process(image: &str, process: &str, database_url: &str) -> Output {
    let output = try_process(image, process, Some(database_url));
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
        let port = crate::heroku::free_port();
        let run = Command::new("docker")
            .args(["run", "--detach", "--network", "host"])
            .args(dyno_env(Some(database_url), port))
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
        crate::get_showing_logs(self.address, path, || crate::docker_logs(&self.id))
    }
}

impl Drop for Web {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "--force", &self.id]).output();
    }
}

/// A release phase without `DATABASE_URL` fails with the app's own message; one whose migration fails
/// (the table is already there) fails with Ecto's error. Both exit non-zero.
fn assert_release_phase_failures_are_visible(image: &str, postgres: &Postgres) {
    let unset = try_process(image, "release", None);
    assert!(!unset.status.success());
    // The app's message, as Elixir formats it, or (when the VM halts before that line is flushed, as
    // OTP 25 now and then does) inside the boot crash report, where the message is a list of bytes.
    let message = "environment variable DATABASE_URL is missing";
    let as_bytes = message
        .bytes()
        .map(|byte| byte.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&unset.stdout),
        String::from_utf8_lossy(&unset.stderr)
    );
    assert!(
        output.contains(message) || output.contains(&as_bytes),
        "the release phase's log lacks the app's message ({message}):\n{output}"
    );
    let broken_url = postgres.database("shop_broken");
    postgres.psql("shop_broken", "CREATE TABLE products (id bigint)");
    let broken = try_process(image, "release", Some(&broken_url));
    assert!(!broken.status.success());
    assert_contains!(
        format!(
            "{}{}",
            String::from_utf8_lossy(&broken.stdout),
            String::from_utf8_lossy(&broken.stderr)
        ),
        "relation \"products\" already exists"
    );
}

/// `config` with heroicons pinned to v2.1.0 in mix.exs and mix.lock, a tag the git server gets now.
fn pinned_to_heroicons_2_1_0(builder: &str, config: &BuildConfig, git: &GitServer) -> BuildConfig {
    let pin_liveview = needs_liveview_pin(builder);
    git.git_in(
        "tailwindlabs/heroicons.git",
        &["tag", "v2.1.0", "d1971c5550e858d4c024d81398781c83951ace19"],
    );
    let mut pinned = config.clone();
    pinned.app_dir_preprocessor(move |app_dir| {
        if pin_liveview {
            pin_liveview_0_20(&app_dir);
        }
        let edit = |name: &str, from: &str, to: &str| {
            let path = app_dir.join(name);
            let text = std::fs::read_to_string(&path).expect("read");
            assert!(text.contains(from), "{name} has no {from}");
            std::fs::write(&path, text.replace(from, to)).expect("write");
        };
        edit("mix.exs", "tag: \"v2.1.1\"", "tag: \"v2.1.0\"");
        edit(
            "mix.lock",
            "\"88ab3a0d790e6a47404cba02800a6b25d2afae50\", [tag: \"v2.1.1\"",
            "\"d1971c5550e858d4c024d81398781c83951ace19\", [tag: \"v2.1.0\"",
        );
    });
    pinned
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

/// Runs tests/support/browser.mjs against `/products` of a web dyno; returns its JSON line.
fn browse(address: std::net::SocketAddr, name: &str, screenshot: &std::path::Path) -> String {
    let var = |name: &str| {
        std::env::var(name)
            .unwrap_or_else(|_| panic!("{name} is not set: run the integration tests through scripts/test"))
    };
    let output = Command::new("node")
        .arg(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/browser.mjs"))
        .arg(var("ELIXIR_CNB_PLAYWRIGHT"))
        .arg(var("ELIXIR_CNB_CHROMIUM"))
        .arg(format!("http://localhost:{}/products", address.port()))
        .arg(name)
        .arg(screenshot)
        .arg(format!("http://localhost:{}/admin/dashboard", address.port()))
        .args([DASHBOARD_USER, DASHBOARD_PASSWORD])
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
    // On one stack, the app as generated (trixie): the classic test below builds it on bookworm, with the
    // documented `LiveView` pin, through the same build stages. CI's time goes to builds, and the phx.new
    // app's are the longest.
    crate::on_one_builder("trixie", shop_end_to_end);
}

/// On trixie the app as generated; on bookworm (Elixir 1.14.0) with the documented `LiveView` pin.
fn shop_end_to_end(builder: &str) {
    let mirror = Mirror::healthy();
    let git = GitServer::heroicons();
    let config = shop_config(builder, &mirror, &git);
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

        assert_release_phase_failures_are_visible(&image, &postgres);

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
        let (css, js) = crate::phoenix::digested_assets(|path| web.get(path));
        assert_contains!(css, ".hero-arrow-left-solid");
        assert_contains!(js, "phx_join");
        // LiveDashboard answers only with its credentials.
        let dashboard = ureq::get(&format!("http://{}/admin/dashboard", web.address))
            .call()
            .map_or_else(
                |error| match error {
                    ureq::Error::StatusCode(status) => status,
                    other => panic!("GET /admin/dashboard: {other}"),
                },
                |response| response.status().as_u16(),
            );
        assert_eq!(dashboard, 401);
        // A real browser: the socket connects, a row is created through the page and read back, and
        // no request fails (the digested CSS and JS included), with no error in the console; then
        // LiveDashboard's live page connects and shows the system's information.
        let suite = builder.rsplit(':').next().unwrap_or_default();
        let screenshot = artifacts_dir().join(format!("shop-products-{suite}.png"));
        let browser = browse(web.address, "Made in Chromium", &screenshot);
        assert_eq!(browser.trim(), BROWSER_OK);
        assert_eq!(
            postgres.psql("shop_review_app", "SELECT price FROM products WHERE name = 'Made in Chromium'").trim(),
            "12"
        );
        drop(web);

        warm_rebuilds(context, builder, &config, &mirror, &git);
    });
}

/// The shop's warm rebuild (nothing fetched again), then a changed git ref (that dep alone fetched).
fn warm_rebuilds(
    context: libcnb_test::TestContext,
    builder: &str,
    config: &BuildConfig,
    mirror: &Mirror,
    git: &GitServer,
) {
    // Warm: nothing fetched again, from the git server or the mirror's tools. Where Mix knows
    // `depth:`, the warm build with the same lock runs with neither the git server nor the Hex
    // repository answering: it asks nothing of either.
    let before = mirror.requests().len();
    let mut warm = config.clone();
    if elixir_knows_git_depth(builder) {
        let nowhere = format!("http://127.0.0.1:{}", crate::heroku::free_port());
        warm.env("BP_GIT_URL_REWRITES", format!("https://github.com/={nowhere}/"));
        warm.env("HEX_MIRROR", &nowhere);
    }
    context.rebuild(&warm, |rebuild| {
        // Mix before Elixir 1.16 doesn't know `depth:` (phx.new writes `depth: 1` for heroicons), so
        // it finds the checkout outdated and fetches it again on every `deps.get`.
        let warm_fetches = if elixir_knows_git_depth(builder) { 1 } else { 2 };
        assert_eq!(
            git.requests().len(),
            warm_fetches,
            "the warm build fetched heroicons again:\n{}",
            rebuild.pack_stderr
        );
        let fetched = requests_since(mirror, before, "/tools/");
        assert!(fetched.is_empty(), "the warm build downloaded {fetched:?}");
        assert_contains!(rebuild.pack_stderr, "  - Running `mix assets.deploy`\n");
        // The reused release keeps its `server` and `migrate` overlays: they come from its stored key,
        // since the layer stays in the previous image and no file of it is at hand.
        assert_contains!(
            rebuild.pack_stderr,
            &formatdoc! {"
                  - Reusing release `shop`: nothing it is made from changed
                - Processes
                  - web: {RELEASE}/bin/server
                  - release: {RELEASE}/bin/migrate
                "}
        );
        if elixir_knows_git_depth(builder) {
            assert_contains!(
                rebuild.pack_stderr,
                "All dependencies are up to date (deps/ matches mix.lock: nothing to fetch or check)"
            );
        }

        // A changed ref (heroicons pinned to v2.1.0 in mix.exs and mix.lock): that dep alone is
        // fetched again; no Hex package is. Elixir before 1.16 fetches the checkout on every build
        // anyway (as above), so the changed ref runs where Mix knows `depth:` (trixie).
        if !elixir_knows_git_depth(builder) {
            return;
        }
        let pinned = pinned_to_heroicons_2_1_0(builder, config, git);
        let before = mirror.requests().len();
        rebuild.rebuild(&pinned, |changed| {
            assert_eq!(
                git.requests().len(),
                warm_fetches + 1,
                "heroicons is fetched again, once"
            );
            let fetched = requests_since(mirror, before, "/tarballs/");
            assert!(fetched.is_empty(), "the build downloaded {fetched:?}");
            assert_contains!(changed.pack_stderr, "  - Running `mix assets.deploy`\n");
        });
    });
}

/// The same app through `git push heroku` (the classic harness): the release phase migrates from the
/// slug, app.json's postdeploy seeds (Heroku runs it in a one-off dyno), `web` serves the `LiveView` page
/// to a real browser, and app.json's classic buildpack gets the hint a classic user can act on.
#[test]
#[ignore = "integration test"]
fn classic_the_phx_new_app_migrates_in_the_release_phase_and_serves_liveview_from_postgres() {
    // On one stack, bookworm's (Elixir 1.14.0), with the documented `LiveView` pin: the CNB test above
    // builds the app as generated on trixie, and `classic_hex`'s Phoenix test pushes to trixie.
    crate::classic_hex::on_one_suite("bookworm", classic_shop);
}

/// On trixie (heroku-24's Elixir) the app as generated; on bookworm with the documented `LiveView` pin.
fn classic_shop(suite: &str) {
    let mirror = Mirror::healthy();
    let git = GitServer::heroicons();
    let heroku = heroku_with_hex(suite, &mirror);
    heroku.set_config_var("BP_GIT_URL_REWRITES", &git.rewrites());
    heroku.set_config_var(
        "BP_ESBUILD_URL",
        &format!("{}/tools/esbuild/$version/esbuild-$target", mirror.url),
    );
    heroku.set_config_var(
        "BP_TAILWIND_URL",
        &format!("{}/tools/tailwind/$version/tailwind-$target", mirror.url),
    );
    let app = tempfile::tempdir().expect("tempdir");
    let source = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture("shop"), source.path());
    if suite == "bookworm" {
        pin_liveview_0_20(source.path());
    }
    copy_as_user(source.path(), app.path());

    let compiled = heroku.push(app.path());
    assert!(compiled.success, "{}", compiled.output);
    assert_contains!(
        compiled.output,
        &format!(
            "! app.json lists the classic Elixir buildpack (https://github.com/HashNuke/heroku-buildpack-elixir), \
             so review apps and Heroku Button deploys of this repository build with it, not with this buildpack. \
             Replace its URL in app.json's `buildpacks` with this buildpack's: \
             https://github.com/elixir-cnb/elixir-cnb/releases/download/v{}/elixir-cnb-classic-x86_64.tgz; \
             your elixir_buildpack.config keeps working.\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_contains!(compiled.output, "- Assets\n  - Downloading esbuild 0.17.11 from ");
    assert_slug_links_stay_inside(&compiled);

    let postgres = Postgres::start();
    postgres.database("shop_classic");
    let database_url = postgres.url_from_containers("shop_classic");
    let env = [
        ("DATABASE_URL", database_url.as_str()),
        ("SECRET_KEY_BASE", SECRET_KEY_BASE),
        ("PHX_HOST", "localhost"),
        ("AUTH_USERNAME", DASHBOARD_USER),
        ("AUTH_PASSWORD", DASHBOARD_PASSWORD),
    ];
    let (release, status) = heroku.run_once(&compiled.slug, &env, &process_command(&compiled, "release"));
    assert_eq!(status, 0, "{release}");
    assert_contains!(release, "create table products");
    let (seeded, status) = heroku.run_once(&compiled.slug, &env, "shop eval 'Shop.Release.seed()'");
    assert_eq!(status, 0, "{seeded}");
    assert_eq!(
        postgres
            .psql("shop_classic", "SELECT name, price FROM products")
            .trim(),
        "Seeded widget|42"
    );

    let dyno = heroku.start_web(&compiled.slug, &env, &process_command(&compiled, "web"));
    assert_contains!(dyno.get("/products"), "Seeded widget");
    let screenshot = artifacts_dir().join(format!("shop-products-classic-{suite}.png"));
    let browser = browse(dyno.address, "Made on Cedar", &screenshot);
    assert_eq!(browser.trim(), BROWSER_OK, "{}", dyno.logs());
    assert_eq!(
        postgres
            .psql(
                "shop_classic",
                "SELECT price FROM products WHERE name = 'Made on Cedar'"
            )
            .trim(),
        "12"
    );
}

/// Git dependencies that can't be fetched fail a cold build naming the dependency and why (its tag gone
/// from the server; the server down), and so does the Hex repository down. (That a warm build with the
/// same lock needs neither is proven by the end-to-end test's warm build.)
#[test]
#[ignore = "integration test"]
fn a_git_dependency_or_the_hex_repository_that_can_t_be_fetched_is_named() {
    // Three cold builds, each failing: 1. the locked tag gone from the server, named; 2. the git server
    // down, said; 3. the Hex repository down (git answering), said.
    let Some(builder) = trixie() else {
        eprintln!("skipped: no trixie builder in INTEGRATION_TEST_BUILDERS");
        return;
    };
    let mirror = Mirror::healthy();
    let git = GitServer::heroicons();
    // Gone as upstream can make it: the tag deleted and its commits pruned (with the commit still
    // there, Mix fetches the locked revision by its id, and the build passes).
    let repo = "tailwindlabs/heroicons.git";
    git.git_in(repo, &["tag", "--delete", "v2.1.1"]);
    git.git_in(repo, &["reflog", "expire", "--expire=now", "--all"]);
    git.git_in(repo, &["gc", "--quiet", "--prune=now"]);
    let mut gone = shop_config(&builder, &mirror, &git);
    gone.expected_pack_result(PackResult::Failure);
    TestRunner::default().build(&gone, |context| {
        assert_contains!(
            context.pack_stderr,
            &formatdoc! {"
                ! The git dependency `heroicons` names tag v2.1.1, which its repository no longer has
                !
                ! mix.exs asks for tag v2.1.1 of https://github.com/tailwindlabs/heroicons.git (fetched as {url}tailwindlabs/heroicons.git, through BP_GIT_URL_REWRITES), and mix.lock pins
                ! it at 88ab3a0d790e6a47404cba02800a6b25d2afae50; the repository answered, without tag v2.1.1.
                !
                ! If it was moved or deleted upstream, name one that exists in mix.exs and update the
                ! lock, for example:
                !
                !     mix deps.update heroicons
                ", url = git.url}
        );

        // The server down, on a cold build (the failed build cached nothing).
        let down = GitServer::heroicons();
        let down_config = shop_config(&builder, &mirror, &down);
        let down_url = down.url.clone();
        drop(down);
        let mut unreachable = down_config.clone();
        unreachable.expected_pack_result(PackResult::Failure);
        context.rebuild(&unreachable, |rebuild| {
            assert_contains!(
                rebuild.pack_stderr,
                &formatdoc! {"
                    ! Fetching the git dependency `heroicons` failed: its repository did not answer
                    !
                    ! Mix needs https://github.com/tailwindlabs/heroicons.git (fetched as {down_url}tailwindlabs/heroicons.git, through BP_GIT_URL_REWRITES) for `heroicons` (mix.lock pins 88ab3a0d790e6a47404cba02800a6b25d2afae50), and git
                    ! said: fatal: unable to connect to 127.0.0.1:"}
            );

            // The Hex repository down on a cold build, git answering: named, with what to set.
            let hex_down = format!("http://127.0.0.1:{}", crate::heroku::free_port());
            let answering = GitServer::heroicons();
            let mut no_hex = shop_config(&builder, &mirror, &answering);
            no_hex.env("HEX_MIRROR", &hex_down);
            no_hex.expected_pack_result(PackResult::Failure);
            let packages = std::fs::read_to_string(crate::fixture("shop").join("mix.lock"))
                .expect("the shop's mix.lock")
                .lines()
                .filter(|line| line.contains(": {:hex,"))
                .count();
            rebuild.rebuild(&no_hex, |failed| {
                assert_contains!(
                    failed.pack_stderr,
                    &formatdoc! {"
                        ! Fetching Hex packages failed: the Hex repository did not answer
                        !
                        ! Mix needs the {packages} Hex package(s) mix.lock pins from {hex_down} (HEX_MIRROR), and
                        ! asking it for {hex_down}/names got: "}
                );
            });
        });
    });
}
