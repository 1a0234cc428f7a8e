//! What the plan must do for the routes it attaches to a workload.

use crate::plan::{names, ContainerPort, ServicePort, Workload};

/// Give every container port a route targets a Service port and a container port (Coolify's
/// proxy reaches container ports directly, so templates route to ports they never `expose`,
/// naming them only in `SERVICE_URL_<ID>_<PORT>` or an FQDN).
pub fn ensure_route_ports(w: &mut Workload) {
    let mut route_ports: Vec<u16> = w.routes.iter().filter_map(|r| r.port).collect();
    route_ports.sort_unstable();
    route_ports.dedup();
    for p in route_ports {
        if w.ports
            .iter()
            .any(|sp| sp.target == p && sp.protocol == "TCP")
        {
            continue;
        }
        let name = names::port_name(None, p, "tcp");
        w.ports.push(ServicePort {
            name: name.clone(),
            port: p,
            target: p,
            protocol: "TCP".into(),
            app_protocol: None,
        });
        if let Some(c) = w.containers.first_mut() {
            c.ports.push(ContainerPort {
                name,
                port: p,
                protocol: "TCP".into(),
            });
        }
    }
}
