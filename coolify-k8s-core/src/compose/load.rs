//! The loader's entry point: files in, [`Project`] out.
//!
//! (Contract shared by every stage; the stages themselves live in their own files.)

use super::magic::deferred::MARK;
use super::merge::{self, Directives};
use super::project::Project;
use super::{env_file, extends, include, interpolate, normalize, profiles, yaml};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::report::Report;
use serde_json::{Map, Value};
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

/// A loaded project and what the loader has to say about it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The project.
    pub project: Project,
    /// Warnings (unset variables, obsolete `version`) and anything dropped while loading.
    pub report: Report,
}

/// Load one or more Compose files (later files merge over earlier ones).
///
/// Each file goes through the stages in order: [`yaml`] (parse, merge keys,
/// limits), `!reset` removal, [`interpolate`], the canonical long form
/// (`normalize::canonicalize`), [`include`](mod@include), [`extends`] and
/// service `env_file`s ([`env_file`]); then the files are
/// [`merge`]d, [`profiles`] filter the services, and
/// `normalize::project` builds the typed model.
pub fn load(
    files: &[SourceFile],
    options: &LoadOptions,
    resolver: &dyn Resolver,
) -> Result<Loaded, Errors> {
    let (tree, mut report) = load_tree(files, options, resolver)?;
    let mut project = normalize::project(&tree, &mut report)?;
    check_dependencies(&project)?;
    let first = files.first().map(|f| f.name.as_str());
    read_file_bodies(&mut project, first, resolver, &mut report)?;
    Ok(Loaded { project, report })
}

