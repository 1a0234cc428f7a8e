//! `deploy`: replicas, resources, restart policy; the rest is kept as given.

use super::units::{ByteSize, Duration};
use serde::Serialize;

/// A service's `deploy`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Deploy {
    /// `mode`: `replicated` (default), `global`, `replicated-job`, `global-job`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `replicas`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// `resources`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// `restart_policy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<RestartPolicy>,
    /// `labels`.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// `endpoint_mode`, `placement`, `update_config`, `rollback_config`: Swarm-only, kept
    /// as given so the report can name them.
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_json::Value>,
}

/// `deploy.resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Resources {
    /// `limits`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceSpec>,
    /// `reservations`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservations: Option<ResourceSpec>,
}

/// `deploy.resources.limits` / `reservations`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ResourceSpec {
    /// `cpus` (fractional CPUs; `0` means unlimited in Coolify's files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    /// `memory`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    /// `pids`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids: Option<i64>,
    /// `devices` (reservations only: GPUs and others), as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices: Option<serde_json::Value>,
    /// `generic_resources`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generic_resources: Option<serde_json::Value>,
}

/// `deploy.restart_policy`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RestartPolicy {
    /// `condition`: `none`, `on-failure`, `any`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `delay`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
    /// `max_attempts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// `window`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
}
