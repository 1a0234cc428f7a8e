//! Traefik's CRDs (`traefik.io/v1alpha1` `IngressRoute` and `Middleware`) for routes: the
//! same middlewares Coolify puts on its Docker routers (redirectScheme, redirectRegex,
//! stripPrefix, compress, basicAuth with its users in a Secret, headers).
//!
//! An HTTPS route with plain HTTP served or redirected becomes two IngressRoutes: one on the
//! HTTPS entry point with `tls`, one on the HTTP entry point (a `tls` section would make
//! Traefik require TLS on every entry point of the IngressRoute).

use super::routes::RouteContext;
use crate::options::Options;
use crate::proxy::traefik_labels::{COOLIFY_TO_NON_WWW, COOLIFY_TO_WWW};
use crate::proxy::{HttpMode, PathMatch, Route, WwwRedirect};
use crate::report::Report;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// API version of Traefik's CRDs.
pub const API_VERSION: &str = "traefik.io/v1alpha1";

/// `IngressRoute.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressRouteSpec {
    /// Entry points the routes listen on.
    pub entry_points: Vec<String>,
    /// The routes.
    pub routes: Vec<IngressRouteRule>,
    /// TLS, for HTTPS entry points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<IngressRouteTls>,
}

/// One entry of `IngressRoute.spec.routes`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressRouteRule {
    /// Always `Rule`.
    pub kind: String,
    /// The rule (`Host(…) && PathPrefix(…)`).
    #[serde(rename = "match")]
    pub match_: String,
    /// Middlewares, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub middlewares: Vec<MiddlewareRef>,
    /// Backends.
    pub services: Vec<ServiceRef>,
}

/// A reference to a Middleware.
#[derive(Debug, Clone, Serialize)]
pub struct MiddlewareRef {
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
}

/// A Kubernetes Service backend.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRef {
    /// Always `Service`.
    pub kind: String,
    /// The Service's name.
    pub name: String,
    /// The Service's port.
    pub port: u16,
}

/// `IngressRoute.spec.tls`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressRouteTls {
    /// Traefik's ACME certificate resolver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_resolver: Option<String>,
}

/// `Middleware.spec`: exactly one field set.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareSpec {
    /// Redirect to another scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_scheme: Option<RedirectScheme>,
    /// Redirect by regex on the URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_regex: Option<RedirectRegex>,
    /// Strip path prefixes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strip_prefix: Option<StripPrefix>,
    /// Compress responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compress: Option<BTreeMap<String, Value>>,
    /// Basic auth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
    /// Header changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Headers>,
}

/// `redirectScheme`.
#[derive(Debug, Clone, Serialize)]
pub struct RedirectScheme {
    /// Target scheme.
    pub scheme: String,
    /// 301/308 rather than 302/307.
    pub permanent: bool,
}

/// `redirectRegex`.
#[derive(Debug, Clone, Serialize)]
pub struct RedirectRegex {
    /// Regex on the full URL.
    pub regex: String,
    /// Replacement.
    pub replacement: String,
    /// Permanent redirect.
    pub permanent: bool,
}

/// `stripPrefix`.
#[derive(Debug, Clone, Serialize)]
pub struct StripPrefix {
    /// Prefixes.
    pub prefixes: Vec<String>,
}

/// `basicAuth`: users in a Secret (key `users`, htpasswd lines).
#[derive(Debug, Clone, Serialize)]
pub struct BasicAuth {
    /// The Secret's name.
    pub secret: String,
    /// Realm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
}

/// `headers` (custom request / response headers; an empty value removes a header).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Headers {
    /// Request headers.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_request_headers: BTreeMap<String, String>,
    /// Response headers.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_response_headers: BTreeMap<String, String>,
}

