//! Every user-facing error message: what happened, what we found (with where it came from), how to fix
//! it, and an example. The top floor: each stage returns its own error type, the pipeline gathers them in
//! [`ElixirBuildpackError`], and the front-ends render it here (CNB `on_error`, the classic entry); no
//! stage imports this module.

use crate::assets::AssetsError;
use crate::assets::node::NodeError;
use crate::assets::tool_binaries::ToolBinaryError;
use crate::frontend::FrontendError;
use crate::inputs::AppFileError;
use crate::inputs::classic_config::SyntaxError;
use crate::inputs::config::{CLASSIC_CONFIG_FILE, ConfigError, Sourced};
use crate::inputs::git_settings::{self, GitSettingsError};
use crate::inputs::hex_settings::{self, HexSettingsError};
use crate::inputs::procfile::MalformedLine;
use crate::mix::MixError;
use crate::pipeline::ElixirBuildpackError;
use crate::release::ReleaseError;
use crate::release::inputs::InputsError;
use crate::toolchain::archive::ArchiveError;
use crate::toolchain::download::DownloadError;
use crate::toolchain::versions::ResolveError;
use crate::toolchain::{Host, InstallError, ToolchainError};
use bullet_stream::fun_run::CmdError;
use indoc::formatdoc;

/// The errors as the messages below know them: one case per message.
#[derive(Clone, Copy)]
enum Leaf<'a> {
    Config(&'a ConfigError),
    Toolchain(&'a ToolchainError),
    Download(&'a DownloadError),
    /// The index lists a toolchain build whose archive the mirror doesn't have.
    ArchiveMissing {
        tool: &'static str,
        config_key: &'static str,
        error: &'a DownloadError,
        alternatives: &'a [String],
    },
    Unpack(&'a ArchiveError),
    TempFile(&'a std::io::Error),
    OtpInstall(&'a String),
    ReadAppFile(&'a std::io::Error),
    ReleaseInputs(&'a crate::release::inputs::InputsError),
    LinkCache(&'a std::io::Error),
    WriteCache(&'a std::io::Error),
    MixCommand(&'a CmdError),
    /// A step of several run in one Mix process failed.
    MixStep {
        step: &'a String,
        error: &'a CmdError,
    },
    Hook {
        key: &'a String,
        script: &'a String,
        error: &'a CmdError,
    },
    ProjectInfo(&'a String),
    UmbrellaWithoutReleases,
    ReleaseWithoutErts(&'a String),
    WriteRelease(&'a std::io::Error),
    SlimAppDir(&'a std::io::Error),
    Procfile(&'a MalformedLine),
    /// The front-end could not open or save a cache (a CNB layer, a classic cache dir).
    Cache(&'a String),
    /// A bug in the buildpack, not a problem of the app.
    Internal(&'a String),
    /// Classic builds: the slug's runtime path can't be prepared.
    RuntimePath {
        path: &'a std::path::PathBuf,
        error: &'a std::io::Error,
    },
    RelativeRuntimePath(&'a Sourced<String>),
    /// A Distillery project whose build would run on OTP 25 or later.
    DistilleryOnOtp25 {
        otp: &'a String,
        source: &'a crate::inputs::config::Source,
        release: &'a String,
    },
    /// Classic builds: `ENV_DIR` can't be read.
    ReadEnvDir(&'a std::io::Error),
    /// A Hex mirror or organization setting is invalid.
    HexSettings(&'a HexSettingsError),
    GitSettings(&'a GitSettingsError),
    /// `mix.lock` has git dependencies (these) and the build image has no `git`.
    GitMissing(&'a Vec<String>),
    /// Installing Node.js for the assets failed.
    Node(&'a NodeError),
    /// The assets' `package.json` is not JSON.
    PackageJson {
        path: &'a std::path::PathBuf,
        error: &'a String,
    },
    /// `mix deps.get` failed, and a git dependency's repository says why.
    GitFetch(&'a crate::mix::git::FetchProblem),
    /// `mix deps.get` failed, and the Hex repository says why.
    HexRepository(&'a crate::mix::hex_probe::RepositoryProblem),
    /// `mix.lock` has merge-conflict markers.
    LockConflict(&'a crate::inputs::mix_lock::ConflictMarker),
    /// Mix-at-runtime mode, and a Procfile entry runs a release from `_build` that no hook made.
    ReleaseNotBuilt {
        missing: &'a crate::launch::processes::ReleaseNotBuilt,
        why: Option<&'a crate::inputs::procfile::ProcfileEntry>,
    },
    /// A command of the assets step (the package manager, the classic `compile` script) failed.
    AssetsCommand(&'a CmdError),
    /// Supplying esbuild's or tailwind's binary from `BP_ESBUILD_URL`/`BP_TAILWIND_URL` failed.
    ToolBinary(&'a ToolBinaryError),
    /// Applying a Hex setting (`mix hex.repo ...`, `mix local.public_keys`) failed; secrets redacted.
    HexConfig {
        what: &'a String,
        output: &'a String,
    },
}

fn leaf_of_frontend(error: &FrontendError) -> Leaf<'_> {
    match error {
        FrontendError::Internal(error) => Leaf::Internal(error),
        FrontendError::Cache(error) => Leaf::Cache(error),
        FrontendError::LinkCache(error) => Leaf::LinkCache(error),
        FrontendError::RuntimePath { path, error } => Leaf::RuntimePath { path, error },
        FrontendError::RelativeRuntimePath(error) => Leaf::RelativeRuntimePath(error),
    }
}

fn leaf_of_assets(error: &AssetsError) -> Leaf<'_> {
    match error {
        AssetsError::Frontend(error) => leaf_of_frontend(error),
        AssetsError::Mix(error) => leaf_of_mix(error),
        AssetsError::TempFile(error) => Leaf::TempFile(error),
        AssetsError::Download(error) => Leaf::Download(error),
        AssetsError::Unpack(error) => Leaf::Unpack(error),
        AssetsError::ReadAppFile(error) => Leaf::ReadAppFile(error),
        AssetsError::WriteCache(error) => Leaf::WriteCache(error),
        AssetsError::LinkCache(error) => Leaf::LinkCache(error),
        AssetsError::SlimAppDir(error) => Leaf::SlimAppDir(error),
        AssetsError::Node(error) => Leaf::Node(error),
        AssetsError::PackageJson { path, error } => Leaf::PackageJson { path, error },
        AssetsError::AssetsCommand(error) => Leaf::AssetsCommand(error),
        AssetsError::ToolBinary(error) => Leaf::ToolBinary(error),
    }
}

fn leaf_of_release(error: &ReleaseError) -> Leaf<'_> {
    match error {
        ReleaseError::Frontend(error) => leaf_of_frontend(error),
        ReleaseError::Mix(error) => leaf_of_mix(error),
        ReleaseError::Inputs(error) => Leaf::ReleaseInputs(error),
        ReleaseError::UmbrellaWithoutReleases => Leaf::UmbrellaWithoutReleases,
        ReleaseError::WithoutErts(release) => Leaf::ReleaseWithoutErts(release),
        ReleaseError::WriteRelease(error) => Leaf::WriteRelease(error),
    }
}

fn leaf_of_mix(error: &MixError) -> Leaf<'_> {
    match error {
        MixError::Frontend(error) => leaf_of_frontend(error),
        MixError::TempFile(error) => Leaf::TempFile(error),
        MixError::ReadAppFile(error) => Leaf::ReadAppFile(error),
        MixError::WriteCache(error) => Leaf::WriteCache(error),
        MixError::MixCommand(error) => Leaf::MixCommand(error),
        MixError::MixStep { step, error } => Leaf::MixStep { step, error },
        MixError::Hook { key, script, error } => Leaf::Hook { key, script, error },
        MixError::ProjectInfo(output) => Leaf::ProjectInfo(output),
        MixError::HexConfig { what, output } => Leaf::HexConfig { what, output },
        MixError::GitMissing(deps) => Leaf::GitMissing(deps),
        MixError::GitFetch(problem) => Leaf::GitFetch(problem),
        MixError::HexRepository(problem) => Leaf::HexRepository(problem),
    }
}

/// The message case of an error (stages share some, as "Writing the build cache failed").
#[allow(clippy::match_same_arms)]
fn leaf(error: &ElixirBuildpackError) -> Leaf<'_> {
    match error {
        ElixirBuildpackError::Config(error) => Leaf::Config(error),
        ElixirBuildpackError::Toolchain(error) => Leaf::Toolchain(error),
        ElixirBuildpackError::WriteRelease(error) => Leaf::WriteRelease(error),
        ElixirBuildpackError::SlimAppDir(error) => Leaf::SlimAppDir(error),
        ElixirBuildpackError::AppFile(AppFileError::Procfile(error)) => Leaf::Procfile(error),
        ElixirBuildpackError::AppFile(AppFileError::Read(error)) => Leaf::ReadAppFile(error),
        ElixirBuildpackError::Install(InstallError::Frontend(error)) => leaf_of_frontend(error),
        ElixirBuildpackError::Install(InstallError::TempFile(error)) => Leaf::TempFile(error),
        ElixirBuildpackError::Install(InstallError::Download(error)) => Leaf::Download(error),
        ElixirBuildpackError::Install(InstallError::ArchiveMissing {
            tool,
            config_key,
            error,
            alternatives,
        }) => Leaf::ArchiveMissing {
            tool,
            config_key,
            error,
            alternatives,
        },
        ElixirBuildpackError::Install(InstallError::Unpack(error)) => Leaf::Unpack(error),
        ElixirBuildpackError::Install(InstallError::OtpInstall(output)) => Leaf::OtpInstall(output),
        ElixirBuildpackError::Install(InstallError::WriteCache(error)) => Leaf::WriteCache(error),
        ElixirBuildpackError::Internal(error) => Leaf::Internal(error),
        ElixirBuildpackError::Frontend(error) => leaf_of_frontend(error),
        ElixirBuildpackError::Mix(error) => leaf_of_mix(error),
        ElixirBuildpackError::Assets(error) => leaf_of_assets(error),
        ElixirBuildpackError::Release(error) => leaf_of_release(error),
        ElixirBuildpackError::DistilleryOnOtp25 { otp, source, release } => {
            Leaf::DistilleryOnOtp25 { otp, source, release }
        }
        ElixirBuildpackError::ReadEnvDir(error) => Leaf::ReadEnvDir(error),
        ElixirBuildpackError::HexSettings(error) => Leaf::HexSettings(error),
        ElixirBuildpackError::GitSettings(error) => Leaf::GitSettings(error),
        ElixirBuildpackError::LockConflict(error) => Leaf::LockConflict(error),
        ElixirBuildpackError::ReleaseNotBuilt { missing, why } => Leaf::ReleaseNotBuilt {
            missing,
            why: why.as_ref(),
        },
    }
}

fn release_not_built_message(
    missing: &crate::launch::processes::ReleaseNotBuilt,
    why: Option<&crate::inputs::procfile::ProcfileEntry>,
) -> String {
    let crate::launch::processes::ReleaseNotBuilt { runner, env, name } = missing;
    let (what, runs) = match runner {
        crate::launch::processes::Runner::Procfile { line, process_type } => (
            "The Procfile runs",
            format!("Procfile line {line} (`{process_type}`) runs"),
        ),
        crate::launch::processes::Runner::AppJsonScript(script) => {
            ("app.json runs", format!("The `{script}` script of app.json runs"))
        }
    };
    let (why, also) = match why {
        Some(mix) => (
            format!(
                "Procfile line {} (`{}`) runs `{}`",
                mix.line, mix.process_type, mix.command
            ),
            "",
        ),
        None => (
            String::from("`release=false` is set"),
            " (and remove `release=false`)",
        ),
    };
    formatdoc! {"
        {what} a release that this build doesn't make

        {runs} the release `{name}` from `_build/{env}/rel/{name}`, and no hook made it.
        The app runs with Mix at runtime ({why}), so this
        build makes no release: the process would fail to start.

        Either run every process from the release{also}, which this buildpack then builds (paths
        like `_build/{env}/rel/{name}/bin/{name}` keep working), migrations too, for example:

            release: {name} eval \"MyApp.Release.migrate()\"

        (`mix phx.gen.release` writes that module), or make the release in a hook, in {CLASSIC_CONFIG_FILE}:

            hook_post_compile=\"mix release --overwrite\"
    "}
}

/// For failures that are not the user's: a bug in the buildpack or in the platform running it.
pub(crate) fn internal_message(error: &dyn std::fmt::Display) -> String {
    formatdoc! {"
        Internal buildpack error

        {error}

        This is a bug in the Elixir buildpack (or the platform running it), not in your app.
        Please open an issue with the build output above.
    "}
}

const CONFIG_EXAMPLE: &str = "erlang_version=27.3.4\nelixir_version=1.18.3";

pub(crate) fn message(error: &ElixirBuildpackError) -> String {
    render(leaf(error))
}

#[allow(clippy::too_many_lines)]
fn render(error: Leaf<'_>) -> String {
    match error {
        Leaf::Config(error) => config_message(error),
        Leaf::Toolchain(error) => toolchain_message(error),
        Leaf::Download(error)
        | Leaf::ArchiveMissing {
            error,
            alternatives: [],
            ..
        } => download_message(error),
        Leaf::ArchiveMissing {
            tool,
            config_key,
            error,
            alternatives: alternatives @ [first, ..],
        } => formatdoc! {"
            Download not found

            {error}, although the index lists it.

            The mirror (HEX_BUILDS_URL) is incomplete. Retry later, or pin another {tool} version the
            index lists, the nearest being {nearest}. For example, in elixir_buildpack.config:

                {config_key}={first}
        ", nearest = alternatives.join(", ")},
        Leaf::Unpack(error) => formatdoc! {"
            Unpacking a toolchain archive failed

            {error}.

            The archive was verified against the index's checksum, so the index itself serves a bad
            archive. Nothing from it was kept. If you run your own builds.hex.pm mirror
            (HEX_BUILDS_URL), rebuild the archive; otherwise retry later.
        "},
        Leaf::TempFile(error) => formatdoc! {"
            Writing a temporary file failed

            {error}

            The build container may be out of disk space. Retry the build.
        "},
        Leaf::OtpInstall(output) => formatdoc! {"
            Installing Erlang/OTP failed

            OTP's `Install -minimal` script failed. Its output:

            {output}

            This points at a broken OTP build in the index (HEX_BUILDS_URL). Try another OTP
            version, for example in elixir_buildpack.config:

                erlang_version=27.3.4
        "},
        Leaf::ReadAppFile(error) | Leaf::ReleaseInputs(InputsError::Io(error)) => formatdoc! {"
            Reading your app's files failed

            {error}

            Every file of the app must be readable by the build user. A file committed without read
            permission, or a hook that changes permissions, causes this: fix the file's mode, for
            example `chmod a+r <file>` and commit it, then build again.
        "},
        Leaf::ReleaseInputs(InputsError::DanglingLink {
            link,
            target,
            resolved,
        }) => formatdoc! {"
            A link in your compiled app points to nothing

            `_build/<MIX_ENV>/{link}` links to `{target}`, which does not exist ({resolved}).
            `_build` is this buildpack's cache of Mix's build output, and Mix made this link when it
            compiled the dependency (it links each dependency's `priv` there), so the release can't be
            assembled from it.

            Build once without the cached `_build`: set `always_rebuild=true` in
            elixir_buildpack.config, build, then remove the line. For example:

                always_rebuild=true

            If it happens again, the dependency ships a link to a file it does not ship: look for
            `{target}` in its `deps/` directory.
        ", link = link.display(), target = target.display(), resolved = resolved.display()},
        Leaf::LinkCache(error) => formatdoc! {"
            Linking the cached deps/_build into the app failed

            {error}

            The build replaces `deps` and `_build` in the app dir with links to its caches, so the app
            dir must be writable by the build user, as it is on Heroku and CNB platforms. Retry the
            build; if it fails again, remove `deps` and `_build` from the repository, for example:

                git rm -r --cached deps _build
        "},
        Leaf::Internal(error) => internal_message(error),
        Leaf::RuntimePath { path, error } => formatdoc! {"
            Preparing the runtime path failed

            A classic build sees what ships in the slug at the path the slug runs from, {path},
            as Heroku's own buildpacks do, but creating {path}/.elixir-cnb failed: {error}

            On Heroku this path is writable during builds. Elsewhere, make it writable by the build
            user, or set `runtime_path` in {CLASSIC_CONFIG_FILE} to where the slug will run:

                runtime_path=/app
        ", path = path.display()},
        Leaf::RelativeRuntimePath(runtime_path) => formatdoc! {"
            `runtime_path` must be an absolute path

            Found `runtime_path={value}` ({source}). It is where the slug runs, so an absolute path,
            for example in {CLASSIC_CONFIG_FILE}:

                runtime_path=/app
        ", value = runtime_path.value, source = runtime_path.source},
        Leaf::ReadEnvDir(error) => formatdoc! {"
            Reading the app's config vars failed

            The classic build reads config vars from the ENV_DIR the platform passes to bin/compile,
            and reading it failed: {error}

            This is a problem of the platform running the build. Retry the build.
        "},
        Leaf::Cache(error) => formatdoc! {"
            Opening or saving the build cache failed

            {error}

            The build container may be out of disk space. Retry the build.
        "},
        Leaf::WriteCache(error) => formatdoc! {"
            Writing the build cache failed

            {error}

            The build container may be out of disk space. Retry the build.
        "},
        Leaf::MixCommand(error) => formatdoc! {"
            A Mix command failed

            {error}

            Its output is above. Fix the problem it reports and build again; run the same command
            locally with the same MIX_ENV to reproduce it, for example:

                MIX_ENV=prod mix compile
        "},
        Leaf::MixStep { step, error } => formatdoc! {"
            `mix {step}` failed

            It ran in one Mix process with the steps around it, which exited with {status}.

            Its output is above. Fix the problem it reports and build again; run the same command
            locally with the same MIX_ENV to reproduce it, for example:

                MIX_ENV=prod mix {step}
        ", status = error.status()},
        Leaf::Hook { key, script, error } => formatdoc! {"
            The `{key}` hook failed

            `{script}` (from {CLASSIC_CONFIG_FILE}) ran with `bash -c` in the app dir and failed:
            {error}

            Its output is above. Fix the command, or remove `{key}` from {CLASSIC_CONFIG_FILE}.
            Hooks run like this, so `&&`, pipes and `VAR=x cmd` work:

                {key}=\"mix assets.deploy && mix phx.digest\"
        "},
        Leaf::ProjectInfo(output) => formatdoc! {"
            Reading mix.exs failed

            Mix could not load your mix.exs:

            {output}

            Check that `mix compile` works locally with the same Elixir version.
        "},
        Leaf::DistilleryOnOtp25 { otp, source, release } => formatdoc! {"
            Distillery can't build releases on Erlang/OTP 25 or later

            This project builds its release with Distillery (rel/config.exs and a `:distillery`
            dependency in mix.exs), and this build would use Erlang/OTP {otp} ({source}). Since OTP 25,
            Distillery's release step resolves its `RELEASES` file against the Erlang install, so
            `mix distillery.release` fails, or overwrites the toolchain's own releases/RELEASES
            (Distillery issue 744, still open; Distillery 2.1.1 is its last release). Nothing was built.

            Either pin an Erlang/OTP older than 25, for example in {CLASSIC_CONFIG_FILE}:

                erlang_version=24.3.4.17

            or move to Elixir's own releases, two lines in mix.exs: remove the dependency

                {{:distillery, \"~> 2.1\"}},

            and add a release to `project`:

                releases: [{release}: [include_executables_for: [:unix]]]

            (rel/config.exs settings move to config/runtime.exs and rel/vm.args.eex). The buildpack
            builds and runs `mix release` releases with no further setup.
        "},
        Leaf::UmbrellaWithoutReleases => formatdoc! {"
            This umbrella project defines no releases

            Umbrella projects must say which apps go into a release. Add a `releases` entry to the
            root mix.exs, for example:

                releases: [
                  my_app: [applications: [my_app: :permanent, my_app_web: :permanent]]
                ]

            Or set `release=false` in {CLASSIC_CONFIG_FILE} to run with `mix` at runtime.
        "},
        Leaf::ReleaseWithoutErts(release) => formatdoc! {"
            Release `{release}` has no Erlang runtime (ERTS)

            The release leaves ERTS out (`include_erts: false`), so it runs on the Erlang/OTP installed
            where it runs, and the image has none: it would not boot. This buildpack ships Erlang/OTP with
            such a release when mix.exs says `include_erts: false` literally; it found no such line
            (Distillery's rel/config.exs is not read for it).

            Let the release include ERTS (the default): remove `include_erts`. Or, to run it on the image's
            Erlang/OTP, write the option literally in mix.exs, for example:

                releases: [
                  {release}: [include_erts: false]
                ]
        "},
        Leaf::WriteRelease(error) => formatdoc! {"
            Writing the release layer failed

            {error}

            The build container may be out of disk space. Retry the build.
        "},
        Leaf::Procfile(malformed) => formatdoc! {"
            Invalid Procfile

            Line {line} of the Procfile is not a `<type>: <command>` entry:

                {text}

            Each line names a process type (letters, digits, `_` and `-`) and its command, for example:

                web: my_app start
                release: my_app eval MyApp.Release.migrate
        ", line = malformed.line, text = malformed.text},
        Leaf::SlimAppDir(error) => formatdoc! {"
            Removing build output from the app dir failed

            {error}

            The release ships alone, so the build removes its `deps` and `_build` links and
            `node_modules` from the app dir, which must be writable by the build user, as it is on
            Heroku and CNB platforms. Retry the build.
        "},
        Leaf::HexSettings(error) => hex_settings_message(error),
        Leaf::GitSettings(error) => git_settings_message(error),
        Leaf::GitMissing(deps) => formatdoc! {"
            Git dependencies need `git`, and this build image has none

            mix.lock has git dependencies ({deps}), which Mix fetches with the `git` command, but there
            is no `git` on the build's PATH.

            Build with an image that has git (Heroku's builders and build images do), or add git to
            yours. To fetch them from elsewhere (a mirror), see {rewrites}.
        ", deps = deps.join(", "), rewrites = git_settings::URL_REWRITES},
        Leaf::Node(error) => node_message(error),
        Leaf::PackageJson { path, error } => formatdoc! {"
            Reading {path} failed

            {path} is not valid JSON: {error}

            npm would fail on it too. Fix the file, for example:

                {{\"private\": true, \"engines\": {{\"node\": \"24.x\"}}}}
        ", path = path.display()},
        Leaf::AssetsCommand(error) => formatdoc! {"
            Building the assets failed

            {error}

            Its output is above. Run the same command in your assets dir locally to reproduce it. To
            build the assets yourself instead, set a hook in {CLASSIC_CONFIG_FILE}, or turn the step
            off:

                assets_deploy=false
        "},
        Leaf::ToolBinary(error) => tool_binary_message(error),
        Leaf::GitFetch(problem) => git_fetch_message(problem),
        Leaf::HexRepository(problem) => hex_repository_message(problem),
        Leaf::LockConflict(marker) => formatdoc! {"
            mix.lock has unresolved merge conflicts

            Line {line} of mix.lock is `{text}`, a marker git leaves where a merge conflicted
            ({conflicts} conflicted part(s) in all). Mix can't read the file, and the build can't tell
            which versions to use.

            Resolve the conflicts and commit mix.lock. For example, take one side and let Mix
            bring the lock up to date with mix.exs:

                git checkout --theirs mix.lock
                mix deps.get
                git commit mix.lock
        ", line = marker.line, text = marker.text, conflicts = marker.conflicts},
        Leaf::ReleaseNotBuilt { missing, why } => release_not_built_message(missing, why),
        Leaf::HexConfig { what, output } => formatdoc! {"
            Configuring Hex failed

            {what}: Hex's command failed with this output (secrets redacted):

            {output}

            Check the Hex settings of the build (HEX_MIRROR, HEX_MIRROR_PUBLIC_KEY,
            HEX_MIRROR_INSTALLS_PUBLIC_KEY, HEX_ORGANIZATION, HEX_ORGANIZATION_KEY), for example:

                HEX_MIRROR=https://hex.internal.example
                HEX_MIRROR_PUBLIC_KEY=config/hex_mirror_public_key.pem
        "},
    }
}

fn node_message(error: &NodeError) -> String {
    use crate::assets::node::{DEFAULT_MIRROR, MIRROR_SETTING};
    match error {
        NodeError::Index { url, error } => formatdoc! {"
            Reading the Node.js release index failed

            {url}: {error}.

            The assets need Node.js (they have a package.json), and the release index of
            {MIRROR_SETTING} (default {DEFAULT_MIRROR}) could not be read. Retry the build; if it
            keeps failing, check that the mirror serves index.json, or pin an exact version so that no
            index is needed, for example in phoenix_static_buildpack.config:

                node_version=24.11.1
        "},
        NodeError::Resolve(error) => formatdoc! {"
            Unknown Node.js version

            {error}.

            Pick an available version, for example in phoenix_static_buildpack.config (or with a
            `nodejs` line in .tool-versions, or `engines.node` in package.json):

                node_version=24
        "},
        NodeError::NoChecksum { url, file } => formatdoc! {"
            No checksum for Node.js

            {url} has no SHA-256 for {file}, so the download can't be verified and was not made.
            If you run your own mirror ({MIRROR_SETTING}), publish SHASUMS256.txt as nodejs.org does;
            otherwise pick another version, for example:

                node_version=24
        "},
    }
}

fn git_settings_message(error: &GitSettingsError) -> String {
    let (rewrites, credentials) = (git_settings::URL_REWRITES, git_settings::CREDENTIALS);
    match error {
        GitSettingsError::NotARewrite(entry) => formatdoc! {"
            {rewrites} has an entry that is not FROM=TO

            Found `{entry}`. Each entry (separated by spaces or newlines) is a URL prefix of git
            dependencies, `=`, and the prefix to fetch them from instead, as git's
            `url.<TO>.insteadOf <FROM>`. For example:

                {rewrites}=https://github.com/=https://git.mirror.example.com/github/
        "},
        GitSettingsError::CredentialsInRewrite(entry) => formatdoc! {"
            {rewrites} has a password in a URL

            Found `{entry}`. URLs are printed (by this buildpack and by git), so they carry no
            credentials: give them in {credentials}, which git reads from a file that is never
            printed or kept. For example:

                {credentials}=https://x-access-token:<token>@github.com
        "},
        GitSettingsError::NotACredential(shown) => formatdoc! {"
            {credentials} has an entry that is not a URL with a user and password

            Found `{shown}`. Each entry (separated by spaces or newlines) is a line of git's
            credential store: https://USER:PASSWORD@HOST, sent only to that host. For a GitHub token:

                {credentials}=https://x-access-token:<token>@github.com
        "},
    }
}

fn hex_settings_message(error: &HexSettingsError) -> String {
    use hex_settings::{INSTALLS_PUBLIC_KEY, MIRROR, MIRROR_PUBLIC_KEY, ORGANIZATION, ORGANIZATION_KEY};
    match error {
        HexSettingsError::KeyFile { setting, path, error } => formatdoc! {"
            Reading the key in {setting} failed

            {setting} is set to `{path}`, which is read as the path of a PEM file in your app, and
            reading it failed: {error}

            Commit the public key to your app and give its path, or give the PEM text itself:

                {setting}=config/hex_mirror_public_key.pem
        ", path = path.display()},
        HexSettingsError::NotAPublicKey { setting, origin } => formatdoc! {"
            {setting} is not a public key

            The key from {origin} has no `-----BEGIN PUBLIC KEY-----` block. Hex and Mix verify a
            mirror's signatures with the mirror's public key in PEM form (never a private key or a
            certificate), for example the `public_key` file a `mix hex.registry build` repository
            serves:

                {setting}=config/hex_mirror_public_key.pem
        "},
        HexSettingsError::KeyWithoutMirror => formatdoc! {"
            {MIRROR_PUBLIC_KEY} is set without {MIRROR}

            {MIRROR_PUBLIC_KEY} is the key a Hex mirror signs its registry with; without {MIRROR},
            packages come from hex.pm, which is verified with Hex's built-in key. Set the mirror's URL
            too, or remove {MIRROR_PUBLIC_KEY}. For example:

                {MIRROR}=https://hex.internal.example
                {MIRROR_PUBLIC_KEY}=config/hex_mirror_public_key.pem

            ({INSTALLS_PUBLIC_KEY} is the key of the mirror's Hex and rebar3 install lists.)
        "},
        HexSettingsError::IncompleteOrganization { missing } => formatdoc! {"
            Incomplete Hex organization settings: {missing} is missing

            A private Hex organization needs its name in {ORGANIZATION} and a key with access to
            its repository in {ORGANIZATION_KEY} (generate one with
            `mix hex.organization key ORGANIZATION generate --permission repository`). For example:

                {ORGANIZATION}=acme
                {ORGANIZATION_KEY}=<the generated key>
        "},
        HexSettingsError::InvalidOrganizationName(name) => formatdoc! {"
            Invalid Hex organization name

            {ORGANIZATION} is `{name}`, but organization names are lowercase letters, digits and
            underscores, as in your deps' `organization:` option. For example:

                {ORGANIZATION}=acme
        "},
    }
}

fn syntax_message(error: &SyntaxError) -> String {
    let SyntaxError { line, keys, kind } = error;
    let key = if keys.is_empty() {
        String::new()
    } else {
        format!(" ({})", crate::inputs::config::code_list(keys))
    };
    formatdoc! {"
        {CLASSIC_CONFIG_FILE} needs a shell to evaluate

        Line {line}{key} contains {kind}.

        The classic buildpacks ran this file with bash. This buildpack reads it as data and never
        runs it, so only `key=value` assignments are accepted (several on a line, quotes, comments,
        `export` and arrays are fine). Write the value itself, for example:

        {CONFIG_EXAMPLE}
    "}
}

fn config_message(error: &ConfigError) -> String {
    match error {
        ConfigError::Read(error) => formatdoc! {"
            Reading the app's config files failed

            {error}

            The build reads elixir_buildpack.config, .tool-versions and mix.exs from the app dir. Make
            them readable by the build user (for example `chmod a+r elixir_buildpack.config` and
            commit it), then build again.
        "},
        ConfigError::ClassicSyntax(error) => syntax_message(error),
        ConfigError::InvalidOtpVersion(sourced) => formatdoc! {"
            Invalid Erlang/OTP version

            The Erlang/OTP version `{value}` ({source}) is not a version.

            Use an exact version, a partial one (the newest matching build is used) or `OTP-`
            prefixed one, for example:

                erlang_version=27.3.4
                erlang_version=27
        ", value = sourced.value, source = sourced.source},
        ConfigError::InvalidElixirVersion(sourced) => formatdoc! {"
            Invalid Elixir version

            The Elixir version `{value}` ({source}) is not a version.

            Use an exact version, a partial one (the newest matching build is used), optionally
            with a `v` prefix or an `-otp-NN` suffix, or a branch build, for example:

                elixir_version=1.18.3
                elixir_version=1.18
                elixir_version=(branch main)
        ", value = sourced.value, source = sourced.source},
        ConfigError::InvalidBoolean { key, value, line } => formatdoc! {"
            Invalid value for `{key}`

            Line {line} of {CLASSIC_CONFIG_FILE} sets `{key}={value}`, but only `true` and `false`
            are accepted, for example:

                {key}=true
        "},
        ConfigError::InvalidMixEnv(value) => formatdoc! {"
            Invalid MIX_ENV

            MIX_ENV is set to `{value}`, which is not a Mix environment name (letters, digits
            and underscores). For example:

                MIX_ENV=prod
        "},
    }
}

fn list(values: &[String]) -> String {
    if values.is_empty() {
        String::from("none")
    } else {
        values.join(", ")
    }
}

fn toolchain_message(error: &ToolchainError) -> String {
    match error {
        ToolchainError::UnsupportedArch(arch) => formatdoc! {"
            Unsupported CPU architecture

            This build runs on `{arch}`, but Erlang/OTP builds exist only for amd64 and arm64.
            Use a builder for one of those, for example `heroku/builder:24`.
        "},
        ToolchainError::UnsupportedDistro { platform, url } => match &platform.host {
            Host::Builder => formatdoc! {"
                No Erlang/OTP builds for this distro

                The builder's run image is {distro} ({arch}), and the index has no Erlang/OTP
                builds for it: {url} does not exist.

                builds.hex.pm builds Erlang/OTP for Ubuntu releases. Use a builder based on one,
                for example:

                    pack build myapp --builder heroku/builder:24

                (or point HEX_BUILDS_URL at a mirror that serves {distro}).
            ", distro = platform.distro, arch = platform.arch},
            Host::HerokuStack(stack) => formatdoc! {"
                No Erlang/OTP builds for this stack

                This build runs on {distro} ({arch}){stack}, and the index has no Erlang/OTP
                builds for it: {url} does not exist.

                builds.hex.pm builds Erlang/OTP for the Ubuntu releases of Heroku's stacks. Move
                the app to one, for example:

                    heroku stack:set heroku-24

                (or set the HEX_BUILDS_URL config var to a mirror that serves {distro}).
            ",
                distro = platform.distro,
                arch = platform.arch,
                stack = stack.as_ref().map_or_else(String::new, |stack| format!(", the {stack} stack"))
            },
        },
        ToolchainError::IndexDownload(error) => formatdoc! {"
            Downloading the version index failed

            {error}.

            The builds index (HEX_BUILDS_URL, default https://builds.hex.pm) could not be read.
            Retry the build; if it keeps failing, check that the URL is reachable from the build.
        "},
        ToolchainError::Resolve { error, source } => {
            let source = source
                .as_ref()
                .map_or_else(String::new, |source| format!(" ({source})"));
            resolve_message(error, &source)
        }
    }
}

fn resolve_message(error: &ResolveError, source: &str) -> String {
    match error {
        ResolveError::NoOtpBuild { request, nearest } => formatdoc! {"
            Unknown Erlang/OTP version

            There is no Erlang/OTP build for `{request}`{source} on this builder's distro.
            The nearest available versions: {nearest}.

            Pick one of them, for example in elixir_buildpack.config:

                erlang_version={example}
        ", nearest = list(nearest), example = nearest.first().map_or("27", String::as_str)},
        ResolveError::NoElixirBuild { request, nearest } => formatdoc! {"
            Unknown Elixir version

            There is no Elixir build for `{request}`{source}. The nearest available versions for
            the installed Erlang/OTP: {nearest}.

            Pick one of them, for example in elixir_buildpack.config:

                elixir_version={example}
        ", nearest = list(nearest), example = nearest.first().map_or("1.18", String::as_str)},
        ResolveError::ElixirNotBuiltForOtp {
            request,
            otp_major,
            built_for_otp,
            available_for_otp,
        } => {
            let majors: Vec<String> = built_for_otp.iter().map(ToString::to_string).collect();
            formatdoc! {"
                Elixir {request} has no build for Erlang/OTP {otp_major}

                Elixir `{request}`{source} is built for OTP {majors}, but Erlang/OTP {otp_major} is
                selected. Elixir versions built for OTP {otp_major}: {available}.

                Pick a matching pair, for example:

                    erlang_version={first_major}
                    elixir_version={request}
            ", majors = majors.join(", "), available = list(available_for_otp),
            first_major = majors.last().map_or("27", String::as_str)}
        }
        ResolveError::ConflictingOtpMajor { request, otp_major } => formatdoc! {"
            Conflicting Erlang/OTP versions

            The Elixir version `{request}`{source} asks for another OTP major than the selected
            Erlang/OTP {otp_major}. Make them agree, for example:

                erlang_version={otp_major}
                elixir_version=1.18.3-otp-{otp_major}
        "},
        ResolveError::EmptyIndex => formatdoc! {"
            No usable builds in the index

            The builds index (HEX_BUILDS_URL){source} lists no stable build to use as a default.
            Pin the versions in elixir_buildpack.config, for example:

            {CONFIG_EXAMPLE}
        "},
    }
}

fn git_fetch_message(problem: &crate::mix::git::FetchProblem) -> String {
    use crate::mix::git::FetchProblem;
    let through = |fetched_from: &Option<String>| {
        fetched_from
            .as_ref()
            .map(|url| format!(" (fetched as {url}, through {})", git_settings::URL_REWRITES))
            .unwrap_or_default()
    };
    match problem {
        FetchProblem::Unreachable {
            dep,
            fetched_from,
            said,
        } => formatdoc! {"
            Fetching the git dependency `{name}` failed: its repository did not answer

            Mix needs {url}{through} for `{name}` (mix.lock pins {rev}), and git
            said: {said}

            `deps` has no checkout of that revision (a first build, or mix.lock changed), so the
            repository must answer. Check that the build can reach it; a mirror can stand in for it,
            and private repositories need a token, for example:

                {rewrites}=https://github.com/=https://git.internal.example/github/
                {credentials}=https://x-access-token:TOKEN@github.com
        ", name = dep.name, url = dep.url, through = through(fetched_from), rev = dep.rev,
        rewrites = git_settings::URL_REWRITES, credentials = git_settings::CREDENTIALS},
        FetchProblem::RefGone { dep, fetched_from } => {
            let wanted = dep
                .wanted
                .as_ref()
                .map(|(kind, value)| format!("{kind} {value}"))
                .unwrap_or_default();
            formatdoc! {"
                The git dependency `{name}` names {wanted}, which its repository no longer has

                mix.exs asks for {wanted} of {url}{through}, and mix.lock pins
                it at {rev}; the repository answered, without {wanted}.

                If it was moved or deleted upstream, name one that exists in mix.exs and update the
                lock, for example:

                    mix deps.update {name}
            ", name = dep.name, url = dep.url, through = through(fetched_from), rev = dep.rev}
        }
    }
}

fn hex_repository_message(problem: &crate::mix::hex_probe::RepositoryProblem) -> String {
    use crate::mix::hex_probe::{RepositoryProblem, names_url};
    match problem {
        RepositoryProblem::Down { repository, said } => formatdoc! {"
            Fetching Hex packages failed: the Hex repository did not answer

            Mix needs the {packages} Hex package(s) mix.lock pins from {url} ({origin}), and
            asking it for {names} got: {said}

            `deps` lacks some of them (a first build, or mix.lock changed), so the repository must
            answer. Check that the build can reach it, or point {mirror} at a mirror that has the
            packages (with {key} when its registry is signed with a key of its own), for example:

                {mirror}=https://hex-mirror.internal.example
        ", packages = repository.packages, url = repository.url, origin = repository.origin,
        names = names_url(&repository.url), mirror = hex_settings::MIRROR, key = hex_settings::MIRROR_PUBLIC_KEY},
        RepositoryProblem::NoRegistry { repository, status } => formatdoc! {"
            Fetching Hex packages failed: {url} is not a Hex repository

            Mix fetches the {packages} Hex package(s) mix.lock pins from {url} ({origin}), which
            answered HTTP {status} for {names}, the registry every Hex repository serves at its root.

            Set {mirror} to the repository's root URL, the one that serves `names`, `versions` and
            `packages/`, for example:

                {mirror}=https://repo.hex.pm
        ", packages = repository.packages, url = repository.url, origin = repository.origin,
        names = names_url(&repository.url), mirror = hex_settings::MIRROR},
    }
}

fn tool_binary_message(error: &ToolBinaryError) -> String {
    match error {
        ToolBinaryError::Download { tool, setting, error } => formatdoc! {"
            Downloading the {tool} binary failed

            {setting} says where the {tool} binary comes from, and {error}.

            Nothing was cached. Check that the URL {setting} makes is served (it replaces `$version`
            with the version your config pins and `$target` with the binary's target), for example:

                {setting}=https://mirror.example.com/{tool}/$version/{tool}-$target
        "},
        ToolBinaryError::WrongVersion {
            tool,
            setting,
            url,
            expected,
            said,
        } => formatdoc! {"
            The {tool} binary from {setting} is not the version your app pins

            Your config pins {tool} {expected}; the binary from {url} says {said}.

            It was discarded. Serve version {expected} at that URL (its `$version` and `$target`
            placeholders make the URL per version and target), or change the version in config/config.exs:

                config :{tool}, version: \"{said}\"
        "},
        ToolBinaryError::Write { path, error } => formatdoc! {"
            Writing the {tool} binary failed

            {error} ({path}).
        ", tool = path.file_name().map(|name| name.to_string_lossy().to_string()).unwrap_or_default(),
        path = path.display()},
    }
}

fn download_message(error: &DownloadError) -> String {
    match error {
        DownloadError::ChecksumMismatch { .. } => formatdoc! {"
            Checksum mismatch

            {error}.

            The download was discarded and nothing was cached. This happens when a mirror or proxy
            serves a corrupted or tampered file. Retry the build; if it persists, check the mirror
            (HEX_BUILDS_URL).
        "},
        DownloadError::NotFound { .. } => formatdoc! {"
            Download not found

            {error}, although the index lists it.

            The mirror (HEX_BUILDS_URL) is incomplete. Retry later, or pin another version.
        "},
        DownloadError::Failed { .. } | DownloadError::Io { .. } => formatdoc! {"
            Download failed

            {error}.

            Nothing was cached. Retry the build; if it keeps failing, check that HEX_BUILDS_URL
            (default https://builds.hex.pm) is reachable from the build.
        "},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::classic_config::SyntaxErrorKind;
    use crate::inputs::config::{Source, Sourced};

    #[test]
    fn a_distro_without_builds_says_what_to_change_on_each_generation() {
        let error = |platform: crate::toolchain::Platform| {
            message(&ElixirBuildpackError::Toolchain(
                ToolchainError::UnsupportedDistro {
                    url: format!(
                        "https://builds.hex.pm/builds/otp/amd64/{}/builds.txt",
                        platform.distro
                    ),
                    platform,
                },
            ))
        };
        let debian = crate::toolchain::Platform::new("x86_64", "debian", "12").expect("a platform");
        assert_eq!(
            error(debian.clone()),
            indoc::indoc! {"
                No Erlang/OTP builds for this distro

                The builder's run image is debian-12 (amd64), and the index has no Erlang/OTP
                builds for it: https://builds.hex.pm/builds/otp/amd64/debian-12/builds.txt does not exist.

                builds.hex.pm builds Erlang/OTP for Ubuntu releases. Use a builder based on one,
                for example:

                    pack build myapp --builder heroku/builder:24

                (or point HEX_BUILDS_URL at a mirror that serves debian-12).
            "}
        );
        assert_eq!(
            error(debian.clone().on_heroku_stack(Some("heroku-18".into()))),
            indoc::indoc! {"
                No Erlang/OTP builds for this stack

                This build runs on debian-12 (amd64), the heroku-18 stack, and the index has no Erlang/OTP
                builds for it: https://builds.hex.pm/builds/otp/amd64/debian-12/builds.txt does not exist.

                builds.hex.pm builds Erlang/OTP for the Ubuntu releases of Heroku's stacks. Move
                the app to one, for example:

                    heroku stack:set heroku-24

                (or set the HEX_BUILDS_URL config var to a mirror that serves debian-12).
            "}
        );
        assert_contains_line(
            &error(debian.on_heroku_stack(None)),
            "This build runs on debian-12 (amd64), and the index has no Erlang/OTP",
        );
    }

    fn assert_contains_line(text: &str, line: &str) {
        assert!(
            text.lines().any(|candidate| candidate == line),
            "{line:?} not in:\n{text}"
        );
    }

    #[test]
    fn a_line_that_needs_a_shell_names_its_keys() {
        let error = ElixirBuildpackError::Config(ConfigError::ClassicSyntax(SyntaxError {
            line: 3,
            keys: vec!["node_version".into(), "erlang_version".into()],
            kind: SyntaxErrorKind::CommandSubstitution("$(cat .nvmrc) erlang_version=27".into()),
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                elixir_buildpack.config needs a shell to evaluate

                Line 3 (`node_version`, `erlang_version`) contains command substitution `$(cat .nvmrc) erlang_version=27` (runs a command).

                The classic buildpacks ran this file with bash. This buildpack reads it as data and never
                runs it, so only `key=value` assignments are accepted (several on a line, quotes, comments,
                `export` and arrays are fine). Write the value itself, for example:

                erlang_version=27.3.4
                elixir_version=1.18.3
            "}
        );
        let command = ElixirBuildpackError::Config(ConfigError::ClassicSyntax(SyntaxError {
            line: 1,
            keys: Vec::new(),
            kind: SyntaxErrorKind::EmptyCommand,
        }));
        assert!(
            message(&command).contains(
                "\nLine 1 contains a `;` with nothing before it, a syntax error that makes bash stop reading the file.\n"
            ),
            "{}",
            message(&command)
        );
    }

    #[test]
    fn an_array_that_is_no_version_is_quoted_as_written() {
        let error = ElixirBuildpackError::Config(ConfigError::InvalidElixirVersion(Sourced {
            value: "(tag v1.16.3)".into(),
            source: Source::ClassicConfig { line: 2 },
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                Invalid Elixir version

                The Elixir version `(tag v1.16.3)` (from elixir_buildpack.config, line 2) is not a version.

                Use an exact version, a partial one (the newest matching build is used), optionally
                with a `v` prefix or an `-otp-NN` suffix, or a branch build, for example:

                    elixir_version=1.18.3
                    elixir_version=1.18
                    elixir_version=(branch main)
            "}
        );
    }

    #[test]
    fn a_release_without_erts_says_how_to_ship_it_or_include_it() {
        let error = ElixirBuildpackError::Release(ReleaseError::WithoutErts("my_app".into()));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                Release `my_app` has no Erlang runtime (ERTS)

                The release leaves ERTS out (`include_erts: false`), so it runs on the Erlang/OTP installed
                where it runs, and the image has none: it would not boot. This buildpack ships Erlang/OTP with
                such a release when mix.exs says `include_erts: false` literally; it found no such line
                (Distillery's rel/config.exs is not read for it).

                Let the release include ERTS (the default): remove `include_erts`. Or, to run it on the image's
                Erlang/OTP, write the option literally in mix.exs, for example:

                    releases: [
                      my_app: [include_erts: false]
                    ]
            "}
        );
    }

    #[test]
    fn a_procfile_release_that_mix_mode_doesn_t_build_says_both_ways_out() {
        let entry = |line: usize, process_type: &str, command: &str| crate::inputs::procfile::ProcfileEntry {
            process_type: process_type.into(),
            command: command.into(),
            line,
        };
        let missing = crate::launch::processes::ReleaseNotBuilt {
            runner: crate::launch::processes::Runner::Procfile {
                line: 1,
                process_type: "web".into(),
            },
            env: "prod".into(),
            name: "shop".into(),
        };
        let error = |why: Option<crate::inputs::procfile::ProcfileEntry>| {
            message(&ElixirBuildpackError::ReleaseNotBuilt {
                missing: missing.clone(),
                why,
            })
        };
        let script = message(&ElixirBuildpackError::ReleaseNotBuilt {
            missing: crate::launch::processes::ReleaseNotBuilt {
                runner: crate::launch::processes::Runner::AppJsonScript("postdeploy".into()),
                ..missing.clone()
            },
            why: None,
        });
        assert!(
            script.starts_with(
                "app.json runs a release that this build doesn't make\n\n\
                 The `postdeploy` script of app.json runs the release `shop` from `_build/prod/rel/shop`, and no \
                 hook made it.\n"
            ),
            "{script}"
        );
        assert_eq!(
            error(Some(entry(2, "release", "mix ecto.migrate"))),
            indoc::indoc! {r#"
                The Procfile runs a release that this build doesn't make

                Procfile line 1 (`web`) runs the release `shop` from `_build/prod/rel/shop`, and no hook made it.
                The app runs with Mix at runtime (Procfile line 2 (`release`) runs `mix ecto.migrate`), so this
                build makes no release: the process would fail to start.

                Either run every process from the release, which this buildpack then builds (paths
                like `_build/prod/rel/shop/bin/shop` keep working), migrations too, for example:

                    release: shop eval "MyApp.Release.migrate()"

                (`mix phx.gen.release` writes that module), or make the release in a hook, in elixir_buildpack.config:

                    hook_post_compile="mix release --overwrite"
            "#}
        );
        assert_contains_line(
            &error(None),
            "The app runs with Mix at runtime (`release=false` is set), so this",
        );
        assert_contains_line(
            &error(None),
            "Either run every process from the release (and remove `release=false`), which this buildpack then builds (paths",
        );
    }

    #[test]
    fn file_system_failures_say_what_to_do_after_the_error() {
        let io = || std::io::Error::other("Permission denied (os error 13)");
        let link = message(&ElixirBuildpackError::Frontend(FrontendError::LinkCache(io())));
        assert_eq!(
            link,
            indoc::indoc! {"
                Linking the cached deps/_build into the app failed

                Permission denied (os error 13)

                The build replaces `deps` and `_build` in the app dir with links to its caches, so the app
                dir must be writable by the build user, as it is on Heroku and CNB platforms. Retry the
                build; if it fails again, remove `deps` and `_build` from the repository, for example:

                    git rm -r --cached deps _build
            "}
        );
        // Each one: what failed, the error, then what to do.
        for error in [
            ElixirBuildpackError::AppFile(AppFileError::Read(io())),
            ElixirBuildpackError::Release(ReleaseError::WriteRelease(io())),
            ElixirBuildpackError::SlimAppDir(io()),
            ElixirBuildpackError::Config(ConfigError::Read(io())),
        ] {
            let text = message(&error);
            let paragraphs: Vec<&str> = text.trim_end().split("\n\n").collect();
            assert_eq!(paragraphs.len(), 3, "{text}");
            assert_eq!(paragraphs[1], "Permission denied (os error 13)", "{text}");
            assert!(
                ["Retry the build", "build again"]
                    .iter()
                    .any(|advice| paragraphs[2].contains(advice)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_link_to_nowhere_in_build_says_where_it_came_from_and_what_to_do() {
        let error = ElixirBuildpackError::Release(ReleaseError::Inputs(InputsError::DanglingLink {
            link: "lib/castore/priv".into(),
            target: "../../../../../../tmp/cache/elixir-cnb/deps/castore/priv".into(),
            resolved: "/tmp/tmp/cache/elixir-cnb/deps/castore/priv".into(),
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                A link in your compiled app points to nothing

                `_build/<MIX_ENV>/lib/castore/priv` links to `../../../../../../tmp/cache/elixir-cnb/deps/castore/priv`, which does not exist (/tmp/tmp/cache/elixir-cnb/deps/castore/priv).
                `_build` is this buildpack's cache of Mix's build output, and Mix made this link when it
                compiled the dependency (it links each dependency's `priv` there), so the release can't be
                assembled from it.

                Build once without the cached `_build`: set `always_rebuild=true` in
                elixir_buildpack.config, build, then remove the line. For example:

                    always_rebuild=true

                If it happens again, the dependency ships a link to a file it does not ship: look for
                `../../../../../../tmp/cache/elixir-cnb/deps/castore/priv` in its `deps/` directory.
            "}
        );
    }

    #[test]
    fn a_tool_binary_of_another_version_says_both_and_how_to_fix_it() {
        let error = ElixirBuildpackError::Assets(AssetsError::ToolBinary(ToolBinaryError::WrongVersion {
            tool: "esbuild",
            setting: "BP_ESBUILD_URL",
            url: "https://m/esbuild/0.17.11/esbuild-linux-x64".into(),
            expected: "0.17.11".into(),
            said: "0.25.0".into(),
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                The esbuild binary from BP_ESBUILD_URL is not the version your app pins

                Your config pins esbuild 0.17.11; the binary from https://m/esbuild/0.17.11/esbuild-linux-x64 says 0.25.0.

                It was discarded. Serve version 0.17.11 at that URL (its `$version` and `$target`
                placeholders make the URL per version and target), or change the version in config/config.exs:

                    config :esbuild, version: \"0.25.0\"
            "}
        );
        let error = ElixirBuildpackError::Assets(AssetsError::ToolBinary(ToolBinaryError::Download {
            tool: "tailwind",
            setting: "BP_TAILWIND_URL",
            error: DownloadError::NotFound {
                url: "https://m/tailwind/3.4.3/tailwind-linux-x64".into(),
                status: 404,
            },
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                Downloading the tailwind binary failed

                BP_TAILWIND_URL says where the tailwind binary comes from, and https://m/tailwind/3.4.3/tailwind-linux-x64 answered HTTP 404.

                Nothing was cached. Check that the URL BP_TAILWIND_URL makes is served (it replaces `$version`
                with the version your config pins and `$target` with the binary's target), for example:

                    BP_TAILWIND_URL=https://mirror.example.com/tailwind/$version/tailwind-$target
            "}
        );
    }

    #[test]
    fn a_missing_toolchain_archive_names_the_nearest_versions_to_pin() {
        let error = |alternatives: Vec<String>| {
            ElixirBuildpackError::Install(InstallError::ArchiveMissing {
                tool: "Erlang/OTP",
                config_key: "erlang_version",
                error: DownloadError::NotFound {
                    url: "https://m/builds/otp/amd64/ubuntu-24.04/OTP-27.3.4.tar.gz".into(),
                    status: 404,
                },
                alternatives,
            })
        };
        assert_eq!(
            message(&error(vec!["27.3.10".into(), "27.3".into()])),
            indoc::indoc! {"
                Download not found

                https://m/builds/otp/amd64/ubuntu-24.04/OTP-27.3.4.tar.gz answered HTTP 404, although the index lists it.

                The mirror (HEX_BUILDS_URL) is incomplete. Retry later, or pin another Erlang/OTP version the
                index lists, the nearest being 27.3.10, 27.3. For example, in elixir_buildpack.config:

                    erlang_version=27.3.10
            "}
        );
        // With no other version listed, what any missing download says.
        assert_eq!(
            message(&error(Vec::new())),
            indoc::indoc! {"
                Download not found

                https://m/builds/otp/amd64/ubuntu-24.04/OTP-27.3.4.tar.gz answered HTTP 404, although the index lists it.

                The mirror (HEX_BUILDS_URL) is incomplete. Retry later, or pin another version.
            "}
        );
    }

    #[test]
    fn a_conflicted_lock_names_the_line_and_how_to_resolve_it() {
        let error = ElixirBuildpackError::LockConflict(crate::inputs::mix_lock::ConflictMarker {
            line: 7,
            text: "<<<<<<< HEAD".into(),
            conflicts: 2,
        });
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                mix.lock has unresolved merge conflicts

                Line 7 of mix.lock is `<<<<<<< HEAD`, a marker git leaves where a merge conflicted
                (2 conflicted part(s) in all). Mix can't read the file, and the build can't tell
                which versions to use.

                Resolve the conflicts and commit mix.lock. For example, take one side and let Mix
                bring the lock up to date with mix.exs:

                    git checkout --theirs mix.lock
                    mix deps.get
                    git commit mix.lock
            "}
        );
    }

    #[test]
    fn a_git_ref_gone_names_the_dep_the_ref_and_where_it_was_fetched() {
        let dep = crate::mix::git::LockedGitDep {
            name: "heroicons".into(),
            url: "https://github.com/tailwindlabs/heroicons.git".into(),
            rev: "88ab3a0d790e6a47404cba02800a6b25d2afae50".into(),
            wanted: Some(("tag".into(), "v2.1.1".into())),
        };
        let error = ElixirBuildpackError::Mix(MixError::GitFetch(crate::mix::git::FetchProblem::RefGone {
            dep: dep.clone(),
            fetched_from: Some("git://127.0.0.1:9418/tailwindlabs/heroicons.git".into()),
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                The git dependency `heroicons` names tag v2.1.1, which its repository no longer has

                mix.exs asks for tag v2.1.1 of https://github.com/tailwindlabs/heroicons.git (fetched as git://127.0.0.1:9418/tailwindlabs/heroicons.git, through BP_GIT_URL_REWRITES), and mix.lock pins
                it at 88ab3a0d790e6a47404cba02800a6b25d2afae50; the repository answered, without tag v2.1.1.

                If it was moved or deleted upstream, name one that exists in mix.exs and update the
                lock, for example:

                    mix deps.update heroicons
            "}
        );
        let error = ElixirBuildpackError::Mix(MixError::GitFetch(crate::mix::git::FetchProblem::Unreachable {
            dep,
            fetched_from: None,
            said: "fatal: unable to access 'https://github.com/tailwindlabs/heroicons.git/': Could not resolve host: github.com".into(),
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                Fetching the git dependency `heroicons` failed: its repository did not answer

                Mix needs https://github.com/tailwindlabs/heroicons.git for `heroicons` (mix.lock pins 88ab3a0d790e6a47404cba02800a6b25d2afae50), and git
                said: fatal: unable to access 'https://github.com/tailwindlabs/heroicons.git/': Could not resolve host: github.com

                `deps` has no checkout of that revision (a first build, or mix.lock changed), so the
                repository must answer. Check that the build can reach it; a mirror can stand in for it,
                and private repositories need a token, for example:

                    BP_GIT_URL_REWRITES=https://github.com/=https://git.internal.example/github/
                    BP_GIT_CREDENTIALS=https://x-access-token:TOKEN@github.com
            "}
        );
    }

    #[test]
    fn a_hex_repository_down_or_not_one_says_which_and_what_to_set() {
        use crate::mix::hex_probe::{Repository, RepositoryProblem};
        let repository = Repository {
            url: "http://127.0.0.1:9".into(),
            origin: "HEX_MIRROR".into(),
            packages: 52,
        };
        let error = ElixirBuildpackError::Mix(MixError::HexRepository(RepositoryProblem::Down {
            repository: repository.clone(),
            said: "http://127.0.0.1:9/names: Connection refused".into(),
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                Fetching Hex packages failed: the Hex repository did not answer

                Mix needs the 52 Hex package(s) mix.lock pins from http://127.0.0.1:9 (HEX_MIRROR), and
                asking it for http://127.0.0.1:9/names got: http://127.0.0.1:9/names: Connection refused

                `deps` lacks some of them (a first build, or mix.lock changed), so the repository must
                answer. Check that the build can reach it, or point HEX_MIRROR at a mirror that has the
                packages (with HEX_MIRROR_PUBLIC_KEY when its registry is signed with a key of its own), for example:

                    HEX_MIRROR=https://hex-mirror.internal.example
            "}
        );
        let error = ElixirBuildpackError::Mix(MixError::HexRepository(RepositoryProblem::NoRegistry {
            repository,
            status: 404,
        }));
        assert_eq!(
            message(&error),
            indoc::indoc! {"
                Fetching Hex packages failed: http://127.0.0.1:9 is not a Hex repository

                Mix fetches the 52 Hex package(s) mix.lock pins from http://127.0.0.1:9 (HEX_MIRROR), which
                answered HTTP 404 for http://127.0.0.1:9/names, the registry every Hex repository serves at its root.

                Set HEX_MIRROR to the repository's root URL, the one that serves `names`, `versions` and
                `packages/`, for example:

                    HEX_MIRROR=https://repo.hex.pm
            "}
        );
    }
}
