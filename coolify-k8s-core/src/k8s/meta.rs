//! Object metadata: names, the standard labels every object carries, and selectors.
//!
//! Every object carries `app.kubernetes.io/name` (the Compose service, or the resource for
//! resource-wide objects), `app.kubernetes.io/instance` (the resource) and
//! `app.kubernetes.io/managed-by: coolify`, plus the caller's labels and the service's
//! `coolify.io/*` labels. Selectors use only name + instance, which never change.

use crate::plan::Plan;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;

/// `app.kubernetes.io/name`.
pub const NAME: &str = "app.kubernetes.io/name";
/// `app.kubernetes.io/instance`.
pub const INSTANCE: &str = "app.kubernetes.io/instance";
/// `app.kubernetes.io/managed-by`.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

/// The selector labels of a workload's pods.
pub fn selector_labels(plan: &Plan, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (NAME.to_string(), crate::plan::names::label_value(name)),
        (INSTANCE.to_string(), plan.instance.clone()),
    ])
}

/// All labels of an object: the caller's, the service's own (`coolify.io/*`), then the
/// standard ones (which win).
pub fn labels(
    plan: &Plan,
    name: &str,
    extra: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut l = plan.common_labels.clone();
    l.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    l.extend(selector_labels(plan, name));
    l.insert(MANAGED_BY.to_string(), "coolify".to_string());
    l
}

/// Annotations: the caller's, then the object's own.
pub fn annotations(
    plan: &Plan,
    own: &BTreeMap<String, String>,
) -> Option<BTreeMap<String, String>> {
    let mut a = plan.common_annotations.clone();
    a.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    (!a.is_empty()).then_some(a)
}

/// Metadata of a namespaced object named `object` belonging to `name` (a service's
/// normalized name, or the resource).
pub fn object_meta(
    plan: &Plan,
    object: &str,
    name: &str,
    extra_labels: &BTreeMap<String, String>,
    own_annotations: &BTreeMap<String, String>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(object.to_string()),
        namespace: Some(plan.namespace.clone()),
        labels: Some(labels(plan, name, extra_labels)),
        annotations: annotations(plan, own_annotations),
        ..Default::default()
    }
}

/// A selector on name + instance.
pub fn selector(plan: &Plan, name: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(selector_labels(plan, name)),
        ..Default::default()
    }
}
