//! Where a value the user gave came from, so that messages can say so. Ground level: the inputs make
//! these, the front-end seam and the messages read them.

use std::fmt;

pub(crate) const CLASSIC_CONFIG_FILE: &str = "elixir_buildpack.config";
pub(crate) const TOOL_VERSIONS_FILE: &str = ".tool-versions";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Env(&'static str),
    ClassicConfig { line: usize },
    ToolVersions { line: usize },
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Env(name) => write!(f, "from {name}"),
            Source::ClassicConfig { line } => write!(f, "from {CLASSIC_CONFIG_FILE}, line {line}"),
            Source::ToolVersions { line } => write!(f, "from {TOOL_VERSIONS_FILE}, line {line}"),
            Source::Default => write!(f, "default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sourced<T> {
    pub(crate) value: T,
    pub(crate) source: Source,
}
