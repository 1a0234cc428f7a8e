//! Host paths that are not data: device nodes (`devices:`, `/dev/...` binds) and the
//! host's control sockets (`/run/dbus`, …). Docker hands the container the host's own;
//! an empty claim in their place would only hide that they are missing. Under
//! `--bind-mounts hostpath` they are the node's (a `hostPath`, typed for devices); under
//! any other policy they are not mounted, and reported.

use super::model::{Mount, PodVolume, VolumeSource};
use super::names::object_name;
use crate::compose::Service;
use crate::options::{BindMounts, Options};
use crate::path::InputPath;
use crate::report::{Outcome, Report};

/// Folders of device nodes (a `hostPath` of type `Directory`); any other `/dev/` path is
/// taken as one character device.
const DEVICE_FOLDERS: &[&str] = &[
    "/dev/dri",
    "/dev/snd",
    "/dev/bus/usb",
    "/dev/input",
    "/dev/serial",
    "/dev/net",
    "/dev/v4l",
    "/dev/disk",
    "/dev/mapper",
];

/// The host's control sockets and identity files: they talk to (or name) the host itself.
const HOST_SERVICES: &[(&str, &str)] = &[
    ("/run/dbus", "the host's D-Bus"),
    ("/var/run/dbus", "the host's D-Bus"),
    ("/run/systemd", "the host's systemd"),
    ("/var/run/systemd", "the host's systemd"),
    ("/run/udev", "the host's udev"),
    ("/var/run/udev", "the host's udev"),
    ("/run/avahi-daemon", "the host's Avahi daemon"),
    ("/var/run/avahi-daemon", "the host's Avahi daemon"),
    ("/etc/machine-id", "the host's machine id"),
    ("/var/lib/dbus/machine-id", "the host's machine id"),
];

/// True for a path under `/dev/` (a device node or a folder of them).
pub fn is_device(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p.starts_with("/dev/") && p != "/dev/shm" && !p.starts_with("/dev/shm/")
}

/// The `hostPath` type of a device path.
pub fn device_kind(path: &str) -> &'static str {
    let p = path.trim_end_matches('/');
    if DEVICE_FOLDERS.contains(&p) {
        "Directory"
    } else {
        "CharDevice"
    }
}

/// What a host-control path is, when it is one.
pub fn host_service(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    HOST_SERVICES
        .iter()
        .find(|(prefix, _)| p == *prefix || p.starts_with(&format!("{prefix}/")))
        .map(|(_, what)| *what)
}

/// A host path that is not data: a device or a host-control path.
pub fn is_host_resource(path: &str) -> bool {
    is_device(path) || host_service(path).is_some()
}

/// The pod volume and mount of a device or host-control path at `target`, when the
/// `bind_mounts` option allows host paths; else the report says why it is not mounted.
pub fn host_resource(
    options: &Options,
    source: &str,
    target: &str,
    read_only: bool,
    at: &InputPath,
    report: &mut Report,
) -> Option<(PodVolume, Mount)> {
    let (what, source_kind) = match host_service(source) {
        Some(what) => (what.to_string(), None),
        None => (
            format!("the host device {source}"),
            Some(device_kind(source)),
        ),
    };
    if options.bind_mounts != BindMounts::Hostpath {
        report.add(
            at.clone(),
            Outcome::Dropped,
            format!("{source}: {what} is a host resource, not data: an empty claim would not reach it; it is mounted from the node (hostPath) only under the bind_mounts=hostpath option"),
        );
        return None;
    }
    let name = object_name(&format!("host-{source}"));
    let volume = match source_kind {
        Some(kind) => {
            report.add(
                at.clone(),
                Outcome::Approximated,
                format!("{source}: the node's device, a hostPath of type {kind}: the pod starts only on a node that has it; the container runtime lets a container that is not privileged open only its default devices (such as /dev/net/tun, with the NET_ADMIN capability mapped from cap_add); others need privileged: true or a device plugin"),
            );
            VolumeSource::HostDevice {
                path: source.trim_end_matches('/').to_string(),
                kind: kind.to_string(),
            }
        }
        None => {
            report.add(
                at.clone(),
                Outcome::Approximated,
                format!("{source}: {what} of the node the pod runs on (hostPath)"),
            );
            VolumeSource::HostPath(source.to_string())
        }
    };
    Some((
        PodVolume {
            name: name.clone(),
            source: volume,
        },
        Mount {
            volume: name,
            path: target.to_string(),
            sub_path: None,
            read_only,
        },
    ))
}

