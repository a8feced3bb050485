//! The differential property test: config files generated from the grammar the parser accepts (several
//! assignments per line, `export`, quotes, escapes, line continuations, `$VAR` references, arrays,
//! comments, CRLF, a byte-order mark) must give every key the value bash gives it after `source` in a
//! clean environment.
//!
//! CRLF and the BOM are where we differ from bash on purpose: bash would keep the CR at the end of each
//! value, and take the BOM for part of the first word. So bash reads each file with its BOM removed and
//! its CRLFs turned into LF, while the parser reads it as generated. Separately, the parser must read a
//! generated file exactly as the same file generated with LF endings and no BOM (unless its text puts a
//! CR of its own right before a line end, which then reads as CRLF). What bash itself does with them is
//! pinned down by `bash_keeps_the_cr_and_reads_the_bom_as_part_of_line_1`.
//!
//! Bash is started once for all the files of a run, and sources each after unsetting every key, so that
//! the case count CI uses (`PROPTEST_CASES`) stays cheap. A mismatch is shrunk to a small file.

use super::{Value, parse};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeMap;
use std::process::Command;

/// The keys files assign and compare.
const KEYS: &[&str] = &[
    "erlang_version",
    "elixir_version",
    "release",
    "hook_compile",
    "config_vars_to_export",
    "k1",
    "k2",
];

/// Referenced but never assigned: expands to nothing. Compared too (it must stay unset).
const UNSET: &str = "unset_1";

const BOM: char = '\u{feff}';

/// Characters for quoted text: shell syntax, blanks, CR and LF, non-ASCII, a BOM.
const QUOTED_TEXT: &str = "aZ09 \t\n\r$\"'\\#;&|<>(){}[]*?~=:.,@!%^+`é€\u{feff}-";

/// A generated config file.
#[derive(Debug, Clone)]
struct File {
    byte_order_mark: bool,
    /// Each line with its ending: CRLF (`true`) or LF.
    lines: Vec<(Line, bool)>,
    final_newline: bool,
}

#[derive(Debug, Clone)]
enum Line {
    Blank(String),
    Comment(String),
    Statements {
        statements: Vec<Statement>,
        /// `;`, ` ; `, ...
        separator: String,
        trailing_semicolon: bool,
        comment: Option<String>,
    },
}

#[derive(Debug, Clone)]
struct Statement {
    export: bool,
    words: Vec<Word>,
    /// Blanks between words (and after `export`): spaces, tabs, line continuations.
    blanks: Vec<String>,
}

#[derive(Debug, Clone)]
enum Word {
    Assignment {
        name: String,
        value: AssignedValue,
    },
    /// `NAME` after `export`.
    BareName(String),
}

#[derive(Debug, Clone)]
enum AssignedValue {
    Scalar(Vec<Part>),
    /// Elements, each after its separator, then the separator before `)`.
    Array(Vec<(String, Vec<Part>)>, String),
}

#[derive(Debug, Clone)]
enum Part {
    Unquoted(String),
    /// `\c`.
    Escaped(char),
    /// A backslash-newline.
    Continuation,
    SingleQuoted(String),
    DoubleQuoted(Vec<DoubleQuotedPart>),
    /// `$"..."`.
    Translated(Vec<DoubleQuotedPart>),
    /// `$NAME` or `${NAME}`; not in arrays (bash splits unquoted expansions there, an error for us).
    Reference {
        name: String,
        braced: bool,
    },
}

#[derive(Debug, Clone)]
enum DoubleQuotedPart {
    /// Rendered with `"`, `\`, `$` and backticks escaped.
    Text(String),
    /// `\c`, for any `c`: bash keeps the backslash unless `c` is special in double quotes.
    Escaped(char),
    Reference {
        name: String,
        braced: bool,
    },
}

fn text(alphabet: &'static str, max: usize) -> impl Strategy<Value = String> {
    vec(select(alphabet.chars().collect::<Vec<_>>()), 0..=max).prop_map(String::from_iter)
}

fn name() -> impl Strategy<Value = String> {
    select(KEYS).prop_map(String::from)
}

