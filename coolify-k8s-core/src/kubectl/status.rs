//! `status`: one line per workload in a tab-separated form, and its parser into the
//! running / degraded / exited states Coolify shows for containers.

use super::{namespace_flag, quote, selector_flag, Kubectl};
use crate::error::{Error, Errors};
use crate::manifests::Manifests;
use crate::path::InputPath;
use serde::Serialize;

/// Kinds whose readiness makes up a resource's status.
const STATUS_KINDS: &str = "deployment.apps,statefulset.apps,daemonset.apps,job.batch";

/// The columns, in order (missing fields print as empty and read as 0).
const JSONPATH: &str = concat!(
    "jsonpath={range .items[*]}{.kind}{\"\\t\"}{.metadata.name}",
    "{\"\\t\"}{.spec.replicas}{\"\\t\"}{.status.readyReplicas}",
    "{\"\\t\"}{.status.desiredNumberScheduled}{\"\\t\"}{.status.numberReady}",
    "{\"\\t\"}{.spec.completions}{\"\\t\"}{.status.succeeded}",
    "{\"\\t\"}{.status.failed}{\"\\t\"}{.status.active}{\"\\n\"}{end}"
);

/// Number of tab-separated columns the status line has.
const COLUMNS: usize = 10;

/// The state of a workload, or of a whole resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Every wanted pod is ready.
    Running,
    /// Some, not all, wanted pods are ready (for a resource: its workloads disagree).
    Degraded,
    /// No pod is ready, the workload is stopped, missing, or a Job failed.
    Exited,
    /// A Job finished successfully (not counted in a resource's state, like Coolify's
    /// `exclude_from_hc` one-off services).
    Completed,
}

impl State {
    /// `running`, `degraded`, `exited` or `completed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Degraded => "degraded",
            Self::Exited => "exited",
            Self::Completed => "completed",
        }
    }
}

/// One workload's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadStatus {
    /// Kubernetes kind.
    pub kind: String,
    /// Object name.
    pub name: String,
    /// Its state.
    pub state: State,
    /// Ready pods (succeeded pods for a Job).
    pub ready: i64,
    /// Wanted pods (completions for a Job).
    pub desired: i64,
}

/// A resource's status: its workloads, and the state Coolify shows for the whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceStatus {
    /// `running` when every counted workload runs, `exited` when none does, else `degraded`.
    pub state: State,
    /// Every workload, in manifest order, then any the cluster has beyond the manifests.
    pub workloads: Vec<WorkloadStatus>,
}

impl Kubectl {
    /// One line whose output [`parse_status`](Self::parse_status) reads: for each of the
    /// resource's Deployments, StatefulSets, DaemonSets and Jobs, a line of
    /// `kind, name, replicas, readyReplicas, desiredNumberScheduled, numberReady,
    /// completions, succeeded, failed, active` separated by tabs.
    pub fn status(&self, manifests: &Manifests) -> Result<Vec<String>, Errors> {
        let r = self.resource(manifests)?;
        let ns = namespace_flag(&r.namespace);
        let sel = selector_flag(&r.selector());
        Ok(vec![self.kubectl(&[
            "get",
            STATUS_KINDS,
            &ns,
            &sel,
            "-o",
            &quote(JSONPATH),
        ])])
    }

    /// Read the output of the [`status`](Self::status) line. Workloads of `manifests` that
    /// the output lacks are `exited` (not created, or deleted).
    pub fn parse_status(
        &self,
        manifests: &Manifests,
        output: &str,
    ) -> Result<ResourceStatus, Errors> {
        let r = self.resource(manifests)?;
        let mut seen: Vec<WorkloadStatus> = Vec::new();
        let mut errors = Vec::new();
        for (i, line) in output.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(line) {
                Some(s) => seen.push(s),
                None => errors.push(Error::new(
                    InputPath::root().key("output").index(i),
                    format!("not a status line ({COLUMNS} tab-separated columns expected)"),
                )),
            }
        }
        if let Some(e) = Errors::from_vec(errors) {
            return Err(e);
        }
        let mut workloads = Vec::new();
        for w in &r.workloads {
            if w.excluded {
                // `exclude_from_hc`: not part of the resource's status, as on Coolify.
                seen.retain(|s| !(s.kind == w.kind.kind() && s.name == w.name));
                continue;
            }
            if w.kind == super::WorkloadKind::CronJob {
                continue;
            }
            let found = seen
                .iter()
                .position(|s| s.kind == w.kind.kind() && s.name == w.name);
            match found {
                Some(p) => workloads.push(seen.remove(p)),
                None => workloads.push(WorkloadStatus {
                    kind: w.kind.kind().to_string(),
                    name: w.name.clone(),
                    state: State::Exited,
                    ready: 0,
                    desired: w.replicas.unwrap_or(1),
                }),
            }
        }
        workloads.extend(seen);
        let counted: Vec<State> = workloads
            .iter()
            .map(|w| w.state)
            .filter(|s| *s != State::Completed)
            .collect();
        let state = if counted.is_empty() {
            State::Exited
        } else if counted.iter().all(|s| *s == State::Running) {
            State::Running
        } else if counted.iter().all(|s| *s == State::Exited) {
            State::Exited
        } else {
            State::Degraded
        };
        Ok(ResourceStatus { state, workloads })
    }
}

fn parse_line(line: &str) -> Option<WorkloadStatus> {
    let cols: Vec<&str> = line.split('\t').collect();
    if cols.len() != COLUMNS {
        return None;
    }
    let n = |i: usize| -> Option<i64> {
        let s = cols.get(i)?.trim();
        if s.is_empty() {
            Some(0)
        } else {
            s.parse().ok()
        }
    };
    let kind = (*cols.first()?).to_string();
    let name = (*cols.get(1)?).to_string();
    let (ready, desired, state) = match kind.as_str() {
        "Deployment" | "StatefulSet" => {
            let (desired, ready) = (n(2)?, n(3)?);
            (ready, desired, replica_state(ready, desired))
        }
        "DaemonSet" => {
            let (desired, ready) = (n(4)?, n(5)?);
            (ready, desired, replica_state(ready, desired))
        }
        "Job" => {
            let completions = if cols.get(6)?.trim().is_empty() {
                1
            } else {
                n(6)?
            };
            // `failed` (column 8) is validated as a number; `active` decides between running and exited.
            let (succeeded, failed, active) = (n(7)?, n(8)?, n(9)?);
            let state = if succeeded >= completions {
                State::Completed
            } else if active > 0 {
                State::Running
            } else {
                // Failed, or created with no pod started yet.
                State::Exited
            };
            let _ = failed;
            (succeeded, completions, state)
        }
        _ => return None,
    };
    Some(WorkloadStatus {
        kind,
        name,
        state,
        ready,
        desired,
    })
}

fn replica_state(ready: i64, desired: i64) -> State {
    if desired <= 0 || ready <= 0 {
        State::Exited
    } else if ready >= desired {
        State::Running
    } else {
        State::Degraded
    }
}
