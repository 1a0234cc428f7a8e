//! Every command line the builders return for the corpus parses in bash (`bash -n`) on its
//! own, as one command list: the fuzz targets check per input only that a line is one
//! physical line (a bash process per input would be too slow), this checks bash's own
//! parser over every template, with a target whose values need quoting.

mod convert_support;

use convert_support::{corpus, stem, templates, translate};
use coolify_k8s_core::kubectl::{DeleteOptions, ExecOptions, Kubectl, LogOptions, Target};
use coolify_k8s_core::Manifests;
use std::io::Write;
use std::process::{Command, Stdio};

/// Every line of every builder for `m`.
fn lines(k: &Kubectl, m: &Manifests) -> Vec<String> {
    let mut all = Vec::new();
    if let Ok(steps) = k.apply(m) {
        all.extend(steps.lines().cloned());
    }
    all.extend(k.rollout_status(m, 300).unwrap_or_default());
    all.extend(k.restart(m).unwrap_or_default());
    all.extend(k.stop(m).unwrap_or_default());
    all.extend(k.start(m).unwrap_or_default());
    all.extend(k.status(m).unwrap_or_default());
    let delete = DeleteOptions {
        volumes: true,
        namespace: true,
    };
    all.extend(k.delete(m, delete).unwrap_or_default());
    let service = m
        .objects()
        .iter()
        .find(|o| o["kind"] == "Deployment" || o["kind"] == "StatefulSet")
        .and_then(|o| o["metadata"]["name"].as_str())
        .unwrap_or("web")
        .to_string();
    all.extend(k.logs(m, &service, 100).unwrap_or_default());
    let command = ["sh", "-c", "echo \"$HOME\" 'it''s' `id`"].map(String::from);
    all.extend(k.exec(m, &service, None, &command).unwrap_or_default());
    // The pages' lines: pods, the destination poll, logs with every option, exec with
    // files, the terminal, a scheduled task, copies in and out (paths that need quoting).
    all.extend(k.pods(m).unwrap_or_default());
    all.extend(k.status_poll());
    let logs = LogOptions {
        tail: Some(10),
        since: Some("2026-01-01T00:00:00Z".into()),
        timestamps: true,
        previous: true,
        container: None,
        pod: Some(format!("{service}-0")),
    };
    all.extend(k.logs_with(m, &service, &logs).unwrap_or_default());
    let files = ExecOptions {
        stdin_file: Some("/data/coolify/it's in.sql".into()),
        stdout_file: Some("/data/coolify/$(out) `x`.sql".into()),
        ..ExecOptions::default()
    };
    all.extend(
        k.exec_with(m, &service, &command, &files)
            .unwrap_or_default(),
    );
    all.extend(k.terminal(m, &service, None, None).unwrap_or_default());
    let task = "php artisan schedule:run && echo \"$(date)\" | tee -a /tmp/x || true";
    all.extend(
        k.scheduled_task(m, Some(&service), task)
            .unwrap_or_default(),
    );
    let none = ExecOptions::default();
    all.extend(
        k.copy_in(m, &service, "/data/a b", "/tmp/it's", &none)
            .unwrap_or_default(),
    );
    all.extend(
        k.copy_out(m, &service, "/tmp/$HOME", "/data/a|b", &none)
            .unwrap_or_default(),
    );
    all
}

/// The lines `bash -n` rejects, each as its message and the line's start: one bash reads
/// the NUL-separated lines and parses each with `bash -n` (never runs them), through a
/// pipe rather than `-c`, since an apply line with a large base64 body exceeds the
/// kernel's 128 KiB limit for one argument (Coolify's `bash -se` heredoc has none).
fn rejected(lines: &[String]) -> Vec<String> {
    let script = r#"while IFS= read -r -d '' l; do e=$(printf '%s\n' "$l" | bash -n 2>&1) || printf '%s\0' "$e: ${l:0:200}"; done"#;
    let mut child = Command::new("bash")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let mut input = Vec::new();
    for l in lines {
        input.extend_from_slice(l.as_bytes());
        input.push(0);
    }
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(&input)
        .expect("bash reads the lines");
    let out = child.wait_with_output().expect("bash ends");
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn the_check_rejects_a_broken_line() {
    let bad = ["kubectl get 'x".to_string(), "kubectl get x".to_string()];
    let r = rejected(&bad);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(r[0].ends_with(": kubectl get 'x"), "{r:?}");
}

#[test]
fn every_command_line_of_the_corpus_parses_in_bash() {
    let Some(corpus) = corpus() else { return };
    let target = Target {
        kubeconfig: Some("/home/o'neil/kube config".into()),
        context: Some("ctx $(id) `id`".into()),
        namespace: None,
        extra_flags: vec!["--request-timeout=5s".into()],
        sudo: true,
        create_namespace: true,
        ..Target::default()
    };
    let k = Kubectl::new(target).expect("the target is valid");
    let mut problems = Vec::new();
    let mut count = 0;
    for p in templates(&corpus) {
        let Ok(m) = translate(&p) else { continue };
        let all = lines(&k, &m);
        count += all.len();
        for l in all.iter() {
            if l.contains(['\n', '\r', '\0']) {
                problems.push(format!("{}: spans lines: {l:?}", stem(&p)));
            }
        }
        for l in rejected(&all) {
            problems.push(format!("{}: bash -n rejects {l:?}", stem(&p)));
        }
    }
    assert!(count > 1000, "only {count} lines checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
