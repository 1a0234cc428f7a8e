//! Corpus-wide checks of the command lines (`../shared/corpus`, skipped when absent): for
//! every Coolify template and every kompose fixture that translates, every line of every
//! builder
//!
//! - holds no Secret value, neither as written nor base64-encoded at any byte alignment
//!   (Coolify stores and shows command text: `app/Traits/ExecuteRemoteCommand.php`);
//! - has the shapes that survive Coolify's sudo rewriting (`bootstrap/helpers/sudo.php`): a
//!   `bash -c` script, or kubectl calls whose only rewritten sequence is the one `||` of the
//!   namespace line.

mod convert_support;

use base64::Engine as _;
use convert_support::{corpus, kompose_inputs, options, stem, templates, translate_with};
use coolify_k8s_core::kubectl::{
    DeleteOptions, ExecOptions, Kubectl, LogOptions, ResourceSource, Stored, Target,
};
use coolify_k8s_core::Manifests;
use serde_json::Value;

/// Every line of every builder for `m`.
fn all_lines(k: &Kubectl, m: &Manifests) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let steps = k.apply(m).expect("apply");
    lines.extend(steps.lines().cloned());
    lines.extend(lifecycle_lines(k, m, &workloads(m)));
    lines.extend(k.status_poll());
    lines
}

/// Workloads of `m`: (kind, name, first container).
fn workloads(m: &Manifests) -> Vec<(String, String, Option<String>)> {
    m.objects()
        .iter()
        .filter(|o| {
            matches!(
                o["kind"].as_str().unwrap_or(""),
                "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob"
            )
        })
        .map(|o| {
            let kind = o["kind"].as_str().unwrap_or("").to_string();
            let containers = if kind == "CronJob" {
                &o["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
            } else {
                &o["spec"]["template"]["spec"]["containers"]
            };
            let container = containers[0]["name"].as_str().map(str::to_string);
            (
                kind,
                o["metadata"]["name"].as_str().unwrap_or("").to_string(),
                container,
            )
        })
        .collect()
}

/// Every line of every builder but `apply`, from any source of the resource.
fn lifecycle_lines(
    k: &Kubectl,
    r: &(impl ResourceSource + ?Sized),
    workloads: &[(String, String, Option<String>)],
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(k.rollout_status(r, 300).expect("rollout"));
    lines.extend(k.restart(r).expect("restart"));
    lines.extend(k.stop(r).expect("stop"));
    lines.extend(k.start(r).expect("start"));
    lines.extend(k.delete(r, DeleteOptions::default()).expect("delete"));
    lines.extend(
        k.delete(
            r,
            DeleteOptions {
                volumes: false,
                namespace: true,
            },
        )
        .expect("delete"),
    );
    lines.extend(k.status(r).expect("status"));
    lines.extend(k.pods(r).expect("pods"));
    for (kind, name, container) in workloads {
        lines.extend(k.logs(r, name, 100).expect("logs"));
        let options = LogOptions {
            tail: None,
            since: Some("10m".into()),
            timestamps: true,
            previous: true,
            container: container.clone(),
            pod: Some(format!("{name}-0")),
        };
        lines.extend(k.logs_with(r, name, &options).expect("logs_with"));
        if kind == "CronJob" {
            continue;
        }
        lines.extend(
            k.exec(r, name, None, &["sh".into(), "-c".into(), "env".into()])
                .expect("exec"),
        );
        let files = ExecOptions {
            container: container.clone(),
            pod: None,
            stdin_file: Some("/data/coolify/in.sql".into()),
            stdout_file: Some("/data/coolify/out.sql".into()),
        };
        lines.extend(
            k.exec_with(r, name, &["pg_dump".into()], &files)
                .expect("exec_with"),
        );
        lines.extend(
            k.terminal(r, name, container.as_deref(), None)
                .expect("terminal"),
        );
        lines.extend(
            k.scheduled_task(r, Some(name), "php artisan schedule:run && date")
                .expect("scheduled_task"),
        );
        let chosen = ExecOptions {
            container: container.clone(),
            ..ExecOptions::default()
        };
        lines.extend(
            k.copy_in(
                r,
                name,
                "/data/coolify/import/dump.gz",
                "/tmp/dump.gz",
                &chosen,
            )
            .expect("copy_in"),
        );
        lines.extend(
            k.copy_out(
                r,
                name,
                "/tmp/dump.gz",
                "/data/coolify/backups/dump.gz",
                &chosen,
            )
            .expect("copy_out"),
        );
    }
    lines
}

/// Every secret value of every Secret: `stringData` as written, `data` decoded.
fn secret_values(m: &Manifests) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for o in m.objects().iter().filter(|o| o["kind"] == "Secret") {
        if let Some(map) = o["stringData"].as_object() {
            out.extend(
                map.values()
                    .filter_map(Value::as_str)
                    .map(|s| s.as_bytes().to_vec()),
            );
        }
        // The resource Secret is Coolify's `.env`: it also holds values that are not secret
        // (URLs, the template's defaults, names that are in paths); its secret keys are the
        // magic ones.
        let dotenv = o["metadata"]["name"]
            .as_str()
            .is_some_and(|n| n.ends_with("-secrets"));
        if let Some(map) = o["data"].as_object() {
            let secret = |k: &str| {
                !dotenv
                    || coolify_k8s_core::compose::MagicVariable::parse(k)
                        .is_some_and(|m| m.is_secret())
            };
            for v in map
                .iter()
                .filter(|(k, _)| secret(k))
                .filter_map(|(_, v)| v.as_str())
            {
                out.push(
                    base64::engine::general_purpose::STANDARD
                        .decode(v)
                        .expect("Secret data is base64"),
                );
            }
        }
    }
    out
}

