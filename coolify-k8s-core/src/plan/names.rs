//! Kubernetes names: what each kind allows, and a deterministic normalization of Compose
//! names into them.
//!
//! Normalization lowercases, turns every other character into `-`, collapses and trims
//! dashes, prefixes names that must start with a letter, and shortens long names to a
//! prefix plus a stable hash of the whole name (so two long names stay distinct).
//!
//! ```
//! use coolify_k8s_core::plan::names::{dns_label, port_name, label_value};
//! assert_eq!(dns_label("grampsweb_redis", 63), "grampsweb-redis");
//! assert_eq!(dns_label("2fauth", 63), "s-2fauth");
//! assert_eq!(dns_label("Web.App", 63), "web-app");
//! assert_eq!(dns_label(&"x".repeat(70), 52).len(), 52);
//! assert_eq!(port_name(None, 5432, "tcp"), "tcp-5432");
//! assert_eq!(port_name(Some("web"), 80, "tcp"), "web");
//! assert_eq!(label_value("a b"), "a-b");
//! ```

/// Longest Service / label-value / DNS label name.
pub const DNS_LABEL_MAX: usize = 63;
/// Longest StatefulSet name: its pods get a `controller-revision-hash` label made of the
/// name and a hash of up to 11 characters, which must fit in 63.
pub const STATEFULSET_MAX: usize = 52;
/// Longest IANA service name (a port name).
pub const PORT_NAME_MAX: usize = 15;

/// True when `s` is an RFC 1123 DNS label (namespaces, most object names' parts).
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= DNS_LABEL_MAX
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// True when `s` is an RFC 1035 label (Service names: also starts with a letter).
pub fn is_rfc1035_label(s: &str) -> bool {
    is_dns_label(s) && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

/// True when `s` is an RFC 1123 DNS subdomain (ConfigMap, Secret, PVC names).
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// True when `s` is an IANA service name: at most 15 lowercase letters, digits and
/// dashes, at least one letter, no leading, trailing or double dash.
pub fn is_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= PORT_NAME_MAX
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// True when `s` is a valid label value (empty, or at most 63 alphanumerics, `-`, `_`, `.`,
/// starting and ending with an alphanumeric).
pub fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= DNS_LABEL_MAX
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric()))
}

/// True when `s` is a valid label or annotation key name part (after an optional prefix).
pub fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(is_dns_subdomain) && !name.is_empty() && is_label_value(name)
}

/// FNV-1a, 32 bits: a stable hash for name suffixes (the standard library's hasher is not
/// guaranteed stable across releases).
pub fn stable_hash(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Lowercase, map other characters to `-`, collapse and trim dashes.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Shorten `s` to `max` by keeping a prefix and appending `-` and 8 hex digits of the hash
/// of `original`.
fn shorten(s: &str, original: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let suffix = format!("{:08x}", stable_hash(original));
    let keep = max.saturating_sub(suffix.len() + 1);
    let head: String = s.chars().take(keep).collect();
    let head = head.trim_end_matches('-');
    if head.is_empty() {
        suffix
    } else {
        format!("{head}-{suffix}")
    }
}

/// `base` followed by `suffix` when that fits a DNS label (63), else `base` shortened as
/// [`dns_label`] shortens (a hash of the whole name keeps it unique) so the suffix still
/// fits: the names of objects derived from another's (a route's `-tls` Secret, its `-http`
/// router) stay valid when the base name is already at the limit.
///
/// ```
/// use coolify_k8s_core::plan::names::suffixed;
/// assert_eq!(suffixed("web-0", "-tls"), "web-0-tls");
/// let long = "a".repeat(63);
/// let name = suffixed(&long, "-redirect-to-https");
/// assert!(name.len() <= 63 && name.ends_with("-redirect-to-https"), "{name}");
/// assert_ne!(name, suffixed(&"a".repeat(62), "-redirect-to-https"));
/// ```
pub fn suffixed(base: &str, suffix: &str) -> String {
    let whole = format!("{base}{suffix}");
    if whole.len() <= DNS_LABEL_MAX {
        return whole;
    }
    let head = shorten(base, &whole, DNS_LABEL_MAX.saturating_sub(suffix.len()));
    format!("{head}{suffix}")
}

/// Normalize to an RFC 1035 label of at most `max` (≤ 63) characters: starts with a
/// letter (names that do not get an `s-` prefix), ends with a letter or digit.
pub fn dns_label(s: &str, max: usize) -> String {
    let mut base = slug(s);
    if base.is_empty() {
        base = "s".to_string();
    }
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base = format!("s-{base}");
    }
    shorten(&base, s, max.min(DNS_LABEL_MAX))
}

