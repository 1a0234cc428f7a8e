//! Networking: `ports` and `expose` → Service and container ports (Service port = container
//! port, so `db:5432` resolves and connects as on Docker); host-published ports per the
//! `published_ports` option; `links` aliases and network `aliases` → extra Services;
//! Compose networks → NetworkPolicies (option).

use super::model::{
    AliasService, ContainerPort, NetworkPolicyPlan, ProbeAction, PublishedPort, ServicePort,
    Workload,
};
use super::names::port_name;
use super::port_notes::{Entry, Note, PortNotes};
use crate::compose::{Project, Protocol, Service};
use crate::options::{Options, PublishedPorts};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The NodePort range Kubernetes allocates from by default.
const NODE_PORTS: std::ops::RangeInclusive<u16> = 30000..=32767;

fn proto(p: Protocol) -> (&'static str, &'static str) {
    match p {
        Protocol::Tcp => ("TCP", "tcp"),
        Protocol::Udp => ("UDP", "udp"),
        Protocol::Sctp => ("SCTP", "sctp"),
    }
}

/// A service's ports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortPlan {
    /// Container ports.
    pub container: Vec<ContainerPort>,
    /// In-cluster Service ports.
    pub service: Vec<ServicePort>,
    /// Published ports (empty unless the option publishes them).
    pub published: Vec<PublishedPort>,
}

/// Plan a service's ports.
pub fn plan_ports(
    service: &Service,
    options: &Options,
    at: &InputPath,
    report: &mut Report,
) -> PortPlan {
    let mut out = PortPlan::default();
    let mut seen: BTreeSet<(u16, &str)> = BTreeSet::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut add = |target: u16,
                   p: Protocol,
                   given: Option<&str>,
                   app: Option<&String>,
                   out: &mut PortPlan| {
        let (k8s, short) = proto(p);
        if !seen.insert((target, k8s)) {
            return;
        }
        let mut name = port_name(given, target, short);
        if names.contains(&name) {
            name = port_name(None, target, short);
        }
        names.insert(name.clone());
        out.container.push(ContainerPort {
            name: name.clone(),
            port: target,
            protocol: k8s.to_string(),
        });
        out.service.push(ServicePort {
            name,
            port: target,
            target,
            protocol: k8s.to_string(),
            app_protocol: app.cloned(),
        });
    };
    let ports_at = at.key("ports");
    // What cannot be carried as Docker publishes it, one line per run of entries (a range
    // is one entry per port once expanded).
    let mut notes = PortNotes::default();
    // Published host ports so far: a set, since a range can publish 65,535 of them.
    let mut published_seen: HashSet<(u16, &str)> = HashSet::new();
    for (i, p) in service.ports.iter().enumerate() {
        // The report names the entry as written (a range is one entry and many ports).
        let written = p.written_index.unwrap_or(i);
        let pat = ports_at.index(written);
        add(
            p.target,
            p.protocol,
            p.name.as_deref(),
            p.app_protocol.as_ref(),
            &mut out,
        );
        let entry = |published| Entry {
            index: i,
            written,
            published,
            target: p.target,
            protocol: p.protocol,
        };
        let written = p.published.as_deref().unwrap_or("");
        if let Some(h) = p
            .host_ip
            .as_deref()
            .filter(|h| !matches!(*h, "0.0.0.0" | "::" | ""))
        {
            notes.add(&ports_at, entry(written), Note::HostAddress(h.to_string()));
        }
        if p.mode.as_deref() == Some("host") {
            notes.add(&ports_at, entry(written), Note::HostMode);
        }
        let Some(published) = p.published.as_deref() else {
            continue;
        };
        let host_port = published
            .split('-')
            .next()
            .and_then(|s| s.trim().parse::<u16>().ok());
        let (k8s, short) = proto(p.protocol);
        match (options.published_ports, host_port) {
            (PublishedPorts::Clusterip, _) => {
                notes.add(&ports_at, entry(published), Note::NotPublished);
            }
            (_, None) => report.add(
                pat,
                Outcome::Dropped,
                format!("host port {published:?} is not a port number"),
            ),
            (kind, Some(hp)) => {
                if published.contains('-') {
                    report.add(
                        pat.clone(),
                        Outcome::Approximated,
                        format!(
                            "host port range {published}: only its first port {hp} is published"
                        ),
                    );
                }
                let node_port =
                    (kind == PublishedPorts::Nodeport && NODE_PORTS.contains(&hp)).then_some(hp);
                if kind == PublishedPorts::Nodeport && node_port.is_none() {
                    let first = hp.to_string();
                    notes.add(&ports_at, entry(&first), Note::OutsideNodePorts);
                }
                if published_seen.insert((hp, k8s)) {
                    out.published.push(PublishedPort {
                        name: port_name(None, hp, short),
                        port: hp,
                        target: p.target,
                        protocol: k8s.to_string(),
                        node_port,
                    });
                }
            }
        }
    }
    notes.report(report);
    for e in &service.expose {
        add(e.target, e.protocol, None, None, &mut out);
    }
    out
}

