//! `persistent_storages` and `file_storages`, as Coolify's `LocalPersistentVolume` and
//! `LocalFileVolume` models hold them.

use super::Attrs;
use crate::compose::{MountType, Service, ServiceVolume};
use crate::error::Error;
use crate::path::InputPath;
use serde_json::Value;

/// Named volumes, or host binds with `host_path` (`suffix` is added to volume names and host
/// paths, `-pr-N` for a preview, unless `is_preview_suffix_enabled` is false), and files
/// with their content, or directories. Returns the attribute path of each volume added, in
/// order (for [`rebase_volumes`]).
pub(in crate::coolify) fn apply_storages(
    a: &Attrs<'_>,
    svc: &mut Service,
    errors: &mut Vec<Error>,
    suffix: &str,
) -> Vec<InputPath> {
    let mut origins = Vec::new();
    if let Some(list) = a.get("persistent_storages").and_then(Value::as_array) {
        for (i, s) in list.iter().enumerate() {
            let p = InputPath::root().key("persistent_storages").index(i);
            let sa = s.as_object().map(Attrs::of);
            let (Some(name), Some(mount)) = (
                sa.as_ref().and_then(|x| x.text("name")),
                sa.as_ref().and_then(|x| x.text("mount_path")),
            ) else {
                errors.push(Error::new(
                    p,
                    "a persistent storage needs `name` and `mount_path`",
                ));
                continue;
            };
            let host = sa.as_ref().and_then(|x| x.text("host_path"));
            origins.push(p);
            // A preview's volume (or host folder) is its own unless the storage opts out
            // (`generate_local_persistent_volumes` in `ApplicationDeploymentJob.php`).
            let suffix = if sa
                .as_ref()
                .is_some_and(|x| x.flag("is_preview_suffix_enabled", true))
            {
                suffix
            } else {
                ""
            };
            svc.volumes.push(volume(
                if host.is_some() {
                    MountType::Bind
                } else {
                    MountType::Volume
                },
                Some(format!("{}{suffix}", host.unwrap_or(name))),
                mount,
                None,
                None,
            ));
        }
    }
    if let Some(list) = a.get("file_storages").and_then(Value::as_array) {
        for (i, s) in list.iter().enumerate() {
            let p = InputPath::root().key("file_storages").index(i);
            let Some(sa) = s.as_object().map(Attrs::of) else {
                errors.push(Error::new(p, "expected an object"));
                continue;
            };
            let Some(mount) = sa.text("mount_path") else {
                errors.push(Error::new(
                    p.key("mount_path"),
                    "a file storage needs `mount_path`",
                ));
                continue;
            };
            let is_dir = sa.flag("is_directory", false);
            let mut v = volume(
                MountType::Bind,
                Some(sa.text("fs_path").unwrap_or_else(|| mount.clone())),
                mount,
                if is_dir {
                    None
                } else {
                    Some(sa.string("content").unwrap_or_default())
                },
                Some(is_dir),
            );
            if !is_dir {
                v.owner = file_owner(&sa, &p, errors);
                v.mode = file_mode(&sa, &p, errors);
            }
            origins.push(p);
            svc.volumes.push(v);
        }
    }
    origins
}

