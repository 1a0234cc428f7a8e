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
fn bookkeeping_is_reported() {
    let m = translate(
        DatabaseKind::Postgresql,
        &model(DatabaseKind::Postgresql),
        Options::default(),
    );
    let w = m.warnings().join("\n");
    assert!(w.contains("internal_db_url: Coolify's bookkeeping"), "{w}");
    assert!(!w.contains(PASSWORD), "{w}");
}

const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQ-tls-key-4e1d\n-----END PRIVATE KEY-----\n";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIC-server-cert\n-----END CERTIFICATE-----\n";
const CA: &str = "-----BEGIN CERTIFICATE-----\nMIIC-coolify-ca\n-----END CERTIFICATE-----\n";

/// `enable_ssl` with the file storages `SslHelper::generateSslCertificate` writes
/// (`server.crt` 644 and `server.key` 600 under the kind's folder; MongoDB's `server.pem`)
/// and the server's CA.
fn with_tls(kind: DatabaseKind) -> Value {
    let dir = match kind {
        DatabaseKind::Postgresql => "/var/lib/postgresql/certs",
        DatabaseKind::Mysql | DatabaseKind::Mariadb => "/etc/mysql/certs",
        DatabaseKind::Mongodb => "/etc/mongo/certs",
        DatabaseKind::Redis => "/etc/redis/certs",
        DatabaseKind::Keydb => "/etc/keydb/certs",
        DatabaseKind::Dragonfly => "/etc/dragonfly/certs",
        DatabaseKind::Clickhouse => "/etc/clickhouse/certs",
    };
    let file = |name: &str, content: String, chmod: &str| {
        json!({"fs_path": format!("/data/coolify/databases/d0g8k4s/ssl/{name}"),
               "mount_path": format!("{dir}/{name}"), "content": content, "is_directory": false,
               "chmod": chmod, "chown": null})
    };
    let mut a = model(kind);
    a["enable_ssl"] = json!(true);
    a["ssl_mode"] = json!("require");
    a["ca_certificate"] = json!(CA);
    a["file_storages"] = if kind == DatabaseKind::Mongodb {
        json!([file("server.pem", format!("{CERT}{KEY}"), "600")])
    } else {
        json!([
            file("server.crt", CERT.to_string(), "644"),
            file("server.key", KEY.to_string(), "600")
        ])
    };
    a
}

