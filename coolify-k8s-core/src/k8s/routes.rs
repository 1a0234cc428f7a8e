//! Route objects for the chosen router (`--router`): the shared context of the three
//! renderers ([`super::ingress`], [`super::traefik`], [`super::gateway`]) and the dispatcher.

use crate::options::{IngressController, Options, Router};
use crate::plan::names;
use crate::proxy::Route;
use crate::report::{Outcome, Report};
use serde_json::Value;
use std::collections::BTreeMap;

/// The workload a list of routes belongs to, as the build stage knows it.
#[derive(Debug, Clone, Copy)]
pub struct RouteTarget<'a> {
    /// The workload's name: the prefix of every route object's name (`<name>-<i>`).
    pub name: &'a str,
    /// The namespace of the objects.
    pub namespace: &'a str,
    /// Labels for every object (the workload's selector labels and Coolify identity).
    pub labels: &'a BTreeMap<String, String>,
    /// The Kubernetes Service the routes send traffic to.
    pub service_name: &'a str,
    /// The Service port used by routes that name none (the workload's first port).
    pub default_port: Option<u16>,
}

/// The route objects of one workload for the router in `options`, in apply order
/// (Secrets, Middlewares, then the routes themselves). What the router cannot express goes
/// into `report` with the route's source path.
pub fn render(
    routes: &[Route],
    target: &RouteTarget<'_>,
    options: &Options,
    report: &mut Report,
) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        let name = names::suffixed(target.name, &format!("-{i}"));
        let Some(port) = route.port.or(target.default_port) else {
            report.add(
                route.source.clone(),
                Outcome::Dropped,
                format!(
                    "the route to {} has no port, and the service has none: not exposed \
                     (Coolify's proxy would take the image's EXPOSE port, which the translator \
                     cannot read: give the port with route_ports / --route-port SERVICE=PORT)",
                    route.hosts.join(", ")
                ),
            );
            continue;
        };
        let ctx = RouteContext {
            route,
            name: &name,
            port,
            target,
        };
        match options.router {
            Router::Ingress => out.extend(super::ingress::render(&ctx, options, report)),
            Router::Traefik => out.extend(super::traefik::render(&ctx, options, report)),
            Router::Gateway => out.extend(super::gateway::render(&ctx, options, report)),
            Router::None => report.add(
                route.source.clone(),
                Outcome::Dropped,
                format!(
                    "router none: {} is not exposed outside the cluster",
                    route.url().unwrap_or_default()
                ),
            ),
        }
    }
    out
}

/// One route being rendered.
#[derive(Debug, Clone, Copy)]
pub struct RouteContext<'a> {
    /// The route.
    pub route: &'a Route,
    /// The base name of its objects.
    pub name: &'a str,
    /// The Service port it targets.
    pub port: u16,
    /// The workload.
    pub target: &'a RouteTarget<'a>,
}

impl RouteContext<'_> {
    /// The name of an object derived from the route's (`<name>-<suffix>`), within 63
    /// characters.
    pub fn derived(&self, suffix: &str) -> String {
        names::suffixed(self.name, &format!("-{suffix}"))
    }

    /// Standard object metadata: name, namespace, labels, annotations.
    pub fn metadata(&self, name: &str, annotations: BTreeMap<String, String>) -> Value {
        let mut m = serde_json::json!({
            "name": name,
            "namespace": self.target.namespace,
        });
        if !self.target.labels.is_empty() {
            m["labels"] = serde_json::json!(self.target.labels);
        }
        if !annotations.is_empty() {
            m["annotations"] = serde_json::json!(annotations);
        }
        m
    }
}

