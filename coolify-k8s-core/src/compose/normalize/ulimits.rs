//! `ulimits`: `nofile: 1024` (soft and hard alike) or `nofile: {soft, hard}`.

use super::value::{self, Diagnostics};
use crate::compose::service::Ulimit;
use crate::path::InputPath;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Rewrite `ulimits` into `{soft, hard}` mappings.
pub(crate) fn canonicalize_ulimits(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    let limits = ulimits(v, path, d);
    if let Value::Object(m) = v {
        let long: Map<String, Value> = m
            .keys()
            .filter_map(|k| {
                let u = limits.get(k)?;
                Some((k.clone(), json!({"soft": u.soft, "hard": u.hard})))
            })
            .collect();
        *v = Value::Object(long);
    }
}

/// The typed `ulimits`.
pub(crate) fn ulimits(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> BTreeMap<String, Ulimit> {
    let mut out = BTreeMap::new();
    let Some(m) = value::mapping(v, path, d) else {
        return out;
    };
    for (name, limit) in m {
        let p = path.key(name);
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase()) {
            d.error(
                &p,
                format!("invalid ulimit name {name:?} (expected lowercase letters)"),
            );
            continue;
        }
        let u = match limit {
            Value::Object(sh) => {
                value::check_keys(sh, &["soft", "hard"], &p, d);
                let soft = sh
                    .get("soft")
                    .and_then(|x| value::integer(x, &p.key("soft"), d));
                let hard = sh
                    .get("hard")
                    .and_then(|x| value::integer(x, &p.key("hard"), d));
                for key in ["soft", "hard"] {
                    if !sh.contains_key(key) {
                        d.error(&p, format!("missing required key {key:?}"));
                    }
                }
                match (soft, hard) {
                    (Some(soft), Some(hard)) => Ulimit { soft, hard },
                    _ => continue,
                }
            }
            other => match value::integer(other, &p, d) {
                Some(n) => Ulimit { soft: n, hard: n },
                None => continue,
            },
        };
        out.insert(name.clone(), u);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("ulimits");
        let mut v = json!({"nproc": 65535, "nofile": {"soft": 20000, "hard": "40000"}});
        canonicalize_ulimits(&mut v, &p, &mut d);
        assert!(d.errors.is_empty());
        assert_eq!(
            v,
            json!({"nproc": {"soft": 65535, "hard": 65535}, "nofile": {"soft": 20000, "hard": 40000}})
        );
        ulimits(&json!({"nofile": {"soft": 1}, "NoFile": 1}), &p, &mut d);
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "ulimits.nofile: missing required key \"hard\"",
                "ulimits.NoFile: invalid ulimit name \"NoFile\" (expected lowercase letters)",
            ]
        );
    }
}
