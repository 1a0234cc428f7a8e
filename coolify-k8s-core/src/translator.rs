//! The translator facade: Compose text (or files) and options in, [`Manifests`] out.
//!
//! It runs the pipeline of ARCHITECTURE.md: `compose::load` → `plan` → `k8s` (build),
//! and collects the report of every stage.
//!
//! ```no_run
//! use coolify_k8s_core::{Options, Translator};
//! use std::collections::BTreeMap;
//! let t = Translator::new(Options::default());
//! let m = t.compose("services:\n  web:\n    image: nginx:1.27\n", &BTreeMap::new()).unwrap();
//! print!("{}", m.to_yaml());
//! ```

use crate::compose::{self, LoadOptions, NoFiles, Project, Resolver, SourceFile};
use crate::error::Errors;
use crate::manifests::Manifests;
use crate::options::Options;
use crate::report::Report;
use std::collections::BTreeMap;

/// Translates Coolify's Compose dialect into Kubernetes manifests with fixed [`Options`].
#[derive(Debug, Clone, Default)]
pub struct Translator {
    options: Options,
}

impl Translator {
    /// A translator with these options.
    pub fn new(options: Options) -> Self {
        Self { options }
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Translate one Compose document. `env` holds the values of `${VAR}` references and
    /// of Coolify's magic variables (stored values; missing ones are generated from the
    /// `seed` option). The resource name defaults to the Compose `name:`, else `app`.
    pub fn compose(&self, yaml: &str, env: &BTreeMap<String, String>) -> Result<Manifests, Errors> {
        let files = [SourceFile {
            name: "compose.yaml".to_string(),
            text: yaml.to_string(),
        }];
        self.compose_files(&files, env, &NoFiles)
    }

    /// Translate one or more Compose files (later ones merge over earlier ones); files they
    /// refer to are read through `resolver`. The resource name defaults to the Compose
    /// `name:`, else the first file's folder or stem (see [`default_name`]).
    pub fn compose_files(
        &self,
        files: &[SourceFile],
        env: &BTreeMap<String, String>,
        resolver: &dyn Resolver,
    ) -> Result<Manifests, Errors> {
        let load_options = LoadOptions {
            variables: env.clone(),
            secret_variables: self.options.secret_variables.clone(),
            profiles: self.options.profiles.clone(),
            defer_stored: true,
        };
        let loaded = compose::load(files, &load_options, resolver)?;
        let fallback = files.first().map(|f| default_name(&f.name));
        // Coolify stores every `${VAR:-default}` of the template as a variable of the
        // resource's `.env` (which reaches every container, see `plan::dotenv`).
        let mut stored = env.clone();
        for f in files {
            for (name, default) in compose::interpolate::shared_defaults(&f.text) {
                if compose::MagicVariable::parse(&name).is_none() {
                    stored.entry(name).or_insert(default);
                }
            }
        }
        // Coolify's required port lives in the template's `# port:` comment header.
        let header_port = files
            .first()
            .and_then(|f| crate::proxy::service_urls::template_port(&f.text));
        if self.options.required_port.is_none() && header_port.is_some() {
            let with_port = Translator::new(Options {
                required_port: header_port,
                ..self.options.clone()
            });
            return with_port.project(&loaded.project, loaded.report, &stored, fallback.as_deref());
        }
        self.project(&loaded.project, loaded.report, &stored, fallback.as_deref())
    }

    /// Translate an already loaded project. `load_report` is the loader's report (merged
    /// into the result); `fallback_name` is used when neither the `name` option nor the
    /// project's `name:` gives one (`app` when absent).
    pub fn project(
        &self,
        project: &Project,
        load_report: Report,
        env: &BTreeMap<String, String>,
        fallback_name: Option<&str>,
    ) -> Result<Manifests, Errors> {
        self.options.validate()?;
        let plan = crate::plan::plan(project, &self.options, env, fallback_name)?;
        let (objects, build_report) = crate::k8s::build(&plan, &self.options)?;
        let mut report = load_report;
        report.extend(plan.report.clone());
        report.extend(build_report);
        report.normalize();
        Ok(Manifests::new(objects, report))
    }
}

/// The resource name a file gives when nothing else does: its stem (`supabase.yaml` →
/// `supabase`), or its folder's name when the stem is a generic Compose file name
/// (`apps/blog/docker-compose.yml` → `blog`); `app` when neither gives one.
///
/// ```
/// use coolify_k8s_core::translator::default_name;
/// assert_eq!(default_name("templates/supabase.yaml"), "supabase");
/// assert_eq!(default_name("apps/blog/docker-compose.yml"), "blog");
/// assert_eq!(default_name("compose.yaml"), "app");
/// ```
pub fn default_name(file: &str) -> String {
    let parts: Vec<&str> = file
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let Some((last, folders)) = parts.split_last() else {
        return "app".to_string();
    };
    let stem = last.split('.').next().unwrap_or(last);
    let generic = matches!(
        stem,
        "compose" | "docker-compose" | "docker_compose" | "stack" | ""
    );
    let pick = if generic {
        folders.last().copied().filter(|f| *f != "..")
    } else {
        Some(stem)
    };
    match pick {
        Some(p) if p.chars().any(|c| c.is_ascii_alphanumeric()) => p.to_string(),
        _ => "app".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::magic::deferred::reference;
    use crate::compose::{
        DependsOn, DependsOnCondition, Healthcheck, HealthcheckTest, MagicVariable, MountType,
        Port, Protocol, Restart, Service, ServiceVolume,
    };
    use serde_json::Value;

    fn vol(kind: MountType, source: &str, target: &str) -> ServiceVolume {
        ServiceVolume::new(kind, Some(source.into()), target)
    }

    /// A small project as the loader would give it: a database with a generated password,
    /// an app that embeds it, and a migration Job.
    pub(crate) fn sample() -> (Project, BTreeMap<String, String>) {
        let mut p = Project {
            name: Some("Blog".into()),
            ..Default::default()
        };
        let pw = "SERVICE_PASSWORD_DB".to_string();
        p.magic
            .insert(pw.clone(), MagicVariable::parse(&pw).unwrap());
        let mut db = Service {
            image: Some("postgres:16".into()),
            healthcheck: Some(Healthcheck {
                test: Some(HealthcheckTest::Shell("pg_isready -U app".into())),
                ..Default::default()
            }),
            volumes: vec![vol(
                MountType::Volume,
                "db_data",
                "/var/lib/postgresql/data",
            )],
            ..Default::default()
        };
        db.environment
            .insert("POSTGRES_PASSWORD".into(), Some(reference(&pw)));
        let mut web = Service {
            image: Some("ghost:5".into()),
            ports: vec![Port {
                name: None,
                target: 2368,
                published: Some("80".into()),
                host_ip: None,
                protocol: Protocol::Tcp,
                app_protocol: None,
                mode: None,
                written_index: None,
            }],
            command: Some(vec![
                "serve".into(),
                format!("--db-password={}", reference(&pw)),
            ]),
            ..Default::default()
        };
        web.environment.insert(
            "DATABASE_URL".into(),
            Some(format!("postgres://app:{}@db:5432/app", reference(&pw))),
        );
        web.environment.insert("FLAG".into(), Some("yes".into()));
        web.depends_on.insert(
            "db".into(),
            DependsOn {
                condition: DependsOnCondition::ServiceHealthy,
                restart: false,
                required: true,
            },
        );
        web.depends_on.insert(
            "migrate".into(),
            DependsOn {
                condition: DependsOnCondition::ServiceCompletedSuccessfully,
                restart: false,
                required: true,
            },
        );
        let migrate = Service {
            image: Some("ghost:5".into()),
            restart: Some(Restart::No),
            ..Default::default()
        };
        p.services.insert("db".into(), db);
        p.services.insert("web".into(), web);
        p.services.insert("migrate".into(), migrate);
        let env = BTreeMap::from([(pw, "s3cr3t-value".to_string())]);
        (p, env)
    }

    fn kinds(m: &Manifests) -> Vec<String> {
        m.objects()
            .iter()
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap(),
                    o["metadata"]["name"].as_str().unwrap()
                )
            })
            .collect()
    }

    #[test]
    fn translates_a_project_end_to_end() {
        let (p, env) = sample();
        let m = Translator::default()
            .project(&p, Report::default(), &env, None)
            .unwrap();
        // A Job is named after a hash of its spec and inputs (plan::redeploy).
        let names: Vec<String> = kinds(&m)
            .into_iter()
            .map(|k| match k.strip_prefix("Job/migrate-") {
                Some(h) if h.len() == 8 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    "Job/migrate-<hash>".to_string()
                }
                _ => k,
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "Namespace/blog",
                "ServiceAccount/blog-job-waiter",
                "Role/blog-job-waiter",
                "RoleBinding/blog-job-waiter",
                "Secret/blog-secrets",
                "PersistentVolumeClaim/db-data",
                "StatefulSet/db",
                "Job/migrate-<hash>",
                "Deployment/web",
                "Service/db",
                "Service/migrate",
                "Service/web",
            ]
        );
        let yaml = m.to_yaml();
        if std::env::var_os("SHOW").is_some() {
            eprintln!("{yaml}");
        }
        // The secret value appears once, base64-encoded, in the Secret only.
        assert!(!yaml.contains("s3cr3t-value"));
        let by_name = |k: &str, n: &str| -> Value {
            m.objects()
                .iter()
                .find(|o| o["kind"] == k && o["metadata"]["name"] == n)
                .cloned()
                .unwrap()
        };
        let web = by_name("Deployment", "web");
        let c = &web["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["args"][1], "--db-password=$(SERVICE_PASSWORD_DB)");
        let env_list: Vec<(String, String)> = c["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e.get("value")
                        .and_then(|v| v.as_str())
                        .unwrap_or("<ref>")
                        .to_string(),
                )
            })
            .collect();
        assert_eq!(
            env_list,
            vec![
                ("SERVICE_PASSWORD_DB".to_string(), "<ref>".to_string()),
                (
                    "DATABASE_URL".to_string(),
                    "postgres://app:$(SERVICE_PASSWORD_DB)@db:5432/app".to_string()
                ),
                ("FLAG".to_string(), "yes".to_string()),
            ]
        );
        let init: Vec<&str> = web["spec"]["template"]["spec"]["initContainers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(init, vec!["wait-for-db", "wait-for-migrate"]);
        assert_eq!(
            web["spec"]["template"]["spec"]["serviceAccountName"],
            "blog-job-waiter"
        );
        let db = by_name("StatefulSet", "db");
        let probe =
            &db["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["exec"]["command"];
        assert_eq!(
            probe,
            &serde_json::json!(["/bin/sh", "-c", "pg_isready -U app"])
        );
        assert_eq!(by_name("Service", "db")["spec"]["clusterIP"], "None");
        assert_eq!(by_name("Service", "web")["spec"]["ports"][0]["port"], 2368);
        let job = m
            .objects()
            .iter()
            .find(|o| o["kind"] == "Job")
            .cloned()
            .unwrap();
        assert_eq!(job["spec"]["backoffLimit"], 0);
        assert_eq!(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
        // Every object carries the standard labels.
        for o in m.objects() {
            let l = &o["metadata"]["labels"];
            assert_eq!(l["app.kubernetes.io/instance"], "blog", "{o}");
            assert_eq!(l["app.kubernetes.io/managed-by"], "coolify", "{o}");
            assert!(l["app.kubernetes.io/name"].is_string(), "{o}");
        }
        // The host port is reported.
        assert!(m
            .warnings()
            .iter()
            .any(|w| w.starts_with("approximated: services.web.ports[0]: host port 80")));
        // Same input, same output.
        let again = Translator::default()
            .project(&p, Report::default(), &env, None)
            .unwrap();
        assert_eq!(again.to_yaml(), yaml);
    }

    #[test]
    fn a_port_range_too_long_for_one_object_lists_what_fits_and_reports_the_rest() {
        // Docker publishes all 6,000; a Service or a pod listing them outgrows the API
        // server's request limit (plan::listed_ports).
        let m = Translator::default()
            .compose(
                "services:\n  relay:\n    image: coturn\n    ports: [\"1-6000/udp\"]\n    expose: [\"7000\"]\n",
                &BTreeMap::new(),
            )
            .unwrap();
        let find = |k: &str| {
            m.objects()
                .iter()
                .find(|o| o["kind"] == k)
                .cloned()
                .unwrap()
        };
        let service = find("Service");
        let ports = service["spec"]["ports"].as_array().unwrap();
        assert_eq!(ports.len(), crate::plan::listed_ports::LISTED_PORTS_MAX);
        assert_eq!(ports[0]["port"], 1);
        assert_eq!(ports[4999]["port"], 5000);
        assert_eq!(service["spec"]["clusterIP"], "None");
        let container = &find("Deployment")["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["ports"].as_array().unwrap().len(), 5000);
        let lines: Vec<String> = m
            .report()
            .entries()
            .iter()
            .filter(|e| e.path.to_string() == "services.relay.ports")
            .map(|e| e.message.clone())
            .collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("1001 of its 6001 ports (5001 to 7000) are not listed"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn the_report_names_port_entries_as_written_after_a_range() {
        // A range is one entry as written and one per port in the canonical list; what the
        // report says about the entries after it names them where the user wrote them.
        let text = "services:\n  web:\n    image: nginx\n    ports:\n      - \"3000-3002:3000-3002\"\n      - \"127.0.0.1:8080:80\"\n      - {target: 81, published: 8081, mode: host, x-note: kept}\n      - \"3000:3000\"\n      - \"127.0.0.1:9000-9001:90-91\"\n";
        let m = Translator::default()
            .compose(text, &BTreeMap::new())
            .unwrap();
        let lines: Vec<String> = m
            .report()
            .entries()
            .iter()
            .filter(|e| e.path.to_string().starts_with("services.web.ports"))
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                // The range at [0]; "3000:3000" at [3] merged into its first port, which
                // keeps its place and so its index.
                "approximated: services.web.ports[0]: host ports 3000 to 3002/tcp are not published: the ports 3000 to 3002 are reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
                // One run over consecutive entries is named by its first.
                "approximated: services.web.ports[1]: host ports 8080 to 8081/tcp are not published: the ports 80 to 81 are reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
                "dropped: services.web.ports[1].host_ip: binding to the host address 127.0.0.1 has no Service equivalent",
                "dropped: services.web.ports[2].mode: host-mode publishing: use the published_ports option",
                "dropped: services.web.ports[2].x-note: extension key: not used by the translation",
                "approximated: services.web.ports[4]: host ports 9000 to 9001/tcp are not published: the ports 90 to 91 are reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
                "dropped: services.web.ports[4].host_ip: binding to the host address 127.0.0.1 has no Service equivalent (host ports 9000 to 9001/tcp)",
            ]
        );
    }

    #[test]
    fn names_derived_from_a_name_at_the_length_limit_keep_their_suffix() {
        // A CLI user's long `name:` and service name: the objects named after them are
        // shortened before their suffix, not through it, so `-secrets` still says what the
        // Secret is (Coolify's instances are UUIDs, short enough either way).
        let instance = "i".repeat(70);
        let service = "w".repeat(70);
        let text = format!(
            "name: {instance}\nservices:\n  {service}:\n    image: nginx\n    ports: [\"8080:80\"]\n    environment: [\"PASSWORD=$SERVICE_PASSWORD_DB\"]\n    depends_on:\n      migrate: {{condition: service_completed_successfully}}\n    volumes:\n      - type: bind\n        source: ./app.conf\n        target: /etc/app.conf\n        content: \"a = 1\"\n      - type: bind\n        source: ./key.pem\n        target: /etc/key.pem\n        content: \"-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----\\n\"\n  migrate:\n    image: busybox\n"
        );
        let t = Translator::new(Options {
            published_ports: crate::options::PublishedPorts::Nodeport,
            ..Default::default()
        });
        let m = t.compose(&text, &BTreeMap::new()).unwrap();
        let names = kinds(&m);
        for (kind, suffix) in [
            ("Secret", "-secrets"),
            ("ServiceAccount", "-job-waiter"),
            ("Role", "-job-waiter"),
            ("Service", "-public"),
            ("ConfigMap", "-files"),
            ("Secret", "-secret-files"),
        ] {
            let found: Vec<&String> = names
                .iter()
                .filter(|n| n.starts_with(&format!("{kind}/")) && n.ends_with(suffix))
                .collect();
            assert_eq!(found.len(), 1, "{kind} …{suffix} in {names:?}");
            let name = found[0].split_once('/').map_or("", |(_, n)| n);
            assert!(
                crate::plan::names::is_dns_label(name) && name.len() == 63,
                "{name}"
            );
        }
        // The Deployment reads the resource Secret by the name it has.
        let yaml = m.to_yaml();
        let secret = names
            .iter()
            .find_map(|n| {
                n.strip_prefix("Secret/")
                    .filter(|n| n.ends_with("-secrets"))
            })
            .unwrap();
        assert!(yaml.contains(&format!("name: {secret}\n")), "{yaml}");
    }

    #[test]
    fn a_published_range_wider_than_the_node_ports_publishes_its_first_ports() {
        let t = Translator::new(Options {
            published_ports: crate::options::PublishedPorts::Nodeport,
            ..Default::default()
        });
        let m = t
            .compose(
                "services:\n  turn:\n    image: coturn\n    ports: [\"49152-65535:49152-65535/udp\"]\n",
                &BTreeMap::new(),
            )
            .unwrap();
        let public = m
            .objects()
            .iter()
            .find(|o| o["kind"] == "Service" && o["spec"]["type"] == "NodePort")
            .cloned()
            .unwrap();
        let ports = public["spec"]["ports"].as_array().unwrap();
        assert_eq!(ports.len(), crate::plan::listed_ports::PUBLISHED_PORTS_MAX);
        assert_eq!(ports[0]["port"], 49152);
        assert_eq!(ports[999]["port"], 50151);
        assert!(
            m.report()
                .entries()
                .iter()
                .any(|e| e.path.to_string() == "services.turn.ports"
                    && e.message
                        .starts_with("15384 of its 16384 published ports (50152 to 65535)")),
            "{:?}",
            m.report()
                .entries()
                .iter()
                .filter(|e| e.path.to_string() == "services.turn.ports")
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_service_without_an_image_is_an_error() {
        let mut p = Project::default();
        p.services.insert(
            "app".into(),
            Service {
                build: Some(Default::default()),
                ..Default::default()
            },
        );
        let e = Translator::default()
            .project(&p, Report::default(), &BTreeMap::new(), None)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("services.app: the service has only `build:`"),
            "{e}"
        );
        let t = Translator::new(Options {
            images: BTreeMap::from([("app".to_string(), "r/app:1".to_string())]),
            ..Default::default()
        });
        let m = t
            .project(&p, Report::default(), &BTreeMap::new(), None)
            .unwrap();
        assert_eq!(
            m.objects()[1]["spec"]["template"]["spec"]["containers"][0]["image"],
            "r/app:1"
        );
    }

    #[test]
    fn colliding_service_names_are_errors() {
        let mut p = Project::default();
        for n in ["my_app", "my-app"] {
            p.services.insert(
                n.into(),
                Service {
                    image: Some("x".into()),
                    ..Default::default()
                },
            );
        }
        let e = Translator::default()
            .project(&p, Report::default(), &BTreeMap::new(), None)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "services.my_app: the service names \"my-app\" and \"my_app\" both become \"my-app\" on Kubernetes; rename one"
        );
    }
}
