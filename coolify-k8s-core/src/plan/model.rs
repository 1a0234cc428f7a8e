//! The plan's types: Kubernetes-neutral descriptions of what to run. Every name in here is
//! already normalized to what its Kubernetes kind allows.

use crate::report::Report;
use std::collections::BTreeMap;

/// Everything one Compose project becomes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The resource's name: the `app.kubernetes.io/instance` label value.
    pub instance: String,
    /// The namespace every object goes into.
    pub namespace: String,
    /// Labels for every object besides the per-service ones (the caller's option labels).
    pub common_labels: BTreeMap<String, String>,
    /// Annotations for every object (the caller's option annotations).
    pub common_annotations: BTreeMap<String, String>,
    /// This deployment's id (the `deployment_id` option), on every pod template: see
    /// [`crate::plan::redeploy`].
    pub deployment_id: Option<String>,
    /// The resource's Secret: magic and caller-marked secret values, by variable name.
    pub secret: Option<SecretValues>,
    /// ConfigMaps and Secrets holding files (Coolify `content:` volumes, `configs`,
    /// `secrets`).
    pub files: Vec<FileSet>,
    /// PersistentVolumeClaims.
    pub claims: Vec<Claim>,
    /// One workload per Compose service (except services that join another's pod), by
    /// service name.
    pub workloads: Vec<Workload>,
    /// Extra Services for `links` aliases and network `aliases`.
    pub aliases: Vec<AliasService>,
    /// True when some workload waits for a Job, which needs a ServiceAccount allowed to
    /// read Jobs.
    pub job_waiter: bool,
    /// NetworkPolicies (when the option is on).
    pub network_policies: Vec<NetworkPolicyPlan>,
    /// What was mapped, approximated or dropped.
    pub report: Report,
    /// Secrets every pod pulls its images with (the `image_pull_secrets` option).
    pub image_pull_secrets: Vec<String>,
    /// True when the resource does not own its namespace: shared by a destination's
    /// resources (`namespace_strategy: shared`), or production's for a preview. No
    /// Namespace object is emitted, so the resource's apply never relabels it and its
    /// delete never deletes it.
    pub shared_namespace: bool,
}

/// The resource's Secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretValues {
    /// The Secret's name.
    pub name: String,
    /// Values by key (the variable names).
    pub data: BTreeMap<String, String>,
}

/// A set of files held in one ConfigMap or Secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    /// The object's name.
    pub name: String,
    /// A Secret (the files hold secret values) rather than a ConfigMap.
    pub secret: bool,
    /// The Compose service it belongs to (for its `app.kubernetes.io/name` label), if one.
    pub service: Option<String>,
    /// File bodies by key.
    pub data: BTreeMap<String, String>,
}

/// How a claim may be mounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessMode {
    /// One node.
    ReadWriteOnce,
    /// Many nodes (a volume shared by several services).
    ReadWriteMany,
}

/// A PersistentVolumeClaim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claim's name.
    pub name: String,
    /// The Compose service it belongs to when only one uses it.
    pub service: Option<String>,
    /// Access mode.
    pub access: AccessMode,
    /// Requested size (a quantity).
    pub size: String,
    /// Storage class; `None` for the cluster's default.
    pub storage_class: Option<String>,
}

/// What kind of controller runs a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WorkloadKind {
    /// A long-running, replaceable server.
    Deployment,
    /// A server whose volume must keep its identity.
    StatefulSet,
    /// One pod per node (`deploy.mode: global`).
    DaemonSet,
    /// Runs to completion.
    Job,
}

/// One Compose service's workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// The Compose service name.
    pub service: String,
    /// The workload object's name (and its pods' `app.kubernetes.io/name`).
    pub name: String,
    /// The Service object's name (how other services reach it).
    pub service_name: String,
    /// Controller kind.
    pub kind: WorkloadKind,
    /// Replicas (`None`: the controller's default of one).
    pub replicas: Option<u32>,
    /// Replace pods all at once (a Deployment with a ReadWriteOnce claim).
    pub recreate: bool,
    /// For Jobs: restart failed pods (`on-failure`) rather than fail at once.
    pub job_retries: bool,
    /// The main container, then containers joining through `network_mode: service:X`.
    pub containers: Vec<Container>,
    /// Init containers (waiting for dependencies).
    pub init_containers: Vec<Container>,
    /// Pod volumes.
    pub volumes: Vec<PodVolume>,
    /// In-cluster Service ports (from `ports` and `expose`).
    pub ports: Vec<ServicePort>,
    /// Ports published on the host, with the Service type that publishes them.
    pub published: Vec<PublishedPort>,
    /// Pod-level settings.
    pub pod: PodSettings,
    /// Labels for the workload, its pods and objects (`coolify.io/*`).
    pub labels: BTreeMap<String, String>,
    /// Annotations for the workload and its pods (Compose labels and annotations).
    pub annotations: BTreeMap<String, String>,
    /// Compose networks the service is on (for NetworkPolicies).
    pub networks: Vec<String>,
    /// Routes to this workload (from Coolify FQDNs and Traefik / Caddy labels; the proxy
    /// stage builds them).
    pub routes: Vec<crate::proxy::Route>,
    /// Autoscaling (a service's `x-coolify-autoscale`, or the `autoscale` option for
    /// workloads that serve routes).
    pub autoscale: Option<crate::k8s::autoscaling::Autoscale>,
    /// SHA-256 of the Secret values and files the pods read (the pod template's
    /// `coolify.io/config-checksum`, see [`super::redeploy`]).
    pub config_checksum: Option<String>,
}

