//! Networking: `ports` and `expose` → Service and container ports (Service port = container
//! port, so `db:5432` resolves and connects as on Docker); host-published ports per the
//! `published_ports` option; `links` aliases and network `aliases` → extra Services;
//! Compose networks → NetworkPolicies (option).

use super::model::{
    AliasService, ContainerPort, NetworkPolicyPlan, PublishedPort, ServicePort, Workload,
};
use super::names::port_name;
use crate::compose::{Project, Protocol, Service};
use crate::options::{Options, PublishedPorts};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::{BTreeMap, BTreeSet};

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
    for (i, p) in service.ports.iter().enumerate() {
        let pat = at.key("ports").index(i);
        add(
            p.target,
            p.protocol,
            p.name.as_deref(),
            p.app_protocol.as_ref(),
            &mut out,
        );
        if let Some(h) = p
            .host_ip
            .as_deref()
            .filter(|h| !matches!(*h, "0.0.0.0" | "::" | ""))
        {
            report.add(
                pat.key("host_ip"),
                Outcome::Dropped,
                format!("binding to the host address {h} has no Service equivalent"),
            );
        }
        if p.mode.as_deref() == Some("host") {
            report.add(
                pat.key("mode"),
                Outcome::Dropped,
                "host-mode publishing: use the published_ports option",
            );
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
            (PublishedPorts::Clusterip, _) => report.add(
                pat,
                Outcome::Approximated,
                format!("host port {published} is not published: the port {} is reachable inside the cluster only (option published_ports: nodeport or loadbalancer)", p.target),
            ),
            (_, None) => report.add(pat, Outcome::Dropped, format!("host port {published:?} is not a port number")),
            (kind, Some(hp)) => {
                if published.contains('-') {
                    report.add(pat.clone(), Outcome::Approximated, format!("host port range {published}: only its first port {hp} is published"));
                }
                let node_port = (kind == PublishedPorts::Nodeport && NODE_PORTS.contains(&hp)).then_some(hp);
                if kind == PublishedPorts::Nodeport && node_port.is_none() {
                    report.add(pat, Outcome::Approximated, format!("host port {hp} is outside the NodePort range 30000-32767: the cluster picks the node port"));
                }
                if !out.published.iter().any(|x| x.port == hp && x.protocol == k8s) {
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

/// Extra Services for `links` aliases (`db:database`) and network `aliases`.
pub fn plan_aliases(
    project: &Project,
    k8s_names: &BTreeMap<String, String>,
    workloads: &[Workload],
    report: &mut Report,
) -> Vec<AliasService> {
    let mut taken: BTreeSet<String> = k8s_names.values().cloned().collect();
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
        let n = super::names::dns_label(alias, super::names::DNS_LABEL_MAX);
        if k8s_names.get(target) == Some(&n) {
            return; // the alias is the service's own name
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
        if w.ports.is_empty() {
            report.add(
                at.clone(),
                Outcome::Mapped,
                format!("alias {n:?}: a headless Service for {target:?}"),
            );
        }
        out.push(AliasService {
            name: n,
            target: w.service_name.clone(),
            ports: w.ports.clone(),
        });
    };
    for (name, svc) in &project.services {
        let at = InputPath::root().key("services").key(name.as_str());
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
}
