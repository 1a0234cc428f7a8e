//! Commands in a service's container: `exec` (and with a file as its stdin or stdout, the
//! form database backups and imports take), the terminal's interactive shell, scheduled
//! tasks, and copying a file in and out. A file's body never travels in a command line:
//! it streams between a file on the server and the container through kubectl's stdin or
//! stdout.

use super::choice::{container_flag, pick, server_path};
use super::resource::{Resource, Workload};
use super::target::{options_object, string};
use super::{namespace_flag, quote, Kubectl, ResourceSource};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::Value;

/// Where [`Kubectl::exec_with`] runs and what it connects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// The container; the pod's default (its first) when `None`.
    pub container: Option<String>,
    /// The pod (a name from [`Kubectl::parse_pods`]); one kubectl picks when `None`.
    pub pod: Option<String>,
    /// A file on the server fed to the command's stdin (`< FILE`): a dump to import.
    pub stdin_file: Option<String>,
    /// A file on the server that receives the command's stdout (`> FILE`): a backup. It is
    /// written by the SSH user, as Coolify's `docker exec … > FILE` backups are.
    pub stdout_file: Option<String>,
}

/// The keys [`ExecOptions::from_json`] accepts.
const EXEC_KEYS: &str = "container, pod, stdin_file, stdout_file";

impl ExecOptions {
    /// Options from a JSON object (the PHP options array, the CLI): the field names as
    /// keys, `null` for the default. Unknown keys and wrong types are errors naming the key.
    pub fn from_json(options: &Value) -> Result<Self, Errors> {
        let mut o = Self::default();
        let Some(map) = options_object(options, "exec")? else {
            return Ok(o);
        };
        let mut errors = Vec::new();
        for (key, value) in map.iter().filter(|(_, v)| !v.is_null()) {
            let path = InputPath::root().key(key.as_str());
            let slot = match key.as_str() {
                "container" => &mut o.container,
                "pod" => &mut o.pod,
                "stdin_file" => &mut o.stdin_file,
                "stdout_file" => &mut o.stdout_file,
                _ => {
                    errors.push(Error::new(
                        path,
                        format!("unknown exec option (known: {EXEC_KEYS})"),
                    ));
                    continue;
                }
            };
            match string(&path, value) {
                Ok(s) => *slot = Some(s),
                Err(e) => errors.push(e),
            }
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => Ok(o),
        }
    }
}

/// The shell Coolify's terminal starts in a container (`app/Livewire/Project/Shared/
/// Terminal.php`): the login profile, then `$SHELL` when it is executable, else `sh`.
/// Written without `&&`, which Coolify's sudo rewriting would edit; `[ -x "$SHELL" ]` is
/// false for an empty `$SHELL`, as Coolify's `[ -n "$SHELL" ] && [ -x "$SHELL" ]`.
pub const TERMINAL_SHELL: &str =
    "PATH=$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; \
     if [ -f ~/.profile ]; then . ~/.profile; fi; \
     if [ -x \"$SHELL\" ]; then exec $SHELL; else exec sh; fi";

impl Kubectl {
    /// Run `command` (program and arguments, not a shell string) in a pod of `service`'s
    /// workload, in `container` or the pod's default one. Not interactive: no stdin, no TTY.
    pub fn exec(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        service: &str,
        container: Option<&str>,
        command: &[String],
    ) -> Result<Vec<String>, Errors> {
        let options = ExecOptions {
            container: container.map(str::to_string),
            ..ExecOptions::default()
        };
        self.exec_with(resource, service, command, &options)
    }

