//! One file per layer. Each cached layer carries typed metadata saying what it was built for; a layer
//! whose metadata no longer matches is discarded with every reason printed.

pub(crate) mod build;
pub(crate) mod deps;
pub(crate) mod elixir;
pub(crate) mod erlang;
pub(crate) mod mix_home;
pub(crate) mod release;

use crate::ElixirBuildpack;
use bullet_stream::global::print;
use libcnb::build::BuildContext;
use libcnb::data::layer::LayerName;
use libcnb::layer::{
    CachedLayerDefinition, EmptyLayerCause, InvalidMetadataAction, LayerRef, LayerState, RestoredLayerAction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Layer metadata that knows why a cached layer can't serve a new build.
pub(crate) trait CacheKey: Serialize + DeserializeOwned {
    /// Human-readable reasons, each completing "since ...", empty when the cache is good.
    fn invalidation_reasons(&self, new: &Self) -> Vec<String>;
}

pub(crate) type CachedLayer = LayerRef<ElixirBuildpack, String, Vec<String>>;

/// Where a layer's contents are visible: to later build steps and buildpacks, and in the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Availability {
    pub(crate) build: bool,
    pub(crate) launch: bool,
}

impl Availability {
    /// Build-time contents that ship in the image only in mix-at-runtime mode.
    pub(crate) fn build_and_launch_if(launch: bool) -> Self {
        Self { build: true, launch }
    }
}

/// Whether a cached layer's contents can be used as they are.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CacheState {
    Reused,
    /// Empty: first build, or the cache was discarded (and why, already printed).
    Empty,
}

/// Restores the named cached layer when its metadata matches `metadata`, else empties it and prints why.
/// `what` names the contents in messages ("Erlang/OTP"); `always_rebuild` discards every cache.
pub(crate) fn restore<M: CacheKey>(
    context: &BuildContext<ElixirBuildpack>,
    name: LayerName,
    availability: Availability,
    metadata: &M,
    always_rebuild: bool,
    what: &str,
) -> libcnb::Result<(CachedLayer, CacheState), crate::ElixirBuildpackError> {
    let layer = context.cached_layer(
        name,
        CachedLayerDefinition {
            build: availability.build,
            launch: availability.launch,
            invalid_metadata_action: &|_| {
                (
                    InvalidMetadataAction::DeleteLayer,
                    String::from("it was written by an older version of this buildpack"),
                )
            },
            restored_layer_action: &|cached: &M, _| {
                let mut reasons = cached.invalidation_reasons(metadata);
                if always_rebuild {
                    reasons.push(String::from(
                        "`always_rebuild=true` is set in elixir_buildpack.config",
                    ));
                }
                if reasons.is_empty() {
                    (RestoredLayerAction::KeepLayer, reasons)
                } else {
                    (RestoredLayerAction::DeleteLayer, reasons)
                }
            },
        },
    )?;
    let state = match &layer.state {
        LayerState::Restored { .. } => CacheState::Reused,
        LayerState::Empty { cause } => {
            match cause {
                EmptyLayerCause::NewlyCreated => {}
                EmptyLayerCause::InvalidMetadataAction { cause } => {
                    print::sub_bullet(format!("Discarding cached {what} since {cause}"));
                }
                EmptyLayerCause::RestoredLayerAction { cause } => {
                    print::sub_bullet(format!("Discarding cached {what} since {}", cause.join(", and ")));
                }
            }
            CacheState::Empty
        }
    };
    Ok((layer, state))
}

/// The toolchain a cached layer was built with: Mix output is only valid for the same OTP and Elixir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ToolchainVersions {
    otp: String,
    elixir: String,
}

impl ToolchainVersions {
    pub(crate) fn of(toolchain: &crate::toolchain::Toolchain) -> Self {
        Self::new(
            &toolchain.otp.display_version(),
            &toolchain.elixir.display_version(),
        )
    }

    pub(crate) fn new(otp: &str, elixir: &str) -> Self {
        Self {
            otp: otp.to_string(),
            elixir: elixir.to_string(),
        }
    }

    pub(crate) fn push_reasons(&self, new: &Self, reasons: &mut Vec<String>) {
        push_if_changed(reasons, "the Erlang/OTP version", &self.otp, &new.otp);
        push_if_changed(reasons, "the Elixir version", &self.elixir, &new.elixir);
    }
}

/// Pushes a reason when a value changed: "the Elixir version changed from 1.17.3 to 1.18.3".
pub(crate) fn push_if_changed<T: PartialEq + std::fmt::Display + ?Sized>(
    reasons: &mut Vec<String>,
    what: &str,
    cached: &T,
    new: &T,
) {
    if cached != new {
        reasons.push(format!("{what} changed from {cached} to {new}"));
    }
}

/// Makes `app_dir/name` a symlink to a layer, so Mix uses the cached directory in place. A real
/// directory of that name in the app (committed build output) is replaced, with a warning.
pub(crate) fn link_into_app(
    app_dir: &std::path::Path,
    name: &str,
    layer_path: &std::path::Path,
) -> Result<(), crate::ElixirBuildpackError> {
    let link = app_dir.join(name);
    match fs_err::symlink_metadata(&link) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            fs_err::remove_file(&link).map_err(crate::ElixirBuildpackError::LinkCache)?;
        }
        Ok(metadata) => {
            print::warning(format!(
                "Your app contains a `{name}` {kind}, which is build output. It is replaced by this \
                 buildpack's cached `{name}`. Add `/{name}` to your .gitignore (and .dockerignore) to \
                 silence this warning.",
                kind = if metadata.is_dir() { "directory" } else { "file" }
            ));
            if metadata.is_dir() {
                fs_err::remove_dir_all(&link)
            } else {
                fs_err::remove_file(&link)
            }
            .map_err(crate::ElixirBuildpackError::LinkCache)?;
        }
        Err(_) => {}
    }
    fs_err::os::unix::fs::symlink(layer_path, &link).map_err(crate::ElixirBuildpackError::LinkCache)
}
