//! Commands written for the classic slug keep working: Procfile and `app.json` commands that say
//! `/app/...` (where Heroku's classic generation mounted the slug) or run a release from
//! `_build/<env>/rel/<name>/` (where `mix release` puts it). In a CNB image the app dir is the platform's
//! and the release lives in its own layer, so such commands are rewritten to point there.

/// Characters after which a path starts in a shell command line.
fn starts_path(before: Option<char>) -> bool {
    before.is_none_or(|char| char.is_whitespace() || "'\"=;&|(:`".contains(char))
}

/// Characters that end the `/app` path element.
fn ends_app(after: Option<char>) -> bool {
    after.is_none_or(|char| char == '/' || char.is_whitespace() || "'\";&|):`".contains(char))
}

/// A `_build/<env>/rel/<name>` reference in a command: where it starts (including a leading `/app/` or
/// `./`), where the release name ends, and the env and name.
#[derive(Debug, PartialEq, Eq)]
struct BuildRelRef {
    start: usize,
    end: usize,
    env: String,
    name: String,
}

/// `app_dir`: where else than `/app` the platform runs the slug (`runtime_path`), if anywhere.
fn build_rel_refs(command: &str, app_dir: Option<&str>) -> Vec<BuildRelRef> {
    let app_dir = app_dir.map(|dir| format!("{}/", dir.trim_end_matches('/')));
    let prefixes: Vec<&str> = ["/app/", "./"].into_iter().chain(app_dir.as_deref()).collect();
    let mut refs = Vec::new();
    let mut from = 0;
    while let Some(found) = command[from..].find("_build/") {
        let at = from + found;
        from = at + "_build/".len();
        let rest = &command[from..];
        let segment_end = |text: &str| {
            text.find(|char: char| char == '/' || char.is_whitespace() || "'\";&|)".contains(char))
                .unwrap_or(text.len())
        };
        let env_len = segment_end(rest);
        let Some(after_env) = rest[env_len..].strip_prefix("/rel/") else {
            continue;
        };
        let name_len = segment_end(after_env);
        if env_len == 0 || name_len == 0 {
            continue;
        }
        let prefix = prefixes
            .iter()
            .filter(|prefix| command[..at].ends_with(*prefix))
            .map(|prefix| prefix.len())
            .max()
            .unwrap_or(0);
        let start = at - prefix;
        if !starts_path(command[..start].chars().next_back()) {
            continue;
        }
        let name_start = from + env_len + "/rel/".len();
        refs.push(BuildRelRef {
            start,
            end: name_start + name_len,
            env: rest[..env_len].to_string(),
            name: after_env[..name_len].to_string(),
        });
    }
    refs
}

/// The releases a command runs from `_build/<env>/rel/<name>` (relative, or in `/app` or the
/// `runtime_path` the platform runs the slug at): (env, name) pairs.
pub(crate) fn releases_run_from_build(command: &str, runtime_path: Option<&str>) -> Vec<(String, String)> {
    build_rel_refs(command, runtime_path)
        .into_iter()
        .map(|reference| (reference.env, reference.name))
        .collect()
}

