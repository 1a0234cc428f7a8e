//! Pod templates: containers, probes, volumes and pod settings from a planned workload.

use super::meta;
use crate::plan::{self, EnvValue, Plan, ProbeAction, VolumeSource, Workload, WorkloadKind};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource,
    EnvFromSource, EnvVar, EnvVarSource, ExecAction, HTTPGetAction, HTTPHeader, HostAlias,
    HostPathVolumeSource, KeyToPath, LocalObjectReference, PersistentVolumeClaimVolumeSource,
    PodAffinity, PodAffinityTerm, PodDNSConfig, PodDNSConfigOption, PodSecurityContext, PodSpec,
    PodTemplateSpec, Probe, ResourceRequirements, SecretEnvSource, SecretKeySelector,
    SecretVolumeSource, SecurityContext, Sysctl, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

fn i32_of(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn probe(p: &plan::Probe) -> Probe {
    let mut out = Probe {
        period_seconds: p.period.map(i32_of),
        timeout_seconds: p.timeout.map(i32_of),
        failure_threshold: p
            .failure_threshold
            .map(|f| i32::try_from(f).unwrap_or(i32::MAX)),
        ..Default::default()
    };
    match &p.action {
        ProbeAction::Exec(cmd) => {
            out.exec = Some(ExecAction {
                command: Some(cmd.clone()),
            })
        }
        ProbeAction::HttpGet {
            path,
            port,
            scheme,
            host,
        } => {
            out.http_get = Some(HTTPGetAction {
                path: Some(path.clone()),
                port: IntOrString::Int(i32::from(*port)),
                scheme: Some(scheme.clone()),
                http_headers: host.as_ref().map(|h| {
                    vec![HTTPHeader {
                        name: "Host".into(),
                        value: h.clone(),
                    }]
                }),
                ..Default::default()
            })
        }
    }
    out
}

fn quantities(m: &BTreeMap<String, String>) -> Option<BTreeMap<String, Quantity>> {
    (!m.is_empty()).then(|| {
        m.iter()
            .map(|(k, v)| (k.clone(), Quantity(v.clone())))
            .collect()
    })
}

fn security(s: &plan::Security) -> Option<SecurityContext> {
    if *s == plan::Security::default() {
        return None;
    }
    let caps = (!s.cap_add.is_empty() || !s.cap_drop.is_empty()).then(|| Capabilities {
        add: non_empty(s.cap_add.clone()),
        drop: non_empty(s.cap_drop.clone()),
    });
    Some(SecurityContext {
        privileged: s.privileged,
        capabilities: caps,
        read_only_root_filesystem: s.read_only_root,
        allow_privilege_escalation: s.allow_privilege_escalation,
        run_as_user: s.run_as_user,
        run_as_group: s.run_as_group,
        ..Default::default()
    })
}

/// A Kubernetes container from a planned one.
pub fn container(c: &plan::Container) -> Container {
    let env: Vec<EnvVar> = c
        .env
        .iter()
        .map(|e| match &e.value {
            EnvValue::Literal(v) => EnvVar {
                name: e.name.clone(),
                value: Some(v.clone()),
                value_from: None,
            },
            EnvValue::SecretKey { secret, key } => EnvVar {
                name: e.name.clone(),
                value: None,
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: secret.clone(),
                        key: key.clone(),
                        optional: None,
                    }),
                    ..Default::default()
                }),
            },
        })
        .collect();
    let resources =
        (!c.resources.limits.is_empty() || !c.resources.requests.is_empty()).then(|| {
            ResourceRequirements {
                limits: quantities(&c.resources.limits),
                requests: quantities(&c.resources.requests),
                ..Default::default()
            }
        });
    Container {
        name: c.name.clone(),
        image: Some(c.image.clone()),
        image_pull_policy: c.pull_policy.clone(),
        command: c.command.clone(),
        args: c.args.clone(),
        env: non_empty(env),
        env_from: non_empty(
            c.env_from
                .iter()
                .map(|name| EnvFromSource {
                    secret_ref: Some(SecretEnvSource {
                        name: name.clone(),
                        optional: None,
                    }),
                    ..Default::default()
                })
                .collect(),
        ),
        working_dir: c.working_dir.clone(),
        ports: non_empty(
            c.ports
                .iter()
                .map(|p| ContainerPort {
                    container_port: i32::from(p.port),
                    name: Some(p.name.clone()),
                    protocol: Some(p.protocol.clone()),
                    ..Default::default()
                })
                .collect(),
        ),
        volume_mounts: non_empty(
            c.mounts
                .iter()
                .map(|m| VolumeMount {
                    name: m.volume.clone(),
                    mount_path: m.path.clone(),
                    sub_path: m.sub_path.clone(),
                    read_only: m.read_only.then_some(true),
                    ..Default::default()
                })
                .collect(),
        ),
        readiness_probe: c.readiness.as_ref().map(probe),
        liveness_probe: c.liveness.as_ref().map(probe),
        startup_probe: c.startup.as_ref().map(probe),
        security_context: security(&c.security),
        resources,
        stdin: c.stdin.then_some(true),
        tty: c.tty.then_some(true),
        ..Default::default()
    }
}

