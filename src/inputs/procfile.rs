//! Reads a Heroku-style `Procfile`: `<type>: <command>` per line.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProcfileEntry {
    pub(crate) process_type: String,
    pub(crate) command: String,
    pub(crate) line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MalformedLine {
    pub(crate) line: usize,
    pub(crate) text: String,
}

/// Parses the entries in order. Blank lines and `#` comments are skipped; a repeated type keeps its last
/// command, as Heroku does.
pub(crate) fn parse(contents: &str) -> Result<Vec<ProcfileEntry>, MalformedLine> {
    let mut entries: Vec<ProcfileEntry> = Vec::new();
    for (index, raw_line) in contents.lines().enumerate() {
        let line = raw_line.trim_end_matches('\r').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let malformed = || MalformedLine {
            line: index + 1,
            text: line.to_string(),
        };
        let (process_type, command) = line.split_once(':').ok_or_else(malformed)?;
        let (process_type, command) = (process_type.trim(), command.trim());
        let valid_type = !process_type.is_empty()
            && process_type.len() <= 63
            && process_type
                .chars()
                .all(|char| char.is_ascii_alphanumeric() || char == '_' || char == '-');
        if !valid_type || command.is_empty() {
            return Err(malformed());
        }
        entries.retain(|entry| entry.process_type != process_type);
        entries.push(ProcfileEntry {
            process_type: process_type.to_string(),
            command: command.to_string(),
            line: index + 1,
        });
    }
    Ok(entries)
}

/// The first entry whose command runs `mix`, `elixir` or `iex` (which need the toolchain in the image).
pub(crate) fn first_mix_command(entries: &[ProcfileEntry]) -> Option<&ProcfileEntry> {
    entries.iter().find(|entry| runs_mix(&entry.command))
}

/// Whether any command of a shell line (split at `&&`, `||`, `;`, `|`) is `mix`, `elixir` or `iex`,
/// after leading `VAR=value` assignments.
fn runs_mix(command: &str) -> bool {
    command
        .split(['&', '|', ';'])
        .filter_map(|segment| segment.split_whitespace().find(|word| !is_assignment(word)))
        .any(|program| matches!(program.rsplit('/').next(), Some("mix" | "elixir" | "iex")))
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_comments_and_blank_lines() {
        let entries = parse(
            "# processes\nweb: bin/server\n\nrelease: ./rel/migrate.sh && echo done\r\nworker:mix run\n",
        )
        .expect("valid");
        assert_eq!(
            entries,
            vec![
                ProcfileEntry {
                    process_type: "web".into(),
                    command: "bin/server".into(),
                    line: 2
                },
                ProcfileEntry {
                    process_type: "release".into(),
                    command: "./rel/migrate.sh && echo done".into(),
                    line: 4
                },
                ProcfileEntry {
                    process_type: "worker".into(),
                    command: "mix run".into(),
                    line: 5
                },
            ]
        );
    }

    #[test]
    fn commands_may_contain_colons_and_repeated_types_keep_the_last() {
        let entries =
            parse("web: a\nweb: MIX_ENV=prod elixir --sname x@host -e 'IO.puts(:ok)'\n").expect("valid");
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries[0].command,
            "MIX_ENV=prod elixir --sname x@host -e 'IO.puts(:ok)'"
        );
    }

    #[test]
    fn malformed_lines_name_their_number() {
        assert_eq!(
            parse("web: ok\nthis is not a process\n"),
            Err(MalformedLine {
                line: 2,
                text: "this is not a process".into()
            })
        );
        assert_eq!(parse("web:\n").map_err(|error| error.line), Err(1));
        assert_eq!(parse("my web: x\n").map_err(|error| error.line), Err(1));
    }

    #[test]
    fn commands_that_need_mix_at_runtime() {
        for command in [
            "mix phx.server",
            "MIX_ENV=prod POOL_SIZE=2 mix ecto.migrate",
            "cd assets && yarn build && cd .. && MIX_ENV=prod mix phoenix.server",
            "elixir --sname x -S mix run --no-halt",
            "/usr/local/bin/iex -S mix",
        ] {
            assert!(runs_mix(command), "{command}");
        }
        for command in [
            "my_app start",
            "bin/server",
            "_build/prod/rel/mix/bin/mix_app start",
            "echo mix",
        ] {
            assert!(!runs_mix(command), "{command}");
        }
    }

    #[test]
    fn corpus_procfiles_parse() {
        let Some(dir) = crate::test_support::corpus("Procfile") else {
            return;
        };
        let mut count = 0;
        for entry in fs_err::read_dir(&dir).expect("the Procfile corpus next to the repo") {
            let path = entry.expect("an entry").path();
            let contents = fs_err::read_to_string(&path).expect("readable");
            let entries = parse(&contents).unwrap_or_else(|error| panic!("{}: {error:?}", path.display()));
            assert!(!entries.is_empty(), "{} has no entries", path.display());
            count += 1;
        }
        assert!(count > 0);
        println!("corpus: {count} Procfiles parsed");
    }
}
