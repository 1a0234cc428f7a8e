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

/// One entry of `ports`, in the long syntax.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
