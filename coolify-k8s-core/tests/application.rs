//! Application golden tests: a Coolify Application's attributes (`tests/application/*.json`)
//! into manifests (`tests/application/*.yaml`, plus the report in `*.report.txt`), each with
//! assertions on what Coolify does on Docker, and a schema check of every router's output.
//!
//! `UPDATE_GOLDEN=1 cargo test -p coolify-k8s-core --test application` rewrites the golden
//! files; read every rewritten file against docs/COOLIFY.md and MAPPING.md before committing.

mod convert_support;

use coolify_k8s_core::options::{Options, Router};
use coolify_k8s_core::{Manifests, Translator};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/application")
}

fn attrs(case: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(format!("{case}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn translate(case: &str, options: Options) -> Manifests {
    let options = Options {
        seed: Some("golden-seed".into()),
        ..options
    };
    Translator::new(options)
        .application(&attrs(case))
        .unwrap_or_else(|e| panic!("{case}: {e}"))
}

fn find<'a>(m: &'a Manifests, kind: &str, name: &str) -> &'a Value {
    m.objects()
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name} in {:#?}", names(m)))
}

fn names(m: &Manifests) -> Vec<String> {
    m.objects()
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o["kind"].as_str().unwrap_or("?"),
                o["metadata"]["name"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// Compare with (or, with UPDATE_GOLDEN, write) the golden files of a case.
fn golden(case: &str, m: &Manifests) {
    let yaml_path = dir().join(format!("{case}.yaml"));
    let report_path = dir().join(format!("{case}.report.txt"));
    let yaml = m.to_yaml();
    let report: String = m
        .report()
        .entries()
        .iter()
        .map(|e| format!("{e}\n"))
        .collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&yaml_path, &yaml).unwrap();
        std::fs::write(&report_path, &report).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&yaml_path).unwrap_or_default();
    assert!(
        want == yaml,
        "{case}: manifests differ from {}:\n{yaml}",
        yaml_path.display()
    );
    let want = std::fs::read_to_string(&report_path).unwrap_or_default();
    assert!(
        want == report,
        "{case}: report differs from {}:\n{report}",
        report_path.display()
    );
}

