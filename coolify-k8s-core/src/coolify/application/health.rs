//! An Application's health check (`health_check_*`): Coolify's Docker check is kept as the
//! Compose test, and an HTTP check also becomes the probes' `httpGet` (the plan's probes
//! replace their command with it). What a Kubernetes HTTP probe cannot check is reported.

use super::super::attributes::{health_check_timings, Attrs};
use super::at;
use crate::compose::{Healthcheck, HealthcheckTest};
use crate::error::Error;
use crate::plan::ProbeAction;
use crate::report::{Outcome, Report};

/// The health check and, for an HTTP check, the probes' action; nothing when
/// `health_check_enabled` is off (Coolify's default).
pub(super) fn check(
    a: &Attrs<'_>,
    first_port: Option<u16>,
    errors: &mut Vec<Error>,
    report: &mut Report,
) -> (Option<Healthcheck>, Option<ProbeAction>) {
    if !a.flag("health_check_enabled", false) {
        return (None, None);
    }
    let mut hc = health_check_timings(a, errors);
    let kind = a
        .text("health_check_type")
        .unwrap_or_else(|| "http".into())
        .to_ascii_lowercase();
    let mut http_probe = None;
    if kind == "cmd" {
        match a.text("health_check_command") {
            Some(c) => hc.test = Some(HealthcheckTest::Shell(c)),
            None => errors.push(Error::new(
                at("health_check_command"),
                "a command health check needs a command",
            )),
        }
    } else {
        http_probe = http(a, &mut hc, first_port, errors, report);
    }
    (Some(hc), http_probe)
}

/// An HTTP check: Coolify's `curl || wget` command as the Compose test, and the `httpGet`
/// (host left out when it is the container itself, as the kubelet then asks the pod's IP).
fn http(
    a: &Attrs<'_>,
    hc: &mut Healthcheck,
    first_port: Option<u16>,
    errors: &mut Vec<Error>,
    report: &mut Report,
) -> Option<ProbeAction> {
    let port = match a.number("health_check_port", errors) {
        Some(p) => u16::try_from(p).ok().filter(|p| *p > 0),
        None => first_port,
    };
    let path = a.text("health_check_path").unwrap_or_else(|| "/".into());
    let scheme = a
        .text("health_check_scheme")
        .unwrap_or_else(|| "http".into())
        .to_ascii_lowercase();
    let host = a
        .text("health_check_host")
        .unwrap_or_else(|| "localhost".into());
    let Some(port) = port else {
        errors.push(Error::new(
            at("health_check_port"),
            "an HTTP health check needs a port (health_check_port or ports_exposes)",
        ));
        return None;
    };
    let url = format!("{scheme}://{host}:{port}{path}");
    hc.test = Some(HealthcheckTest::Shell(format!(
        "curl -s -X GET -f {url} > /dev/null || wget -q -O- {url} > /dev/null || exit 1"
    )));
    let local = matches!(host.as_str(), "localhost" | "127.0.0.1" | "0.0.0.0" | "::1");
    let action = ProbeAction::HttpGet {
        path: if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        },
        port,
        scheme: if scheme == "https" {
            "HTTPS".into()
        } else {
            "HTTP".into()
        },
        host: if local { None } else { Some(host) },
    };
    report_http_limits(a, report);
    Some(action)
}

/// What Coolify's check tests and a Kubernetes HTTP probe cannot: another method, the body,
/// one exact status.
fn report_http_limits(a: &Attrs<'_>, report: &mut Report) {
    if a.text("health_check_method")
        .is_some_and(|m| !m.eq_ignore_ascii_case("GET"))
    {
        report.add(
            at("health_check_method"),
            Outcome::Approximated,
            "Kubernetes HTTP probes use GET",
        );
    }
    if a.text("health_check_response_text").is_some() {
        report.add(
            at("health_check_response_text"),
            Outcome::Dropped,
            "Kubernetes HTTP probes check the status, not the body",
        );
    }
    if a.text("health_check_return_code")
        .is_some_and(|c| c != "200")
    {
        report.add(
            at("health_check_return_code"),
            Outcome::Approximated,
            "Kubernetes HTTP probes accept any status from 200 to 399",
        );
    }
}
