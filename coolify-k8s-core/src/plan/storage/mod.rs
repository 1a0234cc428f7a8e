//! Storage and configuration: a service's `volumes`, `tmpfs`, `shm_size`, `configs` and
//! `secrets` → claims, ConfigMaps/Secrets holding files, pod volumes and mounts.
//!
//! - a named volume → a PersistentVolumeClaim named after it (ReadWriteMany when several
//!   services share it, reported);
//! - a Coolify `content:` bind → a key of the service's ConfigMap (`<service>-files`),
//!   or of its Secret (`<service>-secret-files`) when the body holds a secret (a secret
//!   variable's value, or a private key: [`holds_private_key`]), mounted
//!   with `subPath`; an empty `content: ""` → a kept, writable file of a claim (see
//!   `Storage::mount_empty_file`);
//! - another bind mount → a claim (`bind-<path>`, default), a `hostPath`, or an error, per
//!   the `bind_mounts` option; host-control paths (`/var/run/docker.sock`, `/proc`, …) are
//!   not mounted; all reported;
//! - `tmpfs` and `shm_size` → memory-backed `emptyDir`s;
//! - `configs` / `secrets` → a ConfigMap / Secret per top-level entry, mounted with
//!   `subPath` at the target.

use super::devices;
use super::env::Values;
use super::model::{AccessMode, Claim, FileSet, Mount, PodVolume, VolumeSource};
use super::names::{coolify_slug, data_key, object_name, volume_claim_name};
use super::seed::{self, Step};
use crate::compose::{MountType, Project, Service, ServiceVolume};
use crate::error::Error;
use crate::options::{BindMounts, Options, SharedVolumes};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::{BTreeMap, BTreeSet};

mod file_reference;
use file_reference::FileKind;

/// State shared by the services of one project.
#[derive(Debug)]
pub struct Storage<'a> {
    /// The project.
    pub project: &'a Project,
    /// The options.
    pub options: &'a Options,
    /// The resource's name (for rebasing relative host paths).
    pub instance: String,
    /// How claim and file object names carry the resource's identity.
    pub scope: super::scope::NameScope,
    /// The caller's variables (for `configs.*.environment`).
    pub env: &'a BTreeMap<String, String>,
    /// Services using each claim name.
    pub users: BTreeMap<String, BTreeSet<String>>,
    /// Claims by name, with the input that made them (to detect collisions).
    pub claims: BTreeMap<String, (Claim, String)>,
    /// ConfigMaps and Secrets holding files, by name.
    pub files: BTreeMap<String, FileSet>,
    /// The volume group of each service that shares a ReadWriteOnce claim (see
    /// [`super::affinity`]).
    pub groups: BTreeMap<String, String>,
}

/// What one service mounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceStorage {
    /// Pod volumes.
    pub volumes: Vec<PodVolume>,
    /// The main container's mounts.
    pub mounts: Vec<Mount>,
    /// What the volumes need before the service starts (see [`seed`]).
    pub steps: Vec<Step>,
}

/// Paths on the host that control it; they mean nothing in a pod.
fn host_control(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    if p.ends_with("docker.sock") || p.ends_with("podman.sock") || p.ends_with("containerd.sock") {
        return Some("the container runtime's socket does not exist on Kubernetes nodes in a usable form; not mounted");
    }
    if p.is_empty() {
        return Some("the host's root file system is not mounted");
    }
    for (prefix, why) in [
        ("/var/lib/docker", "Docker's data directory is not mounted"),
        ("/proc", "the host's /proc is not mounted"),
        ("/sys", "the host's /sys is not mounted"),
        (
            "/etc/localtime",
            "the host's time zone file is not mounted (set TZ instead)",
        ),
        (
            "/etc/timezone",
            "the host's time zone file is not mounted (set TZ instead)",
        ),
        ("/lib/modules", "the host's kernel modules are not mounted"),
        ("/boot", "the host's /boot is not mounted"),
    ] {
        if p == prefix || p.starts_with(&format!("{prefix}/")) {
            return Some(why);
        }
    }
    None
}

impl<'a> Storage<'a> {
    /// Count which services use which claim, before planning (access modes and the
    /// StatefulSet decision depend on it).
    pub fn count_users(&mut self) {
        for (name, svc) in &self.project.services {
            for v in &svc.volumes {
                if let Some(claim) = self.claim_name_for(v) {
                    self.users.entry(claim).or_default().insert(name.clone());
                }
            }
        }
        if self.options.shared_volumes == SharedVolumes::Affinity {
            self.groups = super::affinity::volume_groups(&self.users);
        }
    }

    /// The claim a mount would use, if it becomes one.
    fn claim_name_for(&self, v: &ServiceVolume) -> Option<String> {
        let source = v.source.as_deref()?;
        match v.kind {
            MountType::Volume => Some(self.claim_name(source)),
            MountType::Bind
                if host_control(source).is_none() && !devices::is_host_resource(source) =>
            {
                // A host path under `bind_mounts=pvc`; a kept empty file (`content: ""`)
                // under every policy but `hostpath` (see `mount_empty_file`).
                let claimed = match v.content.as_deref() {
                    None => self.options.bind_mounts == BindMounts::Pvc,
                    Some("") => self.options.bind_mounts != BindMounts::Hostpath,
                    Some(_) => false,
                };
                claimed.then(|| self.scope.object(&bind_claim_name(source)))
            }
            _ => None,
        }
    }

