//! What we read from `mix.exs` without running it: the `elixir:` requirement, used only to pick a default.

/// Finds `elixir: "~> 1.15"` in a `mix.exs` and turns Elixir's requirement syntax into a semver one.
pub(crate) fn elixir_requirement(mix_exs: &str) -> Option<(String, semver::VersionReq)> {
    let after_key = mix_exs
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            line.split_once("elixir:")
                .map(|(_, rest)| rest.trim_start().to_string())
        })?;
    let requirement = after_key.strip_prefix('"')?.split('"').next()?.to_string();
    let semver = to_semver_requirement(&requirement)?;
    Some((requirement, semver))
}

/// `~> 1.15` means `>= 1.15.0 and < 2.0.0`; `~> 1.15.2` means `>= 1.15.2 and < 1.16.0`; `and`/`or`
/// combinations are narrowed to their `and` parts (a default only needs a good hint).
fn to_semver_requirement(requirement: &str) -> Option<semver::VersionReq> {
    let clauses = requirement
        .split(" or ")
        .next()?
        .split(" and ")
        .map(|clause| {
            let clause = clause.trim();
            match clause.strip_prefix("~>") {
                Some(version) => {
                    let parts: Vec<&str> = version.trim().split('.').collect();
                    match parts.as_slice() {
                        [major, minor] => Some(format!(
                            ">={major}.{minor}.0, <{}.0.0",
                            major.parse::<u64>().ok()? + 1
                        )),
                        [major, minor, patch] => Some(format!(
                            ">={major}.{minor}.{patch}, <{major}.{}.0",
                            minor.parse::<u64>().ok()? + 1
                        )),
                        _ => None,
                    }
                }
                None => Some(clause.replace("==", "=")),
            }
        })
        .collect::<Option<Vec<_>>>()?;
    semver::VersionReq::parse(&clauses.join(", ")).ok()
}

/// Whether `mix.exs` depends on Distillery (`{:distillery, ...}` outside a comment), read as text.
pub(crate) fn depends_on_distillery(mix_exs: &str) -> bool {
    mix_exs.lines().any(|line| {
        let code = line.split('#').next().unwrap_or_default();
        code.contains("{:distillery,") || code.contains("{:distillery ,")
    })
}

/// The line of `mix.exs` that leaves ERTS out of a release (`include_erts: false`), read as text: such a
/// release has neither ERTS nor OTP's applications, and runs on the Erlang/OTP installed where it runs.
pub(crate) fn release_without_erts(mix_exs: &str) -> Option<usize> {
    mix_exs
        .lines()
        .position(|line| {
            let code = line.split('#').next().unwrap_or_default();
            code.split_once("include_erts:")
                .is_some_and(|(_, value)| value.trim_start().starts_with("false"))
        })
        .map(|index| index + 1)
}

