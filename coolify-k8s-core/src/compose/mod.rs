//! Loading Docker Compose files in Coolify's dialect into a typed, normalized [`Project`].
//!
//! Stages, one file each, as in compose-go's loader:
//!
//! - [`yaml`]: parse YAML into a tree (anchors, `<<` merge keys including Coolify's
//!   sequence merge, `!reset` / `!override` tags), with limits against hostile input;
//! - [`interpolate`]: `${VAR}` substitution in values, per the Compose Specification;
//! - [`include`](mod@include) and [`extends`]: other files, through a caller-supplied [`Resolver`];
//! - [`merge`]: several files into one, per the specification's merge rules;
//! - [`normalize`]: the tree into the typed model, short syntaxes into long ones;
//! - [`magic`]: Coolify's magic variables (`SERVICE_URL_*`, `SERVICE_PASSWORD_*`, …).
//!
//! The model itself: [`Project`], [`Service`] and the types beside them.

pub(crate) mod context;
pub mod deploy;
pub mod dotenv;
pub mod env_file;
pub mod extends;
pub(crate) mod file;
pub mod healthcheck;
pub mod include;
pub mod interpolate;
pub mod load;
pub mod magic;
pub mod merge;
pub mod normalize;
pub mod options;
pub mod port;
pub mod profiles;
pub mod project;
pub mod service;
pub mod units;
pub mod volume;
pub mod yaml;

pub use deploy::{Deploy, ResourceSpec, Resources, RestartPolicy};
pub use healthcheck::{Healthcheck, HealthcheckTest};
pub use load::{load, load_tree, Loaded};
pub use magic::{MagicKind, MagicVariable, ServiceUrl, ServiceUrlKind};
pub use options::{LoadOptions, MemoryFiles, NoFiles, Resolver, SourceFile};
pub use port::{ExposedPort, Port, Protocol};
pub use project::{ConfigDef, Network, Project, SecretDef, Volume};
pub use service::{
    Build, DependsOn, DependsOnCondition, EnvFile, FileReference, PullPolicy, Restart, Service,
    ServiceNetwork, Ulimit,
};
pub use units::{ByteSize, Duration};
pub use volume::{MountType, ServiceVolume};
