//! `status`: one record per workload, and its parser into the running / degraded / exited
//! states Coolify shows for containers.
//!
//! Coolify does not hand output back as printed: `instant_remote_process` trims it, and
//! `execute_remote_command` trims every chunk it reads and concatenates the chunks with
//! nothing between them, stdout and stderr alike (`app/Traits/ExecuteRemoteCommand.php`,
//! `save`). So a record holds no whitespace and is delimited by `<` and `>`
//! (`<Deployment/web=2,2,,,,,,>`): trimming cannot cut it, chunks glue back into the same
//! text, and a line of noise (a warning from sudo or kubectl) between records is skipped.

use super::ResourceSource;
use super::{namespace_flag, quote, selector_flag, Kubectl};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde::Serialize;

/// Kinds whose readiness makes up a resource's status.
const STATUS_KINDS: &str = "deployment.apps,statefulset.apps,daemonset.apps,job.batch";

/// `<kind/name=counts>` per workload (missing fields print as empty and read as 0); the
/// newline only makes the output readable in a log.
const JSONPATH: &str = concat!(
    "jsonpath={range .items[*]}<{.kind}/{.metadata.name}=",
    "{.spec.replicas},{.status.readyReplicas},",
    "{.status.desiredNumberScheduled},{.status.numberReady},",
    "{.spec.completions},{.status.succeeded},",
    "{.status.failed},{.status.active}>{\"\\n\"}{end}"
);

/// Number of counts a record has (fewer are read as empty: trailing empty columns may be
/// missing).
const COUNTS: usize = 8;

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
    /// A Job finished successfully. The resource's state counts it as exited: on Docker a
    /// one-shot container that exited 0 is `exited`, and beside running containers Coolify
    /// shows `degraded` (`Service::getStatusAttribute`), as the poll does. `restart: "no"`
    /// and `exclude_from_hc` services are left out of the status altogether.
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
    /// resource's Deployments, StatefulSets, DaemonSets and Jobs, a record
    /// `<kind/name=replicas,readyReplicas,desiredNumberScheduled,numberReady,completions,succeeded,failed,active>`.
    pub fn status(&self, resource: &(impl ResourceSource + ?Sized)) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
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

    /// Read the output of the [`status`](Self::status) line, as printed or as Coolify hands
    /// it back (trimmed; chunks trimmed and concatenated; stderr lines mixed in). Workloads
    /// of `manifests` that the output lacks are `exited` (not created, or deleted).
    pub fn parse_status(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        output: &str,
    ) -> Result<ResourceStatus, Errors> {
        let r = self.resource(resource)?;
        let mut seen = parse_records(
            output,
            parse_record,
            &format!("not a status record (<Kind/name=n,…> with at most {COUNTS} counts expected)"),
            "holds no status record (<Kind/name=n,…>): not the output of the status line",
        )?;
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
        let state = resource_state(workloads.iter().map(|w| w.state));
        Ok(ResourceStatus { state, workloads })
    }
}

/// The state of a resource from its counted workloads' states: a finished Job counts as
/// exited (see [`State::Completed`]), and a resource with nothing counted is exited.
fn resource_state(states: impl Iterator<Item = State>) -> State {
    let (mut running, mut exited, mut any) = (true, true, false);
    for s in states {
        let s = if s == State::Completed {
            State::Exited
        } else {
            s
        };
        any = true;
        running &= s == State::Running;
        exited &= s == State::Exited;
    }
    if !any || exited {
        State::Exited
    } else if running {
        State::Running
    } else {
        State::Degraded
    }
}

