//! A loaded Compose project: the top-level keys.

use super::magic::MagicVariable;
use super::service::Service;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A loaded, interpolated, merged and normalized Compose project.
///
/// Serializing it gives the canonical (long) form that `coolify-k8s config` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Project {
    /// `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `services`, by name. Services outside the active profiles are removed.
    pub services: BTreeMap<String, Service>,
    /// `networks`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub networks: BTreeMap<String, Network>,
    /// `volumes`, including named volumes that services use without declaring them
    /// (Coolify's templates rely on that), which get a default declaration.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub volumes: BTreeMap<String, Volume>,
    /// `configs`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub configs: BTreeMap<String, ConfigDef>,
    /// `secrets`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, SecretDef>,
    /// `models`, as given.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<String, Value>,
    /// Top-level `x-*` extension keys.
    #[serde(flatten)]
    pub extensions: BTreeMap<String, Value>,
    /// Coolify magic variables referenced anywhere in the project (by `${…}` or as
    /// `SERVICE_URL_*` / `SERVICE_FQDN_*` environment keys), by name. Their values are
    /// not in the model: see [`crate::compose::magic`].
    #[serde(skip)]
    pub magic: BTreeMap<String, MagicVariable>,
}

/// A top-level `networks` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Network {
    /// `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `driver`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// `external`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// `internal`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// `labels`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `driver_opts`, `ipam`, `attachable`, `enable_ipv4`, `enable_ipv6`, as given.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A top-level `volumes` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Volume {
    /// `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `driver`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// `driver_opts`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub driver_opts: BTreeMap<String, String>,
    /// `external`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// `labels`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// True when no service declared it at top level (Coolify's templates).
    #[serde(skip)]
    pub implicit: bool,
}

/// A top-level `configs` entry: exactly one of `file`, `content`, `environment`
/// (or `external`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ConfigDef {
    /// `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `file`: a path, read through the caller's resolver when loading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `content`: the body (for `file`, the body the resolver returned).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `environment`: the variable whose value is the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// `external`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// `labels`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// A top-level `secrets` entry; same shape as [`ConfigDef`].
pub type SecretDef = ConfigDef;
