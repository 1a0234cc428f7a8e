//! The loader's entry point: files in, [`Project`] out.
//!
//! (What the stages share is in [`options`](super::options) and in `context`; the per-file
//! stages are driven from `file`; each stage lives in its own file.)

use super::context::Context;
use super::file::{in_file, load_file};
use super::magic::deferred::MARK;
use super::merge;
use super::options::{LoadOptions, Resolver, SourceFile};
use super::project::Project;
use super::{interpolate, normalize, profiles};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::report::Report;
use serde_json::{Map, Value};

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
/// Each file goes through the stages in order: [`yaml`](super::yaml) (parse, merge keys,
/// limits), `!reset` removal, [`interpolate`], the canonical long form
/// (`normalize::canonicalize`), [`include`](mod@super::include), [`extends`](super::extends) and
/// service `env_file`s ([`env_file`](super::env_file)); then the files are
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
    let mut report = Report::default();
    let mut seen = std::collections::BTreeSet::new();
    for file in files {
        let found = interpolate::coolify_variables(&file.text);
        for (name, default) in found.shared_defaults {
            shared.variables.entry(name).or_insert(default);
        }
        suggested_values(found.required, options, &mut seen, &mut report);
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
        report,
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
                Some(base) => {
                    merge::merge(base, tree, &directives);
                    if let Value::Object(root) = base {
                        normalize::check_merged(root).map_err(|e| in_file(e.into(), &file.name))?;
                    }
                }
            }
        }
    }
    let mut tree = merged.unwrap_or_else(|| Value::Object(Map::new()));
    merge::enforce_unicity(&mut tree);
    profiles::apply(&mut tree, &options.profiles, &mut ctx.report)?;
    Ok((tree, ctx.report))
}

/// Warns once for each required variable (`${TZ:?UTC}`) that the caller leaves unset and
/// that therefore takes the text after `?`, as Coolify's parser stores it. Docker Compose
/// alone would stop with that text as its error message, so the operator should know. The
/// value is quoted unless the caller marked the variable secret; `seen` holds the variables
/// warned about in earlier files.
fn suggested_values(
    required: std::collections::BTreeMap<String, Option<String>>,
    options: &LoadOptions,
    seen: &mut std::collections::BTreeSet<String>,
    report: &mut Report,
) {
    for (name, value) in required {
        let Some(value) = value else { continue };
        if options.variables.contains_key(&name)
            || super::magic::MagicVariable::parse(&name).is_some()
            || !seen.insert(name.clone())
        {
            continue;
        }
        let value = if options.secret_variables.contains(&name) {
            "value".to_string()
        } else {
            format!("value {value:?}")
        };
        report.warn(
            InputPath::root(),
            format!(
                "variable {name} is required and not set: it takes the template's {value}, \
                 as Coolify stores it (Docker Compose alone would stop with that text as \
                 its error)"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{MemoryFiles, NoFiles};

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

    #[test]
    fn override_files_hold_the_services_ports_to_one_limit() {
        // Each file alone is within the limit; before the check after each merge, N files
        // held N times 65,535 entries until the typed read.
        let file = |name: &str, protocol: &str| SourceFile {
            name: name.into(),
            text: format!("services:\n  s0:\n    image: a\n    ports: [1-65535/{protocol}]\n"),
        };
        let files = [
            file("compose.yaml", "udp"),
            file("a.yaml", "tcp"),
            file("b.yaml", "sctp"),
        ];
        let e = load_tree(&files, &LoadOptions::default(), &NoFiles).unwrap_err();
        let messages: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["services.s0.ports: with what the services merge or extend, their `ports` hold more than 65535 ports (one per port number, over all services) (in a.yaml)"]
        );
        // The same ports again merge into the same entries.
        let files = [file("compose.yaml", "udp"), file("a.yaml", "udp")];
        let (tree, _) = load_tree(&files, &LoadOptions::default(), &NoFiles).unwrap();
        assert_eq!(
            tree["services"]["s0"]["ports"].as_array().map(Vec::len),
            Some(65_535)
        );
    }

    #[test]
    fn included_files_hold_the_services_ports_to_one_limit() {
        let files = source("include: [a.yaml, b.yaml]\nservices:\n  web:\n    image: a\n");
        let resolver = MemoryFiles::new([
            (
                "a.yaml",
                "services:\n  a:\n    image: a\n    ports: [1-65535/udp]\n",
            ),
            (
                "b.yaml",
                "services:\n  b:\n    image: a\n    ports: [1-65535/tcp]\n",
            ),
        ]);
        let e = load_tree(&files, &LoadOptions::default(), &resolver).unwrap_err();
        let messages: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["services.b.ports: with what the services merge or extend, their `ports` hold more than 65535 ports (one per port number, over all services)"]
        );
    }
}