    /// [`exec`](Self::exec) with a chosen pod and container, and a server file as stdin
    /// and/or stdout: `kubectl exec [--stdin=true] REF … -- COMMAND [< IN] [> OUT]`.
    pub fn exec_with(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        service: &str,
        command: &[String],
        options: &ExecOptions,
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let w = r.workload_of(service)?;
        let mut errors = check_command(command);
        let stdin = check_file(&mut errors, "stdin_file", options.stdin_file.as_deref());
        let stdout = check_file(&mut errors, "stdout_file", options.stdout_file.as_deref());
        let line = self.exec_line(&r, w, options, stdin.is_some(), false, command);
        let mut line = match line {
            Ok(l) if errors.is_empty() => l,
            Ok(_) => return Err(Errors::from_vec(errors).unwrap_or_else(unreachable_error)),
            Err(e) => {
                let mut all = e.into_vec();
                all.extend(errors);
                return Err(Errors::from_vec(all).unwrap_or_else(unreachable_error));
            }
        };
        if let Some(f) = stdin {
            line.push_str(" < ");
            line.push_str(&f);
        }
        if let Some(f) = stdout {
            line.push_str(" > ");
            line.push_str(&f);
        }
        Ok(vec![line])
    }

    /// The terminal page's line: an interactive shell (`exec --stdin --tty`) in a container
    /// of `service`, started as Coolify starts it ([`TERMINAL_SHELL`]). Run it in an SSH
    /// session with a TTY, as Coolify's terminal runs `docker exec -it`.
    pub fn terminal(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        service: &str,
        container: Option<&str>,
        pod: Option<&str>,
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let w = r.workload_of(service)?;
        let options = ExecOptions {
            container: container.map(str::to_string),
            pod: pod.map(str::to_string),
            ..ExecOptions::default()
        };
        let command = ["sh".to_string(), "-c".into(), TERMINAL_SHELL.into()];
        Ok(vec![self.exec_line(&r, w, &options, true, true, &command)?])
    }

    /// A scheduled task's line, as Coolify's `ScheduledTaskJob` runs one: `command` through
    /// `sh -c` in the container of `service` (the task's `container` column), or in the
    /// resource's only running service when it names none; more than one is an error,
    /// as in Coolify. Coolify bounds the output itself (`boundedTaskCommand`).
    pub fn scheduled_task(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        service: Option<&str>,
        command: &str,
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let w = match service.filter(|s| !s.is_empty()) {
            Some(s) => r.workload_of(s)?,
            None => only_service(&r)?,
        };
        let command = ["sh".to_string(), "-c".into(), command.to_string()];
        let mut errors = check_command(&command);
        if command[2].is_empty() {
            errors.push(Error::new(InputPath::root().key("command"), "is empty"));
        }
        if let Some(e) = Errors::from_vec(errors) {
            return Err(e);
        }
        Ok(vec![self.exec_line(
            &r,
            w,
            &ExecOptions::default(),
            false,
            false,
            &command,
        )?])
    }

    /// Copy the server file `from` into `service`'s container as `to` (streamed through
    /// stdin into `cat`; the image needs `sh` and `cat`, not the `tar` that `kubectl cp`
    /// needs): a dump for an import, as Coolify's import uploads one first.
    pub fn copy_in(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        service: &str,
        from: &str,
        to: &str,
        options: &ExecOptions,
    ) -> Result<Vec<String>, Errors> {
        let command = [
            "sh".to_string(),
            "-c".into(),
            "cat > \"$1\"".into(),
            "sh".into(),
            to.to_string(),
        ];
        let options = ExecOptions {
            stdin_file: Some(from.to_string()),
            stdout_file: None,
            ..options.clone()
        };
        self.exec_with(resource, service, &command, &options)
    }

    /// Copy the file `from` in `service`'s container to the server file `to` (streamed out
    /// of `cat`): a backup the database wrote inside its container.
    pub fn copy_out(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        service: &str,
        from: &str,
        to: &str,
        options: &ExecOptions,
    ) -> Result<Vec<String>, Errors> {
        let command = ["cat".to_string(), from.to_string()];
        let options = ExecOptions {
            stdin_file: None,
            stdout_file: Some(to.to_string()),
            ..options.clone()
        };
        self.exec_with(resource, service, &command, &options)
    }

