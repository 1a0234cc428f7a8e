//! `ports` and `expose`: the short syntax (`"127.0.0.1:8000-8002:80-82/udp"`, `"80"`, `80`)
//! becomes the long one, one entry per container port, as docker's `nat.ParsePortSpec`
//! reads it.

use super::value::{self, Diagnostics};
use crate::compose::port::{ExposedPort, Port, Protocol, WRITTEN_INDEX};
use crate::error::Error;
use crate::path::InputPath;
use serde_json::{json, Map, Value};

const LONG_KEYS: &[&str] = &[
    "name",
    "mode",
    "host_ip",
    "target",
    "published",
    "protocol",
    "app_protocol",
];

/// The most entries the `ports` of a project's services may expand into together, and
/// apart, as many for their `expose`: every port number once. Docker accepts more (a port
/// per protocol, host address and service), but each expanded entry costs the loader 1 to
/// 4 kB, so twenty `127.0.0.N:1-65535:1-65535/udp` lines (850 bytes) took 5 GB and 100 s,
/// in one service or in twenty: enough to take down the PHP worker that calls the
/// translator. Kubernetes objects list at most 5,000 of them anyway (`plan::listed_ports`).
pub(crate) const EXPANDED_PORTS_MAX: usize = 65_535;

/// How many entries `ports` and `expose` hold so far, over the services of one tree.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Expanded {
    ports: usize,
    exposed: usize,
}

