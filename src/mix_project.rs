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

#[cfg(test)]
mod tests {
    use super::*;

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
}
