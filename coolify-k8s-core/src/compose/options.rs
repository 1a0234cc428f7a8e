//! What a load is given besides the files' text: the caller's variables and settings
//! ([`LoadOptions`]), file access ([`Resolver`]), and how a variable reads ([`lookup`]).
//!
//! Every stage reads these and none of them imports the loader (compose-go keeps its
//! loader options apart from the stages the same way).

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

/// A resolver over files held in memory (tests; callers that have every file at hand).
/// A relative path is joined to the including file's folder and `.` / `..` are resolved,
/// so names are canonical for cycle detection.
///
/// ```
/// use coolify_k8s_core::compose::{MemoryFiles, Resolver};
/// let files = MemoryFiles::new([("app/base.yaml", "services: {}")]);
/// assert_eq!(files.read(Some("app/compose.yaml"), "./base.yaml").unwrap().0, "app/base.yaml");
/// assert!(files.read(Some("app/compose.yaml"), "../x.yaml").is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryFiles(pub BTreeMap<String, String>);

impl MemoryFiles {
    /// Files by name.
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self(
            files
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

impl Resolver for MemoryFiles {
    fn read(&self, from: Option<&str>, path: &str) -> Result<(String, String), String> {
        let joined = match (from.and_then(|f| f.rsplit_once('/')), path.starts_with('/')) {
            (Some((dir, _)), false) => format!("{dir}/{path}"),
            _ => path.to_string(),
        };
        let mut parts: Vec<&str> = Vec::new();
        for part in joined.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        let name = format!(
            "{}{}",
            if joined.starts_with('/') { "/" } else { "" },
            parts.join("/")
        );
        match self.0.get(&name) {
            Some(text) => Ok((name, text.clone())),
            None => Err(format!("cannot read {path:?}: no such file")),
        }
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
    /// Defer every caller variable (not the template's defaults) in the values workloads
    /// run with (`environment`, `command`, `entrypoint`, `healthcheck`), as the translator
    /// does: Coolify stores every variable encrypted. Off for `config`-like views.
    pub defer_stored: bool,
}

/// The value a variable has for interpolation: a deferred reference for Coolify's magic
/// variables and for caller-marked secrets that are set (their values are resolved after
/// loading, see [`crate::compose::magic`]), the caller's value for other set variables,
/// and `None` for unset ones.
///
/// ```
/// use coolify_k8s_core::compose::{magic::deferred, options::lookup, LoadOptions};
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
