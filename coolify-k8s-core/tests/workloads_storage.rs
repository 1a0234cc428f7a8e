//! Issue 9, rules 3, 5, 6, 7, 8 on a fixture of our own in Coolify's dialect
//! (`testdata/workloads-storage/docker-compose.yaml`), then over every template of the
//! corpus (`../shared/corpus`; skipped with a message when absent).
//!
//! - rule 3: `user: root` runs as uid 0; a numeric user gets `fsGroup` (OnRootMismatch);
//!   claims are mounted at a `subPath`; a new named volume gets the image's content once;
//! - rule 5: every stored variable reaches every container (Coolify's `env_file: .env`,
//!   `bootstrap/helpers/parsers.php`);
//! - rule 6: no caller value inline in a workload;
//! - rule 7: shared volumes are ReadWriteOnce with the sharers on one node;
//! - rule 8: `/run/dbus` is no claim; `/dev/net/tun` a `CharDevice` under hostpath.

mod convert_support;

use convert_support::{corpus, templates, DirFiles};
use coolify_k8s_core::compose::{self, LoadOptions, SourceFile};
use coolify_k8s_core::options::BindMounts;
use coolify_k8s_core::plan::names::dns_label;
use coolify_k8s_core::{Manifests, Options, Translator};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const FIXTURE: &str = "tests/testdata/workloads-storage/docker-compose.yaml";
/// A variable no template names: it must still reach every container.
const EXTRA: &str = "COOLIFY_K8S_EXTRA_STORED";
/// Every caller value carries this, so that an inline copy is found.
const MARK: &str = "caller-value-7f3a";