fn volume(v: &plan::PodVolume) -> Volume {
    let mut out = Volume {
        name: v.name.clone(),
        ..Default::default()
    };
    match &v.source {
        VolumeSource::Claim(c) => {
            out.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                claim_name: c.clone(),
                read_only: None,
            })
        }
        VolumeSource::Files {
            name,
            secret,
            items,
        } => {
            let items: Vec<KeyToPath> = items
                .iter()
                .map(|(k, mode)| KeyToPath {
                    key: k.clone(),
                    path: k.clone(),
                    mode: mode.and_then(|m| i32::try_from(m).ok()),
                })
                .collect();
            if *secret {
                out.secret = Some(SecretVolumeSource {
                    secret_name: Some(name.clone()),
                    items: Some(items),
                    ..Default::default()
                });
            } else {
                out.config_map = Some(ConfigMapVolumeSource {
                    name: name.clone(),
                    items: Some(items),
                    ..Default::default()
                });
            }
        }
        VolumeSource::EmptyDir { memory, size } => {
            out.empty_dir = Some(EmptyDirVolumeSource {
                medium: memory.then(|| "Memory".to_string()),
                size_limit: size.clone().map(Quantity),
            })
        }
        VolumeSource::HostPath(p) => {
            out.host_path = Some(HostPathVolumeSource {
                path: p.clone(),
                type_: None,
            })
        }
        VolumeSource::HostFile(p) => {
            out.host_path = Some(HostPathVolumeSource {
                path: p.clone(),
                type_: Some("FileOrCreate".to_string()),
            })
        }
        VolumeSource::HostDevice { path, kind } => {
            out.host_path = Some(HostPathVolumeSource {
                path: path.clone(),
                type_: Some(kind.clone()),
            })
        }
    }
    out
}

/// The label that groups the pods sharing a ReadWriteOnce claim.
pub const VOLUME_GROUP_LABEL: &str = "coolify.io/volume-group";

