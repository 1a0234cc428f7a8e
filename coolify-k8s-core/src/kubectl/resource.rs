//! What the command builders need to know about a set of manifests: its namespace, its
//! instance label, its workloads and the kinds it uses. Read once, checked once.

use crate::error::{Error, Errors};
use crate::manifests::Manifests;
use crate::path::InputPath;
use serde_json::Value;

/// Label naming the Coolify resource an object belongs to.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// Label marking objects this project manages.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value.
pub const MANAGED_BY: &str = "coolify";
/// Label naming the Compose service (or Application) an object was made for.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";

/// Kinds that live outside namespaces (only `Namespace` is expected from the translator).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "PersistentVolume",
    "StorageClass",
    "IngressClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "ClusterIssuer",
    "GatewayClass",
];

/// A workload kind that the lifecycle commands act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// batch/v1 Job.
    Job,
    /// batch/v1 CronJob.
    CronJob,
}

impl WorkloadKind {
    /// The workload kind of a Kubernetes kind (`Deployment`), if it is one.
    pub fn from_kind(kind: &str) -> Option<Self> {
        Some(match kind {
            "Deployment" => Self::Deployment,
            "StatefulSet" => Self::StatefulSet,
            "DaemonSet" => Self::DaemonSet,
            "Job" => Self::Job,
            "CronJob" => Self::CronJob,
            _ => return None,
        })
    }

    /// A workload whose pods run until stopped (Deployment, StatefulSet, DaemonSet), as
    /// opposed to Jobs and CronJobs that run to completion.
    pub fn runs_continuously(self) -> bool {
        matches!(self, Self::Deployment | Self::StatefulSet | Self::DaemonSet)
    }

    /// The kubectl resource word (`deployment.apps`).
    pub fn resource(self) -> &'static str {
        match self {
            Self::Deployment => "deployment.apps",
            Self::StatefulSet => "statefulset.apps",
            Self::DaemonSet => "daemonset.apps",
            Self::Job => "job.batch",
            Self::CronJob => "cronjob.batch",
        }
    }

    /// The Kubernetes kind (`Deployment`).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Deployment => "Deployment",
            Self::StatefulSet => "StatefulSet",
            Self::DaemonSet => "DaemonSet",
            Self::Job => "Job",
            Self::CronJob => "CronJob",
        }
    }
}

/// One workload of the manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    /// Its kind.
    pub kind: WorkloadKind,
    /// `metadata.name`.
    pub name: String,
    /// Its `app.kubernetes.io/name` label (the Compose service), when set.
    pub service: Option<String>,
    /// Label selector of its pods (`k=v,k=v`, from `spec.selector.matchLabels`, or the
    /// pod template's labels for Jobs), empty when it has none.
    pub pod_selector: String,
    /// `spec.replicas` as written in the manifests (Deployments and StatefulSets).
    pub replicas: Option<i64>,
    /// Annotated `coolify.io/exclude-from-hc: "true"` (Compose `exclude_from_hc`): left out of
    /// `rollout-status` and of the status, as Coolify leaves it out of the resource's
    /// health.
    pub excluded: bool,
    /// Names of its pod template's containers, in order (the choices of the logs and
    /// terminal pages).
    pub containers: Vec<String>,
}

/// The annotation that carries Coolify's `exclude_from_hc`.
pub const EXCLUDE_FROM_HC: &str = "coolify.io/exclude-from-hc";

impl Workload {
    /// `deployment.apps/web`, unquoted.
    pub fn reference(&self) -> String {
        format!("{}/{}", self.kind.resource(), self.name)
    }
}

/// The manifests as the command builders see them.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Namespace every namespaced object goes to.
    pub namespace: String,
    /// Value of the instance label shared by the objects.
    pub instance: String,
    /// `Namespace` objects, in order.
    pub namespaces: Vec<Value>,
    /// Every other object, in order, each with the instance and managed-by labels set.
    pub objects: Vec<Value>,
    /// Workloads, in manifest order.
    pub workloads: Vec<Workload>,
    /// kubectl resource words of the kinds present (besides Namespace), sorted.
    pub kinds: Vec<String>,
    /// Names of its PersistentVolumeClaims, in manifest order.
    pub claims: Vec<String>,
    /// Why [`Kubectl::apply`](super::Kubectl::apply) cannot use it, when the objects are not
    /// all there (read from a handle, or from JSON written without Secret data).
    pub incomplete: Option<String>,
}

