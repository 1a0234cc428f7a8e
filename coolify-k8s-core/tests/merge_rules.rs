//! The Compose Specification's merge rules (merge.md), one case per rule. Trees are given in
//! canonical (long) form, as the merge stage receives them; expectations are the spec's.

use coolify_k8s_core::compose::merge::{merge, Directives};
use coolify_k8s_core::compose::{load_tree, LoadOptions, MemoryFiles, NoFiles, SourceFile};
use serde_json::{json, Value};

fn merged(base: Value, over: Value) -> Value {
    let mut base = base;
    merge(&mut base, over, &Directives::default());
    base
}

fn svc(v: Value) -> Value {
    json!({"services": {"foo": v}})
}

#[test]
fn mappings_merge_missing_entries_added_conflicts_overridden() {
    // merge.md, "Mapping".
    let out = merged(
        svc(json!({"key1": "value1", "key2": "value2"})),
        svc(json!({"key2": "VALUE", "key3": "value3"})),
    );
    assert_eq!(
        out,
        svc(json!({"key1": "value1", "key2": "VALUE", "key3": "value3"}))
    );
}

#[test]
fn sequences_append() {
    // merge.md, "Sequence".
    let out = merged(
        svc(json!({"DNS": ["1.1.1.1"]})),
        svc(json!({"DNS": ["8.8.8.8"]})),
    );
    assert_eq!(out, svc(json!({"DNS": ["1.1.1.1", "8.8.8.8"]})));
}

#[test]
fn command_entrypoint_and_healthcheck_test_are_replaced() {
    // merge.md, "Shell commands".
    let out = merged(
        svc(json!({"command": ["echo", "foo"], "entrypoint": ["/a"],
                   "healthcheck": {"test": ["CMD", "a"], "interval": "5s"}})),
        svc(json!({"command": ["echo", "bar"], "entrypoint": ["/b"],
                   "healthcheck": {"test": ["CMD-SHELL", "b"]}})),
    );
    assert_eq!(
        out,
        svc(json!({"command": ["echo", "bar"], "entrypoint": ["/b"],
                   "healthcheck": {"test": ["CMD-SHELL", "b"], "interval": "5s"}}))
    );
}

#[test]
fn volumes_are_unique_by_target() {
    // merge.md, "Unique resources": `foo:/work` then `bar:/work` gives `bar:/work`.
    let out = merged(
        svc(json!({"volumes": [
            {"type": "volume", "source": "foo", "target": "/work"},
            {"type": "volume", "source": "keep", "target": "/keep"}]})),
        svc(json!({"volumes": [
            {"type": "volume", "source": "bar", "target": "/work"},
            {"type": "bind", "source": "./new", "target": "/new"}]})),
    );
    assert_eq!(
        out,
        svc(json!({"volumes": [
            {"type": "volume", "source": "bar", "target": "/work"},
            {"type": "volume", "source": "keep", "target": "/keep"},
            {"type": "bind", "source": "./new", "target": "/new"}]}))
    );
}

#[test]
fn ports_are_unique_by_ip_target_published_protocol() {
    let out = merged(
        svc(json!({"ports": [
            {"target": 80, "published": "8080", "protocol": "tcp"},
            {"target": 53, "published": "53", "protocol": "udp"}]})),
        svc(json!({"ports": [
            {"target": 80, "published": "8080", "protocol": "tcp", "mode": "host"},
            {"target": 80, "published": "8081", "protocol": "tcp"},
            {"target": 53, "published": "53", "protocol": "tcp"}]})),
    );
    assert_eq!(
        out,
        svc(json!({"ports": [
            {"target": 80, "published": "8080", "protocol": "tcp", "mode": "host"},
            {"target": 53, "published": "53", "protocol": "udp"},
            {"target": 80, "published": "8081", "protocol": "tcp"},
            {"target": 53, "published": "53", "protocol": "tcp"}]}))
    );
}

#[test]
fn secrets_and_configs_are_unique_by_target() {
    let out = merged(
        svc(
            json!({"secrets": [{"source": "a"}, {"source": "b", "target": "/x"}],
                   "configs": [{"source": "c"}]}),
        ),
        svc(
            json!({"secrets": [{"source": "a", "mode": 256}, {"source": "z", "target": "/x"}],
                   "configs": [{"source": "c", "target": "/c", "uid": "1"}, {"source": "d"}]}),
        ),
    );
    assert_eq!(
        out,
        svc(
            json!({"secrets": [{"source": "a", "mode": 256}, {"source": "z", "target": "/x"}],
                   "configs": [{"source": "c", "target": "/c", "uid": "1"}, {"source": "d"}]})
        )
    );
}

