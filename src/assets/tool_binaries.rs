//! `BP_ESBUILD_URL` and `BP_TAILWIND_URL`: where the esbuild and tailwind binaries come from when the
//! packages' own installers can't fetch them (esbuild's downloads from the npm registry and checks
//! signatures a mirror may not serve; tailwind's downloads from GitHub): air-gapped and proxied builders.
//! Each is a URL template with `$version` and `$target`, as tailwind's own `install(base_url)` takes, for
//! example `https://mirror.example.com/esbuild/$version/esbuild-$target`. The version is the one the
//! app's config pins (`config :esbuild, version: ...`), the target the packages' own (`linux-x64`).
//!
//! The binary is put where the packages look for it (`_build/<tool>-<target>`), so nothing in the app's
//! config changes; it is checked by asking it its version, which must be the pinned one, and cached
//! like a binary the installers download ([`super::tools`]). A binary already there (cached, or given
//! with the package's own `:path`) is left alone.

use crate::inputs::config::PlatformEnv;
use crate::mix::ConfiguredTool;
use crate::toolchain::download::{self, DownloadError};
use bullet_stream::global::print;
use std::path::Path;

/// A tool the buildpack can supply, and how it says its version.
struct Tool {
    name: &'static str,
    setting: &'static str,
    version_args: &'static [&'static str],
    version_in: fn(&str) -> Option<String>,
}

const TOOLS: &[Tool] = &[
    Tool {
        name: "esbuild",
        setting: "BP_ESBUILD_URL",
        version_args: &["--version"],
        version_in: esbuild_version,
    },
    Tool {
        name: "tailwind",
        setting: "BP_TAILWIND_URL",
        version_args: &["--help"],
        version_in: tailwind_version,
    },
];

/// `esbuild --version` prints the version alone.
fn esbuild_version(output: &str) -> Option<String> {
    let version = output.trim();
    (!version.is_empty() && !version.contains(char::is_whitespace)).then(|| version.to_string())
}

/// `tailwindcss --help` names it: `tailwindcss v3.4.3` (what the tailwind package itself reads).
fn tailwind_version(output: &str) -> Option<String> {
    let rest = &output[output.find("tailwindcss v")? + "tailwindcss v".len()..];
    let version: String = rest.chars().take_while(|char| !char.is_whitespace()).collect();
    (!version.is_empty()).then_some(version)
}

#[derive(Debug)]
pub(crate) enum ToolBinaryError {
    Download {
        tool: &'static str,
        setting: &'static str,
        error: DownloadError,
    },
    /// The binary ran but did not say the pinned version.
    WrongVersion {
        tool: &'static str,
        setting: &'static str,
        url: String,
        expected: String,
        said: String,
    },
    Write {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
}

/// The URL of `tool`'s binary from `template`.
fn url(template: &str, version: &str, target: &str) -> String {
    template.replace("$version", version).replace("$target", target)
}

/// The target in a binary's name as the packages make it (`esbuild-linux-x64` -> `linux-x64`).
fn target<'a>(bin_path: &'a Path, tool: &str) -> Option<&'a str> {
    bin_path
        .file_name()?
        .to_str()?
        .strip_prefix(tool)?
        .strip_prefix('-')
}

/// Supplies each configured tool that has a URL setting and no binary yet.
pub(crate) fn supply(configured: &[ConfiguredTool], env: &impl PlatformEnv) -> Result<(), ToolBinaryError> {
    for tool in TOOLS {
        let Some(template) = env.get(tool.setting).filter(|value| !value.trim().is_empty()) else {
            continue;
        };
        let Some(wanted) = configured.iter().find(|configured| configured.name == tool.name) else {
            print::sub_bullet(format!(
                "{} is set, but the app does not use the {} package: nothing to supply",
                tool.setting, tool.name
            ));
            continue;
        };
        if wanted.bin_path.exists() {
            continue;
        }
        let Some(target) = target(&wanted.bin_path, tool.name) else {
            print::sub_bullet(format!(
                "Not supplying {}: the app's config puts it at {} (its `:path`), which is missing",
                tool.name,
                wanted.bin_path.display()
            ));
            continue;
        };
        let url = url(template.trim(), &wanted.version, target);
        print::sub_bullet(format!(
            "Downloading {} {} from {url} ({})",
            tool.name, wanted.version, tool.setting
        ));
        fetch(tool, &url, &wanted.bin_path)?;
        let said = said_version(tool, &wanted.bin_path);
        if said.as_deref() != Some(wanted.version.as_str()) {
            let _ = fs_err::remove_file(&wanted.bin_path);
            return Err(ToolBinaryError::WrongVersion {
                tool: tool.name,
                setting: tool.setting,
                url,
                expected: wanted.version.clone(),
                said: said.unwrap_or_else(|| String::from("no version (it did not run)")),
            });
        }
    }
    Ok(())
}

