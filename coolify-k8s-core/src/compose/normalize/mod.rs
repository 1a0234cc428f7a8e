//! Stage: normalize. A parsed, interpolated Compose tree (a `serde_json::Value` whose
//! mappings keep YAML order) becomes the typed [`Project`].
//!
//! Two steps, as in compose-go:
//!
//! - [`canonicalize`] rewrites one file's tree so every short syntax is in the long form,
//!   so that merging can match entries by key. It is idempotent. The canonical forms:
//!   `ports` are mappings `{target, published, host_ip, protocol, …}` one per container
//!   port (ranges expanded); `expose` one string per port; service `volumes` are long
//!   mappings (Coolify's `isDirectory` spelled `is_directory`); `environment` a mapping
//!   whose variables named without a value hold the caller's value
//!   ([`lookup`](crate::compose::options::lookup)) or null; `labels`, `annotations`,
//!   `sysctls`, `deploy.labels`, `build.labels` mappings of strings; `extra_hosts` a
//!   mapping of host to addresses; `depends_on` a mapping with `condition`, `required`
//!   and `restart`; `env_file` a list of `{path, required}`; `label_file`, `dns`,
//!   `dns_search`, `tmpfs` lists; `command` / `entrypoint` argv lists (split by shell
//!   rules); `networks` a mapping; service `configs` / `secrets` `{source, …}` mappings;
//!   `healthcheck.test` a list; `build` and `extends` mappings; `ulimits` `{soft, hard}`;
//!   top-level `networks` / `volumes` / `configs` / `secrets` entries mappings with
//!   `external: true`.
//! - [`project`] reads the merged canonical tree (or any valid tree) into the typed model,
//!   checking every key against the Compose Specification's types, with paths.
//!
//! ```
//! use coolify_k8s_core::compose::normalize::project;
//! use coolify_k8s_core::Report;
//! let doc = serde_json::json!({"services": {"web": {"image": "nginx", "ports": ["8080:80"],
//!     "volumes": ["data:/usr/share/nginx/html"]}}});
//! let p = project(&doc, &mut Report::default()).unwrap();
//! assert_eq!(p.services["web"].ports[0].target, 80);
//! assert!(p.volumes["data"].implicit);
//! let bad = serde_json::json!({"services": {"web": {"image": "nginx", "ports": 80}}});
//! let e = project(&bad, &mut Report::default()).unwrap_err();
//! assert_eq!(e.to_string(), "services.web.ports: expected a sequence, got a number");
//! ```

mod build;
mod command;
mod coolify;
mod depends_on;
mod deploy;
mod files;
mod healthcheck;
mod key_values;
mod networks;
mod ports;
mod service;
mod shape;
mod top_level;
mod ulimits;
mod value;
mod volumes;

use crate::compose::options::LoadOptions;
use crate::compose::project::{Project, Volume};
use crate::compose::volume::MountType;
use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::report::Report;
use serde_json::Value;
use value::Diagnostics;

pub use service_keys::SERVICE_KEYS;

pub(crate) use ports::{check_merged, port_number, Expanded};

/// The names of the keys the normalizer accepts.
pub mod service_keys {
    /// Every service key of the Compose Specification, plus Coolify's `exclude_from_hc`.
    pub const SERVICE_KEYS: &[&str] = super::service::SERVICE_KEYS;
    /// The top-level keys of the Compose Specification (besides `x-*`).
    pub const TOP_LEVEL_KEYS: &[&str] = super::top_level::TOP_LEVEL_KEYS;
}

