//! `logs` and `exec` for one service of a resource.

use super::quote::check_no_nul;
use super::{namespace_flag, quote, selector_flag, Kubectl};
use crate::error::{Error, Errors};
use crate::manifests::Manifests;
use crate::path::InputPath;

impl Kubectl {
    /// The last `tail` log lines of every container of every pod of `service`'s workload
    /// (`service` is the Compose service, or a workload name), each line prefixed with its
    /// pod and container.
    pub fn logs(
        &self,
        manifests: &Manifests,
        service: &str,
        tail: u32,
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(manifests)?;
        let w = r.workload_of(service)?;
        let ns = namespace_flag(&r.namespace);
        let tail = format!("--tail={tail}");
        if w.pod_selector.is_empty() {
            let reference = quote(&w.reference()).into_owned();
            return Ok(vec![self.kubectl(&[
                "logs",
                &reference,
                &ns,
                "--all-containers=true",
                "--prefix=true",
                &tail,
            ])]);
        }
        let sel = selector_flag(&w.pod_selector);
        Ok(vec![self.kubectl(&[
            "logs",
            &ns,
            &sel,
            "--all-containers=true",
            "--prefix=true",
            &tail,
        ])])
    }

    /// Run `command` (program and arguments, not a shell string) in a pod of `service`'s
    /// workload, in `container` or the pod's default one. Not interactive: no stdin, no TTY.
    pub fn exec(
        &self,
        manifests: &Manifests,
        service: &str,
        container: Option<&str>,
        command: &[String],
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(manifests)?;
        let w = r.workload_of(service)?;
        let mut errors = Vec::new();
        if command.is_empty() {
            errors.push(Error::new(InputPath::root().key("command"), "is empty"));
        }
        for (i, arg) in command.iter().enumerate() {
            if let Err(m) = check_no_nul("argument", arg) {
                errors.push(Error::new(InputPath::root().key("command").index(i), m));
            }
        }
        if let Some(c) = container {
            if let Err(m) = check_no_nul("container", c) {
                errors.push(Error::new(InputPath::root().key("container"), m));
            }
        }
        if let Some(e) = Errors::from_vec(errors) {
            return Err(e);
        }
        let ns = namespace_flag(&r.namespace);
        let reference = quote(&w.reference()).into_owned();
        let mut args: Vec<String> = vec!["exec".into(), reference, ns];
        if let Some(c) = container {
            args.push(quote(&format!("--container={c}")).into_owned());
        }
        args.push("--".into());
        args.extend(command.iter().map(|a| quote(a).into_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Ok(vec![self.kubectl(&args)])
    }
}
