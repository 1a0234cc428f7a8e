//! `rollout status`: the Kubernetes form of Coolify's health-check loop, with the
//! diagnostics Coolify shows its users when a rollout fails.

use super::resource::{Resource, Workload, WorkloadKind};
use super::ResourceSource;
use super::{namespace_flag, quote, selector_flag, Kubectl};
use crate::error::Errors;

/// Log lines collected from the pods of a workload whose rollout failed.
pub const FAILURE_LOG_LINES: u32 = 100;

impl Kubectl {
    /// One line per workload that waits for it to be ready, at most `timeout_seconds` each:
    /// `kubectl rollout status` for Deployments, StatefulSets and DaemonSets,
    /// `kubectl wait --for=condition=complete` for Jobs (CronJobs have nothing to wait for);
    /// none for `exclude_from_hc` services, which Coolify leaves out of the health check.
    ///
    /// A failing wait prints a message, the workload's pods, the namespace's events and the
    /// last [`FAILURE_LOG_LINES`] log lines of its pods, then ends the batch with status 1.
    /// Each line is one `bash -c 'if ! WAIT; then DIAGNOSTICS; exit 1; fi'` script: a
    /// `wait || { …; }` group would get Coolify's sudo after the `||` (`|| sudo {`, a
    /// command not found), so the rollout would fail even when it succeeds.
    pub fn rollout_status(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        timeout_seconds: u32,
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let ns = namespace_flag(&r.namespace);
        let timeout = format!("--timeout={timeout_seconds}s");
        let mut lines = Vec::new();
        for w in r.workloads.iter().filter(|w| !w.excluded) {
            let reference = quote(&w.reference()).into_owned();
            let wait = match w.kind {
                WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => {
                    self.kubectl_in_script(&["rollout", "status", &reference, &ns, &timeout])
                }
                WorkloadKind::Job => self.kubectl_in_script(&[
                    "wait",
                    &reference,
                    &ns,
                    "--for=condition=complete",
                    &timeout,
                ]),
                WorkloadKind::CronJob => continue,
            };
            lines.push(self.script(&format!(
                "if ! {wait}; then {} exit 1; fi",
                self.diagnostics(&r, w)
            )));
        }
        Ok(lines)
    }

    /// The commands run after a failed wait (the script goes on when one fails: no `-e`).
    fn diagnostics(&self, r: &Resource, w: &Workload) -> String {
        let ns = namespace_flag(&r.namespace);
        let message = format!(
            "{} {} did not become ready; its pods, the events of namespace {} and the last {} \
             log lines follow.",
            w.kind.kind(),
            w.name,
            r.namespace,
            FAILURE_LOG_LINES
        );
        let mut steps = vec![format!("echo {} >&2;", quote(&message))];
        if !w.pod_selector.is_empty() {
            let sel = selector_flag(&w.pod_selector);
            steps.push(format!(
                "{};",
                self.kubectl_in_script(&["get", "pods", &ns, &sel, "-o", "wide"])
            ));
        }
        steps.push(format!(
            "{};",
            self.kubectl_in_script(&["get", "events", &ns, "--sort-by=.lastTimestamp"])
        ));
        if !w.pod_selector.is_empty() {
            let sel = selector_flag(&w.pod_selector);
            let tail = format!("--tail={FAILURE_LOG_LINES}");
            steps.push(format!(
                "{};",
                self.kubectl_in_script(&[
                    "logs",
                    &ns,
                    &sel,
                    "--all-containers=true",
                    "--prefix=true",
                    &tail
                ])
            ));
        }
        steps.join(" ")
    }
}