fn reference_name() -> impl Strategy<Value = String> {
    prop_oneof![4 => name(), 1 => Just(UNSET.to_string())]
}

fn double_quoted_parts() -> impl Strategy<Value = Vec<DoubleQuotedPart>> {
    vec(
        prop_oneof![
            3 => text(QUOTED_TEXT, 6).prop_map(DoubleQuotedPart::Text),
            1 => select(QUOTED_TEXT.chars().collect::<Vec<_>>()).prop_map(DoubleQuotedPart::Escaped),
            1 => (reference_name(), any::<bool>())
                .prop_map(|(name, braced)| DoubleQuotedPart::Reference { name, braced }),
        ],
        0..4,
    )
}

fn part(in_array: bool) -> BoxedStrategy<Part> {
    // Unquoted text never starts with `#` (a comment) and has no `~` (bash expands it after `:`) or
    // characters that are operators, quotes or expansions; patterns and braces only outside arrays.
    let unquoted = if in_array {
        ("[a-zA-Z0-9._/:@%+,=-]", "[a-zA-Z0-9._/:@%+,=#-]{0,6}")
    } else {
        (
            "[a-zA-Z0-9._/:@%+,=*?{}\\[\\]-]",
            "[a-zA-Z0-9._/:@%+,=#*?{}\\[\\]-]{0,6}",
        )
    };
    let unquoted = unquoted.prop_map(|(first, rest)| format!("{first}{rest}"));
    let escaped = select(" $\"'\\#;&|<>(){}[]*?~`=a\t".chars().collect::<Vec<_>>());
    let quoted = prop_oneof![
        4 => unquoted.prop_map(Part::Unquoted),
        1 => escaped.prop_map(Part::Escaped),
        1 => Just(Part::Continuation),
        2 => text(QUOTED_TEXT, 8)
            .prop_map(|text| Part::SingleQuoted(text.replace('\'', ""))),
        2 => double_quoted_parts().prop_map(Part::DoubleQuoted),
        1 => double_quoted_parts().prop_map(Part::Translated),
    ];
    if in_array {
        quoted.boxed()
    } else {
        prop_oneof![
            6 => quoted,
            1 => (reference_name(), any::<bool>()).prop_map(|(name, braced)| Part::Reference { name, braced }),
        ]
        .boxed()
    }
}

/// Before an array element: blanks, newlines, comments, or nothing (which glues it to the one before).
fn array_separator() -> impl Strategy<Value = String> {
    select(vec![
        "",
        " ",
        "  ",
        "\t",
        "\n",
        " \\\n ",
        "\n  # a comment (x\n  ",
    ])
    .prop_map(String::from)
}

fn assigned_value() -> impl Strategy<Value = AssignedValue> {
    prop_oneof![
        3 => vec(part(false), 0..4).prop_map(AssignedValue::Scalar),
        1 => (
            vec((array_separator(), vec(part(true), 1..3)), 0..4),
            select(vec!["", " ", "\n"]).prop_map(String::from),
        )
            .prop_map(|(elements, end)| AssignedValue::Array(elements, end)),
    ]
}

fn blank() -> impl Strategy<Value = String> {
    select(vec![" ", "\t", "  ", " \\\n", "\\\n  "]).prop_map(String::from)
}

fn statement() -> impl Strategy<Value = Statement> {
    let assignment = (name(), assigned_value()).prop_map(|(name, value)| Word::Assignment { name, value });
    (
        any::<bool>(),
        vec(
            prop_oneof![6 => assignment, 1 => name().prop_map(Word::BareName)],
            1..4,
        ),
        vec(blank(), 4),
    )
        .prop_map(|(export, mut words, blanks)| {
            // Bash expands braces in `export`'s words (an error for us): none there.
            if export {
                for word in &mut words {
                    if let Word::Assignment {
                        value: AssignedValue::Scalar(parts),
                        ..
                    } = word
                    {
                        for part in parts {
                            if let Part::Unquoted(text) = part {
                                *text = text.replace(['{', '}'], "_");
                            }
                        }
                    }
                }
            }
            // Bare names are `export` operands; without `export`, make it an assignment.
            if !export {
                for word in &mut words {
                    if let Word::BareName(name) = word {
                        *word = Word::Assignment {
                            name: name.clone(),
                            value: AssignedValue::Scalar(Vec::new()),
                        };
                    }
                }
            }
            Statement {
                export,
                words,
                blanks,
            }
        })
}

