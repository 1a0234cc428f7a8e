//! The runtime environment an Application's container gets, as Coolify's deployment job
//! writes it to the container's `.env`: the stored runtime variables (a preview's own, with
//! production's as fallback), the caller's, then what Coolify generates (`COOLIFY_*`,
//! `SOURCE_COMMIT`, `PORT`, `HOST`). Every user value is secret; generated ones are plain.

use super::super::attributes::{
    checked_env, is_coolify_variable, stored_variables, Attrs, StoredVariable,
};
use crate::compose::magic::deferred;
use crate::error::Error;
use crate::report::{Outcome, Report};
use indexmap::IndexMap;
use std::collections::{BTreeMap, BTreeSet};

/// The parser version Coolify stamps on new applications (`Application::$parserVersion`).
const COMPOSE_PARSING_VERSION: u32 = 5;

/// The container's environment and the values behind it.
#[derive(Debug, Default)]
pub(super) struct RuntimeEnvironment {
    /// The service's `environment`: a deferred reference for each secret value, generated
    /// values as they are.
    pub environment: IndexMap<String, Option<String>>,
    /// The values of the deferred references.
    pub variables: BTreeMap<String, String>,
    /// The variables whose values go only into a Secret.
    pub secret_variables: BTreeSet<String>,
}

impl RuntimeEnvironment {
    /// A user value: the environment refers to it, the Secret holds it.
    fn secret(&mut self, key: &str, value: String) {
        self.environment
            .insert(key.to_string(), Some(deferred::reference(key)));
        self.variables.insert(key.to_string(), value);
        self.secret_variables.insert(key.to_string());
    }

    /// A generated value, given as it is (it replaces a stored value of that name).
    fn plain(&mut self, key: &str, value: String) {
        self.variables.remove(key);
        self.secret_variables.remove(key);
        self.environment.insert(key.to_string(), Some(value));
    }

    /// A default: kept only when no variable of that name is set.
    fn fallback(&mut self, key: &str, value: String) {
        self.environment
            .entry(key.to_string())
            .or_insert(Some(value));
    }
}

/// What Coolify generates its variables from.
pub(super) struct Generated<'a> {
    /// The pull request (0 for production).
    pub pr: u64,
    /// The domains, comma-separated.
    pub fqdns: Option<&'a str>,
    /// The application's uuid.
    pub uuid: Option<&'a str>,
    /// Coolify's container name.
    pub container: &'a str,
    /// The first exposed port (`PORT`).
    pub first_port: Option<u16>,
}

/// The environment, in the order the job's `.env` has it: stored variables, the caller's
/// (`env`: Coolify's generated ones, or overrides, which win over the stored list and the
/// defaults, as a stored `COOLIFY_*` key does in `generate_coolify_env_variables`), then the
/// generated defaults.
pub(super) fn runtime(
    a: &Attrs<'_>,
    env: &BTreeMap<String, String>,
    generated: &Generated<'_>,
    errors: &mut Vec<Error>,
    report: &mut Report,
) -> RuntimeEnvironment {
    let mut out = RuntimeEnvironment::default();
    for (key, value) in stored_runtime_variables(a, generated.pr, errors, report) {
        out.secret(&key, value);
    }
    for (key, value) in checked_env(env, errors) {
        if is_coolify_variable(key) {
            out.plain(key, value.clone());
        } else {
            out.secret(key, value.clone());
        }
    }
    let parsing_version = a
        .text("compose_parsing_version")
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(COMPOSE_PARSING_VERSION);
    for (k, v) in coolify_variables(
        generated.fqdns,
        parsing_version,
        a.text("git_branch"),
        // `HEAD` (the column's default) is what the job resolves to a commit before building.
        a.text("git_commit_sha").filter(|c| c != "HEAD"),
        generated.uuid,
        generated.container.to_string(),
    ) {
        out.fallback(&k, v);
    }
    if let Some(p) = generated.first_port {
        out.fallback("PORT", p.to_string());
    }
    out.fallback("HOST", "0.0.0.0".to_string());
    out
}

/// The stored variables the container runs with: runtime ones only, a preview's own with
/// production's as Coolify falls back to them ([`preview_fallback`]). Build-time ones are
/// reported.
fn stored_runtime_variables(
    a: &Attrs<'_>,
    pr: u64,
    errors: &mut Vec<Error>,
    report: &mut Report,
) -> Vec<(String, String)> {
    let (mut own, mut production) = (Vec::new(), Vec::new());
    // `$application->toArray()` holds the preview variables in their own relation.
    for list_key in ["environment_variables", "environment_variables_preview"] {
        for StoredVariable {
            path: p,
            key,
            attrs: va,
        } in stored_variables(a, list_key, errors)
        {
            let is_preview = va.flag("is_preview", list_key == "environment_variables_preview");
            if is_preview && pr == 0 {
                continue;
            }
            if !va.flag("is_runtime", true) {
                if va.flag("is_buildtime", true) {
                    report.add(
                        p,
                        Outcome::Mapped,
                        format!("{key} is a build-time variable: not given to the pod"),
                    );
                }
                continue;
            }
            let value = va.string("value").unwrap_or_default();
            if is_preview {
                own.push((key, value));
            } else {
                production.push((key, value));
            }
        }
    }
    if pr > 0 {
        preview_fallback(own, production)
    } else {
        production
    }
}

/// A preview's runtime variables: its own, then production's for the keys it lacks, and
/// none of production's when it has none of its own (`generate_runtime_environment_variables`
/// in `app/Jobs/ApplicationDeploymentJob.php`: "Fall back to production env vars for keys
/// not overridden by preview vars, but only when preview vars are configured").
fn preview_fallback(
    own: Vec<(String, String)>,
    production: Vec<(String, String)>,
) -> Vec<(String, String)> {
    if own.is_empty() {
        return own;
    }
    let keys: BTreeSet<String> = own.iter().map(|(k, _)| k.clone()).collect();
    let mut out = own;
    out.extend(production.into_iter().filter(|(k, _)| !keys.contains(k)));
    out
}

/// What `generate_coolify_env_variables` (`app/Jobs/ApplicationDeploymentJob.php`) injects
/// at runtime: `COOLIFY_URL` and `COOLIFY_FQDN` (swapped before parser version 3, as Coolify
/// still does for old applications), `COOLIFY_BRANCH`, `SOURCE_COMMIT` (`unknown` without
/// a commit), `COOLIFY_RESOURCE_UUID`, `COOLIFY_CONTAINER_NAME`.
fn coolify_variables(
    fqdn: Option<&str>,
    parsing_version: u32,
    branch: Option<String>,
    commit: Option<String>,
    uuid: Option<&str>,
    container_name: String,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    out.push((
        "SOURCE_COMMIT".to_string(),
        commit.unwrap_or_else(|| "unknown".to_string()),
    ));
    if let Some(f) = fqdn {
        let bare = f.replace("http://", "").replace("https://", "");
        let (url, host) = if parsing_version >= 3 {
            (f.to_string(), bare)
        } else {
            (bare, f.to_string())
        };
        out.push(("COOLIFY_URL".to_string(), url));
        out.push(("COOLIFY_FQDN".to_string(), host));
    }
    if let Some(b) = branch {
        out.push(("COOLIFY_BRANCH".to_string(), b));
    }
    if let Some(u) = uuid {
        out.push(("COOLIFY_RESOURCE_UUID".to_string(), u.to_string()));
    }
    out.push(("COOLIFY_CONTAINER_NAME".to_string(), container_name));
    out
}
