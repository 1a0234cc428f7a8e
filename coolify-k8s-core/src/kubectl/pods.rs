//! Pods and their containers, in Coolify's status words: the listing of the logs and
//! terminal pages ([`Kubectl::pods`]) and the records the destination-wide status poll reads
//! (`poll.rs`).
//!
//! One record per pod, in the output-survives-the-runner form of `status.rs` (no
//! whitespace, between `<` and `>`):
//! `<pod;NS;NAME;INSTANCE;SERVICE;PHASE;DELETED_AT;EXCLUDED;SPEC;STATUSES>`, where SPEC is
//! `container/readinessPeriod,` per container of the spec (a period only when the container
//! has a readiness probe: Docker's `healthcheck`) and STATUSES is
//! `container/ready/restarts/runningSince/waitingReason/terminatedReason/exitCode,` per
//! container status.
//!
//! A container's word is the one `app/Actions/Docker/GetContainersStatus.php` makes from
//! `docker inspect` (`State.Status` then `:` and `State.Health.Status`, `unknown` without a
//! health check; `exited` alone): running with a readiness probe is `running:healthy` when
//! ready and `running:unhealthy` when not, without one `running:unknown`; a container in
//! `CrashLoopBackOff` is Docker's `restarting`; one that cannot start (image pull, bad
//! configuration) or has terminated is `exited`; one not started yet is Docker's
//! `created:unknown`.

use super::status::{parse_count, parse_records};
use super::{namespace_flag, quote, selector_flag, Kubectl, ResourceSource};
use crate::error::Errors;
use serde::Serialize;

/// The pod record's JSONPath (see the module docs).
pub(super) const POD_JSONPATH: &str = concat!(
    "jsonpath={range .items[*]}<pod;{.metadata.namespace};{.metadata.name};",
    "{.metadata.labels.app\\.kubernetes\\.io/instance};",
    "{.metadata.labels.app\\.kubernetes\\.io/name};{.status.phase};",
    "{.metadata.deletionTimestamp};",
    "{.metadata.annotations.coolify\\.io/exclude-from-hc};",
    "{range .spec.containers[*]}{.name}/{.readinessProbe.periodSeconds},{end};",
    "{range .status.containerStatuses[*]}{.name}/{.ready}/{.restartCount}/",
    "{.state.running.startedAt}/{.state.waiting.reason}/{.state.terminated.reason}/",
    "{.state.terminated.exitCode},{end}>{\"\\n\"}{end}"
);

/// Waiting reasons of a container that cannot start: on Docker it would have failed to
/// start and show `exited`.
const START_FAILURES: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

/// One container of a pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerStatus {
    /// Container name.
    pub name: String,
    /// Coolify's word for it (`running:healthy`, `restarting:unknown`, `exited`, …).
    pub status: String,
    /// Kubernetes readiness.
    pub ready: bool,
    /// Restarts so far (Docker's `RestartCount`).
    pub restarts: i64,
    /// The waiting or terminated reason, when there is one (`CrashLoopBackOff`, `Error`).
    pub reason: String,
}

/// One pod of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodStatus {
    /// Namespace.
    pub namespace: String,
    /// Pod name (what the `pod` option of `logs`, `exec` and `terminal` takes).
    pub name: String,
    /// Its `app.kubernetes.io/instance` label: the Coolify resource.
    pub instance: String,
    /// Its `app.kubernetes.io/name` label: the Compose service (or Application).
    pub service: String,
    /// `status.phase` (`Running`, `Pending`, `Succeeded`, `Failed`).
    pub phase: String,
    /// Being deleted (an old pod of a rollout, or a stopped workload's).
    pub terminating: bool,
    /// Left out of the resource's status (`exclude_from_hc`, `restart: "no"`).
    pub excluded: bool,
    /// Its containers, in the spec's order.
    pub containers: Vec<ContainerStatus>,
}

