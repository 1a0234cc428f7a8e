//! `Coolify\Kubernetes\Manifests`: translated objects and the mapping report.

use crate::convert::{json_to_zval, text_argument};
use crate::error::{guard, one};
use coolify_k8s_core::registry::RegistryCredentials;
use coolify_k8s_core::Manifests;
use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;
use serde_json::Value;
use std::collections::BTreeMap;

/// Kubernetes objects in apply order, plus the report of what was mapped, approximated or
/// dropped. Made by `Translator`, or from stored JSON with `Manifests::fromJson()`.
#[php_class]
#[php(name = "Coolify\\Kubernetes\\Manifests")]
pub struct PhpManifests {
    pub(crate) inner: Manifests,
}

#[php_impl]
impl PhpManifests {
    /// Multi-document YAML (`---` before each object), ready for `kubectl apply -f`.
    pub fn to_yaml(&self) -> String {
        self.inner.to_yaml()
    }

    /// A JSON `v1` `List` of the objects; with `$secrets = false`, every Secret without its
    /// data (annotated `coolify.io/secret-data: omitted`): what Coolify can store for the
    /// lifecycle commands without a second copy of its secrets (`Kubectl::apply()`
    /// refuses it).
    #[php(defaults(secrets = true))]
    pub fn to_json(&self, secrets: bool) -> String {
        if secrets {
            self.inner.to_json()
        } else {
            self.inner.to_json_without_secret_data()
        }
    }

    /// The resource handle: a small JSON text (namespace, instance, workloads, kinds,
    /// claims; never a Secret value) that every `Kubectl` method accepts in place of the
    /// manifests, for the commands Coolify runs long after the deployment.
    pub fn handle(&self) -> PhpResult<String> {
        guard(|| self.inner.handle().map(|h| h.to_json()))
    }

    /// The objects as PHP arrays, in apply order.
    pub fn to_array(&self) -> PhpResult<Zval> {
        let list = Value::Array(self.inner.objects().to_vec());
        json_to_zval(&list).map_err(|e| PhpException::from(e.to_string()))
    }

    /// The report as lines (`dropped: services.web.pid: …`).
    pub fn warnings(&self) -> Vec<String> {
        self.inner.warnings()
    }

    /// The report as a list of `['path' => …, 'outcome' => mapped|approximated|dropped|warning,
    /// 'message' => …]`.
    pub fn report(&self) -> Vec<BTreeMap<String, String>> {
        self.inner
            .report()
            .entries()
            .iter()
            .map(|e| {
                let outcome = serde_json::to_value(e.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                BTreeMap::from([
                    ("path".to_string(), e.path.to_string()),
                    ("outcome".to_string(), outcome),
                    ("message".to_string(), e.message.clone()),
                ])
            })
            .collect()
    }

    /// Manifests from JSON: what `toJson()` wrote (a `List`), or a JSON array of objects.
    /// The report is empty. For building commands from stored manifests. Text that is not
    /// UTF-8 (or not a string) throws a TranslationException naming `json` and the byte.
    pub fn from_json(json: &Zval) -> PhpResult<Self> {
        guard(|| {
            let json = text_argument(json, "json").map_err(one)?;
            Ok(Self {
                inner: Manifests::from_json(&json)?,
            })
        })
    }

    /// Number of objects.
    pub fn count(&self) -> i64 {
        i64::try_from(self.inner.objects().len()).unwrap_or(i64::MAX)
    }

    /// These manifests plus a `kubernetes.io/dockerconfigjson` Secret `$name` holding the
    /// registry credentials (what `docker login $server` takes), referenced by every pod's
    /// `imagePullSecrets`. The password is only in that Secret: `Kubectl::apply()` uploads
    /// it as a file; no command line, error or report holds it.
    pub fn with_pull_secret(
        &self,
        name: &Zval,
        server: &Zval,
        username: &Zval,
        password: &Zval,
    ) -> PhpResult<Self> {
        guard(|| {
            let credentials = RegistryCredentials {
                server: text_argument(server, "server").map_err(one)?,
                username: text_argument(username, "username").map_err(one)?,
                password: text_argument(password, "password").map_err(one)?,
            };
            let name = text_argument(name, "name").map_err(one)?;
            Ok(Self {
                inner: self.inner.with_pull_secret(&name, &credentials)?,
            })
        })
    }
}
