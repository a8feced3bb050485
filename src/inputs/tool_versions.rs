//! Reads `.tool-versions` (asdf, mise): the `erlang` and `elixir` lines.

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ToolVersions {
    /// The requested version and its line number.
    pub(crate) erlang: Option<(String, usize)>,
    pub(crate) elixir: Option<(String, usize)>,
    /// The `nodejs` line, for assets.
    pub(crate) nodejs: Option<(String, usize)>,
}

/// Parses the file. A tool line may list fallbacks (`erlang 27.3 26.2`): the first one is what asdf uses.
/// `ref:` and `path:` versions are kept as written and rejected later with the line they came from.
pub(crate) fn parse(contents: &str) -> ToolVersions {
    let mut tool_versions = ToolVersions::default();
    for (index, line) in contents.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default();
        let mut words = line.split_whitespace();
        let (Some(tool), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        let entry = Some((version.to_string(), index + 1));
        match tool {
            "erlang" => tool_versions.erlang = entry,
            "elixir" => tool_versions.elixir = entry,
            "nodejs" => tool_versions.nodejs = entry,
            _ => {}
        }
    }
    tool_versions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_and_elixir_lines() {
        let parsed =
            parse("nodejs 20.1.0\r\nerlang 27.3.4   26.2 # fallback\n# elixir 1.0\nelixir 1.18.3-otp-27\n");
        assert_eq!(
            parsed,
            ToolVersions {
                erlang: Some(("27.3.4".into(), 2)),
                elixir: Some(("1.18.3-otp-27".into(), 4)),
                nodejs: Some(("20.1.0".into(), 1)),
            }
        );
    }

    #[test]
    fn missing_tools_and_garbage() {
        assert_eq!(parse("erlang\n\nruby 3.3\n"), ToolVersions::default());
    }
}
