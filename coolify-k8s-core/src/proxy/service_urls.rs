//! Routes of Compose services from Coolify's `SERVICE_URL_*` / `SERVICE_FQDN_*` keys: each
//! id a service declares gets the domain(s) resolved for it (see
//! [`crate::coolify::magic_values`]), routed to the container port the key names, with the
//! switches Coolify applies to services (force-HTTPS, gzip and strip-prefix on).

use super::fqdn::{self, FqdnSettings};
use super::route::Route;
use crate::compose::{Service, ServiceUrl};
use crate::coolify::magic_values::MagicValues;
use crate::error::Error;
use crate::path::InputPath;
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
    // One entry per id, in declared order; the port is the one any key of the id names.
    let mut ids: Vec<(&str, Option<u16>, &ServiceUrl)> = Vec::new();
    for u in &service.urls {
        match ids.iter_mut().find(|(id, _, _)| *id == u.id) {
            Some(entry) => {
                if entry.1.is_none() {
                    entry.1 = u.port;
                }
            }
            None => ids.push((u.id.as_str(), u.port, u)),
        }
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (id, port, first) in ids {
        let Some(list) = values.urls.get(id) else {
            continue;
        };
        let path = service_path.key("environment").key(first.variable.clone());
        match fqdn::routes(service_name, list, settings, &path) {
            Ok(routes) => out.extend(routes.into_iter().map(|mut r| {
                if port.is_some() {
                    r.port = port;
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
            "services.web.environment.SERVICE_URL_API_3000[0]"
        );
    }
}
