//! `ports_mappings`: the host ports Coolify publishes (`8080:80`, `8080:80/udp`,
//! `127.0.0.1:8080:80`, comma-separated).

use super::{list_items, Attrs};
use crate::compose::normalize::port_number;
use crate::compose::{Port, Protocol};
use crate::error::Error;
use crate::path::InputPath;

/// Every mapping of the `ports_mappings` column; an invalid one is an error at its index.
pub(in crate::coolify) fn port_mappings(a: &Attrs<'_>, errors: &mut Vec<Error>) -> Vec<Port> {
    let Some(list) = a.text("ports_mappings") else {
        return Vec::new();
    };
    let mut ports = Vec::new();
    for (i, m) in list_items(&list).enumerate() {
        match parse_mapping(m) {
            Some(p) => ports.push(p),
            None => errors.push(Error::new(
                InputPath::root().key("ports_mappings").index(i),
                format!("invalid port mapping {m:?} (expected HOST:CONTAINER)"),
            )),
        }
    }
    ports
}

/// One mapping.
fn parse_mapping(m: &str) -> Option<Port> {
    let (spec, proto) = match m.rsplit_once('/') {
        Some((s, p)) => (s, p),
        None => (m, "tcp"),
    };
    let protocol = match proto {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        _ => return None,
    };
    let parts: Vec<&str> = spec.split(':').collect();
    let (host_ip, published, target) = match parts.as_slice() {
        [p, t] => (None, *p, *t),
        [ip, p, t] => (Some(ip.to_string()), *p, *t),
        _ => return None,
    };
    // Coolify passes the mapping to `docker run -p`, which takes no sign (`+8080`).
    let target = port_number(target).filter(|p| *p > 0)?;
    port_number(published).filter(|p| *p > 0)?;
    Some(Port {
        name: None,
        target,
        published: Some(published.to_string()),
        host_ip,
        protocol,
        app_protocol: None,
        mode: None,
        written_index: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mappings_with_address_and_protocol_and_errors_at_their_index() {
        let v = json!({"ports_mappings": "8080:80, 127.0.0.1:5353:53/udp,80,0:1,1:2/sctp,+8080:80,8080:+80"});
        let mut errors = Vec::new();
        let ports = port_mappings(&Attrs::root(&v, "x").unwrap(), &mut errors);
        let got: Vec<_> = ports
            .iter()
            .map(|p| {
                (
                    p.host_ip.as_deref(),
                    p.published.as_deref(),
                    p.target,
                    p.protocol,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (None, Some("8080"), 80, Protocol::Tcp),
                (Some("127.0.0.1"), Some("5353"), 53, Protocol::Udp)
            ]
        );
        let paths: Vec<_> = errors.iter().map(|e| e.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "ports_mappings[2]",
                "ports_mappings[3]",
                "ports_mappings[4]",
                "ports_mappings[5]",
                "ports_mappings[6]"
            ]
        );
    }
}
