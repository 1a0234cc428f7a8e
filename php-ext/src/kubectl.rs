//! `Coolify\Kubernetes\Kubectl`: command lines for Coolify's `remote_process`.
//!
//! Every method takes its resource as `Manifests|string` (a `Manifests` object, or the text
//! of `Manifests::handle()` / `toJson()`), and every string argument as any PHP value read
//! by `convert::text_argument`: a wrong type or text that is not UTF-8 throws a
//! TranslationException naming the argument (and the byte), never PHP's TypeError.

use crate::convert::{
    array_to_json, json_to_zval, optional_text_argument, options_to_json, text_argument,
};
use crate::error::{guard, one};
use crate::resource_arg::resource_arg;
use coolify_k8s_core::kubectl::{DeleteOptions, ExecOptions, Kubectl, LogOptions, Target};
use coolify_k8s_core::{Error, Errors, InputPath};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::Value;

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

/// A PHP value (array) from a serialized result.
fn to_php(value: serde_json::Result<Value>) -> PhpResult<Zval> {
    let value = value.map_err(|e| PhpException::from(e.to_string()))?;
    json_to_zval(&value).map_err(|e| PhpException::from(e.to_string()))
}

/// An options array argument as JSON (`null` and `[]` are no options); errors name the
/// key alone (`since: …`), as the constructor's do.
fn options_arg(options: Option<&ZendHashTable>) -> Result<Value, Errors> {
    options
        .map_or(Ok(Value::Object(Default::default())), |o| {
            options_to_json(o, &InputPath::root())
        })
        .map_err(one)
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
    /// The object bodies, Secret values included, are only in `files`. `$resource` must
    /// hold every object (manifests or their `toJson()`), not a handle.
    pub fn apply(&self, resource: &Zval) -> PhpResult<Zval> {
        let steps = guard(|| self.inner.apply(&resource_arg(resource)?))?;
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
    pub fn rollout_status(&self, resource: &Zval, timeout: i64) -> PhpResult<Vec<String>> {
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
            self.inner.rollout_status(&resource_arg(resource)?, t)
        })
    }

    /// `kubectl rollout restart` of every Deployment, StatefulSet and DaemonSet.
    pub fn restart(&self, resource: &Zval) -> PhpResult<Vec<String>> {
        guard(|| self.inner.restart(&resource_arg(resource)?))
    }

    /// Scale to zero, remembering the replica count; suspend CronJobs.
    pub fn stop(&self, resource: &Zval) -> PhpResult<Vec<String>> {
        guard(|| self.inner.stop(&resource_arg(resource)?))
    }

    /// Undo `stop()`.
    pub fn start(&self, resource: &Zval) -> PhpResult<Vec<String>> {
        guard(|| self.inner.start(&resource_arg(resource)?))
    }

    /// Delete every object of the resource by label; its PersistentVolumeClaims unless
    /// `$volumes` is false; its namespace only when `$namespace` is true.
    #[php(defaults(volumes = true, namespace = false))]
    pub fn delete(
        &self,
        resource: &Zval,
        volumes: bool,
        namespace: bool,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            self.inner.delete(
                &resource_arg(resource)?,
                DeleteOptions { volumes, namespace },
            )
        })
    }

    /// One line printing a `<Kind/name=counts>` record per workload; read its output, as
    /// Coolify's runner hands it back (trimmed, concatenated), with `parseStatus()`.
    pub fn status(&self, resource: &Zval) -> PhpResult<Vec<String>> {
        guard(|| self.inner.status(&resource_arg(resource)?))
    }

    /// The output of the `status()` line as `['status' => running|degraded|exited,
    /// 'workloads' => [['kind', 'name', 'state', 'ready', 'desired'], …]]`.
    pub fn parse_status(&self, resource: &Zval, output: &Zval) -> PhpResult<Zval> {
        let status = guard(|| {
            let output = text_argument(output, "output").map_err(one)?;
            self.inner.parse_status(&resource_arg(resource)?, &output)
        })?;
        let value = serde_json::json!({
            "status": status.state.as_str(),
            "workloads": status.workloads,
        });
        json_to_zval(&value).map_err(|e| PhpException::from(e.to_string()))
    }

    /// One line printing a record per pod this project manages in the target's namespace
    /// (every namespace when the target names none): the destination-wide poll of
    /// `GetContainersStatus`. Read its output with `parseStatusPoll()`.
    pub fn status_poll(&self) -> Vec<String> {
        self.inner.status_poll()
    }

    /// The output of the `statusPoll()` line: per resource seen, `['namespace', 'instance'
    /// (the resource's uuid, `<uuid>-pr-<N>` for a preview), 'status' (Coolify's word:
    /// `running:healthy`, `degraded:unhealthy`, …), 'restart_count', 'pods' => […]]`.
    /// Resources not in the list have no pod: set them `exited`, as Coolify does.
    pub fn parse_status_poll(&self, output: &Zval) -> PhpResult<Zval> {
        let statuses = guard(|| {
            let output = text_argument(output, "output").map_err(one)?;
            self.inner.parse_status_poll(&output)
        })?;
        to_php(serde_json::to_value(&statuses))
    }

    /// One line listing the resource's pods and containers, for the logs and terminal
    /// pages; read its output with `parsePods()`.
    pub fn pods(&self, resource: &Zval) -> PhpResult<Vec<String>> {
        guard(|| self.inner.pods(&resource_arg(resource)?))
    }

    /// The output of the `pods()` line: `[['namespace', 'name', 'instance', 'service',
    /// 'phase', 'terminating', 'excluded', 'containers' => [['name', 'status', 'ready',
    /// 'restarts', 'reason'], …]], …]`.
    pub fn parse_pods(&self, output: &Zval) -> PhpResult<Zval> {
        let pods = guard(|| {
            let output = text_argument(output, "output").map_err(one)?;
            self.inner.parse_pods(&output)
        })?;
        to_php(serde_json::to_value(&pods))
    }

    /// Log lines of `$service`'s pods: the last `$tail` (-1: all) of every container, each
    /// prefixed with pod and container. `$options`: `since` (`10m`, or an RFC 3339 time),
    /// `timestamps`, `previous` (bools), `container`, `pod` (a name from `parsePods()`).
    #[php(optional = tail, defaults(tail = 100))]
    pub fn logs(
        &self,
        resource: &Zval,
        service: &Zval,
        tail: i64,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let service = text_argument(service, "service").map_err(one)?;
            let mut o = LogOptions::from_json(&options_arg(options)?)?;
            o.tail = match tail {
                -1 => None,
                t => Some(u32::try_from(t).map_err(|_| {
                    one(Error::new(
                        InputPath::root().key("tail"),
                        "must be a number of lines ≥ 0, or -1 for all",
                    ))
                })?),
            };
            self.inner.logs_with(&resource_arg(resource)?, &service, &o)
        })
    }

    /// Run `$command` (program and arguments) in a pod of `$service`, optionally in one
    /// container; not interactive. `$options`: `pod`, `stdin_file` and `stdout_file`
    /// (absolute paths on the server: `< FILE`, `> FILE`).
    #[php(optional = container)]
    pub fn exec(
        &self,
        resource: &Zval,
        service: &Zval,
        command: &Zval,
        container: Option<&Zval>,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let service = text_argument(service, "service").map_err(one)?;
            let args = command_arg(command)?;
            let mut o = ExecOptions::from_json(&options_arg(options)?)?;
            if let Some(c) = optional_text_argument(container, "container").map_err(one)? {
                o.container = Some(c);
            }
            self.inner
                .exec_with(&resource_arg(resource)?, &service, &args, &o)
        })
    }

    /// The terminal page's line: an interactive shell in `$service`'s container (`exec
    /// --stdin --tty`), started as Coolify's terminal starts one. Run it in an SSH session
    /// with a TTY.
    #[php(optional = container)]
    pub fn terminal(
        &self,
        resource: &Zval,
        service: &Zval,
        container: Option<&Zval>,
        pod: Option<&Zval>,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let service = text_argument(service, "service").map_err(one)?;
            let container = optional_text_argument(container, "container").map_err(one)?;
            let pod = optional_text_argument(pod, "pod").map_err(one)?;
            self.inner.terminal(
                &resource_arg(resource)?,
                &service,
                container.as_deref(),
                pod.as_deref(),
            )
        })
    }

    /// A scheduled task's line, as Coolify's `ScheduledTaskJob` runs one: `$command`
    /// through `sh -c` in the container of `$service` (the task's `container` column), or
    /// of the only service when it is null.
    #[php(optional = service)]
    pub fn scheduled_task(
        &self,
        resource: &Zval,
        command: &Zval,
        service: Option<&Zval>,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let command = text_argument(command, "command").map_err(one)?;
            let service = optional_text_argument(service, "service").map_err(one)?;
            self.inner
                .scheduled_task(&resource_arg(resource)?, service.as_deref(), &command)
        })
    }

    /// Copy the server file `$from` into `$service`'s container as `$to` (through stdin:
    /// the body never travels in the line). `$options`: `container`, `pod`.
    #[php(optional = options)]
    pub fn copy_in(
        &self,
        resource: &Zval,
        service: &Zval,
        from: &Zval,
        to: &Zval,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let (service, from, to, o) = copy_args(service, from, to, options)?;
            self.inner
                .copy_in(&resource_arg(resource)?, &service, &from, &to, &o)
        })
    }

    /// Copy the file `$from` in `$service`'s container to the server file `$to` (through
    /// stdout). `$options`: `container`, `pod`.
    #[php(optional = options)]
    pub fn copy_out(
        &self,
        resource: &Zval,
        service: &Zval,
        from: &Zval,
        to: &Zval,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let (service, from, to, o) = copy_args(service, from, to, options)?;
            self.inner
                .copy_out(&resource_arg(resource)?, &service, &from, &to, &o)
        })
    }
}

