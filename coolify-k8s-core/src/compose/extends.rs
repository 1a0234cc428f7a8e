//! Stage: `extends`. A service that extends another (in the same file, or in one named by
//! `file:` and read through the caller's [`Resolver`](super::Resolver)) starts from that
//! service and merges its own keys over it, per the merge rules; `!reset` / `!override` in
//! the extending service apply to what it inherits. Chains are followed; a cycle is an
//! error naming the chain.
//!
//! Relative paths in a service inherited from another file (bind mounts, `build.context`,
//! `env_file`) are kept as written there, not rebased.

use super::context::Context;
use super::file::prepare;
use super::merge::{merge_service, Directives};
use super::options::LoadOptions;
use super::yaml;
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::{Map, Value};

/// Resolve every `extends` of the file `file` in place.
pub(crate) fn apply(
    ctx: &mut Context<'_>,
    file: &str,
    tree: &mut Value,
    directives: &Directives,
    options: &LoadOptions,
) -> Result<(), Errors> {
    let Some(Value::Object(services)) = tree.get("services") else {
        return Ok(());
    };
    let names: Vec<String> = services
        .iter()
        .filter(|(_, s)| s.get("extends").is_some())
        .map(|(n, _)| n.clone())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let services = services.clone();
    let mut resolved = Vec::new();
    let mut errors = Vec::new();
    for name in names {
        let mut chain = Vec::new();
        let own = directives.under(&["services", name.as_str()]);
        match resolve(ctx, file, &services, &name, &own, &mut chain, options) {
            Ok(v) => resolved.push((name, v)),
            Err(e) => errors.extend(e),
        }
    }
    if let Some(e) = Errors::from_vec(errors) {
        return Err(e);
    }
    if let Some(Value::Object(services)) = tree.get_mut("services") {
        for (name, v) in resolved {
            services.insert(name, v);
        }
    }
    Ok(())
}

/// The service `name` of `services` (from `file`) with its `extends` chain applied.
fn resolve(
    ctx: &mut Context<'_>,
    file: &str,
    services: &Map<String, Value>,
    name: &str,
    directives: &Directives,
    chain: &mut Vec<(String, String)>,
    options: &LoadOptions,
) -> Result<Value, Errors> {
    let path = InputPath::root().key("services").key(name);
    let Some(service) = services.get(name) else {
        return Err(Error::new(path, format!("no service {name:?} in {file}")).into());
    };
    let here = (file.to_string(), name.to_string());
    if chain.contains(&here) {
        let mut names: Vec<String> = chain.iter().map(|(f, s)| show(f, s, file)).collect();
        names.push(show(file, name, file));
        return Err(Error::new(
            path.key("extends"),
            format!("extends cycle: {}", names.join(" -> ")),
        )
        .into());
    }
    let Some(extends) = service.get("extends") else {
        return Ok(service.clone());
    };
    let ext_path = path.key("extends");
    let (base_name, base_file) = match extends {
        Value::String(s) => (s.clone(), None),
        Value::Object(m) => {
            let Some(Value::String(s)) = m.get("service") else {
                return Err(Error::new(
                    ext_path.key("service"),
                    "extends needs `service`, the name of the service to extend",
                )
                .into());
            };
            let f = match m.get("file") {
                None | Some(Value::Null) => None,
                Some(Value::String(f)) => Some(f.clone()),
                Some(_) => {
                    return Err(Error::new(ext_path.key("file"), "`file` must be a string").into())
                }
            };
            if let Some(k) = m.keys().find(|k| *k != "service" && *k != "file") {
                return Err(Error::new(ext_path.key(k.clone()), "unknown key in extends").into());
            }
            (s.clone(), f)
        }
        _ => {
            return Err(Error::new(
                ext_path,
                "extends must be a service name or a mapping with `service` and `file`",
            )
            .into())
        }
    };
    chain.push(here);
    let base = match base_file {
        None => resolve(
            ctx,
            file,
            services,
            &base_name,
            &Directives::default(),
            chain,
            options,
        ),
        Some(f) => {
            let (canonical, text) = ctx
                .resolver
                .read(Some(file), &f)
                .map_err(|m| Error::new(ext_path.key("file"), m))?;
            let other = read_services(ctx, &canonical, &text, options)?;
            resolve(
                ctx,
                &canonical,
                &other,
                &base_name,
                &Directives::default(),
                chain,
                options,
            )
        }
    };
    chain.pop();
    let mut merged = base.map_err(|e| {
        // Say where the chain started.
        let list: Vec<Error> = e
            .into_iter()
            .map(|err| {
                if err.path.is_root() || err.message.contains("extends cycle") {
                    err
                } else {
                    Error::new(
                        err.path.clone(),
                        format!("{} (extended by services.{name})", err.message),
                    )
                }
            })
            .collect();
        Errors::from_vec(list)
            .unwrap_or_else(|| Error::new(ext_path.clone(), "extends failed").into())
    })?;
    let mut local = service.clone();
    if let Value::Object(m) = &mut local {
        m.shift_remove("extends");
    }
    if let Value::Object(m) = &mut merged {
        m.shift_remove("extends");
    }
    merge_service(&mut merged, local, directives);
    Ok(merged)
}

fn show(f: &str, s: &str, top: &str) -> String {
    if f == top {
        s.to_string()
    } else {
        format!("{f}:{s}")
    }
}

/// The services of another file, through the per-file stages that precede `extends`.
fn read_services(
    ctx: &mut Context<'_>,
    name: &str,
    text: &str,
    options: &LoadOptions,
) -> Result<Map<String, Value>, Errors> {
    let mut services = Map::new();
    for doc in yaml::parse(text, name)? {
        let (tree, _) = prepare(ctx, name, doc, options)?;
        if let Some(Value::Object(s)) = tree.get("services") {
            for (k, v) in s {
                services.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(services)
}
