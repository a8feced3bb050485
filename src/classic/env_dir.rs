//! The classic `ENV_DIR`: one file per config var, named after it. Config vars reach the build as the
//! classic Elixir buildpack exports them: all of them but a few that would break the build's own tools.

use std::path::Path;

/// Config vars the classic buildpack never exports to the build.
const NOT_EXPORTED: &[&str] = &["PATH", "GIT_DIR", "CPATH", "CPPATH", "LD_PRELOAD", "LIBRARY_PATH"];

/// Every config var in `env_dir`, sorted by name; a missing dir has none. Values lose their trailing
/// newlines, as `$(cat FILE)` does in the classic buildpack.
pub(super) fn read(env_dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let entries = match fs_err::read_dir(env_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut vars = Vec::new();
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(String::from) else {
            continue;
        };
        if !entry.file_type()?.is_file() || !is_var_name(&name) {
            continue;
        }
        let value = fs_err::read_to_string(entry.path())?;
        vars.push((name, value.trim_end_matches('\n').to_string()));
    }
    vars.sort();
    Ok(vars)
}

/// The config vars the build gets.
pub(super) fn exported(vars: &[(String, String)]) -> Vec<(String, String)> {
    vars.iter()
        .filter(|(name, _)| !NOT_EXPORTED.contains(&name.as_str()))
        .cloned()
        .collect()
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|char| char.is_ascii_alphanumeric() || char == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_var_and_strips_trailing_newlines() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs_err::write(dir.path().join("DATABASE_URL"), "postgres://db\n\n").expect("write");
        fs_err::write(dir.path().join("MULTI_LINE"), "a\nb\n").expect("write");
        fs_err::write(dir.path().join("EMPTY"), "").expect("write");
        fs_err::write(dir.path().join("not-a-name"), "x").expect("write");
        fs_err::create_dir(dir.path().join("A_DIR")).expect("mkdir");
        assert_eq!(
            read(dir.path()).expect("read"),
            vec![
                ("DATABASE_URL".to_string(), "postgres://db".to_string()),
                ("EMPTY".to_string(), String::new()),
                ("MULTI_LINE".to_string(), "a\nb".to_string()),
            ]
        );
        assert_eq!(read(&dir.path().join("missing")).expect("read"), Vec::new());
    }

    #[test]
    fn all_but_the_tool_breaking_vars_are_exported() {
        let vars: Vec<(String, String)> = [
            "CPATH",
            "GIT_DIR",
            "HEX_MIRROR",
            "LD_PRELOAD",
            "LIBRARY_PATH",
            "PATH",
            "CPPATH",
            "SECRET_KEY_BASE",
        ]
        .iter()
        .map(|name| ((*name).to_string(), String::from("x")))
        .collect();
        let names: Vec<String> = exported(&vars).into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, vec!["HEX_MIRROR", "SECRET_KEY_BASE"]);
    }

    #[test]
    fn var_names() {
        for valid in ["A", "_A1", "MIX_ENV", "a_b"] {
            assert!(is_var_name(valid), "{valid}");
        }
        for invalid in ["", "1A", "A-B", "A.B", "A B"] {
            assert!(!is_var_name(invalid), "{invalid}");
        }
    }
}