impl Resource {
    /// Read `manifests` for `namespace` (the target's, if it names one).
    pub fn read(manifests: &Manifests, namespace: Option<&str>) -> Result<Self, Errors> {
        let mut reader = Reader {
            target: namespace,
            ..Reader::default()
        };
        for (i, object) in manifests.objects().iter().enumerate() {
            reader.object(object, InputPath::root().key("objects").index(i));
        }
        reader.finish()
    }

    /// `instance=<x>,managed-by=coolify`: every object of the resource.
    pub fn selector(&self) -> String {
        format!(
            "{INSTANCE_LABEL}={},{MANAGED_BY_LABEL}={MANAGED_BY}",
            self.instance
        )
    }

    /// The workload a Compose service (or Application) became: by its
    /// `app.kubernetes.io/name` label, else by its name.
    pub fn workload_of(&self, service: &str) -> Result<&Workload, Error> {
        self.workloads
            .iter()
            .find(|w| w.service.as_deref() == Some(service))
            .or_else(|| self.workloads.iter().find(|w| w.name == service))
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .workloads
                    .iter()
                    .map(|w| w.service.as_deref().unwrap_or(&w.name))
                    .collect();
                Error::new(
                    InputPath::root().key("service"),
                    format!(
                        "no workload for service \"{service}\" (known: {})",
                        known.join(", ")
                    ),
                )
            })
    }
}

/// What [`Resource::read`] has gathered so far: the objects sorted by role, and every error
/// (all are reported, not only the first).
#[derive(Debug, Default)]
struct Reader<'a> {
    /// The target's namespace, if it names one.
    target: Option<&'a str>,
    errors: Vec<Error>,
    instance: Option<String>,
    /// The namespace the first namespaced object names.
    object_namespace: Option<String>,
    namespaces: Vec<Value>,
    objects: Vec<Value>,
    workloads: Vec<Workload>,
    kinds: Vec<String>,
    claims: Vec<String>,
    incomplete: Option<String>,
}