/// The release names of a Distillery `rel/config.exs` (`release :my_app do`), read as text.
pub(crate) fn distillery_releases(rel_config: &str) -> Vec<String> {
    rel_config
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("release :")?;
            let name: String = rest
                .chars()
                .take_while(|char| char.is_ascii_alphanumeric() || *char == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// Warnings for an Erlang cookie written into the source: a `cookie:` release option in `mix.exs`, or
/// Distillery's `set cookie:` in `rel/config.exs`. Read as text, never evaluated.
pub(crate) fn hard_coded_cookies(mix_exs: Option<&str>, rel_config: Option<&str>) -> Vec<String> {
    let find = |contents: Option<&str>, needle: &str| {
        contents.and_then(|contents| {
            contents
                .lines()
                .enumerate()
                .find(|(_, line)| {
                    !line.trim_start().starts_with('#')
                        && line.split_once(needle).is_some_and(|(_, value)| {
                            // A literal (string, atom or sigil); `System.get_env(...)` is fine.
                            value.trim_start().starts_with(['"', '\'', ':', '~'])
                        })
                })
                .map(|(index, _)| index + 1)
        })
    };
    let advice = "Anyone with the source can connect to your nodes, and every deploy shares it. Set \
                  RELEASE_COOKIE as a config var instead (for example `mix phx.gen.secret 32`), and remove the \
                  hard-coded cookie.";
    let mut warnings = Vec::new();
    if let Some(line) = find(mix_exs, "cookie:") {
        warnings.push(format!(
            "mix.exs sets a release `cookie:` (line {line}). Anyone with the source can connect to your nodes. \
             The image doesn't ship it: each container makes a random cookie unless RELEASE_COOKIE is set. \
             To cluster nodes, set RELEASE_COOKIE as a config var (for example `mix phx.gen.secret 32`), and \
             remove the hard-coded cookie."
        ));
    }
    if let Some(line) = find(rel_config, "set cookie:") {
        warnings.push(format!(
            "rel/config.exs sets a Distillery `cookie:` (line {line}). {advice}"
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_without_erts_is_found_by_its_line() {
        let mix_exs = indoc::indoc! {r"
            def project do
              [
                app: :my_app,
                # include_erts: false, for a smaller release
                releases: [
                  my_app: [include_erts:  false, strip_beams: true]
                ]
              ]
            end
        "};
        assert_eq!(release_without_erts(mix_exs), Some(6));
        for kept in [
            "releases: [my_app: [include_erts: true]]",
            "releases: [my_app: [include_erts: \"/opt/erts-13.1\"]]",
            "# releases: [my_app: [include_erts: false]]",
            "releases: [my_app: [strip_beams: false]]",
            "",
        ] {
            assert_eq!(release_without_erts(kept), None, "{kept}");
        }
    }

    #[test]
    fn distillery_dependencies() {
        assert!(depends_on_distillery(
            "deps: [{:distillery, \"~> 2.1\", runtime: false}]"
        ));
        assert!(depends_on_distillery("  [\n    {:distillery, path: \"x\"},\n  ]"));
        assert!(!depends_on_distillery("  # {:distillery, \"~> 2.1\"},\n"));
        assert!(!depends_on_distillery("{:distillery_packager, \"~> 1.0\"}"));
        assert!(!depends_on_distillery("releases: [my_app: []]"));
    }

    fn matches(mix_exs: &str, version: &str) -> bool {
        let (_, requirement) = elixir_requirement(mix_exs).expect("a requirement");
        requirement.matches(&semver::Version::parse(version).expect("valid version"))
    }

    #[test]
    fn tilde_arrow_requirements() {
        let mix_exs =
            "  def project do\n    [app: :x, version: \"0.1.0\", elixir: \"~> 1.15\", deps: deps()]\n";
        assert_eq!(
            elixir_requirement(mix_exs).map(|(text, _)| text),
            Some("~> 1.15".into())
        );
        assert!(matches(mix_exs, "1.18.3"));
        assert!(!matches(mix_exs, "1.14.0"));
        assert!(!matches(mix_exs, "2.0.0"));
        let patch = "elixir: \"~> 1.15.2\",";
        assert!(matches(patch, "1.15.7"));
        assert!(!matches(patch, "1.16.0"));
        assert!(matches("elixir: \">= 1.14.0 and < 1.17.0\",", "1.16.3"));
        assert!(!matches("elixir: \">= 1.14.0 and < 1.17.0\",", "1.17.0"));
    }

    #[test]
    fn no_or_unreadable_requirement() {
        assert_eq!(elixir_requirement("[app: :x]"), None);
        assert_eq!(elixir_requirement("# elixir: \"~> 1.15\"\n"), None);
        assert_eq!(elixir_requirement("elixir: @elixir_requirement,"), None);
    }

    #[test]
    fn hard_coded_cookies_are_found_with_their_line() {
        let mix_exs = "releases: [\n  app: [\n    # cookie: \"old\",\n    cookie: \"secret\"\n  ]\n]\n";
        let rel_config = "environment :prod do\n  set include_erts: true\n  set cookie: :\"abc\"\nend\n";
        let warnings = hard_coded_cookies(Some(mix_exs), Some(rel_config));
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].starts_with(
            "mix.exs sets a release `cookie:` (line 4). Anyone with the source can connect to your nodes. The image \
             doesn't ship it"
        ));
        assert!(warnings[1].starts_with("rel/config.exs sets a Distillery `cookie:` (line 3)."));
        assert!(hard_coded_cookies(Some("releases: [app: []]"), None).is_empty());
        // A cookie read from the environment is fine.
        assert!(hard_coded_cookies(None, Some("set cookie: System.get_env(\"COOKIE\")")).is_empty());
    }

    #[test]
    fn distillery_release_names() {
        let rel_config = "use Distillery.Releases.Config,\n  default_release: :default\n\nenvironment :prod do\n  set include_erts: true\nend\n\nrelease :my_app do\n  set version: current_version(:my_app)\nend\n\n  release :worker do\nend\n# release :old do\n";
        assert_eq!(distillery_releases(rel_config), vec!["my_app", "worker"]);
        assert!(distillery_releases("").is_empty());
    }
}
