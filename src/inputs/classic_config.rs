//! Reads `elixir_buildpack.config`, the classic buildpack's config file, as data.
//!
//! The classic buildpacks `source` this file with bash. We never execute it: this module understands the
//! subset of bash syntax that real repositories use (`key=value`, several assignments on a line, `export`,
//! quotes, escapes, comments, line continuations, arrays, plain `$VAR` references) and gives each key the
//! value bash would give it in a clean environment. Anything that needs a shell to evaluate is reported with
//! its line, never run.
//!
//! Two differences from bash, on purpose, for files saved by Windows editors: a UTF-8 byte-order mark at
//! the start is skipped (bash takes it for part of the first word, which turns line 1 into a command), and
//! CRLF line endings are read as LF (bash would keep the CR at the end of each value).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One parsed assignment, with the line its statement started on.
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
    /// The keys the statement assigns, or seems to (`NAME=` words after the problem count too), so that
    /// callers can decide whether the error matters. Empty when the line assigns nothing: a command.
    pub(crate) keys: Vec<String>,
    pub(crate) kind: SyntaxErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyntaxErrorKind {
    /// `$(...)` or backticks.
    CommandSubstitution(String),
    /// `${VAR:-default}` and friends, `$1`, `$?`, `$_`, arithmetic.
    ParameterExpansion(String),
    /// An unquoted `~` where bash puts a home directory: the start of a value, or after `:` in one.
    TildeExpansion(String),
    /// `$'...'`.
    AnsiCQuoting(String),
    /// An unquoted `$VAR`, `*`, `?`, `[` or `{` in an array element: bash splits it into words, matches
    /// file names or expands braces.
    ArrayExpansion(String),
    /// An unquoted `{` in a value after `export`: bash expands braces in a command's words.
    BraceExpansion(String),
    /// A line that is a command, not an assignment (`key = value`, `source x`, `if ...`).
    NotAnAssignment(String),
    /// `key=value other` runs `other` as a command in bash.
    TrailingWords(String),
    UnterminatedQuote(char),
    UnterminatedArray,
    /// `;`, `|`, `&`, redirections or parentheses where a value was expected.
    ShellOperator(String),
    /// A `;` with nothing before it: a syntax error that makes bash stop reading the file.
    EmptyCommand,
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
            SyntaxErrorKind::TildeExpansion(text) => {
                write!(f, "`{text}`, where bash puts a home directory in place of `~`")
            }
            SyntaxErrorKind::AnsiCQuoting(text) => write!(f, "ANSI-C quoting `{text}`"),
            SyntaxErrorKind::ArrayExpansion(text) => write!(
                f,
                "`{text}` unquoted in an array, where bash splits words, matches file names and expands braces"
            ),
            SyntaxErrorKind::BraceExpansion(text) => write!(
                f,
                "`{text}` unquoted after `export`, where bash expands braces into several words"
            ),
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
            SyntaxErrorKind::EmptyCommand => write!(
                f,
                "a `;` with nothing before it, a syntax error that makes bash stop reading the file"
            ),
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
    /// The file started with a UTF-8 byte-order mark, which was skipped.
    pub(crate) byte_order_mark: bool,
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
    let (byte_order_mark, contents) = match contents.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, contents),
    };
    let mut parser = Parser {
        chars: contents.replace("\r\n", "\n").chars().collect(),
        position: 0,
        line: 1,
        pending: Vec::new(),
        deferred: Vec::new(),
        parsed: ParsedConfig {
            byte_order_mark,
            ..ParsedConfig::default()
        },
    };
    parser.parse_file();
    parser.parsed
}

struct Parser {
    chars: Vec<char>,
    position: usize,
    line: usize,
    /// The assignments of the statement being read: they take effect (all of them) only if it turns out
    /// not to be a command (`a=1 b=2 cmd` runs `cmd` with `a` and `b` in its environment, and sets neither).
    pending: Vec<Assignment>,
    /// The scalar assignments of an `export` statement, which take place after all its words are
    /// expanded: `export a=1 b=$a` sets `b` to what `$a` was before the line. (Its array assignments
    /// take place as its words are expanded, as in bash.)
    deferred: Vec<Assignment>,
    parsed: ParsedConfig,
}

const METACHARACTERS: &[char] = &[' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')'];