/// A required pod affinity to the pods of the same volume group (of this resource) on the
/// same node. The first pod of a group matches its own term, so it schedules anywhere; the
/// others follow.
fn volume_group_affinity(instance: &str, group: &str) -> Affinity {
    Affinity {
        pod_affinity: Some(PodAffinity {
            required_during_scheduling_ignored_during_execution: Some(vec![PodAffinityTerm {
                label_selector: Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([
                        (meta::INSTANCE.to_string(), instance.to_string()),
                        (VOLUME_GROUP_LABEL.to_string(), group.to_string()),
                    ])),
                    ..Default::default()
                }),
                topology_key: "kubernetes.io/hostname".into(),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The pod's annotations: the workload's, the checksum of its inputs so a changed value
/// rolls the pods, and the deployment's id so every deployment does (see
/// [`crate::plan::redeploy`]).
fn pod_annotations(plan: &Plan, w: &Workload) -> BTreeMap<String, String> {
    let mut a = w.annotations.clone();
    if let Some(sum) = &w.config_checksum {
        a.insert(
            crate::plan::redeploy::CHECKSUM_ANNOTATION.to_string(),
            sum.clone(),
        );
    }
    if let Some(id) = &plan.deployment_id {
        a.insert(
            crate::plan::redeploy::DEPLOYMENT_ANNOTATION.to_string(),
            id.clone(),
        );
    }
    a
}

/// The pod template of a workload.
pub fn template(plan: &Plan, w: &Workload) -> PodTemplateSpec {
    let p = &w.pod;
    let dns =
        (!p.dns_nameservers.is_empty() || !p.dns_searches.is_empty() || !p.dns_options.is_empty())
            .then(|| PodDNSConfig {
                nameservers: non_empty(p.dns_nameservers.clone()),
                searches: non_empty(p.dns_searches.clone()),
                options: non_empty(
                    p.dns_options
                        .iter()
                        .map(|(n, v)| PodDNSConfigOption {
                            name: Some(n.clone()),
                            value: v.clone(),
                        })
                        .collect(),
                ),
            });
    let security = (!p.sysctls.is_empty()
        || !p.supplemental_groups.is_empty()
        || p.fs_group.is_some())
    .then(|| PodSecurityContext {
        sysctls: non_empty(
            p.sysctls
                .iter()
                .map(|(n, v)| Sysctl {
                    name: n.clone(),
                    value: v.clone(),
                })
                .collect(),
        ),
        supplemental_groups: non_empty(p.supplemental_groups.clone()),
        fs_group: p.fs_group,
        // Only a claim whose root is not yet the group's is walked: large data
        // folders do not slow every start.
        fs_group_change_policy: p.fs_group.map(|_| "OnRootMismatch".to_string()),
        ..Default::default()
    });
    let restart_policy = match w.kind {
        // A pod failure policy (for waits, see `workloads.rs`) needs `Never`.
        WorkloadKind::Job if w.job_retries && !plan::ordering::waits(w) => {
            Some("OnFailure".to_string())
        }
        WorkloadKind::Job => Some("Never".to_string()),
        _ => None,
    };
    let spec = PodSpec {
        containers: w.containers.iter().map(container).collect(),
        init_containers: non_empty(w.init_containers.iter().map(container).collect()),
        volumes: non_empty(w.volumes.iter().map(volume).collect()),
        restart_policy,
        // Docker injects no variables about other services; Kubernetes' `<SVC>_PORT=tcp://…`
        // variables clash with applications' own (REDIS_PORT, DB_PORT, …).
        enable_service_links: Some(false),
        host_network: p.host_network.then_some(true),
        share_process_namespace: p.share_process_namespace.then_some(true),
        dns_policy: p
            .host_network
            .then(|| "ClusterFirstWithHostNet".to_string()),
        hostname: p.hostname.clone(),
        host_aliases: non_empty(
            p.host_aliases
                .iter()
                .map(|(ip, hosts)| HostAlias {
                    ip: ip.clone(),
                    hostnames: Some(hosts.clone()),
                })
                .collect(),
        ),
        dns_config: dns,
        security_context: security,
        termination_grace_period_seconds: p
            .termination_grace
            .map(|g| i64::try_from(g).unwrap_or(i64::MAX)),
        node_selector: (!p.node_selector.is_empty()).then(|| p.node_selector.clone()),
        service_account_name: p.service_account.clone(),
        image_pull_secrets: non_empty(
            plan.image_pull_secrets
                .iter()
                .map(|name| LocalObjectReference { name: name.clone() })
                .collect(),
        ),
        affinity: p
            .volume_group
            .as_deref()
            .map(|g| volume_group_affinity(&plan.instance, g)),
        ..Default::default()
    };
    let mut labels = meta::labels(plan, &w.service_name, &w.labels);
    if let Some(group) = &p.volume_group {
        labels.insert(VOLUME_GROUP_LABEL.to_string(), group.clone());
    }
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels),
            annotations: meta::annotations(plan, &pod_annotations(plan, w)),
            ..Default::default()
        }),
        spec: Some(spec),
    }
}
