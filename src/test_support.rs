//! What unit tests share: the real-world files of `../shared/corpus`, which sit beside the repository on
//! the team's machines and in CI but not in a plain clone. A test that reads them skips, saying why, when
//! they are missing, unless `ELIXIR_CNB_REQUIRE_SHARED=1` (set by `scripts/test`, so CI runs them all).

use std::io::Write;
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
    match decide(dir.is_dir(), required) {
        Decision::Read => Some(dir),
        Decision::Skip => {
            // Straight to stderr, past the test harness's capture (which only takes `print!`/`eprint!`),
            // so that a passing `cargo test` still shows what it skipped.
            let _ = writeln!(
                std::io::stderr(),
                "skipped: {} is missing (a plain clone has no ../shared; scripts/test requires it)",
                dir.display()
            );
            None
        }
        Decision::Fail => panic!(
            "{} is missing and {REQUIRE}=1: put the team's `shared` folder beside the repository",
            dir.display()
        ),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Read,
    Skip,
    Fail,
}

fn decide(present: bool, required: bool) -> Decision {
    match (present, required) {
        (true, _) => Decision::Read,
        (false, false) => Decision::Skip,
        (false, true) => Decision::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_present_corpus_is_read() {
        assert_eq!(decide(true, false), Decision::Read);
        assert_eq!(decide(true, true), Decision::Read);
    }

    #[test]
    fn a_missing_corpus_is_skipped_unless_required() {
        assert_eq!(decide(false, false), Decision::Skip);
        assert_eq!(decide(false, true), Decision::Fail);
    }

    #[test]
    fn the_corpus_is_beside_the_repository() {
        // The team's machines and CI have it: read, not skipped.
        if Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").is_dir() {
            assert!(corpus("Procfile").is_some_and(|dir| dir.ends_with("shared/corpus/Procfile")));
        }
    }
}
