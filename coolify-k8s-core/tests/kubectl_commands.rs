//! The exact command lines of every builder for one small resource, reviewed by hand
//! against kubectl's documented flags (not captured from the code).

use base64::Engine;
use coolify_k8s_core::kubectl::{DeleteOptions, Kubectl, State, Target};
use coolify_k8s_core::{Manifests, Report};
use serde_json::{json, Value};

fn manifests() -> Manifests {
    let labels = |svc: &str| json!({"app.kubernetes.io/name": svc, "app.kubernetes.io/instance": "acme", "app.kubernetes.io/managed-by": "coolify"});
    let selector = |svc: &str| json!({"matchLabels": {"app.kubernetes.io/name": svc, "app.kubernetes.io/instance": "acme"}});
    Manifests::new(
        vec![
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "acme-prod", "labels": labels("acme")}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db-env", "namespace": "acme-prod", "labels": labels("db")},
                   "stringData": {"POSTGRES_PASSWORD": "s3cr3t-Value"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "acme-prod", "labels": labels("web")},
                   "spec": {"replicas": 2, "selector": selector("web")}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "acme-prod", "labels": labels("db")},
                   "spec": {"replicas": 1, "selector": selector("db")}}),
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "acme-prod", "labels": labels("migrate")},
                   "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "migrate"}}}}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "acme-prod", "labels": labels("web")}}),
        ],
        Report::default(),
    )
}

fn kubectl() -> Kubectl {
    Kubectl::new(Target {
        kubeconfig: Some("/data/coolify/kube/prod config".into()),
        context: Some("prod".into()),
        ..Target::default()
    })
    .unwrap()
}

const K: &str = "kubectl '--kubeconfig=/data/coolify/kube/prod config' --context=prod";
const NS: &str = "--namespace=acme-prod";

/// The JSON `List` of an uploaded file.
fn body(content: &str) -> Value {
    serde_json::from_str(content).unwrap()
}

const DIR: &str = "/data/coolify/kubernetes";

