//! No Erlang cookie in the image. `mix release` writes a random `releases/COOKIE` into every release, so
//! every image would carry a distribution secret anyone who pulls it can read, and no two builds would
//! give the same image. The buildpack replaces that file with a link to a per-container file under
//! `/tmp`, which a launch program fills with a fresh random cookie when the platform sets no
//! `RELEASE_COOKIE`. Every command in the same container (the app, `bin/<release> remote`, `rpc`, `eval`,
//! whether started by the launcher or from a shell) reads the same cookie, so they reach the running
//! node; clustering across containers needs `RELEASE_COOKIE` from the platform.

use std::path::Path;

/// Where a container's generated cookie lives (`RELEASE_TMP` defaults to `/tmp`).
pub(crate) const COOKIE_FILE: &str = "/tmp/elixir-cnb/cookie";

/// Replaces `releases/COOKIE` of the release at `root` with a link to [`COOKIE_FILE`].
pub(crate) fn unbake(root: &Path) -> std::io::Result<()> {
    let cookie = root.join("releases/COOKIE");
    match fs_err::symlink_metadata(&cookie) {
        Ok(_) => fs_err::remove_file(&cookie)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    fs_err::os::unix::fs::symlink(COOKIE_FILE, &cookie)
}

/// Makes the container's cookie once, atomically, so that processes starting together agree on it.
fn ensure_cookie() -> String {
    format!(
        r#"cookie_file={COOKIE_FILE}
if [ ! -s "$cookie_file" ]; then
  (
    umask 077
    mkdir -p "${{cookie_file%/*}}"
    partial="$(mktemp "$cookie_file.XXXXXX")"
    head -c 32 /dev/urandom | od -A n -t x1 | tr -d ' \n' > "$partial"
    ln "$partial" "$cookie_file" 2>/dev/null
    rm -f "$partial"
  )
fi"#
    )
}

/// The CNB exec.d program: prints `RELEASE_COOKIE` as TOML to fd 3 for every process the launcher starts,
/// unless the platform sets it.
pub(crate) fn exec_d_program() -> String {
    format!(
        "#!/bin/sh\n# Written by the Elixir buildpack: a random Erlang cookie per container, unless the platform sets RELEASE_COOKIE.\n\
         [ -n \"${{RELEASE_COOKIE:-}}\" ] && exit 0\n{}\nprintf 'RELEASE_COOKIE = \"%s\"\\n' \"$(cat \"$cookie_file\")\" >&3\n",
        ensure_cookie()
    )
}

/// The classic `.profile.d` snippet, sourced by every process of a dyno: the same, as an `export`.
pub(crate) fn profile_d_snippet() -> String {
    format!(
        "# A random Erlang cookie per dyno, unless RELEASE_COOKIE is set.\nif [ -z \"${{RELEASE_COOKIE:-}}\" ]; then\n{}\nexport RELEASE_COOKIE=\"$(cat \"$cookie_file\")\"\nfi\n",
        ensure_cookie()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Runs the exec.d program with `cookie_file` moved into `dir`, returning what it wrote to fd 3.
    fn run_exec_d(dir: &Path, env: &[(&str, &str)]) -> String {
        let program = exec_d_program().replace(COOKIE_FILE, &dir.join("cookie").to_string_lossy());
        let output = Command::new("sh")
            .args(["-c", &format!("exec 3>&1; {program}"), "exec.d"])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .envs(env.iter().copied())
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
    fn the_cookie_is_made_once_per_container_and_kept_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = run_exec_d(dir.path(), &[]);
        let second = run_exec_d(dir.path(), &[]);
        assert_eq!(first, second, "a second process gets the same cookie");
        let cookie = fs_err::read_to_string(dir.path().join("cookie")).expect("the cookie file");
        assert_eq!(first, format!("RELEASE_COOKIE = \"{cookie}\"\n"));
        assert_eq!(cookie.len(), 64);
        assert!(cookie.chars().all(|char| char.is_ascii_hexdigit()));
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &fs_err::metadata(dir.path().join("cookie"))
                .expect("metadata")
                .permissions(),
        );
        assert_eq!(mode & 0o077, 0, "only the app's user can read it");

        let other = tempfile::tempdir().expect("tempdir");
        assert_ne!(
            run_exec_d(other.path(), &[]),
            first,
            "another container gets another cookie"
        );
    }

    #[test]
    fn a_platform_cookie_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            run_exec_d(dir.path(), &[("RELEASE_COOKIE", "from-the-platform")]),
            ""
        );
        assert!(!dir.path().join("cookie").exists());
    }

    #[test]
    fn the_profile_d_snippet_exports_the_same_cookie() {
        let dir = tempfile::tempdir().expect("tempdir");
        let snippet = profile_d_snippet().replace(COOKIE_FILE, &dir.path().join("cookie").to_string_lossy());
        let run = |env: &[(&str, &str)]| {
            let output = Command::new("bash")
                .args(["-c", &format!("{snippet}\nprintf %s \"$RELEASE_COOKIE\"")])
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .envs(env.iter().copied())
                .output()
                .expect("bash runs");
            String::from_utf8_lossy(&output.stdout).to_string()
        };
        let cookie = run(&[]);
        assert_eq!(cookie.len(), 64);
        assert_eq!(run(&[]), cookie);
        assert_eq!(run(&[("RELEASE_COOKIE", "set")]), "set");
    }

    #[test]
    fn unbake_replaces_the_cookie_with_a_link() {
        let root = tempfile::tempdir().expect("tempdir");
        fs_err::create_dir_all(root.path().join("releases")).expect("mkdir");
        fs_err::write(root.path().join("releases/COOKIE"), "SECRET").expect("write");
        unbake(root.path()).expect("unbakes");
        assert_eq!(
            fs_err::read_link(root.path().join("releases/COOKIE")).expect("a link"),
            Path::new(COOKIE_FILE)
        );
        unbake(root.path()).expect("twice is fine");
    }
}
