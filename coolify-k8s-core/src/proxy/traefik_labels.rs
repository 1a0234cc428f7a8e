//! Traefik's Docker provider labels (`traefik.http.routers.*`, `traefik.http.services.*`,
//! `traefik.http.middlewares.*`) into [`Route`]s.
//!
//! Coolify writes an HTTP and an HTTPS router per domain (`http-0-<uuid>`,
//! `https-0-<uuid>`); the two are one route on Kubernetes: the HTTPS router gives the
//! TLS and the middlewares, the HTTP router says whether plain HTTP is served or redirected.
//! Labels that mean nothing for routing, or that a Kubernetes route cannot carry, go into the
//! report with the label's path.

use super::route::{BasicAuth, HttpMode, PathMatch, RegexRedirect, Route, Tls, WwwRedirect};
use super::traefik_rule;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// The regex and replacement of Coolify's redirect to `www.` (`redirect: www`).
pub const COOLIFY_TO_WWW: (&str, &str) = (r"^(http|https)://(?:www\.)?(.+)", "${1}://www.${2}");
/// The regex and replacement of Coolify's redirect to the bare host (`redirect: non-www`).
pub const COOLIFY_TO_NON_WWW: (&str, &str) = (r"^(http|https)://www\.(.+)", "${1}://${2}");

/// True for a label that belongs to Traefik (`traefik.*`, any case).
pub fn is_traefik_label(key: &str) -> bool {
    key.len() > 8
        && key
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("traefik."))
}

#[derive(Debug, Default)]
struct Router {
    rule: Option<String>,
    entry_points: Vec<String>,
    service: Option<String>,
    middlewares: Vec<String>,
    tls: bool,
    cert_resolver: Option<String>,
}

#[derive(Debug, Default)]
struct Middleware {
    /// Option name (lowercase, after the type) to value.
    kind: String,
    options: BTreeMap<String, (String, String)>,
}

/// Read the Traefik labels of one service into routes to that service.
///
/// `labels_path` is the path of the service's `labels` (entries are reported under it).
///
/// ```
/// use coolify_k8s_core::{proxy::traefik_labels::routes, InputPath, Report};
/// use std::collections::BTreeMap;
/// let labels: BTreeMap<String, String> = [
///     ("traefik.enable", "true"),
///     ("traefik.http.routers.web.rule", "Host(`app.example.com`)"),
///     ("traefik.http.routers.web.tls", "true"),
///     ("traefik.http.services.web.loadbalancer.server.port", "3000"),
/// ].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
/// let mut report = Report::default();
/// let r = routes("web", &labels, &InputPath::root().key("labels"), &mut report);
/// assert_eq!(r[0].hosts, vec!["app.example.com"]);
/// assert_eq!(r[0].port, Some(3000));
/// assert!(r[0].is_https());
/// ```
pub fn routes(
    service: &str,
    labels: &BTreeMap<String, String>,
    labels_path: &InputPath,
    report: &mut Report,
) -> Vec<Route> {
    let declared = Declared::read(labels, labels_path, report);
    if !declared.enabled {
        if !declared.routers.is_empty() {
            report.add(
                labels_path.key("traefik.enable"),
                Outcome::Mapped,
                "traefik.enable=false: the service's routers are not exposed",
            );
        }
        return Vec::new();
    }
    let mut groups = Groups::default();
    for (name, (first_path, router)) in &declared.routers {
        let at = RouterPaths {
            labels: labels_path,
            name,
            first: first_path,
        };
        declared.router_parts(service, router, &at, &mut groups, report);
    }
    groups.merge()
}

/// What a service's Traefik labels declare: routers (with the path of their first label),
/// load-balancer ports and middlewares, by name.
#[derive(Debug)]
struct Declared {
    routers: BTreeMap<String, (InputPath, Router)>,
    services: BTreeMap<String, Option<u16>>,
    middlewares: BTreeMap<String, Middleware>,
    /// `traefik.enable` (true unless `false`).
    enabled: bool,
}

