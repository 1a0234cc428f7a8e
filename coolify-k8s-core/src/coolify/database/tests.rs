//! Each kind from attributes shaped like its Coolify model.

use super::*;
use crate::options::{Options, PublishedPorts};
use serde_json::json;

const PASSWORD: &str = "pw-Xk29-secret";

/// Attributes as `Standalone*::toArray()` gives them (columns from `app/Models`).
pub(crate) fn model(kind: DatabaseKind) -> Value {
    let mut a = json!({
        "id": 4, "uuid": "d0g8k4s", "name": format!("my-{kind}"), "description": null,
        "image": match kind {
            DatabaseKind::Postgresql => "postgres:17-alpine",
            DatabaseKind::Mysql => "mysql:8",
            DatabaseKind::Mariadb => "mariadb:11",
            DatabaseKind::Mongodb => "mongo:7",
            DatabaseKind::Redis => "redis:7.2",
            DatabaseKind::Keydb => "eqalpha/keydb:latest",
            DatabaseKind::Dragonfly => "docker.dragonflydb.io/dragonflydb/dragonfly",
            DatabaseKind::Clickhouse => "bitnami/clickhouse",
        },
        "is_public": false, "public_port": null, "ports_mappings": null,
        "limits_memory": "0", "limits_memory_swap": "0", "limits_memory_swappiness": 60,
        "limits_memory_reservation": "0", "limits_cpus": "0", "limits_cpuset": null,
        "limits_cpu_shares": 1024, "status": "exited", "started_at": null,
        "enable_ssl": false, "is_log_drain_enabled": false, "custom_docker_run_options": null,
        "destination_type": "App\\Models\\StandaloneDocker", "destination_id": 0,
        "environment_id": 1, "health_check_enabled": true, "health_check_interval": 15,
        "health_check_timeout": 10, "health_check_retries": 5, "health_check_start_period": 5,
        "internal_db_url": "scheme://u:pw-Xk29-secret@d0g8k4s:1/db", "database_type": format!("standalone-{kind}"),
        "persistent_storages": [{"name": format!("{kind}-data-d0g8k4s"), "mount_path": "/data", "host_path": null}],
        "file_storages": [],
        "environment_variables": [],
    });
    let cols = a.as_object_mut().unwrap();
    for (_, column) in kind.credentials() {
        let v = if column.ends_with("password") {
            PASSWORD
        } else {
            "app"
        };
        cols.insert((*column).to_string(), json!(v));
    }
    a
}

fn translate(kind: DatabaseKind, attrs: &Value, options: Options) -> crate::Manifests {
    crate::Translator::new(options)
        .database(kind, attrs, &BTreeMap::new())
        .unwrap_or_else(|e| panic!("{kind}: {e}"))
}

fn find<'a>(m: &'a crate::Manifests, kind: &str, name: &str) -> &'a Value {
    m.objects()
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

#[test]
fn every_kind_keeps_the_password_in_the_secret_only() {
    for kind in kind::ALL {
        let m = translate(kind, &model(kind), Options::default());
        for o in m.objects() {
            let text = o.to_string();
            if o["kind"] == "Secret" {
                continue;
            }
            assert!(!text.contains(PASSWORD), "{kind}: {text}");
        }
        let sts = find(&m, "StatefulSet", "d0g8k4s");
        let c = &sts["spec"]["template"]["spec"]["containers"][0];
        let pw_var = kind
            .credentials()
            .iter()
            .find(|(_, col)| col.ends_with("password"))
            .map(|(v, _)| *v)
            .unwrap();
        let entry = c["env"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == pw_var)
            .unwrap_or_else(|| panic!("{kind}: no {pw_var}"));
        assert_eq!(
            entry["valueFrom"]["secretKeyRef"]["name"], "d0g8k4s-secrets",
            "{kind}"
        );
        assert_eq!(c["ports"][0]["containerPort"], kind.port(), "{kind}");
        let probe = &c["readinessProbe"]["exec"]["command"];
        assert_eq!(probe[2], kind.health_check(), "{kind}");
        assert_eq!(c["readinessProbe"]["periodSeconds"], 15, "{kind}");
    }
}

#[test]
fn redis_family_password_is_a_reference_in_args() {
    for kind in [
        DatabaseKind::Redis,
        DatabaseKind::Keydb,
        DatabaseKind::Dragonfly,
    ] {
        let m = translate(kind, &model(kind), Options::default());
        let c = &find(&m, "StatefulSet", "d0g8k4s")["spec"]["template"]["spec"]["containers"][0];
        let args: Vec<&str> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(args.contains(&"$(REDIS_PASSWORD)"), "{kind}: {args:?}");
    }
}

