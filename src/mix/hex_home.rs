//! Hex's home for one build: `HEX_HOME` is a fresh directory outside every cache and the app, so what
//! Hex writes to its `hex.config` (a mirror's URL and key, an organization's auth key) lives only as long
//! as the build and never reaches a cache, the image or a later build. Its `packages/` is a link to the
//! `hex_packages` cache, so downloaded tarballs are kept.
//!
//! The settings (see [`crate::inputs::hex_settings`]) are applied with Hex's own commands:
//! `mix hex.repo set hexpm --url URL --public-key PEM` for a mirror with its own key, and
//! `mix hex.repo add hexpm:ORG URL/repos/ORG --auth-key KEY` for an organization. Both run with
//! `HEX_MIRROR` unset, so that Hex stores the URL rather than dropping it as equal to the env's.

use super::MixEnv;
use super::MixError;
use crate::inputs::hex_settings::{HexSettings, Organization, PublicKey};
use bullet_stream::global::print;
use std::path::{Path, PathBuf};

/// A per-build `HEX_HOME`, removed when dropped.
pub(crate) struct HexHome {
    dir: tempfile::TempDir,
}

impl HexHome {
    /// Creates it, with `packages/` linked to the `hex_packages` cache.
    pub(crate) fn new(packages_cache: &Path) -> Result<Self, MixError> {
        let dir = tempfile::Builder::new()
            .prefix("elixir-cnb-hex-home.")
            .tempdir()
            .map_err(MixError::TempFile)?;
        fs_err::os::unix::fs::symlink(packages_cache, dir.path().join("packages"))
            .map_err(MixError::TempFile)?;
        Ok(Self { dir })
    }

    pub(crate) fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

/// What a Hex configuration step needs to run: the args for Mix, with the secret they may contain.
#[derive(Debug, PartialEq, Eq)]
struct HexCommand {
    args: Vec<String>,
    /// Printed instead of the args.
    description: String,
}

/// The Hex commands the settings call for, in order.
fn commands(settings: &HexSettings, key_file: &Path) -> Vec<HexCommand> {
    let mut commands = Vec::new();
    if let (Some(mirror), Some(key)) = (&settings.mirror, &settings.mirror_public_key) {
        commands.push(HexCommand {
            args: [
                "hex.repo",
                "set",
                "hexpm",
                "--url",
                mirror,
                "--public-key",
                &key_file.to_string_lossy(),
            ]
            .map(String::from)
            .to_vec(),
            description: format!(
                "Trusting the Hex registry at {mirror} signed with key {} ({})",
                key.fingerprint(),
                key.origin
            ),
        });
    }
    if let Some(Organization { name, key }) = &settings.organization {
        let url = format!("{}/repos/{name}", settings.repo_url());
        commands.push(HexCommand {
            args: [
                "hex.repo",
                "add",
                &format!("hexpm:{name}"),
                &url,
                "--auth-key",
                key.expose(),
            ]
            .map(String::from)
            .to_vec(),
            description: format!(
                "Authenticating to Hex organization `{name}` at {url} with HEX_ORGANIZATION_KEY \
                 (kept out of the caches, the image and this log)"
            ),
        });
    }
    commands
}

/// Applies the settings to `HEX_HOME`'s `hex.config` with Hex's commands (Hex must be installed).
pub(crate) fn configure(mix: &MixEnv, settings: &HexSettings) -> Result<(), MixError> {
    let key_dir = tempfile::tempdir().map_err(MixError::TempFile)?;
    let key_file = key_dir.path().join("hex_mirror_public_key.pem");
    if let Some(PublicKey { pem, .. }) = &settings.mirror_public_key {
        fs_err::write(&key_file, pem).map_err(MixError::TempFile)?;
    }
    for command in commands(settings, &key_file) {
        print::sub_bullet(&command.description);
        let args: Vec<&str> = command.args.iter().map(String::as_str).collect();
        let output = mix.mix_quiet(&args, &["HEX_MIRROR", "HEX_MIRROR_URL"])?;
        if !output.status.success() {
            let text = super::output_text(&output);
            let text = match &settings.organization {
                Some(organization) => organization.key.redact(&text),
                None => text,
            };
            return Err(MixError::HexConfig {
                what: command.description,
                output: text,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::hex_settings;

    const PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----\n";

    fn settings(vars: &[(&str, &str)]) -> HexSettings {
        hex_settings::read(
            |name| {
                vars.iter()
                    .find(|(var, _)| *var == name)
                    .map(|(_, value)| (*value).to_string())
            },
            Path::new("/app"),
        )
        .expect("valid settings")
    }

    #[test]
    fn no_settings_no_commands() {
        assert!(commands(&settings(&[("HEX_MIRROR", "http://m")]), Path::new("/k.pem")).is_empty());
    }

    #[test]
    fn a_mirror_key_and_an_organization() {
        let commands = commands(
            &settings(&[
                ("HEX_MIRROR", "http://m.example/"),
                ("HEX_MIRROR_PUBLIC_KEY", PEM),
                ("HEX_ORGANIZATION", "acme"),
                ("HEX_ORGANIZATION_KEY", "s3cret"),
            ]),
            Path::new("/tmp/k.pem"),
        );
        assert_eq!(
            commands[0].args,
            vec![
                "hex.repo",
                "set",
                "hexpm",
                "--url",
                "http://m.example",
                "--public-key",
                "/tmp/k.pem"
            ]
        );
        assert_eq!(
            commands[1].args,
            vec![
                "hex.repo",
                "add",
                "hexpm:acme",
                "http://m.example/repos/acme",
                "--auth-key",
                "s3cret"
            ]
        );
        for command in &commands {
            assert!(!command.description.contains("s3cret"), "{}", command.description);
        }
        assert_eq!(
            commands[1].description,
            "Authenticating to Hex organization `acme` at http://m.example/repos/acme with \
             HEX_ORGANIZATION_KEY (kept out of the caches, the image and this log)"
        );
    }

    #[test]
    fn organizations_on_hex_pm() {
        let commands = commands(
            &settings(&[("HEX_ORGANIZATION", "acme"), ("HEX_ORGANIZATION_KEY", "k")]),
            Path::new("/k.pem"),
        );
        assert_eq!(commands.len(), 1);
        assert_eq!(commands[0].args[3], "https://repo.hex.pm/repos/acme");
    }

    #[test]
    fn the_home_links_the_package_cache_and_goes_away() {
        let cache = tempfile::tempdir().expect("a temp dir");
        let home = HexHome::new(cache.path()).expect("a home");
        let path = home.path();
        assert_eq!(
            fs_err::read_link(path.join("packages")).expect("a link"),
            cache.path()
        );
        drop(home);
        assert!(!path.exists());
        assert!(cache.path().exists());
    }
}