impl Declared {
    /// Reads every `traefik.*` label; what routing does not use is reported.
    fn read(
        labels: &BTreeMap<String, String>,
        labels_path: &InputPath,
        report: &mut Report,
    ) -> Self {
        let mut d = Declared {
            routers: BTreeMap::new(),
            services: BTreeMap::new(),
            middlewares: BTreeMap::new(),
            enabled: true,
        };
        for (key, value) in labels {
            if is_traefik_label(key) {
                d.read_label(key, value, labels_path.key(key.clone()), report);
            }
        }
        d
    }

    fn read_label(&mut self, key: &str, value: &str, path: InputPath, report: &mut Report) {
        let rest = key.get(8..).unwrap_or_default();
        let parts: Vec<&str> = rest.split('.').collect();
        let lower: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
        let l: Vec<&str> = lower.iter().map(String::as_str).collect();
        // The name segment as written (names are case-sensitive).
        let name = parts.get(2).copied().unwrap_or_default().to_string();
        match l.as_slice() {
            ["enable"] => {
                self.enabled = !value.trim().eq_ignore_ascii_case("false");
            }
            ["docker", ..] => report.add(
                path,
                Outcome::Dropped,
                "Traefik's Docker provider settings have no meaning on Kubernetes",
            ),
            ["http", "routers", _, prop @ ..] if !prop.is_empty() => {
                let entry = self
                    .routers
                    .entry(name)
                    .or_insert_with(|| (path.clone(), Router::default()));
                entry.1.read_option(prop, value, path, report);
            }
            ["http", "services", _, "loadbalancer", "server", "port"] => {
                match value.trim().parse::<u16>() {
                    Ok(p) if p > 0 => {
                        self.services.insert(name, Some(p));
                    }
                    _ => {
                        report.add(
                            path,
                            Outcome::Dropped,
                            format!("invalid port {value:?}: the route uses the first port"),
                        );
                        self.services.entry(name).or_insert(None);
                    }
                }
            }
            ["http", "services", _, ..] => {
                self.services.entry(name).or_insert(None);
                report.add(
                    path,
                    Outcome::Dropped,
                    "load-balancer options other than the server port (scheme, sticky sessions, \
                     health checks) are not carried over; the Kubernetes Service balances",
                );
            }
            ["http", "middlewares", _, kind, opt @ ..] => {
                let m = self.middlewares.entry(name).or_default();
                m.kind = kind.to_string();
                // Header names keep their case (`customrequestheaders.X-Foo`).
                let opt_orig = parts.get(4..).map(|p| p.join(".")).unwrap_or_default();
                m.options
                    .insert(opt.join("."), (opt_orig, value.to_string()));
            }
            ["tcp", ..] | ["udp", ..] => report.add(
                path,
                Outcome::Dropped,
                "TCP and UDP routers are not translated: expose the port with a Service \
                 (published ports option)",
            ),
            _ => report.add(path, Outcome::Dropped, "not a Traefik routing label"),
        }
    }

    /// The port a router's traffic goes to: its service's load-balancer port, the only
    /// declared service's without one, else none (the route takes the first port).
    fn router_port(
        &self,
        router: &Router,
        at: &RouterPaths<'_>,
        report: &mut Report,
    ) -> Option<u16> {
        let Some(s) = &router.service else {
            return if self.services.len() == 1 {
                self.services.values().next().copied().flatten()
            } else {
                None
            };
        };
        if let Some(p) = self.services.get(s) {
            return *p;
        }
        report.add(
            at.option("service"),
            Outcome::Approximated,
            format!(
                "service {s:?} is not defined by this service's labels: the route goes to this \
                 service's first port"
            ),
        );
        None
    }

