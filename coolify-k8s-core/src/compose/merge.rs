//! Stage: several Compose trees into one, per the Compose Specification's merge rules
//! (merge.md), on trees already in canonical (long) form:
//!
//! - mappings merge (missing entries added, conflicting ones merged); sequences append;
//! - `command`, `entrypoint` and `healthcheck.test` are replaced, not appended;
//! - `ports` are unique by `{host_ip, target, published, protocol}`; `volumes`, `secrets`
//!   and `configs` by `target`: an entry sharing a key merges into the earlier one;
//! - lists of plain values where Compose keeps values unique (`dns`, `cap_add`, `expose`,
//!   `profiles`, …) stay unique; `env_file` entries are unique by `path`;
//! - `ulimits` entries are replaced whole; `logging` is replaced when its `driver` changes;
//! - `!reset` removes an attribute, `!override` replaces it without merging (see
//!   [`Directives`]).
//!
//! Depth is bounded by the YAML stage's limit, so the recursion here is too.

use super::port::WRITTEN_INDEX;
use super::yaml::{MergeTag, TaggedPath};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The `!reset` / `!override` tags of an overriding tree, by key path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives(pub Vec<TaggedPath>);

impl Directives {
    /// Apply to an overriding tree before anything else reads it: a `!reset` value is
    /// removed (its value is ignored, per the specification). Call once per tree.
    pub fn strip_resets(&self, over: &mut Value) {
        for t in &self.0 {
            if t.tag == MergeTag::Reset {
                remove_path(over, &t.keys);
            }
        }
    }

    /// The directives of each service, relative to it (for `extends`), in one pass: one
    /// pass per service was quadratic in a file of many services that reset what they
    /// extend.
    pub fn by_service(&self) -> HashMap<&str, Directives> {
        let mut out: HashMap<&str, Directives> = HashMap::new();
        for t in &self.0 {
            if let [section, name, keys @ ..] = t.keys.as_slice() {
                if section == "services" && !keys.is_empty() {
                    out.entry(name.as_str()).or_default().0.push(TaggedPath {
                        keys: keys.to_vec(),
                        tag: t.tag,
                    });
                }
            }
        }
        out
    }
}

/// Remove the value at `keys` (mapping keys only), if present.
pub fn remove_path(tree: &mut Value, keys: &[String]) {
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut node = tree;
    for k in parents {
        match node.get_mut(k.as_str()) {
            Some(next) => node = next,
            None => return,
        }
    }
    if let Value::Object(map) = node {
        map.shift_remove(last);
    }
}

/// Merge a whole Compose tree `over` into `base` (both canonical).
///
/// ```
/// use coolify_k8s_core::compose::merge::{merge, Directives};
/// use serde_json::json;
/// let mut base = json!({"services": {"web": {"image": "a", "command": ["x"], "dns": ["1.1.1.1"]}}});
/// let over = json!({"services": {"web": {"command": ["y"], "dns": ["8.8.8.8"]}}});
/// merge(&mut base, over, &Directives::default());
/// assert_eq!(base, json!({"services": {"web": {"image": "a", "command": ["y"], "dns": ["1.1.1.1", "8.8.8.8"]}}}));
/// ```
pub fn merge(base: &mut Value, over: Value, directives: &Directives) {
    for t in &directives.0 {
        remove_path(base, &t.keys);
    }
    let mut path = Vec::new();
    merge_at(base, over, &mut path);
}

/// Merge one service over another (for `extends`): `base` is the extended service, `over`
/// the extending one, `directives` relative to the service.
pub fn merge_service(base: &mut Value, over: Value, directives: &Directives) {
    for t in &directives.0 {
        remove_path(base, &t.keys);
    }
    let mut path = vec!["services".to_string(), "*".to_string()];
    merge_at(base, over, &mut path);
}

