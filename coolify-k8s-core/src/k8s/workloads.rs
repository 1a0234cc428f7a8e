//! Controllers: Deployment, StatefulSet, DaemonSet and Job objects.

use super::{meta, pod};
use crate::plan::{Plan, Workload, WorkloadKind};
use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, DeploymentStrategy, StatefulSet,
    StatefulSetSpec,
};
use k8s_openapi::api::batch::v1::{
    Job, JobSpec, PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement, PodFailurePolicyRule,
};
use serde_json::Value;

/// Replicas, unless an autoscaler owns them (a value here would reset its choice on every
/// apply).
fn replicas(w: &Workload) -> Option<i32> {
    if w.autoscale.is_some() {
        return None;
    }
    w.replicas.map(|r| i32::try_from(r).unwrap_or(i32::MAX))
}

/// A Job's waits for its dependencies have no deadline that fails it for good, as
/// Compose waits: a pod whose wait init container fails (a wait that outlived kubectl's
/// longest timeout, an API error) is replaced without counting against `backoffLimit`.
fn wait_failures_ignored(w: &Workload) -> Option<PodFailurePolicy> {
    let rules: Vec<PodFailurePolicyRule> = w
        .init_containers
        .iter()
        .filter(|c| c.name.starts_with(crate::plan::ordering::WAIT_PREFIX))
        .map(|c| PodFailurePolicyRule {
            action: "Ignore".into(),
            on_exit_codes: Some(PodFailurePolicyOnExitCodesRequirement {
                container_name: Some(c.name.clone()),
                operator: "NotIn".into(),
                values: vec![0],
            }),
            on_pod_conditions: None,
        })
        .collect();
    (!rules.is_empty()).then_some(PodFailurePolicy { rules })
}

/// The controller object of a workload, as JSON.
pub fn workload(plan: &Plan, w: &Workload) -> Result<Value, serde_json::Error> {
    let metadata = meta::object_meta(plan, &w.name, &w.service_name, &w.labels, &w.annotations);
    let template = pod::template(plan, w);
    let selector = meta::selector(plan, &w.service_name);
    match w.kind {
        WorkloadKind::Deployment => serde_json::to_value(Deployment {
            metadata,
            spec: Some(DeploymentSpec {
                replicas: replicas(w),
                selector,
                template,
                // A ReadWriteOnce claim cannot be mounted by the old and the new pod on two
                // nodes at once: replace pods instead of rolling.
                strategy: w.recreate.then(|| DeploymentStrategy {
                    type_: Some("Recreate".into()),
                    rolling_update: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        WorkloadKind::StatefulSet => serde_json::to_value(StatefulSet {
            metadata,
            spec: Some(StatefulSetSpec {
                replicas: replicas(w),
                selector,
                service_name: Some(w.service_name.clone()),
                // With the default OrderedReady, a revision whose pod never becomes ready
                // blocks every later rollout until a person deletes the pod (Kubernetes'
                // "forced rollback"); Parallel replaces it with the next revision.
                pod_management_policy: Some("Parallel".into()),
                template,
                ..Default::default()
            }),
            ..Default::default()
        }),
        WorkloadKind::DaemonSet => serde_json::to_value(DaemonSet {
            metadata,
            spec: Some(DaemonSetSpec {
                selector,
                template,
                ..Default::default()
            }),
            ..Default::default()
        }),
        WorkloadKind::Job => serde_json::to_value(Job {
            metadata,
            spec: Some(JobSpec {
                template,
                // `restart: "no"`: one attempt, as on Docker.
                backoff_limit: (!w.job_retries).then_some(0),
                pod_failure_policy: wait_failures_ignored(w),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}
