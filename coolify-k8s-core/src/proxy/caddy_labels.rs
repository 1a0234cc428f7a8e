//! caddy-docker-proxy labels (`caddy_0=https://host`, `caddy_0.handle_path=/p*`,
//! `caddy_0.handle_path.0_reverse_proxy={{upstreams 3000}}`, `encode`, `redir`, `basicauth`)
//! into [`Route`]s.
//!
//! Each `caddy` / `caddy_N` label is a Caddy site; its sub-labels are directives, with the
//! `N_` prefix and `_N` suffix that caddy-docker-proxy uses to order and tell apart
//! directives of one name.

use super::route::{BasicAuth, HttpMode, PathMatch, Route, Tls, WwwRedirect};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// True for a label that belongs to caddy-docker-proxy (`caddy`, `caddy_N`, `caddy.*`,
/// `caddy_N.*`, `caddy_ingress_network`).
pub fn is_caddy_label(key: &str) -> bool {
    let root = key.split('.').next().unwrap_or_default();
    root == "caddy"
        || root == "caddy_ingress_network"
        || root
            .strip_prefix("caddy_")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The directive name without caddy-docker-proxy's ordering prefix (`0_`) and
/// disambiguating suffix (`_1`).
fn directive(segment: &str) -> &str {
    let s = match segment.split_once('_') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => segment,
    };
    match s.rsplit_once('_') {
        Some((rest, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => s,
    }
}

#[derive(Debug, Default)]
struct Site {
    /// The site label's key, for the report.
    key: String,
    addresses: Option<String>,
    /// Sub-labels: directive path (after the site) to value, with the label's key.
    directives: Vec<(Vec<String>, String, String)>,
}

/// Read the Caddy labels of one service into routes to that service.
///
/// ```
/// use coolify_k8s_core::{proxy::caddy_labels::routes, InputPath, Report};
/// use std::collections::BTreeMap;
/// let labels: BTreeMap<String, String> = [
///     ("caddy_0", "https://app.example.com"),
///     ("caddy_0.handle_path", "/*"),
///     ("caddy_0.handle_path.0_reverse_proxy", "{{upstreams 3000}}"),
/// ].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
/// let mut report = Report::default();
/// let r = routes("web", &labels, &InputPath::root().key("labels"), &mut report);
/// assert_eq!((r[0].hosts[0].as_str(), r[0].port), ("app.example.com", Some(3000)));
/// ```
pub fn routes(
    service: &str,
    labels: &BTreeMap<String, String>,
    labels_path: &InputPath,
    report: &mut Report,
) -> Vec<Route> {
    let mut sites: BTreeMap<String, Site> = BTreeMap::new();
    for (key, value) in labels {
        if !is_caddy_label(key) {
            continue;
        }
        let mut parts = key.split('.');
        let root = parts.next().unwrap_or_default().to_string();
        if root == "caddy_ingress_network" {
            report.add(
                labels_path.key(key.clone()),
                Outcome::Dropped,
                "the proxy's Docker network has no meaning on Kubernetes: routers reach \
                 Services directly",
            );
            continue;
        }
        let rest: Vec<String> = parts.map(str::to_string).collect();
        let site = sites.entry(root.clone()).or_insert_with(|| Site {
            key: root.clone(),
            ..Site::default()
        });
        if rest.is_empty() {
            site.addresses = Some(value.clone());
        } else {
            site.directives.push((rest, value.clone(), key.clone()));
        }
    }

    let mut out = Vec::new();
    for site in sites.values() {
        let site_path = labels_path.key(site.key.clone());
        let Some(addresses) = &site.addresses else {
            report.add(
                site_path,
                Outcome::Dropped,
                "Caddy directives without a site address: no route",
            );
            continue;
        };
        if let Some(route) = site_route(service, site, addresses, labels_path, report) {
            out.push(route);
        }
    }
    out
}

/// The route of one site: its addresses, then each directive.
fn site_route(
    service: &str,
    site: &Site,
    addresses: &str,
    labels_path: &InputPath,
    report: &mut Report,
) -> Option<Route> {
    let site_path = labels_path.key(site.key.clone());
    let mut route = SiteAddresses::parse(addresses, &site_path, report)?.route(service);
    route.source = site_path;
    let mut basic_auth: Vec<String> = Vec::new();
    for (dpath, value, key) in &site.directives {
        apply_directive(
            &mut route,
            dpath,
            value,
            labels_path.key(key.clone()),
            &mut basic_auth,
            report,
        );
    }
    if !basic_auth.is_empty() {
        route.basic_auth = Some(BasicAuth {
            users: basic_auth,
            realm: None,
        });
    }
    Some(route)
}

/// What a site's addresses say: its hosts, the schemes served and a path.
#[derive(Debug, Default)]
struct SiteAddresses {
    hosts: Vec<String>,
    https: bool,
    http: bool,
    path: Option<String>,
}

impl SiteAddresses {
    /// Reads `a.example.com, http://b.example.com/api*`; none when no address has a host.
    fn parse(addresses: &str, site_path: &InputPath, report: &mut Report) -> Option<Self> {
        let mut out = SiteAddresses::default();
        for addr in addresses
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|a| !a.is_empty())
        {
            out.add(addr, site_path, report);
        }
        (!out.hosts.is_empty()).then_some(out)
    }

    fn add(&mut self, addr: &str, site_path: &InputPath, report: &mut Report) {
        let (scheme, rest) = match addr.split_once("://") {
            Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
            None => (None, addr),
        };
        let (hostport, p) = match rest.find('/') {
            Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i..)),
            None => (rest, None),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
            _ => (hostport, None),
        };
        if port.is_some() {
            report.add(
                site_path.clone(),
                Outcome::Approximated,
                format!("address {addr:?}: the listener port is the router's HTTP/HTTPS port"),
            );
        }
        match scheme.as_deref() {
            Some("http") => self.http = true,
            Some("https") | None => self.https = true,
            Some(other) => {
                report.add(
                    site_path.clone(),
                    Outcome::Dropped,
                    format!("address scheme {other:?} is not served"),
                );
                return;
            }
        }
        if host.is_empty() {
            report.add(
                site_path.clone(),
                Outcome::Dropped,
                format!("address {addr:?} has no host name; routes need one"),
            );
            return;
        }
        if let Some(p) = p {
            self.path = Some(p.trim_end_matches('*').to_string());
        }
        let host = host.to_ascii_lowercase();
        if !self.hosts.contains(&host) {
            self.hosts.push(host);
        }
    }

    /// The route before directives: hosts, TLS and HTTP as Caddy's automatic HTTPS serves
    /// them, the path.
    fn route(self, service: &str) -> Route {
        let mut route = Route::new(service, self.hosts);
        if self.https {
            route.tls = Some(Tls::default());
            // Caddy's automatic HTTPS redirects HTTP unless an http:// address is also given.
            route.http = if self.http {
                HttpMode::Serve
            } else {
                HttpMode::RedirectToHttps
            };
        }
        if let Some(p) = self.path {
            route.path = if p.is_empty() { "/".into() } else { p };
        }
        route
    }
}

