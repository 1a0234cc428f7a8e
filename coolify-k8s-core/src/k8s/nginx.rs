//! ingress-nginx annotations (option `ingress_controller: nginx`): what an Ingress needs on
//! that controller to behave as Coolify's Traefik does on Docker.
//!
//! - Traefik sets no request body limit; ingress-nginx rejects bodies over 1 MiB by
//!   default (`proxy-body-size: "0"` lifts it: uploads to Nextcloud, Immich, registries work).
//! - Traefik waits for a response without a read timeout (`respondingTimeouts` of the
//!   entry point do not cover the backend); ingress-nginx closes a backend connection that
//!   is silent for 60 s (long reports, exports, server-sent events, websockets): one hour.
//! - Force-HTTPS is Coolify's `redirect-to-https` middleware; without it both schemes are
//!   served, while ingress-nginx redirects to HTTPS whenever the Ingress has TLS, so
//!   `ssl-redirect` is set either way. ingress-nginx redirects with 308 (permanent) unless
//!   its ConfigMap sets `http-redirect-code: "302"`: reported, as Coolify's is not permanent.
//! - Strip-prefix is a regex path with `rewrite-target`.
//! - Basic auth is `auth-type: basic` over a Secret with an `auth` key (htpasswd lines).
//!
//! Not expressible per Ingress (reported): compression (`use-gzip` is controller-wide),
//! www redirects that keep the scheme and are not permanent, other regex redirects, header
//! changes, HTTPS-only routes.

use super::routes::RouteContext;
use crate::proxy::{HttpMode, PathMatch};
use base64::Engine as _;
use serde_json::Value;
use std::collections::BTreeMap;

/// The annotation prefix of ingress-nginx.
pub const PREFIX: &str = "nginx.ingress.kubernetes.io/";

/// What ingress-nginx needs for one route.
#[derive(Debug, Default)]
pub struct NginxRoute {
    /// Annotations of the Ingress.
    pub annotations: BTreeMap<String, String>,
    /// The Ingress path and `pathType` when they differ from the route's (strip-prefix).
    pub path: Option<(String, &'static str)>,
    /// Objects the Ingress needs first (the basic-auth Secret).
    pub objects: Vec<Value>,
    /// What the controller cannot do per Ingress.
    pub missing: Vec<&'static str>,
}

/// The annotations, path and objects of one route on ingress-nginx.
pub fn route(ctx: &RouteContext<'_>) -> NginxRoute {
    let route = ctx.route;
    let mut out = NginxRoute::default();
    let mut set = |k: &str, v: &str| {
        out.annotations
            .insert(format!("{PREFIX}{k}"), v.to_string());
    };
    set("proxy-body-size", "0");
    set("proxy-read-timeout", "3600");
    set("proxy-send-timeout", "3600");
    if route.is_https() {
        match route.http {
            HttpMode::RedirectToHttps => {
                set("ssl-redirect", "true");
                out.missing.push(
                    "a temporary HTTP to HTTPS redirect (ingress-nginx answers 308 unless its \
                     ConfigMap sets http-redirect-code: \"302\")",
                );
            }
            HttpMode::Serve => set("ssl-redirect", "false"),
            HttpMode::None => {
                set("ssl-redirect", "true");
                out.missing
                    .push("HTTPS only (plain HTTP is redirected instead)");
            }
        }
    }
    if route.strips_prefix() && route.path_match == PathMatch::Prefix {
        set("use-regex", "true");
        set("rewrite-target", "/$2");
        out.path = Some((
            format!("{}(/|$)(.*)", regex_escape(&route.path)),
            "ImplementationSpecific",
        ));
    }
    if let Some(auth) = &route.basic_auth {
        let secret = ctx.derived("basic-auth");
        let mut users = auth.users.join("\n");
        users.push('\n');
        out.objects.push(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": ctx.metadata(&secret, BTreeMap::new()),
            "type": "Opaque",
            "data": {"auth": base64::engine::general_purpose::STANDARD.encode(users)},
        }));
        set("auth-type", "basic");
        set("auth-secret", &secret);
        set(
            "auth-realm",
            auth.realm.as_deref().unwrap_or("Authentication required"),
        );
    }
    if route.compress {
        out.missing
            .push("compression (ingress-nginx's use-gzip is a controller-wide setting)");
    }
    if route.www_redirect.is_some() || !route.redirects.is_empty() {
        out.missing.push("redirects");
    }
    if !route.headers.is_empty() {
        out.missing.push("header changes");
    }
    out
}

/// Escape regex metacharacters of a literal path (nginx PCRE).
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::routes::RouteTarget;
    use crate::proxy::fqdn::{self, FqdnSettings};
    use crate::proxy::BasicAuth;
    use crate::InputPath;

    fn nginx(fqdns: &str, settings: &FqdnSettings) -> NginxRoute {
        let r = fqdn::routes("web", fqdns, settings, &InputPath::root().key("fqdn")).unwrap();
        let labels = BTreeMap::new();
        let target = RouteTarget {
            name: "web",
            namespace: "acme",
            labels: &labels,
            service_name: "web",
            default_port: Some(80),
        };
        route(&RouteContext {
            route: &r[0],
            name: "web-0",
            port: 80,
            target: &target,
        })
    }

    #[test]
    fn coolify_traefik_defaults_as_annotations() {
        let n = nginx("https://a.io", &FqdnSettings::default());
        let a = |k: &str| n.annotations.get(&format!("{PREFIX}{k}")).cloned();
        assert_eq!(a("proxy-body-size").as_deref(), Some("0"));
        assert_eq!(a("proxy-read-timeout").as_deref(), Some("3600"));
        assert_eq!(a("ssl-redirect").as_deref(), Some("true"));
        assert!(n.missing.iter().any(|m| m.contains("308")));
        assert!(n.missing.iter().any(|m| m.contains("compression")));
        assert!(n.path.is_none());
        // Without force-HTTPS both schemes are served, as on Coolify.
        let n = nginx(
            "https://a.io",
            &FqdnSettings {
                force_https: false,
                ..FqdnSettings::default()
            },
        );
        assert_eq!(n.annotations[&format!("{PREFIX}ssl-redirect")], "false");
    }

    #[test]
    fn strip_prefix_and_basic_auth() {
        let n = nginx(
            "https://a.io/api.v1",
            &FqdnSettings {
                basic_auth: Some(BasicAuth {
                    users: vec!["admin:$2y$10$hash".into()],
                    realm: None,
                }),
                ..FqdnSettings::default()
            },
        );
        assert_eq!(
            n.path,
            Some(("/api\\.v1(/|$)(.*)".to_string(), "ImplementationSpecific"))
        );
        assert_eq!(n.annotations[&format!("{PREFIX}rewrite-target")], "/$2");
        assert_eq!(
            n.annotations[&format!("{PREFIX}auth-secret")],
            "web-0-basic-auth"
        );
        // base64 of "admin:$2y$10$hash\n"
        assert_eq!(n.objects[0]["data"]["auth"], "YWRtaW46JDJ5JDEwJGhhc2gK");
    }
}