fn no_secret_outside_secrets(m: &Manifests, secrets: &[&str]) {
    for o in m.objects().iter().filter(|o| o["kind"] != "Secret") {
        let s = serde_json::to_string(o).unwrap();
        for secret in secrets {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
    }
    for e in m.report().entries() {
        for secret in secrets {
            assert!(!e.message.contains(secret), "{secret} in report: {e}");
        }
    }
}

#[test]
fn dockerimage_app_with_one_fqdn() {
    let m = translate("dockerimage-one-fqdn", Options::default());
    golden("dockerimage-one-fqdn", &m);
    let d = find(&m, "Deployment", "k0w8s4c8");
    // Keyed by the uuid (Coolify's identity), never the name "whoami".
    assert_eq!(d["metadata"]["namespace"], "k0w8s4c8");
    assert_eq!(d["metadata"]["labels"]["coolify.io/name"], "whoami");
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "traefik/whoami:v1.10");
    // Coolify's .env: PORT, HOST and the user's variable (through the Secret).
    let env = c["env"].as_array().unwrap();
    let var = |n: &str| {
        env.iter()
            .find(|e| e["name"] == n)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(var("PORT")["value"], "80");
    assert_eq!(var("HOST")["value"], "0.0.0.0");
    assert_eq!(var("COOLIFY_URL")["value"], "https://whoami.example.com");
    assert!(var("WHOAMI_NAME")["valueFrom"]["secretKeyRef"].is_object());
    // No health check, no limits ("0" = none).
    assert!(c.get("readinessProbe").is_none());
    assert!(c.get("resources").is_none() || c["resources"]["limits"].is_null());
    // The route: HTTPS with cert-manager, port 80.
    let ing = find(&m, "Ingress", "k0w8s4c8-0");
    assert_eq!(ing["spec"]["tls"][0]["hosts"][0], "whoami.example.com");
    assert_eq!(
        ing["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
        "letsencrypt"
    );
    assert_eq!(
        ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"]["number"],
        80
    );
    // Identity labels.
    assert_eq!(d["metadata"]["labels"]["coolify.io/applicationId"], "12");
    no_secret_outside_secrets(&m, &["whoami-secret-value"]);
}

#[test]
fn app_with_two_fqdns_a_path_and_strip_prefix() {
    let options = Options {
        router: Router::Traefik,
        ..Options::default()
    };
    let m = translate("two-fqdns-path-strip-prefix", options);
    golden("two-fqdns-path-strip-prefix", &m);
    // First domain: root path to the first exposed port; HTTP served too (no force-HTTPS).
    let r0 = find(&m, "IngressRoute", "p4t8h2s1-0");
    assert_eq!(
        r0["spec"]["routes"][0]["match"],
        "Host(`docs.example.com`) && PathPrefix(`/`)"
    );
    assert_eq!(r0["spec"]["routes"][0]["services"][0]["port"], 80);
    let r0h = find(&m, "IngressRoute", "p4t8h2s1-0-http");
    assert!(r0h["spec"]["routes"][0].get("middlewares").is_none());
    // Second domain: /docs on container port 8080, prefix stripped, no gzip.
    let r1 = find(&m, "IngressRoute", "p4t8h2s1-1");
    assert_eq!(
        r1["spec"]["routes"][0]["match"],
        "Host(`example.com`) && PathPrefix(`/docs`)"
    );
    assert_eq!(r1["spec"]["routes"][0]["services"][0]["port"], 8080);
    assert_eq!(
        r1["spec"]["routes"][0]["middlewares"][0]["name"],
        "p4t8h2s1-1-stripprefix"
    );
    let strip = find(&m, "Middleware", "p4t8h2s1-1-stripprefix");
    assert_eq!(strip["spec"]["stripPrefix"]["prefixes"][0], "/docs");
    assert!(!names(&m).iter().any(|n| n.ends_with("-gzip")));
}

#[test]
fn app_with_basic_auth_and_www_redirect() {
    let options = Options {
        router: Router::Traefik,
        ..Options::default()
    };
    let m = translate("basic-auth-www", options);
    golden("basic-auth-www", &m);
    let route = find(&m, "IngressRoute", "b4s1c4u7-0");
    let mws: Vec<&str> = route["spec"]["routes"][0]["middlewares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    // Coolify's order: gzip, the www redirect, basic auth.
    assert_eq!(
        mws,
        vec![
            "b4s1c4u7-0-gzip",
            "b4s1c4u7-0-to-www",
            "b4s1c4u7-0-basic-auth"
        ]
    );
    let www = find(&m, "Middleware", "b4s1c4u7-0-to-www");
    assert_eq!(
        www["spec"]["redirectRegex"]["replacement"],
        "${1}://www.${2}"
    );
    assert_eq!(www["spec"]["redirectRegex"]["permanent"], false);
    let secret = find(&m, "Secret", "b4s1c4u7-0-basic-auth");
    use base64::Engine as _;
    let users = base64::engine::general_purpose::STANDARD
        .decode(secret["data"]["users"].as_str().unwrap())
        .unwrap();
    let users = String::from_utf8(users).unwrap();
    let hash = users.trim().strip_prefix("admin:").unwrap();
    assert!(bcrypt::verify("correct horse battery staple", hash).unwrap());
    let http = find(&m, "IngressRoute", "b4s1c4u7-0-http");
    assert_eq!(
        http["spec"]["routes"][0]["middlewares"][0]["name"],
        "b4s1c4u7-0-redirect-to-https"
    );
    no_secret_outside_secrets(&m, &["correct horse", "$2y$"]);
    // A plain Ingress cannot enforce basic auth: the route is not exposed, and reported.
    let plain = translate("basic-auth-www", Options::default());
    assert!(!names(&plain).iter().any(|n| n.starts_with("Ingress/")));
    assert!(plain
        .report()
        .entries()
        .iter()
        .any(|e| e.message.contains("basic auth")));
}

/// `custom_docker_run_options` as Coolify's `convertDockerRunToCompose` reads it and merges
/// it into the container's service (`ApplicationDeploymentJob`): each flag becomes what its
/// Compose key becomes; flags Coolify ignores, and the fixed `--ip`, are reported.
#[test]
fn custom_docker_run_options_apply_as_coolify_merges_them() {
    let mut a = attrs("dockerimage-one-fqdn");
    a["custom_docker_run_options"] = serde_json::json!(
        "--cap-add NET_ADMIN --cap-add=SYS_TIME --shm-size 1g --sysctl net.ipv4.tcp_syncookies=1 \
         --dns 1.1.1.1 --hostname=box --init --memory 512m --ip 10.0.5.9 --entrypoint \"/bin/sh -c 'exec app'\""
    );
    let m = Translator::new(Options {
        seed: Some("golden-seed".into()),
        ..Options::default()
    })
    .application(&a)
    .unwrap_or_else(|e| panic!("{e}"));
    let w = m
        .objects()
        .iter()
        .find(|o| o["spec"]["template"].is_object())
        .expect("a workload");
    let pod = &w["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(
        c["securityContext"]["capabilities"]["add"],
        serde_json::json!(["NET_ADMIN", "SYS_TIME"])
    );
    assert_eq!(
        c["command"],
        serde_json::json!(["/bin/sh", "-c", "exec app"])
    );
    assert_eq!(pod["hostname"], "box");
    assert_eq!(
        pod["dnsConfig"]["nameservers"],
        serde_json::json!(["1.1.1.1"])
    );
    assert_eq!(
        pod["securityContext"]["sysctls"],
        serde_json::json!([{"name": "net.ipv4.tcp_syncookies", "value": "1"}])
    );
    let shm = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["emptyDir"]["medium"] == "Memory")
        .expect("/dev/shm in memory");
    assert_eq!(shm["emptyDir"]["sizeLimit"], "1Gi");
    let report = m.warnings().join("\n");
    for expected in [
        "custom_docker_run_options: --memory: not a flag Coolify applies",
        "custom_docker_run_options: --ip 10.0.5.9: a fixed address",
    ] {
        assert!(report.contains(expected), "{expected}\n{report}");
    }
    // A flag whose value Compose refuses is an error naming the column and the flag.
    a["custom_docker_run_options"] = serde_json::json!("--ulimit nofile=many");
    let e = Translator::new(Options::default())
        .application(&a)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("custom_docker_run_options: --ulimit"), "{e}");
}

#[test]
fn app_with_http_health_check_and_limits() {
    let m = translate("http-health-check-limits", Options::default());
    golden("http-health-check-limits", &m);
    let kind = if names(&m).iter().any(|n| n == "StatefulSet/h3a1t8h0") {
        "StatefulSet"
    } else {
        "Deployment"
    };
    let w = find(&m, kind, "h3a1t8h0");
    let c = &w["spec"]["template"]["spec"]["containers"][0];
    let probe = &c["readinessProbe"];
    assert_eq!(probe["httpGet"]["path"], "/healthz");
    assert_eq!(probe["httpGet"]["port"], 8000);
    assert_eq!(probe["httpGet"]["scheme"], "HTTP");
    assert!(
        probe["httpGet"].get("host").is_none(),
        "localhost means the pod itself"
    );
    assert_eq!(probe["periodSeconds"], 10);
    assert_eq!(probe["timeoutSeconds"], 5);
    assert_eq!(probe["failureThreshold"], 3);
    // Coolify's health check never restarts the container: no liveness probe (issue 9).
    assert!(c.get("livenessProbe").is_none());
    assert_eq!(c["resources"]["limits"]["memory"], "512Mi");
    assert_eq!(c["resources"]["limits"]["cpu"], "1500m");
    assert_eq!(c["resources"]["requests"]["memory"], "256Mi");
    // Persistent storage → a claim; the file storage → a ConfigMap key.
    assert!(names(&m)
        .iter()
        .any(|n| n.starts_with("PersistentVolumeClaim/")));
    assert!(m.objects().iter().any(|o| o["kind"] == "ConfigMap"
        && serde_json::to_string(&o["data"])
            .unwrap()
            .contains("port = 8000")));
}

#[test]
fn preview_deployment() {
    let m = translate("preview", Options::default());
    golden("preview", &m);
    let d = find(&m, "Deployment", "pr3v13w0-pr-42");
    // Beside production, in its namespace, with its own instance.
    assert_eq!(d["metadata"]["namespace"], "pr3v13w0");
    assert_eq!(
        d["metadata"]["labels"]["app.kubernetes.io/instance"],
        "pr3v13w0-pr-42"
    );
    assert_eq!(d["metadata"]["labels"]["coolify.io/pullRequestId"], "42");
    let ing = find(&m, "Ingress", "pr3v13w0-pr-42-0");
    assert_eq!(ing["spec"]["rules"][0]["host"], "42.shop.example.com");
    // No host port for previews; the preview's variable value, not production's.
    assert!(!names(&m).iter().any(|n| n.contains("public")));
    use base64::Engine as _;
    let secrets: String = m
        .objects()
        .iter()
        .filter(|o| o["kind"] == "Secret")
        .flat_map(|o| o["data"].as_object().cloned().unwrap_or_default())
        .map(|(_, v)| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(v.as_str().unwrap())
                .unwrap();
            String::from_utf8(bytes).unwrap()
        })
        .collect();
    assert!(secrets.contains("sk_test_preview"));
    assert!(!secrets.contains("sk_live_production"));
    no_secret_outside_secrets(&m, &["sk_test_preview"]);
}

#[test]
fn every_router_output_is_schema_valid() {
    let mut docs = Vec::new();
    for router in [Router::Ingress, Router::Traefik, Router::Gateway] {
        for case in [
            "dockerimage-one-fqdn",
            "two-fqdns-path-strip-prefix",
            "basic-auth-www",
            "http-health-check-limits",
            "preview",
        ] {
            let m = translate(
                case,
                Options {
                    router,
                    ..Options::default()
                },
            );
            docs.push((format!("{case}-{router:?}.yaml"), m.to_yaml()));
        }
    }
    convert_support::validate_manifests("app", &docs);
}
