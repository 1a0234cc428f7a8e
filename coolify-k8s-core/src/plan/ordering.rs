//! `depends_on`: validation (missing services, cycles), which services run to completion,
//! and the init containers that make a workload wait for its dependencies.
//!
//! - a long-running dependency: wait until its Service answers (a TCP connect to its
//!   first port, or a DNS answer for a headless Service; the dependency's readiness probe
//!   decides when either happens);
//! - a Job: wait until it completes (`kubectl wait`, with a ServiceAccount allowed to
//!   read Jobs).

use super::model::{Container, WorkloadKind};
use crate::compose::{DependsOnCondition, Project, Restart};
use crate::error::Error;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::{BTreeMap, BTreeSet};

/// Name prefix of the init containers that wait for a dependency.
pub const WAIT_PREFIX: &str = "wait-for-";

/// True when a workload's pods wait for a dependency (an init container of
/// [`wait_container`]).
pub fn waits(w: &super::model::Workload) -> bool {
    w.init_containers
        .iter()
        .any(|c| c.name.starts_with(WAIT_PREFIX))
}

/// The image of init containers that wait for a Service.
pub const WAIT_IMAGE: &str = "busybox:1.37";
/// The image of init containers that wait for a Job.
pub const KUBECTL_IMAGE: &str = "registry.k8s.io/kubectl:v1.33.0";
/// The ServiceAccount (and Role) that lets init containers read Jobs, after the resource.
pub fn job_waiter_name(instance: &str) -> String {
    super::names::suffixed(instance, "-job-waiter")
}

/// Check every `depends_on` target exists (or is optional) and that there is no cycle.
/// Returns, per service, the dependencies that exist, in name order.
pub fn dependencies(
    project: &Project,
    report: &mut Report,
) -> Result<BTreeMap<String, Vec<String>>, Vec<Error>> {
    let mut errors = Vec::new();
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, svc) in &project.services {
        let at = InputPath::root()
            .key("services")
            .key(name.as_str())
            .key("depends_on");
        let mut list = Vec::new();
        for (dep, d) in &svc.depends_on {
            if project.services.contains_key(dep) {
                list.push(dep.clone());
                if d.restart {
                    report.add(
                        at.key(dep.as_str()).key("restart"),
                        Outcome::Dropped,
                        "Kubernetes does not restart a workload when a dependency restarts",
                    );
                }
            } else if d.required {
                errors.push(Error::new(
                    at.key(dep.as_str()),
                    format!("depends on {dep:?}, which is not a service of this project (or not in an active profile)"),
                ));
            } else {
                report.add(
                    at.key(dep.as_str()),
                    Outcome::Dropped,
                    format!("optional dependency {dep:?} is not a service of this project"),
                );
            }
        }
        deps.insert(name.clone(), list);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Cycle detection: depth-first, reporting the first cycle found from each start in
    // name order (deterministic).
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for start in deps.keys() {
        let mut stack: Vec<&str> = Vec::new();
        if let Some(cycle) = find_cycle(start, &deps, &mut stack, &mut done) {
            let (first, second) = (
                cycle.first().cloned().unwrap_or_default(),
                cycle.get(1).cloned().unwrap_or_default(),
            );
            return Err(vec![Error::new(
                InputPath::root()
                    .key("services")
                    .key(first.as_str())
                    .key("depends_on")
                    .key(second.as_str()),
                format!("dependency cycle: {}", cycle.join(" -> ")),
            )]);
        }
    }
    Ok(deps)
}

fn find_cycle<'a>(
    node: &'a str,
    deps: &'a BTreeMap<String, Vec<String>>,
    stack: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
) -> Option<Vec<String>> {
    if done.contains(node) {
        return None;
    }
    if let Some(pos) = stack.iter().position(|n| *n == node) {
        let mut cycle: Vec<String> = stack[pos..].iter().map(|s| s.to_string()).collect();
        cycle.push(node.to_string());
        return Some(cycle);
    }
    stack.push(node);
    for d in deps.get(node).into_iter().flatten() {
        if let Some(c) = find_cycle(d, deps, stack, done) {
            return Some(c);
        }
    }
    stack.pop();
    done.insert(node);
    None
}

