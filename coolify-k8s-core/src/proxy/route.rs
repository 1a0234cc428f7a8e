//! The neutral route model: what a reverse proxy serves for one workload, independent of
//! where the intent came from (Coolify FQDNs, Traefik labels, Caddy labels) and of the
//! router that will serve it on Kubernetes (Ingress, Traefik CRDs, Gateway API).

use crate::path::InputPath;
use serde::Serialize;
use std::collections::BTreeMap;

/// One route: requests for `hosts` whose path matches `path` go to the workload's
/// container port `port`, with TLS, redirects and the middlewares Coolify would apply.
///
/// ```
/// use coolify_k8s_core::proxy::{HttpMode, Route, Tls};
/// let mut r = Route::new("web", vec!["app.example.com".into()]);
/// r.port = Some(3000);
/// r.tls = Some(Tls::default());
/// r.http = HttpMode::RedirectToHttps;
/// assert!(r.is_https());
/// assert_eq!(r.path, "/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Where the route was declared (an FQDN setting, a router label…), for the report.
    pub source: InputPath,
    /// The Compose service (or Application) whose workload serves the route.
    pub service: String,
    /// Host names matched (any of them). Never empty for a route the renderers accept.
    pub hosts: Vec<String>,
    /// The path matched; `/` matches everything.
    pub path: String,
    /// How `path` matches.
    pub path_match: PathMatch,
    /// The container port requests go to; `None` means the workload's first port.
    pub port: Option<u16>,
    /// Served over HTTPS with this TLS setup; `None` for an HTTP-only route.
    pub tls: Option<Tls>,
    /// What the route does on plain HTTP.
    pub http: HttpMode,
    /// Coolify's www / non-www redirect.
    pub www_redirect: Option<WwwRedirect>,
    /// Other regex redirects (Traefik `redirectregex`, Caddy `redir`), applied in order.
    pub redirects: Vec<RegexRedirect>,
    /// Remove the matched `path` prefix before forwarding (Coolify's strip-prefix).
    pub strip_prefix: bool,
    /// Compress responses (gzip; Coolify's `gzip` middleware, Caddy `encode`).
    pub compress: bool,
    /// HTTP basic authentication. The hashes are secrets: they only ever reach a `Secret`.
    pub basic_auth: Option<BasicAuth>,
    /// Request and response header changes.
    pub headers: Headers,
}

impl Route {
    /// A route for `hosts` on path `/` to the service's first port, HTTP only, no
    /// middlewares.
    pub fn new(service: impl Into<String>, hosts: Vec<String>) -> Self {
        Self {
            source: InputPath::root(),
            service: service.into(),
            hosts,
            path: "/".to_string(),
            path_match: PathMatch::Prefix,
            port: None,
            tls: None,
            http: HttpMode::Serve,
            www_redirect: None,
            redirects: Vec::new(),
            strip_prefix: false,
            compress: false,
            basic_auth: None,
            headers: Headers::default(),
        }
    }

    /// True when the route is served over HTTPS.
    pub fn is_https(&self) -> bool {
        self.tls.is_some()
    }

    /// True when the route strips a prefix that is not `/` (stripping `/` is a no-op).
    pub fn strips_prefix(&self) -> bool {
        self.strip_prefix && self.path != "/"
    }

    /// The URL of the route's first host (`https://host/path` or `http://…`), the value a
    /// `SERVICE_URL_*` variable takes. `None` without hosts.
    pub fn url(&self) -> Option<String> {
        let host = self.hosts.first()?;
        let scheme = if self.is_https() { "https" } else { "http" };
        let path = if self.path == "/" { "" } else { &self.path };
        Some(format!("{scheme}://{host}{path}"))
    }
}

/// How a route's path matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PathMatch {
    /// The path and everything below it (Traefik `PathPrefix`, Caddy `path*`).
    #[default]
    Prefix,
    /// Exactly the path (Traefik `Path`).
    Exact,
}

/// What a route does for plain-HTTP requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HttpMode {
    /// Serve it like HTTPS (Coolify without force-HTTPS; an `http://` FQDN).
    #[default]
    Serve,
    /// Redirect to HTTPS (Coolify's force-HTTPS, Traefik `redirectscheme`, Caddy's automatic
    /// HTTPS).
    RedirectToHttps,
    /// Not served on HTTP at all (only an HTTPS router was declared).
    None,
}

/// TLS for an HTTPS route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tls {
    /// The certificate resolver the source named (Traefik `tls.certresolver`, Coolify's
    /// `letsencrypt`); on Kubernetes the caller's options decide how certificates are issued.
    pub cert_resolver: Option<String>,
}

/// Coolify's www / non-www redirect (`redirect` setting of an Application).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WwwRedirect {
    /// `non-www` → `www.` (Coolify `redirect: www`, for hosts without `www.`).
    ToWww,
    /// `www.` → bare host (Coolify `redirect: non-www`, for hosts with `www.`).
    ToNonWww,
}

/// A regex redirect (Traefik `redirectregex`): the full request URL matching `regex` is
/// redirected to `replacement` (`${1}` style group references).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegexRedirect {
    /// The regex on the full URL.
    pub regex: String,
    /// The target, with `${n}` group references.
    pub replacement: String,
    /// 301/308 when true, 302/307 when false.
    pub permanent: bool,
}

/// HTTP basic authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BasicAuth {
    /// `user:hash` lines in htpasswd format (bcrypt, `$2y$…`), in declared order.
    /// Secrets: rendered only into `Secret` objects.
    #[serde(skip)]
    pub users: Vec<String>,
    /// The realm, when one was given.
    pub realm: Option<String>,
}

/// Header changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Headers {
    /// Request headers set before forwarding.
    pub request: BTreeMap<String, String>,
    /// Response headers set.
    pub response: BTreeMap<String, String>,
    /// Response headers removed (Caddy `header -Server`).
    pub response_remove: Vec<String>,
}

impl Headers {
    /// True when there is nothing to change.
    pub fn is_empty(&self) -> bool {
        self.request.is_empty() && self.response.is_empty() && self.response_remove.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_of_a_route() {
        let mut r = Route::new("web", vec!["a.example.com".into(), "b.example.com".into()]);
        assert_eq!(r.url().as_deref(), Some("http://a.example.com"));
        r.tls = Some(Tls::default());
        r.path = "/api".into();
        assert_eq!(r.url().as_deref(), Some("https://a.example.com/api"));
        assert!(Route::new("web", vec![]).url().is_none());
    }

    #[test]
    fn stripping_root_is_a_no_op() {
        let mut r = Route::new("web", vec!["a".into()]);
        r.strip_prefix = true;
        assert!(!r.strips_prefix());
        r.path = "/x".into();
        assert!(r.strips_prefix());
    }

    #[test]
    fn basic_auth_users_are_not_serialized() {
        let mut r = Route::new("web", vec!["a".into()]);
        r.basic_auth = Some(BasicAuth {
            users: vec!["admin:$2y$05$secret".into()],
            realm: None,
        });
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("secret"), "{json}");
    }
}
