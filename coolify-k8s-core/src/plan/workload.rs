//! One Compose service → one [`Workload`]: its kind, main container (image, command,
//! environment, probes, ports, mounts, security, resources), pod settings, labels and
//! annotations, and the report of every key that is not carried over exactly.

use super::env::Values;
use super::model::{Container, ProbeAction, Workload, WorkloadKind};
use super::names::{dns_label, STATEFULSET_MAX};
use super::storage::Storage;
use crate::compose::{PullPolicy, Restart, Service};
use crate::error::Error;
use crate::options::Options;
use crate::path::InputPath;
use crate::report::{Outcome, Report};

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
    /// The service.
    pub service: &'a Service,
    /// The options.
    pub options: &'a Options,
    /// True when the service runs to completion.
    pub is_job: bool,
    /// Routes from the service's `SERVICE_URL_*` / `SERVICE_FQDN_*` keys.
    pub url_routes: Vec<crate::proxy::Route>,
}

fn pull_policy(p: &PullPolicy, at: &InputPath, report: &mut Report) -> Option<String> {
    match p {
        PullPolicy::Always => Some("Always".into()),
        PullPolicy::Never => Some("Never".into()),
        PullPolicy::Missing => Some("IfNotPresent".into()),
        PullPolicy::Build => {
            report.add(
                at.clone(),
                Outcome::Dropped,
                "pull_policy build: images are not built on Kubernetes; the image is pulled",
            );
            None
        }
        PullPolicy::Refresh(s) => {
            report.add(at.clone(), Outcome::Approximated, format!("pull_policy {s:?}: Kubernetes has no scheduled refresh; Always pulls on every pod start"));
            Some("Always".into())
        }
    }
}

