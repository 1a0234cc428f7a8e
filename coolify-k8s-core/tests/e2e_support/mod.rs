//! Harness of the e2e suite (`tests/e2e_*.rs`): a local Kubernetes API server started by
//! `scripts/kube-local.sh start` (1.20, with controller-manager, scheduler and a fake Node,
//! no kubelet), reached through `kubectl`.
//!
//! The tests are `#[ignore]`d; `scripts/test.sh e2e` starts the server and runs them with
//! `-- --ignored`, passing the kubeconfig in `COOLIFY_K8S_E2E_KUBECONFIG`. Without that
//! variable an e2e test fails with a message saying how to start the server: an e2e run that
//! checked nothing must not look green.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The fake Node that `kube-local.sh` registers.
pub const NODE: &str = "fake-node";

/// The project root (holds `examples/`, `scripts/`).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The CRDs the project carries (`schemas/crds`, copies of the development corpus's).
pub fn crds() -> PathBuf {
    project_root().join("schemas/crds")
}

/// A connection to the local API server.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Path of the kubeconfig (admin token, https://127.0.0.1).
    pub kubeconfig: String,
    /// The kubectl binary (`COOLIFY_K8S_E2E_KUBECTL`, default `kubectl` on PATH).
    pub kubectl: String,
}

/// Result of one command: exit success and its output.
/// A directory for apply's files (`Target::files_dir`) that this test process owns.
pub fn files_dir() -> String {
    std::env::temp_dir()
        .join(format!("coolify-k8s-e2e-files-{}", std::process::id()))
        .display()
        .to_string()
}

