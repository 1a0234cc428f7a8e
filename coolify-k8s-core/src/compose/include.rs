//! Stage: top-level `include`. Each entry names one or more Compose files (read through the
//! caller's [`Resolver`](super::Resolver), relative to the including file) that are loaded
//! as their own project (interpolated with the caller's variables, then the entry's
//! `env_file`s) and whose resources join this file's. A resource defined both here and in an
//! included file is an error, as in Compose; so is an include cycle (the message names the
//! chain).
//!
//! Short form `include: [path]`; long form `{path: string | [string], env_file: string |
//! [string], project_directory: string}`. `project_directory` is accepted and reported: the
//! caller's resolver decides where relative paths point.

use super::context::Context;
use super::dotenv;
use super::file::{in_file, load_file};
use super::interpolate::variable;
use super::merge;
use super::normalize;
use super::options::LoadOptions;
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::{Map, Value};

/// The top-level sections whose entries an include brings in.
const SECTIONS: [&str; 5] = ["services", "networks", "volumes", "configs", "secrets"];

/// Resolve the `include` of `file` in place (the key is removed).
pub(crate) fn apply(
    ctx: &mut Context<'_>,
    file: &str,
    tree: &mut Value,
    options: &LoadOptions,
) -> Result<(), Errors> {
    let Value::Object(root) = tree else {
        return Ok(());
    };
    let Some(include) = root.shift_remove("include") else {
        return Ok(());
    };
    let base = InputPath::root().key("include");
    let entries = match include {
        Value::Array(items) => items,
        Value::Null => return Ok(()),
        _ => return Err(Error::new(base, "include must be a list").into()),
    };
    for (i, entry) in entries.into_iter().enumerate() {
        let at = base.index(i);
        let (paths, env_files) = parse_entry(entry, &at, ctx)?;
        let entry_options = with_env_files(ctx, file, &env_files, options, &at)?;
        let mut included: Option<Value> = None;
        for (j, path) in paths.iter().enumerate() {
            let (canonical, text) = ctx
                .resolver
                .read(Some(file), path)
                .map_err(|m| Error::new(at.clone(), m))?;
            if ctx.chain.contains(&canonical) {
                let mut chain = ctx.chain.clone();
                chain.push(canonical);
                return Err(
                    Error::new(at, format!("include cycle: {}", chain.join(" -> "))).into(),
                );
            }
            ctx.chain.push(canonical.clone());
            let docs = load_file(ctx, &canonical, &text, &entry_options)
                .map_err(|e| in_file(e, &canonical));
            ctx.chain.pop();
            for (t, directives) in docs? {
                match included.as_mut() {
                    None => included = Some(t),
                    Some(b) => {
                        merge::merge(b, t, &directives);
                        if let Value::Object(b) = b {
                            normalize::check_merged(b)
                                .map_err(|e| in_file(e.into(), &canonical))?;
                        }
                    }
                }
            }
            let _ = j;
        }
        if let Some(Value::Object(inc)) = included {
            join(root, inc, &at, &paths)?;
            normalize::check_merged(root)?;
        }
    }
    Ok(())
}

/// An entry's paths and env files.
fn parse_entry(
    entry: Value,
    at: &InputPath,
    ctx: &mut Context<'_>,
) -> Result<(Vec<String>, Vec<String>), Errors> {
    let strings = |v: &Value, p: InputPath| -> Result<Vec<String>, Error> {
        match v {
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(k, x)| {
                    x.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| Error::new(p.index(k), "must be a string"))
                })
                .collect(),
            _ => Err(Error::new(p, "must be a string or a list of strings")),
        }
    };
    match &entry {
        Value::String(s) => Ok((vec![s.clone()], Vec::new())),
        Value::Object(m) => {
            let Some(p) = m.get("path") else {
                return Err(Error::new(at.clone(), "an include entry needs `path`").into());
            };
            let paths = strings(p, at.key("path"))?;
            let env = match m.get("env_file") {
                Some(v) => strings(v, at.key("env_file"))?,
                None => Vec::new(),
            };
            for k in m.keys() {
                match k.as_str() {
                    "path" | "env_file" => {}
                    "project_directory" => ctx.report.add(
                        at.key("project_directory"),
                        crate::report::Outcome::Approximated,
                        "relative paths are resolved by the caller's resolver, from the \
                         included file's location",
                    ),
                    other => {
                        return Err(
                            Error::new(at.key(other), "unknown key in an include entry").into()
                        )
                    }
                }
            }
            Ok((paths, env))
        }
        _ => Err(Error::new(at.clone(), "an include entry is a path or a mapping").into()),
    }
}

/// The caller's options plus the variables of the entry's env files (the caller's win).
fn with_env_files(
    ctx: &mut Context<'_>,
    file: &str,
    env_files: &[String],
    options: &LoadOptions,
    at: &InputPath,
) -> Result<LoadOptions, Errors> {
    let mut out = options.clone();
    for (k, path) in env_files.iter().enumerate() {
        let p = at.key("env_file").index(k);
        let (name, text) = ctx
            .resolver
            .read(Some(file), path)
            .map_err(|m| Error::new(p.clone(), m))?;
        let pairs = dotenv::parse(&text, &|n| variable(n, options))
            .map_err(|m| Error::new(p.clone(), format!("{name}: {m}")))?;
        for (key, value) in pairs {
            if let Some(value) = value {
                if value.contains(super::magic::deferred::MARK) {
                    return Err(
                        Error::new(p, format!("{name}: {key} holds a NUL character")).into(),
                    );
                }
                out.variables.entry(key).or_insert(value);
            }
        }
    }
    Ok(out)
}

/// Bring an included project's resources into the including file.
fn join(
    root: &mut Map<String, Value>,
    included: Map<String, Value>,
    at: &InputPath,
    paths: &[String],
) -> Result<(), Errors> {
    let mut errors = Vec::new();
    for (section, value) in included {
        if section.starts_with("x-") {
            root.entry(section).or_insert(value);
            continue;
        }
        if !SECTIONS.contains(&section.as_str()) {
            continue;
        }
        let Value::Object(entries) = value else {
            continue;
        };
        let target = root
            .entry(section.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if target.is_null() {
            *target = Value::Object(Map::new());
        }
        let Value::Object(target) = target else {
            continue;
        };
        for (name, def) in entries {
            match target.get(&name) {
                Some(existing) if *existing != def => errors.push(Error::new(
                    InputPath::root().key(section.clone()).key(name.clone()),
                    format!(
                        "also defined by the included file {} ({at}); Compose does not merge \
                         included resources",
                        paths.join(", ")
                    ),
                )),
                Some(_) => {}
                None => {
                    target.insert(name, def);
                }
            }
        }
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