    /// The claim of a named volume ([`volume_claim_name`], in the resource's scope).
    fn claim_name(&self, source: &str) -> String {
        self.scope.object(&volume_claim_name(source))
    }

    /// True when the service mounts a named volume no other service uses.
    pub fn has_exclusive_named_volume(&self, service: &Service) -> bool {
        service.volumes.iter().any(|v| {
            v.kind == MountType::Volume
                && v.source.as_deref().is_some_and(|s| {
                    !self.project.volumes.get(s).is_some_and(|d| d.external)
                        && self
                            .users
                            .get(&self.claim_name(s))
                            .is_some_and(|u| u.len() == 1)
                })
        })
    }

    fn add_claim(
        &mut self,
        name: &str,
        input: &str,
        service: &str,
        at: &InputPath,
        report: &mut Report,
    ) -> Result<(), Error> {
        if let Some((_, from)) = self.claims.get(name) {
            // Sources with one Coolify slug are one volume there (`certs_x`, `certs-x`).
            if from != input && coolify_slug(from) != coolify_slug(input) {
                return Err(Error::new(
                    at.clone(),
                    format!("{input:?} and {from:?} both become the PersistentVolumeClaim {name:?}; rename one"),
                ));
            }
            if from != input {
                report.add(
                    at.clone(),
                    Outcome::Mapped,
                    format!("{input:?} and {from:?} are one volume on Coolify (one Str::slug): one claim {name:?}"),
                );
            }
            return Ok(());
        }
        let users = self.users.get(name).cloned().unwrap_or_default();
        let shared = users.len() > 1;
        let rwx = shared && self.options.shared_volumes == SharedVolumes::Rwx;
        if shared {
            let sharers = users.iter().cloned().collect::<Vec<_>>().join(", ");
            report.add(
                at.clone(),
                Outcome::Approximated,
                if rwx {
                    format!("{input:?} is shared by {sharers}: its claim {name:?} asks for ReadWriteMany (option shared_volumes=rwx), which the storage class must support")
                } else {
                    format!("{input:?} is shared by {sharers}: one ReadWriteOnce claim {name:?}, and the services sharing it run on one node (required pod affinity on the label coolify.io/volume-group), as on Docker's single host; option shared_volumes=rwx asks for ReadWriteMany instead")
                },
            );
        }
        let size = self
            .options
            .volume_sizes
            .get(input)
            .or_else(|| self.options.volume_sizes.get(name));
        if size.is_none() {
            report.add(
                at.clone(),
                Outcome::Approximated,
                format!(
                    "the claim {name:?} requests {} (option storage_size; option volume_sizes sets one volume's size): a Docker volume has no size",
                    self.options.storage_size
                ),
            );
        }
        let claim = Claim {
            name: name.to_string(),
            service: (!shared).then(|| service.to_string()),
            access: if rwx {
                AccessMode::ReadWriteMany
            } else {
                AccessMode::ReadWriteOnce
            },
            size: size.unwrap_or(&self.options.storage_size).clone(),
            storage_class: self.options.storage_class.clone(),
        };
        self.claims
            .insert(name.to_string(), (claim, input.to_string()));
        Ok(())
    }

    fn add_file(
        &mut self,
        set: &str,
        secret: bool,
        service: Option<&str>,
        key: &str,
        body: String,
    ) {
        let f = self
            .files
            .entry(set.to_string())
            .or_insert_with(|| FileSet {
                name: set.to_string(),
                secret,
                service: service.map(str::to_string),
                data: BTreeMap::new(),
            });
        f.data.insert(key.to_string(), body);
    }

    /// Plan one service's storage: each mount by its kind, then `tmpfs`, `shm_size`,
    /// `configs` and `secrets`.
    pub fn plan_service(
        &mut self,
        name: &str,
        k8s_name: &str,
        service: &Service,
        values: &mut Values,
        at: &InputPath,
        report: &mut Report,
    ) -> Result<ServiceStorage, Vec<Error>> {
        let mut acc = Mounts::new(name, k8s_name);
        acc.fs_group = super::security::fs_group(service);
        for (i, v) in service.volumes.iter().enumerate() {
            let vat = at.key("volumes").index(i);
            report_mount_options(v, &vat, report);
            match v.kind {
                MountType::Volume => self.mount_volume(&mut acc, i, v, &vat, report),
                MountType::Bind if v.content.as_deref().is_some_and(|c| !c.is_empty()) => {
                    self.mount_content(&mut acc, v, values, &vat, report)
                }
                MountType::Bind if v.content.is_some() => {
                    self.mount_empty_file(&mut acc, v, &vat, report)
                }
                MountType::Bind => self.mount_bind(&mut acc, v, &vat, report),
                MountType::Tmpfs => mount_tmpfs(&mut acc, i, v),
                MountType::Npipe | MountType::Cluster | MountType::Image => report.add(
                    vat.clone(),
                    Outcome::Dropped,
                    format!("{:?} mounts have no stable Kubernetes equivalent", v.kind)
                        .to_lowercase(),
                ),
            }
        }
        for (volume, mount) in devices::devices(service, self.options, at, report) {
            acc.volume(volume.name, volume.source);
            acc.mounts.push(mount);
        }
        tmpfs_list(&mut acc, service);
        shm(&mut acc, service);
        for kind in [FileKind::Config, FileKind::Secret] {
            for (i, r) in kind.references(service).iter().enumerate() {
                let rat = at.key(kind.top()).index(i);
                self.file_reference(&mut acc, r, kind, &rat, values, report);
            }
        }
        acc.finish()
    }

