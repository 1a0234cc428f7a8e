//! Object names in a shared namespace (option `namespace_strategy: shared`).
//!
//! On Docker every resource of a destination sits on one network (`coolify`, or a custom
//! one), and Coolify keeps their containers apart by naming each after the resource:
//! `<service>-<uuid>` for a one-click Service's or a Compose application's containers
//! (`bootstrap/helpers/parsers.php`, `$containerName = "$serviceName-$baseName"`), the uuid
//! itself for an Application or a standalone database. In a shared namespace the objects
//! of two copies of one template would collide the same way, so every object name the
//! resource chooses carries its identity as a suffix, the way Coolify's container names do;
//! a name that already contains the identity (an Application's `<uuid>` Service, a
//! database's `postgres-data-<uuid>` claim) is kept. The services' in-file host names are
//! rewritten to the suffixed names by the same rewriting as a renamed service
//! ([`super::env::Values::rewrite`]), so `db:5432` still reaches the resource's own `db`.
//!
//! Under `namespace_strategy: resource` (one namespace per resource) names stay as they
//! are: the namespace keeps resources apart.

use super::names::{dns_label, DNS_LABEL_MAX};
use crate::compose::Project;
use crate::options::{NamespaceStrategy, Options};

/// How object names of one resource are made unique in their namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameScope {
    /// The identity appended to names (`None`: names are used as they are).
    suffix: Option<String>,
    /// Names kept as they are ([`Options::global_names`]).
    keep: std::collections::BTreeSet<String>,
}

impl NameScope {
    /// The scope of a resource whose instance (identity) is `instance`.
    pub fn new(options: &Options, instance: &str) -> Self {
        Self {
            suffix: (options.namespace_strategy == NamespaceStrategy::Shared)
                .then(|| instance.to_string()),
            keep: options.global_names.clone(),
        }
    }

    /// A scope that keeps names (tests, and the `resource` strategy).
    pub fn none() -> Self {
        Self::default()
    }

    /// True when names carry the identity.
    pub fn is_shared(&self) -> bool {
        self.suffix.is_some()
    }

    /// The name before normalization: `name-<identity>` in a shared namespace unless the
    /// name already contains the identity.
    pub fn raw(&self, name: &str) -> String {
        match &self.suffix {
            Some(s)
                if !name.to_ascii_lowercase().contains(s.as_str()) && !self.keep.contains(name) =>
            {
                format!("{name}-{s}")
            }
            _ => name.to_string(),
        }
    }

    /// An object name of at most `max` characters ([`dns_label`] of [`Self::raw`]).
    pub fn label(&self, name: &str, max: usize) -> String {
        dns_label(&self.raw(name), max)
    }

    /// An already normalized object name (a claim, a ConfigMap) in this scope: unchanged
    /// outside a shared namespace, so existing names are byte-identical there.
    pub fn object(&self, name: &str) -> String {
        match &self.suffix {
            None => name.to_string(),
            Some(_) => self.label(name, DNS_LABEL_MAX),
        }
    }
}

/// The extra host names of a project's services (`hostname`, `container_name`, `links`
/// aliases, network aliases), each with the service it names: in a shared namespace they
/// are suffixed like service names, and references to them rewritten.
pub fn alias_names(project: &Project) -> Vec<String> {
    let mut out = Vec::new();
    for svc in project.services.values() {
        out.extend(svc.hostname.iter().cloned());
        out.extend(svc.container_name.iter().cloned());
        for link in &svc.links {
            let alias = link.split_once(':').map_or(link.as_str(), |(_, a)| a);
            out.push(alias.to_string());
        }
        for opts in svc.networks.values().flatten() {
            out.extend(opts.aliases.iter().cloned());
        }
    }
    // A dotted name is no Service name (reported by the alias planner); never rewritten.
    out.retain(|a| !a.contains('.') && !a.is_empty());
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(instance: &str) -> NameScope {
        let o = Options {
            namespace_strategy: NamespaceStrategy::Shared,
            ..Options::default()
        };
        NameScope::new(&o, instance)
    }

    #[test]
    fn resource_strategy_keeps_names() {
        let s = NameScope::new(&Options::default(), "abc123");
        assert!(!s.is_shared());
        assert_eq!(s.raw("db"), "db");
        assert_eq!(s.object("db-data"), "db-data");
        assert_eq!(s.label("Db_x", 63), "db-x");
    }

    #[test]
    fn shared_names_carry_the_identity_as_coolify_container_names_do() {
        let s = shared("x8k2m4q1r7t9v3w5y6z0a1b2");
        assert!(s.is_shared());
        // `<service>-<uuid>`, Coolify's container name of a one-click service.
        assert_eq!(s.label("db", 63), "db-x8k2m4q1r7t9v3w5y6z0a1b2");
        assert_eq!(s.object("db-data"), "db-data-x8k2m4q1r7t9v3w5y6z0a1b2");
        // A name that carries it already is kept (an Application's Service is its uuid).
        assert_eq!(
            s.label("x8k2m4q1r7t9v3w5y6z0a1b2", 63),
            "x8k2m4q1r7t9v3w5y6z0a1b2"
        );
        assert_eq!(
            s.object("postgres-data-x8k2m4q1r7t9v3w5y6z0a1b2"),
            "postgres-data-x8k2m4q1r7t9v3w5y6z0a1b2"
        );
        // A name global on the destination (a custom internal name) is kept.
        let o = Options {
            namespace_strategy: NamespaceStrategy::Shared,
            global_names: ["api".to_string()].into(),
            ..Options::default()
        };
        assert_eq!(NameScope::new(&o, "u1").label("api", 63), "api");
        assert_eq!(NameScope::new(&o, "u1").label("web", 63), "web-u1");
        // Long names stay within the limit and distinct.
        let a = s.label(&"a".repeat(40), 52);
        let b = s.label(&format!("{}b", "a".repeat(39)), 52);
        assert!(a.len() <= 52 && b.len() <= 52 && a != b, "{a} {b}");
    }

    #[test]
    fn alias_names_lists_every_extra_host_name() {
        let p: Project = crate::compose::load(
            &[crate::compose::SourceFile {
                name: "compose.yaml".into(),
                text: "services:\n  db:\n    image: postgres\n    hostname: pg\n    container_name: database\n    networks:\n      default:\n        aliases: [pg2, a.b]\n  web:\n    image: nginx\n    links: ['db:sql', 'db']\n".into(),
            }],
            &crate::compose::LoadOptions::default(),
            &crate::compose::NoFiles,
        )
        .unwrap()
        .project;
        assert_eq!(alias_names(&p), vec!["database", "db", "pg", "pg2", "sql"]);
    }
}