/// Remove repeated entries from the lists that Compose keeps unique (ports, volumes,
/// secrets, configs, `dns`, …), merging each repeat into the first entry with its key, as
/// compose-go's `EnforceUnicity` does after merging: `ports: ["3000", "3000-3005"]` is one
/// port 3000, not an error.
///
/// ```
/// use coolify_k8s_core::compose::merge::enforce_unicity;
/// use serde_json::json;
/// let mut t = json!({"services": {"a": {"ports": [{"target": 80}, {"target": 80}], "dns": ["x", "x"]}}});
/// enforce_unicity(&mut t);
/// assert_eq!(t, json!({"services": {"a": {"ports": [{"target": 80}], "dns": ["x"]}}}));
/// ```
pub fn enforce_unicity(tree: &mut Value) {
    let Some(Value::Object(services)) = tree.get_mut("services") else {
        return;
    };
    for (name, service) in services.iter_mut() {
        let Value::Object(service) = service else {
            continue;
        };
        for (key, value) in service.iter_mut() {
            let mut path = vec!["services".to_string(), name.clone(), key.clone()];
            dedupe(value, &mut path);
            if key == "networks" {
                if let Value::Object(networks) = value {
                    for (net, attachment) in networks.iter_mut() {
                        if let Value::Object(attachment) = attachment {
                            for (k, v) in attachment.iter_mut() {
                                let mut p = vec![
                                    "services".to_string(),
                                    name.clone(),
                                    "networks".to_string(),
                                    net.clone(),
                                    k.clone(),
                                ];
                                dedupe(v, &mut p);
                            }
                        }
                    }
                }
            }
        }
    }
}

fn dedupe(value: &mut Value, path: &mut Vec<String>) {
    if let (Rule::Unique(key), Value::Array(items)) = (rule(path), &mut *value) {
        let all = std::mem::take(items);
        append_unique(items, all, key, path);
    }
}

/// How a path's value merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Mappings merge, sequences append, scalars replace.
    Default,
    /// The later value replaces the earlier one.
    Replace,
    /// Sequences append, entries unique by a key.
    Unique(Key),
    /// Mapping entries replace each other whole (`ulimits`).
    EntriesReplace,
    /// `logging`: replaced when the driver changes, merged otherwise.
    Logging,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// The whole value.
    Value,
    /// `target`.
    Target,
    /// `target`, defaulting to `<prefix><source>`.
    MountTarget(&'static str),
    /// `{host_ip, target, published, protocol}`.
    Port,
    /// `path` (env_file).
    Path,
}

fn rule(path: &[String]) -> Rule {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["services", _, "command" | "entrypoint"] => Rule::Replace,
        ["services", _, "healthcheck", "test"] => Rule::Replace,
        ["services", _, "volumes", _, "volume", "subpath"] => Rule::Replace,
        ["services", _, "ports"] => Rule::Unique(Key::Port),
        ["services", _, "volumes"] => Rule::Unique(Key::Target),
        ["services", _, "secrets"] => Rule::Unique(Key::MountTarget("/run/secrets/")),
        ["services", _, "configs"] => Rule::Unique(Key::MountTarget("/")),
        ["services", _, "env_file"] => Rule::Unique(Key::Path),
        ["services", _, "cap_add"
        | "cap_drop"
        | "dns"
        | "dns_opt"
        | "dns_search"
        | "expose"
        | "links"
        | "external_links"
        | "profiles"
        | "tmpfs"
        | "group_add"
        | "security_opt"
        | "label_file"
        | "device_cgroup_rules"] => Rule::Unique(Key::Value),
        ["services", _, "networks", _, "aliases" | "link_local_ips"] => Rule::Unique(Key::Value),
        ["services", _, "build", "tags" | "platforms"] => Rule::Unique(Key::Value),
        ["services", _, "ulimits"] => Rule::EntriesReplace,
        ["services", _, "logging"] => Rule::Logging,
        _ => Rule::Default,
    }
}