    /// The router's route before its rule says where: port, source and middlewares; and
    /// whether it redirects to HTTPS.
    fn base_route(
        &self,
        service: &str,
        router: &Router,
        at: &RouterPaths<'_>,
        report: &mut Report,
    ) -> (Route, bool) {
        let mut base = Route::new(service, Vec::new());
        base.source = at.option("rule");
        base.port = self.router_port(router, at, report);
        let mut redirects_to_https = false;
        for m in &router.middlewares {
            let local = strip_provider(m);
            if local != m.as_str() && !m.ends_with("@docker") {
                report.add(
                    at.option("middlewares"),
                    Outcome::Dropped,
                    format!("middleware {m:?} comes from another Traefik provider"),
                );
                continue;
            }
            let Some(def) = self.middlewares.get(local) else {
                report.add(
                    at.option("middlewares"),
                    Outcome::Dropped,
                    format!("middleware {local:?} is not defined by this service's labels"),
                );
                continue;
            };
            let p = at
                .labels
                .key(format!("traefik.http.middlewares.{local}.{}", def.kind));
            apply_middleware(&mut base, &mut redirects_to_https, def, &p, report);
        }
        (base, redirects_to_https)
    }

    /// One part per alternative of the router's rule, into the group of what it serves.
    fn router_parts(
        &self,
        service: &str,
        router: &Router,
        at: &RouterPaths<'_>,
        groups: &mut Groups,
        report: &mut Report,
    ) {
        let name = at.name;
        let Some(rule) = &router.rule else {
            report.add(
                at.first.clone(),
                Outcome::Dropped,
                format!("router {name:?} has no rule: Traefik's default rule is not translated"),
            );
            return;
        };
        let rule_path = at.option("rule");
        let alternatives = match traefik_rule::parse(rule) {
            Ok(a) => a,
            Err(e) => {
                report.add(
                    rule_path,
                    Outcome::Dropped,
                    format!("cannot read the rule: {e}"),
                );
                return;
            }
        };
        for ep in &router.entry_points {
            if !matches!(
                ep.to_ascii_lowercase().as_str(),
                "http" | "https" | "web" | "websecure"
            ) {
                report.add(
                    at.option("entrypoints"),
                    Outcome::Approximated,
                    format!("entry point {ep:?} is served on the router's HTTP or HTTPS listener"),
                );
            }
        }
        let (base, redirects_to_https) = self.base_route(service, router, at, report);
        for alt in alternatives {
            if !alt.unsupported.is_empty() {
                report.add(
                    rule_path.clone(),
                    Outcome::Approximated,
                    format!(
                        "rule conditions {} are not expressible on Kubernetes routes; the route \
                         matches without them",
                        alt.unsupported.join(", ")
                    ),
                );
            }
            if alt.hosts.is_empty() {
                report.add(
                    rule_path.clone(),
                    Outcome::Dropped,
                    "a rule without Host(…) matches every host; routes need a host name",
                );
                continue;
            }
            let mut route = base.clone();
            route.hosts = alt.hosts;
            if let Some((p, m)) = alt.path {
                route.path = normalize_path(&p);
                route.path_match = m;
            }
            if route.strip_prefix && route.path == "/" {
                route.strip_prefix = false;
            }
            route.tls = router.tls.then(|| Tls {
                cert_resolver: router.cert_resolver.clone(),
            });
            groups.add(Part {
                route,
                tls: router.tls,
                redirects_to_https,
            });
        }
    }
}

/// Where one router's labels are, for the report.
struct RouterPaths<'a> {
    /// The service's `labels`.
    labels: &'a InputPath,
    /// The router's name.
    name: &'a str,
    /// The router's first label.
    first: &'a InputPath,
}

impl RouterPaths<'_> {
    /// `traefik.http.routers.<name>.<option>`.
    fn option(&self, option: &str) -> InputPath {
        self.labels
            .key(format!("traefik.http.routers.{}.{option}", self.name))
    }
}

/// One router alternative's route.
#[derive(Debug)]
struct Part {
    route: Route,
    tls: bool,
    redirects_to_https: bool,
}

/// What a router serves: hosts, path, path match, port.
type Target = (Vec<String>, String, PathMatch, Option<u16>);

/// Parts grouped by what they serve, in the order first seen.
#[derive(Debug, Default)]
struct Groups(Vec<(Target, Vec<Part>)>);

