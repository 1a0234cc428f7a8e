//! Stage `plan`: from a loaded Compose project to the project's own, Kubernetes-neutral
//! model of what to run: one [`Workload`] per service, with its containers, probes, ports,
//! volumes, configuration and secret sources, dependencies, security settings and
//! resources, plus the claims, files and secrets they share, and the mapping report.
//!
//! One concern a file: [`names`], [`mod@env`] (values and secrets), [`storage`], [`probes`],
//! [`ordering`] (`depends_on`, Jobs), [`network`], [`security`], [`resources`],
//! [`workload`] (one service), and here the project as a whole.

pub mod affinity;
pub mod devices;
pub mod dotenv;
pub mod env;
pub mod names;
pub mod network;
pub mod ordering;
pub mod probes;
pub mod resources;
pub mod security;
pub mod seed;
pub mod storage;
pub mod workload;

pub use model::*;

mod model;

use crate::compose::Project;
use crate::error::{Error, Errors};
use crate::options::Options;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::{BTreeMap, BTreeSet};

/// The resource's name: the `name` option, else the project's `name:`, else
/// `fallback`, else `app`; normalized to a DNS label.
pub fn instance_name(project: &Project, options: &Options, fallback: Option<&str>) -> String {
    let raw = options
        .name
        .as_deref()
        .or(project.name.as_deref())
        .or(fallback)
        .unwrap_or("app");
    names::dns_label(raw, names::DNS_LABEL_MAX)
}

