//! Where the commands go: kubeconfig, context, namespace, extra flags, `sudo`.

use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::Value;

/// The cluster and namespace that command lines address, and how kubectl is invoked.
///
/// Built in Rust with struct syntax, or from the JSON object the PHP `Kubectl` constructor
/// and the CLI take ([`Target::from_json`]), whose keys are the field names.
///
/// ```
/// use coolify_k8s_core::kubectl::Target;
/// let t = Target::from_json(&serde_json::json!({
///     "kubeconfig": "/data/coolify/kube/prod.yaml", "context": "prod", "sudo": true,
/// })).unwrap();
/// assert_eq!(t.context.as_deref(), Some("prod"));
/// assert!(t.create_namespace);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `--kubeconfig` path on the server that runs the commands (default: kubectl's own).
    pub kubeconfig: Option<String>,
    /// `--context` in that kubeconfig (default: its current context).
    pub context: Option<String>,
    /// Namespace of the resource (default: the namespace the manifests name).
    pub namespace: Option<String>,
    /// More global kubectl flags, one argument each (e.g. `--request-timeout=30s`).
    pub extra_flags: Vec<String>,
    /// Run every kubectl call (and every `bash -c` script) under `sudo`, for a server whose
    /// SSH user is not root when the runner does not add `sudo` itself
    /// (`instant_remote_process(…, no_sudo: true)`, or a runner of one's own). Coolify's
    /// `remote_process`, `instant_remote_process` and `execute_remote_command` already add
    /// it on non-root servers, so there it may stay off; left on, the rewritten lines read
    /// `sudo sudo kubectl …` and still work. The file steps (`mkdir`, upload, `rm`) never get
    /// it: they act as the SSH user, who must be able to write to [`files_dir`](Self::files_dir).
    pub sudo: bool,
    /// Create the namespace when it is missing (default true; turn off for a kubeconfig
    /// that may not read or create namespaces, when the namespace already exists).
    pub create_namespace: bool,
    /// Absolute directory on the server that [`Kubectl::apply`](super::Kubectl::apply)'s files
    /// are uploaded to (default [`DEFAULT_FILES_DIR`]).
    pub files_dir: String,
}

/// Default [`Target::files_dir`]: under `/data/coolify`, which Coolify creates root-owned on
/// every server and whose subdirectories its sudo rewriting hands to a non-root SSH user.
pub const DEFAULT_FILES_DIR: &str = "/data/coolify/kubernetes";

impl Default for Target {
    fn default() -> Self {
        Self {
            kubeconfig: None,
            context: None,
            namespace: None,
            extra_flags: Vec::new(),
            sudo: false,
            create_namespace: true,
            files_dir: DEFAULT_FILES_DIR.to_string(),
        }
    }
}

/// The keys [`Target::from_json`] accepts, for error messages.
const KEYS: &str = "kubeconfig, context, namespace, extra_flags, sudo, create_namespace, files_dir";

impl Target {
    /// A target from a JSON object (the PHP options array). Unknown keys, wrong types and
    /// NUL characters are errors naming the key; `null` means the default.
    pub fn from_json(options: &Value) -> Result<Self, Errors> {
        let Some(map) = options.as_object() else {
            // An empty PHP array arrives as a JSON list.
            if options.as_array().is_some_and(Vec::is_empty) || options.is_null() {
                return Ok(Self::default());
            }
            return Err(Error::new(InputPath::root(), "kubectl options must be an object").into());
        };
        let mut t = Self::default();
        let mut errors = Vec::new();
        for (key, value) in map {
            let path = InputPath::root().key(key.as_str());
            if value.is_null() {
                continue;
            }
            let res = match key.as_str() {
                "kubeconfig" => string(&path, value).map(|s| t.kubeconfig = Some(s)),
                "context" => string(&path, value).map(|s| t.context = Some(s)),
                "namespace" => string(&path, value).map(|s| t.namespace = Some(s)),
                "extra_flags" => flags(&path, value).map(|f| t.extra_flags = f),
                "sudo" => boolean(&path, value).map(|b| t.sudo = b),
                "create_namespace" => boolean(&path, value).map(|b| t.create_namespace = b),
                "files_dir" => string(&path, value).map(|s| t.files_dir = s),
                _ => Err(Error::new(
                    path.clone(),
                    format!("unknown kubectl option (known: {KEYS})"),
                )),
            };
            if let Err(e) = res {
                errors.push(e);
            }
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => t.validate().map(|()| t),
        }
    }