fn merge_at(base: &mut Value, over: Value, path: &mut Vec<String>) {
    match rule(path) {
        Rule::Replace => *base = over,
        Rule::Unique(key) => match (base, over) {
            (Value::Array(items), Value::Array(more)) => append_unique(items, more, key, path),
            (base, over) => *base = over,
        },
        Rule::EntriesReplace => match (base, over) {
            (Value::Object(map), Value::Object(more)) => {
                for (k, v) in more {
                    map.insert(k, v);
                }
            }
            (base, over) => *base = over,
        },
        Rule::Logging => {
            let same_driver = match (&*base, &over) {
                (Value::Object(a), Value::Object(b)) => {
                    b.get("driver").is_none() || a.get("driver") == b.get("driver")
                }
                _ => false,
            };
            if same_driver {
                default_merge(base, over, path);
            } else {
                *base = over;
            }
        }
        Rule::Default => default_merge(base, over, path),
    }
}

fn default_merge(base: &mut Value, over: Value, path: &mut Vec<String>) {
    match (base, over) {
        (Value::Object(map), Value::Object(more)) => merge_maps(map, more, path),
        (Value::Array(items), Value::Array(more)) => items.extend(more),
        (base, over) => *base = over,
    }
}

fn merge_maps(map: &mut Map<String, Value>, more: Map<String, Value>, path: &mut Vec<String>) {
    for (k, v) in more {
        match map.get_mut(&k) {
            Some(existing) => {
                path.push(k);
                merge_at(existing, v, path);
                path.pop();
            }
            None => {
                map.insert(k, v);
            }
        }
    }
}

