//! Reads `elixir_buildpack.config`, the classic buildpack's config file, as data.
//!
//! The classic buildpacks `source` this file with bash. We never execute it: this module understands the
//! subset of bash syntax that real repositories use (`key=value`, `export`, quotes, comments, arrays, plain
//! `$VAR` references) and gives each assignment the value bash would give it in a clean environment.
//! Anything that needs a shell to evaluate is reported with its line, never run.

use std::collections::BTreeMap;
use std::fmt;

/// One parsed assignment, with the line it started on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    pub(crate) key: String,
    pub(crate) value: Value,
    pub(crate) line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Scalar(String),
    Array(Vec<String>),
}

impl Value {
    /// The value as bash's `$key` would give it: an array yields its first element.
    pub(crate) fn as_scalar(&self) -> &str {
        match self {
            Value::Scalar(value) => value,
            Value::Array(values) => values.first().map_or("", String::as_str),
        }
    }
}

/// A construct that would need a shell to evaluate, or a line that isn't an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: usize,
    /// The key being assigned when the problem was found, if any.
    pub(crate) key: Option<String>,
    pub(crate) kind: SyntaxErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyntaxErrorKind {
    /// `$(...)` or backticks.
    CommandSubstitution(String),
    /// `${VAR:-default}` and friends, `$1`, `$?`, arithmetic.
    ParameterExpansion(String),
    /// A line that is a command, not an assignment (`key = value`, `source x`, `if ...`).
    NotAnAssignment(String),
    /// `key=value other` runs `other` as a command in bash.
    TrailingWords(String),
    UnterminatedQuote(char),
    UnterminatedArray,
    /// `;`, `|`, `&`, redirections or parentheses where a value was expected.
    ShellOperator(String),
}

impl fmt::Display for SyntaxErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyntaxErrorKind::CommandSubstitution(text) => {
                write!(f, "command substitution `{text}` (runs a command)")
            }
            SyntaxErrorKind::ParameterExpansion(text) => {
                write!(f, "shell parameter expansion `{text}`")
            }
            SyntaxErrorKind::NotAnAssignment(text) => {
                write!(f, "`{text}` is a shell command, not a `key=value` assignment")
            }
            SyntaxErrorKind::TrailingWords(text) => write!(
                f,
                "unquoted words after the value (`{text}`): bash would run them as a command"
            ),
            SyntaxErrorKind::UnterminatedQuote(quote) => {
                write!(f, "a {quote} quote that is never closed")
            }
            SyntaxErrorKind::UnterminatedArray => write!(f, "an array `(` that is never closed"),
            SyntaxErrorKind::ShellOperator(operator) => {
                write!(f, "the shell operator `{operator}` inside a value")
            }
        }
    }
}

/// The result of reading the file: every assignment in order, and the errors of the ones that need a shell.
///
/// Parsing goes on after an error so callers can decide per key whether the error matters (a key we
/// ignore only warrants a warning).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ParsedConfig {
    pub(crate) assignments: Vec<Assignment>,
    pub(crate) errors: Vec<SyntaxError>,
}

impl ParsedConfig {
    /// The final value of each key, as after `source`: later assignments win.
    pub(crate) fn values(&self) -> BTreeMap<&str, &Assignment> {
        self.assignments
            .iter()
            .map(|assignment| (assignment.key.as_str(), assignment))
            .collect()
    }
}

pub(crate) fn parse(contents: &str) -> ParsedConfig {
    let mut parser = Parser {
        chars: contents.chars().collect(),
        position: 0,
        line: 1,
        parsed: ParsedConfig::default(),
    };
    parser.parse_file();
    parser.parsed
}

struct Parser {
    chars: Vec<char>,
    position: usize,
    line: usize,
    parsed: ParsedConfig,
}

