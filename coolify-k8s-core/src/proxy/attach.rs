//! How the plan takes routes and autoscaling from this stage: the routes of each service's
//! `SERVICE_URL_*` / `SERVICE_FQDN_*` keys join the ones its labels declare, every routed
//! container port gets a Service port, and autoscaling settings (the `autoscale` option,
//! a service's `x-coolify-autoscale`) are attached to the workloads they apply to.

use super::fqdn::FqdnSettings;
use super::service_urls;
use crate::compose::Project;
use crate::coolify::magic_values::MagicValues;
use crate::error::Error;
use crate::k8s::autoscaling::Autoscale;
use crate::options::Options;
use crate::path::InputPath;
use crate::plan::{ContainerPort, ServicePort, Workload, WorkloadKind};
use crate::report::{Outcome, Report};

/// The Compose extension that sets a service's autoscaling.
pub const AUTOSCALE_EXTENSION: &str = "x-coolify-autoscale";

/// Attach the routes of `SERVICE_URL_*` / `SERVICE_FQDN_*` keys and autoscaling to the
/// planned workloads of `project`.
pub fn attach(
    project: &Project,
    options: &Options,
    magic: &MagicValues,
    workloads: &mut [Workload],
    report: &mut Report,
) -> Result<(), Vec<Error>> {
    let mut errors = Vec::new();
    for w in workloads.iter_mut() {
        let Some(service) = project.services.get(&w.service) else {
            continue;
        };
        let at = InputPath::root().key("services").key(w.service.as_str());
        match service_urls::routes(&w.service, service, magic, &FqdnSettings::default(), &at) {
            Ok(r) => w.routes.extend(r),
            Err(e) => errors.extend(e),
        }
        let autoscale = match service.extensions.get(AUTOSCALE_EXTENSION) {
            Some(v) => match Autoscale::from_value(v, &at.key(AUTOSCALE_EXTENSION)) {
                Ok(a) => Some(a),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            // The option scales the services that serve routes: the web-facing ones.
            None if !w.routes.is_empty() => options.autoscale,
            None => None,
        };
        set_autoscale(w, autoscale, &at, report);
        ensure_route_ports(w, &at, report);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Set a workload's autoscaling, when its kind can scale.
pub fn set_autoscale(
    w: &mut Workload,
    autoscale: Option<Autoscale>,
    at: &InputPath,
    report: &mut Report,
) {
    let Some(a) = autoscale else { return };
    match w.kind {
        WorkloadKind::Deployment | WorkloadKind::StatefulSet => {
            if w.recreate && a.max > 1 {
                report.add(
                    at.clone(),
                    Outcome::Approximated,
                    "autoscaling a workload with a ReadWriteOnce claim: its pods must share a node \
                     or the storage class must support ReadWriteMany",
                );
            }
            if w.containers
                .first()
                .is_some_and(|c| c.resources.requests.is_empty() && c.resources.limits.is_empty())
            {
                report.add(
                    at.clone(),
                    Outcome::Approximated,
                    "utilization targets are relative to resource requests, and the workload sets \
                     none: the autoscaler cannot compute utilization until requests are set",
                );
            }
            w.autoscale = Some(a);
        }
        WorkloadKind::DaemonSet | WorkloadKind::Job => report.add(
            at.clone(),
            Outcome::Dropped,
            "a DaemonSet or Job does not scale horizontally",
        ),
    }
}

/// Give every container port a route targets a Service port (Coolify's proxy reaches
/// container ports directly, so templates route to ports they never `expose`).
pub fn ensure_route_ports(w: &mut Workload, at: &InputPath, report: &mut Report) {
    let mut added = Vec::new();
    for r in &w.routes {
        let Some(p) = r.port else { continue };
        if w.ports.iter().any(|sp| sp.target == p) || added.contains(&p) {
            continue;
        }
        added.push(p);
    }
    for p in added {
        let name = crate::plan::names::port_name(None, p, "tcp");
        w.ports.push(ServicePort {
            name: name.clone(),
            port: p,
            target: p,
            protocol: "TCP".into(),
            app_protocol: None,
        });
        if let Some(c) = w.containers.first_mut() {
            if !c.ports.iter().any(|cp| cp.port == p) {
                c.ports.push(ContainerPort {
                    name,
                    port: p,
                    protocol: "TCP".into(),
                });
            }
        }
        report.add(
            at.clone(),
            Outcome::Mapped,
            format!("port {p} is routed: the Service gets that port"),
        );
    }
}