/// The service's `devices:` entries (`HOST[:CONTAINER[:PERMISSIONS]]`, or the long form's
/// `source` / `target`), as [`host_resource`]s.
pub fn devices(
    service: &Service,
    options: &Options,
    at: &InputPath,
    report: &mut Report,
) -> Vec<(PodVolume, Mount)> {
    let Some(devices) = &service.devices else {
        return Vec::new();
    };
    let dat = at.key("devices");
    let Some(list) = devices.as_array() else {
        report.add(dat, Outcome::Dropped, "devices must be a list");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, d) in list.iter().enumerate() {
        let iat = dat.index(i);
        let pair = match d {
            serde_json::Value::String(s) => {
                let mut parts = s.splitn(3, ':');
                let host = parts.next().unwrap_or_default().to_string();
                let target = parts.next().unwrap_or(&host).to_string();
                Some((host, target))
            }
            serde_json::Value::Object(o) => o.get("source").and_then(|s| s.as_str()).map(|s| {
                let t = o.get("target").and_then(|t| t.as_str()).unwrap_or(s);
                (s.to_string(), t.to_string())
            }),
            _ => None,
        };
        match pair {
            Some((host, target)) if is_device(&host) => {
                out.extend(host_resource(options, &host, &target, false, &iat, report));
            }
            _ => report.add(
                iat,
                Outcome::Dropped,
                "not a host device path under /dev/ (CDI device names need a device plugin on Kubernetes)",
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostpath() -> Options {
        Options {
            bind_mounts: BindMounts::Hostpath,
            ..Default::default()
        }
    }

    #[test]
    fn dbus_is_a_host_control_path_not_a_claim() {
        assert_eq!(host_service("/run/dbus"), Some("the host's D-Bus"));
        assert_eq!(
            host_service("/var/run/dbus/system_bus_socket"),
            Some("the host's D-Bus")
        );
        assert_eq!(host_service("/run/dbusx"), None);
        let mut r = Report::default();
        let at = InputPath::root().key("x");
        assert!(host_resource(
            &Options::default(),
            "/run/dbus",
            "/run/dbus",
            true,
            &at,
            &mut r
        )
        .is_none());
        assert_eq!(r.entries()[0].outcome, Outcome::Dropped);
        assert!(r.entries()[0].message.contains("not data"));
        let (v, m) =
            host_resource(&hostpath(), "/run/dbus", "/run/dbus", true, &at, &mut r).unwrap();
        assert_eq!(v.source, VolumeSource::HostPath("/run/dbus".into()));
        assert!(m.read_only);
    }

    #[test]
    fn tun_is_a_char_device_under_hostpath() {
        let svc = Service {
            devices: Some(serde_json::json!([
                "/dev/net/tun",
                "/dev/dri:/dev/dri",
                {"source": "/dev/kvm", "target": "/dev/kvm", "permissions": "rwm"},
                "nvidia.com/gpu=all"
            ])),
            ..Default::default()
        };
        let mut r = Report::default();
        let at = InputPath::root().key("services").key("vpn");
        let out = devices(&svc, &hostpath(), &at, &mut r);
        let got: Vec<(&str, &str)> = out
            .iter()
            .map(|(v, m)| match &v.source {
                VolumeSource::HostDevice { kind, .. } => (m.path.as_str(), kind.as_str()),
                _ => (m.path.as_str(), "?"),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("/dev/net/tun", "CharDevice"),
                ("/dev/dri", "Directory"),
                ("/dev/kvm", "CharDevice")
            ]
        );
        assert!(!r.entries()[0].message.contains("needs a device plugin"));
        assert_eq!(
            r.entries().last().map(|e| e.path.to_string()),
            Some("services.vpn.devices[3]".into())
        );
        // Without hostPath, nothing is mounted and the report says how to get it.
        let mut r = Report::default();
        assert!(devices(&svc, &Options::default(), &at, &mut r).is_empty());
        assert!(r.entries()[0].message.contains("bind_mounts=hostpath"));
    }
}
