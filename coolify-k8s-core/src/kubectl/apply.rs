//! `apply`: namespace, server-side apply of the objects, pruning of what a previous
//! deployment of the same resource left and this one lacks.
//!
//! Pruning: kubectl's legacy `--prune -l` ignores objects applied server-side, and ApplySet
//! still needs kubectl ≥ 1.27 with an alpha switch. So every object is stamped with the
//! label [`OBJECT_SET_LABEL`], a hash of the set's object identities, and after the apply
//! the resource's objects that carry another value (or none) are deleted by label. This works
//! with any kubectl. PersistentVolumeClaims are never pruned: a volume that left the Compose
//! file keeps its data until the resource is deleted with its volumes.

use super::files::{ApplySteps, UploadFile};
use super::resource::{label, resource_word, Resource};
use super::ResourceSource;
use super::{namespace_flag, quote, selector_flag, Kubectl, FIELD_MANAGER};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::{json, Value};

/// Label holding the hash of the object set a deployment applied.
pub const OBJECT_SET_LABEL: &str = "coolify.io/object-set";

/// Kinds the translator may emit in a namespace (kubectl resource words), swept by the
/// prune and delete steps even when the current manifests have none of them.
/// PersistentVolumeClaims are left to [`Kubectl::delete`].
pub(super) const BUILTIN_KINDS: &[&str] = &[
    "configmap",
    "cronjob.batch",
    "daemonset.apps",
    "deployment.apps",
    "horizontalpodautoscaler.autoscaling",
    "ingress.networking.k8s.io",
    "job.batch",
    "networkpolicy.networking.k8s.io",
    "poddisruptionbudget.policy",
    "secret",
    "service",
    "serviceaccount",
    "statefulset.apps",
];

/// Custom-resource kinds the translator may emit: (API group, plural as `api-resources`
/// prints it, kubectl resource word). Swept only where the cluster serves them.
pub(super) const CUSTOM_KINDS: &[(&str, &str, &str)] = &[
    (
        "traefik.io",
        "ingressroutes.traefik.io",
        "ingressroute.traefik.io",
    ),
    (
        "traefik.io",
        "middlewares.traefik.io",
        "middleware.traefik.io",
    ),
    (
        "gateway.networking.k8s.io",
        "httproutes.gateway.networking.k8s.io",
        "httproute.gateway.networking.k8s.io",
    ),
];

/// The PVC resource word.
pub(super) const PVC: &str = "persistentvolumeclaim";

impl Kubectl {
    /// The steps that deploy `manifests` ([`ApplySteps`]): files to upload and the lines
    /// around them. The lines (`commands`) are:
    ///
    /// 1. the namespace: its `Namespace` objects applied from a file, or, when the
    ///    manifests have none, created when missing (`get || create`); skipped when the
    ///    target says `create_namespace: false`;
    /// 2. `kubectl apply --server-side --field-manager=coolify --force-conflicts -f FILE`
    ///    of every other object, one JSON `List` file;
    /// 3. deletion of the resource's objects (by instance label) that are not in this set;
    ///    custom-resource kinds only where the cluster serves them.
    ///
    /// No object body, and so no Secret value, is in any line: only in `files`.
    pub fn apply(&self, resource: &(impl ResourceSource + ?Sized)) -> Result<ApplySteps, Errors> {
        let r = self.resource(resource)?;
        if let Some(why) = &r.incomplete {
            return Err(Error::new(InputPath::root(), why.clone()).into());
        }
        let ns = namespace_flag(&r.namespace);
        let dir = self.target.files_dir.trim_end_matches('/');
        let dir = if dir.is_empty() { "/" } else { dir };
        let stem = format!("{dir}/{}.{}", file_part(&r.namespace), r.instance);
        let mut files = Vec::new();
        let mut commands = Vec::new();
        if self.target.create_namespace {
            if r.namespaces.is_empty() {
                let qns = quote(&r.namespace);
                commands.push(format!(
                    "{} >/dev/null 2>&1 || {}",
                    self.kubectl(&["get", "namespace", &qns]),
                    self.kubectl(&["create", "namespace", &qns])
                ));
            } else {
                let file = upload(format!("{stem}.namespaces.json"), &r.namespaces);
                commands.push(self.apply_file(&file.path, None));
                files.push(file);
            }
        }
        let set = object_set_hash(&r);
        let mut objects = r.objects.clone();
        for o in &mut objects {
            label(o, OBJECT_SET_LABEL, &set);
        }
        if !objects.is_empty() {
            let file = upload(format!("{stem}.objects.json"), &objects);
            commands.push(self.apply_file(&file.path, Some(&ns)));
            files.push(file);
        }
        let stale = selector_flag(&format!("{},{OBJECT_SET_LABEL}!={set}", r.selector()));
        commands.extend(self.sweep(&r, &ns, &stale, false));
        let qdir = quote(dir);
        let prepare = if self.target.sudo {
            // The SSH user may not create the directory; root makes it and hands it over.
            vec![
                format!("sudo mkdir -p {qdir}"),
                format!("sudo chown \"$USER\" {qdir}"),
                format!("chmod 700 {qdir}"),
            ]
        } else {
            // Exactly `mkdir -p DIR`: Coolify's rewriting adds its chown to that form.
            vec![format!("mkdir -p {qdir}"), format!("chmod 700 {qdir}")]
        };
        let cleanup = if files.is_empty() {
            Vec::new()
        } else {
            let paths: Vec<String> = files.iter().map(|f| quote(&f.path).into_owned()).collect();
            vec![format!("rm -f {}", paths.join(" "))]
        };
        Ok(ApplySteps {
            prepare,
            files,
            commands,
            cleanup,
        })
    }

