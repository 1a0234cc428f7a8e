//! Route objects for every router, from Coolify FQDN settings and the label sets Coolify
//! writes, checked against the Kubernetes 1.33 / 1.37 schemas (kubernetes-validate, strict)
//! and the project's CRDs (`schemas/crds`) through `scripts/validate-manifests.sh`.

mod convert_support;

use coolify_k8s_core::k8s::routes::{render, RouteTarget};
use coolify_k8s_core::options::{IngressController, Options, Router};
use coolify_k8s_core::proxy::fqdn::{self, FqdnSettings, RedirectDirection};
use coolify_k8s_core::proxy::{labels, BasicAuth, Route};
use coolify_k8s_core::{InputPath, Manifests, Report};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fqdn_routes(fqdns: &str, settings: FqdnSettings) -> Vec<Route> {
    fqdn::routes("web", fqdns, &settings, &InputPath::root().key("fqdn")).unwrap()
}

/// A spread of routes: every FQDN switch, several hosts, paths, label-declared headers.
fn fixture_routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(fqdn_routes(
        "https://app.example.com,http://plain.example.com:8080",
        FqdnSettings::default(),
    ));
    routes.extend(fqdn_routes(
        "https://example.com/api,https://www.example.com",
        FqdnSettings {
            force_https: false,
            redirect: RedirectDirection::Www,
            ..FqdnSettings::default()
        },
    ));
    routes.extend(fqdn_routes(
        "https://www.shop.example.com",
        FqdnSettings {
            redirect: RedirectDirection::NonWww,
            gzip: false,
            ..FqdnSettings::default()
        },
    ));
    routes.extend(fqdn_routes(
        "https://private.example.com",
        FqdnSettings {
            basic_auth: Some(BasicAuth {
                users: vec![
                    "admin:$2y$05$abcdefghijklmnopqrstuu5Zx8C0Q9Ts0yQe7VDPsE3N6jC9QW5y".into(),
                ],
                realm: None,
            }),
            ..FqdnSettings::default()
        },
    ));
    let label_set: BTreeMap<String, String> = [
        (
            "traefik.http.middlewares.h.headers.customrequestheaders.X-Env",
            "prod",
        ),
        (
            "traefik.http.middlewares.h.headers.customresponseheaders.Server",
            "",
        ),
        ("traefik.http.routers.r.middlewares", "h"),
        (
            "traefik.http.routers.r.rule",
            "Host(`a.example.com`, `b.example.com`) && Path(`/health`)",
        ),
        ("traefik.http.routers.r.tls", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut report = Report::default();
    routes.extend(labels::routes(
        "web",
        &label_set,
        &InputPath::parse("services.web.labels"),
        &mut report,
    ));
    routes
}

fn render_all(options: &Options) -> (Vec<Value>, Report) {
    render_for("web", options)
}

fn render_for(name: &str, options: &Options) -> (Vec<Value>, Report) {
    let labels: BTreeMap<String, String> = [
        ("app.kubernetes.io/name".to_string(), "web".to_string()),
        ("app.kubernetes.io/instance".to_string(), "acme".to_string()),
    ]
    .into();
    let target = RouteTarget {
        name,
        namespace: "acme",
        labels: &labels,
        service_name: "web",
        default_port: Some(80),
    };
    let mut report = Report::default();
    let objects = render(&fixture_routes(), &target, options, &mut report);
    (objects, report)
}

fn routers() -> Vec<(&'static str, Options)> {
    vec![
        ("ingress", Options::default()),
        (
            "ingress-traefik",
            Options {
                ingress_controller: IngressController::Traefik,
                ingress_class: Some("traefik".into()),
                ..Options::default()
            },
        ),
        (
            "ingress-nginx",
            Options {
                ingress_controller: IngressController::Nginx,
                ingress_class: Some("nginx".into()),
                ..Options::default()
            },
        ),
        (
            "traefik",
            Options {
                router: Router::Traefik,
                ..Options::default()
            },
        ),
        (
            "gateway",
            Options {
                router: Router::Gateway,
                ..Options::default()
            },
        ),
    ]
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Run the project's validator on `yaml`; `None` (with a message) when `schemas/crds` is absent.
fn validate(name: &str, yaml: &str) -> Option<(bool, String)> {
    let crds = root().join("schemas/crds");
    if !crds.is_dir() {
        eprintln!("skipping schema validation: {} is absent", crds.display());
        return None;
    }
    let dir = std::env::temp_dir().join(format!("coolify-k8s-routes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.yaml"));
    std::fs::write(&file, yaml).unwrap();
    let out = Command::new(root().join("scripts/validate-manifests.sh"))
        .arg("-q")
        .arg(&file)
        .output()
        .expect("run scripts/validate-manifests.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&file);
    Some((out.status.success(), text))
}

#[test]
fn every_router_emits_schema_valid_objects() {
    for (name, options) in routers() {
        let (objects, _report) = render_all(&options);
        assert!(!objects.is_empty(), "{name}");
        let yaml = Manifests::new(objects, Report::default()).to_yaml();
        if let Some((ok, text)) = validate(name, &yaml) {
            assert!(ok, "{name}: {text}\n{yaml}");
        }
    }
}

#[test]
fn secrets_only_in_secret_objects() {
    for (name, options) in routers() {
        let (objects, report) = render_all(&options);
        for o in objects.iter().filter(|o| o["kind"] != "Secret") {
            let s = serde_json::to_string(o).unwrap();
            assert!(!s.contains("$2y$"), "{name}: {s}");
        }
        for e in report.entries() {
            assert!(!e.message.contains("$2y$"), "{name}: {e}");
        }
    }
}

/// A workload whose name is already at the 63-character limit (a long service name, shortened
/// with a hash) still gets valid, distinct names for every route object: `-0`, `-tls`,
/// `-http`, `-redirect-to-https`, `-basic-auth` and the middlewares' suffixes are kept within
/// 63 (a fuzz finding: `<name>-0` was 65 characters).
#[test]
fn route_object_names_fit_when_the_workload_name_is_at_the_limit() {
    let long = format!("jitsi-{}-584821bb", "w".repeat(48));
    assert_eq!(long.len(), 63);
    for (router, options) in routers() {
        let (objects, _) = render_for(&long, &options);
        assert!(!objects.is_empty(), "{router}");
        let mut seen = std::collections::BTreeSet::new();
        for o in &objects {
            let name = o["metadata"]["name"].as_str().unwrap_or_default();
            assert!(
                coolify_k8s_core::plan::names::is_dns_subdomain(name) && name.len() <= 63,
                "{router}: {} {name:?}",
                o["kind"]
            );
            assert!(
                seen.insert((o["kind"].to_string(), name.to_string())),
                "{router}: two {name}"
            );
        }
        // A short name keeps its plain derived names.
        let (short, _) = render_all(&options);
        assert!(
            short.iter().any(|o| o["metadata"]["name"] == "web-0"),
            "{router}"
        );
    }
}

#[test]
fn output_is_deterministic() {
    for (name, options) in routers() {
        assert_eq!(render_all(&options), render_all(&options), "{name}");
    }
}

#[test]
fn autoscaling_objects_are_schema_valid() {
    use coolify_k8s_core::k8s::autoscaling::{render, Autoscale, ScaleTarget};
    let labels: BTreeMap<String, String> =
        [("app.kubernetes.io/name".to_string(), "web".to_string())].into();
    let t = ScaleTarget {
        kind: "Deployment",
        name: "web",
        namespace: "acme",
        labels: &labels,
        selector: &labels,
    };
    let a = Autoscale {
        min: 2,
        max: 5,
        cpu: Some(75),
        memory: Some(90),
    };
    let objects = render(&t, Some(&a), None);
    assert_eq!(objects.len(), 2);
    let yaml = Manifests::new(objects, Report::default()).to_yaml();
    if let Some((ok, text)) = validate("autoscaling", &yaml) {
        assert!(ok, "{text}\n{yaml}");
    }
}

/// The route objects of every corpus template that declares routes (`SERVICE_URL_*` /
/// `SERVICE_FQDN_*`), for each router, pass the schemas.
#[test]
fn corpus_route_objects_are_schema_valid_for_every_router() {
    let Some(corpus) = convert_support::corpus() else {
        return;
    };
    let route_kinds = ["Ingress", "IngressRoute", "Middleware", "HTTPRoute"];
    for (name, options) in routers() {
        let mut objects = Vec::new();
        let mut with_routes = 0;
        for p in convert_support::templates(&corpus) {
            let text = std::fs::read_to_string(&p).unwrap();
            if !text.contains("SERVICE_URL_") && !text.contains("SERVICE_FQDN_") {
                continue;
            }
            let options = Options {
                seed: Some("corpus".into()),
                base_domain: Some("https://apps.example.com".into()),
                ..options.clone()
            };
            let m = match convert_support::translate_with(&p, options) {
                Ok(m) => m,
                Err(e) if e.to_string().contains("normalize stage") => {
                    eprintln!(
                        "skipping the corpus route check: the normalize stage is not built in"
                    );
                    return;
                }
                // Whether every template translates is corpus_convert.rs's concern.
                Err(e) => {
                    eprintln!("{}: does not translate: {e}", p.display());
                    continue;
                }
            };
            let routes: Vec<Value> = m
                .objects()
                .iter()
                .filter(|o| route_kinds.iter().any(|k| o["kind"] == *k))
                .cloned()
                .collect();
            if !routes.is_empty() {
                with_routes += 1;
            }
            objects.extend(routes);
        }
        assert!(
            with_routes >= 100,
            "{name}: only {with_routes} templates have routes"
        );
        let yaml = Manifests::new(objects, Report::default()).to_yaml();
        if let Some((ok, text)) = validate(&format!("corpus-{name}"), &yaml) {
            assert!(ok, "{name}: {text}");
        }
    }
}
