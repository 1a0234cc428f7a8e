//! File references of a service: `env_file` (string, list, or long entries with
//! `required`), `label_file`, and `configs` / `secrets` (a name, or a long entry with
//! target, uid, gid and an octal mode).

use super::value::{self, Diagnostics};
use crate::compose::service::{EnvFile, FileReference};
use crate::path::InputPath;
use serde_json::{json, Map, Value};

/// Rewrite `env_file` into a list of `{path, required[, format]}`.
pub(crate) fn canonicalize_env_file(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    let files = env_file(v, path, d);
    if v.is_string() || v.is_array() {
        *v = Value::Array(
            files
                .into_iter()
                .map(|f| {
                    let mut m = Map::new();
                    m.insert("path".into(), json!(f.path));
                    m.insert("required".into(), json!(f.required));
                    if let Some(format) = f.format {
                        m.insert("format".into(), json!(format));
                    }
                    Value::Object(m)
                })
                .collect(),
        );
    }
}

/// The typed `env_file`.
pub(crate) fn env_file(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Vec<EnvFile> {
    let plain = |p: &str| EnvFile {
        path: p.to_string(),
        required: true,
        format: None,
    };
    match v {
        Value::String(s) => vec![plain(s)],
        Value::Array(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let p = path.index(i);
                match item {
                    Value::String(s) => out.push(plain(s)),
                    Value::Object(m) => {
                        for k in m.keys() {
                            if !["path", "required", "format"].contains(&k.as_str()) {
                                d.error(
                                    &p.key(k),
                                    value::unknown_key_message(k, &["path", "required", "format"]),
                                );
                            }
                        }
                        let Some(file) = m
                            .get("path")
                            .and_then(|x| value::string(x, &p.key("path"), d))
                        else {
                            if !m.contains_key("path") {
                                d.error(&p, "missing required key \"path\"");
                            }
                            continue;
                        };
                        let required = m
                            .get("required")
                            .and_then(|x| value::boolean(x, &p.key("required"), d))
                            .unwrap_or(true);
                        let format = m
                            .get("format")
                            .and_then(|x| value::string(x, &p.key("format"), d));
                        out.push(EnvFile {
                            path: file,
                            required,
                            format,
                        });
                    }
                    other => d.error(&p, value::expected("a path or a mapping", other)),
                }
            }
            out
        }
        other => {
            d.error(path, value::expected("a string or a sequence", other));
            Vec::new()
        }
    }
}

/// Rewrite a string `label_file` into a list.
pub(crate) fn canonicalize_label_file(v: &mut Value) {
    if let Value::String(s) = v {
        *v = json!([s]);
    }
}

/// The typed `label_file` (schema: a string or a list of strings, not necessarily unique).
pub(crate) fn label_file(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, x)| value::string(x, &path.index(i), d))
            .collect(),
        other => {
            d.error(
                path,
                value::expected("a string or a sequence of strings", other),
            );
            Vec::new()
        }
    }
}

/// Rewrite a service's `configs` / `secrets` entries into `{source, …}` mappings.
pub(crate) fn canonicalize_file_references(v: &mut Value) {
    if let Value::Array(items) = v {
        for item in items.iter_mut() {
            if let Value::String(s) = item {
                *item = json!({ "source": s });
            }
        }
    }
}

/// The file mode as compose reads it: a string is octal (`"0440"`); a number written with
/// a leading zero (`0440`) is octal too (YAML 1.1, which Compose follows); other numbers
/// are taken as they are.
fn mode(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<u32> {
    let bad = |d: &mut Diagnostics| {
        d.error(
            path,
            format!("invalid file mode {v} (expected octal, e.g. 0440)"),
        );
        None
    };
    match v {
        Value::String(s) => {
            let t = s.trim();
            let digits = t.strip_prefix("0o").unwrap_or(t);
            u32::from_str_radix(digits, 8).ok().or_else(|| bad(d))
        }
        // A YAML parser that does not know YAML 1.1 octals reads `0440` as the float 440.0.
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 1e9 => {
                u32::from_str_radix(&format!("{}", f as u64), 8)
                    .ok()
                    .or_else(|| bad(d))
            }
            _ => bad(d),
        },
        Value::Number(n) => n
            .as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .or_else(|| bad(d)),
        other => {
            d.error(path, value::expected("a number or a string", other));
            None
        }
    }
}

/// The typed `configs` / `secrets` of a service.
pub(crate) fn file_references(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Vec<FileReference> {
    const KEYS: &[&str] = &["source", "target", "uid", "gid", "mode"];
    let Some(items) = value::sequence(v, path, d) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        match item {
            Value::String(s) => out.push(FileReference {
                source: s.clone(),
                target: None,
                uid: None,
                gid: None,
                mode: None,
            }),
            Value::Object(m) => {
                value::check_keys(m, KEYS, &p, d);
                let text = |k: &str, d: &mut Diagnostics| {
                    m.get(k).and_then(|x| value::string(x, &p.key(k), d))
                };
                let source = text("source", d);
                let reference = FileReference {
                    source: source.clone().unwrap_or_default(),
                    target: text("target", d),
                    uid: text("uid", d),
                    gid: text("gid", d),
                    mode: m.get("mode").and_then(|x| mode(x, &p.key("mode"), d)),
                };
                if source.is_none() && !m.contains_key("source") {
                    d.error(&p, "missing required key \"source\"");
                } else if source.is_some() {
                    out.push(reference);
                }
            }
            other => d.error(&p, value::expected("a name or a mapping", other)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_forms() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("env_file");
        let a = env_file(&json!(".env"), &p, &mut d);
        let b = env_file(&json!([{"path": ".env", "required": "true"}]), &p, &mut d);
        assert_eq!(a, b);
        let c = env_file(
            &json!([{"path": "x.env", "required": false, "format": "raw"}]),
            &p,
            &mut d,
        );
        assert!(d.errors.is_empty());
        assert_eq!(
            c,
            vec![EnvFile {
                path: "x.env".into(),
                required: false,
                format: Some("raw".into())
            }]
        );
    }

    #[test]
    fn modes_are_octal() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("mode");
        assert_eq!(mode(&json!("0440"), &p, &mut d), Some(0o440));
        assert_eq!(mode(&json!(440.0), &p, &mut d), Some(0o440));
        assert_eq!(mode(&json!(288), &p, &mut d), Some(0o440));
        assert!(d.errors.is_empty());
        assert_eq!(mode(&json!("0999"), &p, &mut d), None);
        assert_eq!(
            d.errors[0].to_string(),
            "mode: invalid file mode \"0999\" (expected octal, e.g. 0440)"
        );
    }

    #[test]
    fn references() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("secrets");
        let short = file_references(&json!(["db_password"]), &p, &mut d);
        let mut long = json!(["db_password"]);
        canonicalize_file_references(&mut long);
        assert_eq!(long, json!([{"source": "db_password"}]));
        assert_eq!(short, file_references(&long, &p, &mut d));
        let full = file_references(
            &json!([{"source": "s", "target": "/t", "uid": "1", "gid": "2", "mode": "0400"}]),
            &p,
            &mut d,
        );
        assert!(d.errors.is_empty());
        assert_eq!(full[0].mode, Some(0o400));
        file_references(&json!([{"target": "/t"}, 3]), &p, &mut d);
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "secrets[0]: missing required key \"source\"",
                "secrets[1]: expected a name or a mapping, got a number"
            ]
        );
    }
}