#[derive(Debug)]
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Cluster {
    /// The cluster named by `COOLIFY_K8S_E2E_KUBECONFIG`; panics (failing the test) when it
    /// is unset or the server does not answer.
    pub fn from_env() -> Cluster {
        let kubeconfig = std::env::var("COOLIFY_K8S_E2E_KUBECONFIG").unwrap_or_else(|_| {
            panic!(
                "COOLIFY_K8S_E2E_KUBECONFIG is not set: run the e2e suite with \
                 `scripts/test.sh e2e`, or `scripts/kube-local.sh start` and \
                 COOLIFY_K8S_E2E_KUBECONFIG=$(scripts/kube-local.sh env | cut -d= -f2)"
            )
        });
        let kubectl = std::env::var("COOLIFY_K8S_E2E_KUBECTL").unwrap_or_else(|_| "kubectl".into());
        let c = Cluster {
            kubeconfig,
            kubectl,
        };
        let ready = c.kubectl(&["get", "--raw", "/readyz"]);
        assert!(ready.ok, "the API server does not answer: {}", ready.stderr);
        c
    }

    /// `kubectl --kubeconfig=… ARGS`.
    pub fn kubectl(&self, args: &[&str]) -> Run {
        self.kubectl_stdin(args, None)
    }

    /// `kubectl --kubeconfig=… ARGS` with `stdin` as its standard input.
    pub fn kubectl_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = Command::new(&self.kubectl);
        cmd.arg(format!("--kubeconfig={}", self.kubeconfig))
            .args(args);
        run(cmd, stdin)
    }

    /// `kubectl ARGS`, panicking with its stderr when it fails.
    pub fn must(&self, args: &[&str]) -> String {
        let r = self.kubectl(args);
        assert!(r.ok, "kubectl {} failed: {}", args.join(" "), r.stderr);
        r.stdout
    }

    /// `kubectl get ARGS -o json` parsed.
    pub fn get_json(&self, args: &[&str]) -> Value {
        let mut a = vec!["get"];
        a.extend_from_slice(args);
        a.extend_from_slice(&["-o", "json"]);
        serde_json::from_str(&self.must(&a)).expect("kubectl -o json output")
    }

    /// The `items` of `kubectl get KINDS -n NS [-l SELECTOR] -o json`.
    pub fn items(&self, kinds: &str, ns: &str, selector: Option<&str>) -> Vec<Value> {
        let mut a = vec![kinds, "-n", ns];
        if let Some(s) = selector {
            a.extend_from_slice(&["-l", s]);
        }
        match self.get_json(&a).get("items") {
            Some(Value::Array(v)) => v.clone(),
            _ => Vec::new(),
        }
    }

    /// Run command lines (as produced by the `kubectl` builders) the way Coolify does:
    /// joined by newlines into one `bash -se`, which stops at the first failing line.
    pub fn run_script(&self, lines: &[String]) -> Run {
        let mut cmd = Command::new("bash");
        cmd.arg("-se");
        // The builders' lines call `kubectl`: make it the harness's binary.
        if let Some(dir) = Path::new(&self.kubectl)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            let path = std::env::var("PATH").unwrap_or_default();
            cmd.env("PATH", format!("{}:{path}", dir.display()));
        }
        cmd.env("KUBECONFIG", &self.kubeconfig);
        let mut script = lines.join("\n");
        script.push('\n');
        run(cmd, Some(&script))
    }

    /// Apply's steps as a runner takes them: the prepare lines, the files written where the
    /// lines read them (the upload), the commands, then the cleanup lines, which must leave
    /// no file behind. Returns the run of the commands.
    pub fn run_apply(&self, steps: &coolify_k8s_core::kubectl::ApplySteps) -> Run {
        let prepared = self.run_script(&steps.prepare);
        assert!(prepared.ok, "prepare failed: {}", prepared.stderr);
        for f in &steps.files {
            std::fs::write(&f.path, &f.content).expect("upload");
        }
        let run = self.run_script(&steps.commands);
        let cleaned = self.run_script(&steps.cleanup);
        assert!(cleaned.ok, "cleanup failed: {}", cleaned.stderr);
        for f in &steps.files {
            assert!(!Path::new(&f.path).exists(), "{} left behind", f.path);
        }
        run
    }

    /// Create the namespace `ns` afresh (deleting what a previous run left).
    pub fn fresh_namespace(&self, ns: &str) {
        self.delete_namespace(ns);
        self.must(&["create", "namespace", ns]);
        // The service-account controller adds `default`; pods cannot be created before.
        wait_until(
            Duration::from_secs(60),
            &format!("serviceaccount default in {ns}"),
            || {
                self.kubectl(&["get", "serviceaccount", "default", "-n", ns])
                    .ok
            },
        );
    }

    /// Delete namespace `ns` and wait until it is gone: pods bound to the fake node never
    /// finish terminating (no kubelet), so they are force-deleted.
    pub fn delete_namespace(&self, ns: &str) {
        let volumes = format!("e2e-namespace={ns}");
        self.kubectl(&[
            "delete",
            "persistentvolumes",
            "-l",
            &volumes,
            "--wait=false",
        ]);
        if !self.kubectl(&["get", "namespace", ns]).ok {
            return;
        }
        self.kubectl(&["delete", "namespace", ns, "--wait=false"]);
        wait_until(
            Duration::from_secs(120),
            &format!("namespace {ns} deleted"),
            || {
                self.force_delete_pods(ns);
                !self.kubectl(&["get", "namespace", ns]).ok
            },
        );
    }

    /// Stand in for a volume provisioner: for every Pending PVC of `ns`, a hostPath
    /// PersistentVolume bound to it in advance (`claimRef`), so pods that mount it can be
    /// scheduled. The volumes carry the label `e2e-namespace=<ns>`; [`Self::delete_namespace`]
    /// removes them.
    pub fn provide_volumes(&self, ns: &str) {
        for pvc in self.items("persistentvolumeclaims", ns, None) {
            let name = pvc["metadata"]["name"].as_str().unwrap_or("");
            if name.is_empty() || pvc["status"]["phase"].as_str() != Some("Pending") {
                continue;
            }
            let pv = json!({
                "apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": format!("e2e-{ns}-{name}"), "labels": {"e2e-namespace": ns}},
                "spec": {
                    "capacity": {"storage": "100Gi"},
                    "accessModes": pvc["spec"]["accessModes"].clone(),
                    "persistentVolumeReclaimPolicy": "Retain",
                    "hostPath": {"path": "/var/empty"},
                    "claimRef": {"namespace": ns, "name": name},
                    "storageClassName": pvc["spec"]["storageClassName"].clone(),
                    "volumeMode": "Filesystem",
                }
            });
            self.kubectl_stdin(&["apply", "-f", "-"], Some(&pv.to_string()));
        }
    }

    /// Force-delete every pod of `ns` (grace period 0): without a kubelet nothing else ends them.
    pub fn force_delete_pods(&self, ns: &str) {
        self.kubectl(&[
            "delete",
            "pods",
            "--all",
            "-n",
            ns,
            "--grace-period=0",
            "--force",
            "--wait=false",
        ]);
    }

    /// Install the Traefik CRDs of `schemas/crds` and wait until they are served.
    /// Their `x-kubernetes-validations` (CEL rules, Kubernetes >= 1.25) are removed first:
    /// 1.20 knows no such field and refuses the CRD otherwise. Applied server-side: they are
    /// too large for the last-applied annotation.
    pub fn install_traefik_crds(&self) {
        let dir = crds();
        for file in [
            "traefik.io_ingressroutes.yaml",
            "traefik.io_middlewares.yaml",
        ] {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut crd: Value =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            strip_key(&mut crd, "x-kubernetes-validations");
            let r = self.kubectl_stdin(
                &["apply", "--server-side", "--force-conflicts", "-f", "-"],
                Some(&crd.to_string()),
            );
            assert!(r.ok, "installing {file} failed: {}", r.stderr);
        }
        for crd in ["ingressroutes.traefik.io", "middlewares.traefik.io"] {
            self.must(&[
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                &format!("crd/{crd}"),
            ]);
        }
    }

    /// The (apiVersion, kind) pairs the server serves, from discovery of the API versions
    /// asked about (a version the server lacks serves nothing).
    pub fn served_kinds(&self, api_versions: &BTreeSet<String>) -> BTreeSet<(String, String)> {
        let mut served = BTreeSet::new();
        for api_version in api_versions {
            let path = if api_version.contains('/') {
                format!("/apis/{api_version}")
            } else {
                format!("/api/{api_version}")
            };
            let r = self.kubectl(&["get", "--raw", &path]);
            if !r.ok {
                continue;
            }
            let doc: Value = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
            if let Some(Value::Array(resources)) = doc.get("resources") {
                for res in resources {
                    let name = res.get("name").and_then(Value::as_str).unwrap_or("");
                    if name.contains('/') {
                        continue; // a subresource (`deployments/scale`)
                    }
                    if let Some(kind) = res.get("kind").and_then(Value::as_str) {
                        served.insert((api_version.clone(), kind.to_string()));
                    }
                }
            }
        }
        served
    }
}

