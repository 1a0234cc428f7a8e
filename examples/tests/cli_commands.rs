//! `coolify-k8s commands` prints exactly the lines of the core's `Kubectl` builders (which
//! the PHP `Kubectl` methods return), one per line; usage errors exit 2, input errors 1.

use coolify_k8s_core::kubectl::{DeleteOptions, Kubectl, LogOptions, Target};
use coolify_k8s_core::{Manifests, Report};
use std::path::PathBuf;
use std::process::Command;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../php-tests/fixtures/acme.json")
}

fn manifests() -> Manifests {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    Manifests::new(v["items"].as_array().unwrap().clone(), Report::default())
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_coolify-k8s"))
        .arg("commands")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn joined(lines: Vec<String>) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn every_action_prints_the_builder_lines() {
    let f = fixture();
    let f = f.to_str().unwrap();
    let k = Kubectl::new(Target {
        kubeconfig: Some("/k c".into()),
        context: Some("prod".into()),
        sudo: true,
        ..Target::default()
    })
    .unwrap();
    let m = manifests();
    let common = [
        "--kubeconfig",
        "/k c",
        "--context",
        "prod",
        "--sudo",
        "--from-json",
    ];
    let cases: Vec<(Vec<&str>, Vec<String>)> = vec![
        (
            vec!["rollout-status", "--timeout", "42"],
            k.rollout_status(&m, 42).unwrap(),
        ),
        (vec!["restart"], k.restart(&m).unwrap()),
        (vec!["stop"], k.stop(&m).unwrap()),
        (vec!["start"], k.start(&m).unwrap()),
        (
            vec!["delete"],
            k.delete(&m, DeleteOptions::default()).unwrap(),
        ),
        (
            vec!["delete", "--keep-volumes", "--delete-namespace"],
            k.delete(
                &m,
                DeleteOptions {
                    volumes: false,
                    namespace: true,
                },
            )
            .unwrap(),
        ),
        (vec!["status"], k.status(&m).unwrap()),
        (
            vec!["logs", "--service", "db", "--tail", "5"],
            k.logs(&m, "db", 5).unwrap(),
        ),
        (
            vec![
                "logs",
                "--service",
                "web",
                "--since",
                "10m",
                "--timestamps",
                "--previous",
            ],
            k.logs_with(
                &m,
                "web",
                &LogOptions {
                    tail: Some(100),
                    since: Some("10m".into()),
                    timestamps: true,
                    previous: true,
                    ..LogOptions::default()
                },
            )
            .unwrap(),
        ),
        (vec!["pods"], k.pods(&m).unwrap()),
        (vec!["status-poll"], k.status_poll()),
    ];
    for (action, lines) in cases {
        let mut args = action.clone();
        args.extend(common);
        args.push(f);
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 0, "{action:?}: {stderr}");
        assert_eq!(stdout, joined(lines), "{action:?}");
    }
}

/// A stored handle gives the lines of the manifests; `apply` refuses it.
#[test]
fn a_handle_file_serves_the_lifecycle_not_apply() {
    let dir = std::env::temp_dir().join(format!("coolify-k8s-cli-handle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let handle = dir.join("handle.json");
    std::fs::write(&handle, manifests().handle().unwrap().to_json()).unwrap();
    let h = handle.to_str().unwrap();
    for action in ["stop", "start", "restart", "delete", "status", "pods"] {
        let (code, from_handle, stderr) = run(&[action, "--from-json", h]);
        assert_eq!(code, 0, "{action}: {stderr}");
        let f = fixture();
        let (_, from_manifests, _) = run(&[action, "--from-json", f.to_str().unwrap()]);
        assert_eq!(from_handle, from_manifests, "{action}");
    }
    let (code, _, stderr) = run(&["apply", "--files-dir", "/tmp/x", "--from-json", h]);
    assert_eq!(code, 1);
    assert!(stderr.contains("apply needs the manifests"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `apply` writes the builder's files (mode 0600) and prints all its lines.
#[test]
fn apply_writes_the_files_and_prints_the_lines() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("coolify-k8s-cli-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let f = fixture();
    let k = Kubectl::new(Target {
        files_dir: dir.display().to_string(),
        ..Target::default()
    })
    .unwrap();
    let steps = k.apply(&manifests()).unwrap();
    let dir_s = dir.display().to_string();
    let (code, stdout, stderr) = run(&[
        "apply",
        "--files-dir",
        &dir_s,
        "--from-json",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, joined(steps.lines().cloned().collect()));
    assert!(!steps.files.is_empty());
    for file in &steps.files {
        assert!(file.path.starts_with(&dir_s), "{}", file.path);
        assert_eq!(std::fs::read_to_string(&file.path).unwrap(), file.content);
        let mode = std::fs::metadata(&file.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.path);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_and_usage() {
    let f = fixture();
    let f = f.to_str().unwrap();
    let (code, _, stderr) = run(&["logs", "--from-json", f]);
    assert_eq!(
        (code, stderr.trim()),
        (2, "coolify-k8s commands: logs needs --service SERVICE")
    );
    let (code, _, _) = run(&["bogus", f]);
    assert_eq!(code, 2);
    let (code, _, stderr) = run(&["logs", "--service", "nope", "--from-json", f]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr.trim(),
        "service: no workload for service \"nope\" (known: web, db)"
    );
    let (code, _, _) = run(&["rollout-status", "--timeout", "0", "--from-json", f]);
    assert_eq!(code, 2);
}
