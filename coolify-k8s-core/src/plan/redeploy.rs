//! Every deploy is a redeploy, as on Coolify (which recreates containers on each deploy):
//!
//! - every pod template carries [`CHECKSUM_ANNOTATION`], a SHA-256 over the values of the
//!   Secret keys and the ConfigMap / Secret files the pod reads, so a changed value rolls
//!   the pods (Kubernetes itself never restarts a pod for a changed Secret);
//! - a Job (a run-once service) is named `<service>-<hash>` after its spec and inputs: Job
//!   templates are immutable, so a changed Job is a new object (applied) and the old one is
//!   pruned with the rest of the previous object set; an unchanged Job keeps its name and
//!   does not run again. The apply never meets an immutable-field error.

use super::model::{EnvValue, Plan, VolumeSource, Workload, WorkloadKind};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The pod-template annotation holding the checksum of the pod's inputs.
pub const CHECKSUM_ANNOTATION: &str = "coolify.io/config-checksum";

/// Hex digits of a Job's name suffix.
const JOB_HASH_LEN: usize = 8;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the values a workload's pods read: each `(object, key, value)` of the
/// resource Secret's keys in its environment and of the files in its volumes, in name
/// order, length-prefixed so no two inputs hash alike.
pub fn config_checksum(plan: &Plan, w: &Workload) -> String {
    let mut secret_keys: BTreeSet<(&str, &str)> = BTreeSet::new();
    for c in w.containers.iter().chain(&w.init_containers) {
        for e in &c.env {
            if let EnvValue::SecretKey { secret, key } = &e.value {
                secret_keys.insert((secret.as_str(), key.as_str()));
            }
        }
        // `envFrom` the resource Secret (Coolify's `.env`): every key is in the environment.
        for s in plan.secret.iter().filter(|s| c.env_from.contains(&s.name)) {
            for key in s.data.keys() {
                secret_keys.insert((s.name.as_str(), key.as_str()));
            }
        }
    }
    let file_sets: BTreeSet<&str> = w
        .volumes
        .iter()
        .filter_map(|v| match &v.source {
            VolumeSource::Files { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let mut h = Sha256::new();
    let mut put = |parts: [&str; 3]| {
        for p in parts {
            h.update((p.len() as u64).to_be_bytes());
            h.update(p.as_bytes());
        }
    };
    for (secret, key) in &secret_keys {
        let value = plan
            .secret
            .as_ref()
            .filter(|s| s.name == *secret)
            .and_then(|s| s.data.get(*key));
        put([secret, key, value.map(String::as_str).unwrap_or_default()]);
    }
    for f in plan
        .files
        .iter()
        .filter(|f| file_sets.contains(f.name.as_str()))
    {
        for (key, value) in &f.data {
            put([&f.name, key, value]);
        }
    }
    hex(&h.finalize())
}

/// The hash a Job is named after: its pod's spec (containers, volumes, pod settings,
/// retries) and the checksum of its inputs.
fn job_hash(w: &Workload, checksum: &str) -> String {
    // Debug output of the plan types is deterministic (Vecs and BTreeMaps only) and is
    // used here only as hash input, never written out.
    let spec = format!(
        "{:?}|{:?}|{:?}|{:?}|{}|{checksum}",
        w.containers, w.init_containers, w.volumes, w.pod, w.job_retries
    );
    let digest = Sha256::digest(spec.as_bytes());
    hex(&digest)[..JOB_HASH_LEN].to_string()
}

/// Set every workload's checksum; name Jobs after their spec and inputs. Runs before the
/// wait init containers are added (they name the Jobs).
pub fn apply(plan: &mut Plan) {
    let sums: Vec<String> = plan
        .workloads
        .iter()
        .map(|w| config_checksum(plan, w))
        .collect();
    for (w, sum) in plan.workloads.iter_mut().zip(sums) {
        if w.kind == WorkloadKind::Job {
            let suffix = job_hash(w, &sum);
            let base = super::names::dns_label(
                &w.service_name,
                super::names::DNS_LABEL_MAX - JOB_HASH_LEN - 1,
            );
            w.name = format!("{base}-{suffix}");
        }
        w.config_checksum = Some(sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Container, EnvVar, FileSet, PodVolume, SecretValues};

    fn plan_with(secret_value: &str, file: &str, kind: WorkloadKind) -> Plan {
        let container = Container {
            name: "web".into(),
            image: "nginx".into(),
            env: vec![EnvVar {
                name: "DB_PASSWORD".into(),
                value: EnvValue::SecretKey {
                    secret: "app-secrets".into(),
                    key: "SERVICE_PASSWORD_DB".into(),
                },
            }],
            ..Default::default()
        };
        Plan {
            secret: Some(SecretValues {
                name: "app-secrets".into(),
                data: [
                    ("SERVICE_PASSWORD_DB".to_string(), secret_value.to_string()),
                    ("UNUSED".to_string(), "x".to_string()),
                ]
                .into(),
            }),
            files: vec![FileSet {
                name: "web-files".into(),
                data: [("nginx.conf".to_string(), file.to_string())].into(),
                ..Default::default()
            }],
            workloads: vec![Workload {
                kind,
                containers: vec![container],
                volumes: vec![PodVolume {
                    name: "files".into(),
                    source: VolumeSource::Files {
                        name: "web-files".into(),
                        secret: false,
                        items: vec![("nginx.conf".into(), None)],
                    },
                }],
                ..Workload::for_test("web")
            }],
            ..Default::default()
        }
    }

    fn checksum(p: &Plan) -> String {
        config_checksum(p, &p.workloads[0])
    }

    #[test]
    fn a_changed_secret_or_file_changes_the_checksum() {
        let base = plan_with("s1", "conf", WorkloadKind::Deployment);
        assert_eq!(checksum(&base).len(), 64);
        assert_ne!(
            checksum(&base),
            checksum(&plan_with("s2", "conf", WorkloadKind::Deployment))
        );
        assert_ne!(
            checksum(&base),
            checksum(&plan_with("s1", "conf2", WorkloadKind::Deployment))
        );
        // A key the pod does not read leaves it alone.
        let mut other = base.clone();
        if let Some(s) = &mut other.secret {
            s.data.insert("UNUSED".into(), "y".into());
        }
        assert_eq!(checksum(&base), checksum(&other));
    }

    #[test]
    fn jobs_are_named_after_spec_and_inputs() {
        let mut a = plan_with("s1", "conf", WorkloadKind::Job);
        let mut b = plan_with("s2", "conf", WorkloadKind::Job);
        let mut same = plan_with("s1", "conf", WorkloadKind::Job);
        apply(&mut a);
        apply(&mut b);
        apply(&mut same);
        let name = &a.workloads[0].name;
        assert!(
            name.starts_with("web-") && name.len() == "web-".len() + JOB_HASH_LEN,
            "{name}"
        );
        assert_ne!(a.workloads[0].name, b.workloads[0].name);
        assert_eq!(a.workloads[0].name, same.workloads[0].name);
        assert!(a.workloads[0].config_checksum.is_some());
        // Long-running workloads keep their names.
        let mut d = plan_with("s1", "conf", WorkloadKind::Deployment);
        apply(&mut d);
        assert_eq!(d.workloads[0].name, "web");
    }
}