/// Plan one service. Errors name the service's keys.
pub fn plan_service(
    cx: &ServiceContext<'_>,
    storage: &mut Storage<'_>,
    values: &mut Values,
    report: &mut Report,
) -> Result<Workload, Vec<Error>> {
    let s = cx.service;
    let at = InputPath::root().key("services").key(cx.name);
    let mut errors = Vec::new();

    // Image.
    let image = match (cx.options.images.get(cx.name), &s.image) {
        (Some(i), _) => Some(i.clone()),
        (None, Some(i)) => Some(i.clone()),
        (None, None) => None,
    };
    if let (Some(_), Some(i)) = (&s.build, &image) {
        report.add(at.key("build"), Outcome::Approximated, format!("images are not built on Kubernetes: the image {i:?} must be built and pushed before deploying"));
    }
    let Some(image) = image else {
        return Err(vec![Error::new(
            at.clone(),
            if s.build.is_some() {
                format!("the service has only `build:` and no image: build and push the image, then pass it with --image {}=REF (the `images` option)", cx.name)
            } else {
                format!("the service has no `image`: pass one with --image {}=REF (the `images` option)", cx.name)
            },
        )]);
    };

    // Kind.
    let global = s
        .deploy
        .as_ref()
        .and_then(|d| d.mode.as_deref())
        .is_some_and(|m| m.starts_with("global"));
    let kind = if cx.is_job {
        WorkloadKind::Job
    } else if global {
        WorkloadKind::DaemonSet
    } else if storage.has_exclusive_named_volume(s) {
        WorkloadKind::StatefulSet
    } else {
        WorkloadKind::Deployment
    };
    let name = if kind == WorkloadKind::StatefulSet {
        dns_label(cx.name, STATEFULSET_MAX)
    } else {
        cx.k8s_name.to_string()
    };

    // Restart.
    if s.restart == Some(Restart::OnFailure) && kind != WorkloadKind::Job {
        report.add(
            at.key("restart"),
            Outcome::Approximated,
            "on-failure: Kubernetes restarts a long-running container whenever it exits",
        );
    }
    let job_retries = kind == WorkloadKind::Job && s.restart != Some(Restart::No);

    // Replicas.
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
        if let Some(rp) = &d.restart_policy {
            let _ = rp;
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

    // Probes.
    let mut probes = match &s.healthcheck {
        Some(hc) => {
            super::probes::plan_probes(hc, values, &mut helpers, &at.key("healthcheck"), report)
        }
        None => Default::default(),
    };
    let mut own_host = false;
    for p in [
        &mut probes.readiness,
        &mut probes.liveness,
        &mut probes.startup,
    ]
    .into_iter()
    .flatten()
    {
        if let ProbeAction::Exec(argv) = &mut p.action {
            own_host |= super::probes::own_host_to_localhost(argv, &[cx.name, cx.k8s_name]);
        }
    }
    if own_host {
        report.add(
            at.key("healthcheck").key("test"),
            Outcome::Approximated,
            "the health check calls its own service by name; on Kubernetes that Service only answers once the pod is Ready, so the probe calls localhost",
        );
    }
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

    if (kind == WorkloadKind::StatefulSet || kind == WorkloadKind::Deployment)
        && replicas.is_some_and(|r| r > 1) && st.volumes.iter().any(|v| matches!(&v.source, super::model::VolumeSource::Claim(c) if storage.claims.get(c).is_some_and(|(c, _)| c.access == super::model::AccessMode::ReadWriteOnce))) {
            report.add(at.key("deploy").key("replicas"), Outcome::Approximated, "several replicas share a ReadWriteOnce claim: they must run on one node, or the storage class must support ReadWriteMany");
    }
    let recreate = kind == WorkloadKind::Deployment
        && st.volumes.iter().any(|v| {
            matches!(&v.source, super::model::VolumeSource::Claim(c)
                if storage.claims.get(c).is_some_and(|(c, _)| c.access == super::model::AccessMode::ReadWriteOnce))
        });

    // Labels, annotations.
    let (labels, mut annotations) = super::security::split_labels(&s.labels, &at, report);
    for (k, v) in &s.annotations {
        annotations.insert(k.clone(), v.clone());
    }
    if let Some(d) = &s.deploy {
        for (k, v) in &d.labels {
            annotations.insert(k.clone(), v.clone());
        }
    }
    if s.exclude_from_hc {
        annotations.insert("coolify.io/exclude-from-hc".into(), "true".into());
    }
    let mut routes = cx.url_routes.clone();
    routes.extend(crate::proxy::labels::routes(
        cx.name,
        &s.labels,
        &at.key("labels"),
        report,
    ));
    let autoscale = match s.extensions.get(AUTOSCALE_KEY) {
        Some(v) => {
            match crate::k8s::autoscaling::Autoscale::from_value(v, &at.key(AUTOSCALE_KEY)) {
                Ok(a) => Some(a),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        }
        None if !routes.is_empty() => cx.options.autoscale,
        None => None,
    };
    let autoscale = if matches!(kind, WorkloadKind::Deployment | WorkloadKind::StatefulSet) {
        autoscale
    } else {
        if autoscale.is_some() && s.extensions.contains_key(AUTOSCALE_KEY) {
            report.add(
                at.key(AUTOSCALE_KEY),
                Outcome::Dropped,
                "only Deployments and StatefulSets are autoscaled",
            );
        }
        None
    };

    // Networks.
    let mut networks = Vec::new();
    if s.network_mode.is_none() {
        if s.networks.is_empty() {
            networks.push("default".to_string());
        }
        for (n, opts) in &s.networks {
            networks.push(n.clone());
            if let Some(o) = opts {
                let nat = at.key("networks").key(n.as_str());
                if o.ipv4_address.is_some() || o.ipv6_address.is_some() {
                    report.add(
                        nat.clone(),
                        Outcome::Dropped,
                        "fixed container addresses: pods get addresses from the cluster network",
                    );
                }
                for k in o.other.keys() {
                    report.add(
                        nat.key(k.as_str()),
                        Outcome::Dropped,
                        "network attachment options have no pod equivalent",
                    );
                }
            }
        }
    }

    let container = Container {
        name: cx.k8s_name.to_string(),
        image,
        pull_policy: s
            .pull_policy
            .as_ref()
            .and_then(|p| pull_policy(p, &at.key("pull_policy"), report)),
        command,
        args,
        env,
        working_dir: s.working_dir.clone(),
        ports: ports.container,
        mounts: st.mounts,
        readiness: probes.readiness,
        liveness: probes.liveness,
        startup: if kind == WorkloadKind::Job {
            None
        } else {
            probes.startup
        },
        security,
        resources,
        stdin: s.stdin_open.unwrap_or(false),
        tty: s.tty.unwrap_or(false),
        env_from: Vec::new(),
    };
    let mut container = container;
    if kind == WorkloadKind::Job && (container.readiness.is_some() || container.liveness.is_some())
    {
        // A Job's pod is not a Service backend that must be ready; a liveness probe could
        // kill a one-shot task. Health checks of run-to-completion services are reported.
        container.readiness = None;
        container.liveness = None;
        report.add(
            at.key("healthcheck"),
            Outcome::Dropped,
            "the service runs to completion (a Job): no probes",
        );
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
    })
}