    /// A named volume → its claim (or the external claim); an anonymous one → an
    /// `emptyDir`.
    fn mount_volume(
        &mut self,
        acc: &mut Mounts,
        i: usize,
        v: &ServiceVolume,
        vat: &InputPath,
        report: &mut Report,
    ) {
        let Some(source) = v.source.as_deref() else {
            report.add(
                vat.clone(),
                Outcome::Approximated,
                "an anonymous volume becomes an emptyDir: it lives as long as the pod",
            );
            let vol = format!("anon-{i}");
            acc.volume(
                vol.clone(),
                VolumeSource::EmptyDir {
                    memory: false,
                    size: None,
                },
            );
            acc.first_use(vol, v, true, vat, report);
            return;
        };
        let def = self.project.volumes.get(source);
        if let Some(d) = def.filter(|d| d.external) {
            // An existing claim keeps its layout: mounted at its root, nothing copied.
            let existing = object_name(d.name.as_deref().unwrap_or(source));
            report.add(
                InputPath::root().key("volumes").key(source),
                Outcome::Approximated,
                format!("external volume: the PersistentVolumeClaim {existing:?} must exist in the namespace"),
            );
            acc.volume(existing.clone(), VolumeSource::Claim(existing.clone()));
            acc.mount(existing, &v.target, volume_sub_path(v), v.read_only);
            return;
        }
        let claim = self.claim_name(source);
        if let Err(e) = self.add_claim(&claim, source, acc.service, vat, report) {
            acc.errors.push(e);
            return;
        }
        acc.volume(claim.clone(), VolumeSource::Claim(claim.clone()));
        acc.first_use(claim, v, true, vat, report);
    }

    /// A Coolify `content:` bind → a key of the service's ConfigMap or Secret of files.
    fn mount_content(
        &mut self,
        acc: &mut Mounts,
        v: &ServiceVolume,
        values: &mut Values,
        vat: &InputPath,
        report: &mut Report,
    ) {
        let Some(content) = &v.content else { return };
        let key = data_key(&v.target);
        let (body, secret) = values.resolve_text(content, &vat.key("content"), report);
        let secret = secret || holds_private_key(&body);
        let set = acc.files_name(secret);
        self.add_file(&set, secret, Some(acc.service), &key, body);
        // Coolify writes `content:` files and makes them executable (templates run them
        // as entrypoints); a ConfigMap file would be 0644. An octal `chmod` is the mode.
        let octal = v
            .mode
            .as_deref()
            .and_then(|m| u32::from_str_radix(m, 8).ok());
        acc.file_items
            .entry((set, secret))
            .or_default()
            .push((key.clone(), Some(octal.unwrap_or(CONTENT_FILE_MODE))));
        let vol = if secret { "secret-files" } else { "files" };
        if v.owner.is_some() || (v.mode.is_some() && octal.is_none()) {
            acc.own(vol, &key, &v.target, v.owner.clone(), v.mode.clone());
        } else {
            acc.mount(vol.into(), &v.target, Some(key), v.read_only);
        }
        if !v.read_only {
            report.add(
                vat.clone(),
                Outcome::Approximated,
                format!(
                    "the file {:?} is mounted from a {} and is read-only in the container",
                    v.target,
                    if secret { "Secret" } else { "ConfigMap" }
                ),
            );
        }
    }

    /// A Coolify `content: ""` bind. Coolify creates the empty file once and keeps it
    /// (`touch`, which never truncates; `saveStorageOnServer`), so the app may write it and
    /// its data outlives the container: filebrowser keeps its database there. A ConfigMap
    /// would be read-only and emptied on every deployment. The file lives in a claim, as a
    /// bind of that host path does, created by the init container; with `bind_mounts=
    /// hostpath`, in a `hostPath` of type `FileOrCreate`.
    fn mount_empty_file(
        &mut self,
        acc: &mut Mounts,
        v: &ServiceVolume,
        vat: &InputPath,
        report: &mut Report,
    ) {
        let source = v.source.clone().unwrap_or_default();
        if host_control(&source).is_some() || devices::is_host_resource(&source) {
            return self.mount_bind(acc, v, vat, report);
        }
        if self.options.bind_mounts == BindMounts::Hostpath {
            let (vol, host) = self.host_volume(&source);
            report.add(vat.clone(), Outcome::Approximated, format!("Coolify creates the empty file {:?} once and keeps it: it is the host file {host:?} (hostPath of type FileOrCreate), which the pod sees on the node it runs on", v.target));
            acc.volume(vol.clone(), VolumeSource::HostFile(host));
            acc.mount(vol, &v.target, None, v.read_only);
            return;
        }
        // The bind_mounts=error policy refuses the user's host paths; this file is one
        // Coolify makes, so it gets a claim under every policy.
        let claim = self.scope.object(&bind_claim_name(&source));
        if let Err(e) = self.add_claim(&claim, &source, acc.service, vat, report) {
            acc.errors.push(e);
            return;
        }
        report.add(vat.clone(), Outcome::Approximated, format!("Coolify creates the empty file {:?} once and keeps it (the app may write it): the claim {claim:?} holds it, created by an init container run from the service's image as root (it needs /bin/sh and touch in the image)", v.target));
        acc.volume(claim.clone(), VolumeSource::Claim(claim.clone()));
        acc.steps.push(Step::Touch {
            volume: claim.clone(),
            owner: v.owner.clone(),
            mode: v.mode.clone(),
        });
        acc.mount(claim, &v.target, Some(seed::DATA.to_string()), v.read_only);
    }

