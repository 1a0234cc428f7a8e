//! Properties the fuzz targets check on every input, beyond "no panic": the promises of
//! the README (deterministic output, valid names, secrets only in Secrets, one-line quoted
//! command lines, YAML that reads back as the JSON form). A violated property panics, so
//! libFuzzer records the input as a crash.

use base64::Engine as _;
use coolify_k8s_core::compose::SourceFile;
use coolify_k8s_core::kubectl::{DeleteOptions, ExecOptions, Kubectl, LogOptions, ResourceSource};
use coolify_k8s_core::plan::names;
use coolify_k8s_core::Manifests;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub mod watchdog;
pub use watchdog::watch;

/// The marker line that starts another file in a multi-file fuzz input:
/// `#--8<-- NAME` (the first chunk is `compose.yaml`).
pub const FILE_MARKER: &str = "#--8<-- ";

/// Files of a multi-file input named so (`@override`, `@override-2`, …) are further Compose
/// files, merged over the main one in their order, as `docker compose -f compose.yaml -f …`
/// merges them.
pub const OVERRIDE_PREFIX: &str = "@override";

/// The Compose files of a multi-file input: `compose.yaml` (the main chunk), then each
/// [`OVERRIDE_PREFIX`] file in order.
pub fn compose_sources(main: String, files: &[(String, String)]) -> Vec<SourceFile> {
    let mut sources = vec![SourceFile {
        name: "compose.yaml".to_string(),
        text: main,
    }];
    sources.extend(
        files
            .iter()
            .filter(|(name, _)| name.starts_with(OVERRIDE_PREFIX))
            .map(|(name, text)| SourceFile {
                name: name.clone(),
                text: text.clone(),
            }),
    );
    sources
}

/// The caller's variables of a multi-file input: the `KEY=VALUE` lines of its `@env` file.
pub fn caller_variables(files: &[(String, String)]) -> BTreeMap<String, String> {
    files
        .iter()
        .filter(|(name, _)| name == "@env")
        .flat_map(|(_, body)| body.lines())
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Splits a fuzz input into files: the first chunk is the main Compose file, every
/// `#--8<-- NAME` line starts a file `NAME` for the in-memory resolver (`include`,
/// `extends.file`, `env_file`, configs). A plain Compose file is one chunk, so the corpus
/// seeds the target as it is.
pub fn split_files(text: &str) -> (String, Vec<(String, String)>) {
    let mut main = String::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix(FILE_MARKER) {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
        } else {
            main.push_str(line);
        }
    }
    (main, files)
}

fn kind(o: &Value) -> &str {
    o["kind"].as_str().unwrap_or("")
}

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}

/// Every string (keys too) in a JSON tree.
fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k);
            strings(x, out)
        }),
        _ => {}
    }
}

/// Same input, byte-identical output and report.
pub fn check_deterministic(a: &Manifests, b: &Manifests) {
    assert_eq!(a.to_yaml(), b.to_yaml(), "two translations differ");
    assert_eq!(a.warnings(), b.warnings(), "two reports differ");
}

/// Every object's `metadata.name` is valid for its kind, and no two objects share kind,
/// apiVersion and name.
pub fn check_names(m: &Manifests) {
    let mut seen = BTreeSet::new();
    for o in m.objects() {
        let (k, n) = (kind(o), name(o));
        let ok = match k {
            // Kubernetes: a Service name is an RFC 1035 label (starts with a letter), a
            // Namespace name an RFC 1123 label (`9lives` is valid).
            "Service" => names::is_rfc1035_label(n),
            "Namespace" => names::is_dns_label(n),
            "StatefulSet" => names::is_rfc1035_label(n) && n.len() <= names::STATEFULSET_MAX,
            _ => names::is_dns_subdomain(n),
        };
        assert!(ok, "{k} name {n:?} is invalid");
        let ns = o["metadata"]["namespace"].as_str().unwrap_or("");
        assert!(
            ns.is_empty() || names::is_dns_label(ns),
            "{k} {n}: namespace {ns:?} is invalid"
        );
        let key = (k.to_string(), o["apiVersion"].to_string(), n.to_string());
        assert!(seen.insert(key), "two {k} objects named {n:?}");
    }
}

