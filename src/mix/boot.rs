//! Mix at runtime boots compiled. CNB platforms give every file in the image the same old mtime
//! (1980-01-01), but Mix floors the project's config mtime at 2000-01-01, so in the image every
//! compile manifest looks older than the config: `mix run` and `mix phx.server` then rewrite the
//! manifests, regenerate the `.app` and consolidate protocols again at every boot, which costs time
//! and crashes on a read-only root filesystem. A launch program gives `_build` a current mtime before
//! the process starts: in place when it is writable, else in a copy under `/tmp` that `MIX_BUILD_PATH`
//! then points at. Sources keep their old mtimes, so nothing is recompiled.

/// Where a read-only image's `_build` is copied (per container).
pub(crate) const COPY: &str = "/tmp/elixir-cnb/_build";

/// The shell that refreshes `$MIX_BUILD_PATH` or copies it, leaving the path to use in `build`.
fn refresh() -> String {
    format!(
        r#"build="${{MIX_BUILD_PATH:-}}"
if [ -n "$build" ] && [ -d "$build" ]; then
  if [ -w "$build" ]; then
    find "$build" -exec touch -c -h {{}} + 2>/dev/null || true
  else
    copy={COPY}
    if [ ! -d "$copy" ]; then
      mkdir -p "${{copy%/*}}"
      partial="$(mktemp -d "$copy.XXXXXX")"
      cp -R "$build/." "$partial/" && mv -T "$partial" "$copy" 2>/dev/null || rm -rf "$partial"
    fi
    build="$copy"
  fi
fi"#
    )
}

/// The CNB exec.d program: prints the `MIX_BUILD_PATH` to use as TOML to fd 3.
pub(crate) fn exec_d_program() -> String {
    format!(
        "#!/bin/sh\n# Written by the Elixir buildpack: a current mtime for _build, so Mix finds it compiled.\n{}\n\
         [ -n \"$build\" ] && printf 'MIX_BUILD_PATH = \"%s\"\\n' \"$build\" >&3\nexit 0\n",
        refresh()
    )
}

/// The classic `.profile.d` snippet: the same, as an `export`.
pub(crate) fn profile_d_snippet() -> String {
    format!(
        "# A current mtime for _build, so Mix finds it compiled.\n{}\n[ -n \"$build\" ] && export MIX_BUILD_PATH=\"$build\"\n",
        refresh()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;
    use std::time::{Duration, SystemTime};

    fn old(path: &Path) {
        fs_err::File::options()
            .write(true)
            .open(path)
            .expect("open")
            .file()
            .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(315_532_801))
            .expect("touch");
    }

    fn mtime(path: &Path) -> SystemTime {
        fs_err::metadata(path)
            .expect("metadata")
            .modified()
            .expect("mtime")
    }

    // The copy for a read-only `_build` can't be shown as root (for whom every dir is writable): the
    // integration test runs an image with `docker run --read-only` for it.
    fn run(program: &str, build: &Path, copy: &Path) -> String {
        let program = program.replace(COPY, &copy.to_string_lossy());
        let output = Command::new("sh")
            .args(["-c", &format!("exec 3>&1; {program}")])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("MIX_BUILD_PATH", build)
            .output()
            .expect("sh runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    }

    #[test]
    fn a_writable_build_gets_a_current_mtime_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let build = dir.path().join("_build/prod");
        let manifest = build.join("lib/app/.mix/compile.elixir");
        fs_err::create_dir_all(manifest.parent().expect("parent")).expect("mkdir");
        fs_err::write(&manifest, "m").expect("write");
        old(&manifest);
        let output = run(&exec_d_program(), &build, &dir.path().join("copy"));
        assert_eq!(output, format!("MIX_BUILD_PATH = \"{}\"\n", build.display()));
        assert!(mtime(&manifest) > SystemTime::UNIX_EPOCH + Duration::from_hours(262_968));
        assert!(!dir.path().join("copy").exists());
    }

    #[test]
    fn the_profile_d_snippet_exports_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let build = dir.path().join("_build/prod");
        fs_err::create_dir_all(&build).expect("mkdir");
        let snippet = profile_d_snippet();
        let output = Command::new("bash")
            .args(["-c", &format!("{snippet}\nprintf %s \"$MIX_BUILD_PATH\"")])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("MIX_BUILD_PATH", &build)
            .output()
            .expect("bash");
        assert_eq!(String::from_utf8_lossy(&output.stdout), build.to_string_lossy());
        // Without a MIX_BUILD_PATH, nothing happens.
        let output = Command::new("sh")
            .args(["-c", &format!("exec 3>&1; {}", exec_d_program())])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .output()
            .expect("sh");
        assert!(output.status.success());
        assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    }
}
