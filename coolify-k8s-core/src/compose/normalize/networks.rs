//! A service's `networks`: a list of names or a mapping of attachments; the canonical
//! form is the mapping (`null` for an attachment without options).

use super::shape::{self, Shape};
use super::value::{self, Diagnostics};
use crate::compose::service::ServiceNetwork;
use crate::path::InputPath;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const KEYS: &[&str] = &[
    "aliases",
    "interface_name",
    "ipv4_address",
    "ipv6_address",
    "link_local_ips",
    "mac_address",
    "driver_opts",
    "priority",
    "gw_priority",
];

/// Rewrite a list of network names into a mapping.
pub(crate) fn canonicalize_service_networks(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    if v.is_array() {
        let names = value::string_list(v, path, d).unwrap_or_default();
        *v = Value::Object(
            names
                .into_iter()
                .map(|n| (n, Value::Null))
                .collect::<Map<_, _>>(),
        );
    }
}

/// The typed `networks` of a service.
pub(crate) fn service_networks(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> BTreeMap<String, Option<ServiceNetwork>> {
    let mut out = BTreeMap::new();
    match v {
        Value::Array(_) => {
            for (i, name) in value::string_list(v, path, d)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                if !value::is_valid_name(&name) {
                    d.error(&path.index(i), format!("invalid network name {name:?}"));
                }
                out.insert(name, None);
            }
        }
        Value::Object(m) => {
            for (name, attachment) in m {
                let p = path.key(name);
                if !value::is_valid_name(name) {
                    d.error(&p, format!("invalid network name {name:?}"));
                    continue;
                }
                if attachment.is_null() {
                    out.insert(name.clone(), None);
                    continue;
                }
                let Some(a) = value::mapping(attachment, &p, d) else {
                    continue;
                };
                value::check_keys(a, KEYS, &p, d);
                let mut net = ServiceNetwork::default();
                for (k, x) in a {
                    let kp = p.key(k);
                    match k.as_str() {
                        "aliases" => {
                            net.aliases = value::string_list(x, &kp, d).unwrap_or_default()
                        }
                        "ipv4_address" => net.ipv4_address = value::string(x, &kp, d),
                        "ipv6_address" => net.ipv6_address = value::string(x, &kp, d),
                        "interface_name" | "mac_address" => {
                            Shape::Str.check(x, &kp, d);
                            net.other.insert(k.clone(), x.clone());
                        }
                        "link_local_ips" => {
                            Shape::ListOfStrings.check(x, &kp, d);
                            net.other.insert(k.clone(), x.clone());
                        }
                        "driver_opts" => {
                            shape::DRIVER_OPTS.check(x, &kp, d);
                            net.other.insert(k.clone(), x.clone());
                        }
                        "priority" | "gw_priority" => {
                            Shape::StrictNum.check(x, &kp, d);
                            net.other.insert(k.clone(), x.clone());
                        }
                        _ => {}
                    }
                }
                out.insert(name.clone(), Some(net));
            }
        }
        other => d.error(path, value::expected("a mapping or a sequence", other)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_and_mapping() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("networks");
        let mut short = json!(["front", "back"]);
        canonicalize_service_networks(&mut short, &p, &mut d);
        assert_eq!(short, json!({"front": null, "back": null}));
        let a = service_networks(&short, &p, &mut d);
        let b = service_networks(&json!({"back": null, "front": null}), &p, &mut d);
        assert_eq!(a, b);
        let c = service_networks(
            &json!({"front": {"aliases": ["web"], "ipv4_address": "10.0.0.2", "priority": 10}}),
            &p,
            &mut d,
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let front = c["front"].clone().unwrap();
        assert_eq!(front.aliases, vec!["web"]);
        assert_eq!(front.other["priority"], json!(10));
        service_networks(
            &json!({"front": {"priority": "high", "alias": []}}),
            &p,
            &mut d,
        );
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            msgs[1],
            "networks.front.priority: expected a number, got a string"
        );
    }
}
