//! The `perf` workloads with mimalloc, the allocator the `coolify-k8s` CLI and the PHP
//! extension ship (`scripts/bench.sh` reports both, README "Performance").

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "perf.rs"]
mod perf;

fn main() -> std::process::ExitCode {
    perf::main()
}
