//! What the image runs: process types and the release phase, independent of the platform that declares
//! them (CNB `launch.toml`, classic `bin/release` and Procfile).

pub(crate) mod classic_paths;
pub(crate) mod processes;
pub(crate) mod sbom;

/// A process type of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Process {
    pub(crate) r#type: String,
    pub(crate) command: Vec<String>,
    /// Arguments a user may replace when starting the process (`docker run IMAGE ARGS`).
    pub(crate) args: Vec<String>,
    pub(crate) default: bool,
}

impl Process {
    pub(crate) fn new(r#type: &str, command: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            r#type: r#type.to_string(),
            command: command.into_iter().map(Into::into).collect(),
            args: Vec::new(),
            default: false,
        }
    }

    #[must_use]
    pub(crate) fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_string());
        self
    }

    #[must_use]
    pub(crate) fn default(mut self) -> Self {
        self.default = true;
        self
    }

    /// The command and its arguments as one line, for the build output.
    pub(crate) fn command_line(&self) -> String {
        self.command
            .iter()
            .chain(&self.args)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A process type name CNB platforms accept: letters, digits, `.`, `_` and `-`.
pub(crate) fn valid_process_type(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|char| char.is_ascii_alphanumeric() || matches!(char, '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_type_names() {
        for valid in ["web", "pr-predestroy", "worker_2", "a.b"] {
            assert!(valid_process_type(valid), "{valid}");
        }
        for invalid in ["", "we b", "web:", "wéb", "a/b"] {
            assert!(!valid_process_type(invalid), "{invalid}");
        }
    }

    #[test]
    fn command_line_joins_command_and_args() {
        let process = Process::new("web", ["hello", "eval"])
            .arg("Hello.main()")
            .default();
        assert_eq!(process.command_line(), "hello eval Hello.main()");
        assert!(process.default);
    }
}