/// Remove `key` from every mapping in `v`.
fn strip_key(v: &mut Value, key: &str) {
    match v {
        Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|x| strip_key(x, key));
        }
        Value::Array(items) => items.iter_mut().for_each(|x| strip_key(x, key)),
        _ => {}
    }
}

fn run(mut cmd: Command, stdin: Option<&str>) -> Run {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // A command that exits early closes the pipe; its exit status tells the story.
        let _ = pipe.write_all(text.as_bytes());
    }
    child.wait_with_output().expect("wait for command").into()
}

/// Poll `check` every 250 ms until it holds; panics naming `what` after `timeout`.
pub fn wait_until(timeout: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    loop {
        if check() {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// What [`PodMarker`] makes of the scheduled pods: what a kubelet would report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodOutcome {
    /// Running, every container ready.
    Ready,
    /// Running, containers crash-looping: never ready.
    Failing,
}

/// Stands in for a kubelet: a background thread that, until dropped, sets the status of
/// every pod of a namespace that the scheduler bound to the fake node (through the `status`
/// subresource), so that `kubectl rollout status` has something to wait for.
pub struct PodMarker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PodMarker {
    /// Start marking the pods of `ns` with `outcome`.
    pub fn start(cluster: &Cluster, ns: &str, outcome: PodOutcome) -> PodMarker {
        let stop = Arc::new(AtomicBool::new(false));
        let (c, ns, flag) = (cluster.clone(), ns.to_string(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                mark_pods(&c, &ns, outcome);
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        PodMarker {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for PodMarker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One pass of [`PodMarker`]: mark the scheduled, not yet marked, live pods of `ns`.
/// Returns how many were marked.
pub fn mark_pods(cluster: &Cluster, ns: &str, outcome: PodOutcome) -> usize {
    let r = cluster.kubectl(&["get", "pods", "-n", ns, "-o", "json"]);
    let Ok(list) = serde_json::from_str::<Value>(&r.stdout) else {
        return 0;
    };
    let mut marked = 0;
    for pod in list
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = pod
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let scheduled = pod.pointer("/spec/nodeName").and_then(Value::as_str) == Some(NODE);
        let deleting = pod.pointer("/metadata/deletionTimestamp").is_some();
        let phase = pod.pointer("/status/phase").and_then(Value::as_str);
        if name.is_empty() || !scheduled || deleting || phase == Some("Running") {
            continue;
        }
        let patch = pod_status(pod, outcome);
        let patched = cluster.kubectl(&[
            "patch",
            "pod",
            name,
            "-n",
            ns,
            "--subresource=status",
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]);
        if patched.ok {
            marked += 1;
        }
    }
    marked
}

/// The status a kubelet would report for `pod` with `outcome`.
fn pod_status(pod: &Value, outcome: PodOutcome) -> Value {
    let now = "2026-01-01T00:00:00Z";
    let ready = outcome == PodOutcome::Ready;
    let flag = if ready { "True" } else { "False" };
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let state = if ready {
                json!({"running": {"startedAt": now}})
            } else {
                json!({"waiting": {"reason": "CrashLoopBackOff",
                                   "message": "back-off restarting failed container"}})
            };
            json!({
                "name": c.get("name").cloned().unwrap_or(Value::Null),
                "image": c.get("image").cloned().unwrap_or(Value::Null),
                "imageID": "", "ready": ready, "started": ready,
                "restartCount": if ready { 0 } else { 3 }, "state": state,
            })
        })
        .collect();
    let condition = |t: &str, s: &str| json!({"type": t, "status": s, "lastTransitionTime": now});
    json!({"status": {
        "phase": "Running",
        "podIP": "10.244.0.10", "hostIP": "127.0.0.1", "startTime": now,
        "conditions": [
            condition("Initialized", "True"),
            condition("PodScheduled", "True"),
            condition("ContainersReady", flag),
            condition("Ready", flag),
        ],
        "containerStatuses": containers,
    }})
}
