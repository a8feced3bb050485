//! The build env settings that say where Hex packages come from and how the build trusts them:
//!
//! - `HEX_MIRROR`: Mix's and Hex's own setting, read here only to know the repository's URL;
//! - `HEX_MIRROR_PUBLIC_KEY`: the key the mirror's registry is signed with, when it is not hex.pm's own
//!   (a private or air-gapped repository). PEM text, or the path of a PEM file in the app;
//! - `HEX_MIRROR_INSTALLS_PUBLIC_KEY`: the key the mirror's `installs/*.csv.signed` lists are signed with,
//!   when not Elixir's own (what `mix local.hex` and `mix local.rebar` verify). PEM text or path;
//! - `HEX_ORGANIZATION` and `HEX_ORGANIZATION_KEY`: a private hex.pm organization (deps with
//!   `organization: "acme"`) and a key with read access to its repository.
//!
//! Trust is never implied: without a key setting, Hex and Mix verify with their built-in keys.

use std::fmt;
use std::path::{Path, PathBuf};

pub(crate) const MIRROR: &str = "HEX_MIRROR";
pub(crate) const MIRROR_PUBLIC_KEY: &str = "HEX_MIRROR_PUBLIC_KEY";
pub(crate) const INSTALLS_PUBLIC_KEY: &str = "HEX_MIRROR_INSTALLS_PUBLIC_KEY";
pub(crate) const ORGANIZATION: &str = "HEX_ORGANIZATION";
pub(crate) const ORGANIZATION_KEY: &str = "HEX_ORGANIZATION_KEY";

/// hex.pm's repository: organizations live under `/repos/<name>` of the repository URL.
pub(crate) const DEFAULT_REPO_URL: &str = "https://repo.hex.pm";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct HexSettings {
    pub(crate) mirror: Option<String>,
    pub(crate) mirror_public_key: Option<PublicKey>,
    pub(crate) installs_public_key: Option<PublicKey>,
    pub(crate) organization: Option<Organization>,
}

impl HexSettings {
    /// The repository packages come from: `HEX_MIRROR`, else hex.pm.
    pub(crate) fn repo_url(&self) -> &str {
        self.mirror.as_deref().unwrap_or(DEFAULT_REPO_URL)
    }
}

/// A public key in PEM form, and where it came from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicKey {
    pub(crate) pem: String,
    pub(crate) origin: String,
}

impl PublicKey {
    /// The first 16 hex digits of the PEM's SHA-256, to show which key is trusted.
    pub(crate) fn fingerprint(&self) -> String {
        crate::digest::sha256_hex(self.pem.trim().as_bytes())[..16].to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Organization {
    pub(crate) name: String,
    pub(crate) key: Secret,
}

/// A value that must never be printed: its `Debug` and `Display` say `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the secret replaced, for output that may contain it.
    pub(crate) fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.0, "[redacted]")
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug)]
pub(crate) enum HexSettingsError {
    /// A key setting names a file that can't be read.
    KeyFile {
        setting: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    /// A key setting holds (or names a file holding) something that is not a PEM public key.
    NotAPublicKey {
        setting: &'static str,
        origin: String,
    },
    /// `HEX_MIRROR_PUBLIC_KEY` without `HEX_MIRROR`: it would replace hex.pm's own key.
    KeyWithoutMirror,
    /// One of `HEX_ORGANIZATION` and `HEX_ORGANIZATION_KEY` without the other.
    IncompleteOrganization {
        missing: &'static str,
    },
    InvalidOrganizationName(String),
}

/// Reads the settings from the build env; key paths are relative to the app dir.
pub(crate) fn read(
    get: impl Fn(&str) -> Option<String>,
    app_dir: &Path,
) -> Result<HexSettings, HexSettingsError> {
    let public_key = |setting: &'static str| {
        get(setting)
            .map(|value| public_key(setting, &value, app_dir, |path| fs_err::read_to_string(path)))
            .transpose()
    };
    let mirror = get(MIRROR).map(|url| url.trim().trim_end_matches('/').to_string());
    let mirror_public_key = public_key(MIRROR_PUBLIC_KEY)?;
    if mirror_public_key.is_some() && mirror.is_none() {
        return Err(HexSettingsError::KeyWithoutMirror);
    }
    let organization = match (get(ORGANIZATION), get(ORGANIZATION_KEY)) {
        (None, None) => None,
        (Some(_), None) => {
            return Err(HexSettingsError::IncompleteOrganization {
                missing: ORGANIZATION_KEY,
            });
        }
        (None, Some(_)) => {
            return Err(HexSettingsError::IncompleteOrganization {
                missing: ORGANIZATION,
            });
        }
        (Some(name), Some(key)) => {
            let name = name.trim().to_string();
            if !is_organization_name(&name) {
                return Err(HexSettingsError::InvalidOrganizationName(name));
            }
            Some(Organization {
                name,
                key: Secret(key.trim().to_string()),
            })
        }
    };
    Ok(HexSettings {
        mirror,
        mirror_public_key,
        installs_public_key: public_key(INSTALLS_PUBLIC_KEY)?,
        organization,
    })
}

