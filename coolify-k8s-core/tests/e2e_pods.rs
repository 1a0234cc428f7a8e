//! e2e: translated projects run on the local node, deployed with the project's own command
//! lines (`apply`, `rollout-status`, `restart`, `stop`, `start`, `delete`, run as Coolify runs
//! them), and their behaviour is checked from inside the pods:
//! - `testdata/e2e/notes-pg.yaml`: PostgreSQL built from Debian's package; the init
//!   container's wait for it ends; a one-shot Job whose entrypoint is a `content:` script
//!   connects with a composed secret URL (`postgres://notes:$(PASS)@db:5432/notes`) and
//!   completes; the app starts only after it and reads what it wrote; restart, stop, start
//!   and delete act on the running pods; the data survives a delete that keeps volumes; the
//!   pods listing and the status poll read Coolify's words, a backup and a copy in and out
//!   stream through files on this machine (from the stored handle).
//! - a standalone PostgreSQL with `enable_ssl`: its key owned as Coolify leaves it, TLS served.
//! - `testdata/e2e/failing.yaml`: an app that never becomes healthy makes `rollout status`
//!   fail with the diagnostics.
//!
//! Needs the local cluster: `scripts/test.sh e2e` (see `e2e_support`).

mod e2e_support;

use coolify_k8s_core::kubectl::{DeleteOptions, ExecOptions, Handle, Kubectl, State, Target};
use coolify_k8s_core::{Manifests, Options, Translator};
use e2e_support::{project_root, wait_until, Cluster};
use std::collections::BTreeMap;
use std::time::Duration;

