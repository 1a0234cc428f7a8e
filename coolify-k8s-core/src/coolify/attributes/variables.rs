//! Stored variables (`environment_variables` and its preview or runtime siblings, as
//! `toArray()` gives the `EnvironmentVariable` relation) and the `$env` map the caller
//! passes, checked for names a shell and Kubernetes accept.

use super::Attrs;
use crate::error::Error;
use crate::path::InputPath;
use std::collections::BTreeMap;

/// One entry of a stored variable list with a valid name.
pub(in crate::coolify) struct StoredVariable<'a> {
    /// Where it is (`environment_variables[3]`).
    pub path: InputPath,
    /// Its name.
    pub key: String,
    /// The entry, for `value`, `is_runtime`, `is_preview`, `is_buildtime`.
    pub attrs: Attrs<'a>,
}

/// The entries of the list under `list_key` (none when absent); an entry that is not an
/// object or has no valid name is an error at its path.
pub(in crate::coolify) fn stored_variables<'a>(
    a: &Attrs<'a>,
    list_key: &str,
    errors: &mut Vec<Error>,
) -> Vec<StoredVariable<'a>> {
    let at = InputPath::root().key(list_key);
    let Some(list) = a.get(list_key) else {
        return Vec::new();
    };
    let list = match list {
        serde_json::Value::Array(list) => list,
        // PHP's empty array crosses the extension as an empty object.
        serde_json::Value::Object(o) if o.is_empty() => return Vec::new(),
        _ => {
            errors.push(Error::new(at, "expected a list"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let path = at.index(i);
        let Some(attrs) = v.as_object().map(Attrs::of) else {
            errors.push(Error::new(path, "expected an object {key, value, …}"));
            continue;
        };
        let Some(key) = attrs.text("key") else {
            errors.push(Error::new(path.key("key"), "a variable needs a key"));
            continue;
        };
        if !is_variable_name(&key) {
            errors.push(Error::new(
                path.key("key"),
                format!("{key:?} is not a valid variable name"),
            ));
            continue;
        }
        out.push(StoredVariable { path, key, attrs });
    }
    out
}

/// The caller's `NAME => value` map without the invalid names, each an error at
/// `env.NAME`.
pub(in crate::coolify) fn checked_env<'e>(
    env: &'e BTreeMap<String, String>,
    errors: &mut Vec<Error>,
) -> Vec<(&'e String, &'e String)> {
    let mut out = Vec::new();
    for (key, value) in env {
        if is_variable_name(key) {
            out.push((key, value));
        } else {
            errors.push(Error::new(
                InputPath::root().key("env").key(key.as_str()),
                format!("{key:?} is not a valid variable name"),
            ));
        }
    }
    out
}

/// `COOLIFY_*` and `SOURCE_COMMIT`: values Coolify generates, not user secrets.
pub(in crate::coolify) fn is_coolify_variable(key: &str) -> bool {
    key.starts_with("COOLIFY_") || key == "SOURCE_COMMIT"
}

fn is_variable_name(key: &str) -> bool {
    !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn valid_entries_and_errors_at_their_paths() {
        let v = json!({"environment_variables": [{"key": "A", "value": "1"}, 2, {"value": "v"},
            {"key": "1X"}, {"key": " B ", "value": "2"}], "runtime_environment_variables": "x",
            "from_php": {}});
        let a = Attrs::root(&v, "x").unwrap();
        let mut errors = Vec::new();
        let got: Vec<_> = stored_variables(&a, "environment_variables", &mut errors)
            .into_iter()
            .map(|s| (s.path.to_string(), s.key, s.attrs.string("value")))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "environment_variables[0]".into(),
                    "A".into(),
                    Some("1".into())
                ),
                (
                    "environment_variables[4]".into(),
                    "B".into(),
                    Some("2".into())
                ),
            ]
        );
        assert!(stored_variables(&a, "absent", &mut errors).is_empty());
        assert!(stored_variables(&a, "from_php", &mut errors).is_empty());
        assert!(stored_variables(&a, "runtime_environment_variables", &mut errors).is_empty());
        let lines: Vec<_> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "environment_variables[1]: expected an object {key, value, …}",
                "environment_variables[2].key: a variable needs a key",
                "environment_variables[3].key: \"1X\" is not a valid variable name",
                "runtime_environment_variables: expected a list",
            ]
        );
    }

    #[test]
    fn env_names_are_checked() {
        let env = BTreeMap::from([
            ("GOOD_1".to_string(), "v".to_string()),
            ("BAD-NAME".to_string(), "w".to_string()),
        ]);
        let mut errors = Vec::new();
        let ok = checked_env(&env, &mut errors);
        assert_eq!(ok, [(&"GOOD_1".to_string(), &"v".to_string())]);
        assert_eq!(
            errors[0].to_string(),
            "env.BAD-NAME: \"BAD-NAME\" is not a valid variable name"
        );
        assert!(is_coolify_variable("COOLIFY_FQDN") && is_coolify_variable("SOURCE_COMMIT"));
        assert!(!is_coolify_variable("SOURCE"));
    }
}
