//! The resource handle: what the lifecycle commands need to know about a deployed resource
//! (namespace, instance, workloads, kinds, claims), as a small JSON text that Coolify stores
//! with the deployment and hands back long after it (stop, start, restart, delete, logs,
//! exec, status). It holds names and labels only, never an object body, so never a Secret
//! value.
//!
//! ```
//! use coolify_k8s_core::kubectl::{Handle, Kubectl, Target};
//! use coolify_k8s_core::{Manifests, Report};
//! use serde_json::json;
//!
//! let m = Manifests::new(vec![json!({
//!     "apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web", "namespace": "acme",
//!                  "labels": {"app.kubernetes.io/instance": "acme"}},
//!     "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}
//! })], Report::default());
//! let stored = m.handle().unwrap().to_json();
//! let handle = Handle::from_json(&stored).unwrap();
//! let k = Kubectl::new(Target::default()).unwrap();
//! assert_eq!(k.restart(&handle).unwrap(), k.restart(&m).unwrap());
//! ```

use super::resource::{is_label_key, is_label_value, Resource, Workload, WorkloadKind};
use crate::error::{Error, Errors};
use crate::manifests::Manifests;
use crate::path::InputPath;
use serde::{Deserialize, Serialize};

/// Version of the handle's JSON form (its `handle` key).
pub const HANDLE_VERSION: u32 = 1;

/// A deployed resource as the lifecycle commands see it: names and labels only, never an
/// object body or a Secret value; made by [`Manifests::handle`], read by [`Handle::from_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handle {
    /// Format version, [`HANDLE_VERSION`]; also what tells a handle from manifests.
    pub handle: u32,
    /// Namespace of the resource's objects.
    pub namespace: String,
    /// Value of the `app.kubernetes.io/instance` label of its objects.
    pub instance: String,
    /// kubectl resource words of the kinds it has (`deployment.apps`, `service`), sorted.
    pub kinds: Vec<String>,
    /// Its PersistentVolumeClaims.
    #[serde(default)]
    pub claims: Vec<String>,
    /// Its workloads, in manifest order.
    pub workloads: Vec<HandleWorkload>,
}

/// One workload of a [`Handle`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleWorkload {
    /// Kubernetes kind (`Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`).
    pub kind: String,
    /// Object name.
    pub name: String,
    /// The Compose service (or Application) it was made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Label selector of its pods (`k=v,k=v`), empty when it has none.
    #[serde(default)]
    pub selector: String,
    /// `spec.replicas` as deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    /// Left out of the status (Coolify's `exclude_from_hc`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excluded: bool,
    /// Its pod template's containers.
    #[serde(default)]
    pub containers: Vec<String>,
}

impl Handle {
    /// The handle of a resource read from manifests.
    pub fn from_resource(r: &Resource) -> Self {
        Self {
            handle: HANDLE_VERSION,
            namespace: r.namespace.clone(),
            instance: r.instance.clone(),
            kinds: r.kinds.clone(),
            claims: r.claims.clone(),
            workloads: r
                .workloads
                .iter()
                .map(|w| HandleWorkload {
                    kind: w.kind.kind().to_string(),
                    name: w.name.clone(),
                    service: w.service.clone(),
                    selector: w.pod_selector.clone(),
                    replicas: w.replicas,
                    excluded: w.excluded,
                    containers: w.containers.clone(),
                })
                .collect(),
        }
    }

    /// Compact JSON, keys in a fixed order (same resource, same text).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A handle from its JSON text, checked as [`Resource::read`] checks manifests: errors
    /// name the key (`workloads[0].selector: …`).
    pub fn from_json(text: &str) -> Result<Self, Errors> {
        let h: Self = serde_json::from_str(text).map_err(|e| {
            Errors::from(Error::new(
                InputPath::root(),
                format!("not a resource handle: {e}"),
            ))
        })?;
        h.resource(None)?;
        Ok(h)
    }

