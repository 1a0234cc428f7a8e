//! The top-level keys: `name`, `networks`, `volumes`, `configs`, `secrets`, `models`,
//! `x-*` (and `version` / `include`, which the loader handles before).

use super::key_values;
use super::shape::{self, Shape};
use super::value::{self, Diagnostics};
use crate::compose::project::{ConfigDef, Network, Volume};
use crate::path::InputPath;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The top-level keys of the Compose Specification.
pub(crate) const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "include", "services", "models", "networks", "volumes", "secrets", "configs",
];

/// Rewrite a top-level `networks` / `volumes` / `configs` / `secrets` entry: `null` is an
/// empty mapping; the deprecated `external: {name: x}` is `external: true, name: x`.
pub(crate) fn canonicalize_definition(v: &mut Value) {
    if v.is_null() {
        *v = json!({});
    }
    let Some(m) = v.as_object_mut() else { return };
    let external_name = match m.get("external") {
        Some(Value::Object(e)) => e.get("name").cloned().or(Some(Value::Null)),
        _ => None,
    };
    if let Some(name) = external_name {
        m.insert("external".into(), json!(true));
        if !name.is_null() && !m.contains_key("name") {
            m.insert("name".into(), name);
        }
    }
}

/// `external`: a boolean, a boolean string, or the deprecated `{name: x}` (which names
/// the resource).
fn external(v: &Value, path: &InputPath, name: &mut Option<String>, d: &mut Diagnostics) -> bool {
    match v {
        Value::Object(m) => {
            value::check_keys(m, &["name"], path, d);
            if let Some(n) = m
                .get("name")
                .and_then(|n| value::string(n, &path.key("name"), d))
            {
                name.get_or_insert(n);
            }
            true
        }
        other => value::boolean(other, path, d).unwrap_or(false),
    }
}

/// Which top-level definitions are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Definitions {
    Networks,
    Volumes,
    Files,
}

fn definitions<T>(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
    mut one: impl FnMut(&Map<String, Value>, &InputPath, &mut Diagnostics) -> T,
    kind: Definitions,
) -> BTreeMap<String, T> {
    // The schema restricts the names of volumes, configs and secrets; networks may have
    // any name (the schema has no `additionalProperties: false` for them).
    let restricted = kind != Definitions::Networks;
    // Networks and volumes may be declared with no options (`data:`); configs and secrets
    // need a source.
    let nullable = kind != Definitions::Files;
    let mut out = BTreeMap::new();
    let Some(m) = value::mapping(v, path, d) else {
        return out;
    };
    for (name, def) in m {
        let p = path.key(name);
        if restricted && !value::is_valid_name(name) {
            d.error(
                &p,
                format!("invalid name {name:?} (letters, digits, '.', '_' and '-' only)"),
            );
            continue;
        }
        let empty = Map::new();
        let def = match def {
            Value::Null if nullable => &empty,
            Value::Object(o) => o,
            other => {
                d.error(&p, value::expected("a mapping", other));
                continue;
            }
        };
        out.insert(name.clone(), one(def, &p, d));
    }
    out
}

fn driver_opts(v: &Value, path: &InputPath, d: &mut Diagnostics) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(m) = value::mapping(v, path, d) {
        for (k, x) in m {
            if let Some(s) = value::string_or_number(x, &path.key(k), d) {
                out.insert(k.clone(), s);
            }
        }
    }
    out
}