/// One directive label of a site (`dpath` its segments after the site, `value` its value);
/// basic-auth users are collected into `basic_auth`.
fn apply_directive(
    route: &mut Route,
    dpath: &[String],
    value: &str,
    label_path: InputPath,
    basic_auth: &mut Vec<String>,
    report: &mut Report,
) {
    let names: Vec<&str> = dpath.iter().map(|s| directive(s)).collect();
    match names.as_slice() {
        ["reverse_proxy"] | ["handle" | "handle_path" | "route", "reverse_proxy"] => {
            match upstream_port(value) {
                Ok(port) => route.port = port,
                Err(msg) => report.add(label_path, Outcome::Dropped, msg),
            }
        }
        [h @ ("handle" | "handle_path")] => handle_path(route, value, *h == "handle_path"),
        ["encode", ..] => {
            route.compress = true;
            if !value.split_whitespace().any(|e| e == "gzip") {
                report.add(
                    label_path,
                    Outcome::Approximated,
                    "compression is gzip on Kubernetes routers",
                );
            }
        }
        ["header"] => {
            let v = value.trim();
            if let Some(name) = v.strip_prefix('-') {
                route.headers.response_remove.push(name.trim().to_string());
            } else if let Some((name, val)) = v.split_once(char::is_whitespace) {
                route
                    .headers
                    .response
                    .insert(name.to_string(), val.trim().trim_matches('"').to_string());
            } else {
                report.add(
                    label_path,
                    Outcome::Dropped,
                    "header directive not understood",
                );
            }
        }
        // The block form Coolify writes for noindex domains
        // (`caddy_0.header.0_-Server=`, `caddy_0.header.1_X-Robots-Tag="noindex, nofollow"`,
        // `fqdnLabelsForCaddy` in `bootstrap/helpers/docker.php`): the ordering prefix
        // `N_` then `-Name` (remove) or `Name` with the value.
        ["header", item] => {
            let name = item.split_once('_').map_or(*item, |(n, rest)| {
                if n.bytes().all(|b| b.is_ascii_digit()) {
                    rest
                } else {
                    item
                }
            });
            if let Some(removed) = name.strip_prefix('-') {
                route.headers.response_remove.push(removed.to_string());
            } else if !name.is_empty() {
                route
                    .headers
                    .response
                    .insert(name.to_string(), value.trim().trim_matches('"').to_string());
            }
        }
        ["try_files"] => report.add(
            label_path,
            Outcome::Dropped,
            "try_files checks Caddy's own file system, which holds none of the \
             application's files: it has no effect behind a reverse proxy",
        ),
        ["redir"] => match www_redirect(value, &route.hosts) {
            Some(w) => route.www_redirect = Some(w),
            None => report.add(
                label_path,
                Outcome::Dropped,
                "only Coolify's www / non-www redirects are translated from Caddy's redir",
            ),
        },
        ["basicauth" | "basic_auth"] => {
            if !value.trim().is_empty() {
                report.add(
                    label_path,
                    Outcome::Approximated,
                    "basic auth protects the whole route, not only the matched paths",
                );
            }
        }
        ["basicauth" | "basic_auth", user] => {
            // caddy-docker-proxy writes the user as the label's last segment.
            let user = dpath.last().map(String::as_str).unwrap_or(user);
            basic_auth.push(format!("{user}:{}", value.trim().trim_matches('"')));
        }
        ["tls", ..] => report.add(
            label_path,
            Outcome::Approximated,
            "certificates are issued by the cluster's setup (cert-manager), not Caddy",
        ),
        _ => report.add(
            label_path,
            Outcome::Dropped,
            "Caddy directive not translated to a Kubernetes route",
        ),
    }
}

