//! Stage `proxy`: routing intent (Coolify FQDNs, Traefik labels, Caddy labels) into
//! neutral [`Route`]s that `plan` attaches to workloads and the `k8s` stage renders for the
//! chosen router.

pub mod caddy_labels;
pub mod fqdn;
pub mod labels;
pub mod route;
pub mod service_urls;
pub mod traefik_labels;
pub mod traefik_rule;

pub use route::{BasicAuth, Headers, HttpMode, PathMatch, RegexRedirect, Route, Tls, WwwRedirect};
