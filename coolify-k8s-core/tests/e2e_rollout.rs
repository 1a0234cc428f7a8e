//! e2e: `rollout status` against running pods. Pods that become ready make the
//! rollout-status lines succeed; pods whose container keeps exiting make them fail with the
//! diagnostics (the pods, the events, the logs). Two replicas each, so a StatefulSet's
//! ordered start (pod 1 only after pod 0 is ready) is covered.
//!
//! Needs the local cluster: `scripts/test.sh e2e` (see `e2e_support`).

mod e2e_support;

use coolify_k8s_core::{Manifests, Report};
use e2e_support::Cluster;
use serde_json::{json, Value};

/// Labels of one workload of the resource `rollout`, as the translator writes them.
fn labels(service: &str) -> Value {
    json!({"app.kubernetes.io/name": service, "app.kubernetes.io/instance": "rollout",
           "app.kubernetes.io/managed-by": "coolify"})
}

/// A Deployment and a StatefulSet, written by hand so this test checks the rollout lines
/// whatever the translator emits (the other e2e tests cover translated output). `script`
/// is each container's shell command; the readiness probe asks for the file it writes.
fn manifests(ns: &str, script: &str) -> Manifests {
    let template = |service: &str| {
        json!({
            "metadata": {"labels": labels(service)},
            "spec": {"terminationGracePeriodSeconds": 1,
                     "containers": [{"name": service, "image": "busybox:1.37",
                                     "command": ["sh", "-c", script],
                                     "readinessProbe": {"exec": {"command": ["test", "-f", "/tmp/ready"]},
                                                        "periodSeconds": 1}}]}
        })
    };
    let selector = |service: &str| {
        json!({"matchLabels": {"app.kubernetes.io/name": service,
                               "app.kubernetes.io/instance": "rollout"}})
    };
    let objects = vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": ns, "labels": labels("web")},
               "spec": {"replicas": 2, "selector": selector("web"), "template": template("web")}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
               "metadata": {"name": "db", "namespace": ns, "labels": labels("db")},
               "spec": {"replicas": 2, "serviceName": "db", "selector": selector("db"),
                        "template": template("db")}}),
    ];
    Manifests::new(objects, Report::default())
}

/// Deploy into a fresh `ns` with containers running `script`, and run the rollout-status
/// lines with a timeout; returns whether they succeeded and their output.
fn rollout(ns: &str, script: &str, timeout_seconds: u32) -> (bool, String) {
    let cluster = Cluster::from_env();
    cluster.delete_namespace(ns);
    let k = cluster.builders();
    let m = manifests(ns, script);
    cluster.must_apply(&m);
    let status = cluster.run_script(
        &k.rollout_status(&m, timeout_seconds)
            .expect("rollout lines"),
    );
    cluster.delete_namespace(ns);
    (status.ok, format!("{}{}", status.stdout, status.stderr))
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn rollout_status_succeeds_when_pods_become_ready() {
    let (ok, output) = rollout(
        "e2e-rollout-ready",
        "touch /tmp/ready; exec sleep 2147483647",
        90,
    );
    assert!(
        ok,
        "rollout status failed although every pod is ready:\n{output}"
    );
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn rollout_status_fails_when_pods_never_become_ready() {
    let (ok, output) = rollout(
        "e2e-rollout-failing",
        "echo cannot-start-missing-config >&2; exit 3",
        12,
    );
    assert!(
        !ok,
        "rollout status succeeded although no pod is ready:\n{output}"
    );
    assert!(
        output.contains("did not become ready"),
        "no diagnostics in the failure output:\n{output}"
    );
    // The diagnostics hold the pods' state and the app's own last words.
    assert!(
        output.contains("CrashLoopBackOff") || output.contains("Error"),
        "no pod state in the failure output:\n{output}"
    );
    assert!(
        output.contains("cannot-start-missing-config"),
        "no container log in the failure output:\n{output}"
    );
}