fn unique_key(v: &Value, key: Key) -> Option<String> {
    let field = |name: &str| v.get(name).map(text);
    match key {
        Key::Value => Some(text(v)),
        Key::Target => field("target"),
        Key::Path => field("path").or_else(|| v.as_str().map(str::to_string)),
        Key::MountTarget(prefix) => {
            field("target").or_else(|| field("source").map(|s| format!("{prefix}{s}")))
        }
        Key::Port => {
            let target = field("target")?;
            let host = field("host_ip").unwrap_or_else(|| "0.0.0.0".into());
            let published = field("published").unwrap_or_default();
            let protocol = field("protocol").unwrap_or_else(|| "tcp".into());
            Some(format!("{host}:{published}:{target}/{protocol}"))
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn append_unique(items: &mut Vec<Value>, more: Vec<Value>, key: Key, path: &mut Vec<String>) {
    // The first item of each key, so that each entry is looked up once: comparing it with
    // every item before it was quadratic (a `3000-7005` port range is 4,006 entries).
    let mut first = first_of_each_key(items, key);
    for v in more {
        let k = unique_key(&v, key);
        let existing = k.as_ref().and_then(|k| first.get(k).copied());
        match existing.and_then(|i| items.get_mut(i)) {
            Some(item) => {
                // Entries sharing a key merge (the later one's fields win), at the first
                // one's place, which its written index names.
                let written = item.get(WRITTEN_INDEX).cloned();
                path.push("*".to_string());
                default_merge(item, v, path);
                path.pop();
                if let Value::Object(merged) = item {
                    match written {
                        Some(w) => merged.insert(WRITTEN_INDEX.to_string(), w),
                        None => merged.shift_remove(WRITTEN_INDEX),
                    };
                }
                // A merge that changed the item's key changes which item comes first.
                if unique_key(item, key) != k {
                    first = first_of_each_key(items, key);
                }
            }
            None => {
                if let Some(k) = k {
                    first.insert(k, items.len());
                }
                items.push(v);
            }
        }
    }
}

fn first_of_each_key(items: &[Value], key: Key) -> HashMap<String, usize> {
    let mut first = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(k) = unique_key(item, key) {
            first.entry(k).or_insert(i);
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn appended_entries_merge_into_the_first_of_their_key() {
        // Duplicates already in the list stay; a later entry merges into the first one of
        // its key, also one appended earlier in the same call; new keys append in order.
        let mut items = vec![
            json!({"target": 80}),
            json!({"target": 81}),
            json!({"target": 80, "published": "8080"}),
        ];
        let more = vec![
            json!({"target": 80, "mode": "ingress"}),
            json!({"target": 82}),
            json!({"target": 82, "protocol": "tcp", "name": "x"}),
            json!({"target": 81, "protocol": "udp"}),
        ];
        append_unique(&mut items, more, Key::Port, &mut vec![]);
        assert_eq!(
            items,
            vec![
                json!({"target": 80, "mode": "ingress"}),
                json!({"target": 81}),
                json!({"target": 80, "published": "8080"}),
                json!({"target": 82, "protocol": "tcp", "name": "x"}),
                json!({"target": 81, "protocol": "udp"}),
            ]
        );
    }

    #[test]
    fn a_port_range_deduplicates_entry_by_entry() {
        // `3000-7005` is 4,006 entries; each is looked up once (a fuzz input that took
        // seconds when each entry was compared with all before it). Overlapping ranges
        // keep one entry per port.
        let mut t = json!({"services": {"a": {"ports": (3000..7006)
            .chain(6000..8000)
            .map(|p| json!({"target": p}))
            .collect::<Vec<_>>()}}});
        enforce_unicity(&mut t);
        let ports = t["services"]["a"]["ports"].as_array().map(Vec::len);
        assert_eq!(ports, Some(5000));
    }

    #[test]
    fn a_merged_entry_keeps_the_written_index_of_the_first() {
        // `ports: ["3000-3001", "3001"]`: the repeat merges into the range's second port,
        // which the report names as the range.
        let mut t = json!({"services": {"a": {"ports": [
            {"target": 3000},
            {"target": 3001, WRITTEN_INDEX: 0},
            {"target": 3001, "name": "b", WRITTEN_INDEX: 1},
            {"target": 3002, WRITTEN_INDEX: 2},
            {"target": 3000, "name": "a", WRITTEN_INDEX: 3}
        ]}}});
        enforce_unicity(&mut t);
        assert_eq!(
            t["services"]["a"]["ports"],
            json!([
                {"target": 3000, "name": "a"},
                {"target": 3001, "name": "b", WRITTEN_INDEX: 0},
                {"target": 3002, WRITTEN_INDEX: 2}
            ])
        );
    }

    #[test]
    fn rules_by_path() {
        assert_eq!(
            rule(&["services".into(), "a".into(), "command".into()]),
            Rule::Replace
        );
        assert_eq!(
            rule(&["services".into(), "a".into(), "environment".into()]),
            Rule::Default
        );
        assert_eq!(rule(&["x-command".into()]), Rule::Default);
    }

    #[test]
    fn unicity_merges_repeats_into_the_first() {
        let mut t = json!({"services": {"a": {
            "volumes": [{"source": "x", "target": "/d"}, {"source": "y", "target": "/d", "read_only": true}],
            "networks": {"n": {"aliases": ["p", "p", "q"]}}}}});
        enforce_unicity(&mut t);
        assert_eq!(
            t,
            json!({"services": {"a": {
                "volumes": [{"source": "y", "target": "/d", "read_only": true}],
                "networks": {"n": {"aliases": ["p", "q"]}}}}})
        );
    }

    #[test]
    fn directives_under_a_service() {
        let d = Directives(vec![TaggedPath {
            keys: vec!["services".into(), "a".into(), "ports".into()],
            tag: MergeTag::Reset,
        }]);
        let by_service = d.by_service();
        assert_eq!(by_service["a"].0[0].keys, vec!["ports".to_string()]);
        assert!(!by_service.contains_key("b"));
        let mut over = json!({"services": {"a": {"ports": [], "image": "x"}}});
        d.strip_resets(&mut over);
        assert_eq!(over, json!({"services": {"a": {"image": "x"}}}));
    }
}