    /// Another bind mount: not mounted (host-control paths), or a claim, a `hostPath` or
    /// an error per the `bind_mounts` option.
    fn mount_bind(
        &mut self,
        acc: &mut Mounts,
        v: &ServiceVolume,
        vat: &InputPath,
        report: &mut Report,
    ) {
        let source = v.source.clone().unwrap_or_default();
        let sub_path = volume_sub_path(v);
        if devices::is_host_resource(&source) {
            let found =
                devices::host_resource(self.options, &source, &v.target, v.read_only, vat, report);
            if let Some((volume, mount)) = found {
                acc.volume(volume.name, volume.source);
                acc.mounts.push(mount);
            }
            return;
        }
        if let Some(why) = host_control(&source) {
            report.add(vat.clone(), Outcome::Dropped, format!("{source}: {why}"));
            return;
        }
        match self.options.bind_mounts {
            BindMounts::Error => acc.errors.push(Error::new(
                vat.clone(),
                format!("bind mount of the host path {source:?}: host paths are not allowed (option bind_mounts=error); use a named volume"),
            )),
            BindMounts::Pvc => {
                let claim = self.scope.object(&bind_claim_name(&source));
                if let Err(e) = self.add_claim(&claim, &source, acc.service, vat, report) {
                    acc.errors.push(e);
                    return;
                }
                report.add(vat.clone(), Outcome::Approximated, format!("the host path {source:?} becomes the PersistentVolumeClaim {claim:?}; the host's files are not copied into it"));
                acc.volume(claim.clone(), VolumeSource::Claim(claim.clone()));
                // Docker copies nothing into a bind mount.
                acc.first_use(claim, v, false, vat, report);
            }
            BindMounts::Hostpath => {
                let (vol, host) = self.host_volume(&source);
                report.add(vat.clone(), Outcome::Approximated, format!("the host path {host:?} is mounted with hostPath: the pod sees the files of the node it runs on"));
                acc.volume(vol.clone(), VolumeSource::HostPath(host));
                if let Some(gid) = acc.fs_group.filter(|_| !v.read_only) {
                    report.add(vat.clone(), Outcome::Approximated, format!("Kubernetes applies no fsGroup to a hostPath: an init container gives the folder to the group {gid} (chgrp -R, g+rwX) when it is not yet its, as fsGroup does for claims"));
                    acc.steps.push(Step::Group { volume: vol.clone(), gid });
                }
                acc.mount(vol, &v.target, sub_path, v.read_only);
            }
        }
    }

    /// The pod volume of a bind under `bind_mounts=hostpath` and the node path it mounts.
    fn host_volume(&self, source: &str) -> (String, String) {
        (object_name(&format!("host-{source}")), self.rebase(source))
    }

    /// A relative host path, rebased as Coolify does under its service folder.
    fn rebase(&self, source: &str) -> String {
        let base = format!("/data/coolify/services/{}", self.instance);
        if let Some(rest) = source.strip_prefix("./") {
            format!("{base}/{rest}")
        } else if let Some(rest) = source.strip_prefix("~/") {
            format!("{base}/{rest}")
        } else if source.starts_with('/') {
            source.to_string()
        } else {
            format!("{base}/{source}")
        }
    }
}

/// A PEM private key (`-----BEGIN … PRIVATE KEY-----`: PKCS#8, RSA, EC, OpenSSH,
/// encrypted) is a secret whatever its origin: Coolify's `server.key` of a database's TLS,
/// a `content:` key pasted into a template. The file goes into a Secret, never a ConfigMap.
pub fn holds_private_key(body: &str) -> bool {
    const BEGIN: &str = "-----BEGIN ";
    body.match_indices(BEGIN).any(|(i, _)| {
        let label = &body[i + BEGIN.len()..];
        label
            .find("-----")
            .is_some_and(|end| label[..end].ends_with("PRIVATE KEY"))
    })
}

