//! Stage `plan`: from a loaded Compose project to the project's own, Kubernetes-neutral
//! model of what to run: one [`Workload`] per service, with its containers, probes, ports,
//! volumes, configuration and secret sources, dependencies, security settings and
//! resources, plus the claims, files and secrets they share, and the mapping report.
//!
//! One concern a file: [`names`], [`mod@env`] (values and secrets), [`storage`], [`probes`],
//! [`ordering`] (`depends_on`, Jobs), [`network`] (ports, aliases, policies), [`security`],
//! [`resources`], [`volumes_from`], [`listed_ports`] (how many ports objects can list),
//! [`workload`] (one service), and here the project as a whole.

pub mod affinity;
pub mod devices;
pub mod dns;
pub mod dotenv;
pub mod env;
pub mod image;
pub mod listed_ports;
pub mod names;
pub mod network;
pub mod ordering;
pub mod port_notes;
pub mod probes;
pub mod redeploy;
pub mod resources;
pub mod scope;
pub mod security;
pub mod seed;
pub mod storage;
pub mod volumes_from;
pub mod workload;

pub use model::*;

mod model;

use crate::compose::Project;
use crate::error::{Error, Errors};
use crate::options::{NamespaceStrategy, Options};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// The resource's name: the `name` option, else the project's `name:`, else
/// `fallback`, else `app`; normalized to a DNS label.
pub fn instance_name(project: &Project, options: &Options, fallback: Option<&str>) -> String {
    names::dns_label(raw_name(project, options, fallback), names::DNS_LABEL_MAX)
}

/// The resource's name as given: the `name` option, else Compose `name:`, else `fallback`,
/// else `app`.
fn raw_name<'a>(project: &'a Project, options: &'a Options, fallback: Option<&'a str>) -> &'a str {
    options
        .name
        .as_deref()
        .or(project.name.as_deref())
        .or(fallback)
        .unwrap_or("app")
}

/// The namespace: the `namespace` option, else the instance (one namespace per resource)
/// or [`crate::options::DEFAULT_SHARED_NAMESPACE`] (a shared one).
pub fn namespace_name(options: &Options, instance: &str) -> String {
    match (&options.namespace, options.namespace_strategy) {
        (Some(ns), _) => ns.clone(),
        (None, NamespaceStrategy::Resource) => instance.to_string(),
        (None, NamespaceStrategy::Shared) => crate::options::DEFAULT_SHARED_NAMESPACE.to_string(),
    }
}

