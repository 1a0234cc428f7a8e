//! `coolify-k8s commands ACTION [OPTIONS] FILE...`: the kubectl command lines for an
//! action, one per line: exactly what the PHP `Kubectl` methods return, joined by
//! newlines, so `coolify-k8s commands apply … FILE | bash -se` deploys. For `apply` the
//! files the lines read (the objects, Secrets included) are written to `--files-dir` on this
//! machine (mode 0600) and the lines are its prepare, commands and cleanup lines: run them on
//! the same machine.

use super::translate_args::{read_files, FileResolver, TranslateArgs};
use coolify_k8s_core::kubectl::{DeleteOptions, Kubectl, LogOptions, Stored, Target};
use coolify_k8s_core::{Errors, Manifests, Report, Translator};
use std::path::PathBuf;

/// Arguments of `commands`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the lines do.
    #[arg(value_name = "ACTION", value_parser = ["apply", "rollout-status", "restart", "stop", "start", "delete", "status", "logs", "pods", "status-poll"])]
    action: String,
    /// kubeconfig path on the machine that runs the lines (default: kubectl's own).
    #[arg(long, value_name = "PATH")]
    kubeconfig: Option<String>,
    /// Context in that kubeconfig (default: its current context).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Seconds each workload may take to become ready (rollout-status).
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..))]
    timeout: u32,
    /// Prefix every kubectl call with sudo.
    #[arg(long)]
    sudo: bool,
    /// One more global kubectl flag, e.g. --kubectl-flag=--request-timeout=30s (repeatable).
    #[arg(long = "kubectl-flag", value_name = "FLAG", allow_hyphen_values = true)]
    kubectl_flags: Vec<String>,
    /// Do not create the namespace (apply), for a kubeconfig that may not.
    #[arg(long = "no-create-namespace")]
    no_create_namespace: bool,
    /// Service whose logs to print (logs).
    #[arg(long, value_name = "SERVICE")]
    service: Option<String>,
    /// Log lines per container (logs).
    #[arg(long, value_name = "LINES", default_value_t = 100)]
    tail: u32,
    /// Only newer log lines: a duration (10m) or an RFC 3339 time (logs).
    #[arg(long, value_name = "SINCE")]
    since: Option<String>,
    /// Prefix each log line with its time (logs).
    #[arg(long)]
    timestamps: bool,
    /// The run before the last restart (logs).
    #[arg(long)]
    previous: bool,
    /// Keep the PersistentVolumeClaims (delete).
    #[arg(long = "keep-volumes")]
    keep_volumes: bool,
    /// Delete the namespace too (delete).
    #[arg(long = "delete-namespace")]
    delete_namespace: bool,
    /// Directory for apply's object files, on this machine (default /data/coolify/kubernetes).
    #[arg(long = "files-dir", value_name = "DIR")]
    files_dir: Option<String>,
    /// FILE is stored state, not Compose: translated manifests as JSON (`convert -o json`
    /// output, with or without Secret data) or one resource handle.
    #[arg(long = "from-json")]
    from_json: bool,
    #[command(flatten)]
    translate: Box<TranslateArgs>,
    /// Compose files; later files merge over earlier ones.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Run `commands`: exit 0 printed, 1 the input cannot be translated, 2 usage error.
pub fn run(args: Args) -> i32 {
    let target = Target {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
        namespace: None,
        extra_flags: args.kubectl_flags.clone(),
        sudo: args.sudo,
        create_namespace: !args.no_create_namespace,
        files_dir: args
            .files_dir
            .clone()
            .unwrap_or_else(|| coolify_k8s_core::kubectl::DEFAULT_FILES_DIR.to_string()),
    };
    let kubectl = match Kubectl::new(target) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("coolify-k8s commands: {e}");
            return 2;
        }
    };
    if args.action == "logs" && args.service.is_none() {
        eprintln!("coolify-k8s commands: logs needs --service SERVICE");
        return 2;
    }
    let manifests = match manifests(&args) {
        Ok(m) => m,
        Err(Failure::Usage(msg)) => {
            eprintln!("coolify-k8s commands: {msg}");
            return 2;
        }
        Err(Failure::Input(msg)) => {
            eprintln!("{msg}");
            return 1;
        }
        Err(Failure::Translation(e)) => return super::fail(&e),
    };
    let lines = match args.action.as_str() {
        "apply" => match kubectl.apply(&manifests) {
            Ok(steps) => {
                if let Err(e) = write_files(&steps.files) {
                    eprintln!("coolify-k8s commands: {e}");
                    return 1;
                }
                Ok(steps.lines().cloned().collect())
            }
            Err(e) => Err(e),
        },
        "rollout-status" => kubectl.rollout_status(&manifests, args.timeout),
        "restart" => kubectl.restart(&manifests),
        "stop" => kubectl.stop(&manifests),
        "start" => kubectl.start(&manifests),
        "delete" => kubectl.delete(
            &manifests,
            DeleteOptions {
                volumes: !args.keep_volumes,
                namespace: args.delete_namespace,
            },
        ),
        "status" => kubectl.status(&manifests),
        "pods" => kubectl.pods(&manifests),
        "status-poll" => Ok(kubectl.status_poll()),
        _ => kubectl.logs_with(
            &manifests,
            args.service.as_deref().unwrap_or_default(),
            &LogOptions {
                tail: Some(args.tail),
                since: args.since.clone(),
                timestamps: args.timestamps,
                previous: args.previous,
                ..LogOptions::default()
            },
        ),
    };
    match lines {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            0
        }
        Err(e) => super::fail(&e),
    }
}

/// Writes apply's files (mode 0600; their directory 0700 when created here).
fn write_files(files: &[coolify_k8s_core::kubectl::UploadFile]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    for f in files {
        let path = std::path::Path::new(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        file.write_all(f.content.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

enum Failure {
    Usage(String),
    Input(String),
    Translation(Errors),
}

fn manifests(args: &Args) -> Result<Stored, Failure> {
    if args.from_json {
        if let [file] = args.files.as_slice() {
            let text = std::fs::read_to_string(file)
                .map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
            if let Ok(Stored::Handle(h)) = Stored::from_json(&text) {
                return Ok(Stored::Handle(h));
            }
        }
        let mut objects = Vec::new();
        for file in &args.files {
            let text = std::fs::read_to_string(file)
                .map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Failure::Input(format!("{}: not JSON: {e}", file.display())))?;
            match value {
                serde_json::Value::Array(items) => objects.extend(items),
                serde_json::Value::Object(mut map) => match map.remove("items") {
                    Some(serde_json::Value::Array(items)) => objects.extend(items),
                    Some(_) => {
                        return Err(Failure::Input(format!(
                            "{}: items: must be a list",
                            file.display()
                        )))
                    }
                    None => objects.push(serde_json::Value::Object(map)),
                },
                _ => {
                    return Err(Failure::Input(format!(
                        "{}: expected a List or a list of objects",
                        file.display()
                    )))
                }
            }
        }
        return Ok(Stored::Manifests(Manifests::new(
            objects,
            Report::default(),
        )));
    }
    let options = args.translate.options().map_err(Failure::Usage)?;
    let env = args
        .translate
        .variables(args.files.first().map(PathBuf::as_path))
        .map_err(Failure::Input)?;
    let files = read_files(&args.files).map_err(Failure::Input)?;
    Translator::new(options)
        .compose_files(&files, &env, &FileResolver)
        .map(Stored::Manifests)
        .map_err(Failure::Translation)
}
