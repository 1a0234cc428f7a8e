//! Command-builder safety: the generated lines run in `bash -se` (as Coolify's
//! `remote_process` runs them) against a stub `kubectl` that records its arguments and
//! standard input. Names and values hold quotes, `$()`, backticks, newlines, spaces and
//! non-ASCII text; the stub must receive exactly the intended arguments and manifests, and
//! nothing else may run (no marker file appears).

use base64::Engine as _;
use coolify_k8s_core::kubectl::{
    DeleteOptions, ExecOptions, Kubectl, LogOptions, Target, TERMINAL_SHELL,
};
use coolify_k8s_core::{Manifests, Report};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records each call as `<n>.args` (argv[0] basename, then arguments, NUL-terminated) and,
/// for `-f -` and `exec --stdin=true`, its stdin as `<n>.stdin` (for `-f FILE`, the file).
/// Prints `$STUB_GET_OUTPUT` for `get` and `$STUB_EXEC_OUTPUT` for `exec`, fails with 1
/// when an argument equals `$STUB_FAIL_ON`.
const STUB: &str = r#"#!/bin/bash
d="$STUB_LOG"
n=$(( $(cat "$d/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$d/count"
printf '%s\0' "$(basename "$0")" "$@" > "$d/$n.args"
prev=""
is_get=""
is_exec=""
fail=""
for a in "$@"; do
  if [ "$prev" = "-f" ] && [ "$a" = "-" ]; then cat > "$d/$n.stdin"; fi
  if [ "$prev" = "-f" ] && [ "$a" != "-" ]; then cat -- "$a" > "$d/$n.stdin" || exit 1; fi
  if [ "$a" = "get" ]; then is_get=1; fi
  if [ "$a" = "exec" ]; then is_exec=1; fi
  if [ "$a" = "--stdin=true" ]; then cat > "$d/$n.stdin"; fi
  if [ -n "${STUB_FAIL_ON-}" ] && [ "$a" = "$STUB_FAIL_ON" ]; then fail=1; fi
  prev="$a"
done
if [ -n "$is_get" ]; then printf '%s' "${STUB_GET_OUTPUT-}"; fi
if [ -n "$is_exec" ]; then printf '%s' "${STUB_EXEC_OUTPUT-}"; fi
if [ -n "$fail" ]; then exit 1; fi
exit 0
"#;

/// `sudo` stand-in: records that it ran, then runs the command.
const SUDO: &str = r#"#!/bin/bash
echo x >> "$STUB_LOG/sudo"
exec "$@"
"#;

struct Sandbox {
    dir: PathBuf,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Sandbox {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "coolify-k8s-safety-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::fs::create_dir_all(dir.join("log")).unwrap();
        for (name, body) in [("kubectl", STUB), ("sudo", SUDO)] {
            let p = dir.join("bin").join(name);
            std::fs::write(&p, body).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Self { dir }
    }

    fn marker(&self) -> PathBuf {
        self.dir.join("pwned")
    }

    /// Values that would run `touch <marker>` if any reached the shell unquoted.
    fn hostile(&self, tag: &str) -> String {
        let m = self.marker();
        let m = m.display();
        format!(
            "{tag} it's \"q\" $(touch {m}) `touch {m}` '; touch {m}; ' \"; touch {m}; \"\ntouch {m}\r\n\ttab Grüße ☃ 日本 $HOME ${{PATH}} \\ -n"
        )
    }

    /// Run `lines` as Coolify does (`bash -se`, script on stdin); returns the exit status.
    fn run(&self, lines: &[String], env: &[(&str, &str)]) -> i32 {
        let script = lines.join("\n") + "\n";
        let path = format!("{}:/usr/bin:/bin", self.dir.join("bin").display());
        let mut cmd = Command::new("bash");
        cmd.arg("-se")
            .env_clear()
            .env("PATH", path)
            .env("STUB_LOG", self.dir.join("log"))
            .env("HOME", &self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        child.wait().unwrap().code().unwrap_or(-1)
    }

    /// The recorded calls: (argv, stdin).
    fn calls(&self) -> Vec<(Vec<String>, Option<Vec<u8>>)> {
        let log = self.dir.join("log");
        let n: usize = std::fs::read_to_string(log.join("count"))
            .map(|s| s.trim().parse().unwrap())
            .unwrap_or(0);
        (1..=n)
            .map(|i| {
                let raw = std::fs::read(log.join(format!("{i}.args"))).unwrap();
                let mut args: Vec<String> = raw
                    .split(|b| *b == 0)
                    .map(|a| String::from_utf8(a.to_vec()).unwrap())
                    .collect();
                args.pop();
                (args, std::fs::read(log.join(format!("{i}.stdin"))).ok())
            })
            .collect()
    }

    /// Puts apply's files where its lines read them (what Coolify's `instant_scp` does).
    fn upload(&self, files: &[coolify_k8s_core::kubectl::UploadFile]) {
        for f in files {
            let p = Path::new(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, &f.content).unwrap();
        }
    }

    fn sudo_count(&self) -> usize {
        std::fs::read_to_string(self.dir.join("log/sudo"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn bash_available() -> bool {
    Path::new("/bin/bash").exists() || Path::new("/usr/bin/bash").exists()
}

struct Case {
    target: Target,
    manifests: Manifests,
    /// `kubectl` plus the global flags the stub must see first.
    global: Vec<String>,
    ns: String,
    deployment: String,
    secret_value: String,
}

fn case(sb: &Sandbox, sudo: bool) -> Case {
    let ns = sb.hostile("ns");
    let deployment = sb.hostile("web");
    let secret_value = sb.hostile("password");
    let target = Target {
        kubeconfig: Some(sb.hostile("/kube config")),
        context: Some(sb.hostile("ctx")),
        namespace: Some(ns.clone()),
        extra_flags: vec![sb.hostile("--flag")],
        sudo,
        create_namespace: true,
        files_dir: sb.dir.join("files").display().to_string(),
    };
    let labels = json!({"app.kubernetes.io/instance": "acme", "app.kubernetes.io/name": "web"});
    let manifests = Manifests::new(
        vec![
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "env", "labels": labels},
                   "stringData": {"PASSWORD": secret_value}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": deployment, "labels": labels},
                   "spec": {"replicas": 2, "selector": {"matchLabels": labels}}}),
        ],
        Report::default(),
    );
    let global = vec![
        "kubectl".to_string(),
        format!("--kubeconfig={}", target.kubeconfig.clone().unwrap()),
        format!("--context={}", target.context.clone().unwrap()),
        target.extra_flags[0].clone(),
    ];
    Case {
        target,
        manifests,
        global,
        ns,
        deployment,
        secret_value,
    }
}

fn with(global: &[String], rest: &[&str]) -> Vec<String> {
    global
        .iter()
        .cloned()
        .chain(rest.iter().map(|s| s.to_string()))
        .collect()
}

#[test]
fn apply_passes_exact_arguments_and_manifests() {
    if !bash_available() {
        eprintln!("skipped: no bash");
        return;
    }
    for sudo in [false, true] {
        let sb = Sandbox::new();
        let c = case(&sb, sudo);
        let steps = Kubectl::new(c.target.clone())
            .unwrap()
            .apply(&c.manifests)
            .unwrap();
        assert!(steps
            .lines()
            .all(|l| !l.contains('\n') && !l.contains(&c.secret_value)));
        sb.upload(&steps.files);
        assert_eq!(sb.run(&steps.commands, &[]), 0);
        assert!(!sb.marker().exists(), "an injected command ran");
        let calls = sb.calls();
        let ns_flag = format!("--namespace={}", c.ns);
        // The intended calls, and only them.
        assert_eq!(calls.len(), 6, "{calls:#?}");
        assert_eq!(calls[0].0, with(&c.global, &["get", "namespace", &c.ns]));
        assert_eq!(
            calls[1].0,
            with(
                &c.global,
                &[
                    "apply",
                    "--server-side",
                    "--field-manager=coolify",
                    "--force-conflicts",
                    &ns_flag,
                    "-f",
                    &steps.files[0].path
                ]
            )
        );
        let body: Value = serde_json::from_slice(calls[1].1.as_ref().unwrap()).unwrap();
        let items = body["items"].as_array().unwrap();
        assert_eq!(items[0]["stringData"]["PASSWORD"], c.secret_value.as_str());
        assert_eq!(items[1]["metadata"]["name"], c.deployment.as_str());
        let set = items[0]["metadata"]["labels"]["coolify.io/object-set"]
            .as_str()
            .unwrap();
        assert_eq!(calls[2].0[c.global.len()], "delete");
        assert_eq!(
            calls[2].0[c.global.len() + 3],
            format!("--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify,coolify.io/object-set!={set}")
        );
        // The cleanup line removes the file.
        assert_eq!(sb.run(&steps.cleanup, &[]), 0);
        assert!(!Path::new(&steps.files[0].path).exists());
        for (i, group) in ["traefik.io", "traefik.io", "gateway.networking.k8s.io"]
            .iter()
            .enumerate()
        {
            assert_eq!(
                calls[3 + i].0,
                with(
                    &c.global,
                    &[
                        "api-resources",
                        &format!("--api-group={group}"),
                        "-o",
                        "name"
                    ]
                )
            );
        }
        assert_eq!(sb.sudo_count(), if sudo { 6 } else { 0 });
    }
}

#[test]
fn namespace_is_created_when_get_fails() {
    let sb = Sandbox::new();
    let c = case(&sb, false);
    let lines = Kubectl::new(c.target.clone())
        .unwrap()
        .apply(&c.manifests)
        .unwrap()
        .commands;
    // `get` fails for the namespace: create it, then go on.
    assert_eq!(sb.run(&lines[..1], &[("STUB_FAIL_ON", "get")]), 0);
    let calls = sb.calls();
    assert_eq!(calls[1].0, with(&c.global, &["create", "namespace", &c.ns]));
    assert!(!sb.marker().exists());
}

#[test]
fn failed_rollout_collects_diagnostics_and_stops_the_batch() {
    let sb = Sandbox::new();
    let c = case(&sb, false);
    let k = Kubectl::new(c.target.clone()).unwrap();
    let mut lines = k.rollout_status(&c.manifests, 120).unwrap();
    lines.extend(k.restart(&c.manifests).unwrap()); // must not run
    assert_eq!(sb.run(&lines, &[("STUB_FAIL_ON", "rollout")]), 1);
    assert!(!sb.marker().exists());
    let calls = sb.calls();
    let ns_flag = format!("--namespace={}", c.ns);
    let reference = format!("deployment.apps/{}", c.deployment);
    let sel = "--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web";
    let argv: Vec<Vec<String>> = calls.into_iter().map(|c| c.0).collect();
    assert_eq!(
        argv,
        vec![
            with(
                &c.global,
                &["rollout", "status", &reference, &ns_flag, "--timeout=120s"]
            ),
            with(&c.global, &["get", "pods", &ns_flag, sel, "-o", "wide"]),
            with(
                &c.global,
                &["get", "events", &ns_flag, "--sort-by=.lastTimestamp"]
            ),
            with(
                &c.global,
                &[
                    "logs",
                    &ns_flag,
                    sel,
                    "--all-containers=true",
                    "--prefix=true",
                    "--tail=100"
                ]
            ),
        ]
    );
}

#[test]
fn stop_remembers_replicas_and_start_restores_them() {
    let sb = Sandbox::new();
    let c = case(&sb, false);
    let k = Kubectl::new(c.target.clone()).unwrap();
    let ns_flag = format!("--namespace={}", c.ns);
    let reference = format!("deployment.apps/{}", c.deployment);
    assert_eq!(
        sb.run(&k.stop(&c.manifests).unwrap(), &[("STUB_GET_OUTPUT", "3")]),
        0
    );
    let start = k.start(&c.manifests).unwrap();
    assert_eq!(sb.run(&start, &[("STUB_GET_OUTPUT", "3")]), 0);
    // A resource that was never stopped: start does nothing after the lookup.
    assert_eq!(sb.run(&start, &[("STUB_GET_OUTPUT", "")]), 0);
    assert!(!sb.marker().exists());
    let argv: Vec<Vec<String>> = sb.calls().into_iter().map(|c| c.0).collect();
    assert_eq!(
        argv,
        vec![
            with(
                &c.global,
                &[
                    "get",
                    &reference,
                    &ns_flag,
                    "-o",
                    "jsonpath={.spec.replicas}"
                ]
            ),
            with(
                &c.global,
                &[
                    "annotate",
                    &reference,
                    &ns_flag,
                    "--overwrite",
                    "coolify.io/replicas-before-stop=3"
                ]
            ),
            with(&c.global, &["scale", &reference, &ns_flag, "--replicas=0"]),
            with(
                &c.global,
                &[
                    "get",
                    &reference,
                    &ns_flag,
                    "-o",
                    "jsonpath={.metadata.annotations.coolify\\.io/replicas-before-stop}"
                ]
            ),
            with(&c.global, &["scale", &reference, &ns_flag, "--replicas=3"]),
            with(
                &c.global,
                &[
                    "annotate",
                    &reference,
                    &ns_flag,
                    "coolify.io/replicas-before-stop-"
                ]
            ),
            with(
                &c.global,
                &[
                    "get",
                    &reference,
                    &ns_flag,
                    "-o",
                    "jsonpath={.metadata.annotations.coolify\\.io/replicas-before-stop}"
                ]
            ),
        ]
    );
}

#[test]
fn stop_twice_keeps_the_first_count() {
    let sb = Sandbox::new();
    let c = case(&sb, false);
    let k = Kubectl::new(c.target.clone()).unwrap();
    assert_eq!(
        sb.run(&k.stop(&c.manifests).unwrap(), &[("STUB_GET_OUTPUT", "0")]),
        0
    );
    let argv: Vec<Vec<String>> = sb.calls().into_iter().map(|c| c.0).collect();
    assert_eq!(argv.len(), 2, "no annotate when already at zero: {argv:#?}");
    assert_eq!(argv[1][c.global.len()], "scale");
}

#[test]
fn a_hostile_cluster_value_stays_data() {
    // The replica count read back from the cluster is data too.
    let sb = Sandbox::new();
    let c = case(&sb, false);
    let k = Kubectl::new(c.target.clone()).unwrap();
    let evil = format!("1; touch {}", sb.marker().display());
    assert_eq!(
        sb.run(
            &k.start(&c.manifests).unwrap(),
            &[("STUB_GET_OUTPUT", &evil)]
        ),
        0
    );
    assert!(!sb.marker().exists());
    let argv: Vec<Vec<String>> = sb.calls().into_iter().map(|c| c.0).collect();
    assert_eq!(argv[1].last().unwrap(), &format!("--replicas={evil}"));
}

#[test]
fn delete_status_logs_exec_pass_exact_arguments() {
    let sb = Sandbox::new();
    let c = case(&sb, false);
    let k = Kubectl::new(c.target.clone()).unwrap();
    let command = vec![sb.hostile("sh"), "-c".to_string(), sb.hostile("echo")];
    let container = sb.hostile("app");
    let mut lines = k
        .delete(
            &c.manifests,
            DeleteOptions {
                volumes: true,
                namespace: true,
            },
        )
        .unwrap();
    lines.extend(k.status(&c.manifests).unwrap());
    lines.extend(k.logs(&c.manifests, "web", 7).unwrap());
    lines.extend(
        k.exec(&c.manifests, "web", Some(&container), &command)
            .unwrap(),
    );
    assert_eq!(sb.run(&lines, &[]), 0);
    assert!(!sb.marker().exists());
    let argv: Vec<Vec<String>> = sb.calls().into_iter().map(|c| c.0).collect();
    let ns_flag = format!("--namespace={}", c.ns);
    let g = c.global.len();
    // delete (1) + 3 probes + namespace + status + logs + exec.
    assert_eq!(argv.len(), 8, "{argv:#?}");
    assert!(argv[0][g + 1].ends_with(",persistentvolumeclaim,poddisruptionbudget.policy,secret,service,serviceaccount,statefulset.apps"));
    assert_eq!(
        argv[4],
        with(
            &c.global,
            &[
                "delete",
                "namespace",
                &c.ns,
                "--ignore-not-found=true",
                "--wait=false"
            ]
        )
    );
    assert_eq!(
        argv[5][g..g + 4],
        [
            "get",
            "deployment.apps,statefulset.apps,daemonset.apps,job.batch",
            &ns_flag,
            "--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify"
        ]
    );
    assert_eq!(
        argv[6],
        with(
            &c.global,
            &[
                "logs",
                &ns_flag,
                "--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web",
                "--all-containers=true",
                "--prefix=true",
                "--tail=7"
            ]
        )
    );
    let reference = format!("deployment.apps/{}", c.deployment);
    let container_flag = format!("--container={container}");
    let mut expected = with(
        &c.global,
        &["exec", &reference, &ns_flag, &container_flag, "--"],
    );
    expected.extend(command);
    assert_eq!(argv[7], expected);
}

#[test]
fn secret_values_are_in_the_files_only() {
    let sb = Sandbox::new();
    let c = case(&sb, false);
    let steps = Kubectl::new(c.target.clone())
        .unwrap()
        .apply(&c.manifests)
        .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&c.secret_value);
    for line in steps.lines() {
        assert!(!line.contains(&c.secret_value), "{line}");
        assert!(!line.contains(&b64[..16]), "{line}");
    }
    let body: Value = serde_json::from_str(&steps.files[0].content).unwrap();
    assert_eq!(body["kind"], "List");
    assert_eq!(
        body["items"][0]["stringData"]["PASSWORD"],
        c.secret_value.as_str()
    );
}

/// The pages' lines (issue 11 item 7) run in `bash -se` with hostile names and paths: a
/// copy in feeds the server file to kubectl's stdin, a copy out writes kubectl's stdout to
/// the server file, the scheduled task, logs, pods, poll and terminal lines pass exactly
/// their arguments; with and without sudo.
#[test]
fn pages_lines_pass_exact_arguments_and_stream_files() {
    if !bash_available() {
        eprintln!("skipped: no bash");
        return;
    }
    for sudo in [false, true] {
        let sb = Sandbox::new();
        let c = case(&sb, sudo);
        let k = Kubectl::new(c.target.clone()).unwrap();
        let inside = sb.hostile("/tmp/in");
        let from = sb.dir.join("it's $(x) in.sql");
        std::fs::write(&from, "DUMP\n").unwrap();
        let to = sb.dir.join("out `x` | y.sql");
        let task = sb.hostile("task && date | tee");
        let container = sb.hostile("app");
        let none = ExecOptions::default();
        let mut lines = Vec::new();
        let from_s = from.display().to_string();
        let to_s = to.display().to_string();
        lines.extend(
            k.copy_in(&c.manifests, "web", &from_s, &inside, &none)
                .unwrap(),
        );
        lines.extend(
            k.copy_out(&c.manifests, "web", &inside, &to_s, &none)
                .unwrap(),
        );
        lines.extend(k.scheduled_task(&c.manifests, Some("web"), &task).unwrap());
        let logs = LogOptions {
            tail: Some(5),
            since: Some("5m".into()),
            timestamps: true,
            previous: true,
            container: Some(container.clone()),
            pod: None,
        };
        lines.extend(k.logs_with(&c.manifests, "web", &logs).unwrap());
        lines.extend(k.pods(&c.manifests).unwrap());
        lines.extend(k.status_poll());
        // Last: it reads stdin, which in `bash -se` is the rest of the script.
        lines.extend(k.terminal(&c.manifests, "web", None, None).unwrap());
        assert_eq!(
            sb.run(&lines, &[("STUB_EXEC_OUTPUT", "BACKUP")]),
            0,
            "sudo {sudo}"
        );
        assert!(!sb.marker().exists());
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "BACKUP");
        let calls = sb.calls();
        let argv: Vec<&Vec<String>> = calls.iter().map(|c| &c.0).collect();
        assert_eq!(argv.len(), 7, "{argv:#?}");
        let reference = format!("deployment.apps/{}", c.deployment);
        let ns = format!("--namespace={}", c.ns);
        let cmd = "cat > \"$1\"";
        assert_eq!(
            argv[0],
            &with(
                &c.global,
                &[
                    "exec",
                    "--stdin=true",
                    &reference,
                    &ns,
                    "--",
                    "sh",
                    "-c",
                    cmd,
                    "sh",
                    &inside
                ]
            )
        );
        assert_eq!(calls[0].1.as_deref(), Some(&b"DUMP\n"[..]));
        assert_eq!(
            argv[1],
            &with(&c.global, &["exec", &reference, &ns, "--", "cat", &inside])
        );
        assert_eq!(
            argv[2],
            &with(
                &c.global,
                &["exec", &reference, &ns, "--", "sh", "-c", &task]
            )
        );
        let cflag = format!("--container={container}");
        assert_eq!(
            argv[3],
            &with(
                &c.global,
                &[
                    "logs",
                    &ns,
                    "--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web",
                    &cflag,
                    "--prefix=true",
                    "--tail=5",
                    "--since=5m",
                    "--timestamps=true",
                    "--previous=true",
                ]
            )
        );
        assert_eq!(argv[4][c.global.len()..c.global.len() + 2], ["get", "pods"]);
        assert_eq!(
            argv[5][c.global.len()..c.global.len() + 3],
            ["get", "pods", &ns]
        );
        assert_eq!(
            argv[6],
            &with(
                &c.global,
                &[
                    "exec",
                    "--stdin=true",
                    "--tty=true",
                    &reference,
                    &ns,
                    "--",
                    "sh",
                    "-c",
                    TERMINAL_SHELL
                ]
            )
        );
        assert_eq!(sb.sudo_count(), if sudo { 7 } else { 0 });
    }
}
