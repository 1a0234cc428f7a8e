//! What [`plan_ports`](super::network::plan_ports) reports about the ports it cannot carry
//! as Docker publishes them, one line per run of consecutive entries rather than one per
//! port: a range (`49152-65535:49152-65535/udp`, a TURN server's) is 16,384 entries once
//! expanded, and gave 16,384 lines of "host port N is not published".
//!
//! ```
//! use coolify_k8s_core::compose::Protocol;
//! use coolify_k8s_core::plan::port_notes::{Entry, Note, PortNotes};
//! use coolify_k8s_core::{InputPath, Report};
//! let ports = InputPath::root().key("services").key("turn").key("ports");
//! let mut notes = PortNotes::default();
//! for (index, port) in (49152..=49160).enumerate() {
//!     let published = port.to_string();
//!     let entry = Entry { index, written: 0, published: &published, target: port, protocol: Protocol::Udp };
//!     notes.add(&ports, entry, Note::NotPublished);
//! }
//! let entry = Entry { index: 9, written: 1, published: "3478", target: 3478, protocol: Protocol::Tcp };
//! notes.add(&ports, entry, Note::NotPublished);
//! let mut report = Report::default();
//! notes.report(&mut report);
//! let lines: Vec<String> = report.entries().iter().map(ToString::to_string).collect();
//! assert_eq!(lines, [
//!     "approximated: services.turn.ports[0]: host ports 49152 to 49160/udp are not published: \
//!      the ports 49152 to 49160 are reachable inside the cluster only (option \
//!      published_ports: nodeport or loadbalancer)",
//!     "approximated: services.turn.ports[1]: host port 3478 is not published: the port 3478 \
//!      is reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
//! ]);
//! ```

use crate::compose::Protocol;
use crate::path::InputPath;
use crate::report::{Outcome, Report};

/// What is reported about one port entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Bound to this host address, which a Service cannot do (dropped).
    HostAddress(String),
    /// `mode: host` (dropped).
    HostMode,
    /// Published on the host, reachable inside the cluster only (option `clusterip`).
    NotPublished,
    /// A host port outside the NodePort range: the cluster picks the node port.
    OutsideNodePorts,
}

impl Note {
    fn outcome(&self) -> Outcome {
        match self {
            Note::HostAddress(_) | Note::HostMode => Outcome::Dropped,
            Note::NotPublished | Note::OutsideNodePorts => Outcome::Approximated,
        }
    }

    /// The key of the entry the note is about (`host_ip`, `mode`), if not the entry.
    fn key(&self) -> Option<&'static str> {
        match self {
            Note::HostAddress(_) => Some("host_ip"),
            Note::HostMode => Some("mode"),
            Note::NotPublished | Note::OutsideNodePorts => None,
        }
    }
}

/// One entry of a service's `ports`, as the note needs it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Its index in the (expanded) list: entries one after the other make a run.
    pub index: usize,
    /// The index of the entry it was written as, which the report names (a range is one
    /// written entry and many in the list).
    pub written: usize,
    /// The host port as written: a number, or a range (`8000-8010`).
    pub published: &'a str,
    /// The container port.
    pub target: u16,
    /// Its protocol.
    pub protocol: Protocol,
}

/// Consecutive entries with the same note, their host and container ports each one after
/// the other, in one protocol.
#[derive(Debug)]
struct Run {
    path: InputPath,
    note: Note,
    protocol: Protocol,
    /// The first entry's host port as written (`8080`, or a range `8000-8010`).
    published: String,
    /// The first and last entries' (index, host port, container port); the host port is
    /// `None` when it is not one number, and such an entry is a run of its own.
    first: (usize, Option<u16>, u16),
    last: (usize, Option<u16>, u16),
}

impl Run {
    fn continues(&self, entry: &Entry<'_>, host: Option<u16>, note: &Note) -> bool {
        let (i, last_host, last_target) = self.last;
        self.note == *note
            && self.protocol == entry.protocol
            && entry.index == i + 1
            && matches!((last_host, host), (Some(a), Some(b)) if a.checked_add(1) == Some(b))
            && last_target.checked_add(1) == Some(entry.target)
    }

    fn message(&self) -> String {
        let (_, first_host, first_target) = self.first;
        let (_, last_host, last_target) = self.last;
        let proto = match self.protocol {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        };
        let one = self.first.0 == self.last.0;
        let hosts = match (first_host, last_host) {
            (Some(a), Some(b)) => format!("host ports {a} to {b}/{proto}"),
            _ => format!("host port {}", self.published),
        };
        match (&self.note, one) {
            (Note::HostAddress(h), true) => {
                format!("binding to the host address {h} has no Service equivalent")
            }
            (Note::HostAddress(h), false) => {
                format!("binding to the host address {h} has no Service equivalent ({hosts})")
            }
            (Note::HostMode, true) => "host-mode publishing: use the published_ports option".into(),
            (Note::HostMode, false) => {
                format!("host-mode publishing: use the published_ports option ({hosts})")
            }
            (Note::NotPublished, true) => format!(
                "host port {} is not published: the port {first_target} is reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
                self.published
            ),
            (Note::NotPublished, false) => format!(
                "{hosts} are not published: the ports {first_target} to {last_target} are reachable inside the cluster only (option published_ports: nodeport or loadbalancer)"
            ),
            (Note::OutsideNodePorts, true) => format!(
                "host port {} is outside the NodePort range 30000-32767: the cluster picks the node port",
                first_host.map_or_else(|| self.published.clone(), |p| p.to_string())
            ),
            (Note::OutsideNodePorts, false) => format!(
                "{hosts} are outside the NodePort range 30000-32767: the cluster picks their node ports"
            ),
        }
    }
}