    /// `kubectl apply --server-side … [--namespace=…] -f FILE`.
    fn apply_file(&self, path: &str, namespace_flag: Option<&str>) -> String {
        let manager = format!("--field-manager={FIELD_MANAGER}");
        let file = quote(path);
        let mut args = vec!["apply", "--server-side", &manager, "--force-conflicts"];
        if let Some(ns) = namespace_flag {
            args.push(ns);
        }
        args.extend(["-f", &file]);
        self.kubectl(&args)
    }

    /// Delete lines for every kind the resource may have, selected by `selector_flag`:
    /// one for the built-in kinds (plus kinds present in the manifests, plus PVCs when
    /// `volumes`), and one guarded line per custom kind.
    pub(super) fn sweep(
        &self,
        r: &Resource,
        ns: &str,
        selector_flag: &str,
        volumes: bool,
    ) -> Vec<String> {
        let mut kinds: Vec<String> = BUILTIN_KINDS.iter().map(|k| k.to_string()).collect();
        let custom: Vec<&str> = CUSTOM_KINDS.iter().map(|c| c.2).collect();
        for k in &r.kinds {
            if !custom.contains(&k.as_str()) && (volumes || k != PVC) {
                kinds.push(k.clone());
            }
        }
        if volumes {
            kinds.push(PVC.to_string());
        }
        kinds.sort();
        kinds.dedup();
        let list = quote(&kinds.join(",")).into_owned();
        let mut lines = vec![self.kubectl(&[
            "delete",
            &list,
            ns,
            selector_flag,
            "--ignore-not-found=true",
            "--wait=false",
        ])];
        for (group, plural, word) in CUSTOM_KINDS {
            let args = [
                "delete",
                word,
                ns,
                selector_flag,
                "--ignore-not-found=true",
                "--wait=false",
            ];
            if r.kinds.iter().any(|k| k == word) {
                // Applied a moment ago, so the cluster serves it.
                lines.push(self.kubectl(&args));
            } else {
                // A condition needs a script: `if` would get Coolify's sudo after it, but
                // the `then` part would not.
                let probe = self.kubectl_in_script(&[
                    "api-resources",
                    &quote(&format!("--api-group={group}")),
                    "-o",
                    "name",
                ]);
                lines.push(self.script(&format!(
                    "if {probe} 2>/dev/null | grep -qxF {}; then {}; fi",
                    quote(plural),
                    self.kubectl_in_script(&args)
                )));
            }
        }
        lines
    }
}

/// A file holding `objects` as one JSON `List`.
fn upload(path: String, objects: &[Value]) -> UploadFile {
    let list = json!({"apiVersion": "v1", "kind": "List", "items": objects});
    UploadFile {
        path,
        content: list.to_string(),
    }
}

/// `s` as one file-name component: characters other than letters, digits, `.`, `-` and `_`
/// become `_`, and at most 63 are kept, the length of a valid namespace (a target namespace
/// is free text; the instance label is already safe).
fn file_part(s: &str) -> String {
    s.chars()
        .take(63)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Hash (FNV-1a, 64 bit, hex) of the sorted identities (kind word, name) of the objects.
/// Identities only: the label then says which set an object belongs to without deriving
/// anything from object contents (Secret values never reach it).
fn object_set_hash(r: &Resource) -> String {
    let mut ids: Vec<String> = r
        .objects
        .iter()
        .map(|o| {
            let kind = o.get("kind").and_then(Value::as_str).unwrap_or("");
            let api = o.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let name = o
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            format!("{}/{}", resource_word(kind, api), name)
        })
        .collect();
    ids.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for b in id.bytes().chain(std::iter::once(b'\n')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}
