//! Issue 10 on a fixture project of its own (`testdata/coolify-routes/compose.yaml`): routes,
//! names and values as Coolify makes them, each checked against Coolify's code
//! (`../shared/coolify-src`, cited per assertion), through the public Translator.

use coolify_k8s_core::compose::{MemoryFiles, SourceFile};
use coolify_k8s_core::{Manifests, Options, Translator};
use serde_json::Value;
use std::collections::BTreeMap;

const FIXTURE: &str = include_str!("testdata/coolify-routes/compose.yaml");

fn translate(options: Options) -> Manifests {
    // What Coolify stores for the resource: the admin URL with its scheme, the FQDN without.
    let env: BTreeMap<String, String> = [
        ("SERVICE_URL_ADMIN", "https://admin.example.com"),
        ("SERVICE_FQDN_ADMIN", "admin.example.com"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let files = [SourceFile {
        name: "coolify-routes/compose.yaml".into(),
        text: FIXTURE.into(),
    }];
    Translator::new(Options {
        seed: Some("fixture".into()),
        ..options
    })
    .compose_files(&files, &env, &MemoryFiles::default())
    .unwrap()
}

fn of_kind<'a>(m: &'a Manifests, kind: &str) -> Vec<&'a Value> {
    m.objects().iter().filter(|o| o["kind"] == kind).collect()
}

fn find<'a>(m: &'a Manifests, kind: &str, name: &str) -> &'a Value {
    m.objects()
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{kind}/{name} missing"))
}

/// (host, path, service, port) of every Ingress rule.
fn ingress_rules(m: &Manifests) -> Vec<(String, String, String, u64)> {
    let mut out = Vec::new();
    for ing in of_kind(m, "Ingress") {
        for rule in ing["spec"]["rules"].as_array().unwrap() {
            for p in rule["http"]["paths"].as_array().unwrap() {
                out.push((
                    rule["host"].as_str().unwrap().to_string(),
                    p["path"].as_str().unwrap().to_string(),
                    p["backend"]["service"]["name"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    p["backend"]["service"]["port"]["number"].as_u64().unwrap(),
                ));
            }
        }
    }
    out
}

fn env_value<'a>(m: &'a Manifests, workload: &str, name: &str) -> Option<&'a Value> {
    let w = m
        .objects()
        .iter()
        .find(|o| o["metadata"]["name"] == workload && o["spec"]["template"].is_object())?;
    w["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)
}

fn report_lines(m: &Manifests) -> Vec<String> {
    m.report()
        .entries()
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect()
}

/// Rule 1: ports, paths, one owner per host and path, stored https URLs keep TLS.
#[test]
fn routes_as_coolify_makes_them() {
    let m = translate(Options::default());
    let rules = ingress_rules(&m);
    let host = "app-coolify-routes.127.0.0.1.sslip.io";
    // `# port: 3000` (Service::getRequiredPort(), app/Models/Service.php).
    assert!(
        rules.contains(&(host.into(), "/".into(), "web".into(), 3000)),
        "{rules:?}"
    );
    // api keeps its own path of the shared id, with its port.
    assert!(
        rules.contains(&(host.into(), "/api".into(), "api".into(), 8080)),
        "{rules:?}"
    );
    // web-mirror claims the same host and path as web: not emitted, reported.
    assert!(!rules.iter().any(|r| r.2 == "web-mirror"), "{rules:?}");
    let lines = report_lines(&m);
    assert!(lines.iter().any(|l| l.starts_with(
        "services.web_mirror.environment.SERVICE_URL_APP_5000: app-coolify-routes.127.0.0.1.sslip.io is already routed to \"web\""
    )), "{lines:#?}");
    // Only the FQDN is referenced; the stored https SERVICE_URL_ADMIN gives the host and TLS
    // (parsers.php: "SERVICE_FQDN env vars should NOT contain scheme").
    assert!(rules.contains(&("admin.example.com".into(), "/".into(), "admin".into(), 8000)));
    let admin = find(&m, "Ingress", "admin-0");
    assert_eq!(admin["spec"]["tls"][0]["hosts"][0], "admin.example.com");
    // Report paths are input paths: no `[0]` of the domain list.
    assert!(
        !lines.iter().any(|l| l.contains("SERVICE_URL_APP[0]")),
        "{lines:#?}"
    );
    // The strip-prefix of api's path is there (Traefik router, Coolify's is_stripprefix_enabled).
    let t = translate(Options {
        router: coolify_k8s_core::options::Router::Traefik,
        ..Options::default()
    });
    let strip = find(&t, "Middleware", "api-0-stripprefix");
    assert_eq!(strip["spec"]["stripPrefix"]["prefixes"][0], "/api");
    // Coolify's redirect-to-https middleware is not permanent (docker.php).
    let redirect = find(&t, "Middleware", "admin-0-redirect-to-https");
    assert_eq!(redirect["spec"]["redirectScheme"]["permanent"], false);
}

