//! How many ports a workload's Service and containers list, and how many it publishes.
//!
//! Docker publishes every port of a Compose range (`1-30000/udp`), and the plan gives each
//! one a Service port and a container port. Kubernetes cannot hold that many: an
//! EndpointSlice lists at most 20,000 ports (and the EndpointSlice controller does not split
//! a Service's ports, so a Service with more gets no endpoints and its name resolves to
//! nothing), and long before that the Service, the workload, its ReplicaSet and its pods
//! outgrow the API server's request limit (etcd's 1.5 MiB; server-side apply records every
//! port once more in `managedFields`).
//!
//! Listing fewer ports loses no traffic here: the Service is headless, so its name resolves
//! to the pods' addresses, and a container's port list is informational (the pod accepts
//! connections on every port its process listens on). Only routes, health checks and
//! `depends_on` waits (the first port) name ports, so those are kept; the rest are kept in
//! order up to the limit and the others are reported.

use super::model::Workload;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeSet;

/// The most ports one workload lists, on its Service and on its containers together with
/// the ports of the containers joining its pod.
///
/// Measured with the project's local API server and etcd's default request limit
/// (`scripts/measure-port-limit.sh`, objects applied server-side): a Service and a
/// Deployment listing 10,000 UDP ports were stored (1.6 MB and 2.2 MB of JSON with their
/// `managedFields`; the ReplicaSet and the Pod made from it too); at 12,000 etcd refused
/// them ("request is too large"). Half of what fits leaves room for the workload's other
/// fields.
pub const LISTED_PORTS_MAX: usize = 5_000;

/// The most host ports one workload publishes (options `published_ports: nodeport` and
/// `loadbalancer`). Each takes one of the cluster's node ports (a LoadBalancer's too, unless
/// `allocateLoadBalancerNodePorts` is off), and the default range 30000-32767 holds 2,768
/// for the whole cluster: a Service asking for more than are free is refused whole, so a
/// range of thousands of ports (`49152-65535/udp`, as TURN servers publish on Docker) would
/// publish nothing. A judgment, not a measurement: a bit over a third of the range.
pub const PUBLISHED_PORTS_MAX: usize = 1_000;

/// Keep at most [`LISTED_PORTS_MAX`] ports on `w`'s Service and containers: first the
/// ports its routes and health checks name (and the first port, which a route without a
/// port uses), then the others in order. Reports the ports left out.
pub fn limit_listed_ports(w: &mut Workload, report: &mut Report) {
    limit_to(w, LISTED_PORTS_MAX, report);
}

/// Publish at most [`PUBLISHED_PORTS_MAX`] of `w`'s host ports, the first in the order of
/// `ports`. Reports the ports left out.
pub fn limit_published_ports(w: &mut Workload, report: &mut Report) {
    limit_published_to(w, PUBLISHED_PORTS_MAX, report);
}

fn limit_published_to(w: &mut Workload, max: usize, report: &mut Report) {
    if w.published.len() <= max {
        return;
    }
    let left_out = w.published.split_off(max);
    let lowest = left_out.iter().map(|p| p.port).min().unwrap_or_default();
    let highest = left_out.iter().map(|p| p.port).max().unwrap_or_default();
    report.add(
        ports_path(w),
        Outcome::Approximated,
        format!(
            "{} of its {} published ports ({lowest} to {highest}) are not published: each takes one of the cluster's 2,768 node ports (30000-32767), and a Service asking for more than are free is refused whole; the first {max} are published. They stay reachable in the cluster",
            left_out.len(),
            left_out.len() + max
        ),
    );
}

fn ports_path(w: &Workload) -> InputPath {
    InputPath::root()
        .key("services")
        .key(w.service.as_str())
        .key("ports")
}

