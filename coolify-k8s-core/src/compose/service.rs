//! A service: every service key of the Compose Specification, normalized to one form,
//! plus Coolify's own keys.
//!
//! Keys that Kubernetes has a use for are typed; keys that only exist to be reported
//! (Swarm, Windows, cgroup tuning) are kept as the JSON value that was given, after
//! validation against the specification's types.

use super::deploy::Deploy;
use super::healthcheck::Healthcheck;
use super::magic::ServiceUrl;
use super::port::{ExposedPort, Port};
use super::units::{ByteSize, Duration};
use super::volume::ServiceVolume;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One entry of `services`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Service {
    // --- image and process -------------------------------------------------------------
    /// `image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `build` (long form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// `pull_policy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<PullPolicy>,
    /// `pull_refresh_after`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_refresh_after: Option<String>,
    /// `entrypoint`, split into argv (a string is split by shell rules). `Some(vec![])`
    /// is an explicit empty entrypoint (it resets the image's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// `command`, split into argv like `entrypoint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// `working_dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `user`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `group_add`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_add: Vec<String>,
    /// `init`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<bool>,
    /// `stdin_open`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdin_open: Option<bool>,
    /// `tty`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// `restart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<Restart>,
    /// `stop_grace_period`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<Duration>,
    /// `stop_signal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// `post_start` hooks, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_start: Option<Value>,
    /// `pre_stop` hooks, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_stop: Option<Value>,

    // --- environment and labels --------------------------------------------------------
    /// `environment` (list or map) in declared order, after `env_file` entries are merged
    /// in by the caller's resolver. `None` is a variable named without a value that the
    /// caller's variables do not define either.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub environment: IndexMap<String, Option<String>>,
    /// `env_file`, long form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env_file: Vec<EnvFile>,
    /// `labels` (list or map).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `label_file`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_file: Vec<String>,
    /// `annotations` (list or map).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,

    // --- networking --------------------------------------------------------------------
    /// `ports`, long form; ranges expanded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    /// `expose`; ranges expanded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<ExposedPort>,
    /// `networks` (list or map); `None` values are attachments without options.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub networks: BTreeMap<String, Option<ServiceNetwork>>,
    /// `network_mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    /// `hostname`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `domainname`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domainname: Option<String>,
    /// `container_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// `links`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// `external_links`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_links: Vec<String>,
    /// `extra_hosts` (list or map), host name to addresses, in declared order.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub extra_hosts: IndexMap<String, Vec<String>>,
    /// `dns`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    /// `dns_opt`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_opt: Vec<String>,
    /// `dns_search`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    /// `mac_address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,

    // --- ordering and health -----------------------------------------------------------
    /// `depends_on` (list or map), long form.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub depends_on: BTreeMap<String, DependsOn>,
    /// `healthcheck`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,

    // --- storage and configuration -----------------------------------------------------
    /// `volumes`, long form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<ServiceVolume>,
    /// `volumes_from`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes_from: Vec<String>,
    /// `tmpfs` (string or list).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tmpfs: Vec<String>,
    /// `configs`, long form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<FileReference>,
    /// `secrets`, long form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<FileReference>,
    /// `read_only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// `shm_size`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<ByteSize>,
    /// `storage_opt`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_opt: Option<Value>,

    // --- security ----------------------------------------------------------------------
    /// `privileged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// `cap_add`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    /// `cap_drop`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    /// `security_opt`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_opt: Vec<String>,
    /// `sysctls` (list or map).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sysctls: BTreeMap<String, String>,
    /// `userns_mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userns_mode: Option<String>,
    /// `credential_spec`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_spec: Option<Value>,

    // --- resources ---------------------------------------------------------------------
    /// `deploy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// `scale`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// `mem_limit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_limit: Option<ByteSize>,
    /// `mem_reservation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_reservation: Option<ByteSize>,
    /// `memswap_limit` (`-1` is unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memswap_limit: Option<i64>,
    /// `mem_swappiness`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_swappiness: Option<i64>,
    /// `cpus`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    /// `cpu_shares`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<i64>,
    /// `cpuset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset: Option<String>,
    /// `pids_limit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
    /// `ulimits`, long form.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ulimits: BTreeMap<String, Ulimit>,
    /// `gpus`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<Value>,

    // --- host integration: reported, never carried over ----------------------------------
    /// `pid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
    /// `ipc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipc: Option<String>,
    /// `uts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uts: Option<String>,
    /// `cgroup`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
    /// `cgroup_parent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup_parent: Option<String>,
    /// `runtime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// `platform`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `isolation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    /// `logging`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Value>,
    /// `devices`, as given (short strings or long mappings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices: Option<Value>,
    /// `device_cgroup_rules`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_cgroup_rules: Vec<String>,
    /// `oom_kill_disable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_kill_disable: Option<bool>,
    /// `oom_score_adj`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_score_adj: Option<i64>,
    /// `blkio_config`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_config: Option<Value>,
    /// The CPU tuning keys `cpu_count`, `cpu_percent`, `cpu_period`, `cpu_quota`,
    /// `cpu_rt_period`, `cpu_rt_runtime`, as given.
    #[serde(flatten)]
    pub cpu_tuning: BTreeMap<String, Value>,
    /// `use_api_socket`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_api_socket: Option<bool>,
    /// `attach`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attach: Option<bool>,

    // --- Compose tooling ---------------------------------------------------------------
    /// `profiles`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// `develop` (watch rules), as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub develop: Option<Value>,
    /// `provider`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<Value>,
    /// `models`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<Value>,
    /// `x-*` extension keys.
    #[serde(flatten)]
    pub extensions: BTreeMap<String, Value>,

    // --- Coolify -----------------------------------------------------------------------
    /// Coolify `exclude_from_hc`: not part of the resource's health status.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exclude_from_hc: bool,
    /// Coolify: the `SERVICE_URL_*` / `SERVICE_FQDN_*` keys of `environment`, which give
    /// this service routes. Derived from `environment`; not an input key.
    #[serde(skip)]
    pub urls: Vec<ServiceUrl>,
}