impl Groups {
    fn add(&mut self, part: Part) {
        let r = &part.route;
        let key = (r.hosts.clone(), r.path.clone(), r.path_match, r.port);
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, parts)) => parts.push(part),
            None => self.0.push((key, vec![part])),
        }
    }

    /// One route per group, as Coolify's router pair means it: the TLS router gives the
    /// features, the HTTP router says whether plain HTTP is served or redirected.
    fn merge(self) -> Vec<Route> {
        let mut out = Vec::new();
        for (_, parts) in self.0 {
            let tls_part = parts.iter().find(|p| p.tls);
            let http_part = parts.iter().find(|p| !p.tls);
            let mut route = match (tls_part, http_part) {
                (Some(t), _) => t.route.clone(),
                (None, Some(h)) => h.route.clone(),
                (None, None) => continue,
            };
            route.http = match (tls_part, http_part) {
                (Some(_), Some(h)) if h.redirects_to_https => HttpMode::RedirectToHttps,
                (Some(_), Some(_)) => HttpMode::Serve,
                (Some(_), None) => HttpMode::None,
                (None, Some(h)) if h.redirects_to_https => {
                    // An HTTP-only router that redirects to HTTPS, with no HTTPS router
                    // here: the HTTPS side is served by another router; keep the redirect.
                    route.tls = Some(Tls::default());
                    HttpMode::RedirectToHttps
                }
                _ => HttpMode::Serve,
            };
            out.push(route);
        }
        out
    }
}

impl Router {
    /// One `traefik.http.routers.<name>.<prop>` label.
    fn read_option(&mut self, prop: &[&str], value: &str, path: InputPath, report: &mut Report) {
        match prop {
            ["rule"] => self.rule = Some(value.to_string()),
            ["entrypoints"] => self.entry_points = split_list(value),
            ["service"] => self.service = Some(strip_provider(value).to_string()),
            ["middlewares"] => self.middlewares = split_list(value),
            ["tls"] => self.tls = value.trim().eq_ignore_ascii_case("true"),
            ["tls", "certresolver"] => {
                self.tls = true;
                self.cert_resolver = Some(value.to_string());
            }
            ["tls", ..] => {
                self.tls = true;
                report.add(
                    path,
                    Outcome::Dropped,
                    "TLS options and domains are decided by the cluster's certificate \
                     setup (cert-manager), not by router labels",
                );
            }
            ["priority"] | ["rulesyntax"] | ["observability", ..] => report.add(
                path,
                Outcome::Dropped,
                "router priority, rule syntax and observability settings are not carried \
                 over; Kubernetes routers order rules by path length",
            ),
            _ => report.add(path, Outcome::Dropped, "unknown Traefik router option"),
        }
    }
}