/// The notes of one service's ports, gathered into runs as they are added.
#[derive(Debug, Default)]
pub struct PortNotes {
    runs: Vec<Run>,
    /// The run each kind of note may continue (its index in `runs`).
    open: Vec<usize>,
}

impl PortNotes {
    /// Note something about an entry of the list at `ports`.
    pub fn add(&mut self, ports: &InputPath, entry: Entry<'_>, note: Note) {
        let host = entry.published.parse::<u16>().ok();
        let open = self.open.iter().position(|&r| {
            std::mem::discriminant(&self.runs[r].note) == std::mem::discriminant(&note)
        });
        if let Some(o) = open {
            let run = &mut self.runs[self.open[o]];
            if run.continues(&entry, host, &note) {
                run.last = (entry.index, host, entry.target);
                return;
            }
            self.open.remove(o);
        }
        let at = ports.index(entry.written);
        let path = match note.key() {
            Some(k) => at.key(k),
            None => at,
        };
        self.open.push(self.runs.len());
        self.runs.push(Run {
            path,
            note,
            protocol: entry.protocol,
            published: entry.published.to_string(),
            first: (entry.index, host, entry.target),
            last: (entry.index, host, entry.target),
        });
    }

    /// One report line per run, in the order of their first entries.
    pub fn report(self, report: &mut Report) {
        for run in self.runs {
            let message = run.message();
            report.add(run.path, run.note.outcome(), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Report lines of the notes `add` gives, as (index, published, target, protocol, note).
    fn lines(add: impl FnOnce(&mut dyn FnMut(usize, &str, u16, Protocol, Note))) -> Vec<String> {
        let ports = InputPath::root().key("services").key("s").key("ports");
        let mut notes = PortNotes::default();
        add(&mut |index, published, target, protocol, note| {
            let entry = Entry {
                index,
                written: index,
                published,
                target,
                protocol,
            };
            notes.add(&ports, entry, note);
        });
        let mut report = Report::default();
        notes.report(&mut report);
        report.entries().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_run_breaks_where_a_number_protocol_or_address_does_not_follow() {
        let got = lines(|add| {
            let address = |h: &str| Note::HostAddress(h.to_string());
            // 127.0.0.1:8000-8002:80-82, then 8003:83 on another address, then a gap.
            for (i, (host, target)) in [(8000, 80), (8001, 81), (8002, 82)].into_iter().enumerate()
            {
                add(
                    i,
                    &host.to_string(),
                    target,
                    Protocol::Tcp,
                    address("127.0.0.1"),
                );
                add(
                    i,
                    &host.to_string(),
                    target,
                    Protocol::Tcp,
                    Note::NotPublished,
                );
            }
            add(3, "8003", 83, Protocol::Tcp, address("10.0.0.1"));
            add(3, "8003", 83, Protocol::Tcp, Note::NotPublished);
            add(4, "8005", 85, Protocol::Tcp, Note::NotPublished);
            add(5, "8006", 86, Protocol::Udp, Note::NotPublished);
            add(6, "9000-9001", 90, Protocol::Tcp, Note::NotPublished);
        });
        assert_eq!(
            got,
            [
                "dropped: services.s.ports[0].host_ip: binding to the host address 127.0.0.1 has no Service equivalent (host ports 8000 to 8002/tcp)",
                "approximated: services.s.ports[0]: host ports 8000 to 8003/tcp are not published: the ports 80 to 83 are reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
                "dropped: services.s.ports[3].host_ip: binding to the host address 10.0.0.1 has no Service equivalent",
                "approximated: services.s.ports[4]: host port 8005 is not published: the port 85 is reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
                "approximated: services.s.ports[5]: host port 8006 is not published: the port 86 is reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
                "approximated: services.s.ports[6]: host port 9000-9001 is not published: the port 90 is reachable inside the cluster only (option published_ports: nodeport or loadbalancer)",
            ]
        );
    }

    #[test]
    fn node_port_runs_name_their_host_ports() {
        let got = lines(|add| {
            for (i, p) in (40000..40010).enumerate() {
                add(i, &p.to_string(), p, Protocol::Udp, Note::OutsideNodePorts);
            }
            add(10, "80", 80, Protocol::Tcp, Note::HostMode);
        });
        assert_eq!(
            got,
            [
                "approximated: services.s.ports[0]: host ports 40000 to 40009/udp are outside the NodePort range 30000-32767: the cluster picks their node ports",
                "dropped: services.s.ports[10].mode: host-mode publishing: use the published_ports option",
            ]
        );
    }
}
