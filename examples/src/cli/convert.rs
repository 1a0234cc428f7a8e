//! `coolify-k8s convert` (being built).

/// Arguments of `convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files.
    files: Vec<String>,
}

/// Run `convert`.
pub fn run(args: Args) -> i32 {
    eprintln!(
        "coolify-k8s convert: not built yet ({} file(s))",
        args.files.len()
    );
    2
}
