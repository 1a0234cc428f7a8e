//! The pod and container a page chose (logs, terminal, exec): checked against the
//! workload, as Coolify checks a chosen container against the resource's own list
//! (`app/Livewire/Project/Shared/ExecuteContainerCommand.php`) before it runs anything.

use super::quote;
use super::resource::Workload;
use crate::error::Error;
use crate::path::InputPath;

/// The chosen pod (when one was), after checking that `pod` can be one of `w`'s pods (its
/// name starts with the workload's, as Kubernetes names them) and that `container` is one
/// of its containers. Errors name the option (`pod`, `container`).
pub(super) fn pick(
    w: &Workload,
    pod: Option<&str>,
    container: Option<&str>,
) -> Result<Option<String>, Vec<Error>> {
    let mut errors = Vec::new();
    if let Some(p) = pod {
        let prefix = format!("{}-", w.name);
        let valid = p.len() <= 253
            && p.starts_with(&prefix)
            && p.len() > prefix.len()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'));
        if !valid {
            errors.push(Error::new(
                InputPath::root().key("pod"),
                format!(
                    "\"{}\" is not a pod of workload \"{}\" (its pods are named {}…)",
                    p.escape_debug(),
                    w.name,
                    prefix
                ),
            ));
        }
    }
    if let Some(c) = container {
        if c.contains('\0') || (!w.containers.is_empty() && !w.containers.iter().any(|k| k == c)) {
            errors.push(Error::new(
                InputPath::root().key("container"),
                format!(
                    "no container \"{}\" in service \"{}\" (known: {})",
                    c.escape_debug(),
                    w.service.as_deref().unwrap_or(&w.name),
                    w.containers.join(", ")
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(pod.map(str::to_string))
    } else {
        Err(errors)
    }
}

/// `--container=<c>` as one quoted word.
pub(super) fn container_flag(c: &str) -> String {
    quote(&format!("--container={c}")).into_owned()
}

/// A file on the server for a redirection: an absolute path, no NUL, no `..`.
pub(super) fn server_path(key: &str, path: &str) -> Result<String, Error> {
    if !path.starts_with('/') || path.contains('\0') || path.split('/').any(|p| p == "..") {
        return Err(Error::new(
            InputPath::root().key(key),
            "must be an absolute path on the server without `..`",
        ));
    }
    Ok(quote(path).into_owned())
}