/// No value of a Secret (at least 12 characters, so that a port or `true` does not match
/// by chance, and not written in the input itself, where the user put it in plain sight)
/// appears in another object or in the report. The resource Secret (`<instance>-secrets`)
/// is Coolify's `.env`: it also holds values that are not secret (URLs, the template's
/// defaults, names that are in paths), so there only the secret magic keys count (as in
/// `coolify-k8s-core/tests/corpus_kubectl.rs`).
pub fn check_secrets(m: &Manifests, input: &str) {
    let mut secrets: BTreeSet<String> = BTreeSet::new();
    for o in m.objects().iter().filter(|o| kind(o) == "Secret") {
        let dotenv = is_resource_secret(o);
        let secret_key = |k: &str| {
            !dotenv
                || coolify_k8s_core::compose::MagicVariable::parse(k).is_some_and(|m| m.is_secret())
        };
        for v in o["data"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| secret_key(k))
            .map(|(_, v)| v)
        {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(v.as_str().unwrap_or(""))
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&decoded).to_string();
            if text.len() >= 12 && !text.contains('\n') && !input.contains(&text) {
                secrets.insert(text);
            }
        }
    }
    // A file holding a private key is a Secret's, wherever its text came from.
    for o in m.objects().iter().filter(|o| kind(o) == "ConfigMap") {
        assert!(
            !o["data"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(_, v)| v.as_str())
                .any(coolify_k8s_core::plan::storage::holds_private_key),
            "ConfigMap {} holds a private key",
            name(o)
        );
    }
    check_only_in_secrets(m, &secrets);
}

/// The resource Secret, `<instance>-secrets`, known by the name the plan gives it
/// (`plan::mod`'s `plan_values`) from the instance in its labels (instance and name labels
/// equal, as on every resource-level object). A name alone would not do: a service's own
/// Secret may end in `-secrets` too, and before session 14 a long instance's Secret lost the
/// suffix to the hash (a 97-character URL in `vvvv…-e-03759aa2` passed for a leaked secret).
fn is_resource_secret(o: &Value) -> bool {
    let labels = &o["metadata"]["labels"];
    labels["app.kubernetes.io/instance"]
        .as_str()
        .is_some_and(|i| {
            labels["app.kubernetes.io/name"].as_str() == Some(i)
                && name(o) == names::suffixed(i, "-secrets")
        })
}

/// No value of `secrets` appears in an object other than a Secret, or in the report.
pub fn check_only_in_secrets(m: &Manifests, secrets: &BTreeSet<String>) {
    if secrets.is_empty() {
        return;
    }
    for o in m.objects().iter().filter(|o| kind(o) != "Secret") {
        let mut all = Vec::new();
        strings(o, &mut all);
        for s in all {
            if let Some(x) = secrets.iter().find(|x| s.contains(x.as_str())) {
                panic!(
                    "{} {} holds a secret value ({} chars)",
                    kind(o),
                    name(o),
                    x.len()
                );
            }
        }
    }
    for w in m.warnings() {
        assert!(
            !secrets.iter().any(|s| w.contains(s.as_str())),
            "the report holds a secret value"
        );
    }
}

/// The YAML output read back equals the objects, and so does the JSON output; and the
/// project's YAML writer wrote what serde-saphyr, which it replaced, writes.
pub fn check_yaml_is_json(m: &Manifests) {
    let yaml = m.to_yaml();
    check_yaml_is_serde_saphyr(m, &yaml);
    // serde-saphyr's default budget (250,000 nodes, 1,024 documents) is for untrusted
    // input; this is the project's own output, which a port range of thousands (as Docker
    // publishes them) or thousands of services rightly make larger. Every node and
    // document takes at least one byte of the text, a node two events at most (a
    // collection's start and end), and scalars no more bytes than the text.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = yaml.len().max(budget.max_nodes);
    budget.max_documents = yaml.len().max(budget.max_documents);
    budget.max_events = (yaml.len() * 2 + 16).max(budget.max_events);
    budget.max_total_scalar_bytes = yaml.len().max(budget.max_total_scalar_bytes);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    let back: Vec<Value> =
        serde_saphyr::from_str_multiple_with_options::<Value, Vec<Value>>(&yaml, options)
            .unwrap_or_else(|e| panic!("the YAML output does not parse: {e}\n{yaml}"));
    assert!(
        back == m.objects(),
        "YAML re-read differs from the objects:\n{yaml}"
    );
    let list: Value = serde_json::from_str(&m.to_json()).expect("the JSON output parses");
    assert!(
        list["items"].as_array().map(Vec::as_slice) == Some(m.objects()),
        "JSON output differs from the objects"
    );
}