/// Services that run to completion: `restart: "no"`, a `*-job` deploy mode, a service
/// another waits for with `service_completed_successfully`, or an `on-failure` service
/// that serves nothing (see [`serves_nothing`]): Compose leaves them exited after a clean
/// exit, so they must not restart forever as a Deployment.
pub fn jobs(project: &Project) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (name, svc) in &project.services {
        if svc.restart == Some(Restart::No)
            || (svc.restart == Some(Restart::OnFailure) && serves_nothing(svc))
            || svc
                .deploy
                .as_ref()
                .and_then(|d| d.mode.as_deref())
                .is_some_and(|m| m.ends_with("-job"))
        {
            out.insert(name.clone());
        }
        for (dep, d) in &svc.depends_on {
            if d.condition == DependsOnCondition::ServiceCompletedSuccessfully {
                out.insert(dep.clone());
            }
        }
    }
    out
}

/// Dependencies after `network_mode: service:X` joins: a joined service's dependencies
/// become its host's, and waiting for it means waiting for its host (never for itself).
pub fn redirect_joined(
    deps: BTreeMap<String, Vec<String>>,
    joined: &BTreeMap<String, String>,
) -> BTreeMap<String, Vec<String>> {
    let to = |s: &String| joined.get(s).cloned().unwrap_or_else(|| s.clone());
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (service, list) in deps {
        let owner = to(&service);
        let entry = out.entry(owner.clone()).or_default();
        for d in list.iter().map(to) {
            if d != owner && !entry.contains(&d) {
                entry.push(d);
            }
        }
    }
    for list in out.values_mut() {
        list.sort();
    }
    out
}

/// Give every workload the init containers that wait for its dependencies. Returns
/// whether some workload waits for a Job (it then runs under the ServiceAccount that may
/// read Jobs).
pub fn add_waits(
    workloads: &mut [super::model::Workload],
    deps: &BTreeMap<String, Vec<String>>,
    instance: &str,
    namespace: &str,
) -> bool {
    let targets: BTreeMap<String, Target> = workloads
        .iter()
        .map(|w| (w.service.clone(), Target::of(w)))
        .collect();
    let mut job_waiter = false;
    for w in workloads.iter_mut() {
        for dep in deps.get(&w.service).into_iter().flatten() {
            let Some(t) = targets.get(dep) else { continue };
            if t.kind == WorkloadKind::Job {
                job_waiter = true;
                w.pod.service_account = Some(job_waiter_name(instance));
            }
            w.init_containers.push(wait_container(t, namespace));
        }
    }
    job_waiter
}

/// An `on-failure` service is a one-shot task (a migration, an init or setup step: every
/// `on-failure` service of the corpus is one) when nothing can reach it or wait for its
/// health: no `ports`, no `expose`, no health check, no `SERVICE_URL_*` / `SERVICE_FQDN_*`
/// of its own, no proxy labels. A server with `on-failure` keeps a Deployment (reported).
pub fn serves_nothing(svc: &crate::compose::Service) -> bool {
    let health = svc.healthcheck.as_ref().is_some_and(|h| {
        !h.disable && !matches!(h.test, Some(crate::compose::HealthcheckTest::None) | None)
    });
    svc.ports.is_empty()
        && svc.expose.is_empty()
        && !health
        && !svc
            .environment
            .keys()
            .any(|k| k.starts_with("SERVICE_URL_") || k.starts_with("SERVICE_FQDN_"))
        && !svc.labels.keys().any(|k| {
            k.starts_with("traefik.") || k.starts_with("caddy") || k.starts_with("coolify.")
        })
}

/// What a workload waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The dependency's Compose name.
    pub service: String,
    /// Its workload kind.
    pub kind: WorkloadKind,
    /// Its workload object name (for Jobs).
    pub object: String,
    /// Its Service name.
    pub service_name: String,
    /// Its first Service port, if any.
    pub port: Option<u16>,
}

impl Target {
    /// What waiting for workload `w` needs of it.
    pub fn of(w: &super::model::Workload) -> Self {
        Self {
            service: w.service.clone(),
            kind: w.kind,
            object: w.name.clone(),
            service_name: w.service_name.clone(),
            port: w.ports.first().map(|p| p.port),
        }
    }
}