fn line() -> impl Strategy<Value = Line> {
    let comment = || text(QUOTED_TEXT, 10).prop_map(|text| format!("#{}", text.replace(['\n', '\r'], "")));
    prop_oneof![
        1 => select(vec!["", " ", "\t "]).prop_map(|blank| Line::Blank(blank.to_string())),
        1 => (select(vec!["", "  "]), comment())
            .prop_map(|(indent, comment)| Line::Comment(format!("{indent}{comment}"))),
        6 => (
            vec(statement(), 1..3),
            select(vec![";", " ; ", "; "]).prop_map(String::from),
            any::<bool>(),
            proptest::option::of(comment()),
        )
            .prop_map(|(statements, separator, trailing_semicolon, comment)| Line::Statements {
                statements,
                separator,
                trailing_semicolon,
                comment,
            }),
    ]
}

fn file() -> impl Strategy<Value = File> {
    (any::<bool>(), vec((line(), any::<bool>()), 0..6), any::<bool>()).prop_map(
        |(byte_order_mark, lines, final_newline)| File {
            byte_order_mark,
            lines,
            final_newline,
        },
    )
}

fn render_double_quoted(parts: &[DoubleQuotedPart], out: &mut String) {
    out.push('"');
    for part in parts {
        match part {
            DoubleQuotedPart::Text(text) => {
                for char in text.chars() {
                    if matches!(char, '"' | '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(char);
                }
            }
            DoubleQuotedPart::Escaped(char) => {
                out.push('\\');
                out.push(*char);
            }
            DoubleQuotedPart::Reference { name, braced } => render_reference(name, *braced, out),
        }
    }
    out.push('"');
}

fn render_reference(name: &str, braced: bool, out: &mut String) {
    out.push('$');
    if braced {
        out.push('{');
        out.push_str(name);
        out.push('}');
    } else {
        out.push_str(name);
    }
}

fn render_word(parts: &[Part], out: &mut String) {
    for part in parts {
        match part {
            Part::Unquoted(text) => out.push_str(text),
            Part::Escaped(char) => {
                out.push('\\');
                out.push(*char);
            }
            Part::Continuation => out.push_str("\\\n"),
            Part::SingleQuoted(text) => {
                out.push('\'');
                out.push_str(text);
                out.push('\'');
            }
            Part::DoubleQuoted(parts) => render_double_quoted(parts, out),
            Part::Translated(parts) => {
                out.push('$');
                render_double_quoted(parts, out);
            }
            Part::Reference { name, braced } => render_reference(name, *braced, out),
        }
    }
}

fn render_statement(statement: &Statement, out: &mut String) {
    let mut blanks = statement.blanks.iter().cycle();
    let mut next_blank = || blanks.next().map_or(" ", String::as_str);
    if statement.export {
        out.push_str("export");
        out.push_str(next_blank());
    }
    for (index, word) in statement.words.iter().enumerate() {
        if index > 0 {
            out.push_str(next_blank());
        }
        match word {
            Word::BareName(name) => out.push_str(name),
            Word::Assignment { name, value } => {
                out.push_str(name);
                out.push('=');
                match value {
                    AssignedValue::Scalar(parts) => render_word(parts, out),
                    AssignedValue::Array(elements, end) => {
                        out.push('(');
                        for (separator, parts) in elements {
                            out.push_str(separator);
                            render_word(parts, out);
                        }
                        out.push_str(end);
                        out.push(')');
                    }
                }
            }
        }
    }
}

impl File {
    /// The same file with LF line endings and no byte-order mark.
    fn plain(&self) -> File {
        File {
            byte_order_mark: false,
            lines: self.lines.iter().map(|(line, _)| (line.clone(), false)).collect(),
            final_newline: self.final_newline,
        }
    }

    /// The file as generated.
    fn render(&self) -> String {
        let mut out = String::new();
        if self.byte_order_mark {
            out.push(BOM);
        }
        for (index, (line, crlf)) in self.lines.iter().enumerate() {
            match line {
                Line::Blank(text) | Line::Comment(text) => out.push_str(text),
                Line::Statements {
                    statements,
                    separator,
                    trailing_semicolon,
                    comment,
                } => {
                    for (index, statement) in statements.iter().enumerate() {
                        if index > 0 {
                            out.push_str(separator);
                        }
                        render_statement(statement, &mut out);
                    }
                    if *trailing_semicolon {
                        out.push(';');
                    }
                    if let Some(comment) = comment {
                        out.push(' ');
                        out.push_str(comment);
                    }
                }
            }
            if index + 1 < self.lines.len() || self.final_newline {
                out.push_str(if *crlf { "\r\n" } else { "\n" });
            }
        }
        out
    }
}

/// The text bash gets: without the BOM, with CRLF read as LF.
pub(super) fn normalized(contents: &str) -> String {
    contents
        .strip_prefix(BOM)
        .unwrap_or(contents)
        .replace("\r\n", "\n")
}

/// Each key's elements: a scalar has one, an unset key none.
pub(super) type Values = BTreeMap<String, Vec<String>>;

/// The keys the generated files set, and one they never set.
fn compared_keys() -> Vec<&'static str> {
    KEYS.iter().copied().chain([UNSET]).collect()
}

