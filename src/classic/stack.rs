//! Which builds.hex.pm builds a classic build needs: the CPU architecture of the machine, and the distro
//! from `/etc/os-release` (Heroku's stacks are Ubuntu: heroku-24 is Ubuntu 24.04), else `STACK`.

use crate::toolchain::{Platform, ToolchainError};

/// The distro name and version in an `os-release` file (`ID`, `VERSION_ID`).
pub(super) fn distro_from_os_release(contents: &str) -> Option<(String, String)> {
    let value = |key: &str| {
        contents.lines().find_map(|line| {
            let (name, value) = line.split_once('=')?;
            (name.trim() == key).then(|| value.trim().trim_matches('"').trim_matches('\'').to_string())
        })
    };
    Some((value("ID")?, value("VERSION_ID")?)).filter(|(id, version)| !id.is_empty() && !version.is_empty())
}

/// The distro of a Heroku stack name (`heroku-24` is Ubuntu 24.04).
pub(super) fn distro_from_stack(stack: &str) -> Option<(String, String)> {
    let version: u32 = stack.strip_prefix("heroku-")?.parse().ok()?;
    Some((String::from("ubuntu"), format!("{version}.04")))
}

/// The platform this build runs on.
pub(super) fn platform() -> Result<Platform, ToolchainError> {
    let stack = std::env::var("STACK").ok().filter(|stack| !stack.is_empty());
    let distro = fs_err::read_to_string("/etc/os-release")
        .ok()
        .and_then(|contents| distro_from_os_release(&contents))
        .or_else(|| stack.as_deref().and_then(distro_from_stack))
        .unwrap_or_else(|| (String::from("unknown"), String::from("unknown")));
    Ok(Platform::new(std::env::consts::ARCH, &distro.0, &distro.1)?.on_heroku_stack(stack))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_files() {
        let ubuntu = "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\n";
        assert_eq!(
            distro_from_os_release(ubuntu),
            Some(("ubuntu".into(), "24.04".into()))
        );
        let debian = "PRETTY_NAME='Debian GNU/Linux 12 (bookworm)'\nVERSION_ID='12'\nID=debian\n";
        assert_eq!(
            distro_from_os_release(debian),
            Some(("debian".into(), "12".into()))
        );
        assert_eq!(distro_from_os_release("ID=debian\n"), None);
        assert_eq!(distro_from_os_release("ID=\nVERSION_ID=1\n"), None);
    }

    #[test]
    fn heroku_stacks() {
        assert_eq!(
            distro_from_stack("heroku-24"),
            Some(("ubuntu".into(), "24.04".into()))
        );
        assert_eq!(
            distro_from_stack("heroku-26"),
            Some(("ubuntu".into(), "26.04".into()))
        );
        assert_eq!(distro_from_stack("cedar-14"), None);
        assert_eq!(distro_from_stack("heroku-x"), None);
    }
}