/// `yaml` (`m.to_yaml()`) is byte for byte serde-saphyr's rendering of the objects
/// (`src/manifests/yaml.rs` writes the same bytes without serde-saphyr's cost).
pub fn check_yaml_is_serde_saphyr(m: &Manifests, yaml: &str) {
    let mut reference = String::new();
    for object in m.objects() {
        reference.push_str("---\n");
        let doc = serde_saphyr::to_string(object).expect("a JSON tree serializes");
        reference.push_str(doc.strip_prefix("---\n").unwrap_or(&doc));
        if !reference.ends_with('\n') {
            reference.push('\n');
        }
    }
    assert!(
        yaml == reference,
        "the YAML writer differs from serde-saphyr:\n--- ours\n{yaml}\n--- serde-saphyr\n{reference}"
    );
}

/// A command line is one physical line with no NUL byte that bash reads as one command list
/// ([`shell_syntax_error`]; bash's own `bash -n` of every line is checked over the corpus by
/// `tests/command_lines_bash.rs`, a bash process per input being too slow here).
pub fn check_line(line: &str) {
    assert!(
        !line.contains(['\n', '\r', '\0']),
        "a command line spans lines or holds NUL: {line:?}"
    );
    assert!(!line.is_empty(), "an empty command line");
    if let Some(e) = shell_syntax_error(line) {
        panic!("a command line does not parse in bash ({e}): {line:?}");
    }
}

/// What bash would need from a next line to finish reading `line` as one command list, as
/// far as bash's quoting rules go (the part user data reaches): a quote (`'…'`, `"…"`,
/// `$'…'`, `` `…` ``), a `$(`, `(` or `${` left open, a `)` closing nothing, a trailing
/// backslash or an operator that wants a next command (`|`, `&&`, `||`). `None` when the
/// line is complete. A `#` starting a word begins a comment, as in bash.
pub fn shell_syntax_error(line: &str) -> Option<&'static str> {
    #[derive(PartialEq)]
    enum Open {
        Paren,
        Brace,
        Double,
        Backtick,
    }
    let b = line.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let in_double = stack.last() == Some(&Open::Double);
        let word_start = i == 0 || b[i - 1].is_ascii_whitespace() || b"(;&|".contains(&b[i - 1]);
        match c {
            b'\\' => {
                if i + 1 >= b.len() {
                    return Some("ends with a backslash");
                }
                i += 1;
            }
            b'\'' if !in_double => match line[i + 1..].find('\'') {
                Some(n) => i += n + 1,
                None => return Some("a single quote is not closed"),
            },
            b'"' if in_double => {
                stack.pop();
            }
            b'"' => stack.push(Open::Double),
            b'`' if stack.last() == Some(&Open::Backtick) => {
                stack.pop();
            }
            b'`' => stack.push(Open::Backtick),
            b'$' if !in_double && b.get(i + 1) == Some(&b'\'') => {
                // ANSI-C quoting: backslash escapes, up to the next unescaped quote.
                let mut j = i + 2;
                loop {
                    match b.get(j) {
                        None => return Some("an ANSI-C quote ($'…') is not closed"),
                        Some(b'\\') => j += 2,
                        Some(b'\'') => break,
                        Some(_) => j += 1,
                    }
                }
                i = j;
            }
            b'$' if b.get(i + 1) == Some(&b'(') => {
                stack.push(Open::Paren);
                i += 1;
            }
            b'$' if b.get(i + 1) == Some(&b'{') => {
                stack.push(Open::Brace);
                i += 1;
            }
            b'(' if !in_double => stack.push(Open::Paren),
            b')' if !in_double => {
                if stack.pop() != Some(Open::Paren) {
                    return Some("a ')' closes nothing");
                }
            }
            b'}' if stack.last() == Some(&Open::Brace) => {
                stack.pop();
            }
            b'#' if stack.is_empty() && word_start => break,
            _ => {}
        }
        i += 1;
    }
    if !stack.is_empty() {
        return Some("a quote, '$(', '(' or '${' is not closed");
    }
    let end = line.trim_end();
    if end.ends_with('|') && !end.ends_with("\\|") || end.ends_with("&&") {
        return Some("ends with an operator that wants a next command");
    }
    None
}