/// The texts between `<` and `>`, in order; text outside them is noise (stderr lines that
/// Coolify's runner mixes into the output).
fn records(output: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = output;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// Every record of `output` read by `parse`: a record it rejects is an error naming its
/// index (`output[2]: {bad}`), and output with text but no record at all is `output: {none}`
/// (another line's output). Shared by the status line's and the pods line's readers.
pub(super) fn parse_records<T>(
    output: &str,
    parse: impl Fn(&str) -> Option<T>,
    bad: &str,
    none: &str,
) -> Result<Vec<T>, Errors> {
    let found = records(output);
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in found.iter().enumerate() {
        match parse(record) {
            Some(item) => items.push(item),
            None => errors.push(Error::new(InputPath::root().key("output").index(i), bad)),
        }
    }
    if found.is_empty() && !output.trim().is_empty() {
        errors.push(Error::new(InputPath::root().key("output"), none));
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(items),
    }
}

/// One record: `Kind/name=c0,c1,…` (counts may be fewer than [`COUNTS`]; missing and empty
/// counts read as 0).
fn parse_record(record: &str) -> Option<WorkloadStatus> {
    let (id, counts) = record.split_once('=')?;
    let (kind, name) = id.split_once('/')?;
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return None;
    }
    let mut cols: Vec<&str> = vec![kind, name];
    cols.extend(counts.split(','));
    if cols.len() > COUNTS + 2 {
        return None;
    }
    cols.resize(COUNTS + 2, "");
    let n = |i: usize| parse_count(cols.get(i)?.trim());
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

/// A count kubectl prints (replicas, completions, a container's `restartCount`): Kubernetes
/// keeps them as non-negative int32, so a sign or anything beyond is not kubectl's output
/// (the record is then rejected, not read as a negative count); empty (a field not set yet)
/// is 0.
pub(super) fn parse_count(s: &str) -> Option<i64> {
    if s.is_empty() {
        return Some(0);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok().map(i64::from)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::Target;
    use crate::manifests::Manifests;
    use crate::report::Report;
    use serde_json::json;

    fn manifests() -> Manifests {
        let w = |kind: &str, name: &str| {
            let labels =
                json!({"app.kubernetes.io/instance": "acme", "app.kubernetes.io/name": name});
            json!({"apiVersion": if kind == "Job" { "batch/v1" } else { "apps/v1" }, "kind": kind,
                   "metadata": {"name": name, "namespace": "acme", "labels": labels},
                   "spec": {"replicas": 2, "selector": {"matchLabels": labels}}})
        };
        Manifests::new(
            vec![
                w("Deployment", "web"),
                w("StatefulSet", "db"),
                w("Job", "migrate"),
            ],
            Report::default(),
        )
    }

    fn parse(output: &str) -> Result<ResourceStatus, Errors> {
        Kubectl::new(Target::default())
            .unwrap()
            .parse_status(&manifests(), output)
    }

    fn states(s: &ResourceStatus) -> Vec<(&str, State, i64, i64)> {
        s.workloads
            .iter()
            .map(|w| (w.name.as_str(), w.state, w.ready, w.desired))
            .collect()
    }

    const PRINTED: &str =
        "<Deployment/web=2,2,,,,,,>\n<StatefulSet/db=1,0,,,,,,>\n<Job/migrate=,,,,1,1,,>\n";

    #[test]
    fn printed_output() {
        let s = parse(PRINTED).unwrap();
        assert_eq!(s.state, State::Degraded);
        assert_eq!(
            states(&s),
            vec![
                ("web", State::Running, 2, 2),
                ("db", State::Exited, 0, 1),
                ("migrate", State::Completed, 1, 1)
            ]
        );
    }

    /// What `execute_remote_command` saves: every chunk trimmed, chunks glued together.
    #[test]
    fn trimmed_and_concatenated_chunks_read_the_same() {
        let want = parse(PRINTED).unwrap();
        for size in [1, 2, 3, 7, 13, 1000] {
            let bytes = PRINTED.as_bytes();
            let glued: String = bytes
                .chunks(size)
                .map(|c| String::from_utf8_lossy(c).trim().to_string())
                .collect();
            assert_eq!(parse(&glued).unwrap(), want, "chunks of {size}: {glued}");
        }
        assert_eq!(parse(PRINTED.trim()).unwrap(), want);
    }

    #[test]
    fn noise_between_records_and_missing_trailing_counts() {
        let out = "sudo: unable to resolve host x: Name or service not known<Deployment/web=2,2>Warning: y\n<StatefulSet/db=1,1>";
        let s = parse(out).unwrap();
        // The Job is missing from the output, so it counts as exited.
        assert_eq!(s.state, State::Degraded);
        assert_eq!(
            states(&s),
            vec![
                ("web", State::Running, 2, 2),
                ("db", State::Running, 1, 1),
                ("migrate", State::Exited, 0, 2)
            ]
        );
    }

    /// On Docker the migration container that exited 0 is `exited`, and Coolify shows its
    /// service `degraded` beside the running ones; only `exclude_from_hc` / `restart: "no"`
    /// (the annotation, tested in `kubectl_commands.rs`) keep it out.
    #[test]
    fn a_finished_job_counts_as_exited_as_on_docker() {
        let s = parse("<Deployment/web=2,2><StatefulSet/db=1,1><Job/migrate=,,,,1,1,,>").unwrap();
        assert_eq!(s.workloads[2].state, State::Completed);
        assert_eq!(s.state, State::Degraded);
        let all_done = "<Deployment/web=0><StatefulSet/db=0><Job/migrate=,,,,1,1,,>";
        assert_eq!(parse(all_done).unwrap().state, State::Exited);
        let running_job = "<Deployment/web=2,2><StatefulSet/db=1,1><Job/migrate=,,,,1,0,0,1>";
        assert_eq!(parse(running_job).unwrap().state, State::Running);
    }

    #[test]
    fn empty_output_means_nothing_runs() {
        let s = parse("").unwrap();
        assert_eq!(s.state, State::Exited);
        assert_eq!(s.workloads.len(), 3);
    }

    #[test]
    fn counts_are_kubernetes_non_negative_int32() {
        assert_eq!(parse_count(""), Some(0));
        assert_eq!(parse_count("0"), Some(0));
        assert_eq!(parse_count("2147483647"), Some(2_147_483_647));
        for bad in ["-4", "+4", "2147483648", "1e3", " 1", "x"] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
        }
        // A record with a negative count is not kubectl's: an error, not a state.
        let e = parse("<Deployment/web=-1,-1>").unwrap_err();
        assert!(
            e.first()
                .to_string()
                .starts_with("output[0]: not a status record"),
            "{e}"
        );
    }

    #[test]
    fn bad_records_and_foreign_output_are_errors() {
        let e = parse("<Deployment/web=2,x><Deployment/web=1,1,1,1,1,1,1,1,1><web=1>").unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("output[0]: not a status record"),
            "{lines:?}"
        );
        assert!(
            lines[2].starts_with("output[2]: not a status record"),
            "{lines:?}"
        );
        let e = parse("Deployment\tweb\t2\t2\n").unwrap_err();
        assert!(
            e.first().to_string().contains("holds no status record"),
            "{e}"
        );
    }

    #[test]
    fn the_line_prints_records() {
        let lines = Kubectl::new(Target::default())
            .unwrap()
            .status(&manifests())
            .unwrap();
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0]
                .contains("'jsonpath={range .items[*]}<{.kind}/{.metadata.name}={.spec.replicas},"),
            "{}",
            lines[0]
        );
        assert!(!crate::kubectl::has_runner_sequence(&lines[0]));
    }
}