/// Each `Start*` action's TLS (coolify-src `app/Actions/Database/Start*.php`): the command's
/// arguments, the key only in a Secret, the files owned as Coolify's `chown` leaves them,
/// the CA where the action mounts it, and Redis' and KeyDB's TLS port reachable.
#[test]
fn tls_as_each_start_action_sets_it_up() {
    for (kind, args, owner, key_path, ca_path) in [
        (DatabaseKind::Postgresql, "postgres -c ssl=on -c ssl_cert_file=/var/lib/postgresql/certs/server.crt -c ssl_key_file=/var/lib/postgresql/certs/server.key", "postgres:postgres", "/var/lib/postgresql/certs/server.key", None),
        (DatabaseKind::Mysql, "mysqld --ssl-cert=/etc/mysql/certs/server.crt --ssl-key=/etc/mysql/certs/server.key --ssl-ca=/etc/mysql/certs/coolify-ca.crt --require-secure-transport=1", "mysql:mysql", "/etc/mysql/certs/server.key", Some("/etc/mysql/certs/coolify-ca.crt")),
        (DatabaseKind::Mariadb, "mariadbd --ssl-cert=/etc/mysql/certs/server.crt", "mysql:mysql", "/etc/mysql/certs/server.key", Some("/etc/mysql/certs/coolify-ca.crt")),
        (DatabaseKind::Mongodb, "mongod --tlsMode=requireTLS --tlsAllowConnectionsWithoutCertificates --tlsAllowInvalidHostnames --tlsCAFile /etc/mongo/certs/ca.pem --tlsCertificateKeyFile /etc/mongo/certs/server.pem", "mongodb:mongodb", "/etc/mongo/certs/server.pem", Some("/etc/mongo/certs/ca.pem")),
        (DatabaseKind::Redis, "--appendonly yes --tls-port 6380 --tls-cert-file /etc/redis/certs/server.crt --tls-key-file /etc/redis/certs/server.key --tls-ca-cert-file /etc/redis/certs/coolify-ca.crt --tls-auth-clients optional", "999:999", "/etc/redis/certs/server.key", Some("/etc/redis/certs/coolify-ca.crt")),
        (DatabaseKind::Keydb, "--tls-port 6380 --tls-cert-file /etc/keydb/certs/server.crt", "999:999", "/etc/keydb/certs/server.key", Some("/etc/keydb/certs/coolify-ca.crt")),
        (DatabaseKind::Dragonfly, "--tls --tls_cert_file /etc/dragonfly/certs/server.crt --tls_key_file /etc/dragonfly/certs/server.key --tls_ca_cert_file /etc/dragonfly/certs/coolify-ca.crt", "999:999", "/etc/dragonfly/certs/server.key", Some("/etc/dragonfly/certs/coolify-ca.crt")),
    ] {
        let m = translate(kind, &with_tls(kind), Options::default());
        let w = m.warnings().join("\n");
        assert_eq!(
            w.contains("enable_ssl"),
            kind == DatabaseKind::Dragonfly,
            "{kind}: {w}"
        );
        let workload = m
            .objects()
            .iter()
            .find(|o| o["spec"]["template"].is_object())
            .unwrap();
        let spec = &workload["spec"]["template"]["spec"];
        let main = &spec["containers"][0];
        let command: Vec<&str> = ["command", "args"]
            .iter()
            .flat_map(|k| main[*k].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect();
        assert!(command.join(" ").contains(args), "{kind}: {command:?}");
        if kind == DatabaseKind::Dragonfly {
            // Its check speaks TLS, or the Service would never send it traffic.
            let check = main["readinessProbe"]["exec"]["command"][2].as_str().unwrap();
            assert!(check.starts_with("redis-cli --tls --insecure -a"), "{check}");
        }
        // The key is a Secret's alone.
        for o in m.objects().iter().filter(|o| o["kind"] != "Secret") {
            assert!(!o.to_string().contains("tls-key-4e1d"), "{kind}: {}", o["kind"]);
        }
        // Coolify's chown and chmod, applied in the pod before start.
        let init = spec["initContainers"]
            .as_array()
            .and_then(|i| i.iter().find(|c| c["name"] == "coolify-volumes"))
            .unwrap_or_else(|| panic!("{kind}: no init container"));
        let script = init["command"][2].as_str().unwrap();
        assert!(
            script.contains(&format!("chown '{owner}'")) && script.contains("chmod '600'"),
            "{kind}: {script}"
        );
        let mount = |path: &str| {
            main["volumeMounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["mountPath"] == path)
                .cloned()
        };
        assert_eq!(
            mount(key_path).map(|m| m["name"].clone()),
            Some(json!("owned-files")),
            "{kind}"
        );
        if let Some(ca) = ca_path {
            assert!(mount(ca).is_some(), "{kind}: no CA at {ca}");
            assert!(m.to_yaml().contains("MIIC-coolify-ca"), "{kind}");
        }
        let service_ports: Vec<i64> = m
            .objects()
            .iter()
            .filter(|o| o["kind"] == "Service")
            .flat_map(|o| o["spec"]["ports"].as_array().cloned().unwrap_or_default())
            .filter_map(|p| p["port"].as_i64())
            .collect();
        assert_eq!(
            service_ports.contains(&6380),
            matches!(kind, DatabaseKind::Redis | DatabaseKind::Keydb),
            "{kind}: {service_ports:?}"
        );
    }
    // Coolify has no TLS for ClickHouse: reported, nothing changes.
    let mut a = model(DatabaseKind::Clickhouse);
    a["enable_ssl"] = json!(true);
    let m = translate(DatabaseKind::Clickhouse, &a, Options::default());
    assert!(m
        .warnings()
        .join("\n")
        .contains("enable_ssl: Coolify sets up no TLS for ClickHouse"));
}

#[test]
fn tls_without_its_files_names_what_is_missing() {
    let mut a = with_tls(DatabaseKind::Mysql);
    a["file_storages"] = json!([]);
    a["ca_certificate"] = Value::Null;
    let e = from_attributes(DatabaseKind::Mysql, &a, &BTreeMap::new())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("file_storages: enable_ssl: no file storage at /etc/mysql/certs/server.key"),
        "{e}"
    );
    assert!(
        e.contains("ca_certificate: enable_ssl: mysql needs the server's CA"),
        "{e}"
    );
    let mut bad = with_tls(DatabaseKind::Postgresql);
    bad["file_storages"][1]["chown"] = json!("root; rm -rf /");
    bad["file_storages"][0]["chmod"] = json!("rwx");
    let e = from_attributes(DatabaseKind::Postgresql, &bad, &BTreeMap::new())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("file_storages[1].chown: \"root; rm -rf /\" is not an owner"),
        "{e}"
    );
    assert!(
        e.contains("file_storages[0].chmod: \"rwx\" is not a file mode"),
        "{e}"
    );
}

