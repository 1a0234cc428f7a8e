//! `Coolify\Kubernetes\Kubectl`: command lines for Coolify's `remote_process`.

use crate::convert::{array_to_json, json_to_zval, options_to_json};
use crate::error::{guard, one};
use crate::manifests::PhpManifests;
use coolify_k8s_core::kubectl::{DeleteOptions, Kubectl, Target};
use coolify_k8s_core::{Error, InputPath};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

/// Builds kubectl command lines (each a string) that run the same through Coolify's
/// `remote_process`, `instant_remote_process` (with or without `no_sudo`) and
/// `execute_remote_command`, on root and non-root servers. Options: `kubeconfig`,
/// `context`, `namespace`, `extra_flags` (list of strings), `sudo` (bool: kubectl under
/// sudo, for runners that do not add it), `create_namespace` (bool, default true),
/// `files_dir` (absolute directory on the server for `apply()`'s files, default
/// `/data/coolify/kubernetes`).
#[php_class]
#[php(name = "Coolify\\Kubernetes\\Kubectl")]
pub struct PhpKubectl {
    inner: Kubectl,
}

#[php_impl]
impl PhpKubectl {
    /// A builder for one cluster and namespace.
    #[php(optional = options)]
    pub fn __construct(options: Option<&ZendHashTable>) -> PhpResult<Self> {
        guard(|| {
            let value = options
                .map_or(Ok(serde_json::Value::Object(Default::default())), |o| {
                    options_to_json(o, &InputPath::root())
                })
                .map_err(one)?;
            let target = Target::from_json(&value)?;
            Ok(Self {
                inner: Kubectl::new(target)?,
            })
        })
    }

    /// Namespace, server-side apply (field manager `coolify`), pruning of objects of the
    /// same resource that this set no longer has. Returns `['prepare' => lines,
    /// 'files' => [remote path => content], 'commands' => lines, 'cleanup' => lines]`: run
    /// `prepare`, upload every file (`instant_scp`), run `commands`, then always `cleanup`.
    /// The object bodies, Secret values included, are only in `files`.
    pub fn apply(&self, manifests: &PhpManifests) -> PhpResult<Zval> {
        let steps = guard(|| self.inner.apply(&manifests.inner))?;
        let files: serde_json::Map<String, serde_json::Value> = steps
            .files
            .iter()
            .map(|f| (f.path.clone(), serde_json::Value::String(f.content.clone())))
            .collect();
        let value = serde_json::json!({
            "prepare": steps.prepare,
            "files": files,
            "commands": steps.commands,
            "cleanup": steps.cleanup,
        });
        json_to_zval(&value).map_err(|e| PhpException::from(e.to_string()))
    }

    /// Wait for every workload (`$timeout` seconds each); on failure print pods, events and
    /// the last 100 log lines, and end the batch with status 1.
    #[php(defaults(timeout = 300))]
    pub fn rollout_status(&self, manifests: &PhpManifests, timeout: i64) -> PhpResult<Vec<String>> {
        guard(|| {
            let t = u32::try_from(timeout)
                .ok()
                .filter(|t| *t > 0)
                .ok_or_else(|| {
                    one(Error::new(
                        InputPath::root().key("timeout"),
                        "must be a positive number of seconds",
                    ))
                })?;
            self.inner.rollout_status(&manifests.inner, t)
        })
    }

    /// `kubectl rollout restart` of every Deployment, StatefulSet and DaemonSet.
    pub fn restart(&self, manifests: &PhpManifests) -> PhpResult<Vec<String>> {
        guard(|| self.inner.restart(&manifests.inner))
    }

    /// Scale to zero, remembering the replica count; suspend CronJobs.
    pub fn stop(&self, manifests: &PhpManifests) -> PhpResult<Vec<String>> {
        guard(|| self.inner.stop(&manifests.inner))
    }

    /// Undo `stop()`.
    pub fn start(&self, manifests: &PhpManifests) -> PhpResult<Vec<String>> {
        guard(|| self.inner.start(&manifests.inner))
    }

    /// Delete every object of the resource by label; its PersistentVolumeClaims unless
    /// `$volumes` is false; its namespace only when `$namespace` is true.
    #[php(defaults(volumes = true, namespace = false))]
    pub fn delete(
        &self,
        manifests: &PhpManifests,
        volumes: bool,
        namespace: bool,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            self.inner
                .delete(&manifests.inner, DeleteOptions { volumes, namespace })
        })
    }

    /// One line printing a `<Kind/name=counts>` record per workload; read its output, as
    /// Coolify's runner hands it back (trimmed, concatenated), with `parseStatus()`.
    pub fn status(&self, manifests: &PhpManifests) -> PhpResult<Vec<String>> {
        guard(|| self.inner.status(&manifests.inner))
    }

    /// The output of the `status()` line as `['status' => running|degraded|exited,
    /// 'workloads' => [['kind', 'name', 'state', 'ready', 'desired'], …]]`.
    pub fn parse_status(&self, manifests: &PhpManifests, output: &str) -> PhpResult<Zval> {
        let status = guard(|| self.inner.parse_status(&manifests.inner, output))?;
        let value = serde_json::json!({
            "status": status.state.as_str(),
            "workloads": status.workloads,
        });
        json_to_zval(&value).map_err(|e| PhpException::from(e.to_string()))
    }

    /// The last `$tail` log lines of every container of `$service`'s pods.
    #[php(defaults(tail = 100))]
    pub fn logs(
        &self,
        manifests: &PhpManifests,
        service: &str,
        tail: i64,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let t = u32::try_from(tail).map_err(|_| {
                one(Error::new(
                    InputPath::root().key("tail"),
                    "must be a number of lines ≥ 0",
                ))
            })?;
            self.inner.logs(&manifests.inner, service, t)
        })
    }

    /// Run `$command` (program and arguments) in a pod of `$service`, optionally in one
    /// container; not interactive.
    #[php(defaults(container = None))]
    pub fn exec(
        &self,
        manifests: &PhpManifests,
        service: &str,
        command: &ZendHashTable,
        container: Option<String>,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let path = InputPath::root().key("command");
            let value = array_to_json(command, &path).map_err(one)?;
            let items = match value {
                serde_json::Value::Array(items) => items,
                serde_json::Value::Object(map) if map.is_empty() => Vec::new(),
                _ => return Err(one(Error::new(path, "must be a list of strings"))),
            };
            let mut args = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    serde_json::Value::String(s) => args.push(s),
                    _ => return Err(one(Error::new(path.index(i), "must be a string"))),
                }
            }
            self.inner
                .exec(&manifests.inner, service, container.as_deref(), &args)
        })
    }
}