/// Rewrite one file's tree (after interpolation) so every short syntax is in the long
/// form (see the [module documentation](self)), like compose-go's `transform`, so that
/// merge can match entries by key (ports and volumes unique by target). Idempotent.
///
/// Errors name the path of each malformed short-syntax entry; all are collected.
pub fn canonicalize(doc: &mut Value, options: &LoadOptions) -> Result<(), Errors> {
    let mut d = Diagnostics::default();
    canonicalize_into(doc, options, &mut d);
    match Errors::from_vec(d.errors.into_iter().collect()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn canonicalize_into(doc: &mut Value, options: &LoadOptions, d: &mut Diagnostics) {
    let root = InputPath::root();
    let Some(top) = doc.as_object_mut() else {
        d.error(
            &root,
            value::expected("a mapping at the top of the file", doc),
        );
        return;
    };
    for (k, v) in top.iter_mut() {
        let p = root.key(k);
        match k.as_str() {
            "services" => {
                if let Some(services) = v.as_object_mut() {
                    for (name, svc) in services.iter_mut() {
                        service::canonicalize_service(svc, &p.key(name), options, d);
                    }
                }
            }
            "networks" | "volumes" | "configs" | "secrets" => {
                if let Some(defs) = v.as_object_mut() {
                    defs.values_mut()
                        .for_each(top_level::canonicalize_definition);
                }
            }
            _ => {}
        }
    }
}

/// The merged canonical tree -> typed [`Project`]: type checks with paths, unknown keys,
/// implicit named volumes, Coolify URL keys, magic variables collected. Keys that are not
/// carried into the model exactly are added to `report`.
///
/// A tree that is not canonical yet is accepted too, except that repeated `ports` and
/// `volumes` entries are only found by [`canonicalize`] (after it, different entries as
/// written may be equal).
pub fn project(doc: &Value, report: &mut Report) -> Result<Project, Errors> {
    let mut d = Diagnostics::of_canonical_input();
    // A tree that is already canonical is unchanged; any other valid tree is accepted too.
    let mut doc = doc.clone();
    canonicalize_into(&mut doc, &LoadOptions::default(), &mut d);
    // The typed read expands the same lists again: counted afresh, not twice.
    d.expanded = ports::Expanded::default();
    let p = read_project(&doc, &mut d);
    report.extend(d.report);
    match Errors::from_vec(d.errors.into_iter().collect()) {
        Some(e) => Err(e),
        None => Ok(p),
    }
}

fn read_project(doc: &Value, d: &mut Diagnostics) -> Project {
    let root = InputPath::root();
    let mut p = Project::default();
    let Some(top) = value::mapping(doc, &root, d) else {
        return p;
    };
    for (k, v) in top {
        let path = root.key(k);
        match k.as_str() {
            // Obsolete; the loader reports it.
            "version" => {
                value::string(v, &path, d);
            }
            "name" => p.name = value::string(v, &path, d),
            // Resolved by the loader before this stage.
            "include" => shape::INCLUDE.check(v, &path, d),
            "services" => {
                if let Some(services) = value::mapping(v, &path, d) {
                    for (name, svc) in services {
                        let sp = path.key(name);
                        if !value::is_valid_name(name) {
                            d.error(&sp, format!("invalid service name {name:?} (letters, digits, '.', '_' and '-' only)"));
                            continue;
                        }
                        let mut s = service::service(svc, &sp, d);
                        s.urls = coolify::service_urls(&s.environment);
                        p.services.insert(name.clone(), s);
                    }
                }
            }
            "networks" => p.networks = top_level::networks(v, &path, d),
            "volumes" => p.volumes = top_level::volumes(v, &path, d),
            "configs" => p.configs = top_level::file_definitions(v, &path, false, d),
            "secrets" => p.secrets = top_level::file_definitions(v, &path, true, d),
            "models" => p.models = top_level::models(v, &path, d),
            _ if value::is_extension(k) => {
                p.extensions.insert(k.clone(), v.clone());
            }
            _ if v.get("image").is_some() || v.get("build").is_some() => d.error(
                &path,
                format!("unknown key {k:?}: this looks like a service in the obsolete version 1 format; put services under `services:`"),
            ),
            _ => d.error(
                &path,
                value::unknown_key_message(k, top_level::TOP_LEVEL_KEYS),
            ),
        }
    }
    check_references(&p, d);
    add_implicit_volumes(&mut p);
    coolify::collect_references(doc, &mut p.magic);
    for s in p.services.values() {
        for url in &s.urls {
            if let Some(m) = crate::compose::magic::MagicVariable::parse(&url.variable) {
                p.magic.entry(url.variable.clone()).or_insert(m);
            }
        }
    }
    p
}

/// Named volumes that services use without declaring them (Coolify declares them itself).
fn add_implicit_volumes(p: &mut Project) {
    let used: Vec<String> = p
        .services
        .values()
        .flat_map(|s| &s.volumes)
        .filter(|v| v.kind == MountType::Volume)
        .filter_map(|v| v.source.clone())
        .collect();
    for name in used {
        p.volumes.entry(name).or_insert_with(|| Volume {
            implicit: true,
            ..Volume::default()
        });
    }
}

/// References between keys: networks, configs and secrets a service uses must be
/// declared, as Compose requires (`default` is the implicit network).
fn check_references(p: &Project, d: &mut Diagnostics) {
    let services = InputPath::root().key("services");
    for (name, s) in &p.services {
        let sp = services.key(name);
        for net in s.networks.keys() {
            if net != "default" && !p.networks.contains_key(net) {
                d.errors.insert(Error::new(
                    sp.key("networks").key(net),
                    format!("network {net:?} is not declared under the top-level networks"),
                ));
            }
        }
        for (kind, refs, defs) in [
            ("configs", &s.configs, &p.configs),
            ("secrets", &s.secrets, &p.secrets),
        ] {
            for (i, r) in refs.iter().enumerate() {
                if !defs.contains_key(&r.source) {
                    d.errors.insert(Error::new(
                        sp.key(kind).index(i),
                        format!("{:?} is not declared under the top-level {kind}", r.source),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::magic::{deferred, MagicKind, ServiceUrlKind};
    use serde_json::json;

    fn errors(doc: Value) -> Vec<String> {
        match project(&doc, &mut Report::default()) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn coolify_urls_and_magic_variables() {
        let pw = deferred::reference("SERVICE_PASSWORD_DB");
        let doc = json!({"services": {
            "app": {"environment": {
                "SERVICE_URL_APP_3000": null,
                "SERVICE_FQDN_API": "/api",
                "SERVICE_URL_WS": "",
                "DATABASE_URL": format!("postgres://u:{pw}@db/x"),
            }},
            "db": {"environment": ["SERVICE_USER_POSTGRES", "POSTGRES_PASSWORD"]},
        }});
        let mut r = Report::default();
        let p = project(&doc, &mut r).unwrap();
        let app = &p.services["app"];
        assert_eq!(
            app.environment["SERVICE_URL_APP_3000"],
            Some(deferred::reference("SERVICE_URL_APP_3000"))
        );
        assert_eq!(
            app.environment["SERVICE_URL_WS"],
            Some(deferred::reference("SERVICE_URL_WS"))
        );
        let urls: Vec<_> = app
            .urls
            .iter()
            .map(|u| (u.kind, u.id.as_str(), u.port, u.path.as_deref()))
            .collect();
        assert_eq!(
            urls,
            vec![
                (ServiceUrlKind::Url, "APP", Some(3000), None),
                (ServiceUrlKind::Fqdn, "API", None, Some("/api")),
                (ServiceUrlKind::Url, "WS", None, None),
            ]
        );
        // A magic variable named alone is deferred; an unset plain one stays unset.
        let db = &p.services["db"];
        assert_eq!(
            db.environment["SERVICE_USER_POSTGRES"],
            Some(deferred::reference("SERVICE_USER_POSTGRES"))
        );
        assert_eq!(db.environment["POSTGRES_PASSWORD"], None);
        let magic: Vec<_> = p
            .magic
            .values()
            .map(|m| (m.name.as_str(), m.kind))
            .collect();
        assert_eq!(
            magic,
            vec![
                ("SERVICE_FQDN_API", MagicKind::Fqdn),
                ("SERVICE_PASSWORD_DB", MagicKind::Password),
                ("SERVICE_URL_APP_3000", MagicKind::Url),
                ("SERVICE_URL_WS", MagicKind::Url),
                ("SERVICE_USER_POSTGRES", MagicKind::User),
            ]
        );
    }

    #[test]
    fn implicit_and_declared_volumes() {
        let doc = json!({
            "services": {"db": {"volumes": ["pg:/var/lib/postgresql/data", "./init:/init", "/anon", "declared:/d"]}},
            "volumes": {"declared": {"driver": "local"}},
        });
        let p = project(&doc, &mut Report::default()).unwrap();
        let vols: Vec<_> = p
            .volumes
            .iter()
            .map(|(n, v)| (n.as_str(), v.implicit))
            .collect();
        assert_eq!(vols, vec![("declared", false), ("pg", true)]);
    }

    #[test]
    fn every_error_is_collected_with_its_path() {
        let doc = json!({
            "services": {
                "web": {"image": "nginx", "ports": ["80", "80800"], "volumes": 1, "networks": ["front"]},
                "db": {"image": 5, "healthcheck": {"interval": "soon"}, "secrets": ["pw"]},
            },
            "bogus": true,
        });
        assert_eq!(
            errors(doc),
            vec![
                "services.web.ports[1]: invalid port \"80800\"",
                "services.web.volumes: expected a sequence, got a number",
                "services.db.image: expected a string, got a number",
                "services.db.healthcheck.interval: invalid duration \"soon\" (expected e.g. 30s, 1m30s, 500ms)",
                "bogus: unknown key \"bogus\" (expected one of: version, name, include, services, models, networks, volumes, secrets, configs)",
                "services.db.secrets[0]: \"pw\" is not declared under the top-level secrets",
                "services.web.networks.front: network \"front\" is not declared under the top-level networks",
            ]
        );
    }

    #[test]
    fn canonicalize_reports_malformed_short_forms() {
        let mut doc = json!({"services": {"web": {"ports": ["1-3:4-5"], "volumes": ["a:b:c:d"]}}});
        let e = canonicalize(&mut doc, &LoadOptions::default()).unwrap_err();
        let msgs: Vec<_> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "services.web.ports[0]: invalid port \"1-3:4-5\": the host and container ranges differ in length",
                "services.web.volumes[0]: invalid volume \"a:b:c:d\": too many colons",
            ]
        );
        assert!(canonicalize(&mut json!([1]), &LoadOptions::default()).is_err());
    }

    #[test]
    fn canonicalize_looks_up_variables_named_alone() {
        let mut o = LoadOptions::default();
        o.variables.insert("TZ".into(), "UTC".into());
        o.variables.insert("API_KEY".into(), "s3cr3t".into());
        o.secret_variables.insert("API_KEY".into());
        let mut doc = json!({"services": {"web": {"environment": ["TZ", "API_KEY", "NOPE"]}}});
        canonicalize(&mut doc, &o).unwrap();
        assert_eq!(
            doc["services"]["web"]["environment"],
            json!({"TZ": "UTC", "API_KEY": deferred::reference("API_KEY"), "NOPE": null})
        );
        // The secret's value is nowhere in the tree.
        assert!(!doc.to_string().contains("s3cr3t"));
    }

    #[test]
    fn reports_what_the_model_does_not_keep() {
        let doc = json!({"services": {"web": {
            "restart": "on-failure:5",
            "ports": [{"target": 80, "x-note": 1}],
        }}});
        let mut r = Report::default();
        project(&doc, &mut r).unwrap();
        let lines: Vec<_> = r.entries().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            lines,
            vec![
                "approximated: services.web.restart: the retry limit of on-failure is not kept in the model",
                "dropped: services.web.ports[0].x-note: extension key: not used by the translation",
            ]
        );
    }

    #[test]
    fn same_input_same_model() {
        let doc = json!({"services": {"b": {"labels": {"z": "1", "a": "2"}}, "a": {"image": "x"}}});
        let one = serde_json::to_string(&project(&doc, &mut Report::default()).unwrap()).unwrap();
        let two = serde_json::to_string(&project(&doc, &mut Report::default()).unwrap()).unwrap();
        assert_eq!(one, two);
        assert!(one.find("\"a\"").unwrap() < one.find("\"b\"").unwrap());
    }
}