/// Normalize to a DNS subdomain made of one label (names of ConfigMaps, Secrets, PVCs:
/// kept to 63 so they can also serve as label values and volume names).
pub fn object_name(s: &str) -> String {
    dns_label(s, DNS_LABEL_MAX)
}

/// Laravel's `Str::slug($s, '-')`, which Coolify applies to a named volume's source
/// (`bootstrap/helpers/parsers.php`: `$slugWithoutUuid = Str::slug($source, '-')`, the volume
/// then being `<uuid>_<slug>`): `_` becomes `-`, `@` becomes `-at-`, everything but ASCII
/// letters, digits, `-` and white space is removed (Laravel first transliterates other
/// letters to ASCII; they are removed here), runs of `-` and white space become one `-`,
/// lowercased and trimmed. Two sources with one slug are one volume on Coolify.
///
/// ```
/// use coolify_k8s_core::plan::names::coolify_slug;
/// assert_eq!(coolify_slug("certs_x"), "certs-x");
/// assert_eq!(coolify_slug("certs-x"), "certs-x");
/// assert_eq!(coolify_slug("DB.Data"), "dbdata");
/// assert_eq!(coolify_slug("a @ b"), "a-at-b");
/// ```
pub fn coolify_slug(s: &str) -> String {
    let s = s.replace('_', "-").replace('@', "-at-");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if (c == '-' || c.is_whitespace()) && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The PersistentVolumeClaim of a named volume: named after Coolify's slug of the source
/// ([`coolify_slug`]), so that sources Coolify treats as one volume are one claim.
///
/// ```
/// use coolify_k8s_core::plan::names::volume_claim_name;
/// assert_eq!(volume_claim_name("certs_x"), volume_claim_name("certs-x"));
/// assert_eq!(volume_claim_name("pg_data"), "pg-data");
/// ```
pub fn volume_claim_name(source: &str) -> String {
    let slug = coolify_slug(source);
    object_name(if slug.is_empty() { source } else { &slug })
}

/// True when an environment variable's name says its value is a host (or a list of hosts,
/// or a URL): one of its `_`-separated words is `HOST`, `SERVER`, `ADDR`, `URL`… A value
/// under such a name that is exactly a renamed service's name is rewritten; under any other
/// name (`ROLE=app_cron`) it stays as written.
pub fn is_host_variable(name: &str) -> bool {
    const WORDS: [&str; 19] = [
        "HOST",
        "HOSTS",
        "HOSTNAME",
        "SERVER",
        "SERVERS",
        "ADDR",
        "ADDRESS",
        "ENDPOINT",
        "ENDPOINTS",
        "URL",
        "URLS",
        "URI",
        "DSN",
        "BROKER",
        "BROKERS",
        "UPSTREAM",
        "BACKEND",
        "PROXY",
        "NODES",
    ];
    name.to_ascii_uppercase()
        .split(['_', '-', '.'])
        .any(|w| WORDS.contains(&w))
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Replace the occurrences of the service name `from` that stand in a host position with
/// `to`: the host of a URL (`redis://from:6379`, `postgres://u:p@from/db`), a `from:port`
/// pair, and, when `whole_value_is_host` (a host variable, see [`is_host_variable`]), a value
/// or comma-list item that is just `from`. Other occurrences (`ROLE=app_cron` when a service
/// is called `app_cron`, `from_url`, `a.from`) stay as written.
///
/// ```
/// use coolify_k8s_core::plan::names::rewrite_host_name;
/// let r = |t: &str, h: bool| rewrite_host_name(t, "app_cron", "app-cron", h);
/// assert_eq!(r("http://app_cron:8080/x", false), "http://app-cron:8080/x");
/// assert_eq!(r("app_cron:6379", false), "app-cron:6379");
/// assert_eq!(r("app_cron", false), "app_cron");
/// assert_eq!(r("app_cron", true), "app-cron");
/// assert_eq!(r("run app_cron now", true), "run app_cron now");
/// ```
pub fn rewrite_host_name(text: &str, from: &str, to: &str, whole_value_is_host: bool) -> String {
    if from.is_empty() || !text.contains(from) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(from) {
        let (before, after) = rest.split_at(pos);
        let after_word = &after[from.len()..];
        out.push_str(before);
        // `out` now holds everything before the occurrence.
        let prev = out.chars().last();
        let next = after_word.chars().next();
        let bounded = prev.is_none_or(|c| !is_host_char(c) && c != '.')
            && next.is_none_or(|c| !is_host_char(c) && c != '.');
        let url_host = out.ends_with("://") || prev == Some('@');
        let with_port = after_word
            .strip_prefix(':')
            .is_some_and(|p| p.starts_with(|c: char| c.is_ascii_digit()));
        // A value, or an item of a comma list, that is just the name.
        let item_start = out.rsplit(',').next().is_none_or(|s| s.trim().is_empty());
        let item_end = after_word
            .split(',')
            .next()
            .is_none_or(|s| s.trim().is_empty());
        let whole = whole_value_is_host && item_start && item_end;
        if bounded && (url_host || with_port || whole) {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        rest = after_word;
    }
    out.push_str(rest);
    out
}

/// A port's name: the Compose `name` when it is a valid IANA service name, else
/// `<protocol>-<port>`.
pub fn port_name(given: Option<&str>, port: u16, protocol: &str) -> String {
    if let Some(g) = given {
        let n = slug(g);
        if is_port_name(&n) {
            return n;
        }
    }
    format!("{protocol}-{port}")
}

/// Normalize to a label value (≤ 63; alphanumerics, `-`, `_`, `.`).
pub fn label_value(s: &str) -> String {
    if is_label_value(s) {
        return s.to_string();
    }
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    out = out
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    let out = shorten(&out, s, DNS_LABEL_MAX);
    out.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// A ConfigMap / Secret data key for a file path (`/etc/nginx/nginx.conf` →
/// `etc-nginx-nginx.conf`): keys allow alphanumerics, `-`, `_`, `.`.
pub fn data_key(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    let out = if out.is_empty() || out == "." || out == ".." {
        "file".to_string()
    } else {
        out
    };
    shorten(&out, path, 253)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_names_are_valid() {
        for s in [
            "web",
            "grampsweb_redis",
            "2fauth",
            "_x_",
            "",
            "---",
            "ÜBER",
            "a.b.c",
            &"very-long-name-".repeat(10),
        ] {
            let n = dns_label(s, 63);
            assert!(is_rfc1035_label(&n), "{s:?} -> {n:?}");
            let n = dns_label(s, STATEFULSET_MAX);
            assert!(is_rfc1035_label(&n) && n.len() <= 52, "{s:?} -> {n:?}");
            let v = label_value(s);
            assert!(is_label_value(&v), "{s:?} -> {v:?}");
        }
    }

    #[test]
    fn long_names_keep_distinct() {
        let a = dns_label(&format!("{}a", "x".repeat(70)), 63);
        let b = dns_label(&format!("{}b", "x".repeat(70)), 63);
        assert_ne!(a, b);
        assert_eq!(a.len(), 63);
    }

    #[test]
    fn port_names() {
        assert_eq!(port_name(Some("HTTP"), 80, "tcp"), "http");
        assert_eq!(
            port_name(Some("a-very-long-port-name"), 80, "tcp"),
            "tcp-80"
        );
        assert_eq!(port_name(Some("8080"), 8080, "udp"), "udp-8080");
        assert!(is_port_name("tcp-65535"));
        assert!(!is_port_name("8080"));
        assert!(!is_port_name("a--b"));
    }

    #[test]
    fn data_keys() {
        assert_eq!(data_key("/etc/nginx/nginx.conf"), "etc-nginx-nginx.conf");
        assert_eq!(data_key("/"), "file");
    }

    #[test]
    fn hash_is_stable() {
        // FNV-1a reference value for "a".
        assert_eq!(stable_hash("a"), 0xe40c292c);
    }

    /// Issue 10, rule 2: only host positions of a renamed service are rewritten.
    #[test]
    fn host_positions_only() {
        let r = |t: &str, h: bool| rewrite_host_name(t, "app_cron", "app-cron", h);
        assert!(!is_host_variable("ROLE"));
        assert!(is_host_variable("REDIS_HOST"));
        assert!(is_host_variable("kafka.brokers"));
        assert!(is_host_variable("DATABASE_URL"));
        assert_eq!(r("app_cron", is_host_variable("ROLE")), "app_cron");
        assert_eq!(r("app_cron", is_host_variable("CRON_HOST")), "app-cron");
        assert_eq!(r("app_cron, app_cron:1", true), "app-cron, app-cron:1");
        assert_eq!(
            r("postgres://u:p@app_cron/db", false),
            "postgres://u:p@app-cron/db"
        );
        assert_eq!(r("ws://app_cron.local", false), "ws://app_cron.local");
        assert_eq!(
            r("app_cron_2:80 app_cronx", true),
            "app_cron_2:80 app_cronx"
        );
        assert_eq!(r("--role app_cron", true), "--role app_cron");
    }

    #[test]
    fn coolify_slugs() {
        // Laravel's Str::slug with the '-' separator.
        assert_eq!(coolify_slug("Certs__X"), "certs-x");
        assert_eq!(coolify_slug("-a--b-"), "a-b");
        assert_eq!(coolify_slug("a b\tc"), "a-b-c");
        assert_eq!(coolify_slug("x.y/z"), "xyz");
        assert_eq!(volume_claim_name("2db"), "s-2db");
        assert_eq!(volume_claim_name("..."), "s");
    }
}