    /// The resource for a target namespace (which must be the handle's, when given).
    pub fn resource(&self, namespace: Option<&str>) -> Result<Resource, Errors> {
        let root = InputPath::root();
        let mut errors = Vec::new();
        if self.handle != HANDLE_VERSION {
            errors.push(Error::new(
                root.key("handle"),
                format!(
                    "version {} is not known (this build reads {HANDLE_VERSION})",
                    self.handle
                ),
            ));
        }
        if self.namespace.is_empty() || has_nul(&self.namespace) {
            errors.push(Error::new(
                root.key("namespace"),
                "must be a namespace name",
            ));
        }
        if let Some(t) = namespace.filter(|t| *t != self.namespace) {
            errors.push(Error::new(
                root.key("namespace"),
                format!("is \"{}\", the target namespace is \"{t}\"", self.namespace),
            ));
        }
        if self.instance.is_empty() || !is_label_value(&self.instance) {
            errors.push(Error::new(
                root.key("instance"),
                "is not a valid label value (letters, digits, '-', '_', '.', at most 63)",
            ));
        }
        for (i, k) in self.kinds.iter().enumerate() {
            if !is_resource_word(k) {
                errors.push(Error::new(
                    root.key("kinds").index(i),
                    "is not a kubectl resource word (`deployment.apps`)",
                ));
            }
        }
        for (i, c) in self.claims.iter().enumerate() {
            if c.is_empty() || has_nul(c) {
                errors.push(Error::new(root.key("claims").index(i), "must be a name"));
            }
        }
        let mut workloads = Vec::new();
        for (i, w) in self.workloads.iter().enumerate() {
            match w.workload(&root.key("workloads").index(i)) {
                Ok(w) => workloads.push(w),
                Err(e) => errors.extend(e),
            }
        }
        if let Some(e) = Errors::from_vec(errors) {
            return Err(e);
        }
        Ok(Resource {
            namespace: self.namespace.clone(),
            instance: self.instance.clone(),
            namespaces: Vec::new(),
            objects: Vec::new(),
            workloads,
            kinds: self.kinds.clone(),
            claims: self.claims.clone(),
            incomplete: Some(
                "a resource handle holds no objects; apply needs the manifests of the translation"
                    .into(),
            ),
        })
    }
}

impl HandleWorkload {
    fn workload(&self, path: &InputPath) -> Result<Workload, Vec<Error>> {
        let mut errors = Vec::new();
        let kind = WorkloadKind::from_kind(&self.kind);
        if kind.is_none() {
            errors.push(Error::new(
                path.key("kind"),
                "must be Deployment, StatefulSet, DaemonSet, Job or CronJob",
            ));
        }
        if self.name.is_empty() || has_nul(&self.name) {
            errors.push(Error::new(path.key("name"), "must be an object name"));
        }
        if self.service.as_deref().is_some_and(has_nul) {
            errors.push(Error::new(path.key("service"), "contains a NUL character"));
        }
        if !self.selector.is_empty() && !self.selector.split(',').all(is_label_pair) {
            errors.push(Error::new(
                path.key("selector"),
                "must be `key=value` labels joined by `,`",
            ));
        }
        for (i, c) in self.containers.iter().enumerate() {
            if has_nul(c) {
                errors.push(Error::new(
                    path.key("containers").index(i),
                    "contains a NUL character",
                ));
            }
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(Workload {
                kind,
                name: self.name.clone(),
                service: self.service.clone(),
                pod_selector: self.selector.clone(),
                replicas: self.replicas,
                excluded: self.excluded,
                containers: self.containers.clone(),
            }),
            _ => Err(errors),
        }
    }
}

impl Manifests {
    /// The [`Handle`] of these manifests (their namespace, instance, workloads, kinds,
    /// claims): what Coolify stores to run the lifecycle commands later. Errors as
    /// [`Resource::read`]'s.
    pub fn handle(&self) -> Result<Handle, Errors> {
        Resource::read(self, None).map(|r| Handle::from_resource(&r))
    }
}

/// NUL cannot travel in an argument; every other character is quoted by the lines, and
/// the checks accept what [`Resource::read`] accepts from manifests (a handle made from
/// manifests always reads back).
fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

/// `key=value` with a valid label key and value.
fn is_label_pair(pair: &str) -> bool {
    pair.split_once('=')
        .is_some_and(|(k, v)| is_label_key(k) && is_label_value(v))
}

