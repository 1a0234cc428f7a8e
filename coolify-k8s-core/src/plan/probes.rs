//! Health checks → probes: a health check gives a readiness probe (it gates traffic and
//! `depends_on: service_healthy`, as Coolify's health check gates the rolling update) and a
//! startup probe covering `start_period`. Never a liveness probe unless the caller asks
//! (`liveness_probes`): Docker only marks a container unhealthy and Coolify never restarts
//! it for that, so a probe that kills would end a long first-boot migration.
//!
//! `CMD` runs its argv; `CMD-SHELL` and the string form run through `/bin/sh -c` (kompose
//! passes the string as one argv element, which cannot work).

use super::env::Values;
use super::model::{Container, Probe, ProbeAction};
use crate::compose::{Healthcheck, HealthcheckTest};
use crate::path::InputPath;
use crate::report::{Outcome, Report};

/// Docker's defaults: interval 30s, timeout 30s, retries 3, start interval 5s.
const DEFAULT_INTERVAL: u64 = 30;
const DEFAULT_TIMEOUT: u64 = 30;
const DEFAULT_RETRIES: u32 = 3;
const DEFAULT_START_INTERVAL: u64 = 5;

/// The probes of one container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probes {
    /// Readiness.
    pub readiness: Option<Probe>,
    /// Liveness.
    pub liveness: Option<Probe>,
    /// Startup.
    pub startup: Option<Probe>,
}

/// Probes from a health check. Secret variables the probe reads from the environment are
/// added to `helpers`.
pub fn plan_probes(
    hc: &Healthcheck,
    values: &mut Values,
    helpers: &mut Vec<String>,
    at: &InputPath,
    report: &mut Report,
) -> Probes {
    if hc.disable || matches!(hc.test, Some(HealthcheckTest::None)) {
        return Probes::default();
    }
    let tat = at.key("test");
    let command = match &hc.test {
        Some(HealthcheckTest::Cmd(argv)) if !argv.is_empty() => {
            values.probe_command(argv, false, helpers, &tat, report)
        }
        Some(HealthcheckTest::Shell(s)) if !s.trim().is_empty() => {
            values.probe_command(std::slice::from_ref(s), true, helpers, &tat, report)
        }
        Some(_) => {
            report.add(
                tat,
                Outcome::Dropped,
                "an empty health check command runs nothing",
            );
            return Probes::default();
        }
        None => {
            report.add(
                at.clone(),
                Outcome::Dropped,
                "timings without a test tune the image's own HEALTHCHECK, which Kubernetes does not run; no probe",
            );
            return Probes::default();
        }
    };
    let period = hc
        .interval
        .map(|d| d.as_secs_ceil().max(1))
        .unwrap_or(DEFAULT_INTERVAL);
    let timeout = hc
        .timeout
        .map(|d| d.as_secs_ceil().max(1))
        .unwrap_or(DEFAULT_TIMEOUT);
    let retries = hc.retries.unwrap_or(DEFAULT_RETRIES).max(1);
    let probe = Probe {
        action: ProbeAction::Exec(command),
        period: Some(period),
        timeout: Some(timeout),
        failure_threshold: Some(retries),
    };
    let startup = hc.start_period.and_then(|sp| {
        let secs = sp.as_secs_ceil();
        if secs == 0 {
            return None;
        }
        let every = hc
            .start_interval
            .map(|d| d.as_secs_ceil().max(1))
            .unwrap_or(DEFAULT_START_INTERVAL);
        // Failures inside the start period do not count on Docker; after it, `retries`
        // more failures are allowed.
        let within = u32::try_from(secs.div_ceil(every)).unwrap_or(u32::MAX);
        Some(Probe {
            period: Some(every),
            failure_threshold: Some(within.saturating_add(retries)),
            ..probe.clone()
        })
    });
    Probes {
        readiness: Some(probe.clone()),
        liveness: Some(probe),
        startup,
    }
}

/// The probes of a service's main container: its health check, with calls to its own
/// name turned to `localhost` (see [`own_host_to_localhost`]).
pub fn plan_service_probes(
    cx: &super::workload::ServiceContext<'_>,
    values: &mut Values,
    helpers: &mut Vec<String>,
    at: &InputPath,
    report: &mut Report,
) -> Probes {
    let mut probes = match &cx.service.healthcheck {
        Some(hc) => plan_probes(hc, values, helpers, &at.key("healthcheck"), report),
        None => return Probes::default(),
    };
    if !cx.options.liveness_probes {
        probes.liveness = None;
    }
    let mut own_host = false;
    for p in [
        &mut probes.readiness,
        &mut probes.liveness,
        &mut probes.startup,
    ]
    .into_iter()
    .flatten()
    {
        if let ProbeAction::Exec(argv) = &mut p.action {
            own_host |= own_host_to_localhost(argv, &[cx.name, cx.k8s_name]);
        }
    }
    if own_host {
        report.add(
            at.key("healthcheck").key("test"),
            Outcome::Approximated,
            "the health check calls its own service by name; on Kubernetes that Service only answers once the pod is Ready, so the probe calls localhost",
        );
    }
    probes
}

#[cfg(test)]
fn service_probes_for(options: &crate::options::Options, hc: Healthcheck) -> Probes {
    let service = crate::compose::Service {
        healthcheck: Some(hc),
        ..Default::default()
    };
    let cx = super::workload::ServiceContext {
        name: "web",
        k8s_name: "web",
        service: &service,
        options,
        is_job: false,
        url_routes: Vec::new(),
        project: "app",
    };
    plan_service_probes(
        &cx,
        &mut Values::default(),
        &mut Vec::new(),
        &InputPath::root().key("services").key("web"),
        &mut Report::default(),
    )
}

