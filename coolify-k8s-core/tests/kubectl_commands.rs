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

fn decode_body(line: &str) -> Value {
    let start = line.find("echo '").unwrap() + 6;
    let end = line[start..].find('\'').unwrap() + start;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&line[start..end])
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn apply_lines() {
    let lines = kubectl().apply(&manifests()).unwrap();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    // 1: the Namespace object alone, applied server-side.
    assert!(lines[0].starts_with("echo '"));
    assert!(lines[0].ends_with(&format!(
        "' | base64 -d | {K} apply --server-side --field-manager=coolify --force-conflicts -f -"
    )));
    let ns_body = decode_body(&lines[0]);
    assert_eq!(ns_body["kind"], "List");
    assert_eq!(ns_body["items"].as_array().unwrap().len(), 1);
    assert_eq!(ns_body["items"][0]["kind"], "Namespace");
    // 2: everything else, in order, each stamped with the object-set label.
    assert!(lines[1].ends_with(&format!(
        "' | base64 -d | {K} apply --server-side --field-manager=coolify --force-conflicts {NS} -f -"
    )));
    let body = decode_body(&lines[1]);
    let items = body["items"].as_array().unwrap();
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
    // The Secret value travels inside the body only.
    assert_eq!(items[0]["stringData"]["POSTGRES_PASSWORD"], "s3cr3t-Value");
    assert!(lines.iter().all(|l| !l.contains("s3cr3t")));
    // 3: prune what carries the labels of the resource but another object set.
    let sel = format!("'--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify,coolify.io/object-set!={set}'");
    assert_eq!(
        lines[2],
        format!("{K} delete configmap,cronjob.batch,daemonset.apps,deployment.apps,horizontalpodautoscaler.autoscaling,ingress.networking.k8s.io,job.batch,networkpolicy.networking.k8s.io,poddisruptionbudget.policy,secret,service,serviceaccount,statefulset.apps {NS} {sel} --ignore-not-found=true --wait=false")
    );
    // 4-6: custom kinds, only where the cluster serves them.
    assert_eq!(
        lines[3],
        format!("if {K} api-resources --api-group=traefik.io -o name 2>/dev/null | grep -qx ingressroutes.traefik.io; then {K} delete ingressroute.traefik.io {NS} {sel} --ignore-not-found=true --wait=false; fi")
    );
    assert!(lines[5].contains("grep -qx httproutes.gateway.networking.k8s.io; then"));
}

#[test]
fn apply_creates_a_missing_namespace_and_the_hash_follows_the_set() {
    let mut objects = manifests().objects().to_vec();
    objects.remove(0);
    let m = Manifests::new(objects.clone(), Report::default());
    let lines = kubectl().apply(&m).unwrap();
    assert_eq!(
        lines[0],
        format!("{K} get namespace acme-prod >/dev/null 2>&1 || {K} create namespace acme-prod")
    );
    // Same set, same label; one object less, another label.
    let set_of = |lines: &[String]| {
        decode_body(&lines[1])["items"][0]["metadata"]["labels"]["coolify.io/object-set"].clone()
    };
    assert_eq!(set_of(&lines), set_of(&kubectl().apply(&m).unwrap()));
    objects.pop();
    let fewer = kubectl()
        .apply(&Manifests::new(objects, Report::default()))
        .unwrap();
    assert_ne!(set_of(&lines), set_of(&fewer));
    // No namespace handling at all when told so.
    let k = Kubectl::new(Target {
        create_namespace: false,
        ..Target::default()
    })
    .unwrap();
    let lines = k.apply(&m).unwrap();
    assert!(lines[0].starts_with("echo '"), "{}", lines[0]);
}

