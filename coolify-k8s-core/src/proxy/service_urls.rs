//! Routes of Compose services from Coolify's `SERVICE_URL_*` / `SERVICE_FQDN_*` keys: each
//! id a service declares gets the domain(s) resolved for it (see
//! [`crate::coolify::magic_values`]), routed to the container port the key names, with the
//! switches Coolify applies to services (force-HTTPS, gzip and strip-prefix on).

use super::fqdn::{self, FqdnSettings};
use super::route::Route;
use crate::compose::{HealthcheckTest, Service, ServiceUrl};
use crate::coolify::magic_values::MagicValues;
use crate::error::Error;
use crate::options::Options;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// The routes of one service's `SERVICE_URL_*` / `SERVICE_FQDN_*` keys, one per id and
/// domain. `service_path` is the service's path in the input (`services.web`).
///
/// ```
/// use coolify_k8s_core::compose::{MagicVariable, Service, ServiceUrl, ServiceUrlKind};
/// use coolify_k8s_core::coolify::magic_values::{resolve_with, ResolveOptions};
/// use coolify_k8s_core::proxy::{fqdn::FqdnSettings, service_urls};
/// use coolify_k8s_core::InputPath;
/// let mut web = Service::default();
/// web.urls.push(ServiceUrl { variable: "SERVICE_URL_APP_3000".into(), kind: ServiceUrlKind::Url,
///                            id: "APP".into(), port: Some(3000), path: None });
/// let vars = [("SERVICE_URL_APP_3000".to_string(),
///              MagicVariable::parse("SERVICE_URL_APP_3000").unwrap())].into();
/// let values = resolve_with(&vars, &ResolveOptions { resource: "blog",
///     base_domain: Some("https://example.com"), ..Default::default() }).unwrap();
/// let routes = service_urls::routes("web", &web, &values, &FqdnSettings::default(),
///                                   &InputPath::parse("services.web")).unwrap();
/// assert_eq!(routes[0].hosts, vec!["app-blog.example.com"]);
/// assert_eq!(routes[0].port, Some(3000));
/// ```
pub fn routes(
    service_name: &str,
    service: &Service,
    values: &MagicValues,
    settings: &FqdnSettings,
    service_path: &InputPath,
) -> Result<Vec<Route>, Vec<Error>> {
    // One entry per id, in declared order; the port is the one any key of the id names,
    // the path the one any key's value gives.
    let mut ids: Vec<(&str, Option<u16>, Option<&str>, &ServiceUrl)> = Vec::new();
    for u in &service.urls {
        match ids.iter_mut().find(|(id, _, _, _)| *id == u.id) {
            Some(entry) => {
                entry.1 = entry.1.or(u.port);
                entry.2 = entry.2.or(u.path.as_deref());
            }
            None => ids.push((u.id.as_str(), u.port, u.path.as_deref(), u)),
        }
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (id, port, own_path, first) in ids {
        let Some(list) = values.urls.get(id) else {
            continue;
        };
        // The report names the key as written in the input: the domain list is a value,
        // its index is not an input path.
        let path = service_path.key("environment").key(first.variable.clone());
        match fqdn::routes(service_name, list, settings, &path) {
            Ok(routes) => out.extend(routes.into_iter().map(|mut r| {
                r.source = path.clone();
                if port.is_some() {
                    r.port = port;
                }
                // Each service keeps its own path of a shared id (Coolify keeps one FQDN per
                // service); a stored value that already holds a path keeps it, once.
                if let Some(p) = own_path.filter(|p| *p != "/") {
                    if r.path == "/" {
                        r.path = p.trim_end_matches('/').to_string();
                        r.strip_prefix = settings.strip_prefix;
                    }
                }
                r
            })),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The routes of one service's `SERVICE_URL_*` / `SERVICE_FQDN_*` keys with the port of
/// port-less ones decided as Coolify decides it (see [`default_port`]); the choice is
/// reported. This is the plan stage's one entry point for service URLs.
pub fn service_routes(
    service_name: &str,
    service: &Service,
    values: &MagicValues,
    options: &Options,
    service_path: &InputPath,
    report: &mut Report,
) -> Result<Vec<Route>, Vec<Error>> {
    let mut out = routes(
        service_name,
        service,
        values,
        &FqdnSettings::default(),
        service_path,
    )?;
    if out.iter().any(|r| r.port.is_none()) {
        if let Some((port, why)) = default_port(service_name, service, options) {
            let mut said = std::collections::BTreeSet::new();
            for r in out.iter_mut().filter(|r| r.port.is_none()) {
                r.port = Some(port);
                if said.insert(r.source.clone()) {
                    report.add(
                        r.source.clone(),
                        Outcome::Mapped,
                        format!("neither the variable nor its value names a port: routed to port {port} ({why})"),
                    );
                }
            }
        }
    }
    Ok(out)
}

/// The container port of a service's port-less `SERVICE_URL_<ID>` / `SERVICE_FQDN_<ID>`
/// routes, with the reason, when something decides it. In order:
/// - the caller's `route_ports` option for the service;
/// - the template's `# port: N` header (option `required_port`, read from the template by the
///   translator): Coolify's *required port* (`Service::getRequiredPort()` and
///   `ServiceApplication::getRequiredPort()` in `app/Models/*.php`), which Coolify's UI demands
///   in the domain and its proxy labels then route to (`fqdnLabelsForTraefik` in
///   `bootstrap/helpers/docker.php` takes the port of the stored FQDN);
/// - for a service that declares no `ports` / `expose`, the port of the URL its health check
///   calls on itself (`http://localhost:3000/health`, or `http://127.0.0.1`: 80, see
///   [`local_url_port`]): Docker's proxy would use the image's
///   `EXPOSE`, which the translator cannot read, and the health check shows where the
///   application listens.
///
/// A `:port` in the stored value (a `SERVICE_URL_<ID>` stored as `https://h:3000`) wins over
/// all of these (it is in the route already); without any, the route takes the workload's
/// first port, or is reported when it has none.
pub fn default_port(
    service_name: &str,
    service: &Service,
    options: &Options,
) -> Option<(u16, &'static str)> {
    if let Some(p) = options.route_ports.get(service_name) {
        return Some((*p, "the route_ports option"));
    }
    if let Some(p) = options.required_port {
        return Some((
            p,
            "the template's `# port:` header, Coolify's required port",
        ));
    }
    if service.ports.is_empty() && service.expose.is_empty() {
        if let Some(p) = service
            .healthcheck
            .as_ref()
            .and_then(|h| h.test.as_ref())
            .and_then(healthcheck_port)
        {
            return Some((p, "the port its health check calls"));
        }
    }
    None
}

/// The port of the first `http(s)://<local host>:<port>` URL in a health check.
fn healthcheck_port(test: &HealthcheckTest) -> Option<u16> {
    let text = match test {
        HealthcheckTest::Cmd(argv) => argv.join(" "),
        HealthcheckTest::Shell(s) => s.clone(),
        HealthcheckTest::None => return None,
    };
    local_url_port(&text)
}

/// The port of the first URL to a local host (`localhost`, `127.0.0.1`, `0.0.0.0`,
/// `[::1]`) in `text`; without a `:port`, its scheme's (`http` 80, `https` 443), as curl
/// and wget call it (WordPress's `curl -f http://127.0.0.1`).
///
/// ```
/// use coolify_k8s_core::proxy::service_urls::local_url_port;
/// assert_eq!(local_url_port("curl -f http://localhost:3000/health"), Some(3000));
/// assert_eq!(local_url_port("curl -f http://127.0.0.1"), Some(80));
/// assert_eq!(local_url_port("wget -qO- https://localhost/ping"), Some(443));
/// assert_eq!(local_url_port("curl http://localhostname/"), None);
/// assert_eq!(local_url_port("redis://localhost"), None);
/// ```
pub fn local_url_port(text: &str) -> Option<u16> {
    const HOSTS: [&str; 4] = ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"];
    text.match_indices("://").find_map(|(i, _)| {
        let rest = text.get(i + 3..)?;
        let host = HOSTS.iter().find(|h| rest.starts_with(**h))?;
        let after = rest.get(host.len()..)?;
        if let Some(port) = after.strip_prefix(':') {
            let digits: String = port.chars().take_while(char::is_ascii_digit).collect();
            return digits.parse::<u16>().ok().filter(|p| *p > 0);
        }
        // The host must end here (`/`, `?`, a quote, a space, the end), and the scheme be
        // HTTP's: `redis://localhost` says nothing of a port the proxy could route to.
        let ends = after
            .chars()
            .next()
            .is_none_or(|c| matches!(c, '/' | '?' | '#' | '"' | '\'' | ' ' | ';' | ')'));
        if !ends {
            return None;
        }
        // The scheme is the word before `://`.
        let scheme = text[..i]
            .rsplit(|c: char| !c.is_ascii_alphanumeric())
            .next()?;
        match scheme {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        }
    })
}

/// The `# port: N` header of a Coolify template (`templates/compose/*.yaml`), which
/// Coolify reads as the service's required port. Only the leading comment block counts.
///
/// ```
/// use coolify_k8s_core::proxy::service_urls::template_port;
/// assert_eq!(template_port("# documentation: x\n# port: 3000\n\nservices: {}\n"), Some(3000));
/// assert_eq!(template_port("services: {}\n# port: 3000\n"), None);
/// ```
pub fn template_port(text: &str) -> Option<u16> {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .find_map(|l| {
            let v = l.strip_prefix('#')?.trim().strip_prefix("port:")?.trim();
            v.parse::<u16>().ok().filter(|p| *p > 0)
        })
}

/// The paths of URL ids declared with a path value (`SERVICE_URL_API=/api`), for
/// [`crate::coolify::magic_values::ResolveOptions::url_paths`].
pub fn url_paths<'a>(services: impl IntoIterator<Item = &'a Service>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in services {
        for u in &s.urls {
            if let Some(p) = &u.path {
                out.entry(u.id.clone()).or_insert_with(|| p.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{MagicVariable, ServiceUrlKind};
    use crate::coolify::magic_values::{resolve_with, ResolveOptions};
    use crate::proxy::HttpMode;
    use std::collections::BTreeMap;

    fn url(var: &str, path: Option<&str>) -> ServiceUrl {
        let m = MagicVariable::parse(var).unwrap();
        ServiceUrl {
            variable: var.into(),
            kind: if var.starts_with("SERVICE_URL") {
                ServiceUrlKind::Url
            } else {
                ServiceUrlKind::Fqdn
            },
            id: m.id,
            port: m.port,
            path: path.map(str::to_string),
        }
    }

    #[test]
    fn one_route_per_id_with_the_named_port_and_path() {
        let s = Service {
            urls: vec![
                url("SERVICE_FQDN_APP", None),
                url("SERVICE_URL_APP_8080", None),
                url("SERVICE_URL_API_3000", Some("/api")),
            ],
            ..Service::default()
        };
        let vars = s
            .urls
            .iter()
            .map(|u| {
                (
                    u.variable.clone(),
                    MagicVariable::parse(&u.variable).unwrap(),
                )
            })
            .collect();
        let values = resolve_with(
            &vars,
            &ResolveOptions {
                resource: "r",
                url_paths: url_paths([&s]),
                ..ResolveOptions::default()
            },
        )
        .unwrap();
        let r = routes(
            "web",
            &s,
            &values,
            &FqdnSettings::default(),
            &InputPath::parse("services.web"),
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].hosts, vec!["app-r.127.0.0.1.sslip.io"]);
        assert_eq!(r[0].port, Some(8080));
        assert_eq!(r[0].http, HttpMode::Serve);
        assert!(!r[0].is_https());
        assert_eq!(
            (r[1].path.as_str(), r[1].port, r[1].strip_prefix),
            ("/api", Some(3000), true)
        );
        assert_eq!(
            r[1].source.to_string(),
            "services.web.environment.SERVICE_URL_API_3000"
        );
    }

    fn resolved(services: &[&Service], supplied: &BTreeMap<String, String>) -> MagicValues {
        let vars = services
            .iter()
            .flat_map(|s| s.urls.iter())
            .map(|u| {
                (
                    u.variable.clone(),
                    MagicVariable::parse(&u.variable).unwrap(),
                )
            })
            .collect();
        resolve_with(
            &vars,
            &ResolveOptions {
                supplied: Some(supplied),
                resource: "r",
                url_paths: url_paths(services.iter().copied()),
                ..ResolveOptions::default()
            },
        )
        .unwrap()
    }

    fn service(urls: Vec<ServiceUrl>) -> Service {
        Service {
            urls,
            ..Service::default()
        }
    }

    fn plan_routes(s: &Service, values: &MagicValues, options: &Options) -> (Vec<Route>, Report) {
        let mut report = Report::default();
        let r = service_routes(
            "web",
            s,
            values,
            options,
            &InputPath::parse("services.web"),
            &mut report,
        )
        .unwrap();
        (r, report)
    }

    /// `# port: N` is Coolify's required port (`Service::getRequiredPort()`,
    /// `app/Models/Service.php`): a port-less URL routes to it, and the report says why.
    #[test]
    fn a_portless_url_takes_the_template_port_then_the_option() {
        let s = service(vec![url("SERVICE_URL_KARAKEEP", None)]);
        let values = resolved(&[&s], &BTreeMap::new());
        let (r, _) = plan_routes(&s, &values, &Options::default());
        assert_eq!(r[0].port, None);
        let header = Options {
            required_port: template_port("# logo: x.svg\n# port: 3000\nservices:\n"),
            ..Options::default()
        };
        let (r, report) = plan_routes(&s, &values, &header);
        assert_eq!(r[0].port, Some(3000));
        assert_eq!(
            report.entries()[0].path.to_string(),
            "services.web.environment.SERVICE_URL_KARAKEEP"
        );
        assert!(report.entries()[0].message.contains("`# port:` header"));
        let option = Options {
            route_ports: [("web".to_string(), 8080)].into(),
            ..header
        };
        assert_eq!(plan_routes(&s, &values, &option).0[0].port, Some(8080));
        // A port in the variable's name wins over both.
        let named = service(vec![url("SERVICE_URL_APP_5000", None)]);
        let values = resolved(&[&named], &BTreeMap::new());
        assert_eq!(plan_routes(&named, &values, &option).0[0].port, Some(5000));
    }

    #[test]
    fn a_stored_port_and_the_health_check_give_the_port() {
        let mut s = service(vec![url("SERVICE_FQDN_APP", None)]);
        // A `:port` in the stored value, as Coolify stores a service's FQDN.
        let stored: BTreeMap<String, String> = [(
            "SERVICE_URL_APP".to_string(),
            "https://app.example.com:4000".to_string(),
        )]
        .into();
        let values = resolved(&[&s], &stored);
        let (r, _) = plan_routes(&s, &values, &Options::default());
        assert_eq!(
            (r[0].hosts[0].as_str(), r[0].port),
            ("app.example.com", Some(4000))
        );
        // The variable's value carries no port.
        assert_eq!(values.values["SERVICE_FQDN_APP"], "app.example.com");
        // No ports declared: the port the health check calls on itself.
        s.healthcheck = Some(crate::compose::Healthcheck {
            test: Some(HealthcheckTest::Shell(
                "wget -qO- http://127.0.0.1:8088/health || exit 1".into(),
            )),
            ..Default::default()
        });
        let values = resolved(&[&s], &BTreeMap::new());
        assert_eq!(
            plan_routes(&s, &values, &Options::default()).0[0].port,
            Some(8088)
        );
        assert_eq!(local_url_port("curl -f http://localhost:3000/"), Some(3000));
        assert_eq!(local_url_port("curl -f http://db:3000/"), None);
    }

    /// Coolify stores `SERVICE_FQDN_*` without a scheme and `SERVICE_URL_*` with one
    /// (`bootstrap/helpers/parsers.php`): a stored https URL keeps TLS whatever the FQDN says,
    /// and drives the host even when the template only references the FQDN.
    #[test]
    fn a_stored_https_url_keeps_tls_over_a_bare_fqdn() {
        let s = service(vec![url("SERVICE_FQDN_APP_3000", None)]);
        let stored: BTreeMap<String, String> = [
            (
                "SERVICE_FQDN_APP".to_string(),
                "app.example.com".to_string(),
            ),
            (
                "SERVICE_URL_APP".to_string(),
                "https://app.example.com".to_string(),
            ),
        ]
        .into();
        let values = resolved(&[&s], &stored);
        let (r, _) = plan_routes(&s, &values, &Options::default());
        assert!(r[0].is_https());
        assert_eq!(r[0].hosts, vec!["app.example.com"]);
        assert_eq!(r[0].port, Some(3000));
        // Only the FQDN stored: Coolify's default scheme (here the default base domain's).
        let only_fqdn: BTreeMap<String, String> =
            [("SERVICE_FQDN_APP".to_string(), "x.example.com".to_string())].into();
        let values = resolved(&[&s], &only_fqdn);
        assert_eq!(values.urls["APP"], "http://x.example.com");
    }

    /// Two services sharing an id each keep their own path; the value holds the path once.
    #[test]
    fn each_service_keeps_its_own_path_of_a_shared_id() {
        let web = service(vec![url("SERVICE_URL_APP_3000", None)]);
        let api = service(vec![url("SERVICE_URL_APP_8080", Some("/api"))]);
        let values = resolved(&[&web, &api], &BTreeMap::new());
        let (w, _) = plan_routes(&web, &values, &Options::default());
        let (a, _) = plan_routes(&api, &values, &Options::default());
        assert_eq!((w[0].path.as_str(), w[0].strip_prefix), ("/", false));
        assert_eq!((a[0].path.as_str(), a[0].strip_prefix), ("/api", true));
        assert_eq!(w[0].hosts, a[0].hosts);
        assert_eq!(
            values.values["SERVICE_URL_APP_8080"],
            "http://app-r.127.0.0.1.sslip.io/api"
        );
        // A stored value that already holds the path keeps it once.
        let stored: BTreeMap<String, String> = [(
            "SERVICE_URL_APP".to_string(),
            "https://h.example.com/api".to_string(),
        )]
        .into();
        let values = resolved(&[&api], &stored);
        let (a, _) = plan_routes(&api, &values, &Options::default());
        assert_eq!(a[0].path, "/api");
        assert_eq!(
            values.values["SERVICE_URL_APP_8080"],
            "https://h.example.com/api"
        );
    }
}
