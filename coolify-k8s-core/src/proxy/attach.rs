//! What the plan must do for the routes it attaches to workloads: one owner per host and
//! path, and a Service and container port for every routed port.

use crate::path::InputPath;
use crate::plan::Workload;
use crate::proxy::PathMatch;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// The plan stage's one call after every workload has its routes: resolve hosts claimed
/// twice ([`resolve_shared_hosts`]), then give every routed port a Service port
/// ([`ensure_route_ports`]).
pub fn attach(workloads: &mut [Workload], report: &mut Report) {
    resolve_shared_hosts(workloads, report);
    for w in workloads.iter_mut() {
        ensure_route_ports(w);
    }
}

/// Two routes that claim one host and path (two services declaring the same
/// `SERVICE_URL_<ID>` with no path, as `huly`'s `account` and `front` do) become two Traefik
/// routers with the same rule on Coolify, and Traefik serves one of them: which one is not
/// defined (equal rule length, equal priority). Here the first claim in service order keeps
/// the host and path; the later route loses that host (and is not emitted when none is left),
/// and the report names both, so the caller can give the other service its own domain (a
/// stored `SERVICE_URL_<ID>` value).
pub fn resolve_shared_hosts(workloads: &mut [Workload], report: &mut Report) {
    let mut owners: BTreeMap<(String, String, PathMatch), (String, InputPath)> = BTreeMap::new();
    for w in workloads.iter_mut() {
        let mut kept = Vec::with_capacity(w.routes.len());
        for mut r in std::mem::take(&mut w.routes) {
            let mut hosts = Vec::with_capacity(r.hosts.len());
            for h in std::mem::take(&mut r.hosts) {
                let key = (h.clone(), r.path.clone(), r.path_match);
                match owners.get(&key) {
                    Some((service, source)) => report.add(
                        r.source.clone(),
                        Outcome::Dropped,
                        format!(
                            "{h}{} is already routed to {service:?} ({source}); Coolify's proxy \
                             would serve only one of the two routers with this rule, so this one \
                             is not emitted for that host: give this service its own domain",
                            if r.path == "/" { "" } else { r.path.as_str() }
                        ),
                    ),
                    None => {
                        owners.insert(key, (w.service.clone(), r.source.clone()));
                        hosts.push(h);
                    }
                }
            }
            r.hosts = hosts;
            if !r.hosts.is_empty() {
                kept.push(r);
            }
        }
        w.routes = kept;
    }
}

/// Give every container port a route targets a Service port and a container port (Coolify's
/// proxy reaches container ports directly, so templates route to ports they never `expose`,
/// naming them only in `SERVICE_URL_<ID>_<PORT>` or an FQDN).
pub fn ensure_route_ports(w: &mut Workload) {
    let mut route_ports: Vec<u16> = w.routes.iter().filter_map(|r| r.port).collect();
    route_ports.sort_unstable();
    route_ports.dedup();
    for p in route_ports {
        w.expose_tcp_port(p);
    }
}
