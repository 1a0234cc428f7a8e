//! Manifests: the translator's output, a list of Kubernetes objects in apply order, plus
//! the mapping report.
//!
//! Objects are kept as JSON values (already serialized from k8s-openapi types or the
//! project's CRD structs), so every surface (YAML, JSON, PHP arrays, kubectl) reads one form.

use crate::report::Report;
use serde_json::Value;

/// Translated Kubernetes objects, in a stable order (Namespace first, then configuration,
/// storage, workloads, services, routes), and the report of what was mapped,
/// approximated or dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifests {
    objects: Vec<Value>,
    report: Report,
}

impl Manifests {
    /// Manifests from objects already in apply order.
    pub fn new(objects: Vec<Value>, report: Report) -> Self {
        Self { objects, report }
    }

    /// The objects, in apply order.
    pub fn objects(&self) -> &[Value] {
        &self.objects
    }

    /// The mapping report.
    pub fn report(&self) -> &Report {
        &self.report
    }
}