/// `command` for a CNB image: `_build/<env>/rel/<name>` of a built release points at its root, and
/// `/app` at `app_dir`. `releases` are (name, root) pairs. Unchanged when nothing applies.
pub(crate) fn rewrite(command: &str, app_dir: &str, releases: &[(String, String)]) -> String {
    let mut rewritten = String::with_capacity(command.len());
    let mut copied = 0;
    for reference in build_rel_refs(command, None) {
        if let Some((_, root)) = releases.iter().find(|(name, _)| *name == reference.name) {
            rewritten.push_str(&command[copied..reference.start]);
            rewritten.push_str(root);
            copied = reference.end;
        }
    }
    rewritten.push_str(&command[copied..]);

    let mut result = String::with_capacity(rewritten.len());
    let mut rest = rewritten.as_str();
    let mut before: Option<char> = None;
    while let Some(found) = rest.find("/app") {
        let preceding = rest[..found].chars().next_back().or(before);
        let following = rest[found + "/app".len()..].chars().next();
        result.push_str(&rest[..found]);
        if starts_path(preceding) && ends_app(following) {
            result.push_str(app_dir);
        } else {
            result.push_str("/app");
        }
        before = Some('p');
        rest = &rest[found + "/app".len()..];
    }
    result.push_str(rest);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn releases() -> Vec<(String, String)> {
        vec![(
            "my_app".to_string(),
            "/layers/elixir-cnb_elixir/release/my_app".to_string(),
        )]
    }

    #[test]
    fn app_paths_point_at_the_app_dir() {
        for (command, expected) in [
            ("/app/bin/myapp start", "/workspace/bin/myapp start"),
            ("cd /app && ./bin/server", "cd /workspace && ./bin/server"),
            (
                "PATH=/app/bin:/app/tools:$PATH myapp",
                "PATH=/workspace/bin:/workspace/tools:$PATH myapp",
            ),
            ("sh -c '/app/bin/x'", "sh -c '/workspace/bin/x'"),
            ("bash \"/app/run.sh\"", "bash \"/workspace/run.sh\""),
            ("echo /app", "echo /workspace"),
        ] {
            assert_eq!(rewrite(command, "/workspace", &[]), expected, "{command}");
        }
    }

    #[test]
    fn other_app_lookalikes_stay() {
        for command in [
            "/apps/x/bin/start",
            "/application start",
            "curl http://host/app/health",
            "my/app/bin/x",
            "/srv/app/bin/x",
            "myapp start",
        ] {
            assert_eq!(rewrite(command, "/workspace", &[]), command, "{command}");
        }
    }

    #[test]
    fn releases_run_from_build_point_at_the_release() {
        for (command, expected) in [
            (
                "_build/prod/rel/my_app/bin/my_app start",
                "/layers/elixir-cnb_elixir/release/my_app/bin/my_app start",
            ),
            (
                "/app/_build/prod/rel/my_app/bin/my_app eval \"M.migrate()\"",
                "/layers/elixir-cnb_elixir/release/my_app/bin/my_app eval \"M.migrate()\"",
            ),
            (
                "./_build/staging/rel/my_app/bin/my_app start && echo /app",
                "/layers/elixir-cnb_elixir/release/my_app/bin/my_app start && echo /srv/app",
            ),
        ] {
            assert_eq!(rewrite(command, "/srv/app", &releases()), expected, "{command}");
        }
        // A release the buildpack didn't build stays where the command says.
        assert_eq!(
            rewrite("_build/prod/rel/other/bin/other start", "/workspace", &releases()),
            "_build/prod/rel/other/bin/other start"
        );
    }

    #[test]
    fn release_references_are_found_with_their_env() {
        let both = "_build/prod/rel/my_app/bin/my_app start && /app/_build/prod/rel/worker/bin/worker eval x";
        let expected = vec![
            ("prod".to_string(), "my_app".to_string()),
            ("prod".to_string(), "worker".to_string()),
        ];
        assert_eq!(releases_run_from_build(both, None), expected);
        assert_eq!(releases_run_from_build(both, Some("/home/vcap/app")), expected);
        assert!(releases_run_from_build("my_app start", None).is_empty());
        assert!(releases_run_from_build("ls lib/_build/prod", None).is_empty());
        assert!(releases_run_from_build("x_build/prod/rel/a", None).is_empty());
        assert!(releases_run_from_build("_build//rel/a/bin/a", None).is_empty());
        assert!(releases_run_from_build("_build/prod/rel/ start", None).is_empty());
        assert_eq!(
            releases_run_from_build("_build/prod/rel/a;echo done", None),
            vec![("prod".to_string(), "a".to_string())]
        );
        // Where the platform runs the slug (`runtime_path`), and only there.
        let vcap = "/home/vcap/app/_build/staging/rel/my_app/bin/my_app start";
        assert!(releases_run_from_build(vcap, None).is_empty());
        for runtime_path in ["/home/vcap/app", "/home/vcap/app/"] {
            assert_eq!(
                releases_run_from_build(vcap, Some(runtime_path)),
                vec![("staging".to_string(), "my_app".to_string())],
                "{runtime_path}"
            );
        }
        assert!(
            releases_run_from_build("/srv/other/_build/prod/rel/a/bin/a", Some("/home/vcap/app")).is_empty()
        );
        assert_eq!(
            releases_run_from_build("cd /srv/app && ./_build/prod/rel/a/bin/a start", Some("/srv/app")),
            vec![("prod".to_string(), "a".to_string())]
        );
    }
}
