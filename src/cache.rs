//! Caches, as the build steps see them: a named directory restored for a key, or emptied with every
//! reason printed. The front-end decides where the directory lives (a CNB layer, a classic `CACHE_DIR`
//! subdirectory); the decision and its messages are the same for both.

use crate::frontend::{CacheKey, CacheSpec, Frontend, FrontendError, Opened};
use bullet_stream::global::print;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Whether a cache's contents can be used as they are.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CacheState {
    Reused,
    /// Empty: first build, or the cache was discarded (and why, already printed).
    Empty,
}

/// Why a cache saved with `cached` can't serve a build that needs `new`; empty when it can.
pub(crate) fn reasons_to_discard<K: CacheKey>(cached: &K, new: &K, always_rebuild: bool) -> Vec<String> {
    let mut reasons = cached.invalidation_reasons(new);
    if always_rebuild {
        reasons.push(String::from(
            "`always_rebuild=true` is set in elixir_buildpack.config",
        ));
    }
    reasons
}

/// The reason given for a cache whose saved key can't be read.
pub(crate) const UNREADABLE_KEY: &str = "it was written by an older version of this buildpack";

/// A key as it is stored: its format's number, and the key in that format.
#[derive(Serialize)]
struct Stored<'a, K> {
    schema: u32,
    key: &'a K,
}

/// The table a front-end stores for `key`: `schema = K::SCHEMA` and the key under `key`.
pub(crate) fn stored<K: CacheKey>(key: &K) -> Result<toml::Table, FrontendError> {
    toml::Table::try_from(Stored {
        schema: K::SCHEMA,
        key,
    })
    .map_err(|error| FrontendError::Internal(format!("storing a cache key: {error}")))
}

/// A stored key, read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ReadKey<K> {
    pub(crate) key: K,
    /// Stored in an older format (or without a number): the front-end stores it anew.
    pub(crate) migrated: bool,
}

/// Reads a key stored by [`stored`], by an older buildpack in an older format (through
/// [`CacheKey::migrate`]), or by a buildpack from before numbered formats (format 1, stored flat). Else
/// why the cache can't be used, completing "since ...".
pub(crate) fn read_stored<K: CacheKey>(mut table: toml::Table) -> Result<ReadKey<K>, String> {
    let Some(schema) = table.remove("schema") else {
        // Before numbered formats, keys were stored flat; that is format 1, stored anew with its number.
        return read_stored_as(1, toml::Value::Table(table)).map(|read| ReadKey {
            migrated: true,
            ..read
        });
    };
    let (Some(schema), Some(key), true) = (schema_number(&schema), table.remove("key"), table.is_empty())
    else {
        return Err(String::from(UNREADABLE_KEY));
    };
    read_stored_as(schema, key)
}

/// The format's number: an integer, as it is written, or a float, as the lifecycle gives back the metadata
/// of a layer restored from its cache (it keeps layer metadata as JSON, whose numbers are floats).
fn schema_number(value: &toml::Value) -> Option<u32> {
    match *value {
        toml::Value::Integer(number) => u32::try_from(number).ok(),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        toml::Value::Float(number)
            if number.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&number) =>
        {
            Some(number as u32)
        }
        _ => None,
    }
}

fn read_stored_as<K: CacheKey>(schema: u32, key: toml::Value) -> Result<ReadKey<K>, String> {
    match schema.cmp(&K::SCHEMA) {
        std::cmp::Ordering::Equal => key
            .try_into()
            .map(|key| ReadKey { key, migrated: false })
            .map_err(|_| String::from(UNREADABLE_KEY)),
        std::cmp::Ordering::Less => match key {
            toml::Value::Table(key) => K::migrate(schema, key).map(|key| ReadKey { key, migrated: true }),
            _ => Err(String::from(UNREADABLE_KEY)),
        },
        std::cmp::Ordering::Greater => Err(format!(
            "it was written by a newer version of this buildpack (cache format {schema}; this version \
             reads format {})",
            K::SCHEMA
        )),
    }
}

/// What to do with a cache whose stored key is `stored` (`None`: not a table of TOML).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision<K> {
    /// Use it as it is. `migrated`: its key, read from an older format, for the front-end to store anew.
    Keep { migrated: Option<K> },
    /// Empty it, for these reasons (each completing "since ...").
    Discard(Vec<String>),
}

/// Whether a cache stored with `stored` can serve a build that needs `new`.
pub(crate) fn decide<K: CacheKey>(stored: Option<toml::Table>, new: &K, always_rebuild: bool) -> Decision<K> {
    let read = stored
        .ok_or_else(|| String::from(UNREADABLE_KEY))
        .and_then(read_stored::<K>);
    match read {
        Ok(ReadKey { key, migrated }) => {
            let reasons = reasons_to_discard(&key, new, always_rebuild);
            if reasons.is_empty() {
                Decision::Keep {
                    migrated: migrated.then_some(key),
                }
            } else {
                Decision::Discard(reasons)
            }
        }
        Err(reason) => Decision::Discard(vec![reason]),
    }
}