#[test]
fn environment_labels_and_depends_on_merge_by_key() {
    let out = merged(
        svc(
            json!({"environment": {"A": "1", "B": "2"}, "labels": {"x": "1"},
                   "depends_on": {"db": {"condition": "service_started", "required": true, "restart": false}}}),
        ),
        svc(
            json!({"environment": {"B": "3", "C": null}, "labels": {"y": "2"},
                   "depends_on": {"db": {"condition": "service_healthy", "required": true, "restart": false},
                                  "cache": {"condition": "service_started", "required": false, "restart": false}}}),
        ),
    );
    assert_eq!(
        out,
        svc(
            json!({"environment": {"A": "1", "B": "3", "C": null}, "labels": {"x": "1", "y": "2"},
                   "depends_on": {"db": {"condition": "service_healthy", "required": true, "restart": false},
                                  "cache": {"condition": "service_started", "required": false, "restart": false}}})
        )
    );
}

#[test]
fn unique_value_lists_do_not_repeat() {
    let out = merged(
        svc(json!({"cap_add": ["NET_ADMIN"], "profiles": ["a"], "expose": ["80"]})),
        svc(
            json!({"cap_add": ["NET_ADMIN", "SYS_TIME"], "profiles": ["a", "b"], "expose": ["80", "81"]}),
        ),
    );
    assert_eq!(
        out,
        svc(
            json!({"cap_add": ["NET_ADMIN", "SYS_TIME"], "profiles": ["a", "b"], "expose": ["80", "81"]})
        )
    );
}

#[test]
fn ulimits_entries_and_logging_driver_changes_replace() {
    let out = merged(
        svc(
            json!({"ulimits": {"nofile": {"soft": 1, "hard": 2}, "nproc": {"soft": 3, "hard": 3}},
                   "logging": {"driver": "json-file", "options": {"max-size": "1m"}}}),
        ),
        svc(json!({"ulimits": {"nofile": {"soft": 5, "hard": 6}},
                   "logging": {"driver": "syslog", "options": {"tag": "x"}}})),
    );
    assert_eq!(
        out,
        svc(
            json!({"ulimits": {"nofile": {"soft": 5, "hard": 6}, "nproc": {"soft": 3, "hard": 3}},
                   "logging": {"driver": "syslog", "options": {"tag": "x"}}})
        )
    );
    let same = merged(
        svc(json!({"logging": {"driver": "json-file", "options": {"max-size": "1m"}}})),
        svc(json!({"logging": {"options": {"max-file": "3"}}})),
    );
    assert_eq!(
        same,
        svc(
            json!({"logging": {"driver": "json-file", "options": {"max-size": "1m", "max-file": "3"}}})
        )
    );
}

#[test]
fn top_level_sections_merge_and_scalars_replace() {
    let out = merged(
        json!({"name": "a", "volumes": {"data": {}}, "networks": {"front": {"driver": "bridge"}}}),
        json!({"name": "b", "volumes": {"logs": {}}, "networks": {"front": {"internal": true}}}),
    );
    assert_eq!(
        out,
        json!({"name": "b", "volumes": {"data": {}, "logs": {}},
               "networks": {"front": {"driver": "bridge", "internal": true}}})
    );
}

fn load_two(base: &str, over: &str) -> Value {
    let files = [
        SourceFile {
            name: "compose.yaml".into(),
            text: base.into(),
        },
        SourceFile {
            name: "compose.override.yaml".into(),
            text: over.into(),
        },
    ];
    load_tree(&files, &LoadOptions::default(), &NoFiles)
        .unwrap()
        .0
}

#[test]
fn reset_removes_an_attribute() {
    // merge.md, "Reset value": ports and FOO are gone; a reset value's content is ignored.
    let out = load_two(
        "services:\n  app:\n    image: myapp\n    ports: [{target: 80, published: '8080'}]\n    environment:\n      FOO: BAR\n      KEEP: x\n",
        "services:\n  app:\n    image: myapp\n    ports: !reset [{target: 1}]\n    environment:\n      FOO: !reset null\n",
    );
    assert_eq!(out["services"]["app"]["image"], "myapp");
    assert!(out["services"]["app"].get("ports").is_none(), "{out}");
    assert_eq!(out["services"]["app"]["environment"], json!({"KEEP": "x"}));
}