/// A setting's value is the PEM itself, or the path of a file holding it.
fn public_key(
    setting: &'static str,
    value: &str,
    app_dir: &Path,
    read_file: impl Fn(&Path) -> std::io::Result<String>,
) -> Result<PublicKey, HexSettingsError> {
    let (pem, origin) = if value.trim_start().starts_with("-----BEGIN") {
        (value.to_string(), format!("the value of {setting}"))
    } else {
        let path = app_dir.join(value.trim());
        let pem = read_file(&path).map_err(|error| HexSettingsError::KeyFile {
            setting,
            path: PathBuf::from(value.trim()),
            error,
        })?;
        (pem, format!("{} (from {setting})", value.trim()))
    };
    let is_public_key = ["-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PUBLIC KEY-----"]
        .iter()
        .any(|header| pem.contains(header));
    if is_public_key {
        Ok(PublicKey {
            pem: format!("{}\n", pem.trim()),
            origin,
        })
    } else {
        Err(HexSettingsError::NotAPublicKey { setting, origin })
    }
}

/// hex.pm organization names: lowercase letters, digits and `_`.
fn is_organization_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|char| char.is_ascii_lowercase() || char.is_ascii_digit() || char == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----\n";

    fn settings(vars: &[(&str, &str)]) -> Result<HexSettings, HexSettingsError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| ((*name).to_string(), (*value).to_string()))
            .collect();
        read(|name| vars.get(name).cloned(), Path::new("/nonexistent-app"))
    }

    #[test]
    fn nothing_set_trusts_nothing_new() {
        let settings = settings(&[]).expect("valid");
        assert_eq!(settings, HexSettings::default());
        assert_eq!(settings.repo_url(), "https://repo.hex.pm");
    }

    #[test]
    fn keys_as_pem_text() {
        let settings = settings(&[
            ("HEX_MIRROR", "http://mirror.example/ "),
            ("HEX_MIRROR_PUBLIC_KEY", PEM),
            ("HEX_MIRROR_INSTALLS_PUBLIC_KEY", PEM),
        ])
        .expect("valid");
        assert_eq!(settings.repo_url(), "http://mirror.example");
        let key = settings.mirror_public_key.expect("a key");
        assert_eq!(key.pem, PEM);
        assert_eq!(key.origin, "the value of HEX_MIRROR_PUBLIC_KEY");
        assert_eq!(key.fingerprint().len(), 16);
        assert!(settings.installs_public_key.is_some());
    }

    #[test]
    fn keys_as_paths_in_the_app() {
        let read = |path: &Path| {
            if path == Path::new("/app/keys/repo.pem") {
                Ok(PEM.to_string())
            } else {
                Err(std::io::Error::from(std::io::ErrorKind::NotFound))
            }
        };
        let key =
            public_key("HEX_MIRROR_PUBLIC_KEY", "keys/repo.pem", Path::new("/app"), read).expect("a key");
        assert_eq!(key.origin, "keys/repo.pem (from HEX_MIRROR_PUBLIC_KEY)");
        assert!(matches!(
            public_key("HEX_MIRROR_PUBLIC_KEY", "missing.pem", Path::new("/app"), read),
            Err(HexSettingsError::KeyFile {
                setting: "HEX_MIRROR_PUBLIC_KEY",
                ..
            })
        ));
        let not_a_key = |_: &Path| Ok(String::from("-----BEGIN RSA PRIVATE KEY-----\n..."));
        assert!(matches!(
            public_key("HEX_MIRROR_PUBLIC_KEY", "repo.pem", Path::new("/app"), not_a_key),
            Err(HexSettingsError::NotAPublicKey { .. })
        ));
    }

    #[test]
    fn a_mirror_key_needs_a_mirror() {
        assert!(matches!(
            settings(&[("HEX_MIRROR_PUBLIC_KEY", PEM)]),
            Err(HexSettingsError::KeyWithoutMirror)
        ));
        assert!(matches!(
            settings(&[("HEX_MIRROR_PUBLIC_KEY", "-----BEGIN CERTIFICATE-----\nx\n")]),
            Err(HexSettingsError::NotAPublicKey { .. })
        ));
    }

    #[test]
    fn organizations_need_a_name_and_a_key() {
        let settings_ok =
            settings(&[("HEX_ORGANIZATION", "acme"), ("HEX_ORGANIZATION_KEY", " k3y\n")]).expect("valid");
        let organization = settings_ok.organization.expect("an organization");
        assert_eq!(organization.name, "acme");
        assert_eq!(organization.key.expose(), "k3y");
        assert_eq!(
            format!("{organization:?}"),
            "Organization { name: \"acme\", key: [redacted] }"
        );
        assert_eq!(
            organization.key.redact("auth k3y failed"),
            "auth [redacted] failed"
        );
        assert!(matches!(
            settings(&[("HEX_ORGANIZATION", "acme")]),
            Err(HexSettingsError::IncompleteOrganization {
                missing: "HEX_ORGANIZATION_KEY"
            })
        ));
        assert!(matches!(
            settings(&[("HEX_ORGANIZATION_KEY", "k")]),
            Err(HexSettingsError::IncompleteOrganization {
                missing: "HEX_ORGANIZATION"
            })
        ));
        assert!(matches!(
            settings(&[("HEX_ORGANIZATION", "Acme Corp"), ("HEX_ORGANIZATION_KEY", "k")]),
            Err(HexSettingsError::InvalidOrganizationName(name)) if name == "Acme Corp"
        ));
    }
}
