//! `coolify-k8s`: the command-line surface of coolify-k8s-core.

fn main() {
    eprintln!("coolify-k8s: being built");
    std::process::exit(2);
}
