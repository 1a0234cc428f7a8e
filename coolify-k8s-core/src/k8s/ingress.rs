//! `networking.k8s.io/v1` Ingress for routes: one Ingress per route, TLS through
//! cert-manager (`cert-manager.io/cluster-issuer`, a TLS Secret `<name>-tls` per route's
//! host set, always present for HTTPS routes). Redirects, strip-prefix, compression and
//! basic auth go through Traefik's `router.middlewares` annotation and Middleware objects
//! when the ingress controller is Traefik (option `ingress_controller`), through
//! ingress-nginx's annotations when it is nginx ([`super::nginx`]); otherwise they are
//! reported, and a route that needs basic auth is not exposed at all.

use super::routes::{enforces_basic_auth, RouteContext};
use super::traefik;
use crate::options::{IngressController, Options};
use crate::proxy::{HttpMode, PathMatch};
use crate::report::{Outcome, Report};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::collections::BTreeMap;

/// The cert-manager annotation that asks for a certificate for an Ingress's TLS hosts.
pub const CLUSTER_ISSUER_ANNOTATION: &str = "cert-manager.io/cluster-issuer";
/// Traefik's Ingress annotation listing middlewares (`<namespace>-<name>@kubernetescrd`).
pub const TRAEFIK_MIDDLEWARES_ANNOTATION: &str = "traefik.ingress.kubernetes.io/router.middlewares";
/// Traefik's Ingress annotation that restricts a router to TLS.
pub const TRAEFIK_TLS_ANNOTATION: &str = "traefik.ingress.kubernetes.io/router.tls";

/// The Ingress (and, for Traefik, Middlewares and Secret) of one route.
pub fn render(ctx: &RouteContext<'_>, options: &Options, report: &mut Report) -> Vec<Value> {
    let route = ctx.route;
    let traefik_controller = options.ingress_controller == IngressController::Traefik;
    if route.basic_auth.is_some() && !enforces_basic_auth(options) {
        report.add(
            route.source.clone(),
            Outcome::Dropped,
            "the route is protected by basic auth, which a plain Ingress cannot enforce: not \
             exposed (use --router traefik, or --ingress-controller traefik or nginx)",
        );
        return Vec::new();
    }
    let mut objects = Vec::new();
    let mut annotations = BTreeMap::new();
    let mut nginx_path: Option<(String, &str)> = None;
    if traefik_controller {
        let (mws, mut names) = traefik::middlewares(ctx);
        objects.extend(mws);
        if route.is_https() && route.http == HttpMode::RedirectToHttps {
            // Traefik's redirectScheme leaves HTTPS requests alone, so the one router of the
            // Ingress can carry it first.
            let (mw, name) = traefik::https_redirect(ctx);
            objects.push(mw);
            names.insert(0, name);
        }
        if !names.is_empty() {
            let list: Vec<String> = names
                .iter()
                .map(|n| format!("{}-{n}@kubernetescrd", ctx.target.namespace))
                .collect();
            annotations.insert(TRAEFIK_MIDDLEWARES_ANNOTATION.to_string(), list.join(","));
        }
        if route.is_https() && route.http == HttpMode::None {
            annotations.insert(TRAEFIK_TLS_ANNOTATION.to_string(), "true".to_string());
        }
    } else if options.ingress_controller == IngressController::Nginx {
        let n = super::nginx::route(ctx);
        objects.extend(n.objects);
        annotations.extend(n.annotations);
        nginx_path = n.path;
        if !n.missing.is_empty() {
            report.add(
                route.source.clone(),
                Outcome::Approximated,
                format!(
                    "ingress-nginx cannot express {} per Ingress",
                    n.missing.join(", ")
                ),
            );
        }
    } else {
        let mut missing = Vec::new();
        if route.is_https() && route.http == HttpMode::RedirectToHttps {
            missing.push("the HTTP to HTTPS redirect (most controllers redirect when TLS is set)");
        }
        if route.is_https() && route.http == HttpMode::None {
            missing.push("HTTPS only (plain HTTP is served too)");
        }
        if route.strips_prefix() {
            missing.push("strip-prefix (the application receives the full path)");
        }
        if route.compress {
            missing.push("compression");
        }
        if route.www_redirect.is_some() || !route.redirects.is_empty() {
            missing.push("redirects");
        }
        if !route.headers.is_empty() {
            missing.push("header changes");
        }
        if !missing.is_empty() {
            report.add(
                route.source.clone(),
                Outcome::Approximated,
                format!(
                    "a plain Ingress cannot express {}; set --ingress-controller traefik or \
                     nginx, or use --router traefik",
                    missing.join(", ")
                ),
            );
        }
    }
    let tls = if route.is_https() {
        if !options.cluster_issuer.is_empty() {
            annotations.insert(
                CLUSTER_ISSUER_ANNOTATION.to_string(),
                options.cluster_issuer.clone(),
            );
        }
        Some(vec![IngressTLS {
            hosts: Some(route.hosts.clone()),
            secret_name: Some(ctx.derived("tls")),
        }])
    } else {
        None
    };
    let (path, path_type) = nginx_path.unwrap_or_else(|| {
        (
            route.path.clone(),
            match route.path_match {
                PathMatch::Prefix => "Prefix",
                PathMatch::Exact => "Exact",
            },
        )
    });
    let rules = route
        .hosts
        .iter()
        .map(|h| IngressRule {
            host: Some(h.clone()),
            http: Some(HTTPIngressRuleValue {
                paths: vec![HTTPIngressPath {
                    path: Some(path.clone()),
                    path_type: path_type.to_string(),
                    backend: IngressBackend {
                        service: Some(IngressServiceBackend {
                            name: ctx.target.service_name.to_string(),
                            port: Some(ServiceBackendPort {
                                number: Some(i32::from(ctx.port)),
                                name: None,
                            }),
                        }),
                        resource: None,
                    },
                }],
            }),
        })
        .collect();
    let ingress = Ingress {
        metadata: ObjectMeta {
            name: Some(ctx.name.to_string()),
            namespace: Some(ctx.target.namespace.to_string()),
            labels: Some(ctx.target.labels.clone()).filter(|l| !l.is_empty()),
            annotations: Some(annotations).filter(|a| !a.is_empty()),
            ..ObjectMeta::default()
        },
        spec: Some(IngressSpec {
            ingress_class_name: options.ingress_class.clone(),
            rules: Some(rules),
            tls,
            ..IngressSpec::default()
        }),
        status: None,
    };
    match serde_json::to_value(&ingress) {
        Ok(v) => objects.push(v),
        Err(e) => report.add(route.source.clone(), Outcome::Dropped, e.to_string()),
    }
    objects
}