    /// Checks what struct syntax cannot: no NUL characters (they cannot travel in an
    /// argument) and no empty namespace.
    pub fn validate(&self) -> Result<(), Errors> {
        let mut errors = Vec::new();
        let mut check = |key: &str, s: &str| {
            if s.contains('\0') {
                errors.push(Error::new(
                    InputPath::root().key(key),
                    "contains a NUL character",
                ));
            }
        };
        for (key, v) in [
            ("kubeconfig", &self.kubeconfig),
            ("context", &self.context),
            ("namespace", &self.namespace),
            ("files_dir", &Some(self.files_dir.clone())),
        ] {
            if let Some(s) = v {
                check(key, s);
            }
        }
        for f in &self.extra_flags {
            check("extra_flags", f);
        }
        if self.namespace.as_deref() == Some("") {
            errors.push(Error::new(
                InputPath::root().key("namespace"),
                "must not be empty (leave it out for the manifests' namespace)",
            ));
        }
        if !self.files_dir.starts_with('/') || self.files_dir.split('/').any(|p| p == "..") {
            errors.push(Error::new(
                InputPath::root().key("files_dir"),
                "must be an absolute path without `..`",
            ));
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The object of an options argument (PHP array, CLI JSON), `None` for no options (`null`,
/// or an empty PHP array, which arrives as an empty list); anything else is an error.
pub(super) fn options_object<'a>(
    options: &'a Value,
    what: &str,
) -> Result<Option<&'a serde_json::Map<String, Value>>, Errors> {
    match options {
        Value::Object(map) => Ok(Some(map)),
        Value::Null => Ok(None),
        Value::Array(items) if items.is_empty() => Ok(None),
        _ => Err(Error::new(
            InputPath::root(),
            format!("{what} options must be an object"),
        )
        .into()),
    }
}

pub(super) fn string(path: &InputPath, v: &Value) -> Result<String, Error> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| Error::new(path.clone(), format!("must be a string, not {}", kind(v))))
}

pub(super) fn boolean(path: &InputPath, v: &Value) -> Result<bool, Error> {
    v.as_bool()
        .ok_or_else(|| Error::new(path.clone(), format!("must be a boolean, not {}", kind(v))))
}

fn flags(path: &InputPath, v: &Value) -> Result<Vec<String>, Error> {
    let Some(items) = v.as_array() else {
        return Err(Error::new(
            path.clone(),
            format!("must be a list of strings, not {}", kind(v)),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| string(&path.index(i), item))
        .collect()
}

/// The JSON type of a value, for messages (never the value: it could be a secret).
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_keys_read() {
        let t = Target::from_json(&json!({
            "kubeconfig": "/k", "context": "c", "namespace": "n",
            "extra_flags": ["--request-timeout=5s"], "sudo": true, "create_namespace": false,
            "files_dir": "/srv/k"
        }))
        .unwrap();
        assert_eq!(
            t,
            Target {
                kubeconfig: Some("/k".into()),
                context: Some("c".into()),
                namespace: Some("n".into()),
                extra_flags: vec!["--request-timeout=5s".into()],
                sudo: true,
                create_namespace: false,
                files_dir: "/srv/k".into(),
            }
        );
    }

    #[test]
    fn empty_and_null_give_defaults() {
        assert_eq!(Target::from_json(&json!([])).unwrap(), Target::default());
        assert_eq!(
            Target::from_json(&json!({"context": null})).unwrap(),
            Target::default()
        );
    }

    #[test]
    fn errors_name_the_key() {
        let e = Target::from_json(&json!({
            "kubecfg": "/k", "sudo": "yes", "extra_flags": ["ok", 3]
        }))
        .unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                format!("kubecfg: unknown kubectl option (known: {KEYS})"),
                "sudo: must be a boolean, not a string".to_string(),
                "extra_flags[1]: must be a string, not a number".to_string(),
            ]
        );
    }

    #[test]
    fn files_dir_must_be_absolute() {
        for dir in ["k8s", "/data/../etc", ""] {
            let e = Target::from_json(&json!({ "files_dir": dir })).unwrap_err();
            assert_eq!(
                e.first().to_string(),
                "files_dir: must be an absolute path without `..`"
            );
        }
        assert!(Target::from_json(&json!({"files_dir": "/srv/k8s files"})).is_ok());
    }

    #[test]
    fn nul_and_empty_namespace_rejected() {
        let e = Target::from_json(&json!({"context": "a\u{0}b", "namespace": ""})).unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "context: contains a NUL character".to_string(),
                "namespace: must not be empty (leave it out for the manifests' namespace)"
                    .to_string(),
            ]
        );
    }
}
