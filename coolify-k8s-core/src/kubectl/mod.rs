//! Stage `kubectl`: [`Manifests`] plus a [`Target`] become the shell
//! command lines that Coolify's `remote_process` runs over SSH.
//!
//! Coolify joins the lines with newlines into one `bash -se` heredoc, so the first failing
//! line aborts the batch. Every builder here returns such lines and never runs them:
//!
//! - every user- or manifest-supplied string is one [`quote`]d shell word, and no line
//!   spans two physical lines;
//! - object bodies travel only base64-encoded (`echo '<base64>' | base64 -d | kubectl
//!   apply -f -`), so Secret values appear in no command line in readable form;
//! - flags that take user values are written `--flag=<value>`, so a value starting with
//!   `-` can never be read as another flag.
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
mod lifecycle;
mod logs;
mod quote;
mod resource;
mod rollout;
mod status;
mod target;

pub use apply::OBJECT_SET_LABEL;
pub use lifecycle::{DeleteOptions, REPLICAS_ANNOTATION, STOPPED_NODE_SELECTOR};
pub use quote::{check_no_nul, quote};
pub use resource::{
    is_label_key, is_label_value, resource_word, Resource, Workload, WorkloadKind, INSTANCE_LABEL,
    MANAGED_BY, MANAGED_BY_LABEL, NAME_LABEL,
};
pub use rollout::FAILURE_LOG_LINES;
pub use status::{ResourceStatus, State, WorkloadStatus};
pub use target::Target;

use crate::error::Errors;
use crate::manifests::Manifests;

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

    /// Read the manifests for this target.
    fn resource(&self, manifests: &Manifests) -> Result<Resource, Errors> {
        Resource::read(manifests, self.target.namespace.as_deref())
    }

    /// `[sudo ]kubectl [--kubeconfig=…] [--context=…] [extra flags…] <args>`; `args` are
    /// shell words already (quote user data before passing it).
    fn kubectl(&self, args: &[&str]) -> String {
        let mut line = String::new();
        if self.target.sudo {
            line.push_str("sudo ");
        }
        line.push_str("kubectl");
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
