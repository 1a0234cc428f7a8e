//! The Pod Security level of the resource's Namespace (`pod-security.kubernetes.io/*`
//! labels): the least permissive of Kubernetes' Pod Security Standards that admits every pod
//! of the plan, so a cluster that enforces a stricter default namespace-wide still runs them,
//! and the report names what needs more than `baseline`.
//!
//! No pod here meets `restricted`: containers run as on Docker (as the image's user, root
//! for most images, without a seccomp profile, dropped capabilities or
//! `allowPrivilegeEscalation: false`), which that level rejects. So the level is `baseline`
//! unless a pod needs `privileged`: a privileged container, the host's network, a `hostPath`
//! volume, a capability outside the baseline set, or a sysctl outside the safe set.

use crate::path::InputPath;
use crate::plan::{Container, Plan, PodSettings, PodVolume, VolumeSource, Workload};
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `baseline`: no known privilege escalations.
    Baseline,
    /// `privileged`: unrestricted.
    Privileged,
}

impl Level {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Privileged => "privileged",
        }
    }
}

/// Capabilities the `baseline` level allows to add.
const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Sysctls the `baseline` level allows (its "safe" set).
const SAFE_SYSCTLS: [&str; 8] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
];

/// Why a workload needs the `privileged` level (empty when `baseline` admits it).
pub fn privileged_reasons(w: &Workload) -> Vec<String> {
    reasons(
        w.containers.iter().chain(&w.init_containers),
        &w.pod,
        &w.volumes,
    )
}

fn reasons<'a>(
    containers: impl Iterator<Item = &'a Container>,
    pod: &PodSettings,
    volumes: &[PodVolume],
) -> Vec<String> {
    let mut out = Vec::new();
    for c in containers {
        if c.security.privileged == Some(true) {
            out.push(format!("container {:?} is privileged", c.name));
        }
        for cap in &c.security.cap_add {
            let cap = cap.trim_start_matches("CAP_").to_ascii_uppercase();
            if !BASELINE_CAPABILITIES.contains(&cap.as_str()) {
                out.push(format!("container {:?} adds the capability {cap}", c.name));
            }
        }
    }
    if pod.host_network {
        out.push("it uses the host's network".to_string());
    }
    for v in volumes {
        if let VolumeSource::HostPath(p) | VolumeSource::HostFile(p) = &v.source {
            out.push(format!("it mounts the host path {p:?}"));
        }
    }
    for (name, _) in &pod.sysctls {
        if !SAFE_SYSCTLS.contains(&name.as_str()) {
            out.push(format!("it sets the sysctl {name}"));
        }
    }
    out
}

/// The level the plan's pods need, with the reasons by workload for `privileged`.
pub fn level(plan: &Plan) -> (Level, BTreeMap<String, Vec<String>>) {
    let reasons: BTreeMap<String, Vec<String>> = plan
        .workloads
        .iter()
        .map(|w| (w.service.clone(), privileged_reasons(w)))
        .filter(|(_, r)| !r.is_empty())
        .collect();
    let level = if reasons.is_empty() {
        Level::Baseline
    } else {
        Level::Privileged
    };
    (level, reasons)
}

/// The Namespace labels for `level`: enforced, and the same level for warnings and audit
/// so that `kubectl apply` does not warn about what the namespace admits.
pub fn labels(level: Level) -> BTreeMap<String, String> {
    ["enforce", "warn", "audit"]
        .iter()
        .map(|mode| {
            (
                format!("pod-security.kubernetes.io/{mode}"),
                level.as_str().to_string(),
            )
        })
        .collect()
}

/// Report the level: one line per workload that needs `privileged`, and the pods a
/// `restricted` namespace would reject (all of them).
pub fn report(level: Level, privileged: &BTreeMap<String, Vec<String>>, report: &mut Report) {
    for (service, why) in privileged {
        report.add(
            InputPath::root().key("services").key(service.as_str()),
            Outcome::Approximated,
            format!(
                "needs the privileged Pod Security level ({}): the namespace is labelled \
                 privileged; a cluster policy that forbids it rejects this pod",
                why.join("; ")
            ),
        );
    }
    report.add(
        InputPath::root(),
        Outcome::Approximated,
        format!(
            "the namespace enforces the {} Pod Security level; a namespace held to \
             restricted rejects every pod here (they run as on Docker: the image's user, no \
             seccomp profile, capabilities not dropped)",
            level.as_str()
        ),
    );
}

/// Report the level a namespace the resource does not own must admit (a shared namespace,
/// whose Pod Security labels are the cluster administrator's, set once for every resource
/// of the destination; or production's namespace, for a preview).
pub fn report_shared(
    level: Level,
    privileged: &BTreeMap<String, Vec<String>>,
    namespace: &str,
    report: &mut Report,
) {
    for (service, why) in privileged {
        report.add(
            InputPath::root().key("services").key(service.as_str()),
            Outcome::Approximated,
            format!(
                "needs the privileged Pod Security level ({}): the namespace {namespace:?} \
                 must admit it (label pod-security.kubernetes.io/enforce=privileged)",
                why.join("; ")
            ),
        );
    }
    report.add(
        InputPath::root(),
        Outcome::Approximated,
        format!(
            "the namespace {namespace:?} is not this resource's own (namespace_strategy: \
             shared, or production's namespace for a preview): no Namespace object is emitted \
             (apply creates it when missing, unlabelled; delete never deletes it) and its Pod \
             Security labels are left to its owner; this resource needs the {} level",
            level.as_str()
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Parts {
        container: Container,
        pod: PodSettings,
        volumes: Vec<PodVolume>,
    }

    fn check(f: impl FnOnce(&mut Parts)) -> Vec<String> {
        let mut p = Parts {
            container: Container {
                name: "w".into(),
                ..Container::default()
            },
            pod: PodSettings::default(),
            volumes: Vec::new(),
        };
        f(&mut p);
        reasons(std::iter::once(&p.container), &p.pod, &p.volumes)
    }

    #[test]
    fn baseline_admits_docker_defaults_and_safe_additions() {
        let r = check(|w| {
            w.container.security.cap_add = vec!["NET_BIND_SERVICE".into(), "CAP_CHOWN".into()];
            w.pod.sysctls = vec![("net.ipv4.ip_unprivileged_port_start".into(), "0".into())];
        });
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn privileged_needs_are_named() {
        let r = check(|w| {
            w.container.security.privileged = Some(true);
            w.container.security.cap_add = vec!["NET_ADMIN".into()];
            w.pod.host_network = true;
            w.pod.sysctls = vec![("net.core.somaxconn".into(), "1024".into())];
            w.volumes.push(PodVolume {
                name: "h".into(),
                source: VolumeSource::HostPath("/var/lib".into()),
            });
        });
        assert_eq!(r.len(), 5, "{r:?}");
        assert!(r[1].contains("NET_ADMIN"));
        let l = labels(Level::Privileged);
        assert_eq!(l["pod-security.kubernetes.io/enforce"], "privileged");
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn a_shared_namespace_is_reported_not_labelled() {
        let mut r = Report::default();
        let why = BTreeMap::from([("vpn".to_string(), vec!["it uses the host's network".into()])]);
        report_shared(Level::Privileged, &why, "coolify", &mut r);
        let lines: Vec<String> = r.entries().iter().map(|e| e.to_string()).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].contains("namespace \"coolify\" must admit it"),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("no Namespace object is emitted"),
            "{lines:?}"
        );
        assert!(lines[1].contains("needs the privileged level"), "{lines:?}");
    }
}