/// True when the chosen router enforces basic auth: a route that Coolify protects with basic
/// auth is never exposed without it.
pub fn enforces_basic_auth(options: &Options) -> bool {
    match options.router {
        Router::Traefik => true,
        Router::Ingress => matches!(
            options.ingress_controller,
            IngressController::Traefik | IngressController::Nginx
        ),
        Router::Gateway | Router::None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::HttpPair;
    use crate::proxy::fqdn::{self, FqdnSettings, RedirectDirection};
    use crate::proxy::BasicAuth;
    use crate::InputPath;

    fn routes(fqdns: &str, settings: &FqdnSettings) -> Vec<Route> {
        fqdn::routes("web", fqdns, settings, &InputPath::root().key("fqdn")).unwrap()
    }

    fn run(routes: &[Route], options: &Options) -> (Vec<Value>, Report) {
        let labels: BTreeMap<String, String> =
            [("app.kubernetes.io/name".to_string(), "web".to_string())].into();
        let target = RouteTarget {
            name: "web",
            namespace: "acme",
            labels: &labels,
            service_name: "web",
            default_port: Some(80),
        };
        let mut report = Report::default();
        let objects = render(routes, &target, options, &mut report);
        (objects, report)
    }

    fn kinds(objects: &[Value]) -> Vec<String> {
        objects
            .iter()
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap(),
                    o["metadata"]["name"].as_str().unwrap()
                )
            })
            .collect()
    }

    fn opts(router: Router) -> Options {
        Options {
            router,
            ..Options::default()
        }
    }

    #[test]
    fn ingress_https_route_has_cert_manager_tls() {
        let r = routes("https://app.example.com:3000", &FqdnSettings::default());
        let (o, report) = run(&r, &opts(Router::Ingress));
        assert_eq!(kinds(&o), vec!["Ingress/web-0"]);
        let ing = &o[0];
        assert_eq!(ing["apiVersion"], "networking.k8s.io/v1");
        assert_eq!(
            ing["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
            "letsencrypt"
        );
        assert_eq!(ing["spec"]["tls"][0]["secretName"], "web-0-tls");
        assert_eq!(ing["spec"]["tls"][0]["hosts"][0], "app.example.com");
        let path = &ing["spec"]["rules"][0]["http"]["paths"][0];
        assert_eq!(path["pathType"], "Prefix");
        assert_eq!(path["backend"]["service"]["port"]["number"], 3000);
        // Force-HTTPS and gzip cannot be expressed without a known controller: reported.
        assert_eq!(report.entries().len(), 1);
        assert_eq!(report.entries()[0].path.to_string(), "fqdn[0]");
    }

    #[test]
    fn ingress_with_traefik_controller_uses_middlewares() {
        let s = FqdnSettings {
            redirect: RedirectDirection::Www,
            ..FqdnSettings::default()
        };
        let r = routes("https://example.com/api", &s);
        let o = Options {
            ingress_controller: IngressController::Traefik,
            ingress_class: Some("traefik".into()),
            ..opts(Router::Ingress)
        };
        let (objects, report) = run(&r, &o);
        assert!(report.entries().is_empty(), "{report:?}");
        assert_eq!(
            kinds(&objects),
            vec![
                "Middleware/web-0-stripprefix",
                "Middleware/web-0-gzip",
                "Middleware/web-0-to-www",
                "Middleware/web-0-redirect-to-https",
                "Ingress/web-0"
            ]
        );
        let ing = objects.last().unwrap();
        assert_eq!(
            ing["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"],
            "acme-web-0-redirect-to-https@kubernetescrd,acme-web-0-stripprefix@kubernetescrd,\
             acme-web-0-gzip@kubernetescrd,acme-web-0-to-www@kubernetescrd"
        );
        assert_eq!(ing["spec"]["ingressClassName"], "traefik");
        assert_eq!(objects[0]["spec"]["stripPrefix"]["prefixes"][0], "/api");
    }

    #[test]
    fn basic_auth_routes_are_never_exposed_without_auth() {
        let s = FqdnSettings {
            basic_auth: Some(BasicAuth {
                users: vec!["admin:$2y$10$hash".into()],
                realm: None,
            }),
            ..FqdnSettings::default()
        };
        let r = routes("https://a.io", &s);
        for router in [Router::Ingress, Router::Gateway] {
            let (o, report) = run(&r, &opts(router));
            assert!(o.is_empty(), "{router:?}");
            assert_eq!(report.entries()[0].outcome, Outcome::Dropped);
        }
        let (o, _) = run(&r, &opts(Router::Traefik));
        let secret = o.iter().find(|x| x["kind"] == "Secret").unwrap();
        // base64 of "admin:$2y$10$hash\n"
        assert_eq!(secret["data"]["users"], "YWRtaW46JDJ5JDEwJGhhc2gK");
        // The hash appears in the Secret only.
        let elsewhere: Vec<&Value> = o.iter().filter(|x| x["kind"] != "Secret").collect();
        assert!(!serde_json::to_string(&elsewhere).unwrap().contains("$2y$"));
    }

    #[test]
    fn traefik_force_https_gives_two_ingress_routes() {
        let r = routes("https://a.io", &FqdnSettings::default());
        let o = Options {
            entrypoints: HttpPair::new("web", "websecure"),
            ..opts(Router::Traefik)
        };
        let (objects, report) = run(&r, &o);
        assert!(report.entries().is_empty());
        assert_eq!(
            kinds(&objects),
            vec![
                "Middleware/web-0-gzip",
                "Middleware/web-0-redirect-to-https",
                "IngressRoute/web-0",
                "IngressRoute/web-0-http"
            ]
        );
        let https = &objects[2]["spec"];
        assert_eq!(https["entryPoints"][0], "websecure");
        assert_eq!(https["tls"]["certResolver"], "letsencrypt");
        assert_eq!(
            https["routes"][0]["match"],
            "Host(`a.io`) && PathPrefix(`/`)"
        );
        assert_eq!(https["routes"][0]["middlewares"][0]["name"], "web-0-gzip");
        assert_eq!(https["routes"][0]["services"][0]["port"], 80);
        let http = &objects[3]["spec"];
        assert_eq!(http["entryPoints"][0], "web");
        assert!(http.get("tls").is_none());
        assert_eq!(
            http["routes"][0]["middlewares"][0]["name"],
            "web-0-redirect-to-https"
        );
        assert_eq!(objects[1]["spec"]["redirectScheme"]["scheme"], "https");
    }

    #[test]
    fn gateway_redirect_binds_to_the_http_listener_only() {
        let r = routes(
            "https://a.io/api",
            &FqdnSettings {
                gzip: false,
                ..FqdnSettings::default()
            },
        );
        let (objects, report) = run(&r, &opts(Router::Gateway));
        assert!(report.entries().is_empty(), "{report:?}");
        assert_eq!(
            kinds(&objects),
            vec!["HTTPRoute/web-0", "HTTPRoute/web-0-redirect-to-https"]
        );
        let main = &objects[0]["spec"];
        assert_eq!(main["parentRefs"].as_array().unwrap().len(), 1);
        assert_eq!(main["parentRefs"][0]["sectionName"], "https");
        assert_eq!(main["parentRefs"][0]["namespace"], "coolify");
        let rule = &main["rules"][0];
        assert_eq!(rule["matches"][0]["path"]["type"], "PathPrefix");
        assert_eq!(
            rule["filters"][0]["urlRewrite"]["path"]["replacePrefixMatch"],
            "/"
        );
        assert_eq!(rule["backendRefs"][0]["port"], 80);
        let redirect = &objects[1]["spec"];
        assert_eq!(redirect["parentRefs"][0]["sectionName"], "http");
        assert_eq!(
            redirect["rules"][0]["filters"][0]["requestRedirect"]["scheme"],
            "https"
        );
        // CEL: a RequestRedirect never shares a rule with backendRefs.
        assert!(redirect["rules"][0].get("backendRefs").is_none());
    }

    #[test]
    fn gateway_reports_compression_and_serves_http_when_not_forced() {
        let s = FqdnSettings {
            force_https: false,
            ..FqdnSettings::default()
        };
        let (objects, report) = run(&routes("https://a.io", &s), &opts(Router::Gateway));
        assert_eq!(kinds(&objects), vec!["HTTPRoute/web-0"]);
        assert_eq!(
            objects[0]["spec"]["parentRefs"].as_array().unwrap().len(),
            2
        );
        assert!(report.entries()[0].message.contains("compression"));
    }

    /// A removed header (Caddy `header -Server`) is Traefik's empty string, never `null`,
    /// which the Middleware CRD rejects.
    #[test]
    fn header_removal_is_an_empty_string() {
        let mut r = routes("https://a.io", &FqdnSettings::default());
        r[0].headers.response_remove.push("Server".into());
        let (o, _) = run(&r, &opts(Router::Traefik));
        let headers = o
            .iter()
            .find(|x| x["metadata"]["name"] == "web-0-headers")
            .unwrap();
        assert_eq!(
            headers["spec"]["headers"]["customResponseHeaders"]["Server"],
            Value::String(String::new())
        );
    }

    #[test]
    fn routes_without_port_and_router_none_are_reported() {
        let mut r = routes("http://a.io", &FqdnSettings::default());
        let labels = BTreeMap::new();
        let target = RouteTarget {
            name: "w",
            namespace: "n",
            labels: &labels,
            service_name: "w",
            default_port: None,
        };
        let mut report = Report::default();
        assert!(render(&r, &target, &opts(Router::Ingress), &mut report).is_empty());
        assert_eq!(report.entries().len(), 1);
        r[0].port = Some(8080);
        let (o, report) = run(&r, &opts(Router::None));
        assert!(o.is_empty());
        assert!(report.entries()[0].message.contains("router none"));
    }
}