/// The key stored in `text` (a front-end's key file), when it can be read.
pub(crate) fn read_key_text<K: CacheKey>(text: &str) -> Option<K> {
    read_stored(toml::from_str(text).ok()?).ok().map(|read| read.key)
}

/// The text a front-end stores in a key file for `key`.
pub(crate) fn key_text<K: CacheKey>(key: &K) -> Result<String, FrontendError> {
    toml::to_string(&stored(key)?)
        .map_err(|error| FrontendError::Internal(format!("storing a cache key: {error}")))
}

/// Restores the cache when its saved key matches `key`, else empties it and prints why. Its key is
/// saved by [`save`] once its contents are complete.
pub(crate) fn restore<K: CacheKey>(
    frontend: &mut impl Frontend,
    spec: CacheSpec,
    key: &K,
    always_rebuild: bool,
) -> Result<(PathBuf, CacheState), FrontendError> {
    let (path, opened) = frontend.open_cache(spec, key, always_rebuild)?;
    let state = match opened {
        Opened::Restored => CacheState::Reused,
        Opened::New => CacheState::Empty,
        Opened::Discarded(reasons) => {
            print::sub_bullet(format!(
                "Discarding cached {} since {}",
                spec.what,
                reasons.join(", and ")
            ));
            CacheState::Empty
        }
    };
    Ok((path, state))
}

/// Records that the cache's contents are complete for `key`.
pub(crate) fn save<K: CacheKey>(
    frontend: &mut impl Frontend,
    spec: CacheSpec,
    key: &K,
) -> Result<(), FrontendError> {
    frontend.save_cache(spec, key)
}

/// Pushes a reason when a value changed: "the Elixir version changed from 1.17.3 to 1.18.3".
pub(crate) fn push_if_changed<T: PartialEq + std::fmt::Display + ?Sized>(
    reasons: &mut Vec<String>,
    what: &str,
    cached: &T,
    new: &T,
) {
    if cached != new {
        reasons.push(format!("{what} changed from {cached} to {new}"));
    }
}

