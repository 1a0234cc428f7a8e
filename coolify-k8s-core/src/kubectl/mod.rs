//! Stage `kubectl`: [`Manifests`](crate::Manifests) plus a [`Target`] become the shell
//! command lines that Coolify's runner runs over SSH.
//!
//! Coolify runs lines in three ways (`bootstrap/helpers/remoteProcess.php`,
//! `app/Traits/ExecuteRemoteCommand.php` in Coolify's source): `remote_process` and
//! `instant_remote_process` join them with newlines into one `bash -se` script, and
//! `execute_remote_command` runs each line in an SSH session of its own. On a non-root
//! server every line is first rewritten for sudo (`bootstrap/helpers/sudo.php`): a `sudo `
//! prefix, and `$(`, `||`, `&&` (and ` | ` in `parseCommandsByLineForSudo`) get a `sudo`
//! after them, ignoring quotes. Every builder here returns lines that mean the same in all
//! of these:
//!
//! - every user- or manifest-supplied string is one [`quote`]d shell word that holds none
//!   of the sequences the rewriting edits, and no line spans two physical lines;
//! - a line is one kubectl call, or two joined by one `||` (each takes a `sudo` prefix);
//!   logic that needs more shell (a condition, a variable, several steps) is one
//!   `bash -c '<script>'`, which the rewriting turns into `sudo bash -c …` as a whole;
//! - object bodies never travel in a line: [`Kubectl::apply`] returns them as files for the
//!   runner to upload (Coolify's `instant_scp`), so no Secret value is in any command text
//!   (which Coolify stores in the activity and deployment logs);
//! - flags that take user values are written `--flag=<value>`, so a value starting with
//!   `-` can never be read as another flag.
//!
//! [`Target::sudo`] puts `sudo` before every kubectl call (and `bash -c` script) itself,
//! for runners that do not rewrite (`instant_remote_process(…, no_sudo: true)`); the lines
//! stay correct when Coolify rewrites them as well (`sudo sudo kubectl …`).
//!
//! ```
//! use coolify_k8s_core::kubectl::{Kubectl, Target};
//! use coolify_k8s_core::{Manifests, Report};
//! use serde_json::json;
//!
//! let m = Manifests::new(vec![json!({
//!     "apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web", "namespace": "acme",
//!                  "labels": {"app.kubernetes.io/instance": "acme"}},
//!     "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}
//! })], Report::default());
//! let k = Kubectl::new(Target { context: Some("prod".into()), ..Target::default() }).unwrap();
//! assert_eq!(k.restart(&m).unwrap(),
//!            vec!["kubectl --context=prod rollout restart deployment.apps/web --namespace=acme"]);
//! ```

mod apply;
mod choice;
mod exec;
mod files;
mod handle;
mod lifecycle;
mod logs;
mod pods;
mod poll;
mod quote;
mod resource;
mod rollout;
mod source;
mod status;
mod target;

pub use apply::OBJECT_SET_LABEL;
pub use exec::{ExecOptions, TERMINAL_SHELL};
pub use files::{ApplySteps, UploadFile};
pub use handle::{Handle, HandleWorkload, HANDLE_VERSION};
pub use lifecycle::{DeleteOptions, REPLICAS_ANNOTATION, STOPPED_NODE_SELECTOR};
pub use logs::LogOptions;
pub use pods::{ContainerStatus, PodStatus};
pub use poll::{aggregate, InstanceStatus};
pub use quote::{check_no_nul, has_runner_sequence, quote};
pub use resource::{
    is_label_key, is_label_value, resource_word, Resource, Workload, WorkloadKind, INSTANCE_LABEL,
    MANAGED_BY, MANAGED_BY_LABEL, NAME_LABEL,
};
pub use rollout::FAILURE_LOG_LINES;
pub use source::{ResourceSource, Stored};
pub use status::{ResourceStatus, State, WorkloadStatus};
pub use target::{Target, DEFAULT_FILES_DIR};

use crate::error::Errors;

/// Field manager of every server-side apply, so Coolify's fields are told from others'.
pub const FIELD_MANAGER: &str = "coolify";

/// Builds command lines for one [`Target`]. Cheap to create; holds no state besides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kubectl {
    target: Target,
}

impl Kubectl {
    /// A builder for `target` (checked with [`Target::validate`]).
    pub fn new(target: Target) -> Result<Self, Errors> {
        target.validate()?;
        Ok(Self { target })
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Read the resource (manifests, handle or stored text) for this target.
    fn resource(&self, source: &(impl ResourceSource + ?Sized)) -> Result<Resource, Errors> {
        source.resource(self.target.namespace.as_deref())
    }

    /// `[sudo ]kubectl [--kubeconfig=…] [--context=…] [extra flags…] <args>`; `args` are
    /// shell words already (quote user data before passing it).
    fn kubectl(&self, args: &[&str]) -> String {
        let line = self.kubectl_in_script(args);
        if self.target.sudo {
            format!("sudo {line}")
        } else {
            line
        }
    }

    /// `[sudo ]bash -c '<script>'`: the script runs as one unit, as root when sudo is on
    /// (ours or Coolify's), so its kubectl calls come from
    /// [`kubectl_in_script`](Self::kubectl_in_script), without a `sudo` of their own.
    fn script(&self, script: &str) -> String {
        let sudo = if self.target.sudo { "sudo " } else { "" };
        format!("{sudo}bash -c {}", quote::quote_script(script))
    }

    /// A kubectl call for inside a [`script`](Self::script): like
    /// [`kubectl`](Self::kubectl), never with `sudo`.
    fn kubectl_in_script(&self, args: &[&str]) -> String {
        let mut line = String::from("kubectl");
        if let Some(k) = &self.target.kubeconfig {
            line.push(' ');
            line.push_str(&quote(&format!("--kubeconfig={k}")));
        }
        if let Some(c) = &self.target.context {
            line.push(' ');
            line.push_str(&quote(&format!("--context={c}")));
        }
        for f in &self.target.extra_flags {
            line.push(' ');
            line.push_str(&quote(f));
        }
        for a in args {
            line.push(' ');
            line.push_str(a);
        }
        line
    }
}

/// `--namespace=<ns>` as one quoted word.
fn namespace_flag(ns: &str) -> String {
    quote(&format!("--namespace={ns}")).into_owned()
}

/// `--selector=<sel>` as one quoted word.
fn selector_flag(sel: &str) -> String {
    quote(&format!("--selector={sel}")).into_owned()
}
