//! `coolify-k8s application`: a Coolify Application's attributes (JSON) → Kubernetes
//! manifests on stdout.

use super::translate_args::TranslateArgs;
use coolify_k8s_core::Translator;
use std::path::PathBuf;

/// Arguments of `application`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    translate: Box<TranslateArgs>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "yaml",
          value_parser = ["yaml", "json"])]
    output: String,
    /// Print the mapping report (mapped / approximated / dropped keys) on stderr.
    #[arg(long)]
    report: bool,
    /// The Application's attributes: one JSON object under Coolify's names (`-` for stdin).
    #[arg(value_name = "ATTRS.json")]
    file: PathBuf,
}

/// Run `application`: exit 0 translated, 1 the input cannot be translated, 2 usage error.
pub fn run(args: Args) -> i32 {
    let options = match args.translate.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("coolify-k8s application: {e}");
            return 2;
        }
    };
    if !args.translate.env.is_empty() || !args.translate.env_files.is_empty() {
        eprintln!(
            "coolify-k8s application: --env and --env-file do not apply; the attributes hold \
             `environment_variables`"
        );
        return 2;
    }
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            Ok(_) => s,
            Err(e) => {
                eprintln!("stdin: {e}");
                return 1;
            }
        }
    } else {
        match std::fs::read_to_string(&args.file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{}: {e}", args.file.display());
                return 1;
            }
        }
    };
    let attrs: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}: not JSON: {e}", args.file.display());
            return 1;
        }
    };
    let manifests = match Translator::new(options).application(&attrs) {
        Ok(m) => m,
        Err(e) => return super::fail(&e),
    };
    super::print_manifests(&manifests, &args.output, args.report);
    0
}
