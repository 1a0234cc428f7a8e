//! Resources: CPU and memory limits and requests from `deploy.resources`, `cpus`,
//! `mem_limit`, `mem_reservation`, written as Kubernetes quantities.
//!
//! Coolify writes `"0"` for "unlimited"; a zero limit means no limit here.

use crate::compose::{ResourceSpec, Service};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// A container's resources as Kubernetes quantities (`cpu`, `memory`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourcePlan {
    /// `resources.limits`.
    pub limits: BTreeMap<String, String>,
    /// `resources.requests`.
    pub requests: BTreeMap<String, String>,
}

/// A CPU amount as a quantity: whole cores as an integer, else millicores.
///
/// ```
/// use coolify_k8s_core::plan::resources::cpu_quantity;
/// assert_eq!(cpu_quantity(2.0), "2");
/// assert_eq!(cpu_quantity(0.5), "500m");
/// assert_eq!(cpu_quantity(0.0001), "1m");
/// ```
pub fn cpu_quantity(cpus: f64) -> String {
    let milli = (cpus * 1000.0).round().max(1.0) as u64;
    if milli % 1000 == 0 {
        format!("{}", milli / 1000)
    } else {
        format!("{milli}m")
    }
}

/// A byte count as a quantity, in the largest binary unit that divides it exactly.
///
/// ```
/// use coolify_k8s_core::plan::resources::memory_quantity;
/// assert_eq!(memory_quantity(512 * 1024 * 1024), "512Mi");
/// assert_eq!(memory_quantity(1 << 30), "1Gi");
/// assert_eq!(memory_quantity(1000), "1000");
/// ```
pub fn memory_quantity(bytes: u64) -> String {
    for (unit, size) in [
        ("Ti", 1u64 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        if bytes >= size && bytes % size == 0 {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

/// Parse a Kubernetes storage quantity (`1Gi`, `500M`, `1024`) into bytes; `None` when it
/// is not one.
///
/// ```
/// use coolify_k8s_core::plan::resources::parse_quantity_bytes;
/// assert_eq!(parse_quantity_bytes("1Gi"), Some(1 << 30));
/// assert_eq!(parse_quantity_bytes("5G"), Some(5_000_000_000));
/// assert_eq!(parse_quantity_bytes("lots"), None);
/// ```
pub fn parse_quantity_bytes(s: &str) -> Option<u64> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if split == 0 {
        return None;
    }
    let n: u64 = s.get(..split)?.parse().ok()?;
    let mult: u64 = match s.get(split..)? {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

fn put_cpu(into: &mut BTreeMap<String, String>, cpus: Option<f64>) {
    if let Some(c) = cpus {
        if c > 0.0 && c.is_finite() {
            into.insert("cpu".into(), cpu_quantity(c));
        }
    }
}

fn put_memory(into: &mut BTreeMap<String, String>, bytes: Option<u64>) {
    if let Some(b) = bytes {
        if b > 0 {
            into.insert("memory".into(), memory_quantity(b));
        }
    }
}

fn put_spec(
    into: &mut BTreeMap<String, String>,
    spec: &ResourceSpec,
    at: &InputPath,
    report: &mut Report,
) {
    put_cpu(into, spec.cpus);
    put_memory(into, spec.memory.map(|m| m.bytes()));
    if spec.pids.is_some() {
        report.add(
            at.key("pids"),
            Outcome::Dropped,
            "Kubernetes has no per-container process limit (a node-level setting)",
        );
    }
    if spec.devices.is_some() {
        report.add(
            at.key("devices"),
            Outcome::Dropped,
            "device reservations (GPUs) need a device plugin's resource name; add it to the manifests",
        );
    }
    if spec.generic_resources.is_some() {
        report.add(
            at.key("generic_resources"),
            Outcome::Dropped,
            "Swarm generic resources have no Kubernetes equivalent",
        );
    }
}

/// The resources of a service. `deploy.resources` wins over the legacy keys, as in Compose.
pub fn plan_resources(service: &Service, at: &InputPath, report: &mut Report) -> ResourcePlan {
    let mut r = ResourcePlan::default();
    put_cpu(&mut r.limits, service.cpus);
    put_memory(&mut r.limits, service.mem_limit.map(|m| m.bytes()));
    put_memory(&mut r.requests, service.mem_reservation.map(|m| m.bytes()));
    if let Some(res) = service.deploy.as_ref().and_then(|d| d.resources.as_ref()) {
        let dat = at.key("deploy").key("resources");
        if let Some(l) = &res.limits {
            put_spec(&mut r.limits, l, &dat.key("limits"), report);
        }
        if let Some(q) = &res.reservations {
            put_spec(&mut r.requests, q, &dat.key("reservations"), report);
        }
    }
    if let Some(shares) = service.cpu_shares {
        // 1024 is Docker's default weight, and Coolify writes it for every Application.
        if shares != 0 && shares != 1024 {
            report.add(
                at.key("cpu_shares"),
                Outcome::Dropped,
                "a relative CPU weight has no Kubernetes equivalent; set a CPU request instead",
            );
        }
    }
    // A request above its limit is invalid: cap requests at limits.
    for (k, req) in r.requests.clone() {
        if let Some(lim) = r.limits.get(&k) {
            if quantity_value(&req) > quantity_value(lim) {
                r.requests.insert(k, lim.clone());
            }
        }
    }
    r
}

/// The numeric value of a quantity this module wrote (for comparisons).
fn quantity_value(q: &str) -> f64 {
    if let Some(m) = q.strip_suffix('m') {
        return m.parse::<f64>().unwrap_or(0.0) / 1000.0;
    }
    parse_quantity_bytes(q).map(|b| b as f64).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{ByteSize, Deploy, Resources};

    #[test]
    fn zero_means_unlimited() {
        let s = Service {
            cpus: Some(0.0),
            mem_limit: Some(ByteSize::from_bytes(0)),
            ..Default::default()
        };
        let mut report = Report::default();
        let r = plan_resources(&s, &InputPath::root(), &mut report);
        assert!(r.limits.is_empty());
        assert!(r.requests.is_empty());
    }

    #[test]
    fn deploy_resources_and_legacy_keys() {
        let s = Service {
            cpus: Some(1.5),
            mem_reservation: Some(ByteSize::parse("256m").unwrap()),
            cpu_shares: Some(512),
            deploy: Some(Deploy {
                resources: Some(Resources {
                    limits: Some(ResourceSpec {
                        memory: Some(ByteSize::parse("1g").unwrap()),
                        pids: Some(100),
                        ..Default::default()
                    }),
                    reservations: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut report = Report::default();
        let at = InputPath::root().key("services").key("web");
        let r = plan_resources(&s, &at, &mut report);
        assert_eq!(r.limits.get("cpu").map(String::as_str), Some("1500m"));
        assert_eq!(r.limits.get("memory").map(String::as_str), Some("1Gi"));
        assert_eq!(r.requests.get("memory").map(String::as_str), Some("256Mi"));
        let paths: Vec<String> = report
            .entries()
            .iter()
            .map(|e| e.path.to_string())
            .collect();
        assert_eq!(
            paths,
            vec![
                "services.web.deploy.resources.limits.pids",
                "services.web.cpu_shares"
            ]
        );
    }

    #[test]
    fn requests_never_exceed_limits() {
        let s = Service {
            mem_limit: Some(ByteSize::parse("128m").unwrap()),
            mem_reservation: Some(ByteSize::parse("1g").unwrap()),
            ..Default::default()
        };
        let r = plan_resources(&s, &InputPath::root(), &mut Report::default());
        assert_eq!(r.requests.get("memory"), r.limits.get("memory"));
    }
}
