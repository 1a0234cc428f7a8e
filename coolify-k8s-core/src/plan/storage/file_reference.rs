//! A service's `configs` / `secrets` entry → a key of the ConfigMap / Secret of its
//! top-level entry, mounted at the target as Docker Compose places it.
//!
//! Docker Compose (`pkg/compose/secrets.go`) copies a `content` or `environment` body into
//! the container, with the reference's `mode` (0444 when unset) and, when it sets `uid` or
//! `gid`, that owner; it bind-mounts a `file` source as it is and ignores the three. An
//! owned file goes through the init container's [`Step::Own`](super::seed::Step::Own), as
//! the kubelet mounts ConfigMap and Secret files as root's.

use super::{holds_private_key, Mounts, Storage};
use crate::compose::{ConfigDef, FileReference, Project, Service};
use crate::error::Error;
use crate::path::InputPath;
use crate::plan::env::Values;
use crate::plan::model::VolumeSource;
use crate::plan::names::{data_key, object_name};
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// The mode Docker Compose gives a body it copies in, when the reference sets none.
const COPIED_FILE_MODE: u32 = 0o444;

/// Which top-level list a reference points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    /// `configs`: a ConfigMap, mounted at `/<target>`.
    Config,
    /// `secrets`: a Secret, mounted under `/run/secrets/`.
    Secret,
}

impl FileKind {
    /// The Compose key (`configs` / `secrets`).
    pub(super) fn top(self) -> &'static str {
        match self {
            FileKind::Config => "configs",
            FileKind::Secret => "secrets",
        }
    }

    fn is_secret(self) -> bool {
        self == FileKind::Secret
    }

    /// The service's references of this kind.
    pub(super) fn references(self, service: &Service) -> &[FileReference] {
        match self {
            FileKind::Config => &service.configs,
            FileKind::Secret => &service.secrets,
        }
    }

    /// The project's top-level definitions of this kind.
    fn definitions(self, project: &Project) -> &BTreeMap<String, ConfigDef> {
        match self {
            FileKind::Config => &project.configs,
            FileKind::Secret => &project.secrets,
        }
    }

    /// The stem of the object made for a definition (`config-<name>`, `secret-<name>`).
    fn object_stem(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Secret => "secret",
        }
    }

    /// The Kubernetes kind holding the file.
    fn object_kind(self) -> &'static str {
        match self {
            FileKind::Config => "ConfigMap",
            FileKind::Secret => "Secret",
        }
    }

    /// Where the file is mounted: Docker Compose's defaults for a relative or absent
    /// `target`.
    fn target(self, r: &FileReference) -> String {
        match (&r.target, self) {
            (Some(t), _) if t.starts_with('/') => t.clone(),
            (Some(t), FileKind::Secret) => format!("/run/secrets/{t}"),
            (Some(t), FileKind::Config) => format!("/{t}"),
            (None, FileKind::Secret) => format!("/run/secrets/{}", r.source),
            (None, FileKind::Config) => format!("/{}", r.source),
        }
    }
}

impl Storage<'_> {
    /// A `configs` / `secrets` reference → its file, mounted at the target (through
    /// [`Step::Own`](super::seed::Step::Own) when it has an owner).
    pub(super) fn file_reference(
        &mut self,
        acc: &mut Mounts,
        r: &FileReference,
        kind: FileKind,
        at: &InputPath,
        values: &mut Values,
        report: &mut Report,
    ) {
        let Some(def) = kind.definitions(self.project).get(&r.source) else {
            acc.errors.push(Error::new(
                at.key("source"),
                format!("no top-level {} entry {:?}", kind.top(), r.source),
            ));
            return;
        };
        let copied_in = !def.external && def.file.is_none();
        let owner = if copied_in {
            match file_owner(r, at) {
                Ok(owner) => owner,
                Err(e) => return acc.errors.push(e),
            }
        } else {
            ignored_file_overrides(r, def.external, at, report);
            None
        };
        let key = data_key(&r.source);
        let Some((object, secret)) = self.file_object(r, def, kind, &key, values, report) else {
            return;
        };
        let mode = file_mode(r, def, copied_in);
        let vol = object_name(&format!("{}-{}", kind.top(), r.source));
        acc.volume(
            vol.clone(),
            VolumeSource::Files {
                name: object,
                secret,
                items: vec![(key.clone(), mode)],
            },
        );
        let target = kind.target(r);
        match owner {
            Some(owner) => {
                report.add(
                    at.clone(),
                    Outcome::Approximated,
                    format!("the file is owned by {owner}, as Docker Compose copies it in: an init container run from the service's image as root copies it into memory and runs chown (it needs /bin/sh, cp and chown in the image)"),
                );
                let mode = mode.map(|m| format!("{m:04o}"));
                acc.own(&vol, &key, &target, Some(owner), mode);
            }
            None => acc.mount(vol, &target, Some(key), true),
        }
    }

    /// The ConfigMap or Secret holding the file (`(name, is a Secret)`): an external one
    /// by its name, else one made for the entry from its body. `None` (reported) when the
    /// body is missing.
    fn file_object(
        &mut self,
        r: &FileReference,
        def: &ConfigDef,
        kind: FileKind,
        key: &str,
        values: &mut Values,
        report: &mut Report,
    ) -> Option<(String, bool)> {
        let dat = InputPath::root().key(kind.top()).key(r.source.as_str());
        if def.external {
            let existing = object_name(def.name.as_deref().unwrap_or(&r.source));
            report.add(
                dat,
                Outcome::Approximated,
                format!(
                    "external: the {} {existing:?} must exist in the namespace",
                    kind.object_kind()
                ),
            );
            return Some((existing, kind.is_secret()));
        }
        let body = if let Some(c) = &def.content {
            Some(values.resolve_text(c, &dat.key("content"), report))
        } else if let Some(var) = &def.environment {
            let secret = kind.is_secret() || values.is_secret(var);
            self.env.get(var).map(|v| (v.clone(), secret))
        } else {
            None
        };
        let Some((body, has_secret)) = body else {
            report.add(
                dat,
                Outcome::Dropped,
                format!(
                    "the {} entry has no content (its file could not be read, or its variable is unset): not mounted",
                    kind.top()
                ),
            );
            return None;
        };
        let secret = kind.is_secret() || has_secret || holds_private_key(&body);
        let object = self.scope.object(&object_name(&format!(
            "{}-{}",
            kind.object_stem(),
            r.source
        )));
        self.add_file(&object, secret, None, key, body);
        Some((object, secret))
    }
}

