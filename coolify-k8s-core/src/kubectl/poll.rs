//! The status poll of a destination: every pod this project manages in the target's
//! namespace (or in all namespaces) in one line, as Coolify's `GetContainersStatus` reads a
//! whole server with one `docker container inspect $(docker container ls -aq)`
//! (`app/Models/Server.php`, `getContainers`), and the output read into Coolify's status
//! word per resource (keyed by the instance label: the resource's uuid, `<uuid>-pr-<N>`
//! for a preview) with per-container words and the restart count.
//!
//! A resource that has no pod in the output is not in the result: as in
//! `GetContainersStatus`, the caller sets every resource of the destination it did not see
//! to `exited` (unless the output was empty: the query may have failed).
//!
//! Aggregation follows Coolify's `ContainerStatusAggregator::aggregateFromStrings` as
//! `GetContainersStatus` calls it (`preserveRestarting: true`, the maximum restart count);
//! that file is not in the excerpt of Coolify's source this project carries, so the order
//! below is the project's reading of it, checked against the words
//! `GetContainersStatus.php` and `Service.php` (`getStatusAttribute`) use:
//! 1. a restarting container: `restarting:unhealthy`;
//! 2. an exited container and a restart count above 0: `degraded:unhealthy`;
//! 3. running and exited containers: `degraded:unhealthy`;
//! 4. running containers: `running:unhealthy` if one is, else `running:unknown` if one has
//!    no health check, else `running:healthy`;
//! 5. paused: `paused:unknown`; created: `starting:unknown`; otherwise `exited`.
//!
//! Containers of excluded pods (`exclude_from_hc`, `restart: "no"`) are left out; when only
//! such containers exist the status is theirs with `:excluded` appended, as Coolify
//! writes it (`exited:excluded`, `running:unknown:excluded`). Pods being deleted (the old
//! pods of a rollout, a stopped workload's) are left out.

use super::pods::{parse_pods, PodStatus, POD_JSONPATH};
use super::{namespace_flag, quote, selector_flag, Kubectl, MANAGED_BY, MANAGED_BY_LABEL};
use crate::error::Errors;
use serde::Serialize;
use std::collections::BTreeMap;

/// One resource's status, as the poll saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceStatus {
    /// Namespace of its pods.
    pub namespace: String,
    /// Its instance label: the Coolify resource's uuid (`<uuid>-pr-<N>` for a preview).
    pub instance: String,
    /// Coolify's word for the whole resource (`running:healthy`, `degraded:unhealthy`, …).
    pub status: String,
    /// The highest restart count of its containers (Coolify's `restart_count`).
    pub restart_count: i64,
    /// Its pods (those being deleted included), sorted by name.
    pub pods: Vec<PodStatus>,
}

impl Kubectl {
    /// One line printing a record per pod that this project manages, in the target's
    /// namespace when it names one, else in every namespace. Read its output with
    /// [`parse_status_poll`](Self::parse_status_poll).
    pub fn status_poll(&self) -> Vec<String> {
        let scope = match &self.target.namespace {
            Some(ns) => namespace_flag(ns),
            None => "--all-namespaces".to_string(),
        };
        let sel = selector_flag(&format!("{MANAGED_BY_LABEL}={MANAGED_BY}"));
        vec![self.kubectl(&["get", "pods", &scope, &sel, "-o", &quote(POD_JSONPATH)])]
    }

    /// The output of the [`status_poll`](Self::status_poll) line, as printed or as
    /// Coolify's runner hands it back: one [`InstanceStatus`] per resource seen, sorted by
    /// namespace and instance.
    pub fn parse_status_poll(&self, output: &str) -> Result<Vec<InstanceStatus>, Errors> {
        let mut by_instance: BTreeMap<(String, String), Vec<PodStatus>> = BTreeMap::new();
        for pod in parse_pods(output)? {
            by_instance
                .entry((pod.namespace.clone(), pod.instance.clone()))
                .or_default()
                .push(pod);
        }
        Ok(by_instance
            .into_iter()
            .map(|((namespace, instance), pods)| {
                let (status, restart_count) = aggregate(&pods);
                InstanceStatus {
                    namespace,
                    instance,
                    status,
                    restart_count,
                    pods,
                }
            })
            .collect())
    }
}

/// Coolify's word for a resource from its pods (see the module docs), and the restart count.
pub fn aggregate(pods: &[PodStatus]) -> (String, i64) {
    let live: Vec<&PodStatus> = pods.iter().filter(|p| !p.terminating).collect();
    let words = |excluded: bool| -> Vec<&str> {
        live.iter()
            .filter(|p| p.excluded == excluded)
            .flat_map(|p| p.containers.iter().map(|c| c.status.as_str()))
            .collect()
    };
    let max_restarts = live
        .iter()
        .filter(|p| !p.excluded)
        .flat_map(|p| p.containers.iter().map(|c| c.restarts))
        .max()
        .unwrap_or(0);
    let counted = words(false);
    if counted.is_empty() {
        let excluded = words(true);
        if excluded.is_empty() {
            return ("exited".into(), 0);
        }
        return (format!("{}:excluded", aggregate_words(&excluded, 0)), 0);
    }
    (aggregate_words(&counted, max_restarts), max_restarts)
}