/// What bash gives `keys` after sourcing each file in a clean environment, in an empty directory: one
/// bash for all files, which unsets the keys before each.
pub(super) fn bash_values(files: &[String], keys: &[&str]) -> Vec<Values> {
    let scratch = tempfile::tempdir().expect("tempdir");
    let dir = scratch.path().join("files");
    fs_err::create_dir(&dir).expect("a dir for the files");
    for (index, contents) in files.iter().enumerate() {
        fs_err::write(dir.join(index.to_string()), contents).expect("a written file");
    }
    let unset = keys.join(" ");
    let print = keys
        .iter()
        .map(|key| format!(" printf '%s\\0' \"${{#{key}[@]}}\" \"${{{key}[@]}}\";"))
        .collect::<Vec<_>>()
        .concat();
    let script = format!(
        "for ((i = 0; i < $2; i++)); do unset -v {unset}; source \"$1/$i\" >/dev/null 2>&1; printf '\\1';{print} done"
    );
    let output = Command::new("env")
        .args(["-i", "PATH=/usr/bin:/bin", "bash", "--norc", "--noprofile", "-c"])
        .arg(script)
        .arg("bash")
        .arg(&dir)
        .arg(files.len().to_string())
        .current_dir(scratch.path())
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "bash failed: {output:?}");
    let stdout = String::from_utf8(output.stdout).expect("bash prints the UTF-8 it was given");
    let values: Vec<Values> = stdout
        .split('\u{1}')
        .skip(1)
        .map(|record| {
            let mut fields = record.split('\0');
            keys.iter()
                .map(|key| {
                    let count: usize = fields
                        .next()
                        .and_then(|count| count.parse().ok())
                        .expect("an element count");
                    let elements = fields.by_ref().take(count).map(String::from).collect();
                    (key.to_string(), elements)
                })
                .collect()
        })
        .collect();
    assert_eq!(values.len(), files.len(), "bash printed one record per file");
    values
}

/// What the parser gives `keys`, in the same shape.
pub(super) fn our_values(contents: &str, keys: &[&str]) -> Values {
    let parsed = parse(contents);
    let values = parsed.values();
    keys.iter()
        .map(|key| {
            let elements = match values.get(key).map(|assignment| &assignment.value) {
                None => Vec::new(),
                Some(Value::Scalar(value)) => vec![value.clone()],
                Some(Value::Array(elements)) => elements.clone(),
            };
            (key.to_string(), elements)
        })
        .collect()
}