/// `build`, long form. Images are not built on Kubernetes; the plan reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Build {
    /// `context`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// `dockerfile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    /// Every other build key, as given.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `pull_policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PullPolicy {
    /// `always`.
    Always,
    /// `never`.
    Never,
    /// `missing` or `if_not_present`.
    Missing,
    /// `build`.
    Build,
    /// `daily`, `weekly`, `every_<duration>`: refresh on a schedule.
    #[serde(untagged)]
    Refresh(String),
}

/// `restart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Restart {
    /// `"no"`.
    #[serde(rename = "no")]
    No,
    /// `always`.
    #[serde(rename = "always")]
    Always,
    /// `on-failure[:max]`.
    #[serde(rename = "on-failure")]
    OnFailure,
    /// `unless-stopped`.
    #[serde(rename = "unless-stopped")]
    UnlessStopped,
}

/// One `depends_on` entry, long form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DependsOn {
    /// `condition`.
    pub condition: DependsOnCondition,
    /// `restart`.
    pub restart: bool,
    /// `required`.
    pub required: bool,
}

/// `depends_on.<service>.condition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DependsOnCondition {
    /// `service_started` (the short syntax's meaning).
    ServiceStarted,
    /// `service_healthy`.
    ServiceHealthy,
    /// `service_completed_successfully`.
    ServiceCompletedSuccessfully,
}

/// `env_file` entry, long form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvFile {
    /// `path`.
    pub path: String,
    /// `required` (default true).
    pub required: bool,
    /// `format`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A service's `configs` or `secrets` entry, long form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReference {
    /// `source`: the top-level config or secret.
    pub source: String,
    /// `target`: where it is mounted (absent: `/<source>` for configs,
    /// `/run/secrets/<source>` for secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `uid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// `gid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    /// `mode` (octal in the input, kept as the number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

/// A service's attachment to a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ServiceNetwork {
    /// `aliases`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `ipv4_address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
    /// `ipv6_address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_address: Option<String>,
    /// `priority`, `gw_priority`, `link_local_ips`, `mac_address`, `driver_opts`,
    /// `interface_name`, as given.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One `ulimits` entry, long form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ulimit {
    /// `soft`.
    pub soft: i64,
    /// `hard`.
    pub hard: i64,
}