impl Workload {
    /// Make TCP `port` a port of the Service and of the main container, unless the Service
    /// already targets it (or already has a port of its name): Coolify's proxy and Docker's
    /// health checks reach container ports that the template never declared.
    pub fn expose_tcp_port(&mut self, port: u16) {
        if self
            .ports
            .iter()
            .any(|sp| sp.target == port && sp.protocol == "TCP")
        {
            return;
        }
        let name = super::names::port_name(None, port, "tcp");
        if self.ports.iter().any(|sp| sp.name == name) {
            return;
        }
        self.ports.push(ServicePort {
            name: name.clone(),
            port,
            target: port,
            protocol: "TCP".into(),
            app_protocol: None,
        });
        if let Some(c) = self.containers.first_mut() {
            if !c
                .ports
                .iter()
                .any(|cp| cp.port == port && cp.protocol == "TCP")
            {
                c.ports.push(ContainerPort {
                    name,
                    port,
                    protocol: "TCP".into(),
                });
            }
        }
    }
}

#[cfg(test)]
impl Workload {
    /// A Deployment for `service` with one container of that name and nothing else, for
    /// tests to fill in.
    pub(crate) fn for_test(service: &str) -> Self {
        Self {
            service: service.into(),
            name: service.into(),
            service_name: service.into(),
            kind: WorkloadKind::Deployment,
            replicas: None,
            recreate: false,
            job_retries: false,
            containers: vec![Container {
                name: service.into(),
                image: "img".into(),
                ..Default::default()
            }],
            init_containers: vec![],
            volumes: vec![],
            ports: vec![],
            published: vec![],
            pod: Default::default(),
            labels: Default::default(),
            annotations: Default::default(),
            networks: vec![],
            routes: vec![],
            autoscale: None,
            config_checksum: None,
        }
    }
}

/// A container.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Container {
    /// Name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// `imagePullPolicy`.
    pub pull_policy: Option<String>,
    /// `command` (Compose `entrypoint`).
    pub command: Option<Vec<String>>,
    /// `args` (Compose `command`).
    pub args: Option<Vec<String>>,
    /// Environment, in order (dependent variables after what they refer to).
    pub env: Vec<EnvVar>,
    /// `workingDir`.
    pub working_dir: Option<String>,
    /// Container ports.
    pub ports: Vec<ContainerPort>,
    /// Volume mounts.
    pub mounts: Vec<Mount>,
    /// Readiness probe.
    pub readiness: Option<Probe>,
    /// Liveness probe.
    pub liveness: Option<Probe>,
    /// Startup probe.
    pub startup: Option<Probe>,
    /// Security settings.
    pub security: Security,
    /// Resources.
    pub resources: super::resources::ResourcePlan,
    /// `stdin`.
    pub stdin: bool,
    /// `tty`.
    pub tty: bool,
    /// Secrets whose every key becomes a variable (`envFrom`): the resource Secret, as
    /// Coolify's `env_file: .env` on every service.
    pub env_from: Vec<String>,
}

/// One environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// Name.
    pub name: String,
    /// Value or source.
    pub value: EnvValue,
}

/// Where an environment variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// A literal (already escaped: `$(` written `$$(` unless it is a dependent reference).
    Literal(String),
    /// A key of a Secret.
    SecretKey {
        /// The Secret.
        secret: String,
        /// The key.
        key: String,
    },
}

/// A container port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContainerPort {
    /// Port name (IANA service name).
    pub name: String,
    /// Port number.
    pub port: u16,
    /// `TCP`, `UDP`, `SCTP`.
    pub protocol: String,
}

/// A Service port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServicePort {
    /// Port name (IANA service name).
    pub name: String,
    /// The Service's port.
    pub port: u16,
    /// The container port.
    pub target: u16,
    /// `TCP`, `UDP`, `SCTP`.
    pub protocol: String,
    /// `appProtocol`.
    pub app_protocol: Option<String>,
}

/// How a host-published port is exposed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PublishedPort {
    /// Port name.
    pub name: String,
    /// The port the outside uses (the Compose published port).
    pub port: u16,
    /// The container port.
    pub target: u16,
    /// `TCP`, `UDP`, `SCTP`.
    pub protocol: String,
    /// The node port to request, when the published port is in the NodePort range.
    pub node_port: Option<u16>,
}