impl Kubectl {
    /// One line listing the resource's pods and containers with their state, for the logs
    /// and terminal pages (Coolify lists a resource's containers there with `docker ps`
    /// filtered by its label, `getCurrentApplicationContainerStatus`). Read the output
    /// with [`parse_pods`](Self::parse_pods).
    pub fn pods(&self, resource: &(impl ResourceSource + ?Sized)) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let ns = namespace_flag(&r.namespace);
        let sel = selector_flag(&r.selector());
        Ok(vec![self.kubectl(&[
            "get",
            "pods",
            &ns,
            &sel,
            "-o",
            &quote(POD_JSONPATH),
        ])])
    }

    /// The output of the [`pods`](Self::pods) line (or of the status poll), as printed or
    /// as Coolify's runner hands it back, sorted by namespace and name.
    pub fn parse_pods(&self, output: &str) -> Result<Vec<PodStatus>, Errors> {
        parse_pods(output)
    }
}

/// Every pod record of `output`; noise between records is skipped, a record that is not a
/// pod record is an error naming it (`output[2]`).
pub(super) fn parse_pods(output: &str) -> Result<Vec<PodStatus>, Errors> {
    let mut pods = parse_records(
        output,
        parse_pod,
        "not a pod record (<pod;namespace;name;…> expected)",
        "holds no pod record (<pod;…>): not the output of the pods or status poll line",
    )?;
    pods.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok(pods)
}

fn parse_pod(record: &str) -> Option<PodStatus> {
    let fields: Vec<&str> = record.split(';').collect();
    let [tag, namespace, name, instance, service, phase, deleted, excluded, spec, statuses] =
        fields.as_slice()
    else {
        return None;
    };
    if *tag != "pod" || namespace.is_empty() || name.is_empty() {
        return None;
    }
    // Containers of the spec: name and whether it has a readiness probe.
    let mut spec_containers: Vec<(&str, bool)> = Vec::new();
    for item in spec.split(',').filter(|s| !s.is_empty()) {
        let (c, period) = item.split_once('/')?;
        spec_containers.push((c, !period.is_empty()));
    }
    let mut by_name: Vec<(&str, ContainerStatus)> = Vec::new();
    for item in statuses.split(',').filter(|s| !s.is_empty()) {
        let cols: Vec<&str> = item.split('/').collect();
        let [c, ready, restarts, running, waiting, terminated, _exit] = cols.as_slice() else {
            return None;
        };
        let ready = match *ready {
            "true" => true,
            "false" | "" => false,
            _ => return None,
        };
        let restarts = parse_count(restarts)?;
        let probe = spec_containers
            .iter()
            .any(|(name, probe)| name == c && *probe);
        let status = container_word(probe, ready, running, waiting, terminated);
        let reason = if waiting.is_empty() {
            terminated
        } else {
            waiting
        };
        by_name.push((
            c,
            ContainerStatus {
                name: (*c).to_string(),
                status,
                ready,
                restarts,
                reason: (*reason).to_string(),
            },
        ));
    }
    // The spec's order; a container without a status yet has not been created.
    let mut containers = Vec::new();
    for (c, _) in &spec_containers {
        match by_name.iter().position(|(n, _)| n == c) {
            Some(p) => containers.push(by_name.remove(p).1),
            None => containers.push(ContainerStatus {
                name: (*c).to_string(),
                status: "created:unknown".into(),
                ready: false,
                restarts: 0,
                reason: String::new(),
            }),
        }
    }
    containers.extend(by_name.into_iter().map(|(_, s)| s));
    Some(PodStatus {
        namespace: (*namespace).to_string(),
        name: (*name).to_string(),
        instance: (*instance).to_string(),
        service: (*service).to_string(),
        phase: (*phase).to_string(),
        terminating: !deleted.is_empty(),
        excluded: *excluded == "true",
        containers,
    })
}

