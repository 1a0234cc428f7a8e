//! `restart`, `stop`, `start` and `delete` of a whole resource.

use super::resource::WorkloadKind;
use super::ResourceSource;
use super::{namespace_flag, quote, selector_flag, Kubectl};
use crate::error::Errors;

/// Annotation in which `stop` remembers a workload's replica count for `start`.
pub const REPLICAS_ANNOTATION: &str = "coolify.io/replicas-before-stop";
/// Node-selector key that `stop` gives a DaemonSet's pods so that no node runs them.
pub const STOPPED_NODE_SELECTOR: &str = "coolify.io/stopped";

/// What [`Kubectl::delete`] removes besides the resource's objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteOptions {
    /// Delete the resource's PersistentVolumeClaims, and so its data (default true, as
    /// Coolify's own delete does by default).
    pub volumes: bool,
    /// Delete the namespace too (default false: it may hold other resources).
    pub namespace: bool,
}

impl Default for DeleteOptions {
    fn default() -> Self {
        Self {
            volumes: true,
            namespace: false,
        }
    }
}

impl Kubectl {
    /// `kubectl rollout restart` of every Deployment, StatefulSet and DaemonSet, in one
    /// line (none when there are none).
    pub fn restart(
        &self,
        resource: &(impl ResourceSource + ?Sized),
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let refs: Vec<String> = r
            .workloads
            .iter()
            .filter(|w| w.kind.runs_continuously())
            .map(|w| quote(&w.reference()).into_owned())
            .collect();
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let ns = namespace_flag(&r.namespace);
        let mut args = vec!["rollout", "restart"];
        args.extend(refs.iter().map(String::as_str));
        args.push(&ns);
        Ok(vec![self.kubectl(&args)])
    }

    /// Stop every workload, remembering how to start it again:
    /// Deployments and StatefulSets record their replica count in [`REPLICAS_ANNOTATION`]
    /// (unless already at zero, so stopping twice keeps the first count) and scale to zero;
    /// DaemonSets get a node selector no node matches; CronJobs are suspended. Jobs run to
    /// completion and are left alone.
    pub fn stop(&self, resource: &(impl ResourceSource + ?Sized)) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let ns = namespace_flag(&r.namespace);
        let mut lines = Vec::new();
        for w in &r.workloads {
            let reference = quote(&w.reference()).into_owned();
            match w.kind {
                WorkloadKind::Deployment | WorkloadKind::StatefulSet => {
                    let get = self.kubectl_in_script(&[
                        "get",
                        &reference,
                        &ns,
                        "-o",
                        "\"jsonpath={.spec.replicas}\"",
                    ]);
                    let annotate = self.kubectl_in_script(&[
                        "annotate",
                        &reference,
                        &ns,
                        "--overwrite",
                        &format!("\"{REPLICAS_ANNOTATION}=$replicas\""),
                    ]);
                    // A script: a variable and a condition do not survive Coolify's sudo
                    // rewriting as separate shell words.
                    lines.push(self.script(&format!(
                        "replicas=$({get}); if [ \"$replicas\" != 0 ]; then {annotate}; fi"
                    )));
                    lines.push(self.kubectl(&["scale", &reference, &ns, "--replicas=0"]));
                }
                WorkloadKind::DaemonSet => {
                    let patch = format!(
                        r#"{{"spec":{{"template":{{"spec":{{"nodeSelector":{{"{STOPPED_NODE_SELECTOR}":"true"}}}}}}}}}}"#
                    );
                    lines.push(self.merge_patch(&reference, &ns, &patch));
                }
                WorkloadKind::CronJob => {
                    let patch = r#"{"spec":{"suspend":true}}"#;
                    lines.push(self.merge_patch(&reference, &ns, patch));
                }
                WorkloadKind::Job => {}
            }
        }
        Ok(lines)
    }

    /// `kubectl patch REF --type=merge -p PATCH`, the patch quoted.
    fn merge_patch(&self, reference: &str, ns: &str, patch: &str) -> String {
        self.kubectl(&["patch", reference, ns, "--type=merge", "-p", &quote(patch)])
    }

    /// Undo [`stop`](Self::stop): scale back to the remembered count and forget it (nothing
    /// for a workload with no remembered count, so starting a running resource is a no-op),
    /// remove the DaemonSet node selector, resume CronJobs.
    pub fn start(&self, resource: &(impl ResourceSource + ?Sized)) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let ns = namespace_flag(&r.namespace);
        let mut lines = Vec::new();
        // kubectl's JSONPath needs the dot in the annotation key escaped.
        let jsonpath = format!(
            "\"jsonpath={{.metadata.annotations.{}}}\"",
            REPLICAS_ANNOTATION.replace('.', "\\.")
        );
        for w in &r.workloads {
            let reference = quote(&w.reference()).into_owned();
            match w.kind {
                WorkloadKind::Deployment | WorkloadKind::StatefulSet => {
                    let get = self.kubectl_in_script(&["get", &reference, &ns, "-o", &jsonpath]);
                    let scale = self.kubectl_in_script(&[
                        "scale",
                        &reference,
                        &ns,
                        "\"--replicas=$replicas\"",
                    ]);
                    let forget = self.kubectl_in_script(&[
                        "annotate",
                        &reference,
                        &ns,
                        &format!("{REPLICAS_ANNOTATION}-"),
                    ]);
                    lines.push(self.script(&format!(
                        "replicas=$({get}); if [ -n \"$replicas\" ]; then {scale}; {forget}; fi"
                    )));
                }
                WorkloadKind::DaemonSet => {
                    let patch = format!(
                        r#"{{"spec":{{"template":{{"spec":{{"nodeSelector":{{"{STOPPED_NODE_SELECTOR}":null}}}}}}}}}}"#
                    );
                    lines.push(self.merge_patch(&reference, &ns, &patch));
                }
                WorkloadKind::CronJob => {
                    let patch = r#"{"spec":{"suspend":false}}"#;
                    lines.push(self.merge_patch(&reference, &ns, patch));
                }
                WorkloadKind::Job => {}
            }
        }
        Ok(lines)
    }

    /// Delete every object of the resource by its labels (`app.kubernetes.io/instance` and
    /// `app.kubernetes.io/managed-by=coolify`), whether or not it is still in `manifests`;
    /// PersistentVolumeClaims and the namespace as `options` say. Does not wait for pods to
    /// finish terminating.
    pub fn delete(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        options: DeleteOptions,
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let ns = namespace_flag(&r.namespace);
        let sel = selector_flag(&r.selector());
        let mut lines = self.sweep(&r, &ns, &sel, options.volumes);
        if options.namespace {
            lines.push(self.kubectl(&[
                "delete",
                "namespace",
                &quote(&r.namespace),
                "--ignore-not-found=true",
                "--wait=false",
            ]));
        }
        Ok(lines)
    }
}