/// What one service's mounts add up to while they are planned.
struct Mounts<'s> {
    /// The Compose service name.
    service: &'s str,
    /// Its normalized name (for its file objects' names).
    k8s_name: &'s str,
    volumes: BTreeMap<String, VolumeSource>,
    mounts: Vec<Mount>,
    /// Keys of the service's own ConfigMap / Secret of `content:` files.
    file_items: BTreeMap<(String, bool), Vec<FileItem>>,
    /// The pod's `fsGroup` (a numeric non-root `user:`).
    fs_group: Option<i64>,
    steps: Vec<Step>,
    errors: Vec<Error>,
}

impl<'s> Mounts<'s> {
    fn new(service: &'s str, k8s_name: &'s str) -> Self {
        Mounts {
            service,
            k8s_name,
            volumes: BTreeMap::new(),
            mounts: Vec::new(),
            file_items: BTreeMap::new(),
            fs_group: None,
            steps: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Mount a volume the translator creates (a claim or an `emptyDir`) as Docker's new
    /// volume: the container sees its [`seed::DATA`] folder (never the root, which holds
    /// `lost+found` on block storage), and for a named or anonymous volume (`copy`) the
    /// image's content at the mount path is copied in once, unless `nocopy` is set or a
    /// `subpath` is mounted.
    fn first_use(
        &mut self,
        volume: String,
        v: &ServiceVolume,
        copy: bool,
        vat: &InputPath,
        report: &mut Report,
    ) {
        let sub = volume_sub_path(v);
        let sub_path = match &sub {
            Some(sp) => format!("{}/{}", seed::DATA, sp.trim_matches('/')),
            None => seed::DATA.to_string(),
        };
        let nocopy = v
            .volume
            .as_ref()
            .and_then(|o| o.get("nocopy"))
            .is_some_and(|n| n.as_bool() != Some(false));
        if copy && !nocopy && sub.is_none() {
            report.add(
                vat.clone(),
                Outcome::Approximated,
                format!("Docker copies the image's {:?} into a new volume: an init container run from the service's image as root copies it once, keeping owners and modes (it needs /bin/sh and cp in the image; in a Compose file, volume.nocopy: true skips it)", v.target),
            );
            self.steps.push(Step::Copy {
                volume: volume.clone(),
                from: v.target.clone(),
            });
        }
        self.mount(volume, &v.target, Some(sub_path), v.read_only);
    }

    /// Mount the file `key` of the files volume `from` at `target` through the scratch
    /// volume [`OWNED_FILES`], where the init container gives it `owner` and `mode`
    /// (see [`Step::Own`]). The scratch volume is in memory: a key never reaches the node's
    /// disk.
    fn own(
        &mut self,
        from: &str,
        key: &str,
        target: &str,
        owner: Option<String>,
        mode: Option<String>,
    ) {
        self.volume(
            OWNED_FILES.into(),
            VolumeSource::EmptyDir {
                memory: true,
                size: None,
            },
        );
        self.steps.push(Step::Own {
            from: from.to_string(),
            key: key.to_string(),
            to: OWNED_FILES.to_string(),
            owner,
            mode,
        });
        self.mount(
            OWNED_FILES.into(),
            target,
            Some(seed::owned_path(from, key)),
            true,
        );
    }

    /// The service's ConfigMap (or Secret) of `content:` files.
    fn files_name(&self, secret: bool) -> String {
        let suffix = if secret { "-secret-files" } else { "-files" };
        super::names::suffixed(self.k8s_name, suffix)
    }

    fn volume(&mut self, name: String, source: VolumeSource) {
        self.volumes.insert(name, source);
    }

    fn mount(&mut self, volume: String, path: &str, sub_path: Option<String>, read_only: bool) {
        self.mounts.push(Mount {
            volume,
            path: path.to_string(),
            sub_path,
            read_only,
        });
    }

    fn finish(mut self) -> Result<ServiceStorage, Vec<Error>> {
        for ((set, secret), items) in std::mem::take(&mut self.file_items) {
            let vol = if secret { "secret-files" } else { "files" };
            self.volume(
                vol.into(),
                VolumeSource::Files {
                    name: set,
                    secret,
                    items,
                },
            );
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(ServiceStorage {
            volumes: self
                .volumes
                .into_iter()
                .map(|(name, source)| PodVolume { name, source })
                .collect(),
            mounts: self.mounts,
            steps: self.steps,
        })
    }
}

/// Report the mount options that have no pod equivalent.
fn report_mount_options(v: &ServiceVolume, vat: &InputPath, report: &mut Report) {
    if v.consistency.is_some() {
        report.add(
            vat.key("consistency"),
            Outcome::Dropped,
            "mount consistency is a Docker Desktop setting",
        );
    }
    // `create_host_path` is what the short syntax implies; only the other options
    // (propagation, SELinux relabelling) are lost.
    let lost: Vec<&str> = v
        .bind
        .as_ref()
        .and_then(|b| b.as_object())
        .map(|b| {
            b.keys()
                .map(String::as_str)
                .filter(|k| *k != "create_host_path")
                .collect()
        })
        .unwrap_or_default();
    if !lost.is_empty() {
        report.add(
            vat.key("bind"),
            Outcome::Dropped,
            format!(
                "{}: bind propagation and SELinux options have no pod volume equivalent",
                lost.join(", ")
            ),
        );
    }
    if v.volume.as_ref().is_some_and(|o| o.get("nocopy").is_some()) {
        report.add(
            vat.key("volume").key("nocopy"),
            Outcome::Mapped,
            "honoured: the image's content is not copied into the volume",
        );
    }
}

/// The long syntax's `volume.subpath`.
fn volume_sub_path(v: &ServiceVolume) -> Option<String> {
    v.volume
        .as_ref()
        .and_then(|o| o.get("subpath"))
        .and_then(|s| s.as_str())
        .map(str::to_string)
}

/// A `tmpfs` mount → a memory-backed `emptyDir`.
fn mount_tmpfs(acc: &mut Mounts, i: usize, v: &ServiceVolume) {
    let size = v
        .tmpfs
        .as_ref()
        .and_then(|t| t.get("size"))
        .and_then(tmpfs_size);
    let vol = format!("tmpfs-{i}");
    acc.volume(vol.clone(), VolumeSource::EmptyDir { memory: true, size });
    acc.mount(vol, &v.target, None, v.read_only);
}

/// The service's `tmpfs:` list → memory-backed `emptyDir`s.
fn tmpfs_list(acc: &mut Mounts, service: &Service) {
    for (i, t) in service.tmpfs.iter().enumerate() {
        let (path, opts) = t.split_once(':').unwrap_or((t.as_str(), ""));
        let size = opts
            .split(',')
            .find_map(|o| o.strip_prefix("size="))
            .and_then(|s| tmpfs_size(&serde_json::Value::String(s.to_string())));
        let vol = format!("tmpfs-list-{i}");
        acc.volume(vol.clone(), VolumeSource::EmptyDir { memory: true, size });
        acc.mount(vol, path, None, false);
    }
}

/// `shm_size` → a memory-backed `emptyDir` at `/dev/shm`.
fn shm(acc: &mut Mounts, service: &Service) {
    if let Some(shm) = service.shm_size {
        acc.volume(
            "dshm".into(),
            VolumeSource::EmptyDir {
                memory: true,
                size: Some(super::resources::memory_quantity(shm.bytes())),
            },
        );
        acc.mount("dshm".into(), "/dev/shm", None, false);
    }
}

/// The mode of a Coolify `content:` file: Coolify makes the files it writes executable.
const CONTENT_FILE_MODE: u32 = 0o755;
/// The scratch volume of files given an owner or a symbolic mode before start.
const OWNED_FILES: &str = "owned-files";
/// A key of a ConfigMap or Secret mounted as a file, with its mode.
type FileItem = (String, Option<u32>);

/// The claim name of a bind-mounted host path.
pub fn bind_claim_name(source: &str) -> String {
    object_name(&format!("bind-{source}"))
}

fn tmpfs_size(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Number(n) => n.as_u64().map(super::resources::memory_quantity),
        serde_json::Value::String(s) => crate::compose::ByteSize::parse(s)
            .ok()
            .map(|b| super::resources::memory_quantity(b.bytes())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol(kind: MountType, source: Option<&str>, target: &str) -> ServiceVolume {
        ServiceVolume::new(kind, source.map(str::to_string), target)
    }

    fn project(services: Vec<(&str, Service)>) -> Project {
        Project {
            services: services
                .into_iter()
                .map(|(n, s)| (n.to_string(), s))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn private_keys_are_secret_whatever_their_kind() {
        for key in [
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
            "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIE",
            "-----BEGIN EC PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----",
        ] {
            assert!(holds_private_key(key), "{key}");
        }
        for not_key in [
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----",
            "PRIVATE KEY",
            "-----BEGIN PRIVATE KEY",
            "-----BEGIN -----BEGIN",
        ] {
            assert!(!holds_private_key(not_key), "{not_key}");
        }
    }

    #[test]
    fn volumes_binds_content_and_sockets() {
        let mut content = vol(
            MountType::Bind,
            Some("./init.sql"),
            "/docker-entrypoint-initdb.d/init.sql",
        );
        content.content = Some("CREATE TABLE x;".into());
        let db = Service {
            volumes: vec![
                vol(
                    MountType::Volume,
                    Some("pg_data"),
                    "/var/lib/postgresql/data",
                ),
                content,
                vol(
                    MountType::Bind,
                    Some("/var/run/docker.sock"),
                    "/var/run/docker.sock",
                ),
                vol(MountType::Bind, Some("./backups"), "/backups"),
                vol(MountType::Volume, Some("shared"), "/shared"),
            ],
            ..Default::default()
        };
        let app = Service {
            volumes: vec![vol(MountType::Volume, Some("shared"), "/data")],
            ..Default::default()
        };
        let p = project(vec![("db", db.clone()), ("app", app)]);
        let options = Options::default();
        let env = BTreeMap::new();
        let mut s = storage(&p, &options, &env);
        s.count_users();
        assert!(s.has_exclusive_named_volume(&db));
        let mut report = Report::default();
        let at = InputPath::root().key("services").key("db");
        let out = s
            .plan_service("db", "db", &db, &mut Values::default(), &at, &mut report)
            .unwrap();
        let mounts: Vec<(&str, &str, Option<&str>)> = out
            .mounts
            .iter()
            .map(|m| (m.volume.as_str(), m.path.as_str(), m.sub_path.as_deref()))
            .collect();
        assert_eq!(
            mounts,
            vec![
                ("pg-data", "/var/lib/postgresql/data", Some("data")),
                (
                    "files",
                    "/docker-entrypoint-initdb.d/init.sql",
                    Some("docker-entrypoint-initdb.d-init.sql")
                ),
                ("bind-backups", "/backups", Some("data")),
                ("shared", "/shared", Some("data")),
            ]
        );
        // Single-host semantics by default: one ReadWriteOnce claim, sharers on one node.
        assert_eq!(s.claims["shared"].0.access, AccessMode::ReadWriteOnce);
        assert_eq!(s.groups.get("db").map(String::as_str), Some("shared"));
        assert_eq!(s.groups.get("app").map(String::as_str), Some("shared"));
        // The image's content is copied into named volumes, never into binds.
        assert_eq!(
            out.steps,
            vec![
                Step::Copy {
                    volume: "pg-data".into(),
                    from: "/var/lib/postgresql/data".into()
                },
                Step::Copy {
                    volume: "shared".into(),
                    from: "/shared".into()
                },
            ]
        );
        assert_eq!(s.claims["pg-data"].0.access, AccessMode::ReadWriteOnce);
        assert_eq!(
            s.files["db-files"].data["docker-entrypoint-initdb.d-init.sql"],
            "CREATE TABLE x;"
        );
        let dropped: Vec<String> = report
            .with_outcome(Outcome::Dropped)
            .map(|e| e.path.to_string())
            .collect();
        assert_eq!(dropped, vec!["services.db.volumes[2]"]);
    }

    fn storage<'a>(
        p: &'a Project,
        options: &'a Options,
        env: &'a BTreeMap<String, String>,
    ) -> Storage<'a> {
        Storage {
            project: p,
            options,
            instance: "x".into(),
            scope: crate::plan::scope::NameScope::none(),
            env,
            users: BTreeMap::new(),
            claims: BTreeMap::new(),
            files: BTreeMap::new(),
            groups: BTreeMap::new(),
        }
    }

    fn plan_one(s: &mut Storage<'_>, name: &str, report: &mut Report) -> ServiceStorage {
        let svc = s.project.services[name].clone();
        let at = InputPath::root().key("services").key(name);
        s.plan_service(name, name, &svc, &mut Values::default(), &at, report)
            .unwrap()
    }

    #[test]
    fn nocopy_subpath_and_external_volumes_are_not_seeded() {
        let mut nocopy = vol(MountType::Volume, Some("a"), "/a");
        nocopy.volume = Some(serde_json::json!({"nocopy": true}));
        let mut sub = vol(MountType::Volume, Some("b"), "/b");
        sub.volume = Some(serde_json::json!({"subpath": "conf"}));
        let svc = Service {
            volumes: vec![
                nocopy,
                sub,
                vol(MountType::Volume, Some("ext"), "/ext"),
                vol(MountType::Volume, None, "/anon"),
            ],
            ..Default::default()
        };
        let mut p = project(vec![("web", svc)]);
        p.volumes.insert(
            "ext".into(),
            crate::compose::project::Volume {
                external: true,
                ..Default::default()
            },
        );
        let (options, env) = (Options::default(), BTreeMap::new());
        let mut s = storage(&p, &options, &env);
        s.count_users();
        let out = plan_one(&mut s, "web", &mut Report::default());
        let subs: Vec<Option<&str>> = out.mounts.iter().map(|m| m.sub_path.as_deref()).collect();
        assert_eq!(
            subs,
            vec![Some("data"), Some("data/conf"), None, Some("data")]
        );
        assert_eq!(
            out.steps,
            vec![Step::Copy {
                volume: "anon-3".into(),
                from: "/anon".into()
            }]
        );
    }

    #[test]
    fn volume_sizes_and_the_default_size_is_reported() {
        let svc = Service {
            volumes: vec![
                vol(MountType::Volume, Some("pg_data"), "/a"),
                vol(MountType::Volume, Some("cache"), "/b"),
            ],
            ..Default::default()
        };
        let p = project(vec![("db", svc)]);
        let options = Options {
            volume_sizes: BTreeMap::from([("pg_data".to_string(), "20Gi".to_string())]),
            ..Default::default()
        };
        let env = BTreeMap::new();
        let mut s = storage(&p, &options, &env);
        s.count_users();
        let mut r = Report::default();
        plan_one(&mut s, "db", &mut r);
        assert_eq!(s.claims["pg-data"].0.size, "20Gi");
        assert_eq!(s.claims["cache"].0.size, "1Gi");
        let sized: Vec<String> = r
            .entries()
            .iter()
            .filter(|e| e.message.contains("requests 1Gi"))
            .map(|e| e.path.to_string())
            .collect();
        assert_eq!(sized, vec!["services.db.volumes[1]"]);
    }

    #[test]
    fn rwx_option_and_hostpath_groups() {
        let share = |n| Service {
            volumes: vec![vol(MountType::Volume, Some("uploads"), "/u")],
            user: Some(format!("{n}")),
            ..Default::default()
        };
        let mut app = share(1000);
        app.volumes
            .push(vol(MountType::Bind, Some("./conf"), "/conf"));
        let p = project(vec![("app", app), ("worker", share(1001))]);
        let options = Options {
            shared_volumes: SharedVolumes::Rwx,
            bind_mounts: BindMounts::Hostpath,
            ..Default::default()
        };
        let env = BTreeMap::new();
        let mut s = storage(&p, &options, &env);
        s.count_users();
        let out = plan_one(&mut s, "app", &mut Report::default());
        assert_eq!(s.claims["uploads"].0.access, AccessMode::ReadWriteMany);
        assert!(s.groups.is_empty(), "no co-scheduling with ReadWriteMany");
        assert!(out.steps.contains(&Step::Group {
            volume: "host-conf".into(),
            gid: 1000
        }));
    }

    #[test]
    fn host_control_paths_and_devices_are_not_claims() {
        let svc = Service {
            volumes: vec![
                vol(MountType::Bind, Some("/run/dbus"), "/run/dbus"),
                vol(MountType::Bind, Some("/dev/net/tun"), "/dev/net/tun"),
            ],
            ..Default::default()
        };
        let p = project(vec![("vpn", svc)]);
        let env = BTreeMap::new();
        let options = Options::default();
        let mut s = storage(&p, &options, &env);
        s.count_users();
        let mut r = Report::default();
        let out = plan_one(&mut s, "vpn", &mut r);
        assert!(s.claims.is_empty() && out.mounts.is_empty());
        assert!(r.entries().iter().all(|e| !e.message.contains("becomes")));
        let options = Options {
            bind_mounts: BindMounts::Hostpath,
            ..Default::default()
        };
        let mut s = storage(&p, &options, &env);
        let out = plan_one(&mut s, "vpn", &mut Report::default());
        let kinds: Vec<&VolumeSource> = out.volumes.iter().map(|v| &v.source).collect();
        assert_eq!(
            kinds,
            vec![
                &VolumeSource::HostDevice {
                    path: "/dev/net/tun".into(),
                    kind: "CharDevice".into()
                },
                &VolumeSource::HostPath("/run/dbus".into()),
            ]
        );
    }

    /// The errors of planning `svc` as the project's only service, `web`.
    fn web_errors(svc: &Service, options: &Options) -> Vec<Error> {
        let p = project(vec![("web", svc.clone())]);
        let env = BTreeMap::new();
        let at = InputPath::root().key("services").key("web");
        storage(&p, options, &env)
            .plan_service(
                "web",
                "web",
                svc,
                &mut Values::default(),
                &at,
                &mut Report::default(),
            )
            .expect_err("planning fails")
    }

    #[test]
    fn bind_policy_error_names_the_mount() {
        let svc = Service {
            volumes: vec![vol(MountType::Bind, Some("./data"), "/data")],
            ..Default::default()
        };
        let options = Options {
            bind_mounts: BindMounts::Error,
            ..Default::default()
        };
        let e = web_errors(&svc, &options);
        assert!(
            e[0].to_string()
                .starts_with("services.web.volumes[0]: bind mount"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn colliding_claim_names_are_errors() {
        let svc = Service {
            volumes: vec![
                vol(MountType::Volume, Some("2db"), "/a"),
                vol(MountType::Volume, Some("s-2db"), "/b"),
            ],
            ..Default::default()
        };
        let e = web_errors(&svc, &Options::default());
        assert!(
            e[0].to_string().starts_with("services.web.volumes[1]: "),
            "{}",
            e[0]
        );
    }

    /// `bootstrap/helpers/parsers.php` names a volume `<uuid>_` + `Str::slug($source, '-')`:
    /// `certs_x` and `certs-x` are one volume there, so one claim here, shared by both.
    #[test]
    fn volumes_whose_sources_slug_alike_are_one_claim() {
        let a = Service {
            volumes: vec![vol(MountType::Volume, Some("certs_x"), "/certs")],
            ..Default::default()
        };
        let b = Service {
            volumes: vec![vol(MountType::Volume, Some("certs-x"), "/certs")],
            ..Default::default()
        };
        let p = project(vec![("a", a.clone()), ("b", b.clone())]);
        let options = Options::default();
        let env = BTreeMap::new();
        let mut s = storage(&p, &options, &env);
        s.count_users();
        let mut report = Report::default();
        for (name, svc) in [("a", &a), ("b", &b)] {
            let at = InputPath::root().key("services").key(name);
            s.plan_service(name, name, svc, &mut Values::default(), &at, &mut report)
                .unwrap();
        }
        assert_eq!(s.claims.len(), 1);
        let (claim, _) = &s.claims["certs-x"];
        // Shared: one ReadWriteOnce claim, both services in its volume group (one node).
        assert_eq!(claim.access, AccessMode::ReadWriteOnce);
        assert_eq!(s.groups.get("a"), s.groups.get("b"));
        assert!(s.groups.contains_key("a"));
        assert!(report
            .entries()
            .iter()
            .any(|e| e.path.to_string() == "services.b.volumes[0]"
                && e.message.contains("one volume on Coolify")));
    }
}
