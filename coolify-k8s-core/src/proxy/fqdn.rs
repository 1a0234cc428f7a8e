//! Coolify FQDN settings: a comma list of URLs (`https://app.example.com/api:3000` style:
//! scheme, host, optional container port, optional path) plus the resource's force-HTTPS,
//! www redirect, basic auth, gzip and strip-prefix switches, into [`Route`]s that mean
//! what the Traefik and Caddy labels Coolify generates for them mean.

use super::route::{BasicAuth, HttpMode, Route, Tls, WwwRedirect};
use crate::error::Error;
use crate::path::InputPath;

/// Coolify's certificate resolver name for HTTPS domains.
pub const COOLIFY_CERT_RESOLVER: &str = "letsencrypt";

/// Coolify's `redirect` setting of an Application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RedirectDirection {
    /// `both`: no redirect, both hosts are served as listed.
    #[default]
    Both,
    /// `www`: hosts without `www.` redirect to `www.`.
    Www,
    /// `non-www`: hosts with `www.` redirect to the bare host.
    NonWww,
}

impl RedirectDirection {
    /// Read Coolify's value (`both`, `www`, `non-www`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "both" | "" => Some(Self::Both),
            "www" => Some(Self::Www),
            "non-www" => Some(Self::NonWww),
            _ => None,
        }
    }
}

/// The switches Coolify applies to every domain of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FqdnSettings {
    /// Redirect HTTP to HTTPS on `https://` domains (`is_force_https_enabled`).
    pub force_https: bool,
    /// Compress responses (`is_gzip_enabled`, default on).
    pub gzip: bool,
    /// Strip a domain's path before forwarding (`is_stripprefix_enabled`, default on).
    pub strip_prefix: bool,
    /// www / non-www redirect.
    pub redirect: RedirectDirection,
    /// Basic auth (`user:bcrypt` lines; secrets).
    pub basic_auth: Option<BasicAuth>,
    /// The port used when a URL names none (Coolify: the first of `ports_exposes`).
    pub default_port: Option<u16>,
}

impl Default for FqdnSettings {
    fn default() -> Self {
        Self {
            force_https: true,
            gzip: true,
            strip_prefix: true,
            redirect: RedirectDirection::Both,
            basic_auth: None,
            default_port: None,
        }
    }
}

/// One URL of an FQDN list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FqdnUrl {
    /// `https` or `http`.
    pub https: bool,
    /// The host name, lowercase.
    pub host: String,
    /// The container port, when the URL names one.
    pub port: Option<u16>,
    /// The path, `/` when none.
    pub path: String,
}

/// Parse one URL of an FQDN list (`https://app.example.com:3000/api`).
///
/// ```
/// use coolify_k8s_core::{proxy::fqdn::parse_url, InputPath};
/// let u = parse_url("https://App.example.com:3000/api", &InputPath::root()).unwrap();
/// assert_eq!((u.https, u.host.as_str(), u.port, u.path.as_str()),
///            (true, "app.example.com", Some(3000), "/api"));
/// assert!(parse_url("app.example.com", &InputPath::root()).is_err());
/// ```
pub fn parse_url(url: &str, path: &InputPath) -> Result<FqdnUrl, Error> {
    let url = url.trim();
    let err = |m: String| Error::new(path.clone(), m);
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| err(format!("{url:?} needs a scheme (https:// or http://)")))?;
    let https = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        other => {
            return Err(err(format!(
                "{url:?}: scheme {other:?} is not http or https"
            )))
        }
    };
    if rest.contains(['?', '#', '@']) {
        return Err(err(format!(
            "{url:?}: a domain may not hold a query, fragment or user"
        )));
    }
    let (authority, p) = match rest.find('/') {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            rest.get(i..).unwrap_or("/"),
        ),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => {
            let port = p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| err(format!("{url:?}: invalid port {p:?}")))?;
            (h, Some(port))
        }
        None => (authority, None),
    };
    let host = host.to_ascii_lowercase();
    if !is_host_name(&host) {
        return Err(err(format!("{url:?}: {host:?} is not a valid host name")));
    }
    let mut p = p.trim_end_matches('/').to_string();
    if p.is_empty() {
        p = "/".into();
    }
    Ok(FqdnUrl {
        https,
        host,
        port,
        path: p,
    })
}