/// A file storage's `chown` (`LocalFileVolume::saveStorageOnServer` runs `chown` with it):
/// `user[:group]`, names or numbers, nothing a shell would read.
fn file_owner(sa: &Attrs<'_>, p: &InputPath, errors: &mut Vec<Error>) -> Option<String> {
    let owner = sa.text("chown")?;
    let name = |s: &str| {
        !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    let valid = match owner.split_once(':') {
        Some((u, g)) => name(u) && name(g),
        None => name(&owner),
    };
    if !valid {
        errors.push(Error::new(
            p.key("chown"),
            format!("{owner:?} is not an owner (expected user or user:group, e.g. 999:999)"),
        ));
        return None;
    }
    Some(owner)
}

/// A file storage's `chmod`: octal (`600`, `0644`) or symbolic (`u+x`, `go-rwx,u=rw`).
fn file_mode(sa: &Attrs<'_>, p: &InputPath, errors: &mut Vec<Error>) -> Option<String> {
    let mode = sa.text("chmod")?;
    let octal = (3..=4).contains(&mode.len()) && mode.bytes().all(|b| (b'0'..=b'7').contains(&b));
    let symbolic = mode.split(',').all(|clause| {
        let ops = clause.trim_start_matches(['u', 'g', 'o', 'a']);
        !ops.is_empty()
            && ops.starts_with(['+', '-', '='])
            && ops.bytes().all(|b| b"+-=rwxXst".contains(&b))
    });
    if !(octal || symbolic) {
        errors.push(Error::new(
            p.key("chmod"),
            format!(
                "{mode:?} is not a file mode (expected octal such as 600, or symbolic such as u+x)"
            ),
        ));
        return None;
    }
    Some(mode)
}

/// Report lines about the service's volumes (`services.<service>.volumes[i]`) moved to the
/// storage each came from (`origins[i]`, from [`apply_storages`]).
pub(in crate::coolify) fn rebase_volumes(
    report: &mut crate::report::Report,
    service: &str,
    origins: &[InputPath],
) {
    let volumes = InputPath::root()
        .key("services")
        .key(service)
        .key("volumes");
    for (i, origin) in origins.iter().enumerate() {
        report.rebase(&volumes.index(i), origin);
    }
    report.normalize();
}

/// A service volume with only what Coolify's storages set.
pub(in crate::coolify) fn volume(
    kind: MountType,
    source: Option<String>,
    target: String,
    content: Option<String>,
    is_directory: Option<bool>,
) -> ServiceVolume {
    ServiceVolume {
        content,
        is_directory,
        ..ServiceVolume::new(kind, source, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volumes_binds_files_and_directories() {
        let v = json!({
            "persistent_storages": [{"name": "data", "mount_path": "/data"},
                {"name": "h", "mount_path": "/h", "host_path": "/srv/h"}, {"name": "x"}],
            "file_storages": [{"mount_path": "/etc/a.conf", "content": "a=1"},
                {"mount_path": "/d", "is_directory": true}, 3]
        });
        let (mut svc, mut errors) = (Service::default(), Vec::new());
        apply_storages(
            &Attrs::root(&v, "x").unwrap(),
            &mut svc,
            &mut errors,
            "-pr-2",
        );
        let got: Vec<_> = svc
            .volumes
            .iter()
            .map(|v| (v.kind, v.source.as_deref(), v.content.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (MountType::Volume, Some("data-pr-2"), None),
                // Coolify suffixes a preview's host path too (`addPreviewDeploymentSuffix`
                // of the host path in `generate_local_persistent_volumes`).
                (MountType::Bind, Some("/srv/h-pr-2"), None),
                (MountType::Bind, Some("/etc/a.conf"), Some("a=1")),
                (MountType::Bind, Some("/d"), None),
            ]
        );
        let paths: Vec<_> = errors.iter().map(|e| e.path.to_string()).collect();
        assert_eq!(paths, ["persistent_storages[2]", "file_storages[2]"]);
    }

    #[test]
    fn report_lines_move_to_the_storage_they_came_from() {
        let mut report = crate::report::Report::default();
        let v = InputPath::root().key("services").key("db").key("volumes");
        report.add(v.index(0), crate::report::Outcome::Approximated, "size");
        report.add(
            v.index(1).key("source"),
            crate::report::Outcome::Dropped,
            "bind",
        );
        report.add(v.index(2), crate::report::Outcome::Mapped, "config file");
        let origins = [
            InputPath::root().key("persistent_storages").index(0),
            InputPath::root().key("file_storages").index(3),
        ];
        rebase_volumes(&mut report, "db", &origins);
        let got: Vec<_> = report
            .entries()
            .iter()
            .map(|e| e.path.to_string())
            .collect();
        assert_eq!(
            got,
            [
                "file_storages[3].source",
                "persistent_storages[0]",
                "services.db.volumes[2]"
            ]
        );
    }
}