/// Top-level `configs` and `secrets` with `file:` get the file's body as `content`, read
/// through the resolver relative to the first file (the project directory, as in Compose).
/// Bodies are not interpolated (Compose does not interpolate them either). A file that
/// cannot be read is a warning, as Compose only needs it when a container starts; the
/// translation then reports the entry as not mounted.
fn read_file_bodies(
    project: &mut Project,
    first: Option<&str>,
    resolver: &dyn Resolver,
    report: &mut Report,
) -> Result<(), Errors> {
    let mut errors = Vec::new();
    for (top, defs) in [
        ("configs", &mut project.configs),
        ("secrets", &mut project.secrets),
    ] {
        for (name, def) in defs.iter_mut() {
            let Some(file) = def.file.as_deref() else {
                continue;
            };
            if def.content.is_some() || def.external {
                continue;
            }
            match resolver.read(first, file) {
                Ok((_, body)) if body.contains(MARK) => errors.push(Error::new(
                    InputPath::root().key(top).key(name.as_str()).key("file"),
                    format!("{file:?} holds a NUL character"),
                )),
                Ok((_, body)) => def.content = Some(body),
                Err(e) => report.warn(InputPath::root().key(top).key(name.as_str()).key("file"), e),
            }
        }
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A required `depends_on` must name a service of the project (after profiles), as
/// `docker compose config` insists; an optional one may be absent.
fn check_dependencies(project: &Project) -> Result<(), Errors> {
    let mut errors = Vec::new();
    for (name, service) in &project.services {
        for (dep, d) in &service.depends_on {
            if d.required && !project.services.contains_key(dep) {
                errors.push(Error::new(
                    InputPath::root()
                        .key("services")
                        .key(name.as_str())
                        .key("depends_on")
                        .key(dep.as_str()),
                    format!("depends on {dep:?}, which is not a service of this project (or not in an active profile)"),
                ));
            }
        }
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The stages of [`load`] up to the merged, filtered canonical tree (what `normalize::project`
/// reads), with the report so far.
pub fn load_tree(
    files: &[SourceFile],
    options: &LoadOptions,
    resolver: &dyn Resolver,
) -> Result<(Value, Report), Errors> {
    if files.is_empty() {
        return Err(Error::new(InputPath::root(), "no Compose file given").into());
    }
    let bad: Vec<Error> = options
        .variables
        .iter()
        .filter(|(k, v)| k.contains(MARK) || v.contains(MARK))
        .map(|(k, _)| {
            Error::new(
                InputPath::root(),
                format!("variable {:?} holds a NUL character", k.replace(MARK, "")),
            )
        })
        .collect();
    if let Some(e) = Errors::from_vec(bad) {
        return Err(e);
    }
    // Coolify's dialect: every `${VAR:-default}` is a stored variable of the resource's
    // `.env`, shared by all services (see `interpolate::shared_defaults`).
    let mut shared = options.clone();
    for file in files {
        for (name, default) in interpolate::shared_defaults(&file.text) {
            shared.variables.entry(name).or_insert(default);
        }
    }
    let stored = options
        .variables
        .keys()
        .filter(|k| options.defer_stored && super::magic::MagicVariable::parse(k).is_none())
        .cloned()
        .collect();
    let options = &shared;
    let mut ctx = Context {
        resolver,
        report: Report::default(),
        chain: Vec::new(),
        stored,
    };
    let mut merged: Option<Value> = None;
    for (i, file) in files.iter().enumerate() {
        ctx.chain.push(file.name.clone());
        let docs = load_file(&mut ctx, &file.name, &file.text, options).map_err(|e| {
            if i == 0 {
                e
            } else {
                in_file(e, &file.name)
            }
        })?;
        ctx.chain.pop();
        for (tree, directives) in docs {
            match merged.as_mut() {
                None => merged = Some(tree),
                Some(base) => merge::merge(base, tree, &directives),
            }
        }
    }
    let mut tree = merged.unwrap_or_else(|| Value::Object(Map::new()));
    merge::enforce_unicity(&mut tree);
    profiles::apply(&mut tree, &options.profiles, &mut ctx.report)?;
    Ok((tree, ctx.report))
}

/// State shared by the stages while one load runs.
pub(crate) struct Context<'a> {
    /// The caller's file access.
    pub resolver: &'a dyn Resolver,
    /// Warnings so far.
    pub report: Report,
    /// Files being loaded, outermost first (to detect `include` cycles).
    pub chain: Vec<String>,
    /// The caller's variables (not the template's shared defaults): deferred in the
    /// values workloads run with (see [`interpolate::interpolate_deferring`]).
    pub stored: std::collections::BTreeSet<String>,
}

/// One file: its documents, each through every per-file stage, with the merge directives
/// that apply when it merges over earlier files.
pub(crate) fn load_file(
    ctx: &mut Context<'_>,
    name: &str,
    text: &str,
    options: &LoadOptions,
) -> Result<Vec<(Value, Directives)>, Errors> {
    let mut out = Vec::new();
    let docs = yaml::parse(text, name)?;
    if docs.is_empty() {
        return Err(Error::new(
            InputPath::root(),
            format!("{name}: the file is empty; a Compose file is a mapping of top-level keys"),
        )
        .into());
    }
    for doc in docs {
        let (mut tree, directives) = prepare(ctx, name, doc, options)?;
        include::apply(ctx, name, &mut tree, options)?;
        extends::apply(ctx, name, &mut tree, &directives, options)?;
        env_file::apply(ctx, name, &mut tree, options)?;
        out.push((tree, directives));
    }
    Ok(out)
}

/// The first per-file stages: shape check, `!reset` removal, `version`, interpolation and
/// the canonical form. `extends` reads other files through this too.
pub(crate) fn prepare(
    ctx: &mut Context<'_>,
    name: &str,
    doc: yaml::Document,
    options: &LoadOptions,
) -> Result<(Value, Directives), Errors> {
    let mut tree = doc.root;
    let Value::Object(map) = &mut tree else {
        let what = if tree.is_null() {
            "empty"
        } else {
            "not a mapping"
        };
        return Err(Error::new(
            InputPath::root(),
            format!("{name}: the file is {what}; a Compose file is a mapping of top-level keys"),
        )
        .into());
    };
    if map.shift_remove("version").is_some() {
        ctx.report.warn(
            InputPath::root().key("version"),
            "`version` is obsolete and ignored",
        );
    }
    let directives = Directives(doc.tags);
    directives.strip_resets(&mut tree);
    interpolate::interpolate_deferring(&mut tree, options, &ctx.stored, &mut ctx.report)?;
    normalize::canonicalize(&mut tree, options)?;
    Ok((tree, directives))
}

/// Errors from a file other than the first: say which file.
pub(crate) fn in_file(errors: Errors, file: &str) -> Errors {
    let list: Vec<Error> = errors
        .into_iter()
        .map(|e| {
            if e.message.contains(file) {
                e
            } else {
                Error::new(e.path, format!("{} (in {file})", e.message))
            }
        })
        .collect();
    match Errors::from_vec(list) {
        Some(e) => e,
        None => Error::new(InputPath::root(), format!("{file}: cannot be loaded")).into(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Vec<SourceFile> {
        vec![SourceFile {
            name: "compose.yaml".into(),
            text: text.into(),
        }]
    }

    #[test]
    fn config_and_secret_files_are_read_through_the_resolver() {
        let files = source(
            "services:\n  web:\n    image: nginx\n    configs: [site]\n    secrets: [key]\n\
             configs:\n  site:\n    file: ./site.conf\nsecrets:\n  key:\n    file: ./key.txt\n",
        );
        let resolver = MemoryFiles::new([("site.conf", "server {}\n"), ("key.txt", "hunter2")]);
        let loaded = load(&files, &LoadOptions::default(), &resolver).unwrap();
        assert_eq!(
            loaded.project.configs["site"].content.as_deref(),
            Some("server {}\n")
        );
        assert_eq!(
            loaded.project.secrets["key"].content.as_deref(),
            Some("hunter2")
        );
    }

    #[test]
    fn unreadable_config_file_is_a_warning_naming_the_path() {
        let files = source(
            "services:\n  web:\n    image: nginx\n    configs: [site]\n\
             configs:\n  site:\n    file: ./missing.conf\n",
        );
        let loaded = load(&files, &LoadOptions::default(), &NoFiles).unwrap();
        assert_eq!(loaded.project.configs["site"].content, None);
        assert!(loaded
            .report
            .entries()
            .iter()
            .any(|e| e.to_string().starts_with("warning: configs.site.file: ")));
    }

    #[test]
    fn a_required_dependency_must_exist() {
        let files = source(
            "services:\n  web:\n    image: nginx\n    depends_on: [db]\n  cache:\n    image: redis\n    depends_on:\n      gone:\n        condition: service_started\n        required: false\n",
        );
        let e = load(&files, &LoadOptions::default(), &NoFiles).unwrap_err();
        assert_eq!(e.len(), 1, "{e}");
        assert!(
            e.first()
                .to_string()
                .starts_with("services.web.depends_on.db: "),
            "{e}"
        );
    }
}