/// Makes `app_dir/name` a symlink to a cache, so Mix uses the cached directory in place. A real
/// directory of that name in the app (committed build output) is replaced, with a warning.
pub(crate) fn link_into_app(app_dir: &Path, name: &str, cache: &Path) -> Result<(), FrontendError> {
    let link = app_dir.join(name);
    match fs_err::symlink_metadata(&link) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            fs_err::remove_file(&link).map_err(FrontendError::LinkCache)?;
        }
        Ok(metadata) => {
            print::warning(format!(
                "Your app contains a `{name}` {kind}, which is build output. It is replaced by this \
                 buildpack's cached `{name}`. Add `/{name}` to your .gitignore (and .dockerignore) to \
                 silence this warning.",
                kind = if metadata.is_dir() { "directory" } else { "file" }
            ));
            if metadata.is_dir() {
                fs_err::remove_dir_all(&link)
            } else {
                fs_err::remove_file(&link)
            }
            .map_err(FrontendError::LinkCache)?;
        }
        Err(_) => {}
    }
    fs_err::os::unix::fs::symlink(cache, &link).map_err(FrontendError::LinkCache)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
    struct Key(String);

    impl CacheKey for Key {
        const SCHEMA: u32 = 1;

        fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
            let mut reasons = Vec::new();
            push_if_changed(&mut reasons, "the key", &self.0, &new.0);
            reasons
        }
    }

    /// A key in its second format: `port` is new, and format 1 had `version` under another name.
    #[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Second {
        version: String,
        port: u16,
    }

    impl CacheKey for Second {
        const SCHEMA: u32 = 2;

        fn invalidation_reasons(&self, new: &Self) -> Vec<String> {
            let mut reasons = Vec::new();
            push_if_changed(&mut reasons, "the version", &self.version, &new.version);
            reasons
        }

        fn migrate(schema: u32, key: toml::Table) -> Result<Self, String> {
            match (schema, key.get("vsn").and_then(toml::Value::as_str)) {
                (1, Some(version)) => Ok(Self {
                    version: version.to_string(),
                    port: 4000,
                }),
                _ => Err(format!("format {schema} had no vsn")),
            }
        }
    }

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).expect("toml")
    }

    #[test]
    fn a_key_is_stored_with_its_format_and_read_back() {
        let key = Key("a".into());
        let stored = stored(&key).expect("stored");
        assert_eq!(stored, table("schema = 1\nkey = \"a\""));
        assert_eq!(read_stored::<Key>(stored), Ok(ReadKey { key, migrated: false }));
        let second = Second {
            version: "1.0".into(),
            port: 80,
        };
        let text = key_text(&second).expect("text");
        assert_eq!(text, "schema = 2\n\n[key]\nport = 80\nversion = \"1.0\"\n");
        assert_eq!(read_key_text::<Second>(&text), Some(second));
        assert_eq!(read_key_text::<Second>("not = [toml"), None);
    }

    #[test]
    fn a_key_stored_flat_before_numbered_formats_is_format_1() {
        // What every buildpack before numbered formats stored: the key's fields at the top.
        assert_eq!(
            read_stored::<Second>(table("vsn = \"0.9\"")),
            Ok(ReadKey {
                key: Second {
                    version: "0.9".into(),
                    port: 4000
                },
                migrated: true
            })
        );
        let flat = table("version = \"0.9\"\nport = 1");
        assert_eq!(
            read_stored::<Second>(flat),
            Err(String::from("format 1 had no vsn")),
            "format 1, however much it looks like format 2"
        );
    }

    #[test]
    fn an_older_format_is_migrated_and_a_newer_or_broken_one_says_why_not() {
        assert_eq!(
            read_stored::<Second>(table("schema = 1\n[key]\nvsn = \"0.9\"")).map(|read| read.migrated),
            Ok(true)
        );
        // The lifecycle gives back a cached layer's metadata with its numbers as floats.
        assert_eq!(
            read_stored::<Second>(table("schema = 2.0\n[key]\nversion = \"1\"\nport = 1"))
                .map(|read| read.migrated),
            Ok(false)
        );
        assert_eq!(
            read_stored::<Key>(table("schema = 3\nkey = \"a\"")),
            Err(String::from(
                "it was written by a newer version of this buildpack (cache format 3; this version reads \
                 format 1)"
            ))
        );
        assert_eq!(
            read_stored::<Second>(table("schema = 0\n[key]\nvsn = \"0.9\"")),
            Err(String::from("format 0 had no vsn"))
        );
        for broken in [
            "schema = 1",
            "schema = \"1\"\nkey = \"a\"",
            "schema = -1\nkey = \"a\"",
            "schema = 2.5\nkey = {version = \"1\", port = 1}",
            "schema = -2.0\nkey = {version = \"1\", port = 1}",
            "schema = 1e10\nkey = {version = \"1\", port = 1}",
            "schema = 2\nkey = \"a\"",
            "schema = 2\nkey = {version = \"1\", port = 1}\nmore = 1",
            "schema = 2\nkey = {version = \"1\"}",
            "schema = 1\nkey = \"vsn\"",
        ] {
            assert_eq!(
                read_stored::<Second>(table(broken)),
                Err(String::from(UNREADABLE_KEY)),
                "{broken}"
            );
        }
    }

    #[test]
    fn by_default_an_older_format_is_not_read_and_the_reason_names_both_formats() {
        // `Key` is at format 1: the default `migrate`, as a key gets when it moves to format 2.
        assert_eq!(
            Key::migrate(1, toml::Table::new()).map(|key| key.0),
            Err(String::from(
                "it was written by an older version of this buildpack, whose cache format 1 this version \
                 can't read (it reads format 1)"
            ))
        );
    }

    #[test]
    fn a_cache_is_kept_when_its_key_in_any_readable_format_matches() {
        let new = Second {
            version: "1.0".into(),
            port: 80,
        };
        let current = Some(stored(&new).expect("stored"));
        assert_eq!(decide(current, &new, false), Decision::Keep { migrated: None });
        assert_eq!(
            decide(Some(table("vsn = \"1.0\"")), &new, false),
            Decision::Keep {
                migrated: Some(Second {
                    version: "1.0".into(),
                    port: 4000
                })
            },
            "the migrated key is stored anew as it was read, not as the new build's"
        );
        assert_eq!(
            decide(Some(table("vsn = \"0.9\"")), &new, true),
            Decision::Discard(vec![
                "the version changed from 0.9 to 1.0".into(),
                "`always_rebuild=true` is set in elixir_buildpack.config".into()
            ])
        );
        assert_eq!(
            decide(Some(table("schema = 9\nkey = {}")), &new, false),
            Decision::Discard(vec![
                "it was written by a newer version of this buildpack (cache format 9; this version reads \
                 format 2)"
                    .into()
            ])
        );
        assert_eq!(
            decide(None, &new, false),
            Decision::Discard(vec![UNREADABLE_KEY.into()])
        );
    }

    #[test]
    fn always_rebuild_adds_its_reason_to_the_key_s() {
        let (a, b) = (Key("a".into()), Key("b".into()));
        assert!(reasons_to_discard(&a, &Key("a".into()), false).is_empty());
        assert_eq!(
            reasons_to_discard(&a, &Key("a".into()), true),
            vec!["`always_rebuild=true` is set in elixir_buildpack.config"]
        );
        assert_eq!(
            reasons_to_discard(&a, &b, true),
            vec![
                "the key changed from a to b",
                "`always_rebuild=true` is set in elixir_buildpack.config"
            ]
        );
    }
}
