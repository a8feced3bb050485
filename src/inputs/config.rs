//! Everything the user told us, strongest first: build-time env vars, `elixir_buildpack.config`,
//! `.tool-versions`, the `elixir:` requirement in `mix.exs`, then defaults. Every value remembers where it
//! came from, so messages can say so.

use super::classic_config::{self, SyntaxError, Value};
use super::version_request::{self as versions, ElixirRequest, VersionRequest};
use super::{mix_project, tool_versions};
use std::path::Path;

pub(crate) use crate::frontend::ClassicOnly;
pub(crate) use crate::sourced::{CLASSIC_CONFIG_FILE, Source, Sourced, TOOL_VERSIONS_FILE};

/// The classic hooks, each a command line run with `bash -c` from the app dir.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Hooks {
    pub(crate) pre_fetch_dependencies: Option<String>,
    pub(crate) pre_compile: Option<String>,
    pub(crate) compile: Option<String>,
    pub(crate) post_compile: Option<String>,
    /// The legacy `pre_compile` and `post_compile` keys.
    pub(crate) legacy_pre_compile: Option<String>,
    pub(crate) legacy_post_compile: Option<String>,
}

impl Hooks {
    /// Whether any classic hook is set.
    pub(crate) fn any(&self) -> bool {
        let Self {
            pre_fetch_dependencies,
            pre_compile,
            compile,
            post_compile,
            legacy_pre_compile,
            legacy_post_compile,
        } = self;
        [
            pre_fetch_dependencies,
            pre_compile,
            compile,
            post_compile,
            legacy_pre_compile,
            legacy_post_compile,
        ]
        .iter()
        .any(|hook| hook.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuildConfig {
    pub(crate) erlang: Option<Sourced<VersionRequest>>,
    pub(crate) elixir: Option<Sourced<ElixirRequest>>,
    /// The `elixir:` requirement of `mix.exs`, as written and as a semver requirement.
    pub(crate) elixir_hint: Option<(String, semver::VersionReq)>,
    pub(crate) mix_env: Sourced<String>,
    pub(crate) always_rebuild: bool,
    /// `false` keeps the classic "mix at runtime" mode.
    pub(crate) release: bool,
    pub(crate) hooks: Hooks,
    /// Keys only the classic front-end uses; the CNB one ignores them with a warning.
    pub(crate) classic_only: ClassicOnly,
    pub(crate) warnings: Vec<String>,
}

#[derive(Debug)]
pub(crate) enum ConfigError {
    Read(std::io::Error),
    ClassicSyntax(SyntaxError),
    InvalidOtpVersion(Sourced<String>),
    InvalidElixirVersion(Sourced<String>),
    InvalidBoolean { key: String, value: String, line: usize },
    InvalidMixEnv(String),
}

/// The platform's build-time env vars we read, passed in so tests don't touch the process env.
pub(crate) trait PlatformEnv {
    fn get(&self, name: &str) -> Option<String>;
}

/// Keys read here for one front-end only: they may use shell constructs the other ignores.
const CLASSIC_ONLY_KEYS: &[&str] = &["runtime_path", "config_vars_to_export", "test_args"];

pub(crate) fn read(app_dir: &Path, env: &impl PlatformEnv) -> Result<BuildConfig, ConfigError> {
    let read_optional = |name: &str| match fs_err::read_to_string(app_dir.join(name)) {
        Ok(contents) => Ok(Some(contents)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ConfigError::Read(error)),
    };
    let classic = read_optional(CLASSIC_CONFIG_FILE)?;
    let tool_versions = read_optional(TOOL_VERSIONS_FILE)?;
    let mix_exs = read_optional("mix.exs")?;
    let rel_config = read_optional("rel/config.exs")?;
    let mut config = from_contents(
        classic.as_deref(),
        tool_versions.as_deref(),
        mix_exs.as_deref(),
        env,
    )?;
    config.warnings.extend(mix_project::hard_coded_cookies(
        mix_exs.as_deref(),
        rel_config.as_deref(),
    ));
    Ok(config)
}

#[allow(clippy::too_many_lines)]
fn from_contents(
    classic: Option<&str>,
    tool_versions: Option<&str>,
    mix_exs: Option<&str>,
    env: &impl PlatformEnv,
) -> Result<BuildConfig, ConfigError> {
    let mut warnings = Vec::new();
    let parsed = classic.map(classic_config::parse).unwrap_or_default();

    if parsed.byte_order_mark {
        warnings.push(format!(
            "Skipping the UTF-8 byte-order mark at the start of {CLASSIC_CONFIG_FILE} (Windows editors write \
             one). Bash read it as part of line 1, so the classic buildpack ignored that line; here it is \
             read. Save the file as UTF-8 without a BOM to silence this warning."
        ));
    }
    for error in &parsed.errors {
        // A line that only sets keys we don't use here can't change the build: a warning is enough.
        let ignorable = |key: &String| CLASSIC_ONLY_KEYS.contains(&key.as_str()) || !is_known_key(key);
        if error.keys.is_empty() || !error.keys.iter().all(ignorable) {
            return Err(ConfigError::ClassicSyntax(error.clone()));
        }
        warnings.push(format!(
            "Ignoring {keys} on line {line} of {CLASSIC_CONFIG_FILE}: it uses {kind}, which needs a shell to evaluate.",
            keys = code_list(&error.keys),
            line = error.line,
            kind = error.kind
        ));
    }
    let values = parsed.values();
    let classic_value = |key: &str| {
        values
            .get(key)
            .map(|assignment| (assignment.value.as_scalar().to_string(), assignment.line))
    };

    let classic_version = |key: &str| {
        values.get(key).map(|assignment| {
            (
                version_text(&assignment.value),
                Source::ClassicConfig {
                    line: assignment.line,
                },
            )
        })
    };

    for (key, assignment) in &values {
        if !is_known_key(key) {
            warnings.push(format!(
                "Ignoring unknown key `{key}` (line {line} of {CLASSIC_CONFIG_FILE}). Known keys: {known}.",
                line = assignment.line,
                known = KNOWN_KEYS.join(", ")
            ));
        }
    }

    let tool_versions = tool_versions.map(tool_versions::parse).unwrap_or_default();

    let erlang = pick(
        "Erlang/OTP",
        [
            env.get("BP_ERLANG_VERSION")
                .map(|value| (value, Source::Env("BP_ERLANG_VERSION"))),
            classic_version("erlang_version"),
            tool_versions
                .erlang
                .map(|(value, line)| (value, Source::ToolVersions { line })),
        ],
        &mut warnings,
    )
    .map(|(value, source)| match versions::parse_otp_request(&value) {
        Some(request) => Ok(Sourced {
            value: request,
            source,
        }),
        None => Err(ConfigError::InvalidOtpVersion(Sourced { value, source })),
    })
    .transpose()?;

    let elixir = pick(
        "Elixir",
        [
            env.get("BP_ELIXIR_VERSION")
                .map(|value| (value, Source::Env("BP_ELIXIR_VERSION"))),
            classic_version("elixir_version"),
            tool_versions
                .elixir
                .map(|(value, line)| (value, Source::ToolVersions { line })),
        ],
        &mut warnings,
    )
    .map(|(value, source)| match versions::parse_elixir_request(&value) {
        Some(request) => Ok(Sourced {
            value: request,
            source,
        }),
        None => Err(ConfigError::InvalidElixirVersion(Sourced { value, source })),
    })
    .transpose()?;

    let mix_env = match env.get("MIX_ENV") {
        Some(value) if is_valid_mix_env(&value) => Sourced {
            value,
            source: Source::Env("MIX_ENV"),
        },
        Some(value) => return Err(ConfigError::InvalidMixEnv(value)),
        None => Sourced {
            value: String::from("prod"),
            source: Source::Default,
        },
    };

    let boolean = |key: &str, default: bool| match classic_value(key) {
        None => Ok(default),
        Some((value, line)) => match value.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            "" => Ok(default),
            _ => Err(ConfigError::InvalidBoolean {
                key: key.to_string(),
                value,
                line,
            }),
        },
    };
    let hook = |key: &str| {
        classic_value(key)
            .map(|(value, _)| value)
            .filter(|value| !value.trim().is_empty())
    };

    Ok(BuildConfig {
        erlang,
        elixir,
        elixir_hint: mix_exs.and_then(mix_project::elixir_requirement),
        mix_env,
        always_rebuild: boolean("always_rebuild", false)?,
        release: boolean("release", true)?,
        hooks: Hooks {
            pre_fetch_dependencies: hook("hook_pre_fetch_dependencies"),
            pre_compile: hook("hook_pre_compile"),
            compile: hook("hook_compile"),
            post_compile: hook("hook_post_compile"),
            legacy_pre_compile: hook("pre_compile"),
            legacy_post_compile: hook("post_compile"),
        },
        classic_only: ClassicOnly {
            runtime_path: classic_value("runtime_path").map(|(value, line)| Sourced {
                value,
                source: Source::ClassicConfig { line },
            }),
            config_vars_to_export: values.get("config_vars_to_export").map(|assignment| Sourced {
                value: match &assignment.value {
                    classic_config::Value::Scalar(value) => {
                        value.split_whitespace().map(String::from).collect()
                    }
                    classic_config::Value::Array(values) => values.clone(),
                },
                source: Source::ClassicConfig {
                    line: assignment.line,
                },
            }),
            test_args: classic_value("test_args").map(|(value, line)| Sourced {
                value,
                source: Source::ClassicConfig { line },
            }),
        },
        warnings,
    })
}

pub(crate) const KNOWN_KEYS: &[&str] = &[
    "erlang_version",
    "elixir_version",
    "always_rebuild",
    "release",
    "hook_pre_fetch_dependencies",
    "hook_pre_compile",
    "hook_compile",
    "hook_post_compile",
    "pre_compile",
    "post_compile",
    "runtime_path",
    "config_vars_to_export",
    "test_args",
    // Read by the assets step (`crate::assets`).
    "assets_deploy",
];

fn is_known_key(key: &str) -> bool {
    KNOWN_KEYS.contains(&key)
}

/// The version from the strongest source that names one. An empty value (`erlang_version=`) pins
/// nothing, as its users mean: it gets a warning, and the next source decides.
fn pick(
    what: &str,
    candidates: [Option<(String, Source)>; 3],
    warnings: &mut Vec<String>,
) -> Option<(String, Source)> {
    candidates.into_iter().flatten().find(|(value, source)| {
        let empty = value.trim().is_empty();
        if empty {
            warnings.push(format!(
                "The {what} version {source} is empty, so it pins nothing: the next source decides."
            ));
        }
        !empty
    })
}

/// What the classic buildpack makes of a version key. A one-element array is its element (bash's
/// `$key`), `(branch NAME)` is a branch build, spelled as [`versions`] reads it. Any other array is kept
/// as written: it is not a version, and the error quotes it.
fn version_text(value: &Value) -> String {
    match value {
        Value::Scalar(value) => value.clone(),
        Value::Array(elements) => match elements.as_slice() {
            [] => String::new(),
            [element] => element.clone(),
            elements => format!("({})", elements.join(" ")),
        },
    }
}

fn is_valid_mix_env(value: &str) -> bool {
    value
        .chars()
        .all(|char| char.is_ascii_alphanumeric() || char == '_')
}

/// `a`, `b` (for keys).
pub(crate) fn code_list(values: &[String]) -> String {
    values
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct TestEnv(HashMap<&'static str, &'static str>);

    impl PlatformEnv for TestEnv {
        fn get(&self, name: &str) -> Option<String> {
            self.0.get(name).map(ToString::to_string)
        }
    }

    fn no_env() -> TestEnv {
        TestEnv(HashMap::new())
    }

    #[test]
    fn precedence_env_then_classic_then_tool_versions() {
        let classic = "erlang_version=26.2\nelixir_version=1.17\n";
        let tools = "erlang 25.3\nelixir 1.16.2-otp-25\n";
        let config = from_contents(Some(classic), Some(tools), None, &no_env()).expect("valid");
        assert_eq!(
            config.erlang.map(|s| s.source),
            Some(Source::ClassicConfig { line: 1 })
        );
        assert_eq!(
            config.elixir.map(|s| s.source),
            Some(Source::ClassicConfig { line: 2 })
        );

        let config = from_contents(None, Some(tools), None, &no_env()).expect("valid");
        let elixir = config.elixir.expect("elixir");
        assert_eq!(elixir.source, Source::ToolVersions { line: 2 });
        assert_eq!(elixir.value.otp_major, Some(25));

        let env = TestEnv(HashMap::from([
            ("BP_ERLANG_VERSION", "27"),
            ("MIX_ENV", "staging"),
        ]));
        let config = from_contents(Some(classic), Some(tools), None, &env).expect("valid");
        let erlang = config.erlang.expect("erlang");
        assert_eq!(erlang.source, Source::Env("BP_ERLANG_VERSION"));
        assert_eq!(erlang.source.to_string(), "from BP_ERLANG_VERSION");
        assert_eq!(config.mix_env.value, "staging");
    }

    #[test]
    fn defaults() {
        let config = from_contents(None, None, Some("elixir: \"~> 1.15\","), &no_env()).expect("valid");
        assert_eq!(config.erlang, None);
        assert_eq!(config.elixir, None);
        assert_eq!(config.elixir_hint.map(|(text, _)| text), Some("~> 1.15".into()));
        assert_eq!(config.mix_env.value, "prod");
        assert!(config.release);
        assert!(!config.always_rebuild);
        assert_eq!(config.hooks, Hooks::default());
        assert!(config.warnings.is_empty());
    }

    #[test]
    fn any_hook_counts_as_set() {
        assert!(!Hooks::default().any());
        let each: [fn(&mut Hooks); 6] = [
            |hooks| hooks.pre_fetch_dependencies = Some(String::new()),
            |hooks| hooks.pre_compile = Some(String::new()),
            |hooks| hooks.compile = Some(String::new()),
            |hooks| hooks.post_compile = Some(String::new()),
            |hooks| hooks.legacy_pre_compile = Some(String::new()),
            |hooks| hooks.legacy_post_compile = Some(String::new()),
        ];
        for set in each {
            let mut hooks = Hooks::default();
            set(&mut hooks);
            assert!(hooks.any(), "{hooks:?}");
        }
    }

    #[test]
    fn hooks_booleans_and_warnings() {
        let classic = "always_rebuild=true\nrelease=false\nhook_post_compile=\"mix assets.deploy && rm -f _build/esbuild*\"\n\
                       post_compile=./compile\nruntime_path=/app\nnode_version=18\n";
        let config = from_contents(Some(classic), None, None, &no_env()).expect("valid");
        assert!(config.always_rebuild);
        assert!(!config.release);
        assert_eq!(
            config.hooks.post_compile.as_deref(),
            Some("mix assets.deploy && rm -f _build/esbuild*")
        );
        assert_eq!(config.hooks.legacy_post_compile.as_deref(), Some("./compile"));
        assert_eq!(
            config.warnings,
            vec![format!(
                "Ignoring unknown key `node_version` (line 6 of elixir_buildpack.config). Known keys: {}.",
                KNOWN_KEYS.join(", ")
            ),]
        );
        assert_eq!(
            config.classic_only.runtime_path,
            Some(Sourced {
                value: "/app".into(),
                source: Source::ClassicConfig { line: 5 }
            })
        );
    }

    #[test]
    fn classic_only_keys_are_kept_for_the_front_end() {
        let classic = "config_vars_to_export=(DATABASE_URL\n  POOL_SIZE)\ntest_args=\"--cover --trace\"\n";
        let config = from_contents(Some(classic), None, None, &no_env()).expect("valid");
        assert_eq!(
            config
                .classic_only
                .config_vars_to_export
                .map(|sourced| sourced.value),
            Some(vec!["DATABASE_URL".to_string(), "POOL_SIZE".to_string()])
        );
        assert_eq!(
            config
                .classic_only
                .test_args
                .map(|sourced| (sourced.value, sourced.source)),
            Some(("--cover --trace".to_string(), Source::ClassicConfig { line: 3 }))
        );
        assert!(config.warnings.is_empty());
        let scalar =
            from_contents(Some("config_vars_to_export=\"A B\"\n"), None, None, &no_env()).expect("valid");
        assert_eq!(
            scalar.classic_only.set_keys(),
            vec![("config_vars_to_export", &Source::ClassicConfig { line: 1 })]
        );
        assert_eq!(
            scalar
                .classic_only
                .config_vars_to_export
                .map(|sourced| sourced.value),
            Some(vec!["A".to_string(), "B".to_string()])
        );
    }

    #[test]
    fn errors_name_the_value_and_where_it_came_from() {
        match from_contents(Some("erlang_version==22.3\n"), None, None, &no_env()) {
            Err(ConfigError::InvalidOtpVersion(sourced)) => {
                assert_eq!(sourced.value, "=22.3");
                assert_eq!(sourced.source, Source::ClassicConfig { line: 1 });
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            from_contents(Some("always_rebuild=yes\n"), None, None, &no_env()),
            Err(ConfigError::InvalidBoolean { line: 1, .. })
        ));
        assert!(matches!(
            from_contents(Some("erlang_version=$(cat .v)\n"), None, None, &no_env()),
            Err(ConfigError::ClassicSyntax(SyntaxError { line: 1, .. }))
        ));
        let env = TestEnv(HashMap::from([("MIX_ENV", "prod; rm")]));
        assert!(matches!(
            from_contents(None, None, None, &env),
            Err(ConfigError::InvalidMixEnv(_))
        ));
    }

    #[test]
    fn shell_constructs_in_ignored_keys_are_warnings() {
        let config = from_contents(
            Some("node_version=$(cat .nvmrc)\nerlang_version=27\n"),
            None,
            None,
            &no_env(),
        )
        .expect("valid");
        assert_eq!(
            config.warnings,
            vec!["Ignoring `node_version` on line 1 of elixir_buildpack.config: it uses command substitution `$(cat .nvmrc)` (runs a command), which needs a shell to evaluate.".to_string()]
        );
    }

    const BOM_WARNING: &str = "Skipping the UTF-8 byte-order mark at the start of elixir_buildpack.config \
        (Windows editors write one). Bash read it as part of line 1, so the classic buildpack ignored that \
        line; here it is read. Save the file as UTF-8 without a BOM to silence this warning.";

    #[test]
    fn several_assignments_on_a_line_with_a_bom_and_crlf_pin_both_versions() {
        let classic = "\u{feff}erlang_version=26.2.5 elixir_version=1.16.3\r\nrelease=false\r\n";
        let config = from_contents(Some(classic), None, None, &no_env()).expect("valid");
        assert_eq!(
            config.erlang,
            Some(Sourced {
                value: versions::parse_otp_request("26.2.5").expect("valid"),
                source: Source::ClassicConfig { line: 1 },
            })
        );
        assert_eq!(
            config.elixir,
            Some(Sourced {
                value: versions::parse_elixir_request("1.16.3").expect("valid"),
                source: Source::ClassicConfig { line: 1 },
            })
        );
        assert!(!config.release);
        assert_eq!(config.warnings, vec![BOM_WARNING.to_string()]);

        let config = from_contents(Some("erlang_version=26.2.5\n"), None, None, &no_env()).expect("valid");
        assert_eq!(config.warnings, Vec::<String>::new(), "no BOM, no warning");
    }

    #[test]
    fn a_line_that_needs_a_shell_is_an_error_when_any_of_its_keys_is_used() {
        match from_contents(
            Some("node_version=$(cat .nvmrc) erlang_version=27\n"),
            None,
            None,
            &no_env(),
        ) {
            Err(ConfigError::ClassicSyntax(error)) => {
                assert_eq!(error.line, 1);
                assert_eq!(error.keys, vec!["node_version", "erlang_version"]);
            }
            other => panic!("unexpected {other:?}"),
        }
        // A command with assignments before it sets nothing in bash.
        assert!(matches!(
            from_contents(Some("elixir_version=1.18 mix compile\n"), None, None, &no_env()),
            Err(ConfigError::ClassicSyntax(_))
        ));
        // Only keys we don't use: a warning, and the rest of the file still counts.
        let config = from_contents(
            Some("node_version=18 runtime_path=/app npm ci\nerlang_version=27\n"),
            None,
            None,
            &no_env(),
        )
        .expect("valid");
        assert_eq!(
            config.warnings,
            vec!["Ignoring `node_version`, `runtime_path` on line 1 of elixir_buildpack.config: it uses unquoted words after the value (`npm ci`): bash would run them as a command, which needs a shell to evaluate.".to_string()]
        );
        assert_eq!(
            config.erlang.map(|erlang| erlang.source),
            Some(Source::ClassicConfig { line: 2 })
        );
        // A line that assigns nothing at all is a command: always an error.
        assert!(matches!(
            from_contents(Some("source other.config\n"), None, None, &no_env()),
            Err(ConfigError::ClassicSyntax(SyntaxError { line: 1, .. }))
        ));
    }

    fn elixir_request(classic: &str) -> Result<Option<Sourced<ElixirRequest>>, ConfigError> {
        from_contents(Some(classic), None, None, &no_env()).map(|config| config.elixir)
    }

    #[test]
    fn classic_branch_arrays_are_branch_builds() {
        // The classic buildpack reads `elixir_version=(branch main)` as element 0 `branch` and element 1
        // the branch name.
        assert_eq!(
            elixir_request("\nelixir_version=(branch main)\n").expect("valid"),
            Some(Sourced {
                value: ElixirRequest {
                    version: VersionRequest::Branch("main".into()),
                    otp_major: None,
                },
                source: Source::ClassicConfig { line: 2 },
            })
        );
        let config = from_contents(
            Some("erlang_version=( branch\n maint-27 )\n"),
            None,
            None,
            &no_env(),
        )
        .expect("valid");
        assert_eq!(
            config.erlang.map(|erlang| erlang.value),
            Some(VersionRequest::Branch("maint-27".into()))
        );
        // A one-element array is its element, as `$elixir_version` is.
        assert_eq!(
            elixir_request("elixir_version=(1.16.3)\n")
                .expect("valid")
                .map(|elixir| elixir.value),
            versions::parse_elixir_request("1.16.3")
        );
    }

    #[test]
    fn other_arrays_are_not_versions_and_the_error_quotes_them() {
        for (classic, quoted) in [
            ("elixir_version=(tag v1.16.3)\n", "(tag v1.16.3)"),
            ("elixir_version=(branch main extra)\n", "(branch main extra)"),
            // Bash sets element 0 of the array: (1.16 main), which the classic buildpack rejected too.
            (
                "elixir_version=(branch main)\nelixir_version=1.16\n",
                "(1.16 main)",
            ),
        ] {
            match elixir_request(classic) {
                Err(ConfigError::InvalidElixirVersion(sourced)) => assert_eq!(sourced.value, quoted),
                other => panic!("unexpected {other:?} for {classic:?}"),
            }
        }
        assert!(matches!(
            from_contents(Some("erlang_version=(26 25)\n"), None, None, &no_env()),
            Err(ConfigError::InvalidOtpVersion(Sourced { value, .. })) if value == "(26 25)"
        ));
    }

    #[test]
    fn empty_versions_pin_nothing_and_the_next_source_decides() {
        let classic = "erlang_version=\nelixir_version=\" \"\nalways_rebuild=\n";
        let config = from_contents(Some(classic), Some("erlang 25.3\n"), None, &no_env()).expect("valid");
        assert_eq!(
            config.erlang,
            Some(Sourced {
                value: versions::parse_otp_request("25.3").expect("valid"),
                source: Source::ToolVersions { line: 1 },
            })
        );
        assert_eq!(config.elixir, None, "the default decides");
        assert!(!config.always_rebuild);
        assert_eq!(
            config.warnings,
            vec![
                "The Erlang/OTP version from elixir_buildpack.config, line 1 is empty, so it pins nothing: the next source decides.".to_string(),
                "The Elixir version from elixir_buildpack.config, line 2 is empty, so it pins nothing: the next source decides.".to_string(),
            ]
        );

        let env = TestEnv(HashMap::from([("BP_ERLANG_VERSION", "")]));
        let config =
            from_contents(Some("erlang_version=26\nelixir_version=()\n"), None, None, &env).expect("valid");
        assert_eq!(
            config.erlang.map(|erlang| erlang.source),
            Some(Source::ClassicConfig { line: 1 })
        );
        assert_eq!(
            config.warnings,
            vec![
                "The Erlang/OTP version from BP_ERLANG_VERSION is empty, so it pins nothing: the next source decides.".to_string(),
                "The Elixir version from elixir_buildpack.config, line 2 is empty, so it pins nothing: the next source decides.".to_string(),
            ]
        );
        // An env var is text: `()` there is not an empty array.
        let env = TestEnv(HashMap::from([("BP_ELIXIR_VERSION", "()")]));
        assert!(matches!(
            from_contents(None, None, None, &env),
            Err(ConfigError::InvalidElixirVersion(Sourced { value, .. })) if value == "()"
        ));
    }

    #[test]
    fn absent_files_are_no_input_but_unreadable_ones_are_errors() {
        let app_dir = tempfile::tempdir().expect("tempdir");
        let config = read(app_dir.path(), &no_env()).expect("no files at all is a valid config");
        assert_eq!(config.erlang, None);
        assert!(config.warnings.is_empty());

        fs_err::create_dir(app_dir.path().join(CLASSIC_CONFIG_FILE)).expect("a directory");
        assert!(matches!(
            read(app_dir.path(), &no_env()),
            Err(ConfigError::Read(error)) if error.to_string().contains(CLASSIC_CONFIG_FILE)
        ));
    }
}