#[test]
fn apply_steps() {
    let steps = kubectl().apply(&manifests()).unwrap();
    // The directory first: exactly `mkdir -p DIR`, the form Coolify's rewriting chowns.
    assert_eq!(
        steps.prepare,
        vec![format!("mkdir -p {DIR}"), format!("chmod 700 {DIR}")]
    );
    // Two files: the Namespace alone, then everything else.
    assert_eq!(steps.files.len(), 2);
    assert_eq!(
        steps.files[0].path,
        format!("{DIR}/acme-prod.acme.namespaces.json")
    );
    assert_eq!(
        steps.files[1].path,
        format!("{DIR}/acme-prod.acme.objects.json")
    );
    let ns_body = body(&steps.files[0].content);
    assert_eq!(ns_body["kind"], "List");
    assert_eq!(ns_body["items"].as_array().unwrap().len(), 1);
    assert_eq!(ns_body["items"][0]["kind"], "Namespace");
    let objects = body(&steps.files[1].content);
    let items = objects["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["Secret", "Deployment", "StatefulSet", "Job", "Service"]
    );
    let set = items[0]["metadata"]["labels"]["coolify.io/object-set"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(set.len(), 16);
    assert!(items
        .iter()
        .all(|o| o["metadata"]["labels"]["coolify.io/object-set"] == set.as_str()));
    // The Secret value is in the file only, in no line, neither plain nor in base64.
    assert_eq!(items[0]["stringData"]["POSTGRES_PASSWORD"], "s3cr3t-Value");
    let b64 = base64::engine::general_purpose::STANDARD.encode("s3cr3t-Value");
    assert!(steps
        .lines()
        .all(|l| !l.contains("s3cr3t") && !l.contains(&b64[..12])));
    let lines = &steps.commands;
    assert_eq!(lines.len(), 6, "{lines:#?}");
    // 1-2: the files, applied server-side.
    assert_eq!(
        lines[0],
        format!("{K} apply --server-side --field-manager=coolify --force-conflicts -f {DIR}/acme-prod.acme.namespaces.json")
    );
    assert_eq!(
        lines[1],
        format!("{K} apply --server-side --field-manager=coolify --force-conflicts {NS} -f {DIR}/acme-prod.acme.objects.json")
    );
    // 3: prune what carries the labels of the resource but another object set.
    let sel = format!("'--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify,coolify.io/object-set!={set}'");
    assert_eq!(
        lines[2],
        format!("{K} delete configmap,cronjob.batch,daemonset.apps,deployment.apps,horizontalpodautoscaler.autoscaling,ingress.networking.k8s.io,job.batch,networkpolicy.networking.k8s.io,poddisruptionbudget.policy,secret,service,serviceaccount,statefulset.apps {NS} {sel} --ignore-not-found=true --wait=false")
    );
    // 4-6: custom kinds, only where the cluster serves them: a condition, so a script (the
    // selector's quotes are escaped for the script's own quotes).
    let qsel = sel.replace('\'', "'\\''");
    let qk = K.replace('\'', "'\\''");
    assert_eq!(
        lines[3],
        format!("bash -c 'if {qk} api-resources --api-group=traefik.io -o name 2>/dev/null | grep -qxF ingressroutes.traefik.io; then {qk} delete ingressroute.traefik.io {NS} {qsel} --ignore-not-found=true --wait=false; fi'")
    );
    assert!(lines[5].contains("grep -qxF httproutes.gateway.networking.k8s.io; then"));
    // The files go when done.
    assert_eq!(
        steps.cleanup,
        vec![format!(
            "rm -f {DIR}/acme-prod.acme.namespaces.json {DIR}/acme-prod.acme.objects.json"
        )]
    );
}

#[test]
fn apply_creates_a_missing_namespace_and_the_hash_follows_the_set() {
    let mut objects = manifests().objects().to_vec();
    objects.remove(0);
    let m = Manifests::new(objects.clone(), Report::default());
    let steps = kubectl().apply(&m).unwrap();
    assert_eq!(
        steps.commands[0],
        format!("{K} get namespace acme-prod >/dev/null 2>&1 || {K} create namespace acme-prod")
    );
    assert_eq!(steps.files.len(), 1);
    // Same set, same label; one object less, another label.
    let set_of = |s: &coolify_k8s_core::kubectl::ApplySteps| {
        body(&s.files[0].content)["items"][0]["metadata"]["labels"]["coolify.io/object-set"].clone()
    };
    assert_eq!(set_of(&steps), set_of(&kubectl().apply(&m).unwrap()));
    objects.pop();
    let fewer = kubectl()
        .apply(&Manifests::new(objects, Report::default()))
        .unwrap();
    assert_ne!(set_of(&steps), set_of(&fewer));
    // No namespace handling at all when told so.
    let k = Kubectl::new(Target {
        create_namespace: false,
        ..Target::default()
    })
    .unwrap();
    let steps = k.apply(&m).unwrap();
    assert!(
        steps.commands[0].starts_with("kubectl apply "),
        "{}",
        steps.commands[0]
    );
}

#[test]
fn apply_with_sudo_and_a_files_dir() {
    let k = Kubectl::new(Target {
        sudo: true,
        files_dir: "/srv/k8s files/".into(),
        namespace: Some("a/b".into()),
        ..Target::default()
    })
    .unwrap();
    let mut objects = manifests().objects().to_vec();
    objects.remove(0);
    for o in &mut objects {
        o["metadata"]["namespace"] = json!("a/b");
    }
    let steps = k
        .apply(&Manifests::new(objects, Report::default()))
        .unwrap();
    // Root makes the directory and hands it to the SSH user, who uploads into it.
    assert_eq!(
        steps.prepare,
        vec![
            "sudo mkdir -p '/srv/k8s files'".to_string(),
            "sudo chown \"$USER\" '/srv/k8s files'".to_string(),
            "chmod 700 '/srv/k8s files'".to_string(),
        ]
    );
    // A namespace is free text: it cannot leave the directory.
    assert_eq!(steps.files[0].path, "/srv/k8s files/a_b.acme.objects.json");
    assert!(steps.commands[1].starts_with("sudo kubectl apply "));
    assert_eq!(
        steps.cleanup,
        vec!["rm -f '/srv/k8s files/a_b.acme.objects.json'".to_string()]
    );
}

#[test]
fn rollout_status_lines() {
    let lines = kubectl().rollout_status(&manifests(), 300).unwrap();
    // One script per workload; inside it the kubeconfig's quotes are escaped.
    let qk = K.replace('\'', "'\\''");
    let pods = |sel: &str| format!("{qk} get pods {NS} --selector={sel} -o wide;");
    let events = format!("{qk} get events {NS} --sort-by=.lastTimestamp;");
    let logs = |sel: &str| {
        format!("{qk} logs {NS} --selector={sel} --all-containers=true --prefix=true --tail=100;")
    };
    let web = "app.kubernetes.io/instance=acme,app.kubernetes.io/name=web";
    assert_eq!(
        lines[0],
        format!("bash -c 'if ! {qk} rollout status deployment.apps/web {NS} --timeout=300s; then echo '\\''Deployment web did not become ready; its pods, the events of namespace acme-prod and the last 100 log lines follow.'\\'' >&2; {} {events} {} exit 1; fi'", pods(web), logs(web))
    );
    assert!(lines[1].starts_with(&format!(
        "bash -c 'if ! {qk} rollout status statefulset.apps/db {NS} --timeout=300s; then"
    )));
    let job = "app.kubernetes.io/name=migrate";
    assert_eq!(
        lines[2],
        format!("bash -c 'if ! {qk} wait job.batch/migrate {NS} --for=condition=complete --timeout=300s; then echo '\\''Job migrate did not become ready; its pods, the events of namespace acme-prod and the last 100 log lines follow.'\\'' >&2; {} {events} {} exit 1; fi'", pods(job), logs(job))
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn lifecycle_lines() {
    let k = kubectl();
    let m = manifests();
    let qk = K.replace('\'', "'\\''");
    assert_eq!(
        k.restart(&m).unwrap(),
        vec![format!(
            "{K} rollout restart deployment.apps/web statefulset.apps/db {NS}"
        )]
    );
    assert_eq!(
        k.stop(&m).unwrap(),
        vec![
            format!("bash -c 'replicas=$({qk} get deployment.apps/web {NS} -o \"jsonpath={{.spec.replicas}}\"); if [ \"$replicas\" != 0 ]; then {qk} annotate deployment.apps/web {NS} --overwrite \"coolify.io/replicas-before-stop=$replicas\"; fi'"),
            format!("{K} scale deployment.apps/web {NS} --replicas=0"),
            format!("bash -c 'replicas=$({qk} get statefulset.apps/db {NS} -o \"jsonpath={{.spec.replicas}}\"); if [ \"$replicas\" != 0 ]; then {qk} annotate statefulset.apps/db {NS} --overwrite \"coolify.io/replicas-before-stop=$replicas\"; fi'"),
            format!("{K} scale statefulset.apps/db {NS} --replicas=0"),
        ]
    );
    assert_eq!(
        k.start(&m).unwrap()[0],
        format!("bash -c 'replicas=$({qk} get deployment.apps/web {NS} -o \"jsonpath={{.metadata.annotations.coolify\\.io/replicas-before-stop}}\"); if [ -n \"$replicas\" ]; then {qk} scale deployment.apps/web {NS} \"--replicas=$replicas\"; {qk} annotate deployment.apps/web {NS} coolify.io/replicas-before-stop-; fi'")
    );
    let sel = "--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify";
    let delete = k.delete(&m, DeleteOptions::default()).unwrap();
    assert_eq!(
        delete[0],
        format!("{K} delete configmap,cronjob.batch,daemonset.apps,deployment.apps,horizontalpodautoscaler.autoscaling,ingress.networking.k8s.io,job.batch,networkpolicy.networking.k8s.io,persistentvolumeclaim,poddisruptionbudget.policy,secret,service,serviceaccount,statefulset.apps {NS} {sel} --ignore-not-found=true --wait=false")
    );
    assert_eq!(delete.len(), 4);
    let keep = k
        .delete(
            &m,
            DeleteOptions {
                volumes: false,
                namespace: true,
            },
        )
        .unwrap();
    assert!(!keep[0].contains("persistentvolumeclaim"));
    assert_eq!(
        keep[4],
        format!("{K} delete namespace acme-prod --ignore-not-found=true --wait=false")
    );
    // A namespace the resource does not own (no Namespace object: a shared namespace, or
    // production's for a preview) is never deleted with it.
    let guest = Manifests::new(
        m.objects()
            .iter()
            .filter(|o| o["kind"] != "Namespace")
            .cloned()
            .collect(),
        Default::default(),
    );
    let lines = k
        .delete(
            &guest,
            DeleteOptions {
                volumes: true,
                namespace: true,
            },
        )
        .unwrap();
    assert!(
        lines.iter().all(|l| !l.contains("delete namespace")),
        "{lines:?}"
    );
}

#[test]
fn status_logs_exec_lines() {
    let k = kubectl();
    let m = manifests();
    assert_eq!(
        k.status(&m).unwrap(),
        vec![format!("{K} get deployment.apps,statefulset.apps,daemonset.apps,job.batch {NS} --selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify -o 'jsonpath={{range .items[*]}}<{{.kind}}/{{.metadata.name}}={{.spec.replicas}},{{.status.readyReplicas}},{{.status.desiredNumberScheduled}},{{.status.numberReady}},{{.spec.completions}},{{.status.succeeded}},{{.status.failed}},{{.status.active}}>{{\"\\n\"}}{{end}}'")]
    );
    assert_eq!(
        k.logs(&m, "web", 50).unwrap(),
        vec![format!("{K} logs {NS} --selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web --all-containers=true --prefix=true --tail=50")]
    );
    assert_eq!(
        k.exec(
            &m,
            "db",
            Some("postgres"),
            &["psql".into(), "-c".into(), "select 1;".into()]
        )
        .unwrap(),
        vec![format!(
            "{K} exec statefulset.apps/db {NS} --container=postgres -- psql -c 'select 1;'"
        )]
    );
    let e = k.logs(&m, "nope", 10).unwrap_err();
    assert_eq!(
        e.first().to_string(),
        "service: no workload for service \"nope\" (known: web, db, migrate)"
    );
    let e = k.exec(&m, "web", None, &[]).unwrap_err();
    assert_eq!(e.first().to_string(), "command: is empty");
}

#[test]
fn status_output_parses_into_coolify_states() {
    let k = kubectl();
    let m = manifests();
    let all_up =
        "<Deployment/web=2,2,,,,,,>\n<StatefulSet/db=1,1,,,,,,>\n<Job/migrate=,,,,1,0,0,1>\n";
    let s = k.parse_status(&m, all_up).unwrap();
    assert_eq!(s.state, State::Running);
    // The migration finished: its container would be `exited` on Docker, so the resource
    // is degraded, as Coolify shows it (the migrate Job is not `exclude_from_hc`).
    let migrated =
        "<Deployment/web=2,2,,,,,,>\n<StatefulSet/db=1,1,,,,,,>\n<Job/migrate=,,,,1,1,,>\n";
    let s = k.parse_status(&m, migrated).unwrap();
    assert_eq!(s.state, State::Degraded);
    assert_eq!(
        s.workloads.iter().map(|w| w.state).collect::<Vec<_>>(),
        [State::Running, State::Running, State::Completed]
    );
    // As execute_remote_command saves it: chunks trimmed and glued.
    let glued = "<Deployment/web=2,1,,,,,,><StatefulSet/db=1,1,,,,,,>";
    let s = k.parse_status(&m, glued).unwrap();
    assert_eq!(s.state, State::Degraded);
    assert_eq!((s.workloads[0].ready, s.workloads[0].desired), (1, 2));
    // The Job is missing from the output: exited, but the others run: degraded.
    assert_eq!(s.workloads[2].state, State::Exited);
    // Trailing empty counts left out.
    let stopped = "<Deployment/web=0><StatefulSet/db=0><Job/migrate=,,,,1,,1>";
    assert_eq!(k.parse_status(&m, stopped).unwrap().state, State::Exited);
    assert_eq!(k.parse_status(&m, "").unwrap().state, State::Exited);
    let e = k.parse_status(&m, "\n<Deployment/web=two>\n").unwrap_err();
    assert_eq!(
        e.first().to_string(),
        "output[0]: not a status record (<Kind/name=n,…> with at most 8 counts expected)"
    );
}

/// `exclude_from_hc` (annotation `coolify.io/exclude-from-hc: "true"`): Coolify leaves the
/// service out of the resource's health (coolify-src `app/Actions/Docker/GetContainersStatus.php`),
/// so it has no rollout-status line and no status line, and its state never degrades the
/// resource.
#[test]
fn excluded_from_hc_is_not_waited_for_nor_counted() {
    let labels = json!({"app.kubernetes.io/name": "worker", "app.kubernetes.io/instance": "acme"});
    let mut objects = manifests().objects().to_vec();
    objects.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "worker", "namespace": "acme-prod", "labels": labels,
                     "annotations": {"coolify.io/exclude-from-hc": "true"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}}}));
    let m = Manifests::new(objects, Report::default());
    let k = kubectl();
    let lines = k.rollout_status(&m, 300).unwrap();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines.iter().all(|l| !l.contains("worker")), "{lines:#?}");
    let out = "<Deployment/web=2,2,,,,,,>\n<StatefulSet/db=1,1,,,,,,>\n<Job/migrate=,,,,1,0,0,1>\n<Deployment/worker=1,0,,,,,,>\n";
    let s = k.parse_status(&m, out).unwrap();
    assert_eq!(s.state, State::Running);
    assert!(s.workloads.iter().all(|w| w.name != "worker"));
}

