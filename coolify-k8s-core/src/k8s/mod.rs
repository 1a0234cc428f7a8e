//! Stage `k8s` (build): typed Kubernetes objects (k8s-openapi) from a [`Plan`], serialized
//! into JSON values in apply order: Namespace, configuration, storage, workloads,
//! services, network policies, routes.

use crate::error::Errors;
use crate::options::Options;
use crate::plan::Plan;
use crate::report::Report;
use serde_json::Value;

/// Build the objects of a plan, in apply order, and what the build had to report.
pub fn build(plan: &Plan, options: &Options) -> Result<(Vec<Value>, Report), Errors> {
    let _ = (plan, options);
    Err(crate::Error::new(crate::InputPath::root(), "the builder is being built").into())
}