/// A volume mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Pod volume name.
    pub volume: String,
    /// Path in the container.
    pub path: String,
    /// A file or folder within the volume.
    pub sub_path: Option<String>,
    /// Read-only.
    pub read_only: bool,
}

/// A pod volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodVolume {
    /// Name (unique in the pod).
    pub name: String,
    /// Source.
    pub source: VolumeSource,
}

/// Where a pod volume's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeSource {
    /// A PersistentVolumeClaim.
    Claim(String),
    /// Keys of a ConfigMap (`secret: false`) or Secret, with their file modes.
    Files {
        /// The object.
        name: String,
        /// A Secret.
        secret: bool,
        /// Keys with their mode.
        items: Vec<(String, Option<u32>)>,
    },
    /// Scratch space; `memory` for tmpfs.
    EmptyDir {
        /// In memory.
        memory: bool,
        /// Size limit (a quantity).
        size: Option<String>,
    },
    /// A path on the node.
    HostPath(String),
    /// A file on the node, created empty when missing (`hostPath` of type `FileOrCreate`).
    HostFile(String),
    /// A device node (or a folder of them) on the node: a `hostPath` of that type
    /// (`CharDevice`, `Directory`).
    HostDevice {
        /// The path on the node.
        path: String,
        /// The `hostPath` type.
        kind: String,
    },
}

/// A probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// What it runs.
    pub action: ProbeAction,
    /// `periodSeconds`.
    pub period: Option<u64>,
    /// `timeoutSeconds`.
    pub timeout: Option<u64>,
    /// `failureThreshold`.
    pub failure_threshold: Option<u32>,
}

/// What a probe runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeAction {
    /// A command (no `$(VAR)` expansion happens here).
    Exec(Vec<String>),
    /// An HTTP GET.
    HttpGet {
        /// Path.
        path: String,
        /// Port.
        port: u16,
        /// `HTTP` or `HTTPS`.
        scheme: String,
        /// Host header.
        host: Option<String>,
    },
}

/// Container security settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Security {
    /// `privileged`.
    pub privileged: Option<bool>,
    /// Capabilities to add (without `CAP_`).
    pub cap_add: Vec<String>,
    /// Capabilities to drop.
    pub cap_drop: Vec<String>,
    /// `readOnlyRootFilesystem`.
    pub read_only_root: Option<bool>,
    /// `allowPrivilegeEscalation`.
    pub allow_privilege_escalation: Option<bool>,
    /// `runAsUser`.
    pub run_as_user: Option<i64>,
    /// `runAsGroup`.
    pub run_as_group: Option<i64>,
}

/// Pod-level settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodSettings {
    /// `hostNetwork`.
    pub host_network: bool,
    /// `shareProcessNamespace`: Compose's `init: true` (see
    /// [`super::security::plan_pod`]).
    pub share_process_namespace: bool,
    /// `hostname`.
    pub hostname: Option<String>,
    /// `hostAliases`: address → host names.
    pub host_aliases: Vec<(String, Vec<String>)>,
    /// `dnsConfig.nameservers`.
    pub dns_nameservers: Vec<String>,
    /// `dnsConfig.searches`.
    pub dns_searches: Vec<String>,
    /// `dnsConfig.options`: name and optional value.
    pub dns_options: Vec<(String, Option<String>)>,
    /// `securityContext.sysctls`.
    pub sysctls: Vec<(String, String)>,
    /// `securityContext.supplementalGroups`.
    pub supplemental_groups: Vec<i64>,
    /// `terminationGracePeriodSeconds`.
    pub termination_grace: Option<u64>,
    /// `nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// `serviceAccountName` (set when an init container waits for a Job).
    pub service_account: Option<String>,
    /// `securityContext.fsGroup` (with `fsGroupChangePolicy: OnRootMismatch`): a numeric
    /// non-root `user:` gets its group, so that fresh claims are writable.
    pub fs_group: Option<i64>,
    /// Services sharing a ReadWriteOnce claim run on one node: the value of the pods'
    /// `coolify.io/volume-group` label, which a required pod affinity matches.
    pub volume_group: Option<String>,
}

/// An extra Service that gives a workload another DNS name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasService {
    /// The alias (the Service's name).
    pub name: String,
    /// The workload it points to (its Service name and `app.kubernetes.io/name`).
    pub target: String,
    /// The target's ports.
    pub ports: Vec<ServicePort>,
}

/// A NetworkPolicy for one workload: who may connect to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkPolicyPlan {
    /// Policy name.
    pub name: String,
    /// The workload (its `app.kubernetes.io/name`).
    pub target: String,
    /// Workloads (their `app.kubernetes.io/name`) that share a network with it.
    pub peers: Vec<String>,
    /// Ports open to any source (routes and published ports).
    pub public_ports: Vec<(u16, String)>,
}