fn fetch(tool: &Tool, url: &str, bin_path: &Path) -> Result<(), ToolBinaryError> {
    let write_error = |error| ToolBinaryError::Write {
        path: bin_path.to_path_buf(),
        error,
    };
    let partial = bin_path.with_extension("partial");
    let mut file = fs_err::File::create(&partial).map_err(write_error)?;
    download::download_verified(url, None, file.file_mut()).map_err(|error| ToolBinaryError::Download {
        tool: tool.name,
        setting: tool.setting,
        error,
    })?;
    drop(file);
    fs_err::set_permissions(&partial, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .map_err(write_error)?;
    fs_err::rename(&partial, bin_path).map_err(write_error)
}

/// Whether running a binary again may work: it was busy ("Text file busy"), a few times at most.
fn retry_busy(error: &std::io::Error, attempts: u32) -> bool {
    error.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 50
}

fn said_version(tool: &Tool, bin_path: &Path) -> Option<String> {
    // A file just written can't be run while another thread's fork still holds it open for writing
    // (until that child execs): "Text file busy", for a moment.
    let mut attempts = 0;
    let output = loop {
        match std::process::Command::new(bin_path)
            .args(tool.version_args)
            .output()
        {
            Err(error) if retry_busy(&error, attempts) => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => break result.ok()?,
        }
    };
    (tool.version_in)(&String::from_utf8_lossy(&output.stdout))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_busy_binary_is_run_again_a_few_times_only() {
        let busy = std::io::Error::from(std::io::ErrorKind::ExecutableFileBusy);
        assert!(retry_busy(&busy, 0));
        assert!(retry_busy(&busy, 49));
        assert!(!retry_busy(&busy, 50));
        assert!(!retry_busy(
            &std::io::Error::from(std::io::ErrorKind::NotFound),
            0
        ));
    }

    #[test]
    fn versions_as_the_binaries_say_them() {
        assert_eq!(esbuild_version("0.17.11\n"), Some("0.17.11".into()));
        assert_eq!(esbuild_version(""), None);
        assert_eq!(esbuild_version("Usage: esbuild [options]\n"), None);
        assert_eq!(
            tailwind_version("\ntailwindcss v3.4.3\n\nUsage:\n   tailwindcss build [options]\n"),
            Some("3.4.3".into())
        );
        assert_eq!(tailwind_version("tailwindcss v"), None);
        assert_eq!(tailwind_version("something else"), None);
    }

    #[test]
    fn urls_and_targets_as_the_packages_name_them() {
        assert_eq!(
            url(
                "https://m/esbuild/$version/esbuild-$target",
                "0.17.11",
                "linux-x64"
            ),
            "https://m/esbuild/0.17.11/esbuild-linux-x64"
        );
        assert_eq!(
            target(&PathBuf::from("/layers/x/_build/esbuild-linux-arm64"), "esbuild"),
            Some("linux-arm64")
        );
        assert_eq!(target(&PathBuf::from("/app/.tools/esbuild"), "esbuild"), None);
        assert_eq!(
            target(&PathBuf::from("/app/_build/tailwind-linux-x64"), "esbuild"),
            None
        );
    }

    struct Env(Vec<(&'static str, String)>);

    impl PlatformEnv for Env {
        fn get(&self, name: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| value.clone())
        }
    }

    #[test]
    fn a_binary_already_there_or_a_tool_without_a_setting_is_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let there = dir.path().join("esbuild-linux-x64");
        fs_err::write(&there, "cached").expect("write");
        let configured = [
            ConfiguredTool {
                name: "esbuild".into(),
                version: "0.17.11".into(),
                bin_path: there.clone(),
            },
            ConfiguredTool {
                name: "tailwind".into(),
                version: "3.4.3".into(),
                bin_path: dir.path().join("tailwind-linux-x64"),
            },
        ];
        // The URL would fail: nothing is fetched.
        let env = Env(vec![("BP_ESBUILD_URL", "http://127.0.0.1:9/$version".into())]);
        supply(&configured, &env).expect("nothing to do");
        assert_eq!(fs_err::read_to_string(&there).expect("read"), "cached");
        assert!(!dir.path().join("tailwind-linux-x64").exists());
    }

    /// Serves `body` at every path; returns the base URL and the paths asked for.
    fn serve(body: &'static str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("a port");
        let port = server.server_addr().to_ip().expect("ip").port();
        let paths = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&paths);
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                seen.lock().expect("lock").push(request.url().to_string());
                let _ = request.respond(tiny_http::Response::from_string(body));
            }
        });
        (format!("http://127.0.0.1:{port}"), paths)
    }

    fn esbuild_at(dir: &Path) -> [ConfiguredTool; 1] {
        [ConfiguredTool {
            name: "esbuild".into(),
            version: "0.17.11".into(),
            bin_path: dir.join("esbuild-linux-x64"),
        }]
    }

    #[test]
    fn the_pinned_version_is_downloaded_where_the_package_looks_and_checked() {
        let (base, paths) = serve("#!/bin/sh\necho 0.17.11\n");
        let dir = tempfile::tempdir().expect("tempdir");
        let configured = esbuild_at(dir.path());
        let env = Env(vec![(
            "BP_ESBUILD_URL",
            format!(" {base}/esbuild/$version/esbuild-$target\n"),
        )]);
        supply(&configured, &env).expect("supplied");
        assert_eq!(
            *paths.lock().expect("lock"),
            vec!["/esbuild/0.17.11/esbuild-linux-x64"]
        );
        let bin = &configured[0].bin_path;
        assert_eq!(said_version(&TOOLS[0], bin), Some("0.17.11".into()));
        assert!(!bin.with_extension("partial").exists());
    }

    #[test]
    fn a_binary_of_another_version_is_discarded() {
        let (base, _) = serve("#!/bin/sh\necho 0.25.0\n");
        let dir = tempfile::tempdir().expect("tempdir");
        let configured = esbuild_at(dir.path());
        let env = Env(vec![(
            "BP_ESBUILD_URL",
            format!("{base}/$version/esbuild-$target"),
        )]);
        let error = supply(&configured, &env).expect_err("the wrong version");
        assert!(
            matches!(&error, ToolBinaryError::WrongVersion { expected, said, url, .. }
                if expected == "0.17.11" && said == "0.25.0" && *url == format!("{base}/0.17.11/esbuild-linux-x64")),
            "{error:?}"
        );
        assert!(!configured[0].bin_path.exists());
    }
}
