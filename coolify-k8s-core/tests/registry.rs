//! Images from a registry: build-only services pulled under the `registry` prefix by the
//! name Docker Compose gives their image (fixtures in `tests/testdata/build-only/`, and
//! kompose's fixtures with `build:` in `../shared/corpus`), `image_pull_secrets` on every
//! pod of every Coolify template, the pull Secret made by `Manifests::with_pull_secret`,
//! and a database's claim sized by `volume_sizes`; all of it validator-clean.

mod convert_support;

use convert_support::{corpus, kompose_inputs, templates, DirFiles};
use coolify_k8s_core::compose::{self, LoadOptions, SourceFile};
use coolify_k8s_core::coolify::database::DatabaseKind;
use coolify_k8s_core::registry::RegistryCredentials;
use coolify_k8s_core::{Manifests, Options, Translator};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const REGISTRY: &str = "registry.example.com/team";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/build-only")
}

fn source(path: &Path) -> SourceFile {
    SourceFile {
        name: path.to_string_lossy().into_owned(),
        text: std::fs::read_to_string(path).unwrap(),
    }
}

fn translate(path: &Path, options: Options) -> Result<Manifests, coolify_k8s_core::Errors> {
    Translator::new(Options {
        seed: Some("registry".into()),
        ..options
    })
    .compose_files(&[source(path)], &BTreeMap::new(), &DirFiles)
}

fn with_registry() -> Options {
    Options {
        registry: Some(REGISTRY.into()),
        ..Options::default()
    }
}

/// Every pod spec in the objects: (object kind/name, pod spec).
fn pod_specs(m: &Manifests) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for o in m.objects() {
        let spec = match o["kind"].as_str() {
            Some("Deployment" | "StatefulSet" | "DaemonSet" | "Job") => {
                &o["spec"]["template"]["spec"]
            }
            Some("CronJob") => &o["spec"]["jobTemplate"]["spec"]["template"]["spec"],
            _ => continue,
        };
        out.push((format!("{}/{}", o["kind"], o["metadata"]["name"]), spec));
    }
    out
}

/// The image of the workload of `service` (by its `app.kubernetes.io/name`).
fn image_of<'a>(m: &'a Manifests, service: &str) -> &'a str {
    m.objects()
        .iter()
        .find(|o| {
            o["metadata"]["labels"]["app.kubernetes.io/name"] == service
                && o["spec"]["template"]["spec"].is_object()
        })
        .and_then(|o| o["spec"]["template"]["spec"]["containers"][0]["image"].as_str())
        .unwrap_or_else(|| panic!("no workload for {service}"))
}

/// The built services of a loaded file (`build:` without `image:`).
fn built_services(path: &Path) -> Vec<String> {
    let Ok(loaded) = compose::load(&[source(path)], &LoadOptions::default(), &DirFiles) else {
        return Vec::new();
    };
    loaded
        .project
        .services
        .iter()
        .filter(|(_, s)| s.build.is_some() && s.image.is_none())
        .map(|(n, _)| n.clone())
        .collect()
}

#[test]
fn awesome_compose_like_projects_translate_under_the_registry_prefix() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "react-express-mongodb.yaml",
            &[
                (
                    "frontend",
                    "registry.example.com/team/react-express-mongodb-frontend",
                ),
                (
                    "backend",
                    "registry.example.com/team/react-express-mongodb-backend",
                ),
                ("mongo", "mongo:4.2.0"),
            ],
        ),
        (
            "nginx-golang-postgres.yaml",
            &[
                (
                    "backend",
                    "registry.example.com/team/nginx-golang-postgres-backend",
                ),
                (
                    "proxy",
                    "registry.example.com/team/nginx-golang-postgres-proxy",
                ),
                ("db", "postgres:16"),
            ],
        ),
        (
            // Compose keeps `_` in a project name and lowercases it; `image:` beside `build:` wins.
            "flask-redis.yaml",
            &[
                ("web", "registry.example.com/team/flask_redis-web"),
                ("worker", "registry.example.com/team/flask-worker:2"),
                ("redis", "redis:7-alpine"),
            ],
        ),
    ];
    for (file, images) in cases {
        let path = fixture_dir().join(file);
        let m = translate(&path, with_registry()).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (service, want) in *images {
            assert_eq!(image_of(&m, service), *want, "{file}: {service}");
        }
        // Each built service is reported with the push to do; services with an image are not.
        for service in built_services(&path) {
            let line = m
                .report()
                .entries()
                .iter()
                .find(|e| e.path.to_string() == format!("services.{service}.build"))
                .unwrap_or_else(|| panic!("{file}: no report line for {service}"));
            assert!(
                line.message
                    .contains("docker push registry.example.com/team/"),
                "{}",
                line.message
            );
        }
        // Without the prefix, the error names each built service and its image's name.
        let e = translate(&path, Options::default())
            .unwrap_err()
            .to_string();
        for service in built_services(&path) {
            assert!(
                e.contains(&format!(
                    "services.{service}: the service has only `build:`"
                )),
                "{e}"
            );
        }
        // The `name` option (Coolify's uuid, its `--project-name`) names the images.
        let m = translate(
            &path,
            Options {
                name: Some("k0w8s4".into()),
                ..with_registry()
            },
        )
        .unwrap();
        for service in built_services(&path) {
            assert_eq!(
                image_of(&m, &service),
                format!("{REGISTRY}/k0w8s4-{service}")
            );
        }
    }
}

