//! The build's error: what any stage, or the front-end running the build, failed with. Each stage
//! returns its own error type and `?` converts it here; the text for all of them is rendered in
//! `src/errors.rs`.

use crate::assets::AssetsError;
use crate::frontend::FrontendError;
use crate::inputs::AppFileError;
use crate::inputs::config::ConfigError;
use crate::inputs::git_settings::GitSettingsError;
use crate::inputs::hex_settings::HexSettingsError;
use crate::mix::MixError;
use crate::release::ReleaseError;
use crate::toolchain::{InstallError, ToolchainError};

#[derive(Debug)]
pub(crate) enum ElixirBuildpackError {
    Config(ConfigError),
    Toolchain(ToolchainError),
    AppFile(AppFileError),
    Install(InstallError),
    Mix(MixError),
    Assets(AssetsError),
    Release(ReleaseError),
    WriteRelease(std::io::Error),
    SlimAppDir(std::io::Error),
    /// The front-end (or the cache helpers over it) failed.
    Frontend(FrontendError),
    /// A bug in the buildpack, not a problem of the app.
    Internal(String),
    /// A Distillery project whose build would run on OTP 25 or later.
    DistilleryOnOtp25 {
        otp: String,
        source: crate::sourced::Source,
        release: String,
    },
    /// Classic builds: `ENV_DIR` can't be read.
    ReadEnvDir(std::io::Error),
    /// A Hex mirror or organization setting is invalid.
    HexSettings(HexSettingsError),
    GitSettings(GitSettingsError),
    /// `mix.lock` has merge-conflict markers.
    LockConflict(crate::inputs::mix_lock::ConflictMarker),
    /// Mix-at-runtime mode (for `why`: the Procfile entry that runs Mix, or `release=false`), and a
    /// Procfile entry or `app.json` script runs a release from `_build` that no hook made.
    ReleaseNotBuilt {
        missing: crate::launch::processes::ReleaseNotBuilt,
        why: Option<crate::inputs::procfile::ProcfileEntry>,
    },
}

impl From<FrontendError> for ElixirBuildpackError {
    fn from(error: FrontendError) -> Self {
        Self::Frontend(error)
    }
}

impl From<AppFileError> for ElixirBuildpackError {
    fn from(error: AppFileError) -> Self {
        Self::AppFile(error)
    }
}

impl From<AssetsError> for ElixirBuildpackError {
    fn from(error: AssetsError) -> Self {
        Self::Assets(error)
    }
}

impl From<ReleaseError> for ElixirBuildpackError {
    fn from(error: ReleaseError) -> Self {
        Self::Release(error)
    }
}

impl From<MixError> for ElixirBuildpackError {
    fn from(error: MixError) -> Self {
        Self::Mix(error)
    }
}

impl From<InstallError> for ElixirBuildpackError {
    fn from(error: InstallError) -> Self {
        Self::Install(error)
    }
}