fn fixture(name: &str) -> String {
    let path = project_root()
        .join("coolify-k8s-core/tests/testdata/e2e")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn translate(file: &str, ns: &str, name: &str) -> Manifests {
    let options = Options {
        namespace: Some(ns.to_string()),
        name: Some(name.to_string()),
        seed: Some("e2e".to_string()),
        ..Options::default()
    };
    Translator::new(options)
        .compose(&fixture(file), &BTreeMap::new())
        .unwrap_or_else(|e| panic!("translating {file} failed: {e}"))
}

/// Issue 11 item 7 on running pods, from the stored handle: the pods listing and the
/// destination's status poll read Coolify's words from the real API server's output; a
/// backup streams `pg_dump`'s output into a file on this machine, and a copy in and out
/// brings it back unchanged.
fn pages_on_running_pods(cluster: &Cluster, k: &Kubectl, m: &Manifests, ns: &str) {
    let h = Handle::from_json(&m.handle().expect("handle").to_json()).expect("handle");
    let out = cluster.must_run("pods", &k.pods(&h).expect("pods line"));
    let pods = k.parse_pods(&out.stdout).expect("pods output");
    let words = |service: &str| -> Vec<String> {
        pods.iter()
            .filter(|p| p.service == service && !p.terminating)
            .flat_map(|p| p.containers.iter().map(|c| c.status.clone()))
            .collect()
    };
    // db has a health check (a readiness probe), app none.
    assert_eq!(words("db"), vec!["running:healthy"], "{pods:#?}");
    assert_eq!(words("app"), vec!["running:unknown"], "{pods:#?}");
    let poll = Kubectl::new(Target {
        namespace: Some(ns.to_string()),
        ..k.target().clone()
    })
    .expect("target");
    let out = cluster.must_run("status poll", &poll.status_poll());
    let statuses = poll.parse_status_poll(&out.stdout).expect("poll output");
    let notes: Vec<(&str, &str)> = statuses
        .iter()
        .map(|s| (s.instance.as_str(), s.status.as_str()))
        .collect();
    // The finished migrate Job (`restart: "no"`) is left out, as Coolify leaves it out.
    assert_eq!(notes, vec![("notes", "running:unknown")], "{statuses:#?}");

    let dir = std::env::temp_dir().join(format!("coolify-k8s-e2e-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("backup dir");
    let backup = dir.join("notes.sql").display().to_string();
    let dump = [
        "sh".to_string(),
        "-c".into(),
        "PGPASSWORD=\"$POSTGRES_PASSWORD\" pg_dump -U notes -h 127.0.0.1 notes".into(),
    ];
    let to_file = ExecOptions {
        stdout_file: Some(backup.clone()),
        ..ExecOptions::default()
    };
    cluster.must_run(
        "backup",
        &k.exec_with(&h, "db", &dump, &to_file).expect("backup"),
    );
    let text = std::fs::read_to_string(&backup).expect("backup file");
    assert!(text.contains("CREATE TABLE public.runs"), "{text}");
    let back = dir.join("back.sql").display().to_string();
    let none = ExecOptions::default();
    cluster.must_run(
        "copy in",
        &k.copy_in(&h, "db", &backup, "/tmp/import.sql", &none)
            .expect("copy in"),
    );
    cluster.must_run(
        "copy out",
        &k.copy_out(&h, "db", "/tmp/import.sql", &back, &none)
            .expect("copy out"),
    );
    assert_eq!(std::fs::read_to_string(&back).expect("copied back"), text);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Apply, provide the claims' volumes, and wait with the rollout-status lines.
fn deploy(cluster: &Cluster, k: &Kubectl, m: &Manifests, ns: &str) {
    cluster.must_apply(m);
    cluster.provide_volumes(ns);
    cluster.must_run(
        "rollout status",
        &k.rollout_status(m, 240).expect("rollout lines"),
    );
}

fn selector(service: &str) -> String {
    format!("app.kubernetes.io/instance=notes,app.kubernetes.io/name={service}")
}

/// The UIDs of the live (not terminating) pods of `service` (a StatefulSet's new pod
/// keeps its name).
fn live_pods(cluster: &Cluster, ns: &str, service: &str) -> Vec<String> {
    cluster
        .items("pods", ns, Some(&selector(service)))
        .iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .filter_map(|p| p["metadata"]["uid"].as_str().map(str::to_string))
        .collect()
}

fn psql(cluster: &Cluster, ns: &str, sql: &str) -> String {
    let r = cluster.exec(
        ns,
        "statefulset/db",
        "db",
        &format!("psql -U notes -d notes -Atc \"{sql}\""),
    );
    assert!(r.ok, "psql {sql} failed: {}", r.stderr);
    r.stdout.trim().to_string()
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn postgres_job_and_app_run_and_obey_the_lifecycle_lines() {
    let ns = "e2e-pods-notes";
    let cluster = Cluster::from_env();
    cluster.delete_namespace(ns);
    let k = cluster.builders();
    let m = translate("notes-pg.yaml", ns, "notes");
    deploy(&cluster, &k, &m, ns);

    // The Job ran its `content:` script as entrypoint, after its wait for db ended.
    // Jobs are named after their service and a hash of their spec and inputs.
    let job_name = m
        .objects()
        .iter()
        .find(|o| {
            o["kind"] == "Job" && o["metadata"]["labels"]["app.kubernetes.io/name"] == "migrate"
        })
        .and_then(|o| o["metadata"]["name"].as_str())
        .expect("the migrate Job")
        .to_string();
    assert!(job_name.starts_with("migrate-"), "{job_name}");
    let job = cluster.get_json(&["job", &job_name, "-n", ns]);
    assert_eq!(job["status"]["succeeded"].as_i64(), Some(1), "{job}");
    let logs = cluster.must(&[
        "logs",
        "-n",
        ns,
        &format!("job/{job_name}"),
        "-c",
        "migrate",
    ]);
    assert!(
        logs.contains("migrate-done"),
        "migrate's script did not run: {logs}"
    );
    let job_pod = &cluster.items("pods", ns, Some(&format!("job-name={job_name}")))[0];
    let wait = &job_pod["status"]["initContainerStatuses"][0];
    assert_eq!(wait["name"], "wait-for-db", "{job_pod}");
    assert_eq!(
        wait["state"]["terminated"]["exitCode"].as_i64(),
        Some(0),
        "{wait}"
    );

    // The app started after the Job completed, and read its row through the composed
    // secret URL (the password only in the Secret, substituted by the kubelet).
    let app = cluster.exec(
        ns,
        "deployment/app",
        "app",
        "cat /tmp/seen; echo; env | grep -c '^DATABASE_URL=postgres://notes:[^$]'",
    );
    assert!(app.ok, "{}", app.stderr);
    assert_eq!(
        app.stdout.split_whitespace().collect::<Vec<_>>(),
        ["migrate", "1"],
        "{}",
        app.stdout
    );
    let completed = job["status"]["completionTime"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let app_pod = cluster.get_json(&["pods", "-n", ns, "-l", &selector("app")]);
    let started = app_pod["items"][0]["status"]["containerStatuses"][0]["state"]["running"]
        ["startedAt"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        !completed.is_empty() && started >= completed,
        "app started at {started:?}, before migrate completed at {completed:?}"
    );
    psql(&cluster, ns, "INSERT INTO runs (who) VALUES ('kept')");

    // Restart: new pods, ready again.
    let before = (
        live_pods(&cluster, ns, "app"),
        live_pods(&cluster, ns, "db"),
    );
    cluster.must_run("restart", &k.restart(&m).expect("restart lines"));
    cluster.must_run(
        "rollout after restart",
        &k.rollout_status(&m, 240).expect("rollout lines"),
    );
    let after = (
        live_pods(&cluster, ns, "app"),
        live_pods(&cluster, ns, "db"),
    );
    assert!(
        before.0.iter().all(|p| !after.0.contains(p))
            && before.1.iter().all(|p| !after.1.contains(p)),
        "restart kept pods: {before:?} -> {after:?}"
    );

    // Stop: no pod runs; the status says exited. Start: running again.
    cluster.must_run("stop", &k.stop(&m).expect("stop lines"));
    wait_until(Duration::from_secs(60), "no pod of app or db", || {
        cluster.items("pods", ns, Some(&selector("app"))).is_empty()
            && cluster.items("pods", ns, Some(&selector("db"))).is_empty()
    });
    let status = cluster.must_run("status", &k.status(&m).expect("status lines"));
    assert_eq!(
        k.parse_status(&m, &status.stdout).expect("status").state,
        State::Exited
    );
    cluster.must_run("start", &k.start(&m).expect("start lines"));
    cluster.must_run(
        "rollout after start",
        &k.rollout_status(&m, 240).expect("rollout lines"),
    );
    let status = cluster.must_run("status", &k.status(&m).expect("status lines"));
    assert_eq!(
        k.parse_status(&m, &status.stdout).expect("status").state,
        State::Running
    );
    pages_on_running_pods(&cluster, &k, &m, ns);

    // Delete keeping the volumes, deploy again: the data is still there.
    let keep = DeleteOptions {
        volumes: false,
        namespace: false,
    };
    cluster.must_run(
        "delete (keep volumes)",
        &k.delete(&m, keep).expect("delete lines"),
    );
    wait_until(Duration::from_secs(90), "every pod gone", || {
        cluster.items("pods", ns, None).is_empty()
    });
    assert!(
        cluster.kubectl(&["get", "pvc", "db-data", "-n", ns]).ok,
        "the claim did not survive the delete"
    );
    deploy(&cluster, &k, &m, ns);
    assert_eq!(
        psql(&cluster, ns, "SELECT count(*) FROM runs WHERE who = 'kept'"),
        "1"
    );

    // Delete with the volumes: nothing of the resource is left.
    cluster.must_run(
        "delete",
        &k.delete(&m, DeleteOptions::default())
            .expect("delete lines"),
    );
    wait_until(Duration::from_secs(90), "nothing left", || {
        cluster
            .items(
                "pods,persistentvolumeclaims,jobs,deployments,statefulsets",
                ns,
                None,
            )
            .is_empty()
    });
    cluster.delete_namespace(ns);
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn an_app_that_never_becomes_healthy_fails_the_rollout_with_diagnostics() {
    let ns = "e2e-pods-failing";
    let cluster = Cluster::from_env();
    cluster.delete_namespace(ns);
    let k = cluster.builders();
    let m = translate("failing.yaml", ns, "failing");
    cluster.must_apply(&m);
    let mut lines = k.rollout_status(&m, 15).expect("rollout lines");
    lines.push("echo after-the-failure".to_string());
    let r = cluster.run_script(&lines);
    let output = format!("{}{}", r.stdout, r.stderr);
    cluster.delete_namespace(ns);
    assert!(
        !r.ok,
        "rollout status succeeded for an app that is never healthy:\n{output}"
    );
    assert!(
        !output.contains("after-the-failure"),
        "the batch went on:\n{output}"
    );
    assert!(
        output.contains("did not become ready"),
        "no message:\n{output}"
    );
    assert!(
        output.contains("Readiness probe failed") || output.contains("Unhealthy"),
        "no probe event in the diagnostics:\n{output}"
    );
    assert!(
        output.contains("fatal: /etc/web/config.toml not found"),
        "the app's log is not in the diagnostics:\n{output}"
    );
}

/// A certificate and key for `cn`, made with `openssl` on this machine, as Coolify's
/// `SslHelper` issues them (here self-signed: PostgreSQL needs no CA file).
fn certificate(cn: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("coolify-k8s-e2e-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tls dir");
    let (key, crt) = (dir.join("server.key"), dir.join("server.crt"));
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .arg("-subj")
        .arg(format!("/CN={cn}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |p: &std::path::Path| std::fs::read_to_string(p).expect("tls file");
    let pair = (read(&crt), read(&key));
    let _ = std::fs::remove_dir_all(&dir);
    pair
}

/// A standalone PostgreSQL with `enable_ssl`, from attributes as Coolify holds them (the
/// certificate and key are file storages, 644 and 600): it starts with `ssl=on`, reads its
/// key, which the init container gave to `postgres` with mode 600 as `StartPostgresql`'s
/// `chown` does, and a client's connection with `sslmode=require` is encrypted.
#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn a_database_with_enable_ssl_serves_tls_with_its_own_key() {
    let ns = "e2e-pods-tls";
    let cluster = Cluster::from_env();
    cluster.fresh_namespace(ns);
    let (crt, key) = certificate("tlsdb");
    let file = |name: &str, content: &str, chmod: &str| {
        serde_json::json!({"fs_path": format!("/data/coolify/databases/tlsdb/ssl/{name}"),
            "mount_path": format!("/var/lib/postgresql/certs/{name}"), "content": content,
            "is_directory": false, "chmod": chmod})
    };
    let attrs = serde_json::json!({
        "uuid": "tlsdb", "name": "tls", "image": "postgres:15",
        "postgres_user": "app", "postgres_password": "e2e-tls-password", "postgres_db": "app",
        "enable_ssl": true, "ssl_mode": "require",
        "health_check_enabled": true, "health_check_interval": 2, "health_check_timeout": 2,
        "health_check_retries": 30, "health_check_start_period": 2,
        "persistent_storages": [{"name": "tlsdb-data", "mount_path": "/var/lib/postgresql/data"}],
        "file_storages": [file("server.crt", &crt, "644"), file("server.key", &key, "600")],
    });
    let translator = Translator::new(Options {
        namespace: Some(ns.to_string()),
        ..Options::default()
    });
    let m = translator
        .database(
            coolify_k8s_core::coolify::database::DatabaseKind::Postgresql,
            &attrs,
            &BTreeMap::new(),
        )
        .expect("translate");
    // The node has no registry: its images are imported, so `Always` (every database start
    // pulls, as on Coolify) cannot be honoured here.
    let objects: Vec<serde_json::Value> = m
        .objects()
        .iter()
        .map(|o| {
            serde_json::from_str(&o.to_string().replace(
                "\"imagePullPolicy\":\"Always\"",
                "\"imagePullPolicy\":\"IfNotPresent\"",
            ))
            .expect("object")
        })
        .collect();
    let m = Manifests::new(objects, m.report().clone());
    let k = cluster.builders();
    cluster.must_apply(&m);
    cluster.provide_volumes(ns);
    cluster.must_run(
        "rollout status",
        &k.rollout_status(&m, 240).expect("rollout lines"),
    );
    let run = |script: &str| {
        let r = cluster.exec(ns, "statefulset/tlsdb", "tlsdb", script);
        assert!(r.ok, "{script}: {}{}", r.stdout, r.stderr);
        r.stdout.trim().to_string()
    };
    assert_eq!(
        run("stat -c '%U %a' /var/lib/postgresql/certs/server.key /var/lib/postgresql/certs/server.crt"),
        "postgres 600\npostgres 644"
    );
    let ssl = run("PGPASSWORD=e2e-tls-password psql 'host=127.0.0.1 sslmode=require user=app dbname=app' -Atc 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'");
    assert_eq!(ssl, "t");
    cluster.delete_namespace(ns);
}
