//! Security and pod settings: `user`, `group_add`, `privileged`, `cap_*`, `read_only`,
//! `security_opt`, `sysctls`, `extra_hosts`, `dns*`, `hostname`, `stop_grace_period`,
//! `platform`, `network_mode: host`; and the host-integration keys that Kubernetes has no
//! place for, which are reported.

use super::model::{PodSettings, Security};
use crate::compose::Service;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// Sysctls Kubernetes allows in every pod (the "safe" set, as of 1.33).
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn capability(c: &str) -> String {
    let up = c.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
}

/// The container's security settings.
pub fn plan_security(service: &Service, at: &InputPath, report: &mut Report) -> Security {
    let mut s = Security {
        privileged: service.privileged,
        cap_add: service.cap_add.iter().map(|c| capability(c)).collect(),
        cap_drop: service.cap_drop.iter().map(|c| capability(c)).collect(),
        read_only_root: service.read_only,
        ..Default::default()
    };
    if service.privileged == Some(true) {
        report.add(
            at.key("privileged"),
            Outcome::Mapped,
            "privileged container: the namespace's Pod Security level must allow it",
        );
    }
    for (i, opt) in service.security_opt.iter().enumerate() {
        let o = opt.replace('=', ":");
        match o.as_str() {
            "no-new-privileges" | "no-new-privileges:true" => {
                s.allow_privilege_escalation = Some(false)
            }
            "no-new-privileges:false" => s.allow_privilege_escalation = Some(true),
            _ => report.add(
                at.key("security_opt").index(i),
                Outcome::Dropped,
                format!("{opt:?}: only no-new-privileges has a container securityContext equivalent (seccomp/AppArmor/SELinux profiles must be set by hand)"),
            ),
        }
    }
    if let Some(user) = &service.user {
        let (u, g) = split_user(user);
        report_nobody(u, at, report);
        if let Some(g) = g.filter(|g| *g != u) {
            report_nobody(g, at, report);
        }
        match user_id(u) {
            Some(n) => s.run_as_user = Some(n),
            None => report.add(
                at.key("user"),
                Outcome::Dropped,
                format!("user {u:?} is a name other than root: Kubernetes needs a numeric user id (runAsUser), so the image's default user runs; write the id instead"),
            ),
        }
        if let Some(g) = g {
            match user_id(g) {
                Some(n) => s.run_as_group = Some(n),
                None => report.add(
                    at.key("user"),
                    Outcome::Dropped,
                    format!(
                        "group {g:?} is a name other than root: Kubernetes needs a numeric group id (runAsGroup)"
                    ),
                ),
            }
        }
    }
    s
}

/// `init: true`: Docker runs its init (tini) as the container's PID 1, which reaps orphaned
/// processes and passes signals on to the service's process, which is then not PID 1 (so
/// a signal it has no handler for stops it). A pod sharing one process namespace gives
/// both: its first process, the pod's pause container, reaps orphans, and the container's
/// processes are not PID 1.
fn init_process(service: &Service, at: &InputPath, report: &mut Report) -> bool {
    if service.init != Some(true) {
        return false;
    }
    report.add(
        at.key("init"),
        Outcome::Approximated,
        "shareProcessNamespace: the pod's pause container is PID 1 and reaps orphaned processes, and the service's process is not PID 1, as under Docker's init; the pod's containers see each other's processes",
    );
    true
}

/// `user: USER[:GROUP]` split in two.
fn split_user(user: &str) -> (&str, Option<&str>) {
    match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    }
}

/// A numeric id, `root` (uid and gid 0 in every image, as Docker resolves it), or
/// [`NOBODY`]'s name.
fn user_id(name: &str) -> Option<i64> {
    match name {
        "root" => Some(0),
        _ if is_nobody(name) => Some(NOBODY),
        _ => name.parse::<i64>().ok(),
    }
}

/// The id of `nobody` (and of the group `nogroup` / `nobody`) in the `/etc/passwd` of
/// Debian, Ubuntu, Alpine, BusyBox, distroless and UBI 8+ images, where Docker finds it.
/// Kubernetes takes only numbers; other names depend on the image.
const NOBODY: i64 = 65534;

/// `nobody`, or the group `nogroup`: [`NOBODY`].
fn is_nobody(name: &str) -> bool {
    matches!(name, "nobody" | "nogroup")
}

/// A report line for a name resolved as [`NOBODY`].
fn report_nobody(name: &str, at: &InputPath, report: &mut Report) {
    if is_nobody(name) {
        report.add(
            at.key("user"),
            Outcome::Approximated,
            format!("{name:?} is id {NOBODY}, as in the /etc/passwd of Debian, Alpine, BusyBox and distroless images (Docker reads the image's; Kubernetes takes numbers only)"),
        );
    }
}

