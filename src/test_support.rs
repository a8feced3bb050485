//! What unit tests share: the real-world files of `../shared/corpus`, which sit beside the repository on
//! the team's machines and in CI but not in a plain clone. A test that reads them skips, saying why, when
//! they are missing, unless `ELIXIR_CNB_REQUIRE_SHARED=1` (set by `scripts/test`, so CI runs them all).

use std::path::{Path, PathBuf};

/// The env var that turns a missing `../shared` into a failure instead of a skip.
const REQUIRE: &str = "ELIXIR_CNB_REQUIRE_SHARED";

/// `../shared/corpus/<name>`, or `None` (with a notice on stderr) when it is missing and not required.
///
/// # Panics
/// When the folder is missing and `ELIXIR_CNB_REQUIRE_SHARED=1`.
pub(crate) fn corpus(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    let required = std::env::var(REQUIRE).is_ok_and(|value| value == "1");
    decide(&dir, dir.is_dir(), required)
}

fn decide(dir: &Path, present: bool, required: bool) -> Option<PathBuf> {
    if present {
        return Some(dir.to_path_buf());
    }
    assert!(
        !required,
        "{} is missing and {REQUIRE}=1: put the team's `shared` folder beside the repository",
        dir.display()
    );
    eprintln!(
        "skipped: {} is missing (a plain clone has no ../shared; scripts/test requires it)",
        dir.display()
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_present_corpus_is_used() {
        let dir = Path::new("/x/corpus/Procfile");
        assert_eq!(decide(dir, true, false), Some(dir.to_path_buf()));
        assert_eq!(decide(dir, true, true), Some(dir.to_path_buf()));
    }

    #[test]
    fn a_missing_corpus_is_skipped_unless_required() {
        assert_eq!(decide(Path::new("/x/corpus/Procfile"), false, false), None);
    }

    #[test]
    #[should_panic(expected = "ELIXIR_CNB_REQUIRE_SHARED=1")]
    fn a_missing_corpus_fails_when_required() {
        let _ = decide(Path::new("/x/corpus/Procfile"), false, true);
    }
}