/// `$command`: a list of strings.
fn command_arg(command: &Zval) -> Result<Vec<String>, Errors> {
    let path = InputPath::root().key("command");
    let Some(array) = command.dereference().array() else {
        return Err(one(Error::new(
            path,
            format!(
                "must be a list of strings, not {:?}",
                command.dereference().get_type()
            ),
        )));
    };
    let items = match array_to_json(array, &path).map_err(one)? {
        Value::Array(items) => items,
        Value::Object(map) if map.is_empty() => Vec::new(),
        _ => return Err(one(Error::new(path, "must be a list of strings"))),
    };
    let mut args = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::String(s) => args.push(s),
            _ => return Err(one(Error::new(path.index(i), "must be a string"))),
        }
    }
    Ok(args)
}

/// The arguments `copyIn()` and `copyOut()` share.
fn copy_args(
    service: &Zval,
    from: &Zval,
    to: &Zval,
    options: Option<&ZendHashTable>,
) -> Result<(String, String, String, ExecOptions), Errors> {
    let service = text_argument(service, "service").map_err(one)?;
    let from = text_argument(from, "from").map_err(one)?;
    let to = text_argument(to, "to").map_err(one)?;
    let o = ExecOptions::from_json(&options_arg(options)?)?;
    if o.stdin_file.is_some() || o.stdout_file.is_some() {
        return Err(one(Error::new(
            InputPath::root().key("options"),
            "takes `container` and `pod` only (the files are `from` and `to`)",
        )));
    }
    Ok((service, from, to, o))
}