/// The `fsGroup` of a service running as a numeric non-root user: its group if given,
/// else its user id, so that the claims Kubernetes creates root-owned are group-writable
/// (Docker's fresh volumes belong to the image's content or the running user).
pub fn fs_group(service: &Service) -> Option<i64> {
    let (u, g) = split_user(service.user.as_deref()?);
    let uid = user_id(u).filter(|n| *n != 0)?;
    Some(g.and_then(user_id).unwrap_or(uid))
}

/// Pod-level settings of a service.
pub fn plan_pod(service: &Service, at: &InputPath, report: &mut Report) -> PodSettings {
    let mut p = PodSettings {
        fs_group: fs_group(service),
        share_process_namespace: init_process(service, at, report),
        ..Default::default()
    };
    for (i, g) in service.group_add.iter().enumerate() {
        match g.parse::<i64>() {
            Ok(n) => p.supplemental_groups.push(n),
            Err(_) => report.add(
                at.key("group_add").index(i),
                Outcome::Dropped,
                format!("group {g:?} is a name: supplementalGroups needs numeric ids"),
            ),
        }
    }
    for (k, v) in &service.sysctls {
        if SAFE_SYSCTLS.contains(&k.as_str()) {
            p.sysctls.push((k.clone(), v.clone()));
        } else {
            report.add(
                at.key("sysctls").key(k.as_str()),
                Outcome::Dropped,
                "not in Kubernetes' safe sysctl set: the kubelet must allow it (--allowed-unsafe-sysctls) before a pod may set it",
            );
        }
    }
    // Group host names by address, in the order addresses first appear.
    let mut by_ip: Vec<(String, Vec<String>)> = Vec::new();
    for (host, ips) in &service.extra_hosts {
        for ip in ips {
            if ip.parse::<std::net::IpAddr>().is_err() {
                report.add(
                    at.key("extra_hosts").key(host.as_str()),
                    Outcome::Dropped,
                    format!("{ip:?} is not an IP address (host-gateway has no meaning in a pod)"),
                );
                continue;
            }
            match by_ip.iter_mut().find(|(a, _)| a == ip) {
                Some((_, hosts)) => hosts.push(host.clone()),
                None => by_ip.push((ip.clone(), vec![host.clone()])),
            }
        }
    }
    p.host_aliases = by_ip;
    p.dns_nameservers = service.dns.clone();
    p.dns_searches = service.dns_search.clone();
    p.dns_options = service
        .dns_opt
        .iter()
        .map(|o| match o.split_once(':') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (o.clone(), None),
        })
        .collect();
    if let Some(h) = &service.hostname {
        if super::names::is_dns_label(h) {
            p.hostname = Some(h.clone());
        } else {
            report.add(
                at.key("hostname"),
                Outcome::Dropped,
                format!("{h:?} is not a DNS label, which a pod's hostname must be"),
            );
        }
    }
    if service.domainname.is_some() {
        report.add(
            at.key("domainname"),
            Outcome::Dropped,
            "a pod's domain name comes from its Service (subdomain); not set",
        );
    }
    if let Some(g) = service.stop_grace_period {
        p.termination_grace = Some(g.as_secs_ceil());
    }
    if let Some(platform) = &service.platform {
        let arch = platform
            .split('/')
            .nth(1)
            .filter(|a| matches!(*a, "amd64" | "arm64" | "arm" | "386" | "ppc64le" | "s390x"));
        match arch {
            Some(a) => {
                p.node_selector
                    .insert("kubernetes.io/arch".into(), a.to_string());
                report.add(
                    at.key("platform"),
                    Outcome::Approximated,
                    format!("runs only on {a} nodes (nodeSelector kubernetes.io/arch); the image is not converted"),
                );
            }
            None => report.add(
                at.key("platform"),
                Outcome::Dropped,
                format!("{platform:?} names no CPU architecture a node selector can use"),
            ),
        }
    }
    match service.network_mode.as_deref() {
        None | Some("bridge") | Some("default") => {}
        Some(m) if m.starts_with("service:") || m.starts_with("container:") => {} // plan::network::join_network_mode
        Some("host") => {
            p.host_network = true;
            report.add(
                at.key("network_mode"),
                Outcome::Approximated,
                "hostNetwork: the pod shares its node's network namespace (a security risk; ports may clash with the node's)",
            );
        }
        Some(other) => report.add(
            at.key("network_mode"),
            Outcome::Dropped,
            format!("network_mode {other:?}: the pod gets its own network namespace"),
        ),
    }
    p
}

