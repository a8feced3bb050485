//! `mix.lock`, read as data before Mix reads it: a lock a merge left conflicted stops the build at
//! once, naming the line, before the toolchain is downloaded and before Mix's own parse error.

/// A merge-conflict marker in `mix.lock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConflictMarker {
    /// 1-based.
    pub(crate) line: usize,
    pub(crate) text: String,
    /// How many conflicted hunks the lock has (`<<<<<<<` lines).
    pub(crate) conflicts: usize,
}

/// The first line git writes into a conflicted file (`<<<<<<< HEAD`, `|||||||`, `=======`,
/// `>>>>>>> branch`), if any. A lock line is always indented or a brace, so a marker at column 0 is
/// never a lock entry.
pub(crate) fn conflict_marker(contents: &str) -> Option<ConflictMarker> {
    let is_marker = |line: &str| {
        ["<<<<<<<", "|||||||", "=======", ">>>>>>>"].iter().any(|marker| {
            line.strip_prefix(marker)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
    };
    let (index, text) = contents.lines().enumerate().find(|(_, line)| is_marker(line))?;
    Some(ConflictMarker {
        line: index + 1,
        text: text.trim_end().to_string(),
        conflicts: contents
            .lines()
            .filter(|line| line.starts_with("<<<<<<<"))
            .count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflicted_lock_names_its_first_marker() {
        let lock = "%{\n<<<<<<< HEAD\n  \"jason\": {:hex, :jason, \"1.4.4\"},\n=======\n  \"jason\": {:hex, :jason, \"1.4.5\"},\n>>>>>>> upgrade-jason\n  \"plug\": {:hex, :plug, \"1.19.2\"},\n<<<<<<< HEAD\n=======\n>>>>>>> other\n}\n";
        assert_eq!(
            conflict_marker(lock),
            Some(ConflictMarker {
                line: 2,
                text: "<<<<<<< HEAD".into(),
                conflicts: 2,
            })
        );
        // A conflict whose first side is empty starts at its separator.
        assert_eq!(
            conflict_marker("%{\n=======\n  \"a\": {},\n>>>>>>> b\n}\n").map(|marker| marker.line),
            Some(2)
        );
    }

    #[test]
    fn a_clean_lock_has_no_marker() {
        assert_eq!(conflict_marker(""), None);
        assert_eq!(
            conflict_marker("%{\n  \"jason\": {:hex, :jason, \"1.4.5\", \"hash=======\"},\n}\n"),
            None
        );
        // Seven `=` followed by more text is not git's separator.
        assert_eq!(conflict_marker("========\n"), None);
        assert_eq!(conflict_marker("<<<<<<<<\n"), None);
    }
}
