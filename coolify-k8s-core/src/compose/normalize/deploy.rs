//! `deploy`: replicas, resources and restart policy are typed; the Swarm-only keys
//! (`endpoint_mode`, `placement`, `update_config`, `rollback_config`) are checked and kept
//! as given.

use super::key_values;
use super::shape;
use super::value::{self, Diagnostics};
use crate::compose::deploy::{Deploy, ResourceSpec, Resources, RestartPolicy};
use crate::compose::units::{ByteSize, Duration};
use crate::path::InputPath;
use serde_json::Value;

const KEYS: &[&str] = &[
    "mode",
    "endpoint_mode",
    "replicas",
    "labels",
    "rollback_config",
    "update_config",
    "resources",
    "restart_policy",
    "placement",
];

/// Rewrite `deploy.labels` into a mapping.
pub(crate) fn canonicalize_deploy(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    if let Some(labels) = v.get_mut("labels") {
        key_values::canonicalize_labels(labels, &path.key("labels"), d);
    }
}

pub(crate) fn duration(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<Duration> {
    let s = value::string(v, path, d)?;
    Duration::parse(&s).map_err(|e| d.error(path, e)).ok()
}

/// A byte size given as a string (`512m`) or, where the schema allows, a number of bytes.
pub(crate) fn byte_size(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<ByteSize> {
    let s = value::string_or_number(v, path, d)?;
    ByteSize::parse(&s).map_err(|e| d.error(path, e)).ok()
}

/// The typed `deploy` (`None` for `deploy: null` or an error).
pub(crate) fn deploy(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<Deploy> {
    if v.is_null() {
        return None;
    }
    let m = value::mapping(v, path, d)?;
    value::check_keys(m, KEYS, path, d);
    let mut out = Deploy::default();
    for (k, x) in m {
        let p = path.key(k);
        match k.as_str() {
            "mode" => out.mode = value::string(x, &p, d),
            "replicas" => out.replicas = value::count(x, &p, d),
            "labels" => out.labels = key_values::labels(x, &p, d),
            "resources" => out.resources = resources(x, &p, d),
            "restart_policy" => out.restart_policy = restart_policy(x, &p, d),
            "endpoint_mode" | "placement" | "update_config" | "rollback_config" => {
                match k.as_str() {
                    "endpoint_mode" => shape::Shape::Str.check(x, &p, d),
                    "placement" => shape::PLACEMENT.check(x, &p, d),
                    _ => shape::UPDATE_CONFIG.check(x, &p, d),
                }
                out.other.insert(k.clone(), x.clone());
            }
            _ => {}
        }
    }
    Some(out)
}

fn resources(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<Resources> {
    let m = value::mapping(v, path, d)?;
    value::check_keys(m, &["limits", "reservations"], path, d);
    Some(Resources {
        limits: m
            .get("limits")
            .and_then(|x| resource_spec(x, &path.key("limits"), false, d)),
        reservations: m
            .get("reservations")
            .and_then(|x| resource_spec(x, &path.key("reservations"), true, d)),
    })
}

fn resource_spec(
    v: &Value,
    path: &InputPath,
    reservation: bool,
    d: &mut Diagnostics,
) -> Option<ResourceSpec> {
    let m = value::mapping(v, path, d)?;
    let keys: &[&str] = if reservation {
        &["cpus", "memory", "generic_resources", "devices"]
    } else {
        &["cpus", "memory", "pids"]
    };
    value::check_keys(m, keys, path, d);
    let mut out = ResourceSpec::default();
    for (k, x) in m {
        let p = path.key(k);
        match k.as_str() {
            "cpus" => out.cpus = value::number(x, &p, d),
            "memory" => {
                // The schema takes only a string here.
                out.memory = value::string(x, &p, d)
                    .and_then(|s| ByteSize::parse(&s).map_err(|e| d.error(&p, e)).ok())
            }
            "pids" if !reservation => out.pids = value::integer(x, &p, d),
            "devices" if reservation => {
                shape::RESERVED_DEVICES.check(x, &p, d);
                out.devices = Some(x.clone());
            }
            "generic_resources" if reservation => {
                shape::GENERIC_RESOURCES.check(x, &p, d);
                out.generic_resources = Some(x.clone());
            }
            _ => {}
        }
    }
    Some(out)
}

fn restart_policy(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<RestartPolicy> {
    let m = value::mapping(v, path, d)?;
    value::check_keys(
        m,
        &["condition", "delay", "max_attempts", "window"],
        path,
        d,
    );
    let mut out = RestartPolicy::default();
    for (k, x) in m {
        let p = path.key(k);
        match k.as_str() {
            "condition" => out.condition = value::string(x, &p, d),
            "delay" => out.delay = duration(x, &p, d),
            "max_attempts" => out.max_attempts = value::count(x, &p, d),
            "window" => out.window = duration(x, &p, d),
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_deploy() {
        let mut d = Diagnostics::default();
        let dep = deploy(
            &json!({
                "mode": "replicated",
                "replicas": "2",
                "labels": ["a=b"],
                "resources": {
                    "limits": {"cpus": "0.5", "memory": "512m", "pids": 100},
                    "reservations": {"memory": "1g", "devices": [{"capabilities": ["gpu"], "count": "all"}]}
                },
                "restart_policy": {"condition": "on-failure", "delay": "5s", "max_attempts": 3},
                "placement": {"constraints": ["node.role==manager"]}
            }),
            &InputPath::root().key("deploy"),
            &mut d,
        )
        .unwrap();
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(dep.replicas, Some(2));
        assert_eq!(dep.labels.get("a").map(String::as_str), Some("b"));
        let res = dep.resources.unwrap();
        let limits = res.limits.unwrap();
        assert_eq!(limits.cpus, Some(0.5));
        assert_eq!(limits.memory.map(|m| m.bytes()), Some(512 << 20));
        assert_eq!(limits.pids, Some(100));
        assert_eq!(
            res.reservations.unwrap().memory.map(|m| m.bytes()),
            Some(1 << 30)
        );
        let rp = dep.restart_policy.unwrap();
        assert_eq!(
            (rp.condition.as_deref(), rp.max_attempts),
            (Some("on-failure"), Some(3))
        );
        assert!(dep.other.contains_key("placement"));
    }

    #[test]
    fn errors() {
        let mut d = Diagnostics::default();
        deploy(
            &json!({
                "replicas": -1,
                "resources": {"limits": {"memory": 512, "devices": []}},
                "placement": {"constraint": []},
                "autoscale": true
            }),
            &InputPath::root().key("deploy"),
            &mut d,
        );
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "deploy.autoscale: unknown key \"autoscale\" (expected one of: mode, endpoint_mode, replicas, labels, rollback_config, update_config, resources, restart_policy, placement)",
                "deploy.replicas: expected a count from 0 to 4294967295, got -1",
                "deploy.resources.limits.devices: unknown key \"devices\" (expected one of: cpus, memory, pids)",
                "deploy.resources.limits.memory: expected a string, got a number",
                "deploy.placement.constraint: unknown key \"constraint\" (expected one of: constraints, preferences, max_replicas_per_node)",
            ]
        );
    }
}