/// Every command builder on `m`; each line is checked with [`check_line`]. Errors are
/// fine (a clear error is the point), panics are not.
pub fn check_commands(k: &Kubectl, m: &Manifests, service: &str) {
    let mut all = Vec::new();
    if let Ok(steps) = k.apply(m) {
        all.extend(steps.lines().cloned());
    }
    all.extend(lifecycle_lines(k, m, service));
    all.extend(k.status_poll());
    for line in &all {
        check_line(line);
    }
}

/// Every line of every builder but `apply` for `service` of a resource (manifests, handle
/// or stored text); errors give no lines. For comparing the sources and checking lines.
pub fn lifecycle_lines(
    k: &Kubectl,
    r: &(impl ResourceSource + ?Sized),
    service: &str,
) -> Vec<String> {
    let mut all = Vec::new();
    all.extend(k.rollout_status(r, 300).unwrap_or_default());
    all.extend(k.restart(r).unwrap_or_default());
    all.extend(k.stop(r).unwrap_or_default());
    all.extend(k.start(r).unwrap_or_default());
    all.extend(k.status(r).unwrap_or_default());
    all.extend(k.pods(r).unwrap_or_default());
    let delete = DeleteOptions {
        volumes: true,
        namespace: true,
    };
    all.extend(k.delete(r, delete).unwrap_or_default());
    all.extend(k.logs(r, service, 100).unwrap_or_default());
    let logs = LogOptions {
        tail: None,
        since: Some("1h".into()),
        timestamps: true,
        previous: true,
        container: Some(service.to_string()),
        pod: Some(format!("{service}-0")),
    };
    all.extend(k.logs_with(r, service, &logs).unwrap_or_default());
    let command = vec!["sh".to_string(), "-c".to_string(), service.to_string()];
    all.extend(
        k.exec(r, service, Some(service), &command)
            .unwrap_or_default(),
    );
    let files = ExecOptions {
        stdin_file: Some(format!("/in/{service}")),
        stdout_file: Some(format!("/out/{service}")),
        ..ExecOptions::default()
    };
    all.extend(
        k.exec_with(r, service, &command, &files)
            .unwrap_or_default(),
    );
    all.extend(k.terminal(r, service, None, None).unwrap_or_default());
    all.extend(
        k.scheduled_task(r, Some(service), service)
            .unwrap_or_default(),
    );
    let none = ExecOptions::default();
    all.extend(
        k.copy_in(r, service, "/srv/in", service, &none)
            .unwrap_or_default(),
    );
    all.extend(
        k.copy_out(r, service, service, "/srv/out", &none)
            .unwrap_or_default(),
    );
    all
}

/// The input as JSON text and its value; `None` when it is not UTF-8 JSON (the targets
/// that take JSON test the translation, not serde_json).
pub fn json_input(data: &[u8]) -> Option<(&str, Value)> {
    let text = std::str::from_utf8(data).ok()?;
    let value = serde_json::from_str(text).ok()?;
    Some((text, value))
}

/// The translator of the attribute targets: the options of the input's `@options` member
/// (taken out of `attrs`; absent: the defaults), with a fixed seed unless they set one, so
/// that two translations of one input agree. `None` when the options are invalid.
pub fn translator_for(attrs: &mut Value) -> Option<coolify_k8s_core::Translator> {
    let mut options = attrs
        .as_object_mut()
        .and_then(|a| a.remove("@options"))
        .unwrap_or_else(|| Value::Object(Default::default()));
    if let Some(o) = options.as_object_mut() {
        o.entry("seed").or_insert_with(|| "fuzz".into());
    }
    let options = coolify_k8s_core::Options::from_value(options).ok()?;
    Some(coolify_k8s_core::Translator::new(options))
}

