//! `command` and `entrypoint`: a string is split into argv by shell rules (as compose-go
//! does with shellwords); a list is taken as given. Deferred references (magic and
//! secret variables) hold no whitespace or quotes, so splitting keeps them whole.

use super::value::{self, Diagnostics};
use crate::path::InputPath;
use serde_json::Value;

/// Rewrite a string `command` / `entrypoint` into a list.
pub(crate) fn canonicalize_command(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    if let Value::String(_) = v {
        if let Some(argv) = command(v, path, d).flatten() {
            *v = Value::Array(argv.into_iter().map(Value::String).collect());
        }
    } else {
        command(v, path, d);
    }
}

/// The typed `command` / `entrypoint`: `Some(None)` for an explicit null (reset),
/// `None` after an error.
pub(crate) fn command(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Option<Option<Vec<String>>> {
    match v {
        Value::Null => Some(None),
        Value::String(s) => match shell_words::split(s) {
            Ok(argv) => Some(Some(argv)),
            Err(e) => {
                d.error(
                    path,
                    format!("cannot split the command by shell rules: {e}"),
                );
                None
            }
        },
        Value::Array(items) => {
            let mut argv = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                argv.push(value::string(item, &path.index(i), d)?);
            }
            Some(Some(argv))
        }
        other => {
            d.error(
                path,
                value::expected("a string or a sequence of strings", other),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::magic::deferred;
    use serde_json::json;

    #[test]
    fn strings_split_by_shell_rules_and_keep_deferred_references() {
        let secret = deferred::reference("SERVICE_PASSWORD_DB");
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("command");
        let mut v = json!(format!("sh -c 'echo \"a b\" {secret}' --pw={secret}"));
        canonicalize_command(&mut v, &p, &mut d);
        assert!(d.errors.is_empty());
        assert_eq!(
            v,
            json!([
                "sh",
                "-c",
                format!("echo \"a b\" {secret}"),
                format!("--pw={secret}")
            ])
        );
        let again = v.clone();
        canonicalize_command(&mut v, &p, &mut d);
        assert_eq!(v, again);
    }

    #[test]
    fn errors_and_null() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("command");
        assert_eq!(command(&Value::Null, &p, &mut d), Some(None));
        assert_eq!(command(&json!(""), &p, &mut d), Some(Some(vec![])));
        assert_eq!(command(&json!("echo 'oops"), &p, &mut d), None);
        assert_eq!(command(&json!(["a", 1]), &p, &mut d), None);
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "command: cannot split the command by shell rules: missing closing quote",
                "command[1]: expected a string, got a number",
            ]
        );
    }
}
