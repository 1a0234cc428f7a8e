//! e2e: the `kubectl` command builders run for real against the local API server, as
//! Coolify runs them (`bash -se`): deploy a multi-service resource, deploy it again unchanged
//! (nothing changes) and with a new deployment id (every Deployment rolls), deploy it without one service (that service is pruned), restart, stop,
//! start, delete (nothing of the resource is left). With the controller-manager, the scheduler
//! and the node, Deployments get ReplicaSets and their pods are scheduled.
//!
//! Needs the local API server: `scripts/test.sh e2e` (see `e2e_support`).

mod e2e_support;

use coolify_k8s_core::kubectl::{ApplySteps, DeleteOptions, Kubectl, Target, REPLICAS_ANNOTATION};
use coolify_k8s_core::options::Router;
use coolify_k8s_core::{Manifests, Options, Translator};
use e2e_support::{project_root, wait_until, Cluster, Run, NODE};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const NAMESPACE: &str = "e2e-lifecycle";
/// Everything a resource may own, for "what is left" checks (the test adds the Traefik kinds).
const KINDS: &str = "deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs,pods,services,\
                     configmaps,secrets,persistentvolumeclaims,ingresses,serviceaccounts,\
                     networkpolicies,horizontalpodautoscalers,poddisruptionbudgets";

/// The example the README runs: app, worker and redis.
fn example() -> String {
    let path = project_root().join("examples/compose/notes-app.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The example without its `worker` service (parsed and re-written, so the rest is unchanged).
fn example_without_worker() -> String {
    let mut doc: Value = serde_saphyr::from_str(&example()).expect("example parses");
    let services = doc
        .get_mut("services")
        .and_then(Value::as_object_mut)
        .expect("services");
    assert!(
        services.remove("worker").is_some(),
        "the example has a worker"
    );
    for svc in services.values_mut() {
        if let Some(deps) = svc.get_mut("depends_on").and_then(Value::as_object_mut) {
            deps.remove("worker");
        }
    }
    serde_json::to_string(&doc).expect("JSON is YAML")
}

fn translate_options(router: Router) -> Options {
    Options {
        namespace: Some(NAMESPACE.to_string()),
        name: Some("notes".to_string()),
        router,
        seed: Some("e2e".to_string()),
        ..Options::default()
    }
}

fn translate(yaml: &str, router: Router) -> Manifests {
    Translator::new(translate_options(router))
        .compose(yaml, &BTreeMap::new())
        .unwrap_or_else(|e| panic!("translation failed: {e}"))
}

fn kubectl(cluster: &Cluster) -> Kubectl {
    Kubectl::new(Target {
        kubeconfig: Some(cluster.kubeconfig.clone()),
        files_dir: e2e_support::files_dir(),
        ..Target::default()
    })
    .expect("valid target")
}

fn must_run(cluster: &Cluster, what: &str, lines: &[String]) -> Run {
    let r = cluster.run_script(lines);
    assert!(
        r.ok,
        "{what} failed:\n{}\n--- stderr:\n{}",
        lines.join("\n"),
        r.stderr
    );
    r
}

fn must_apply(cluster: &Cluster, what: &str, steps: &ApplySteps) -> Run {
    let r = cluster.run_apply(steps);
    assert!(
        r.ok,
        "{what} failed:\n{}\n--- stderr:\n{}",
        steps.commands.join("\n"),
        r.stderr
    );
    r
}

/// `kind/name` -> the object as stored, for every object of the resource (by instance
/// label), without what changes when nothing was applied: `status`, `resourceVersion` and
/// managed-field timestamps (Kubernetes 1.20 rewrites a freshly created PVC on its first
/// re-apply with identical content, bumping only its resourceVersion). Pods and ReplicaSets
/// are left out: controllers own them.
fn stored_objects(cluster: &Cluster, kinds: &str) -> BTreeMap<String, Value> {
    cluster
        .items(kinds, NAMESPACE, Some("app.kubernetes.io/instance"))
        .into_iter()
        .filter(|o| !matches!(o["kind"].as_str(), Some("Pod" | "ReplicaSet")))
        .map(|mut o| {
            let key = format!(
                "{}/{}",
                o["kind"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or("")
            );
            if let Some(obj) = o.as_object_mut() {
                obj.remove("status");
            }
            if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("resourceVersion");
                if let Some(Value::Array(fields)) = meta.get_mut("managedFields") {
                    for f in fields.iter_mut().filter_map(Value::as_object_mut) {
                        f.remove("time");
                    }
                }
            }
            (key, o)
        })
        .collect()
}

fn names(cluster: &Cluster, kind: &str) -> BTreeSet<String> {
    cluster
        .items(kind, NAMESPACE, None)
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string))
        .collect()
}