const METACHARACTERS: &[char] = &[' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')'];

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.position + offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let char = self.peek()?;
        self.position += 1;
        if char == '\n' {
            self.line += 1;
        }
        Some(char)
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.bump();
        }
    }

    fn skip_comment(&mut self) {
        while !matches!(self.peek(), None | Some('\n')) {
            self.bump();
        }
    }

    /// Skips to the start of the next line, for error recovery.
    fn skip_line(&mut self) {
        self.skip_comment();
        self.bump();
    }

    fn rest_of_line(&self) -> String {
        self.chars[self.position..]
            .iter()
            .take_while(|char| **char != '\n')
            .collect::<String>()
            .trim_end_matches('\r')
            .to_string()
    }

    fn error(&mut self, line: usize, key: Option<&str>, kind: SyntaxErrorKind) {
        self.parsed.errors.push(SyntaxError {
            line,
            key: key.map(String::from),
            kind,
        });
    }

    fn parse_file(&mut self) {
        loop {
            self.skip_blanks();
            match self.peek() {
                None => break,
                Some('\n' | ';') => {
                    self.bump();
                }
                Some('#') => self.skip_comment(),
                Some(_) => {
                    let start = self.position;
                    self.parse_statement();
                    // Every statement consumes input; never loop on one that didn't.
                    if self.position == start {
                        self.bump();
                    }
                }
            }
        }
    }

    /// Reads a bare word (a name) at the current position without consuming it.
    fn name_at(&self, offset: usize) -> String {
        self.chars[self.position + offset..]
            .iter()
            .take_while(|char| char.is_ascii_alphanumeric() || **char == '_')
            .collect()
    }

    fn parse_statement(&mut self) {
        let line = self.line;
        let mut name = self.name_at(0);
        if name == "export" && matches!(self.peek_at(name.len()), Some(' ' | '\t')) {
            for _ in 0..name.len() {
                self.bump();
            }
            self.skip_blanks();
            name = self.name_at(0);
        }

        let is_assignment = !name.is_empty()
            && !name.starts_with(|char: char| char.is_ascii_digit())
            && self.peek_at(name.len()) == Some('=');
        if !is_assignment {
            let text = self.rest_of_line();
            self.error(
                line,
                None,
                SyntaxErrorKind::NotAnAssignment(text.trim().to_string()),
            );
            self.skip_line();
            return;
        }
        for _ in 0..=name.len() {
            self.bump();
        }

        let value = if self.peek() == Some('(') {
            self.bump();
            match self.parse_array(&name) {
                Ok(values) => Value::Array(values),
                Err(kind) => {
                    self.error(line, Some(&name), kind);
                    self.skip_line();
                    return;
                }
            }
        } else {
            match self.parse_word(&name) {
                Ok(word) => Value::Scalar(word),
                Err(kind) => {
                    self.error(line, Some(&name), kind);
                    self.skip_line();
                    return;
                }
            }
        };

        // What may follow an assignment: blanks, a comment, a line end or `;`.
        self.skip_blanks();
        match self.peek() {
            None | Some('\n' | ';') => {}
            Some('#') => self.skip_comment(),
            Some(_) => {
                let text = self.rest_of_line();
                self.error(
                    line,
                    Some(&name),
                    SyntaxErrorKind::TrailingWords(text.trim().to_string()),
                );
                self.skip_line();
                return;
            }
        }
        self.parsed.assignments.push(Assignment {
            key: name,
            value,
            line,
        });
    }

    fn parse_array(&mut self, key: &str) -> Result<Vec<String>, SyntaxErrorKind> {
        let mut values = Vec::new();
        loop {
            while matches!(self.peek(), Some(' ' | '\t' | '\r' | '\n')) {
                self.bump();
            }
            match self.peek() {
                None => return Err(SyntaxErrorKind::UnterminatedArray),
                Some(')') => {
                    self.bump();
                    return Ok(values);
                }
                Some('#') => self.skip_comment(),
                Some(char) if METACHARACTERS.contains(&char) => {
                    return Err(SyntaxErrorKind::ShellOperator(char.to_string()));
                }
                Some(_) => values.push(self.parse_word(key)?),
            }
        }
    }

    /// Parses one shell word: unquoted, single- and double-quoted parts glued together.
    fn parse_word(&mut self, key: &str) -> Result<String, SyntaxErrorKind> {
        let mut word = String::new();
        loop {
            match self.peek() {
                None => break,
                // A CR right before the line end is the CRLF line ending, which we accept.
                Some('\r') if matches!(self.peek_at(1), None | Some('\n')) => break,
                Some(char) if METACHARACTERS.contains(&char) => break,
                Some('\'') => {
                    self.bump();
                    loop {
                        match self.bump() {
                            None => return Err(SyntaxErrorKind::UnterminatedQuote('\'')),
                            Some('\'') => break,
                            Some(char) => word.push(char),
                        }
                    }
                }
                Some('"') => {
                    self.bump();
                    self.parse_double_quoted(key, &mut word)?;
                }
                Some('\\') => {
                    self.bump();
                    match self.bump() {
                        // A backslash-newline is a line continuation.
                        Some('\n') | None => {}
                        Some(char) => word.push(char),
                    }
                }
                Some('$') => word.push_str(&self.parse_dollar(key)?),
                Some('`') => return Err(SyntaxErrorKind::CommandSubstitution(self.rest_of_line())),
                Some(char) => {
                    self.bump();
                    word.push(char);
                }
            }
        }
        Ok(word)
    }

    fn parse_double_quoted(&mut self, key: &str, word: &mut String) -> Result<(), SyntaxErrorKind> {
        loop {
            match self.peek() {
                None => return Err(SyntaxErrorKind::UnterminatedQuote('"')),
                Some('"') => {
                    self.bump();
                    return Ok(());
                }
                Some('\\') => {
                    self.bump();
                    match self.bump() {
                        None => return Err(SyntaxErrorKind::UnterminatedQuote('"')),
                        Some('\n') => {}
                        Some(char @ ('$' | '`' | '"' | '\\')) => word.push(char),
                        Some(char) => {
                            word.push('\\');
                            word.push(char);
                        }
                    }
                }
                Some('$') => word.push_str(&self.parse_dollar(key)?),
                Some('`') => return Err(SyntaxErrorKind::CommandSubstitution(self.rest_of_line())),
                Some(_) => {
                    if let Some(char) = self.bump() {
                        word.push(char);
                    }
                }
            }
        }
    }

    /// Handles a `$` at the current position: a plain `$NAME` or `${NAME}` reference expands to the value
    /// an earlier line of the file gave it, else to nothing, as in bash with a clean environment.
    fn parse_dollar(&mut self, _key: &str) -> Result<String, SyntaxErrorKind> {
        match self.peek_at(1) {
            Some('(') => Err(SyntaxErrorKind::CommandSubstitution(self.rest_of_line())),
            Some('{') => {
                let name = self.name_at(2);
                let closing = self.peek_at(2 + name.len());
                if !name.is_empty()
                    && !name.starts_with(|char: char| char.is_ascii_digit())
                    && closing == Some('}')
                {
                    for _ in 0..name.len() + 3 {
                        self.bump();
                    }
                    Ok(self.lookup(&name))
                } else {
                    Err(SyntaxErrorKind::ParameterExpansion(self.rest_of_line()))
                }
            }
            Some(char) if char.is_ascii_alphabetic() || char == '_' => {
                let name = self.name_at(1);
                for _ in 0..=name.len() {
                    self.bump();
                }
                Ok(self.lookup(&name))
            }
            Some(char) if char.is_ascii_digit() || "?!#@*-$".contains(char) => {
                Err(SyntaxErrorKind::ParameterExpansion(format!("${char}")))
            }
            // A lone `$` (before a space, a quote or the end) is literal in bash.
            _ => {
                self.bump();
                Ok(String::from("$"))
            }
        }
    }

    fn lookup(&self, name: &str) -> String {
        self.parsed
            .assignments
            .iter()
            .rev()
            .find(|assignment| assignment.key == name)
            .map(|assignment| assignment.value.as_scalar().to_string())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(contents: &str, key: &str) -> String {
        let parsed = parse(contents);
        assert_eq!(parsed.errors, vec![], "unexpected errors for {contents:?}");
        parsed.values()[key].value.as_scalar().to_string()
    }

    #[test]
    fn plain_assignments_comments_and_blank_lines() {
        let parsed = parse("# Erlang version\nerlang_version=27.3.4\n\n  # Elixir\nelixir_version=1.18.3\n");
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.assignments,
            vec![
                Assignment {
                    key: "erlang_version".into(),
                    value: Value::Scalar("27.3.4".into()),
                    line: 2
                },
                Assignment {
                    key: "elixir_version".into(),
                    value: Value::Scalar("1.18.3".into()),
                    line: 5
                },
            ]
        );
    }

    #[test]
    fn quotes_export_and_trailing_comments() {
        assert_eq!(scalar("export erlang_version=\"27\"", "erlang_version"), "27");
        assert_eq!(scalar("elixir_version='1.18' # pinned", "elixir_version"), "1.18");
        assert_eq!(scalar("x=a#b", "x"), "a#b");
        assert_eq!(scalar("x=\"a \\\"b\\\" \\$HOME\"", "x"), "a \"b\" $HOME");
        assert_eq!(scalar("x='$(not run)'", "x"), "$(not run)");
        assert_eq!(scalar("x=", "x"), "");
        assert_eq!(scalar("x=1;y=2", "y"), "2");
    }

    #[test]
    fn crlf_line_endings() {
        let parsed = parse("erlang_version=25.2\r\nelixir_version=1.14.0\r\n");
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.values()["erlang_version"].value.as_scalar(), "25.2");
        assert_eq!(parsed.values()["elixir_version"].value.as_scalar(), "1.14.0");
    }

    #[test]
    fn later_assignments_win() {
        assert_eq!(scalar("release=false\nrelease=true", "release"), "true");
    }

    #[test]
    fn arrays() {
        let parsed = parse("config_vars_to_export=(DATABASE_URL \"SECRET KEY\"\n  POOL_SIZE)\n");
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.values()["config_vars_to_export"].value,
            Value::Array(vec![
                "DATABASE_URL".into(),
                "SECRET KEY".into(),
                "POOL_SIZE".into()
            ])
        );
    }

    #[test]
    fn plain_references_expand_like_bash_in_a_clean_environment() {
        assert_eq!(
            scalar("hook_pre_compile=\"export MIX_ENV=$ENV\"", "hook_pre_compile"),
            "export MIX_ENV="
        );
        assert_eq!(scalar("v=27\nerlang_version=${v}.3", "erlang_version"), "27.3");
        assert_eq!(scalar("x=\"costs 5 $\"", "x"), "costs 5 $");
    }

    #[test]
    fn shell_constructs_are_errors_with_line_and_key() {
        let parsed = parse("a=1\nerlang_version=$(cat .erlang)\nelixir_version=`cat x`\nb=${X:-1}\nc=$1\n");
        let kinds: Vec<_> = parsed
            .errors
            .iter()
            .map(|error| {
                (
                    error.line,
                    error.key.clone().unwrap_or_default(),
                    error.kind.clone(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                (
                    2,
                    "erlang_version".into(),
                    SyntaxErrorKind::CommandSubstitution("$(cat .erlang)".into())
                ),
                (
                    3,
                    "elixir_version".into(),
                    SyntaxErrorKind::CommandSubstitution("`cat x`".into())
                ),
                (
                    4,
                    "b".into(),
                    SyntaxErrorKind::ParameterExpansion("${X:-1}".into())
                ),
                (5, "c".into(), SyntaxErrorKind::ParameterExpansion("$1".into())),
            ]
        );
        assert_eq!(parsed.values()["a"].value.as_scalar(), "1");
    }

    #[test]
    fn commands_and_spaced_assignments_are_not_assignments() {
        let parsed = parse("erlang_version = 27\nsource other.config\nx=1 echo hi\n");
        assert_eq!(
            parsed.errors,
            vec![
                SyntaxError {
                    line: 1,
                    key: None,
                    kind: SyntaxErrorKind::NotAnAssignment("erlang_version = 27".into())
                },
                SyntaxError {
                    line: 2,
                    key: None,
                    kind: SyntaxErrorKind::NotAnAssignment("source other.config".into())
                },
                SyntaxError {
                    line: 3,
                    key: Some("x".into()),
                    kind: SyntaxErrorKind::TrailingWords("echo hi".into())
                },
            ]
        );
        assert!(parsed.assignments.is_empty());
    }

    #[test]
    fn unterminated_quotes_and_arrays() {
        assert_eq!(
            parse("x=\"abc\n").errors[0].kind,
            SyntaxErrorKind::UnterminatedQuote('"')
        );
        assert_eq!(
            parse("x=(a b\n").errors[0].kind,
            SyntaxErrorKind::UnterminatedArray
        );
        let parsed = parse("x=(a ; b)\ny=1\n");
        assert_eq!(parsed.errors[0].kind, SyntaxErrorKind::ShellOperator(";".into()));
        assert_eq!(parsed.values()["y"].value.as_scalar(), "1");
    }

    #[test]
    fn multi_line_double_quoted_values_keep_their_newline() {
        let parsed = parse("hook_post_compile=\"mix a &&\nmix b\"\nrelease=true\n");
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.values()["hook_post_compile"].value.as_scalar(),
            "mix a &&\nmix b"
        );
        assert_eq!(parsed.values()["release"].line, 3);
    }
}

