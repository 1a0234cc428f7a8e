//! Gateway API `HTTPRoute`s (`gateway.networking.k8s.io/v1`) for routes, attached to the
//! caller's Gateway (`--gateway`, default `coolify/coolify`) and its listeners
//! (`--listeners`, default `http,https`).
//!
//! The HTTP→HTTPS redirect is a separate HTTPRoute bound to the HTTP listener only (bound
//! to both it would loop). Strip-prefix is a `URLRewrite` with `ReplacePrefixMatch`; a www
//! redirect a `RequestRedirect` rule. The CRD's CEL rules (which its JSON schema does not
//! run) are followed: no rule has both a `RequestRedirect` and backends, nor both a
//! `RequestRedirect` and a `URLRewrite`. Certificates belong to the Gateway's HTTPS
//! listener; basic auth and compression have no Gateway API form and are reported (a route
//! behind basic auth is not exposed at all).

use super::routes::RouteContext;
use crate::options::Options;
use crate::proxy::{HttpMode, PathMatch, WwwRedirect};
use crate::report::{Outcome, Report};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// API version of HTTPRoute.
pub const API_VERSION: &str = "gateway.networking.k8s.io/v1";

/// `HTTPRoute.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    /// The Gateway listeners the route attaches to.
    pub parent_refs: Vec<ParentRef>,
    /// Host names.
    pub hostnames: Vec<String>,
    /// Rules.
    pub rules: Vec<HttpRouteRule>,
}

/// A Gateway listener reference.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    /// The Gateway's namespace.
    pub namespace: String,
    /// The Gateway's name.
    pub name: String,
    /// The listener's name.
    pub section_name: String,
}

/// One rule.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    /// Request matches.
    pub matches: Vec<HttpRouteMatch>,
    /// Filters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Value>,
    /// Backends.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backend_refs: Vec<BackendRef>,
}

/// A path match.
#[derive(Debug, Clone, Serialize)]
pub struct HttpRouteMatch {
    /// The path condition.
    pub path: PathCondition,
}

/// `matches[].path`.
#[derive(Debug, Clone, Serialize)]
pub struct PathCondition {
    /// `PathPrefix` or `Exact`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The path.
    pub value: String,
}

/// A Service backend.
#[derive(Debug, Clone, Serialize)]
pub struct BackendRef {
    /// The Service's name.
    pub name: String,
    /// Its port.
    pub port: u16,
}

/// The HTTPRoutes of one route.
pub fn render(ctx: &RouteContext<'_>, options: &Options, report: &mut Report) -> Vec<Value> {
    let route = ctx.route;
    if route.basic_auth.is_some() {
        report.add(
            route.source.clone(),
            Outcome::Dropped,
            "the route is protected by basic auth, which the Gateway API cannot express: not \
             exposed (use --router traefik)",
        );
        return Vec::new();
    }
    let mut lost = Vec::new();
    if route.compress {
        lost.push("compression");
    }
    if !route.redirects.is_empty() {
        lost.push("regex redirects");
    }
    if route.www_redirect.is_some() && route.hosts.len() != 1 {
        lost.push("the www redirect (several hosts)");
    }
    if !lost.is_empty() {
        report.add(
            route.source.clone(),
            Outcome::Approximated,
            format!("the Gateway API cannot express {}", lost.join(", ")),
        );
    }
    let (gw_ns, gw_name) = options
        .gateway
        .split_once('/')
        .unwrap_or(("coolify", "coolify"));
    let parent = |section: &str| ParentRef {
        namespace: gw_ns.to_string(),
        name: gw_name.to_string(),
        section_name: section.to_string(),
    };
    let matches = vec![HttpRouteMatch {
        path: PathCondition {
            kind: match route.path_match {
                PathMatch::Prefix => "PathPrefix".into(),
                PathMatch::Exact => "Exact".into(),
            },
            value: route.path.clone(),
        },
    }];
    let object = |name: &str, parents: Vec<ParentRef>, rules: Vec<HttpRouteRule>| {
        serde_json::json!({
            "apiVersion": API_VERSION,
            "kind": "HTTPRoute",
            "metadata": ctx.metadata(name, BTreeMap::new()),
            "spec": HttpRouteSpec {
                parent_refs: parents,
                hostnames: route.hosts.clone(),
                rules,
            },
        })
    };

    // The serving rule: a www redirect, or the backend with its filters.
    let www_target = match (route.www_redirect, route.hosts.as_slice()) {
        (Some(WwwRedirect::ToWww), [h]) => Some(format!("www.{h}")),
        (Some(WwwRedirect::ToNonWww), [h]) => h.strip_prefix("www.").map(str::to_string),
        _ => None,
    };
    let serving = match www_target {
        Some(host) => HttpRouteRule {
            matches: matches.clone(),
            // Coolify's www redirect is not permanent.
            filters: vec![serde_json::json!({
                "type": "RequestRedirect",
                "requestRedirect": {"hostname": host, "statusCode": 302},
            })],
            backend_refs: Vec::new(),
        },
        None => {
            let mut filters = Vec::new();
            if !route.headers.request.is_empty() {
                let set: Vec<Value> = route
                    .headers
                    .request
                    .iter()
                    .map(|(k, v)| serde_json::json!({"name": k, "value": v}))
                    .collect();
                filters.push(serde_json::json!({
                    "type": "RequestHeaderModifier",
                    "requestHeaderModifier": {"set": set},
                }));
            }
            if !route.headers.response.is_empty() || !route.headers.response_remove.is_empty() {
                let mut m = serde_json::Map::new();
                if !route.headers.response.is_empty() {
                    let set: Vec<Value> = route
                        .headers
                        .response
                        .iter()
                        .map(|(k, v)| serde_json::json!({"name": k, "value": v}))
                        .collect();
                    m.insert("set".into(), Value::Array(set));
                }
                if !route.headers.response_remove.is_empty() {
                    m.insert(
                        "remove".into(),
                        serde_json::json!(route.headers.response_remove),
                    );
                }
                filters.push(serde_json::json!({
                    "type": "ResponseHeaderModifier",
                    "responseHeaderModifier": m,
                }));
            }
            if route.strips_prefix() {
                if route.path_match == PathMatch::Prefix {
                    filters.push(serde_json::json!({
                        "type": "URLRewrite",
                        "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}},
                    }));
                } else {
                    filters.push(serde_json::json!({
                        "type": "URLRewrite",
                        "urlRewrite": {"path": {"type": "ReplaceFullPath", "replaceFullPath": "/"}},
                    }));
                }
            }
            HttpRouteRule {
                matches: matches.clone(),
                filters,
                backend_refs: vec![BackendRef {
                    name: ctx.target.service_name.to_string(),
                    port: ctx.port,
                }],
            }
        }
    };

    let mut out = Vec::new();
    if route.is_https() {
        let mut parents = vec![parent(&options.listeners.https)];
        if route.http == HttpMode::Serve {
            parents.push(parent(&options.listeners.http));
        }
        out.push(object(ctx.name, parents, vec![serving]));
        if route.http == HttpMode::RedirectToHttps {
            out.push(object(
                &ctx.derived("redirect-to-https"),
                vec![parent(&options.listeners.http)],
                vec![HttpRouteRule {
                    matches,
                    filters: vec![serde_json::json!({
                        "type": "RequestRedirect",
                        "requestRedirect": {"scheme": "https", "statusCode": 302},
                    })],
                    backend_refs: Vec::new(),
                }],
            ));
        }
    } else {
        out.push(object(
            ctx.name,
            vec![parent(&options.listeners.http)],
            vec![serving],
        ));
    }
    out
}