/// Every property of a successful translation. `again` is a second translation of the
/// same input; `input` is every text the caller gave (for the secrets check).
pub fn check_translation(m: &Manifests, again: &Manifests, input: &str) {
    check_deterministic(m, again);
    check_names(m);
    check_secrets(m, input);
    check_yaml_is_json(m);
    let k = Kubectl::new(Default::default()).expect("the default target is valid");
    // A Deployment's service, else a StatefulSet's (a database's only workload).
    let workload = |k: &str| m.objects().iter().find(|o| kind(o) == k);
    let service = workload("Deployment")
        .or_else(|| workload("StatefulSet"))
        .map(|o| name(o).to_string())
        .unwrap_or_default();
    check_commands(&k, m, &service);
}

#[cfg(test)]
mod tests {
    use super::{is_resource_secret, names, shell_syntax_error};
    use serde_json::json;
    use std::process::Command;

    fn secret(name: &str, instance: &str, app: &str) -> serde_json::Value {
        json!({"kind": "Secret", "metadata": {"name": name, "labels": {
            "app.kubernetes.io/instance": instance, "app.kubernetes.io/name": app}}})
    }

    #[test]
    fn the_resource_secret_is_known_by_its_name_and_labels() {
        let long = format!("{}-e-d55c93c5", "v".repeat(51));
        let shortened = names::suffixed(&long, "-secrets");
        assert!(shortened.len() <= 63 && shortened.ends_with("-secrets"));
        assert!(is_resource_secret(&secret(&shortened, &long, &long)));
        assert!(is_resource_secret(&secret("acme-secrets", "acme", "acme")));
        // The name the plan gave before session 14 is not the resource Secret's any more.
        let hashed = names::object_name(&format!("{long}-secrets"));
        assert!(!is_resource_secret(&secret(&hashed, &long, &long)));
        // A service's own Secret (its name label is the service's) counts every key, even
        // when its name ends in `-secrets`.
        assert!(!is_resource_secret(&secret(&shortened, &long, "web")));
        assert!(!is_resource_secret(&secret("web-secrets", "acme", "web")));
        assert!(!is_resource_secret(&secret(
            "web-secret-files",
            "acme",
            "web"
        )));
    }

    /// bash's own verdict: `bash -n` reads the line as a whole script.
    fn bash_accepts(line: &str) -> bool {
        Command::new("bash")
            .args(["-n", "-c", line])
            .output()
            .expect("bash runs")
            .status
            .success()
    }

    /// The lexer agrees with `bash -n` on complete and incomplete lines of the shapes the
    /// builders write (quoted words, ANSI-C words, `bash -c` scripts, pipes, substitutions).
    #[test]
    fn agrees_with_bash() {
        let complete = [
            "kubectl get pods -n 'it'\\''s'",
            "kubectl exec web -- sh -c $'a\\x0ab \\x27 \\\\'",
            "bash -c 'x=$(kubectl get pods | head -1); echo \"$x\"'",
            "echo \"a $(echo \"b)\") `id`\" ${HOME:-/} && (x) || z | w",
            "echo a # an open ' quote in a comment",
            "echo a\\ b",
            "echo a#b 'c'",
        ];
        let incomplete = [
            "echo 'a",
            "echo \"a",
            "echo $'a\\'",
            "echo $(a",
            "echo `a",
            "echo a)",
            "echo ${a",
            "echo a |",
            "echo a &&",
            "echo a ||",
            "echo 'it'\\''s",
        ];
        for line in complete {
            assert!(bash_accepts(line), "bash rejects {line:?}");
            assert_eq!(shell_syntax_error(line), None, "{line:?}");
        }
        for line in incomplete {
            assert!(!bash_accepts(line), "bash accepts {line:?}");
            assert!(shell_syntax_error(line).is_some(), "{line:?}");
        }
        // bash -n takes a trailing backslash at the end of a script, but Coolify joins the
        // lines with newlines, where it would continue this line into the next one.
        assert!(shell_syntax_error("echo a \\").is_some());
    }
}
