//! One Compose service → one [`Workload`]: its kind, main container (image, command,
//! environment, probes, ports, mounts, security, resources), pod settings, labels and
//! annotations, and the report of every key that is not carried over exactly.

use super::env::Values;
use super::model::{AccessMode, Container, PodVolume, VolumeSource, Workload, WorkloadKind};
use super::names::{dns_label, STATEFULSET_MAX};
use super::storage::Storage;
use crate::compose::{Restart, Service};
use crate::error::Error;
use crate::options::Options;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// Service keys the planner always carries over (or reports itself when it cannot);
/// every other key of a service is either reported or absent. The corpus coverage test
/// checks this list against real inputs.
pub const MAPPED_KEYS: &[&str] = &[
    "image",
    "build",
    "pull_policy",
    "entrypoint",
    "command",
    "working_dir",
    "user",
    "group_add",
    "stdin_open",
    "tty",
    "restart",
    "stop_grace_period",
    "environment",
    "env_file",
    "labels",
    "annotations",
    "ports",
    "expose",
    "networks",
    "network_mode",
    "hostname",
    "extra_hosts",
    "dns",
    "dns_opt",
    "dns_search",
    "depends_on",
    "healthcheck",
    "volumes",
    "tmpfs",
    "configs",
    "secrets",
    "read_only",
    "shm_size",
    "privileged",
    "cap_add",
    "cap_drop",
    "security_opt",
    "sysctls",
    "deploy",
    "scale",
    "mem_limit",
    "mem_reservation",
    "cpus",
    "cpu_shares",
    "links",
    "exclude_from_hc",
    "profiles",
];

/// The extension key that asks for autoscaling.
pub const AUTOSCALE_KEY: &str = "x-coolify-autoscale";

/// What the planner knows when it plans one service.
pub struct ServiceContext<'a> {
    /// The Compose service name.
    pub name: &'a str,
    /// Its normalized name (the Service's name).
    pub k8s_name: &'a str,
    /// The name workload objects are normalized from: the Compose name, or
    /// `<name>-<identity>` in a shared namespace ([`super::scope`]).
    pub base_name: &'a str,
    /// The service.
    pub service: &'a Service,
    /// The options.
    pub options: &'a Options,
    /// True when the service runs to completion.
    pub is_job: bool,
    /// Routes from the service's `SERVICE_URL_*` / `SERVICE_FQDN_*` keys.
    pub url_routes: Vec<crate::proxy::Route>,
    /// The Compose project name (normalized as Docker Compose does), which names built
    /// images.
    pub project: &'a str,
}

