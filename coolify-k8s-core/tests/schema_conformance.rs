//! The normalizer against the Compose Specification's JSON schema
//! (`schemas/compose-spec.json`, the project's copy): what the schema rejects, the normalizer
//! rejects too (Coolify's own dialect apart, listed below). Checked on a table of
//! snippets whose expected verdicts were written from the schema, on every Coolify
//! template, and on every Compose file among kompose's fixtures.
//!
//! The corpus checks skip with a message when `../shared` is absent.

use coolify_k8s_core::compose::{
    interpolate, load, yaml, LoadOptions, MagicVariable, MemoryFiles, NoFiles, Resolver, SourceFile,
};
use coolify_k8s_core::Report;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The development corpus (`../shared`), or `None` with a message.
fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if p.join("corpus").is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: ../shared (the corpus) is absent");
        None
    }
}

/// The Compose Specification's schema the project carries (`schemas/README.md`).
fn validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/compose-spec.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).expect("compose-spec.json compiles")
}

/// One YAML document read as the loader reads it (YAML 1.2: `no` is a string).
fn yaml(text: &str) -> Value {
    let mut docs = yaml::parse(text, "compose.yaml")
        .unwrap_or_else(|e| panic!("test YAML does not parse: {e}\n{text}"));
    docs.remove(0).root
}

/// Values for the variables a file uses without a default (`${X}`, `$X`, `${X:?…}`), as
/// a caller (Coolify, or `--env`) would supply them; magic variables are deferred by the
/// loader itself. `1` is a value every typed key takes (ports, counts, names).
fn supplied_variables(text: &str) -> LoadOptions {
    let mut options = LoadOptions::default();
    for (i, _) in text.match_indices('$') {
        let rest = &text[i + 1..];
        let (braced, rest) = match rest.strip_prefix('{') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let (name, after) = rest.split_at(len);
        let has_default = braced && (after.starts_with(":-") || after.starts_with('-'));
        let escaped = i > 0 && text.as_bytes()[i - 1] == b'$';
        if !name.is_empty() && !has_default && !escaped && MagicVariable::parse(name).is_none() {
            options.variables.insert(name.to_string(), "1".to_string());
        }
    }
    options
}

