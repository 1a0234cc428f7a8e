//! Keys that take a list of `KEY=VALUE` strings or a mapping (`environment`, `labels`,
//! `annotations`, `sysctls`, …) and `extra_hosts`: the canonical form is a mapping with
//! string values, in declared order.

use super::value::{self, Diagnostics};
use crate::compose::magic::{MagicKind, MagicVariable};
use crate::compose::options::{lookup, LoadOptions};
use crate::path::InputPath;
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Rewrite `environment` into a mapping. A variable named without a value (`KEY` in the
/// list, `KEY:` or `KEY: null` in the mapping) takes the caller's value
/// ([`lookup`]: a deferred reference for magic and secret variables), else stays null.
pub(crate) fn canonicalize_environment(
    v: &mut Value,
    path: &InputPath,
    options: &LoadOptions,
    d: &mut Diagnostics,
) {
    let named_only = |k: &str| lookup(k, options).map_or(Value::Null, Value::String);
    // Coolify fills `SERVICE_URL_*` / `SERVICE_FQDN_*` keys given an empty value too.
    let is_route_key = |k: &str| {
        MagicVariable::parse(k).is_some_and(|m| matches!(m.kind, MagicKind::Url | MagicKind::Fqdn))
    };
    let mut out = Map::new();
    // Coolify reads a string as a one-entry list (forgejo-with-runner's template has a
    // folded `KEY=VALUE KEY2=VALUE2` scalar); the schema does not allow it.
    if let Value::String(s) = v {
        *v = json!([s.clone()]);
    }
    match v {
        // The schema wants unique entries; Coolify's templates repeat identical ones
        // (labelstudio), which mean the same as one. The last one wins, as in Compose.
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = path.index(i);
                let Some(s) = value::string(item, &p, d) else {
                    continue;
                };
                let (k, val) = match s.split_once('=') {
                    Some((k, "")) if is_route_key(k) => (k.to_string(), named_only(k)),
                    Some((k, val)) => (k.to_string(), json!(val)),
                    None => (s.clone(), named_only(&s)),
                };
                if k.is_empty() {
                    d.error(
                        &p,
                        format!("invalid entry {s:?}: the variable name is empty"),
                    );
                    continue;
                }
                out.insert(k, val);
            }
        }
        Value::Object(m) => {
            for (k, val) in m.iter() {
                let text = match val {
                    Value::Null => named_only(k),
                    Value::String(e) if e.is_empty() && is_route_key(k) => named_only(k),
                    other => match value::scalar_text(other) {
                        Some(t) => json!(t),
                        None => {
                            d.error(
                                &path.key(k),
                                value::expected("a string, number, boolean or null", other),
                            );
                            continue;
                        }
                    },
                };
                out.insert(k.clone(), text);
            }
        }
        other => {
            d.error(path, value::expected("a mapping or a sequence", other));
            return;
        }
    }
    *v = Value::Object(out);
}

/// The typed `environment` (canonicalizing with `options` first).
pub(crate) fn environment(
    v: &Value,
    path: &InputPath,
    options: &LoadOptions,
    d: &mut Diagnostics,
) -> IndexMap<String, Option<String>> {
    let mut canonical = v.clone();
    canonicalize_environment(&mut canonical, path, options, d);
    canonical
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, val)| (k.clone(), val.as_str().map(str::to_string)))
                .collect()
        })
        .unwrap_or_default()
}

/// Rewrite a `list_or_dict` of labels (and the like) into a mapping of strings: `KEY`
/// alone and null values are empty strings, numbers and booleans their text.
pub(crate) fn canonicalize_labels(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    let labels = labels(v, path, d);
    if v.is_array() || v.is_object() {
        *v = Value::Object(labels.into_iter().map(|(k, s)| (k, json!(s))).collect());
    }
}

/// The typed form of a `list_or_dict` of labels, sorted by key.
pub(crate) fn labels(v: &Value, path: &InputPath, d: &mut Diagnostics) -> BTreeMap<String, String> {
    ordered_labels(v, path, d).into_iter().collect()
}

fn ordered_labels(v: &Value, path: &InputPath, d: &mut Diagnostics) -> IndexMap<String, String> {
    let mut out = IndexMap::new();
    match v {
        Value::Array(items) => {
            value::unique(items, path, d);
            for (i, item) in items.iter().enumerate() {
                let p = path.index(i);
                let Some(s) = value::string(item, &p, d) else {
                    continue;
                };
                let (k, val) = s.split_once('=').unwrap_or((&s, ""));
                if k.is_empty() {
                    d.error(&p, format!("invalid entry {s:?}: the name is empty"));
                    continue;
                }
                out.insert(k.to_string(), val.to_string());
            }
        }
        Value::Object(m) => {
            for (k, val) in m {
                let text = match val {
                    Value::Null => Some(String::new()),
                    other => value::scalar_text(other),
                };
                match text {
                    Some(t) => {
                        out.insert(k.clone(), t);
                    }
                    None => d.error(
                        &path.key(k),
                        value::expected("a string, number, boolean or null", val),
                    ),
                }
            }
        }
        other => d.error(path, value::expected("a mapping or a sequence", other)),
    }
    out
}