    /// `kubectl exec [--stdin=true] [--tty=true] REF --namespace=… [--container=…] -- ARGS`.
    fn exec_line(
        &self,
        r: &Resource,
        w: &Workload,
        options: &ExecOptions,
        stdin: bool,
        tty: bool,
        command: &[String],
    ) -> Result<String, Errors> {
        let pod = pick(w, options.pod.as_deref(), options.container.as_deref())
            .map_err(|e| Errors::from_vec(e).unwrap_or_else(unreachable_error))?;
        let reference = match pod {
            Some(p) => quote(&format!("pod/{p}")).into_owned(),
            None => quote(&w.reference()).into_owned(),
        };
        let mut args: Vec<String> = vec!["exec".into()];
        if stdin {
            args.push("--stdin=true".into());
        }
        if tty {
            args.push("--tty=true".into());
        }
        args.push(reference);
        args.push(namespace_flag(&r.namespace));
        if let Some(c) = &options.container {
            args.push(container_flag(c));
        }
        args.push("--".into());
        args.extend(command.iter().map(|a| quote(a).into_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Ok(self.kubectl(&args))
    }
}

/// Never reached (`pick` returns errors only when it has some); keeps the code free of
/// `unwrap`.
fn unreachable_error() -> Errors {
    Error::new(InputPath::root(), "invalid choice").into()
}

/// A non-empty command without NUL characters.
fn check_command(command: &[String]) -> Vec<Error> {
    let mut errors = Vec::new();
    if command.is_empty() {
        errors.push(Error::new(InputPath::root().key("command"), "is empty"));
    }
    for (i, arg) in command.iter().enumerate() {
        if arg.contains('\0') {
            errors.push(Error::new(
                InputPath::root().key("command").index(i),
                "argument contains a NUL character",
            ));
        }
    }
    errors
}

/// The quoted server path of an optional file, or an error pushed.
fn check_file(errors: &mut Vec<Error>, key: &str, path: Option<&str>) -> Option<String> {
    match path.map(|p| server_path(key, p)) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => None,
    }
}

/// The one long-running workload of a resource (Deployment, StatefulSet, DaemonSet), for
/// a scheduled task that names no service.
fn only_service(r: &Resource) -> Result<&Workload, Errors> {
    let running: Vec<&Workload> = r
        .workloads
        .iter()
        .filter(|w| w.kind.runs_continuously())
        .collect();
    match running.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::new(
            InputPath::root().key("service"),
            "the resource has no running service",
        )
        .into()),
        many => Err(Error::new(
            InputPath::root().key("service"),
            format!(
                "more than one service, name one (as Coolify's ScheduledTaskJob requires): {}",
                many.iter()
                    .map(|w| w.service.as_deref().unwrap_or(&w.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::{has_runner_sequence, Target};
    use crate::manifests::Manifests;
    use crate::report::Report;
    use serde_json::json;

    fn manifests() -> Manifests {
        let w = |kind: &str, name: &str, containers: &[&str]| {
            let labels =
                json!({"app.kubernetes.io/instance": "u1", "app.kubernetes.io/name": name});
            let containers: Vec<_> = containers.iter().map(|c| json!({"name": c})).collect();
            json!({"apiVersion": "apps/v1", "kind": kind,
                   "metadata": {"name": name, "namespace": "n", "labels": labels},
                   "spec": {"selector": {"matchLabels": labels},
                            "template": {"spec": {"containers": containers}}}})
        };
        Manifests::new(
            vec![
                w("Deployment", "web", &["web"]),
                w("StatefulSet", "db", &["postgres", "exporter"]),
            ],
            Report::default(),
        )
    }

    fn k() -> Kubectl {
        Kubectl::new(Target::default()).unwrap()
    }

    #[test]
    fn options_from_json_name_the_key() {
        let o =
            ExecOptions::from_json(&json!({"container": "c", "stdout_file": "/x", "pod": null}))
                .unwrap();
        assert_eq!(
            o,
            ExecOptions {
                container: Some("c".into()),
                stdout_file: Some("/x".into()),
                ..ExecOptions::default()
            }
        );
        assert_eq!(
            ExecOptions::from_json(&json!([])).unwrap(),
            ExecOptions::default()
        );
        let e = ExecOptions::from_json(&json!({"stdin": "/x", "pod": 3})).unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "stdin: unknown exec option (known: container, pod, stdin_file, stdout_file)",
                "pod: must be a string, not a number",
            ]
        );
    }

    #[test]
    fn exec_with_files_streams_them() {
        let dump = [
            "sh".to_string(),
            "-c".into(),
            "PGPASSWORD=\"$POSTGRES_PASSWORD\" pg_dump --format=custom -U \"$POSTGRES_USER\" app"
                .into(),
        ];
        let o = ExecOptions {
            container: Some("postgres".into()),
            pod: Some("db-0".into()),
            stdout_file: Some("/data/coolify/backups/db/pg-1.dmp".into()),
            ..ExecOptions::default()
        };
        let line = k()
            .exec_with(&manifests(), "db", &dump, &o)
            .unwrap()
            .join("\n");
        assert_eq!(
            line,
            "kubectl exec pod/db-0 --namespace=n --container=postgres -- sh -c 'PGPASSWORD=\"$POSTGRES_PASSWORD\" pg_dump --format=custom -U \"$POSTGRES_USER\" app' > /data/coolify/backups/db/pg-1.dmp"
        );
        let line = k()
            .copy_in(
                &manifests(),
                "db",
                "/data/coolify/import/x.dmp",
                "/tmp/x.dmp",
                &ExecOptions::default(),
            )
            .unwrap();
        assert_eq!(
            line,
            vec!["kubectl exec --stdin=true statefulset.apps/db --namespace=n -- sh -c 'cat > \"$1\"' sh /tmp/x.dmp < /data/coolify/import/x.dmp"]
        );
        let line = k()
            .copy_out(
                &manifests(),
                "db",
                "/tmp/x.dmp",
                "/data/coolify/backups/x.dmp",
                &ExecOptions::default(),
            )
            .unwrap();
        assert_eq!(
            line,
            vec!["kubectl exec statefulset.apps/db --namespace=n -- cat /tmp/x.dmp > /data/coolify/backups/x.dmp"]
        );
    }

    #[test]
    fn bad_files_and_choices_are_errors() {
        let o = ExecOptions {
            container: Some("nope".into()),
            stdin_file: Some("relative.sql".into()),
            stdout_file: Some("/data/../etc/passwd".into()),
            ..ExecOptions::default()
        };
        let e = k()
            .exec_with(&manifests(), "db", &["true".into()], &o)
            .unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "container: no container \"nope\" in service \"db\" (known: postgres, exporter)",
                "stdin_file: must be an absolute path on the server without `..`",
                "stdout_file: must be an absolute path on the server without `..`",
            ]
        );
    }

    #[test]
    fn terminal_is_interactive_and_runner_safe() {
        let l = k()
            .terminal(&manifests(), "db", Some("postgres"), None)
            .unwrap();
        assert_eq!(l.len(), 1);
        assert!(
            l[0].starts_with("kubectl exec --stdin=true --tty=true statefulset.apps/db --namespace=n --container=postgres -- sh -c 'PATH=$PATH:"),
            "{}",
            l[0]
        );
        assert!(!has_runner_sequence(&l[0]), "{}", l[0]);
        // The script is the shell that runs in the container.
        let out = std::process::Command::new("sh")
            .args(["-c", TERMINAL_SHELL])
            .env("SHELL", "/bin/true")
            .output()
            .unwrap();
        assert!(out.status.success());
    }

    #[test]
    fn scheduled_task_container_choice_as_coolify() {
        let m = manifests();
        assert_eq!(
            k().scheduled_task(&m, Some("web"), "php artisan schedule:run && echo done").unwrap(),
            vec!["kubectl exec deployment.apps/web --namespace=n -- sh -c $'php artisan schedule:run \\x26\\x26 echo done'"]
        );
        let e = k().scheduled_task(&m, None, "date").unwrap_err();
        assert_eq!(
            e.first().to_string(),
            "service: more than one service, name one (as Coolify's ScheduledTaskJob requires): web, db"
        );
        let one = Manifests::new(vec![m.objects()[0].clone()], Report::default());
        assert_eq!(
            k().scheduled_task(&one, None, "date").unwrap(),
            vec!["kubectl exec deployment.apps/web --namespace=n -- sh -c date"]
        );
        assert!(k().scheduled_task(&one, None, "").is_err());
    }
}
