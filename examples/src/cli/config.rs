//! `coolify-k8s config` (being built).

/// Arguments of `config`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files.
    files: Vec<String>,
}

/// Run `config`.
pub fn run(args: Args) -> i32 {
    eprintln!(
        "coolify-k8s config: not built yet ({} file(s))",
        args.files.len()
    );
    2
}