/// The Middlewares (and basic-auth Secret) a route needs, as objects, and the names of the
/// middlewares in Coolify's order for the HTTPS (or only) router.
pub fn middlewares(ctx: &RouteContext<'_>) -> (Vec<Value>, Vec<String>) {
    let route = ctx.route;
    let mut objects = Vec::new();
    let mut names = Vec::new();
    let mut add = |suffix: &str, spec: MiddlewareSpec, objects: &mut Vec<Value>| {
        let name = ctx.derived(suffix);
        objects.push(serde_json::json!({
            "apiVersion": API_VERSION,
            "kind": "Middleware",
            "metadata": ctx.metadata(&name, BTreeMap::new()),
            "spec": spec,
        }));
        names.push(name);
    };
    if route.strips_prefix() {
        add(
            "stripprefix",
            MiddlewareSpec {
                strip_prefix: Some(StripPrefix {
                    prefixes: vec![route.path.clone()],
                }),
                ..MiddlewareSpec::default()
            },
            &mut objects,
        );
    }
    if route.compress {
        add(
            "gzip",
            MiddlewareSpec {
                compress: Some(BTreeMap::new()),
                ..MiddlewareSpec::default()
            },
            &mut objects,
        );
    }
    if let Some(w) = route.www_redirect {
        let (regex, replacement) = match w {
            WwwRedirect::ToWww => COOLIFY_TO_WWW,
            WwwRedirect::ToNonWww => COOLIFY_TO_NON_WWW,
        };
        let suffix = match w {
            WwwRedirect::ToWww => "to-www",
            WwwRedirect::ToNonWww => "to-non-www",
        };
        add(
            suffix,
            MiddlewareSpec {
                redirect_regex: Some(RedirectRegex {
                    regex: regex.to_string(),
                    replacement: replacement.to_string(),
                    permanent: false,
                }),
                ..MiddlewareSpec::default()
            },
            &mut objects,
        );
    }
    for (j, r) in route.redirects.iter().enumerate() {
        add(
            &format!("redirect-{j}"),
            MiddlewareSpec {
                redirect_regex: Some(RedirectRegex {
                    regex: r.regex.clone(),
                    replacement: r.replacement.clone(),
                    permanent: r.permanent,
                }),
                ..MiddlewareSpec::default()
            },
            &mut objects,
        );
    }
    if let Some(auth) = &route.basic_auth {
        let secret = ctx.derived("basic-auth");
        let mut users = auth.users.join("\n");
        users.push('\n');
        objects.push(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": ctx.metadata(&secret, BTreeMap::new()),
            "type": "Opaque",
            // `data`, not `stringData`: the API server stores stringData as data, so a
            // server-side re-apply of stringData would rewrite the Secret every time.
            "data": {"users": base64::engine::general_purpose::STANDARD.encode(users)},
        }));
        add(
            "basic-auth",
            MiddlewareSpec {
                basic_auth: Some(BasicAuth {
                    secret,
                    realm: auth.realm.clone(),
                }),
                ..MiddlewareSpec::default()
            },
            &mut objects,
        );
    }
    if !route.headers.is_empty() {
        let mut response = route.headers.response.clone();
        for h in &route.headers.response_remove {
            response.insert(h.clone(), String::new());
        }
        add(
            "headers",
            MiddlewareSpec {
                headers: Some(Headers {
                    custom_request_headers: route.headers.request.clone(),
                    custom_response_headers: response,
                }),
                ..MiddlewareSpec::default()
            },
            &mut objects,
        );
    }
    (objects, names)
}

/// The redirect-to-HTTPS Middleware of a route.
pub fn https_redirect(ctx: &RouteContext<'_>) -> (Value, String) {
    let name = ctx.derived("redirect-to-https");
    let obj = serde_json::json!({
        "apiVersion": API_VERSION,
        "kind": "Middleware",
        "metadata": ctx.metadata(&name, BTreeMap::new()),
        "spec": MiddlewareSpec {
            redirect_scheme: Some(RedirectScheme { scheme: "https".into(), permanent: false }),
            ..MiddlewareSpec::default()
        },
    });
    (obj, name)
}

/// Traefik's rule for a route: `(Host(`a`) || Host(`b`)) && PathPrefix(`/p`)`, as Coolify
/// writes it.
pub fn rule(route: &Route) -> String {
    let hosts: Vec<String> = route.hosts.iter().map(|h| format!("Host(`{h}`)")).collect();
    let host = if hosts.len() == 1 {
        hosts.concat()
    } else {
        format!("({})", hosts.join(" || "))
    };
    let matcher = match route.path_match {
        PathMatch::Prefix => "PathPrefix",
        PathMatch::Exact => "Path",
    };
    format!("{host} && {matcher}(`{}`)", route.path)
}

/// IngressRoutes and Middlewares for one route.
pub fn render(ctx: &RouteContext<'_>, options: &Options, _report: &mut Report) -> Vec<Value> {
    let route = ctx.route;
    let (mut objects, names) = middlewares(ctx);
    let refs = |names: &[String]| -> Vec<MiddlewareRef> {
        names
            .iter()
            .map(|n| MiddlewareRef {
                name: n.clone(),
                namespace: ctx.target.namespace.to_string(),
            })
            .collect()
    };
    let service = ServiceRef {
        kind: "Service".into(),
        name: ctx.target.service_name.to_string(),
        port: ctx.port,
    };
    let ingress_route =
        |name: &str, entry: &str, mws: Vec<MiddlewareRef>, tls: Option<IngressRouteTls>| {
            serde_json::json!({
                "apiVersion": API_VERSION,
                "kind": "IngressRoute",
                "metadata": ctx.metadata(name, BTreeMap::new()),
                "spec": IngressRouteSpec {
                    entry_points: vec![entry.to_string()],
                    routes: vec![IngressRouteRule {
                        kind: "Rule".into(),
                        match_: rule(route),
                        middlewares: mws,
                        services: vec![service.clone()],
                    }],
                    tls,
                },
            })
        };
    let mut routes = Vec::new();
    if route.is_https() {
        let tls = IngressRouteTls {
            cert_resolver: Some(options.cluster_issuer.clone()).filter(|s| !s.is_empty()),
        };
        routes.push(ingress_route(
            ctx.name,
            &options.entrypoints.https,
            refs(&names),
            Some(tls),
        ));
        match route.http {
            HttpMode::Serve => routes.push(ingress_route(
                &ctx.derived("http"),
                &options.entrypoints.http,
                refs(&names),
                None,
            )),
            HttpMode::RedirectToHttps => {
                let (mw, name) = https_redirect(ctx);
                objects.push(mw);
                routes.push(ingress_route(
                    &ctx.derived("http"),
                    &options.entrypoints.http,
                    refs(&[name]),
                    None,
                ));
            }
            HttpMode::None => {}
        }
    } else {
        routes.push(ingress_route(
            ctx.name,
            &options.entrypoints.http,
            refs(&names),
            None,
        ));
    }
    objects.extend(routes);
    objects
}