/// A Job's pod is not a Service backend that must be ready, and a liveness probe could
/// kill a one-shot task: a run-to-completion service keeps no probes (reported).
pub fn strip_for_job(container: &mut Container, at: &InputPath, report: &mut Report) {
    container.startup = None;
    if container.readiness.is_some() || container.liveness.is_some() {
        container.readiness = None;
        container.liveness = None;
        report.add(
            at.key("healthcheck"),
            Outcome::Dropped,
            "the service runs to completion (a Job): no probes",
        );
    }
}

/// Where a word stands as a host name in a health check command: after `//` (URLs), `@`
/// (user@host), or `-h` / `--host` (database clients).
const HOST_PREFIXES: &[&str] = &["//", "@", "-h ", "-h=", "--host ", "--host="];

/// A health check that calls its own service by name (`wget http://web:3000` in `web`)
/// works on Docker, where the name resolves to the container itself. On Kubernetes the
/// name is the Service, which only answers once the pod is Ready, so such a probe could
/// never pass: the service's own names in host positions become `localhost`. Returns
/// whether anything changed.
///
/// ```
/// use coolify_k8s_core::plan::probes::own_host_to_localhost;
/// let mut argv = vec!["/bin/sh".into(), "-c".into(), "wget -q http://web:3000/ && pg_isready -h web".into()];
/// assert!(own_host_to_localhost(&mut argv, &["web"]));
/// assert_eq!(argv[2], "wget -q http://localhost:3000/ && pg_isready -h localhost");
/// let mut other = vec!["curl".to_string(), "http://db:5432".into(), "/web/health".into()];
/// assert!(!own_host_to_localhost(&mut other, &["web"]));
/// ```
pub fn own_host_to_localhost(argv: &mut [String], names: &[&str]) -> bool {
    let mut changed = false;
    for arg in argv.iter_mut() {
        for name in names.iter().filter(|n| !n.is_empty()) {
            for prefix in HOST_PREFIXES {
                changed |= super::dns::replace_host(arg, prefix, name, "localhost");
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::Duration;

    fn d(s: &str) -> Option<Duration> {
        Some(Duration::parse(s).unwrap())
    }

    #[test]
    fn shell_form_runs_through_sh() {
        let hc = Healthcheck {
            test: Some(HealthcheckTest::Shell(
                "pg_isready -U ${POSTGRES_USER}".into(),
            )),
            interval: d("5s"),
            timeout: d("20s"),
            retries: Some(10),
            ..Default::default()
        };
        let p = plan_probes(
            &hc,
            &mut Values::default(),
            &mut vec![],
            &InputPath::root(),
            &mut Report::default(),
        );
        let r = p.readiness.unwrap();
        assert_eq!(
            r.action,
            ProbeAction::Exec(vec![
                "/bin/sh".into(),
                "-c".into(),
                "pg_isready -U ${POSTGRES_USER}".into()
            ])
        );
        assert_eq!(
            (r.period, r.timeout, r.failure_threshold),
            (Some(5), Some(20), Some(10))
        );
        assert_eq!(p.liveness.as_ref().map(|l| &l.action), Some(&r.action));
        assert!(p.startup.is_none());
    }

    #[test]
    fn health_checks_never_kill_unless_asked() {
        let hc = Healthcheck {
            test: Some(HealthcheckTest::Shell("curl -f http://web:3000/".into())),
            start_period: d("10m"),
            ..Default::default()
        };
        let p = service_probes_for(&crate::options::Options::default(), hc.clone());
        assert!(p.liveness.is_none(), "a health check gave a liveness probe");
        assert!(p.readiness.is_some());
        // The start period is honoured: 600s / 5s = 120 tries, then 3 retries.
        assert_eq!(p.startup.unwrap().failure_threshold, Some(123));
        let asked = crate::options::Options {
            liveness_probes: true,
            ..Default::default()
        };
        let p = service_probes_for(&asked, hc);
        assert_eq!(p.liveness, p.readiness);
    }

    #[test]
    fn cmd_form_and_start_period() {
        let hc = Healthcheck {
            test: Some(HealthcheckTest::Cmd(vec![
                "redis-cli".into(),
                "ping".into(),
            ])),
            start_period: d("30s"),
            ..Default::default()
        };
        let p = plan_probes(
            &hc,
            &mut Values::default(),
            &mut vec![],
            &InputPath::root(),
            &mut Report::default(),
        );
        assert_eq!(
            p.readiness.as_ref().unwrap().action,
            ProbeAction::Exec(vec!["redis-cli".into(), "ping".into()])
        );
        let s = p.startup.unwrap();
        // 30s / 5s = 6 tries in the start period, then 3 retries.
        assert_eq!((s.period, s.failure_threshold), (Some(5), Some(9)));
        assert_eq!(p.readiness.unwrap().period, Some(30));
    }

    #[test]
    fn disabled_and_timing_only_give_none() {
        let mut report = Report::default();
        for hc in [
            Healthcheck {
                disable: true,
                ..Default::default()
            },
            Healthcheck {
                test: Some(HealthcheckTest::None),
                ..Default::default()
            },
        ] {
            let p = plan_probes(
                &hc,
                &mut Values::default(),
                &mut vec![],
                &InputPath::root(),
                &mut report,
            );
            assert_eq!(p, Probes::default());
        }
        assert!(report.entries().is_empty());
        let hc = Healthcheck {
            interval: d("10s"),
            ..Default::default()
        };
        let p = plan_probes(
            &hc,
            &mut Values::default(),
            &mut vec![],
            &InputPath::root(),
            &mut report,
        );
        assert_eq!(p, Probes::default());
        assert_eq!(report.entries().len(), 1);
    }
}