impl Reader<'_> {
    fn object(&mut self, object: &Value, path: InputPath) {
        let Some((kind, api_version, name)) = self.identity(object, &path) else {
            return;
        };
        if kind == "Namespace" {
            self.namespaces.push(object.clone());
            return;
        }
        self.instance_label(object, &path);
        if !CLUSTER_SCOPED.contains(&kind) {
            self.namespace_of(object, &path);
            let resource = resource_word(kind, api_version);
            if !self.kinds.contains(&resource) {
                self.kinds.push(resource);
            }
        }
        if let Some(wk) = WorkloadKind::from_kind(kind) {
            match workload(wk, name, object, &path) {
                Ok(w) => self.workloads.push(w),
                Err(e) => self.errors.push(e),
            }
        }
        if kind == "PersistentVolumeClaim" {
            self.claims.push(name.to_string());
        }
        if self.incomplete.is_none() && secret_data_omitted(object) {
            self.incomplete = Some(format!(
                "{path}: Secret \"{name}\" was stored without its data (toJson without \
                 secrets); apply needs the manifests of the translation"
            ));
        }
        self.objects.push(object.clone());
    }

    /// Kind, apiVersion and name, each safe to become a kubectl word; none (an error) when
    /// one is missing or malformed.
    fn identity<'v>(
        &mut self,
        object: &'v Value,
        path: &InputPath,
    ) -> Option<(&'v str, &'v str, &'v str)> {
        let text = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or("");
        let (kind, api_version, name) =
            (text("/kind"), text("/apiVersion"), text("/metadata/name"));
        if kind.is_empty() || api_version.is_empty() || name.is_empty() {
            self.errors.push(Error::new(
                path.clone(),
                "not a Kubernetes object: apiVersion, kind and metadata.name are required",
            ));
            return None;
        }
        if name.contains('\0') {
            self.errors.push(Error::new(
                path.key("metadata").key("name"),
                "contains a NUL character",
            ));
            return None;
        }
        if !is_kind(kind) || !is_api_version(api_version) {
            // They become kubectl resource words, joined by commas in one argument.
            self.errors.push(Error::new(
                path.clone(),
                "not a Kubernetes object: kind must be letters and digits, apiVersion \
                 `[group/]version` in lowercase letters, digits, `.` and `-`",
            ));
            return None;
        }
        Some((kind, api_version, name))
    }

    /// The instance label: a valid label value, the same on every object that has it.
    fn instance_label(&mut self, object: &Value, path: &InputPath) {
        let Some(v) = object.pointer(&format!("/metadata/labels/{}", pointer_key(INSTANCE_LABEL)))
        else {
            return;
        };
        let label_path = path.key("metadata").key("labels").key(INSTANCE_LABEL);
        match v.as_str() {
            Some(s) if !is_label_value(s) || s.is_empty() => self.errors.push(Error::new(
                label_path,
                "is not a valid label value (letters, digits, '-', '_', '.', at most 63)",
            )),
            Some(s) => match &self.instance {
                None => self.instance = Some(s.to_string()),
                Some(first) if first != s => self.errors.push(Error::new(
                    label_path,
                    format!("objects of two resources in one set (\"{first}\" and \"{s}\")"),
                )),
                Some(_) => {}
            },
            None => self.errors.push(Error::new(label_path, "must be a string")),
        }
    }

    /// A namespaced object's namespace: the target's, or the one the first object names.
    fn namespace_of(&mut self, object: &Value, path: &InputPath) {
        let Some(ns) = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
        else {
            return;
        };
        let clash = match (self.target, &self.object_namespace) {
            (Some(t), _) if t != ns => {
                Some(format!("is \"{ns}\", the target namespace is \"{t}\""))
            }
            (None, Some(first)) if first != ns => {
                Some(format!("is \"{ns}\", other objects are in \"{first}\""))
            }
            _ => None,
        };
        match clash {
            Some(msg) => self
                .errors
                .push(Error::new(path.key("metadata").key("namespace"), msg)),
            None => {
                if self.object_namespace.is_none() {
                    self.object_namespace = Some(ns.to_string());
                }
            }
        }
    }

    /// The resource: its namespace (the target's, the objects', else the Namespace object's)
    /// and instance, every object labelled with them; or every error found.
    fn finish(mut self) -> Result<Resource, Errors> {
        let namespace = self
            .target
            .map(str::to_string)
            .or(self.object_namespace.take())
            .or_else(|| {
                self.namespaces
                    .first()
                    .and_then(|n| n.pointer("/metadata/name"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        let Some(namespace) = namespace else {
            self.errors.push(Error::new(
                InputPath::root(),
                "no namespace: the objects name none; set the kubectl option `namespace`",
            ));
            return Err(Errors::from_vec(self.errors).unwrap_or_else(unreachable_errors));
        };
        if namespace.contains('\0') {
            self.errors.push(Error::new(
                InputPath::root().key("namespace"),
                "contains a NUL character",
            ));
        }
        let instance = self.instance.take().unwrap_or_else(|| {
            self.errors.push(Error::new(
                InputPath::root(),
                format!(
                    "no object carries the label {INSTANCE_LABEL}: the commands select, prune \
                     and delete by it"
                ),
            ));
            String::new()
        });
        if let Some(e) = Errors::from_vec(self.errors) {
            return Err(e);
        }
        for object in &mut self.objects {
            set_label(object, INSTANCE_LABEL, &instance);
            set_label(object, MANAGED_BY_LABEL, MANAGED_BY);
        }
        self.kinds.sort();
        Ok(Resource {
            namespace,
            instance,
            namespaces: self.namespaces,
            objects: self.objects,
            workloads: self.workloads,
            kinds: self.kinds,
            claims: self.claims,
            incomplete: self.incomplete,
        })
    }
}

/// Never reached (an error was just pushed); keeps the code free of `unwrap`.
fn unreachable_errors() -> Errors {
    Error::new(InputPath::root(), "no namespace").into()
}

fn workload(
    kind: WorkloadKind,
    name: &str,
    object: &Value,
    path: &InputPath,
) -> Result<Workload, Error> {
    let service = object
        .pointer(&format!("/metadata/labels/{}", pointer_key(NAME_LABEL)))
        .and_then(Value::as_str)
        .map(str::to_string);
    let labels = match kind {
        WorkloadKind::CronJob => None,
        WorkloadKind::Job => object.pointer("/spec/template/metadata/labels"),
        _ => object.pointer("/spec/selector/matchLabels"),
    };
    let mut pod_selector = String::new();
    if let Some(map) = labels.and_then(Value::as_object) {
        // Sorted so the line does not depend on the order labels were written in.
        let mut pairs: Vec<(&String, &Value)> = map.iter().collect();
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in pairs {
            let v = v.as_str().unwrap_or("");
            if !is_label_key(k) || !is_label_value(v) {
                return Err(Error::new(
                    path.key("spec").key("selector").key("matchLabels").key(k.as_str()),
                    "is not a valid label (key: [prefix/]name, value: letters, digits, '-', '_', '.')",
                ));
            }
            if !pod_selector.is_empty() {
                pod_selector.push(',');
            }
            pod_selector.push_str(k);
            pod_selector.push('=');
            pod_selector.push_str(v);
        }
    }
    let spec = match kind {
        WorkloadKind::CronJob => "/spec/jobTemplate/spec/template/spec/containers",
        _ => "/spec/template/spec/containers",
    };
    let containers = object
        .pointer(spec)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(Workload {
        kind,
        name: name.to_string(),
        service,
        pod_selector,
        containers,
        replicas: object.pointer("/spec/replicas").and_then(Value::as_i64),
        excluded: object
            .pointer(&format!(
                "/metadata/annotations/{}",
                pointer_key(EXCLUDE_FROM_HC)
            ))
            .and_then(Value::as_str)
            == Some("true"),
    })
}

/// A kind as Kubernetes spells them (`Deployment`, `IngressRoute`).
fn is_kind(kind: &str) -> bool {
    !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `v1`, `apps/v1`, `traefik.io/v1alpha1`.
fn is_api_version(v: &str) -> bool {
    let word = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
    };
    match v.split_once('/') {
        Some((group, version)) => word(group) && word(version),
        None => word(v),
    }
}

/// A Secret that [`Manifests::to_json_without_secret_data`] wrote: its data is not there.
fn secret_data_omitted(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("Secret")
        && object
            .pointer(&format!(
                "/metadata/annotations/{}",
                pointer_key(crate::manifests::SECRET_DATA_ANNOTATION)
            ))
            .is_some()
}

/// kubectl's name for a kind in a group: `deployment.apps`, `service`,
/// `ingressroute.traefik.io` (kubectl resolves singular names through discovery).
pub fn resource_word(kind: &str, api_version: &str) -> String {
    let kind = kind.to_ascii_lowercase();
    match api_version.rsplit_once('/') {
        Some((group, _)) if !group.is_empty() => format!("{kind}.{group}"),
        _ => kind,
    }
}

/// JSON pointer escaping of one key (`/` is `~1`).
fn pointer_key(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn set_label(object: &mut Value, key: &str, value: &str) {
    let Some(obj) = object.as_object_mut() else {
        return;
    };
    let metadata = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Default::default()));
    let Some(metadata) = metadata.as_object_mut() else {
        return;
    };
    let labels = metadata
        .entry("labels")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert(key.to_string(), Value::String(value.to_string()));
    }
}

/// Set the label `key` on an object's metadata (used by apply for the object-set label).
pub(crate) fn label(object: &mut Value, key: &str, value: &str) {
    set_label(object, key, value);
}

/// A Kubernetes label value: empty, or ≤ 63 of `[A-Za-z0-9._-]` starting and ending
/// alphanumeric. Selector syntax relies on it (no `,`, `=`, `!`, spaces).
pub fn is_label_value(v: &str) -> bool {
    v.is_empty()
        || (v.len() <= 63
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && v.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric)
            && v.as_bytes().last().is_some_and(u8::is_ascii_alphanumeric))
}