/// A DNS name, optionally with a leading `*.` wildcard.
pub fn is_host_name(host: &str) -> bool {
    let h = host.strip_prefix("*.").unwrap_or(host);
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// The routes of a comma list of URLs for `service`, as Coolify serves them. `path` is the
/// setting's place in the input; each URL's errors name its index.
pub fn routes(
    service: &str,
    fqdns: &str,
    settings: &FqdnSettings,
    path: &InputPath,
) -> Result<Vec<Route>, Vec<Error>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in fqdns.split(',').enumerate() {
        if item.trim().is_empty() {
            continue;
        }
        let item_path = path.index(i);
        match parse_url(item, &item_path) {
            Ok(u) => out.push(route_for(service, &u, settings, item_path)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The route Coolify serves for one parsed URL.
pub fn route_for(service: &str, u: &FqdnUrl, settings: &FqdnSettings, source: InputPath) -> Route {
    let mut r = Route::new(service, vec![u.host.clone()]);
    r.source = source;
    r.path = u.path.clone();
    r.port = u.port.or(settings.default_port);
    if u.https {
        r.tls = Some(Tls {
            cert_resolver: Some(COOLIFY_CERT_RESOLVER.to_string()),
        });
        r.http = if settings.force_https {
            HttpMode::RedirectToHttps
        } else {
            HttpMode::Serve
        };
    }
    r.strip_prefix = settings.strip_prefix && u.path != "/";
    r.compress = settings.gzip;
    r.www_redirect = match settings.redirect {
        RedirectDirection::Www if !u.host.starts_with("www.") => Some(WwwRedirect::ToWww),
        RedirectDirection::NonWww if u.host.starts_with("www.") => Some(WwwRedirect::ToNonWww),
        _ => None,
    };
    r.basic_auth = settings.basic_auth.clone();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> InputPath {
        InputPath::root().key("fqdn")
    }

    #[test]
    fn one_https_domain_with_defaults() {
        let r = routes(
            "app",
            "https://app.example.com",
            &FqdnSettings::default(),
            &p(),
        )
        .unwrap();
        let mut want = Route::new("app", vec!["app.example.com".into()]);
        want.source = p().index(0);
        want.tls = Some(Tls {
            cert_resolver: Some("letsencrypt".into()),
        });
        want.http = HttpMode::RedirectToHttps;
        want.compress = true;
        assert_eq!(r, vec![want]);
    }

    #[test]
    fn two_domains_with_port_path_and_strip_prefix() {
        let s = FqdnSettings {
            force_https: false,
            default_port: Some(80),
            ..FqdnSettings::default()
        };
        let r = routes(
            "app",
            "https://a.example.com, http://b.example.com:8080/api/",
            &s,
            &p(),
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].port, r[0].http, r[0].strip_prefix),
            (Some(80), HttpMode::Serve, false)
        );
        assert_eq!(
            (
                r[1].port,
                r[1].path.as_str(),
                r[1].strip_prefix,
                r[1].tls.is_none()
            ),
            (Some(8080), "/api", true, true)
        );
        assert_eq!(r[1].source.to_string(), "fqdn[1]");
    }

    #[test]
    fn www_redirects_follow_coolify() {
        let s = FqdnSettings {
            redirect: RedirectDirection::Www,
            ..FqdnSettings::default()
        };
        let r = routes(
            "app",
            "https://example.com,https://www.example.com",
            &s,
            &p(),
        )
        .unwrap();
        assert_eq!(r[0].www_redirect, Some(WwwRedirect::ToWww));
        assert_eq!(r[1].www_redirect, None);
        let s = FqdnSettings {
            redirect: RedirectDirection::NonWww,
            ..FqdnSettings::default()
        };
        let r = routes(
            "app",
            "https://example.com,https://www.example.com",
            &s,
            &p(),
        )
        .unwrap();
        assert_eq!(r[0].www_redirect, None);
        assert_eq!(r[1].www_redirect, Some(WwwRedirect::ToNonWww));
    }

    #[test]
    fn bad_urls_name_their_index() {
        let e = routes(
            "app",
            "https://ok.io,ftp://x.io,https://bad_host.io,https://a.io:99999",
            &FqdnSettings::default(),
            &p(),
        )
        .unwrap_err();
        let lines: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("fqdn[1]: "));
        assert!(lines[1].starts_with("fqdn[2]: "));
        assert!(lines[2].starts_with("fqdn[3]: "));
    }
}