/// The file's mode: Docker Compose's for a body it copies in (the reference's, else
/// 0444); the reference's for an external object (refused by Docker Compose outside
/// Swarm, where the mode applies); none for a bind-mounted `file`, which keeps its own.
fn file_mode(r: &FileReference, def: &ConfigDef, copied_in: bool) -> Option<u32> {
    if copied_in {
        Some(r.mode.unwrap_or(COPIED_FILE_MODE))
    } else if def.external {
        r.mode
    } else {
        None
    }
}

/// `uid:gid` of a copied-in file, when the reference sets either: Docker Compose reads
/// each as a decimal number (`strconv.Atoi`), 0 when absent, and fails the deployment on
/// anything else.
fn file_owner(r: &FileReference, at: &InputPath) -> Result<Option<String>, Error> {
    if r.uid.is_none() && r.gid.is_none() {
        return Ok(None);
    }
    let id = |key: &str, v: &Option<String>| -> Result<u32, Error> {
        match v {
            None => Ok(0),
            Some(s) => s.trim().parse::<u32>().map_err(|_| {
                Error::new(
                    at.key(key),
                    format!("{s:?} is not a numeric id (Docker Compose refuses it too)"),
                )
            }),
        }
    };
    Ok(Some(format!(
        "{}:{}",
        id("uid", &r.uid)?,
        id("gid", &r.gid)?
    )))
}

/// `uid` / `gid` (and `mode`) on a reference to a `file` (bind-mounted as it is), or
/// `uid` / `gid` on an external object: Docker Compose ignores them outside Swarm, and
/// Kubernetes sets a mounted file's group through `fsGroup` only.
fn ignored_file_overrides(r: &FileReference, external: bool, at: &InputPath, report: &mut Report) {
    let set = [
        ("uid", r.uid.is_some()),
        ("gid", r.gid.is_some()),
        ("mode", r.mode.is_some() && !external),
    ];
    for (key, _) in set.into_iter().filter(|(_, set)| *set) {
        report.add(
            at.key(key),
            Outcome::Dropped,
            if external {
                "Docker Compose applies it only to a content or environment body it copies in; an external object's file is root's (its group through fsGroup)"
            } else {
                "Docker Compose bind-mounts a file source as it is and ignores it outside Swarm; so does the translation"
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(target: Option<&str>, uid: Option<&str>, gid: Option<&str>) -> FileReference {
        FileReference {
            source: "app".into(),
            target: target.map(str::to_string),
            uid: uid.map(str::to_string),
            gid: gid.map(str::to_string),
            mode: None,
        }
    }

    #[test]
    fn targets_are_where_docker_compose_puts_them() {
        let cases = [
            (FileKind::Config, None, "/app"),
            (FileKind::Config, Some("etc/app.conf"), "/etc/app.conf"),
            (FileKind::Secret, None, "/run/secrets/app"),
            (FileKind::Secret, Some("token"), "/run/secrets/token"),
            (FileKind::Secret, Some("/etc/token"), "/etc/token"),
        ];
        for (kind, target, expected) in cases {
            assert_eq!(kind.target(&reference(target, None, None)), expected);
        }
    }

    #[test]
    fn owners_are_numeric_and_default_to_root() {
        let at = InputPath::root()
            .key("services")
            .key("web")
            .key("configs")
            .index(0);
        let owner = |uid, gid| file_owner(&reference(None, uid, gid), &at);
        assert_eq!(owner(None, None).unwrap(), None);
        assert_eq!(owner(Some("101"), None).unwrap().as_deref(), Some("101:0"));
        assert_eq!(owner(None, Some("7")).unwrap().as_deref(), Some("0:7"));
        let e = owner(Some("1000"), Some("www")).unwrap_err().to_string();
        assert!(e.starts_with("services.web.configs[0].gid: \"www\""), "{e}");
        assert!(owner(Some("-1"), None).is_err());
    }
}
