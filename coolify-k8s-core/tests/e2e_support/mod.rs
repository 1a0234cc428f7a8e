//! Harness of the e2e suite (`tests/e2e_*.rs`): a local single-node Kubernetes cluster
//! started by `scripts/kube-local.sh start` (1.20: API server, controller-manager, scheduler,
//! and a real node whose pods run the images the script builds from Debian's packages),
//! reached through `kubectl`.
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
use std::time::{Duration, Instant};

/// The node that `kube-local.sh` runs.
pub const NODE: &str = "kube-local-node";

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
        let strip = !self.serves_pod_failure_policy();
        for f in &steps.files {
            let content = if strip {
                without_pod_failure_policy(&f.content)
            } else {
                f.content.clone()
            };
            std::fs::write(&f.path, content).expect("upload");
        }
        let run = self.run_script(&steps.commands);
        let cleaned = self.run_script(&steps.cleanup);
        assert!(cleaned.ok, "cleanup failed: {}", cleaned.stderr);
        for f in &steps.files {
            assert!(!Path::new(&f.path).exists(), "{} left behind", f.path);
        }
        run
    }

    /// Whether the server knows Jobs' `podFailurePolicy` (batch/v1 since 1.26; the local
    /// server is 1.20, whose kubectl-side validation rejects the field).
    pub fn serves_pod_failure_policy(&self) -> bool {
        self.kubectl(&["explain", "job.spec.podFailurePolicy"]).ok
    }

    /// The project's `kubectl` line builders aimed at this cluster.
    pub fn builders(&self) -> coolify_k8s_core::kubectl::Kubectl {
        coolify_k8s_core::kubectl::Kubectl::new(coolify_k8s_core::kubectl::Target {
            kubeconfig: Some(self.kubeconfig.clone()),
            files_dir: files_dir(),
            ..Default::default()
        })
        .expect("valid target")
    }

    /// Run `lines` as Coolify does, panicking with the lines and their output when they fail.
    pub fn must_run(&self, what: &str, lines: &[String]) -> Run {
        let r = self.run_script(lines);
        assert!(
            r.ok,
            "{what} failed:\n{}\n--- stdout:\n{}\n--- stderr:\n{}",
            lines.join("\n"),
            r.stdout,
            r.stderr
        );
        r
    }

    /// The apply steps of `m` run as a runner does, panicking when they fail.
    pub fn must_apply(&self, m: &coolify_k8s_core::Manifests) -> Run {
        let steps = self.builders().apply(m).expect("apply lines");
        let r = self.run_apply(&steps);
        assert!(
            r.ok,
            "apply failed:\n{}\n--- stderr:\n{}",
            steps.commands.join("\n"),
            r.stderr
        );
        r
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

    /// Delete namespace `ns` and wait until it is gone; its pods are force-deleted (the
    /// kubelet then kills their containers at once, whatever their grace period).
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
            // A cluster started afresh has no namespace, but a previous run (or a copied
            // target/) may have left its volumes' data: a new claim must start empty.
            let _ = std::fs::remove_dir_all(volumes_dir().join(ns));
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
        let _ = std::fs::remove_dir_all(volumes_dir().join(ns));
    }

    /// Stand in for a volume provisioner: for every Pending PVC of `ns`, a `local`
    /// PersistentVolume on the node bound to it in advance (`claimRef`), backed by a fresh
    /// directory under [`volumes_dir`] (a `local` volume, unlike `hostPath`, gets the pod's
    /// `fsGroup`, as a provisioned volume does). The volumes carry the label
    /// `e2e-namespace=<ns>`; [`Self::delete_namespace`] removes them and their directories.
    pub fn provide_volumes(&self, ns: &str) {
        for pvc in self.items("persistentvolumeclaims", ns, None) {
            let name = pvc["metadata"]["name"].as_str().unwrap_or("");
            if name.is_empty() || pvc["status"]["phase"].as_str() != Some("Pending") {
                continue;
            }
            let dir = volumes_dir().join(ns).join(name);
            std::fs::create_dir_all(&dir)
                .unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
            let pv = json!({
                "apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": format!("e2e-{ns}-{name}"), "labels": {"e2e-namespace": ns}},
                "spec": {
                    "capacity": {"storage": "100Gi"},
                    "accessModes": pvc["spec"]["accessModes"].clone(),
                    "persistentVolumeReclaimPolicy": "Retain",
                    "local": {"path": dir.display().to_string()},
                    "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                        {"key": "kubernetes.io/hostname", "operator": "Exists"}]}]}},
                    "claimRef": {"namespace": ns, "name": name},
                    "storageClassName": pvc["spec"]["storageClassName"].clone(),
                    "volumeMode": "Filesystem",
                }
            });
            self.kubectl_stdin(&["apply", "-f", "-"], Some(&pv.to_string()));
        }
    }

    /// `kubectl exec -n NS TARGET -c CONTAINER -- sh -c SCRIPT` (TARGET: `deploy/app`, a pod).
    pub fn exec(&self, ns: &str, target: &str, container: &str, script: &str) -> Run {
        self.kubectl(&[
            "exec", "-n", ns, target, "-c", container, "--", "sh", "-c", script,
        ])
    }

    /// The names of the pods of `ns` whose labels match `selector`, oldest first, leaving
    /// out terminating pods (a rolled-out Deployment's old pods stay listed for their grace
    /// period after `rollout status` returned).
    pub fn pod_names(&self, ns: &str, selector: &str) -> Vec<String> {
        let mut pods = self.items("pods", ns, Some(selector));
        pods.retain(|p| p["metadata"]["deletionTimestamp"].is_null());
        pods.sort_by_key(|p| {
            p["metadata"]["creationTimestamp"]
                .as_str()
                .map(str::to_string)
        });
        pods.iter()
            .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
            .collect()
    }

    /// Force-delete every pod of `ns` (grace period 0): quick teardown.
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

/// Where [`Cluster::provide_volumes`] keeps the directories of its volumes.
/// (canonical: a `local` volume's path must not contain `..`).
pub fn volumes_dir() -> PathBuf {
    let root = project_root();
    std::fs::canonicalize(&root)
        .unwrap_or(root)
        .join("target/e2e-volumes")
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

/// `content` (an apply file: one object or a `List`) with Jobs' `podFailurePolicy` removed,
/// for a server older than 1.26. The translator sets it so that a waiting init container's
/// failure never fails the Job for good; the pods' behaviour under test does not depend on
/// it, and the 1.33 / 1.37 schema checks cover the field. Said on stderr each time.
fn without_pod_failure_policy(content: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(content) else {
        return content.to_string();
    };
    let mut removed = 0usize;
    let mut strip = |o: &mut serde_json::Value| {
        if o["kind"] == "Job" {
            if let Some(spec) = o["spec"].as_object_mut() {
                removed += usize::from(spec.remove("podFailurePolicy").is_some());
            }
        }
    };
    match doc.get_mut("items").and_then(|i| i.as_array_mut()) {
        Some(items) => items.iter_mut().for_each(&mut strip),
        None => strip(&mut doc),
    }
    if removed == 0 {
        return content.to_string();
    }
    eprintln!("e2e: removed podFailurePolicy from {removed} Job(s): the local server predates it");
    serde_json::to_string(&doc).expect("JSON")
}
