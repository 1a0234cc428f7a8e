//! `depends_on`: a list of service names or a mapping with conditions; the canonical
//! form is the mapping with every default written out (`condition: service_started`,
//! `required: true`, `restart: false`).

use super::value::{self, Diagnostics};
use crate::compose::service::{DependsOn, DependsOnCondition};
use crate::path::InputPath;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const KEYS: &[&str] = &["condition", "required", "restart"];

fn condition(s: &str) -> Option<DependsOnCondition> {
    match s {
        "service_started" => Some(DependsOnCondition::ServiceStarted),
        "service_healthy" => Some(DependsOnCondition::ServiceHealthy),
        "service_completed_successfully" => Some(DependsOnCondition::ServiceCompletedSuccessfully),
        _ => None,
    }
}

fn condition_name(c: DependsOnCondition) -> &'static str {
    match c {
        DependsOnCondition::ServiceStarted => "service_started",
        DependsOnCondition::ServiceHealthy => "service_healthy",
        DependsOnCondition::ServiceCompletedSuccessfully => "service_completed_successfully",
    }
}

/// Rewrite `depends_on` into the long form.
pub(crate) fn canonicalize_depends_on(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    let deps = depends_on(v, path, d);
    if v.is_array() || v.is_object() {
        let m: Map<String, Value> = deps
            .into_iter()
            .map(|(name, dep)| {
                let long = json!({
                    "condition": condition_name(dep.condition),
                    "required": dep.required,
                    "restart": dep.restart,
                });
                (name, long)
            })
            .collect();
        *v = Value::Object(m);
    }
}

/// The typed `depends_on`.
pub(crate) fn depends_on(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> BTreeMap<String, DependsOn> {
    let short = DependsOn {
        condition: DependsOnCondition::ServiceStarted,
        restart: false,
        required: true,
    };
    let mut out = BTreeMap::new();
    match v {
        Value::Array(_) => {
            for (i, name) in value::string_list(v, path, d)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                if !value::is_valid_name(&name) {
                    d.error(&path.index(i), format!("invalid service name {name:?}"));
                }
                out.insert(name, short.clone());
            }
        }
        Value::Object(m) => {
            for (name, entry) in m {
                let p = path.key(name);
                if !value::is_valid_name(name) {
                    d.error(&p, format!("invalid service name {name:?}"));
                    continue;
                }
                let Some(e) = value::mapping(entry, &p, d) else {
                    continue;
                };
                for k in e.keys() {
                    if !KEYS.contains(&k.as_str()) && !value::is_extension(k) {
                        d.error(&p.key(k), value::unknown_key_message(k, KEYS));
                    }
                }
                let mut dep = short.clone();
                match e.get("condition") {
                    Some(c) => {
                        if let Some(s) = value::string(c, &p.key("condition"), d) {
                            match condition(&s) {
                                Some(c) => dep.condition = c,
                                None => d.error(
                                    &p.key("condition"),
                                    format!("invalid condition {s:?} (expected service_started, service_healthy or service_completed_successfully)"),
                                ),
                            }
                        }
                    }
                    None => d.error(&p, "missing required key \"condition\""),
                }
                if let Some(r) = e.get("required") {
                    dep.required = value::strict_boolean(r, &p.key("required"), d).unwrap_or(true);
                }
                if let Some(r) = e.get("restart") {
                    dep.restart = value::boolean(r, &p.key("restart"), d).unwrap_or(false);
                }
                out.insert(name.clone(), dep);
            }
        }
        other => d.error(path, value::expected("a mapping or a sequence", other)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_the_long_form_with_defaults() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("depends_on");
        let mut short = json!(["db", "cache"]);
        canonicalize_depends_on(&mut short, &p, &mut d);
        let mut long = json!({
            "db": {"condition": "service_started"},
            "cache": {"condition": "service_started", "required": true, "restart": "false"},
        });
        canonicalize_depends_on(&mut long, &p, &mut d);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(short, long);
        assert_eq!(
            short["db"],
            json!({"condition": "service_started", "required": true, "restart": false})
        );
    }

    #[test]
    fn errors() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("depends_on");
        depends_on(
            &json!({"db": {}, "x": {"condition": "up", "required": "yes"}}),
            &p,
            &mut d,
        );
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "depends_on.db: missing required key \"condition\"",
                "depends_on.x.condition: invalid condition \"up\" (expected service_started, service_healthy or service_completed_successfully)",
                "depends_on.x.required: expected a boolean, got a string",
            ]
        );
    }
}