impl Expanded {
    /// Count a canonical service's `ports` and `expose` (as merging and `extends` leave
    /// them), with an error naming the list at `path` (the service's) whose total passes
    /// [`EXPANDED_PORTS_MAX`].
    pub(crate) fn add(&mut self, service: &Value, path: &InputPath) -> Result<(), Error> {
        let len = |key| {
            service
                .get(key)
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        };
        self.ports += len("ports");
        self.exposed += len("expose");
        for (key, total) in [("ports", self.ports), ("expose", self.exposed)] {
            if total > EXPANDED_PORTS_MAX {
                return Err(Error::new(
                    path.key(key),
                    format!(
                        "with what the services merge or extend, their `{key}` hold more than \
                         {EXPANDED_PORTS_MAX} ports (one per port number, over all services)"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Check the totals of a merged tree's services (after override files and `include`): each
/// file is held to [`EXPANDED_PORTS_MAX`] as it is read, so merging two files holds at most
/// twice as many, and this stops the next file from adding more.
pub(crate) fn check_merged(root: &Map<String, Value>) -> Result<(), Error> {
    let mut total = Expanded::default();
    if let Some(Value::Object(services)) = root.get("services") {
        let services_path = InputPath::root().key("services");
        for (name, service) in services {
            total.add(service, &services_path.key(name))?;
        }
    }
    Ok(())
}

fn too_many_ports(key: &str) -> String {
    format!(
        "the ranges of `{key}` expand into more than {EXPANDED_PORTS_MAX} ports (one per port number, over all services); this entry goes past it"
    )
}

/// Rewrite `ports` into long-form mappings (ranges expanded).
pub(crate) fn canonicalize_ports(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    // The schema's `uniqueItems` applies to the entries as written; two different short
    // and long entries may well be equal once rewritten.
    if let (Value::Array(items), false) = (&*v, d.canonical_input) {
        value::unique(items, path, d);
    }
    rewrite_ports(v, path, d);
}

/// The rewrite alone, without the uniqueness check of the input entries.
fn rewrite_ports(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    let Value::Array(items) = v else {
        d.error(path, value::expected("a sequence", v));
        return;
    };
    let mut out = Vec::with_capacity(items.len());
    let before = d.expanded.ports;
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        // Counted before the short forms become values: a range is up to 65,535 of them.
        let (long, short) = match item {
            Value::Object(m) => (canonical_long_port(m, &p, d), Vec::new()),
            Value::String(s) => (None, parse_short(s, &p, d)),
            Value::Number(n) => (None, parse_short(&value::number_text(n), &p, d)),
            other => {
                d.error(
                    &p,
                    value::expected("a port (string, number or mapping)", other),
                );
                continue;
            }
        };
        if before + out.len() + usize::from(long.is_some()) + short.len() > EXPANDED_PORTS_MAX {
            d.error(&p, too_many_ports("ports"));
            break;
        }
        let entries = long.into_iter().chain(short.into_iter().map(to_value));
        for mut entry in entries {
            if out.len() != i {
                entry.insert(WRITTEN_INDEX.into(), json!(i));
            }
            out.push(Value::Object(entry));
        }
    }
    d.expanded.ports = before + out.len();
    *v = Value::Array(out);
}

fn to_value(p: Port) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("target".into(), json!(p.target));
    if let Some(published) = p.published {
        m.insert("published".into(), json!(published));
    }
    if let Some(ip) = p.host_ip {
        m.insert("host_ip".into(), json!(ip));
    }
    m.insert("protocol".into(), json!(protocol_name(p.protocol)));
    m
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Sctp => "sctp",
    }
}

fn parse_protocol(s: &str, path: &InputPath, d: &mut Diagnostics) -> Option<Protocol> {
    match s.to_ascii_lowercase().as_str() {
        "tcp" => Some(Protocol::Tcp),
        "udp" => Some(Protocol::Udp),
        "sctp" => Some(Protocol::Sctp),
        _ => {
            d.error(
                path,
                format!("invalid protocol {s:?} (expected tcp, udp or sctp)"),
            );
            None
        }
    }
}

/// A port number: decimal digits only. Docker parses with Go's `strconv.ParseUint`, which
/// takes no sign, where Rust's `parse::<u16>` takes `+80` (found by the `translate` fuzzer:
/// `+108-3005` passed here and fails on Docker). Space around it stays allowed, as before.
pub(crate) fn port_number(s: &str) -> Option<u16> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A container port: 1..=65535.
fn container_port(s: &str, path: &InputPath, d: &mut Diagnostics) -> Option<u16> {
    match port_number(s) {
        Some(p) if p > 0 => Some(p),
        _ => {
            d.error(path, format!("invalid port {s:?}"));
            None
        }
    }
}

/// A port or an inclusive range `a-b`; `min` is 1 for container ports, 0 for host ports.
fn port_range(s: &str, min: u16, path: &InputPath, d: &mut Diagnostics) -> Option<(u16, u16)> {
    let parse = |x: &str| port_number(x).filter(|p| *p >= min);
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (parse(a), parse(b)),
        None => (parse(s), parse(s)),
    };
    match (a, b) {
        (Some(a), Some(b)) if a <= b => Some((a, b)),
        (Some(_), Some(_)) => {
            d.error(path, format!("invalid port range {s:?} (start after end)"));
            None
        }
        _ => {
            d.error(path, format!("invalid port {s:?}"));
            None
        }
    }
}

/// Parse one short-syntax entry `[[ip:]host:]container[/protocol]` into ports.
pub(crate) fn parse_short(s: &str, path: &InputPath, d: &mut Diagnostics) -> Vec<Port> {
    if s.trim().is_empty() {
        d.error(
            path,
            "invalid port \"\": the entry is empty (is a variable unset?)",
        );
        return Vec::new();
    }
    let (spec, protocol) = match s.rsplit_once('/') {
        Some((spec, proto)) => match parse_protocol(proto, path, d) {
            Some(p) => (spec, p),
            None => return Vec::new(),
        },
        None => (s, Protocol::Tcp),
    };
    // docker's splitParts: the last part is the container port, the one before the host
    // port, everything before that the address (IPv6 addresses hold colons).
    let parts: Vec<&str> = spec.split(':').collect();
    let (ip, host, container) = match parts.as_slice() {
        [c] => ("", "", *c),
        [h, c] => ("", *h, *c),
        [ip, h, c] => (*ip, *h, *c),
        [rest @ .., h, c] => (
            &spec[..rest.iter().map(|r| r.len() + 1).sum::<usize>() - 1],
            *h,
            *c,
        ),
        [] => ("", "", ""),
    };
    let host_ip = if ip.is_empty() {
        None
    } else {
        let bare = ip
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(ip);
        if bare.parse::<std::net::IpAddr>().is_err() {
            d.error(path, format!("invalid host IP {ip:?} in port {s:?}"));
            return Vec::new();
        }
        Some(bare.to_string())
    };
    let Some((c_start, c_end)) = port_range(container, 1, path, d) else {
        return Vec::new();
    };
    let host_range = if host.is_empty() {
        None
    } else {
        match port_range(host, 0, path, d) {
            Some(r) => Some(r),
            None => return Vec::new(),
        }
    };
    let make = |target: u16, published: Option<String>| Port {
        name: None,
        target,
        published,
        host_ip: host_ip.clone(),
        protocol,
        app_protocol: None,
        mode: None,
        written_index: None,
    };
    match host_range {
        None => (c_start..=c_end).map(|t| make(t, None)).collect(),
        Some((h_start, h_end)) if h_end - h_start == c_end - c_start => (c_start..=c_end)
            .zip(h_start..=h_end)
            .map(|(t, h)| make(t, Some(h.to_string())))
            .collect(),
        // A host range for one container port: Docker picks a free host port in it.
        Some(_) if c_start == c_end => vec![make(c_start, Some(host.trim().to_string()))],
        Some(_) => {
            d.error(
                path,
                format!("invalid port {s:?}: the host and container ranges differ in length"),
            );
            Vec::new()
        }
    }
}

/// A long-form entry with `target` as a number, `published` as text and `protocol` set.
fn canonical_long_port(
    m: &Map<String, Value>,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    let mut ok = true;
    for (k, v) in m {
        let p = path.key(k);
        match k.as_str() {
            "target" => {
                let text = value::string_or_number(v, &p, d);
                match text.and_then(|t| container_port(&t, &p, d)) {
                    Some(t) => {
                        out.insert(k.clone(), json!(t));
                    }
                    None => ok = false,
                }
            }
            "published" => {
                let text = value::string_or_number(v, &p, d);
                match text {
                    Some(t) if port_range(&t, 0, &p, d).is_some() => {
                        out.insert(k.clone(), json!(t.trim()));
                    }
                    _ => ok = false,
                }
            }
            "protocol" => match value::string(v, &p, d).and_then(|s| parse_protocol(&s, &p, d)) {
                Some(proto) => {
                    out.insert(k.clone(), json!(protocol_name(proto)));
                }
                None => ok = false,
            },
            "host_ip" => {
                if let Some(s) = value::string(v, &p, d) {
                    if s.parse::<std::net::IpAddr>().is_err() {
                        d.error(&p, format!("invalid host IP {s:?}"));
                        ok = false;
                    }
                }
                out.insert(k.clone(), v.clone());
            }
            "mode" => {
                if let Some(s) = value::string(v, &p, d) {
                    if s != "host" && s != "ingress" {
                        d.error(&p, format!("invalid mode {s:?} (expected host or ingress)"));
                        ok = false;
                    }
                }
                out.insert(k.clone(), v.clone());
            }
            "name" | "app_protocol" => {
                value::string(v, &p, d);
                out.insert(k.clone(), v.clone());
            }
            _ if value::is_extension(k) => {
                out.insert(k.clone(), v.clone());
            }
            _ => {
                d.error(&p, value::unknown_key_message(k, LONG_KEYS));
                ok = false;
            }
        }
    }
    if !m.contains_key("target") {
        d.error(path, "missing required key \"target\"");
        ok = false;
    }
    out.entry("protocol").or_insert_with(|| json!("tcp"));
    ok.then_some(out)
}

/// The typed `ports` of a canonical tree.
pub(crate) fn ports(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Vec<Port> {
    let mut canonical = v.clone();
    rewrite_ports(&mut canonical, path, d);
    let Value::Array(items) = canonical else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let m = item.as_object()?;
            let written = m
                .get(WRITTEN_INDEX)
                .and_then(Value::as_u64)
                .and_then(|w| usize::try_from(w).ok())
                .unwrap_or(i);
            let p = path.index(written);
            for k in m
                .keys()
                .filter(|k| value::is_extension(k) && k.as_str() != WRITTEN_INDEX)
            {
                d.dropped(&p.key(k), "extension key: not used by the translation");
            }
            let text = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
            Some(Port {
                name: text("name"),
                target: m
                    .get("target")
                    .and_then(Value::as_u64)
                    .and_then(|t| u16::try_from(t).ok())?,
                published: text("published"),
                host_ip: text("host_ip"),
                protocol: match m.get("protocol").and_then(Value::as_str) {
                    Some("udp") => Protocol::Udp,
                    Some("sctp") => Protocol::Sctp,
                    _ => Protocol::Tcp,
                },
                app_protocol: text("app_protocol"),
                mode: text("mode"),
                written_index: Some(written),
            })
        })
        .collect()
}

/// Rewrite `expose` into one string per port (`"80"`, `"53/udp"`), ranges expanded.
pub(crate) fn canonicalize_expose(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    let exposed = expose(v, path, d);
    if v.is_array() {
        *v = Value::Array(
            exposed
                .into_iter()
                .map(|e| match e.protocol {
                    Protocol::Tcp => json!(e.target.to_string()),
                    other => json!(format!("{}/{}", e.target, protocol_name(other))),
                })
                .collect(),
        );
    }
}

/// The typed `expose`.
pub(crate) fn expose(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Vec<ExposedPort> {
    let Some(items) = value::string_or_number_list(v, path, d) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let before = d.expanded.exposed;
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let (spec, protocol) = match item.rsplit_once('/') {
            Some((spec, proto)) => match parse_protocol(proto, &p, d) {
                Some(proto) => (spec, proto),
                None => continue,
            },
            None => (item.as_str(), Protocol::Tcp),
        };
        if let Some((a, b)) = port_range(spec, 1, &p, d) {
            if before + out.len() + usize::from(b - a) + 1 > EXPANDED_PORTS_MAX {
                d.error(&p, too_many_ports("expose"));
                break;
            }
            out.extend((a..=b).map(|target| ExposedPort { target, protocol }));
        }
    }
    d.expanded.exposed = before + out.len();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// target, published, host_ip, protocol.
    type Short = (u16, Option<String>, Option<String>, Protocol);

    fn short(s: &str) -> Result<Vec<Short>, Vec<String>> {
        let mut d = Diagnostics::default();
        let ports = parse_short(s, &InputPath::root().key("ports").index(0), &mut d);
        if d.errors.is_empty() {
            Ok(ports
                .into_iter()
                .map(|p| (p.target, p.published, p.host_ip, p.protocol))
                .collect())
        } else {
            Err(d.errors.iter().map(|e| e.to_string()).collect())
        }
    }

    #[test]
    fn short_syntax_forms() {
        use Protocol::*;
        let s = |x: &str| Some(x.to_string());
        assert_eq!(short("80").unwrap(), vec![(80, None, None, Tcp)]);
        assert_eq!(short("8080:80").unwrap(), vec![(80, s("8080"), None, Tcp)]);
        assert_eq!(
            short("127.0.0.1:8080:80/udp").unwrap(),
            vec![(80, s("8080"), s("127.0.0.1"), Udp)]
        );
        assert_eq!(
            short("8000-8002:80-82").unwrap(),
            vec![
                (80, s("8000"), None, Tcp),
                (81, s("8001"), None, Tcp),
                (82, s("8002"), None, Tcp)
            ]
        );
        assert_eq!(
            short("3000-3001").unwrap(),
            vec![(3000, None, None, Tcp), (3001, None, None, Tcp)]
        );
        assert_eq!(
            short("8000-8010:80").unwrap(),
            vec![(80, s("8000-8010"), None, Tcp)]
        );
        assert_eq!(
            short("127.0.0.1::80").unwrap(),
            vec![(80, None, s("127.0.0.1"), Tcp)]
        );
        assert_eq!(
            short("[::1]:53:53/SCTP").unwrap(),
            vec![(53, s("53"), s("::1"), Sctp)]
        );
        assert_eq!(
            short("::1:53:53").unwrap(),
            vec![(53, s("53"), s("::1"), Tcp)]
        );
    }

    #[test]
    fn short_syntax_errors() {
        assert_eq!(
            short("80800").unwrap_err(),
            vec!["ports[0]: invalid port \"80800\""]
        );
        assert_eq!(
            short("0").unwrap_err(),
            vec!["ports[0]: invalid port \"0\""]
        );
        assert_eq!(
            short("80/icmp").unwrap_err(),
            vec!["ports[0]: invalid protocol \"icmp\" (expected tcp, udp or sctp)"]
        );
        assert_eq!(
            short("1-3:4-5").unwrap_err(),
            vec!["ports[0]: invalid port \"1-3:4-5\": the host and container ranges differ in length"]
        );
        assert_eq!(
            short("localhost:80:80").unwrap_err(),
            vec!["ports[0]: invalid host IP \"localhost\" in port \"localhost:80:80\""]
        );
        assert_eq!(
            short("90-80").unwrap_err(),
            vec!["ports[0]: invalid port range \"90-80\" (start after end)"]
        );
    }

    #[test]
    fn a_port_number_is_digits_without_a_sign_as_docker_parses_it() {
        // The message names the part that is not a port: the host part, or the container's.
        for (entry, part) in [
            ("+80", "+80"),
            ("+108-3005", "+108-3005"),
            ("108-+3005", "108-+3005"),
            ("+8080:80", "+8080"),
            ("8080:+80", "+80"),
            ("80-81:8-+9", "8-+9"),
        ] {
            assert_eq!(
                short(entry).unwrap_err(),
                vec![format!("ports[0]: invalid port {part:?}")],
                "{entry}"
            );
        }
        let mut d = Diagnostics::default();
        let path = InputPath::root().key("ports");
        let mut v = json!([{"target": "+80"}, {"target": 80, "published": "+8080"}]);
        canonicalize_ports(&mut v, &path, &mut d);
        let errors: Vec<String> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            [
                "ports[0].target: invalid port \"+80\"",
                "ports[1].published: invalid port \"+8080\""
            ]
        );
        // Space around a number stays allowed, as it was before the sign was refused.
        assert_eq!(short(" 80 ").map(|p| p.len()), Ok(1));
    }

    #[test]
    fn canonical_form_is_idempotent() {
        let mut d = Diagnostics::default();
        let path = InputPath::root().key("ports");
        let mut v =
            json!(["8080:80", 9000, {"target": "53", "published": 5353, "protocol": "UDP"}]);
        canonicalize_ports(&mut v, &path, &mut d);
        let once = v.clone();
        canonicalize_ports(&mut v, &path, &mut d);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(v, once);
        assert_eq!(
            v,
            json!([
                {"target": 80, "published": "8080", "protocol": "tcp"},
                {"target": 9000, "protocol": "tcp"},
                {"target": 53, "published": "5353", "protocol": "udp"}
            ])
        );
    }

    #[test]
    fn entries_away_from_their_written_place_carry_its_index() {
        let mut d = Diagnostics::default();
        let path = InputPath::root().key("ports");
        let mut v = json!(["81", "8000-8001:80-81", {"target": 82}]);
        canonicalize_ports(&mut v, &path, &mut d);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(
            v,
            json!([
                {"target": 81, "protocol": "tcp"},
                {"target": 80, "published": "8000", "protocol": "tcp"},
                {"target": 81, "published": "8001", "protocol": "tcp", WRITTEN_INDEX: 1},
                {"target": 82, "protocol": "tcp", WRITTEN_INDEX: 2}
            ])
        );
        // Canonicalizing again keeps them (the list is canonical: nothing moves).
        let once = v.clone();
        canonicalize_ports(&mut v, &path, &mut d);
        assert_eq!(v, once);
        // The typed ports know them; the report's paths use them.
        let typed: Vec<_> = ports(&v, &path, &mut d)
            .iter()
            .map(|p| (p.target, p.written_index))
            .collect();
        assert_eq!(
            typed,
            [(81, Some(0)), (80, Some(1)), (81, Some(1)), (82, Some(2))]
        );
        assert!(d.report.entries().is_empty(), "{:?}", d.report);
    }

    #[test]
    fn ranges_past_one_entry_per_port_number_are_an_error_at_the_entry_that_passes() {
        let mut d = Diagnostics::default();
        let mut v = json!(["1-65535/udp", "8080"]);
        canonicalize_ports(&mut v, &InputPath::root().key("ports"), &mut d);
        let errors: Vec<String> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            ["ports[1]: the ranges of `ports` expand into more than 65535 ports (one per port number, over all services); this entry goes past it"]
        );
        let mut d = Diagnostics::default();
        let mut v = json!(["1-65535/udp"]);
        canonicalize_ports(&mut v, &InputPath::root().key("ports"), &mut d);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(v.as_array().map(Vec::len), Some(EXPANDED_PORTS_MAX));
        let mut d = Diagnostics::default();
        let v = json!(["1-65535", "9/udp", "7"]);
        let exposed = expose(&v, &InputPath::root().key("expose"), &mut d);
        let errors: Vec<String> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            ["expose[1]: the ranges of `expose` expand into more than 65535 ports (one per port number, over all services); this entry goes past it"]
        );
        assert_eq!(exposed.len(), EXPANDED_PORTS_MAX);
    }

    #[test]
    fn the_limit_is_over_all_the_services_of_a_tree() {
        // Twenty services of `1-65535:1-65535/udp` (1.2 kB) took 82 s and 1.5 GB with a
        // limit per service.
        let service =
            json!({"image": "a", "ports": ["1-65535:1-65535/udp", 80], "expose": ["1-40000"]});
        let mut doc = json!({"services": {"s0": service, "s1": service, "s2": service}});
        let e = super::super::canonicalize(&mut doc, &Default::default()).unwrap_err();
        let messages: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "services.s0.ports[1]: the ranges of `ports` expand into more than 65535 ports (one per port number, over all services); this entry goes past it",
                "services.s1.ports[0]: the ranges of `ports` expand into more than 65535 ports (one per port number, over all services); this entry goes past it",
                "services.s1.expose[0]: the ranges of `expose` expand into more than 65535 ports (one per port number, over all services); this entry goes past it",
                "services.s2.ports[0]: the ranges of `ports` expand into more than 65535 ports (one per port number, over all services); this entry goes past it",
                "services.s2.expose[0]: the ranges of `expose` expand into more than 65535 ports (one per port number, over all services); this entry goes past it",
            ]
        );
    }

    #[test]
    fn expose_expands_ranges() {
        let mut d = Diagnostics::default();
        let mut v = json!(["8000-8001", 53, "53/udp"]);
        canonicalize_expose(&mut v, &InputPath::root().key("expose"), &mut d);
        assert!(d.errors.is_empty());
        assert_eq!(v, json!(["8000", "8001", "53", "53/udp"]));
    }
}
