//! Stage `k8s` (build): typed Kubernetes objects (k8s-openapi) from a [`Plan`], serialized
//! into JSON values in apply order: Namespace, configuration (access, ConfigMaps,
//! Secrets), storage, workloads, services, network policies, routes.

pub mod access;
pub mod autoscaling;
pub mod config;
pub mod gateway;
pub mod ingress;
pub mod meta;
pub mod nginx;
pub mod pod;
pub mod pod_security;
pub mod routes;
pub mod services;
pub mod traefik;
pub mod workloads;

use crate::error::{Error, Errors};
use crate::options::Options;
use crate::path::InputPath;
use crate::plan::Plan;
use crate::report::Report;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::collections::BTreeMap;

/// Build the objects of a plan, in apply order, and what the build had to report.
pub fn build(plan: &Plan, options: &Options) -> Result<(Vec<Value>, Report), Errors> {
    build_objects(plan, options).map_err(|e| {
        Errors::from(Error::new(
            InputPath::root(),
            format!("internal error while serializing objects: {e}"),
        ))
    })
}

fn build_objects(
    plan: &Plan,
    options: &Options,
) -> Result<(Vec<Value>, Report), serde_json::Error> {
    let mut report = Report::default();
    let mut out = Vec::new();
    let (level, privileged) = pod_security::level(plan);
    if plan.shared_namespace {
        // Every resource of the destination applies into it: none owns its labels.
        pod_security::report_shared(level, &privileged, &plan.namespace, &mut report);
    } else {
        let ns_labels = meta::labels(plan, &plan.instance, &pod_security::labels(level));
        pod_security::report(level, &privileged, &mut report);
        out.push(serde_json::to_value(Namespace {
            metadata: ObjectMeta {
                name: Some(plan.namespace.clone()),
                labels: Some(ns_labels),
                annotations: meta::annotations(plan, &BTreeMap::new()),
                ..Default::default()
            },
            ..Default::default()
        })?);
    }
    // Configuration.
    if plan.job_waiter {
        out.extend(access::job_waiter(plan)?);
    }
    for f in plan.files.iter().filter(|f| !f.secret) {
        out.push(serde_json::to_value(config::config_map(plan, f))?);
    }
    if let Some(s) = &plan.secret {
        out.push(serde_json::to_value(config::resource_secret(plan, s))?);
    }
    for f in plan.files.iter().filter(|f| f.secret) {
        out.push(serde_json::to_value(config::file_secret(plan, f))?);
    }
    // Storage.
    for c in &plan.claims {
        out.push(serde_json::to_value(config::claim(plan, c))?);
    }
    // Workloads.
    for w in &plan.workloads {
        out.push(workloads::workload(plan, w)?);
    }
    // Scaling.
    for w in &plan.workloads {
        let kind = match w.kind {
            crate::plan::WorkloadKind::Deployment => "Deployment",
            crate::plan::WorkloadKind::StatefulSet => "StatefulSet",
            _ => continue,
        };
        let labels = meta::labels(plan, &w.service_name, &w.labels);
        let selector = meta::selector_labels(plan, &w.service_name);
        let target = autoscaling::ScaleTarget {
            kind,
            name: &w.name,
            namespace: &plan.namespace,
            labels: &labels,
            selector: &selector,
        };
        out.extend(autoscaling::render(
            &target,
            w.autoscale.as_ref(),
            w.replicas,
        ));
    }
    // Services.
    for w in &plan.workloads {
        out.push(serde_json::to_value(services::workload_service(plan, w))?);
    }
    for a in &plan.aliases {
        out.push(serde_json::to_value(services::alias_service(plan, a))?);
    }
    for w in &plan.workloads {
        if let Some(s) = services::public_service(plan, w, options) {
            out.push(serde_json::to_value(s)?);
        }
    }
    // Network policies.
    for p in &plan.network_policies {
        out.push(serde_json::to_value(access::network_policy(plan, p))?);
    }
    // Routes.
    for w in &plan.workloads {
        if w.routes.is_empty() {
            continue;
        }
        let labels = meta::labels(plan, &w.service_name, &w.labels);
        let target = routes::RouteTarget {
            name: &w.service_name,
            namespace: &plan.namespace,
            labels: &labels,
            service_name: &w.service_name,
            default_port: w.ports.first().map(|p| p.port),
        };
        out.extend(routes::render(&w.routes, &target, options, &mut report));
    }
    Ok((out, report))
}