/// Normalized Service names of every Compose service; collisions are errors.
fn service_names(project: &Project) -> Result<BTreeMap<String, String>, Vec<Error>> {
    let mut out = BTreeMap::new();
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    let mut errors = Vec::new();
    for name in project.services.keys() {
        let n = names::dns_label(name, names::DNS_LABEL_MAX);
        if let Some(other) = taken.get(&n) {
            errors.push(Error::new(
                InputPath::root().key("services").key(name.as_str()),
                format!("the service names {other:?} and {name:?} both become {n:?} on Kubernetes; rename one"),
            ));
            continue;
        }
        taken.insert(n.clone(), name.clone());
        out.insert(name.clone(), n);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Plan a loaded project. `env` holds the caller's variables (and stored magic values);
/// `fallback_name` names the resource when neither the options nor the project do.
pub fn plan(
    project: &Project,
    options: &Options,
    env: &BTreeMap<String, String>,
    fallback_name: Option<&str>,
) -> Result<Plan, Errors> {
    let mut report = Report::default();
    let expanded = expand_volumes_from(project, &mut report);
    let project = &expanded;
    let instance = instance_name(project, options, fallback_name);
    let namespace = options
        .namespace
        .clone()
        .unwrap_or_else(|| instance.clone());
    let k8s_names = service_names(project).map_err(to_errors)?;

    // Values of deferred variables.
    let resolve_options = crate::coolify::magic_values::ResolveOptions {
        supplied: Some(env),
        seed: options.seed.as_deref(),
        base_domain: options.base_domain.as_deref(),
        resource: &instance,
        url_paths: crate::proxy::service_urls::url_paths(project.services.values()),
        jwt_issued_at: None,
    };
    let magic = crate::coolify::magic_values::resolve_with(&project.magic, &resolve_options)?;
    report.extend(magic.report.clone());
    let mut values = env::Values {
        secret_name: names::object_name(&format!("{instance}-secrets")),
        values: magic.values.clone(),
        ..Default::default()
    };
    for (name, v) in &project.magic {
        if v.is_secret() {
            values.secret.insert(name.clone());
        }
    }
    // Coolify stores every variable encrypted: every value the caller gives is secret
    // (the loader deferred the ones workloads run with).
    for (name, v) in env {
        if crate::compose::MagicVariable::parse(name).is_none() {
            values.values.insert(name.clone(), v.clone());
            values.secret.insert(name.clone());
        }
    }
    for (name, k8s) in &k8s_names {
        if name.to_ascii_lowercase() != *k8s {
            values.renames.insert(name.clone(), k8s.clone());
            report.add(
                InputPath::root().key("services").key(name.as_str()),
                Outcome::Approximated,
                format!("the service {name:?} is not a valid DNS label: its Service is named {k8s:?}, and references to it as a host name are rewritten"),
            );
        }
    }

    let deps = ordering::dependencies(project, &mut report).map_err(to_errors)?;
    let jobs = ordering::jobs(project);

    let mut storage = storage::Storage {
        project,
        options,
        instance: instance.clone(),
        env,
        users: BTreeMap::new(),
        claims: BTreeMap::new(),
        files: BTreeMap::new(),
        groups: BTreeMap::new(),
    };
    storage.count_users();

    let mut errors = Vec::new();
    let mut workloads = Vec::new();
    for (name, service) in &project.services {
        let Some(k8s_name) = k8s_names.get(name) else {
            continue;
        };
        let at = InputPath::root().key("services").key(name.as_str());
        let url_routes = match crate::proxy::service_urls::routes(
            name,
            service,
            &magic,
            &crate::proxy::fqdn::FqdnSettings::default(),
            &at,
        ) {
            Ok(r) => r,
            Err(e) => {
                errors.extend(e);
                Vec::new()
            }
        };
        let cx = workload::ServiceContext {
            name,
            k8s_name,
            service,
            options,
            is_job: jobs.contains(name),
            url_routes,
        };
        match workload::plan_service(&cx, &mut storage, &mut values, &mut report) {
            Ok(w) => workloads.push(w),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(to_errors(errors));
    }

    // A routed port must be a port of the Service and the container (Coolify's templates
    // name it only in SERVICE_URL_<ID>_<PORT>).
    for w in &mut workloads {
        crate::proxy::attach::ensure_route_ports(w);
    }

    // Init containers that wait for dependencies.
    let targets: BTreeMap<String, ordering::Target> = workloads
        .iter()
        .map(|w| {
            (
                w.service.clone(),
                ordering::Target {
                    service: w.service.clone(),
                    kind: w.kind,
                    object: w.name.clone(),
                    service_name: w.service_name.clone(),
                    port: w.ports.first().map(|p| p.port),
                },
            )
        })
        .collect();
    let mut job_waiter = false;
    for w in &mut workloads {
        for dep in deps.get(&w.service).into_iter().flatten() {
            let Some(t) = targets.get(dep) else { continue };
            if t.kind == WorkloadKind::Job {
                job_waiter = true;
                w.pod.service_account = Some(ordering::job_waiter_name(&instance));
            }
            w.init_containers
                .push(ordering::wait_container(t, &namespace));
        }
    }

    let aliases = plan_aliases(project, &k8s_names, &workloads, &mut report);
    let network_policies = if options.network_policies {
        plan_network_policies(&workloads)
    } else {
        for (n, net) in &project.networks {
            if net.internal {
                report.add(
                    InputPath::root().key("networks").key(n.as_str()),
                    Outcome::Approximated,
                    "an internal network isolates nothing without NetworkPolicies (option network_policies)",
                );
            }
        }
        Vec::new()
    };
    for (n, net) in &project.networks {
        let nat = InputPath::root().key("networks").key(n.as_str());
        if net
            .driver
            .as_deref()
            .is_some_and(|d| d != "bridge" && d != "overlay")
            || !net.other.is_empty()
        {
            report.add(
                nat,
                Outcome::Dropped,
                "network drivers and their options: pods use the cluster network",
            );
        }
    }
    for (n, v) in &project.volumes {
        let vat = InputPath::root().key("volumes").key(n.as_str());
        if v.driver.is_some() || !v.driver_opts.is_empty() {
            report.add(
                vat.clone(),
                Outcome::Dropped,
                "volume drivers and their options: claims use the storage class option",
            );
        }
        if !v.labels.is_empty() {
            report.add(
                vat.key("labels"),
                Outcome::Dropped,
                "volume labels are not carried over to claims",
            );
        }
    }
    for k in project.extensions.keys() {
        if !k.starts_with("x-") {
            report.add(
                InputPath::root().key(k.as_str()),
                Outcome::Dropped,
                "not a Compose key the translator knows",
            );
        }
    }
    if !project.models.is_empty() {
        report.add(
            InputPath::root().key("models"),
            Outcome::Dropped,
            "Compose models are not run",
        );
    }

    let secret = dotenv::resource_secret(&values, &mut report);
    if let Some(secret) = &secret {
        dotenv::env_from_every_container(&mut workloads, &secret.name);
    }
    Ok(Plan {
        instance,
        namespace,
        common_labels: options.labels.clone(),
        common_annotations: options.annotations.clone(),
        secret,
        files: storage.files.into_values().collect(),
        claims: storage.claims.into_values().map(|(c, _)| c).collect(),
        workloads,
        aliases,
        job_waiter,
        network_policies,
        report,
    })
}

/// `volumes_from: [service[:ro|:rw]]`: the service also mounts the other service's
/// volumes (Compose semantics), read-only with `:ro`. `container:` sources are reported.
fn expand_volumes_from(project: &Project, report: &mut Report) -> Project {
    let mut out = project.clone();
    for (name, svc) in &project.services {
        for (i, from) in svc.volumes_from.iter().enumerate() {
            let at = InputPath::root()
                .key("services")
                .key(name.as_str())
                .key("volumes_from")
                .index(i);
            let (source, mode) = match from.rsplit_once(':') {
                Some((s, m)) if m == "ro" || m == "rw" => (s, m),
                _ => (from.as_str(), "rw"),
            };
            if source.starts_with("container:") {
                report.add(
                    at,
                    Outcome::Dropped,
                    "containers outside the project cannot share volumes",
                );
                continue;
            }
            let Some(other) = project.services.get(source) else {
                report.add(
                    at,
                    Outcome::Dropped,
                    format!("{source:?} is not a service of this project"),
                );
                continue;
            };
            let mut added = Vec::new();
            for v in &other.volumes {
                let mut v = v.clone();
                if mode == "ro" {
                    v.read_only = true;
                }
                if !svc.volumes.iter().any(|own| own.target == v.target) {
                    added.push(v);
                }
            }
            report.add(
                at,
                Outcome::Mapped,
                format!("mounts the volumes of {source:?}"),
            );
            if let Some(target) = out.services.get_mut(name) {
                target.volumes.extend(added);
            }
        }
    }
    out
}

fn to_errors(e: Vec<Error>) -> Errors {
    Errors::from_vec(e).unwrap_or_else(|| Error::new(InputPath::root(), "unknown error").into())
}

/// Extra Services for `links` aliases (`db:database`) and network `aliases`.
fn plan_aliases(
    project: &Project,
    k8s_names: &BTreeMap<String, String>,
    workloads: &[Workload],
    report: &mut Report,
) -> Vec<AliasService> {
    let mut taken: BTreeSet<String> = k8s_names.values().cloned().collect();
    let mut out: Vec<AliasService> = Vec::new();
    let by_service: BTreeMap<&str, &Workload> =
        workloads.iter().map(|w| (w.service.as_str(), w)).collect();
    let mut add = |alias: &str, target: &str, at: InputPath, out: &mut Vec<AliasService>| {
        let Some(w) = by_service.get(target) else {
            report.add(
                at,
                Outcome::Dropped,
                format!("{target:?} is not a service of this project"),
            );
            return;
        };
        let n = names::dns_label(alias, names::DNS_LABEL_MAX);
        if k8s_names.get(target) == Some(&n) {
            return; // the alias is the service's own name
        }
        if let Some(existing) = out.iter().find(|a| a.name == n) {
            if existing.target != w.service_name {
                report.add(
                    at,
                    Outcome::Dropped,
                    format!("the alias {alias:?} already names another service"),
                );
            }
            return;
        }
        if !taken.insert(n.clone()) {
            report.add(
                at,
                Outcome::Dropped,
                format!("the alias {alias:?} collides with a service name"),
            );
            return;
        }
        if w.ports.is_empty() {
            report.add(
                at.clone(),
                Outcome::Mapped,
                format!("alias {n:?}: a headless Service for {target:?}"),
            );
        }
        out.push(AliasService {
            name: n,
            target: w.service_name.clone(),
            ports: w.ports.clone(),
        });
    };
    for (name, svc) in &project.services {
        let at = InputPath::root().key("services").key(name.as_str());
        for (i, link) in svc.links.iter().enumerate() {
            let (target, alias) = link
                .split_once(':')
                .unwrap_or((link.as_str(), link.as_str()));
            add(alias, target, at.key("links").index(i), &mut out);
        }
        for (net, opts) in &svc.networks {
            for (i, alias) in opts.iter().flat_map(|o| o.aliases.iter()).enumerate() {
                add(
                    alias,
                    name,
                    at.key("networks").key(net.as_str()).key("aliases").index(i),
                    &mut out,
                );
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// One NetworkPolicy per workload: ingress from workloads sharing a Compose network, and
/// from anywhere on ports that are routed or published.
fn plan_network_policies(workloads: &[Workload]) -> Vec<NetworkPolicyPlan> {
    workloads
        .iter()
        .filter(|w| !w.pod.host_network)
        .map(|w| {
            let nets: BTreeSet<&String> = w.networks.iter().collect();
            let peers: Vec<String> = workloads
                .iter()
                .filter(|o| o.service != w.service && o.networks.iter().any(|n| nets.contains(n)))
                .map(|o| o.service_name.clone())
                .collect();
            let mut public: BTreeSet<(u16, String)> = w
                .published
                .iter()
                .map(|p| (p.target, p.protocol.clone()))
                .collect();
            for r in &w.routes {
                if let Some(p) = r.port.or_else(|| w.ports.first().map(|p| p.port)) {
                    public.insert((p, "TCP".to_string()));
                }
            }
            NetworkPolicyPlan {
                name: w.service_name.clone(),
                target: w.service_name.clone(),
                peers,
                public_ports: public.into_iter().collect(),
            }
        })
        .collect()
}