fn limit_to(w: &mut Workload, max: usize, report: &mut Report) {
    if w.ports.len() <= max && w.containers.iter().map(|c| c.ports.len()).sum::<usize>() <= max {
        return;
    }
    let named: BTreeSet<u16> = w
        .routes
        .iter()
        .filter_map(|r| r.port)
        .chain(super::network::health_check_ports(w))
        .chain(w.ports.first().map(|p| p.target))
        .collect();
    let mut kept: BTreeSet<(u16, String)> = w
        .ports
        .iter()
        .filter(|p| named.contains(&p.target))
        .map(|p| (p.target, p.protocol.clone()))
        .take(max)
        .collect();
    for p in &w.ports {
        if kept.len() >= max {
            break;
        }
        kept.insert((p.target, p.protocol.clone()));
    }
    let total = w.ports.len();
    let mut left_out = Vec::new();
    w.ports.retain(|p| {
        let keep = kept.contains(&(p.target, p.protocol.clone()));
        if !keep {
            left_out.push(p.target);
        }
        keep
    });
    // Container ports: only those the Service keeps, and at most `max` in all (a
    // container port the Service never had is dropped here too).
    let mut listed = 0;
    for c in &mut w.containers {
        c.ports.retain(|p| {
            let keep = listed < max && kept.contains(&(p.port, p.protocol.clone()));
            listed += usize::from(keep);
            keep
        });
    }
    if left_out.is_empty() {
        return;
    }
    let lowest = left_out.iter().min().copied().unwrap_or_default();
    let highest = left_out.iter().max().copied().unwrap_or_default();
    report.add(
        ports_path(w),
        Outcome::Approximated,
        format!(
            "{} of its {total} ports ({lowest} to {highest}) are not listed on the Service or the container: Kubernetes objects listing more than {max} ports outgrow the API server's request limit. The Service is headless, so the name still resolves to the pod and these ports stay reachable in the cluster; no route can name them",
            left_out.len()
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{ContainerPort, ServicePort};

    fn workload(ports: std::ops::RangeInclusive<u16>) -> Workload {
        let mut w = Workload::for_test("relay");
        for p in ports {
            w.containers[0].ports.push(ContainerPort {
                name: format!("udp-{p}"),
                port: p,
                protocol: "UDP".into(),
            });
            w.ports.push(ServicePort {
                name: format!("udp-{p}"),
                port: p,
                target: p,
                protocol: "UDP".into(),
                app_protocol: None,
            });
        }
        w
    }

    fn targets(w: &Workload) -> Vec<u16> {
        w.ports.iter().map(|p| p.target).collect()
    }

    #[test]
    fn a_workload_within_the_limit_is_left_alone() {
        let mut w = workload(1000..=1009);
        let before = w.clone();
        let mut r = Report::default();
        limit_to(&mut w, 10, &mut r);
        assert_eq!(w, before);
        assert!(r.entries().is_empty());
    }

    #[test]
    fn ports_past_the_limit_are_unlisted_and_reported_by_range() {
        let mut w = workload(1000..=1019);
        let mut r = Report::default();
        limit_to(&mut w, 5, &mut r);
        assert_eq!(targets(&w), [1000, 1001, 1002, 1003, 1004]);
        let container: Vec<u16> = w.containers[0].ports.iter().map(|p| p.port).collect();
        assert_eq!(container, targets(&w));
        let e = &r.entries()[0];
        assert_eq!(e.path.to_string(), "services.relay.ports");
        assert_eq!(e.outcome, Outcome::Approximated);
        assert!(
            e.message
                .starts_with("15 of its 20 ports (1005 to 1019) are not listed"),
            "{}",
            e.message
        );
        assert_eq!(r.entries().len(), 1);
    }

    #[test]
    fn ports_that_routes_name_are_kept_first() {
        let mut w = workload(1000..=1019);
        let mut route = crate::proxy::Route::new("relay", vec!["relay.example.com".into()]);
        route.port = Some(1017);
        w.routes.push(route);
        let mut r = Report::default();
        limit_to(&mut w, 3, &mut r);
        // The first port (a route without a port uses it), the routed one, then in order.
        assert_eq!(targets(&w), [1000, 1001, 1017]);
        let container: Vec<u16> = w.containers[0].ports.iter().map(|p| p.port).collect();
        assert_eq!(container, [1000, 1001, 1017]);
    }

    #[test]
    fn published_ports_past_their_limit_are_reported() {
        let mut w = workload(1000..=1001);
        w.published = (49152..=49161)
            .map(|p| crate::plan::PublishedPort {
                name: format!("udp-{p}"),
                port: p,
                target: p,
                protocol: "UDP".into(),
                node_port: None,
            })
            .collect();
        let mut r = Report::default();
        limit_published_to(&mut w, 4, &mut r);
        let published: Vec<u16> = w.published.iter().map(|p| p.port).collect();
        assert_eq!(published, [49152, 49153, 49154, 49155]);
        assert_eq!(
            targets(&w),
            [1000, 1001],
            "the Service's ports are another limit"
        );
        let e = &r.entries()[0];
        assert_eq!(e.path.to_string(), "services.relay.ports");
        assert!(
            e.message
                .starts_with("6 of its 10 published ports (49156 to 49161) are not published"),
            "{}",
            e.message
        );
        let mut r = Report::default();
        limit_published_to(&mut w, 4, &mut r);
        assert!(
            r.entries().is_empty(),
            "within the limit: nothing to report"
        );
    }

    #[test]
    fn the_containers_of_a_pod_share_the_limit() {
        let mut w = workload(1000..=1003);
        let mut joined = w.containers[0].clone();
        joined.name = "vpn".into();
        w.containers.push(joined);
        let mut r = Report::default();
        limit_to(&mut w, 4, &mut r);
        assert_eq!(targets(&w), [1000, 1001, 1002, 1003]);
        let listed: usize = w.containers.iter().map(|c| c.ports.len()).sum();
        assert_eq!(listed, 4);
        assert!(r.entries().is_empty(), "no Service port was left out");
    }
}