/// `(kind, name)` of every Deployment and StatefulSet in the namespace.
fn scalable_workloads(cluster: &Cluster) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = Vec::new();
    for kind in ["deployment", "statefulset"] {
        v.extend(names(cluster, kind).into_iter().map(|n| (kind, n)));
    }
    v
}

#[test]
#[ignore = "needs the local API server: scripts/test.sh e2e"]
fn deploy_redeploy_prune_restart_stop_start_delete() {
    let cluster = Cluster::from_env();
    // Traefik routes: their CRDs are the project's own (`schemas/crds`).
    cluster.install_traefik_crds();
    let router = Router::Traefik;
    let kinds = format!("{KINDS},ingressroutes.traefik.io,middlewares.traefik.io");
    cluster.delete_namespace(NAMESPACE);
    let k = kubectl(&cluster);
    let full = translate(&example(), router);

    // 1. Deploy: creates the namespace and every object.
    must_apply(&cluster, "apply", &k.apply(&full).expect("apply lines"));
    let deployments = names(&cluster, "deployments");
    let workloads: BTreeSet<String> = names(&cluster, "deployments")
        .union(&names(&cluster, "statefulsets"))
        .cloned()
        .collect();
    for service in ["app", "worker", "redis"] {
        assert!(
            workloads.contains(service),
            "no workload for {service}: {workloads:?}"
        );
    }
    // Deployments get ReplicaSets, and their pods land on the node (their images, not built
    // locally, cannot be pulled: the objects are what this test checks).
    wait_until(
        Duration::from_secs(60),
        "a ReplicaSet per Deployment",
        || {
            let owners: BTreeSet<String> = cluster
                .items("replicasets", NAMESPACE, None)
                .iter()
                .filter_map(|rs| {
                    rs["metadata"]["ownerReferences"][0]["name"]
                        .as_str()
                        .map(str::to_string)
                })
                .collect();
            deployments.is_subset(&owners)
        },
    );
    wait_until(
        Duration::from_secs(60),
        "pods scheduled on the node",
        || {
            cluster.provide_volumes(NAMESPACE);
            let pods = cluster.items("pods", NAMESPACE, None);
            pods.len() >= workloads.len()
                && pods
                    .iter()
                    .all(|p| p["spec"]["nodeName"].as_str() == Some(NODE))
        },
    );

    // 2. Deploy again, unchanged: no object changes.
    let before = stored_objects(&cluster, &kinds);
    assert!(!before.is_empty());
    must_apply(
        &cluster,
        "apply (unchanged)",
        &k.apply(&full).expect("apply lines"),
    );
    let after = stored_objects(&cluster, &kinds);
    for (key, object) in &before {
        assert_eq!(
            Some(object),
            after.get(key),
            "an unchanged redeploy changed {key}"
        );
    }
    assert_eq!(
        before.len(),
        after.len(),
        "an unchanged redeploy added objects"
    );

    // 2b. Deploy again with a deployment id, as Coolify recreates every container on each
    // deployment: every workload's pod template carries it, so each Deployment rolls (a
    // second ReplicaSet) although nothing else changed.
    let mut options = translate_options(router);
    options.deployment_id = Some("e2e-deployment-2".into());
    let redeployed = Translator::new(options)
        .compose(&example(), &BTreeMap::new())
        .unwrap_or_else(|e| panic!("translation failed: {e}"));
    must_apply(
        &cluster,
        "apply (new deployment id)",
        &k.apply(&redeployed).expect("apply lines"),
    );
    for (kind, name) in scalable_workloads(&cluster) {
        let obj = cluster.get_json(&[kind, &name, "-n", NAMESPACE]);
        assert_eq!(
            obj["spec"]["template"]["metadata"]["annotations"]["coolify.io/deploymentId"],
            "e2e-deployment-2",
            "{kind} {name}"
        );
    }
    wait_until(
        Duration::from_secs(60),
        "a new ReplicaSet per Deployment",
        || {
            let sets = cluster.items("replicasets", NAMESPACE, None);
            deployments.iter().all(|d| {
                sets.iter()
                    .filter(|rs| rs["metadata"]["ownerReferences"][0]["name"] == d.as_str())
                    .count()
                    >= 2
            })
        },
    );

    // 3. Deploy without `worker`: its workload is pruned, the others stay.
    let reduced = translate(&example_without_worker(), router);
    must_apply(
        &cluster,
        "apply (worker removed)",
        &k.apply(&reduced).expect("apply lines"),
    );
    let workloads_now: BTreeSet<String> = names(&cluster, "deployments")
        .union(&names(&cluster, "statefulsets"))
        .cloned()
        .collect();
    assert!(
        !workloads_now.contains("worker"),
        "worker was not pruned: {workloads_now:?}"
    );
    assert!(workloads_now.contains("app") && workloads_now.contains("redis"));
    let left: Vec<String> = stored_objects(&cluster, &kinds)
        .into_keys()
        .filter(|k| k.ends_with("/worker"))
        .collect();
    assert!(
        left.is_empty(),
        "objects of worker left after prune: {left:?}"
    );

    // 4. Restart: each workload's pod template gets kubectl's restartedAt annotation.
    must_run(
        &cluster,
        "restart",
        &k.restart(&reduced).expect("restart lines"),
    );
    for (kind, name) in scalable_workloads(&cluster) {
        let obj = cluster.get_json(&[kind, &name, "-n", NAMESPACE]);
        let annotations = &obj["spec"]["template"]["metadata"]["annotations"];
        assert!(
            annotations["kubectl.kubernetes.io/restartedAt"].is_string(),
            "{kind} {name} was not restarted"
        );
    }

    // 5. Stop: every Deployment and StatefulSet at zero replicas, the count remembered.
    let running: BTreeMap<(&str, String), i64> = scalable_workloads(&cluster)
        .into_iter()
        .map(|(kind, name)| {
            let obj = cluster.get_json(&[kind, &name, "-n", NAMESPACE]);
            let replicas = obj["spec"]["replicas"].as_i64().unwrap_or(-1);
            assert!(
                replicas > 0,
                "{kind} {name} has {replicas} replicas before stop"
            );
            ((kind, name), replicas)
        })
        .collect();
    must_run(&cluster, "stop", &k.stop(&reduced).expect("stop lines"));
    for ((kind, name), replicas) in &running {
        let obj = cluster.get_json(&[kind, name, "-n", NAMESPACE]);
        assert_eq!(
            obj["spec"]["replicas"].as_i64(),
            Some(0),
            "{kind} {name} not stopped"
        );
        let remembered = obj["metadata"]["annotations"][REPLICAS_ANNOTATION].as_str();
        assert_eq!(
            remembered,
            Some(replicas.to_string().as_str()),
            "{kind} {name}"
        );
    }

    // 6. Start: back to the remembered count, the annotation gone.
    must_run(&cluster, "start", &k.start(&reduced).expect("start lines"));
    for ((kind, name), replicas) in &running {
        let obj = cluster.get_json(&[kind, name, "-n", NAMESPACE]);
        assert_eq!(
            obj["spec"]["replicas"].as_i64(),
            Some(*replicas),
            "{kind} {name} not started"
        );
        assert!(obj["metadata"]["annotations"][REPLICAS_ANNOTATION].is_null());
    }

    // 7. Delete (with volumes): nothing of the resource is left. PVCs keep their protection
    // finalizer while a pod uses them: force-delete the pods rather than wait for their
    // grace period.
    must_run(
        &cluster,
        "delete",
        &k.delete(&reduced, DeleteOptions::default())
            .expect("delete lines"),
    );
    wait_until(
        Duration::from_secs(90),
        "nothing of the resource left",
        || {
            cluster.force_delete_pods(NAMESPACE);
            let left = cluster.items(&kinds, NAMESPACE, Some("app.kubernetes.io/instance"));
            let left_unlabelled_workloads =
                cluster.items("replicasets,pods,persistentvolumeclaims", NAMESPACE, None);
            left.is_empty() && left_unlabelled_workloads.is_empty()
        },
    );
    // The namespace itself stays (it may hold other resources).
    assert!(cluster.kubectl(&["get", "namespace", NAMESPACE]).ok);
    cluster.delete_namespace(NAMESPACE);
}