/// With `enable_ssl` off, each `Start*` action deletes the TLS file storages left from an
/// earlier start with SSL: they are not mounted (reported at their storage), and the
/// storages after them keep their own report paths.
#[test]
fn tls_files_are_dropped_when_ssl_is_off_as_coolify_deletes_them() {
    for kind in [
        DatabaseKind::Postgresql,
        DatabaseKind::Mongodb,
        DatabaseKind::Redis,
    ] {
        let mut a = with_tls(kind);
        a["enable_ssl"] = json!(false);
        let stale = a["file_storages"].as_array().unwrap().len();
        a["file_storages"].as_array_mut().unwrap().push(
            json!({"fs_path": "/data/coolify/databases/d0g8k4s/extra.conf",
                         "mount_path": "/etc/extra.conf", "content": "x=1", "is_directory": false}),
        );
        let m = translate(kind, &a, Options::default());
        let yaml = m.to_yaml();
        assert!(!yaml.contains("certs/server."), "{kind}: {yaml}");
        assert!(yaml.contains("/etc/extra.conf"), "{kind}");
        let dropped: Vec<String> = m
            .report()
            .entries()
            .iter()
            .filter(|e| e.message.contains("enable_ssl is off"))
            .map(|e| e.path.to_string())
            .collect();
        let expected: Vec<String> = (0..stale).map(|i| format!("file_storages[{i}]")).collect();
        assert_eq!(dropped, expected, "{kind}");
        // The extra file's own lines (read-only from a ConfigMap) stay at its index.
        assert!(
            m.report()
                .entries()
                .iter()
                .any(|e| e.path.to_string() == format!("file_storages[{stale}]")),
            "{kind}: {:?}",
            m.report().entries()
        );
    }
    // ClickHouse has no TLS on Coolify: nothing is deleted.
    let mut a = with_tls(DatabaseKind::Clickhouse);
    a["enable_ssl"] = json!(false);
    let yaml = translate(DatabaseKind::Clickhouse, &a, Options::default()).to_yaml();
    assert!(yaml.contains("certs/server.crt"));
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

/// `custom_docker_run_options` (`generateCustomDockerRunOptionsForDatabases`): PostgreSQL's
/// usual `--shm-size` gives the pod a larger `/dev/shm`, as on Docker.
#[test]
fn custom_docker_run_options_reach_the_database_container() {
    let mut a = model(DatabaseKind::Postgresql);
    a["custom_docker_run_options"] = json!("--shm-size=256m --cap-add SYS_NICE");
    let m = translate(DatabaseKind::Postgresql, &a, Options::default());
    let sts = find(&m, "StatefulSet", "d0g8k4s");
    let pod = &sts["spec"]["template"]["spec"];
    assert_eq!(
        pod["containers"][0]["securityContext"]["capabilities"]["add"],
        json!(["SYS_NICE"])
    );
    let shm = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["emptyDir"]["medium"] == "Memory")
        .expect("/dev/shm");
    assert_eq!(shm["emptyDir"]["sizeLimit"], "256Mi");
    assert!(!m
        .warnings()
        .join("\n")
        .contains("custom_docker_run_options"));
}
