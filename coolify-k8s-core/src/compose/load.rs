//! The loader's entry point: files in, [`Project`] out.
//!
//! (Contract shared by every stage; the stages themselves live in their own files.)

use super::project::Project;
use crate::error::Errors;
use crate::report::Report;
use std::collections::{BTreeMap, BTreeSet};

/// Reads the files a Compose file refers to (`include`, `extends.file`, `env_file`,
/// `configs.*.file`, `secrets.*.file`). The library never touches the disk itself: the
/// CLI resolves relative to the including file, the PHP extension refuses.
pub trait Resolver {
    /// The body of `path`, as named by the file `from` (the path of the including file,
    /// or `None` for the first file). Returns the canonical name of the file (used to
    /// detect cycles and to resolve paths in it) and its text.
    fn read(&self, from: Option<&str>, path: &str) -> Result<(String, String), String>;
}

/// A resolver that refuses every file (for callers that pass a single document).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFiles;

impl Resolver for NoFiles {
    fn read(&self, _from: Option<&str>, path: &str) -> Result<(String, String), String> {
        Err(format!(
            "cannot read {path:?}: this caller does not allow file references"
        ))
    }
}

/// One input file: its name (for messages and relative paths) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The file's name as the caller knows it.
    pub name: String,
    /// The YAML text.
    pub text: String,
}

/// What the caller passes besides the files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Values for `${VAR}` (the caller's `.env`, `--env`, Coolify's stored variables).
    /// The library never reads the process environment.
    pub variables: BTreeMap<String, String>,
    /// Variables whose values are secret: they are deferred like magic secrets
    /// (see [`crate::compose::magic`]) and end up only in `Secret` objects.
    pub secret_variables: BTreeSet<String>,
    /// Active profiles (services with no `profiles` are always active).
    pub profiles: Vec<String>,
}

/// A loaded project and what the loader has to say about it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The project.
    pub project: Project,
    /// Warnings (unset variables, obsolete `version`) and anything dropped while loading.
    pub report: Report,
}

/// Load one or more Compose files (later files merge over earlier ones).
pub fn load(
    files: &[SourceFile],
    options: &LoadOptions,
    resolver: &dyn Resolver,
) -> Result<Loaded, Errors> {
    let _ = (files, options, resolver);
    Err(crate::Error::new(crate::InputPath::root(), "the loader is being built").into())
}

/// The value a variable has for interpolation: a deferred reference for Coolify's magic
/// variables and for caller-marked secrets that are set (their values are resolved after
/// loading, see [`crate::compose::magic`]), the caller's value for other set variables,
/// and `None` for unset ones.
///
/// ```
/// use coolify_k8s_core::compose::{load::lookup, magic::deferred, LoadOptions};
/// let mut o = LoadOptions::default();
/// o.variables.insert("TZ".into(), "UTC".into());
/// o.variables.insert("API_KEY".into(), "s3cr3t".into());
/// o.secret_variables.insert("API_KEY".into());
/// assert_eq!(lookup("TZ", &o).as_deref(), Some("UTC"));
/// assert_eq!(lookup("API_KEY", &o), Some(deferred::reference("API_KEY")));
/// assert_eq!(lookup("SERVICE_PASSWORD_DB", &o), Some(deferred::reference("SERVICE_PASSWORD_DB")));
/// assert_eq!(lookup("UNSET", &o), None);
/// ```
pub fn lookup(name: &str, options: &LoadOptions) -> Option<String> {
    if super::magic::MagicVariable::parse(name).is_some() {
        return Some(super::magic::deferred::reference(name));
    }
    let value = options.variables.get(name)?;
    if options.secret_variables.contains(name) {
        Some(super::magic::deferred::reference(name))
    } else {
        Some(value.clone())
    }
}