#[test]
fn config_file_and_init_scripts_are_files_in_the_pod() {
    let mut a = model(DatabaseKind::Postgresql);
    a["postgres_conf"] = json!("max_connections = 200");
    a["init_scripts"] = json!([{"index": 0, "filename": "../01-schema.sql", "content": "CREATE TABLE t (id int);"}]);
    let m = translate(DatabaseKind::Postgresql, &a, Options::default());
    let c = &find(&m, "StatefulSet", "d0g8k4s")["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["args"],
        json!([
            "postgres",
            "-c",
            "config_file=/etc/postgresql/postgresql.conf"
        ])
    );
    let mounts: Vec<&str> = c["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["mountPath"].as_str().unwrap())
        .collect();
    assert!(
        mounts.contains(&"/etc/postgresql/postgresql.conf"),
        "{mounts:?}"
    );
    assert!(
        mounts.contains(&"/docker-entrypoint-initdb.d/01-schema.sql"),
        "{mounts:?}"
    );
    let data: Vec<String> = m
        .objects()
        .iter()
        .filter(|o| o["kind"] == "ConfigMap")
        .flat_map(|o| {
            o["data"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.to_string())
        })
        .collect();
    assert!(
        data.iter()
            .any(|d| d.contains("max_connections = 200\\nlisten_addresses = '*'")),
        "{data:?}"
    );
    assert!(
        data.iter().any(|d| d.contains("CREATE TABLE t")),
        "{data:?}"
    );
}

#[test]
fn public_port_is_a_nodeport_service_by_option() {
    let mut a = model(DatabaseKind::Mysql);
    a["is_public"] = json!(true);
    a["public_port"] = json!(33060);
    let m = translate(
        DatabaseKind::Mysql,
        &a,
        Options {
            published_ports: PublishedPorts::Nodeport,
            ..Options::default()
        },
    );
    let public: Vec<&Value> = m
        .objects()
        .iter()
        .filter(|o| o["kind"] == "Service" && o["spec"]["type"] == "NodePort")
        .collect();
    assert_eq!(public.len(), 1, "{:?}", m.objects());
    assert_eq!(public[0]["spec"]["ports"][0]["targetPort"], 3306);
    // Without the option it is reported, not published.
    let m = translate(DatabaseKind::Mysql, &a, Options::default());
    assert!(m.objects().iter().all(|o| o["spec"]["type"] != "NodePort"));
    assert!(
        m.warnings().iter().any(|w| w.contains("33060")),
        "{:?}",
        m.warnings()
    );
}

#[test]
fn bad_attributes_name_their_column() {
    let mut a = model(DatabaseKind::Redis);
    a.as_object_mut().unwrap().remove("redis_password");
    a["is_public"] = json!(true);
    let e = from_attributes(DatabaseKind::Redis, &a, &BTreeMap::new()).unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("redis_password: the redis password is required"),
        "{s}"
    );
    assert!(
        s.contains("public_port: a public database needs a port"),
        "{s}"
    );
    assert!(from_attributes(DatabaseKind::Redis, &json!([]), &BTreeMap::new()).is_err());
}

#[test]
fn ssl_and_bookkeeping_are_reported() {
    let mut a = model(DatabaseKind::Postgresql);
    a["enable_ssl"] = json!(true);
    let m = translate(DatabaseKind::Postgresql, &a, Options::default());
    let w = m.warnings().join("\n");
    assert!(w.contains("enable_ssl: TLS with certificates"), "{w}");
    assert!(w.contains("internal_db_url: Coolify's bookkeeping"), "{w}");
    assert!(!w.contains(PASSWORD), "{w}");
}

/// Every `Start*` action pulls before it starts the container: the pods ask the registry
/// on every start too, unless the image is pinned by digest.
#[test]
fn every_start_pulls_the_tag_as_coolify_does() {
    let policy = |m: &crate::Manifests| {
        m.objects()
            .iter()
            .find(|o| o["kind"] == "StatefulSet" || o["kind"] == "Deployment")
            .map(|o| o["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"].clone())
    };
    for kind in kind::ALL {
        let m = translate(kind, &model(kind), Options::default());
        assert_eq!(policy(&m), Some(json!("Always")), "{kind}");
    }
    let mut pinned = model(DatabaseKind::Postgresql);
    pinned["image"] = json!("postgres:17@sha256:0123456789abcdef");
    let m = translate(DatabaseKind::Postgresql, &pinned, Options::default());
    assert_eq!(policy(&m), Some(Value::Null));
}
