//! `coolify-k8s commands` (being built).

/// Arguments of `commands`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files.
    files: Vec<String>,
}

/// Run `commands`.
pub fn run(args: Args) -> i32 {
    eprintln!(
        "coolify-k8s commands: not built yet ({} file(s))",
        args.files.len()
    );
    2
}