/// Coolify's word for one container (see the module docs).
fn container_word(
    probe: bool,
    ready: bool,
    running: &str,
    waiting: &str,
    terminated: &str,
) -> String {
    let health = match (probe, ready) {
        (false, _) => "unknown",
        (true, true) => "healthy",
        (true, false) => "unhealthy",
    };
    if !running.is_empty() {
        format!("running:{health}")
    } else if waiting == "CrashLoopBackOff" {
        // Docker's `restarting` has no health result between two runs.
        format!("restarting:{}", if probe { "unhealthy" } else { "unknown" })
    } else if !terminated.is_empty() || START_FAILURES.contains(&waiting) {
        "exited".into()
    } else {
        "created:unknown".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::Target;

    pub(crate) const OUTPUT: &str = concat!(
        "<pod;n;web-7d9-abc;u1;web;Running;;;web/10,side/,;",
        "web/true/2/2024-01-01T00:00:00Z///,side/false/5//CrashLoopBackOff//,>\n",
        "<pod;n;db-0;u1;db;Pending;;;db/,;>\n",
        "<pod;n;migrate-1-xyz;u1;migrate;Succeeded;;true;migrate/,;migrate/false/0///Completed/0,>\n",
        "<pod;n;web-old-def;u1;web;Running;2024-01-01T00:00:01Z;;web/10,;web/false/0/2024-01-01T00:00:00Z///,>\n",
    );

    #[test]
    fn container_words_as_coolify_spells_them() {
        let pods = parse_pods(OUTPUT).unwrap();
        type Words<'a> = Vec<(&'a str, &'a str, Vec<(&'a str, &'a str, i64)>)>;
        let words: Words<'_> = pods
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.service.as_str(),
                    p.containers
                        .iter()
                        .map(|c| (c.name.as_str(), c.status.as_str(), c.restarts))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            words,
            vec![
                ("db-0", "db", vec![("db", "created:unknown", 0)]),
                ("migrate-1-xyz", "migrate", vec![("migrate", "exited", 0)]),
                (
                    "web-7d9-abc",
                    "web",
                    vec![
                        ("web", "running:healthy", 2),
                        ("side", "restarting:unknown", 5)
                    ]
                ),
                ("web-old-def", "web", vec![("web", "running:unhealthy", 0)]),
            ]
        );
        assert!(pods[1].excluded && !pods[0].excluded);
        assert!(pods[3].terminating && !pods[2].terminating);
        assert_eq!(pods[2].containers[1].reason, "CrashLoopBackOff");
    }

    #[test]
    fn start_failures_are_exited_and_running_without_probe_unknown() {
        assert_eq!(container_word(false, true, "t", "", ""), "running:unknown");
        assert_eq!(
            container_word(true, false, "", "ImagePullBackOff", ""),
            "exited"
        );
        assert_eq!(
            container_word(true, false, "", "CrashLoopBackOff", ""),
            "restarting:unhealthy"
        );
        assert_eq!(
            container_word(false, false, "", "ContainerCreating", ""),
            "created:unknown"
        );
        assert_eq!(container_word(false, false, "", "", "Error"), "exited");
    }

    #[test]
    fn survives_the_runner_trimming_and_gluing_chunks() {
        let want = parse_pods(OUTPUT).unwrap();
        for size in [1, 2, 5, 11, 64] {
            let glued: String = OUTPUT
                .as_bytes()
                .chunks(size)
                .map(|c| String::from_utf8_lossy(c).trim().to_string())
                .collect();
            assert_eq!(parse_pods(&glued).unwrap(), want, "chunks of {size}");
        }
        let noisy = format!("sudo: unable to resolve host x\n{OUTPUT}Warning: y");
        assert_eq!(parse_pods(&noisy).unwrap(), want);
    }

    #[test]
    fn foreign_records_are_errors() {
        let e = parse_pods("<pod;n;a;u;s;Running;;;;x/true/notanumber////,><Deployment/web=1,1>")
            .unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "output[0]: not a pod record (<pod;namespace;name;…> expected)",
                "output[1]: not a pod record (<pod;namespace;name;…> expected)",
            ]
        );
        assert!(parse_pods("NAME READY\nweb 1/1").is_err());
        // A negative restart count (fuzz: the poll reported `restart_count` -4) is not
        // kubectl's output.
        assert!(parse_pods("<pod;n;a;u;s;Running;;;x/,;x/true/-4////,>").is_err());
        assert_eq!(parse_pods("").unwrap(), Vec::new());
    }

    #[test]
    fn the_line_lists_the_resources_pods() {
        use crate::manifests::Manifests;
        use crate::report::Report;
        use serde_json::json;
        let m = Manifests::new(
            vec![json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "n", "labels": {"app.kubernetes.io/instance": "u1"}},
                "spec": {}})],
            Report::default(),
        );
        let lines = Kubectl::new(Target::default()).unwrap().pods(&m).unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with(
            "kubectl get pods --namespace=n --selector=app.kubernetes.io/instance=u1,app.kubernetes.io/managed-by=coolify -o 'jsonpath={range .items[*]}<pod;"
        ), "{}", lines[0]);
        assert!(!crate::kubectl::has_runner_sequence(&lines[0]));
    }
}