fn apply_middleware(
    route: &mut Route,
    redirects_to_https: &mut bool,
    def: &Middleware,
    path: &InputPath,
    report: &mut Report,
) {
    let opt = |k: &str| def.options.get(k).map(|(_, v)| v.as_str());
    match def.kind.as_str() {
        "redirectscheme" => {
            if opt("scheme").is_some_and(|s| s.eq_ignore_ascii_case("https")) {
                *redirects_to_https = true;
            } else {
                report.add(
                    path.clone(),
                    Outcome::Dropped,
                    "only redirects to https are translated",
                );
            }
            if opt("port").is_some() {
                report.add(
                    path.key("port"),
                    Outcome::Dropped,
                    "the redirect goes to the default HTTPS port",
                );
            }
        }
        "redirectregex" => {
            let regex = opt("regex").unwrap_or_default();
            let replacement = opt("replacement").unwrap_or_default();
            let permanent = opt("permanent").is_some_and(|p| p.eq_ignore_ascii_case("true"));
            if (regex, replacement) == COOLIFY_TO_WWW && !permanent {
                route.www_redirect = Some(WwwRedirect::ToWww);
            } else if (regex, replacement) == COOLIFY_TO_NON_WWW && !permanent {
                route.www_redirect = Some(WwwRedirect::ToNonWww);
            } else if regex.is_empty() || replacement.is_empty() {
                report.add(
                    path.clone(),
                    Outcome::Dropped,
                    "redirectregex needs regex and replacement",
                );
            } else {
                route.redirects.push(RegexRedirect {
                    regex: regex.to_string(),
                    replacement: replacement.to_string(),
                    permanent,
                });
            }
        }
        "stripprefix" => {
            let prefixes = split_list(opt("prefixes").unwrap_or_default());
            route.strip_prefix = true;
            // Coolify strips exactly the route's path; Kubernetes routers strip the matched
            // prefix, so that is what the route carries.
            if prefixes.len() > 1 {
                report.add(
                    path.key("prefixes"),
                    Outcome::Approximated,
                    "several prefixes: the route strips its own path prefix",
                );
            }
            if def.options.contains_key("forceslash") {
                report.add(
                    path.key("forceSlash"),
                    Outcome::Dropped,
                    "forceSlash is Traefik's default behaviour and is not configurable elsewhere",
                );
            }
        }
        "compress" => route.compress = true,
        "basicauth" => {
            let users = split_list(opt("users").unwrap_or_default());
            if users.is_empty() {
                report.add(
                    path.clone(),
                    Outcome::Dropped,
                    "basic auth without `users` (a users file cannot be read from labels)",
                );
            } else {
                route.basic_auth = Some(BasicAuth {
                    users,
                    realm: opt("realm").map(str::to_string),
                });
            }
            for k in def.options.keys() {
                if !matches!(k.as_str(), "users" | "realm") {
                    report.add(
                        path.key(k.clone()),
                        Outcome::Dropped,
                        "basic auth option not carried over",
                    );
                }
            }
        }
        "headers" => {
            for (k, (orig, v)) in &def.options {
                if let Some(h) = k.strip_prefix("customrequestheaders.") {
                    let name = orig.split_once('.').map_or(h, |(_, n)| n).to_string();
                    route.headers.request.insert(name, v.clone());
                } else if let Some(h) = k.strip_prefix("customresponseheaders.") {
                    let name = orig.split_once('.').map_or(h, |(_, n)| n).to_string();
                    if v.is_empty() {
                        route.headers.response_remove.push(name);
                    } else {
                        route.headers.response.insert(name, v.clone());
                    }
                } else {
                    report.add(
                        path.key(orig.clone()),
                        Outcome::Dropped,
                        "only custom request and response headers are translated",
                    );
                }
            }
        }
        other => report.add(
            path.clone(),
            Outcome::Dropped,
            format!("Traefik middleware type {other:?} is not translated"),
        ),
    }
}

/// Traefik lists are comma separated.
fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// `name@docker` → `name` (a provider suffix).
fn strip_provider(s: &str) -> &str {
    s.trim().split('@').next().unwrap_or_default()
}