/// The texts that give `value` away: itself, and its base64 encoding as it appears inside a
/// longer base64 stream at each of the three byte alignments (the whole groups only).
/// Values shorter than 6 bytes (`1`, `true`, `admin`) are left out: such words are in
/// lines for other reasons, and give away little.
fn needles(value: &[u8]) -> Vec<String> {
    if value.len() < 6 {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Ok(s) = std::str::from_utf8(value) {
        out.push(s.to_string());
    }
    for skip in 0..3 {
        let rest = &value[skip..];
        let whole = rest.len() / 3 * 3;
        if whole >= 6 {
            out.push(base64::engine::general_purpose::STANDARD.encode(&rest[..whole]));
        }
    }
    out
}

/// The shapes that survive the rewriting: a script, or no rewritten sequence but the
/// namespace line's one `|| kubectl`.
fn runner_shape_problem(line: &str) -> Option<&'static str> {
    let body = line.strip_prefix("sudo ").unwrap_or(line);
    if body.starts_with("bash -c '") && body.ends_with('\'') {
        return None;
    }
    if line.contains("$(") || line.contains('`') || line.contains("&&") || line.contains(" | ") {
        return Some("a rewritten sequence outside a script");
    }
    match line.split_once("||") {
        None => None,
        Some((_, after)) if after.contains("||") => Some("two ||"),
        Some((_, after))
            if after.starts_with(" kubectl ") || after.starts_with(" sudo kubectl ") =>
        {
            None
        }
        Some(_) => Some("|| not followed by a kubectl call"),
    }
}