/// The pages' fixture (`testdata/pages/compose.yaml`) translated: its handle names every
/// workload with its service and containers (the sidecar `network_mode: service:app` is a
/// container of app's pod), keeps the `restart: "no"` migration out of the status, and the
/// pages' builders choose among them as Coolify's pages do.
#[test]
fn pages_on_a_translated_project() {
    use coolify_k8s_core::kubectl::{ExecOptions, Handle, LogOptions};
    use coolify_k8s_core::{Options, Translator};
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/testdata/pages/compose.yaml"
    ))
    .unwrap();
    let env = [(
        "SERVICE_PASSWORD_POSTGRES".to_string(),
        "pw-Stored-77".to_string(),
    )]
    .into_iter()
    .collect();
    let options = Options {
        name: Some("u7x9k2".into()),
        ..Options::default()
    };
    let m = Translator::new(options).compose(&text, &env).unwrap();
    let h = m.handle().unwrap();
    let text = h.to_json();
    assert!(!text.contains("pw-Stored-77"), "{text}");
    let summary: Vec<(String, Option<String>, Vec<String>, bool)> = h
        .workloads
        .iter()
        .map(|w| {
            (
                w.kind.clone(),
                w.service.clone(),
                w.containers.clone(),
                w.excluded,
            )
        })
        .collect();
    assert!(
        summary.contains(&(
            "Deployment".into(),
            Some("app".into()),
            vec!["app".into(), "proxy".into()],
            false
        )),
        "{summary:?}"
    );
    assert!(
        summary
            .iter()
            .any(|(k, s, _, excluded)| k == "Job" && s.as_deref() == Some("migrate") && *excluded),
        "{summary:?}"
    );
    assert!(
        h.claims.iter().any(|c| c.contains("pg-data")),
        "{:?}",
        h.claims
    );
    let k = Kubectl::new(Target::default()).unwrap();
    let back = Handle::from_json(&text).unwrap();
    // The sidecar is a container of app's pod: chosen by name for logs and the terminal.
    let logs = LogOptions {
        container: Some("proxy".into()),
        ..LogOptions::default()
    };
    assert_eq!(
        k.logs_with(&back, "app", &logs).unwrap(),
        k.logs_with(&m, "app", &logs).unwrap()
    );
    assert!(k.logs_with(&back, "app", &logs).unwrap()[0].contains(" --container=proxy "));
    let e = k.terminal(&back, "app", Some("nope"), None).unwrap_err();
    assert_eq!(
        e.first().to_string(),
        "container: no container \"nope\" in service \"app\" (known: app, proxy)"
    );
    // Two long-running services: a scheduled task must name one, as in Coolify.
    assert!(k.scheduled_task(&back, None, "date").is_err());
    let line = k
        .scheduled_task(&back, Some("postgres"), "vacuumdb --all")
        .unwrap();
    assert!(line[0].contains(" -- sh -c 'vacuumdb --all'"), "{line:?}");
    let backup = ExecOptions {
        stdout_file: Some("/data/coolify/backups/u7x9k2/pg.dmp".into()),
        ..ExecOptions::default()
    };
    let line = k
        .exec_with(&back, "postgres", &["pg_dumpall".into()], &backup)
        .unwrap();
    assert!(
        line[0].ends_with(" -- pg_dumpall > /data/coolify/backups/u7x9k2/pg.dmp"),
        "{line:?}"
    );
}