/// The init container that waits for `target`; `namespace` qualifies DNS names.
pub fn wait_container(target: &Target, namespace: &str) -> Container {
    let name = super::names::dns_label(&format!("{WAIT_PREFIX}{}", target.service_name), 63);
    if target.kind == WorkloadKind::Job {
        return Container {
            name,
            image: KUBECTL_IMAGE.to_string(),
            command: Some(vec![
                "kubectl".into(),
                "wait".into(),
                "--for=condition=complete".into(),
                // No deadline that fails the run for good (Compose waits as long as it
                // takes): a negative timeout is kubectl's longest wait (a week), after
                // which the container restarts and waits again.
                "--timeout=-1s".into(),
                format!("job/{}", target.object),
            ]),
            ..Default::default()
        };
    }
    let host = format!("{}.{namespace}.svc.cluster.local", target.service_name);
    let check = match target.port {
        Some(p) => format!("nc -z -w 2 {host} {p}"),
        None => format!("nslookup {host}"),
    };
    Container {
        name,
        image: WAIT_IMAGE.to_string(),
        command: Some(vec![
            "/bin/sh".into(),
            "-c".into(),
            format!(
                "until {check} >/dev/null 2>&1; do echo waiting for {}; sleep 2; done",
                target.service_name
            ),
        ]),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{DependsOn, Service};

    fn dep(c: DependsOnCondition) -> DependsOn {
        DependsOn {
            condition: c,
            restart: false,
            required: true,
        }
    }

    fn project(edges: &[(&str, &str, DependsOnCondition)], names: &[&str]) -> Project {
        let mut p = Project::default();
        for n in names {
            p.services.insert(n.to_string(), Service::default());
        }
        for (a, b, c) in edges {
            p.services
                .entry(a.to_string())
                .or_default()
                .depends_on
                .insert(b.to_string(), dep(*c));
        }
        p
    }

    #[test]
    fn missing_dependency_is_an_error_with_its_path() {
        let p = project(
            &[("web", "db", DependsOnCondition::ServiceStarted)],
            &["web"],
        );
        let e = dependencies(&p, &mut Report::default()).unwrap_err();
        assert!(
            e[0].to_string()
                .starts_with("services.web.depends_on.db: depends on \"db\""),
            "{}",
            e[0]
        );
    }

    #[test]
    fn cycles_are_errors() {
        let p = project(
            &[
                ("a", "b", DependsOnCondition::ServiceStarted),
                ("b", "c", DependsOnCondition::ServiceHealthy),
                ("c", "a", DependsOnCondition::ServiceStarted),
            ],
            &[],
        );
        let e = dependencies(&p, &mut Report::default()).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "services.a.depends_on.b: dependency cycle: a -> b -> c -> a"
        );
    }

    #[test]
    fn jobs_are_found() {
        let mut p = project(
            &[(
                "web",
                "migrate",
                DependsOnCondition::ServiceCompletedSuccessfully,
            )],
            &["migrate", "init"],
        );
        if let Some(s) = p.services.get_mut("init") {
            s.restart = Some(Restart::No);
        }
        // An on-failure service that serves nothing runs once (signoz's schema migrators,
        // hoppscotch's db-migration); one with ports is a server.
        p.services.insert(
            "setup".into(),
            Service {
                restart: Some(Restart::OnFailure),
                ..Default::default()
            },
        );
        p.services.insert(
            "server".into(),
            Service {
                restart: Some(Restart::OnFailure),
                expose: vec![crate::compose::ExposedPort {
                    target: 80,
                    protocol: crate::compose::Protocol::Tcp,
                }],
                ..Default::default()
            },
        );
        let j: Vec<String> = jobs(&p).into_iter().collect();
        assert_eq!(j, vec!["init", "migrate", "setup"]);
        assert!(dependencies(&p, &mut Report::default()).is_ok());
    }

    #[test]
    fn wait_containers() {
        let t = Target {
            service: "db".into(),
            kind: WorkloadKind::StatefulSet,
            object: "db".into(),
            service_name: "db".into(),
            port: Some(5432),
        };
        let c = wait_container(&t, "ns");
        assert_eq!(c.name, "wait-for-db");
        assert!(c.command.unwrap()[2].starts_with("until nc -z -w 2 db.ns.svc.cluster.local 5432 "));
        let j = wait_container(
            &Target {
                kind: WorkloadKind::Job,
                ..t
            },
            "ns",
        );
        let argv = j.command.unwrap();
        assert_eq!(argv.last().map(String::as_str), Some("job/db"));
        // No deadline that fails the dependant for good.
        assert!(argv.contains(&"--timeout=-1s".to_string()), "{argv:?}");
    }

    #[test]
    fn joined_services_wait_through_their_host() {
        let deps: BTreeMap<String, Vec<String>> = [
            ("web", vec!["torrent"]),
            ("torrent", vec!["db", "vpn"]),
            ("vpn", vec![]),
            ("db", vec![]),
        ]
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .into();
        let joined: BTreeMap<String, String> = [("torrent".to_string(), "vpn".to_string())].into();
        let out = redirect_joined(deps, &joined);
        assert_eq!(out["web"], ["vpn"]);
        // The joiner's dependencies are its host's, never the host itself.
        assert_eq!(out["vpn"], ["db"]);
        assert!(!out.contains_key("torrent"));
    }
}