/// The option gives a port-less route its port; it wins over the header.
#[test]
fn the_route_port_option() {
    let m = translate(Options {
        route_ports: [("web".to_string(), 3999)].into(),
        ..Options::default()
    });
    assert!(ingress_rules(&m)
        .iter()
        .any(|r| r.2 == "web" && r.3 == 3999));
}

/// Rule 2: names as Coolify makes them.
#[test]
fn names_as_coolify_makes_them() {
    let m = translate(Options::default());
    // `certs_x` and `certs-x` are one volume (Str::slug, parsers.php): one shared claim.
    let claims = of_kind(&m, "PersistentVolumeClaim");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0]["metadata"]["name"], "certs-x");
    // Host positions of the renamed worker_cron are rewritten; ROLE stays as written.
    assert_eq!(
        env_value(&m, "web", "ROLE").unwrap()["value"],
        "worker_cron"
    );
    assert_eq!(
        env_value(&m, "web", "CRON_HOST").unwrap()["value"],
        "worker-cron"
    );
    assert_eq!(
        env_value(&m, "web", "CRON_URL").unwrap()["value"],
        "http://worker-cron:9000/run"
    );
}

/// Rule 3 and 4: generated values and the namespace's Pod Security level.
#[test]
fn values_and_the_cluster_side() {
    let m = translate(Options::default());
    let secret = of_kind(&m, "Secret")
        .into_iter()
        .find(|s| s["data"]["SERVICE_HEX_32_SIGNING"].is_string())
        .expect("the resource Secret");
    use base64::Engine as _;
    let decode = |k: &str| {
        let b = base64::engine::general_purpose::STANDARD
            .decode(secret["data"][k].as_str().unwrap())
            .unwrap();
        String::from_utf8(b).unwrap()
    };
    // shared.php: bin2hex(random_bytes(16)), base64_encode(random_bytes(64)).
    let hex = decode("SERVICE_HEX_32_SIGNING");
    assert_eq!(hex.len(), 32);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(decode("SERVICE_REALBASE64_64_SESSION").len(), 88);
    // NET_ADMIN is outside the baseline capabilities: the namespace is privileged.
    let ns = of_kind(&m, "Namespace")[0];
    assert_eq!(
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "privileged"
    );
    assert!(report_lines(&m)
        .iter()
        .any(|l| l.starts_with("services.worker_cron: needs the privileged Pod Security level")));
}

/// Rule 4: ingress-nginx annotations for Coolify's Traefik behaviour.
#[test]
fn ingress_nginx_annotations() {
    let m = translate(Options {
        ingress_controller: coolify_k8s_core::options::IngressController::Nginx,
        ..Options::default()
    });
    let api = find(&m, "Ingress", "api-0");
    let a = &api["metadata"]["annotations"];
    assert_eq!(a["nginx.ingress.kubernetes.io/proxy-body-size"], "0");
    assert_eq!(a["nginx.ingress.kubernetes.io/rewrite-target"], "/$2");
    assert_eq!(
        api["spec"]["rules"][0]["http"]["paths"][0]["path"],
        "/api(/|$)(.*)"
    );
}