/// `ContainerStatusAggregator::aggregateFromStrings(…, preserveRestarting: true)`.
fn aggregate_words(words: &[&str], max_restarts: i64) -> String {
    let has = |s: &str| words.iter().any(|w| w.contains(s));
    let restarting = has("restarting");
    let running = words
        .iter()
        .any(|w| w.contains("running") && !w.contains("restarting"));
    let exited = has("exited");
    if restarting {
        "restarting:unhealthy".into()
    } else if exited && (max_restarts > 0 || running) {
        // Exited after restarts (a crash loop), or beside running containers.
        "degraded:unhealthy".into()
    } else if running {
        let running_words = words.iter().filter(|w| w.starts_with("running"));
        let unhealthy = running_words.clone().any(|w| w.ends_with(":unhealthy"));
        let unknown = running_words.clone().any(|w| w.ends_with(":unknown"));
        if unhealthy {
            "running:unhealthy".into()
        } else if unknown {
            "running:unknown".into()
        } else {
            "running:healthy".into()
        }
    } else if has("dead") || has("removing") {
        "degraded:unhealthy".into()
    } else if has("paused") {
        "paused:unknown".into()
    } else if has("created") || has("starting") {
        "starting:unknown".into()
    } else {
        "exited".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::Target;

    fn k(namespace: Option<&str>) -> Kubectl {
        Kubectl::new(Target {
            namespace: namespace.map(str::to_string),
            ..Target::default()
        })
        .unwrap()
    }

    fn pod(ns: &str, instance: &str, words: &[(&str, i64)], excluded: bool) -> String {
        let spec: String = (0..words.len()).map(|i| format!("c{i}/10,")).collect();
        let statuses: String = words
            .iter()
            .enumerate()
            .map(|(i, (w, r))| match *w {
                "healthy" => format!("c{i}/true/{r}/2024-01-01T00:00:00Z///,"),
                "unhealthy" => format!("c{i}/false/{r}/2024-01-01T00:00:00Z///,"),
                "crash" => format!("c{i}/false/{r}//CrashLoopBackOff//,"),
                "exited" => format!("c{i}/false/{r}///Error/1,"),
                "created" => format!("c{i}/false/{r}//ContainerCreating//,"),
                _ => unreachable!(),
            })
            .collect();
        let ex = if excluded { "true" } else { "" };
        format!(
            "<pod;{ns};{instance}-{};{instance};svc;Running;;{ex};{spec};{statuses}>",
            words.len()
        )
    }

    fn status(pods: &[String]) -> (String, i64) {
        let out = k(None).parse_status_poll(&pods.concat()).unwrap();
        assert_eq!(out.len(), 1);
        (out[0].status.clone(), out[0].restart_count)
    }

    #[test]
    fn coolify_aggregation_order() {
        let p = |w: &[(&str, i64)]| pod("n", "u1", w, false);
        assert_eq!(
            status(&[p(&[("healthy", 0)])]),
            ("running:healthy".into(), 0)
        );
        assert_eq!(
            status(&[p(&[("healthy", 0), ("unhealthy", 1)])]),
            ("running:unhealthy".into(), 1)
        );
        assert_eq!(
            status(&[p(&[("healthy", 0), ("crash", 4)])]),
            ("restarting:unhealthy".into(), 4)
        );
        assert_eq!(
            status(&[p(&[("healthy", 0), ("exited", 0)])]),
            ("degraded:unhealthy".into(), 0)
        );
        assert_eq!(
            status(&[p(&[("exited", 2)])]),
            ("degraded:unhealthy".into(), 2)
        );
        assert_eq!(status(&[p(&[("exited", 0)])]), ("exited".into(), 0));
        assert_eq!(
            status(&[p(&[("created", 0)])]),
            ("starting:unknown".into(), 0)
        );
    }

    #[test]
    fn excluded_pods_do_not_count_unless_alone() {
        let run = pod("n", "u1", &[("healthy", 0)], false);
        let job = pod("n", "u1", &[("exited", 0)], true);
        assert_eq!(status(&[run, job.clone()]), ("running:healthy".into(), 0));
        assert_eq!(status(&[job]), ("exited:excluded".into(), 0));
    }

    #[test]
    fn groups_by_namespace_and_instance_sorted() {
        let out = [
            pod("b", "u2", &[("healthy", 0)], false),
            pod("a", "u9", &[("exited", 0)], false),
            pod("a", "u1-pr-3", &[("unhealthy", 0)], false),
        ]
        .concat();
        let s = k(None).parse_status_poll(&out).unwrap();
        let got: Vec<(&str, &str, &str)> = s
            .iter()
            .map(|s| (s.namespace.as_str(), s.instance.as_str(), s.status.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", "u1-pr-3", "running:unhealthy"),
                ("a", "u9", "exited"),
                ("b", "u2", "running:healthy")
            ]
        );
        assert_eq!(k(None).parse_status_poll("").unwrap(), Vec::new());
    }

    #[test]
    fn terminating_pods_are_left_out() {
        let old =
            "<pod;n;web-old;u1;web;Running;2024-01-01T00:00:01Z;;c0/10,;c0/false/0///Error/1,>";
        let new = pod("n", "u1", &[("healthy", 0)], false);
        assert_eq!(
            status(&[old.to_string(), new]),
            ("running:healthy".into(), 0)
        );
        assert_eq!(status(&[old.to_string()]), ("exited".into(), 0));
    }

    #[test]
    fn one_line_for_a_namespace_or_all() {
        let all = k(None).status_poll();
        assert_eq!(all.len(), 1);
        assert!(
            all[0].starts_with("kubectl get pods --all-namespaces --selector=app.kubernetes.io/managed-by=coolify -o 'jsonpath="),
            "{}",
            all[0]
        );
        let one = k(Some("dest")).status_poll();
        assert!(
            one[0].starts_with("kubectl get pods --namespace=dest "),
            "{}",
            one[0]
        );
        assert!(!crate::kubectl::has_runner_sequence(&one[0]));
    }
}