/// A file read and interpolated as the loader does, before the canonical form: what
/// the schema is asked about.
fn interpolated(text: &str, name: &str, options: &LoadOptions) -> Value {
    let mut docs = yaml::parse(text, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut root = docs.remove(0).root;
    interpolate::interpolate(&mut root, options, &mut Report::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    root
}

/// The whole pipeline: parse, interpolate, canonical form, includes, merge, the model.
fn loads(
    text: &str,
    name: &str,
    options: &LoadOptions,
    resolver: &dyn Resolver,
) -> Result<(), String> {
    let file = SourceFile {
        name: name.to_string(),
        text: text.to_string(),
    };
    load(&[file], options, resolver)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Reads files relative to the including file (kompose's fixtures use `env_file`).
struct DirFiles;

impl Resolver for DirFiles {
    fn read(&self, from: Option<&str>, path: &str) -> Result<(String, String), String> {
        let base = from
            .and_then(|f| Path::new(f).parent())
            .unwrap_or(Path::new("."));
        let p = base.join(path);
        let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read {path:?}: {e}"))?;
        Ok((p.to_string_lossy().into_owned(), text))
    }
}

/// Coolify's keys, which the schema does not know: removed before asking the schema.
fn without_coolify_keys(doc: &Value) -> Value {
    let mut doc = doc.clone();
    if let Some(services) = doc.get_mut("services").and_then(Value::as_object_mut) {
        for svc in services.values_mut().filter_map(Value::as_object_mut) {
            svc.remove("exclude_from_hc");
            if let Some(vols) = svc.get_mut("volumes").and_then(Value::as_array_mut) {
                for v in vols.iter_mut().filter_map(Value::as_object_mut) {
                    for k in ["content", "isDirectory", "is_directory"] {
                        v.remove(k);
                    }
                }
            }
        }
    }
    doc
}

struct Case {
    what: &'static str,
    yaml: &'static str,
    schema_valid: bool,
    normalizer_valid: bool,
}

const fn valid(what: &'static str, yaml: &'static str) -> Case {
    Case {
        what,
        yaml,
        schema_valid: true,
        normalizer_valid: true,
    }
}
const fn invalid(what: &'static str, yaml: &'static str) -> Case {
    Case {
        what,
        yaml,
        schema_valid: false,
        normalizer_valid: false,
    }
}
/// Coolify's dialect: the schema rejects it, Coolify (and so the normalizer) accepts it.
const fn coolify(what: &'static str, yaml: &'static str) -> Case {
    Case {
        what,
        yaml,
        schema_valid: false,
        normalizer_valid: true,
    }
}
/// The schema rejects it; the loader drops the key as obsolete whatever its value, and
/// reports it (`version`).
const fn ignored(what: &'static str, yaml: &'static str) -> Case {
    Case {
        what,
        yaml,
        schema_valid: false,
        normalizer_valid: true,
    }
}
/// Valid for the schema, an error for the normalizer (the schema cannot say it).
const fn stricter(what: &'static str, yaml: &'static str) -> Case {
    Case {
        what,
        yaml,
        schema_valid: true,
        normalizer_valid: false,
    }
}

const CASES: &[Case] = &[
    valid("minimal", "services: {web: {image: nginx}}"),
    valid("name and extensions", "name: app\nx-a: 1\nservices: {web: {image: nginx, x-b: {c: 1}}}"),
    valid("version string", "version: '3.8'\nservices: {web: {image: nginx}}"),
    ignored("version number", "version: 3.8\nservices: {web: {image: nginx}}"),
    invalid("name number", "name: 3\nservices: {web: {image: nginx}}"),
    invalid("unknown top-level key", "service: {web: {image: nginx}}"),
    invalid("service not a mapping", "services: {web: nginx}"),
    invalid("invalid service name", "services: {'my web': {image: nginx}}"),
    invalid("unknown service key", "services: {web: {image: nginx, imagee: x}}"),
    valid("ports short and long", "services: {web: {ports: ['80', 8080, '127.0.0.1:8000-8001:80-81/udp', {target: 80, published: '8080', protocol: tcp, mode: host, name: web, app_protocol: http}]}}"),
    invalid("ports not a sequence", "services: {web: {ports: 80}}"),
    invalid("ports unknown long key", "services: {web: {ports: [{target: 80, port: 1}]}}"),
    invalid("ports duplicate", "services: {web: {ports: ['80', '80']}}"),
    stricter("port out of range", "services: {web: {ports: ['80800']}}"),
    valid("expose", "services: {web: {expose: ['80', 443, '8000-8002/udp']}}"),
    invalid("expose boolean", "services: {web: {expose: [true]}}"),
    valid("volumes short and long", "services: {web: {volumes: ['data:/d:ro', './c:/c', '/abs:/y:rw,z', '/anon', {type: bind, source: ./x, target: /x, bind: {create_host_path: true, selinux: z}}, {type: tmpfs, target: /t, tmpfs: {size: 1000, mode: 1777}}, {type: volume, source: v, target: /v, volume: {nocopy: true, subpath: s}}]}}\nvolumes: {data: null, v: {}}"),
    invalid("volume without type", "services: {web: {volumes: [{source: x, target: /y}]}}"),
    invalid("volume type unknown", "services: {web: {volumes: [{type: disk, target: /y}]}}"),
    invalid("volume bind option unknown", "services: {web: {volumes: [{type: bind, source: ., target: /y, bind: {private: true}}]}}"),
    coolify("volume content and isDirectory", "services: {web: {volumes: [{type: bind, source: ./a.conf, target: /a.conf, content: 'x=1'}, {type: bind, source: ./d, target: /d, isDirectory: true}, {type: bind, source: ./e, target: /e, is_directory: true}]}}"),
    valid("environment list and map", "services: {a: {environment: ['A=1', 'B']}, b: {environment: {A: 1, B: null, C: true, D: 1.5}}}"),
    invalid("environment value a list", "services: {web: {environment: {A: [1]}}}"),
    invalid("environment list item a number", "services: {web: {environment: [1]}}"),
    coolify("environment a string", "services: {web: {environment: 'A=1'}}"),
    coolify("environment repeated entries", "services: {web: {environment: ['A=1', 'A=1']}}"),
    valid("labels list and map", "services: {a: {labels: ['a=1', 'b']}, b: {labels: {a: 1, b: null}}}"),
    invalid("labels list of numbers", "services: {web: {labels: [1]}}"),
    valid("depends_on list and map", "services: {a: {depends_on: [b]}, b: {depends_on: {c: {condition: service_healthy, required: false, restart: true}}}, c: {}}"),
    invalid("depends_on without condition", "services: {a: {depends_on: {b: {}}}, b: {}}"),
    invalid("depends_on bad condition", "services: {a: {depends_on: {b: {condition: up}}}, b: {}}"),
    invalid("depends_on required string", "services: {a: {depends_on: {b: {condition: service_started, required: 'yes'}}}, b: {}}"),
    valid("healthcheck forms", "services: {a: {healthcheck: {test: 'curl -f x', interval: 1m30s, timeout: 5s, retries: 3, start_period: 10s, start_interval: 1s}}, b: {healthcheck: {test: [CMD, 'true']}}, c: {healthcheck: {test: [NONE]}}, d: {healthcheck: {disable: true}}}"),
    invalid("healthcheck interval a number", "services: {web: {healthcheck: {interval: 30}}}"),
    invalid("healthcheck test a number", "services: {web: {healthcheck: {test: 1}}}"),
    invalid("healthcheck unknown key", "services: {web: {healthcheck: {command: x}}}"),
    valid("deploy", "services: {web: {deploy: {mode: replicated, replicas: 2, labels: [a=b], resources: {limits: {cpus: '0.5', memory: 512m, pids: 10}, reservations: {cpus: 0.25, memory: 1g, devices: [{capabilities: [gpu], count: all}]}}, restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 1m}, placement: {constraints: [a]}, update_config: {parallelism: 1, order: start-first}, endpoint_mode: vip}}}"),
    invalid("deploy memory a number", "services: {web: {deploy: {resources: {limits: {memory: 512}}}}}"),
    invalid("deploy replicas fractional", "services: {web: {deploy: {replicas: 1.5}}}"),
    invalid("deploy pids in reservations", "services: {web: {deploy: {resources: {reservations: {pids: 1}}}}}"),
    invalid("deploy update order", "services: {web: {deploy: {update_config: {order: random}}}}"),
    valid("ulimits", "services: {web: {ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}}}"),
    invalid("ulimits missing hard", "services: {web: {ulimits: {nofile: {soft: 1}}}}"),
    valid("command and entrypoint", "services: {a: {command: 'sh -c \"echo hi\"', entrypoint: [/bin/sh]}, b: {command: null, entrypoint: ''}}"),
    invalid("command a number", "services: {web: {command: 1}}"),
    valid("extra_hosts list and map", "services: {a: {extra_hosts: ['db:10.0.0.1', 'v6=::1']}, b: {extra_hosts: {db: 10.0.0.1, multi: [10.0.0.2, 10.0.0.3]}}}"),
    invalid("extra_hosts a string", "services: {web: {extra_hosts: 'db:1.2.3.4'}}"),
    valid("networks", "services: {a: {networks: [front]}, b: {networks: {front: {aliases: [x], ipv4_address: 10.0.0.2, priority: 1}, back: null}}}\nnetworks: {front: {driver: bridge, ipam: {config: [{subnet: 10.0.0.0/24}]}}, back: {external: true}}"),
    invalid("network attachment unknown key", "services: {web: {networks: {front: {alias: [x]}}}}\nnetworks: {front: {}}"),
    invalid("network priority a string", "services: {web: {networks: {front: {priority: high}}}}\nnetworks: {front: {}}"),
    stricter("undeclared network", "services: {web: {networks: [front]}}"),
    valid("configs and secrets", "services: {web: {configs: [c, {source: c, target: /etc/c, mode: 0440}], secrets: [s, {source: s, uid: '1', gid: '1', mode: '0400'}]}}\nconfigs: {c: {content: x}}\nsecrets: {s: {file: ./s.txt}}"),
    invalid("secret mode a boolean", "services: {web: {secrets: [{source: s, mode: true}]}}\nsecrets: {s: {file: x}}"),
    invalid("top-level config a string", "configs: {c: x}"),
    invalid("top-level secret null", "secrets: {s: null}"),
    invalid("secret with content", "secrets: {s: {content: x}}"),
    invalid("invalid top-level volume name", "volumes: {'my vol': {}}"),
    valid("any top-level network name", "networks: {'my net': {}}"),
    valid("env_file forms", "services: {a: {env_file: .env}, b: {env_file: [.env, {path: x.env, required: false, format: raw}]}}"),
    invalid("env_file entry without path", "services: {web: {env_file: [{required: true}]}}"),
    valid("build forms", "services: {a: {build: .}, b: {build: {context: ., dockerfile: Dockerfile, args: [A=1], labels: {a: b}, target: prod, cache_from: [x], platforms: [linux/amd64]}}}"),
    invalid("build unknown key", "services: {web: {build: {context: ., cache: true}}}"),
    valid("resources at service level", "services: {web: {cpus: '0.5', mem_limit: 512m, mem_reservation: 1073741824, memswap_limit: -1, mem_swappiness: 60, cpu_shares: 512, pids_limit: 100, shm_size: 64m, cpu_count: 2, cpu_percent: 50, oom_score_adj: 100}}"),
    invalid("cpu_percent over 100", "services: {web: {cpu_percent: 101}}"),
    invalid("oom_score_adj out of range", "services: {web: {oom_score_adj: 2000}}"),
    valid("booleans as strings", "services: {web: {privileged: 'true', read_only: 'false', tty: true, stdin_open: 'yes', init: true}}"),
    invalid("privileged a number", "services: {web: {privileged: 1}}"),
    invalid("use_api_socket a string", "services: {web: {use_api_socket: 'true'}}"),
    valid("security", "services: {web: {cap_add: [NET_ADMIN], cap_drop: [ALL], security_opt: [no-new-privileges:true], sysctls: {net.core.somaxconn: 1024}, user: '1000:1000', group_add: [mail, 42]}}"),
    invalid("cap_add a string", "services: {web: {cap_add: NET_ADMIN}}"),
    invalid("cap_add repeated", "services: {web: {cap_add: [A, A]}}"),
    invalid("user a number", "services: {web: {user: 1000}}"),
    valid("host keys", "services: {web: {pid: host, ipc: host, uts: host, cgroup: private, network_mode: host, platform: linux/amd64, runtime: runc, logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}, devices: ['/dev/fuse', {source: /dev/sda, permissions: r}], dns: 8.8.8.8, tmpfs: /run, stop_grace_period: 1m, stop_signal: SIGINT}}"),
    invalid("cgroup value", "services: {web: {cgroup: shared}}"),
    invalid("logging unknown key", "services: {web: {logging: {driver: x, opts: {}}}}"),
    invalid("devices entry without source", "services: {web: {devices: [{target: /dev/x}]}}"),
    invalid("tmpfs a number", "services: {web: {tmpfs: 5}}"),
    valid("pull policies", "services: {a: {pull_policy: always}, b: {pull_policy: daily}, c: {pull_policy: every_12h}, d: {pull_policy: if_not_present}}"),
    invalid("pull policy unknown", "services: {web: {pull_policy: sometimes}}"),
    valid("restart policies", "services: {a: {restart: 'no'}, b: {restart: on-failure:3}, c: {restart: unless-stopped}}"),
    invalid("restart a number", "services: {web: {restart: 5}}"),
    valid("restart: no unquoted (a string in YAML 1.2)", "services: {web: {restart: no}}"),
    invalid("container_name too short", "services: {web: {container_name: '-'}}"),
    valid("gpus", "services: {a: {gpus: all}, b: {gpus: [{driver: nvidia, count: 1}]}}"),
    invalid("gpus a word", "services: {web: {gpus: some}}"),
    valid("develop, hooks, provider, models", "services: {a: {develop: {watch: [{path: ./src, action: sync, target: /app}]}, post_start: [{command: [echo, hi], user: root}], pre_stop: [{command: 'echo bye'}], models: [m]}, b: {provider: {type: model, options: {model: ai/x, flags: [a, 1]}}}}\nmodels: {m: {model: ai/smollm2, context_size: 1024}}"),
    invalid("develop watch without action", "services: {web: {develop: {watch: [{path: x}]}}}"),
    invalid("post_start without command", "services: {web: {post_start: [{user: root}]}}"),
    invalid("model without model", "models: {m: {name: x}}"),
    valid("extends mapping", "services: {web: {extends: {service: base, file: base.yaml}}}"),
    invalid("extends without service", "services: {web: {extends: {file: base.yaml}}}"),
    coolify("exclude_from_hc", "services: {web: {image: x, exclude_from_hc: true}}"),
];

#[test]
fn snippets_agree_with_the_schema() {
    let schema = validator();
    // The files that snippets name (`env_file`, `extends`).
    let files = MemoryFiles::new([
        (".env", "A=1\n"),
        ("x.env", "B=2\n"),
        ("base.yaml", "services: {base: {image: nginx}}\n"),
    ]);
    let mut failures = Vec::new();
    for case in CASES {
        let doc = yaml(case.yaml);
        let schema_valid = schema.is_valid(&doc);
        // Through the whole pipeline: repeated entries are found file by file.
        let normalized = loads(case.yaml, "compose.yaml", &LoadOptions::default(), &files);
        if schema_valid != case.schema_valid {
            let why: Vec<String> = schema.iter_errors(&doc).map(|e| e.to_string()).collect();
            failures.push(format!(
                "{}: schema says {schema_valid} (expected {}): {why:?}",
                case.what, case.schema_valid
            ));
        }
        if normalized.is_ok() != case.normalizer_valid {
            failures.push(format!(
                "{}: normalizer gives {normalized:?} (expected valid: {})",
                case.what, case.normalizer_valid
            ));
        }
        // The property itself: the schema rejects ⇒ the normalizer rejects, except for
        // Coolify's dialect.
        let dialect = !case.schema_valid && case.normalizer_valid;
        if !schema_valid && normalized.is_ok() && !dialect {
            failures.push(format!(
                "{}: the schema rejects it, the normalizer accepts it",
                case.what
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Coolify's templates that the schema rejects even without Coolify's keys, and why.
/// Coolify accepts them, so the normalizer does.
const TEMPLATES_OUTSIDE_THE_SCHEMA: &[(&str, &str)] = &[
    ("docker-registry.yaml", "`mode` on a long-syntax volume"),
    ("pterodactyl-panel.yaml", "`mode` on a long-syntax volume"),
    (
        "pterodactyl-with-wings.yaml",
        "`mode` on a long-syntax volume",
    ),
    (
        "forgejo-with-runner.yaml",
        "`environment` given as a string",
    ),
    ("labelstudio.yaml", "an `environment` entry repeated"),
];

fn sorted_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().path()) {
            if entry.is_dir() {
                stack.push(entry);
            } else if keep(&entry) {
                out.push(entry);
            }
        }
    }
    out.sort();
    out
}

/// Templates whose named volume is a variable that Coolify itself fills
/// (`${COOLIFY_VOLUME_APP}:/data`); without it the entry is `:/data`, which Compose
/// rejects too.
const TEMPLATES_WITH_COOLIFY_VOLUME_VARIABLES: &[&str] = &["denoKV.yaml"];

#[test]
fn every_coolify_template_normalizes_and_agrees_with_the_schema() {
    let Some(shared) = shared() else { return };
    let schema = validator();
    let files = sorted_files(&shared.join("corpus/coolify-templates"), |p| {
        p.extension().is_some_and(|e| e == "yaml" || e == "yml")
    });
    assert_eq!(files.len(), 254, "expected the whole corpus");
    let mut failures = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(f).unwrap();
        let mut options = supplied_variables(&text);
        if TEMPLATES_WITH_COOLIFY_VOLUME_VARIABLES.contains(&name.as_str()) {
            options
                .variables
                .insert("COOLIFY_VOLUME_APP".into(), "app-data".into());
        }
        if let Err(e) = loads(&text, &name, &options, &NoFiles) {
            failures.push(format!("{name}: {e}"));
        }
        let doc = without_coolify_keys(&interpolated(&text, &name, &options));
        let schema_valid = schema.is_valid(&doc);
        let listed = TEMPLATES_OUTSIDE_THE_SCHEMA.iter().any(|(n, _)| *n == name);
        if schema_valid == listed {
            let why: Vec<String> = schema
                .iter_errors(&doc)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            failures.push(format!("{name}: schema valid {schema_valid}, listed as outside the schema {listed}: {why:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// kompose's fixtures that the schema accepts and the normalizer rejects, and why.
const KOMPOSE_STRICTER: &[(&str, &str)] = &[
    (
        "unused/v3/docker-compose-full-example.yaml",
        "services.foo.networks names a network not declared at top level (Compose rejects it too)",
    ),
    (
        "unused/v3/docker-compose-deploy.yaml",
        "services.vote.depends_on names a service that does not exist (Compose rejects it too)",
    ),
];

#[test]
fn kompose_fixtures_the_schema_rejects_are_rejected() {
    let Some(shared) = shared() else { return };
    let schema = validator();
    let root = shared.join("corpus/kompose-fixtures");
    let files = sorted_files(&root, |p| {
        let name = p.file_name().unwrap().to_string_lossy();
        (name.ends_with(".yaml") || name.ends_with(".yml")) && !name.starts_with("output")
    });
    let mut failures = Vec::new();
    let (mut valid, mut invalid) = (Vec::new(), Vec::new());
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(f).unwrap();
        if let Err(e) = yaml::parse(&text, &rel) {
            invalid.push(format!(
                "{rel}: {}",
                e.to_string().lines().next().unwrap_or("")
            ));
            continue;
        }
        let options = supplied_variables(&text);
        let doc = interpolated(&text, &rel, &options);
        let schema_valid = schema.is_valid(&doc);
        let normalized = loads(&text, &f.to_string_lossy(), &options, &DirFiles);
        let stricter = KOMPOSE_STRICTER.iter().any(|(n, _)| *n == rel);
        match (schema_valid, &normalized) {
            (true, Ok(())) => valid.push(rel),
            (false, Err(e)) => invalid.push(format!("{rel}: {}", e.lines().next().unwrap_or(""))),
            (false, Ok(())) => {
                let why: Vec<String> = schema
                    .iter_errors(&doc)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                failures.push(format!(
                    "{rel}: the schema rejects it ({why:?}), the normalizer accepts it"
                ));
            }
            (true, Err(e)) if !stricter => {
                failures.push(format!("{rel}: valid for the schema, normalizer: {e}"))
            }
            (true, Err(_)) => invalid.push(format!("{rel}: (stricter than the schema)")),
        }
    }
    eprintln!(
        "kompose fixtures valid: {}\n  {}",
        valid.len(),
        valid.join("\n  ")
    );
    eprintln!(
        "kompose fixtures rejected: {}\n  {}",
        invalid.len(),
        invalid.join("\n  ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
