//! e2e: `rollout status` is meaningful without a kubelet. A test helper marks the scheduled
//! pods Ready through the status subresource, and the rollout-status lines succeed; when it
//! marks them failing (crash-looping, never ready), the lines fail with the diagnostics. Two
//! replicas each, so a StatefulSet's ordered start (pod 1 only after pod 0 is ready) is covered.
//!
//! Needs the local API server: `scripts/test.sh e2e` (see `e2e_support`).

mod e2e_support;

use coolify_k8s_core::kubectl::{Kubectl, Target};
use coolify_k8s_core::{Manifests, Report};
use e2e_support::{Cluster, PodMarker, PodOutcome};
use serde_json::{json, Value};

/// Labels of one workload of the resource `rollout`, as the translator writes them.
fn labels(service: &str) -> Value {
    json!({"app.kubernetes.io/name": service, "app.kubernetes.io/instance": "rollout",
           "app.kubernetes.io/managed-by": "coolify"})
}

/// A Deployment and a StatefulSet, written by hand so this test checks the rollout lines and
/// the pod helper whatever the translator emits (the lifecycle test covers translated output).
fn manifests(ns: &str) -> Manifests {
    let template = |service: &str, image: &str| {
        json!({
            "metadata": {"labels": labels(service)},
            "spec": {"containers": [{"name": service, "image": image,
                                      "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}
        })
    };
    let selector = |service: &str| {
        json!({"matchLabels": {"app.kubernetes.io/name": service,
                               "app.kubernetes.io/instance": "rollout"}})
    };
    let objects = vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": ns, "labels": labels("web")},
               "spec": {"replicas": 2, "selector": selector("web"),
                        "template": template("web", "nginx:1.27-alpine")}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
               "metadata": {"name": "db", "namespace": ns, "labels": labels("db")},
               "spec": {"replicas": 2, "serviceName": "db", "selector": selector("db"),
                        "template": template("db", "postgres:16-alpine")}}),
    ];
    Manifests::new(objects, Report::default())
}

/// Deploy into a fresh `ns`, let the marker report `outcome` for the pods, and run the
/// rollout-status lines with a timeout; returns whether they succeeded and their stderr.
fn rollout(ns: &str, outcome: PodOutcome, timeout_seconds: u32) -> (bool, String) {
    let cluster = Cluster::from_env();
    cluster.delete_namespace(ns);
    let k = Kubectl::new(Target {
        kubeconfig: Some(cluster.kubeconfig.clone()),
        files_dir: e2e_support::files_dir(),
        ..Target::default()
    })
    .expect("valid target");
    let m = manifests(ns);
    let applied = cluster.run_apply(&k.apply(&m).expect("apply lines"));
    assert!(applied.ok, "apply failed: {}", applied.stderr);
    let marker = PodMarker::start(&cluster, ns, outcome);
    let status = cluster.run_script(
        &k.rollout_status(&m, timeout_seconds)
            .expect("rollout lines"),
    );
    drop(marker);
    cluster.delete_namespace(ns);
    (status.ok, format!("{}{}", status.stdout, status.stderr))
}

#[test]
#[ignore = "needs the local API server: scripts/test.sh e2e"]
fn rollout_status_succeeds_when_pods_become_ready() {
    let (ok, output) = rollout("e2e-rollout-ready", PodOutcome::Ready, 90);
    assert!(
        ok,
        "rollout status failed although every pod is ready:\n{output}"
    );
}

#[test]
#[ignore = "needs the local API server: scripts/test.sh e2e"]
fn rollout_status_fails_when_pods_never_become_ready() {
    let (ok, output) = rollout("e2e-rollout-failing", PodOutcome::Failing, 8);
    assert!(
        !ok,
        "rollout status succeeded although no pod is ready:\n{output}"
    );
    assert!(
        output.contains("did not become ready"),
        "no diagnostics in the failure output:\n{output}"
    );
}