/// `handle /api/*` or `handle_path /api/*` (which also strips the prefix): the route's path.
fn handle_path(route: &mut Route, value: &str, strip: bool) {
    let v = value.trim();
    let (p, m) = match v.strip_suffix('*') {
        Some(p) => (p, PathMatch::Prefix),
        None => (v, PathMatch::Exact),
    };
    let p = p.trim_end_matches('/');
    route.path = if p.is_empty() {
        "/".into()
    } else {
        p.to_string()
    };
    route.path_match = if route.path == "/" {
        PathMatch::Prefix
    } else {
        m
    };
    route.strip_prefix = strip && route.path != "/";
}

/// `{{upstreams}}` → the first port; `{{upstreams 3000}}` / `{{upstreams http 3000}}` → 3000.
fn upstream_port(value: &str) -> Result<Option<u16>, String> {
    let v = value.trim();
    let inner = v
        .strip_prefix("{{")
        .and_then(|s| s.strip_suffix("}}"))
        .map(str::trim);
    let Some(inner) = inner else {
        return Err(format!(
            "reverse_proxy to {v:?}: only {{{{upstreams …}}}} (this container) is translated"
        ));
    };
    let mut words = inner.split_whitespace();
    if words.next() != Some("upstreams") {
        return Err(format!("reverse_proxy template {v:?} is not understood"));
    }
    let mut port = None;
    for w in words {
        if matches!(w, "http" | "https" | "h2c") {
            continue;
        }
        match w.parse::<u16>() {
            Ok(p) if p > 0 => port = Some(p),
            _ => return Err(format!("invalid upstream port {w:?}")),
        }
    }
    Ok(port)
}