/// Every real `elixir_buildpack.config` in `../shared/corpus` must parse to the values bash gives it.
#[cfg(test)]
mod corpus_tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// The keys the buildpack reads or knows.
    const KEYS: &[&str] = crate::inputs::config::KNOWN_KEYS;

    fn corpus_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/elixir_buildpack.config")
    }

    /// What bash gives each key after `source`, in a clean environment and an empty directory. Arrays
    /// come back joined with spaces; unset keys are absent.
    fn bash_values(file: &Path) -> BTreeMap<String, String> {
        let script = KEYS
            .iter()
            .map(|key| format!("[ -n \"${{{key}+x}}\" ] && printf '%s\\0%s\\0' {key} \"${{{key}[*]}}\""))
            .collect::<Vec<_>>()
            .join("\n");
        let scratch = tempfile::tempdir().expect("tempdir");
        let output = Command::new("env")
            .args(["-i", "PATH=/usr/bin:/bin", "bash", "--norc", "--noprofile", "-c"])
            .arg(format!("source \"$1\" >/dev/null 2>&1\n{script}\ntrue"))
            .arg("bash")
            .arg(file)
            .current_dir(scratch.path())
            .output()
            .expect("bash runs");
        let fields: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .split('\0')
            .map(String::from)
            .collect();
        fields
            .chunks_exact(2)
            // CRLF files are read as text: bash would keep the CR in each value, we don't (by design).
            .map(|pair| (pair[0].clone(), pair[1].trim_end_matches('\r').to_string()))
            .collect()
    }

    fn our_values(contents: &str) -> (BTreeMap<String, String>, Vec<SyntaxError>) {
        let parsed = parse(contents);
        let values = parsed
            .values()
            .into_iter()
            .filter(|(key, _)| KEYS.contains(key))
            .map(|(key, assignment)| {
                let value = match &assignment.value {
                    Value::Scalar(value) => value.clone(),
                    Value::Array(values) => values.join(" "),
                };
                (key.to_string(), value)
            })
            .collect();
        (values, parsed.errors)
    }

    #[test]
    fn every_corpus_file_parses_like_bash() {
        let dir = corpus_dir();
        let mut files: Vec<PathBuf> = fs_err::read_dir(&dir)
            .unwrap_or_else(|error| {
                panic!(
                    "the corpus must be at {} (../shared next to the repo): {error}",
                    dir.display()
                )
            })
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "the corpus at {} is empty", dir.display());

        let mut mismatches = Vec::new();
        for file in &files {
            let contents = fs_err::read_to_string(file).expect("a readable corpus file");
            let (ours, errors) = our_values(&contents);
            let expected = bash_values(file);
            if !errors.is_empty() || ours != expected {
                mismatches.push(format!(
                    "{}:\n  bash: {expected:?}\n  ours: {ours:?}\n  errors: {errors:?}",
                    file.display()
                ));
            }
        }
        println!(
            "corpus: {} of {} elixir_buildpack.config files parse to bash's values",
            files.len() - mismatches.len(),
            files.len()
        );
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    }
}