/// Why the parser reads `file` differently from bash (`bash` is what bash gave its keys), if it does.
fn mismatch(file: &File, bash: &Values) -> Option<String> {
    let contents = file.render();
    let parsed = parse(&contents);
    let plain = file.plain().render();
    let problem = if !parsed.errors.is_empty() {
        format!("the parser rejects it: {:?}", parsed.errors)
    } else if parsed.byte_order_mark != file.byte_order_mark {
        String::from("the parser misreports the byte-order mark")
    } else if !plain.contains("\r\n") && parsed.assignments != parse(&plain).assignments {
        format!("the parser reads it differently with LF endings and no BOM: {plain:?}")
    } else if our_values(&contents, &compared_keys()) != *bash {
        format!(
            "bash: {bash:?}\n ours: {:?}",
            our_values(&contents, &compared_keys())
        )
    } else {
        return None;
    };
    Some(format!(
        "{problem}\nfile: {contents:?}\nbash read: {:?}",
        normalized(&contents)
    ))
}

fn single_mismatch(file: &File) -> Option<String> {
    let bash = bash_values(&[normalized(&file.render())], &compared_keys());
    mismatch(file, &bash[0])
}

/// Shrinks a failing case, proptest's way, re-running bash for each candidate.
fn shrink(mut tree: impl ValueTree<Value = File>, mut failure: String) -> String {
    let mut iterations = 0;
    if tree.simplify() {
        while iterations < 1024 {
            iterations += 1;
            match single_mismatch(&tree.current()) {
                Some(smaller) => {
                    failure = smaller;
                    if !tree.simplify() {
                        break;
                    }
                }
                None => {
                    if !tree.complicate() {
                        break;
                    }
                }
            }
        }
    }
    failure
}

#[test]
fn generated_corpus_parses_like_bash() {
    let config = Config::default();
    let mut runner = TestRunner::new(config.clone());
    let strategy = file();
    let trees: Vec<_> = (0..config.cases)
        .map(|_| strategy.new_tree(&mut runner).expect("a generated file"))
        .collect();
    let files: Vec<File> = trees.iter().map(ValueTree::current).collect();
    let bash = bash_values(
        &files
            .iter()
            .map(|file| normalized(&file.render()))
            .collect::<Vec<_>>(),
        &compared_keys(),
    );

    let failure = files
        .iter()
        .zip(&bash)
        .enumerate()
        .find_map(|(index, (file, bash))| mismatch(file, bash).map(|failure| (index, failure)));
    if let Some((index, failure)) = failure {
        let tree = trees.into_iter().nth(index).expect("the failing case");
        panic!(
            "a generated config file parses differently from bash (shrunk):\n{}",
            shrink(tree, failure)
        );
    }
    let assignments: usize = files
        .iter()
        .map(|file| parse(&file.render()).assignments.len())
        .sum();
    println!(
        "generated corpus: {count} of {count} generated elixir_buildpack.config files ({assignments} \
         assignments) parse to bash's values (PROPTEST_CASES={count})",
        count = files.len()
    );
}

/// The two differences from bash are deliberate: here is what bash does with a CRLF file with a BOM.
#[test]
fn bash_keeps_the_cr_and_reads_the_bom_as_part_of_line_1() {
    let contents = format!("{BOM}k1=1 k2=2\r\nerlang_version=27\r\n");
    let bash = &bash_values(std::slice::from_ref(&contents), &compared_keys())[0];
    assert_eq!(bash["k1"], Vec::<String>::new(), "bash ran line 1 as a command");
    assert_eq!(bash["erlang_version"], vec!["27\r".to_string()]);

    let ours = our_values(&contents, &compared_keys());
    assert_eq!(ours["k1"], vec!["1".to_string()]);
    assert_eq!(ours["k2"], vec!["2".to_string()]);
    assert_eq!(ours["erlang_version"], vec!["27".to_string()]);
    assert_eq!(ours, bash_values(&[normalized(&contents)], &compared_keys())[0]);
}

#[test]
fn the_oracle_sees_arrays_empty_values_and_unset_keys() {
    let bash = &bash_values(
        &[String::from("k1=(a 'b c') k2= ; export hook_compile\n")],
        &compared_keys(),
    )[0];
    assert_eq!(bash["k1"], vec!["a".to_string(), "b c".to_string()]);
    assert_eq!(bash["k2"], vec![String::new()]);
    assert_eq!(bash["hook_compile"], Vec::<String>::new());
    assert_eq!(bash[UNSET], Vec::<String>::new());
}
