//! Services: one per Compose service and one per alias (`hostname`, `container_name`,
//! `links`, network `aliases`), all headless (`clusterIP: None`) so the name resolves to
//! the pods and every port the container listens on is reachable, as on a Docker network;
//! they still list the known ports (`ports`, `expose`, routed ports) so routes can name
//! them. A NodePort / LoadBalancer Service publishes host ports when the option asks.

use super::meta;
use crate::options::{Options, PublishedPorts};
use crate::plan::{AliasService, Plan, ServicePort, Workload};
use k8s_openapi::api::core::v1::{Service, ServicePort as K8sPort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

fn ports(ports: &[ServicePort]) -> Vec<K8sPort> {
    ports
        .iter()
        .map(|p| K8sPort {
            name: Some(p.name.clone()),
            port: i32::from(p.port),
            target_port: Some(IntOrString::Int(i32::from(p.target))),
            protocol: Some(p.protocol.clone()),
            app_protocol: p.app_protocol.clone(),
            ..Default::default()
        })
        .collect()
}

fn service(
    plan: &Plan,
    name: &str,
    target: &str,
    service_ports: &[ServicePort],
    labels: &BTreeMap<String, String>,
) -> Service {
    Service {
        metadata: meta::object_meta(plan, name, target, labels, &BTreeMap::new()),
        spec: Some(ServiceSpec {
            selector: Some(meta::selector_labels(plan, target)),
            cluster_ip: Some("None".to_string()),
            ports: (!service_ports.is_empty()).then(|| ports(service_ports)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The Service of a workload, named after its Compose service.
pub fn workload_service(plan: &Plan, w: &Workload) -> Service {
    service(plan, &w.service_name, &w.service_name, &w.ports, &w.labels)
}

/// A Service that gives a workload another name.
pub fn alias_service(plan: &Plan, a: &AliasService) -> Service {
    service(plan, &a.name, &a.target, &a.ports, &BTreeMap::new())
}

/// The Service publishing a workload's host ports outside the cluster, if any.
pub fn public_service(plan: &Plan, w: &Workload, options: &Options) -> Option<Service> {
    if w.published.is_empty() {
        return None;
    }
    let kind = match options.published_ports {
        PublishedPorts::Clusterip => return None,
        PublishedPorts::Nodeport => "NodePort",
        PublishedPorts::Loadbalancer => "LoadBalancer",
    };
    let name = crate::plan::network::public_service_name(&w.service_name);
    Some(Service {
        metadata: meta::object_meta(plan, &name, &w.service_name, &w.labels, &BTreeMap::new()),
        spec: Some(ServiceSpec {
            type_: Some(kind.to_string()),
            selector: Some(meta::selector_labels(plan, &w.service_name)),
            ports: Some(
                w.published
                    .iter()
                    .map(|p| K8sPort {
                        name: Some(p.name.clone()),
                        port: i32::from(p.port),
                        target_port: Some(IntOrString::Int(i32::from(p.target))),
                        protocol: Some(p.protocol.clone()),
                        node_port: p.node_port.map(i32::from),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }),
        ..Default::default()
    })
}