/// Top-level `networks`.
pub(crate) fn networks(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> BTreeMap<String, Network> {
    const KEYS: &[&str] = &[
        "name",
        "driver",
        "driver_opts",
        "ipam",
        "external",
        "internal",
        "enable_ipv4",
        "enable_ipv6",
        "attachable",
        "labels",
    ];
    definitions(
        v,
        path,
        d,
        |m, p, d| {
            value::check_keys(m, KEYS, p, d);
            let mut n = Network::default();
            for (k, x) in m {
                let kp = p.key(k);
                match k.as_str() {
                    "name" => n.name = value::string(x, &kp, d).or(n.name.take()),
                    "driver" => n.driver = value::string(x, &kp, d),
                    "internal" => n.internal = value::boolean(x, &kp, d).unwrap_or(false),
                    "labels" => n.labels = key_values::labels(x, &kp, d),
                    "driver_opts" | "ipam" | "enable_ipv4" | "enable_ipv6" | "attachable" => {
                        match k.as_str() {
                            "driver_opts" => shape::DRIVER_OPTS.check(x, &kp, d),
                            "ipam" => shape::IPAM.check(x, &kp, d),
                            _ => Shape::Bool.check(x, &kp, d),
                        }
                        n.other.insert(k.clone(), x.clone());
                    }
                    _ => {}
                }
            }
            if let Some(e) = m.get("external") {
                n.external = external(e, &p.key("external"), &mut n.name, d);
            }
            n
        },
        Definitions::Networks,
    )
}

/// Top-level `volumes`.
pub(crate) fn volumes(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> BTreeMap<String, Volume> {
    const KEYS: &[&str] = &["name", "driver", "driver_opts", "external", "labels"];
    definitions(
        v,
        path,
        d,
        |m, p, d| {
            value::check_keys(m, KEYS, p, d);
            let mut vol = Volume::default();
            for (k, x) in m {
                let kp = p.key(k);
                match k.as_str() {
                    "name" => vol.name = value::string(x, &kp, d).or(vol.name.take()),
                    "driver" => vol.driver = value::string(x, &kp, d),
                    "driver_opts" => vol.driver_opts = driver_opts(x, &kp, d),
                    "labels" => vol.labels = key_values::labels(x, &kp, d),
                    _ => {}
                }
            }
            if let Some(e) = m.get("external") {
                vol.external = external(e, &p.key("external"), &mut vol.name, d);
            }
            vol
        },
        Definitions::Volumes,
    )
}

/// Top-level `configs` (`secret: false`) or `secrets` (`secret: true`).
pub(crate) fn file_definitions(
    v: &Value,
    path: &InputPath,
    secret: bool,
    d: &mut Diagnostics,
) -> BTreeMap<String, ConfigDef> {
    let keys: &[&str] = if secret {
        &[
            "name",
            "environment",
            "file",
            "external",
            "labels",
            "driver",
            "driver_opts",
            "template_driver",
        ]
    } else {
        &[
            "name",
            "content",
            "environment",
            "file",
            "external",
            "labels",
            "template_driver",
        ]
    };
    definitions(
        v,
        path,
        d,
        |m, p, d| {
            value::check_keys(m, keys, p, d);
            let mut c = ConfigDef::default();
            for (k, x) in m {
                let kp = p.key(k);
                match k.as_str() {
                    "name" => c.name = value::string(x, &kp, d).or(c.name.take()),
                    "file" => c.file = value::string(x, &kp, d),
                    "content" if !secret => c.content = value::string(x, &kp, d),
                    "environment" => c.environment = value::string(x, &kp, d),
                    "labels" => c.labels = key_values::labels(x, &kp, d),
                    "driver" | "template_driver" => {
                        Shape::Str.check(x, &kp, d);
                        d.dropped(&kp, "a Swarm driver: not used on Kubernetes");
                    }
                    "driver_opts" => {
                        shape::DRIVER_OPTS.check(x, &kp, d);
                        d.dropped(&kp, "a Swarm driver option: not used on Kubernetes");
                    }
                    _ => {}
                }
            }
            if let Some(e) = m.get("external") {
                c.external = external(e, &p.key("external"), &mut c.name, d);
            }
            if c.file.is_none() && c.content.is_none() && c.environment.is_none() && !c.external {
                let what = if secret {
                    "file, environment"
                } else {
                    "file, content, environment"
                };
                d.error(p, format!("missing its source: one of {what} or external"));
            }
            c
        },
        Definitions::Files,
    )
}

/// Top-level `models`, checked and kept as given.
pub(crate) fn models(v: &Value, path: &InputPath, d: &mut Diagnostics) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    if let Some(m) = value::mapping(v, path, d) {
        for (name, def) in m {
            shape::MODEL.check(def, &path.key(name), d);
            out.insert(name.clone(), def.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_forms() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("volumes");
        let vols = volumes(
            &json!({"a": null, "b": {"external": true}, "c": {"external": {"name": "real"}}, "d": {"external": "false"}}),
            &p,
            &mut d,
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(vols["a"], Volume::default());
        assert!(vols["b"].external);
        assert_eq!(
            (vols["c"].external, vols["c"].name.as_deref()),
            (true, Some("real"))
        );
        assert!(!vols["d"].external);
        let mut c = json!({"external": {"name": "real"}});
        canonicalize_definition(&mut c);
        assert_eq!(c, json!({"external": true, "name": "real"}));
    }

    #[test]
    fn configs_and_secrets() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("configs");
        let c = file_definitions(
            &json!({"nginx": {"content": "x"}, "env": {"environment": "CONF"}}),
            &p,
            false,
            &mut d,
        );
        assert!(d.errors.is_empty());
        assert_eq!(c["nginx"].content.as_deref(), Some("x"));
        file_definitions(
            &json!({"bad": {"content": "x"}, "none": {}}),
            &InputPath::root().key("secrets"),
            true,
            &mut d,
        );
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "secrets.bad.content: unknown key \"content\" (expected one of: name, environment, file, external, labels, driver, driver_opts, template_driver)",
                "secrets.bad: missing its source: one of file, environment or external",
                "secrets.none: missing its source: one of file, environment or external",
            ]
        );
    }
}