#[test]
fn no_secret_value_in_any_line_and_every_line_survives_the_runner() {
    let Some(corpus) = corpus() else { return };
    let mut inputs = templates(&corpus);
    inputs.extend(kompose_inputs(&corpus));
    let (mut translated, mut secrets, mut lines_checked) = (0, 0, 0);
    let mut problems = Vec::new();
    for sudo in [false, true] {
        let k = Kubectl::new(Target {
            sudo,
            ..Target::default()
        })
        .unwrap();
        for p in &inputs {
            // Named after the file, as Coolify names a resource (kompose fixtures have no
            // `name:`, and the builders need the instance label).
            let named = coolify_k8s_core::Options {
                name: Some(stem(p).to_ascii_lowercase().replace('_', "-")),
                ..options()
            };
            let Ok(m) = translate_with(p, named) else {
                continue;
            };

            translated += 1;
            if m.objects().iter().all(|o| o["kind"] == "Namespace") {
                // A Compose file without services: the builders have no resource to act on.
                println!("{}: nothing to deploy", stem(p));
                continue;
            }
            let lines = all_lines(&k, &m);
            let values = secret_values(&m);
            secrets += values.len();
            for line in &lines {
                lines_checked += 1;
                for v in &values {
                    for needle in needles(v) {
                        if line.contains(&needle) {
                            problems.push(format!("{}: a Secret value is in {line}", stem(p)));
                        }
                    }
                }
                if let Some(why) = runner_shape_problem(line) {
                    problems.push(format!("{}: {why}: {line}", stem(p)));
                }
            }
        }
    }
    println!("{translated} translations, {secrets} Secret values, {lines_checked} lines checked");
    // Twice (without and with sudo): 354 inputs with 506 Secret values each time.
    assert!(translated >= 600, "{translated}");
    assert!(secrets >= 1000, "{secrets}");
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checks_find_what_they_look_for() {
    // A value inside a base64 stream at any alignment is found.
    let secret = b"hunter2-is-my-password";
    for prefix in ["", "x", "xy", "xyz"] {
        let stream = base64::engine::general_purpose::STANDARD
            .encode([prefix.as_bytes(), secret, b"-tail"].concat());
        assert!(
            needles(secret).iter().any(|n| stream.contains(n)),
            "prefix {prefix:?}"
        );
    }
    assert_eq!(
        runner_shape_problem("kubectl a || { echo x; }"),
        Some("|| not followed by a kubectl call")
    );
    assert_eq!(
        runner_shape_problem("replicas=$(kubectl get x)"),
        Some("a rewritten sequence outside a script")
    );
    assert_eq!(runner_shape_problem("sudo bash -c 'a | b'"), None);
    assert_eq!(
        runner_shape_problem("kubectl get ns a >/dev/null 2>&1 || kubectl create ns a"),
        None
    );
}

/// Issue 11 item 6: the lifecycle lines Coolify builds long after a deployment, from what it
/// stored (the handle, or the manifests' JSON with or without Secret data), are the lines
/// of the manifests themselves; an apply from a handle or from JSON without its Secret data
/// is refused; no
/// stored text holds a Secret value.
#[test]
fn stored_handle_and_json_give_the_same_lines_and_hold_no_secret() {
    let Some(corpus) = corpus() else { return };
    let mut inputs = templates(&corpus);
    inputs.extend(kompose_inputs(&corpus));
    let k = Kubectl::new(Target::default()).unwrap();
    let (mut compared, mut lines_compared, mut secrets) = (0, 0, 0);
    let mut problems = Vec::new();
    for p in &inputs {
        let named = coolify_k8s_core::Options {
            name: Some(stem(p).to_ascii_lowercase().replace('_', "-")),
            ..options()
        };
        let Ok(m) = translate_with(p, named) else {
            continue;
        };
        if m.objects().iter().all(|o| o["kind"] == "Namespace") {
            continue;
        }
        compared += 1;
        let w = workloads(&m);
        let want = lifecycle_lines(&k, &m, &w);
        lines_compared += want.len();
        let handle = m.handle().expect("handle").to_json();
        let without = m.to_json_without_secret_data();
        let values = secret_values(&m);
        secrets += values.len();
        for (form, text) in [("handle", &handle), ("toJson without secrets", &without)] {
            for v in &values {
                if needles(v).iter().any(|n| text.contains(n)) {
                    problems.push(format!("{}: a Secret value is in the {form}", stem(p)));
                }
            }
            let stored = Stored::from_json(text).expect("stored text reads back");
            if lifecycle_lines(&k, &stored, &w) != want {
                problems.push(format!("{}: the {form} gives other lines", stem(p)));
            }
            // Refused from a handle, and from JSON that lost Secret data (it would empty the
            // Secrets); JSON of manifests without a Secret lost nothing.
            let has_secret = m.objects().iter().any(|o| o["kind"] == "Secret");
            if k.apply(&stored).is_ok() && (form == "handle" || has_secret) {
                problems.push(format!("{}: apply accepted the {form}", stem(p)));
            }
        }
        let full = Stored::from_json(&m.to_json()).expect("toJson reads back");
        if lifecycle_lines(&k, &full, &w) != want
            || k.apply(&full)
                .expect("apply of toJson")
                .lines()
                .collect::<Vec<_>>()
                != k.apply(&m).expect("apply").lines().collect::<Vec<_>>()
        {
            problems.push(format!("{}: toJson gives other lines", stem(p)));
        }
    }
    println!(
        "{compared} resources, {lines_compared} lines each from 4 sources, {secrets} Secret values"
    );
    assert!(compared >= 300, "{compared}");
    assert!(secrets >= 500, "{secrets}");
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