/// The Compose networks a service is on (for NetworkPolicies); none under
/// `network_mode`. Fixed addresses and attachment options are reported.
pub fn compose_networks(service: &Service, at: &InputPath, report: &mut Report) -> Vec<String> {
    let mut networks = Vec::new();
    if service.network_mode.is_some() {
        return networks;
    }
    if service.networks.is_empty() {
        networks.push("default".to_string());
    }
    for (n, opts) in &service.networks {
        networks.push(n.clone());
        if let Some(o) = opts {
            let nat = at.key("networks").key(n.as_str());
            if o.ipv4_address.is_some() || o.ipv6_address.is_some() {
                report.add(
                    nat.clone(),
                    Outcome::Dropped,
                    "fixed container addresses: pods get addresses from the cluster network",
                );
            }
            for k in o.other.keys() {
                report.add(
                    nat.key(k.as_str()),
                    Outcome::Dropped,
                    "network attachment options have no pod equivalent",
                );
            }
        }
    }
    networks
}

/// Addresses by which a health check calls its own container.
const LOCAL_HOSTS: &[&str] = &["localhost:", "127.0.0.1:", "0.0.0.0:", "[::1]:"];

/// The ports a workload's health check calls on its own container: an HTTP probe's port,
/// and `localhost:N` / `127.0.0.1:N` in a command. They join the Service's port list (every
/// port is reachable through the headless Service anyway; listed, routes can name them).
pub fn health_check_ports(w: &Workload) -> Vec<u16> {
    let mut out = Vec::new();
    let Some(c) = w.containers.first() else {
        return out;
    };
    for p in [&c.readiness, &c.startup, &c.liveness]
        .into_iter()
        .flatten()
    {
        match &p.action {
            ProbeAction::HttpGet { port, .. } => out.push(*port),
            ProbeAction::Exec(argv) => {
                for arg in argv {
                    for host in LOCAL_HOSTS {
                        for (i, _) in arg.match_indices(host) {
                            let digits: String = arg[i + host.len()..]
                                .chars()
                                .take_while(char::is_ascii_digit)
                                .collect();
                            if let Ok(n) = digits.parse::<u16>() {
                                if n > 0 {
                                    out.push(n);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Add [`health_check_ports`] to the Service and the main container when missing.
pub fn add_health_check_ports(w: &mut Workload) {
    for p in health_check_ports(w) {
        w.expose_tcp_port(p);
    }
}

/// `network_mode: service:X` (a service of the project): the container joins X's pod, as
/// it joins X's network namespace on Docker (MAPPING.md). Its containers, init containers,
/// volumes, ports and routes move into X's workload, which keeps X's kind and name; the
/// joiner gets no workload and no Service of its own (on Docker it has no network name
/// either). `container:NAME` and unknown services are reported.
///
/// Returns the joined services with the service whose pod they joined.
pub fn join_network_mode(
    project: &Project,
    workloads: &mut Vec<Workload>,
    report: &mut Report,
) -> BTreeMap<String, String> {
    let mut joined = BTreeMap::new();
    for (name, svc) in &project.services {
        let Some(mode) = svc.network_mode.as_deref() else {
            continue;
        };
        let at = InputPath::root()
            .key("services")
            .key(name.as_str())
            .key("network_mode");
        let Some(target) = mode.strip_prefix("service:") else {
            if mode.starts_with("container:") {
                report.add(
                    at,
                    Outcome::Dropped,
                    format!("network_mode {mode:?}: a container outside the project cannot share its pod; the pod gets its own network namespace"),
                );
            }
            continue;
        };
        let chained = project
            .services
            .get(target)
            .and_then(|t| t.network_mode.as_deref())
            .is_some_and(|m| m.starts_with("service:"));
        let (Some(from), Some(into)) = (
            workloads.iter().position(|w| w.service == *name),
            workloads.iter().position(|w| w.service == target),
        ) else {
            report.add(
                at,
                Outcome::Dropped,
                format!("{target:?} is not a service of this project: the pod gets its own network namespace"),
            );
            continue;
        };
        if chained || from == into {
            report.add(
                at,
                Outcome::Dropped,
                format!(
                    "{target:?} itself joins another service's network: only one level is joined"
                ),
            );
            continue;
        }
        let joiner = workloads.remove(from);
        let into = if from < into { into - 1 } else { into };
        if let Some(host) = workloads.get_mut(into) {
            merge_into(host, joiner);
        }
        joined.insert(name.clone(), target.to_string());
        report.add(
            at,
            Outcome::Mapped,
            format!("the container joins the pod of {target:?} (one network namespace: localhost reaches both)"),
        );
    }
    joined
}

/// Move a joining workload's pod contents into its host's pod; pod volume names that
/// clash get the joiner's name as a prefix.
fn merge_into(host: &mut Workload, joiner: Workload) {
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for v in joiner.volumes {
        match host.volumes.iter().find(|h| h.name == v.name) {
            Some(h) if h.source == v.source => {}
            Some(_) => {
                let new = super::names::dns_label(
                    &format!("{}-{}", joiner.service_name, v.name),
                    super::names::DNS_LABEL_MAX,
                );
                renames.insert(v.name.clone(), new.clone());
                host.volumes
                    .push(super::model::PodVolume { name: new, ..v });
            }
            None => host.volumes.push(v),
        }
    }
    let rename = |c: &mut super::model::Container| {
        for m in &mut c.mounts {
            if let Some(n) = renames.get(&m.volume) {
                m.volume = n.clone();
            }
        }
    };
    for mut c in joiner.init_containers {
        rename(&mut c);
        host.init_containers.push(c);
    }
    for mut c in joiner.containers {
        rename(&mut c);
        // Containers in one pod share the network namespace: only one may declare a port.
        c.ports.retain(|p| {
            !host.containers.iter().any(|h| {
                h.ports
                    .iter()
                    .any(|q| q.port == p.port && q.protocol == p.protocol)
            })
        });
        host.containers.push(c);
    }
    for p in joiner.ports {
        if !host
            .ports
            .iter()
            .any(|q| q.port == p.port && q.protocol == p.protocol)
        {
            host.ports.push(p);
        }
    }
    // The joiner's own claim now rides on the host's pod: replace pods all at once.
    host.recreate |= host.kind == super::model::WorkloadKind::Deployment
        && (joiner.recreate || joiner.kind == super::model::WorkloadKind::StatefulSet);
    host.published.extend(joiner.published);
    host.routes.extend(joiner.routes);
    for (k, v) in joiner.annotations {
        host.annotations.entry(k).or_insert(v);
    }
}

/// The Service that publishes a workload's host ports outside the cluster
/// (`published_ports: nodeport` or `loadbalancer`): the service's name and `-public`, which a
/// name at the length limit keeps too ([`names::suffixed`](super::names::suffixed)).
///
/// ```
/// use coolify_k8s_core::plan::network::public_service_name;
/// assert_eq!(public_service_name("web"), "web-public");
/// let long = public_service_name(&"w".repeat(63));
/// assert!(long.len() <= 63 && long.ends_with("-public"), "{long}");
/// ```
pub fn public_service_name(service_name: &str) -> String {
    super::names::suffixed(service_name, "-public")
}

/// Extra Services for `links` aliases (`db:database`) and network `aliases`.
pub fn plan_aliases(
    project: &Project,
    k8s_names: &BTreeMap<String, String>,
    scope: &super::scope::NameScope,
    workloads: &[Workload],
    report: &mut Report,
) -> Vec<AliasService> {
    // Every Service name already used: the services' own and their `-public` ones.
    let mut taken: BTreeSet<String> = k8s_names.values().cloned().collect();
    taken.extend(
        workloads
            .iter()
            .filter(|w| !w.published.is_empty())
            .map(|w| public_service_name(&w.service_name)),
    );
    let mut out: Vec<AliasService> = Vec::new();
    let by_service: BTreeMap<&str, &Workload> =
        workloads.iter().map(|w| (w.service.as_str(), w)).collect();
    let mut add = |alias: &str, target: &str, at: InputPath, out: &mut Vec<AliasService>| {
        let Some(w) = by_service.get(target) else {
            report.add(
                at,
                Outcome::Dropped,
                format!("{target:?} is not a service of this project"),
            );
            return;
        };
        let n = scope.label(alias, super::names::DNS_LABEL_MAX);
        if k8s_names.get(target) == Some(&n) {
            return; // the alias is the service's own name
        }
        if alias.contains('.') {
            report.add(
                at,
                Outcome::Dropped,
                format!("{alias:?} has dots: a Service name is one DNS label, so neighbours cannot resolve this name (use its first label, or a name without dots)"),
            );
            return;
        }
        if let Some(existing) = out.iter().find(|a| a.name == n) {
            if existing.target != w.service_name {
                report.add(
                    at,
                    Outcome::Dropped,
                    format!("the alias {alias:?} already names another service"),
                );
            }
            return;
        }
        if !taken.insert(n.clone()) {
            report.add(
                at,
                Outcome::Dropped,
                format!("the alias {alias:?} collides with a service name"),
            );
            return;
        }
        report.add(
            at.clone(),
            Outcome::Mapped,
            format!("{n:?}: a headless Service selecting the pods of {target:?}, so every port resolves by this name as on a Docker network"),
        );
        out.push(AliasService {
            name: n,
            target: w.service_name.clone(),
            ports: w.ports.clone(),
        });
    };
    for (name, svc) in &project.services {
        let at = InputPath::root().key("services").key(name.as_str());
        // A service that joined another's pod has no network name of its own (Docker).
        let joined = svc
            .network_mode
            .as_deref()
            .is_some_and(|m| m.starts_with("service:") || m.starts_with("container:"));
        if !joined {
            // Neighbours reach a container by its `hostname` and `container_name` too.
            if let Some(h) = &svc.hostname {
                add(h, name, at.key("hostname"), &mut out);
            }
            if let Some(c) = &svc.container_name {
                add(c, name, at.key("container_name"), &mut out);
            }
        }
        for (i, link) in svc.links.iter().enumerate() {
            let (target, alias) = link
                .split_once(':')
                .unwrap_or((link.as_str(), link.as_str()));
            add(alias, target, at.key("links").index(i), &mut out);
        }
        for (net, opts) in &svc.networks {
            for (i, alias) in opts.iter().flat_map(|o| o.aliases.iter()).enumerate() {
                add(
                    alias,
                    name,
                    at.key("networks").key(net.as_str()).key("aliases").index(i),
                    &mut out,
                );
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// One NetworkPolicy per workload: ingress from workloads sharing a Compose network, and
/// from anywhere on ports that are routed or published.
pub fn plan_network_policies(workloads: &[Workload]) -> Vec<NetworkPolicyPlan> {
    workloads
        .iter()
        .filter(|w| !w.pod.host_network)
        .map(|w| {
            let nets: BTreeSet<&String> = w.networks.iter().collect();
            let peers: Vec<String> = workloads
                .iter()
                .filter(|o| o.service != w.service && o.networks.iter().any(|n| nets.contains(n)))
                .map(|o| o.service_name.clone())
                .collect();
            let mut public: BTreeSet<(u16, String)> = w
                .published
                .iter()
                .map(|p| (p.target, p.protocol.clone()))
                .collect();
            for r in &w.routes {
                if let Some(p) = r.port.or_else(|| w.ports.first().map(|p| p.port)) {
                    public.insert((p, "TCP".to_string()));
                }
            }
            NetworkPolicyPlan {
                name: w.service_name.clone(),
                target: w.service_name.clone(),
                peers,
                public_ports: public.into_iter().collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{ExposedPort, Port};

    fn port(target: u16, published: Option<&str>) -> Port {
        Port {
            name: None,
            target,
            published: published.map(str::to_string),
            host_ip: None,
            protocol: Protocol::Tcp,
            app_protocol: None,
            mode: None,
            written_index: None,
        }
    }

    #[test]
    fn ports_and_expose_dedupe() {
        let s = Service {
            ports: vec![port(80, Some("8080")), port(53, None)],
            expose: vec![
                ExposedPort {
                    target: 80,
                    protocol: Protocol::Tcp,
                },
                ExposedPort {
                    target: 53,
                    protocol: Protocol::Udp,
                },
            ],
            ..Default::default()
        };
        let mut r = Report::default();
        let p = plan_ports(
            &s,
            &Options::default(),
            &InputPath::root().key("services").key("web"),
            &mut r,
        );
        let svc: Vec<(String, u16, String)> = p
            .service
            .iter()
            .map(|s| (s.name.clone(), s.port, s.protocol.clone()))
            .collect();
        assert_eq!(
            svc,
            vec![
                ("tcp-80".to_string(), 80, "TCP".to_string()),
                ("tcp-53".to_string(), 53, "TCP".to_string()),
                ("udp-53".to_string(), 53, "UDP".to_string()),
            ]
        );
        assert!(p.published.is_empty());
        assert_eq!(r.entries()[0].path.to_string(), "services.web.ports[0]");
        assert_eq!(r.entries()[0].outcome, Outcome::Approximated);
    }

    #[test]
    fn published_ports_per_option() {
        let s = Service {
            ports: vec![port(80, Some("30080")), port(443, Some("443"))],
            ..Default::default()
        };
        let o = Options {
            published_ports: PublishedPorts::Nodeport,
            ..Default::default()
        };
        let mut r = Report::default();
        let p = plan_ports(&s, &o, &InputPath::root(), &mut r);
        assert_eq!(
            p.published
                .iter()
                .map(|x| (x.port, x.node_port))
                .collect::<Vec<_>>(),
            vec![(30080, Some(30080)), (443, None)]
        );
        assert_eq!(r.entries().len(), 1);
    }

    fn workload(service: &str, ports: &[u16]) -> Workload {
        let mut w = Workload::for_test(service);
        w.containers[0].ports = ports
            .iter()
            .map(|p| ContainerPort {
                name: format!("tcp-{p}"),
                port: *p,
                protocol: "TCP".into(),
            })
            .collect();
        w.ports = ports
            .iter()
            .map(|p| ServicePort {
                name: format!("tcp-{p}"),
                port: *p,
                target: *p,
                protocol: "TCP".into(),
                app_protocol: None,
            })
            .collect();
        w
    }

    fn project(services: &[(&str, Service)]) -> Project {
        let mut p = Project::default();
        for (n, s) in services {
            p.services.insert(n.to_string(), s.clone());
        }
        p
    }

    #[test]
    fn network_mode_service_joins_the_pod() {
        let p = project(&[
            ("vpn", Service::default()),
            (
                "torrent",
                Service {
                    network_mode: Some("service:vpn".into()),
                    ..Default::default()
                },
            ),
            (
                "other",
                Service {
                    network_mode: Some("container:abc".into()),
                    ..Default::default()
                },
            ),
        ]);
        let mut ws = vec![
            workload("other", &[]),
            workload("torrent", &[8080, 9000]),
            workload("vpn", &[9000]),
        ];
        let mut r = Report::default();
        let joined = join_network_mode(&p, &mut ws, &mut r);
        assert_eq!(joined.get("torrent").map(String::as_str), Some("vpn"));
        let names: Vec<&str> = ws.iter().map(|w| w.service.as_str()).collect();
        assert_eq!(names, ["other", "vpn"]);
        let vpn = &ws[1];
        assert_eq!(vpn.containers.len(), 2);
        // One network namespace: 9000 is declared once, by the first container.
        assert_eq!(vpn.containers[1].ports.len(), 1);
        assert_eq!(
            vpn.ports.iter().map(|p| p.port).collect::<Vec<_>>(),
            [9000, 8080]
        );
        let paths: Vec<String> = r.entries().iter().map(|e| e.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "services.other.network_mode",
                "services.torrent.network_mode"
            ]
        );
        assert_eq!(r.entries()[0].outcome, Outcome::Dropped);
    }

    #[test]
    fn hostname_and_container_name_resolve_through_headless_aliases() {
        let p = project(&[
            (
                "app",
                Service {
                    hostname: Some("n8n-main".into()),
                    container_name: Some("n8n.app".into()),
                    ..Default::default()
                },
            ),
            (
                "db",
                Service {
                    hostname: Some("app".into()),
                    links: vec!["app:web".into()],
                    ..Default::default()
                },
            ),
        ]);
        let names: BTreeMap<String, String> = [("app", "app"), ("db", "db")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .into();
        let ws = vec![workload("app", &[5678]), workload("db", &[])];
        let mut r = Report::default();
        let aliases = plan_aliases(
            &p,
            &names,
            &crate::plan::scope::NameScope::none(),
            &ws,
            &mut r,
        );
        let got: Vec<(&str, &str)> = aliases
            .iter()
            .map(|a| (a.name.as_str(), a.target.as_str()))
            .collect();
        assert_eq!(got, [("n8n-main", "app"), ("web", "app")]);
        let lines: Vec<String> = r
            .entries()
            .iter()
            .map(|e| format!("{} {:?}", e.path, e.outcome))
            .collect();
        assert_eq!(
            lines,
            [
                "services.app.hostname Mapped",
                "services.app.container_name Dropped",
                "services.db.hostname Dropped",
                "services.db.links[0] Mapped",
            ]
        );
    }

    #[test]
    fn health_check_ports_join_the_service() {
        let mut w = workload("app", &[5678]);
        w.containers[0].readiness = Some(crate::plan::Probe {
            action: ProbeAction::Exec(vec![
                "/bin/sh".into(),
                "-c".into(),
                "wget -qO- http://127.0.0.1:5679/healthz && curl localhost:5678/".into(),
            ]),
            period: None,
            timeout: None,
            failure_threshold: None,
        });
        assert_eq!(health_check_ports(&w), [5678, 5679]);
        add_health_check_ports(&mut w);
        assert_eq!(
            w.ports.iter().map(|p| p.port).collect::<Vec<_>>(),
            [5678, 5679]
        );
        assert_eq!(w.containers[0].ports.len(), 2);
    }
}