/// Coolify's `redir {scheme}://www.{host}{uri}` and `redir {scheme}://{bare}{uri}`.
fn www_redirect(value: &str, hosts: &[String]) -> Option<WwwRedirect> {
    let target = value.split_whitespace().next()?;
    let rest = target.split_once("://")?.1;
    let host = rest.strip_suffix("{uri}")?;
    let first = hosts.first()?;
    if host.strip_prefix("www.") == Some(first.as_str()) {
        Some(WwwRedirect::ToWww)
    } else if first.strip_prefix("www.") == Some(host) {
        Some(WwwRedirect::ToNonWww)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pairs: &[(&str, &str)]) -> (Vec<Route>, Report) {
        let labels: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut report = Report::default();
        let r = routes(
            "app",
            &labels,
            &InputPath::parse("services.app.labels"),
            &mut report,
        );
        (r, report)
    }

    /// Exactly what Coolify's `fqdnLabelsForCaddy` writes for `https://app.example.com/api`
    /// with port 3000, gzip and strip-prefix on.
    #[test]
    fn coolify_site_with_path_and_strip_prefix() {
        let (r, report) = run(&[
            ("caddy_0", "https://app.example.com"),
            ("caddy_0.encode", "zstd gzip"),
            ("caddy_0.handle_path", "/api*"),
            ("caddy_0.handle_path.0_reverse_proxy", "{{upstreams 3000}}"),
            ("caddy_0.header", "-Server"),
            ("caddy_0.try_files", "{path} /index.html /index.php"),
            ("caddy_ingress_network", "coolify"),
        ]);
        let mut want = Route::new("app", vec!["app.example.com".into()]);
        want.source = InputPath::parse("services.app.labels.caddy_0");
        want.tls = Some(Tls::default());
        want.http = HttpMode::RedirectToHttps;
        want.path = "/api".into();
        want.port = Some(3000);
        want.strip_prefix = true;
        want.compress = true;
        want.headers.response_remove = vec!["Server".into()];
        assert_eq!(r, vec![want]);
        // try_files and the ingress network are reported, nothing else.
        assert_eq!(report.entries().len(), 2, "{report:?}");
    }

    /// The header block Coolify writes for noindex domains (`fqdnLabelsForCaddy`:
    /// `caddy_N.header.0_-Server=`, `caddy_N.header.1_X-Robots-Tag="noindex, nofollow"`).
    #[test]
    fn coolify_noindex_header_block() {
        let (r, report) = run(&[
            ("caddy_0", "https://app.example.com"),
            ("caddy_0.reverse_proxy", "{{upstreams 80}}"),
            ("caddy_0.header.0_-Server", ""),
            ("caddy_0.header.1_X-Robots-Tag", "\"noindex, nofollow\""),
        ]);
        assert!(report.entries().is_empty(), "{report:?}");
        assert_eq!(r[0].headers.response_remove, vec!["Server".to_string()]);
        assert_eq!(
            r[0].headers
                .response
                .get("X-Robots-Tag")
                .map(String::as_str),
            Some("noindex, nofollow")
        );
    }

    /// Without force-HTTPS Coolify lists both schemes; `handle` keeps the prefix.
    #[test]
    fn coolify_site_http_and_https_without_strip_prefix() {
        let (r, report) = run(&[
            ("caddy_1", "http://a.io, https://a.io"),
            ("caddy_1.handle", "/*"),
            ("caddy_1.handle.1_reverse_proxy", "{{upstreams}}"),
        ]);
        assert!(report.entries().is_empty(), "{report:?}");
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].http, r[0].is_https()), (HttpMode::Serve, true));
        assert_eq!(
            (r[0].path.as_str(), r[0].port, r[0].strip_prefix),
            ("/", None, false)
        );
    }

    #[test]
    fn coolify_www_redirect_and_basic_auth() {
        let (r, report) = run(&[
            ("caddy_0", "https://example.com"),
            ("caddy_0.redir", "https://www.example.com{uri}"),
            (
                "caddy_0.basicauth.admin",
                "\"$2y$05$abcdefghijklmnopqrstuu5Zx8C0Q9Ts0yQe7VDPsE3N6jC9QW5y\"",
            ),
            ("caddy_0.reverse_proxy", "{{upstreams 80}}"),
        ]);
        assert!(report.entries().is_empty(), "{report:?}");
        assert_eq!(r[0].www_redirect, Some(WwwRedirect::ToWww));
        assert_eq!(
            r[0].basic_auth.as_ref().unwrap().users,
            vec!["admin:$2y$05$abcdefghijklmnopqrstuu5Zx8C0Q9Ts0yQe7VDPsE3N6jC9QW5y"]
        );
        let (r, _) = run(&[
            ("caddy_0", "https://www.example.com"),
            ("caddy_0.redir", "https://example.com{uri}"),
        ]);
        assert_eq!(r[0].www_redirect, Some(WwwRedirect::ToNonWww));
    }

    #[test]
    fn other_forms_are_reported() {
        let (r, report) = run(&[
            ("caddy", "example.com"),
            ("caddy.reverse_proxy", "other:8080"),
            ("caddy.rate_limit", "10r/s"),
            ("caddy.redir", "https://elsewhere.io{uri}"),
            ("caddy_2.encode", "gzip"),
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].http, HttpMode::RedirectToHttps);
        assert_eq!(report.entries().len(), 4, "{report:?}");
    }

    #[test]
    fn directive_names() {
        assert_eq!(directive("0_reverse_proxy"), "reverse_proxy");
        assert_eq!(directive("reverse_proxy_1"), "reverse_proxy");
        assert_eq!(directive("handle_path"), "handle_path");
        assert!(is_caddy_label("caddy_12.encode"));
        assert!(!is_caddy_label("caddyfile"));
    }
}
