//! Parses the `builds.txt` indexes of builds.hex.pm.
//!
//! Each line is `<name> <git commit> <ISO date> [sha256]`, whitespace separated. Elixir lines end with a
//! space and older OTP lines have no checksum. Column 2 is a git commit, never a checksum.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexEntry {
    pub(crate) name: String,
    pub(crate) sha256: Option<String>,
}

/// Parses an index, skipping lines that are blank or don't have the mandatory columns.
pub(crate) fn parse(contents: &str) -> Vec<IndexEntry> {
    contents
        .lines()
        .filter_map(|line| {
            let columns: Vec<&str> = line.split_whitespace().collect();
            match columns.as_slice() {
                [name, _commit, _date] => Some(IndexEntry {
                    name: (*name).to_string(),
                    sha256: None,
                }),
                [name, _commit, _date, sha256, ..] => Some(IndexEntry {
                    name: (*name).to_string(),
                    sha256: is_sha256(sha256).then(|| sha256.to_ascii_lowercase()),
                }),
                _ => None,
            }
        })
        .collect()
}

fn is_sha256(value: &str) -> bool {
    value.len() == 64 && value.chars().all(|char| char.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUM: &str = "0f4a5e1b4c2c7a0f8a3f6f0a9b2a3d4c5e6f708192a3b4c5d6e7f8091a2b3c4d";

    #[test]
    fn three_and_four_columns_and_trailing_spaces() {
        let index = format!(
            "OTP-25.2.3 4a0b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b 2023-02-14T10:21:35Z {SUM}\n\
             OTP-20.0 0123456789012345678901234567890123456789 2017-06-21T12:00:00Z\n\
             v1.14.0-otp-25 0123456789012345678901234567890123456789 2022-09-01T10:00:00Z {SUM} \n\
             \n\
             garbage\n"
        );
        assert_eq!(
            parse(&index),
            vec![
                IndexEntry {
                    name: "OTP-25.2.3".into(),
                    sha256: Some(SUM.into())
                },
                IndexEntry {
                    name: "OTP-20.0".into(),
                    sha256: None
                },
                IndexEntry {
                    name: "v1.14.0-otp-25".into(),
                    sha256: Some(SUM.into())
                },
            ]
        );
    }

    #[test]
    fn a_fourth_column_that_is_not_a_checksum_is_no_checksum() {
        assert_eq!(
            parse("maint abc 2024-01-01T00:00:00Z not-a-sum\n"),
            vec![IndexEntry {
                name: "maint".into(),
                sha256: None
            }]
        );
    }
}

#[cfg(test)]
#[allow(clippy::format_collect)]
mod property_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics(contents in "\\PC{0,300}") {
            let _ = parse(&contents);
        }

        #[test]
        fn lines_round_trip(
            entries in proptest::collection::vec(("[A-Za-z0-9.+_-]{1,20}", proptest::option::of("[0-9a-f]{64}")), 0..10),
            trailing_space in any::<bool>(),
        ) {
            let contents: String = entries
                .iter()
                .map(|(name, sha256)| {
                    let sha256 = sha256.as_ref().map_or_else(String::new, |sha256| format!(" {sha256}"));
                    let trailing = if trailing_space { " " } else { "" };
                    format!("{name} 0123456789abcdef0123456789abcdef01234567 2024-01-01T00:00:00Z{sha256}{trailing}\n")
                })
                .collect();
            let expected: Vec<IndexEntry> = entries
                .into_iter()
                .map(|(name, sha256)| IndexEntry { name, sha256 })
                .collect();
            prop_assert_eq!(parse(&contents), expected);
        }
    }
}
