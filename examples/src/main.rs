//! `coolify-k8s`: the command-line surface of coolify-k8s-core.
//!
//! Exit status: 0 success; 1 the input cannot be translated (one line per error on
//! stderr, each naming the path in the input); 2 usage error.

mod cli;

use clap::Parser;

// A translation is many small allocations; mimalloc's are cheaper than the C library's
// (workspace Cargo.toml, README "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = cli::Cli::parse();
    let code = cli.run();
    std::process::exit(code);
}