#[cfg(test)]
#[allow(clippy::format_collect)]
mod property_tests {
    use super::*;
    use proptest::prelude::*;

    fn single_quoted(value: &str) -> String {
        format!("'{}'", value.replace('\'', "'\\''"))
    }

    fn double_quoted(value: &str) -> String {
        let mut quoted = String::from("\"");
        for char in value.chars() {
            if matches!(char, '"' | '\\' | '$' | '`') {
                quoted.push('\\');
            }
            quoted.push(char);
        }
        quoted.push('"');
        quoted
    }

    proptest! {
        #[test]
        fn never_panics(contents in "\\PC{0,200}") {
            let _ = parse(&contents);
        }

        #[test]
        fn never_panics_on_shell_like_input(contents in "[a-z_=$(){}`'\" #\\\\\n\r;|&-]{0,120}") {
            let _ = parse(&contents);
        }

        #[test]
        fn quoted_values_round_trip(
            entries in proptest::collection::vec(("[a-z_][a-z0-9_]{0,12}", "[^\r\0]{0,40}", any::<bool>()), 1..8)
        ) {
            let contents: String = entries
                .iter()
                .map(|(key, value, single)| {
                    let quoted = if *single { single_quoted(value) } else { double_quoted(value) };
                    format!("{key}={quoted}\n")
                })
                .collect();
            let parsed = parse(&contents);
            prop_assert_eq!(&parsed.errors, &Vec::new());
            let expected: Vec<(String, String)> =
                entries.iter().map(|(key, value, _)| (key.clone(), value.clone())).collect();
            let actual: Vec<(String, String)> = parsed
                .assignments
                .iter()
                .map(|assignment| (assignment.key.clone(), assignment.value.as_scalar().to_string()))
                .collect();
            prop_assert_eq!(actual, expected);
        }
    }
}