#[test]
fn rollout_status_lines() {
    let lines = kubectl().rollout_status(&manifests(), 300).unwrap();
    let pods = |sel: &str| format!("{K} get pods {NS} --selector={sel} -o wide || true;");
    let events = format!("{K} get events {NS} --sort-by=.lastTimestamp || true;");
    let logs = |sel: &str| {
        format!("{K} logs {NS} --selector={sel} --all-containers=true --prefix=true --tail=100 || true;")
    };
    let web = "app.kubernetes.io/instance=acme,app.kubernetes.io/name=web";
    assert_eq!(
        lines[0],
        format!("{K} rollout status deployment.apps/web {NS} --timeout=300s || {{ echo 'Deployment web did not become ready; its pods, the events of namespace acme-prod and the last 100 log lines follow.' >&2; {} {events} {} exit 1; }}", pods(web), logs(web))
    );
    assert!(lines[1].starts_with(&format!(
        "{K} rollout status statefulset.apps/db {NS} --timeout=300s || {{"
    )));
    let job = "app.kubernetes.io/name=migrate";
    assert_eq!(
        lines[2],
        format!("{K} wait job.batch/migrate {NS} --for=condition=complete --timeout=300s || {{ echo 'Job migrate did not become ready; its pods, the events of namespace acme-prod and the last 100 log lines follow.' >&2; {} {events} {} exit 1; }}", pods(job), logs(job))
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn lifecycle_lines() {
    let k = kubectl();
    let m = manifests();
    assert_eq!(
        k.restart(&m).unwrap(),
        vec![format!(
            "{K} rollout restart deployment.apps/web statefulset.apps/db {NS}"
        )]
    );
    assert_eq!(
        k.stop(&m).unwrap(),
        vec![
            format!("replicas=$({K} get deployment.apps/web {NS} -o 'jsonpath={{.spec.replicas}}'); if [ \"$replicas\" != 0 ]; then {K} annotate deployment.apps/web {NS} --overwrite \"coolify.io/replicas-before-stop=$replicas\"; fi"),
            format!("{K} scale deployment.apps/web {NS} --replicas=0"),
            format!("replicas=$({K} get statefulset.apps/db {NS} -o 'jsonpath={{.spec.replicas}}'); if [ \"$replicas\" != 0 ]; then {K} annotate statefulset.apps/db {NS} --overwrite \"coolify.io/replicas-before-stop=$replicas\"; fi"),
            format!("{K} scale statefulset.apps/db {NS} --replicas=0"),
        ]
    );
    assert_eq!(
        k.start(&m).unwrap()[0],
        format!("replicas=$({K} get deployment.apps/web {NS} -o 'jsonpath={{.metadata.annotations.coolify\\.io/replicas-before-stop}}'); if [ -n \"$replicas\" ]; then {K} scale deployment.apps/web {NS} \"--replicas=$replicas\"; {K} annotate deployment.apps/web {NS} coolify.io/replicas-before-stop-; fi")
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
}

#[test]
fn status_logs_exec_lines() {
    let k = kubectl();
    let m = manifests();
    assert_eq!(
        k.status(&m).unwrap(),
        vec![format!("{K} get deployment.apps,statefulset.apps,daemonset.apps,job.batch {NS} --selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify -o 'jsonpath={{range .items[*]}}{{.kind}}{{\"\\t\"}}{{.metadata.name}}{{\"\\t\"}}{{.spec.replicas}}{{\"\\t\"}}{{.status.readyReplicas}}{{\"\\t\"}}{{.status.desiredNumberScheduled}}{{\"\\t\"}}{{.status.numberReady}}{{\"\\t\"}}{{.spec.completions}}{{\"\\t\"}}{{.status.succeeded}}{{\"\\t\"}}{{.status.failed}}{{\"\\t\"}}{{.status.active}}{{\"\\n\"}}{{end}}'")]
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
    let all_up = "Deployment\tweb\t2\t2\t\t\t\t\t\t\nStatefulSet\tdb\t1\t1\t\t\t\t\t\t\nJob\tmigrate\t\t\t\t\t1\t1\t\t\n";
    let s = k.parse_status(&m, all_up).unwrap();
    assert_eq!(s.state, State::Running);
    assert_eq!(
        s.workloads.iter().map(|w| w.state).collect::<Vec<_>>(),
        [State::Running, State::Running, State::Completed]
    );
    let half = "Deployment\tweb\t2\t1\t\t\t\t\t\t\nStatefulSet\tdb\t1\t1\t\t\t\t\t\t\n";
    let s = k.parse_status(&m, half).unwrap();
    assert_eq!(s.state, State::Degraded);
    assert_eq!((s.workloads[0].ready, s.workloads[0].desired), (1, 2));
    // The Job is missing from the output: exited, but the others run: degraded.
    assert_eq!(s.workloads[2].state, State::Exited);
    let stopped = "Deployment\tweb\t0\t\t\t\t\t\t\t\nStatefulSet\tdb\t0\t\t\t\t\t\t\t\nJob\tmigrate\t\t\t\t\t1\t\t1\t\n";
    assert_eq!(k.parse_status(&m, stopped).unwrap().state, State::Exited);
    assert_eq!(k.parse_status(&m, "").unwrap().state, State::Exited);
    let e = k.parse_status(&m, "\nDeployment\tweb\ttwo\n").unwrap_err();
    assert_eq!(
        e.first().to_string(),
        "output[1]: not a status line (10 tab-separated columns expected)"
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
    let out = "Deployment\tweb\t2\t2\t\t\t\t\t\t\nStatefulSet\tdb\t1\t1\t\t\t\t\t\t\nJob\tmigrate\t\t\t\t\t1\t1\t\t\nDeployment\tworker\t1\t0\t\t\t\t\t\t\n";
    let s = k.parse_status(&m, out).unwrap();
    assert_eq!(s.state, State::Running);
    assert!(s.workloads.iter().all(|w| w.name != "worker"));
}