fn translate(
    path: &Path,
    text: &str,
    env: &BTreeMap<String, String>,
    options: Options,
) -> Manifests {
    let files = [SourceFile {
        name: path.to_string_lossy().into_owned(),
        text: text.to_string(),
    }];
    Translator::new(options)
        .compose_files(&files, env, &DirFiles)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture(options: Options) -> Manifests {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let text = std::fs::read_to_string(&path).unwrap();
    let env = BTreeMap::from([
        ("API_TOKEN".to_string(), format!("{MARK}-token")),
        ("API_USER".to_string(), format!("{MARK}-user")),
        (EXTRA.to_string(), format!("{MARK}-extra")),
    ]);
    translate(
        &path,
        &text,
        &env,
        Options {
            seed: Some("fixture".into()),
            ..options
        },
    )
}

/// The workloads (objects with a pod template), by name.
fn workloads(m: &Manifests) -> BTreeMap<String, &Value> {
    m.objects()
        .iter()
        .filter(|o| o["spec"]["template"]["spec"].is_object())
        .filter_map(|o| Some((o["metadata"]["name"].as_str()?.to_string(), o)))
        .collect()
}

/// A workload's `app.kubernetes.io/name` (its normalized service name).
fn label(w: &Value) -> &str {
    w["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        .as_str()
        .unwrap_or_default()
}

fn pod(w: &Value) -> &Value {
    &w["spec"]["template"]["spec"]
}

fn containers(w: &Value) -> Vec<&Value> {
    pod(w)["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .collect()
}

fn by_kind<'a>(m: &'a Manifests, kind: &str) -> Vec<&'a Value> {
    m.objects().iter().filter(|o| o["kind"] == kind).collect()
}

/// Every string a workload's containers run with inline: `value:`s, `command`, `args`.
fn inline_strings(w: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let all = pod(w)["containers"]
        .as_array()
        .into_iter()
        .chain(pod(w)["initContainers"].as_array())
        .flatten();
    for c in all {
        for e in c["env"].as_array().into_iter().flatten() {
            out.extend(e["value"].as_str().map(str::to_string));
        }
        for k in ["command", "args"] {
            for a in c[k].as_array().into_iter().flatten() {
                out.extend(a.as_str().map(str::to_string));
            }
        }
    }
    out
}

fn env_from_secret(c: &Value) -> Vec<&str> {
    c["envFrom"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["secretRef"]["name"].as_str())
        .collect()
}

#[test]
fn fixture_root_fs_group_and_first_use() {
    let m = fixture(Options::default());
    let w = workloads(&m);
    // Rule 3: root is uid 0, numeric users get fsGroup.
    assert_eq!(containers(w["app"])[0]["securityContext"]["runAsUser"], 0);
    assert!(pod(w["app"])["securityContext"]["fsGroup"].is_null());
    assert_eq!(pod(w["worker"])["securityContext"]["fsGroup"], 1000);
    assert_eq!(
        pod(w["worker"])["securityContext"]["fsGroupChangePolicy"],
        "OnRootMismatch"
    );
    assert_eq!(pod(w["db"])["securityContext"]["fsGroup"], 70);
    // Claims at a subPath, the image's content copied once into named volumes.
    for m in containers(w["db"])[0]["volumeMounts"].as_array().unwrap() {
        assert_eq!(m["subPath"], "data", "{m}");
    }
    let init = &pod(w["app"])["initContainers"][0];
    assert_eq!(init["name"], "coolify-volumes");
    assert_eq!(init["image"], "ghcr.io/acme/app:1.4");
    assert_eq!(init["securityContext"]["runAsUser"], 0);
    let script = init["command"][2].as_str().unwrap();
    assert!(
        script.contains("cp -a '/opt/app'/. '/coolify-volumes/app-code'/data"),
        "{script}"
    );
    assert!(
        script.contains("'/coolify-volumes/app-code'/.coolify-seeded"),
        "{script}"
    );
    // nocopy is honoured; a bind claim gets nothing copied.
    let worker_init = pod(w["worker"])["initContainers"][0]["command"][2]
        .as_str()
        .unwrap_or_default();
    assert!(worker_init.contains("/srv/uploads"), "{worker_init}");
    assert!(
        !worker_init.contains("/scratch") && !worker_init.contains("/cache"),
        "{worker_init}"
    );
    // Rule 11: no "is a name" for root.
    assert!(!m.warnings().iter().any(|w| w.contains("is a name")));
}

#[test]
fn fixture_env_and_caller_values() {
    let m = fixture(Options::default());
    let secret = by_kind(&m, "Secret")
        .into_iter()
        .find(|s| s["metadata"]["name"] == "workloads-storage-secrets")
        .expect("the resource Secret");
    // Rule 5: every stored variable, named in the template or not, in every container.
    assert!(secret["data"][EXTRA].is_string());
    assert!(
        secret["data"]["APP_MODE"].is_string(),
        "a template default is stored too"
    );
    for (name, w) in workloads(&m) {
        for c in containers(w) {
            assert_eq!(
                env_from_secret(c),
                vec!["workloads-storage-secrets"],
                "{name}"
            );
        }
        // Rule 6: no caller value inline.
        for s in inline_strings(w) {
            assert!(!s.contains(MARK), "{name}: {s}");
        }
    }
    let app = containers(workloads(&m)["app"])[0];
    let env: BTreeMap<&str, &Value> = app["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e))
        .collect();
    assert_eq!(
        env["API_TOKEN"]["valueFrom"]["secretKeyRef"]["key"],
        "API_TOKEN"
    );
    assert_eq!(env["GREETING"]["value"], "hello $(API_USER)!");
    assert_eq!(
        env["API_USER"]["valueFrom"]["secretKeyRef"]["key"],
        "API_USER"
    );
    assert_eq!(
        env["MODE"]["value"], "production",
        "template literals stay inline"
    );
    assert_eq!(app["args"][2], "$(API_TOKEN)");
}

#[test]
fn fixture_single_host_storage_and_host_resources() {
    let m = fixture(Options {
        volume_sizes: BTreeMap::from([("db-data".to_string(), "20Gi".to_string())]),
        ..Default::default()
    });
    let claims: BTreeMap<&str, &Value> = by_kind(&m, "PersistentVolumeClaim")
        .into_iter()
        .map(|c| (c["metadata"]["name"].as_str().unwrap(), c))
        .collect();
    // Rule 7: shared → ReadWriteOnce and the sharers on one node.
    assert_eq!(claims["uploads"]["spec"]["accessModes"][0], "ReadWriteOnce");
    assert_eq!(
        claims["db-data"]["spec"]["resources"]["requests"]["storage"],
        "20Gi"
    );
    assert_eq!(
        claims["app-code"]["spec"]["resources"]["requests"]["storage"],
        "1Gi"
    );
    let w = workloads(&m);
    for name in ["app", "worker"] {
        let term = &pod(w[name])["affinity"]["podAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"][0];
        assert_eq!(
            term["labelSelector"]["matchLabels"]["coolify.io/volume-group"],
            "uploads"
        );
        assert_eq!(term["topologyKey"], "kubernetes.io/hostname");
        assert_eq!(
            w[name]["spec"]["template"]["metadata"]["labels"]["coolify.io/volume-group"],
            "uploads"
        );
    }
    assert!(pod(w["db"])["affinity"].is_null());
    assert!(m.warnings().iter().any(|w| w.contains("requests 1Gi")));
    // Rule 8: /run/dbus is not a claim; /dev/net/tun is not mounted without hostPath.
    assert!(!claims.keys().any(|c| c.contains("dbus")));
    assert!(!m
        .warnings()
        .iter()
        .any(|w| w.contains("device plugin on Kubernetes; not mapped")));
    let m = fixture(Options {
        bind_mounts: BindMounts::Hostpath,
        ..Default::default()
    });
    let w = workloads(&m);
    let vpn = pod(w["vpn"])["volumes"][0]["hostPath"].clone();
    assert_eq!(vpn["path"], "/dev/net/tun");
    assert_eq!(vpn["type"], "CharDevice");
    assert_eq!(
        pod(w["app"])["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["hostPath"]["path"] == "/run/dbus")
            .count(),
        1
    );
    // The worker's bind folder gets its group as fsGroup would.
    let init = pod(w["worker"])["initContainers"][0]["command"][2]
        .as_str()
        .unwrap();
    assert!(init.contains("chgrp -R 1000"), "{init}");
}

/// Every template, with every variable it names given by the caller: `user: root` runs
/// as 0, numeric users get fsGroup, an extra stored variable reaches every container, no
/// caller value is inline in a workload.
#[test]
fn every_template_runs_users_env_and_caller_values_as_on_docker() {
    let Some(corpus) = corpus() else { return };
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in templates(&corpus) {
        let text = std::fs::read_to_string(&p).unwrap();
        // Every variable the template names, given by the caller: its default (or a
        // placeholder) marked, except numbers, which stand in ports, ids and counts.
        let mut env = convert_support::caller_values(&text);
        for (name, default) in referenced_variables(&text) {
            if !name.starts_with("SERVICE_") {
                env.entry(name).or_insert(default);
            }
        }
        let mut env: BTreeMap<String, String> = env
            .into_iter()
            .map(|(k, v)| {
                let plain = k == "COOLIFY_VOLUME_APP"
                    || v.parse::<f64>().is_ok()
                    || v == "true"
                    || v == "false";
                let v = if plain { v } else { format!("{v}{MARK}") };
                (k, v)
            })
            .collect();
        env.insert(EXTRA.into(), format!("{MARK}-extra"));
        let files = [SourceFile {
            name: p.to_string_lossy().into_owned(),
            text: text.clone(),
        }];
        let load_options = LoadOptions {
            variables: env.clone(),
            ..Default::default()
        };
        let Ok(loaded) = compose::load(&files, &load_options, &DirFiles) else {
            failures.push(format!("{}: does not load", p.display()));
            continue;
        };
        let mut options = convert_support::options();
        for (name, svc) in &loaded.project.services {
            if svc.image.is_none() {
                options
                    .images
                    .insert(name.clone(), format!("registry.example/{name}:latest"));
            }
        }
        let m = match Translator::new(options).compose_files(&files, &env, &DirFiles) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{}: {e}", p.display()));
                continue;
            }
        };
        checked += 1;
        let stem = convert_support::stem(&p);
        let secrets: Vec<&Value> = by_kind(&m, "Secret");
        let resource = secrets
            .iter()
            .find(|s| s["data"][EXTRA].is_string())
            .and_then(|s| s["metadata"]["name"].as_str());
        let Some(resource) = resource else {
            failures.push(format!(
                "{stem}: no Secret holds the stored variable {EXTRA}"
            ));
            continue;
        };
        for (name, w) in workloads(&m) {
            let user = loaded
                .project
                .services
                .iter()
                .find(|(n, _)| dns_label(n, 63) == label(w))
                .and_then(|(_, s)| s.user.clone());
            for c in containers(w) {
                if !env_from_secret(c).contains(&resource) {
                    failures.push(format!(
                        "{stem}/{name}: the stored variables are not in the container {}",
                        c["name"]
                    ));
                }
            }
            if let Some(user) = user {
                let (u, g) = user
                    .split_once(':')
                    .map(|(u, g)| (u.to_string(), Some(g.to_string())))
                    .unwrap_or((user.clone(), None));
                let main = containers(w)[0];
                if u == "root" || u == "0" {
                    if main["securityContext"]["runAsUser"] != 0 {
                        failures.push(format!("{stem}/{name}: user {user} does not run as 0"));
                    }
                } else if let Ok(uid) = u.parse::<i64>() {
                    let want = g.and_then(|g| g.parse::<i64>().ok()).unwrap_or(uid);
                    if pod(w)["securityContext"]["fsGroup"] != want {
                        failures.push(format!("{stem}/{name}: user {user} has no fsGroup {want}"));
                    }
                }
            }
            for s in inline_strings(w) {
                if s.contains(MARK) {
                    failures.push(format!("{stem}/{name}: a caller value is inline: {s}"));
                }
            }
        }
    }
    assert!(checked >= 250 || checked == 0, "{checked}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The `${VAR}` / `${VAR:-default}` / `$VAR` references of a template, with their default
/// (`value` when none).
fn referenced_variables(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        if b.get(i + 1) == Some(&b'$') {
            i += 2;
            continue;
        }
        let braced = b.get(i + 1) == Some(&b'{');
        let start = if braced { i + 2 } else { i + 1 };
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        if j == start || b[start].is_ascii_digit() {
            i += 1;
            continue;
        }
        let name = text[start..j].to_string();
        // A port without a default (`${PORT}:25565`) must still be a port.
        let mut default = if name.ends_with("PORT") {
            "8080"
        } else {
            "value"
        }
        .to_string();
        if braced && (text[j..].starts_with(":-") || text[j..].starts_with('-')) {
            let from = j + if text[j..].starts_with(":-") { 2 } else { 1 };
            if let Some(end) = text[from..].find(['}', '$']) {
                if !text[from..from + end].is_empty() {
                    default = text[from..from + end].to_string();
                }
            }
        }
        out.entry(name).or_insert(default);
        i = j;
    }
    out
}

/// Secrets only in Secrets: a private key written into a `content:` file or a Compose
/// `configs` entry (Coolify's database TLS keys are such files) never lands in a
/// ConfigMap, while the certificate beside it may.
#[test]
fn private_key_files_go_into_secrets() {
    let key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-private-7f3a\n-----END PRIVATE KEY-----\n";
    let cert = "-----BEGIN CERTIFICATE-----\nMIIB-public\n-----END CERTIFICATE-----\n";
    let indent = |s: &str| {
        s.lines()
            .map(|l| format!("          {l}\n"))
            .collect::<String>()
    };
    let text = format!(
        "services:\n  web:\n    image: nginx:1.27\n    configs:\n      - source: tls_key\n        target: /etc/tls/key.pem\n    volumes:\n      - type: bind\n        source: ./certs/server.key\n        target: /certs/server.key\n        content: |\n{}      - type: bind\n        source: ./certs/server.crt\n        target: /certs/server.crt\n        content: |\n{}configs:\n  tls_key:\n    content: |\n{}",
        indent(key),
        indent(cert),
        indent(key).replacen("          ", "      ", usize::MAX)
    );
    let m = translate(
        Path::new("/tmp/keys/docker-compose.yaml"),
        &text,
        &BTreeMap::new(),
        Options::default(),
    );
    let yaml = m.to_yaml();
    for o in m.objects() {
        let body = serde_json::to_string(o).unwrap();
        if o["kind"] != "Secret" {
            assert!(!body.contains("private-7f3a"), "{}: {body}", o["kind"]);
        }
    }
    use base64::Engine as _;
    let secret_files: Vec<String> = by_kind(&m, "Secret")
        .iter()
        .flat_map(|s| s["data"].as_object().into_iter().flatten())
        .filter_map(|(_, v)| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(v.as_str()?)
                .ok()?;
            String::from_utf8(bytes).ok()
        })
        .filter(|body| body.contains("private-7f3a"))
        .collect();
    assert_eq!(secret_files.len(), 2, "{yaml}");
    // The certificate is not secret: it stays in the service's ConfigMap.
    assert!(by_kind(&m, "ConfigMap")
        .iter()
        .any(|c| serde_json::to_string(c).unwrap().contains("MIIB-public")));
}

/// Docker Compose copies a `configs` / `secrets` body from `content` or `environment` into
/// the container: mode 0444 unless the reference sets one, owned by its `uid` / `gid`
/// (each 0 when absent). It bind-mounts a `file` source as it is and ignores the three
/// (`docker/compose` `pkg/compose/secrets.go`). A non-numeric id fails the deployment.
#[test]
fn configs_and_secrets_are_owned_as_docker_compose_copies_them_in() {
    let text = r#"
services:
  web:
    image: nginx:1.27
    configs:
      - plain
      - source: owned
        target: /etc/app/owned.conf
        uid: "101"
        mode: 0400
      - source: onfile
        uid: "5"
        mode: 0600
    secrets:
      - source: token
        gid: "7"
configs:
  plain:
    content: plain body
  owned:
    content: owned body
  onfile:
    file: ./on-disk.conf
secrets:
  token:
    environment: API_TOKEN
"#;
    let files = coolify_k8s_core::compose::MemoryFiles::new([
        ("/srv/app/docker-compose.yaml", text),
        ("/srv/app/on-disk.conf", "from disk"),
    ]);
    let source = [SourceFile {
        name: "/srv/app/docker-compose.yaml".into(),
        text: text.into(),
    }];
    let env = BTreeMap::from([("API_TOKEN".to_string(), "token-value-0c1d".to_string())]);
    let m = Translator::new(Options::default())
        .compose_files(&source, &env, &files)
        .unwrap();
    let w = workloads(&m)["web"];
    let spec = pod(w);
    let volume = |name: &str| {
        spec["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no volume {name}: {}", spec["volumes"]))
    };
    let mount = |path: &str| {
        containers(w)[0]["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["mountPath"] == path)
            .cloned()
            .unwrap_or_else(|| panic!("nothing at {path}"))
    };
    // No owner: mounted straight from the ConfigMap, with Docker's mode 0444 (292).
    assert_eq!(mount("/plain")["name"], "configs-plain");
    assert_eq!(
        volume("configs-plain")["configMap"]["items"][0]["mode"],
        292
    );
    // A file source: as it is; its uid and mode are reported, not applied.
    assert_eq!(mount("/onfile")["name"], "configs-onfile");
    assert!(volume("configs-onfile")["configMap"]["items"][0]["mode"].is_null());
    let dropped: Vec<String> = m
        .report()
        .entries()
        .iter()
        .filter(|e| e.path.to_string().starts_with("services.web.configs[2]"))
        .map(|e| e.path.to_string())
        .collect();
    assert_eq!(
        dropped,
        [
            "services.web.configs[2].mode",
            "services.web.configs[2].uid"
        ]
    );
    // An owner: copied into memory, chowned and chmodded, then mounted from there.
    let owned = mount("/etc/app/owned.conf");
    assert_eq!(owned["name"], "owned-files");
    assert_eq!(owned["subPath"], "configs-owned/owned");
    let token = mount("/run/secrets/token");
    assert_eq!(token["name"], "owned-files");
    assert_eq!(token["subPath"], "secrets-token/token");
    assert_eq!(volume("owned-files")["emptyDir"]["medium"], "Memory");
    let init = spec["initContainers"]
        .as_array()
        .and_then(|i| i.iter().find(|c| c["name"] == "coolify-volumes"))
        .expect("an init container");
    let script = init["command"][2].as_str().unwrap();
    assert!(
        script.contains("/configs-owned/owned' && chown '101:0' '/coolify-volumes/owned-files/configs-owned/owned' && chmod '0400'"),
        "{script}"
    );
    assert!(
        script.contains("/secrets-token/token' && chown '0:7' '/coolify-volumes/owned-files/secrets-token/token' && chmod '0444'"),
        "{script}"
    );
    // The token stays a Secret's.
    assert!(volume("secrets-token")["secret"]["secretName"].is_string());

    // Docker Compose refuses an id that is not a number; so does the translation.
    let bad = text.replace("gid: \"7\"", "gid: www");
    let source = [SourceFile {
        name: "/srv/app/docker-compose.yaml".into(),
        text: bad,
    }];
    let e = Translator::new(Options::default())
        .compose_files(&source, &env, &files)
        .unwrap_err();
    assert!(e.to_string().contains("services.web.secrets[0].gid"), "{e}");
}

/// A `content: ""` file storage is a file Coolify creates empty once and keeps (`touch`,
/// which never truncates, in `LocalFileVolume::saveStorageOnServer`): filebrowser keeps its
/// database in one. It is a file of a claim that the init container creates, writable, not
/// a read-only ConfigMap key emptied on every deployment; under `bind_mounts=hostpath`, a
/// `hostPath` of type `FileOrCreate`. A file with content stays in the ConfigMap.
#[test]
fn an_empty_content_file_is_kept_in_a_claim_and_writable() {
    let text = r#"
services:
  filebrowser:
    image: filebrowser/filebrowser:v2
    volumes:
      - type: bind
        source: ./database.db
        target: /database.db
        isDirectory: false
        content: ""
      - type: bind
        source: ./filebrowser.json
        target: /.filebrowser.json
        content: '{"port": 80}'
"#;
    let path = Path::new("/tmp/filebrowser/docker-compose.yaml");
    let m = translate(path, text, &BTreeMap::new(), Options::default());
    let w = workloads(&m)["filebrowser"];
    let spec = pod(w);
    let mounts = &containers(w)[0]["volumeMounts"];
    let db = mounts
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == "/database.db")
        .unwrap();
    assert_eq!(db["name"], "bind-database-db");
    assert_eq!(db["subPath"], "data");
    assert!(db.get("readOnly").is_none(), "{db}");
    let claims: Vec<&str> = by_kind(&m, "PersistentVolumeClaim")
        .iter()
        .filter_map(|c| c["metadata"]["name"].as_str())
        .collect();
    assert_eq!(claims, ["bind-database-db"]);
    let init = &spec["initContainers"][0];
    let script = init["command"][2].as_str().unwrap();
    assert!(
        script.contains("if [ ! -e '/coolify-volumes/bind-database-db/data' ]; then touch '/coolify-volumes/bind-database-db/data'; fi"),
        "{script}"
    );
    // The ConfigMap holds only the file with content.
    let cm = by_kind(&m, "ConfigMap");
    let keys: Vec<&String> = cm[0]["data"].as_object().unwrap().keys().collect();
    assert_eq!(keys, [".filebrowser.json"], "{}", m.to_yaml());

    let m = translate(
        path,
        text,
        &BTreeMap::new(),
        Options {
            bind_mounts: BindMounts::Hostpath,
            ..Options::default()
        },
    );
    let w = workloads(&m)["filebrowser"];
    let volumes = pod(w)["volumes"].as_array().unwrap();
    let host = volumes
        .iter()
        .find(|v| v.get("hostPath").is_some())
        .unwrap();
    assert_eq!(host["hostPath"]["type"], "FileOrCreate");
    assert!(
        host["hostPath"]["path"]
            .as_str()
            .unwrap()
            .ends_with("/database.db"),
        "{host}"
    );
    assert!(by_kind(&m, "PersistentVolumeClaim").is_empty());
}

/// A kept empty file is a claim under `bind_mounts=error` too, and one that two services
/// mount is shared as any claim is: counted for both, the sharers on one node.
#[test]
fn a_kept_empty_file_shared_under_the_error_policy_is_one_shared_claim() {
    let text = r#"
services:
  app:
    image: busybox:1.37
    volumes:
      - type: bind
        source: ./state.db
        target: /state.db
        content: ""
  worker:
    image: busybox:1.37
    volumes:
      - type: bind
        source: ./state.db
        target: /state.db
        content: ""
"#;
    let m = translate(
        Path::new("/tmp/kept/docker-compose.yaml"),
        text,
        &BTreeMap::new(),
        Options {
            bind_mounts: BindMounts::Error,
            ..Options::default()
        },
    );
    let claims: Vec<&str> = by_kind(&m, "PersistentVolumeClaim")
        .iter()
        .filter_map(|c| c["metadata"]["name"].as_str())
        .collect();
    assert_eq!(claims, ["bind-state-db"]);
    assert!(
        m.report()
            .entries()
            .iter()
            .any(|e| e.message.contains("is shared by app, worker")),
        "{:?}",
        m.report()
    );
}
