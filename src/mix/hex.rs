//! Hex and rebar3 are installed into `MIX_HOME` only when the project needs them: a lockfile with Hex
//! packages needs Hex; `rebar3`-built or git dependencies need rebar3. A project without them never
//! touches the network for either.

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackageManagers {
    pub(crate) hex: bool,
    pub(crate) rebar3: bool,
}

/// What `mix.lock` says the project needs. Lock entries look like
/// `"jason": {:hex, :jason, "1.4.4", "…", [:mix], [], "hexpm", "…"}` and `{:git, "url", "ref", []}`.
pub(crate) fn needed(mix_lock: Option<&str>) -> PackageManagers {
    let Some(lock) = mix_lock else {
        return PackageManagers::default();
    };
    PackageManagers {
        hex: lock.contains("{:hex,"),
        // Git dependencies don't record their build tool: rebar3 may be needed to build them.
        rebar3: lock.contains(":rebar3") || lock.contains("{:git,"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lockfile_decides() {
        assert_eq!(needed(None), PackageManagers::default());
        assert_eq!(needed(Some("%{}\n")), PackageManagers::default());
        let mix_only = r#"%{
  "jason": {:hex, :jason, "1.4.4", "b9226785a9aa77b6857ca22832cffa5d5011a667207eb2a0ad56adb5db443b8a", [:mix], [{:decimal, "~> 1.0 or ~> 2.0", [hex: :decimal, repo: "hexpm", optional: true]}], "hexpm", "c5eb0cab91f094599f94d55bc63409236a8ec69a21a67814529e8d5f6cc90b3b"},
}"#;
        assert_eq!(
            needed(Some(mix_only)),
            PackageManagers {
                hex: true,
                rebar3: false
            }
        );
        let with_rebar = r#"%{
  "telemetry": {:hex, :telemetry, "1.3.0", "fedebbae410d715cf8e7062c96a1ef32ec22e764197f70cda73d82778d61e7a2", [:rebar3], [], "hexpm", "7015fc8919dbe63764f4b4b87a95b7c0996bd539e0d499be6ec9d7f3875b79e6"},
}"#;
        assert_eq!(
            needed(Some(with_rebar)),
            PackageManagers {
                hex: true,
                rebar3: true
            }
        );
        let git = r#"%{"x": {:git, "https://github.com/x/x.git", "abc", []}}"#;
        assert_eq!(
            needed(Some(git)),
            PackageManagers {
                hex: false,
                rebar3: true
            }
        );
    }
}