/// Rewrite `extra_hosts` into a mapping from host name to addresses.
pub(crate) fn canonicalize_extra_hosts(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    let hosts = extra_hosts(v, path, d);
    if v.is_array() || v.is_object() {
        *v = Value::Object(hosts.into_iter().map(|(k, ips)| (k, json!(ips))).collect());
    }
}

fn unbracket(ip: &str) -> String {
    ip.strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(ip)
        .to_string()
}

/// The typed `extra_hosts`: `host=ip` or `host:ip` entries, or a mapping whose values are
/// an address or a list of addresses.
pub(crate) fn extra_hosts(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> IndexMap<String, Vec<String>> {
    let mut out: IndexMap<String, Vec<String>> = IndexMap::new();
    match v {
        Value::Array(items) => {
            value::unique(items, path, d);
            for (i, item) in items.iter().enumerate() {
                let p = path.index(i);
                let Some(s) = value::string(item, &p, d) else {
                    continue;
                };
                // compose-go prefers `=`; `:` is the older separator (IPv6 addresses hold colons).
                match s.split_once('=').or_else(|| s.split_once(':')) {
                    Some((host, ip)) if !host.is_empty() && !ip.is_empty() => {
                        out.entry(host.to_string()).or_default().push(unbracket(ip));
                    }
                    _ => d.error(
                        &p,
                        format!("invalid extra host {s:?} (expected host=address)"),
                    ),
                }
            }
        }
        Value::Object(m) => {
            for (host, ips) in m {
                let p = path.key(host);
                match ips {
                    Value::String(ip) => out.entry(host.clone()).or_default().push(unbracket(ip)),
                    Value::Array(list) => {
                        for (i, ip) in list.iter().enumerate() {
                            if let Some(ip) = value::string(ip, &p.index(i), d) {
                                out.entry(host.clone()).or_default().push(unbracket(&ip));
                            }
                        }
                    }
                    other => d.error(
                        &p,
                        value::expected("an address or a sequence of addresses", other),
                    ),
                }
            }
        }
        other => d.error(path, value::expected("a mapping or a sequence", other)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::magic::deferred;

    #[test]
    fn environment_list_and_map_agree() {
        let mut o = LoadOptions::default();
        o.variables.insert("FROM_CALLER".into(), "v".into());
        let p = InputPath::root().key("environment");
        let mut d = Diagnostics::default();
        let list = environment(
            &json!([
                "A=1",
                "B=x=y",
                "FROM_CALLER",
                "UNSET",
                "SERVICE_URL_APP",
                "E="
            ]),
            &p,
            &o,
            &mut d,
        );
        let map = environment(
            &json!({"A": 1, "B": "x=y", "FROM_CALLER": null, "UNSET": null, "SERVICE_URL_APP": null, "E": ""}),
            &p,
            &o,
            &mut d,
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(list, map);
        let s = |x: &str| Some(x.to_string());
        let expected: IndexMap<String, Option<String>> = [
            ("A", s("1")),
            ("B", s("x=y")),
            ("FROM_CALLER", s("v")),
            ("UNSET", None),
            (
                "SERVICE_URL_APP",
                Some(deferred::reference("SERVICE_URL_APP")),
            ),
            ("E", s("")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(list, expected);
        // Declared order is kept (not sorted).
        assert_eq!(list.keys().next().map(String::as_str), Some("A"));
    }

    #[test]
    fn environment_errors_name_the_entry() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("environment");
        environment(&json!(["=x", 3]), &p, &LoadOptions::default(), &mut d);
        environment(&json!({"A": [1]}), &p, &LoadOptions::default(), &mut d);
        environment(&json!(true), &p, &LoadOptions::default(), &mut d);
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "environment[0]: invalid entry \"=x\": the variable name is empty",
                "environment[1]: expected a string, got a number",
                "environment.A: expected a string, number, boolean or null, got a sequence",
                "environment: expected a mapping or a sequence, got a boolean",
            ]
        );
    }

    #[test]
    fn labels_forms() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("labels");
        let a = labels(&json!(["a=1", "b", "traefik.enable=true"]), &p, &mut d);
        let b = labels(
            &json!({"a": 1, "b": null, "traefik.enable": true}),
            &p,
            &mut d,
        );
        assert!(d.errors.is_empty());
        assert_eq!(a, b);
        assert_eq!(a.get("b").map(String::as_str), Some(""));
    }

    #[test]
    fn extra_hosts_forms() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("extra_hosts");
        let a = extra_hosts(
            &json!(["db:10.0.0.1", "v6=[::1]", "db=10.0.0.2"]),
            &p,
            &mut d,
        );
        let b = extra_hosts(
            &json!({"db": ["10.0.0.1", "10.0.0.2"], "v6": "::1"}),
            &p,
            &mut d,
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(a, b);
        assert_eq!(a["db"], vec!["10.0.0.1", "10.0.0.2"]);
        extra_hosts(&json!(["nohost"]), &p, &mut d);
        assert_eq!(
            d.errors[0].to_string(),
            "extra_hosts[0]: invalid extra host \"nohost\" (expected host=address)"
        );
    }
}
