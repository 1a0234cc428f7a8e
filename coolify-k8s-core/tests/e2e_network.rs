//! e2e: what a Docker network and Docker volumes give a Compose project, checked from
//! inside running pods of `testdata/e2e/neighbours.yaml` and `writer.yaml` (deployed with
//! the project's `apply` and `rollout-status` lines):
//! - every port a neighbour listens on is reachable by its service name, declared or not
//!   (the service's headless Service resolves to the pod IPs);
//! - its `hostname:` and network alias resolve to it too;
//! - a non-root `user:` can write into its named volume (`fsGroup`), and reads a config
//!   given to it with `uid`/`gid`/`mode` as Docker Compose copies it in; with `init: true`
//!   its command is not PID 1 (the pod's pause container is, and reaps orphans);
//! - a changed Secret value rolls the pods that use it on re-apply (the configuration
//!   checksum annotation on the pod template), and they see the new value.
//!
//! Needs the local cluster: `scripts/test.sh e2e` (see `e2e_support`).

mod e2e_support;

use coolify_k8s_core::kubectl::{DeleteOptions, Kubectl};
use coolify_k8s_core::{Manifests, Options, Translator};
use e2e_support::{project_root, Cluster, Run};
use serde_json::Value;
use std::collections::BTreeMap;

fn translate(fixture: &str, ns: &str, seed: &str) -> Manifests {
    let path = project_root()
        .join("coolify-k8s-core/tests/testdata/e2e")
        .join(fixture);
    let yaml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = Options {
        namespace: Some(ns.to_string()),
        name: Some("net".to_string()),
        seed: Some(seed.to_string()),
        ..Options::default()
    };
    Translator::new(options)
        .compose(&yaml, &BTreeMap::new())
        .unwrap_or_else(|e| panic!("translating {fixture} failed: {e}"))
}

/// A fixture, deployed and rolled out in a fresh namespace `ns`; removed on drop.
struct Deployed {
    cluster: Cluster,
    k: Kubectl,
    ns: String,
    fixture: &'static str,
}

impl Deployed {
    fn new(fixture: &'static str, ns: &str) -> Deployed {
        let cluster = Cluster::from_env();
        cluster.delete_namespace(ns);
        let k = cluster.builders();
        let d = Deployed {
            cluster,
            k,
            ns: ns.to_string(),
            fixture,
        };
        d.deploy(&translate(fixture, ns, "e2e"));
        d
    }

    fn deploy(&self, m: &Manifests) {
        self.cluster.must_apply(m);
        self.cluster.provide_volumes(&self.ns);
        self.cluster.must_run(
            "rollout status",
            &self.k.rollout_status(m, 60).expect("rollout lines"),
        );
    }

    /// `sh -c SCRIPT` in the first container of `deployment/SERVICE` (or a StatefulSet).
    fn exec(&self, service: &str, script: &str) -> Run {
        let kind = if self
            .cluster
            .kubectl(&["get", "deployment", service, "-n", &self.ns])
            .ok
        {
            "deployment"
        } else {
            "statefulset"
        };
        self.cluster
            .exec(&self.ns, &format!("{kind}/{service}"), service, script)
    }

    /// `wget -qO- URL` from the client pod (busybox's `wget -T` crashes: `timeout` instead).
    fn fetch(&self, url: &str) -> Run {
        self.exec("client", &format!("timeout 5 wget -qO- {url}"))
    }
}

impl Drop for Deployed {
    fn drop(&mut self) {
        let m = translate(self.fixture, &self.ns, "e2e");
        if let Ok(lines) = self.k.delete(&m, DeleteOptions::default()) {
            self.cluster.run_script(&lines);
        }
        self.cluster.delete_namespace(&self.ns);
    }
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn every_port_of_a_neighbour_is_reachable_by_its_name() {
    let d = Deployed::new("neighbours.yaml", "e2e-net-ports");
    for port in [8080, 8081] {
        let r = d.fetch(&format!("http://api:{port}/"));
        assert!(
            r.ok && r.stdout.trim() == "api",
            "api:{port} not reachable by name from client: {} {}",
            r.stdout,
            r.stderr
        );
    }
    // The fully qualified name too, as the init containers use it.
    let r = d.fetch("http://api.e2e-net-ports.svc.cluster.local:8081/");
    assert!(
        r.ok && r.stdout.trim() == "api",
        "{} {}",
        r.stdout,
        r.stderr
    );
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn hostname_and_network_aliases_resolve_to_the_service() {
    let d = Deployed::new("neighbours.yaml", "e2e-net-names");
    for name in ["api-alias", "api-host"] {
        let r = d.fetch(&format!("http://{name}:8081/"));
        assert!(
            r.ok && r.stdout.trim() == "api",
            "{name}:8081 not reachable from client: {} {}",
            r.stdout,
            r.stderr
        );
    }
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn a_non_root_user_writes_its_named_volume_and_reads_its_config() {
    let d = Deployed::new("writer.yaml", "e2e-net-volume");
    let r = d.exec(
        "writer",
        "id -u; cat /data/hello.txt; touch /data/more && echo touched; stat -c '%u:%g:%a' /etc/writer.conf; cat /etc/writer.conf; echo; cat /proc/1/comm; \
         stat -c %F /var/writer.db; awk '$2 == \"/var/writer.db\" {split($4, o, \",\"); print o[1]}' /proc/mounts",
    );
    assert!(
        r.ok,
        "writer cannot use its volume: {} {}",
        r.stdout, r.stderr
    );
    assert_eq!(
        r.stdout.split_whitespace().collect::<Vec<_>>(),
        [
            "1000",
            "written-by-1000",
            "touched",
            "1000:1000:400",
            "only-for-1000",
            "pause",
            "regular",
            "empty",
            "file",
            "rw"
        ],
        "{}",
        r.stdout
    );
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn a_changed_secret_rolls_the_pods_that_use_it() {
    let d = Deployed::new("neighbours.yaml", "e2e-net-secret");
    let selector = "app.kubernetes.io/instance=net,app.kubernetes.io/name=api";
    let pods_before = d.cluster.pod_names(&d.ns, selector);
    let before = d.exec("api", "echo $SECRET_TOKEN");
    assert!(
        before.ok && !before.stdout.trim().is_empty(),
        "{}",
        before.stderr
    );

    // Another seed: another generated password, so another Secret; nothing else changes.
    d.deploy(&translate(d.fixture, &d.ns, "e2e-changed"));
    let pods_after = d.cluster.pod_names(&d.ns, selector);
    assert!(
        pods_before.iter().all(|p| !pods_after.contains(p)),
        "the api pods did not roll after the Secret changed: {pods_before:?} -> {pods_after:?}"
    );
    // The old pods terminate (1 s grace): wait until they are gone, so that `exec` cannot
    // pick one of them.
    for _ in 0..60 {
        let listed: Vec<Value> = d.cluster.items("pods", &d.ns, Some(selector));
        if !listed.iter().any(|p| {
            pods_before
                .iter()
                .any(|b| p["metadata"]["name"] == b.as_str())
        }) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let after = d.exec("api", "echo $SECRET_TOKEN");
    assert!(after.ok, "{}", after.stderr);
    assert_ne!(
        before.stdout.trim(),
        after.stdout.trim(),
        "the pods still see the old value"
    );
}
