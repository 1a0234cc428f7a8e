//! Stage: a service's `env_file`s, read through the caller's [`Resolver`](super::Resolver)
//! (relative to the file that names them) and parsed as dotenv; their variables join the
//! service's `environment`, where `environment` wins and later files win over earlier ones.
//! A missing file with `required: false` is skipped (and reported); a missing required one
//! is an error. `format: raw` takes each `KEY=VALUE` line as it is.
//!
//! The `env_file` key itself stays in the tree, for the model's record.

use super::context::Context;
use super::dotenv;
use super::interpolate::variable;
use super::magic::deferred::MARK;
use super::options::LoadOptions;
use crate::error::{Error, Errors};
use crate::path::InputPath;
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// Merge every service's `env_file`s into its `environment`, in place.
pub(crate) fn apply(
    ctx: &mut Context<'_>,
    file: &str,
    tree: &mut Value,
    options: &LoadOptions,
) -> Result<(), Errors> {
    let Some(Value::Object(services)) = tree.get_mut("services") else {
        return Ok(());
    };
    let mut errors = Vec::new();
    for (name, service) in services.iter_mut() {
        let Value::Object(service) = service else {
            continue;
        };
        let Some(entries) = service.get("env_file") else {
            continue;
        };
        let at = InputPath::root()
            .key("services")
            .key(name.clone())
            .key("env_file");
        let entries = match entries_of(entries, &at) {
            Ok(e) => e,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut vars: IndexMap<String, Option<String>> = IndexMap::new();
        for (i, entry) in entries.into_iter().enumerate() {
            let p = if entry.indexed {
                at.index(i)
            } else {
                at.clone()
            };
            let text = match ctx.resolver.read(Some(file), &entry.path) {
                Ok((_, text)) => text,
                Err(m) if !entry.required => {
                    ctx.report
                        .warn(p, format!("optional env file skipped: {m}"));
                    continue;
                }
                Err(m) => {
                    errors.push(Error::new(p, m));
                    continue;
                }
            };
            let pairs = if entry.raw {
                Ok(raw_pairs(&text))
            } else {
                dotenv::parse(&text, &|n| variable(n, options))
            };
            match pairs {
                Ok(pairs) => {
                    for (k, v) in pairs {
                        if k.contains(MARK) || v.as_deref().is_some_and(|v| v.contains(MARK)) {
                            errors.push(Error::new(
                                p.clone(),
                                format!("{}: a NUL character in {k:?}", entry.path),
                            ));
                            continue;
                        }
                        vars.insert(k, v);
                    }
                }
                Err(m) => errors.push(Error::new(p, format!("{}: {m}", entry.path))),
            }
        }
        add_to_environment(service, vars);
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Entry {
    path: String,
    required: bool,
    raw: bool,
    /// False for the single-string form (`env_file: .env`), whose path has no index.
    indexed: bool,
}

/// The entries in either form (a string, a list of strings or of `{path, required, format}`).
fn entries_of(v: &Value, at: &InputPath) -> Result<Vec<Entry>, Error> {
    let one = |v: &Value, p: InputPath, indexed: bool| -> Result<Entry, Error> {
        match v {
            Value::String(s) => Ok(Entry {
                path: s.clone(),
                required: true,
                raw: false,
                indexed,
            }),
            Value::Object(m) => {
                let Some(Value::String(path)) = m.get("path") else {
                    return Err(Error::new(p, "an env_file entry needs `path`"));
                };
                let required = match m.get("required") {
                    None => true,
                    Some(Value::Bool(b)) => *b,
                    Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
                    Some(_) => return Err(Error::new(p.key("required"), "must be a boolean")),
                };
                let raw = matches!(m.get("format"), Some(Value::String(f)) if f == "raw");
                Ok(Entry {
                    path: path.clone(),
                    required,
                    raw,
                    indexed,
                })
            }
            _ => Err(Error::new(p, "must be a path or a mapping with `path`")),
        }
    };
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| one(x, at.index(i), true))
            .collect(),
        Value::Null => Ok(Vec::new()),
        other => Ok(vec![one(other, at.clone(), false)?]),
    }
}

/// `format: raw`: each non-empty, non-comment line is `KEY=VALUE`, taken literally.
fn raw_pairs(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), Some(v.to_string())),
            None => (l.trim().to_string(), None),
        })
        .collect()
}

/// Add the variables that `environment` does not set (a list `K=V` or a mapping).
fn add_to_environment(service: &mut Map<String, Value>, vars: IndexMap<String, Option<String>>) {
    if vars.is_empty() {
        return;
    }
    let env = service
        .entry("environment")
        .or_insert_with(|| Value::Object(Map::new()));
    if env.is_null() {
        *env = Value::Object(Map::new());
    }
    match env {
        Value::Object(map) => {
            for (k, v) in vars {
                if !map.contains_key(&k) {
                    map.insert(k, v.map_or(Value::Null, Value::String));
                }
            }
        }
        Value::Array(items) => {
            let present: Vec<String> = items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.split_once('=').map_or(s, |(k, _)| k).to_string())
                .collect();
            for (k, v) in vars {
                if !present.contains(&k) {
                    items.push(Value::String(match v {
                        Some(v) => format!("{k}={v}"),
                        None => k,
                    }));
                }
            }
        }
        // A wrong type is normalize's to report.
        _ => {}
    }
}