#[test]
fn override_replaces_without_merging() {
    // merge.md, "Replace value".
    let out = load_two(
        "services:\n  app:\n    image: myapp\n    ports: [{target: 80, published: '8080'}]\n",
        "services:\n  app:\n    ports: !override\n      - {target: 443, published: '8443'}\n",
    );
    // Compared by field: the canonical form may add defaults (protocol, mode).
    let ports = out["services"]["app"]["ports"].as_array().unwrap();
    assert_eq!(ports.len(), 1);
    assert_eq!(ports[0]["target"], 443);
    assert_eq!(out["services"]["app"]["image"], "myapp");
}

#[test]
fn extends_merges_the_extending_service_over_its_base() {
    let files = MemoryFiles::new([(
        "common.yaml",
        "services:\n  base:\n    image: base\n    environment: {A: '1', B: '2'}\n    command: [a]\n    cap_add: [X]\n",
    )]);
    let main = "services:\n  web:\n    extends: {file: common.yaml, service: base}\n    environment: {B: '3'}\n    command: [b]\n    cap_add: !reset []\n  worker:\n    extends: web\n    image: worker\n";
    let out = load_tree(
        &[SourceFile {
            name: "compose.yaml".into(),
            text: main.into(),
        }],
        &LoadOptions::default(),
        &files,
    )
    .unwrap()
    .0;
    let web = &out["services"]["web"];
    assert_eq!(web["image"], "base");
    assert_eq!(web["environment"], json!({"A": "1", "B": "3"}));
    assert_eq!(web["command"], json!(["b"]));
    assert!(web.get("cap_add").is_none());
    assert!(web.get("extends").is_none());
    let worker = &out["services"]["worker"];
    assert_eq!(worker["image"], "worker");
    assert_eq!(worker["environment"], json!({"A": "1", "B": "3"}));
}

#[test]
fn include_brings_in_resources_with_their_own_env_file() {
    let files = MemoryFiles::new([
        (
            "sub/db.yaml",
            "services:\n  db:\n    image: postgres:${PG:-15}\nvolumes:\n  pg: {}\n",
        ),
        ("sub/db.env", "PG=16\n"),
    ]);
    let main = "include:\n  - path: sub/db.yaml\n    env_file: sub/db.env\nservices:\n  web:\n    image: web\n";
    let out = load_tree(
        &[SourceFile {
            name: "compose.yaml".into(),
            text: main.into(),
        }],
        &LoadOptions::default(),
        &files,
    )
    .unwrap()
    .0;
    assert_eq!(out["services"]["db"]["image"], "postgres:16");
    assert_eq!(out["services"]["web"]["image"], "web");
    assert_eq!(out["volumes"], json!({"pg": {}}));
    assert!(out.get("include").is_none());
}

#[test]
fn include_conflicts_are_errors() {
    let files = MemoryFiles::new([("db.yaml", "services:\n  web:\n    image: other\n")]);
    let main = "include: [db.yaml]\nservices:\n  web:\n    image: web\n";
    let e = load_tree(
        &[SourceFile {
            name: "compose.yaml".into(),
            text: main.into(),
        }],
        &LoadOptions::default(),
        &files,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("services.web: also defined by the included file db.yaml"),
        "{e}"
    );
}

#[test]
fn env_files_join_environment_which_wins() {
    let files = MemoryFiles::new([("app.env", "A=from-file\nB=from-file\n# c\nC=\"${TAG}\"\n")]);
    let main = "services:\n  web:\n    image: web\n    env_file: [{path: app.env, required: true}, {path: missing.env, required: false}]\n    environment: {A: own}\n";
    let mut options = LoadOptions::default();
    options.variables.insert("TAG".into(), "v1".into());
    let (out, report) = load_tree(
        &[SourceFile {
            name: "compose.yaml".into(),
            text: main.into(),
        }],
        &options,
        &files,
    )
    .unwrap();
    assert_eq!(
        out["services"]["web"]["environment"],
        json!({"A": "own", "B": "from-file", "C": "v1"})
    );
    assert!(report
        .entries()
        .iter()
        .any(|e| e.message.contains("optional env file skipped")));
}
