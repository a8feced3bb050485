//! What the user told us: build env, `elixir_buildpack.config`, `.tool-versions`, facts from `mix.exs`,
//! the Procfile and `app.json`. Parsers are pure; the readers here print their warnings.

pub(crate) mod app_json;
pub(crate) mod classic_config;
pub(crate) mod config;
pub(crate) mod git_settings;
pub(crate) mod hex_settings;
pub(crate) mod mix_lock;
pub(crate) mod mix_project;
pub(crate) mod package_json;
pub(crate) mod phoenix_static_config;
pub(crate) mod procfile;
pub(crate) mod tool_versions;
pub(crate) mod version_request;

use bullet_stream::global::print;
use config::PlatformEnv;
use procfile::ProcfileEntry;
use std::path::Path;

/// Reading one of the app's files (the Procfile, `app.json`) failed.
#[derive(Debug)]
pub(crate) enum AppFileError {
    Read(std::io::Error),
    Procfile(procfile::MalformedLine),
}

/// Reads the Procfile, if any.
pub(crate) fn read_procfile(app_dir: &Path) -> Result<Vec<ProcfileEntry>, AppFileError> {
    let contents = match fs_err::read_to_string(app_dir.join("Procfile")) {
        Ok(contents) => contents,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(AppFileError::Read(error)),
    };
    procfile::parse(&contents).map_err(AppFileError::Procfile)
}

/// Reads `app.json`, if any, printing its warnings; a malformed file is a warning, never an error.
/// `classic`: the build runs on Heroku's classic generation.
pub(crate) fn read_app_json(
    app_dir: &Path,
    env: &impl PlatformEnv,
    classic: bool,
) -> Result<app_json::ReviewApp, AppFileError> {
    let contents = match fs_err::read_to_string(app_dir.join("app.json")) {
        Ok(contents) => contents,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(app_json::ReviewApp::default());
        }
        Err(error) => return Err(AppFileError::Read(error)),
    };
    let review_app = app_json::read(&contents, &|name| env.get(name).is_some(), classic);
    for warning in &review_app.warnings {
        print::warning(warning);
    }
    Ok(review_app)
}