/// A Kubernetes label key: `[prefix/]name`, prefix a DNS subdomain, name like a value.
pub fn is_label_key(k: &str) -> bool {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'))
    });
    prefix_ok && !name.is_empty() && is_label_value(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Report;
    use serde_json::json;

    fn deployment(name: &str, instance: &str, ns: Option<&str>) -> Value {
        let mut d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": {INSTANCE_LABEL: instance, NAME_LABEL: name}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {NAME_LABEL: name, INSTANCE_LABEL: instance}}}
        });
        if let Some(ns) = ns {
            d["metadata"]["namespace"] = json!(ns);
        }
        d
    }

    #[test]
    fn reads_namespace_instance_workloads_and_kinds() {
        let m = Manifests::new(
            vec![
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "acme"}}),
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "acme"}}),
                deployment("web", "acme", Some("acme")),
            ],
            Report::default(),
        );
        let r = Resource::read(&m, None).unwrap();
        assert_eq!(r.namespace, "acme");
        assert_eq!(r.instance, "acme");
        assert_eq!(r.kinds, vec!["deployment.apps", "service"]);
        assert_eq!(r.namespaces.len(), 1);
        assert_eq!(r.workloads.len(), 1);
        assert_eq!(
            r.workloads[0].pod_selector,
            "app.kubernetes.io/instance=acme,app.kubernetes.io/name=web"
        );
        assert_eq!(r.workloads[0].replicas, Some(2));
        // The Service had no labels: the selecting labels were added.
        assert_eq!(r.objects[0]["metadata"]["labels"][INSTANCE_LABEL], "acme");
        assert_eq!(
            r.objects[0]["metadata"]["labels"][MANAGED_BY_LABEL],
            "coolify"
        );
    }

    #[test]
    fn namespace_from_target_wins_but_must_agree() {
        let m = Manifests::new(vec![deployment("web", "a", None)], Report::default());
        assert_eq!(Resource::read(&m, Some("t")).unwrap().namespace, "t");
        let m = Manifests::new(vec![deployment("web", "a", Some("x"))], Report::default());
        let e = Resource::read(&m, Some("t")).unwrap_err();
        assert_eq!(
            e.first().to_string(),
            "objects[0].metadata.namespace: is \"x\", the target namespace is \"t\""
        );
    }

    #[test]
    fn errors_for_missing_namespace_instance_and_mixed_instances() {
        let mut no_label = deployment("web", "a", None);
        no_label["metadata"]["labels"] = json!({});
        let e =
            Resource::read(&Manifests::new(vec![no_label], Report::default()), None).unwrap_err();
        assert!(e.first().to_string().starts_with("no namespace"), "{e}");
        let m = Manifests::new(
            vec![
                deployment("web", "a", Some("n")),
                deployment("db", "b", Some("n")),
            ],
            Report::default(),
        );
        let e = Resource::read(&m, None).unwrap_err();
        assert_eq!(
            e.first().to_string(),
            "objects[1].metadata.labels[\"app.kubernetes.io/instance\"]: objects of two resources in one set (\"a\" and \"b\")"
        );
        let bad = deployment("web", "a b,c", Some("n"));
        let e = Resource::read(&Manifests::new(vec![bad], Report::default()), None).unwrap_err();
        assert!(
            e.first().to_string().contains("not a valid label value"),
            "{e}"
        );
    }

    /// Fuzz finding (manifests_json): a kind with a comma (`Dep,oyment`) made a resource
    /// word that the comma-joined delete list would split, and that its handle refused.
    #[test]
    fn kinds_and_api_versions_that_cannot_be_resource_words_are_errors() {
        for (kind, api) in [
            ("Dep,oyment", "apps/v1"),
            ("Deployment", "apps,x/v1"),
            ("", "v1"),
        ] {
            let mut d = deployment("web", "a", Some("n"));
            d["kind"] = json!(kind);
            d["apiVersion"] = json!(api);
            let e = Resource::read(&Manifests::new(vec![d], Report::default()), None).unwrap_err();
            assert!(
                e.first()
                    .to_string()
                    .starts_with("objects[0]: not a Kubernetes object"),
                "{kind} {api}: {e}"
            );
        }
        assert!(is_api_version("traefik.io/v1alpha1") && is_api_version("v1"));
        assert!(!is_api_version("apps/") && !is_api_version("Apps/v1"));
    }

    #[test]
    fn label_syntax() {
        assert!(is_label_value("my-app_1.x"));
        assert!(is_label_value(""));
        assert!(!is_label_value("-a"));
        assert!(!is_label_value("a,b"));
        assert!(!is_label_value(&"a".repeat(64)));
        assert!(is_label_key("app.kubernetes.io/name"));
        assert!(!is_label_key("App.io/name"));
        assert!(!is_label_key("a/b/c"));
    }

    #[test]
    fn resource_words() {
        assert_eq!(resource_word("Deployment", "apps/v1"), "deployment.apps");
        assert_eq!(resource_word("Service", "v1"), "service");
        assert_eq!(
            resource_word("IngressRoute", "traefik.io/v1alpha1"),
            "ingressroute.traefik.io"
        );
    }
}
