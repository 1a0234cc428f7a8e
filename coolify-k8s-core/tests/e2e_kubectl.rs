//! The kubectl lines against a real API server (e.g. `scripts/kube-local.sh start`):
//! apply, prune by object set, status, stop/start, a failing rollout, delete.
//! Part of the e2e suite (`scripts/test.sh e2e` starts the server and sets
//! `COOLIFY_K8S_E2E_KUBECONFIG`); run by hand, it skips when that variable is unset.

use coolify_k8s_core::kubectl::{DeleteOptions, Kubectl, State, Target};
use coolify_k8s_core::{Manifests, Report};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

fn kubeconfig() -> Option<String> {
    match std::env::var("COOLIFY_K8S_E2E_KUBECONFIG") {
        Ok(k) if !k.is_empty() => Some(k),
        _ => {
            eprintln!("skipped: set COOLIFY_K8S_E2E_KUBECONFIG to run the kubectl lines against an API server");
            None
        }
    }
}

/// Runs a batch as Coolify does; returns (status, stdout).
fn run(lines: &[String]) -> (i32, String) {
    let mut child = Command::new("bash")
        .arg("-se")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all((lines.join("\n") + "\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Apply's steps as a runner takes them: prepare, the files written (the upload), the
/// commands, the cleanup (which must leave no file); returns the commands' status.
fn run_apply(steps: &coolify_k8s_core::kubectl::ApplySteps) -> i32 {
    assert_eq!(run(&steps.prepare).0, 0);
    for f in &steps.files {
        std::fs::write(&f.path, &f.content).unwrap();
    }
    let status = run(&steps.commands).0;
    assert_eq!(run(&steps.cleanup).0, 0);
    assert!(steps
        .files
        .iter()
        .all(|f| !std::path::Path::new(&f.path).exists()));
    status
}

fn objects(ns: &str, with_service: bool) -> Manifests {
    let labels =
        |svc: &str| json!({"app.kubernetes.io/instance": "e2e", "app.kubernetes.io/name": svc});
    let mut items = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": ns, "labels": labels("web")},
               "data": {"A": "it's $(not run) `x`\nline"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns, "labels": labels("web")},
               "spec": {"replicas": 2, "selector": {"matchLabels": labels("web")},
                        "template": {"metadata": {"labels": labels("web")},
                                     "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}),
    ];
    if with_service {
        items.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": ns, "labels": labels("web")},
               "spec": {"selector": labels("web"), "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}}));
    }
    Manifests::new(items, Report::default())
}

fn get(kubeconfig: &str, args: &[&str]) -> String {
    let out = Command::new("kubectl")
        .arg(format!("--kubeconfig={kubeconfig}"))
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "needs the local API server: scripts/test.sh e2e"]
fn lines_work_against_an_api_server() {
    let Some(kc) = kubeconfig() else { return };
    let ns = format!("coolify-k8s-e2e-{}", std::process::id());
    let k = Kubectl::new(Target {
        kubeconfig: Some(kc.clone()),
        files_dir: std::env::temp_dir()
            .join(format!("coolify-k8s-e2e-kubectl-{}", std::process::id()))
            .display()
            .to_string(),
        ..Target::default()
    })
    .unwrap();
    let full = objects(&ns, true);
    assert_eq!(run_apply(&k.apply(&full).unwrap()), 0);
    let cm: Value = serde_json::from_str(&get(
        &kc,
        &["get", "configmap", "cfg", "-n", &ns, "-o", "json"],
    ))
    .unwrap();
    assert_eq!(cm["data"]["A"], "it's $(not run) `x`\nline");
    assert_eq!(
        get(&kc, &["get", "service", "-n", &ns, "-o", "name"]).trim(),
        "service/web"
    );
    // Without the Service: the apply prunes it.
    let fewer = objects(&ns, false);
    assert_eq!(run_apply(&k.apply(&fewer).unwrap()), 0);
    assert_eq!(
        get(&kc, &["get", "service", "-n", &ns, "-o", "name"]).trim(),
        ""
    );
    // Status parses; stop remembers 2 replicas and start restores them.
    let (code, out) = run(&k.status(&fewer).unwrap());
    assert_eq!(code, 0);
    let s = k.parse_status(&fewer, &out).unwrap();
    assert_eq!(
        (s.workloads[0].name.as_str(), s.workloads[0].desired),
        ("web", 2)
    );
    // As Coolify's execute_remote_command saves it: every chunk trimmed, chunks glued.
    let glued: String = out.split_whitespace().collect();
    assert_eq!(k.parse_status(&fewer, &glued).unwrap(), s);
    assert_eq!(run(&k.stop(&fewer).unwrap()).0, 0);
    assert_eq!(
        get(
            &kc,
            &[
                "get",
                "deployment",
                "web",
                "-n",
                &ns,
                "-o",
                "jsonpath={.spec.replicas}"
            ]
        ),
        "0"
    );
    let (_, out) = run(&k.status(&fewer).unwrap());
    assert_eq!(k.parse_status(&fewer, &out).unwrap().state, State::Exited);
    assert_eq!(run(&k.start(&fewer).unwrap()).0, 0);
    assert_eq!(
        get(
            &kc,
            &[
                "get",
                "deployment",
                "web",
                "-n",
                &ns,
                "-o",
                "jsonpath={.spec.replicas}"
            ]
        ),
        "2"
    );
    // With no kubelet the pods never become ready: the rollout fails and stops the batch.
    let mut lines = k.rollout_status(&fewer, 2).unwrap();
    lines.push("echo after-the-failure".to_string());
    let (code, out) = run(&lines);
    assert_eq!(code, 1);
    assert!(!out.contains("after-the-failure"));
    assert_eq!(run(&k.restart(&fewer).unwrap()).0, 0);
    assert_eq!(
        run(&k
            .delete(
                &fewer,
                DeleteOptions {
                    volumes: true,
                    namespace: true
                }
            )
            .unwrap())
        .0,
        0
    );
    assert_eq!(
        get(&kc, &["get", "deployment", "-n", &ns, "-o", "name"]).trim(),
        ""
    );
    // Pods on a node without kubelet never finish terminating.
    let _ = get(
        &kc,
        &[
            "delete",
            "pods",
            "--all",
            "-n",
            &ns,
            "--grace-period=0",
            "--force",
        ],
    );
}
