//! `coolify-k8s application` (being built).

/// Arguments of `application`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files.
    files: Vec<String>,
}

/// Run `application`.
pub fn run(args: Args) -> i32 {
    eprintln!(
        "coolify-k8s application: not built yet ({} file(s))",
        args.files.len()
    );
    2
}