/// A kubectl resource word (`deployment.apps`) as [`resource_word`](super::resource_word)
/// makes them: not empty, no NUL, no `,` (kinds are joined by commas in one argument).
fn is_resource_word(k: &str) -> bool {
    !k.is_empty() && !has_nul(k) && !k.contains(',')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Report;
    use serde_json::json;

    fn manifests() -> Manifests {
        let labels = json!({"app.kubernetes.io/instance": "u1", "app.kubernetes.io/name": "web"});
        Manifests::new(
            vec![
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "n"},
                       "stringData": {"PASSWORD": "hunter2"}}),
                json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                       "metadata": {"name": "data", "namespace": "n", "labels": labels}}),
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                       "metadata": {"name": "web", "namespace": "n", "labels": labels,
                                    "annotations": {"coolify.io/exclude-from-hc": "true"}},
                       "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                                "template": {"spec": {"containers": [{"name": "web"}, {"name": "side"}]}}}}),
            ],
            Report::default(),
        )
    }

    #[test]
    fn carries_what_the_builders_read_and_no_object_body() {
        let h = manifests().handle().unwrap();
        let text = h.to_json();
        assert_eq!(
            text,
            r#"{"handle":1,"namespace":"n","instance":"u1","kinds":["persistentvolumeclaim","secret","statefulset.apps"],"claims":["data"],"workloads":[{"kind":"StatefulSet","name":"web","service":"web","selector":"app.kubernetes.io/instance=u1,app.kubernetes.io/name=web","replicas":1,"excluded":true,"containers":["web","side"]}]}"#
        );
        assert!(!text.contains("hunter2"));
        let back = Handle::from_json(&text).unwrap();
        assert_eq!(back, h);
        let r = back.resource(None).unwrap();
        let m = Resource::read(&manifests(), None).unwrap();
        assert_eq!(r.workloads, m.workloads);
        assert_eq!((r.kinds, r.claims), (m.kinds, m.claims));
        assert!(r.incomplete.is_some() && m.incomplete.is_none());
    }

    #[test]
    fn bad_handles_are_errors_naming_the_key() {
        let e = Handle::from_json("{\"handle\":1}").unwrap_err();
        assert!(
            e.first()
                .to_string()
                .starts_with("not a resource handle: missing field"),
            "{e}"
        );
        let mut h = manifests().handle().unwrap();
        h.handle = 2;
        h.instance = "a b".into();
        h.kinds.push("a,b".into());
        h.workloads[0].kind = "Pod".into();
        h.workloads[0].selector = "a=b,c".into();
        h.workloads[0].containers.push("x\0y".into());
        let e = Handle::from_json(&h.to_json()).unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "handle: version 2 is not known (this build reads 1)",
                "instance: is not a valid label value (letters, digits, '-', '_', '.', at most 63)",
                "kinds[3]: is not a kubectl resource word (`deployment.apps`)",
                "workloads[0].kind: must be Deployment, StatefulSet, DaemonSet, Job or CronJob",
                "workloads[0].selector: must be `key=value` labels joined by `,`",
                "workloads[0].containers[2]: contains a NUL character",
            ]
        );
        let e = Handle::from_json(
            r#"{"handle":1,"namespace":"n","instance":"i","kinds":[],"workloads":[],"extra":1}"#,
        )
        .unwrap_err();
        assert!(
            e.first().to_string().contains("unknown field `extra`"),
            "{e}"
        );
    }

    /// Fuzz finding (manifests_json): names the handle's first, stricter checks refused
    /// (control characters) were accepted from manifests, so the handle did not read back.
    /// (The other finding, a kind word with a comma, is now refused by `Resource::read`.)
    #[test]
    fn a_handle_from_manifests_always_reads_back() {
        let mut objects = manifests().objects().to_vec();
        objects[2]["metadata"]["labels"]["app.kubernetes.io/name"] = json!("w\teb");
        objects[2]["spec"]["template"]["spec"]["containers"][0]["name"] = json!("a\nb");
        let m = Manifests::new(objects, Report::default());
        let h = m.handle().unwrap();
        assert_eq!(Handle::from_json(&h.to_json()).unwrap(), h);
    }

    #[test]
    fn target_namespace_must_agree() {
        let h = manifests().handle().unwrap();
        assert!(h.resource(Some("n")).is_ok());
        let e = h.resource(Some("other")).unwrap_err();
        assert_eq!(
            e.first().to_string(),
            "namespace: is \"n\", the target namespace is \"other\""
        );
    }
}