/// Normalized Service names of every Compose service (carrying the identity in a shared
/// namespace, see [`scope`]); collisions are errors.
fn service_names(
    project: &Project,
    scope: &scope::NameScope,
) -> Result<BTreeMap<String, String>, Vec<Error>> {
    let mut out = BTreeMap::new();
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    let mut errors = Vec::new();
    for name in project.services.keys() {
        let n = scope.label(name, names::DNS_LABEL_MAX);
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
    let expanded = volumes_from::expand_volumes_from(project, &mut report);
    let project = &expanded;
    let instance = instance_name(project, options, fallback_name);
    let namespace = namespace_name(options, &instance);
    let scope = scope::NameScope::new(options, &instance);
    let k8s_names = service_names(project, &scope).map_err(to_errors)?;

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
    let mut values = plan_values(project, env, &instance, &magic, &k8s_names, &mut report);
    if scope.is_shared() {
        scoped_alias_renames(project, &scope, &mut values);
    }

    let deps = ordering::dependencies(project, &mut report).map_err(to_errors)?;
    let mut storage = storage::Storage {
        project,
        options,
        instance: instance.clone(),
        scope: scope.clone(),
        env,
        users: BTreeMap::new(),
        claims: BTreeMap::new(),
        files: BTreeMap::new(),
        groups: BTreeMap::new(),
    };
    storage.count_users();

    let mut workloads = plan_workloads(
        &k8s_names,
        &magic,
        &mut storage,
        &mut values,
        raw_name(project, options, fallback_name),
        &mut report,
    )
    .map_err(to_errors)?;
    let joined = network::join_network_mode(project, &mut workloads, &mut report);
    let deps = ordering::redirect_joined(deps, &joined);

    let aliases = network::plan_aliases(project, &k8s_names, &scope, &workloads, &mut report);
    let network_policies = if options.network_policies {
        network::plan_network_policies(&workloads)
    } else {
        report_internal_networks(project, &mut report);
        Vec::new()
    };
    report_project_keys(project, &mut report);

    let secret = dotenv::resource_secret(&values, &mut report);
    if let Some(secret) = &secret {
        dotenv::env_from_every_container(&mut workloads, &secret.name);
    }
    let mut plan = Plan {
        instance,
        namespace,
        common_labels: options.labels.clone(),
        common_annotations: options.annotations.clone(),
        deployment_id: options.deployment_id.clone(),
        secret,
        files: storage.files.into_values().collect(),
        claims: storage.claims.into_values().map(|(c, _)| c).collect(),
        workloads,
        aliases,
        job_waiter: false,
        network_policies,
        report,
        image_pull_secrets: options.image_pull_secrets.clone(),
        shared_namespace: scope.is_shared(),
    };
    let mut dns_report = Report::default();
    dns::map_docker_dns(&mut plan, &options.cluster_dns, &mut dns_report);
    plan.report.extend(dns_report);
    // Jobs are named after their spec and inputs (after every rewrite of their values)
    // before their dependants wait for them.
    redeploy::apply(&mut plan, &deps);
    plan.job_waiter =
        ordering::add_waits(&mut plan.workloads, &deps, &plan.instance, &plan.namespace);
    Ok(plan)
}

/// The values workloads read: magic values, caller-marked secrets, and the renames of
/// services whose names are not DNS labels (reported).
fn plan_values(
    project: &Project,
    env: &BTreeMap<String, String>,
    instance: &str,
    magic: &crate::coolify::magic_values::MagicValues,
    k8s_names: &BTreeMap<String, String>,
    report: &mut Report,
) -> env::Values {
    let mut values = env::Values {
        secret_name: names::suffixed(instance, "-secrets"),
        values: magic.values.clone(),
        ..Default::default()
    };
    for (name, v) in &project.magic {
        if v.is_secret() {
            values.secret.insert(name.clone());
        }
    }
    // Coolify stores every variable encrypted: every value the caller gives is secret
    // (the loader deferred the ones workloads run with); `secret_variables` is a subset.
    for (name, v) in env {
        if crate::compose::MagicVariable::parse(name).is_none() {
            values.values.insert(name.clone(), v.clone());
            values.secret.insert(name.clone());
        }
    }
    for (name, k8s) in k8s_names {
        if names::dns_label(name, names::DNS_LABEL_MAX) != *k8s {
            // A shared namespace: the Service carries the resource's identity.
            values.renames.insert(name.clone(), k8s.clone());
            report.add(
                InputPath::root().key("services").key(name.as_str()),
                Outcome::Mapped,
                format!("the namespace is shared (namespace_strategy: shared): the service {name:?} is the Service {k8s:?}, as Coolify names its container <service>-<uuid>, and references to it as a host name are rewritten"),
            );
        } else if name.to_ascii_lowercase() != *k8s {
            values.renames.insert(name.clone(), k8s.clone());
            report.add(
                InputPath::root().key("services").key(name.as_str()),
                Outcome::Approximated,
                format!("the service {name:?} is not a valid DNS label: its Service is named {k8s:?}, and references to it as a host name are rewritten"),
            );
        }
    }
    values
}

/// In a shared namespace the extra host names of the services (`hostname`, aliases) are
/// suffixed like the services' own ([`network::plan_aliases`]); references to them are
/// rewritten the same way.
fn scoped_alias_renames(project: &Project, scope: &scope::NameScope, values: &mut env::Values) {
    for alias in scope::alias_names(project) {
        if !values.renames.contains_key(&alias) && !project.services.contains_key(&alias) {
            values
                .renames
                .insert(alias.clone(), scope.label(&alias, names::DNS_LABEL_MAX));
        }
    }
}

/// One workload per service, with the routes of its `SERVICE_URL_*` keys and every
/// routed port on its Service and container.
fn plan_workloads(
    k8s_names: &BTreeMap<String, String>,
    magic: &crate::coolify::magic_values::MagicValues,
    storage: &mut storage::Storage<'_>,
    values: &mut env::Values,
    compose_name: &str,
    report: &mut Report,
) -> Result<Vec<Workload>, Vec<Error>> {
    // The storage planner holds the project and the options (and is borrowed mutably below).
    let (project, options) = (storage.project, storage.options);
    let jobs = ordering::jobs(project);
    let compose_project = image::compose_project_name(compose_name);
    let mut errors = Vec::new();
    let mut workloads = Vec::new();
    for (name, service) in &project.services {
        let Some(k8s_name) = k8s_names.get(name) else {
            continue;
        };
        let at = InputPath::root().key("services").key(name.as_str());
        let url_routes = match crate::proxy::service_urls::service_routes(
            name, service, magic, options, &at, report,
        ) {
            Ok(r) => r,
            Err(e) => {
                errors.extend(e);
                Vec::new()
            }
        };
        let scoped = storage.scope.raw(name);
        let cx = workload::ServiceContext {
            name,
            k8s_name,
            base_name: &scoped,
            service,
            options,
            is_job: jobs.contains(name),
            url_routes,
            project: &compose_project,
        };
        match workload::plan_service(&cx, storage, values, report) {
            Ok(w) => workloads.push(w),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A routed port must be a port of the Service and the container (Coolify's templates
    // name it only in SERVICE_URL_<ID>_<PORT>).
    crate::proxy::attach::attach(&mut workloads, report);
    for w in &mut workloads {
        network::add_health_check_ports(w);
        listed_ports::limit_listed_ports(w, report);
        listed_ports::limit_published_ports(w, report);
    }
    Ok(workloads)
}

/// Without NetworkPolicies an internal network isolates nothing: reported.
fn report_internal_networks(project: &Project, report: &mut Report) {
    for (n, net) in &project.networks {
        if net.internal {
            report.add(
                InputPath::root().key("networks").key(n.as_str()),
                Outcome::Approximated,
                "an internal network isolates nothing without NetworkPolicies (option network_policies)",
            );
        }
    }
}

/// Top-level keys with no Kubernetes counterpart: network and volume drivers, volume
/// labels, unknown keys, models.
fn report_project_keys(project: &Project, report: &mut Report) {
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
}

fn to_errors(e: Vec<Error>) -> Errors {
    Errors::from_vec(e).unwrap_or_else(|| Error::new(InputPath::root(), "unknown error").into())
}