fn normalize_path(p: &str) -> String {
    let p = p.trim();
    if p.is_empty() {
        "/".to_string()
    } else if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Outcome;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn run(pairs: &[(&str, &str)]) -> (Vec<Route>, Report) {
        let mut report = Report::default();
        let r = routes(
            "app",
            &labels(pairs),
            &InputPath::parse("services.app.labels"),
            &mut report,
        );
        (r, report)
    }

    /// Exactly what Coolify's `fqdnLabelsForTraefik` writes for
    /// `https://app.example.com` with port 3000, force-HTTPS and gzip on.
    #[test]
    fn coolify_https_domain_with_force_https() {
        let (r, report) = run(&[
            ("traefik.enable", "true"),
            ("traefik.http.middlewares.gzip.compress", "true"),
            (
                "traefik.http.middlewares.redirect-to-https.redirectscheme.scheme",
                "https",
            ),
            ("traefik.http.routers.http-0-u1.entryPoints", "http"),
            (
                "traefik.http.routers.http-0-u1.middlewares",
                "redirect-to-https",
            ),
            (
                "traefik.http.routers.http-0-u1.rule",
                "Host(`app.example.com`) && PathPrefix(`/`)",
            ),
            ("traefik.http.routers.http-0-u1.service", "http-0-u1"),
            ("traefik.http.routers.https-0-u1.entryPoints", "https"),
            ("traefik.http.routers.https-0-u1.middlewares", "gzip"),
            (
                "traefik.http.routers.https-0-u1.rule",
                "Host(`app.example.com`) && PathPrefix(`/`)",
            ),
            ("traefik.http.routers.https-0-u1.service", "https-0-u1"),
            ("traefik.http.routers.https-0-u1.tls", "true"),
            (
                "traefik.http.routers.https-0-u1.tls.certresolver",
                "letsencrypt",
            ),
            (
                "traefik.http.services.http-0-u1.loadbalancer.server.port",
                "3000",
            ),
            (
                "traefik.http.services.https-0-u1.loadbalancer.server.port",
                "3000",
            ),
        ]);
        assert!(report.entries().is_empty(), "{report:?}");
        let mut want = Route::new("app", vec!["app.example.com".into()]);
        want.source =
            InputPath::parse("services.app.labels[\"traefik.http.routers.https-0-u1.rule\"]");
        want.port = Some(3000);
        want.tls = Some(Tls {
            cert_resolver: Some("letsencrypt".into()),
        });
        want.http = HttpMode::RedirectToHttps;
        want.compress = true;
        assert_eq!(r, vec![want]);
    }

    /// Coolify without force-HTTPS: the HTTP router serves the app too.
    #[test]
    fn coolify_https_domain_without_force_https_serves_http() {
        let (r, _) = run(&[
            ("traefik.enable", "true"),
            ("traefik.http.routers.http-0-u1.entryPoints", "http"),
            (
                "traefik.http.routers.http-0-u1.rule",
                "Host(`a.io`) && PathPrefix(`/`)",
            ),
            ("traefik.http.routers.https-0-u1.entryPoints", "https"),
            (
                "traefik.http.routers.https-0-u1.rule",
                "Host(`a.io`) && PathPrefix(`/`)",
            ),
            ("traefik.http.routers.https-0-u1.tls", "true"),
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].http, HttpMode::Serve);
        assert!(r[0].is_https());
        assert_eq!(r[0].port, None);
    }

    /// Coolify with a path, strip-prefix and gzip on an `http://` domain.
    #[test]
    fn coolify_http_domain_with_path_and_strip_prefix() {
        let (r, report) = run(&[
            ("traefik.enable", "true"),
            ("traefik.http.middlewares.gzip.compress", "true"),
            (
                "traefik.http.middlewares.http-0-u1-stripprefix.stripprefix.prefixes",
                "/api",
            ),
            ("traefik.http.routers.http-0-u1.entryPoints", "http"),
            (
                "traefik.http.routers.http-0-u1.middlewares",
                "http-0-u1-stripprefix,gzip",
            ),
            (
                "traefik.http.routers.http-0-u1.rule",
                "Host(`a.io`) && PathPrefix(`/api`)",
            ),
            ("traefik.http.routers.http-0-u1.service", "http-0-u1"),
            (
                "traefik.http.services.http-0-u1.loadbalancer.server.port",
                "8080",
            ),
        ]);
        assert!(report.entries().is_empty(), "{report:?}");
        assert_eq!(r.len(), 1);
        let r = &r[0];
        assert_eq!(
            (r.path.as_str(), r.port, r.strip_prefix, r.compress),
            ("/api", Some(8080), true, true)
        );
        assert_eq!((r.tls.is_none(), r.http), (true, HttpMode::Serve));
    }

    /// Coolify's www redirect and basic auth (`$$` already unescaped by the loader).
    #[test]
    fn coolify_www_redirect_and_basic_auth() {
        let (r, report) = run(&[
            (
                "traefik.http.middlewares.0-u1-to-www.redirectregex.regex",
                r"^(http|https)://(?:www\.)?(.+)",
            ),
            (
                "traefik.http.middlewares.0-u1-to-www.redirectregex.replacement",
                "${1}://www.${2}",
            ),
            (
                "traefik.http.middlewares.0-u1-to-www.redirectregex.permanent",
                "false",
            ),
            (
                "traefik.http.middlewares.http-basic-auth-u1.basicauth.users",
                "admin:$2y$05$abcdefghijklmnopqrstuu5Zx8C0Q9Ts0yQe7VDPsE3N6jC9QW5y",
            ),
            (
                "traefik.http.routers.https-0-u1.middlewares",
                "gzip,0-u1-to-www,http-basic-auth-u1",
            ),
            (
                "traefik.http.routers.https-0-u1.rule",
                "Host(`example.com`) && PathPrefix(`/`)",
            ),
            ("traefik.http.routers.https-0-u1.tls", "true"),
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].www_redirect, Some(WwwRedirect::ToWww));
        let auth = r[0].basic_auth.as_ref().unwrap();
        assert_eq!(auth.users.len(), 1);
        assert!(auth.users[0].starts_with("admin:$2y$05$"));
        assert_eq!(r[0].http, HttpMode::None);
        // `gzip` is referenced but not defined here: reported, and no secret in the report.
        assert_eq!(report.entries().len(), 1, "{report:?}");
        assert_eq!(report.entries()[0].outcome, Outcome::Dropped);
        assert!(!report.entries()[0].message.contains("$2y$"));
    }

    #[test]
    fn several_hosts_and_alternatives() {
        let (r, _) = run(&[(
            "traefik.http.routers.r.rule",
            "Host(`a.io`) || (Host(`b.io`) && PathPrefix(`/b`))",
        )]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].hosts.clone(), r[0].path.as_str()),
            (vec!["a.io".to_string()], "/")
        );
        assert_eq!(
            (r[1].hosts.clone(), r[1].path.as_str()),
            (vec!["b.io".to_string()], "/b")
        );
    }

    #[test]
    fn headers_middleware() {
        let (r, report) = run(&[
            (
                "traefik.http.middlewares.h.headers.customrequestheaders.X-Forwarded-Proto",
                "https",
            ),
            (
                "traefik.http.middlewares.h.headers.customresponseheaders.Server",
                "",
            ),
            ("traefik.http.middlewares.h.headers.stsSeconds", "31536000"),
            ("traefik.http.routers.r.middlewares", "h@docker"),
            ("traefik.http.routers.r.rule", "Host(`a.io`)"),
        ]);
        assert_eq!(
            r[0].headers
                .request
                .get("X-Forwarded-Proto")
                .map(String::as_str),
            Some("https")
        );
        assert_eq!(r[0].headers.response_remove, vec!["Server"]);
        assert_eq!(report.entries().len(), 1);
        assert!(report.entries()[0].path.to_string().contains("stsSeconds"));
    }

    #[test]
    fn disabled_unknown_and_bad_labels_are_reported() {
        let (r, report) = run(&[
            ("traefik.enable", "false"),
            ("traefik.http.routers.r.rule", "Host(`a.io`)"),
        ]);
        assert!(r.is_empty());
        assert_eq!(report.entries().len(), 1);

        let (r, report) = run(&[
            ("traefik.http.routers.r.rule", "Host(`a.io`"),
            ("traefik.tcp.routers.t.rule", "HostSNI(`*`)"),
            ("traefik.http.services.s.loadbalancer.server.port", "99999"),
            ("traefik.http.middlewares.m.ratelimit.average", "10"),
            ("traefik.http.routers.q.rule", "PathPrefix(`/x`)"),
            ("traefik.http.routers.q.middlewares", "m,auth@file"),
        ]);
        assert!(r.is_empty());
        let paths: Vec<String> = report
            .entries()
            .iter()
            .map(|e| e.path.to_string())
            .collect();
        assert!(
            paths.iter().any(|p| p.contains("routers.r.rule")),
            "{paths:?}"
        );
        assert!(paths.iter().any(|p| p.contains("tcp.routers")), "{paths:?}");
        assert!(paths.iter().any(|p| p.contains("server.port")), "{paths:?}");
        assert!(
            paths.iter().any(|p| p.contains("middlewares.m.ratelimit")),
            "{paths:?}"
        );
        assert!(report
            .entries()
            .iter()
            .any(|e| e.message.contains("another Traefik provider")));
        assert!(report
            .entries()
            .iter()
            .any(|e| e.message.contains("every host")));
    }
}
