//! `volumes_from`: a service also mounts another service's volumes (Compose semantics).

use crate::compose::Project;
use crate::path::InputPath;
use crate::report::{Outcome, Report};

/// `volumes_from: [service[:ro|:rw]]`: the service also mounts the other service's
/// volumes (Compose semantics), read-only with `:ro`. `container:` sources are reported.
pub fn expand_volumes_from(project: &Project, report: &mut Report) -> Project {
    let mut out = project.clone();
    for (name, svc) in &project.services {
        for (i, from) in svc.volumes_from.iter().enumerate() {
            let at = InputPath::root()
                .key("services")
                .key(name.as_str())
                .key("volumes_from")
                .index(i);
            let (source, mode) = match from.rsplit_once(':') {
                Some((s, m)) if m == "ro" || m == "rw" => (s, m),
                _ => (from.as_str(), "rw"),
            };
            if source.starts_with("container:") {
                report.add(
                    at,
                    Outcome::Dropped,
                    "containers outside the project cannot share volumes",
                );
                continue;
            }
            let Some(other) = project.services.get(source) else {
                report.add(
                    at,
                    Outcome::Dropped,
                    format!("{source:?} is not a service of this project"),
                );
                continue;
            };
            let mut added = Vec::new();
            for v in &other.volumes {
                let mut v = v.clone();
                if mode == "ro" {
                    v.read_only = true;
                }
                if !svc.volumes.iter().any(|own| own.target == v.target) {
                    added.push(v);
                }
            }
            report.add(
                at,
                Outcome::Mapped,
                format!("mounts the volumes of {source:?}"),
            );
            if let Some(target) = out.services.get_mut(name) {
                target.volumes.extend(added);
            }
        }
    }
    out
}