/// Report the keys Kubernetes has no place for (`ulimits`, `pid`, `ipc`,
/// `cgroup*`, `runtime`, `logging`, `mac_address`, …).
pub fn report_host_keys(service: &Service, at: &InputPath, report: &mut Report) {
    let mut drop = |key: &str, why: &str| report.add(at.key(key), Outcome::Dropped, why);
    if !service.ulimits.is_empty() {
        drop(
            "ulimits",
            "Kubernetes has no per-container ulimits (set by the container runtime on the node)",
        );
    }
    if service.pid.is_some() {
        drop(
            "pid",
            "sharing the host's PID namespace is not carried over (hostPID is a node-level risk)",
        );
    }
    if service.ipc.is_some() {
        drop(
            "ipc",
            "IPC namespace modes are not carried over (containers of one pod share IPC)",
        );
    }
    if service.uts.is_some() {
        drop("uts", "the host's UTS namespace is not shared");
    }
    if !service.device_cgroup_rules.is_empty() {
        drop(
            "device_cgroup_rules",
            "device cgroup rules have no pod equivalent",
        );
    }
    if service.cgroup.is_some() {
        drop("cgroup", "cgroup namespace modes have no pod equivalent");
    }
    if service.cgroup_parent.is_some() {
        drop("cgroup_parent", "the kubelet chooses cgroups");
    }
    if service.runtime.is_some() {
        drop(
            "runtime",
            "a container runtime is chosen with a RuntimeClass; none is set",
        );
    }
    if service.isolation.is_some() {
        drop("isolation", "Windows isolation modes are not supported");
    }
    if service.logging.is_some() {
        drop(
            "logging",
            "logging drivers: Kubernetes collects container output itself",
        );
    }
    if service.mac_address.is_some() {
        drop(
            "mac_address",
            "pods get their addresses from the cluster network",
        );
    }
    if service.oom_kill_disable.is_some() {
        drop("oom_kill_disable", "the OOM killer is a node setting");
    }
    if service.oom_score_adj.is_some() {
        drop(
            "oom_score_adj",
            "the kubelet sets OOM scores from the pod's QoS class",
        );
    }
    if service.blkio_config.is_some() {
        drop("blkio_config", "block I/O weights have no pod equivalent");
    }
    for k in service.cpu_tuning.keys() {
        report.add(
            at.key(k.as_str()),
            Outcome::Dropped,
            "CPU scheduler tuning has no pod equivalent; use resources",
        );
    }
    let mut drop = |key: &str, why: &str| report.add(at.key(key), Outcome::Dropped, why);
    if service
        .cpuset
        .as_deref()
        .is_some_and(|c| c != "0" && !c.is_empty())
    {
        drop(
            "cpuset",
            "CPU pinning is a kubelet policy (static CPU manager)",
        );
    }
    if service.pids_limit.is_some_and(|p| p > 0) {
        drop("pids_limit", "process limits are a node setting");
    }
    if service.memswap_limit.is_some_and(|m| m > 0) {
        drop("memswap_limit", "swap is a node setting");
    }
    if service.mem_swappiness.is_some() {
        drop("mem_swappiness", "swap is a node setting");
    }
    if service.gpus.is_some() {
        drop(
            "gpus",
            "GPUs need a device plugin resource (e.g. nvidia.com/gpu) in resources; not mapped",
        );
    }
    if service.storage_opt.is_some() {
        drop(
            "storage_opt",
            "storage driver options have no pod equivalent",
        );
    }
    if service.userns_mode.is_some() {
        drop(
            "userns_mode",
            "user namespaces are set with hostUsers, not carried over",
        );
    }
    if service.credential_spec.is_some() {
        drop(
            "credential_spec",
            "Windows credential specs are not supported",
        );
    }
    if service.stop_signal.is_some() {
        drop(
            "stop_signal",
            "Kubernetes sends SIGTERM (a stop signal is not stable in 1.33)",
        );
    }
    if service.post_start.is_some() {
        drop("post_start", "lifecycle hooks are not carried over");
    }
    if service.pre_stop.is_some() {
        drop("pre_stop", "lifecycle hooks are not carried over");
    }
    if service.use_api_socket.is_some() {
        drop(
            "use_api_socket",
            "there is no Docker API socket on Kubernetes",
        );
    }
    if service.attach.is_some() {
        drop("attach", "log attachment is a Compose CLI setting");
    }
    if service.develop.is_some() {
        drop("develop", "watch rules are a Compose development feature");
    }
    if service.provider.is_some() {
        drop("provider", "Compose providers are not run");
    }
    if service.models.is_some() {
        drop("models", "Compose models are not run");
    }
    if service.pull_refresh_after.is_some() {
        drop(
            "pull_refresh_after",
            "Kubernetes pulls by imagePullPolicy only",
        );
    }
    if !service.label_file.is_empty() {
        drop(
            "label_file",
            "label files are read by the loader; the file itself is not mapped",
        );
    }
    if !service.external_links.is_empty() {
        drop(
            "external_links",
            "containers outside the project cannot be linked; use their Service names",
        );
    }
    for k in service
        .extensions
        .keys()
        .filter(|k| *k != super::workload::AUTOSCALE_KEY)
    {
        report.add(
            at.key(k.as_str()),
            Outcome::Dropped,
            "an extension field (x-*) carries no meaning for Compose or Kubernetes",
        );
    }
    if service.container_name.is_some() {
        report.add(
            at.key("container_name"),
            Outcome::Approximated,
            "pods are named by their controller; the Service keeps the Compose service name",
        );
    }
}