/// Plan one service. Errors name the service's keys. Each parity concern is its own
/// function below (or its own file: probes, network, storage, security, resources).
pub fn plan_service(
    cx: &ServiceContext<'_>,
    storage: &mut Storage<'_>,
    values: &mut Values,
    report: &mut Report,
) -> Result<Workload, Vec<Error>> {
    let s = cx.service;
    let at = InputPath::root().key("services").key(cx.name);
    let mut errors = Vec::new();

    let image = super::image::image(cx, &at, report)?;
    let kind = kind(cx, storage);
    let name = if kind == WorkloadKind::StatefulSet {
        dns_label(cx.base_name, STATEFULSET_MAX)
    } else {
        cx.k8s_name.to_string()
    };
    let job_retries = restart(s, kind, &at, report);
    let replicas = replicas(s, kind, &at, report);

    // Environment, commands.
    let mut env = values.environment(&s.environment, &at.key("environment"), report);
    let mut helpers = Vec::new();
    let command = s
        .entrypoint
        .as_ref()
        .map(|e| values.argv(e, &mut helpers, &at.key("entrypoint"), report));
    let args = s
        .command
        .as_ref()
        .map(|c| values.argv(c, &mut helpers, &at.key("command"), report));
    if s.entrypoint.as_ref().is_some_and(|e| e.is_empty()) {
        report.add(at.key("entrypoint"), Outcome::Approximated, "an empty entrypoint cannot reset the image's ENTRYPOINT on Kubernetes: the image's entrypoint runs");
    }
    let probes = super::probes::plan_service_probes(cx, values, &mut helpers, &at, report);
    values.add_helpers(&mut env, &helpers);

    // Ports, storage, security, pod, resources.
    let ports = super::network::plan_ports(s, cx.options, &at, report);
    let st = match storage.plan_service(cx.name, cx.k8s_name, s, values, &at, report) {
        Ok(st) => st,
        Err(e) => {
            errors.extend(e);
            Default::default()
        }
    };
    let security = super::security::plan_security(s, &at, report);
    let mut pod = super::security::plan_pod(s, &at, report);
    pod.volume_group = storage.groups.get(cx.name).cloned();
    let resources = super::resources::plan_resources(s, &at, report);
    super::security::report_host_keys(s, &at, report);
    let recreate = rollout_strategy(kind, replicas, &st.volumes, storage, &at, report);

    let (labels, annotations) = metadata(s, &at, report);
    let mut routes = cx.url_routes.clone();
    routes.extend(crate::proxy::labels::routes(
        cx.name,
        &s.labels,
        &at.key("labels"),
        report,
    ));
    let autoscale = match autoscale(cx, kind, !routes.is_empty(), &at, report) {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let networks = super::network::compose_networks(s, &at, report);

    let mut container = Container {
        name: cx.k8s_name.to_string(),
        pull_policy: super::image::pull_policy(cx, &image, &at, report),
        image,
        command,
        args,
        env,
        working_dir: s.working_dir.clone(),
        ports: ports.container,
        mounts: st.mounts,
        readiness: probes.readiness,
        liveness: probes.liveness,
        startup: probes.startup,
        security,
        resources,
        stdin: s.stdin_open.unwrap_or(false),
        tty: s.tty.unwrap_or(false),
        env_from: Vec::new(),
    };
    if kind == WorkloadKind::Job {
        super::probes::strip_for_job(&mut container, &at, report);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Workload {
        service: cx.name.to_string(),
        name,
        service_name: cx.k8s_name.to_string(),
        kind,
        replicas: if matches!(kind, WorkloadKind::Job | WorkloadKind::DaemonSet) {
            None
        } else {
            replicas
        },
        recreate,
        job_retries,
        init_containers: super::seed::init_container(&container, &st.steps)
            .into_iter()
            .collect(),
        containers: vec![container],
        volumes: st.volumes,
        ports: ports.service,
        published: ports.published,
        pod,
        labels,
        annotations,
        networks,
        routes,
        autoscale,
        config_checksum: None,
    })
}

/// The controller kind: a Job for run-to-completion services, a DaemonSet for
/// `deploy.mode: global`, a StatefulSet for a service with a volume of its own, else a
/// Deployment.
fn kind(cx: &ServiceContext<'_>, storage: &Storage<'_>) -> WorkloadKind {
    let s = cx.service;
    let global = s
        .deploy
        .as_ref()
        .and_then(|d| d.mode.as_deref())
        .is_some_and(|m| m.starts_with("global"));
    if cx.is_job {
        WorkloadKind::Job
    } else if global {
        WorkloadKind::DaemonSet
    } else if storage.has_exclusive_named_volume(s) {
        WorkloadKind::StatefulSet
    } else {
        WorkloadKind::Deployment
    }
}

/// `restart:`; returns whether a Job retries failed pods.
fn restart(s: &Service, kind: WorkloadKind, at: &InputPath, report: &mut Report) -> bool {
    if s.restart == Some(Restart::OnFailure) && kind != WorkloadKind::Job {
        report.add(
            at.key("restart"),
            Outcome::Approximated,
            "on-failure: Kubernetes restarts a long-running container whenever it exits",
        );
    }
    if s.restart == Some(Restart::OnFailure) && kind == WorkloadKind::Job {
        report.add(
            at.key("restart"),
            Outcome::Mapped,
            "on-failure, serving nothing: a one-shot task, run as a Job retried on failure (Compose leaves it exited after a clean exit)",
        );
    }
    kind == WorkloadKind::Job && s.restart != Some(Restart::No)
}

/// `deploy.replicas` / `scale`, and the report of the Swarm-only `deploy` keys.
fn replicas(s: &Service, kind: WorkloadKind, at: &InputPath, report: &mut Report) -> Option<u32> {
    let replicas = s.deploy.as_ref().and_then(|d| d.replicas).or(s.scale);
    if replicas.is_some() && matches!(kind, WorkloadKind::Job | WorkloadKind::DaemonSet) {
        report.add(
            at.key("deploy").key("replicas"),
            Outcome::Dropped,
            "replicas do not apply to a Job or a DaemonSet",
        );
    }
    if let Some(d) = &s.deploy {
        let dat = at.key("deploy");
        if d.restart_policy.is_some() {
            report.add(
                dat.key("restart_policy"),
                Outcome::Dropped,
                "Swarm restart policies: Kubernetes restarts containers by its own policy",
            );
        }
        for k in d.other.keys() {
            report.add(
                dat.key(k.as_str()),
                Outcome::Dropped,
                "a Swarm scheduling setting with no direct Kubernetes equivalent",
            );
        }
        if let Some(m) = d.mode.as_deref() {
            if !matches!(m, "replicated" | "global" | "replicated-job" | "global-job") {
                report.add(
                    dat.key("mode"),
                    Outcome::Dropped,
                    format!("unknown deploy mode {m:?}"),
                );
            }
            if m == "global-job" {
                report.add(
                    dat.key("mode"),
                    Outcome::Approximated,
                    "global-job runs once, not once per node",
                );
            }
        }
    }
    replicas
}

/// Whether a Deployment replaces its pods all at once: a ReadWriteOnce claim cannot be
/// mounted by the old and the new pod on two nodes.
fn rollout_strategy(
    kind: WorkloadKind,
    replicas: Option<u32>,
    volumes: &[PodVolume],
    storage: &Storage<'_>,
    at: &InputPath,
    report: &mut Report,
) -> bool {
    let rwo = volumes.iter().any(|v| {
        matches!(&v.source, VolumeSource::Claim(c)
            if storage.claims.get(c).is_some_and(|(c, _)| c.access == AccessMode::ReadWriteOnce))
    });
    if matches!(kind, WorkloadKind::StatefulSet | WorkloadKind::Deployment)
        && replicas.is_some_and(|r| r > 1)
        && rwo
    {
        report.add(at.key("deploy").key("replicas"), Outcome::Approximated, "several replicas share a ReadWriteOnce claim: they must run on one node, or the storage class must support ReadWriteMany");
    }
    kind == WorkloadKind::Deployment && rwo
}

/// Labels (`coolify.io/*` and the like) and annotations (other labels, `annotations`,
/// `deploy.labels`, `exclude_from_hc` and `restart: "no"` as `coolify.io/exclude-from-hc`).
fn metadata(
    s: &Service,
    at: &InputPath,
    report: &mut Report,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let (labels, mut annotations) = super::security::split_labels(&s.labels, at, report);
    for (k, v) in &s.annotations {
        annotations.insert(k.clone(), v.clone());
    }
    if let Some(d) = &s.deploy {
        for (k, v) in &d.labels {
            annotations.insert(k.clone(), v.clone());
        }
    }
    // Coolify leaves both `exclude_from_hc` and `restart: "no"` services out of the
    // resource's status (`exclude_from_status`, bootstrap/helpers/parsers.php).
    if s.exclude_from_hc || s.restart == Some(Restart::No) {
        annotations.insert("coolify.io/exclude-from-hc".into(), "true".into());
    }
    (labels, annotations)
}

/// Autoscaling: the service's `x-coolify-autoscale`, else the option for routed
/// services; only Deployments and StatefulSets scale.
fn autoscale(
    cx: &ServiceContext<'_>,
    kind: WorkloadKind,
    routed: bool,
    at: &InputPath,
    report: &mut Report,
) -> Result<Option<crate::k8s::autoscaling::Autoscale>, Error> {
    let s = cx.service;
    let autoscale = match s.extensions.get(AUTOSCALE_KEY) {
        Some(v) => Some(crate::k8s::autoscaling::Autoscale::from_value(
            v,
            &at.key(AUTOSCALE_KEY),
        )?),
        None if routed => cx.options.autoscale,
        None => None,
    };
    if matches!(kind, WorkloadKind::Deployment | WorkloadKind::StatefulSet) {
        return Ok(autoscale);
    }
    if autoscale.is_some() && s.extensions.contains_key(AUTOSCALE_KEY) {
        report.add(
            at.key(AUTOSCALE_KEY),
            Outcome::Dropped,
            "only Deployments and StatefulSets are autoscaled",
        );
    }
    Ok(None)
}
