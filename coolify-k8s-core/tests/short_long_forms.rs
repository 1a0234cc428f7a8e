//! The Compose Specification's short and long syntaxes of each key give the same model,
//! and canonicalizing is idempotent (the canonical form of the canonical form is itself).

use coolify_k8s_core::compose::normalize::{canonicalize, project};
use coolify_k8s_core::compose::{LoadOptions, Project};
use coolify_k8s_core::Report;
use serde_json::Value;

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("test YAML does not parse: {e}\n{text}"))
}

fn model(text: &str) -> Project {
    project(&yaml(text), &mut Report::default()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// (key, short form, long form): whole files, so top-level keys can be given too.
const PAIRS: &[(&str, &str, &str)] = &[
    ("ports: host:container", "services: {web: {ports: ['8080:80']}}", "services: {web: {ports: [{target: 80, published: '8080', protocol: tcp}]}}"),
    ("ports: a number", "services: {web: {ports: [8080]}}", "services: {web: {ports: [{target: 8080}]}}"),
    ("ports: published as a number", "services: {web: {ports: ['8080:80']}}", "services: {web: {ports: [{target: '80', published: 8080}]}}"),
    ("ports: address and protocol", "services: {web: {ports: ['127.0.0.1:5353:53/udp']}}", "services: {web: {ports: [{target: 53, published: '5353', host_ip: 127.0.0.1, protocol: udp}]}}"),
    ("ports: a range", "services: {web: {ports: ['8000-8001:80-81']}}", "services: {web: {ports: [{target: 80, published: '8000'}, {target: 81, published: '8001'}]}}"),
    ("ports: a container range", "services: {web: {ports: ['3000-3001']}}", "services: {web: {ports: [{target: 3000}, {target: 3001}]}}"),
    ("expose", "services: {web: {expose: ['80-81', 53/udp]}}", "services: {web: {expose: ['80', 81, '53/udp']}}"),
    ("volumes: named, read-only", "services: {web: {volumes: ['data:/d:ro']}}", "services: {web: {volumes: [{type: volume, source: data, target: /d, read_only: true}]}}"),
    ("volumes: bind", "services: {web: {volumes: ['./c:/c:rw']}}", "services: {web: {volumes: [{type: bind, source: ./c, target: /c, read_only: false, bind: {create_host_path: true}}]}}"),
    ("volumes: bind with SELinux label", "services: {web: {volumes: ['/abs:/y:z']}}", "services: {web: {volumes: [{type: bind, source: /abs, target: /y, bind: {create_host_path: true, selinux: z}}]}}"),
    ("volumes: anonymous", "services: {web: {volumes: [/data]}}", "services: {web: {volumes: [{type: volume, target: /data}]}}"),
    ("volumes: home directory", "services: {web: {volumes: ['~/x:/y']}}", "services: {web: {volumes: [{type: bind, source: ~/x, target: /y, bind: {create_host_path: true}}]}}"),
    ("volumes: Coolify isDirectory", "services: {web: {volumes: [{type: bind, source: ./d, target: /d, isDirectory: true}]}}", "services: {web: {volumes: [{type: bind, source: ./d, target: /d, is_directory: 'true'}]}}"),
    ("environment", "services: {web: {environment: ['A=1', 'B=', 'C=x=y', 'D', 'F=true']}}", "services: {web: {environment: {A: 1, B: '', C: 'x=y', D: null, F: true}}}"),
    ("labels", "services: {web: {labels: ['a=1', 'traefik.enable=true', 'empty']}}", "services: {web: {labels: {a: 1, traefik.enable: true, empty: null}}}"),
    ("annotations", "services: {web: {annotations: ['a=1']}}", "services: {web: {annotations: {a: '1'}}}"),
    ("sysctls", "services: {web: {sysctls: ['net.core.somaxconn=1024']}}", "services: {web: {sysctls: {net.core.somaxconn: 1024}}}"),
    ("depends_on", "services: {web: {depends_on: [db]}, db: {}}", "services: {web: {depends_on: {db: {condition: service_started, required: true, restart: false}}}, db: {}}"),
    ("depends_on: defaults", "services: {web: {depends_on: {db: {condition: service_healthy}}}, db: {}}", "services: {web: {depends_on: {db: {condition: service_healthy, required: true, restart: 'false'}}}, db: {}}"),
    ("healthcheck.test", "services: {web: {healthcheck: {test: 'curl -f http://localhost || exit 1'}}}", "services: {web: {healthcheck: {test: [CMD-SHELL, 'curl -f http://localhost || exit 1']}}}"),
    ("healthcheck durations", "services: {web: {healthcheck: {interval: 90s, timeout: 1500ms}}}", "services: {web: {healthcheck: {interval: 1m30s, timeout: 1.5s}}}"),
    ("command", "services: {web: {command: 'sh -c \"echo hi; sleep 1\"'}}", "services: {web: {command: [sh, -c, 'echo hi; sleep 1']}}"),
    ("entrypoint", "services: {web: {entrypoint: /docker-entrypoint.sh --flag}}", "services: {web: {entrypoint: [/docker-entrypoint.sh, --flag]}}"),
    ("env_file", "services: {web: {env_file: .env}}", "services: {web: {env_file: [{path: .env, required: true}]}}"),
    ("label_file", "services: {web: {label_file: ./labels}}", "services: {web: {label_file: [./labels]}}"),
    ("networks", "services: {web: {networks: [front]}}\nnetworks: {front: null}", "services: {web: {networks: {front: null}}}\nnetworks: {front: {}}"),
    ("configs", "services: {web: {configs: [c]}}\nconfigs: {c: {file: ./c}}", "services: {web: {configs: [{source: c}]}}\nconfigs: {c: {file: ./c}}"),
    ("secrets", "services: {web: {secrets: [s]}}\nsecrets: {s: {environment: S}}", "services: {web: {secrets: [{source: s}]}}\nsecrets: {s: {environment: S}}"),
    ("secret mode", "services: {web: {secrets: [{source: s, mode: '0440'}]}}\nsecrets: {s: {file: s}}", "services: {web: {secrets: [{source: s, mode: 288}]}}\nsecrets: {s: {file: s}}"),
    ("ulimits", "services: {web: {ulimits: {nofile: 1024}}}", "services: {web: {ulimits: {nofile: {soft: 1024, hard: '1024'}}}}"),
    ("extra_hosts", "services: {web: {extra_hosts: ['db:10.0.0.1', 'db=10.0.0.2', 'v6=[::1]']}}", "services: {web: {extra_hosts: {db: [10.0.0.1, 10.0.0.2], v6: '::1'}}}"),
    ("build", "services: {web: {build: ./app}}", "services: {web: {build: {context: ./app}}}"),
    ("dns, dns_search, tmpfs", "services: {web: {dns: 1.1.1.1, dns_search: example.com, tmpfs: /run}}", "services: {web: {dns: [1.1.1.1], dns_search: [example.com], tmpfs: [/run]}}"),
    ("byte sizes", "services: {web: {mem_limit: 1g, shm_size: 64m}}", "services: {web: {mem_limit: 1073741824, shm_size: '67108864'}}"),
    ("deploy.labels", "services: {web: {deploy: {labels: [a=b]}}}", "services: {web: {deploy: {labels: {a: b}}}}"),
    ("deploy numbers", "services: {web: {deploy: {replicas: '2', resources: {limits: {cpus: '0.5'}}}}}", "services: {web: {deploy: {replicas: 2, resources: {limits: {cpus: 0.5}}}}}"),
    ("booleans", "services: {web: {privileged: 'true', read_only: 'yes', init: 'on'}}", "services: {web: {privileged: true, read_only: true, init: true}}"),
    ("restart: no", "services: {web: {restart: no}}", "services: {web: {restart: 'no'}}"),
    ("external volumes", "services: {web: {volumes: ['x:/x']}}\nvolumes: {x: {external: {name: real}}}", "services: {web: {volumes: ['x:/x']}}\nvolumes: {x: {external: true, name: real}}"),
];

#[test]
fn short_and_long_forms_give_the_same_model() {
    let mut failures = Vec::new();
    for (key, short, long) in PAIRS {
        let (a, b) = (model(short), model(long));
        if a != b {
            failures.push(format!("{key}:\n  short: {a:?}\n  long:  {b:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn canonicalizing_is_idempotent_and_keeps_the_model() {
    let options = LoadOptions::default();
    for (key, short, long) in PAIRS {
        for text in [short, long] {
            let mut doc = yaml(text);
            canonicalize(&mut doc, &options).unwrap_or_else(|e| panic!("{key}: {e}"));
            let once = doc.clone();
            canonicalize(&mut doc, &options).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(doc, once, "{key}: canonicalizing twice changes the tree");
            assert_eq!(
                project(&once, &mut Report::default()).unwrap(),
                model(text),
                "{key}: the canonical tree gives another model"
            );
        }
    }
}

#[test]
fn short_forms_read_as_the_specification_says() {
    use coolify_k8s_core::compose::{DependsOnCondition, HealthcheckTest, MountType, Protocol};
    let p = model(
        "services:\n  web:\n    ports: ['127.0.0.1:8000-8001:80-81/udp']\n    volumes: ['data:/d:ro', './c:/c']\n    depends_on: [db]\n    healthcheck: {test: 'pg_isready'}\n    command: 'a \"b c\"'\n  db: {}\n",
    );
    let web = &p.services["web"];
    let ports: Vec<_> = web
        .ports
        .iter()
        .map(|x| {
            (
                x.target,
                x.published.as_deref(),
                x.host_ip.as_deref(),
                x.protocol,
            )
        })
        .collect();
    assert_eq!(
        ports,
        vec![
            (80, Some("8000"), Some("127.0.0.1"), Protocol::Udp),
            (81, Some("8001"), Some("127.0.0.1"), Protocol::Udp)
        ]
    );
    assert_eq!(
        (
            web.volumes[0].kind,
            web.volumes[0].source.as_deref(),
            web.volumes[0].read_only
        ),
        (MountType::Volume, Some("data"), true)
    );
    assert_eq!(web.volumes[1].kind, MountType::Bind);
    let dep = &web.depends_on["db"];
    assert_eq!(
        (dep.condition, dep.required, dep.restart),
        (DependsOnCondition::ServiceStarted, true, false)
    );
    assert_eq!(
        web.healthcheck.as_ref().and_then(|h| h.test.clone()),
        Some(HealthcheckTest::Shell("pg_isready".into()))
    );
    assert_eq!(web.command, Some(vec!["a".to_string(), "b c".to_string()]));
    // `data` is used without a top-level declaration: declared implicitly.
    assert!(p.volumes["data"].implicit);
}

/// The checked-in fixture: its canonical form, reviewed by hand, and the model read
/// from either form.
#[test]
fn coolify_fixture_canonical_form() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/normalize");
    let input = std::fs::read_to_string(dir.join("coolify-dialect.yaml")).unwrap();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("coolify-dialect.canonical.json")).unwrap(),
    )
    .unwrap();
    let mut options = LoadOptions::default();
    options.variables.insert("TZ".into(), "UTC".into());
    let mut doc = yaml(&input);
    canonicalize(&mut doc, &options).unwrap();
    assert_eq!(doc, expected);

    let p = project(&doc, &mut Report::default()).unwrap();
    assert_eq!(p, project(&expected, &mut Report::default()).unwrap());
    let app = &p.services["app"];
    assert_eq!(app.urls.len(), 1);
    assert_eq!(
        (app.urls[0].id.as_str(), app.urls[0].port),
        ("APP", Some(3000))
    );
    assert_eq!(app.volumes[2].content.as_deref(), Some("events {}\n"));
    assert_eq!(app.volumes[3].is_directory, Some(true));
    assert!(p.services["db"].exclude_from_hc);
    assert!(p.volumes["app-data"].implicit);
    assert!(!p.volumes["legacy"].implicit);
    assert!(p.magic.contains_key("SERVICE_URL_APP_3000"));
}

/// What `coolify-k8s config` prints (the serialized model) reads back into the same
/// model, for every Coolify template: the printed form is canonical Compose.
#[test]
fn the_serialized_model_reads_back_the_same() {
    use coolify_k8s_core::compose::{load, NoFiles, SourceFile};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/coolify-templates");
    if !dir.is_dir() {
        eprintln!("skipped: ../shared is absent");
        return;
    }
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = SourceFile {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            text,
        };
        // Templates that need variables the caller supplies are covered elsewhere.
        let Ok(loaded) = load(&[file], &LoadOptions::default(), &NoFiles) else {
            continue;
        };
        let printed = serde_json::to_value(&loaded.project).unwrap();
        let mut again = match project(&printed, &mut Report::default()) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!(
                    "{}: the printed model does not load: {e}",
                    path.display()
                ));
                continue;
            }
        };
        // Implicit volumes are printed as declarations.
        for (name, v) in again.volumes.iter_mut() {
            v.implicit = loaded.project.volumes.get(name).is_some_and(|o| o.implicit);
        }
        if again != loaded.project {
            failures.push(format!("{}: another model", path.display()));
        }
        checked += 1;
    }
    eprintln!("{checked} templates printed and read back");
    assert!(checked > 200, "only {checked} templates loaded");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