/// Labels on the service that carry Coolify's identity (`coolify.*` → `coolify.io/*`),
/// and the rest as annotations (routing labels excepted; they become routes).
pub fn split_labels(
    labels: &BTreeMap<String, String>,
    at: &InputPath,
    report: &mut Report,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut k8s_labels = BTreeMap::new();
    let mut annotations = BTreeMap::new();
    for (k, v) in labels {
        if let Some(rest) = k.strip_prefix("coolify.") {
            let key = format!("coolify.io/{}", rest.replace('.', "-"));
            let value = super::names::label_value(v);
            if super::names::is_qualified_name(&key) {
                if value != *v {
                    report.add(
                        at.key("labels").key(k.as_str()),
                        Outcome::Approximated,
                        format!("label value normalized to {value:?} (Kubernetes label values are at most 63 alphanumerics, '-', '_', '.')"),
                    );
                    annotations.insert(key.clone(), v.clone());
                }
                k8s_labels.insert(key, value);
                continue;
            }
        }
        if is_routing_label(k) {
            continue;
        }
        annotations.insert(k.clone(), v.clone());
    }
    (k8s_labels, annotations)
}

/// Traefik and Caddy labels: they become routes (the proxy stage reads them).
pub fn is_routing_label(key: &str) -> bool {
    crate::proxy::labels::is_proxy_label(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    #[test]
    fn user_caps_and_security_opt() {
        let s = Service {
            user: Some("1000:1000".into()),
            cap_add: vec!["CAP_NET_ADMIN".into(), "sys_time".into()],
            security_opt: vec!["no-new-privileges:true".into(), "seccomp:unconfined".into()],
            ..Default::default()
        };
        let mut r = Report::default();
        let sec = plan_security(&s, &InputPath::root(), &mut r);
        assert_eq!(
            (sec.run_as_user, sec.run_as_group),
            (Some(1000), Some(1000))
        );
        assert_eq!(sec.cap_add, vec!["NET_ADMIN", "SYS_TIME"]);
        assert_eq!(sec.allow_privilege_escalation, Some(false));
        assert_eq!(r.entries().len(), 1);
        let named = Service {
            user: Some("www-data".into()),
            ..Default::default()
        };
        let sec = plan_security(&named, &InputPath::root(), &mut r);
        assert_eq!(sec.run_as_user, None);
        assert_eq!(r.entries().len(), 2);
    }

    /// `init: true` shares the pod's process namespace (the pause container reaps);
    /// `init: false` is Docker's default.
    #[test]
    fn init_shares_the_process_namespace() {
        for (init, shared) in [(Some(true), true), (Some(false), false), (None, false)] {
            let s = Service {
                init,
                ..Default::default()
            };
            let mut r = Report::default();
            let p = plan_pod(&s, &InputPath::root().key("services").key("web"), &mut r);
            assert_eq!(p.share_process_namespace, shared, "{init:?}");
            let lines: Vec<String> = r.entries().iter().map(|e| e.path.to_string()).collect();
            assert_eq!(lines.len(), usize::from(shared), "{lines:?}");
        }
    }

    /// `nobody` is 65534 wherever Docker would find it; reported, as the image decides.
    #[test]
    fn nobody_is_65534() {
        for (user, group) in [
            ("nobody", None),
            ("nobody:nogroup", Some(NOBODY)),
            ("nobody:0", Some(0)),
        ] {
            let s = Service {
                user: Some(user.into()),
                ..Default::default()
            };
            let mut r = Report::default();
            let sec = plan_security(&s, &InputPath::root(), &mut r);
            assert_eq!(
                (sec.run_as_user, sec.run_as_group),
                (Some(NOBODY), group),
                "{user}"
            );
            // Its group, else its own id, as for numeric users.
            assert_eq!(fs_group(&s), Some(group.unwrap_or(NOBODY)), "{user}");
            assert!(
                r.entries()
                    .iter()
                    .all(|e| e.outcome == Outcome::Approximated),
                "{user}"
            );
        }
    }

    /// Docker resolves `root` in every image to uid 0; it must not fall back to the
    /// image's (often non-root) user.
    #[test]
    fn root_runs_as_uid_0() {
        for user in ["root", "0", "root:root", "0:0"] {
            let s = Service {
                user: Some(user.into()),
                ..Default::default()
            };
            let mut r = Report::default();
            let sec = plan_security(&s, &InputPath::root(), &mut r);
            assert_eq!(sec.run_as_user, Some(0), "{user}");
            assert!(r.entries().is_empty(), "{user}: {:?}", r.entries());
            assert_eq!(fs_group(&s), None, "{user}: root needs no fsGroup");
        }
        let mut r = Report::default();
        let s = Service {
            user: Some("root:www-data".into()),
            ..Default::default()
        };
        let sec = plan_security(&s, &InputPath::root(), &mut r);
        assert_eq!((sec.run_as_user, sec.run_as_group), (Some(0), None));
        assert!(r.entries()[0]
            .message
            .contains("group \"www-data\" is a name other than root"));
    }

    #[test]
    fn numeric_users_get_an_fs_group() {
        let fs = |u: &str| {
            fs_group(&Service {
                user: Some(u.into()),
                ..Default::default()
            })
        };
        assert_eq!(fs("1000"), Some(1000));
        assert_eq!(fs("1000:1001"), Some(1001));
        assert_eq!(fs("999:root"), Some(0));
        assert_eq!(fs("node"), None);
        assert_eq!(fs("0"), None);
        let p = plan_pod(
            &Service {
                user: Some("70:70".into()),
                ..Default::default()
            },
            &InputPath::root(),
            &mut Report::default(),
        );
        assert_eq!(p.fs_group, Some(70));
    }

    #[test]
    fn pod_settings() {
        let mut hosts = IndexMap::new();
        hosts.insert("a".to_string(), vec!["10.0.0.1".to_string()]);
        hosts.insert("b".to_string(), vec!["10.0.0.1".to_string()]);
        hosts.insert("gw".to_string(), vec!["host-gateway".to_string()]);
        let mut sysctls = BTreeMap::new();
        sysctls.insert("net.core.somaxconn".to_string(), "1024".to_string());
        sysctls.insert("net.ipv4.tcp_syncookies".to_string(), "1".to_string());
        let s = Service {
            extra_hosts: hosts,
            sysctls,
            dns_opt: vec!["ndots:2".into()],
            platform: Some("linux/arm64".into()),
            ..Default::default()
        };
        let mut r = Report::default();
        let p = plan_pod(&s, &InputPath::root(), &mut r);
        assert_eq!(
            p.host_aliases,
            vec![(
                "10.0.0.1".to_string(),
                vec!["a".to_string(), "b".to_string()]
            )]
        );
        assert_eq!(
            p.sysctls,
            vec![("net.ipv4.tcp_syncookies".to_string(), "1".to_string())]
        );
        assert_eq!(
            p.dns_options,
            vec![("ndots".to_string(), Some("2".to_string()))]
        );
        assert_eq!(
            p.node_selector
                .get("kubernetes.io/arch")
                .map(String::as_str),
            Some("arm64")
        );
        let paths: Vec<String> = r.entries().iter().map(|e| e.path.to_string()).collect();
        assert_eq!(
            paths,
            vec![
                "sysctls[\"net.core.somaxconn\"]",
                "extra_hosts.gw",
                "platform"
            ]
        );
    }

    #[test]
    fn coolify_labels_become_labels() {
        let mut l = BTreeMap::new();
        l.insert("coolify.managed".to_string(), "true".to_string());
        l.insert("coolify.service.subName".to_string(), "db".to_string());
        l.insert("traefik.enable".to_string(), "true".to_string());
        l.insert("com.example.x".to_string(), "y".to_string());
        let (labels, ann) = split_labels(&l, &InputPath::root(), &mut Report::default());
        assert_eq!(
            labels.get("coolify.io/managed").map(String::as_str),
            Some("true")
        );
        assert_eq!(
            labels.get("coolify.io/service-subName").map(String::as_str),
            Some("db")
        );
        assert_eq!(ann.keys().collect::<Vec<_>>(), vec!["com.example.x"]);
    }
}