#[test]
fn every_kompose_fixture_with_build_only_services_translates_with_a_registry() {
    let Some(corpus) = corpus() else { return };
    let mut checked = 0;
    for p in kompose_inputs(&corpus) {
        let built = built_services(&p);
        if built.is_empty() {
            continue;
        }
        let options = Options {
            name: Some("kompose".into()),
            ..with_registry()
        };
        // Fixtures the corpus test already expects to fail stay out (they fail for other reasons).
        let Ok(m) = translate(&p, options) else {
            assert!(
                translate(
                    &p,
                    Options {
                        images: built
                            .iter()
                            .map(|s| (s.clone(), "x/y:1".to_string()))
                            .collect(),
                        ..Options::default()
                    }
                )
                .is_err(),
                "{}: fails only with the registry prefix",
                p.display()
            );
            continue;
        };
        for service in &built {
            let k8s = coolify_k8s_core::plan::names::dns_label(service, 63);
            assert_eq!(
                image_of(&m, &k8s),
                format!("{REGISTRY}/kompose-{}", service.to_ascii_lowercase()),
                "{}",
                p.display()
            );
        }
        checked += 1;
    }
    println!("{checked} kompose fixtures with build-only services translated");
    assert!(
        checked >= 5,
        "only {checked} fixtures with build-only services"
    );
}

#[test]
fn every_template_pod_pulls_with_the_secrets_and_the_pull_secret_comes_first() {
    let Some(corpus) = corpus() else { return };
    let creds = RegistryCredentials {
        server: "registry.example.com".into(),
        username: "ci".into(),
        password: "pull-S3cret-7x".into(),
    };
    let mut pods = 0;
    for p in templates(&corpus) {
        let options = Options {
            image_pull_secrets: vec!["team-pull".into()],
            ..convert_support::options()
        };
        let Ok(m) = convert_support::translate_with(&p, options) else {
            continue;
        };
        let m = m.with_pull_secret("regcred", &creds).unwrap();
        let secret_at = m
            .objects()
            .iter()
            .position(|o| o["type"] == "kubernetes.io/dockerconfigjson")
            .unwrap();
        for (i, o) in m.objects().iter().enumerate() {
            if o["spec"]["template"].is_object() || o["spec"]["jobTemplate"].is_object() {
                assert!(
                    i > secret_at,
                    "{}: a workload before the pull Secret",
                    p.display()
                );
            }
        }
        for (name, spec) in pod_specs(&m) {
            assert_eq!(
                spec["imagePullSecrets"],
                serde_json::json!([{"name": "team-pull"}, {"name": "regcred"}]),
                "{}: {name}",
                p.display()
            );
            pods += 1;
        }
        assert!(!m.to_yaml().contains("pull-S3cret-7x"), "{}", p.display());
        assert!(!format!("{:?}", m.report()).contains("pull-S3cret-7x"));
    }
    println!("{pods} pod specs pull with both Secrets");
    assert!(pods > 300, "{pods}");
}

fn database_fixture(kind: DatabaseKind) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata/databases")
        .join(format!("{kind}.json"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn claim_sizes(m: &Manifests) -> Vec<(String, String)> {
    m.objects()
        .iter()
        .filter(|o| o["kind"] == "PersistentVolumeClaim")
        .map(|o| {
            (
                o["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                o["spec"]["resources"]["requests"]["storage"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn database_claims_take_volume_sizes_by_storage_name_else_the_reported_default() {
    let attrs = database_fixture(DatabaseKind::Postgresql);
    let storage = attrs["persistent_storages"][0]["name"].as_str().unwrap();
    let t = Translator::new(Options {
        volume_sizes: BTreeMap::from([(storage.to_string(), "20Gi".to_string())]),
        ..Options::default()
    });
    let m = t
        .database(DatabaseKind::Postgresql, &attrs, &BTreeMap::new())
        .unwrap();
    assert_eq!(claim_sizes(&m), [(storage.to_string(), "20Gi".to_string())]);
    assert!(!m
        .report()
        .entries()
        .iter()
        .any(|e| e.message.contains("requests 1Gi")));
    // Without it: the default size, and a report line naming the storage column.
    let m = Translator::new(Options {
        storage_size: "5Gi".into(),
        ..Options::default()
    })
    .database(DatabaseKind::Postgresql, &attrs, &BTreeMap::new())
    .unwrap();
    assert_eq!(claim_sizes(&m), [(storage.to_string(), "5Gi".to_string())]);
    let line = m
        .report()
        .entries()
        .iter()
        .find(|e| e.message.contains("requests 5Gi"))
        .expect("a report line for the default size");
    assert_eq!(line.path.to_string(), "persistent_storages[0]");
}

#[test]
fn registry_output_is_schema_valid() {
    let creds = RegistryCredentials {
        server: "registry.example.com:5000".into(),
        username: "ci".into(),
        password: "pw".into(),
    };
    let mut docs = Vec::new();
    for file in [
        "react-express-mongodb.yaml",
        "nginx-golang-postgres.yaml",
        "flask-redis.yaml",
    ] {
        let m = translate(
            &fixture_dir().join(file),
            Options {
                image_pull_secrets: vec!["team-pull".into()],
                ..with_registry()
            },
        )
        .unwrap()
        .with_pull_secret("regcred", &creds)
        .unwrap();
        docs.push((file.to_string(), m.to_yaml()));
    }
    let attrs = database_fixture(DatabaseKind::Postgresql);
    let storage = attrs["persistent_storages"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let m = Translator::new(Options {
        volume_sizes: BTreeMap::from([(storage, "20Gi".to_string())]),
        ..Options::default()
    })
    .database(DatabaseKind::Postgresql, &attrs, &BTreeMap::new())
    .unwrap()
    .with_pull_secret("regcred", &creds)
    .unwrap();
    docs.push(("postgresql.yaml".to_string(), m.to_yaml()));
    convert_support::validate_manifests("registry", &docs);
}
