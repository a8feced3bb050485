//! The import direction of `src/`, checked: every `crate::<module>` reference of the build's code (test
//! code excluded) goes from a stage to the same or a lower one, and no import circle joins the top-level
//! modules. The stage order is written once, in [`STAGES`].
//!
//! What counts: every `crate::<module>` path in code, in `use` lines and inline (`crate::x::y(...)`),
//! grouped ones (`crate::{a::X, b}`) included. What does not: comments (`//`, `///`, `//!`), and test
//! code: `#[cfg(test)] mod name { ... }` blocks and files declared `#[cfg(test)] mod name;` (with their
//! children). Tests may reach up to render a message or build a fixture; the build's code may not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, ground first. A module may import its own stage's modules and lower ones.
const STAGES: &[&[&str]] = &[
    // The seam to the platform and the helpers every stage uses.
    &["frontend", "cache", "digest", "sourced", "test_support"],
    &["inputs"],
    &["toolchain"],
    &["mix"],
    &["assets"],
    &["release"],
    &["launch"],
    // The build's script, and the error every stage's error converts into.
    &["pipeline"],
    // The user-facing text of every error: imports the stages, imported by none of them.
    &["errors"],
    &["cnb", "classic"],
    &["main", "architecture"],
];

/// An import from a lower stage to a higher one that stays, and why (at most two).
struct Allowed {
    from: &'static str,
    to: &'static str,
    #[allow(dead_code)]
    why: &'static str,
}

const ALLOWED_UPWARD: &[Allowed] = &[];

fn stage_of(module: &str) -> usize {
    STAGES
        .iter()
        .position(|stage| stage.contains(&module))
        .unwrap_or_else(|| panic!("the module `{module}` is in no stage of STAGES: add it there"))
}

/// The top-level module a file of `src/` belongs to.
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(src_dir()).expect("a file of src/");
    let first = relative
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The build's (non-test) source files: from `main.rs`, following `mod` declarations, skipping the
/// `#[cfg(test)]` ones.
fn build_files() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut pending = vec![src_dir().join("main.rs")];
    while let Some(file) = pending.pop() {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
        let code = without_test_code(&text);
        // A child of `a/mod.rs`, `main.rs` lives next to it; of `a/b.rs`, in `a/b/`.
        let name = file
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .to_string();
        let dir = file.parent().expect("a parent").to_path_buf();
        let child_dir = if name == "mod" || name == "main" {
            dir
        } else {
            dir.join(&name)
        };
        for line in code.lines() {
            let line = line.trim();
            let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
            if let Some(child) = line.strip_prefix("mod ").and_then(|rest| rest.strip_suffix(';')) {
                let flat = child_dir.join(format!("{child}.rs"));
                pending.push(if flat.exists() {
                    flat
                } else {
                    child_dir.join(child).join("mod.rs")
                });
            }
        }
        files.push((file, code));
    }
    files.sort();
    files
}

/// The text without comments and `#[cfg(test)]` items (a module block, or a `mod x;` declaration).
fn without_test_code(text: &str) -> String {
    let mut kept = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            let Some(mut next) = lines.next() else { break };
            while next.trim().starts_with("#[") {
                let Some(after) = lines.next() else { break };
                next = after;
            }
            let item = next.trim();
            let item = item
                .strip_prefix("pub(crate) ")
                .or_else(|| item.strip_prefix("pub "))
                .unwrap_or(item);
            if item.starts_with("mod ") && item.ends_with('{') {
                let indent = &next[..next.len() - next.trim_start().len()];
                let end = format!("{indent}}}");
                for inner in lines.by_ref() {
                    if inner == end {
                        break;
                    }
                }
            }
            // Any other test-only item (a `mod x;`, a `use`, a function) is one line or a block we
            // leave: the tests below fail if one hides an import.
            continue;
        }
        kept.push_str(line.split("//").next().unwrap_or_default());
        kept.push('\n');
    }
    kept
}

/// The top-level modules `code` names with `crate::`.
fn imported_modules(code: &str) -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if matches!(before, Some(c) if c == '$' || c == '_' || c.is_alphanumeric()) {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            modules.extend(group.split(',').filter_map(|item| first_ident(item.trim())));
        } else if let Some(module) = first_ident(rest) {
            modules.insert(module);
        }
    }
    modules
}

fn first_ident(text: &str) -> Option<String> {
    let ident: String = text
        .chars()
        .take_while(|c| *c == '_' || c.is_alphanumeric())
        .collect();
    (!ident.is_empty()).then_some(ident)
}

/// Every import edge: (file, its module, the module it imports).
fn edges() -> Vec<(String, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut edges = Vec::new();
    for (file, code) in build_files() {
        let from = module_of(&file);
        let shown = file
            .strip_prefix(root)
            .expect("in the crate")
            .display()
            .to_string();
        for to in imported_modules(&code) {
            if to != from {
                edges.push((shown.clone(), from.clone(), to));
            }
        }
    }
    edges
}

