//! `coolify-k8s convert`: Compose files (Coolify dialect) → Kubernetes manifests on stdout.

use super::translate_args::{read_files, FileResolver, TranslateArgs};
use coolify_k8s_core::Translator;
use std::path::PathBuf;

/// Arguments of `convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    translate: Box<TranslateArgs>,
    /// Output format: `yaml`, `json`, `json-no-secrets` (Secrets without their data: for
    /// the lifecycle commands) or `handle` (the resource handle: ditto, much smaller).
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "yaml",
          value_parser = ["yaml", "json", "json-no-secrets", "handle"])]
    output: String,
    /// Print the mapping report (mapped / approximated / dropped keys) on stderr.
    #[arg(long)]
    report: bool,
    /// Compose files; later files merge over earlier ones.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Run `convert`: exit 0 translated, 1 the input cannot be translated, 2 usage error.
pub fn run(args: Args) -> i32 {
    let options = match args.translate.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("coolify-k8s convert: {e}");
            return 2;
        }
    };
    let env = match args
        .translate
        .variables(args.files.first().map(PathBuf::as_path))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let files = match read_files(&args.files) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let manifests = match Translator::new(options).compose_files(&files, &env, &FileResolver) {
        Ok(m) => m,
        Err(e) => return super::fail(&e),
    };
    if args.report {
        for line in manifests.warnings() {
            eprintln!("{line}");
        }
    }
    match args.output.as_str() {
        "json" => print!("{}", manifests.to_json()),
        "json-no-secrets" => print!("{}", manifests.to_json_without_secret_data()),
        "handle" => match manifests.handle() {
            Ok(h) => println!("{}", h.to_json()),
            Err(e) => return super::fail(&e),
        },
        _ => print!("{}", manifests.to_yaml()),
    }
    0
}