/// Where a word is: its expansions differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// The value of `key=value`.
    Assignment,
    /// The value of `export key=value`: bash expands braces there too.
    ExportAssignment,
    /// An element of `key=(a b)`.
    ArrayElement,
    /// Inside double quotes, in either.
    DoubleQuoted,
}

/// A shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_name(text: &str) -> bool {
    text.starts_with(|char: char| char.is_ascii_alphabetic() || char == '_')
        && text
            .chars()
            .all(|char| char.is_ascii_alphanumeric() || char == '_')
}

/// The names that `NAME=...` words of `text` would assign: a line we could not read is attributed to
/// every key it may set, so that none of them is dropped without an error.
fn assigned_names(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|char: char| char.is_whitespace() || char == ';')
        .filter_map(|word| word.split_once('=').map(|(name, _)| name))
        .filter(|name| is_name(name))
        .map(String::from)
}

impl Parser {
    /// The characters ahead as bash's lexer sees them: without line continuations. A backslash-newline
    /// outside single quotes and comments is not there at all, even inside a name (`$na\<newline>me`).
    fn logical(&self) -> impl Iterator<Item = char> + '_ {
        let mut index = self.position;
        std::iter::from_fn(move || {
            while self.chars.get(index) == Some(&'\\') && self.chars.get(index + 1) == Some(&'\n') {
                index += 2;
            }
            let char = self.chars.get(index).copied()?;
            index += 1;
            Some(char)
        })
    }

    fn peek(&self) -> Option<char> {
        self.logical().next()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.logical().nth(offset)
    }

    /// Consumes the next character as bash's lexer sees it (skipping line continuations).
    fn bump(&mut self) -> Option<char> {
        self.skip_continuations();
        self.raw_bump()
    }

    fn skip_continuations(&mut self) {
        while self.chars.get(self.position) == Some(&'\\') && self.chars.get(self.position + 1) == Some(&'\n')
        {
            self.position += 2;
            self.line += 1;
        }
    }

    /// Consumes the next character as it is: in single quotes and comments, and after a backslash.
    fn raw_bump(&mut self) -> Option<char> {
        let char = self.chars.get(self.position).copied()?;
        self.position += 1;
        if char == '\n' {
            self.line += 1;
        }
        Some(char)
    }

    fn advance(&mut self, count: usize) {
        for _ in 0..count {
            self.bump();
        }
    }

    /// Skips blanks; says whether there were any.
    fn skip_blanks(&mut self) -> bool {
        let mut blanks = false;
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
            blanks = true;
        }
        blanks
    }

    /// Skips to the end of the line: a comment ends there, backslash or not.
    fn skip_comment(&mut self) {
        self.skip_continuations();
        while !matches!(self.chars.get(self.position), None | Some('\n')) {
            self.raw_bump();
        }
    }

    /// Skips to the start of the next line, for error recovery.
    fn skip_line(&mut self) {
        self.skip_comment();
        self.bump();
    }

    fn line_from(&self, start: usize) -> String {
        self.chars[start..]
            .iter()
            .take_while(|char| **char != '\n')
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn rest_of_line(&self) -> String {
        self.line_from(self.position)
    }

    fn rest_of_word(&self) -> String {
        self.chars[self.position..]
            .iter()
            .take_while(|char| !METACHARACTERS.contains(char))
            .collect()
    }

    /// Reads a bare word (a name) `offset` characters ahead without consuming it.
    fn name_at(&self, offset: usize) -> String {
        self.logical()
            .skip(offset)
            .take_while(|char| char.is_ascii_alphanumeric() || *char == '_')
            .collect()
    }

    /// Whether a word ends `offset` characters ahead.
    fn word_ends_at(&self, offset: usize) -> bool {
        self.peek_at(offset)
            .is_none_or(|char| METACHARACTERS.contains(&char))
    }

    /// A line that assigns nothing: a command, or a syntax error.
    fn fail_line(&mut self, line: usize, kind: SyntaxErrorKind) {
        self.pending.clear();
        self.deferred.clear();
        self.parsed.errors.push(SyntaxError {
            line,
            keys: Vec::new(),
            kind,
        });
        self.skip_line();
    }

    /// A statement that assigns the pending and deferred keys and `key`, and maybe more after the problem.
    fn fail_statement(&mut self, line: usize, key: Option<String>, kind: SyntaxErrorKind) {
        let later: Vec<String> = assigned_names(&self.rest_of_line()).collect();
        let mut seen = BTreeSet::new();
        let deferred = std::mem::take(&mut self.deferred);
        let keys = self
            .pending
            .drain(..)
            .chain(deferred)
            .map(|assignment| assignment.key)
            .chain(key)
            .chain(later)
            .filter(|key| seen.insert(key.clone()))
            .collect();
        self.parsed.errors.push(SyntaxError { line, keys, kind });
        self.skip_line();
    }

    fn parse_file(&mut self) {
        loop {
            self.skip_blanks();
            match self.peek() {
                None => break,
                Some('\n') => {
                    self.bump();
                }
                Some('#') => self.skip_comment(),
                Some(';') => self.fail_line(self.line, SyntaxErrorKind::EmptyCommand),
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

    /// Reads one statement: `[export] word...` up to a line end, `;` or comment. It assigns when every
    /// word is `NAME=value` (or, after `export`, a bare `NAME`); otherwise bash would run it as a command.
    fn parse_statement(&mut self) {
        self.skip_continuations();
        let line = self.line;
        let start = self.position;
        let export = self.name_at(0) == "export" && matches!(self.peek_at(6), Some(' ' | '\t'));
        if export {
            self.advance(6);
            self.skip_blanks();
        }
        loop {
            let name = self.name_at(0);
            if is_name(&name) && self.peek_at(name.len()) == Some('=') {
                self.advance(name.len() + 1);
                let value = if self.peek() == Some('(') {
                    self.bump();
                    self.parse_array().map(Value::Array)
                } else {
                    let context = if export {
                        Context::ExportAssignment
                    } else {
                        Context::Assignment
                    };
                    self.parse_word(context).map(Value::Scalar)
                };
                match value {
                    Ok(value @ Value::Scalar(_)) if export => self.deferred.push(Assignment {
                        key: name,
                        value,
                        line,
                    }),
                    Ok(value) => self.assign(name, value, line),
                    Err(kind) => return self.fail_statement(line, Some(name), kind),
                }
            } else if export && is_name(&name) && self.word_ends_at(name.len()) {
                // `export NAME` marks a variable for export and assigns nothing.
                self.advance(name.len());
            } else if self.pending.is_empty() && self.deferred.is_empty() {
                let text = self.line_from(start);
                return self.fail_line(line, SyntaxErrorKind::NotAnAssignment(text));
            } else {
                let text = self.rest_of_line();
                return self.fail_statement(line, None, SyntaxErrorKind::TrailingWords(text));
            }

            // What may follow a word: blanks and the next word, or the end of the statement.
            let blanks = self.skip_blanks();
            match self.peek() {
                None | Some('\n') => break,
                Some(';') => {
                    self.bump();
                    break;
                }
                Some('#') if blanks => {
                    self.skip_comment();
                    break;
                }
                Some(_) if blanks => {}
                // `x=(a)b`, `x=a|b`, `x=a>b`.
                Some(_) => {
                    let text = self.rest_of_line();
                    return self.fail_statement(line, None, SyntaxErrorKind::TrailingWords(text));
                }
            }
        }
        for Assignment { key, value, line } in std::mem::take(&mut self.deferred) {
            self.assign(key, value, line);
        }
        let pending = std::mem::take(&mut self.pending);
        self.parsed.assignments.extend(pending);
    }

    fn assign(&mut self, key: String, value: Value, line: usize) {
        let value = self.assigned_value(&key, value);
        self.pending.push(Assignment { key, value, line });
    }

    /// The value a key holds after an assignment: assigning a scalar to an array sets its first element.
    fn assigned_value(&self, name: &str, value: Value) -> Value {
        match (value, self.current(name)) {
            (Value::Scalar(scalar), Some(Value::Array(mut elements))) => {
                match elements.first_mut() {
                    Some(first) => *first = scalar,
                    None => elements.push(scalar),
                }
                Value::Array(elements)
            }
            (value, _) => value,
        }
    }

    /// The value a key holds at this point of the file, if it was assigned.
    fn current(&self, name: &str) -> Option<Value> {
        self.pending
            .iter()
            .rev()
            .chain(self.parsed.assignments.iter().rev())
            .find(|assignment| assignment.key == name)
            .map(|assignment| assignment.value.clone())
    }

    fn parse_array(&mut self) -> Result<Vec<String>, SyntaxErrorKind> {
        let mut values = Vec::new();
        loop {
            loop {
                self.skip_blanks();
                if self.peek() != Some('\n') {
                    break;
                }
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
                Some(_) => values.push(self.parse_word(Context::ArrayElement)?),
            }
        }
    }

    /// Parses one shell word: unquoted, single- and double-quoted parts glued together.
    fn parse_word(&mut self, context: Context) -> Result<String, SyntaxErrorKind> {
        let mut word = String::new();
        // Where bash would expand a `~`: the start of the word, and after an unquoted `:` in an assignment.
        let mut tilde_prefix = true;
        loop {
            let at_tilde_prefix = std::mem::replace(&mut tilde_prefix, false);
            match self.peek() {
                None => break,
                Some(char) if METACHARACTERS.contains(&char) => break,
                Some('~') if at_tilde_prefix => {
                    return Err(SyntaxErrorKind::TildeExpansion(self.rest_of_word()));
                }
                Some('\'') => {
                    self.bump();
                    loop {
                        match self.raw_bump() {
                            None => return Err(SyntaxErrorKind::UnterminatedQuote('\'')),
                            Some('\'') => break,
                            Some(char) => word.push(char),
                        }
                    }
                }
                Some('"') => {
                    self.bump();
                    self.parse_double_quoted(&mut word)?;
                }
                Some('\\') => {
                    self.bump();
                    // The escaped character is taken as it is (a newline here was a line continuation).
                    // A backslash at the very end of the file stays.
                    word.push(self.raw_bump().unwrap_or('\\'));
                }
                Some('$') => word.push_str(&self.parse_dollar(context)?),
                Some('`') => return Err(SyntaxErrorKind::CommandSubstitution(self.rest_of_line())),
                Some('*' | '?' | '[' | '{') if context == Context::ArrayElement => {
                    return Err(SyntaxErrorKind::ArrayExpansion(self.rest_of_word()));
                }
                Some('{') if context == Context::ExportAssignment => {
                    return Err(SyntaxErrorKind::BraceExpansion(self.rest_of_word()));
                }
                Some(char) => {
                    self.bump();
                    word.push(char);
                    tilde_prefix = char == ':' && context != Context::ArrayElement;
                }
            }
        }
        Ok(word)
    }

    fn parse_double_quoted(&mut self, word: &mut String) -> Result<(), SyntaxErrorKind> {
        loop {
            match self.peek() {
                None => return Err(SyntaxErrorKind::UnterminatedQuote('"')),
                Some('"') => {
                    self.bump();
                    return Ok(());
                }
                Some('\\') => {
                    self.bump();
                    match self.raw_bump() {
                        None => return Err(SyntaxErrorKind::UnterminatedQuote('"')),
                        Some(char @ ('$' | '`' | '"' | '\\')) => word.push(char),
                        Some(char) => {
                            word.push('\\');
                            word.push(char);
                        }
                    }
                }
                Some('$') => word.push_str(&self.parse_dollar(Context::DoubleQuoted)?),
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
    /// an earlier assignment of the file gave it, else to nothing, as in bash with a clean environment.
    fn parse_dollar(&mut self, context: Context) -> Result<String, SyntaxErrorKind> {
        let quoted = context == Context::DoubleQuoted;
        match self.peek_at(1) {
            Some('(') => Err(SyntaxErrorKind::CommandSubstitution(self.rest_of_line())),
            // `$[1+1]`, the old arithmetic expansion.
            Some('[') => Err(SyntaxErrorKind::ParameterExpansion(self.rest_of_line())),
            Some('\'') if !quoted => Err(SyntaxErrorKind::AnsiCQuoting(self.rest_of_line())),
            // `$"..."` is a string to translate; without translations (as in a build), it is `"..."`.
            Some('"') if !quoted => {
                self.bump();
                Ok(String::new())
            }
            Some('{') => {
                let name = self.name_at(2);
                if is_name(&name) && name != "_" && self.peek_at(2 + name.len()) == Some('}') {
                    self.expand(context, &name, name.len() + 3)
                } else {
                    Err(SyntaxErrorKind::ParameterExpansion(self.rest_of_line()))
                }
            }
            Some(char) if char.is_ascii_alphabetic() || char == '_' => {
                let name = self.name_at(1);
                if name == "_" {
                    return Err(SyntaxErrorKind::ParameterExpansion(String::from("$_")));
                }
                self.expand(context, &name, name.len() + 1)
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

    /// Expands the reference to `name`, `length` characters long.
    fn expand(&mut self, context: Context, name: &str, length: usize) -> Result<String, SyntaxErrorKind> {
        if context == Context::ArrayElement {
            return Err(SyntaxErrorKind::ArrayExpansion(self.rest_of_word()));
        }
        self.advance(length);
        Ok(self
            .current(name)
            .map(|value| value.as_scalar().to_string())
            .unwrap_or_default())
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
            .map(|error| (error.line, error.keys.join(","), error.kind.clone()))
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
    fn only_shell_names_are_assigned() {
        // Bash runs these as commands: a name starts with a letter or `_`.
        let parsed = parse("1x=2\n=3\n_x1=4\n");
        assert_eq!(
            parsed.errors,
            vec![
                error(1, &[], SyntaxErrorKind::NotAnAssignment("1x=2".into())),
                error(2, &[], SyntaxErrorKind::NotAnAssignment("=3".into())),
            ]
        );
        assert_eq!(
            parsed.assignments,
            vec![assignment("_x1", Value::Scalar("4".into()), 3)]
        );
        // `export` takes names only.
        assert_eq!(
            parse("export a-b=1\n").errors,
            vec![error(
                1,
                &[],
                SyntaxErrorKind::NotAnAssignment("export a-b=1".into())
            )]
        );
        // And an error is only attributed to names.
        assert_eq!(
            parse("a=$(x) 1b=2 =3 c_=4").errors,
            vec![error(
                1,
                &["a", "c_"],
                SyntaxErrorKind::CommandSubstitution("$(x) 1b=2 =3 c_=4".into())
            )]
        );
    }

    #[test]
    fn commands_and_spaced_assignments_are_not_assignments() {
        let parsed = parse("erlang_version = 27\nsource other.config\nx=1 echo hi\n");
        assert_eq!(
            parsed.errors,
            vec![
                SyntaxError {
                    line: 1,
                    keys: vec![],
                    kind: SyntaxErrorKind::NotAnAssignment("erlang_version = 27".into())
                },
                SyntaxError {
                    line: 2,
                    keys: vec![],
                    kind: SyntaxErrorKind::NotAnAssignment("source other.config".into())
                },
                SyntaxError {
                    line: 3,
                    keys: vec!["x".into()],
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

    fn assignment(key: &str, value: Value, line: usize) -> Assignment {
        Assignment {
            key: key.into(),
            value,
            line,
        }
    }

    fn array(elements: &[&str]) -> Value {
        Value::Array(elements.iter().map(ToString::to_string).collect())
    }

    fn error(line: usize, keys: &[&str], kind: SyntaxErrorKind) -> SyntaxError {
        SyntaxError {
            line,
            keys: keys.iter().map(ToString::to_string).collect(),
            kind,
        }
    }

    #[test]
    fn several_assignments_on_one_line_assign_them_all() {
        let parsed = parse(
            "erlang_version=26.2.5 elixir_version=1.16.3\n\
             export a=1 b c=$a\tkey='x y' # note\n\
             d=4 \\\n  e=5;f=6\n",
        );
        assert_eq!(parsed.errors, vec![]);
        // `export` is a command: its words are expanded before it assigns, so `c=$a` sees no `a`.
        assert_eq!(
            parsed.assignments,
            vec![
                assignment("erlang_version", Value::Scalar("26.2.5".into()), 1),
                assignment("elixir_version", Value::Scalar("1.16.3".into()), 1),
                assignment("a", Value::Scalar("1".into()), 2),
                assignment("c", Value::Scalar(String::new()), 2),
                assignment("key", Value::Scalar("x y".into()), 2),
                assignment("d", Value::Scalar("4".into()), 3),
                assignment("e", Value::Scalar("5".into()), 3),
                assignment("f", Value::Scalar("6".into()), 4),
            ]
        );
    }

    #[test]
    fn assignments_before_a_command_assign_nothing() {
        // Bash runs `mix test` with `a` and `b` in its environment, and sets neither.
        // Bash reads `x=(a)b=1` as one odd word; what follows an array is a blank, `;` or a line end.
        let parsed =
            parse("a=1 b=2 mix test\nc=3 export d=4\nexport e=5 -n\nx=(a)b\nx=a>b\nx=(a)b=1\nx=(a)#c\n");
        assert_eq!(
            parsed.errors,
            vec![
                error(1, &["a", "b"], SyntaxErrorKind::TrailingWords("mix test".into())),
                error(
                    2,
                    &["c", "d"],
                    SyntaxErrorKind::TrailingWords("export d=4".into())
                ),
                error(3, &["e"], SyntaxErrorKind::TrailingWords("-n".into())),
                error(4, &["x"], SyntaxErrorKind::TrailingWords("b".into())),
                error(5, &["x"], SyntaxErrorKind::TrailingWords(">b".into())),
                error(6, &["x", "b"], SyntaxErrorKind::TrailingWords("b=1".into())),
                error(7, &["x"], SyntaxErrorKind::TrailingWords("#c".into())),
            ]
        );
        assert_eq!(parsed.assignments, vec![]);
    }

    #[test]
    fn an_error_names_every_key_its_line_may_set() {
        let parsed = parse("node_version=$(cat .nvmrc) erlang_version=27 release=false\n");
        assert_eq!(
            parsed.errors,
            vec![error(
                1,
                &["node_version", "erlang_version", "release"],
                SyntaxErrorKind::CommandSubstitution("$(cat .nvmrc) erlang_version=27 release=false".into())
            )]
        );
        assert_eq!(parsed.assignments, vec![]);
    }

    #[test]
    fn a_scalar_assigned_to_an_array_sets_its_first_element() {
        let parsed = parse("x=(branch main)\nx=1.16\ny=()\ny=a\nz=(a b)\nz=(c)\n");
        assert_eq!(parsed.errors, vec![]);
        let values = parsed.values();
        assert_eq!(values["x"].value, array(&["1.16", "main"]));
        assert_eq!(values["y"].value, array(&["a"]));
        assert_eq!(values["z"].value, array(&["c"]));
        assert_eq!(
            parse("x=(a b) y=$x").values()["y"].value,
            Value::Scalar("a".into())
        );
        // In `export`, arrays are assigned as the words are expanded, scalars after.
        let parsed = parse("x=(a b)\nexport x=c x=(d) y=$x\nexport z=(a b) z=c\n");
        assert_eq!(parsed.values()["x"].value, array(&["c"]));
        assert_eq!(parsed.values()["y"].value, Value::Scalar("d".into()));
        assert_eq!(parsed.values()["z"].value, array(&["c", "b"]));
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_skipped_and_reported() {
        let parsed = parse("\u{feff}erlang_version=27\r\nelixir_version=1.18\r\n");
        assert!(parsed.byte_order_mark);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.assignments,
            vec![
                assignment("erlang_version", Value::Scalar("27".into()), 1),
                assignment("elixir_version", Value::Scalar("1.18".into()), 2),
            ]
        );
        assert!(!parse("erlang_version=27\n").byte_order_mark);
        // Anywhere else it is a character, and bash takes that line for a command.
        assert_eq!(
            parse("a=1\n\u{feff}b=2\n").errors,
            vec![error(
                2,
                &[],
                SyntaxErrorKind::NotAnAssignment("\u{feff}b=2".into())
            )]
        );
    }

    #[test]
    fn crlf_is_read_as_lf_everywhere_and_a_lone_cr_is_kept() {
        let parsed = parse("x='a\r\nb'\r\ny=(c\r\nd)\r\nz=e\rf\r\n");
        assert_eq!(parsed.errors, vec![]);
        let values = parsed.values();
        assert_eq!(values["x"].value, Value::Scalar("a\nb".into()));
        assert_eq!(values["y"].value, array(&["c", "d"]));
        assert_eq!(values["z"].value, Value::Scalar("e\rf".into()));
        assert_eq!(values["z"].line, 5);
    }

    #[test]
    fn patterns_and_braces_are_literal_in_assignments() {
        // Bash expands neither in `key=value` (it does in arrays: an error there).
        assert_eq!(scalar("x=a*b?[c]{d,e}", "x"), "a*b?[c]{d,e}");
        assert_eq!(scalar("export x=a*b?[c]", "x"), "a*b?[c]");
        // After `export`, bash expands braces (`export x={a,b}` sets `x=b`).
        assert_eq!(
            parse("export x={a,b} y='{}'\nexport z=:~").errors,
            vec![
                error(1, &["x", "y"], SyntaxErrorKind::BraceExpansion("{a,b}".into())),
                error(2, &["z"], SyntaxErrorKind::TildeExpansion("~".into())),
            ]
        );
    }

    #[test]
    fn quoted_and_escaped_characters_are_literal() {
        let parsed = parse("a=\"~\" b='*' c=a~b d=$\"x y\" e=(\"$d\" '*' \\~) f=\\\ng=x:\\~ h=\"$'\"\ni=\\");
        assert_eq!(parsed.errors, vec![]);
        let values = parsed.values();
        assert_eq!(values["a"].value, Value::Scalar("~".into()));
        assert_eq!(values["b"].value, Value::Scalar("*".into()));
        assert_eq!(values["c"].value, Value::Scalar("a~b".into()));
        assert_eq!(values["d"].value, Value::Scalar("x y".into()));
        assert_eq!(values["e"].value, array(&["x y", "*", "~"]));
        assert_eq!(
            values["f"].value,
            Value::Scalar("g=x:~".into()),
            "a line continuation joins the lines"
        );
        assert_eq!(values["h"].value, Value::Scalar("$'".into()));
        assert_eq!(
            values["i"].value,
            Value::Scalar("\\".into()),
            "a backslash at the end of the file stays"
        );
    }

    #[test]
    fn expansions_only_bash_can_do_are_errors() {
        let parsed = parse(
            "a=~/bin\nb=x:~\nc=(~)\nd=$'a\\nb'\ne=(*.txt)\nf=($d)\ng=(a{b,c})\nh=$[1+1]\ni=$_\n;\nj=1;;\n",
        );
        assert_eq!(
            parsed.errors,
            vec![
                error(1, &["a"], SyntaxErrorKind::TildeExpansion("~/bin".into())),
                error(2, &["b"], SyntaxErrorKind::TildeExpansion("~".into())),
                error(3, &["c"], SyntaxErrorKind::TildeExpansion("~".into())),
                error(4, &["d"], SyntaxErrorKind::AnsiCQuoting("$'a\\nb'".into())),
                error(5, &["e"], SyntaxErrorKind::ArrayExpansion("*.txt".into())),
                error(6, &["f"], SyntaxErrorKind::ArrayExpansion("$d".into())),
                error(7, &["g"], SyntaxErrorKind::ArrayExpansion("{b,c}".into())),
                error(8, &["h"], SyntaxErrorKind::ParameterExpansion("$[1+1]".into())),
                error(9, &["i"], SyntaxErrorKind::ParameterExpansion("$_".into())),
                error(10, &[], SyntaxErrorKind::EmptyCommand),
                error(11, &[], SyntaxErrorKind::EmptyCommand),
            ]
        );
        assert_eq!(
            parsed.assignments,
            vec![assignment("j", Value::Scalar("1".into()), 11)],
            "bash would not even assign `j`, but the error stops the build anyway"
        );
    }
}

/// Config files generated from the grammar above must parse to the values bash gives them.
#[cfg(test)]
mod generated_corpus_tests;

/// Every real `elixir_buildpack.config` in `../shared/corpus` must parse to the values bash gives it.
#[cfg(test)]
mod corpus_tests {
    use super::generated_corpus_tests::{bash_values, normalized, our_values};
    use super::parse;
    use std::path::PathBuf;

    /// The keys the buildpack reads or knows.
    const KEYS: &[&str] = crate::inputs::config::KNOWN_KEYS;

    #[test]
    fn every_corpus_file_parses_like_bash() {
        let Some(dir) = crate::test_support::corpus("elixir_buildpack.config") else {
            return;
        };
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

        let contents: Vec<String> = files
            .iter()
            .map(|file| fs_err::read_to_string(file).expect("a readable corpus file"))
            .collect();
        // Bash reads them without CRLF (and BOM), which we read as LF on purpose.
        let expected = bash_values(
            &contents
                .iter()
                .map(|contents| normalized(contents))
                .collect::<Vec<_>>(),
            KEYS,
        );
        let mismatches: Vec<String> = files
            .iter()
            .zip(&contents)
            .zip(&expected)
            .filter_map(|((file, contents), expected)| {
                let errors = parse(contents).errors;
                let ours = our_values(contents, KEYS);
                (!errors.is_empty() || ours != *expected).then(|| {
                    format!(
                        "{}:\n  bash: {expected:?}\n  ours: {ours:?}\n  errors: {errors:?}",
                        file.display()
                    )
                })
            })
            .collect();
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