/// The imports (file, module it imports) from a lower stage to a higher one that no [`Allowed`] names.
fn upward(edges: &[(String, String, String)]) -> Vec<(String, String)> {
    edges
        .iter()
        .filter(|(_, from, to)| stage_of(to) > stage_of(from))
        .filter(|(_, from, to)| {
            !ALLOWED_UPWARD
                .iter()
                .any(|allowed| allowed.from == from && allowed.to == to)
        })
        .map(|(file, _, to)| (file.clone(), to.clone()))
        .collect()
}

/// An import circle among the modules of `edges`, if there is one.
fn circle(edges: &[(String, String, String)]) -> Option<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (_, from, to) in edges {
        graph.entry(from).or_default().insert(to);
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, &graph, &mut Vec::new(), &mut done))
}

/// Depth-first search for a back edge from `module`.
fn visit<'a>(
    module: &'a str,
    graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    path: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|seen| *seen == module) {
        let mut circle: Vec<String> = path[start..].iter().map(ToString::to_string).collect();
        circle.push(module.to_string());
        return Some(circle);
    }
    if done.contains(module) {
        return None;
    }
    path.push(module);
    for next in graph.get(module).into_iter().flatten() {
        if let Some(circle) = visit(next, graph, path, done) {
            return Some(circle);
        }
    }
    path.pop();
    done.insert(module);
    None
}

#[test]
fn imports_go_from_a_stage_to_the_same_or_a_lower_one() {
    assert!(ALLOWED_UPWARD.len() <= 2, "at most two upward imports may stay");
    let upward = upward(&edges());
    assert!(
        upward.is_empty(),
        "imports from a lower stage to a higher one (see STAGES in src/architecture.rs):\n{upward:#?}"
    );
}

#[test]
fn no_import_circle_joins_the_top_level_modules() {
    let circle = circle(&edges());
    assert!(
        circle.is_none(),
        "an import circle: {}",
        circle.unwrap_or_default().join(" -> ")
    );
}

#[test]
fn an_upward_import_and_a_circle_are_caught() {
    let edge = |from: &str, to: &str| (format!("src/{from}.rs"), from.to_string(), to.to_string());
    let edges = [
        edge("mix", "toolchain"),
        edge("toolchain", "inputs"),
        edge("cnb", "errors"),
    ];
    assert_eq!(upward(&edges), []);
    assert_eq!(circle(&edges), None);
    let edges = [
        edge("mix", "toolchain"),
        edge("toolchain", "errors"),
        edge("errors", "mix"),
    ];
    assert_eq!(
        upward(&edges),
        [("src/toolchain.rs".to_string(), "errors".to_string())]
    );
    assert_eq!(
        circle(&edges),
        Some(vec![
            "errors".into(),
            "mix".into(),
            "toolchain".into(),
            "errors".into()
        ])
    );
    // Within a stage, only a circle fails.
    let edges = [edge("frontend", "cache"), edge("cache", "frontend")];
    assert_eq!(upward(&edges), []);
    assert!(circle(&edges).is_some());
}

#[test]
fn the_checker_reads_use_lines_inline_paths_and_groups_and_skips_tests_and_comments() {
    let code = without_test_code(indoc::indoc! {"
        use crate::inputs::config::Sourced;
        // use crate::errors::Nope;
        /// [`crate::launch::Docs`]
        fn f() { crate::digest::hex(&[]); } // crate::cnb in a comment
        use crate::{mix::MixEnv, toolchain};
        macro_rules! m { () => { $crate::classic::x() } }
        #[cfg(test)]
        mod tests {
            use crate::pipeline::Fake;
        }
        #[cfg(test)]
        pub(crate) mod fakes {
            use crate::cnb::Fake;
        }
        fn g() {}
    "});
    assert_eq!(
        imported_modules(&code).into_iter().collect::<Vec<_>>(),
        ["digest", "inputs", "mix", "toolchain"]
    );
    assert_eq!(stage_of("frontend"), 0);
    assert!(stage_of("mix") < stage_of("errors"));
    let files: Vec<String> = build_files().iter().map(|(file, _)| module_of(file)).collect();
    assert!(files.contains(&"pipeline".to_string()));
    assert!(
        !files.contains(&"test_support".to_string()),
        "test-only files are skipped"
    );
    assert!(!files.contains(&"architecture".to_string()));
    // Files in a stage's folder and a module's own folder (`pipeline.rs` and `pipeline/`) are read.
    let edges = edges();
    let has = |file: &str, to: &str| edges.iter().any(|(f, _, t)| f == file && t == to);
    assert!(has("src/pipeline/error.rs", "mix"));
    assert!(has("src/mix/steps.rs", "frontend"));
    assert!(has("src/errors.rs", "pipeline"));
}
