//! Translate Coolify's configuration (Docker Compose files in Coolify's dialect, and
//! Application settings) into Kubernetes manifests and the `kubectl` command lines that
//! apply them.
//!
//! The pipeline, one module per stage (see `docs/ARCHITECTURE.md`):
//!
//! ```text
//! compose (load) -> plan -> k8s (build) -> render / kubectl
//!                     ^
//!                   proxy (routes from FQDNs, Traefik and Caddy labels)
//! ```
//!
//! Every stage is a pure function: no file system, no environment, no network, no clock.

pub mod compose;
pub mod coolify;
pub mod error;
pub mod k8s;
pub mod kubectl;
pub mod manifests;
pub mod options;
pub mod path;
pub mod plan;
pub mod proxy;
pub mod registry;
pub mod report;
pub mod translator;

pub use error::{Error, Errors};
pub use manifests::Manifests;
pub use options::Options;
pub use path::InputPath;
pub use report::{Outcome, Report, ReportEntry};
pub use translator::Translator;
