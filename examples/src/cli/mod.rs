//! Subcommands, one file each.

mod application;
mod commands;
mod config;
mod convert;
pub mod translate_args;

use clap::{Parser, Subcommand};

/// Translate Coolify's Docker Compose files and Application settings into Kubernetes
/// manifests and kubectl command lines.
#[derive(Debug, Parser)]
#[command(name = "coolify-k8s", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the loaded, interpolated, merged Compose model (like `docker compose config`).
    Config(config::Args),
    /// Translate Compose files (Coolify dialect) into Kubernetes manifests on stdout.
    Convert(convert::Args),
    /// Print the kubectl command lines for an action, one per line (a script for `bash -se`).
    Commands(commands::Args),
    /// Translate a Coolify Application's attributes (JSON) into Kubernetes manifests.
    Application(application::Args),
}

impl Cli {
    /// Run the chosen subcommand; returns the process exit status.
    pub fn run(self) -> i32 {
        match self.command {
            Command::Config(a) => config::run(a),
            Command::Convert(a) => convert::run(a),
            Command::Commands(a) => commands::run(a),
            Command::Application(a) => application::run(a),
        }
    }
}

/// Print errors one per line on stderr and return exit status 1.
pub fn fail(errors: &coolify_k8s_core::Errors) -> i32 {
    for e in errors.iter() {
        eprintln!("{e}");
    }
    1
}

/// Print manifests on stdout as `yaml` or `json`, and the report on stderr when asked.
pub fn print_manifests(manifests: &coolify_k8s_core::Manifests, output: &str, report: bool) {
    if report {
        for line in manifests.warnings() {
            eprintln!("{line}");
        }
    }
    if output == "json" {
        print!("{}", manifests.to_json());
    } else {
        print!("{}", manifests.to_yaml());
    }
}
