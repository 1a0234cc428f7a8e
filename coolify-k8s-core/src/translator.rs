//! The translator facade: Compose text (or files) and options in, [`Manifests`] out.
//!
//! It runs the pipeline of ARCHITECTURE.md: `compose::load` → `plan` → `k8s` (build),
//! and collects the report of every stage.
//!
//! ```no_run
//! use coolify_k8s_core::{Options, Translator};
//! use std::collections::BTreeMap;
//! let t = Translator::new(Options::default());
//! let m = t.compose("services:\n  web:\n    image: nginx:1.27\n", &BTreeMap::new()).unwrap();
//! print!("{}", m.to_yaml());
//! ```

use crate::compose::{self, LoadOptions, NoFiles, Project, Resolver, SourceFile};
use crate::error::Errors;
use crate::manifests::Manifests;
use crate::options::Options;
use crate::report::Report;
use std::collections::BTreeMap;

/// Translates Coolify's Compose dialect into Kubernetes manifests with fixed [`Options`].
#[derive(Debug, Clone, Default)]
pub struct Translator {
    options: Options,
}

impl Translator {
    /// A translator with these options.
    pub fn new(options: Options) -> Self {
        Self { options }
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Translate one Compose document. `env` holds the values of `${VAR}` references and
    /// of Coolify's magic variables (stored values; missing ones are generated from the
    /// `seed` option). The resource name defaults to the Compose `name:`, else `app`.
    pub fn compose(&self, yaml: &str, env: &BTreeMap<String, String>) -> Result<Manifests, Errors> {
        let files = [SourceFile {
            name: "compose.yaml".to_string(),
            text: yaml.to_string(),
        }];
        self.compose_files(&files, env, &NoFiles)
    }

    /// Translate one or more Compose files (later ones merge over earlier ones); files they
    /// refer to are read through `resolver`. The resource name defaults to the Compose
    /// `name:`, else the first file's folder or stem (see [`default_name`]).
    pub fn compose_files(
        &self,
        files: &[SourceFile],
        env: &BTreeMap<String, String>,
        resolver: &dyn Resolver,
    ) -> Result<Manifests, Errors> {
        let load_options = LoadOptions {
            variables: env.clone(),
            secret_variables: self.options.secret_variables.clone(),
            profiles: self.options.profiles.clone(),
        };
        let loaded = compose::load(files, &load_options, resolver)?;
        let fallback = files.first().map(|f| default_name(&f.name));
        self.project(&loaded.project, loaded.report, env, fallback.as_deref())
    }

    /// Translate an already loaded project. `load_report` is the loader's report (merged
    /// into the result); `fallback_name` is used when neither the `name` option nor the
    /// project's `name:` gives one (`app` when absent).
    pub fn project(
        &self,
        project: &Project,
        load_report: Report,
        env: &BTreeMap<String, String>,
        fallback_name: Option<&str>,
    ) -> Result<Manifests, Errors> {
        self.options.validate()?;
        let plan = crate::plan::plan(project, &self.options, env, fallback_name)?;
        let (objects, build_report) = crate::k8s::build(&plan, &self.options)?;
        let mut report = load_report;
        report.extend(plan.report.clone());
        report.extend(build_report);
        report.normalize();
        Ok(Manifests::new(objects, report))
    }
}

/// The resource name a file gives when nothing else does: its stem (`supabase.yaml` →
/// `supabase`), or its folder's name when the stem is a generic Compose file name
/// (`apps/blog/docker-compose.yml` → `blog`); `app` when neither gives one.
///
/// ```
/// use coolify_k8s_core::translator::default_name;
/// assert_eq!(default_name("templates/supabase.yaml"), "supabase");
/// assert_eq!(default_name("apps/blog/docker-compose.yml"), "blog");
/// assert_eq!(default_name("compose.yaml"), "app");
/// ```
pub fn default_name(file: &str) -> String {
    let parts: Vec<&str> = file
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let Some((last, folders)) = parts.split_last() else {
        return "app".to_string();
    };
    let stem = last.split('.').next().unwrap_or(last);
    let generic = matches!(
        stem,
        "compose" | "docker-compose" | "docker_compose" | "stack" | ""
    );
    let pick = if generic {
        folders.last().copied().filter(|f| *f != "..")
    } else {
        Some(stem)
    };
    match pick {
        Some(p) if p.chars().any(|c| c.is_ascii_alphanumeric()) => p.to_string(),
        _ => "app".to_string(),
    }
}
