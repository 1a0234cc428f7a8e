//! Ports: `ports` (published) and `expose` (container only), normalized to the long form.
//! A short-syntax range (`"8000-8002:80-82"`) becomes one [`Port`] per port.

use serde::Serialize;

/// Transport protocol of a port.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP (the default).
    #[default]
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

/// The key a canonical `ports` entry (as [`load_tree`](super::load_tree) gives it) carries
/// when its place in the list is not the place of the entry it was written as: a range
/// (`"8000-8002:80-82"`) is one entry written and three in the canonical list, and the entries
/// after it move. Its value is the written index, so that the report names `ports[1]` where
/// the user wrote `ports[1]`. An extension key, as the Compose Specification allows in a port
/// mapping; the typed model keeps it as [`Port::written_index`]. When entries merge (a port
/// written twice), the merged one keeps the first one's.
pub const WRITTEN_INDEX: &str = "x-coolify-k8s-written-index";

/// One entry of `ports`, in the long syntax. Two ports are equal when they are the same
/// port, wherever they were written ([`written_index`](Port::written_index) is not compared).
#[derive(Debug, Clone, Serialize)]
pub struct Port {
    /// `name`: a human-readable name for the port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The container port.
    pub target: u16,
    /// The host port, when the port is published on the host. A host range
    /// (`"8000-8010:80"`) keeps its text here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// `host_ip`: the host address the port is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// Transport protocol.
    pub protocol: Protocol,
    /// `app_protocol`: the application protocol (`http`, `grpc`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// `mode`: `ingress` or `host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The index of the `ports` entry this port was written as, for the report: a range
    /// (`"8000-8002:80-82"`) is one entry written and three ports, and the entries after it
    /// move. `None` for a port built in code: its place in the list.
    #[serde(skip)]
    pub written_index: Option<usize>,
}

impl Port {
    /// What the port is, without where it was written.
    #[allow(clippy::type_complexity)]
    fn identity(
        &self,
    ) -> (
        &Option<String>,
        u16,
        &Option<String>,
        &Option<String>,
        Protocol,
        &Option<String>,
        &Option<String>,
    ) {
        (
            &self.name,
            self.target,
            &self.published,
            &self.host_ip,
            self.protocol,
            &self.app_protocol,
            &self.mode,
        )
    }
}

impl PartialEq for Port {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for Port {}

impl PartialOrd for Port {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Port {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.identity().cmp(&other.identity())
    }
}

impl std::hash::Hash for Port {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

/// One entry of `expose` (a container port reachable by other services, not published).
/// Serializes as Compose writes it: `"80"`, `"53/udp"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExposedPort {
    /// The container port.
    pub target: u16,
    /// Transport protocol.
    pub protocol: Protocol,
}

impl Serialize for ExposedPort {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.protocol {
            Protocol::Tcp => s.collect_str(&self.target),
            Protocol::Udp => s.collect_str(&format_args!("{}/udp", self.target)),
            Protocol::Sctp => s.collect_str(&format_args!("{}/sctp", self.target)),
        }
    }
}
