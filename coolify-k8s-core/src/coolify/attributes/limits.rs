//! Coolify's `limits_*` columns (Applications and databases alike; `"0"` means none).

use super::Attrs;
use crate::compose::{ByteSize, Service};
use crate::error::Error;
use crate::path::InputPath;
use crate::report::{Outcome, Report};

/// A limit value: Coolify writes `"0"` for none.
fn limit(s: Option<String>) -> Option<String> {
    s.filter(|v| {
        let t = v.trim();
        !t.is_empty() && t.parse::<f64>().is_ok_and(|n| n != 0.0) || t.parse::<f64>().is_err()
    })
}

/// Memory, reservation, CPUs, CPU shares (1024 is Docker's default), cpuset; swap settings
/// are reported.
pub(in crate::coolify) fn apply_limits(
    a: &Attrs<'_>,
    svc: &mut Service,
    errors: &mut Vec<Error>,
    report: &mut Report,
) {
    let at = |k: &str| InputPath::root().key(k);
    if let Some(m) = limit(a.string("limits_memory")) {
        match ByteSize::parse(&m) {
            Ok(b) => svc.mem_limit = Some(b),
            Err(e) => errors.push(Error::new(at("limits_memory"), e)),
        }
    }
    if let Some(m) = limit(a.string("limits_memory_reservation")) {
        match ByteSize::parse(&m) {
            Ok(b) => svc.mem_reservation = Some(b),
            Err(e) => errors.push(Error::new(at("limits_memory_reservation"), e)),
        }
    }
    if let Some(c) = limit(a.string("limits_cpus")) {
        match c.parse::<f64>() {
            Ok(v) if v > 0.0 && v.is_finite() => svc.cpus = Some(v),
            _ => errors.push(Error::new(
                at("limits_cpus"),
                format!("{c:?} is not a CPU count"),
            )),
        }
    }
    if let Some(s) = limit(a.string("limits_cpu_shares")).filter(|s| s.trim() != "1024") {
        match s.parse::<i64>() {
            Ok(v) => svc.cpu_shares = Some(v),
            Err(_) => errors.push(Error::new(
                at("limits_cpu_shares"),
                format!("{s:?} is not a number"),
            )),
        }
    }
    if let Some(s) = limit(a.string("limits_cpuset")) {
        svc.cpuset = Some(s);
    }
    if let Some(s) = limit(a.string("limits_memory_swap")) {
        report.add(
            at("limits_memory_swap"),
            Outcome::Dropped,
            format!("swap limit {s}: Kubernetes manages swap per node"),
        );
    }
    if let Some(s) = a
        .text("limits_memory_swappiness")
        .filter(|s| s != "60" && s != "0")
    {
        report.add(
            at("limits_memory_swappiness"),
            Outcome::Dropped,
            format!("swappiness {s}: not settable per container on Kubernetes"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn limits(v: serde_json::Value) -> (Service, Vec<Error>, Report) {
        let (mut svc, mut errors, mut report) = Default::default();
        apply_limits(
            &Attrs::root(&v, "x").unwrap(),
            &mut svc,
            &mut errors,
            &mut report,
        );
        (svc, errors, report)
    }

    #[test]
    fn zero_is_none_and_docker_defaults_are_not_reported() {
        let (svc, errors, report) = limits(json!({"limits_memory": "0", "limits_cpus": "0",
            "limits_cpu_shares": 1024, "limits_memory_swap": "0", "limits_memory_swappiness": 60}));
        assert_eq!(
            (svc.mem_limit, svc.cpus, svc.cpu_shares),
            (None, None, None)
        );
        assert!(errors.is_empty() && report.entries().is_empty());
    }

    #[test]
    fn values_errors_and_reported_swap() {
        let (svc, errors, report) = limits(json!({"limits_memory": "1g", "limits_cpus": "0.5",
            "limits_cpu_shares": "512", "limits_cpuset": "0-1", "limits_memory_swap": "2g",
            "limits_memory_reservation": "lots"}));
        assert_eq!(svc.mem_limit, Some(ByteSize::from_bytes(1 << 30)));
        assert_eq!(
            (svc.cpus, svc.cpu_shares, svc.cpuset.as_deref()),
            (Some(0.5), Some(512), Some("0-1"))
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path.to_string(), "limits_memory_reservation");
        assert_eq!(report.entries()[0].path.to_string(), "limits_memory_swap");
    }
}
